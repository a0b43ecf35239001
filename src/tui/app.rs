//! The state of the terminal UI and the pure `update`. Nothing here touches the terminal,
//! the clock or the store: changes leave as [`Effect`]s, and their outcome comes back as
//! [`Action::Committed`] or [`Action::Failed`].

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use ratatui::crossterm::event::KeyEvent;

use crate::checklist::{Checklist, Item};
use crate::i18n::Lang;
use crate::period::Period;
use crate::review::{Change, Event, Outcome, Refusal, Review};
use crate::status::{self, Summary};
use crate::tui::dialogs::{
    Field, Form, FormKind, NoteEditor, open_editor, open_reopen, open_sign, update_form,
    update_note,
};
use crate::tui::theme::Theme;
use crate::tui::walkthrough::{self, Walkthrough};

/// Something the user asked for (from a key) or something that happened (from an effect).
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Move the selection up one row.
    Up,
    /// Move the selection down one row.
    Down,
    /// Scroll the detail pane up.
    ScrollUp,
    /// Scroll the detail pane down.
    ScrollDown,
    /// Open the selected review.
    Open,
    /// Leave the current screen (the dashboard: quit).
    Back,
    /// Leave the program (asks first if a draft note would be lost).
    Quit,
    /// Leave the program now (Ctrl-C): every confirmed change is already saved.
    ForceQuit,
    /// Show the year before.
    PrevYear,
    /// Show the year after.
    NextYear,
    /// Record the selected item's outcome.
    Mark(Outcome),
    /// Write or change the selected item's note.
    EditNote,
    /// Withdraw the selected item's outcome.
    Retract,
    /// Sign the review (a dialog with the summary first).
    SignReview,
    /// Reopen a signed review (asks for a reason).
    Reopen,
    /// Show the keys of this screen.
    Help,
    /// Export the open review's record as PDF (a draft while it is unsigned).
    Export,
    /// Start the staff-meeting walkthrough of the selected organisation.
    Walkthrough,
    /// The next walkthrough section (after the last: the attendance form).
    Next,
    /// The walkthrough section before.
    Prev,
    /// High contrast on or off, for a washed-out projector.
    ToggleContrast,
    /// Move to the field before in a form.
    PrevField,
    /// A key for the open editor or form field.
    Key(KeyEvent),
    /// Pasted text for the open editor or form field.
    Paste(String),
    /// Save the editor or confirm the dialog.
    Submit,
    /// Move to the next field of a dialog.
    NextField,
    /// Close the editor or dialog without saving.
    Cancel,
    /// Answer yes to a question.
    Confirm,
    /// Events were committed to the store, in one transaction.
    Committed(Vec<Event>),
    /// An effect failed; the sentence says why.
    Failed(String),
    /// A PDF was written and its export event committed; the sentence says where.
    Exported(Event, String),
}

/// Work for the run loop.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Check the rules again inside a write transaction and append the changes, all or none.
    Append {
        org: String,
        period: Period,
        changes: Vec<Change>,
    },
    /// Write the review record PDF under `exports/` beside the database and record it.
    Export {
        org: String,
        period: Period,
        draft: bool,
    },
    /// Leave the program.
    Quit,
}

/// Which screen is showing.
pub enum Screen {
    Dashboard,
    Review(ReviewScreen),
    /// The staff-meeting presentation and its attendance form.
    Walkthrough(Box<Walkthrough>),
}

/// One review open on screen.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewScreen {
    /// Index into [`App::checklists`].
    pub org: usize,
    pub period: Period,
    /// Index of the selected item among the review's items.
    pub selected: usize,
    /// Lines scrolled in the detail pane.
    pub scroll: u16,
}

/// A one-line message under the screen.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub text: String,
    pub error: bool,
}

/// What lies on top of the screen.
pub enum Overlay {
    Help,
    Note(Box<NoteEditor>),
    Form(Form),
    ConfirmQuit,
    /// Leave the walkthrough without recording it?
    ConfirmDiscard,
}

/// A row of the dashboard list.
#[derive(Debug, Clone, PartialEq)]
pub enum DashRow {
    /// An organisation's heading (index into the checklists).
    Org(usize),
    Review(Summary),
}

/// The whole state of the terminal UI.
pub struct App {
    pub lang: Lang,
    pub theme: Theme,
    /// The local date the session runs on.
    pub today: NaiveDate,
    /// The year the dashboard shows.
    pub year: i32,
    pub checklists: Vec<Checklist>,
    /// Every event in the store, oldest first; grows as effects commit.
    pub events: Vec<Event>,
    pub screen: Screen,
    /// Index of the selected review among the dashboard's review rows.
    pub dashboard_selected: usize,
    pub overlay: Option<Overlay>,
    pub message: Option<Message>,
    /// Who records this session, once confirmed.
    pub signer: Option<String>,
    /// The name and role last used in the store, offered again.
    pub last_name: String,
    pub last_role: String,
    /// Notes written for items that have no outcome yet, by (org, period, item).
    pub drafts: HashMap<(String, Period, String), String>,
    pub quit: bool,
}

impl App {
    pub fn new(
        checklists: Vec<Checklist>,
        events: Vec<Event>,
        lang: Lang,
        theme: Theme,
        today: NaiveDate,
    ) -> App {
        let mut last_name = String::new();
        let mut last_role = String::new();
        for e in &events {
            match &e.change {
                Change::ItemSigned { by, .. }
                | Change::ItemRetracted { by, .. }
                | Change::ReviewReopened { by, .. } => last_name = by.clone(),
                Change::ReviewSigned { by, role } => {
                    last_name = by.clone();
                    last_role = role.clone();
                }
                Change::WalkthroughHeld(m) => last_name = m.leader.clone(),
                Change::ExportMade { .. } => {}
            }
        }
        App {
            lang,
            theme,
            today,
            year: today.year(),
            checklists,
            events,
            screen: Screen::Dashboard,
            dashboard_selected: 0,
            overlay: None,
            message: None,
            signer: None,
            last_name,
            last_role,
            drafts: HashMap::new(),
            quit: false,
        }
    }

    /// The review `org` × `period` as the events say.
    pub fn review(&self, org: &str, period: Period) -> Review {
        Review::from_events(
            self.events
                .iter()
                .filter(|e| e.org == org && e.period == period),
        )
    }

    /// The dashboard's rows: each organisation's heading, then its reviews of the year,
    /// overdue first, then in progress, not started, signed, upcoming.
    pub fn dashboard_rows(&self) -> Vec<DashRow> {
        let summaries = status::overview(&self.checklists, &self.events, self.year, self.today);
        let mut rows = Vec::new();
        for (i, list) in self.checklists.iter().enumerate() {
            rows.push(DashRow::Org(i));
            let mut mine: Vec<&Summary> = summaries
                .iter()
                .filter(|s| s.org == list.organisation.id)
                .collect();
            mine.sort_by_key(|s| (s.state, s.period.starts(), s.period.cadence()));
            rows.extend(mine.into_iter().cloned().map(DashRow::Review));
        }
        rows
    }

    /// The selected review on the dashboard.
    pub fn selected_summary(&self) -> Option<Summary> {
        review_rows(&self.dashboard_rows())
            .nth(self.dashboard_selected)
            .cloned()
    }

    /// The open review screen's checklist, items and selected item.
    pub fn open_review(&self) -> Option<(&ReviewScreen, &Checklist, Vec<&Item>)> {
        match &self.screen {
            Screen::Review(rs) => {
                let list = &self.checklists[rs.org];
                let items = list.items_of(rs.period.cadence()).collect();
                Some((rs, list, items))
            }
            Screen::Dashboard | Screen::Walkthrough(_) => None,
        }
    }

    pub fn draft(&self, org: &str, period: Period, item: &str) -> Option<&String> {
        self.drafts
            .get(&(org.to_string(), period, item.to_string()))
    }

    pub(crate) fn info(&mut self, text: String) {
        self.message = Some(Message { text, error: false });
    }

    pub(crate) fn error(&mut self, text: String) {
        self.message = Some(Message { text, error: true });
    }
}

/// The review rows of the dashboard, without the organisation headings: what the
/// selection counts.
pub fn review_rows(rows: &[DashRow]) -> impl Iterator<Item = &Summary> {
    rows.iter().filter_map(|r| match r {
        DashRow::Review(s) => Some(s),
        DashRow::Org(_) => None,
    })
}

/// Applies one action; returns the work the run loop must do.
pub fn update(app: &mut App, action: Action) -> Option<Effect> {
    match action {
        Action::Committed(events) => {
            let lang = app.lang;
            let said: Vec<String> = events
                .iter()
                .map(
                    |e| match app.checklists.iter().find(|l| l.organisation.id == e.org) {
                        Some(list) => e.change.describe_in(lang, list),
                        None => e.change.describe(lang),
                    },
                )
                .collect();
            for event in events {
                committed(app, event);
            }
            app.info(format!(
                "{}: {}",
                lang.pick("Gemt", "Saved"),
                said.join("; ")
            ));
            return None;
        }
        Action::Failed(text) => {
            app.error(text);
            return None;
        }
        Action::Exported(event, text) => {
            app.events.push(event);
            app.info(text);
            return None;
        }
        Action::ForceQuit => {
            app.quit = true;
            return Some(Effect::Quit);
        }
        _ => {}
    }
    if let Some(overlay) = app.overlay.take() {
        return update_overlay(app, overlay, action);
    }
    app.message = None;
    match app.screen {
        Screen::Dashboard => update_dashboard(app, action),
        Screen::Review(_) => update_review(app, action),
        Screen::Walkthrough(_) => walkthrough::update(app, action),
    }
}

fn committed(app: &mut App, event: Event) {
    app.overlay = None;
    match &event.change {
        Change::WalkthroughHeld(meeting) => {
            app.last_name = meeting.leader.clone();
            if let Screen::Walkthrough(w) = &mut app.screen {
                app.screen = std::mem::replace(&mut *w.back, Screen::Dashboard);
            }
        }
        Change::ItemSigned { item, by, .. } => {
            app.drafts
                .remove(&(event.org.clone(), event.period, item.clone()));
            app.last_name = by.clone();
            if let Screen::Review(rs) = &mut app.screen {
                let list = &app.checklists[rs.org];
                let count = list.items_of(rs.period.cadence()).count();
                let selected_id = list
                    .items_of(rs.period.cadence())
                    .nth(rs.selected)
                    .map(|i| &i.id);
                if selected_id == Some(item) && rs.selected + 1 < count {
                    rs.selected += 1;
                    rs.scroll = 0;
                }
            }
        }
        Change::ReviewSigned { by, role } => {
            app.last_name = by.clone();
            app.last_role = role.clone();
        }
        _ => {}
    }
    app.events.push(event);
}

fn update_dashboard(app: &mut App, action: Action) -> Option<Effect> {
    match action {
        Action::Up => app.dashboard_selected = app.dashboard_selected.saturating_sub(1),
        Action::Down => {
            let count = review_rows(&app.dashboard_rows()).count();
            app.dashboard_selected = (app.dashboard_selected + 1).min(count.saturating_sub(1))
        }
        Action::PrevYear | Action::NextYear => {
            app.year += if action == Action::PrevYear { -1 } else { 1 };
            app.dashboard_selected = 0;
        }
        Action::Open => {
            let summary = app.selected_summary()?;
            let org = app
                .checklists
                .iter()
                .position(|l| l.organisation.id == summary.org)?;
            app.screen = Screen::Review(ReviewScreen {
                org,
                period: summary.period,
                selected: 0,
                scroll: 0,
            });
        }
        Action::Help => app.overlay = Some(Overlay::Help),
        Action::Walkthrough => {
            let org = app.selected_summary().and_then(|s| {
                app.checklists
                    .iter()
                    .position(|l| l.organisation.id == s.org)
            });
            walkthrough::start(app, org.unwrap_or(0));
        }
        Action::Back | Action::Quit => {
            if app.drafts.is_empty() {
                app.quit = true;
                return Some(Effect::Quit);
            }
            app.overlay = Some(Overlay::ConfirmQuit);
        }
        _ => {}
    }
    None
}

/// The selected item of the open review, with what identifies its review.
pub(crate) fn selected_item(app: &App) -> Option<(String, Period, Item)> {
    let (rs, list, items) = app.open_review()?;
    let item = items.get(rs.selected)?;
    Some((list.organisation.id.clone(), rs.period, (*item).clone()))
}

fn update_review(app: &mut App, action: Action) -> Option<Effect> {
    let Screen::Review(rs) = &mut app.screen else {
        return None;
    };
    let count = app.checklists[rs.org].items_of(rs.period.cadence()).count();
    match action {
        Action::Up => {
            rs.selected = rs.selected.saturating_sub(1);
            rs.scroll = 0;
        }
        Action::Down => {
            rs.selected = (rs.selected + 1).min(count.saturating_sub(1));
            rs.scroll = 0;
        }
        Action::ScrollUp => rs.scroll = rs.scroll.saturating_sub(5),
        Action::ScrollDown => rs.scroll = rs.scroll.saturating_add(5).min(200),
        Action::Back => {
            // Back on the review just left, wherever its new state sorts it.
            let (org, period) = (app.checklists[rs.org].organisation.id.clone(), rs.period);
            app.screen = Screen::Dashboard;
            app.year = period.year();
            if let Some(i) =
                review_rows(&app.dashboard_rows()).position(|s| s.org == org && s.period == period)
            {
                app.dashboard_selected = i;
            }
        }
        Action::Quit => return update_dashboard(app, Action::Quit),
        Action::Help => app.overlay = Some(Overlay::Help),
        Action::Mark(_) | Action::EditNote | Action::Retract => return item_action(app, action),
        Action::SignReview => open_sign(app),
        Action::Reopen => open_reopen(app),
        Action::Walkthrough => {
            let org = rs.org;
            walkthrough::start(app, org);
        }
        Action::Export => {
            let org = app.checklists[rs.org].organisation.id.clone();
            let period = rs.period;
            let draft = app.review(&org, period).signature.is_none();
            return Some(Effect::Export { org, period, draft });
        }
        _ => {}
    }
    None
}

/// Asks who is recording when nobody has said so this session; returns whether to go on.
fn known_signer(app: &mut App, then: &Action) -> bool {
    if app.signer.is_some() {
        return true;
    }
    let name = app.last_name.clone();
    app.overlay = Some(Overlay::Form(Form {
        kind: FormKind::Who {
            then: Box::new(then.clone()),
        },
        fields: vec![Field::new("name", &name)],
        focus: 0,
    }));
    false
}

fn item_action(app: &mut App, action: Action) -> Option<Effect> {
    let (org, period, item) = selected_item(app)?;
    let review = app.review(&org, period);
    if review.signature.is_some() {
        app.error(
            Refusal::ReviewSigned {
                period: period.key(),
            }
            .message(app.lang)
                + app.lang.pick(" (tast R)", " (press R)"),
        );
        return None;
    }
    if !known_signer(app, &action) {
        return None;
    }
    let by = app.signer.clone().unwrap_or_default();
    let current = review.sign_offs.get(&item.id);
    let note = app
        .draft(&org, period, &item.id)
        .cloned()
        .or_else(|| current.and_then(|s| s.note.clone()));
    match action {
        Action::EditNote => {
            open_editor(app, &item, current.map(|s| s.status), note);
            None
        }
        Action::Retract => {
            let change = Change::ItemRetracted {
                item: item.id.clone(),
                by,
            };
            propose(app, &review, org, period, change)
        }
        Action::Mark(Outcome::Deviation) => {
            // A deviation's note is always written or confirmed deliberately.
            open_editor(app, &item, Some(Outcome::Deviation), note);
            None
        }
        Action::Mark(status) if current.is_some_and(|c| c.status == status && c.note == note) => {
            app.info(format!(
                "{} {}.",
                app.lang
                    .pick("Allerede registreret som", "Already recorded as"),
                status.label(app.lang)
            ));
            None
        }
        Action::Mark(status) => {
            let change = Change::item_signed(&item, status, note.clone(), by);
            let list = &app.checklists[app.open_review()?.0.org];
            match review.check(list, period, app.today, &change) {
                Err(Refusal::DeviationNeedsNote { .. } | Refusal::EvidenceNeedsNote { .. }) => {
                    open_editor(app, &item, Some(status), note);
                    None
                }
                _ => propose(app, &review, org, period, change),
            }
        }
        _ => None,
    }
}

/// Checks a change against the rules and hands it to the run loop, or says why not.
pub(crate) fn propose(
    app: &mut App,
    review: &Review,
    org: String,
    period: Period,
    change: Change,
) -> Option<Effect> {
    let list = app.checklists.iter().find(|l| l.organisation.id == org)?;
    match review.check(list, period, app.today, &change) {
        Ok(()) => Some(Effect::Append {
            org,
            period,
            changes: vec![change],
        }),
        Err(refusal) => {
            app.error(refusal.message(app.lang));
            None
        }
    }
}

fn update_overlay(app: &mut App, overlay: Overlay, action: Action) -> Option<Effect> {
    match overlay {
        Overlay::Help => None,
        Overlay::ConfirmQuit => {
            if action == Action::Confirm {
                app.quit = true;
                return Some(Effect::Quit);
            }
            None
        }
        Overlay::ConfirmDiscard => {
            if action == Action::Confirm {
                walkthrough::discard(app);
            }
            None
        }
        Overlay::Note(note) => update_note(app, note, action),
        Overlay::Form(form) => update_form(app, form, action),
    }
}
