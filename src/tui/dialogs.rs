//! The note editor and the small dialogs (who records, sign, reopen): their state, how they
//! open, and how keys and submits update them. Submitting hands a change to
//! [`propose`], the same path as every other change.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::style::{Modifier, Style};
use ratatui_textarea::{CursorMove, TextArea, WrapMode};

use chrono::Days;

use crate::checklist::Item;
use crate::period::{Period, Timing, parse_date};
use crate::review::{Change, Outcome, Refusal};
use crate::tui::app::{Action, App, Effect, Overlay, propose, selected_item, update};

/// The multi-line note editor.
pub struct NoteEditor {
    pub item: String,
    /// The outcome saved with the note; `None` keeps the note as a draft for an open item.
    pub status: Option<Outcome>,
    /// What the note must record (the item's `evidence`), shown above the editor.
    pub asks: Option<String>,
    pub editor: TextArea<'static>,
    /// The text the editor opened with: Esc asks before throwing away a change.
    pub original: String,
}

impl NoteEditor {
    pub fn text(&self) -> String {
        self.editor.lines().join("\n")
    }
}

/// A small dialog of single-line fields.
pub struct Form {
    pub kind: FormKind,
    pub fields: Vec<Field>,
    pub focus: usize,
}

pub enum FormKind {
    /// Who is recording; asked once a session, then `then` is carried out.
    Who { then: Box<Action> },
    /// Sign the review: name and role, with the summary shown.
    Sign,
    /// Reopen the review: name and reason.
    Reopen,
    /// Register a data-subject request: reference, kind, date received.
    RequestNew,
    /// Extend a request's deadline: reason, date told, months.
    RequestExtend { reference: String },
    /// Close a request: outcome and date; the note follows in the note editor.
    RequestClose { reference: String },
    /// What will be done about a deviation: action, owner, due date.
    FollowUp {
        org: String,
        period: Period,
        item: String,
    },
    /// Close a follow-up (recorded in the review `period`) with a note.
    CloseFollowUp {
        org: String,
        period: Period,
        item: String,
    },
}

pub struct Field {
    pub label: &'static str,
    pub input: TextArea<'static>,
}

impl Field {
    /// A field holding `value`; an offered value is selected, so the first character typed
    /// replaces it (an arrow key keeps it for editing), never appends to it.
    pub(crate) fn new(label: &'static str, value: &str) -> Field {
        Field {
            label,
            input: offered(value),
        }
    }

    pub fn value(&self) -> String {
        self.input.lines().join(" ").trim().to_string()
    }
}

impl NoteEditor {
    /// The editor for the note that closes a data-subject request.
    pub(crate) fn for_request(lang: crate::i18n::Lang) -> NoteEditor {
        let mut editor = TextArea::default();
        editor.set_wrap_mode(WrapMode::WordOrGlyph);
        NoteEditor {
            item: String::new(),
            status: None,
            asks: Some(
                lang.pick(
                    "Hvad blev svaret, eller hvorfor blev anmodningen afvist? Ingen navne eller CPR-numre.",
                    "What was answered, or why was the request refused? No names or CPR numbers.",
                )
                .to_string(),
            ),
            editor,
            original: String::new(),
        }
    }
}

/// A one-line input holding `value`, selected when there is one: typing or pasting replaces
/// it, Backspace clears it, an arrow key keeps it and moves into it.
pub fn offered(value: &str) -> TextArea<'static> {
    let mut input = TextArea::new(vec![value.to_string()]);
    input.set_selection_style(Style::new().add_modifier(Modifier::REVERSED));
    if value.is_empty() {
        input.move_cursor(CursorMove::End);
    } else {
        input.select_all();
    }
    input
}

/// A key for a one-line field, with the shell's Ctrl+U (clear before the cursor) and Ctrl+Z
/// (undo) rather than the editor's own Ctrl+U undo.
pub fn edit(input: &mut TextArea<'static>, key: KeyEvent) {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    match key.code {
        KeyCode::Char('u') if ctrl => {
            input.delete_line_by_head();
        }
        KeyCode::Char('z') if ctrl => {
            input.undo();
        }
        _ => {
            input.input(key);
        }
    }
}

pub(crate) fn open_editor(
    app: &mut App,
    item: &Item,
    status: Option<Outcome>,
    note: Option<String>,
) {
    let original = note.unwrap_or_default();
    let mut editor = TextArea::new(original.lines().map(str::to_string).collect());
    editor.set_wrap_mode(WrapMode::WordOrGlyph);
    editor.move_cursor(CursorMove::Bottom);
    editor.move_cursor(CursorMove::End);
    let asks = match status {
        Some(Outcome::Deviation) => Some(
            app.lang
                .pick(
                    "Hvad er galt, og hvad gøres der ved det?",
                    "What is wrong, and what is done about it?",
                )
                .to_string(),
        ),
        Some(Outcome::NotApplicable) => Some(
            app.lang
                .pick(
                    "Hvorfor er punktet ikke relevant i denne periode?",
                    "Why does the item not apply in this period?",
                )
                .to_string(),
        ),
        _ => item.evidence.clone(),
    };
    app.overlay = Some(Overlay::Note(Box::new(NoteEditor {
        item: item.id.clone(),
        status,
        asks,
        original: editor.lines().join("\n"),
        editor,
    })));
}

pub(crate) fn open_sign(app: &mut App) {
    let Some((org, period, _)) = selected_item(app) else {
        return;
    };
    let review = app.review(&org, period);
    if review.signature.is_some() {
        app.error(
            Refusal::ReviewSigned {
                period: period.key(),
            }
            .message(app.lang),
        );
        return;
    }
    // Refused at once, before a name is asked for: a period not begun, then open items
    // (all of them, in a list that jumps to the first).
    if period.timing(app.today) == Timing::Upcoming {
        app.error(
            Refusal::PeriodNotBegun {
                period: period.key(),
            }
            .message(app.lang),
        );
        return;
    }
    let Some((_, list, _)) = app.open_review() else {
        return;
    };
    let open: Vec<String> = review
        .open_items(list, period)
        .iter()
        .map(|i| i.id.clone())
        .collect();
    if !open.is_empty() {
        app.overlay = Some(Overlay::OpenItems {
            items: open,
            scroll: 0,
        });
        return;
    }
    let name = app.signer.clone().unwrap_or_else(|| app.last_name.clone());
    let role = app.last_role.clone();
    app.overlay = Some(Overlay::Form(Form {
        kind: FormKind::Sign,
        fields: vec![Field::new("name", &name), Field::new("role", &role)],
        focus: 0,
    }));
}

/// Asks what will be done about the deviation of `item` (prefilled with the plan so far).
pub(crate) fn open_follow_up(app: &mut App, org: String, period: Period, item: String) {
    let current = app.review(&org, period).actions.get(&item).cloned();
    let (action, owner, due) = match current {
        Some(f) if f.is_open() => (f.action, f.owner, f.due),
        _ => (
            String::new(),
            app.signer.clone().unwrap_or_else(|| app.last_name.clone()),
            app.today + Days::new(14),
        ),
    };
    app.overlay = Some(Overlay::Form(Form {
        kind: FormKind::FollowUp { org, period, item },
        fields: vec![
            Field::new("action", &action),
            Field::new("owner", &owner),
            Field::new("due", &due.format("%d.%m.%Y").to_string()),
        ],
        focus: 0,
    }));
}

/// Asks how the open follow-up of `item` (recorded in `period`) was closed.
pub(crate) fn open_close_follow_up(app: &mut App, org: String, period: Period, item: String) {
    app.overlay = Some(Overlay::Form(Form {
        kind: FormKind::CloseFollowUp { org, period, item },
        fields: vec![Field::new("note", "")],
        focus: 0,
    }));
}

pub(crate) fn open_reopen(app: &mut App) {
    let Some((org, period, _)) = selected_item(app) else {
        return;
    };
    if app.review(&org, period).signature.is_none() {
        app.error(
            Refusal::NotSigned {
                period: period.key(),
            }
            .message(app.lang),
        );
        return;
    }
    let name = app.signer.clone().unwrap_or_else(|| app.last_name.clone());
    app.overlay = Some(Overlay::Form(Form {
        kind: FormKind::Reopen,
        fields: vec![Field::new("name", &name), Field::new("reason", "")],
        focus: 1,
    }));
}

pub(crate) fn update_note(
    app: &mut App,
    mut note: Box<NoteEditor>,
    action: Action,
) -> Option<Effect> {
    match action {
        Action::Cancel if note.text() != note.original => {
            app.overlay = Some(Overlay::ConfirmDropNote(note));
            None
        }
        Action::Cancel => None,
        Action::Undo | Action::ClearLine => {
            if action == Action::Undo {
                note.editor.undo();
            } else {
                note.editor.delete_line_by_head();
            }
            app.overlay = Some(Overlay::Note(note));
            None
        }
        Action::Key(key) => {
            note.editor.input(key);
            app.overlay = Some(Overlay::Note(note));
            None
        }
        Action::Paste(text) => {
            if let Some(text) = app.pasted(&text) {
                note.editor.insert_str(text);
            }
            app.overlay = Some(Overlay::Note(note));
            None
        }
        Action::Submit if matches!(app.screen, crate::tui::app::Screen::Register(_)) => {
            crate::tui::register::submit_note(app, note)
        }
        Action::Submit => {
            let text = note.editor.lines().join("\n").trim().to_string();
            let (org, period, item) = selected_item(app)?;
            let Some(status) = note.status else {
                let key = (org, period, item.id.clone());
                if text.is_empty() {
                    app.drafts.remove(&key);
                } else {
                    app.drafts.insert(key, text);
                }
                app.info(
                    app.lang
                        .pick(
                            "Noten er gemt som kladde og registreres med punktet (Enter, n eller a).",
                            "The note is kept as a draft and saved with the item (Enter, n or a).",
                        )
                        .into(),
                );
                return None;
            };
            let change = Change::item_signed(
                &item,
                status,
                (!text.is_empty()).then_some(text),
                app.signer.clone().unwrap_or_default(),
            );
            let review = app.review(&org, period);
            let effect = propose(app, &review, org, period, change);
            // The editor stays open until the store confirms, so a failed save loses nothing.
            app.overlay = Some(Overlay::Note(note));
            effect
        }
        _ => {
            app.overlay = Some(Overlay::Note(note));
            None
        }
    }
}

pub(crate) fn update_form(app: &mut App, mut form: Form, action: Action) -> Option<Effect> {
    match action {
        Action::Cancel => {
            if matches!(form.kind, FormKind::FollowUp { .. }) {
                app.info(
                    app.lang
                        .pick(
                            "Ingen opfølgning registreret; tast o på punktet for at angive den senere.",
                            "No follow-up recorded; press o on the item to give one later.",
                        )
                        .into(),
                );
            }
            return None;
        }
        Action::Key(key) => edit(&mut form.fields[form.focus].input, key),
        Action::Paste(text) => {
            if let Some(text) = app.pasted(&text) {
                form.fields[form.focus]
                    .input
                    .insert_str(text.replace('\n', " "));
            }
        }
        Action::NextField => form.focus = (form.focus + 1) % form.fields.len(),
        Action::Submit if form.focus + 1 < form.fields.len() => form.focus += 1,
        Action::Submit => return submit_form(app, form),
        _ => {}
    }
    app.overlay = Some(Overlay::Form(form));
    None
}

fn submit_form(app: &mut App, form: Form) -> Option<Effect> {
    if matches!(
        form.kind,
        FormKind::RequestNew | FormKind::RequestExtend { .. } | FormKind::RequestClose { .. }
    ) {
        return crate::tui::register::submit_form(app, form);
    }
    let values: Vec<String> = form.fields.iter().map(Field::value).collect();
    let lang = app.lang;
    if let Some(i) = values.iter().position(|v| v.is_empty()) {
        let what = match form.fields[i].label {
            "name" => "by",
            "role" => "role",
            "action" => "action",
            "owner" => "owner",
            "note" => "note",
            "due" => "due",
            _ => "reason",
        };
        app.error(Refusal::Empty { what }.message(lang));
        app.overlay = Some(Overlay::Form(Form { focus: i, ..form }));
        return None;
    }
    let by = app.signer.clone().unwrap_or_default();
    let follow_up = match &form.kind {
        FormKind::FollowUp { org, period, item } => {
            let Some(due) = parse_date(&values[2]) else {
                app.error(
                    lang.pick(
                        "Fristen skal være en dato som 15.12.2026.",
                        "The due date must be a date like 15.12.2026.",
                    )
                    .into(),
                );
                app.overlay = Some(Overlay::Form(Form { focus: 2, ..form }));
                return None;
            };
            Some((
                org.clone(),
                *period,
                Change::ActionOpened {
                    item: item.clone(),
                    action: values[0].clone(),
                    owner: values[1].clone(),
                    due,
                    by,
                },
            ))
        }
        FormKind::CloseFollowUp { org, period, item } => Some((
            org.clone(),
            *period,
            Change::ActionClosed {
                item: item.clone(),
                note: values[0].clone(),
                by,
            },
        )),
        _ => None,
    };
    if let Some((org, period, change)) = follow_up {
        let review = app.review(&org, period);
        let effect = propose(app, &review, org, period, change);
        app.overlay = Some(Overlay::Form(form));
        return effect;
    }
    let FormKind::Who { then } = &form.kind else {
        let (org, period, _) = selected_item(app)?;
        let change = match form.kind {
            FormKind::Sign => Change::ReviewSigned {
                by: values[0].clone(),
                role: values[1].clone(),
            },
            _ => Change::ReviewReopened {
                by: values[0].clone(),
                reason: values[1].clone(),
            },
        };
        app.signer = Some(values[0].clone());
        let review = app.review(&org, period);
        let effect = propose(app, &review, org, period, change);
        app.overlay = Some(Overlay::Form(form));
        return effect;
    };
    app.signer = Some(values[0].clone());
    let then = (**then).clone();
    update(app, then)
}
