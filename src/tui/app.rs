//! The state of the terminal UI and the pure `update`. Nothing here touches the terminal,
//! the clock or the store: changes leave as [`Effect`]s, and their outcome comes back as
//! [`Action::Committed`] or [`Action::Failed`].

use std::collections::HashMap;
use std::path::PathBuf;

use chrono::{Datelike, NaiveDate};
use ratatui::crossterm::event::KeyEvent;

use crate::checklist::{Checklist, Item};
use crate::i18n::Lang;
use crate::period::Period;
use crate::review::{Change, Event, Outcome, Refusal, Review};
use crate::status::{self, Summary};
use crate::tui::dialogs::{
    Field, Form, FormKind, NoteEditor, open_close_follow_up, open_editor, open_follow_up,
    open_reopen, open_sign, update_form, update_note,
};
use crate::tui::register::{self, RegisterScreen};
use crate::tui::theme::Theme;
use crate::tui::walkthrough::{self, Walkthrough};

/// Something the user asked for (from a key) or something that happened (from an effect).
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Move the selection up one row.
    Up,
    /// Move the selection down one row.
    Down,
    /// Scroll the detail pane (on the overview: the list) up a page.
    ScrollUp,
    /// Scroll the detail pane (on the overview: the list) down a page.
    ScrollDown,
    /// The first row.
    First,
    /// The last row.
    Last,
    /// The next organisation's first review (the overview).
    NextOrg,
    /// The organisation before (the overview).
    PrevOrg,
    /// Undo the last edit in the note editor.
    Undo,
    /// Clear the note editor's line before the cursor, as in a shell.
    ClearLine,
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
    /// Open the register of data-subject requests of the selected organisation.
    Register,
    /// Register a new request (a dialog).
    NewRequest,
    /// Extend the selected request's deadline (a dialog).
    ExtendRequest,
    /// Close the selected request (a dialog, then the note).
    CloseRequest,
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
    /// The terminal now has this many columns and rows.
    Resize(u16, u16),
    /// Said instead of a key that does nothing here but is close to one that does.
    Hint(Hint),
    /// Say what will be done about the selected item's deviation (a follow-up).
    FollowUp,
    /// Close the selected item's open follow-up with a note.
    CloseFollowUp,
    /// Events were committed to the store, in one transaction.
    Committed(Vec<Event>),
    /// An effect failed; the sentence says why.
    Failed(String),
    /// A PDF was written and its export event committed; the sentence says where.
    Exported(Box<Event>, String, PathBuf),
    /// Open the PDF just exported in the system's viewer.
    OpenExport,
}

/// A key that is easy to mistake for another: what to say when it is pressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hint {
    /// Lowercase `s` on a review: signing is capital `S`.
    SignIsCapitalS,
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
    /// Check a request change again inside a write transaction and append it.
    Register { org: String, change: Change },
    /// Show a file in the system's PDF viewer (`App::viewer`), without waiting for it.
    OpenFile(PathBuf),
    /// Leave the program.
    Quit,
}

/// Which screen is showing.
pub enum Screen {
    Dashboard,
    Review(ReviewScreen),
    /// The staff-meeting presentation and its attendance form.
    Walkthrough(Box<Walkthrough>),
    /// The register of data-subject requests of one organisation.
    Register(RegisterScreen),
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

/// A message under the screen (wrapped to at most three lines).
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub text: String,
    /// Shown with ✗: something was refused or failed.
    pub error: bool,
    /// Shown without a mark: neither a success nor an error (e.g. a note thrown away).
    pub plain: bool,
}

/// What lies on top of the screen.
pub enum Overlay {
    Help,
    Note(Box<NoteEditor>),
    Form(Form),
    ConfirmQuit,
    /// Leave the walkthrough without recording it?
    ConfirmDiscard,
    /// Throw away the note's changes? (No goes back to the editor.)
    ConfirmDropNote(Box<NoteEditor>),
    /// Signing refused at once: the open items by id, all of them, scrolled by `scroll` rows.
    OpenItems {
        items: Vec<String>,
        scroll: usize,
    },
}

/// A row of the dashboard list.
#[derive(Debug, Clone, PartialEq)]
pub enum DashRow {
    /// An organisation's heading (index into the checklists).
    Org(usize),
    /// An open follow-up of a deviation (not selectable; closed from the item's review).
    Action(status::Action),
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
    /// The terminal's columns and rows, once known; a screen smaller than the views need
    /// takes no keys but Ctrl+C (and q on the overview), so nothing is typed blind.
    pub size: Option<(u16, u16)>,
    /// The program that opens a file in the system's viewer (`xdg-open`, `open`), if any.
    pub viewer: Option<String>,
    /// The PDF exported last in this session, for `o`.
    pub last_export: Option<PathBuf>,
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
                | Change::ReviewReopened { by, .. }
                | Change::ActionOpened { by, .. }
                | Change::ActionClosed { by, .. } => last_name = by.clone(),
                Change::ReviewSigned { by, role } => {
                    last_name = by.clone();
                    last_role = role.clone();
                }
                Change::WalkthroughHeld(m) => last_name = m.leader.clone(),
                Change::RequestReceived(r) => last_name = r.by.clone(),
                Change::RequestExtended(x) => last_name = x.by.clone(),
                Change::RequestClosed(c) => last_name = c.by.clone(),
                Change::ExportMade { .. } => {}
            }
        }
        let mut app = App {
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
            size: None,
            viewer: None,
            last_export: None,
        };
        // Open on what needs doing first: the first overdue review of any organisation
        // (an earlier year's included), so it is on screen even below another's reviews.
        if let Some(i) = review_rows(&app.dashboard_rows())
            .position(|s| s.state == crate::review::ReviewState::Overdue)
        {
            app.dashboard_selected = i;
        }
        app
    }

    /// The review `org` × `period` as the events say.
    pub fn review(&self, org: &str, period: Period) -> Review {
        Review::from_events(
            self.events
                .iter()
                .filter(|e| e.org == org && e.period == period),
        )
    }

    /// The dashboard's rows: each organisation's heading, its open follow-ups, then its
    /// reviews of the year with the overdue ones of earlier years, overdue first, then in
    /// progress, not started, signed, upcoming, before adoption.
    pub fn dashboard_rows(&self) -> Vec<DashRow> {
        let summaries = status::overview(&self.checklists, &self.events, self.year, self.today);
        let actions = status::open_actions(&self.checklists, &self.events);
        let mut rows = Vec::new();
        for (i, list) in self.checklists.iter().enumerate() {
            rows.push(DashRow::Org(i));
            rows.extend(
                actions
                    .iter()
                    .filter(|a| a.org == list.organisation.id)
                    .cloned()
                    .map(DashRow::Action),
            );
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
            Screen::Dashboard | Screen::Walkthrough(_) | Screen::Register(_) => None,
        }
    }

    /// The review's state as the overview shows it (before adoption included).
    pub fn state_of(&self, org: usize, period: Period) -> crate::review::ReviewState {
        let list = &self.checklists[org];
        let review = self.review(&list.organisation.id, period);
        let state = review.state(list, period, self.today);
        let start = status::in_use_from(list, &self.events, self.today);
        if state != crate::review::ReviewState::Signed && period.ends() < start {
            crate::review::ReviewState::BeforeAdoption
        } else {
            state
        }
    }

    /// The follow-ups to show beside `item` in the review `org` × `period`: this review's
    /// (open or closed), then the open ones of earlier reviews, newest first.
    pub fn item_follow_ups(&self, org: &str, period: Period, item: &str) -> Vec<status::Action> {
        let mut all: Vec<status::Action> = status::follow_ups(&self.checklists, &self.events)
            .into_iter()
            .filter(|a| a.org == org && a.follow_up.item == item)
            .filter(|a| {
                a.period == period || (a.follow_up.is_open() && a.period.ends() < period.ends())
            })
            .collect();
        all.sort_by_key(|a| (a.period != period, std::cmp::Reverse(a.period.ends())));
        all
    }

    pub fn draft(&self, org: &str, period: Period, item: &str) -> Option<&String> {
        self.drafts
            .get(&(org.to_string(), period, item.to_string()))
    }

    pub(crate) fn info(&mut self, text: String) {
        self.message = Some(Message {
            text,
            error: false,
            plain: false,
        });
    }

    pub(crate) fn error(&mut self, text: String) {
        self.message = Some(Message {
            text,
            error: true,
            plain: false,
        });
    }

    /// A message that is neither a success nor a refusal.
    pub(crate) fn plain(&mut self, text: String) {
        self.message = Some(Message {
            text,
            error: false,
            plain: true,
        });
    }

    /// Whether the terminal is too small for the screens (unknown counts as large enough).
    pub fn too_small(&self) -> bool {
        self.size.is_some_and(|(w, h)| {
            w < crate::tui::view::MIN_WIDTH || h < crate::tui::view::MIN_HEIGHT
        })
    }

    /// Pasted text with its line endings made `\n` and tabs spaces, or `None` (and a
    /// message saying why) when it carries any other control character, such as a terminal
    /// escape sequence: nothing of it is inserted.
    pub(crate) fn pasted(&mut self, text: &str) -> Option<String> {
        let text = text
            .replace("\r\n", "\n")
            .replace('\r', "\n")
            .replace('\t', " ");
        match crate::text::control_char(&text, true) {
            None => Some(text),
            Some(c) => {
                let m = self
                    .lang
                    .pick(
                        "Den indsatte tekst indeholder et styretegn (U+{c}) og er ikke sat ind; kopiér teksten uden det.",
                        "The pasted text contains a control character (U+{c}) and was not inserted; copy the text without it.",
                    )
                    .replace("{c}", &format!("{:04X}", c as u32));
                self.error(m);
                None
            }
        }
    }
}

/// The review rows of the dashboard, without the organisation headings: what the
/// selection counts.
pub fn review_rows(rows: &[DashRow]) -> impl Iterator<Item = &Summary> {
    rows.iter().filter_map(|r| match r {
        DashRow::Review(s) => Some(s),
        DashRow::Org(_) | DashRow::Action(_) => None,
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
        Action::Exported(event, text, path) => {
            app.events.push(*event);
            let offer = match &app.viewer {
                Some(_) => app
                    .lang
                    .pick(" Tast v for at vise den.", " Press v to view it."),
                None => "",
            };
            app.info(text + offer);
            app.last_export = Some(path);
            return None;
        }
        Action::ForceQuit => {
            app.quit = true;
            return Some(Effect::Quit);
        }
        Action::Resize(w, h) => {
            app.size = Some((w, h));
            return None;
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
        Screen::Register(_) => register::update(app, action),
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
        Change::RequestClosed(_) => {
            if let Screen::Register(rs) = &mut app.screen {
                rs.pending = None;
            }
        }
        _ => {}
    }
    let ask_follow_up = match &event.change {
        Change::ItemSigned {
            item,
            status: Outcome::Deviation,
            ..
        } => Some(item.clone()),
        _ => None,
    };
    let (org, period) = (event.org.clone(), event.period);
    app.events.push(event);
    // A deviation just recorded: what will be done about it, by whom, by when?
    if let Some(item) = ask_follow_up
        && matches!(app.screen, Screen::Review(_))
        && !app.review(&org, period).actions.contains_key(&item)
    {
        open_follow_up(app, org, period, item);
    }
}

fn update_dashboard(app: &mut App, action: Action) -> Option<Effect> {
    let count = || review_rows(&app.dashboard_rows()).count();
    let last = |n: usize| n.saturating_sub(1);
    match action {
        Action::Up => app.dashboard_selected = app.dashboard_selected.saturating_sub(1),
        Action::Down => app.dashboard_selected = (app.dashboard_selected + 1).min(last(count())),
        Action::First => app.dashboard_selected = 0,
        Action::Last => app.dashboard_selected = last(count()),
        Action::ScrollUp => {
            app.dashboard_selected = app.dashboard_selected.saturating_sub(app.page())
        }
        Action::ScrollDown => {
            app.dashboard_selected = (app.dashboard_selected + app.page()).min(last(count()))
        }
        Action::NextOrg | Action::PrevOrg => {
            let rows = app.dashboard_rows();
            let current = app.selected_summary().and_then(|s| {
                app.checklists
                    .iter()
                    .position(|l| l.organisation.id == s.org)
            });
            let n = app.checklists.len();
            // The next (or previous) organisation that has a review this year, wrapping.
            for step in 1..=n {
                let org = match (current, action == Action::NextOrg) {
                    (Some(c), true) => (c + step) % n,
                    (Some(c), false) => (c + n * step - step) % n,
                    (None, _) => step - 1,
                };
                if let Some(i) = first_review_of(app, &rows, org) {
                    app.dashboard_selected = i;
                    break;
                }
            }
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
        Action::Register => register::open(app),
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

/// The index among the review rows of organisation `org`'s first review, if it has one.
fn first_review_of(app: &App, rows: &[DashRow], org: usize) -> Option<usize> {
    let id = &app.checklists.get(org)?.organisation.id;
    review_rows(rows).position(|s| &s.org == id)
}

impl App {
    /// Selects organisation `org`'s first review on the overview (when it has one this year).
    pub fn select_org(&mut self, org: usize) {
        if let Some(i) = first_review_of(self, &self.dashboard_rows(), org) {
            self.dashboard_selected = i;
        }
    }

    /// The terminal's rows (24 until known).
    fn rows(&self) -> usize {
        self.size.map_or(24, |(_, h)| h as usize)
    }

    /// Rows a page moves on the overview: the review list's height less one, from the
    /// terminal size (header, wheel, borders, message and footer take about 14 rows).
    pub fn page(&self) -> usize {
        self.rows().saturating_sub(15).max(3)
    }

    /// Lines a page scrolls the details pane: its height (the terminal less header, borders,
    /// message and footer) less one line kept for context.
    pub fn detail_page(&self) -> u16 {
        self.rows().saturating_sub(7).max(3) as u16
    }
}

/// The selected item of the open review, with what identifies its review.
pub(crate) fn selected_item(app: &App) -> Option<(String, Period, Item)> {
    let (rs, list, items) = app.open_review()?;
    let item = items.get(rs.selected)?;
    Some((list.organisation.id.clone(), rs.period, (*item).clone()))
}

fn update_review(app: &mut App, action: Action) -> Option<Effect> {
    let page = app.detail_page();
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
        Action::ScrollUp => rs.scroll = rs.scroll.saturating_sub(page),
        Action::ScrollDown => rs.scroll = rs.scroll.saturating_add(page).min(500),
        Action::Hint(Hint::SignIsCapitalS) => app.info(
            app.lang
                .pick(
                    "Underskriv med stort S (Shift+s); ? viser alle taster.",
                    "Sign with a capital S (Shift+s); ? shows every key.",
                )
                .into(),
        ),
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
        Action::FollowUp | Action::CloseFollowUp => return follow_up_action(app, action),
        Action::SignReview => open_sign(app),
        Action::Reopen => open_reopen(app),
        Action::Walkthrough => {
            let org = rs.org;
            walkthrough::start(app, org);
        }
        Action::OpenExport => match (&app.viewer, &app.last_export) {
            (Some(_), Some(path)) => return Some(Effect::OpenFile(path.clone())),
            (None, _) => app.info(
                app.lang
                    .pick(
                        "Der er intet program til at åbne PDF'er her; åbn filen selv.",
                        "There is no program to open PDFs here; open the file yourself.",
                    )
                    .into(),
            ),
            (Some(_), None) => app.info(
                app.lang
                    .pick(
                        "Eksportér først med x; så åbner o filen.",
                        "Export with x first; then o opens the file.",
                    )
                    .into(),
            ),
        },
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
pub(crate) fn known_signer(app: &mut App, then: &Action) -> bool {
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
    let list_index = app.open_review()?.0.org;
    let current = review.sign_offs.get(&item.id);
    let note = app
        .draft(&org, period, &item.id)
        .cloned()
        .or_else(|| current.and_then(|s| s.note.clone()));
    // What the rules say regardless of who records (a period not begun, nothing to retract)
    // is said at once, before asking for a name.
    let by = app.signer.clone().unwrap_or_else(|| "?".into());
    let change = match action {
        Action::Retract => Some(Change::ItemRetracted {
            item: item.id.clone(),
            by: by.clone(),
        }),
        Action::Mark(status) => Some(Change::item_signed(&item, status, note.clone(), by.clone())),
        _ => None,
    };
    let list = &app.checklists[list_index];
    let verdict = change
        .as_ref()
        .map(|c| review.check(list, period, app.today, c));
    if let Some(Err(refusal)) = &verdict
        && !needs_note(refusal)
    {
        app.error(refusal.message_in(app.lang, list));
        return None;
    }
    if !known_signer(app, &action) {
        return None;
    }
    let by = app.signer.clone().unwrap_or_default();
    match (action, change) {
        (Action::EditNote, _) => {
            open_editor(app, &item, current.map(|s| s.status), note);
            None
        }
        (Action::Mark(Outcome::Deviation), _) => {
            // A deviation's note is always written or confirmed deliberately.
            open_editor(app, &item, Some(Outcome::Deviation), note);
            None
        }
        (Action::Mark(status), _)
            if current.is_some_and(|c| c.status == status && c.note == note) =>
        {
            app.info(format!(
                "{} {}.",
                app.lang
                    .pick("Allerede registreret som", "Already recorded as"),
                status.label(app.lang)
            ));
            None
        }
        (Action::Mark(status), _) if matches!(verdict, Some(Err(_))) => {
            open_editor(app, &item, Some(status), note);
            None
        }
        (_, Some(mut change)) => {
            match &mut change {
                Change::ItemSigned { by: b, .. } | Change::ItemRetracted { by: b, .. } => *b = by,
                _ => {}
            }
            propose(app, &review, org, period, change)
        }
        _ => None,
    }
}

/// A refusal the note editor answers: the note is what is missing.
fn needs_note(refusal: &Refusal) -> bool {
    matches!(
        refusal,
        Refusal::DeviationNeedsNote { .. }
            | Refusal::EvidenceNeedsNote { .. }
            | Refusal::NotApplicableNeedsNote { .. }
    )
}

fn follow_up_action(app: &mut App, action: Action) -> Option<Effect> {
    let (org, period, item) = selected_item(app)?;
    if !known_signer(app, &action) {
        return None;
    }
    let lang = app.lang;
    if action == Action::CloseFollowUp {
        let open = app
            .item_follow_ups(&org, period, &item.id)
            .into_iter()
            .find(|a| a.follow_up.is_open());
        match open {
            Some(a) => open_close_follow_up(app, org, a.period, item.id),
            None => app.error(
                Refusal::NoOpenAction {
                    item: item.title.clone(),
                }
                .message(lang),
            ),
        }
        return None;
    }
    let review = app.review(&org, period);
    if review.signature.is_some() {
        app.error(
            Refusal::ReviewSigned {
                period: period.key(),
            }
            .message(lang)
                + lang.pick(" (tast R)", " (press R)"),
        );
        return None;
    }
    if review.sign_offs.get(&item.id).map(|s| s.status) != Some(Outcome::Deviation) {
        app.error(
            Refusal::NotADeviation {
                item: item.title.clone(),
            }
            .message(lang),
        );
        return None;
    }
    open_follow_up(app, org, period, item.id);
    None
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
            app.error(refusal.message_in(app.lang, list));
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
        Overlay::ConfirmDropNote(note) => {
            match action {
                Action::Confirm => app.plain(
                    app.lang
                        .pick(
                            "Ændringerne i noten er kasseret.",
                            "The note's changes were thrown away.",
                        )
                        .into(),
                ),
                Action::Cancel => app.overlay = Some(Overlay::Note(note)),
                _ => app.overlay = Some(Overlay::ConfirmDropNote(note)),
            }
            None
        }
        Overlay::OpenItems { items, scroll } => {
            match action {
                Action::Down => {
                    // The list shows the terminal's rows less the dialog's frame and text.
                    let room = app.rows().saturating_sub(9).max(1);
                    let scroll = (scroll + 1).min(items.len().saturating_sub(room));
                    app.overlay = Some(Overlay::OpenItems { items, scroll });
                }
                Action::Up => {
                    let scroll = scroll.saturating_sub(1);
                    app.overlay = Some(Overlay::OpenItems { items, scroll });
                }
                Action::Submit => {
                    if let Screen::Review(rs) = &mut app.screen {
                        let list = &app.checklists[rs.org];
                        if let Some(i) = items.first().and_then(|first| {
                            list.items_of(rs.period.cadence())
                                .position(|i| &i.id == first)
                        }) {
                            rs.selected = i;
                            rs.scroll = 0;
                        }
                    }
                }
                Action::Cancel => {}
                _ => app.overlay = Some(Overlay::OpenItems { items, scroll }),
            }
            None
        }
        Overlay::Note(note) => update_note(app, note, action),
        Overlay::Form(form) => update_form(app, form, action),
    }
}
