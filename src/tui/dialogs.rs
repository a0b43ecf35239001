//! The note editor and the small dialogs (who records, sign, reopen): their state, how they
//! open, and how keys and submits update them. Submitting hands a change to
//! [`propose`], the same path as every other change.

use ratatui_textarea::{CursorMove, TextArea, WrapMode};

use crate::checklist::Item;
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
}

pub struct Field {
    pub label: &'static str,
    pub input: TextArea<'static>,
}

impl Field {
    pub(crate) fn new(label: &'static str, value: &str) -> Field {
        let mut input = TextArea::new(vec![value.to_string()]);
        input.move_cursor(CursorMove::End);
        Field { label, input }
    }

    pub fn value(&self) -> String {
        self.input.lines().join(" ").trim().to_string()
    }
}

pub(crate) fn open_editor(
    app: &mut App,
    item: &Item,
    status: Option<Outcome>,
    note: Option<String>,
) {
    let lines = note
        .map(|n| n.lines().map(str::to_string).collect())
        .unwrap_or_default();
    let mut editor = TextArea::new(lines);
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
        _ => item.evidence.clone(),
    };
    app.overlay = Some(Overlay::Note(Box::new(NoteEditor {
        item: item.id.clone(),
        status,
        asks,
        editor,
    })));
}

pub(crate) fn open_sign(app: &mut App) {
    let Some((org, period, _)) = selected_item(app) else {
        return;
    };
    if app.review(&org, period).signature.is_some() {
        app.error(
            Refusal::ReviewSigned {
                period: period.key(),
            }
            .message(app.lang),
        );
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
        Action::Cancel => {
            app.info(
                app.lang
                    .pick("Noten er ikke gemt.", "The note was not saved.")
                    .into(),
            );
            None
        }
        Action::Key(key) => {
            note.editor.input(key);
            app.overlay = Some(Overlay::Note(note));
            None
        }
        Action::Paste(text) => {
            note.editor
                .insert_str(text.replace("\r\n", "\n").replace('\r', "\n"));
            app.overlay = Some(Overlay::Note(note));
            None
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
        Action::Cancel => return None,
        Action::Key(key) => {
            form.fields[form.focus].input.input(key);
        }
        Action::Paste(text) => {
            form.fields[form.focus]
                .input
                .insert_str(text.replace(['\r', '\n'], " "));
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
    let values: Vec<String> = form.fields.iter().map(Field::value).collect();
    let lang = app.lang;
    if let Some(i) = values.iter().position(|v| v.is_empty()) {
        let what = match form.fields[i].label {
            "name" => "by",
            "role" => "role",
            _ => "reason",
        };
        app.error(Refusal::Empty { what }.message(lang));
        app.overlay = Some(Overlay::Form(Form { focus: i, ..form }));
        return None;
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
