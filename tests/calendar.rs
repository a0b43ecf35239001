//! `aarshjul calendar`: the .ics file read back with an independent parser (the `ical`
//! crate; the file is written by `icalendar`).

use std::collections::BTreeMap;
use std::io::BufReader;
use std::path::PathBuf;
use std::process::{Command, Output};

use ical::parser::ical::component::IcalEvent;

const CHECKLIST: &str = r#"schema = 1

[organisation]
id = "test"
name = "Testforeningen Æblegården"
policy = "Politik"
in_use_from = "2026-09-01"

[[item]]
id = "maaned"
cadence = "monthly"
title = "Månedens punkt"
source = "§ 1"

[[item]]
id = "kvartal"
cadence = "quarterly"
title = "Kvartalets punkt, med komma; og semikolon"
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
"#;

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn new() -> Env {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("checklists")).unwrap();
        std::fs::write(dir.path().join("checklists/test.toml"), CHECKLIST).unwrap();
        Env { dir }
    }

    fn run(&self, now: &str, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_aarshjul"))
            .args(args)
            .env("AARSHJUL_DB", self.dir.path().join("aarshjul.sqlite"))
            .env("AARSHJUL_CHECKLISTS", self.dir.path().join("checklists"))
            .env("AARSHJUL_NOW", now)
            .env("LANG", "da_DK.UTF-8")
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .current_dir(self.dir.path())
            .output()
            .unwrap()
    }

    fn ok(&self, now: &str, args: &[&str]) -> String {
        let out = self.run(now, args);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    fn ics(&self) -> PathBuf {
        self.dir.path().join("frister.ics")
    }

    /// Writes the calendar at `now` and reads it back: events by UID.
    fn calendar(&self, now: &str) -> BTreeMap<String, Ev> {
        let ics = self.ics();
        let out = self.ok(now, &["calendar", "--out", ics.to_str().unwrap()]);
        assert!(out.contains("Kalender skrevet"), "{out}");
        let file = std::fs::File::open(&ics).unwrap();
        let mut parser = ical::IcalParser::new(BufReader::new(file));
        let cal = parser.next().expect("one calendar").expect("it parses");
        assert!(parser.next().is_none());
        let prop = |name: &str| {
            cal.properties
                .iter()
                .find(|p| p.name == name)
                .and_then(|p| p.value.clone())
        };
        assert_eq!(prop("VERSION").as_deref(), Some("2.0"));
        assert!(prop("PRODID").unwrap().contains("aarshjul"));
        cal.events
            .iter()
            .map(|e| {
                let ev = Ev::from(e);
                (ev.get("UID"), ev)
            })
            .collect()
    }
}

/// One event's properties (text unescaped) and its alarms' properties.
struct Ev {
    props: Vec<(String, String, String)>,
    alarms: Vec<BTreeMap<String, String>>,
}

impl Ev {
    fn from(e: &IcalEvent) -> Ev {
        let text = |p: &ical::property::Property| {
            p.value
                .clone()
                .unwrap_or_default()
                .replace("\\,", ",")
                .replace("\\;", ";")
                .replace("\\n", "\n")
        };
        Ev {
            props: e
                .properties
                .iter()
                .map(|p| {
                    let params = p
                        .params
                        .iter()
                        .flatten()
                        .map(|(k, v)| format!("{k}={}", v.join(",")))
                        .collect::<Vec<_>>()
                        .join(";");
                    (p.name.clone(), params, text(p))
                })
                .collect(),
            alarms: e
                .alarms
                .iter()
                .map(|a| {
                    a.properties
                        .iter()
                        .map(|p| (p.name.clone(), text(p)))
                        .collect()
                })
                .collect(),
        }
    }

    fn get(&self, name: &str) -> String {
        let all: Vec<&String> = self
            .props
            .iter()
            .filter(|p| p.0 == name)
            .map(|p| &p.2)
            .collect();
        assert_eq!(all.len(), 1, "{name} once");
        all[0].clone()
    }

    /// An all-day date: `VALUE=DATE` and its value.
    fn date(&self, name: &str) -> String {
        let p = self.props.iter().find(|p| p.0 == name).unwrap();
        assert_eq!(p.1, "VALUE=DATE", "{name} is a date");
        p.2.clone()
    }
}

#[test]
fn every_deadline_of_the_coming_year_with_an_alarm_and_danish_text() {
    let env = Env::new();
    let now = "2026-11-22T13:00:00Z";
    let cal = env.calendar(now);
    let uids: Vec<&str> = cal.keys().map(String::as_str).collect();
    // 22.11.2026 to 22.11.2027: monthly 2026-11 … 2027-10, Q4 and 2027-Q1 … Q3, H2 and
    // 2027-H1, and the year 2026. Before adoption and past deadlines are not there.
    let mut expected: Vec<String> = Vec::new();
    for p in [
        "2026-11", "2026-12", "2027-01", "2027-02", "2027-03", "2027-04", "2027-05", "2027-06",
        "2027-07", "2027-08", "2027-09", "2027-10", "2026-Q4", "2027-Q1", "2027-Q2", "2027-Q3",
        "2026-H2", "2027-H1", "2026",
    ] {
        expected.push(format!("review-test-{p}@aarshjul"));
    }
    expected.sort();
    assert_eq!(uids, expected);

    // New Year's Eve: the yearly deadline is the whole last day of the year.
    let year = &cal["review-test-2026@aarshjul"];
    assert_eq!(year.date("DTSTART"), "20261231");
    assert_eq!(year.date("DTEND"), "20270101");
    assert_eq!(
        year.get("SUMMARY"),
        "Frist: Årsgennemgang 2026 — Testforeningen Æblegården"
    );
    assert!(
        year.get("DESCRIPTION")
            .contains("skal være gennemgået og underskrevet senest 31. december 2026"),
        "{}",
        year.get("DESCRIPTION")
    );
    assert_eq!(year.get("STATUS"), "CONFIRMED");
    assert_eq!(year.alarms.len(), 1);
    let alarm = &year.alarms[0];
    assert_eq!(alarm["ACTION"], "DISPLAY");
    assert_eq!(alarm["TRIGGER"], "-PT572400S", "09:00 seven days before");
    assert!(alarm["DESCRIPTION"].starts_with("Om 7 dage: Årsgennemgang 2026"));
    // February 2027 ends on the 28th.
    assert_eq!(
        cal["review-test-2027-02@aarshjul"].date("DTSTART"),
        "20270228"
    );
    assert_eq!(
        cal["review-test-2027-02@aarshjul"].date("DTEND"),
        "20270301"
    );
}

#[test]
fn leap_day_deadline() {
    let env = Env::new();
    let cal = env.calendar("2028-01-10T08:00:00Z");
    let feb = &cal["review-test-2028-02@aarshjul"];
    assert_eq!(feb.date("DTSTART"), "20280229");
    assert_eq!(feb.date("DTEND"), "20280301");
    assert!(
        feb.get("DESCRIPTION")
            .contains("(1. februar–29. februar 2028)"),
        "{}",
        feb.get("DESCRIPTION")
    );
    // The 2026 and 2027 reviews left unsigned are overdue: in status, not in the calendar.
    assert!(
        !cal.keys()
            .any(|u| u.contains("2027-12") || u.contains("-2026"))
    );
}

#[test]
fn reexporting_updates_the_same_events_and_follow_ups_are_reminded() {
    let env = Env::new();
    let now = "2026-11-22T13:00:00Z";
    let before = env.calendar(now);
    let q4 = ["--org", "test", "--period", "2026-Q4"];
    let mut rec = vec!["record"];
    rec.extend(q4);
    rec.extend([
        "--item",
        "kvartal",
        "--status",
        "deviation",
        "--note",
        "Aftalen mangler",
        "--by",
        "Lise",
        "--action",
        "Indhent aftalen, underskrevet",
        "--owner",
        "Henriette",
        "--due",
        "15.12.2026",
    ]);
    env.ok(now, &rec);
    env.ok(
        now,
        &[
            "record", "--org", "test", "--period", "2026-11", "--item", "maaned", "--status",
            "done", "--by", "Lise",
        ],
    );
    env.ok(
        now,
        &[
            "sign", "--org", "test", "--period", "2026-11", "--by", "Lise", "--role", "Leder",
        ],
    );
    let after = env.calendar("2026-11-23T08:00:00Z");
    // The same UIDs, one more: the follow-up.
    let action_uid = "action-test-2026-Q4-kvartal@aarshjul";
    let mut got: Vec<&String> = after.keys().collect();
    got.retain(|u| *u != action_uid);
    assert_eq!(got, before.keys().collect::<Vec<_>>());

    let action = &after[action_uid];
    assert_eq!(action.date("DTSTART"), "20261215");
    assert_eq!(
        action.get("SUMMARY"),
        "Opfølgning: Indhent aftalen, underskrevet — Testforeningen Æblegården"
    );
    assert!(action.get("DESCRIPTION").contains(
        "Afvigelse i »Kvartalets punkt, med komma; og semikolon« (Kvartalsgennemgang 2026-Q4). Ansvarlig: Henriette. Frist: 15. december 2026."
    ));
    assert_eq!(action.alarms.len(), 1);
    assert!(action.alarms[0]["DESCRIPTION"].starts_with("Om 3 dage: Indhent aftalen"));

    // Signed November: the same event, a higher sequence, cancelled, no alarm.
    let nov = "review-test-2026-11@aarshjul";
    assert_eq!(before[nov].get("SEQUENCE"), "0");
    assert_eq!(after[nov].get("SEQUENCE"), "1");
    assert_eq!(after[nov].get("STATUS"), "CANCELLED");
    assert!(after[nov].alarms.is_empty());
    assert!(after[nov].get("SUMMARY").starts_with("✓ Underskrevet:"));

    // Closed: updated the same way.
    let mut close = vec!["action", "close"];
    close.extend(q4);
    close.extend(["--item", "kvartal", "--note", "Modtaget", "--by", "Lise"]);
    env.ok(now, &close);
    let closed = env.calendar(now);
    assert_eq!(closed[action_uid].get("SEQUENCE"), "1");
    assert_eq!(closed[action_uid].get("STATUS"), "CANCELLED");
    assert!(closed[action_uid].alarms.is_empty());
}

#[test]
fn one_organisation_and_bad_targets() {
    let env = Env::new();
    let now = "2026-11-22T13:00:00Z";
    let out = env.run(now, &["calendar", "--org", "nope", "--out", "x.ics"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("Ukendt organisation"));
    let db = env.dir.path().join("aarshjul.sqlite");
    env.run(now, &["status"]); // creates the database
    for target in [db.to_str().unwrap(), "kalender.txt"] {
        let out = env.run(now, &["calendar", "--out", target]);
        assert_eq!(out.status.code(), Some(2), "{target}");
        assert!(String::from_utf8_lossy(&out.stderr).contains(".ics"));
    }
    let out = env.run(now, &["calendar", "--out", "/nonexistent-dir/x.ics"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("kunne ikke skrive kalenderen"));
    let out = env.ok(
        now,
        &[
            "calendar",
            "--org",
            "test",
            "--out",
            env.ics().to_str().unwrap(),
        ],
    );
    assert!(out.contains("19 begivenheder"), "{out}");
    let text = std::fs::read_to_string(env.ics()).unwrap();
    assert!(text.contains("X-WR-CALNAME:aarshjul — Testforeningen Æblegården"));
    assert!(text.lines().all(|l| l.len() <= 75), "folded at 75 octets");
    assert!(text.ends_with("END:VCALENDAR\r\n"));
}

#[test]
fn open_requests_are_reminded_by_case_reference_and_kind_only() {
    let env = Env::new();
    let now = "2026-11-22T13:00:00Z";
    let new = |reference: &str, kind: &str, received: &str| {
        env.ok(
            now,
            &[
                "request",
                "new",
                "--org",
                "test",
                "--kind",
                kind,
                "--received",
                received,
                "--ref",
                reference,
                "--by",
                "Lise Sørensen",
            ],
        );
    };
    new("sag 2026/014", "access", "20.11.2026");
    new("sag 2026-015", "erasure", "2026-11-01");
    new("sag 2026-009", "objection", "2026-10-01");
    // Answered before its deadline (1 December, still ahead): there, but cancelled.
    env.ok(
        now,
        &[
            "request",
            "close",
            "--org",
            "test",
            "--ref",
            "sag 2026-015",
            "--outcome",
            "answered",
            "--date",
            "2026-11-15",
            "--by",
            "Lise Sørensen",
        ],
    );
    // Answered, and its deadline (1 November) has passed: nothing to remind.
    env.ok(
        now,
        &[
            "request",
            "close",
            "--org",
            "test",
            "--ref",
            "sag 2026-009",
            "--outcome",
            "answered",
            "--date",
            "2026-10-20",
            "--by",
            "Lise Sørensen",
        ],
    );
    let cal = env.calendar(now);
    let requests: Vec<&String> = cal.keys().filter(|u| u.starts_with("request-")).collect();
    assert_eq!(requests.len(), 2, "{requests:?}");
    let uid = |prefix: &str| -> String {
        let found: Vec<&&String> = requests.iter().filter(|u| u.starts_with(prefix)).collect();
        assert_eq!(found.len(), 1, "{prefix} in {requests:?}");
        let uid = found[0].to_string();
        // request-ORG-REF-<8 hex>@aarshjul, in characters any calendar takes.
        let hash = uid
            .trim_end_matches("@aarshjul")
            .rsplit('-')
            .next()
            .unwrap()
            .to_string();
        assert_eq!(hash.len(), 8, "{uid}");
        assert!(hash.chars().all(|c| c.is_ascii_hexdigit()), "{uid}");
        assert!(
            uid.is_ascii() && !uid.contains(' ') && !uid.contains('/'),
            "{uid}"
        );
        uid
    };
    let open_uid = uid("request-test-sag-2026-014-");
    let closed_uid = uid("request-test-sag-2026-015-");

    let open = &cal[&open_uid];
    assert_eq!(open.date("DTSTART"), "20261220");
    assert_eq!(open.date("DTEND"), "20261221");
    assert_eq!(
        open.get("SUMMARY"),
        "Frist: anmodning (indsigt) »sag 2026/014« — Testforeningen Æblegården"
    );
    assert!(
        open.get("DESCRIPTION").contains(
            "Anmodning fra en registreret om indsigt, sagsreference »sag 2026/014«, modtaget 20. november 2026, skal besvares senest 20. december 2026."
        ),
        "{}",
        open.get("DESCRIPTION")
    );
    assert_eq!(open.get("STATUS"), "CONFIRMED");
    assert_eq!(open.get("SEQUENCE"), "0");
    assert_eq!(open.alarms.len(), 1);
    assert_eq!(
        open.alarms[0]["TRIGGER"], "-PT399600S",
        "09:00 five days before"
    );
    assert!(
        open.alarms[0]["DESCRIPTION"].starts_with("Om 5 dage: anmodning (indsigt) »sag 2026/014«")
    );

    let closed = &cal[&closed_uid];
    assert_eq!(closed.date("DTSTART"), "20261201");
    assert_eq!(closed.get("STATUS"), "CANCELLED");
    assert_eq!(closed.get("SEQUENCE"), "1");
    assert!(closed.alarms.is_empty());
    assert!(
        closed
            .get("SUMMARY")
            .starts_with("✓ Afsluttet: anmodning (sletning)")
    );

    // No person in the file: not even who registered the requests.
    let text = std::fs::read_to_string(env.ics()).unwrap();
    assert!(!text.contains("Lise"), "{text}");

    // Extended, then answered: the same event each time, a higher sequence.
    env.ok(
        now,
        &[
            "request",
            "extend",
            "--org",
            "test",
            "--ref",
            "sag 2026/014",
            "--reason",
            "Oplysninger i tre afdelinger",
            "--months",
            "2",
            "--by",
            "Lise Sørensen",
        ],
    );
    let extended = env.calendar(now);
    assert_eq!(extended[&open_uid].date("DTSTART"), "20270220");
    assert_eq!(extended[&open_uid].get("SEQUENCE"), "1");
    assert!(
        extended[&open_uid]
            .get("DESCRIPTION")
            .contains("(forlænget)")
    );
    assert!(
        !std::fs::read_to_string(env.ics())
            .unwrap()
            .contains("afdelinger")
    );
    env.ok(
        now,
        &[
            "request",
            "close",
            "--org",
            "test",
            "--ref",
            "sag 2026/014",
            "--outcome",
            "answered",
            "--by",
            "Lise Sørensen",
        ],
    );
    let answered = env.calendar(now);
    assert_eq!(answered[&open_uid].get("SEQUENCE"), "2");
    assert_eq!(answered[&open_uid].get("STATUS"), "CANCELLED");
    assert!(answered[&open_uid].alarms.is_empty());
    // The reviews' events are as before the register was used.
    let reviews = |c: &BTreeMap<String, Ev>| {
        c.keys()
            .filter(|u| u.starts_with("review-"))
            .cloned()
            .collect::<Vec<_>>()
    };
    assert_eq!(reviews(&answered), reviews(&cal));
    assert_eq!(reviews(&cal).len(), 19);
}
