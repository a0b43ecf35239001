//! The year keeps going on screen (issue #11): overdue reviews carried into the next year,
//! "before adoption" when browsing back, and the follow-up of a deviation from recording to
//! closing. Key scripts through keymap → update → effects on a real temporary database.

use std::path::Path;

use aarshjul::checklist::{Checklist, load_dir};
use aarshjul::i18n::Lang;
use aarshjul::period::Period;
use aarshjul::review::Change;
use aarshjul::store::Store;
use aarshjul::tui::app::{App, Overlay, Screen};
use aarshjul::tui::keymap::keymap;
use aarshjul::tui::run::dispatch;
use aarshjul::tui::theme::Theme;
use aarshjul::tui::view;
use chrono::{DateTime, NaiveDate, Utc};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

struct Harness {
    app: App,
    store: Store,
    dir: tempfile::TempDir,
    now: DateTime<Utc>,
}

fn lists() -> Vec<Checklist> {
    load_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("checklists"),
        Lang::Da,
    )
    .unwrap()
}

impl Harness {
    /// The terminal UI at `now` (13:05 UTC on that day), on a new database.
    fn at(day: &str) -> Harness {
        let dir = tempfile::tempdir().unwrap();
        Harness::on(dir, day, lists())
    }

    fn on(dir: tempfile::TempDir, day: &str, lists: Vec<Checklist>) -> Harness {
        let store = Store::open(&dir.path().join("aarshjul.sqlite")).unwrap();
        let now: DateTime<Utc> = format!("{day}T13:05:00Z").parse().unwrap();
        let today: NaiveDate = day.parse().unwrap();
        let events = store.all_events().unwrap();
        let app = App::new(lists, events, Lang::Da, Theme { color: false }, today);
        Harness {
            app,
            store,
            dir,
            now,
        }
    }

    /// The same database opened again on another day.
    fn later(self, day: &str) -> Harness {
        let Harness { dir, store, .. } = self;
        drop(store);
        Harness::on(dir, day, lists())
    }

    fn key(&mut self, code: KeyCode) {
        let m = match code {
            KeyCode::Char(c) if c.is_uppercase() => KeyModifiers::SHIFT,
            _ => KeyModifiers::NONE,
        };
        self.press(code, m);
    }

    fn press(&mut self, code: KeyCode, modifiers: KeyModifiers) {
        let now = self.now;
        if let Some(action) = keymap(&self.app, KeyEvent::new(code, modifiers)) {
            dispatch(&mut self.app, &mut self.store, action, || now);
        }
    }

    fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            self.key(KeyCode::Char(c));
        }
    }

    /// Empties the focused form field.
    fn clear_field(&mut self) {
        for _ in 0..40 {
            self.key(KeyCode::Backspace);
        }
    }

    fn open(&mut self, org: &str, period: &str) {
        let period: Period = period.parse().unwrap();
        while self.app.dashboard_selected > 0 {
            self.key(KeyCode::Up);
        }
        for _ in 0..200 {
            let s = self.app.selected_summary().unwrap();
            if s.org == org && s.period == period {
                self.key(KeyCode::Enter);
                return;
            }
            self.key(KeyCode::Down);
        }
        panic!("{org} {period} not on the dashboard");
    }

    /// Selects the item whose title starts with `title` on the open review.
    fn item(&mut self, title: &str) {
        for _ in 0..30 {
            self.key(KeyCode::Up);
        }
        for _ in 0..30 {
            let (_, _, items) = self.app.open_review().unwrap();
            let Screen::Review(rs) = &self.app.screen else {
                panic!()
            };
            if items[rs.selected].title.starts_with(title) {
                return;
            }
            self.key(KeyCode::Down);
        }
        panic!("no item {title}");
    }

    fn screen(&self, width: u16, height: u16) -> String {
        let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
        terminal.draw(|f| view::draw(f, &self.app)).unwrap();
        let buffer = terminal.backend().buffer();
        let mut out = String::new();
        for y in 0..height {
            let mut line = String::new();
            for x in 0..width {
                line.push_str(buffer[(x, y)].symbol());
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }

    fn changes(&self) -> Vec<Change> {
        self.store
            .all_events()
            .unwrap()
            .into_iter()
            .map(|e| e.change)
            .collect()
    }

    fn message(&self) -> String {
        self.app
            .message
            .as_ref()
            .map(|m| m.text.clone())
            .unwrap_or_default()
    }
}

const MONTHLY: &str = "Mind medarbejderne";

#[test]
fn a_deviation_is_followed_up_into_the_next_review_and_closed() {
    let mut h = Harness::at("2026-11-22");
    h.open("skgr", "2026-10");
    h.item(MONTHLY);
    h.key(KeyCode::Char('a'));
    h.type_text("Henriette Salmon");
    h.key(KeyCode::Enter);
    h.type_text("Zenegy-aftalen mangler");
    h.press(KeyCode::Char('s'), KeyModifiers::CONTROL);
    // Recorded, and at once: what will be done, by whom, by when?
    assert!(
        h.message().starts_with("Gemt: Registreret"),
        "{}",
        h.message()
    );
    let dialog = h.screen(100, 30);
    assert!(dialog.contains("Opfølgning på afvigelsen"), "{dialog}");
    assert!(
        dialog.contains("06.12.2026"),
        "14 days on is offered\n{dialog}"
    );
    h.type_text("Indhent aftalen");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Enter); // the recorder is offered as owner
    h.clear_field();
    h.type_text("31.02.2027");
    h.key(KeyCode::Enter);
    assert!(h.message().contains("15.12.2026"), "{}", h.message());
    assert!(matches!(h.app.overlay, Some(Overlay::Form(_))), "kept");
    h.clear_field();
    h.type_text("15.12.2026");
    h.key(KeyCode::Enter);
    assert!(h.app.overlay.is_none(), "{}", h.message());
    match h.changes().last().unwrap() {
        Change::ActionOpened {
            item,
            action,
            owner,
            due,
            by,
        } => {
            assert_eq!(item, "egne-enheder-oprydning");
            assert_eq!(action, "Indhent aftalen");
            assert_eq!(owner, "Henriette Salmon");
            assert_eq!(*due, NaiveDate::from_ymd_opt(2026, 12, 15).unwrap());
            assert_eq!(by, "Henriette Salmon");
        }
        other => panic!("{other:?}"),
    }
    let screen = h.screen(140, 60);
    assert!(screen.contains("⚑ Opfølgning:"), "{screen}");
    assert!(screen.contains("Indhent aftalen"), "{screen}");

    // On the overview, until closed.
    h.key(KeyCode::Esc);
    let overview = h.screen(120, 40);
    assert!(
        overview.contains(
            "⚑ Opfølgning, frist 15.12.2026 (om 23 dage): Indhent aftalen — Henriette Salmon · Mind medarbejderne"
        ),
        "{overview}"
    );

    // The next review of the same item shows it beside the item.
    h.open("skgr", "2026-11");
    h.item(MONTHLY);
    let screen = h.screen(140, 60);
    assert!(screen.contains("Åben opfølgning fra 2026-10:"), "{screen}");
    assert!(screen.contains(" ⚑"), "the item is flagged\n{screen}");

    // Closed there with a note: recorded in October's review, gone from the overview.
    h.key(KeyCode::Char('c'));
    h.type_text("Aftalen modtaget");
    h.key(KeyCode::Enter);
    let events = h.store.all_events().unwrap();
    let last = events.last().unwrap();
    assert_eq!(last.period.key(), "2026-10");
    assert!(
        matches!(&last.change, Change::ActionClosed { note, .. } if note == "Aftalen modtaget")
    );
    assert!(!h.screen(140, 60).contains("Åben opfølgning"));
    h.key(KeyCode::Char('c'));
    assert!(
        h.message().contains("ingen åben opfølgning"),
        "{}",
        h.message()
    );
    h.key(KeyCode::Esc);
    assert!(!h.screen(120, 40).contains("⚑ Opfølgning"));
}

#[test]
fn signing_a_deviation_without_follow_up_says_so_first() {
    let mut h = Harness::at("2026-11-22");
    h.open("skgr", "2026-11");
    h.item(MONTHLY);
    h.key(KeyCode::Char('a'));
    h.type_text("Lise");
    h.key(KeyCode::Enter);
    h.type_text("Rettet på stedet");
    h.press(KeyCode::Char('s'), KeyModifiers::CONTROL);
    h.key(KeyCode::Esc);
    assert!(h.message().contains("tast o på punktet"), "{}", h.message());
    h.key(KeyCode::Char('S'));
    let dialog = h.screen(100, 30);
    assert!(
        dialog.contains("Afvigelser uden opfølgning") && dialog.contains("[!] Mind medarbejderne"),
        "{dialog}"
    );
    // Signing is the confirmation.
    h.key(KeyCode::Enter);
    h.type_text("Leder");
    h.key(KeyCode::Enter);
    assert!(h.message().contains("Underskrevet"), "{}", h.message());
    // o on a signed review is refused; on an item that is no deviation too.
    h.key(KeyCode::Char('o'));
    assert!(h.message().contains("er underskrevet"), "{}", h.message());
}

#[test]
fn overdue_reviews_carry_into_the_new_year_and_earlier_ones_are_before_adoption() {
    let mut h = Harness::at("2026-11-22");
    h.open("skgr", "2026-11");
    h.item(MONTHLY);
    h.key(KeyCode::Char(' '));
    h.type_text("Lise");
    h.key(KeyCode::Enter);
    // The item asks for evidence: the note editor is open.
    h.type_text("Mindet om det på mail");
    h.press(KeyCode::Char('s'), KeyModifiers::CONTROL);
    // New Year: November's review was never signed.
    let h = h.later("2027-01-05");
    let rows = h.app.dashboard_rows();
    let first = aarshjul::tui::app::review_rows(&rows)
        .find(|s| s.org == "skgr")
        .unwrap();
    let screen = h.screen(100, 40);
    assert!(
        screen.contains("Gennemgange 2027 og 5 overskredne fra tidligere år"),
        "{screen}"
    );
    assert!(screen.contains("! Månedsgennemgang 2026-11"), "{screen}");
    assert!(screen.contains("! Kvartalsgennemgang 2026-Q4"), "{screen}");
    assert_eq!(
        first.state,
        aarshjul::review::ReviewState::Overdue,
        "overdue first"
    );
    assert!(first.carried);
    // Browsing back: before the first record, nothing was due.
    let mut h = h;
    h.key(KeyCode::Char('['));
    let screen = h.screen(100, 40);
    assert!(
        screen.contains("– Månedsgennemgang 2026-10    før ibrugtagning"),
        "{screen}"
    );
    assert!(screen.contains("! Månedsgennemgang 2026-11"), "{screen}");
}

#[test]
fn a_new_installation_opens_on_what_is_due_now() {
    let h = Harness::at("2026-11-22");
    let first = h.app.selected_summary().unwrap();
    assert_eq!(
        (first.org.as_str(), first.period.key().as_str()),
        ("fordelingssekretariatet", "2026")
    );
    let screen = h.screen(80, 24);
    assert!(!screen.contains("overskredet   0/"), "{screen}");
    let _ = &h.dir;
}

#[test]
fn follow_up_screens() {
    let mut h = Harness::at("2026-11-22");
    h.open("skgr", "2026-11");
    h.key(KeyCode::Char('a'));
    h.type_text("Henriette Salmon");
    h.key(KeyCode::Enter);
    h.type_text("Zenegy-aftalen mangler, følges op 15.12");
    h.press(KeyCode::Char('s'), KeyModifiers::CONTROL);
    insta::assert_snapshot!("follow_up_dialog_da_80x24", h.screen(80, 24));
    h.key(KeyCode::Esc);
    h.key(KeyCode::Char('S'));
    insta::assert_snapshot!("sign_without_follow_up_da_80x24", h.screen(80, 24));
    h.key(KeyCode::Esc);
    h.key(KeyCode::Char('o'));
    h.type_text("Indhent aftalen fra Zenegy");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Enter);
    h.clear_field();
    h.type_text("15.12.2026");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Esc);
    let h = h.later("2027-01-05");
    insta::assert_snapshot!("dashboard_carried_over_da_80x24", h.screen(80, 24));
}
