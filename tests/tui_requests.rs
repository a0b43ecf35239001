//! The register of data-subject requests in the terminal UI, without a terminal: key scripts
//! through keymap → update → effects on a real temporary database, and the screens rendered
//! into a TestBackend and snapshotted.

use std::path::Path;

use aarshjul::checklist::load_dir;
use aarshjul::i18n::Lang;
use aarshjul::request::{Kind, Resolution};
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

    fn keys(&mut self, code: KeyCode, n: usize) {
        for _ in 0..n {
            self.key(code);
        }
    }

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

    fn org_of_register(&self) -> String {
        match &self.app.screen {
            Screen::Register(rs) => self.app.checklists[rs.org].organisation.id.clone(),
            _ => panic!("not on the register screen"),
        }
    }
}

#[test]
fn register_extend_and_close_a_request_from_the_register_screen() {
    let mut h = Harness::new(Lang::Da);
    // The overview's first review is Fordelingssekretariatet's; r opens its register.
    h.key(KeyCode::Char('r'));
    assert_eq!(h.org_of_register(), "fordelingssekretariatet");
    insta::assert_snapshot!("register_empty_da_100x30", h.screen(100, 30));

    // n: the name is asked once, as for reviews, then the dialog.
    h.key(KeyCode::Char('n'));
    assert!(matches!(h.app.overlay, Some(Overlay::Form(_))));
    h.type_text("Henriette Salmon");
    h.key(KeyCode::Enter);
    h.type_text("010190-1234");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Enter);
    h.keys(KeyCode::Backspace, 10);
    h.type_text("2026-11-02");
    insta::assert_snapshot!("register_new_dialog_da_100x30", h.screen(100, 30));
    h.key(KeyCode::Enter);
    // A CPR-like reference is refused; the dialog stays open with what was typed.
    assert!(
        h.message().contains("ligner et CPR-nummer"),
        "{}",
        h.message()
    );
    assert!(matches!(h.app.overlay, Some(Overlay::Form(_))));
    assert!(h.changes().is_empty());
    h.keys(KeyCode::Backspace, 11);
    h.type_text("sag 2026-014");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Enter);
    h.key(KeyCode::Enter);
    assert!(h.app.overlay.is_none(), "{}", h.message());
    assert!(
        h.message()
            .starts_with("Gemt: Anmodning registreret »sag 2026-014«")
    );
    let Change::RequestReceived(r) = &h.changes()[0] else {
        panic!("{:?}", h.changes());
    };
    assert_eq!(r.kind, Kind::Access);
    assert_eq!(r.by, "Henriette Salmon");
    // Four weeks: 30 November, not the GDPR's 2 December.
    assert_eq!(r.deadline.to_string(), "2026-11-30");
    insta::assert_snapshot!("register_one_open_da_100x30", h.screen(100, 30));

    // f: extend, told today, two months.
    h.key(KeyCode::Char('f'));
    h.type_text("Oplysninger hentes fra tre afdelinger");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Enter);
    h.key(KeyCode::Enter);
    assert!(h.app.overlay.is_none(), "{}", h.message());
    let screen = h.screen(100, 30);
    assert!(screen.contains("frist 02.02.2027"), "{screen}");
    assert!(screen.contains("Forlænget med 2 måneder"), "{screen}");
    // Only once.
    h.key(KeyCode::Char('f'));
    h.type_text("x");
    h.keys(KeyCode::Enter, 3);
    assert!(
        h.message().contains("allerede forlænget"),
        "{}",
        h.message()
    );
    h.key(KeyCode::Esc);

    // a: close as refused; the note editor follows and a refusal needs its note.
    h.key(KeyCode::Char('a'));
    h.key(KeyCode::Backspace);
    h.type_text("2");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Enter);
    assert!(matches!(h.app.overlay, Some(Overlay::Note(_))));
    insta::assert_snapshot!("register_close_note_da_100x30", h.screen(100, 30));
    h.ctrl('s');
    assert!(
        h.message().contains("Et afslag kræver en note"),
        "{}",
        h.message()
    );
    h.type_text("Oplysningerne er slettet efter aftale med bestyrelsen");
    h.ctrl('s');
    assert!(h.app.overlay.is_none(), "{}", h.message());
    let Change::RequestClosed(c) = h.changes().last().unwrap().clone() else {
        panic!();
    };
    assert_eq!(c.outcome, Resolution::Refused);
    assert_eq!(c.closed.to_string(), "2026-11-22");
    assert_eq!(h.changes().len(), 3);
    let screen = h.screen(100, 30);
    assert!(screen.contains("afvist 22. november 2026"), "{screen}");

    // Closed: nothing left to extend or close, and the overview lists no open request.
    h.key(KeyCode::Char('a'));
    assert!(
        h.message().contains("allerede afsluttet"),
        "{}",
        h.message()
    );
    h.key(KeyCode::Char('q'));
    assert!(matches!(h.app.screen, Screen::Dashboard));
    assert!(!h.screen(100, 30).contains("Åbne anmodninger"));
}

#[test]
fn the_overview_lists_open_requests_and_the_look_back_item_shows_the_year() {
    let mut h = Harness::new(Lang::Da);
    h.key(KeyCode::Char('r'));
    h.key(KeyCode::Char('n'));
    h.type_text("H");
    h.key(KeyCode::Enter);
    h.type_text("sag 2026-009");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Backspace);
    h.type_text("5");
    h.key(KeyCode::Enter);
    h.keys(KeyCode::Backspace, 10);
    h.type_text("2026-10-01");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Char('n'));
    h.type_text("sag 2026-031");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Enter);
    h.key(KeyCode::Enter);
    assert_eq!(h.changes().len(), 2, "{}", h.message());
    h.key(KeyCode::Esc);
    let screen = h.screen(100, 30);
    insta::assert_snapshot!("dashboard_open_requests_da_100x30", screen);
    assert!(screen.contains("sag 2026-009"), "{screen}");
    assert!(screen.contains("24 dage over fristen"), "{screen}");
    assert!(screen.contains("28 dage tilbage"), "{screen}");

    // The yearly review: the look-back item shows the year's register beside it.
    h.keys(KeyCode::Up, 60);
    for _ in 0..60 {
        let s = h.app.selected_summary().unwrap();
        if s.org == "fordelingssekretariatet" && s.period.key() == "2026" {
            break;
        }
        h.key(KeyCode::Down);
    }
    h.key(KeyCode::Enter);
    let Screen::Review(rs) = &h.app.screen else {
        panic!("not on a review");
    };
    assert_eq!(rs.period.key(), "2026");
    let items: Vec<String> = h.app.checklists[rs.org]
        .items_of(rs.period.cadence())
        .map(|i| i.id.clone())
        .collect();
    let at = items
        .iter()
        .position(|i| i == "indsigtsbegaeringer")
        .unwrap();
    h.keys(KeyCode::Down, at);
    let screen = h.screen(140, 40);
    assert!(
        screen.contains("Registret over anmodninger 2026: 2 modtaget · 0 besvaret inden"),
        "{screen}"
    );
    assert!(screen.contains("(heraf over fristen: 1)"), "{screen}");
}

#[test]
fn the_register_in_english_at_80_columns() {
    let mut h = Harness::new(Lang::En);
    h.key(KeyCode::Char('r'));
    h.key(KeyCode::Char('n'));
    h.type_text("Jane Doe");
    h.key(KeyCode::Enter);
    h.type_text("case 17");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Backspace);
    h.type_text("7");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Enter);
    assert_eq!(h.changes().len(), 1, "{}", h.message());
    insta::assert_snapshot!("register_en_80x24", h.screen(80, 24));
    h.key(KeyCode::Char('?'));
    let help = h.screen(80, 24);
    assert!(help.contains("register a new request"), "{help}");
}

#[test]
fn the_overview_shows_open_follow_ups_and_open_requests_together() {
    use aarshjul::request::Received;
    let mut h = Harness::new(Lang::Da);
    let list = h
        .app
        .checklists
        .iter()
        .find(|l| l.organisation.id == "fordelingssekretariatet")
        .unwrap()
        .clone();
    let item = list.item("backup-gendannelse").unwrap().clone();
    let period = "2026-11".parse().unwrap();
    // A deviation in November with its follow-up, and an open request: both on the overview.
    for change in [
        Change::item_signed(
            &item,
            aarshjul::review::Outcome::Deviation,
            Some("Gendannelsen fejlede".into()),
            "Henriette Salmon".into(),
        ),
        Change::ActionOpened {
            item: item.id.clone(),
            action: "Ny gendannelsestest".into(),
            owner: "IT-leverandøren".into(),
            due: NaiveDate::from_ymd_opt(2026, 12, 10).unwrap(),
            by: "Henriette Salmon".into(),
        },
    ] {
        h.store
            .append("fordelingssekretariatet", period, now(), |_| Ok(change))
            .unwrap();
    }
    aarshjul::flows::register::record(
        &mut h.store,
        &list,
        now(),
        Change::RequestReceived(Received {
            reference: "sag 2026-031".into(),
            kind: Kind::Access,
            received: NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
            deadline: NaiveDate::from_ymd_opt(2026, 12, 18).unwrap(),
            by: "Henriette Salmon".into(),
        }),
    )
    .unwrap();
    let events = h.store.all_events().unwrap();
    h.app = App::new(
        h.app.checklists.clone(),
        events,
        Lang::Da,
        Theme { color: false },
        NaiveDate::from_ymd_opt(2026, 11, 22).unwrap(),
    );
    let screen = h.screen(100, 30);
    insta::assert_snapshot!("dashboard_follow_up_and_request_da_100x30", screen);
    assert!(screen.contains("Ny gendannelsestest"), "{screen}");
    assert!(screen.contains("sag 2026-031"), "{screen}");
    assert!(
        screen.contains("Åbne anmodninger fra registrerede"),
        "{screen}"
    );
}
