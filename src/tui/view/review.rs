//! One review: the items with their marks on the left, the selected item's details right.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, List, ListItem, ListState, Paragraph, Wrap};

use crate::checklist::Item;
use crate::period::{local_date, local_time};
use crate::record::text_differences;
use crate::review::Review;
use crate::tui::app::{App, ReviewScreen};
use crate::tui::theme::outcome_mark;
use crate::tui::view::wrap;

pub fn draw(frame: &mut Frame, app: &App, rs: &ReviewScreen, area: Rect) {
    let list = &app.checklists[rs.org];
    let org = &list.organisation;
    let review = app.review(&org.id, rs.period);
    let items: Vec<&Item> = list.items_of(rs.period.cadence()).collect();
    let banner = signed_banner(app, &review, area.width);
    let header_height = 2 + banner.len() as u16;
    let [header, main] =
        Layout::vertical([Constraint::Length(header_height), Constraint::Min(3)]).areas(area);
    draw_header(frame, app, rs, &review, banner, header);
    let left_width = (area.width * 2 / 5).clamp(34, 60);
    let [left, right] =
        Layout::horizontal([Constraint::Length(left_width), Constraint::Min(30)]).areas(main);
    draw_items(frame, app, rs, &review, &items, left);
    if let Some(item) = items.get(rs.selected) {
        draw_detail(frame, app, rs, &review, item, right);
    }
}

/// "✓ Signed by …, when — read-only; R reopens", wrapped to the width rather than cut.
fn signed_banner(app: &App, review: &Review, width: u16) -> Vec<String> {
    let lang = app.lang;
    let Some(sig) = &review.signature else {
        return Vec::new();
    };
    let text = format!(
        "✓ {} {} ({}), {} {} — {}",
        lang.pick("Underskrevet af", "Signed by"),
        sig.by,
        sig.role,
        lang.date(local_date(sig.at)),
        &local_time(sig.at)[11..],
        lang.pick("skrivebeskyttet; R genåbner", "read-only; R reopens")
    );
    wrap(&text, width.saturating_sub(2) as usize)
        .into_iter()
        .map(|l| format!(" {l}"))
        .collect()
}

fn draw_header(
    frame: &mut Frame,
    app: &App,
    rs: &ReviewScreen,
    review: &Review,
    banner: Vec<String>,
    area: Rect,
) {
    let lang = app.lang;
    let list = &app.checklists[rs.org];
    let counts = review.counts(list, rs.period);
    let mut title = Line::from(vec![
        Span::styled(format!(" {} — ", list.organisation.name), app.theme.title()),
        Span::styled(rs.period.review_title(lang), app.theme.title()),
    ]);
    let span = format!(" ({})", rs.period.span_words(lang));
    if title.width() + span.chars().count() <= area.width as usize {
        title.push_span(Span::raw(span));
    }
    let state = app.state_of(rs.org, rs.period);
    let mut progress = vec![
        Span::raw(format!(
            " {}/{} {}",
            counts.items - counts.open,
            counts.items,
            lang.pick("registreret", "recorded")
        )),
        Span::raw(format!(
            " · {} {} · {}",
            counts.done,
            lang.pick("udført", "done"),
            lang.count(
                counts.not_applicable,
                ("ikke relevant", "ikke relevante"),
                ("not applicable", "not applicable")
            ),
        )),
    ];
    if counts.deviations > 0 {
        let deviations = lang.count(
            counts.deviations,
            ("afvigelse", "afvigelser"),
            ("deviation", "deviations"),
        );
        progress.push(Span::styled(format!(" · {deviations}"), app.theme.error()));
    }
    progress.push(Span::raw(" · "));
    progress.push(Span::styled(state.label(lang), app.theme.state(state)));
    let mut lines = vec![title, Line::from(progress)];
    lines.extend(
        banner
            .into_iter()
            .map(|l| Line::from(Span::styled(l, app.theme.ok()))),
    );
    frame.render_widget(Paragraph::new(lines), area);
}

fn draw_items(
    frame: &mut Frame,
    app: &App,
    rs: &ReviewScreen,
    review: &Review,
    items: &[&Item],
    area: Rect,
) {
    // Borders, the highlight symbol and the mark take 7 columns.
    let width = (area.width as usize).saturating_sub(7);
    let rows: Vec<ListItem> = items
        .iter()
        .map(|item| {
            let status = review.sign_offs.get(&item.id).map(|s| s.status);
            let changed = review.changed_since_sign_off(item);
            let mut flags = String::new();
            if changed {
                flags.push_str(" ≠");
            }
            if item.caveat.is_some() {
                flags.push_str(" ⚠");
            }
            let org = &app.checklists[rs.org].organisation.id;
            if app
                .item_follow_ups(org, rs.period, &item.id)
                .iter()
                .any(|a| a.follow_up.is_open())
            {
                flags.push_str(" ⚑");
            }
            let title = wrap(&item.title, width.saturating_sub(flags.chars().count()));
            let mut lines = Vec::new();
            for (i, part) in title.into_iter().enumerate() {
                let mark = if i == 0 { outcome_mark(status) } else { "   " };
                lines.push(Line::from(vec![
                    Span::styled(format!("{mark} "), app.theme.outcome(status)),
                    Span::raw(part),
                ]));
            }
            if let Some(last) = lines.last_mut() {
                last.push_span(Span::styled(flags, app.theme.warning()));
            }
            ListItem::new(lines)
        })
        .collect();
    let block = Block::bordered().title(Span::styled(
        format!(" {} ", app.lang.pick("Punkter", "Items")),
        app.theme.title(),
    ));
    let mut state = ListState::default().with_selected(Some(rs.selected));
    frame.render_stateful_widget(
        List::new(rows)
            .block(block)
            .highlight_style(app.theme.selected())
            .highlight_symbol("▶"),
        area,
        &mut state,
    );
}

fn draw_detail(
    frame: &mut Frame,
    app: &App,
    rs: &ReviewScreen,
    review: &Review,
    item: &Item,
    area: Rect,
) {
    let lang = app.lang;
    let t = app.theme;
    let field = |label: &str, value: &str| {
        Line::from(vec![
            Span::styled(format!("{label}: "), t.dim()),
            Span::raw(value.to_string()),
        ])
    };
    // Inside the borders; notes are wrapped here so their continuation lines keep the indent.
    let width = (area.width as usize).saturating_sub(2);
    let indented = |text: &str| -> Vec<Line<'static>> {
        text.lines()
            .flat_map(|l| wrap(l, width.saturating_sub(2)))
            .map(|l| Line::raw(format!("  {l}")))
            .collect()
    };
    // What was recorded comes first: the outcome, who and when, the note.
    let mut lines = vec![
        Line::from(Span::styled(item.title.clone(), t.title())),
        Line::raw(""),
    ];
    match review.sign_offs.get(&item.id) {
        Some(s) => {
            lines.push(Line::from(vec![
                Span::styled(
                    format!("{} {}", outcome_mark(Some(s.status)), s.status.label(lang)),
                    t.outcome(Some(s.status)),
                ),
                Span::raw(format!(
                    " — {}, {} {}",
                    s.by,
                    lang.date(local_date(s.at)),
                    &local_time(s.at)[11..]
                )),
            ]));
            if let Some(note) = &s.note {
                lines.push(Line::from(Span::styled(
                    lang.pick("Note:", "Note:"),
                    t.dim(),
                )));
                lines.extend(indented(note));
            }
            if review.changed_since_sign_off(item) {
                lines.push(Line::from(Span::styled(
                    lang.pick(
                        "≠ Punktets tekst er ændret siden registreringen — gennemgå det igen.",
                        "≠ The item's text has changed since it was recorded — review it again.",
                    ),
                    t.warning(),
                )));
                // What was signed, beside today's text, part by part.
                match s
                    .text
                    .as_ref()
                    .filter(|text| text.fingerprint(&item.id, item.cadence) == s.fingerprint)
                {
                    Some(recorded) => {
                        for d in text_differences(lang, recorded, &item.text()) {
                            for (label, value) in
                                [(d.recorded_label, d.recorded), (d.now_label, d.now)]
                            {
                                let mut parts = value.lines();
                                lines.push(field(&label, parts.next().unwrap_or_default()));
                                lines.extend(indented(&parts.collect::<Vec<_>>().join("\n")));
                            }
                        }
                    }
                    None => lines.push(Line::from(Span::styled(
                        lang.pick(
                            "Teksten ved registreringen blev ikke gemt (ældre udgave af aarshjul).",
                            "The text when recorded was not stored (older aarshjul).",
                        ),
                        t.dim(),
                    ))),
                }
            }
        }
        None => lines.push(Line::from(Span::styled(
            format!(
                "{} {}",
                outcome_mark(None),
                lang.pick("Ikke registreret endnu", "Not recorded yet")
            ),
            t.dim(),
        ))),
    }
    let org = &app.checklists[rs.org].organisation.id;
    if let Some(draft) = app.draft(org, rs.period, &item.id) {
        lines.push(Line::from(Span::styled(
            lang.pick(
                "Kladde til note (gemmes med punktet):",
                "Draft note (saved with the item):",
            ),
            t.warning(),
        )));
        lines.extend(indented(draft));
    }
    for a in app.item_follow_ups(org, rs.period, &item.id) {
        let f = &a.follow_up;
        lines.push(Line::raw(""));
        let heading = if a.period == rs.period {
            lang.pick("Opfølgning", "Follow-up").to_string()
        } else {
            format!(
                "{} {}",
                lang.pick("Åben opfølgning fra", "Open follow-up from"),
                a.period.key()
            )
        };
        let style = if f.is_overdue(app.today) {
            t.error()
        } else {
            t.warning()
        };
        lines.push(Line::from(Span::styled(format!("⚑ {heading}:"), style)));
        lines.push(Line::raw(format!("  {}", f.action)));
        lines.push(Line::raw(format!(
            "  {}: {} · {} {} ({})",
            lang.pick("Ansvarlig", "Responsible"),
            f.owner,
            lang.pick("frist", "due"),
            f.due.format("%d.%m.%Y"),
            crate::status::due_words(f.due, app.today, lang)
        )));
        match &f.closed {
            Some(c) => lines.push(Line::from(Span::styled(
                format!(
                    "  ✓ {} {}, {}: {}",
                    lang.pick("Lukket af", "Closed by"),
                    c.by,
                    lang.date(local_date(c.at)),
                    c.note
                ),
                t.ok(),
            ))),
            None => lines.push(Line::from(Span::styled(
                lang.pick(
                    "  c lukker den med en note, når den er gjort.",
                    "  c closes it with a note once it is done.",
                ),
                t.dim(),
            ))),
        }
    }
    lines.push(Line::raw(""));
    let mut meta = vec![Span::styled(
        format!("{}: ", lang.pick("Kadence", "Cadence")),
        t.dim(),
    )];
    meta.push(Span::raw(item.cadence.label(lang)));
    if let Some(r) = &item.responsible {
        meta.push(Span::styled(
            format!("   {}: ", lang.pick("Ansvarlig", "Responsible")),
            t.dim(),
        ));
        meta.push(Span::raw(r.clone()));
    }
    lines.push(Line::from(meta));
    lines.push(field(lang.pick("Kilde", "Source"), &item.source));
    if let Some(e) = &item.evidence {
        lines.push(field(
            lang.pick("Noten skal angive", "The note must record"),
            e,
        ));
    }
    if item.requests {
        // The look-back item shows the year's register beside it.
        let org = &app.checklists[rs.org].organisation.id;
        let summary = crate::request::Register::from_events(org, &app.events)
            .summary(rs.period.year(), Some(app.today));
        let style = if summary.late + summary.overdue > 0 {
            t.warning()
        } else {
            Style::new()
        };
        lines.push(Line::from(vec![
            Span::styled(
                format!(
                    "{} {}: ",
                    lang.pick("Registret over anmodninger", "Register of requests"),
                    rs.period.year()
                ),
                t.dim(),
            ),
            Span::styled(summary.words(lang), style),
        ]));
        lines.push(Line::from(Span::styled(
            lang.pick(
                "  (se og ret registret med r på oversigten)",
                "  (see and update the register with r on the overview)",
            ),
            t.dim(),
        )));
    }
    if let Some(c) = &item.caveat {
        lines.push(Line::raw(""));
        lines.push(Line::from(vec![
            Span::styled(
                format!(
                    "⚠ {}: ",
                    lang.pick("OBS i politikken", "Note on the policy")
                ),
                t.warning(),
            ),
            Span::styled(c.clone(), t.warning()),
        ]));
    }
    lines.push(Line::raw(""));
    lines.push(Line::from(Span::styled(
        lang.pick("Vejledning", "Guidance"),
        t.title(),
    )));
    lines.extend(item.guidance.lines().map(|l| Line::raw(l.to_string())));
    let block = Block::bordered().title(Span::styled(
        format!(" {} ", lang.pick("Detaljer", "Details")),
        t.title(),
    ));
    // Scrolled no further than the last line at the bottom, so PgDn never shows a blank pane.
    let rows: usize = lines
        .iter()
        .map(|l| {
            let text: String = l.spans.iter().map(|s| s.content.as_ref()).collect();
            wrap(&text, width).len()
        })
        .sum();
    let max = rows.saturating_sub(area.height.saturating_sub(2) as usize) as u16;
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false })
            .scroll((rs.scroll.min(max), 0)),
        area,
    );
}
