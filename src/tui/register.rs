//! The register screen: one organisation's data-subject requests, and the dialogs that
//! register, extend and close one. Pure like the rest of `update`: a change leaves as
//! [`Effect::Register`], checked first against [`Register::check`] and again by the run loop
//! inside the write transaction ([`crate::flows::register::record`]).

use crate::request::{Closed, Extended, Kind, Limit, Received, Register, Request, Resolution};
use crate::review::Change;
use crate::tui::app::{Action, App, Effect, Overlay, Screen, known_signer, review_rows};
use crate::tui::dialogs::{Field, Form, FormKind, NoteEditor};

/// The register open on screen.
#[derive(Debug, Clone, PartialEq)]
pub struct RegisterScreen {
    /// Index into [`App::checklists`].
    pub org: usize,
    /// Index of the selected row among [`rows`].
    pub selected: usize,
    /// A closing waiting for its note (the note editor is open).
    pub pending: Option<Closed>,
}

/// The register of organisation `org` (index into the checklists) as the events say.
pub fn register(app: &App, org: usize) -> Register {
    Register::from_events(&app.checklists[org].organisation.id, &app.events)
}

/// The rows of the screen: open requests, nearest deadline first, then closed ones, the
/// most recently received first.
pub fn rows(register: &Register) -> Vec<&Request> {
    let mut rows = register.open();
    let mut closed: Vec<&Request> = register
        .all()
        .into_iter()
        .filter(|r| !r.is_open())
        .collect();
    closed.reverse();
    rows.extend(closed);
    rows
}

/// Opens the register of the organisation selected on the dashboard.
pub fn open(app: &mut App) {
    let org = app
        .selected_summary()
        .and_then(|s| {
            app.checklists
                .iter()
                .position(|l| l.organisation.id == s.org)
        })
        .unwrap_or(0);
    if app.checklists.is_empty() {
        return;
    }
    app.screen = Screen::Register(RegisterScreen {
        org,
        selected: 0,
        pending: None,
    });
}

fn screen(app: &mut App) -> Option<&mut RegisterScreen> {
    match &mut app.screen {
        Screen::Register(rs) => Some(rs),
        _ => None,
    }
}

fn selected(app: &App) -> Option<(usize, Request)> {
    let Screen::Register(rs) = &app.screen else {
        return None;
    };
    let register = register(app, rs.org);
    let row = rows(&register).get(rs.selected).map(|r| (*r).clone());
    row.map(|r| (rs.org, r))
}

pub fn update(app: &mut App, action: Action) -> Option<Effect> {
    let Screen::Register(rs) = &app.screen else {
        return None;
    };
    let org = rs.org;
    let count = rows(&register(app, org)).len();
    match action {
        Action::Up => {
            let rs = screen(app)?;
            rs.selected = rs.selected.saturating_sub(1);
        }
        Action::Down => {
            let rs = screen(app)?;
            rs.selected = (rs.selected + 1).min(count.saturating_sub(1));
        }
        Action::Back => {
            // Back on the overview, on this organisation's first review.
            let id = app.checklists[org].organisation.id.clone();
            app.screen = Screen::Dashboard;
            if let Some(i) = review_rows(&app.dashboard_rows()).position(|s| s.org == id) {
                app.dashboard_selected = i;
            }
        }
        Action::Quit => {
            app.screen = Screen::Dashboard;
            return crate::tui::app::update(app, Action::Quit);
        }
        Action::Help => app.overlay = Some(Overlay::Help),
        Action::NewRequest => {
            if !known_signer(app, &action) {
                return None;
            }
            let today = app.today.to_string();
            form(
                app,
                FormKind::RequestNew,
                vec![
                    Field::new("reference", ""),
                    Field::new("kind", "1"),
                    Field::new("received", &today),
                ],
            );
        }
        Action::ExtendRequest | Action::CloseRequest => {
            let Some((_, request)) = selected(app) else {
                app.error(
                    app.lang
                        .pick(
                            "Der er ingen anmodning at vælge; registrér en med n.",
                            "There is no request to choose; register one with n.",
                        )
                        .into(),
                );
                return None;
            };
            if !request.is_open() {
                app.error(
                    crate::request::Refusal::AlreadyClosed {
                        reference: request.reference,
                    }
                    .message(app.lang),
                );
                return None;
            }
            if !known_signer(app, &action) {
                return None;
            }
            let today = app.today.to_string();
            let reference = request.reference;
            if action == Action::ExtendRequest {
                form(
                    app,
                    FormKind::RequestExtend { reference },
                    vec![
                        Field::new("extension-reason", ""),
                        Field::new("told", &today),
                        Field::new("months", "2"),
                    ],
                );
            } else {
                form(
                    app,
                    FormKind::RequestClose { reference },
                    vec![Field::new("outcome", "1"), Field::new("closed", &today)],
                );
            }
        }
        _ => {}
    }
    None
}

fn form(app: &mut App, kind: FormKind, fields: Vec<Field>) {
    app.overlay = Some(Overlay::Form(Form {
        kind,
        fields,
        focus: 0,
    }));
}

/// A kind from its number in the dialog's list (1–7), its key or its name.
pub fn parse_kind(s: &str) -> Option<Kind> {
    let s = s.trim().to_lowercase();
    Kind::ALL.into_iter().enumerate().find_map(|(i, k)| {
        let matches = s == (i + 1).to_string()
            || s == k.key()
            || s == k.label(crate::i18n::Lang::Da)
            || s == k.label(crate::i18n::Lang::En);
        matches.then_some(k)
    })
}

/// An outcome from its number (1–3), its key or its name.
pub fn parse_outcome(s: &str) -> Option<Resolution> {
    let s = s.trim().to_lowercase();
    Resolution::ALL.into_iter().enumerate().find_map(|(i, r)| {
        let matches = s == (i + 1).to_string()
            || s == r.key()
            || s == r.label(crate::i18n::Lang::Da)
            || s == r.label(crate::i18n::Lang::En);
        matches.then_some(r)
    })
}

/// Submits one of the register's dialogs; the closing dialog goes on to the note editor.
pub fn submit_form(app: &mut App, form: Form) -> Option<Effect> {
    let lang = app.lang;
    let Screen::Register(rs) = &app.screen else {
        return None;
    };
    let org = rs.org;
    let values: Vec<String> = form.fields.iter().map(Field::value).collect();
    let by = app.signer.clone().unwrap_or_default();
    let refuse = |app: &mut App, form: Form, focus: usize, text: String| {
        app.error(text);
        app.overlay = Some(Overlay::Form(Form { focus, ..form }));
        None
    };
    let date = |i: usize| crate::period::parse_date(&values[i]);
    let bad_date = lang
        .pick(
            "Skriv datoen som ÅÅÅÅ-MM-DD, fx 2026-03-03.",
            "Write the date as YYYY-MM-DD, e.g. 2026-03-03.",
        )
        .to_string();
    let change = match &form.kind {
        FormKind::RequestNew => {
            let Some(kind) = parse_kind(&values[1]) else {
                let text = lang
                    .pick(
                        "Vælg arten med et tal fra 1 til 7.",
                        "Choose the kind with a number from 1 to 7.",
                    )
                    .into();
                return refuse(app, form, 1, text);
            };
            let Some(received) = date(2) else {
                return refuse(app, form, 2, bad_date);
            };
            let limit = Limit::of(&app.checklists[org].organisation);
            Change::RequestReceived(Received {
                reference: values[0].clone(),
                kind,
                received,
                deadline: limit.first_deadline(received),
                by,
            })
        }
        FormKind::RequestExtend { reference } => {
            let Some(told) = date(1) else {
                return refuse(app, form, 1, bad_date);
            };
            let Ok(months) = values[2].parse::<u32>() else {
                let text = crate::request::Refusal::Months { months: 0 }.message(lang);
                return refuse(app, form, 2, text);
            };
            Change::RequestExtended(Extended {
                reference: reference.clone(),
                months,
                reason: values[0].clone(),
                told,
                by,
            })
        }
        FormKind::RequestClose { reference } => {
            let Some(outcome) = parse_outcome(&values[0]) else {
                let text = lang
                    .pick(
                        "Vælg udfaldet med et tal fra 1 til 3.",
                        "Choose the outcome with a number from 1 to 3.",
                    )
                    .into();
                return refuse(app, form, 0, text);
            };
            let Some(closed) = date(1) else {
                return refuse(app, form, 1, bad_date);
            };
            let closing = Closed {
                reference: reference.clone(),
                outcome,
                closed,
                note: None,
                by,
            };
            // The rules that do not need the note are checked before it is written.
            let check = Change::RequestClosed(Closed {
                note: Some("-".into()),
                ..closing.clone()
            });
            if let Err(r) = register(app, org).check(app.today, &check) {
                return refuse(app, form, 0, r.message(lang));
            }
            screen(app)?.pending = Some(closing);
            app.overlay = Some(Overlay::Note(Box::new(NoteEditor::for_request(lang))));
            return None;
        }
        _ => return None,
    };
    match propose(app, org, change) {
        Ok(effect) => {
            // The dialog stays open until the store confirms, so a failed save loses nothing.
            app.overlay = Some(Overlay::Form(form));
            Some(effect)
        }
        Err(text) => refuse(app, form, 0, text),
    }
}

/// Submits the closing note.
pub fn submit_note(app: &mut App, note: Box<NoteEditor>) -> Option<Effect> {
    let text = note.editor.lines().join("\n").trim().to_string();
    let rs = screen(app)?;
    let org = rs.org;
    let closing = rs.pending.clone()?;
    let change = Change::RequestClosed(Closed {
        note: (!text.is_empty()).then_some(text),
        ..closing
    });
    let effect = propose(app, org, change);
    app.overlay = Some(Overlay::Note(note));
    match effect {
        Ok(effect) => Some(effect),
        Err(text) => {
            app.error(text);
            None
        }
    }
}

fn propose(app: &App, org: usize, change: Change) -> Result<Effect, String> {
    register(app, org)
        .check(app.today, &change)
        .map_err(|r| r.message(app.lang))?;
    Ok(Effect::Register {
        org: app.checklists[org].organisation.id.clone(),
        change,
    })
}
