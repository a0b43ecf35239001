//! The register of data-subject requests from the built binary, on real files: register,
//! extend, close, list, `status` exit codes and JSON, a CPR-like reference refused, and the
//! events in the same hash chain as the reviews.

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
        self.dir.path().join("aarshjul.sqlite")
    }

    /// Runs `aarshjul ARGS` on the shipped checklists at `now` (UTC), in Danish unless the
    /// arguments say otherwise.
    fn run_at(&self, now: &str, args: &[&str]) -> Output {
        let checklists = Path::new(env!("CARGO_MANIFEST_DIR")).join("checklists");
        Command::new(env!("CARGO_BIN_EXE_aarshjul"))
            .args(args)
            .env("AARSHJUL_DB", self.db())
            .env("AARSHJUL_CHECKLISTS", checklists)
            .env("AARSHJUL_NOW", now)
            .env("LANG", "da_DK.UTF-8")
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .current_dir(self.dir.path())
            .output()
            .unwrap()
    }

    fn ok_at(&self, now: &str, args: &[&str]) -> String {
        let out = self.run_at(now, args);
        assert!(
            out.status.success(),
            "{args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    fn ok(&self, args: &[&str]) -> String {
        self.ok_at("2026-03-10T10:00:00Z", args)
    }

    fn refused(&self, args: &[&str]) -> String {
        let out = self.run_at("2026-03-10T10:00:00Z", args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty());
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(!err.contains("panicked"), "{err}");
        err
    }

    fn events(&self) -> Vec<(String, String, String)> {
        let conn = rusqlite::Connection::open(self.db()).unwrap();
        let mut stmt = conn
            .prepare("SELECT org, period, kind FROM event ORDER BY seq")
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    }
}

const FS: &str = "fordelingssekretariatet";

#[test]
fn a_request_from_receipt_to_answer_with_fordelingssekretariatets_four_weeks() {
    let env = Env::new();
    let out = env.ok(&[
        "request",
        "new",
        "--org",
        FS,
        "--kind",
        "access",
        "--received",
        "2026-03-03",
        "--ref",
        "sag 2026-014",
        "--by",
        "Henriette Salmon",
    ]);
    assert!(
        out.contains("Anmodning registreret »sag 2026-014« (indsigt, modtaget 3. marts 2026)"),
        "{out}"
    );
    // Four weeks (28 days), not the GDPR's month (3 April).
    assert!(
        out.contains("Frist 31. marts 2026 (21 dage tilbage)"),
        "{out}"
    );
    assert!(
        out.contains("Registret gemmer ingen personoplysninger"),
        "{out}"
    );

    // SKGR has no limit of its own: one month.
    let out = env.ok(&[
        "request",
        "new",
        "--org",
        "skgr",
        "--kind",
        "consent-withdrawal",
        "--received",
        "2026-01-31",
        "--ref",
        "S-7",
        "--by",
        "H",
    ]);
    assert!(out.contains("Frist 28. februar 2026"), "{out}");

    // An extension told within the first deadline: one month plus two from receipt.
    let out = env.ok(&[
        "request",
        "extend",
        "--org",
        FS,
        "--ref",
        "sag 2026-014",
        "--reason",
        "Oplysninger hentes fra tre afdelinger",
        "--told",
        "2026-03-09",
        "--by",
        "H",
    ]);
    assert!(out.contains("Frist 3. juni 2026"), "{out}");

    let out = env.ok(&["request", "list", "--open"]);
    assert!(out.contains("sag 2026-014"), "{out}");
    assert!(out.contains("(forlænget)"), "{out}");
    assert!(out.contains("S-7"), "{out}");
    assert!(out.contains("10 dage over fristen"), "{out}");

    let out = env.ok(&[
        "request",
        "close",
        "--org",
        FS,
        "--ref",
        "sag 2026-014",
        "--outcome",
        "answered",
        "--date",
        "2026-03-10",
        "--note",
        "Udskrift sendt med sikker post",
        "--by",
        "H",
    ]);
    assert!(out.contains("besvaret 10. marts 2026"), "{out}");
    assert!(out.contains("inden fristen 3. juni 2026"), "{out}");

    let out = env.ok(&["request", "list", "--open", "--org", FS]);
    assert!(out.contains("ingen åbne anmodninger"), "{out}");
    let out = env.ok(&["--lang", "en", "request", "list", "--org", FS]);
    assert!(out.contains("answered 10 March 2026"), "{out}");
    assert!(out.contains("stores no personal data"), "{out}");

    // Every change is an event in the one chain, under the year of receipt.
    assert_eq!(
        env.events(),
        [
            (FS.into(), "2026".into(), "request-received".into()),
            ("skgr".into(), "2026".into(), "request-received".into()),
            (FS.into(), "2026".into(), "request-extended".into()),
            (FS.into(), "2026".into(), "request-closed".into()),
        ]
    );
    let out = env.ok(&["verify-db"]);
    assert!(out.contains("4 hændelser"), "{out}");
}

#[test]
fn a_cpr_like_reference_and_other_bad_input_are_refused_and_nothing_is_written() {
    let env = Env::new();
    for cpr in ["010190-1234", "0101901234", "sag 290200 1234"] {
        let err = env.refused(&[
            "request", "new", "--org", "skgr", "--kind", "erasure", "--ref", cpr, "--by", "H",
        ]);
        assert!(
            err.contains("Sagsreferencen ligner et CPR-nummer"),
            "{cpr}: {err}"
        );
        assert!(err.contains("ingen personoplysninger"), "{err}");
    }
    assert!(!env.db().exists() || env.events().is_empty());
    env.ok(&[
        "request",
        "new",
        "--org",
        "skgr",
        "--kind",
        "erasure",
        "--received",
        "2026-02-01",
        "--ref",
        "S-1",
        "--by",
        "H",
    ]);
    let err = env.refused(&[
        "request", "new", "--org", "skgr", "--kind", "access", "--ref", "S-1", "--by", "H",
    ]);
    assert!(err.contains("allerede registreret"), "{err}");
    let err = env.refused(&[
        "request",
        "extend",
        "--org",
        "skgr",
        "--ref",
        "S-1",
        "--reason",
        "Travlt",
        "--told",
        "2026-03-02",
        "--by",
        "H",
    ]);
    assert!(err.contains("inden den første frist (2026-03-01)"), "{err}");
    let err = env.refused(&[
        "request",
        "close",
        "--org",
        "skgr",
        "--ref",
        "S-1",
        "--outcome",
        "refused",
        "--by",
        "H",
    ]);
    assert!(err.contains("Et afslag kræver en note"), "{err}");
    let err = env.refused(&[
        "request",
        "close",
        "--org",
        "skgr",
        "--ref",
        "S-2",
        "--outcome",
        "answered",
        "--by",
        "H",
    ]);
    assert!(
        err.contains("ingen anmodning med sagsreferencen »S-2«"),
        "{err}"
    );
    let err = env.refused(&[
        "request",
        "new",
        "--org",
        "skgr",
        "--kind",
        "access",
        "--received",
        "2026-03-11",
        "--ref",
        "S-3",
        "--by",
        "H",
    ]);
    assert!(err.contains("ligger i fremtiden"), "{err}");
    let err = env.refused(&[
        "request", "new", "--org", "skgr", "--kind", "gossip", "--ref", "S-3", "--by", "H",
    ]);
    assert!(err.contains("consent-withdrawal"), "{err}");
    assert_eq!(env.events().len(), 1);
}

#[test]
fn an_overdue_request_makes_status_exit_1_and_shows_in_its_json() {
    let env = Env::new();
    // A month in which no review is overdue yet: only the request can fail the status.
    let now = "2026-01-20T10:00:00Z";
    env.ok_at(
        now,
        &[
            "request",
            "new",
            "--org",
            "skgr",
            "--kind",
            "portability",
            "--received",
            "2026-01-02",
            "--ref",
            "S-9",
            "--by",
            "H",
        ],
    );
    let on = |date: &str| env.run_at(now, &["status", "--date", date, "--json"]);
    let before = on("2026-01-20");
    assert_eq!(before.status.code(), Some(0), "{before:?}");
    let doc: Value = serde_json::from_slice(&before.stdout).unwrap();
    assert_eq!(
        doc["requests"],
        serde_json::json!([{
            "org": "skgr", "reference": "S-9", "kind": "portability",
            "received": "2026-01-02", "deadline": "2026-02-02", "extended": false,
            "days_left": 13, "overdue": false
        }])
    );
    let due_day = env.run_at(now, &["status", "--date", "2026-02-02"]);
    let text = String::from_utf8(due_day.stdout).unwrap();
    assert!(text.contains("Åbne anmodninger fra registrerede"), "{text}");
    assert!(text.contains("frist i dag"), "{text}");

    // The day after the deadline: overdue (exit 1 here also for January's monthly reviews;
    // `a_request_alone_makes_status_exit_1` shows the request alone does it).
    let after = on("2026-02-03");
    let doc: Value = serde_json::from_slice(&after.stdout).unwrap();
    assert_eq!(doc["requests"][0]["overdue"], true);
    assert_eq!(doc["requests"][0]["days_left"], -1);
    assert_eq!(after.status.code(), Some(1));

    // Closed: no longer listed.
    env.ok_at(
        "2026-02-10T10:00:00Z",
        &[
            "request",
            "close",
            "--org",
            "skgr",
            "--ref",
            "S-9",
            "--outcome",
            "withdrawn",
            "--by",
            "H",
        ],
    );
    let doc: Value = serde_json::from_slice(&on("2026-02-10").stdout).unwrap();
    assert_eq!(doc["requests"], serde_json::json!([]));
}

#[test]
fn a_request_alone_makes_status_exit_1() {
    let env = Env::new();
    // A date whose only overdue thing is the request: no review period has ended before
    // 31 January.
    let now = "2026-01-31T10:00:00Z";
    env.ok_at(
        now,
        &[
            "request",
            "new",
            "--org",
            FS,
            "--kind",
            "objection",
            "--received",
            "2026-01-01",
            "--ref",
            "F-1",
            "--by",
            "H",
        ],
    );
    let out = env.run_at(now, &["status", "--date", "2026-01-29"]);
    assert_eq!(out.status.code(), Some(0));
    let out = env.run_at(now, &["status", "--date", "2026-01-30"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("F-1"), "{text}");
    assert!(text.contains("1 dag over fristen"), "{text}");
    assert_eq!(out.status.code(), Some(1), "{text}");
}

/// Skips a test for a missing tool with the reason printed; fails instead when `CI` is set.
fn skip_unless_ci(why: &str) {
    let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0");
    assert!(
        !ci,
        "CI is set but {why}: install it (.ci/run installs poppler-utils)"
    );
    eprintln!("SKIPPED: {why}");
}

#[test]
fn the_yearly_record_holds_the_years_register_read_back_from_the_pdf() {
    let env = Env::new();
    let now = "2026-11-22T10:00:00Z";
    let steps: &[&[&str]] = &[
        &[
            "request",
            "new",
            "--org",
            FS,
            "--kind",
            "access",
            "--received",
            "2026-01-31",
            "--ref",
            "sag 2026-014",
            "--by",
            "H",
        ],
        &[
            "request",
            "new",
            "--org",
            FS,
            "--kind",
            "consent-withdrawal",
            "--received",
            "2026-03-03",
            "--ref",
            "sag 2026-015",
            "--by",
            "H",
        ],
        &[
            "request",
            "extend",
            "--org",
            FS,
            "--ref",
            "sag 2026-015",
            "--reason",
            "Tre afdelinger",
            "--told",
            "2026-03-20",
            "--by",
            "H",
        ],
        &[
            "request",
            "close",
            "--org",
            FS,
            "--ref",
            "sag 2026-015",
            "--outcome",
            "answered",
            "--date",
            "2026-05-01",
            "--by",
            "H",
        ],
        &[
            "request",
            "new",
            "--org",
            FS,
            "--kind",
            "objection",
            "--received",
            "2026-11-01",
            "--ref",
            "sag 2026-031",
            "--by",
            "H",
        ],
        &[
            "request",
            "close",
            "--org",
            FS,
            "--ref",
            "sag 2026-031",
            "--outcome",
            "refused",
            "--note",
            "Bestyrelsen fandt indsigelsen uberettiget",
            "--date",
            "2026-12-01",
            "--by",
            "H",
        ],
        // Another year's request is not in this year's record.
        &[
            "request",
            "new",
            "--org",
            FS,
            "--kind",
            "erasure",
            "--received",
            "2025-12-30",
            "--ref",
            "sag 2025-099",
            "--by",
            "H",
        ],
    ];
    for (n, args) in steps.iter().enumerate() {
        let at = if n == 5 { "2026-12-02T10:00:00Z" } else { now };
        env.ok_at(at, args);
    }
    let pdf = env.dir.path().join("aar.pdf");
    env.ok_at(
        "2026-12-02T10:00:00Z",
        &[
            "export",
            "--org",
            FS,
            "--period",
            "2026",
            "--draft",
            "--out",
            pdf.to_str().unwrap(),
        ],
    );
    let Ok(out) = Command::new("pdftotext")
        .args(["-layout"])
        .arg(&pdf)
        .arg("-")
        .output()
    else {
        return skip_unless_ci("pdftotext (poppler-utils) is not installed");
    };
    let text = String::from_utf8(out.stdout).unwrap();
    let start = text
        .find("Registret over anmodninger fra registrerede 2026")
        .unwrap_or_else(|| panic!("no register in:\n{text}"));
    let section = &text[start..];
    assert!(
        section.contains("registret gemmer ingen personoplysninger"),
        "{section}"
    );
    assert!(
        section.contains("I alt: 3 modtaget · 1 besvaret inden fristen · 1 for sent · 1 åben"),
        "{section}"
    );
    // One row per request: its cells in order on its first line.
    let row = |reference: &str| -> Vec<String> {
        section
            .lines()
            .find(|l| l.trim_start().starts_with(reference))
            .unwrap_or_else(|| panic!("no row {reference} in:\n{section}"))
            .split("  ")
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(String::from)
            .collect()
    };
    assert_eq!(
        row("sag 2026-014"),
        [
            "sag 2026-014",
            "indsigt",
            "31.01.2026",
            "28.02.2026",
            "—",
            "åben",
            "—"
        ]
    );
    // Fordelingssekretariatet's four weeks, then the extension to three months.
    assert_eq!(
        row("sag 2026-015")[..5],
        [
            "sag 2026-015",
            "tilbagekaldt",
            "03.03.2026",
            "03.06.2026",
            "meddelt"
        ]
    );
    assert_eq!(row("sag 2026-015").last().unwrap(), "ja");
    assert_eq!(
        row("sag 2026-031"),
        [
            "sag 2026-031",
            "indsigelse",
            "01.11.2026",
            "29.11.2026",
            "—",
            "afvist",
            "nej"
        ]
    );
    // The closing date wraps onto the row's second line.
    assert!(section.contains("01.12.2026"), "{section}");
    assert!(!text.contains("sag 2025-099"), "another year's request");
    assert!(
        !text.contains("Bestyrelsen fandt"),
        "notes are not printed in the table"
    );

    // A request registered after the export moves the yearly review on: verify says so.
    env.ok_at(
        "2026-12-02T11:00:00Z",
        &[
            "request",
            "new",
            "--org",
            FS,
            "--kind",
            "access",
            "--received",
            "2026-12-02",
            "--ref",
            "sag 2026-040",
            "--by",
            "H",
        ],
    );
    let out = env.run_at(
        "2026-12-02T11:00:00Z",
        &["--lang", "en", "verify", pdf.to_str().unwrap()],
    );
    let said =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("the file matches the review as it was at event #6; it has changed since"),
        "{said}"
    );
    assert!(
        said.contains("since then only the register of requests has changed (1 event)"),
        "{said}"
    );
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn the_checklist_sets_a_shorter_limit_strictly_and_marks_look_back_items() {
    use aarshjul::checklist;
    use aarshjul::i18n::Lang;
    let toml = |org_extra: &str, item_extra: &str| {
        format!(
            "schema = 1\n\n[organisation]\nid = \"a\"\nname = \"A\"\npolicy = \"P\"\n{org_extra}\n\n[[item]]\nid = \"x\"\ncadence = \"quarterly\"\ntitle = \"T\"\nsource = \"S\"\n{item_extra}\n"
        )
    };
    let parse = |text: String| checklist::parse(Path::new("a.toml"), text.as_bytes(), Lang::En);
    let list = parse(toml("request_deadline_days = 28", "")).unwrap();
    assert_eq!(list.organisation.request_deadline_days, Some(28));
    assert_eq!(
        parse(toml("", ""))
            .unwrap()
            .organisation
            .request_deadline_days,
        None
    );
    for bad in [
        "request_deadline_days = 0",
        "request_deadline_days = 45",
        "request_deadline_days = -3",
    ] {
        let problems = parse(toml(bad, "")).unwrap_err();
        assert_eq!(problems.len(), 1, "{bad}");
        let said = problems[0].to_string();
        assert!(said.starts_with("a.toml:7:25: "), "{said}");
        assert!(said.contains("from 1 to 31"), "{said}");
    }
    let problems = parse(toml("request_deadline_days = \"4 uger\"", "")).unwrap_err();
    assert!(
        problems[0].to_string().starts_with("a.toml:7:25: "),
        "{:?}",
        problems
    );
    let problems = parse(toml("", "requests = true")).unwrap_err();
    let said = problems[0].to_string();
    assert!(said.starts_with("a.toml:14:12: "), "{said}");
    assert!(
        said.contains("`requests = true` needs `cadence = \"yearly\"`"),
        "{said}"
    );
    let problems = parse(toml("", "requests = \"ja\"")).unwrap_err();
    assert!(
        problems[0].to_string().starts_with("a.toml:14:12: "),
        "{:?}",
        problems
    );

    // The shipped checklists: Fordelingssekretariatet's four weeks, and one look-back item each.
    let lists = checklist::load_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("checklists"),
        Lang::Da,
    )
    .unwrap();
    let by_id = |id: &str| lists.iter().find(|l| l.organisation.id == id).unwrap();
    assert_eq!(by_id(FS).organisation.request_deadline_days, Some(28));
    assert_eq!(by_id("skgr").organisation.request_deadline_days, None);
    let looks_back = |id: &str| -> Vec<String> {
        by_id(id)
            .items
            .iter()
            .filter(|i| i.requests)
            .map(|i| i.id.clone())
            .collect()
    };
    assert_eq!(looks_back(FS), ["indsigtsbegaeringer"]);
    assert_eq!(looks_back("skgr"), ["anmodninger-rettigheder"]);
}

#[test]
fn status_within_filters_requests_by_deadline_beside_follow_ups() {
    let env = Env::new();
    let now = "2026-01-20T10:00:00Z";
    let new = |reference: &str, received: &str| {
        env.ok_at(
            now,
            &[
                "request",
                "new",
                "--org",
                "skgr",
                "--kind",
                "access",
                "--received",
                received,
                "--ref",
                reference,
                "--by",
                "H",
            ],
        );
    };
    new("S-near", "2026-01-02"); // deadline 2 February: 13 days
    new("S-far", "2026-01-19"); // deadline 19 February: 30 days
    // A follow-up due in 10 days, beside them.
    env.ok_at(
        now,
        &[
            "record",
            "--org",
            "skgr",
            "--period",
            "2026-01",
            "--item",
            "egne-enheder-oprydning",
            "--status",
            "deviation",
            "--note",
            "Ikke ryddet op",
            "--by",
            "H",
            "--action",
            "Ryd op",
            "--owner",
            "Lise",
            "--due",
            "30.01.2026",
        ],
    );
    let json = |args: &[&str]| -> Value {
        let out = env.run_at(now, args);
        assert_eq!(out.status.code(), Some(0), "{out:?}");
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let all = json(&["status", "--date", "2026-01-20", "--json"]);
    let refs = |doc: &Value| -> Vec<String> {
        doc["requests"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["reference"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(refs(&all), ["S-near", "S-far"]);
    assert_eq!(all["actions"][0]["action"], "Ryd op");
    let soon = json(&["status", "--date", "2026-01-20", "--within", "14", "--json"]);
    assert_eq!(refs(&soon), ["S-near"]);
    assert_eq!(soon["actions"].as_array().unwrap().len(), 1);
    let sooner = json(&["status", "--date", "2026-01-20", "--within", "7", "--json"]);
    assert!(refs(&sooner).is_empty());
    assert!(sooner["actions"].as_array().unwrap().is_empty());

    // The text says the same.
    let out = env.run_at(now, &["status", "--date", "2026-01-20", "--within", "14"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("S-near") && !text.contains("S-far"), "{text}");
    assert!(text.contains("Ryd op"), "{text}");
    // Once past its deadline it is listed under any --within and fails the status.
    let out = env.run_at(now, &["status", "--date", "2026-02-03", "--within", "0"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("S-near") && !text.contains("S-far"), "{text}");
    assert_eq!(out.status.code(), Some(1), "{text}");
}

#[test]
fn control_characters_in_request_texts_are_refused() {
    let env = Env::new();
    let base = [
        "request",
        "new",
        "--org",
        FS,
        "--kind",
        "access",
        "--received",
        "2026-03-03",
    ];
    let with = |extra: &[&str]| -> Vec<String> {
        base.iter().chain(extra).map(|s| s.to_string()).collect()
    };
    let run = |args: Vec<String>| {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        env.refused(&args)
    };
    let err = run(with(&["--ref", "sag\u{1b}[2J 1", "--by", "H"]));
    assert!(err.contains("styretegn (U+001B)"), "{err}");
    assert!(err.contains("Sagsreferencen"), "{err}");
    assert!(
        !err.contains('\u{1b}'),
        "the escape is shown, not sent: {err}"
    );
    let err = run(with(&["--ref", "sag 1", "--by", "H\u{7}"]));
    assert!(err.contains("styretegn (U+0007)"), "{err}");
    assert!(env.events().is_empty());

    env.ok(&with(&["--ref", "sag 1", "--by", "H"])
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>());
    let err = env.refused(&[
        "request",
        "extend",
        "--org",
        FS,
        "--ref",
        "sag 1",
        "--reason",
        "To\rafdelinger",
        "--told",
        "2026-03-04",
        "--by",
        "H",
    ]);
    assert!(
        err.contains("Begrundelsen indeholder et styretegn (U+000D)"),
        "{err}"
    );
    let err = env.refused(&[
        "request",
        "close",
        "--org",
        FS,
        "--ref",
        "sag 1",
        "--outcome",
        "answered",
        "--note",
        "Sendt\u{9b}31m",
        "--by",
        "H",
    ]);
    assert!(
        err.contains("Noten indeholder et styretegn (U+009B)"),
        "{err}"
    );
    // A note over several lines is fine.
    env.ok(&[
        "request",
        "close",
        "--org",
        FS,
        "--ref",
        "sag 1",
        "--outcome",
        "answered",
        "--note",
        "Udskrift sendt.\nKvittering modtaget.",
        "--by",
        "H",
    ]);
    assert_eq!(env.events().len(), 2);
}
