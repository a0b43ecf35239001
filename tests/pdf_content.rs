//! What the record says in less common cases, through the library: an English checklist, a
//! checklist changed after sign-off, staff meetings, the pages of a long review; and a
//! PKCS#12 file with the old ciphers.

use std::process::Command;

use aarshjul::checklist::{self, Checklist};
use aarshjul::flows::export::{self, ExportOptions};
use aarshjul::i18n::Lang;
use aarshjul::pdf::{self, Holder, Identity, IdentityError};
use aarshjul::period::Period;
use aarshjul::review::{Change, Event, Meeting, Outcome};
use aarshjul::store::Store;
use chrono::{DateTime, NaiveDate, Utc};

const ENGLISH: &str = r#"
schema = 1

[organisation]
id = "acme"
name = "Acme Care"
policy = "Acme privacy policy"
language = "en"

[[item]]
id = "review-folders"
cadence = "yearly"
title = "Review the discharged-clients folder"
source = "Section 3"

[[item]]
id = "staff-meeting"
cadence = "yearly"
title = "Walk the staff through the policy"
source = "Section 4"
caveat = "The policy names two deadlines"
walkthrough = true
"#;

fn now() -> DateTime<Utc> {
    "2026-11-22T13:00:00Z".parse().unwrap()
}

fn load(toml: &str) -> (tempfile::TempDir, Checklist) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("acme.toml"), toml).unwrap();
    let mut lists = checklist::load_dir(dir.path(), Lang::En).unwrap();
    (dir, lists.remove(0))
}

fn events(list: &Checklist, period: Period, notes: &str) -> Vec<Event> {
    let mut changes: Vec<Change> = list
        .items_of(period.cadence())
        .map(|item| Change::ItemSigned {
            item: item.id.clone(),
            status: Outcome::Done,
            note: Some(notes.to_string()),
            by: "Jane Doe".into(),
            fingerprint: item.fingerprint(),
            text: Some(Box::new(item.text())),
        })
        .collect();
    changes.push(Change::WalkthroughHeld(Meeting {
        date: NaiveDate::from_ymd_opt(2026, 11, 12).unwrap(),
        department: "Head office".into(),
        leader: "Jane Doe".into(),
        attendees: vec!["Ann".into(), "Bo".into(), "Cy".into()],
        sections: vec!["Secrecy".into(), "Mail".into()],
        sections_fingerprint: "00".into(),
    }));
    changes.push(Change::ReviewSigned {
        by: "Jane Doe".into(),
        role: "Manager".into(),
    });
    changes
        .into_iter()
        .enumerate()
        .map(|(n, change)| Event {
            seq: n as i64 + 1,
            at: now(),
            org: list.organisation.id.clone(),
            period,
            change,
        })
        .collect()
}

fn text(bytes: &[u8]) -> Vec<String> {
    let doc = lopdf::Document::load_mem(bytes).unwrap();
    doc.get_pages()
        .keys()
        .map(|n| {
            doc.extract_text(&[*n])
                .unwrap()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

#[test]
fn an_english_checklist_makes_an_english_record_with_its_staff_meeting() {
    let (_dir, list) = load(ENGLISH);
    let period: Period = "2026".parse().unwrap();
    let events = events(&list, period, "All fine");
    let built = pdf::build(&list, period, &events, true, None, now()).unwrap();
    let pages = text(&built.bytes);
    let all = pages.join(" ");
    for s in [
        "Yearly review 2026 1 January–31 December 2026",
        "Summary",
        "Staff-meeting walkthroughs",
        "12 November 2026 — Head office, led by Jane Doe",
        "Attendees (3): Ann, Bo, Cy",
        "Caveat: The policy names two deadlines",
        "Signed: Jane Doe (Manager), 22 November 2026 14:00",
        "DRAFT",
    ] {
        assert!(all.contains(s), "missing {s:?} in {all}");
    }
    assert!(pages[0].contains(&format!("Page 1 of {}", pages.len())));
}

#[test]
fn a_long_review_flows_over_pages_and_changed_items_are_flagged() {
    let (_dir, list) = load(ENGLISH);
    let period: Period = "2026".parse().unwrap();
    let long_note =
        "A long note with many words about what was found. ".repeat(120) + &"x".repeat(400);
    let events = events(&list, period, &long_note);
    let changed = load(&ENGLISH.replace(
        "Review the discharged-clients folder",
        "Review the discharged-clients folder every year",
    ))
    .1;
    let built = pdf::build(&changed, period, &events, false, None, now()).unwrap();
    let pages = text(&built.bytes);
    assert!(pages.len() >= 3, "{} pages", pages.len());
    for (n, page) in pages.iter().enumerate() {
        assert!(page.contains(&format!("Page {} of {}", n + 1, pages.len())));
    }
    let all = pages.join(" ");
    assert!(all.contains("changed in the checklist after their outcome was recorded"));
    assert!(
        all.contains("The item's text in the checklist changed after its outcome was recorded.")
    );
    let xs = all.matches('x').count();
    assert!(
        xs >= 400,
        "the long word is printed whole, broken over lines ({xs})"
    );
    assert_eq!(
        built.fingerprint,
        pdf::build(&list, period, &events, false, None, now())
            .unwrap()
            .fingerprint,
        "the fingerprint is of the events, which carry the texts they were signed against, \
         not of today's checklist"
    );
}

#[test]
fn export_through_the_library_records_the_event_and_names_the_default_path() {
    let (dir, list) = load(ENGLISH);
    let period: Period = "2026".parse().unwrap();
    let db = dir.path().join("data").join("aarshjul.sqlite");
    let mut store = Store::open(&db).unwrap();
    let opts = ExportOptions::for_db(&db, false, now());
    let err = export::export_to_default(&mut store, &list, period, &opts).unwrap_err();
    assert_eq!(
        err.message(Lang::Da),
        "Gennemgangen acme 2026 har ingen registreringer endnu; der er intet at eksportere."
    );
    for e in events(&list, period, "ok") {
        store
            .append("acme", period, now(), |_| Ok(e.change))
            .unwrap();
    }
    let report = export::export_to_default(&mut store, &list, period, &opts).unwrap();
    assert_eq!(report.path, dir.path().join("data/exports/acme-2026.pdf"));
    assert!(report.identity_created && report.certificate.is_some());
    assert_eq!(
        report.certificate.unwrap().holder,
        "CN=Acme Care, O=Acme Care, C=DK"
    );
    assert!(dir.path().join("data/identity/acme/key.pem").exists());
    let events = store.review_events("acme", period).unwrap();
    assert!(matches!(
        &events.last().unwrap().change,
        Change::ExportMade { sha256, .. } if *sha256 == report.sha256
    ));
    assert_eq!(report.event_seq, events.last().unwrap().seq);
}

fn acme() -> Holder<'static> {
    Holder {
        organisation: "Acme Care",
        cvr: None,
    }
}

#[test]
fn a_pkcs12_file_with_the_old_ciphers_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let made = openssl_p12(d, "Old", "old.p12", &["-legacy"]);
    if !made {
        skip_unless_ci("openssl with the legacy provider is not available");
        return;
    }
    let err = Identity::import(&d.join("identity"), &d.join("old.p12"), "wrong", &acme())
        .err()
        .unwrap();
    assert!(matches!(err, IdentityError::P12 { .. }), "{err:?}");
    assert!(err.message(Lang::En).contains("wrong password"));
    assert!(!d.join("identity").exists());
    let id = Identity::import(&d.join("identity"), &d.join("old.p12"), "pw", &acme()).unwrap();
    assert_eq!(id.holder(), "O=Acme Care, CN=Old");
    assert!(Identity::load(&d.join("identity")).unwrap().is_some());
}

/// Makes a P-256 key, a self-signed certificate for `cn` and a PKCS#12 file `name` (password
/// "pw") in `dir` with the openssl command; `extra` goes to `openssl pkcs12 -export`.
/// Returns false when openssl (or what `extra` asks of it) is not available.
fn openssl_p12(dir: &std::path::Path, cn: &str, name: &str, extra: &[&str]) -> bool {
    let run = |args: &[&str]| {
        Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .output()
            .is_ok_and(|o| o.status.success())
    };
    let subject = format!("/CN={cn}/O=Acme Care");
    let key = [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-days",
        "3",
        "-subj",
        &subject,
        "-keyout",
        "k.pem",
        "-out",
        "c.pem",
    ];
    let mut export = vec!["pkcs12", "-export"];
    export.extend_from_slice(extra);
    export.extend([
        "-inkey", "k.pem", "-in", "c.pem", "-out", name, "-passout", "pass:pw",
    ]);
    run(&key) && run(&export)
}

/// Skips a test for a missing tool with the reason printed; fails instead when the
/// environment variable `CI` is set (as CI services set it), so it cannot pass there unseen.
fn skip_unless_ci(why: &str) {
    let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0");
    assert!(
        !ci,
        "CI is set but {why}: install it (.ci/run installs openssl)"
    );
    eprintln!("SKIPPED: {why}");
}

#[test]
fn a_pkcs12_file_asking_for_excessive_work_is_refused_at_once() {
    use der::{Decode, Encode};
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let made = openssl_p12(d, "Slow", "ok.p12", &[]);
    if !made {
        skip_unless_ci("the openssl command is not available");
        return;
    }
    // The same file, its MAC asking for two billion iterations.
    let mut pfx = pkcs12::pfx::Pfx::from_der(&std::fs::read(d.join("ok.p12")).unwrap()).unwrap();
    pfx.mac_data.as_mut().unwrap().iterations = 2_000_000_000;
    std::fs::write(d.join("slow.p12"), pfx.to_der().unwrap()).unwrap();
    let started = std::time::Instant::now();
    let err = Identity::import(&d.join("identity"), &d.join("slow.p12"), "pw", &acme())
        .err()
        .unwrap();
    assert!(started.elapsed() < std::time::Duration::from_secs(2));
    assert!(
        err.message(Lang::En)
            .contains("unreasonable amount of work"),
        "{}",
        err.message(Lang::En)
    );
    assert!(!d.join("identity").exists());
    // The untouched file imports.
    Identity::import(&d.join("identity"), &d.join("ok.p12"), "pw", &acme()).unwrap();
}

#[test]
fn the_self_signed_certificate_names_the_organisation_and_its_cvr() {
    let holder = Holder {
        organisation: "Støttekontaktgruppen, Vest",
        cvr: Some("37292664"),
    };
    let id = Identity::self_signed(&holder, now()).unwrap();
    assert_eq!(
        id.holder(),
        "CN=Støttekontaktgruppen\\, Vest, organizationIdentifier=NTRDK-37292664, O=Støttekontaktgruppen\\, Vest, C=DK"
    );
    let org = id.organisation();
    assert_eq!(org.name.as_deref(), Some("Støttekontaktgruppen, Vest"));
    assert_eq!(org.cvr.as_deref(), Some("37292664"));
    assert_eq!(id.fingerprint().len(), 64);
}
