//! The store on real files: events round-trip, the file is private, and plain-SQL tampering
//! is named by the chain check at the right event.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use aarshjul::i18n::Lang;
use aarshjul::period::Period;
use aarshjul::review::{Change, Outcome, Refusal};
use aarshjul::store::chain::{Fault, Verdict};
use aarshjul::store::{Store, StoreError};
use chrono::{DateTime, Duration, Utc};

fn at(n: i64) -> DateTime<Utc> {
    "2026-11-22T10:00:00Z".parse::<DateTime<Utc>>().unwrap() + Duration::minutes(n)
}

fn q4() -> Period {
    "2026-Q4".parse().unwrap()
}

fn signed(item: &str) -> Change {
    Change::ItemSigned {
        item: item.into(),
        status: Outcome::Deviation,
        note: Some("Mangler aftale med Pleo — »æøå«\nlinje 2".into()),
        by: "Henriette Salmon".into(),
        fingerprint: "ab".repeat(32),
        text: None,
    }
}

/// A database in a fresh temp dir with `n` events in it.
fn store_with(n: i64) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data").join("aarshjul.sqlite");
    let mut store = Store::open(&path).unwrap();
    for i in 0..n {
        store
            .append("skgr", q4(), at(i), |_| Ok(signed(&format!("item-{i}"))))
            .unwrap();
    }
    (dir, path)
}

/// Runs SQL on the file as a tamperer would: triggers dropped first.
fn tamper(path: &Path, sql: &str) {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch(
        "DROP TRIGGER event_append_only_update; DROP TRIGGER event_append_only_delete;",
    )
    .unwrap();
    conn.execute_batch(sql).unwrap();
}

fn verdict(path: &Path) -> Verdict {
    Store::open(path).unwrap().verify_chain().unwrap()
}

#[test]
fn events_round_trip() {
    let (_dir, path) = store_with(0);
    let mut store = Store::open(&path).unwrap();
    let written = store.append("skgr", q4(), at(0), |events| {
        assert!(events.is_empty());
        Ok(signed("a"))
    });
    let written = written.unwrap();
    store
        .append("skgr", "2026".parse().unwrap(), at(1), |_| {
            Ok(Change::ReviewSigned {
                by: "H".into(),
                role: "Leder".into(),
            })
        })
        .unwrap();
    drop(store);
    let store = Store::open(&path).unwrap();
    let events = store.review_events("skgr", q4()).unwrap();
    assert_eq!(events, vec![written]);
    assert_eq!(store.all_events().unwrap().len(), 2);
    assert_eq!(store.all_events().unwrap()[1].seq, 2);
    assert_eq!(verdict(&path), Verdict::Intact { events: 2 });
}

#[test]
fn a_refused_change_writes_nothing() {
    let (_dir, path) = store_with(1);
    let mut store = Store::open(&path).unwrap();
    let err = store
        .append("skgr", q4(), at(5), |events| {
            assert_eq!(events.len(), 1, "the review's events are seen");
            Err(Refusal::NotSigned {
                period: "2026-Q4".into(),
            })
        })
        .unwrap_err();
    assert!(matches!(err, StoreError::Refused(_)));
    assert_eq!(store.all_events().unwrap().len(), 1);
    assert_eq!(verdict(&path), Verdict::Intact { events: 1 });
}

#[test]
fn the_file_is_private_and_in_wal_mode() {
    let (_dir, path) = store_with(1);
    let mode = std::fs::metadata(&path).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    let dir_mode = std::fs::metadata(path.parent().unwrap())
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(dir_mode & 0o777, 0o700);
    let conn = rusqlite::Connection::open(&path).unwrap();
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, 1);
}

#[test]
fn events_cannot_be_changed_through_sql_while_the_triggers_stand() {
    let (_dir, path) = store_with(2);
    let conn = rusqlite::Connection::open(&path).unwrap();
    let err = conn
        .execute("UPDATE event SET org = 'x' WHERE seq = 1", [])
        .unwrap_err();
    assert!(err.to_string().contains("append-only"), "{err}");
    let err = conn
        .execute("DELETE FROM event WHERE seq = 1", [])
        .unwrap_err();
    assert!(err.to_string().contains("append-only"), "{err}");
}

#[test]
fn an_edited_event_is_named() {
    let (_dir, path) = store_with(5);
    tamper(
        &path,
        "UPDATE event SET payload = replace(payload, 'Deviation', 'Done') WHERE seq = 3;
                   UPDATE event SET payload = replace(payload, 'deviation', 'done') WHERE seq = 3;",
    );
    assert_eq!(
        verdict(&path),
        Verdict::Broken {
            seq: 3,
            fault: Fault::Altered
        }
    );
}

#[test]
fn an_edited_timestamp_is_named() {
    let (_dir, path) = store_with(3);
    tamper(
        &path,
        "UPDATE event SET at = '2026-01-01T00:00:00.000000Z' WHERE seq = 2;",
    );
    assert_eq!(
        verdict(&path),
        Verdict::Broken {
            seq: 2,
            fault: Fault::Altered
        }
    );
}

#[test]
fn a_deleted_event_is_named() {
    let (_dir, path) = store_with(5);
    tamper(&path, "DELETE FROM event WHERE seq = 2;");
    let v = verdict(&path);
    assert_eq!(
        v,
        Verdict::Broken {
            seq: 3,
            fault: Fault::Removed { missing_from: 2 }
        }
    );
    assert!(
        v.message(Lang::En).contains("events 2–2 are missing"),
        "{}",
        v.message(Lang::En)
    );
}

#[test]
fn a_deleted_and_renumbered_event_is_named() {
    let (_dir, path) = store_with(4);
    tamper(
        &path,
        "DELETE FROM event WHERE seq = 2; UPDATE event SET seq = seq - 1 WHERE seq > 2;
                   UPDATE chain_head SET seq = 3;",
    );
    assert_eq!(
        verdict(&path),
        Verdict::Broken {
            seq: 2,
            fault: Fault::Altered
        }
    );
}

#[test]
fn deleting_the_newest_events_is_named() {
    let (_dir, path) = store_with(4);
    tamper(&path, "DELETE FROM event WHERE seq >= 3;");
    assert_eq!(
        verdict(&path),
        Verdict::Broken {
            seq: 3,
            fault: Fault::RemovedAtEnd { last: 4 }
        }
    );
}

#[test]
fn an_inserted_event_is_named() {
    let (_dir, path) = store_with(3);
    // A copy of event 2 put in after the end, with the right link and hash recomputed by
    // someone who knows the scheme would still stand after the recorded end of the chain.
    tamper(
        &path,
        "INSERT INTO event SELECT 4, at, org, period, kind, payload,
                   (SELECT hash FROM event WHERE seq = 3), hash FROM event WHERE seq = 2;",
    );
    assert_eq!(
        verdict(&path),
        Verdict::Broken {
            seq: 4,
            fault: Fault::Inserted
        }
    );
}

#[test]
fn an_inserted_event_with_the_head_moved_is_named() {
    let (_dir, path) = store_with(3);
    tamper(
        &path,
        "INSERT INTO event SELECT 4, at, org, period, kind, payload,
                   (SELECT hash FROM event WHERE seq = 3), 'f00d' FROM event WHERE seq = 2;
                   UPDATE chain_head SET seq = 4, hash = 'f00d';",
    );
    assert_eq!(
        verdict(&path),
        Verdict::Broken {
            seq: 4,
            fault: Fault::Altered
        }
    );
}

#[test]
fn a_swapped_link_is_named() {
    let (_dir, path) = store_with(3);
    // Move event 3 to hang off event 1, hash recomputed: the link no longer matches.
    let store = Store::open(&path).unwrap();
    let events = store.all_events().unwrap();
    drop(store);
    let row = aarshjul::store::chain::Row::of(&events[2], "0".repeat(64));
    tamper(
        &path,
        &format!(
            "UPDATE event SET prev_hash = '{}', hash = '{}' WHERE seq = 3; UPDATE chain_head SET hash = '{}';",
            row.prev_hash,
            row.hash(),
            row.hash()
        ),
    );
    assert_eq!(
        verdict(&path),
        Verdict::Broken {
            seq: 3,
            fault: Fault::Unlinked
        }
    );
}

#[test]
fn a_file_that_is_not_a_database_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.sqlite");
    std::fs::write(&path, "dette er ikke en database, men en note\n".repeat(20)).unwrap();
    let before = std::fs::read(&path).unwrap();
    let err = Store::open(&path).err().unwrap();
    assert!(matches!(err, StoreError::NotADatabase { .. }), "{err:?}");
    assert!(err.message(Lang::Da).contains("ikke en database"));
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[test]
fn another_programs_database_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.sqlite");
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch("CREATE TABLE customers (name TEXT); INSERT INTO customers VALUES ('x');")
        .unwrap();
    let err = Store::open(&path).err().unwrap();
    assert!(matches!(err, StoreError::Foreign { .. }), "{err:?}");
    let conn = rusqlite::Connection::open(&path).unwrap();
    let tables: i64 = conn
        .query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))
        .unwrap();
    assert_eq!(tables, 1);
}

#[test]
fn a_newer_schema_is_refused() {
    let (_dir, path) = store_with(1);
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch("PRAGMA user_version = 99")
        .unwrap();
    let err = Store::open(&path).err().unwrap();
    assert!(
        matches!(err, StoreError::Newer { found: 99, .. }),
        "{err:?}"
    );
}

#[test]
fn a_truncated_database_is_reported_not_panicked() {
    let (_dir, path) = store_with(50);
    // Fold the WAL into the file, then cut the file in half.
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
        .unwrap();
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
    let result = Store::open(&path).and_then(|s| s.all_events().map(|_| s));
    if let Ok(store) = result {
        // If SQLite still reads it, the chain check must not call it intact.
        assert!(!matches!(
            store.verify_chain(),
            Ok(Verdict::Intact { events: 50 })
        ));
    }
}

#[test]
fn two_stores_on_one_file_keep_one_chain() {
    let (_dir, path) = store_with(0);
    let threads: Vec<_> = (0..2)
        .map(|t| {
            let path = path.clone();
            std::thread::spawn(move || {
                let mut store = Store::open(&path).unwrap();
                for i in 0..25 {
                    store
                        .append("skgr", q4(), at(i), |_| Ok(signed(&format!("t{t}-{i}"))))
                        .unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(verdict(&path), Verdict::Intact { events: 50 });
}
