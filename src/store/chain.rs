//! The hash chain over events. Each event's hash covers its own fields and the hash of the
//! event before it, so changing, removing or inserting any row breaks every link after it.
//! This makes tampering *visible*; it does not prevent it (whoever can write the file can
//! rebuild the chain) — the signed PDF export is what fixes a review in time.

use rusqlite::Connection;
use sha2::{Digest, Sha256};

use super::{GENESIS, column_text, head, timestamp};
use crate::checklist::hex;
use crate::i18n::Lang;
use crate::review::Event;

/// An event as stored, the fields its hash covers.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub seq: i64,
    pub at: String,
    pub org: String,
    pub period: String,
    pub kind: String,
    pub payload: String,
    pub prev_hash: String,
}

impl Row {
    pub fn of(event: &Event, prev_hash: String) -> Row {
        Row {
            seq: event.seq,
            at: timestamp(event.at),
            org: event.org.clone(),
            period: event.period.key(),
            kind: event.change.kind().to_string(),
            payload: serde_json::to_string(&event.change).expect("a change always serialises"),
            prev_hash,
        }
    }

    /// SHA-256 over the fields, each length-prefixed so no two rows hash alike by shifting
    /// text between fields.
    pub fn hash(&self) -> String {
        let mut h = Sha256::new();
        let seq = self.seq.to_string();
        for field in [
            seq.as_str(),
            &self.at,
            &self.org,
            &self.period,
            &self.kind,
            &self.payload,
            &self.prev_hash,
        ] {
            h.update((field.len() as u64).to_be_bytes());
            h.update(field.as_bytes());
        }
        hex(&h.finalize())
    }
}

/// The outcome of checking the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Every link holds; `events` were checked.
    Intact { events: i64 },
    /// The first event found wrong, and how.
    Broken { seq: i64, fault: Fault },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// The row's content no longer matches its hash.
    Altered,
    /// Its link to the event before does not match: that event was removed or this one was
    /// put in.
    Unlinked,
    /// Numbers are missing before this event.
    Removed { missing_from: i64 },
    /// The event stands after the recorded end of the chain.
    Inserted,
    /// The newest events up to the recorded end are gone.
    RemovedAtEnd { last: i64 },
    /// The record of the chain's end is missing or altered.
    HeadAltered,
    /// A field cannot be read as text (a blob, invalid UTF-8, NULL): changed outside the
    /// program.
    Unreadable { field: &'static str, value: String },
    /// Its number comes before the ones already checked (an event 0, or a duplicate).
    OutOfOrder,
    /// Its content and its own hash were changed: the event after it remembers another hash.
    Rehashed { next: i64 },
    /// A table of the store is gone; `seq` is 0.
    MissingTable { table: &'static str },
}

impl Verdict {
    /// One or two sentences in the user's language.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            Verdict::Intact { events } => lang
                .pick(
                    "Hændelseskæden er intakt: {n} hændelser kontrolleret.",
                    "The event chain is intact: {n} events checked.",
                )
                .replace("{n}", &events.to_string()),
            Verdict::Broken { seq, fault } => {
                let what = match fault {
                    Fault::Altered => lang.pick(
                        "dens indhold er ændret efter den blev skrevet (eller den er indsat med falsk kontrolsum)",
                        "its content was changed after it was written (or it was inserted with a made-up hash)",
                    ).to_string(),
                    Fault::Unlinked => lang.pick(
                        "den passer ikke til hændelsen før: en hændelse er fjernet eller indsat her",
                        "it does not follow the event before it: an event was removed or inserted here",
                    ).to_string(),
                    Fault::Removed { missing_from } => lang
                        .pick(
                            "hændelse {a}–{b} mangler: de er slettet",
                            "events {a}–{b} are missing: they were deleted",
                        )
                        .replace("{a}", &missing_from.to_string())
                        .replace("{b}", &(seq - 1).to_string()),
                    Fault::Inserted => lang.pick(
                        "den står efter kædens registrerede slutning: den er indsat udenom programmet",
                        "it stands after the recorded end of the chain: it was inserted outside the program",
                    ).to_string(),
                    Fault::RemovedAtEnd { last } => lang
                        .pick(
                            "kæden sluttede ved hændelse {l}, men hændelserne fra {s} er slettet",
                            "the chain ended at event {l}, but the events from {s} on were deleted",
                        )
                        .replace("{l}", &last.to_string())
                        .replace("{s}", &seq.to_string()),
                    Fault::HeadAltered => lang.pick(
                        "registreringen af kædens slutning mangler eller er ændret",
                        "the record of the chain's end is missing or altered",
                    ).to_string(),
                    Fault::Unreadable { field, value } => lang
                        .pick(
                            "feltet {f} kan ikke læses som tekst ({v}): det er ændret udenom programmet",
                            "its field {f} cannot be read as text ({v}): it was changed outside the program",
                        )
                        .replace("{f}", field)
                        .replace("{v}", &crate::text::escaped(value)),
                    Fault::OutOfOrder => lang.pick(
                        "dens nummer kommer før hændelser, der allerede er kontrolleret: den er indsat udenom programmet",
                        "its number comes before events already checked: it was inserted outside the program",
                    ).to_string(),
                    Fault::Rehashed { next } => lang
                        .pick(
                            "dens indhold og kontrolsum er ændret efter den blev skrevet: hændelse {n} husker en anden kontrolsum for den",
                            "its content and its hash were changed after it was written: event {n} remembers another hash for it",
                        )
                        .replace("{n}", &next.to_string()),
                    Fault::MissingTable { table } => {
                        return lang
                            .pick(
                                "Hændelseskæden kan ikke kontrolleres: tabellen {t} mangler i databasen; den er slettet udenom programmet.",
                                "The event chain cannot be checked: the table {t} is missing from the database; it was dropped outside the program.",
                            )
                            .replace("{t}", table);
                    }
                };
                format!(
                    "{} {seq}: {what}.",
                    lang.pick(
                        "Hændelseskæden er brudt ved hændelse",
                        "The event chain is broken at event"
                    )
                )
            }
        }
    }
}

/// Walks every event in order and names the first that does not hold.
pub fn verify(conn: &Connection) -> rusqlite::Result<Verdict> {
    for table in ["event", "chain_head"] {
        let present: bool = conn.query_row(
            "SELECT count(*) > 0 FROM sqlite_schema WHERE type = 'table' AND name = ?1",
            [table],
            |r| r.get(0),
        )?;
        if !present {
            return Ok(Verdict::Broken {
                seq: 0,
                fault: Fault::MissingTable { table },
            });
        }
    }
    let mut stmt = conn.prepare(
        "SELECT seq, at, org, period, kind, payload, prev_hash, hash FROM event ORDER BY seq",
    )?;
    let mut rows = stmt.query([])?;
    let mut expected_seq = 1;
    let mut last_hash = GENESIS.to_string();
    let head = head(conn)?;
    let recorded_end = head.as_ref().map(|h| h.0);
    // The hashes of the events before the last one checked, and the genesis.
    let mut seen = std::collections::HashSet::new();
    while let Some(r) = rows.next()? {
        let seq: i64 = r.get(0)?;
        let broken = |fault| Ok(Verdict::Broken { seq, fault });
        let mut fields = Vec::with_capacity(7);
        for (col, field) in [
            (1, "at"),
            (2, "org"),
            (3, "period"),
            (4, "kind"),
            (5, "payload"),
            (6, "prev_hash"),
            (7, "hash"),
        ] {
            match column_text(r, col) {
                Ok(text) => fields.push(text),
                Err(value) => return broken(Fault::Unreadable { field, value }),
            }
        }
        let stored_hash = fields.pop().expect("seven fields");
        let mut fields = fields.into_iter();
        let mut next = || fields.next().expect("six fields");
        let row = Row {
            seq,
            at: next(),
            org: next(),
            period: next(),
            kind: next(),
            payload: next(),
            prev_hash: next(),
        };
        if row.seq < expected_seq {
            return broken(Fault::OutOfOrder);
        }
        if row.seq != expected_seq {
            return broken(Fault::Removed {
                missing_from: expected_seq,
            });
        }
        if recorded_end.is_some_and(|end| row.seq > end) {
            return broken(Fault::Inserted);
        }
        if row.hash() != stored_hash {
            return broken(Fault::Altered);
        }
        if row.prev_hash != last_hash {
            // This row is whole (its hash holds) but remembers another hash for the one
            // before. If it hangs off another event of the chain, it was moved there;
            // otherwise the one before was changed and given a new hash of its own.
            if row.seq > 1 && !seen.contains(&row.prev_hash) {
                return Ok(Verdict::Broken {
                    seq: row.seq - 1,
                    fault: Fault::Rehashed { next: row.seq },
                });
            }
            return broken(Fault::Unlinked);
        }
        seen.insert(last_hash);
        last_hash = stored_hash;
        expected_seq += 1;
    }
    let checked = expected_seq - 1;
    match head {
        Some((end, _)) if end > checked => Ok(Verdict::Broken {
            seq: checked + 1,
            fault: Fault::RemovedAtEnd { last: end },
        }),
        Some((_, hash)) if hash == last_hash => Ok(Verdict::Intact { events: checked }),
        _ => Ok(Verdict::Broken {
            seq: checked,
            fault: Fault::HeadAltered,
        }),
    }
}

/// The chain's last link at one moment: the number of the newest event and its hash. A
/// signed record carries the head at its export, so it fixes that prefix of the log in time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainHead {
    pub seq: i64,
    pub hash: String,
}

/// Whether the log still holds a prefix a record fixed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Prefix {
    /// Events 1 to the head's number recompute to the head's hash.
    Holds,
    /// Events `from` to `to` are gone (deleted, or cut from the end).
    Missing { from: i64, to: i64 },
    /// The event's content no longer matches the hash stored with it.
    Changed { seq: i64 },
    /// Every stored hash matches its event, but the chain ends in another hash at the head's
    /// number: events were changed, removed or inserted and the chain recomputed after them.
    Rebuilt,
}

/// Recomputes the chain from the first event up to `head.seq` (from the events' fields, not
/// their stored links) and compares it with `head`, naming the first missing or changed
/// event where it can.
pub fn prefix(conn: &Connection, head: &ChainHead) -> rusqlite::Result<Prefix> {
    let mut stmt = conn.prepare(
        "SELECT seq, at, org, period, kind, payload, hash FROM event WHERE seq <= ?1 ORDER BY seq",
    )?;
    let mut rows = stmt.query([head.seq])?;
    let mut expected = 1;
    let mut running = GENESIS.to_string();
    while let Some(r) = rows.next()? {
        let row = Row {
            seq: r.get(0)?,
            at: r.get(1)?,
            org: r.get(2)?,
            period: r.get(3)?,
            kind: r.get(4)?,
            payload: r.get(5)?,
            prev_hash: running,
        };
        let stored: String = r.get(6)?;
        if row.seq != expected {
            return Ok(Prefix::Missing {
                from: expected,
                to: row.seq - 1,
            });
        }
        running = row.hash();
        if running != stored {
            return Ok(Prefix::Changed { seq: row.seq });
        }
        expected += 1;
    }
    if expected <= head.seq {
        return Ok(Prefix::Missing {
            from: expected,
            to: head.seq,
        });
    }
    Ok(if running == head.hash {
        Prefix::Holds
    } else {
        Prefix::Rebuilt
    })
}
