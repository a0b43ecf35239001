//! Whether the store may take writes: SQLite's own integrity check passes and the hash chain
//! holds. A damaged store still reads (status, the overview, verify say it is damaged), but
//! takes no writes: appending to a log whose earlier events cannot be trusted, or through an
//! index that no longer matches its table, would build on sand (a damaged index once let a
//! sign-off into a signed review, because the review's signature event was not found).
//!
//! The full check reads every page and every event. [`super::Store::append_all`] runs it
//! inside the write transaction, unless this connection itself verified the store and
//! wrote everything since: `PRAGMA data_version` is unchanged (no other connection has
//! committed) and the chain still ends where this connection left it. A process that writes
//! once (the command line) therefore always pays the full check; the screen pays it when it
//! opens and again only after another process has written.

use rusqlite::Connection;

use super::chain::{self, Verdict};
use crate::i18n::Lang;

/// What is wrong with a damaged store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Damage {
    /// SQLite's integrity check failed: its first complaint, and the event (row) it names,
    /// if any.
    Integrity { detail: String, seq: Option<i64> },
    /// The hash chain is broken (a [`Verdict::Broken`]).
    Chain(Verdict),
}

impl Damage {
    /// The first event found bad, when the damage names one.
    pub fn first_event(&self) -> Option<i64> {
        match self {
            Damage::Integrity { seq, .. } => *seq,
            Damage::Chain(Verdict::Broken { seq, .. }) => Some(*seq),
            Damage::Chain(Verdict::Intact { .. }) => None,
        }
    }

    /// One short sentence for the screen's message line (about 100 columns).
    pub fn notice(&self, lang: Lang) -> String {
        let at = self
            .first_event()
            .map(|s| {
                lang.pick(" ved hændelse {s}", " at event {s}")
                    .replace("{s}", &s.to_string())
            })
            .unwrap_or_default();
        lang.pick(
            "Databasen er beskadiget{at} og tager ikke imod ændringer — gendan den fra en sikkerhedskopi.",
            "The database is damaged{at} and takes no changes — restore it from a backup.",
        )
        .replace("{at}", &at)
    }

    /// What is wrong, in one clause (no full stop).
    pub fn describe(&self, lang: Lang) -> String {
        match self {
            Damage::Integrity { detail, seq } => {
                let at = seq
                    .map(|s| {
                        lang.pick(" ved hændelse {s}", " at event {s}")
                            .replace("{s}", &s.to_string())
                    })
                    .unwrap_or_default();
                format!(
                    "{}{at} ({detail})",
                    lang.pick(
                        "SQLites egen integritetskontrol fejler",
                        "SQLite's own integrity check fails"
                    )
                )
            }
            Damage::Chain(verdict) => verdict.message(lang).trim_end_matches('.').to_string(),
        }
    }
}

/// The timestamped form of the check that was last passed by this connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Checkpoint {
    pub data_version: i64,
    pub seq: i64,
    pub hash: String,
}

/// SQLite's integrity check: `None` when it says "ok", else its first complaint.
pub fn integrity(conn: &Connection) -> rusqlite::Result<Option<Damage>> {
    let first: String = conn.query_row("PRAGMA integrity_check(1)", [], |r| r.get(0))?;
    if first == "ok" {
        return Ok(None);
    }
    Ok(Some(Damage::Integrity {
        seq: row_named(&first),
        detail: first,
    }))
}

/// The row (event number) an integrity complaint names: "row 12 missing from index …",
/// "wrong # of entries in index …" names none.
fn row_named(detail: &str) -> Option<i64> {
    let mut words = detail.split_whitespace();
    while let Some(w) = words.next() {
        if (w == "row" || w == "rowid")
            && let Some(n) = words.next().and_then(|n| n.trim_matches(',').parse().ok())
        {
            return Some(n);
        }
    }
    None
}

/// The full check: integrity first (a broken b-tree can make the chain unreadable), then
/// the chain. `None` when the store is sound.
pub fn check(conn: &Connection) -> rusqlite::Result<Option<Damage>> {
    if let Some(damage) = integrity(conn)? {
        return Ok(Some(damage));
    }
    Ok(match chain::verify(conn)? {
        Verdict::Intact { .. } => None,
        broken => Some(Damage::Chain(broken)),
    })
}

pub(super) fn data_version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("PRAGMA data_version", [], |r| r.get(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integrity_complaints_name_their_row() {
        assert_eq!(
            row_named("row 12 missing from index event_review"),
            Some(12)
        );
        assert_eq!(
            row_named("*** in database main ***\nPage 5: btreeInitPage() returns error code 11"),
            None
        );
        assert_eq!(row_named("wrong # of entries in index event_review"), None);
    }
}
