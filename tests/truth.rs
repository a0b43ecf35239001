//! What the record says is what was signed, and a damaged store takes no writes: the built
//! binary on a real database, the record parsed back with lopdf, the screen rendered.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use aarshjul::checklist::load_dir;
use aarshjul::i18n::Lang;
use aarshjul::period::Period;
use aarshjul::review::{Change, Event, Outcome};
use aarshjul::tui::app::{App, ReviewScreen, Screen};
use aarshjul::tui::theme::Theme;
use aarshjul::tui::view;
use chrono::NaiveDate;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const YEAR: [&str; 4] = ["--org", "skgr", "--period", "2026"];
const FIREWALL: &str = "Få interne computere opdateret med firewall og virusbeskyttelse";
const FIREWALL_NOW: &str =
    "Få alle computere opdateret med firewall, virusbeskyttelse og kryptering";

/// The yearly items of skgr with the notes they need.
const ITEMS: [(&str, &str, Option<&str>); 9] = [
    ("udskrevne-borgere", "done", Some("14 borgere slettet")),
    (
        "interne-retningslinjer",
        "done",
        Some("Håndbogen opdateret"),
    ),
    (
        "personalemoede-gennemgang",
        "done",
        Some("12/11, 14 deltagere"),
    ),
    (
        "firewall-virus",
        "deviation",
        Some("To bærbare mangler opdatering"),
    ),
    ("fratraadte-medarbejdere", "done", Some("3 fratrådte")),
    ("personoplysninger-12-maaneder", "done", None),
    ("databehandleraftaler", "done", Some("Ingen ændringer")),
    ("fysisk-sikring-botilbud", "not-applicable", Some("Flyttet")),
    ("politik-offentliggjort", "done", None),
];

struct Env {
    dir: tempfile::TempDir,
    checklists: PathBuf,
}

impl Env {
    /// A fresh database and a copy of the shipped checklists the test may edit.
    fn new() -> Env {
        let dir = tempfile::tempdir().unwrap();
        let checklists = dir.path().join("checklists");
        std::fs::create_dir(&checklists).unwrap();
        let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("checklists");
        for entry in std::fs::read_dir(shipped).unwrap() {
            let entry = entry.unwrap();
            if entry.file_name().to_string_lossy().ends_with(".toml") {
                std::fs::copy(entry.path(), checklists.join(entry.file_name())).unwrap();
            }
        }
        Env { dir, checklists }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn db(&self) -> PathBuf {
        self.path("data/aarshjul.sqlite")
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_aarshjul"))
            .args(args)
            .env("AARSHJUL_DB", self.db())
            .env("AARSHJUL_CHECKLISTS", &self.checklists)
            .env("AARSHJUL_NOW", "2026-11-22T13:00:00Z")
            .env("LANG", "en_GB.UTF-8")
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .current_dir(self.dir.path())
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap()
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "{args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    fn record_year(&self) {
        for (item, status, note) in ITEMS {
            let mut args = vec!["record"];
            args.extend(YEAR);
            args.extend(["--item", item, "--status", status, "--by", "H. Salmon"]);
            if let Some(n) = note {
                args.extend(["--note", n]);
            }
            self.ok(&args);
        }
    }

    fn sign_year(&self) {
        let mut args = vec!["sign"];
        args.extend(YEAR);
        args.extend(["--by", "H. Salmon", "--role", "Leder"]);
        self.ok(&args);
    }

    fn export(&self, name: &str) -> Vec<u8> {
        let out = self.path(name);
        let mut args = vec!["export"];
        args.extend(YEAR);
        args.extend(["--out", out.to_str().unwrap()]);
        self.ok(&args);
        std::fs::read(out).unwrap()
    }

    /// Rewrites the firewall item's title in the checklist copy.
    fn edit_firewall_title(&self) {
        let file = self.checklists.join("skgr.toml");
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(text.contains(FIREWALL));
        std::fs::write(&file, text.replace(FIREWALL, FIREWALL_NOW)).unwrap();
    }
}

/// The whole text of a PDF, whitespace collapsed (genpdf writes each word on its own).
fn pdf_text(bytes: &[u8]) -> String {
    let doc = lopdf::Document::load_mem(bytes).unwrap();
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    let text = doc.extract_text(&pages).unwrap();
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn the_record_prints_the_title_as_signed_after_the_checklist_changed() {
    let env = Env::new();
    env.record_year();
    env.sign_year();
    let before = pdf_text(&env.export("before.pdf"));
    assert!(before.contains(&collapse(FIREWALL)), "{before}");
    assert!(!before.contains("Tekst ved registrering"));

    env.edit_firewall_title();
    let after = pdf_text(&env.export("after.pdf"));
    // The item heading, the deviations list and the history keep the title that was signed.
    let signed_heading = format!("4. {}", collapse(FIREWALL));
    assert!(after.contains(&signed_heading), "{after}");
    assert!(
        after.contains(&format!("Registreret »{}«: Afvigelse", collapse(FIREWALL))),
        "{after}"
    );
    assert!(!after.contains(&format!("Registreret »{}", collapse(FIREWALL_NOW))));
    // Today's text stands beside it, labelled.
    assert!(
        after.contains(&format!(
            "Tekst ved registrering: {} Tekst nu: {}",
            collapse(FIREWALL),
            collapse(FIREWALL_NOW)
        )),
        "{after}"
    );
    assert!(after.contains("ændret i tjeklisten efter registreringen"));

    // The fingerprint does not read today's checklist: the new record verifies as the review
    // as it stands, and so does the earlier one.
    for file in ["before.pdf", "after.pdf"] {
        let out = env.run(&["verify", env.path(file).to_str().unwrap()]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{file}: {stdout}");
        assert!(stdout.contains("VALID"), "{stdout}");
    }

    // The sign-off event stores the text as it was.
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    let payload: String = conn
        .query_row(
            "SELECT payload FROM event WHERE payload LIKE '%firewall-virus%'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(
        payload.contains(&format!(r#""title":"{FIREWALL}""#)),
        "{payload}"
    );
}

#[test]
fn the_screen_shows_the_text_when_recorded_and_now() {
    let checklists = Path::new(env!("CARGO_MANIFEST_DIR")).join("checklists");
    let lists = load_dir(&checklists, Lang::Da).unwrap();
    let period: Period = "2026".parse().unwrap();
    let org = lists
        .iter()
        .position(|l| l.organisation.id == "skgr")
        .unwrap();
    let item = lists[org].item("firewall-virus").unwrap().clone();
    let event = Event {
        seq: 1,
        at: "2026-11-20T09:00:00Z".parse().unwrap(),
        org: "skgr".into(),
        period,
        change: Change::item_signed(&item, Outcome::Done, None, "H. Salmon".into()),
    };
    let mut edited = lists.clone();
    for i in &mut edited[org].items {
        if i.id == "firewall-virus" {
            i.title = FIREWALL_NOW.into();
        }
    }
    let selected = edited[org]
        .items_of(period.cadence())
        .position(|i| i.id == "firewall-virus")
        .unwrap();
    let today = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
    let mut app = App::new(edited, vec![event], Lang::Da, Theme { color: false }, today);
    app.screen = Screen::Review(ReviewScreen {
        org,
        period,
        selected,
        scroll: 8,
    });
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
    terminal.draw(|f| view::draw(f, &app)).unwrap();
    let buffer = terminal.backend().buffer();
    let screen: String = (0..40)
        .map(|y| {
            (0..120)
                .map(|x| buffer[(x, y)].symbol())
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("\n");
    let flat = collapse(&screen.replace('│', " "));
    assert!(
        flat.contains("Tekst ved registrering: Få interne computere"),
        "{screen}"
    );
    assert!(flat.contains("Tekst nu: Få alle computere"), "{screen}");
}
