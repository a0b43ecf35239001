//! The terminal UI without a terminal: key scripts through keymap → update → effects on a
//! real temporary database, and screens rendered into a TestBackend and snapshotted.

use std::path::Path;

use aarshjul::checklist::load_dir;
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
    _dir: tempfile::TempDir,
}

fn now() -> DateTime<Utc> {
    "2026-11-22T13:05:00Z".parse().unwrap()
}

impl Harness {
    fn new(lang: Lang) -> Harness {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("aarshjul.sqlite")).unwrap();
        let lists = load_dir(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("checklists"),
            lang,
        )
        .unwrap();
        let today = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        let app = App::new(lists, vec![], lang, Theme { color: false }, today);
        Harness {
            app,
            store,
            _dir: dir,
        }
    }

    fn press(&mut self, code: KeyCode, modifiers: KeyModifiers) {
        if let Some(action) = keymap(&self.app, KeyEvent::new(code, modifiers)) {
            dispatch(&mut self.app, &mut self.store, action, now);
        }
    }

    fn key(&mut self, code: KeyCode) {
        self.press(code, KeyModifiers::NONE);
    }

    /// Types text, one key per character (upper case with Shift, as a terminal sends it).
    fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            let m = if c.is_uppercase() {
                KeyModifiers::SHIFT
            } else {
                KeyModifiers::NONE
            };
            self.press(KeyCode::Char(c), m);
        }
    }

    fn ctrl(&mut self, c: char) {
        self.press(KeyCode::Char(c), KeyModifiers::CONTROL);
    }

    /// Selects the review `org` × `period` on the dashboard with ↓ and opens it with Enter.
    fn open(&mut self, org: &str, period: &str) {
        let period: Period = period.parse().unwrap();
        assert!(matches!(self.app.screen, Screen::Dashboard));
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

#[test]
fn a_quarterly_review_walked_signed_and_reopened() {
    let mut h = Harness::new(Lang::Da);
    h.open("skgr", "2026-Q4");
    assert!(matches!(h.app.screen, Screen::Review(_)));

    // Done on an item that asks for evidence: first who is recording, then the note.
    h.key(KeyCode::Enter);
    assert!(
        matches!(h.app.overlay, Some(Overlay::Form(_))),
        "asks who records"
    );
    h.type_text("Henriette Salmon");
    h.key(KeyCode::Enter);
    assert!(
        matches!(h.app.overlay, Some(Overlay::Note(_))),
        "evidence item opens the editor"
    );
    assert!(h.changes().is_empty(), "nothing saved without the note");
    h.type_text("4 enheder gennemgået");
    h.key(KeyCode::Enter);
    h.type_text("Botilbud og kontor");
    h.ctrl('s');
    assert!(h.app.overlay.is_none());
    assert!(
        h.message()
            .starts_with("Gemt: Registreret »enheder-skgr-oprydning«"),
        "{}",
        h.message()
    );

    // Signing with an item open is refused and names it.
    h.key(KeyCode::Char('S'));
    let dialog = h.screen(100, 30);
    assert!(
        dialog.contains("Kan ikke underskrives, før disse punkter er registreret"),
        "{dialog}"
    );
    assert!(dialog.contains("[ ] Slet jobansøgninger"), "{dialog}");
    h.key(KeyCode::Enter);
    h.type_text("Leder");
    h.key(KeyCode::Enter);
    assert!(
        h.message()
            .contains("mens punkter er åbne: jobansoegninger-sletning"),
        "{}",
        h.message()
    );
    h.key(KeyCode::Esc);

    // A deviation without a note opens the editor; with æøå and a pasted list it saves.
    h.key(KeyCode::Char('a'));
    assert!(matches!(h.app.overlay, Some(Overlay::Note(_))));
    h.type_text("Én ansøgning fra maj lå i indbakken; slettet.");
    dispatch(
        &mut h.app,
        &mut h.store,
        aarshjul::tui::Action::Paste("\nÅrsag: glemt\r\nTiltag: påmindelse".into()),
        now,
    );
    h.ctrl('s');

    // Sign: name remembered, role typed.
    h.key(KeyCode::Char('S'));
    h.key(KeyCode::Enter);
    h.type_text("Leder");
    h.key(KeyCode::Enter);
    assert!(
        h.message()
            .contains("Underskrevet: Henriette Salmon (Leder)"),
        "{}",
        h.message()
    );

    // A signed review takes no changes.
    let before = h.changes().len();
    h.key(KeyCode::Char('n'));
    assert!(h.message().contains("er underskrevet"), "{}", h.message());
    h.key(KeyCode::Char('e'));
    assert!(h.app.overlay.is_none());
    assert_eq!(h.changes().len(), before);

    // Reopen with a reason.
    h.key(KeyCode::Char('R'));
    h.type_text("Noten var ufuldstændig");
    h.key(KeyCode::Enter);

    let changes = h.changes();
    let kinds: Vec<&str> = changes.iter().map(|c| c.kind()).collect();
    assert_eq!(
        kinds,
        [
            "item-signed",
            "item-signed",
            "review-signed",
            "review-reopened"
        ]
    );
    match &changes[1] {
        Change::ItemSigned { note, by, .. } => {
            assert_eq!(by, "Henriette Salmon");
            assert_eq!(
                note.as_deref(),
                Some(
                    "Én ansøgning fra maj lå i indbakken; slettet.\nÅrsag: glemt\nTiltag: påmindelse"
                )
            );
        }
        other => panic!("{other:?}"),
    }
    match &changes[3] {
        Change::ReviewReopened { reason, .. } => assert_eq!(reason, "Noten var ufuldstændig"),
        other => panic!("{other:?}"),
    }
    assert!(
        h.store.verify_chain().unwrap() == aarshjul::store::chain::Verdict::Intact { events: 4 }
    );
}

#[test]
fn escape_cancels_the_editor_and_saves_nothing() {
    let mut h = Harness::new(Lang::En);
    h.open("skgr", "2026-Q4");
    h.key(KeyCode::Char('a'));
    h.type_text("Me");
    h.key(KeyCode::Enter);
    h.type_text("Something wrong");
    h.ctrl('s');
    assert!(h.app.overlay.is_none());
    h.key(KeyCode::Up);
    h.key(KeyCode::Char('a'));
    h.type_text("will be thrown away");
    h.key(KeyCode::Esc);
    assert_eq!(h.message(), "The note was not saved.");
    assert_eq!(h.changes().len(), 1, "only the first deviation");
}

#[test]
fn a_draft_note_is_kept_until_the_item_is_marked_and_quitting_asks_first() {
    let mut h = Harness::new(Lang::En);
    h.open("skgr", "2026-Q4");
    h.key(KeyCode::Char('e'));
    h.type_text("Me");
    h.key(KeyCode::Enter);
    h.type_text("3 units");
    h.ctrl('s');
    assert!(h.message().contains("kept as a draft"), "{}", h.message());
    assert!(h.changes().is_empty());
    assert!(
        h.screen(100, 30)
            .contains("Draft note (saved with the item):")
    );
    h.key(KeyCode::Esc);
    h.key(KeyCode::Char('q'));
    assert!(matches!(h.app.overlay, Some(Overlay::ConfirmQuit)));
    h.key(KeyCode::Char('n'));
    assert!(!h.app.quit);
    h.key(KeyCode::Enter);
    h.key(KeyCode::Enter);
    assert_eq!(
        h.changes().len(),
        1,
        "the draft satisfied the evidence rule"
    );
    match &h.changes()[0] {
        Change::ItemSigned { note, .. } => assert_eq!(note.as_deref(), Some("3 units")),
        other => panic!("{other:?}"),
    }
    assert!(h.app.drafts.is_empty());
    h.key(KeyCode::Esc);
    h.key(KeyCode::Char('q'));
    assert!(h.app.quit, "no drafts left: quits at once");
}

#[test]
fn retract_opens_an_item_again_and_ctrl_c_quits() {
    let mut h = Harness::new(Lang::En);
    h.open("skgr", "2026-11");
    h.key(KeyCode::Char('n'));
    h.type_text("Me");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Char('u'));
    assert_eq!(
        h.changes().iter().map(|c| c.kind()).collect::<Vec<_>>(),
        ["item-signed", "item-retracted"]
    );
    h.key(KeyCode::Char('u'));
    assert!(
        h.message().contains("has no outcome to retract"),
        "{}",
        h.message()
    );
    h.ctrl('c');
    assert!(h.app.quit);
}

#[test]
fn the_year_can_be_changed_for_history() {
    let mut h = Harness::new(Lang::En);
    h.key(KeyCode::Left);
    assert_eq!(h.app.year, 2025);
    let screen = h.screen(100, 30);
    assert!(screen.contains("Reviews 2025"), "{screen}");
    assert!(screen.contains("overdue"));
    h.key(KeyCode::Char(']'));
    h.key(KeyCode::Char(']'));
    assert!(h.screen(100, 30).contains("upcoming"));
}

fn snapshot(name: &str, h: &Harness, width: u16, height: u16) {
    insta::assert_snapshot!(name, h.screen(width, height));
}

#[test]
fn screens() {
    for (lang, tag) in [(Lang::Da, "da"), (Lang::En, "en")] {
        for (w, hgt) in [(80, 24), (140, 40)] {
            let size = format!("{w}x{hgt}");
            let mut h = Harness::new(lang);
            snapshot(&format!("dashboard_{tag}_{size}"), &h, w, hgt);
            h.open("skgr", "2026-Q4");
            h.key(KeyCode::Enter);
            h.type_text("Henriette Salmon");
            h.key(KeyCode::Enter);
            h.type_text("4 enheder; æøå ÆØÅ § – »citat«");
            snapshot(&format!("note_editor_{tag}_{size}"), &h, w, hgt);
            h.ctrl('s');
            snapshot(&format!("review_{tag}_{size}"), &h, w, hgt);
            h.key(KeyCode::Char('S'));
            snapshot(&format!("sign_dialog_{tag}_{size}"), &h, w, hgt);
            h.key(KeyCode::Esc);
            h.key(KeyCode::Char('?'));
            snapshot(&format!("help_{tag}_{size}"), &h, w, hgt);
        }
    }
}

#[test]
fn a_tiny_terminal_says_so_and_never_panics() {
    let mut h = Harness::new(Lang::Da);
    let small = h.screen(60, 20);
    assert!(small.contains("Terminalen er for lille (60×20)"), "{small}");
    h.open("fordelingssekretariatet", "2026");
    for (w, hgt) in [(1, 1), (0, 0), (79, 24), (80, 23), (80, 24), (300, 100)] {
        let _ = h.screen(w, hgt);
    }
    h.key(KeyCode::Char('S'));
    let _ = h.screen(80, 24);
    let _ = h.screen(10, 5);
}
