//! The staff-meeting walkthrough: the policy's `[[walkthrough]]` sections one at a time on a
//! shared screen, then the attendance form. Confirming records the meeting and signs the
//! checklist's walkthrough item in one transaction; leaving early records nothing.

use chrono::NaiveDate;
use ratatui_textarea::{TextArea, WrapMode};

use crate::checklist::Checklist;
pub use crate::checklist::sections_fingerprint;
use crate::flows::meeting::{self, Held};
use crate::i18n::Lang;
use crate::period::{Cadence, Period};
use crate::review::Refusal;
use crate::tui::app::{Action, App, Effect, Overlay, Screen};
use crate::tui::dialogs::{edit, offered};

/// Field indexes of the attendance form.
pub const DATE: usize = 0;
pub const DEPARTMENT: usize = 1;
pub const LEADER: usize = 2;
pub const ATTENDEES: usize = 3;

/// A walkthrough in progress.
pub struct Walkthrough {
    /// Index into [`App::checklists`].
    pub org: usize,
    /// A section's index, or the number of sections for the attendance form.
    pub step: usize,
    /// White on black, bold: for a washed-out projector.
    pub high_contrast: bool,
    /// Date, place/department, leader, attendees (one per line).
    pub fields: [TextArea<'static>; 4],
    pub focus: usize,
    /// The screen to return to.
    pub back: Box<Screen>,
}

impl Walkthrough {
    /// Whether the attendance form is showing.
    pub fn at_attendance(&self, sections: usize) -> bool {
        self.step >= sections
    }

    pub fn value(&self, field: usize) -> String {
        self.fields[field].lines().join("\n").trim().to_string()
    }

    /// The attendees: one per non-empty line.
    pub fn attendees(&self) -> Vec<String> {
        self.fields[ATTENDEES]
            .lines()
            .iter()
            .map(|l| {
                l.trim()
                    .trim_start_matches(['-', '•', '*'])
                    .trim()
                    .to_string()
            })
            .filter(|l| !l.is_empty())
            .collect()
    }
}

/// Why an organisation has no walkthrough, and what to do about it.
pub fn no_sections(list: &Checklist, lang: Lang) -> String {
    lang.pick(
        "{o} har ingen afsnit til personalemødet. Tilføj [[walkthrough]]-afsnit i {f}.",
        "{o} has no sections for the staff meeting. Add [[walkthrough]] sections to {f}.",
    )
    .replace("{o}", &list.organisation.name)
    .replace("{f}", &list.path.display().to_string())
}

/// Opens the walkthrough of `org`, or says why it cannot.
pub fn start(app: &mut App, org: usize) {
    let list = &app.checklists[org];
    if list.walkthrough.is_empty() {
        let text = no_sections(list, app.lang);
        app.error(text);
        return;
    }
    // Refused at the start, not after the last section: this year's review takes no meeting.
    let year = Period::containing(Cadence::Yearly, app.today);
    if app.review(&list.organisation.id, year).signature.is_some() {
        let text = Refusal::ReviewSigned { period: year.key() }.message(app.lang)
            + app.lang.pick(
                " Genåbn den (R i gennemgangen), før mødet holdes.",
                " Reopen it (R in the review) before the meeting.",
            );
        app.error(text);
        return;
    }
    let mut attendees = TextArea::default();
    attendees.set_wrap_mode(WrapMode::WordOrGlyph);
    let back = std::mem::replace(&mut app.screen, Screen::Dashboard);
    app.screen = Screen::Walkthrough(Box::new(Walkthrough {
        org,
        step: 0,
        high_contrast: false,
        fields: [
            offered(&app.today.to_string()),
            offered(""),
            offered(&app.last_name),
            attendees,
        ],
        focus: DATE,
        back: Box::new(back),
    }));
}

/// Applies an action on the walkthrough screen.
pub fn update(app: &mut App, action: Action) -> Option<Effect> {
    let action = match action {
        Action::Paste(text) => Action::Paste(app.pasted(&text)?),
        other => other,
    };
    let Screen::Walkthrough(w) = &mut app.screen else {
        return None;
    };
    let sections = app.checklists[w.org].walkthrough.len();
    match action {
        Action::Next | Action::Down => w.step = (w.step + 1).min(sections),
        Action::Prev | Action::Up => w.step = w.step.saturating_sub(1),
        Action::ToggleContrast => w.high_contrast = !w.high_contrast,
        Action::NextField => w.focus = (w.focus + 1) % w.fields.len(),
        Action::PrevField => w.focus = (w.focus + w.fields.len() - 1) % w.fields.len(),
        Action::Key(key) => edit(&mut w.fields[w.focus], key),
        Action::Paste(text) => {
            if w.focus == ATTENDEES {
                w.fields[w.focus].insert_str(text);
            } else {
                w.fields[w.focus].insert_str(text.replace('\n', " "));
            }
        }
        Action::Back | Action::Quit => app.overlay = Some(Overlay::ConfirmDiscard),
        Action::Help => app.overlay = Some(Overlay::Help),
        Action::Submit => return submit(app),
        _ => {}
    }
    None
}

/// Leaves the walkthrough without recording anything.
pub fn discard(app: &mut App) {
    if let Screen::Walkthrough(w) = &mut app.screen {
        let back = std::mem::replace(&mut *w.back, Screen::Dashboard);
        app.screen = back;
        let text = app
            .lang
            .pick(
                "Gennemgangen er afbrudt; intet er registreret.",
                "The walkthrough was left; nothing was recorded.",
            )
            .into();
        app.plain(text);
    }
}

/// Reads a date as people type it: 2026-11-22, 22-11-2026, 22.11.2026 or 22/11/2026.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    ["%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%Y"]
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(s.trim(), f).ok())
}

fn submit(app: &mut App) -> Option<Effect> {
    let Screen::Walkthrough(w) = &app.screen else {
        return None;
    };
    let lang = app.lang;
    let list = &app.checklists[w.org];
    let date_text = w.value(DATE);
    let Some(date) = parse_date(&date_text) else {
        let text = lang
            .pick(
                "»{d}« er ikke en dato; skriv fx {t}.",
                "`{d}` is not a date; write e.g. {t}.",
            )
            .replace("{d}", &date_text)
            .replace("{t}", &app.today.to_string());
        return refuse(app, DATE, text);
    };
    let held = Held {
        date,
        department: w.value(DEPARTMENT),
        leader: w.value(LEADER),
        attendees: w.attendees(),
    };
    let period = meeting::period(date);
    let org = list.organisation.id.clone();
    let review = app.review(&org, period);
    match meeting::changes(list, &review, &held, app.today) {
        Ok(changes) => Some(Effect::Append {
            org,
            period,
            changes,
        }),
        Err(refusal) => {
            let focus = match refusal {
                Refusal::Empty { what: "leader" } => LEADER,
                Refusal::Empty { what: "attendees" } => ATTENDEES,
                Refusal::Empty { .. } => DEPARTMENT,
                _ => DATE,
            };
            refuse(app, focus, refusal.message(lang))
        }
    }
}

/// Shows why the form was not accepted and puts the cursor in the field to fix.
fn refuse(app: &mut App, focus: usize, text: String) -> Option<Effect> {
    if let Screen::Walkthrough(w) = &mut app.screen {
        w.focus = focus;
    }
    app.error(text);
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_read_as_danes_write_them() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 22);
        for s in ["2026-11-22", "22-11-2026", "22.11.2026", " 22/11/2026 "] {
            assert_eq!(parse_date(s), d, "{s}");
        }
        assert_eq!(parse_date("22. november"), None);
        assert_eq!(parse_date("2026-02-30"), None);
    }
}
