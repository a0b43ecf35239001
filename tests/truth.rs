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
const ITEMS: [(&str, &str, Option<&str>); 11] = [
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
    (
        "persondatapolitik-gennemgang",
        "done",
        Some("Ingen ændringer i politikken"),
    ),
    (
        "anmodninger-rettigheder",
        "done",
        Some("Ingen anmodninger i året"),
    ),
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
        args.extend(["--by", "H. Salmon", "--role", "Leder", "--no-action"]);
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

/// A signed yearly review of skgr: 9 sign-offs (events 1–9) and the signature (event 10).
fn signed_year() -> Env {
    let env = Env::new();
    env.record_year();
    env.sign_year();
    env
}

/// Changes who made event `seq` behind the program's back, as someone with sqlite3 could.
fn edit_note(db: &Path, seq: i64) {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.execute_batch("DROP TRIGGER event_append_only_update")
        .unwrap();
    let changed = conn
        .execute(
            "UPDATE event SET payload = replace(payload, '\"by\":\"', '\"by\":\"Ændret ') WHERE seq = ?1",
            [seq],
        )
        .unwrap();
    assert_eq!(changed, 1);
}

fn refused(out: &Output) -> String {
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    err
}

#[test]
fn an_edited_event_stops_every_write_but_not_reading() {
    let env = Env::new();
    env.record_year();
    edit_note(&env.db(), 6);
    let before = std::fs::read(env.db()).unwrap();

    // Writes: refused with one sentence naming the event and what to do.
    let record = env.run(&[
        "record",
        "--org",
        "skgr",
        "--period",
        "2026",
        "--item",
        "udskrevne-borgere",
        "--status",
        "done",
        "--note",
        "x",
        "--by",
        "H",
    ]);
    let err = refused(&record);
    assert!(err.contains("event 6"), "{err}");
    assert!(err.contains("restore it from a backup"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    let sign = env.run(&[
        "sign", "--org", "skgr", "--period", "2026", "--by", "H", "--role", "Leder",
    ]);
    assert!(refused(&sign).contains("event 6"));
    let retract = env.run(&[
        "retract",
        "--org",
        "skgr",
        "--period",
        "2026",
        "--item",
        "udskrevne-borgere",
        "--by",
        "H",
    ]);
    assert!(refused(&retract).contains("event 6"));
    assert_eq!(
        std::fs::read(env.db()).unwrap(),
        before,
        "nothing was written"
    );

    // Reading works and says so.
    let status = env.run(&["status", "--date", "2026-11-22"]);
    let err = String::from_utf8_lossy(&status.stderr);
    assert!(status.status.code() == Some(0) || status.status.code() == Some(1));
    assert!(!status.stdout.is_empty());
    assert!(err.contains("event 6") && err.contains("damaged"), "{err}");
    let verify_db = env.run(&["verify-db"]);
    let out = String::from_utf8_lossy(&verify_db.stdout);
    assert_eq!(verify_db.status.code(), Some(1), "{out}");
    assert!(
        out.contains("integrity check: ok") && out.contains("event 6"),
        "{out}"
    );
}

#[test]
fn an_edited_event_stops_the_export_before_anything_is_signed() {
    let env = signed_year();
    edit_note(&env.db(), 6);
    let out = env.path("record.pdf");
    let export = env.run(&[
        "export",
        "--org",
        "skgr",
        "--period",
        "2026",
        "--out",
        out.to_str().unwrap(),
    ]);
    let err = refused(&export);
    assert!(err.contains("event 6"), "{err}");
    assert!(!out.exists());
    assert!(!env.path("data/identity").exists(), "no identity was made");
}

/// Rewrites the period of every index entry of skgr's yearly review 2026 in the main file
/// (after a checkpoint), so the index no longer finds the review's events: the table and
/// the chain are untouched.
fn damage_index(db: &Path) {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .unwrap();
    let root: i64 = conn
        .query_row(
            "SELECT rootpage FROM sqlite_schema WHERE name = 'event_review'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let page_size: i64 = conn
        .query_row("PRAGMA page_size", [], |r| r.get(0))
        .unwrap();
    drop(conn);
    let mut bytes = std::fs::read(db).unwrap();
    let start = ((root - 1) * page_size) as usize;
    let page = &mut bytes[start..start + page_size as usize];
    let mut flipped = 0;
    for i in 0..page.len() - 8 {
        // A record body "skgr" "2026" followed by the row id: the yearly review only.
        if &page[i..i + 8] == b"skgr2026" && page[i + 8] != b'-' {
            page[i + 7] = b'7';
            flipped += 1;
        }
    }
    assert!(flipped >= 5, "{flipped} entries changed");
    std::fs::write(db, bytes).unwrap();
}

#[test]
fn a_damaged_index_stops_a_sign_off_into_a_signed_review() {
    let env = signed_year();
    damage_index(&env.db());
    let record = env.run(&[
        "record",
        "--org",
        "skgr",
        "--period",
        "2026",
        "--item",
        "udskrevne-borgere",
        "--status",
        "done",
        "--note",
        "x",
        "--by",
        "H",
    ]);
    let err = refused(&record);
    assert!(err.contains("SQLite's own integrity check fails"), "{err}");
    assert!(err.contains("restore it from a backup"), "{err}");

    let verify_db = env.run(&["verify-db"]);
    let out = String::from_utf8_lossy(&verify_db.stdout);
    assert_eq!(verify_db.status.code(), Some(1), "{out}");
    // The chain alone cannot see it; SQLite's check can.
    assert!(out.contains("The event chain is intact"), "{out}");
    assert!(out.contains("integrity check fails"), "{out}");
}

#[test]
fn a_store_kept_open_notices_a_change_made_by_another_connection() {
    // The screen keeps its store open and skips the full check while only it has written;
    // a change by anyone else makes the next write check again.
    let env = signed_year();
    let mut store = aarshjul::store::Store::open(&env.db()).unwrap();
    assert_eq!(store.damage_notice(Lang::En), None);
    let at = "2026-11-22T13:00:00Z".parse().unwrap();
    let period: Period = "2026-Q4".parse().unwrap();
    let retract = || {
        Ok(Change::ItemRetracted {
            item: "x".into(),
            by: "H".into(),
        })
    };
    store.append("skgr", period, at, |_| retract()).unwrap();
    store.append("skgr", period, at, |_| retract()).unwrap();
    edit_note(&env.db(), 6);
    let err = store
        .append("skgr", period, at, |_| retract())
        .unwrap_err()
        .message(Lang::En);
    assert!(
        err.contains("event 6") && err.contains("Nothing was written"),
        "{err}"
    );
    let notice = store.damage_notice(Lang::Da).unwrap();
    assert!(
        notice.contains("hændelse 6") && notice.contains("sikkerhedskopi"),
        "{notice}"
    );
}

/// The embedded fonts of a PDF: (name, bytes of the font program as stored).
fn fonts(bytes: &[u8]) -> Vec<(String, usize)> {
    let doc = lopdf::Document::load_mem(bytes).unwrap();
    let mut out = Vec::new();
    for object in doc.objects.values() {
        let Ok(dict) = object.as_dict() else { continue };
        if dict.get(b"Type").and_then(|t| t.as_name()).ok() != Some(b"FontDescriptor") {
            continue;
        }
        let name =
            String::from_utf8_lossy(dict.get(b"FontName").unwrap().as_name().unwrap()).to_string();
        let file = dict.get(b"FontFile2").unwrap().as_reference().unwrap();
        let stream = doc.get_object(file).unwrap().as_stream().unwrap();
        out.push((name, stream.content.len()));
    }
    out.sort();
    out
}

#[test]
fn the_signed_yearly_record_carries_subset_fonts_and_stays_small() {
    let env = signed_year();
    let bytes = env.export("record.pdf");
    let fonts = fonts(&bytes);
    assert_eq!(fonts.len(), 4, "{fonts:?}");
    for (name, _) in &fonts {
        // PDF's mark of a subset: six capitals and a plus.
        let (tag, _) = name.split_once('+').unwrap();
        assert!(
            tag.len() == 6 && tag.bytes().all(|b| b.is_ascii_uppercase()),
            "{name}"
        );
    }
    let font_bytes: usize = fonts.iter().map(|f| f.1).sum();
    assert!(
        font_bytes < 24_000,
        "{font_bytes} bytes of fonts: {fonts:?}"
    );
    // The size without the signature's hole (its size is the signing code's business): the
    // whole file was 66 KB with today's 24 KB hole, against 120 KB before subsetting. The
    // look-back item on requests and the register's table add about 1 KB.
    let text = String::from_utf8_lossy(&bytes);
    let range = text.split("/ByteRange[").nth(1).unwrap();
    let numbers: Vec<usize> = range
        .split(']')
        .next()
        .unwrap()
        .split_whitespace()
        .map(|n| n.parse().unwrap())
        .collect();
    let hole = numbers[2] - numbers[1];
    assert!(
        bytes.len() - hole < 48_000,
        "{} bytes besides a {hole}-byte hole",
        bytes.len() - hole
    );

    // Still Danish text that reads back, and a record that verifies.
    let all = pdf_text(&bytes);
    assert!(all.contains("Støttekontaktgruppen") && all.contains("Årsgennemgang 2026"));
    let out = env.run(&["verify", env.path("record.pdf").to_str().unwrap()]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn a_face_the_record_does_not_show_is_not_embedded() {
    // No caveat: nothing is set in bold oblique.
    let toml = r#"
schema = 1
[organisation]
id = "acme"
name = "Acme"
policy = "Acme policy"
language = "en"

[[item]]
id = "one"
cadence = "yearly"
title = "Check the folders"
source = "Section 1"
"#;
    let list =
        aarshjul::checklist::parse(Path::new("acme.toml"), toml.as_bytes(), Lang::En).unwrap();
    let period: Period = "2026".parse().unwrap();
    let event = Event {
        seq: 1,
        at: "2026-11-20T09:00:00Z".parse().unwrap(),
        org: "acme".into(),
        period,
        change: Change::item_signed(&list.items[0], Outcome::Done, None, "Jane".into()),
    };
    let now = "2026-11-22T13:00:00Z".parse().unwrap();
    let built = aarshjul::pdf::build(&list, period, &[event], true, None, now).unwrap();
    let fonts = fonts(&built.bytes);
    assert_eq!(fonts.len(), 3, "{fonts:?}");
    assert!(pdf_text(&built.bytes).contains("Check the folders"));
}
