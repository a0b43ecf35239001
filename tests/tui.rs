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
        self.select(org, period);
        self.key(KeyCode::Enter);
    }

    /// Selects the review `org` × `period` on the dashboard with ↑ and ↓.
    fn select(&mut self, org: &str, period: &str) {
        let period: Period = period.parse().unwrap();
        assert!(matches!(self.app.screen, Screen::Dashboard));
        while self.app.dashboard_selected > 0 {
            self.key(KeyCode::Up);
        }
        for _ in 0..200 {
            let s = self.app.selected_summary().unwrap();
            if s.org == org && s.period == period {
                return;
            }
            self.key(KeyCode::Down);
        }
        panic!("{org} {period} not on the dashboard");
    }

    /// Signs the open review: S, the offered name, the role.
    fn sign(&mut self, role: &str) {
        self.key(KeyCode::Char('S'));
        self.key(KeyCode::Enter);
        self.type_text(role);
        self.key(KeyCode::Enter);
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

    /// The id of the item selected on the open review screen.
    fn open_review_item(&self) -> String {
        let (rs, _, items) = self.app.open_review().unwrap();
        items[rs.selected].id.clone()
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
            .starts_with("Gemt: Registreret »Ryd op på SKGR-enhederne«"),
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
    h.sign("Leder");
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
        h.screen(140, 60)
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

/// Walks SKGR's staff-meeting sections to the attendance form.
fn to_attendance(h: &mut Harness) {
    h.select("skgr", "2026");
    h.key(KeyCode::Char('w'));
    assert!(matches!(h.app.screen, Screen::Walkthrough(_)));
    let sections = h
        .app
        .checklists
        .iter()
        .find(|l| l.organisation.id == "skgr")
        .unwrap()
        .walkthrough
        .len();
    for n in 1..=sections {
        assert!(
            h.screen(100, 30).contains(&format!("{n} / {sections}")),
            "section {n}"
        );
        h.key(if n % 2 == 0 {
            KeyCode::Char(' ')
        } else {
            KeyCode::Right
        });
    }
    match &h.app.screen {
        Screen::Walkthrough(w) => assert!(w.at_attendance(sections)),
        _ => panic!("not in the walkthrough"),
    }
}

#[test]
fn a_staff_meeting_is_recorded_and_signs_the_walkthrough_item() {
    let mut h = Harness::new(Lang::Da);
    to_attendance(&mut h);
    // Date is today by default; place, leader, attendees (typed and pasted).
    h.type_text("Botilbud Krakasvej");
    h.key(KeyCode::Enter);
    h.type_text("Henriette Salmon");
    h.key(KeyCode::Tab);
    h.type_text("Åse Ørsted");
    h.key(KeyCode::Enter);
    dispatch(
        &mut h.app,
        &mut h.store,
        aarshjul::tui::Action::Paste("Bo Æbelø\r\n\n- Per Hansen\n".into()),
        now,
    );
    h.ctrl('s');
    assert!(
        matches!(h.app.screen, Screen::Dashboard),
        "back where it started: {}",
        h.message()
    );
    let changes = h.changes();
    assert_eq!(changes.len(), 2);
    match &changes[0] {
        Change::WalkthroughHeld(m) => {
            assert_eq!(m.date.to_string(), "2026-11-22");
            assert_eq!(m.department, "Botilbud Krakasvej");
            assert_eq!(m.leader, "Henriette Salmon");
            assert_eq!(m.attendees, ["Åse Ørsted", "Bo Æbelø", "Per Hansen"]);
            assert_eq!(m.sections.len(), h.app.checklists[1].walkthrough.len());
            assert_eq!(m.sections_fingerprint.len(), 64);
        }
        other => panic!("{other:?}"),
    }
    match &changes[1] {
        Change::ItemSigned {
            item,
            note,
            status,
            by,
            ..
        } => {
            assert_eq!(item, "personalemoede-gennemgang");
            assert_eq!(*status, aarshjul::review::Outcome::Done);
            assert_eq!(by, "Henriette Salmon");
            assert_eq!(
                note.as_deref(),
                Some(
                    "Gennemgået på personalemøde 22. november 2026, Botilbud Krakasvej, 3 deltagere (mødeleder: Henriette Salmon)."
                )
            );
        }
        other => panic!("{other:?}"),
    }

    // A second meeting (another department): the item lists both.
    to_attendance(&mut h);
    h.type_text("Kontoret");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Enter);
    h.type_text("Karin");
    h.ctrl('s');
    let changes = h.changes();
    assert_eq!(changes.len(), 4);
    match &changes[3] {
        Change::ItemSigned { note, .. } => {
            let note = note.as_deref().unwrap();
            assert_eq!(note.lines().count(), 2, "{note}");
            assert!(
                note.ends_with("Kontoret, 1 deltager (mødeleder: Henriette Salmon)."),
                "{note}"
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        h.app.review("skgr", "2026".parse().unwrap()).meetings.len(),
        2
    );
}

#[test]
fn the_attendance_form_refuses_what_is_missing_and_keeps_it() {
    let mut h = Harness::new(Lang::En);
    to_attendance(&mut h);
    h.ctrl('s');
    assert!(
        h.message().contains("place or department"),
        "{}",
        h.message()
    );
    h.type_text("Kontoret");
    h.key(KeyCode::Enter);
    h.type_text("Henriette");
    h.ctrl('s');
    assert!(h.message().contains("attendee"), "{}", h.message());
    h.key(KeyCode::BackTab);
    h.key(KeyCode::BackTab);
    h.key(KeyCode::BackTab);
    for _ in 0..10 {
        h.key(KeyCode::Backspace);
    }
    h.type_text("2027-01-05");
    h.key(KeyCode::Tab);
    h.key(KeyCode::Tab);
    h.key(KeyCode::Tab);
    h.type_text("Karin");
    h.ctrl('s');
    assert!(
        h.message().contains("lies in the future"),
        "{}",
        h.message()
    );
    for _ in 0..10 {
        h.key(KeyCode::Backspace);
    }
    h.type_text("i går");
    h.ctrl('s');
    assert!(h.message().contains("is not a date"), "{}", h.message());
    assert!(h.changes().is_empty());
    assert!(
        matches!(h.app.screen, Screen::Walkthrough(_)),
        "the form keeps what was typed"
    );
}

#[test]
fn leaving_a_walkthrough_early_asks_and_records_nothing() {
    let mut h = Harness::new(Lang::Da);
    to_attendance(&mut h);
    h.type_text("Kontoret");
    h.key(KeyCode::Esc);
    assert!(matches!(h.app.overlay, Some(Overlay::ConfirmDiscard)));
    h.key(KeyCode::Char('n'));
    assert!(matches!(h.app.screen, Screen::Walkthrough(_)), "no: stays");
    h.key(KeyCode::PageUp);
    h.key(KeyCode::Left);
    h.key(KeyCode::Esc);
    h.key(KeyCode::Char('j'));
    assert!(matches!(h.app.screen, Screen::Dashboard));
    assert!(
        h.message().contains("intet er registreret"),
        "{}",
        h.message()
    );
    assert!(h.changes().is_empty());
}

#[test]
fn a_walkthrough_of_a_signed_year_is_refused_with_the_form_kept() {
    let mut h = Harness::new(Lang::En);
    h.open("skgr", "2026");
    h.key(KeyCode::Char('n'));
    h.type_text("H");
    h.key(KeyCode::Enter);
    let yearly = h
        .app
        .checklists
        .iter()
        .find(|l| l.organisation.id == "skgr")
        .unwrap()
        .items_of(aarshjul::period::Cadence::Yearly)
        .count();
    for _ in 1..yearly {
        h.key(KeyCode::Char('n'));
    }
    h.sign("Leader");
    assert!(h.message().contains("Signed"), "{}", h.message());
    h.key(KeyCode::Char('w'));
    let sections = h
        .app
        .checklists
        .iter()
        .find(|l| l.organisation.id == "skgr")
        .unwrap()
        .walkthrough
        .len();
    for _ in 0..sections {
        h.key(KeyCode::Right);
    }
    h.type_text("Kontoret");
    h.key(KeyCode::Tab);
    h.key(KeyCode::Tab);
    h.type_text("Karin");
    h.ctrl('s');
    assert!(
        h.message().contains("is signed; reopen it"),
        "{}",
        h.message()
    );
    assert!(matches!(h.app.screen, Screen::Walkthrough(_)));
}

#[test]
fn an_organisation_without_sections_says_so() {
    let mut h = Harness::new(Lang::En);
    h.app.checklists[0].walkthrough.clear();
    h.select(&h.app.checklists[0].organisation.id.clone(), "2026");
    h.key(KeyCode::Char('w'));
    assert!(matches!(h.app.screen, Screen::Dashboard));
    assert!(
        h.message()
            .contains("has no sections for the staff meeting"),
        "{}",
        h.message()
    );
}

#[test]
fn walkthrough_screens() {
    for (w, hgt) in [(80, 24), (200, 50)] {
        let mut h = Harness::new(Lang::Da);
        h.select("skgr", "2026");
        h.key(KeyCode::Char('w'));
        h.key(KeyCode::Right);
        snapshot(&format!("walkthrough_section_{w}x{hgt}"), &h, w, hgt);
        h.key(KeyCode::Char('c'));
        let _ = h.screen(w, hgt);
        h.key(KeyCode::Char('c'));
        h.key(KeyCode::Right);
        snapshot(&format!("walkthrough_long_title_{w}x{hgt}"), &h, w, hgt);
    }
    let mut h = Harness::new(Lang::Da);
    to_attendance(&mut h);
    h.type_text("Botilbud Krakasvej");
    h.key(KeyCode::Enter);
    h.type_text("Henriette Salmon");
    h.key(KeyCode::Enter);
    h.type_text("Åse Ørsted");
    h.key(KeyCode::Enter);
    h.type_text("Bo Æbelø");
    snapshot("walkthrough_attendance_100x30", &h, 100, 30);
}

#[test]
fn x_exports_a_draft_then_a_signed_record_and_says_where() {
    let mut h = Harness::new(Lang::Da);
    h.open("skgr", "2026-Q4");
    h.key(KeyCode::Char('n'));
    h.type_text("Henriette Salmon");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Char('x'));
    let draft = h._dir.path().join("exports/skgr-2026-Q4-udkast.pdf");
    assert!(
        h.message().contains("udkast, ikke underskrevet"),
        "{}",
        h.message()
    );
    assert!(
        h.message().contains(&draft.display().to_string()),
        "{}",
        h.message()
    );
    assert!(std::fs::read(&draft).unwrap().starts_with(b"%PDF"));

    h.key(KeyCode::Char('n'));
    h.sign("Leder");
    h.key(KeyCode::Char('x'));
    let signed = h._dir.path().join("exports/skgr-2026-Q4.pdf");
    assert!(
        h.message().contains("underskrevet digitalt"),
        "{}",
        h.message()
    );
    assert!(std::fs::read(&signed).unwrap().starts_with(b"%PDF"));
    let exports = h
        .changes()
        .iter()
        .filter(|c| c.kind() == "export-made")
        .count();
    assert_eq!(exports, 2);
    // The screen still shows the review, with the export in the app's events.
    assert!(
        h.app
            .events
            .iter()
            .any(|e| e.change.kind() == "export-made")
    );
}

#[test]
fn a_signed_review_shows_who_signed_and_offers_only_what_it_takes() {
    let mut h = Harness::new(Lang::Da);
    h.open("skgr", "2026-11");
    h.key(KeyCode::Char('n'));
    h.type_text("Henriette Salmon");
    h.key(KeyCode::Enter);
    h.sign("Leder");
    let screen = h.screen(100, 30);
    assert!(
        screen.contains("✓ Underskrevet af Henriette Salmon (Leder), 22. november 2026 14:05"),
        "{screen}"
    );
    let footer = screen.lines().rev().find(|l| !l.is_empty()).unwrap();
    assert_eq!(footer, "x pdf  R genåbn  ? hjælp  q tilbage");
    snapshot("review_signed_da_100x30", &h, 100, 30);
}

#[test]
fn no_color_draws_without_colour_and_keeps_every_mark() {
    let lists = load_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("checklists"),
        Lang::Da,
    )
    .unwrap();
    let today = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
    for (no_color, coloured) in [
        (Some("1".to_string()), false),
        (None, true),
        (Some(String::new()), true),
    ] {
        let theme = Theme::from_env(no_color);
        let app = App::new(lists.clone(), vec![], Lang::Da, theme, today);
        let mut terminal = Terminal::new(TestBackend::new(100, 30)).unwrap();
        terminal.draw(|f| view::draw(f, &app)).unwrap();
        let buffer = terminal.backend().buffer();
        let any_colour = buffer
            .content()
            .iter()
            .any(|c| c.fg != ratatui::style::Color::Reset || c.bg != ratatui::style::Color::Reset);
        assert_eq!(any_colour, coloured);
        let text: String = buffer.content().iter().map(|c| c.symbol()).collect();
        assert!(text.contains("! Månedsgennemgang") && text.contains("overskredet"));
    }
}

#[test]
fn back_from_a_review_keeps_it_selected_though_it_moved() {
    let mut h = Harness::new(Lang::En);
    h.open("skgr", "2026-11");
    h.key(KeyCode::Char('n'));
    h.type_text("H");
    h.key(KeyCode::Enter);
    h.sign("Leder");
    h.key(KeyCode::Esc);
    let s = h.app.selected_summary().unwrap();
    assert_eq!(
        (s.org.as_str(), s.period.key().as_str()),
        ("skgr", "2026-11")
    );
    let screen = h.screen(100, 30);
    let row = screen.lines().find(|l| l.contains("▶")).unwrap();
    assert!(
        row.contains("✓ Monthly review 2026-11") && row.contains("H 22.11.2026"),
        "{row}"
    );
}

#[test]
fn a_paste_with_control_characters_is_refused_with_a_message() {
    let mut h = Harness::new(Lang::Da);
    h.app.signer = Some("Henriette Salmon".into());
    h.open("skgr", "2026-Q4");
    h.key(KeyCode::Char('a'));
    let Some(Overlay::Note(_)) = &h.app.overlay else {
        panic!("the note editor is open");
    };
    dispatch(
        &mut h.app,
        &mut h.store,
        aarshjul::tui::Action::Paste("Eve\u{1b}]0;PWNED\u{7}\u{1b}[2J".into()),
        now,
    );
    assert!(
        h.message().contains("indeholder et styretegn (U+001B)"),
        "{}",
        h.message()
    );
    let Some(Overlay::Note(note)) = &h.app.overlay else {
        panic!("the note editor stays open");
    };
    assert_eq!(note.editor.lines().join("\n"), "", "nothing inserted");
    dispatch(
        &mut h.app,
        &mut h.store,
        aarshjul::tui::Action::Paste("to\tkolonner\r\n".into()),
        now,
    );
    let Some(Overlay::Note(note)) = &h.app.overlay else {
        panic!("the note editor stays open");
    };
    assert_eq!(note.editor.lines().join("\n"), "to kolonner\n");
}

#[test]
fn a_change_to_a_review_that_moved_on_elsewhere_is_refused_not_overwritten() {
    let mut h = Harness::new(Lang::Da);
    h.app.signer = Some("Henriette Salmon".into());
    h.open("skgr", "2026-Q4");
    // Another process records the same item after the screen read the review.
    let mut other = Store::open(&h._dir.path().join("aarshjul.sqlite")).unwrap();
    let item = h.open_review_item();
    other
        .append(
            "skgr",
            "2026-Q4".parse().unwrap(),
            "2026-11-22T13:02:00Z".parse().unwrap(),
            |_| {
                Ok(Change::ItemSigned {
                    item: item.clone(),
                    status: aarshjul::review::Outcome::Deviation,
                    note: Some("Fundet af Karin".into()),
                    by: "Karin Ølgaard".into(),
                    fingerprint: String::new(),
                })
            },
        )
        .unwrap();
    drop(other);
    let before = h.changes().len();
    h.key(KeyCode::Char('a'));
    h.type_text("Min note");
    h.ctrl('s');
    assert!(
        h.message().contains(
            "ændret af Karin Ølgaard kl. 14:02, efter skærmen viste den; intet er gemt — se igen"
        ),
        "{}",
        h.message()
    );
    assert_eq!(h.changes().len(), before, "nothing overwritten");
    let Change::ItemSigned { by, .. } = h.changes().pop().unwrap() else {
        panic!("the other outcome stays the last word");
    };
    assert_eq!(by, "Karin Ølgaard");
}
