//! Issue 9, points 2 and 3: every signed record states the event chain's head at its export
//! and carries the review's canonical JSON as an attachment. `verify` and
//! `verify-db --records` catch a log cut or rebuilt after a record was exported, and the
//! fingerprint is recomputed from the attachment alone (by aarshjul, and by pdfdetach +
//! SHA-256 as an auditor would).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use aarshjul::store::chain::Row;
use sha2::{Digest, Sha256};

struct Env {
    dir: tempfile::TempDir,
}

const YEAR: [&str; 4] = ["--org", "skgr", "--period", "2026"];

/// The yearly items of skgr (the notes the shipped checklist asks for).
const ITEMS: [(&str, &str); 11] = [
    ("udskrevne-borgere", "14 borgere slettet"),
    ("interne-retningslinjer", "Håndbogen opdateret"),
    ("personalemoede-gennemgang", "12/11 Krakasvej, 14 deltagere"),
    ("firewall-virus", "Opdateret"),
    ("fratraadte-medarbejdere", "3 fratrådte; adgange lukket"),
    ("personoplysninger-12-maaneder", "Gennemgået"),
    ("databehandleraftaler", "Ingen ændringer"),
    ("fysisk-sikring-botilbud", "Låst"),
    ("persondatapolitik-gennemgang", "Ingen ændringer"),
    ("politik-offentliggjort", "På hjemmesiden"),
    ("anmodninger-rettigheder", "Ingen anmodninger i året"),
];

impl Env {
    fn new() -> Env {
        Env {
            dir: tempfile::tempdir().unwrap(),
        }
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
            .env(
                "AARSHJUL_CHECKLISTS",
                Path::new(env!("CARGO_MANIFEST_DIR")).join("checklists"),
            )
            .env("AARSHJUL_NOW", "2026-11-22T13:00:00Z")
            .env("LANG", "en_GB.UTF-8")
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .current_dir(self.dir.path())
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap()
    }

    /// Runs a command; its exit code and stdout.
    fn code(&self, args: &[&str]) -> (i32, String) {
        let out = self.run(args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{stderr}");
        (
            out.status.code().unwrap(),
            String::from_utf8(out.stdout).unwrap(),
        )
    }

    fn ok(&self, args: &[&str]) -> String {
        let (code, out) = self.code(args);
        assert_eq!(code, 0, "{args:?}: {out}");
        out
    }

    /// Records, signs and exports skgr's yearly review to `exports/skgr-2026.pdf` beside
    /// the database; returns the file.
    fn exported_year(&self) -> PathBuf {
        for (item, note) in ITEMS {
            let mut args = vec!["record"];
            args.extend(YEAR);
            args.extend(["--item", item, "--status", "done", "--note", note]);
            args.extend(["--by", "Henriette Salmon"]);
            self.ok(&args);
        }
        let mut args = vec!["sign"];
        args.extend(YEAR);
        args.extend(["--by", "Henriette Salmon", "--role", "Leder"]);
        self.ok(&args);
        let mut args = vec!["export"];
        args.extend(YEAR);
        self.ok(&args);
        self.path("data/exports/skgr-2026.pdf")
    }

    fn verify(&self, file: &Path) -> (i32, String) {
        self.code(&["verify", file.to_str().unwrap()])
    }

    fn sql(&self, sql: &str) {
        rusqlite::Connection::open(self.db())
            .unwrap()
            .execute_batch(sql)
            .unwrap();
    }

    /// Recomputes every event's hash and link and the chain head, as someone who can write
    /// the file and knows the hash function would after changing an event.
    fn rebuild_chain(&self) {
        let mut conn = rusqlite::Connection::open(self.db()).unwrap();
        let tx = conn.transaction().unwrap();
        tx.execute_batch("DROP TRIGGER IF EXISTS event_append_only_update")
            .unwrap();
        let rows: Vec<Row> = {
            let mut stmt = tx
                .prepare("SELECT seq, at, org, period, kind, payload FROM event ORDER BY seq")
                .unwrap();
            stmt.query_map([], |r| {
                Ok(Row {
                    seq: r.get(0)?,
                    at: r.get(1)?,
                    org: r.get(2)?,
                    period: r.get(3)?,
                    kind: r.get(4)?,
                    payload: r.get(5)?,
                    prev_hash: String::new(),
                })
            })
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
        };
        let mut prev = "0".repeat(64);
        let mut last = 0;
        for mut row in rows {
            row.prev_hash = prev.clone();
            prev = row.hash();
            last = row.seq;
            tx.execute(
                "UPDATE event SET prev_hash = ?1, hash = ?2 WHERE seq = ?3",
                rusqlite::params![row.prev_hash, prev, row.seq],
            )
            .unwrap();
        }
        tx.execute(
            "UPDATE chain_head SET seq = ?1, hash = ?2",
            rusqlite::params![last, prev],
        )
        .unwrap();
        tx.commit().unwrap();
    }
}

fn info(bytes: &[u8], key: &[u8]) -> lopdf::Object {
    let doc = lopdf::Document::load_mem(bytes).unwrap();
    let id = doc.trailer.get(b"Info").unwrap().as_reference().unwrap();
    doc.get_dictionary(id).unwrap().get(key).unwrap().clone()
}

fn text_of(bytes: &[u8]) -> String {
    let doc = lopdf::Document::load_mem(bytes).unwrap();
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    doc.extract_text(&pages)
        .unwrap()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn the_record_states_the_chain_head_at_its_export_in_the_signed_bytes_and_in_words() {
    let env = Env::new();
    let file = env.exported_year();
    let bytes = std::fs::read(&file).unwrap();
    // 11 sign-offs and the review's signature: the export (event 13) came after event 12.
    let seq = lopdf::decode_text_string(&info(&bytes, b"AarshjulChainSeq")).unwrap();
    assert_eq!(seq, "12");
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    let hash12: String = conn
        .query_row("SELECT hash FROM event WHERE seq = 12", [], |r| r.get(0))
        .unwrap();
    let stated = lopdf::decode_text_string(&info(&bytes, b"AarshjulChainHash")).unwrap();
    assert_eq!(stated, hash12);
    // The last page says it in words (Danish: the checklist's language).
    let text = text_of(&bytes);
    assert!(
        text.contains("Hændelsesloggen ved eksporten: 12 hændelser, den sidste med kædens SHA-256"),
        "{text}"
    );
    assert!(text.contains(&hash12[..32]), "{text}");
    let (code, out) = env.verify(&file);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("Event log: the event log still holds exactly the 12 events the record was exported after"),
        "{out}"
    );
}

#[test]
fn a_log_cut_after_an_export_passes_verify_db_but_not_the_record() {
    let env = Env::new();
    let file = env.exported_year();
    // Life goes on: the review is reopened (event 13) after the export (event 12).
    let mut args = vec!["reopen"];
    args.extend(YEAR);
    args.extend(["--by", "Henriette Salmon", "--reason", "Ny note"]);
    env.ok(&args);
    let (code, out) = env.code(&["verify-db", "--records"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains(" OK  skgr-2026.pdf: valid; the review has changed since"),
        "{out}"
    );

    // Whoever can write the file cuts the newest events, from the review's signature on, and
    // moves the chain's recorded end back: the chain is consistent with itself again.
    env.sql(
        "DROP TRIGGER event_append_only_delete;
         DELETE FROM event WHERE seq >= 12;
         UPDATE chain_head SET seq = 11, hash = (SELECT hash FROM event WHERE seq = 11);",
    );
    let (code, out) = env.code(&["verify-db"]);
    assert_eq!(code, 0, "verify-db alone cannot see it: {out}");
    assert!(out.contains("intact: 11 events"), "{out}");

    let (code, out) = env.verify(&file);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("Event log: BROKEN — the database no longer holds the event log the record was exported after (events 1–12): event 12 is missing"),
        "{out}"
    );
    assert!(out.contains("Verdict: BROKEN"), "{out}");

    let (code, out) = env.code(&["verify-db", "--records"]);
    assert_eq!(code, 1, "{out}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "SQLite's integrity check: ok.", "{out}");
    assert_eq!(
        lines[1], "The event chain is intact: 11 events checked.",
        "{out}"
    );
    assert!(
        lines[2].starts_with("FAIL skgr-2026.pdf: Event log: BROKEN")
            && lines[2].ends_with("event 12 is missing"),
        "{out}"
    );
    assert_eq!(lines[3], "Records: 0 hold, 1 failed, 0 drafts");
    assert_eq!(lines.len(), 4, "{out}");

    // The same with the directory named, and in Danish.
    let dir = env.path("data/exports");
    let (code, out) = env.code(&[
        "verify-db",
        "--records",
        dir.to_str().unwrap(),
        "--lang",
        "da",
    ]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("FEJL skgr-2026.pdf: Hændelseslog: BRUDT"),
        "{out}"
    );
    assert!(out.contains("hændelse 12 mangler"), "{out}");
}

#[test]
fn a_rebuilt_chain_is_caught_and_the_changed_event_named() {
    let env = Env::new();
    let file = env.exported_year();
    // Event 4's note edited and every hash after it recomputed.
    env.sql(
        "DROP TRIGGER event_append_only_update;
         UPDATE event SET payload = replace(payload, 'Opdateret', 'Alt i orden') WHERE seq = 4;",
    );
    let (code, out) = env.code(&["verify-db"]);
    assert_eq!(
        code, 1,
        "an edit without new hashes shows in verify-db: {out}"
    );
    let (code, out) = env.verify(&file);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("(events 1–12): event 4 was changed (its content no longer matches its hash)"),
        "{out}"
    );

    env.rebuild_chain();
    let (code, out) = env.code(&["verify-db"]);
    assert_eq!(code, 0, "a rebuilt chain is consistent with itself: {out}");
    let (code, out) = env.verify(&file);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("(events 1–12): event 4 of this review was changed or removed, and the chain recomputed after it"),
        "{out}"
    );
    let (code, out) = env.code(&["verify-db", "--records"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("FAIL skgr-2026.pdf: "), "{out}");
}

#[test]
fn an_event_of_another_review_rebuilt_is_still_caught() {
    let env = Env::new();
    let mut args = vec!["record", "--org", "skgr", "--period", "2026-Q4"];
    args.extend([
        "--item",
        "jobansoegninger-sletning",
        "--status",
        "done",
        "--by",
        "H",
    ]);
    args.extend(["--note", "Slettet"]);
    env.ok(&args);
    let file = env.exported_year();
    env.sql(
        "DROP TRIGGER event_append_only_update;
         UPDATE event SET payload = replace(payload, '\"by\":\"H\"', '\"by\":\"X\"') WHERE seq = 1;",
    );
    env.rebuild_chain();
    let (code, out) = env.verify(&file);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("an event of another review was changed"),
        "{out}"
    );
}

#[test]
fn verify_db_records_lists_drafts_fails_other_pdfs_and_skips_a_missing_default_dir() {
    let env = Env::new();
    // The default directory does not exist yet: nothing to check, not a failure.
    env.ok(&[
        "record",
        "--org",
        "skgr",
        "--period",
        "2026",
        "--item",
        "politik-offentliggjort",
        "--status",
        "done",
        "--by",
        "H",
    ]);
    let out = env.ok(&["verify-db", "--records"]);
    assert!(out.contains("does not exist; no records to check"), "{out}");
    // A named directory that does not exist is an error.
    let out = env.run(&["verify-db", "--records", "nowhere"]);
    assert_eq!(out.status.code(), Some(2));

    let mut args = vec!["export"];
    args.extend(YEAR);
    args.push("--draft");
    env.ok(&args);
    std::fs::write(env.path("data/exports/notes.txt"), "not a record").unwrap();
    std::fs::write(env.path("data/exports/other.pdf"), "%PDF-1.7\nnot really").unwrap();
    let (code, out) = env.code(&["verify-db", "--records"]);
    assert_eq!(code, 1, "{out}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines.len(),
        5,
        "the integrity check's line, the chain's, one per PDF and the total: {out}"
    );
    assert!(lines[2].starts_with("FAIL other.pdf: "), "{out}");
    assert_eq!(
        lines[3],
        "  –  skgr-2026-udkast.pdf: draft, not signed — not a record, not checked"
    );
    std::fs::remove_file(env.path("data/exports/other.pdf")).unwrap();
    let (code, out) = env.code(&["verify-db", "--records"]);
    assert_eq!(code, 0, "{out}");
}

/// Whether poppler's pdfdetach is installed. Missing, the test is skipped with the reason
/// printed, but fails when `CI` is set: a skipped test must not pass there unnoticed.
fn pdfdetach() -> bool {
    let there = Command::new("pdfdetach")
        .arg("-v")
        .output()
        .is_ok_and(|o| o.status.success() || !o.stderr.is_empty());
    if !there {
        let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0");
        assert!(
            !ci,
            "CI is set but pdfdetach is missing: install poppler-utils (.ci/run does)"
        );
        eprintln!("skipped: pdfdetach (poppler-utils) is not installed");
    }
    there
}

#[test]
fn pdfdetach_extracts_the_attachment_and_its_sha256_is_the_fingerprint() {
    let env = Env::new();
    let file = env.exported_year();
    let bytes = std::fs::read(&file).unwrap();
    let fingerprint = lopdf::decode_text_string(&info(&bytes, b"AarshjulFingerprint")).unwrap();
    let (code, out) = env.verify(&file);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("Attached file: aarshjul-record-skgr-2026.json — the fingerprint recomputed from it alone: it matches"),
        "{out}"
    );
    if !pdfdetach() {
        return;
    }
    let list = Command::new("pdfdetach")
        .arg("-list")
        .arg(&file)
        .output()
        .unwrap();
    let list = String::from_utf8(list.stdout).unwrap();
    assert_eq!(
        list,
        "1 embedded files\n1: aarshjul-record-skgr-2026.json\n"
    );
    let json = env.path("record.json");
    let saved = Command::new("pdfdetach")
        .args(["-save", "1"])
        .arg(&file)
        .arg("-o")
        .arg(&json)
        .status()
        .unwrap();
    assert!(saved.success());
    let extracted = std::fs::read(&json).unwrap();
    let sha = Sha256::digest(&extracted)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<String>();
    assert_eq!(sha, fingerprint);
    let parsed: serde_json::Value = serde_json::from_slice(&extracted).unwrap();
    assert_eq!(parsed["org"], "skgr");
    assert_eq!(parsed["events"].as_array().unwrap().len(), 12);
}

/// The signed record with its attachment's content changed by `edit`, signed again with the
/// organisation's own key, so only the attachment check can tell.
fn with_attachment(env: &Env, bytes: &[u8], edit: impl Fn(Vec<u8>) -> Vec<u8>) -> Vec<u8> {
    use lopdf::Object;
    let mut doc = lopdf::Document::load_mem(bytes).unwrap();
    // Remove the signature (field, dictionary, form) so the document can be signed afresh.
    let signature: Vec<_> = doc
        .objects
        .iter()
        .filter(|(_, o)| {
            let d = match o {
                Object::Dictionary(d) => d,
                _ => return false,
            };
            d.has(b"ByteRange") || d.get(b"FT").and_then(Object::as_name).ok() == Some(b"Sig")
        })
        .map(|(id, _)| *id)
        .collect();
    assert_eq!(signature.len(), 2);
    for id in signature {
        doc.objects.remove(&id);
    }
    doc.catalog_mut().unwrap().remove(b"AcroForm");
    let pages: Vec<_> = doc.get_pages().values().copied().collect();
    for page in pages {
        doc.get_dictionary_mut(page).unwrap().remove(b"Annots");
    }
    let mut edited = 0;
    for o in doc.objects.values_mut() {
        if let Object::Stream(s) = o
            && s.dict.get(b"Type").and_then(Object::as_name).ok() == Some(b"EmbeddedFile")
        {
            let content = s.get_plain_content().unwrap();
            s.set_plain_content(edit(content));
            edited += 1;
        }
    }
    assert_eq!(edited, 1);
    let identity = aarshjul::pdf::Identity::load(&env.path("data/identity/skgr"))
        .unwrap()
        .unwrap();
    aarshjul::pdf::sign::sign(
        &mut doc,
        &identity,
        &aarshjul::pdf::sign::SignInfo {
            name: "Henriette Salmon",
            reason: "Leder",
            at: "2026-11-22T13:00:00Z".parse().unwrap(),
        },
        None,
    )
    .unwrap()
}

#[test]
fn an_altered_attachment_fails_verify_even_when_signed_again() {
    let env = Env::new();
    let file = env.exported_year();
    let bytes = std::fs::read(&file).unwrap();
    // Unchanged and signed again: the check itself passes (the file is not an export).
    let same = with_attachment(&env, &bytes, |c| c);
    let check = env.path("same.pdf");
    std::fs::write(&check, &same).unwrap();
    let (_, out) = env.verify(&check);
    assert!(
        out.contains("Signature: valid, covers the whole file"),
        "{out}"
    );
    assert!(out.contains("it matches"), "{out}");

    // One note changed in the attachment: the signature holds, the record contradicts itself.
    let altered = with_attachment(&env, &bytes, |c| {
        String::from_utf8(c)
            .unwrap()
            .replace("14 borgere slettet", "15 borgere slettet")
            .into_bytes()
    });
    let check = env.path("altered.pdf");
    std::fs::write(&check, &altered).unwrap();
    let (code, out) = env.verify(&check);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("Signature: valid, covers the whole file"),
        "{out}"
    );
    assert!(
        out.contains("is NOT the record fingerprint: the record contradicts itself"),
        "{out}"
    );
    assert!(out.contains("Verdict: INVALID"), "{out}");
    // Without a database too: the attachment alone decides.
    let out = Command::new(env!("CARGO_BIN_EXE_aarshjul"))
        .args(["verify", check.to_str().unwrap()])
        .env("AARSHJUL_DB", env.path("none/none.sqlite"))
        .env("LANG", "en_GB.UTF-8")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));

    // Altered in place without signing again: the signature catches it.
    let mut flipped = bytes.clone();
    let at = bytes
        .windows(b"/EmbeddedFile".len())
        .position(|w| w == b"/EmbeddedFile")
        .unwrap();
    let stream = at + bytes[at..].windows(6).position(|w| w == b"stream").unwrap() + 10;
    flipped[stream] ^= 0x01;
    std::fs::write(&check, &flipped).unwrap();
    let (code, out) = env.verify(&check);
    assert_eq!(code, 1, "{out}");
}

#[test]
fn the_prefix_check_names_what_is_missing_or_changed() {
    use aarshjul::review::Change;
    use aarshjul::store::Store;
    use aarshjul::store::chain::{ChainHead, Prefix};
    let env = Env::new();
    let mut store = Store::open(&env.db()).unwrap();
    let period = "2026".parse().unwrap();
    let at = "2026-11-22T13:00:00Z".parse().unwrap();
    for n in 0..5 {
        store
            .append("skgr", period, at, |_| {
                Ok(Change::ReviewReopened {
                    by: "H".into(),
                    reason: format!("r{n}"),
                })
            })
            .unwrap();
    }
    let (events, head) = store.review_events_at_head("skgr", period).unwrap();
    assert_eq!((events.len(), head.seq), (5, 5));
    let at3 = || -> ChainHead {
        let conn = rusqlite::Connection::open(env.db()).unwrap();
        let hash = conn
            .query_row("SELECT hash FROM event WHERE seq = 3", [], |r| r.get(0))
            .unwrap();
        ChainHead { seq: 3, hash }
    };
    let three = at3();
    assert_eq!(store.check_prefix(&head).unwrap(), Prefix::Holds);
    assert_eq!(store.check_prefix(&three).unwrap(), Prefix::Holds);
    let wrong = ChainHead {
        seq: 3,
        hash: "0".repeat(64),
    };
    assert_eq!(store.check_prefix(&wrong).unwrap(), Prefix::Rebuilt);
    let beyond = ChainHead {
        seq: 7,
        hash: head.hash.clone(),
    };
    assert_eq!(
        store.check_prefix(&beyond).unwrap(),
        Prefix::Missing { from: 6, to: 7 }
    );
    drop(store);
    // An event edited after the prefix is no concern of a record made before it.
    env.sql(
        "DROP TRIGGER event_append_only_update;
         UPDATE event SET payload = replace(payload, 'r4', 'x4') WHERE seq = 5;",
    );
    let store = Store::open(&env.db()).unwrap();
    assert_eq!(store.check_prefix(&three).unwrap(), Prefix::Holds);
    assert_eq!(
        store.check_prefix(&head).unwrap(),
        Prefix::Changed { seq: 5 }
    );
    drop(store);
    env.sql(
        "DROP TRIGGER event_append_only_delete;
         DELETE FROM event WHERE seq = 2;",
    );
    let store = Store::open(&env.db()).unwrap();
    assert_eq!(
        store.check_prefix(&three).unwrap(),
        Prefix::Missing { from: 2, to: 2 }
    );
}
