//! The register of data-subject requests: the year's numbers, every request with its
//! deadline and where it stands, the selected request's details, and the register's dialogs.

use chrono::Datelike;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, List, ListItem, ListState, Paragraph, Wrap};

use crate::i18n::Lang;
use crate::request::{Kind, Request, Resolution, Standing};
use crate::tui::app::App;
use crate::tui::dialogs::FormKind;
use crate::tui::register::{RegisterScreen, register, rows};

use crate::request::no_personal_data;

pub fn draw(frame: &mut Frame, app: &App, rs: &RegisterScreen, area: Rect) {
    let lang = app.lang;
    let list = &app.checklists[rs.org];
    let register = register(app, rs.org);
    let rows = rows(&register);
    let [header, table, detail] = Layout::vertical([
        Constraint::Length(3),
        Constraint::Min(4),
        Constraint::Length(6),
    ])
    .areas(area);
    let limit = match list.organisation.request_deadline_days {
        Some(d) => format!(
            "{} {d} {}",
            lang.pick("Frist:", "Deadline:"),
            lang.pick(
                "dage fra modtagelsen (organisationens egen regel)",
                "days from receipt (the organisation's own rule)"
            )
        ),
        None => lang
            .pick(
                "Frist: én måned fra modtagelsen (databeskyttelsesforordningen art. 12, stk. 3)",
                "Deadline: one month from receipt (GDPR art. 12(3))",
            )
            .to_string(),
    };
    frame.render_widget(
        Paragraph::new(vec![
            Line::from(Span::styled(
                format!(
                    " {} — {}",
                    list.organisation.name,
                    lang.pick("anmodninger fra registrerede", "data-subject requests")
                ),
                app.theme.title(),
            )),
            Line::from(Span::styled(
                format!(" {}", no_personal_data(lang)),
                app.theme.dim(),
            )),
            Line::from(Span::styled(format!(" {limit}"), app.theme.dim())),
        ]),
        header,
    );
    let year = app.today.year();
    let summary = register.summary(year, Some(app.today));
    let block = Block::bordered().title(Span::styled(
        format!(
            " {} {year}: {} ",
            lang.pick("Året", "The year"),
            summary.words(lang)
        ),
        app.theme.title(),
    ));
    let items: Vec<ListItem> = if rows.is_empty() {
        vec![ListItem::new(lang.pick(
            "Ingen anmodninger registreret. Tast n, når en anmodning modtages.",
            "No requests registered. Press n when a request arrives.",
        ))]
    } else {
        rows.iter().map(|r| ListItem::new(row(app, r))).collect()
    };
    let mut state = ListState::default().with_selected((!rows.is_empty()).then_some(rs.selected));
    frame.render_stateful_widget(
        List::new(items)
            .block(block)
            .highlight_style(app.theme.selected())
            .highlight_symbol("▶ "),
        table,
        &mut state,
    );
    let lines = rows
        .get(rs.selected)
        .map(|r| details(app, r))
        .unwrap_or_default();
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(Block::bordered()),
        detail,
    );
}

fn row(app: &App, r: &Request) -> Line<'static> {
    let lang = app.lang;
    let standing = r.standing(app.today);
    let style = match standing {
        Standing::Overdue { .. } | Standing::Late => app.theme.error(),
        Standing::Open { days_left } if days_left <= 7 => app.theme.warning(),
        Standing::OnTime => app.theme.ok(),
        Standing::Open { .. } => app.theme.dim(),
    };
    let mark = match standing {
        Standing::Overdue { .. } | Standing::Late => "!",
        Standing::OnTime => "✓",
        Standing::Open { .. } => "·",
    };
    Line::from(vec![
        Span::styled(format!("{mark} "), style),
        Span::raw(format!("{:<16} ", r.reference)),
        Span::raw(format!("{:<22} ", r.kind.label(lang))),
        Span::raw(format!(
            "{} {}  ",
            lang.pick("frist", "due"),
            r.deadline.format("%d.%m.%Y")
        )),
        Span::styled(r.standing_words(app.today, lang), style),
    ])
}

fn details(app: &App, r: &Request) -> Vec<Line<'static>> {
    let lang = app.lang;
    let mut lines = vec![
        Line::raw(format!(
            "{} {}, {} {}",
            lang.pick("Modtaget", "Received"),
            lang.date(r.received),
            lang.pick("registreret af", "registered by"),
            r.by,
        )),
        Line::raw(format!(
            "{} {} · {} {}",
            lang.pick("Første frist", "First deadline"),
            lang.date(r.first_deadline),
            lang.pick("frist nu", "deadline now"),
            lang.date(r.deadline),
        )),
    ];
    if let Some(e) = &r.extension {
        lines.push(Line::raw(format!(
            "{} {} ({} {}): {}",
            lang.pick("Forlænget med", "Extended by"),
            lang.count(e.months as usize, ("måned", "måneder"), ("month", "months")),
            lang.pick("meddelt", "told"),
            lang.date(e.told),
            e.reason
        )));
    }
    if let Some(c) = &r.closing {
        let mut line = format!(
            "{}: {} {} ({})",
            lang.pick("Afsluttet", "Closed"),
            c.outcome.label(lang),
            lang.date(c.closed),
            c.by
        );
        if let Some(n) = &c.note {
            line += &format!(" — {n}");
        }
        lines.push(Line::raw(line));
    }
    lines
}

/// The register dialogs' title and explanation.
pub fn dialog_text(app: &App, kind: &FormKind, lines: &mut Vec<Line<'static>>) -> &'static str {
    let lang = app.lang;
    match kind {
        FormKind::RequestNew => {
            lines.push(Line::raw(no_personal_data(lang)));
            let kinds: Vec<String> = Kind::ALL
                .iter()
                .enumerate()
                .map(|(i, k)| format!("{} {}", i + 1, k.label(lang)))
                .collect();
            lines.push(Line::raw(format!(
                "{}: {}",
                lang.pick("Art", "Kind"),
                kinds[..4].join(" · ")
            )));
            lines.push(Line::raw(format!("     {}", kinds[4..].join(" · "))));
            lang.pick("Ny anmodning", "New request")
        }
        FormKind::RequestExtend { reference } => {
            lines.push(Line::raw(format!(
                "»{reference}«: {}",
                lang.pick(
                    "fristen forlænges med 1 eller 2 måneder. Den registrerede skal have fået besked med begrundelse inden den første frist.",
                    "the deadline is extended by 1 or 2 months. The data subject must have been told why within the first deadline.",
                )
            )));
            lang.pick("Forlæng fristen", "Extend the deadline")
        }
        FormKind::RequestClose { reference } => {
            let outcomes: Vec<String> = Resolution::ALL
                .iter()
                .enumerate()
                .map(|(i, r)| format!("{} {}", i + 1, r.label(lang)))
                .collect();
            lines.push(Line::raw(format!(
                "»{reference}« — {}: {}",
                lang.pick("udfald", "outcome"),
                outcomes.join(" · ")
            )));
            lines.push(Line::raw(lang.pick(
                "Noten skrives bagefter (kræves ved afslag).",
                "The note follows (needed for a refusal).",
            )));
            lang.pick("Afslut anmodningen", "Close the request")
        }
        _ => "",
    }
}

/// The register dialogs' field labels.
pub fn field_label(label: &str, lang: Lang) -> Option<&'static str> {
    Some(match label {
        "reference" => lang.pick(
            "Sagsreference (fx sag 2026-014) — ingen navne eller CPR-numre",
            "Case reference (e.g. sag 2026-014) — no names or CPR numbers",
        ),
        "kind" => lang.pick("Art (1–7)", "Kind (1–7)"),
        "received" => lang.pick("Modtaget (ÅÅÅÅ-MM-DD)", "Received (YYYY-MM-DD)"),
        "told" => lang.pick(
            "Den registrerede fik besked (ÅÅÅÅ-MM-DD)",
            "The data subject was told (YYYY-MM-DD)",
        ),
        "months" => lang.pick("Måneder (1 eller 2)", "Months (1 or 2)"),
        "outcome" => lang.pick("Udfald (1–3)", "Outcome (1–3)"),
        "closed" => lang.pick("Dato (ÅÅÅÅ-MM-DD)", "Date (YYYY-MM-DD)"),
        "extension-reason" => lang.pick(
            "Begrundelse, som den registrerede fik",
            "Reason, as told to the data subject",
        ),
        _ => return None,
    })
}
