//! The built binary, as a script or cron job would run it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn new() -> Env {
        Env {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn db(&self) -> PathBuf {
        self.dir.path().join("data").join("aarshjul.sqlite")
    }

    /// Runs `aarshjul ARGS` on the shipped checklists and this env's database, in English
    /// unless the arguments say otherwise, at 22 November 2026 14:00 local.
    fn run(&self, args: &[&str]) -> Output {
        let checklists = Path::new(env!("CARGO_MANIFEST_DIR")).join("checklists");
        Command::new(env!("CARGO_BIN_EXE_aarshjul"))
            .args(args)
            .env("AARSHJUL_DB", self.db())
            .env("AARSHJUL_CHECKLISTS", checklists)
            .env("AARSHJUL_NOW", "2026-11-22T13:00:00Z")
            .env("LANG", "en_GB.UTF-8")
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .current_dir(self.dir.path())
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

    /// Runs a command that must be refused with exit code 2; returns stderr.
    fn refused(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        assert!(out.stdout.is_empty(), "nothing on stdout when refused");
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(!err.contains("panicked"), "{err}");
        err
    }

    fn review(&self, period: &str) -> Value {
        let out = self.run(&["status", "--date", "2026-11-22", "--json"]);
        let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
        doc["reviews"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["org"] == "skgr" && r["period"] == period)
            .cloned()
            .unwrap()
    }

    fn events(&self) -> i64 {
        let conn = rusqlite::Connection::open(self.db()).unwrap();
        conn.query_row("SELECT count(*) FROM event", [], |r| r.get(0))
            .unwrap()
    }
}

const Q4: [&str; 4] = ["--org", "skgr", "--period", "2026-Q4"];

fn record(env: &Env, item: &str, status: &str, note: Option<&str>) -> Output {
    let mut args = vec!["record"];
    args.extend(Q4);
    args.extend([
        "--item",
        item,
        "--status",
        status,
        "--by",
        "Henriette Salmon",
    ]);
    if let Some(n) = note {
        args.extend(["--note", n]);
    }
    env.run(&args)
}

#[test]
fn validate_accepts_the_shipped_checklists() {
    let env = Env::new();
    let out = env.ok(&["validate"]);
    assert!(out.starts_with("OK: 2 checklists"), "{out}");
}

#[test]
fn validate_lists_every_error_and_exits_2() {
    let env = Env::new();
    let bad = env.dir.path().join("bad");
    std::fs::create_dir(&bad).unwrap();
    std::fs::write(
        bad.join("a.toml"),
        "schema = 1\n[organisation]\nid = \"A\"\nname = \"A\"\npolicy = \"\"\n",
    )
    .unwrap();
    std::fs::write(bad.join("b.toml"), [0xff, 0xfe]).unwrap();
    let err = env.refused(&["validate", bad.to_str().unwrap()]);
    assert!(err.contains("a.toml:3:6: invalid id `A`"), "{err}");
    assert!(
        err.contains("a.toml:5:10: `policy` must not be empty"),
        "{err}"
    );
    assert!(
        err.contains("a.toml:1:1: the checklist has no [[item]]"),
        "{err}"
    );
    assert!(
        err.contains("b.toml:1:1: the file is not valid UTF-8"),
        "{err}"
    );
    let err = env.refused(&["validate", "/nonexistent/dir"]);
    assert!(err.contains("does not exist"), "{err}");
}

#[test]
fn status_json_has_the_spec_shape_and_every_review() {
    let env = Env::new();
    let out = env.run(&["status", "--date", "2026-11-22", "--json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "a new installation starts today: nothing before it is overdue"
    );
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["date"], "2026-11-22");
    let reviews = doc["reviews"].as_array().unwrap();
    let q4 = env.review("2026-Q4");
    let mut keys: Vec<&str> = q4.as_object().unwrap().keys().map(|k| k.as_str()).collect();
    let in_spec_order = [
        "org",
        "cadence",
        "period",
        "starts",
        "ends",
        "state",
        "items",
        "done",
        "not_applicable",
        "deviations",
        "open",
    ];
    // SPEC §6's fields, then the ones added after it (issue #11).
    let added = [
        "deadline",
        "days_left",
        "carried_over",
        "signed_by",
        "signed_role",
        "signed_at",
    ];
    keys.sort();
    let mut sorted = [&in_spec_order[..], &added[..]].concat();
    sorted.sort();
    assert_eq!(keys, sorted);
    assert_eq!(doc["actions"], serde_json::json!([]));
    // And printed in the SPEC's order, as a person reading it expects.
    let text = String::from_utf8(out.stdout.clone()).unwrap();
    let first = &text[text.find('{').unwrap() + 1..];
    let first = &first[first.find('{').unwrap()..first.find('}').unwrap()];
    let positions: Vec<usize> = in_spec_order
        .iter()
        .map(|k| first.find(&format!("\"{k}\"")).unwrap())
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{first}");
    assert_eq!(q4["cadence"], "quarterly");
    assert_eq!(q4["starts"], "2026-10-01");
    assert_eq!(q4["ends"], "2026-12-31");
    assert_eq!(q4["state"], "not-started");
    for org in ["skgr", "fordelingssekretariatet"] {
        let yearly = reviews
            .iter()
            .filter(|r| r["org"] == org && r["cadence"] == "yearly")
            .count();
        assert_eq!(yearly, 1, "{org} has its 2026 review");
    }
    // Only what ends on or after the first day of use: 2026, H2, Q4, November, December.
    let skgr: Vec<&Value> = reviews.iter().filter(|r| r["org"] == "skgr").collect();
    assert_eq!(skgr.len(), 5, "{skgr:?}");
    assert!(!skgr.iter().any(|r| r["period"] == "2026-Q1"));
    assert_eq!(q4["deadline"], "2026-12-31");
    assert_eq!(q4["days_left"], 39);
    assert_eq!(env.review("2026-12")["state"], "upcoming");
}

#[test]
fn record_sign_reopen_show_in_status() {
    let env = Env::new();
    let ok = record(
        &env,
        "enheder-skgr-oprydning",
        "done",
        Some("4 enheder, alle afdelinger"),
    );
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let q4 = env.review("2026-Q4");
    assert_eq!(
        (
            q4["state"].as_str(),
            q4["done"].as_i64(),
            q4["open"].as_i64()
        ),
        (Some("in-progress"), Some(1), Some(1))
    );

    let ok = record(
        &env,
        "jobansoegninger-sletning",
        "deviation",
        Some("To ansøgninger fra maj lå stadig i indbakken; slettet 22/11."),
    );
    assert!(ok.status.success());
    assert_eq!(env.review("2026-Q4")["deviations"], 1);

    let mut sign = vec!["sign"];
    sign.extend(Q4);
    sign.extend(["--by", "Henriette Salmon", "--role", "Leder"]);
    // The deviation was settled on the spot ("slettet 22/11"): nothing to follow up.
    sign.push("--no-action");
    let out = env.ok(&sign);
    assert!(out.contains("Signed: Henriette Salmon (Leder)"), "{out}");
    let q4 = env.review("2026-Q4");
    assert_eq!(
        (q4["state"].as_str(), q4["open"].as_i64()),
        (Some("signed"), Some(0))
    );

    let mut reopen = vec!["reopen"];
    reopen.extend(Q4);
    reopen.extend([
        "--by",
        "Henriette Salmon",
        "--reason",
        "Noten om ansøgninger var forkert",
    ]);
    env.ok(&reopen);
    assert_eq!(env.review("2026-Q4")["state"], "in-progress");
    assert_eq!(env.events(), 4);
    let out = env.ok(&["verify-db"]);
    assert!(out.contains("intact: 4 events"), "{out}");
}

#[test]
fn every_refusal_has_its_message_and_exit_code() {
    let env = Env::new();
    let err = String::from_utf8(record(&env, "enheder-skgr-oprydning", "deviation", None).stderr)
        .unwrap();
    assert_eq!(
        err.trim(),
        "aarshjul: A deviation needs a note saying what is wrong and what is done about it (item `enheder-skgr-oprydning`)."
    );
    let out = record(&env, "jobansoegninger-sletning", "done", None);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("can only be marked done with a note recording"),
        "{err}"
    );

    let mut sign = vec!["sign"];
    sign.extend(Q4);
    sign.extend(["--by", "H", "--role", "Leder"]);
    let err = env.refused(&sign);
    assert!(err.contains("cannot be signed while items are open: enheder-skgr-oprydning, jobansoegninger-sletning"), "{err}");

    assert!(
        record(
            &env,
            "enheder-skgr-oprydning",
            "done",
            Some("4 enheder, alle afdelinger")
        )
        .status
        .success()
    );
    // Not applicable needs a reason, as a deviation does.
    let out = record(&env, "jobansoegninger-sletning", "not-applicable", None);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("Not applicable needs a note saying why"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        record(
            &env,
            "jobansoegninger-sletning",
            "not-applicable",
            Some("Ingen ansøgninger i kvartalet")
        )
        .status
        .success()
    );
    env.ok(&sign);
    let out = record(&env, "enheder-skgr-oprydning", "not-applicable", Some("x"));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("Review 2026-Q4 is signed; reopen it with a reason")
    );
    let err = env.refused(&sign);
    assert!(err.contains("is signed"), "{err}");
    let mut retract = vec!["retract"];
    retract.extend(Q4);
    retract.extend(["--item", "enheder-skgr-oprydning", "--by", "H"]);
    assert!(env.refused(&retract).contains("is signed"));

    let events_before = env.events();
    let err = env.refused(&[
        "record", "--org", "nope", "--period", "2026-Q4", "--item", "x", "--status", "done",
        "--by", "H",
    ]);
    assert!(
        err.contains("Unknown organisation `nope`") || err.contains("Unknown organisation »nope«"),
        "{err}"
    );
    assert!(err.contains("fordelingssekretariatet, skgr"), "{err}");
    let err = env.refused(&[
        "record", "--org", "skgr", "--period", "2026-Q5", "--item", "x", "--status", "done",
        "--by", "H",
    ]);
    assert!(err.contains("`2026-Q5` is not a period key"), "{err}");
    let err = env.refused(&[
        "record",
        "--org",
        "skgr",
        "--period",
        "2026-Q4",
        "--item",
        "udskrevne-borgere",
        "--status",
        "done",
        "--by",
        "H",
    ]);
    assert!(
        err.contains("is reviewed every year and does not belong to period 2026-Q4"),
        "{err}"
    );
    let err = env.refused(&[
        "record",
        "--org",
        "skgr",
        "--period",
        "2099-Q1",
        "--item",
        "enheder-skgr-oprydning",
        "--status",
        "done",
        "--by",
        "H",
    ]);
    assert!(err.contains("has not begun"), "{err}");
    let err = env.refused(&[
        "reopen", "--org", "skgr", "--period", "2026", "--by", "H", "--reason", "x",
    ]);
    assert!(err.contains("is not signed"), "{err}");
    let out = env.run(&[
        "record", "--org", "skgr", "--period", "2026-Q4", "--item", "x", "--status", "finished",
        "--by", "H",
    ]);
    assert_eq!(out.status.code(), Some(2), "clap rejects an unknown status");
    assert_eq!(env.events(), events_before, "no refusal wrote anything");
}

#[test]
fn danish_is_the_default_and_english_is_asked_for() {
    let env = Env::new();
    let out = Command::new(env!("CARGO_BIN_EXE_aarshjul"))
        .args([
            "record",
            "--org",
            "skgr",
            "--period",
            "2026-Q4",
            "--item",
            "enheder-skgr-oprydning",
            "--status",
            "deviation",
            "--by",
            "H",
        ])
        .env("AARSHJUL_DB", env.db())
        .env(
            "AARSHJUL_CHECKLISTS",
            Path::new(env!("CARGO_MANIFEST_DIR")).join("checklists"),
        )
        .env("LANG", "C.UTF-8")
        .env_remove("LC_ALL")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("En afvigelse kræver en note"));
    let out = String::from_utf8(
        env.run(&["--lang", "da", "status", "--date", "2026-11-22"])
            .stdout,
    )
    .unwrap();
    assert!(out.starts_with("Status pr. 22. november 2026"), "{out}");
}

#[test]
fn verify_db_names_a_tampered_event_and_exits_1() {
    let env = Env::new();
    assert!(
        record(
            &env,
            "enheder-skgr-oprydning",
            "done",
            Some("4 enheder, alle afdelinger")
        )
        .status
        .success()
    );
    assert!(
        record(&env, "jobansoegninger-sletning", "done", Some("2 slettet"))
            .status
            .success()
    );
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    conn.execute_batch("DROP TRIGGER event_append_only_update; UPDATE event SET payload = replace(payload, '2 slettet', '0 slettet') WHERE seq = 2;").unwrap();
    drop(conn);
    let out = env.run(&["verify-db"]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("broken at event 2: its content was changed"),
        "{text}"
    );
}

#[test]
fn a_bad_database_gets_one_clear_sentence() {
    let env = Env::new();
    std::fs::create_dir_all(env.db().parent().unwrap()).unwrap();
    std::fs::write(env.db(), "hello").unwrap();
    let err = env.refused(&["status"]);
    assert!(err.contains("the file is not a database"), "{err}");
    assert_eq!(err.lines().count(), 1);
    let err = env.refused(&["verify-db", "--db", "/nonexistent/x.sqlite"]);
    assert!(err.contains("does not exist"), "{err}");
}

#[test]
fn every_command_has_help() {
    let env = Env::new();
    for cmd in [
        "validate",
        "status",
        "record",
        "retract",
        "sign",
        "reopen",
        "verify-db",
    ] {
        let out = env.ok(&[cmd, "--help"]);
        assert!(out.contains("Usage: aarshjul"), "{cmd}: {out}");
    }
}

#[test]
fn walkthrough_checks_the_organisation_before_the_terminal() {
    let env = Env::new();
    let err = env.refused(&["walkthrough", "--org", "nope"]);
    assert!(err.contains("Unknown organisation"), "{err}");
    // Not a terminal: a clear sentence, not a garbled screen.
    let err = env.refused(&["walkthrough", "--org", "skgr"]);
    assert!(err.contains("needs a terminal"), "{err}");
    let err = env.refused(&[]);
    assert!(err.contains("needs a terminal"), "{err}");
    // An organisation without [[walkthrough]] sections is told so, with the file to edit.
    let dir = env.dir.path().join("bare");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(
        dir.join("bare.toml"),
        "schema = 1\n[organisation]\nid = \"bare\"\nname = \"Bare\"\npolicy = \"P\"\n\
         [[item]]\nid = \"a\"\ncadence = \"yearly\"\ntitle = \"A\"\nsource = \"§1\"\n",
    )
    .unwrap();
    let err = env.refused(&[
        "--checklists",
        dir.to_str().unwrap(),
        "walkthrough",
        "--org",
        "bare",
    ]);
    assert!(
        err.contains("Bare has no sections for the staff meeting"),
        "{err}"
    );
    assert!(err.contains("bare.toml"), "{err}");
}

/// `items`, `--version` on subcommands, and Danish without English words (issue 12).
mod first_session {
    use super::Env;

    #[test]
    fn items_lists_ids_cadences_and_titles() {
        let env = Env::new();
        let all = env.ok(&["items", "--org", "skgr", "--lang", "da"]);
        assert!(all.starts_with("Støttekontaktgruppen (skgr): "), "{all}");
        let line = all
            .lines()
            .find(|l| l.contains("enheder-skgr-oprydning"))
            .unwrap();
        assert!(line.contains("Kvartalsvis") && line.contains("Ryd op på SKGR-enhederne"));
        let yearly = env.ok(&["items", "--org", "skgr", "--cadence", "yearly"]);
        assert!(
            yearly.lines().skip(1).all(|l| l.contains("Yearly")),
            "{yearly}"
        );
        assert!(!yearly.contains("enheder-skgr-oprydning"));
        let err = env.refused(&["items", "--org", "nope"]);
        assert!(err.contains("known are"), "{err}");
        let out = env.run(&["items", "--org", "skgr", "--cadence", "weekly"]);
        assert_eq!(out.status.code(), Some(2));
    }

    #[test]
    fn version_works_on_subcommands() {
        let env = Env::new();
        let top = env.ok(&["--version"]);
        for sub in ["status", "record", "items", "export"] {
            assert_eq!(
                env.ok(&[sub, "--version"]).split_whitespace().last(),
                top.split_whitespace().last(),
                "{sub}"
            );
        }
    }

    #[test]
    fn danish_refusals_name_cadences_in_danish() {
        let env = Env::new();
        let err = env.refused(&[
            "record",
            "--org",
            "skgr",
            "--period",
            "2026-Q4",
            "--item",
            "udskrevne-borgere",
            "--status",
            "done",
            "--note",
            "x",
            "--by",
            "H",
            "--lang",
            "da",
        ]);
        assert!(
            err.contains("gennemgås hvert år og hører ikke til perioden 2026-Q4"),
            "{err}"
        );
        assert!(!err.contains("yearly"), "{err}");
    }
}
