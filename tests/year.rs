//! The year keeps going (issue #11): carry-over across New Year, the start date, deadlines
//! and days left in `status`, follow-up of deviations, through the built binary.

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::Value;

/// A checklist with one item of every cadence; `extra` goes into `[organisation]`.
fn checklist(extra: &str) -> String {
    format!(
        r#"schema = 1

[organisation]
id = "test"
name = "Testforeningen"
policy = "Testforeningens politik"
{extra}

[[item]]
id = "maaned"
cadence = "monthly"
title = "Månedens punkt"
source = "§ 1"

[[item]]
id = "kvartal"
cadence = "quarterly"
title = "Kvartalets punkt"
source = "§ 2"

[[item]]
id = "halvaar"
cadence = "half-yearly"
title = "Halvårets punkt"
source = "§ 3"

[[item]]
id = "aar"
cadence = "yearly"
title = "Årets punkt"
source = "§ 4"
"#
    )
}

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn new(extra: &str) -> Env {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("checklists")).unwrap();
        std::fs::write(
            dir.path().join("checklists").join("test.toml"),
            checklist(extra),
        )
        .unwrap();
        Env { dir }
    }

    fn checklists(&self) -> PathBuf {
        self.dir.path().join("checklists")
    }

    /// Runs `aarshjul ARGS` in Danish with the clock at `now` (RFC 3339).
    fn run_at(&self, now: &str, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_aarshjul"))
            .args(args)
            .env("AARSHJUL_DB", self.dir.path().join("aarshjul.sqlite"))
            .env("AARSHJUL_CHECKLISTS", self.checklists())
            .env("AARSHJUL_NOW", now)
            .env("LANG", "da_DK.UTF-8")
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .current_dir(self.dir.path())
            .output()
            .unwrap()
    }

    fn run(&self, args: &[&str]) -> Output {
        self.run_at("2026-11-22T13:00:00Z", args)
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// `status ARGS`: its exit code and stdout.
    fn status(&self, args: &[&str]) -> (i32, String) {
        let mut all = vec!["status"];
        all.extend(args);
        let out = self.run(&all);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.is_empty(), "{err}");
        (
            out.status.code().unwrap(),
            String::from_utf8(out.stdout).unwrap(),
        )
    }

    fn json(&self, date: &str) -> (i32, Value) {
        let (code, out) = self.status(&["--date", date, "--json"]);
        (code, serde_json::from_str(&out).unwrap())
    }
}

fn periods(doc: &Value) -> Vec<String> {
    doc["reviews"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["period"].as_str().unwrap().to_string())
        .collect()
}

fn review<'a>(doc: &'a Value, period: &str) -> &'a Value {
    doc["reviews"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["period"] == period)
        .unwrap_or_else(|| panic!("{period} not in {doc}"))
}

fn line<'a>(text: &'a str, key: &str) -> &'a str {
    text.lines()
        .find(|l| l.split_whitespace().nth(1) == Some(key) || l.trim_start().starts_with(key))
        .unwrap_or_else(|| panic!("no line for {key} in\n{text}"))
}

fn sign(env: &Env, period: &str, item: &str) {
    env.ok(&[
        "record", "--org", "test", "--period", period, "--item", item, "--status", "done", "--by",
        "Lise",
    ]);
    env.ok(&[
        "sign", "--org", "test", "--period", period, "--by", "Lise", "--role", "Leder",
    ]);
}

#[test]
fn an_unsigned_review_stays_overdue_across_new_year_until_signed() {
    let env = Env::new(r#"in_use_from = "2026-09-01""#);
    // New Year's Eve: the last day of Q4, H2, 2026 and December; they are due today.
    let (code, doc) = env.json("2026-12-31");
    assert_eq!(code, 1, "September, October, November and Q3 are overdue");
    for p in ["2026-12", "2026-Q4", "2026-H2", "2026"] {
        let r = review(&doc, p);
        assert_eq!(r["state"], "not-started", "{p}");
        assert_eq!(r["deadline"], "2026-12-31");
        assert_eq!(r["days_left"], 0);
    }
    assert_eq!(review(&doc, "2026-Q3")["state"], "overdue");
    assert!(
        !periods(&doc).contains(&"2026-08".to_string()),
        "August ended before adoption: {:?}",
        periods(&doc)
    );
    let (_, text) = env.status(&["--date", "31.12.2026"]);
    assert!(
        line(&text, "2026-H2").contains("frist 31.12.2026 (i dag)"),
        "{text}"
    );
    assert!(
        line(&text, "2026-09").contains("92 dage over fristen"),
        "{text}"
    );

    // The first working day of 2027: 2026's unsigned reviews are still there, and overdue.
    let (code, doc) = env.json("2027-01-01");
    assert_eq!(code, 1);
    let h2 = review(&doc, "2026-H2");
    assert_eq!(h2["state"], "overdue");
    assert_eq!(h2["carried_over"], true);
    assert_eq!(h2["days_left"], -1);
    assert_eq!(review(&doc, "2027-Q1")["carried_over"], false);
    let (_, text) = env.status(&["--date", "2027-01-01"]);
    assert!(
        line(&text, "2026-H2").contains("1 dag over fristen"),
        "{text}"
    );

    // Signed: it leaves 2027's status; the rest of 2026 stays until signed too.
    sign(&env, "2026-H2", "halvaar");
    let (_, doc) = env.json("2027-01-05");
    let listed = periods(&doc);
    assert!(!listed.contains(&"2026-H2".to_string()), "{listed:?}");
    for p in [
        "2026-09", "2026-10", "2026-11", "2026-12", "2026-Q3", "2026-Q4", "2026",
    ] {
        assert!(listed.contains(&p.to_string()), "{p} in {listed:?}");
    }
    assert!(!listed.contains(&"2026-08".to_string()));
    // Two years on, still there.
    let (code, doc) = env.json("2028-06-01");
    assert_eq!(code, 1);
    assert_eq!(review(&doc, "2026-Q4")["state"], "overdue");
    assert_eq!(review(&doc, "2026-Q4")["carried_over"], true);
}

#[test]
fn the_start_date_is_the_first_event_or_today_when_not_configured() {
    let env = Env::new("");
    // A new installation: nothing before today is due, nothing is overdue.
    let (code, doc) = env.json("2026-11-22");
    assert_eq!(code, 0, "{doc}");
    assert_eq!(
        periods(&doc),
        ["2026", "2026-H2", "2026-Q4", "2026-11", "2026-12"]
    );
    // Something recorded on 22 November fixes the start: November stays due after it ends.
    env.ok(&[
        "record", "--org", "test", "--period", "2026-11", "--item", "maaned", "--status", "done",
        "--by", "Lise",
    ]);
    let (code, doc) = env.json("2027-01-10");
    assert_eq!(code, 1);
    assert_eq!(review(&doc, "2026-11")["state"], "overdue");
    assert!(!periods(&doc).contains(&"2026-10".to_string()));
}

#[test]
fn in_use_from_must_be_a_date() {
    let env = Env::new(r#"in_use_from = "1. september""#);
    let out = env.run(&["validate"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("test.toml:7:15"), "{err}");
    assert!(err.contains("ugyldig dato i in_use_from"), "{err}");
    let env = Env::new(r#"in_use_from = "01.09.2026""#);
    let (code, doc) = env.json("2026-11-22");
    assert_eq!(code, 1, "September and October are overdue");
    assert_eq!(review(&doc, "2026-09")["state"], "overdue");
}

#[test]
fn leap_day_deadlines_and_danish_dates() {
    let env = Env::new(r#"in_use_from = "2028-01-01""#);
    let (code, text) = env.status(&["--date", "29.02.2028"]);
    assert_eq!(code, 1, "January is overdue");
    assert!(
        line(&text, "2028-02").contains("frist 29.02.2028 (i dag)"),
        "{text}"
    );
    assert!(
        line(&text, "2028-01").contains("29 dage over fristen"),
        "{text}"
    );
    let (_, text) = env.status(&["--date", "2028-03-01"]);
    assert!(
        line(&text, "2028-02").contains("1 dag over fristen"),
        "{text}"
    );
    assert!(line(&text, "2028-03").contains("om 30 dage"), "{text}");
    let out = env.run(&["status", "--date", "29.02.2027"]);
    assert_eq!(out.status.code(), Some(2), "2027 is no leap year");
    assert!(String::from_utf8_lossy(&out.stderr).contains("22.11.2026"));
}

#[test]
fn within_shows_only_what_is_overdue_or_due_soon() {
    let env = Env::new(r#"in_use_from = "2026-10-01""#);
    let (code, text) = env.status(&["--date", "2026-11-22", "--within", "14"]);
    assert_eq!(code, 1, "October is overdue");
    let keys: Vec<&str> = text
        .lines()
        .filter_map(|l| l.split_whitespace().find(|w| w.starts_with("2026-")))
        .collect();
    assert_eq!(keys, ["2026-10", "2026-11"], "{text}");
    assert!(line(&text, "2026-11").contains("om 8 dage"), "{text}");
    sign(&env, "2026-10", "maaned");
    let (code, text) = env.status(&["--date", "2026-11-22", "--within", "7"]);
    assert_eq!(code, 0);
    assert!(text.contains("Intet forfalder i perioden."), "{text}");
    let (code, doc) = {
        let (c, out) = env.status(&["--date", "2026-11-22", "--within", "8", "--json"]);
        (c, serde_json::from_str::<Value>(&out).unwrap())
    };
    assert_eq!(code, 0);
    assert_eq!(periods(&doc), ["2026-11"]);
    // Who signed and when, in the full JSON.
    let (_, doc) = env.json("2026-11-22");
    let oct = review(&doc, "2026-10");
    assert_eq!(oct["state"], "signed");
    assert_eq!(oct["signed_by"], "Lise");
    assert_eq!(oct["signed_role"], "Leder");
    assert_eq!(oct["signed_at"], "2026-11-22T13:00:00Z");
}

#[test]
fn a_deviation_is_followed_up_until_closed() {
    let env = Env::new(r#"in_use_from = "2026-10-01""#);
    let q4 = ["--org", "test", "--period", "2026-Q4"];
    let with = |more: &[&'static str]| -> Vec<&'static str> {
        let mut v = q4.to_vec();
        v.extend(more);
        v
    };
    // --action needs a deviation, and --owner and --due with it.
    let mut a = vec!["record"];
    a.extend(with(&[
        "--item",
        "kvartal",
        "--status",
        "done",
        "--by",
        "Lise",
        "--action",
        "x",
        "--owner",
        "y",
        "--due",
        "2026-12-01",
    ]));
    assert_eq!(env.run(&a).status.code(), Some(2));
    let mut a = vec!["record"];
    a.extend(with(&[
        "--item",
        "kvartal",
        "--status",
        "deviation",
        "--note",
        "Zenegy-aftalen mangler",
        "--by",
        "Lise",
        "--action",
        "Indhent aftalen",
    ]));
    assert_eq!(env.run(&a).status.code(), Some(2), "no owner, no due");

    // A deviation without follow-up: signing is refused until one is given or declined.
    let mut a = vec!["record"];
    a.extend(with(&[
        "--item",
        "kvartal",
        "--status",
        "deviation",
        "--note",
        "Zenegy-aftalen mangler",
        "--by",
        "Lise",
    ]));
    env.ok(&a);
    let mut s = vec!["sign"];
    s.extend(with(&["--by", "Lise", "--role", "Leder"]));
    let out = env.run(&s);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("Afvigelser uden opfølgning: kvartal") && err.contains("--no-action"),
        "{err}"
    );

    // The follow-up, with a Danish due date.
    let mut o = vec!["action", "open"];
    o.extend(with(&[
        "--item",
        "kvartal",
        "--action",
        "Indhent aftalen",
        "--owner",
        "Henriette",
        "--due",
        "15.12.2026",
        "--by",
        "Lise",
    ]));
    let out = env.ok(&o);
    assert!(
        out.contains("Indhent aftalen (Henriette, frist 15.12.2026)"),
        "{out}"
    );
    env.ok(&s);

    // Listed in status until closed; overdue after its date (exit 1).
    let (code, text) = env.status(&["--date", "2026-12-01", "--within", "14"]);
    assert_eq!(code, 1, "October and November are overdue\n{text}");
    assert!(
        text.contains(
            "Kvartalets punkt (2026-Q4): Indhent aftalen — Henriette, frist 15.12.2026 (om 14 dage)"
        ),
        "{text}"
    );
    let (_, doc) = env.json("2026-12-16");
    let actions = doc["actions"].as_array().unwrap();
    assert_eq!(actions.len(), 1);
    assert_eq!(actions[0]["item"], "kvartal");
    assert_eq!(actions[0]["owner"], "Henriette");
    assert_eq!(actions[0]["due"], "2026-12-15");
    assert_eq!(actions[0]["days_left"], -1);
    assert_eq!(actions[0]["overdue"], true);
    // Only the action keeps this date from exiting 0.
    for p in ["2026-10", "2026-11"] {
        sign(&env, p, "maaned");
    }
    let (code, _) = env.status(&["--date", "2026-12-10"]);
    assert_eq!(code, 0, "the action is not due yet");
    let (code, _) = env.status(&["--date", "2026-12-16"]);
    assert_eq!(code, 1, "the action is overdue");

    // Closed with a note: gone from status; closing twice is refused.
    let mut c = vec!["action", "close"];
    c.extend(with(&[
        "--item",
        "kvartal",
        "--note",
        "Aftalen modtaget og gemt",
        "--by",
        "Lise",
    ]));
    env.ok(&c);
    let (code, doc) = env.json("2026-12-16");
    assert_eq!(code, 0);
    assert_eq!(doc["actions"], serde_json::json!([]));
    let out = env.run(&c);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("ingen åben opfølgning"));
    // Every event is in the one chain.
    let verdict = env.ok(&["verify-db"]);
    assert!(verdict.contains(" 8 "), "{verdict}");

    // The record lists the period's follow-ups with their state.
    let pdf = env.dir.path().join("q4.pdf");
    let mut x = vec!["export"];
    x.extend(with(&["--out"]));
    x.push(pdf.to_str().unwrap());
    env.ok(&x);
    match Command::new("pdftotext")
        .args(["-layout", pdf.to_str().unwrap(), "-"])
        .output()
    {
        Ok(out) => {
            let text = String::from_utf8_lossy(&out.stdout);
            let text: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
            assert!(text.contains("Opfølgning på afvigelser"), "{text}");
            assert!(
                text.contains("Kvartalets punkt: Indhent aftalen Ansvarlig: Henriette · Frist: 15. december 2026"),
                "{text}"
            );
            assert!(
                text.contains(
                    "Status: Lukket 22. november 2026 kl. 14:00 af Lise: Aftalen modtaget og gemt"
                ),
                "{text}"
            );
        }
        Err(_) if std::env::var_os("CI").is_none() => {
            eprintln!("pdftotext missing: the record's text is not checked here");
        }
        Err(e) => panic!("pdftotext is needed under CI: {e}"),
    }
}

#[test]
fn signing_with_no_action_records_the_choice_to_follow_nothing_up() {
    let env = Env::new("");
    env.ok(&[
        "record",
        "--org",
        "test",
        "--period",
        "2026-11",
        "--item",
        "maaned",
        "--status",
        "deviation",
        "--note",
        "Rettet med det samme",
        "--by",
        "Lise",
    ]);
    env.ok(&[
        "sign",
        "--org",
        "test",
        "--period",
        "2026-11",
        "--by",
        "Lise",
        "--role",
        "Leder",
        "--no-action",
    ]);
    let (_, doc) = env.json("2026-11-22");
    assert_eq!(review(&doc, "2026-11")["state"], "signed");
}

#[test]
fn the_new_commands_have_help() {
    let env = Env::new("");
    for args in [
        &["calendar", "--help"][..],
        &["action", "--help"],
        &["action", "open", "--help"],
        &["action", "close", "--help"],
    ] {
        let out = env.ok(args);
        assert!(out.contains("Usage: aarshjul"), "{args:?}: {out}");
    }
    let out = env.ok(&["status", "--help"]);
    assert!(
        out.contains("--within <DAYS>") && out.contains("22.11.2026"),
        "{out}"
    );
    let out = env.ok(&["sign", "--help"]);
    assert!(out.contains("--no-action"), "{out}");
}
