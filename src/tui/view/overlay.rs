//! What lies on top: help, the note editor, dialogs, the quit question.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use crate::review::Review;
use crate::tui::app::{App, Overlay};
use crate::tui::dialogs::{Form, FormKind, NoteEditor};
use crate::tui::keymap;
use crate::tui::view::{centered, field, keys_line};

pub fn draw(frame: &mut Frame, app: &App, area: Rect) {
    match &app.overlay {
        None => {}
        Some(Overlay::Help) => help(frame, app, area),
        Some(Overlay::Note(note)) => note_editor(frame, app, note, area),
        Some(Overlay::Form(form)) => dialog(frame, app, form, area),
        Some(Overlay::ConfirmQuit) => confirm(
            frame,
            app,
            area,
            (
                "Der er noter i kladde, som ikke er gemt med et punkt.",
                "There are draft notes not yet saved with an item.",
            ),
            ("Afslut og kassér dem?", "Quit and discard them?"),
        ),
        Some(Overlay::ConfirmDropNote(_)) => confirm(
            frame,
            app,
            area,
            (
                "Noten er ændret og ikke gemt.",
                "The note has changed and is not saved.",
            ),
            (
                "Kassér ændringerne? (n: tilbage til noten)",
                "Throw the changes away? (n: back to the note)",
            ),
        ),
        Some(Overlay::OpenItems { items, scroll }) => open_items(frame, app, items, *scroll, area),
        Some(Overlay::ConfirmDiscard) => confirm(
            frame,
            app,
            area,
            (
                "Mødet er ikke registreret endnu.",
                "The meeting has not been recorded yet.",
            ),
            (
                "Afbryd gennemgangen? Intet registreres.",
                "Leave the walkthrough? Nothing is recorded.",
            ),
        ),
    }
}

fn help(frame: &mut Frame, app: &App, area: Rect) {
    let lang = app.lang;
    let bindings = keymap::screen_bindings(app);
    let pad = bindings
        .iter()
        .map(|b| b.shown.chars().count() + 1)
        .max()
        .unwrap_or(0)
        .max(8);
    let mut lines: Vec<Line> = bindings
        .iter()
        .map(|b| {
            Line::from(vec![
                Span::styled(format!("  {:<pad$}", b.shown), app.theme.key()),
                Span::raw(b.describe(lang)),
            ])
        })
        .collect();
    lines.push(Line::from(vec![
        Span::styled(format!("  {:<pad$}", "Ctrl+C"), app.theme.key()),
        Span::raw(lang.pick(
            "afslut straks (alt bekræftet er gemt)",
            "quit at once (everything confirmed is saved)",
        )),
    ]));
    lines.push(Line::raw(""));
    lines.push(Line::from(Span::styled(
        lang.pick(
            "  Tryk en vilkårlig tast for at lukke.",
            "  Press any key to close.",
        ),
        app.theme.dim(),
    )));
    let rect = centered(area, 64, lines.len() as u16 + 2);
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines).block(Block::bordered().title(Span::styled(
            format!(" {} ", lang.pick("Hjælp — taster", "Help — keys")),
            app.theme.title(),
        ))),
        rect,
    );
}

fn note_editor(frame: &mut Frame, app: &App, note: &NoteEditor, area: Rect) {
    let lang = app.lang;
    let rect = centered(area, 76, 18);
    frame.render_widget(Clear, rect);
    let title = match note.status {
        Some(s) => format!(" {} — {} ", lang.pick("Note", "Note"), s.label(lang)),
        None if matches!(app.screen, crate::tui::app::Screen::Register(_)) => format!(
            " {} ",
            lang.pick("Note til afslutningen", "Note on the closing")
        ),
        None => format!(" {} ", lang.pick("Note (kladde)", "Note (draft)")),
    };
    let block = Block::bordered().title(Span::styled(title, app.theme.title()));
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let [asks, editor, keys] = Layout::vertical([
        Constraint::Length(if note.asks.is_some() { 2 } else { 0 }),
        Constraint::Min(3),
        Constraint::Length(1),
    ])
    .areas(inner);
    if let Some(a) = &note.asks {
        frame.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled(lang.pick("Skriv: ", "Write: "), app.theme.dim()),
                Span::styled(a.as_str(), app.theme.warning()),
            ]))
            .wrap(Wrap { trim: true }),
            asks,
        );
    }
    frame.render_widget(&note.editor, editor);
    frame.render_widget(
        Paragraph::new(keys_line(app, keymap::NOTE, keys.width)),
        keys,
    );
}

fn dialog(frame: &mut Frame, app: &App, form: &Form, area: Rect) {
    let lang = app.lang;
    let mut lines: Vec<Line> = Vec::new();
    let title = match &form.kind {
        FormKind::Who { .. } => {
            lines.push(Line::raw(lang.pick(
                "Hvem registrerer? Navnet står ved hver registrering.",
                "Who is recording? The name goes with every record.",
            )));
            lang.pick("Dit navn", "Your name")
        }
        FormKind::Sign => {
            summary(app, &mut lines);
            lang.pick("Underskriv gennemgangen", "Sign the review")
        }
        FormKind::FollowUp { org, item, .. } => {
            let title = item_title(app, org, item);
            lines.push(Line::raw(format!(
                "{} »{title}«: {}",
                lang.pick("Afvigelse i", "Deviation in"),
                lang.pick(
                    "hvad gøres der, hvem er ansvarlig, og hvornår skal det være gjort?",
                    "what will be done, who is responsible, and by when?"
                )
            )));
            lines.push(Line::raw(lang.pick(
                "Opfølgningen står på oversigten og i status, indtil den lukkes (tast c).",
                "The follow-up stays on the overview and in status until closed (key c).",
            )));
            lang.pick("Opfølgning på afvigelsen", "Follow-up of the deviation")
        }
        FormKind::CloseFollowUp { org, item, period } => {
            let title = item_title(app, org, item);
            if let Some(f) = app.review(org, *period).actions.get(item) {
                lines.push(Line::raw(format!(
                    "»{title}« ({}): {} — {}",
                    period.key(),
                    f.action,
                    f.owner
                )));
            }
            lines.push(Line::raw(lang.pick(
                "Skriv, hvad der blev gjort; noten står i gennemgangens historik.",
                "Write what was done; the note goes into the review's history.",
            )));
            lang.pick("Luk opfølgningen", "Close the follow-up")
        }
        FormKind::Reopen => {
            lines.push(Line::raw(lang.pick(
                "Genåbning registreres med begrundelse og kan ses i historikken.",
                "Reopening is recorded with its reason and shows in the history.",
            )));
            lang.pick("Genåbn gennemgangen", "Reopen the review")
        }
        kind => super::register::dialog_text(app, kind, &mut lines),
    };
    // The text wraps inside the dialog: count the rows it takes, not its lines.
    let text_width = 70.min(area.width).saturating_sub(2).max(1) as usize;
    let text_rows: u16 = lines
        .iter()
        .map(|l| l.width().max(1).div_ceil(text_width) as u16)
        .sum();
    let height = text_rows + form.fields.len() as u16 * 3 + 4;
    let rect = centered(area, 70, height);
    frame.render_widget(Clear, rect);
    let block = Block::bordered().title(Span::styled(format!(" {title} "), app.theme.title()));
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let mut constraints = vec![Constraint::Length(text_rows)];
    constraints.extend(form.fields.iter().map(|_| Constraint::Length(3)));
    constraints.push(Constraint::Length(1));
    let parts = Layout::vertical(constraints).split(inner);
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), parts[0]);
    for (i, input) in form.fields.iter().enumerate() {
        let label = match input.label {
            "name" => lang.pick("Navn", "Name"),
            "role" => lang.pick("Rolle (fx Leder)", "Role (e.g. Manager)"),
            "action" => lang.pick("Hvad gøres der?", "What will be done?"),
            "owner" => lang.pick("Ansvarlig", "Responsible"),
            "due" => lang.pick("Frist (dd.mm.åååå)", "Due (dd.mm.yyyy)"),
            "note" => lang.pick("Hvad blev gjort?", "What was done?"),
            other => super::register::field_label(other, lang)
                .unwrap_or_else(|| lang.pick("Begrundelse", "Reason")),
        };
        field(
            frame,
            app,
            parts[i + 1],
            label,
            &input.input,
            i == form.focus,
            Style::new(),
        );
    }
    frame.render_widget(
        Paragraph::new(keys_line(app, keymap::FORM, inner.width)),
        parts[form.fields.len() + 1],
    );
}

fn item_title(app: &App, org: &str, item: &str) -> String {
    app.checklists
        .iter()
        .find(|l| l.organisation.id == org)
        .and_then(|l| l.item(item))
        .map_or_else(|| item.to_string(), |i| i.title.clone())
}

/// The sign dialog's summary: the review, its counts and the deviations without a follow-up
/// (open items never reach the dialog: S lists them instead).
fn summary(app: &App, lines: &mut Vec<Line<'static>>) {
    let Some((rs, list, _)) = app.open_review() else {
        return;
    };
    let lang = app.lang;
    let review: Review = app.review(&list.organisation.id, rs.period);
    let c = review.counts(list, rs.period);
    lines.push(Line::raw(format!(
        "{} — {}",
        list.organisation.name,
        rs.period.review_title(lang)
    )));
    lines.push(Line::raw(format!(
        "{} {} · {} · {} · {} {}",
        c.done,
        lang.pick("udført", "done"),
        lang.count(
            c.not_applicable,
            ("ikke relevant", "ikke relevante"),
            ("not applicable", "not applicable")
        ),
        lang.count(
            c.deviations,
            ("afvigelse", "afvigelser"),
            ("deviation", "deviations")
        ),
        c.open,
        lang.pick("åbne", "open"),
    )));
    // Signing with a deviation that has no follow-up is allowed, but said first: signing is
    // the confirmation.
    let missing = review.deviations_without_action(list, rs.period);
    if !missing.is_empty() {
        lines.push(Line::from(Span::styled(
            lang.pick(
                "Afvigelser uden opfølgning (o på punktet angiver en; underskriv kun, hvis intet skal følges op):",
                "Deviations without follow-up (o on the item gives one; sign only if nothing needs following up):",
            ),
            app.theme.warning(),
        )));
        for item in missing.iter().take(4) {
            lines.push(Line::from(Span::styled(
                format!("  [!] {}", item.title),
                app.theme.warning(),
            )));
        }
        if missing.len() > 4 {
            lines.push(Line::raw(format!(
                "  … {} {}",
                missing.len() - 4,
                lang.pick("flere", "more")
            )));
        }
    }
}

/// Signing refused: every open item by title, scrollable, with how many lie above and below.
fn open_items(frame: &mut Frame, app: &App, items: &[String], scroll: usize, area: Rect) {
    let lang = app.lang;
    let Some((_, list, _)) = app.open_review() else {
        return;
    };
    let width: u16 = 72;
    let rect = centered(
        area,
        width,
        (items.len() as u16 + 6).min(area.height.saturating_sub(4)),
    );
    frame.render_widget(Clear, rect);
    let block = Block::bordered().title(Span::styled(
        format!(
            " {} ",
            lang.pick("Kan ikke underskrives endnu", "Cannot be signed yet")
        ),
        app.theme.title(),
    ));
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let [head, rows, keys] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(inner);
    frame.render_widget(
        Paragraph::new(
            lang.pick(
                "Disse punkter mangler en registrering, før gennemgangen kan underskrives ({n}):",
                "These items need an outcome before the review can be signed ({n}):",
            )
            .replace("{n}", &items.len().to_string()),
        )
        .wrap(Wrap { trim: true }),
        head,
    );
    let room = rows.height as usize;
    let scroll = scroll.min(items.len().saturating_sub(room.max(1)));
    let mut lines: Vec<Line> = Vec::new();
    let above = scroll;
    let shown: Vec<&String> = items.iter().skip(scroll).take(room).collect();
    let below = items.len() - scroll - shown.len();
    for (i, id) in shown.iter().enumerate() {
        let title = list.item(id).map_or(id.as_str(), |i| i.title.as_str());
        let mut text = format!("  [ ] {title}");
        if i == 0 && above > 0 {
            text = format!("  ↑ {} {}", above + 1, lang.pick("flere", "more"));
        } else if i + 1 == shown.len() && below > 0 {
            text = format!("  ↓ {} {}", below + 1, lang.pick("flere", "more"));
        }
        let max = rows.width as usize;
        if text.chars().count() > max {
            text = text.chars().take(max.saturating_sub(1)).collect::<String>() + "…";
        }
        lines.push(Line::from(Span::styled(text, app.theme.error())));
    }
    frame.render_widget(Paragraph::new(lines), rows);
    frame.render_widget(
        Paragraph::new(keys_line(app, keymap::OPEN_ITEMS, keys.width)),
        keys,
    );
}

fn confirm(
    frame: &mut Frame,
    app: &App,
    area: Rect,
    what: (&'static str, &'static str),
    question: (&'static str, &'static str),
) {
    let lang = app.lang;
    let lines = vec![
        Line::raw(lang.pick(what.0, what.1)),
        Line::raw(lang.pick(question.0, question.1)),
        Line::raw(""),
        keys_line(app, keymap::confirm(lang), 60),
    ];
    let rect = centered(area, 64, 6);
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines).block(Block::bordered().title(Span::styled(
            format!(" {} ", lang.pick("Er du sikker?", "Are you sure?")),
            app.theme.title(),
        ))),
        rect,
    );
}
