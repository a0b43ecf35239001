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
    #[error("{path}: {}", event.what(Lang::En))]
    UnreadableEvent { path: PathBuf, event: Unreadable },
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
            StoreError::UnreadableEvent { path, event } => format!(
                "{}: {}; {}",
                p(path),
                event.what(lang),
                lang.pick(
                    "kør `aarshjul verify-db` og gendan databasen fra en sikkerhedskopi",
                    "run `aarshjul verify-db` and restore the database from a backup"
                )
            ),
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
    /// Opened read-only on a file aarshjul has not set up yet: there are no tables to read.
    fresh: bool,
    /// Where this connection last found the store sound; see [`health`].
    checkpoint: Option<Checkpoint>,
}

const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// How long an open waits for another aarshjul that is setting up or writing the file.
const WAIT: Duration = Duration::from_secs(10);

/// What the file's own header and schema say it is, read without changing a byte.
struct Identity {
    app_id: i32,
    version: i64,
    tables: i64,
}

impl Store {
    /// Opens the database at `path` for reading and writing, creating it (mode 0600, parent
    /// directories 0700) when missing, and runs any pending migrations. A file that is not
    /// aarshjul's is refused untouched: it is inspected through a read-only connection
    /// before anything (the switch to WAL included) is written. Two processes starting on a
    /// missing file at once both succeed: one creates and sets it up, the other waits.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let io = |source| StoreError::Io {
            path: path.to_path_buf(),
            source,
        };
        match check_header(path) {
            Ok(()) => {}
            Err(StoreError::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {
                match create_private(path) {
                    Ok(()) => {}
                    // Another process created it between our look and our create: use theirs.
                    Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                    Err(e) => return Err(io(e)),
                }
            }
            Err(e) => return Err(e),
        }
        let started = std::time::Instant::now();
        loop {
            match Store::open_writable(path) {
                Err(StoreError::Busy { .. }) if started.elapsed() < WAIT => {
                    std::thread::sleep(Duration::from_millis(20));
                }
                other => return other,
            }
        }
    }

    fn open_writable(path: &Path) -> Result<Store, StoreError> {
        {
            let conn = read_only_connection(path, false)?;
            let identity = identify(&conn).map_err(|e| sqlite(path, e))?;
            identity.check(path)?;
        }
        let conn = Connection::open(path).map_err(|e| sqlite(path, e))?;
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
            fresh: false,
            checkpoint: None,
        };
        store.configure()?;
        store.migrate()?;
        Ok(store)
    }

    /// Opens an existing database for reading only: nothing is created, migrated or
    /// switched, so a read-only copy (mode 0444, or in a read-only directory) can be checked,
    /// and reads go on while another program holds the write lock.
    pub fn open_read_only(path: &Path) -> Result<Store, StoreError> {
        check_header(path)?;
        let dir_writable = path
            .parent()
            .map(|d| {
                if d.as_os_str().is_empty() {
                    Path::new(".")
                } else {
                    d
                }
            })
            .is_some_and(writable);
        let wal = wal_path(path);
        // Without a way to create the WAL index no writer can use the file either (WAL needs
        // it), so it is safe to read as immutable. Otherwise read it the normal way.
        let immutable = !dir_writable && !wal.exists();
        let conn = read_only_connection(path, immutable)?;
        let identity = identify(&conn).map_err(|e| sqlite(path, e))?;
        identity.check(path)?;
        Ok(Store {
            conn,
            path: path.to_path_buf(),
            fresh: identity.version == 0,
            checkpoint: None,
        })
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
        let identity = identify(&tx).map_err(|e| sqlite(&self.path, e))?;
        identity.check(&self.path)?;
        for (n, sql) in MIGRATIONS
            .iter()
            .enumerate()
            .skip(identity.version as usize)
        {
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
        self.append_seeing(Scope::Review(org, period), org, period, at, decide)
    }

    /// Appends one event to `org` × `period` like [`Store::append`], but `decide` sees every
    /// event of the organisation: a data-subject request's rules look across years (a case
    /// reference is unique in the organisation's whole register).
    pub fn append_to_register(
        &mut self,
        org: &str,
        period: Period,
        at: DateTime<Utc>,
        decide: impl FnOnce(&[Event]) -> Result<Change, Refusal>,
    ) -> Result<Event, StoreError> {
        let mut events = self.append_seeing(Scope::Org(org), org, period, at, |events| {
            decide(events).map(|c| vec![c])
        })?;
        Ok(events.remove(0))
    }

    fn append_seeing(
        &mut self,
        scope: Scope,
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
        let events: Vec<Event> = read_events(&tx, scope, false)
            .map_err(err)?
            .into_iter()
            .collect::<Result<_, _>>()
            .map_err(|event| StoreError::UnreadableEvent {
                path: path.clone(),
                event,
            })?;
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

    /// The events of one review, oldest first. An event that cannot be read fails the
    /// whole read, naming the event: a review's rules cannot be checked on part of it.
    pub fn review_events(&self, org: &str, period: Period) -> Result<Vec<Event>, StoreError> {
        self.strict(read_events(
            &self.conn,
            Scope::Review(org, period),
            self.fresh,
        ))
    }

    /// Every event of one organisation, oldest first (its reviews and its register); fails
    /// naming the first event that cannot be read.
    pub fn org_events(&self, org: &str) -> Result<Vec<Event>, StoreError> {
        self.strict(read_events(&self.conn, Scope::Org(org), self.fresh))
    }

    /// Every event, oldest first; fails naming the first event that cannot be read.
    pub fn all_events(&self) -> Result<Vec<Event>, StoreError> {
        self.strict(read_events(&self.conn, Scope::All, self.fresh))
    }

    /// Every event that can be read, oldest first, and the ones that cannot: one damaged
    /// or foreign row must not take the whole overview down.
    pub fn readable_events(&self) -> Result<(Vec<Event>, Vec<Unreadable>), StoreError> {
        let rows = read_events(&self.conn, Scope::All, self.fresh).map_err(|e| self.err(e))?;
        let mut events = Vec::new();
        let mut unreadable = Vec::new();
        for row in rows {
            match row {
                Ok(e) => events.push(e),
                Err(u) => unreadable.push(u),
            }
        }
        Ok((events, unreadable))
    }

    fn strict(
        &self,
        rows: rusqlite::Result<Vec<Result<Event, Unreadable>>>,
    ) -> Result<Vec<Event>, StoreError> {
        rows.map_err(|e| self.err(e))?
            .into_iter()
            .map(|row| {
                row.map_err(|event| StoreError::UnreadableEvent {
                    path: self.path.clone(),
                    event,
                })
            })
            .collect()
    }

    /// A number that changes whenever another connection commits to the file (SQLite's
    /// `PRAGMA data_version`): how a screen notices work done elsewhere.
    pub fn data_version(&self) -> Result<i64, StoreError> {
        self.conn
            .query_row("PRAGMA data_version", [], |r| r.get(0))
            .map_err(|e| self.err(e))
    }

    /// The events of one review and the chain head, read together (the head's number is at
    /// least that of the review's newest event): what an export records.
    pub fn review_events_at_head(
        &mut self,
        org: &str,
        period: Period,
    ) -> Result<(Vec<Event>, chain::ChainHead), StoreError> {
        let path = self.path.clone();
        let err = |e| sqlite(&path, e);
        let tx = self.conn.transaction().map_err(err)?;
        let events: Vec<Event> = read_events(&tx, Scope::Review(org, period), self.fresh)
            .map_err(err)?
            .into_iter()
            .collect::<Result<_, _>>()
            .map_err(|event| StoreError::UnreadableEvent {
                path: path.clone(),
                event,
            })?;
        let (seq, hash) = head(&tx).map_err(err)?.ok_or_else(|| StoreError::Damaged {
            path: self.path.clone(),
            detail: "no chain_head row".into(),
        })?;
        tx.commit().map_err(err)?;
        Ok((events, chain::ChainHead { seq, hash }))
    }

    /// Whether the log still holds the prefix ending at `head`; see [`chain::prefix`].
    pub fn check_prefix(&self, head: &chain::ChainHead) -> Result<chain::Prefix, StoreError> {
        chain::prefix(&self.conn, head).map_err(|e| self.err(e))
    }

    /// The full health check ([`health::check`]): `None` when the store is sound. Reading
    /// works on a damaged store; this says whether it may be written to.
    pub fn damage(&mut self) -> Result<Option<Damage>, StoreError> {
        if self.fresh {
            // Read-only on a file aarshjul has not set up: nothing in it to be damaged.
            return Ok(None);
        }
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
        if self.fresh {
            return Ok(chain::Verdict::Intact { events: 0 });
        }
        chain::verify(&self.conn).map_err(|e| self.err(e))
    }
}

/// A stored event that cannot be read back: which one, which field, and what it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable {
    pub seq: i64,
    pub field: &'static str,
    /// The field's content, shortened and with control characters escaped.
    pub value: String,
}

impl Unreadable {
    /// One sentence in the user's language, for an overview that goes on without it.
    pub fn message(&self, lang: Lang) -> String {
        format!(
            "{} {}",
            self.what(lang),
            lang.pick(
                "og er udeladt; kør `aarshjul verify-db`",
                "and is left out; run `aarshjul verify-db`"
            )
        )
    }

    /// "event 5 cannot be read (field period: »1«)".
    pub fn what(&self, lang: Lang) -> String {
        lang.pick(
            "hændelse {n} kan ikke læses (feltet {f}: {v})",
            "event {n} cannot be read (field {f}: {v})",
        )
        .replace("{n}", &self.seq.to_string())
        .replace("{f}", self.field)
        .replace("{v}", &self.value)
    }
}

/// Whether the current user may create files in `dir` (asked of the kernel; nothing is
/// created to find out).
fn writable(dir: &Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let Ok(c) = std::ffi::CString::new(dir.as_os_str().as_bytes()) else {
        return false;
    };
    // SAFETY: `c` is a valid NUL-terminated path that outlives the call.
    unsafe { libc::access(c.as_ptr(), libc::W_OK | libc::X_OK) == 0 }
}

fn wal_path(path: &Path) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push("-wal");
    PathBuf::from(s)
}

/// Refuses what is not a regular file starting like an SQLite database (an empty file is
/// fine: it is one being set up). A FIFO or device is never opened, so it cannot hang us.
fn check_header(path: &Path) -> Result<(), StoreError> {
    let io = |source| StoreError::Io {
        path: path.to_path_buf(),
        source,
    };
    let not_db = || StoreError::NotADatabase {
        path: path.to_path_buf(),
    };
    let meta = fs::metadata(path).map_err(io)?;
    if !meta.is_file() {
        return Err(not_db());
    }
    let mut magic = Vec::with_capacity(16);
    fs::File::open(path)
        .and_then(|f| f.take(16).read_to_end(&mut magic))
        .map_err(io)?;
    if !magic.is_empty() && magic != b"SQLite format 3\0" {
        return Err(not_db());
    }
    Ok(())
}

/// A connection that cannot write; `immutable` also tells SQLite that nobody else can.
fn read_only_connection(path: &Path, immutable: bool) -> Result<Connection, StoreError> {
    use rusqlite::OpenFlags;
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = if immutable {
        let uri = format!("file:{}?immutable=1", uri_path(path));
        Connection::open_with_flags(uri, flags | OpenFlags::SQLITE_OPEN_URI)
    } else {
        Connection::open_with_flags(path, flags)
    }
    .map_err(|e| sqlite(path, e))?;
    conn.busy_timeout(WAIT).map_err(|e| sqlite(path, e))?;
    Ok(conn)
}

/// A path percent-encoded for an SQLite `file:` URI.
fn uri_path(path: &Path) -> String {
    use std::os::unix::ffi::OsStrExt;
    let mut out = String::new();
    for &b in path.as_os_str().as_bytes() {
        if b.is_ascii_alphanumeric() || b"/-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// One statement, so one read transaction: a first start committing next door is seen
/// either entirely or not at all.
fn identify(conn: &Connection) -> rusqlite::Result<Identity> {
    conn.query_row(
        "SELECT (SELECT application_id FROM pragma_application_id()),
                (SELECT user_version FROM pragma_user_version()),
                (SELECT count(*) FROM sqlite_schema)",
        [],
        |r| {
            Ok(Identity {
                app_id: r.get(0)?,
                version: r.get(1)?,
                tables: r.get(2)?,
            })
        },
    )
}

impl Identity {
    fn check(&self, path: &Path) -> Result<(), StoreError> {
        if self.app_id != APPLICATION_ID && (self.tables > 0 || self.version > 0) {
            return Err(StoreError::Foreign {
                path: path.to_path_buf(),
            });
        }
        if self.version > MIGRATIONS.len() as i64 {
            return Err(StoreError::Newer {
                path: path.to_path_buf(),
                found: self.version,
                known: MIGRATIONS.len(),
            });
        }
        Ok(())
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

/// Which events to read.
#[derive(Clone, Copy)]
enum Scope<'a> {
    Review(&'a str, Period),
    Org(&'a str),
    All,
}

/// Reads events; a row whose fields cannot be read becomes an [`Unreadable`] in its place.
fn read_events(
    conn: &Connection,
    scope: Scope,
    fresh: bool,
) -> rusqlite::Result<Vec<Result<Event, Unreadable>>> {
    if fresh {
        return Ok(Vec::new());
    }
    let (sql, args): (&str, Vec<String>) = match scope {
        Scope::Review(org, period) => (
            "SELECT seq, at, org, period, payload FROM event WHERE org = ?1 AND period = ?2 ORDER BY seq",
            vec![org.to_string(), period.key()],
        ),
        Scope::Org(org) => (
            "SELECT seq, at, org, period, payload FROM event WHERE org = ?1 ORDER BY seq",
            vec![org.to_string()],
        ),
        Scope::All => (
            "SELECT seq, at, org, period, payload FROM event ORDER BY seq",
            vec![],
        ),
    };
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map(rusqlite::params_from_iter(args), |r| {
        let seq: i64 = r.get(0)?;
        Ok(read_event(r, seq))
    })?;
    rows.collect()
}

fn read_event(r: &rusqlite::Row, seq: i64) -> Result<Event, Unreadable> {
    let bad = |field: &'static str, value: &str| Unreadable {
        seq,
        field,
        value: shown(value),
    };
    let at = column_text(r, 1).map_err(|v| bad("at", &v))?;
    let org = column_text(r, 2).map_err(|v| bad("org", &v))?;
    let period = column_text(r, 3).map_err(|v| bad("period", &v))?;
    let payload = column_text(r, 4).map_err(|v| bad("payload", &v))?;
    Ok(Event {
        seq,
        at: DateTime::parse_from_rfc3339(&at)
            .map_err(|_| bad("at", &at))?
            .with_timezone(&Utc),
        org,
        period: period.parse().map_err(|_| bad("period", &period))?,
        change: serde_json::from_str(&payload).map_err(|_| bad("payload", &payload))?,
    })
}

/// A column as text, or a description of what it holds instead.
pub(crate) fn column_text(r: &rusqlite::Row, col: usize) -> Result<String, String> {
    use rusqlite::types::ValueRef;
    match r.get_ref(col) {
        Ok(ValueRef::Text(bytes)) => String::from_utf8(bytes.to_vec())
            .map_err(|_| format!("UTF-8? {}", String::from_utf8_lossy(bytes))),
        Ok(ValueRef::Null) => Err("NULL".into()),
        Ok(ValueRef::Integer(i)) => Err(i.to_string()),
        Ok(ValueRef::Real(f)) => Err(f.to_string()),
        Ok(ValueRef::Blob(b)) => Err(format!("BLOB, {} byte", b.len())),
        Err(e) => Err(e.to_string()),
    }
}

/// A stored value for a message: at most 60 characters, control characters escaped.
fn shown(value: &str) -> String {
    let mut s: String = value.chars().take(60).collect();
    if value.chars().count() > 60 {
        s.push('…');
    }
    format!("»{}«", crate::text::escaped(&s))
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
