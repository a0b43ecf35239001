//! The start screen: the year wheel of the selected organisation and every review of the year.

use chrono::{Datelike, NaiveDate};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, List, ListItem, ListState, Paragraph};

use crate::checklist::Checklist;
use crate::period::{Cadence, Period, local_date};
use crate::request::{Request, Standing};
use crate::review::ReviewState;
use crate::status::{self, Summary};
use crate::tui::app::{App, DashRow, review_rows};
use crate::tui::theme::state_mark;

pub fn draw(frame: &mut Frame, app: &App, area: Rect) {
    // The overview is derived once per frame and shared by the wheel and the list.
    let rows = app.dashboard_rows();
    let selected = review_rows(&rows).nth(app.dashboard_selected);
    let org = selected
        .and_then(|s| app.checklists.iter().find(|l| l.organisation.id == s.org))
        .or(app.checklists.first());
    let cadences = org.map_or(0, |l| {
        Cadence::ALL
            .iter()
            .filter(|c| l.items_of(**c).next().is_some())
            .count()
    });
    let [header, wheel, list] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(cadences as u16 + 4),
        Constraint::Min(3),
    ])
    .areas(area);
    draw_header(frame, app, header);
    if let Some(org) = org {
        draw_wheel(frame, app, org, &rows, wheel);
    }
    let registers = status::registers(&app.checklists, &app.events);
    let open = status::open_requests(&registers);
    if open.is_empty() {
        draw_list(frame, app, &rows, list, true);
        return;
    }
    let shown = open.len().min(4) as u16;
    let [list, requests] =
        Layout::vertical([Constraint::Min(3), Constraint::Length(shown + 2)]).areas(list);
    draw_list(frame, app, &rows, list, false);
    draw_requests(frame, app, &open, requests);
}

/// The open data-subject requests of every organisation, nearest deadline first.
fn draw_requests(frame: &mut Frame, app: &App, open: &[(&str, &Request)], area: Rect) {
    let lang = app.lang;
    let mut open: Vec<&(&str, &Request)> = open.iter().collect();
    open.sort_by_key(|(org, r)| (r.deadline, *org));
    let room = area.height.saturating_sub(2) as usize;
    let mut lines: Vec<Line> = Vec::new();
    for (i, (org, r)) in open.iter().enumerate() {
        if i + 1 == room && open.len() > room {
            lines.push(Line::from(Span::styled(
                format!("  … {} {} (r)", open.len() - i, lang.pick("flere", "more")),
                app.theme.dim(),
            )));
            break;
        }
        let (mark, style) = match r.standing(app.today) {
            Standing::Overdue { .. } => ("!", app.theme.error()),
            Standing::Open { days_left } if days_left <= 7 => (" ", app.theme.warning()),
            _ => (" ", Style::new()),
        };
        let name = app
            .checklists
            .iter()
            .find(|l| l.organisation.id == *org)
            .map_or(*org, |l| l.organisation.name.as_str());
        lines.push(Line::from(vec![
            Span::styled(format!(" {mark} "), style),
            Span::raw(format!("{:<16} ", r.reference)),
            Span::styled(format!("{:<22} ", r.standing_words(app.today, lang)), style),
            Span::raw(format!(
                "{} {}   {} · {}",
                lang.pick("frist", "due"),
                r.deadline.format("%d.%m.%Y"),
                name,
                r.kind.label(lang)
            )),
        ]));
    }
    let block = Block::bordered().title(Span::styled(
        format!(
            " {} ({}) ",
            lang.pick(
                "Åbne anmodninger fra registrerede",
                "Open data-subject requests"
            ),
            lang.pick("r: registret", "r: the register")
        ),
        app.theme.title(),
    ));
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

fn draw_header(frame: &mut Frame, app: &App, area: Rect) {
    let lang = app.lang;
    let left = Span::styled(
        format!(
            " aarshjul — {}",
            lang.pick("årshjul for databeskyttelse", "the data-protection year")
        ),
        app.theme.title(),
    );
    let right = format!(
        "{} {}  ",
        lang.pick("I dag:", "Today:"),
        lang.date(app.today)
    );
    let pad = (area.width as usize).saturating_sub(left.width() + right.chars().count());
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            left,
            Span::raw(" ".repeat(pad)),
            Span::raw(right),
        ])),
        area,
    );
}

/// The twelve months with each review's period marked and coloured by state, today marked.
fn draw_wheel(frame: &mut Frame, app: &App, org: &Checklist, rows: &[DashRow], area: Rect) {
    let lang = app.lang;
    let block = Block::bordered().title(Span::styled(
        format!(
            " {} {} — {} ",
            lang.pick("Årshjulet", "The wheel"),
            app.year,
            org.organisation.name
        ),
        app.theme.title(),
    ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    const LABEL: usize = 13;
    let cell = ((inner.width as usize).saturating_sub(LABEL) / 12).max(3);
    let mut lines = Vec::new();
    let mut months = vec![Span::raw(" ".repeat(LABEL))];
    for m in 0..12 {
        let name: String = lang.month(m).chars().take(3).collect();
        let is_today = app.today.year() == app.year && app.today.month0() as usize == m;
        let style = if is_today {
            Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
        } else {
            app.theme.dim()
        };
        months.push(Span::styled(format!("{name:<width$}", width = cell), style));
    }
    lines.push(Line::from(months));
    let state_of = |p: Period| {
        rows.iter().find_map(|r| match r {
            DashRow::Review(s) if s.org == org.organisation.id && s.period == p => Some(s.state),
            _ => None,
        })
    };
    for cadence in Cadence::ALL {
        if org.items_of(cadence).next().is_none() {
            continue;
        }
        let mut spans = vec![Span::raw(format!("{:<LABEL$}", cadence.label(lang)))];
        for period in Period::all_in_year(cadence, app.year) {
            let state = state_of(period).unwrap_or(ReviewState::Upcoming);
            let months = 12 / cadence.periods_per_year() as usize;
            let width = cell * months;
            let label = match cadence {
                Cadence::Monthly => state_mark(state).to_string(),
                _ => format!("{} {}", state_mark(state), short_key(period)),
            };
            let fill = if cadence == Cadence::Monthly {
                ' '
            } else {
                '─'
            };
            let used = label.chars().count() + 1;
            let text = format!(
                "{label} {}",
                fill.to_string().repeat(width.saturating_sub(used + 1))
            );
            spans.push(Span::styled(
                format!("{text:<width$}"),
                app.theme.state(state),
            ));
        }
        lines.push(Line::from(spans));
    }
    let mut legend = vec![Span::raw(" ")];
    let mut used = 1;
    for s in [
        ReviewState::Overdue,
        ReviewState::InProgress,
        ReviewState::NotStarted,
        ReviewState::Signed,
        ReviewState::Upcoming,
        ReviewState::BeforeAdoption,
    ] {
        let text = format!("{} {}   ", state_mark(s), s.label(lang));
        used += text.chars().count();
        // "Before adoption" only where the line has room for it.
        if s == ReviewState::BeforeAdoption && used > inner.width as usize + 3 {
            break;
        }
        legend.push(Span::styled(text, app.theme.state(s)));
    }
    lines.push(Line::from(legend));
    frame.render_widget(Paragraph::new(lines), inner);
}

fn short_key(p: Period) -> String {
    let key = p.key();
    match key.split_once('-') {
        Some((_, rest)) => rest.to_string(),
        None => key,
    }
}

/// The reviews of the year; `register_hint` names the key of the register of requests (when
/// no open request is listed below with it).
fn draw_list(frame: &mut Frame, app: &App, rows: &[DashRow], area: Rect, register_hint: bool) {
    let lang = app.lang;
    let mut items = Vec::new();
    let mut selected_row = None;
    let mut review_index = 0;
    for (i, row) in rows.iter().enumerate() {
        match row {
            DashRow::Org(o) => {
                let org = &app.checklists[*o].organisation;
                items.push(ListItem::new(Line::from(Span::styled(
                    format!("{} ({})", org.name, org.policy),
                    app.theme.title(),
                ))));
            }
            DashRow::Action(a) => items.push(ListItem::new(action_line(app, a))),
            DashRow::Review(s) => {
                if review_index == app.dashboard_selected {
                    selected_row = Some(i);
                }
                review_index += 1;
                items.push(ListItem::new(review_line(app, s)));
            }
        }
    }
    if review_index == 0 {
        items.push(ListItem::new(
            lang.pick("Ingen gennemgange dette år.", "No reviews this year."),
        ));
    }
    let carried = review_rows(rows).filter(|s| s.carried).count();
    let mut title = format!("{} {}", lang.pick("Gennemgange", "Reviews"), app.year);
    if carried > 0 {
        title += &format!(
            " {} {} {}",
            lang.pick("og", "and"),
            lang.count(
                carried,
                ("overskreden", "overskredne"),
                ("overdue", "overdue")
            ),
            lang.pick("fra tidligere år", "from earlier years")
        );
    }
    // The list starts at the top while the selection fits; further down it starts at the
    // selected review's organisation heading when that keeps the selection on screen (an
    // overdue review far down is seen under its heading with its follow-ups), else it keeps
    // the selection at the bottom as ratatui's List would. What lies outside the window is
    // counted in the borders.
    let height = area.height.saturating_sub(2) as usize;
    let offset = selected_row.map_or(0, |sel| {
        if sel < height {
            return 0;
        }
        rows[..=sel]
            .iter()
            .rposition(|r| matches!(r, DashRow::Org(_)))
            .filter(|heading| sel - heading < height)
            .unwrap_or(sel + 1 - height)
    });
    let below = items.len().saturating_sub(offset + height);
    let mut block = Block::bordered().title(Span::styled(format!(" {title} "), app.theme.title()));
    if offset > 0 {
        block = block.title_top(
            Line::from(format!(" ↑ {offset} {} ", lang.pick("flere", "more"))).right_aligned(),
        );
    }
    if below > 0 {
        block = block.title_bottom(
            Line::from(format!(
                " ↓ {below} {} (PgDn, End) ",
                lang.pick("flere", "more")
            ))
            .right_aligned(),
        );
    }
    if register_hint {
        block = block.title_bottom(Line::from(Span::styled(
            lang.pick(
                " r: anmodninger fra registrerede ",
                " r: data-subject requests ",
            ),
            app.theme.dim(),
        )));
    }
    let mut state = ListState::default()
        .with_selected(selected_row)
        .with_offset(offset);
    frame.render_stateful_widget(
        List::new(items)
            .block(block)
            .highlight_style(app.theme.selected())
            .highlight_symbol("▶ "),
        area,
        &mut state,
    );
}

fn review_line(app: &App, s: &Summary) -> Line<'static> {
    let lang = app.lang;
    let style = app.theme.state(s.state);
    let c = s.counts;
    let mut spans = vec![
        Span::styled(format!(" {} ", state_mark(s.state)), style),
        Span::raw(format!("{:<28}", s.period.review_title(lang))),
        Span::styled(format!("{:<13}", s.state.label(lang)), style),
    ];
    if s.state == ReviewState::BeforeAdoption {
        // Nothing was due: the longer label takes the place of the counts.
        spans[2] = Span::styled(format!("{:<19}", s.state.label(lang)), style);
    } else {
        spans.push(Span::raw(format!(
            "{:>2}/{:<2} ",
            c.items - c.open,
            c.items
        )));
    }
    if c.deviations > 0 {
        spans.push(Span::styled(
            format!("{} {} ", c.deviations, lang.pick("afv.", "dev.")),
            app.theme.error(),
        ));
    }
    if let Some(sig) = &s.signature {
        spans.push(Span::styled(
            format!("{} {}", sig.by, short_date(local_date(sig.at))),
            app.theme.dim(),
        ));
    } else if s.state == ReviewState::Overdue
        || s.state == ReviewState::NotStarted
        || s.state == ReviewState::InProgress
    {
        spans.push(Span::styled(
            format!(
                "{} {}",
                lang.pick("frist", "due"),
                short_date(s.period.ends())
            ),
            app.theme.dim(),
        ));
    }
    Line::from(spans)
}

/// An open follow-up: "   ⚑ Opfølgning: Slet jobansøgninger … — Henriette, frist 15.12.2026".
fn action_line(app: &App, a: &crate::status::Action) -> Line<'static> {
    let lang = app.lang;
    let f = &a.follow_up;
    let title = app
        .checklists
        .iter()
        .find(|l| l.organisation.id == a.org)
        .and_then(|l| l.item(&f.item))
        .map_or(f.item.clone(), |i| i.title.clone());
    let style = if f.is_overdue(app.today) {
        app.theme.error()
    } else {
        app.theme.warning()
    };
    Line::from(vec![
        Span::styled(
            format!(
                "   ⚑ {}, {} {} ({}): ",
                lang.pick("Opfølgning", "Follow-up"),
                lang.pick("frist", "due"),
                short_date(f.due),
                crate::status::due_words(f.due, app.today, lang)
            ),
            style,
        ),
        Span::raw(format!("{} — {} · {title}", f.action, f.owner)),
    ])
}

fn short_date(d: NaiveDate) -> String {
    d.format("%d.%m.%Y").to_string()
}
