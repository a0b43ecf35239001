//! The store: the only module that touches SQLite.
//!
//! Every change is an append-only event, committed in its own transaction before anyone is
//! told it happened. Each event carries the SHA-256 of the event before it (a hash chain; see
//! [`chain`]), so an edited, removed or inserted row shows in `aarshjul verify-db`.
//! The rules of [`crate::review::Review::check`] run *inside* the write transaction, so two
//! instances on one database cannot both pass a rule against stale state.

pub mod chain;
pub mod health;

use std::fs::{self, OpenOptions};
use std::io::Read;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{Connection, ErrorCode, OptionalExtension, TransactionBehavior, params};

use crate::i18n::Lang;
use crate::period::Period;
use crate::review::{Change, Event, Refusal};
use health::{Checkpoint, Damage};

/// Marks an SQLite file as ours (`PRAGMA application_id`): "AARS".
const APPLICATION_ID: i32 = 0x4141_5253;

/// The migrations, in order; `PRAGMA user_version` counts how many have run.
const MIGRATIONS: &[&str] = &[r#"
CREATE TABLE event (
    seq       INTEGER PRIMARY KEY,   -- 1, 2, 3, … without gaps
    at        TEXT NOT NULL,         -- RFC 3339, UTC
    org       TEXT NOT NULL,
    period    TEXT NOT NULL,         -- period key: 2026, 2026-H2, 2026-Q4, 2026-11
    kind      TEXT NOT NULL,         -- item-signed, item-retracted, review-signed, …
    payload   TEXT NOT NULL,         -- the change as JSON
    prev_hash TEXT NOT NULL,         -- hash of the event before (64 zeros for the first)
    hash      TEXT NOT NULL          -- SHA-256 over this event's fields and prev_hash
);
CREATE INDEX event_review ON event (org, period);
-- The chain's last link, updated in the same transaction as each append, so that removing
-- the newest events also shows.
CREATE TABLE chain_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO chain_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
CREATE TRIGGER event_append_only_update BEFORE UPDATE ON event
    BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER event_append_only_delete BEFORE DELETE ON event
    BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
"#];

/// What can go wrong with the database. Each message says what the user can do.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{path}: not an SQLite database")]
    NotADatabase { path: PathBuf },
    #[error("{path}: an SQLite database, but not aarshjul's")]
    Foreign { path: PathBuf },
    #[error("{path}: written by a newer aarshjul (schema {found}, this one knows {known})")]
    Newer {
        path: PathBuf,
        found: i64,
        known: usize,
    },
    #[error("{path}: damaged ({detail})")]
    Damaged { path: PathBuf, detail: String },
    #[error("{path}: in use by another aarshjul")]
    Busy { path: PathBuf },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {source}")]
    Sqlite {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error(transparent)]
    Refused(#[from] Refusal),
    /// The store failed its health check ([`health`]): it takes no writes.
    #[error("{path}: damaged, nothing written ({damage:?})")]
    Unsound { path: PathBuf, damage: Damage },
}

impl StoreError {
    /// One sentence in the user's language.
    pub fn message(&self, lang: Lang) -> String {
        let p = |path: &PathBuf| path.display().to_string();
        match self {
            StoreError::NotADatabase { path } => format!(
                "{}: {}",
                p(path),
                lang.pick(
                    "filen er ikke en database (angiv den rigtige med --db)",
                    "the file is not a database (name the right one with --db)"
                )
            ),
            StoreError::Foreign { path } => format!(
                "{}: {}",
                p(path),
                lang.pick(
                    "en SQLite-database, men ikke aarshjuls; den røres ikke (angiv en anden med --db)",
                    "an SQLite database, but not aarshjul's; it is left untouched (name another with --db)"
                )
            ),
            StoreError::Newer { path, found, known } => format!(
                "{}: {} ({found} > {known})",
                p(path),
                lang.pick(
                    "skrevet af en nyere udgave af aarshjul; opdatér programmet",
                    "written by a newer aarshjul; update the program"
                )
            ),
            StoreError::Damaged { path, detail } => format!(
                "{}: {} ({detail})",
                p(path),
                lang.pick(
                    "databasen er beskadiget; gendan den fra en sikkerhedskopi",
                    "the database is damaged; restore it from a backup"
                )
            ),
            StoreError::Busy { path } => format!(
                "{}: {}",
                p(path),
                lang.pick(
                    "databasen er optaget af en anden aarshjul; prøv igen om lidt",
                    "the database is busy in another aarshjul; try again in a moment"
                )
            ),
            StoreError::Io { path, source } => format!("{}: {source}", p(path)),
            StoreError::Sqlite { path, source } => format!("{}: {source}", p(path)),
            StoreError::Refused(r) => r.message(lang),
            // The way out first: the screen shows one line of about 100 columns.
            StoreError::Unsound { path, damage } => {
                let at = damage
                    .first_event()
                    .map(|s| {
                        lang.pick(" ved hændelse {s}", " at event {s}")
                            .replace("{s}", &s.to_string())
                    })
                    .unwrap_or_default();
                lang.pick(
                    "Intet er skrevet: databasen er beskadiget{at}; gendan den fra en sikkerhedskopi ({p}: {d}).",
                    "Nothing was written: the database is damaged{at}; restore it from a backup ({p}: {d}).",
                )
                .replace("{at}", &at)
                .replace("{p}", &p(path))
                .replace("{d}", &damage.describe(lang))
            }
        }
    }
}

/// An open database.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    /// Where this connection last found the store sound; see [`health`].
    checkpoint: Option<Checkpoint>,
}

const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

impl Store {
    /// Opens the database at `path`, creating it (mode 0600, parent directories 0700) when
    /// missing, and runs any pending migrations. A file that is not aarshjul's is refused
    /// untouched.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let io = |source| StoreError::Io {
            path: path.to_path_buf(),
            source,
        };
        match fs::File::open(path) {
            Ok(mut f) => {
                if f.metadata().map_err(io)?.is_dir() {
                    return Err(StoreError::NotADatabase {
                        path: path.to_path_buf(),
                    });
                }
                let mut magic = [0u8; 16];
                let n = f.read(&mut magic).map_err(io)?;
                if n > 0 && (n < 16 || &magic != b"SQLite format 3\0") {
                    return Err(StoreError::NotADatabase {
                        path: path.to_path_buf(),
                    });
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                create_private(path).map_err(io)?
            }
            Err(e) => return Err(io(e)),
        }
        let conn = Connection::open(path).map_err(|e| sqlite(path, e))?;
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
            checkpoint: None,
        };
        store.configure()?;
        store.migrate()?;
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn err(&self, e: rusqlite::Error) -> StoreError {
        sqlite(&self.path, e)
    }

    fn configure(&mut self) -> Result<(), StoreError> {
        self.conn
            .busy_timeout(Duration::from_secs(5))
            .map_err(|e| self.err(e))?;
        let mode: String = self
            .conn
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
            .map_err(|e| self.err(e))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Damaged {
                path: self.path.clone(),
                detail: format!("journal_mode {mode}"),
            });
        }
        self.conn
            .execute_batch("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;")
            .map_err(|e| self.err(e))
    }

    fn migrate(&mut self) -> Result<(), StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| sqlite(&self.path, e))?;
        let version: i64 = tx
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| sqlite(&self.path, e))?;
        let app_id: i32 = tx
            .query_row("PRAGMA application_id", [], |r| r.get(0))
            .map_err(|e| sqlite(&self.path, e))?;
        let tables: i64 = tx
            .query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))
            .map_err(|e| sqlite(&self.path, e))?;
        if app_id != APPLICATION_ID && (tables > 0 || version > 0) {
            return Err(StoreError::Foreign {
                path: self.path.clone(),
            });
        }
        if version > MIGRATIONS.len() as i64 {
            return Err(StoreError::Newer {
                path: self.path.clone(),
                found: version,
                known: MIGRATIONS.len(),
            });
        }
        for (n, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            tx.execute_batch(sql).map_err(|e| sqlite(&self.path, e))?;
            tx.execute_batch(&format!(
                "PRAGMA user_version = {}; PRAGMA application_id = {APPLICATION_ID};",
                n + 1
            ))
            .map_err(|e| sqlite(&self.path, e))?;
        }
        tx.commit().map_err(|e| sqlite(&self.path, e))
    }

    /// Appends one event to the review `org` × `period`, in its own transaction. `decide`
    /// sees the review's events as they stand inside the transaction and returns the change
    /// to append, or refuses. Returns the committed event.
    pub fn append(
        &mut self,
        org: &str,
        period: Period,
        at: DateTime<Utc>,
        decide: impl FnOnce(&[Event]) -> Result<Change, Refusal>,
    ) -> Result<Event, StoreError> {
        let mut events =
            self.append_all(org, period, at, |events| decide(events).map(|c| vec![c]))?;
        Ok(events.remove(0))
    }

    /// Appends several events to one review in one transaction: all of them or none (a
    /// staff meeting and the sign-off it earns).
    pub fn append_all(
        &mut self,
        org: &str,
        period: Period,
        at: DateTime<Utc>,
        decide: impl FnOnce(&[Event]) -> Result<Vec<Change>, Refusal>,
    ) -> Result<Vec<Event>, StoreError> {
        let path = self.path.clone();
        let err = |e| sqlite(&path, e);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(err)?;
        // A damaged store takes no writes. The full check is skipped only when this
        // connection found the store sound and nobody else has written since.
        let data_version = health::data_version(&tx).map_err(err)?;
        let (mut seq, mut hash): (i64, String) = tx
            .query_row("SELECT seq, hash FROM chain_head WHERE id = 1", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .map_err(err)?;
        let known = Checkpoint {
            data_version,
            seq,
            hash: hash.clone(),
        };
        if self.checkpoint.as_ref() != Some(&known) {
            self.checkpoint = None;
            if let Some(damage) = health::check(&tx).map_err(err)? {
                return Err(StoreError::Unsound {
                    path: path.clone(),
                    damage,
                });
            }
        }
        let events = read_events(&tx, Some((org, period))).map_err(err)?;
        let changes = decide(&events)?;
        let mut written = Vec::new();
        for change in changes {
            seq += 1;
            let event = Event {
                seq,
                at,
                org: org.to_string(),
                period,
                change,
            };
            let row = chain::Row::of(&event, hash);
            hash = row.hash();
            tx.execute(
                "INSERT INTO event (seq, at, org, period, kind, payload, prev_hash, hash)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    row.seq,
                    row.at,
                    row.org,
                    row.period,
                    row.kind,
                    row.payload,
                    row.prev_hash,
                    hash
                ],
            )
            .map_err(err)?;
            written.push(event);
        }
        tx.execute(
            "UPDATE chain_head SET seq = ?1, hash = ?2 WHERE id = 1",
            params![seq, hash],
        )
        .map_err(err)?;
        tx.commit().map_err(err)?;
        // This connection's own commit leaves data_version as it was.
        self.checkpoint = Some(Checkpoint {
            data_version,
            seq,
            hash,
        });
        Ok(written)
    }

    /// The events of one review, oldest first.
    pub fn review_events(&self, org: &str, period: Period) -> Result<Vec<Event>, StoreError> {
        read_events(&self.conn, Some((org, period))).map_err(|e| self.err(e))
    }

    /// Every event, oldest first.
    pub fn all_events(&self) -> Result<Vec<Event>, StoreError> {
        read_events(&self.conn, None).map_err(|e| self.err(e))
    }

    /// The full health check ([`health::check`]): `None` when the store is sound. Reading
    /// works on a damaged store; this says whether it may be written to.
    pub fn damage(&mut self) -> Result<Option<Damage>, StoreError> {
        let path = self.path.clone();
        let err = |e| sqlite(&path, e);
        // One read transaction: the check and the checkpoint see the same state.
        let tx = self.conn.transaction().map_err(err)?;
        let data_version = health::data_version(&tx).map_err(err)?;
        let found = health::check(&tx).map_err(err)?;
        let end = head(&tx).map_err(err)?;
        tx.finish().map_err(err)?;
        self.checkpoint = match (&found, end) {
            (None, Some((seq, hash))) => Some(Checkpoint {
                data_version,
                seq,
                hash,
            }),
            _ => None,
        };
        Ok(found)
    }

    /// One sentence saying the store is damaged and takes no changes, for the readers
    /// (status, the overview); `None` when it is sound.
    pub fn damage_notice(&mut self, lang: Lang) -> Option<String> {
        let damage = match self.damage() {
            Ok(None) => return None,
            Ok(Some(damage)) => damage.describe(lang),
            Err(e) => e.message(lang),
        };
        Some(format!(
            "{}: {damage} — {}",
            self.path.display(),
            lang.pick(
                "databasen er beskadiget og tager ikke imod ændringer; gendan den fra en sikkerhedskopi.",
                "the database is damaged and takes no changes; restore it from a backup."
            )
        ))
    }

    /// Refuses with [`StoreError::Unsound`] when the store is damaged: for the steps of a
    /// write that come before its append (an export signs and stores an identity first).
    pub fn check_sound(&mut self) -> Result<(), StoreError> {
        match self.damage()? {
            None => Ok(()),
            Some(damage) => Err(StoreError::Unsound {
                path: self.path.clone(),
                damage,
            }),
        }
    }

    /// SQLite's own integrity check on its own: `None` when it says "ok".
    pub fn integrity(&self) -> Result<Option<Damage>, StoreError> {
        health::integrity(&self.conn).map_err(|e| self.err(e))
    }

    /// Recomputes the hash chain; see [`chain::verify`].
    pub fn verify_chain(&self) -> Result<chain::Verdict, StoreError> {
        chain::verify(&self.conn).map_err(|e| self.err(e))
    }
}

/// Creates an empty file readable by its owner only, and its directory if missing.
fn create_private(path: &Path) -> std::io::Result<()> {
    if let Some(dir) = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty() && !d.exists())
    {
        fs::create_dir_all(dir)?;
        fs::set_permissions(dir, fs::Permissions::from_mode(0o700))?;
    }
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map(drop)
}

fn sqlite(path: &Path, e: rusqlite::Error) -> StoreError {
    let path = path.to_path_buf();
    match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) => StoreError::NotADatabase { path },
        Some(ErrorCode::DatabaseCorrupt) => StoreError::Damaged {
            path,
            detail: e.to_string(),
        },
        Some(ErrorCode::DatabaseBusy) | Some(ErrorCode::DatabaseLocked) => {
            StoreError::Busy { path }
        }
        _ => StoreError::Sqlite { path, source: e },
    }
}

fn read_events(conn: &Connection, review: Option<(&str, Period)>) -> rusqlite::Result<Vec<Event>> {
    let (sql, args): (&str, Vec<String>) = match review {
        Some((org, period)) => (
            "SELECT seq, at, org, period, payload FROM event WHERE org = ?1 AND period = ?2 ORDER BY seq",
            vec![org.to_string(), period.key()],
        ),
        None => (
            "SELECT seq, at, org, period, payload FROM event ORDER BY seq",
            vec![],
        ),
    };
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map(rusqlite::params_from_iter(args), |r| {
        let at: String = r.get(1)?;
        let period: String = r.get(3)?;
        let payload: String = r.get(4)?;
        let bad = |col: usize, e: Box<dyn std::error::Error + Send + Sync>| {
            rusqlite::Error::FromSqlConversionFailure(col, rusqlite::types::Type::Text, e)
        };
        Ok(Event {
            seq: r.get(0)?,
            at: DateTime::parse_from_rfc3339(&at)
                .map_err(|e| bad(1, Box::new(e)))?
                .with_timezone(&Utc),
            org: r.get(2)?,
            period: period.parse().map_err(|e| bad(3, Box::new(e)))?,
            change: serde_json::from_str(&payload).map_err(|e| bad(4, Box::new(e)))?,
        })
    })?;
    rows.collect()
}

/// An instant as stored: RFC 3339 in UTC with microseconds.
pub fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// Whether the chain head row exists; used by the chain check.
fn head(conn: &Connection) -> rusqlite::Result<Option<(i64, String)>> {
    conn.query_row("SELECT seq, hash FROM chain_head WHERE id = 1", [], |r| {
        Ok((r.get(0)?, r.get(1)?))
    })
    .optional()
}
