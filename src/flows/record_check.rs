//! A record checked against the database it came from. The signed record states the event
//! chain's head at its export (number and hash of the newest event then) and carries the
//! review's events as canonical JSON; the database must still hold exactly that prefix of its
//! log. Cutting the newest events and updating the recorded end passes `verify-db` (the chain
//! is consistent with itself), but not this check: the record fixed the prefix in time.

use crate::i18n::Lang;
use crate::pdf::post::RecordMeta;
use crate::pdf::verify::Evidence;
use crate::period::Period;
use crate::record::canonical_json;
use crate::store::chain::{ChainHead, Prefix};
use crate::store::{Store, StoreError};

/// How the database's log compares with the chain head a record states.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Anchoring {
    /// The record states no chain head (made before records carried one).
    NotStated,
    /// The database still holds exactly the events the record was exported after.
    Holds { head: i64 },
    /// It does not; what is found, up to the record's head.
    Broken { head: i64, found: Break },
}

/// What differs between the log and the prefix a record fixed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Break {
    /// Events `from`–`to` are gone.
    Missing { from: i64, to: i64 },
    /// Event `seq` no longer matches its stored hash.
    Changed { seq: i64 },
    /// The chain was recomputed after a change; `first` is the first event of the record's
    /// own review that differs from the record's attachment, when one does.
    Rebuilt { first: Option<i64> },
}

impl Anchoring {
    /// Whether the log no longer holds what the record fixed.
    pub fn is_broken(&self) -> bool {
        matches!(self, Anchoring::Broken { .. })
    }

    /// One sentence in the user's language.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            Anchoring::NotStated => lang
                .pick(
                    "posten angiver ikke hændelsesloggens slutning (den er lavet, før aarshjul skrev den), så loggen kan ikke kontrolleres mod den",
                    "the record does not state the event log's end (it was made before aarshjul wrote it), so the log cannot be checked against it",
                )
                .to_string(),
            Anchoring::Holds { head } => lang
                .pick(
                    "hændelsesloggen rummer stadig præcis de {n} hændelser, posten blev eksporteret efter",
                    "the event log still holds exactly the {n} events the record was exported after",
                )
                .replace("{n}", &head.to_string()),
            Anchoring::Broken { head, found } => {
                let what = match found {
                    Break::Missing { from, to } if from == to => lang
                        .pick("hændelse {a} mangler", "event {a} is missing")
                        .replace("{a}", &from.to_string()),
                    Break::Missing { from, to } => lang
                        .pick("hændelse {a}–{b} mangler", "events {a}–{b} are missing")
                        .replace("{a}", &from.to_string())
                        .replace("{b}", &to.to_string()),
                    Break::Changed { seq } => lang
                        .pick(
                            "hændelse {s} er ændret (dens indhold passer ikke til dens kontrolsum)",
                            "event {s} was changed (its content no longer matches its hash)",
                        )
                        .replace("{s}", &seq.to_string()),
                    Break::Rebuilt { first: Some(seq) } => lang
                        .pick(
                            "hændelse {s} i denne gennemgang er ændret eller fjernet, og kæden er beregnet om bagefter",
                            "event {s} of this review was changed or removed, and the chain recomputed after it",
                        )
                        .replace("{s}", &seq.to_string()),
                    Break::Rebuilt { first: None } => lang
                        .pick(
                            "en hændelse i en anden gennemgang er ændret, fjernet eller indsat, og kæden er beregnet om bagefter (eller databasen er ikke den, posten kom fra)",
                            "an event of another review was changed, removed or inserted, and the chain recomputed after it (or the database is not the one the record came from)",
                        )
                        .to_string(),
                };
                lang.pick(
                    "BRUDT — databasen rummer ikke længere den hændelseslog, posten blev eksporteret efter (hændelse 1–{n}): {w}",
                    "BROKEN — the database no longer holds the event log the record was exported after (events 1–{n}): {w}",
                )
                .replace("{n}", &head.to_string())
                .replace("{w}", &what)
            }
        }
    }
}

/// Checks the chain head `meta` states against `store`'s log; with the record's attachment
/// (`evidence`), a rebuilt chain is narrowed to the first changed event of the review.
pub fn anchoring(
    store: &Store,
    meta: &RecordMeta,
    evidence: &Evidence,
) -> Result<Anchoring, StoreError> {
    let Some(head) = &meta.chain_head else {
        return Ok(Anchoring::NotStated);
    };
    let found = match store.check_prefix(head)? {
        Prefix::Holds => return Ok(Anchoring::Holds { head: head.seq }),
        Prefix::Missing { from, to } => Break::Missing { from, to },
        Prefix::Changed { seq } => Break::Changed { seq },
        Prefix::Rebuilt => Break::Rebuilt {
            first: match (evidence.json(), meta.period.parse::<Period>()) {
                (Some(json), Ok(period)) => first_difference(store, head, &meta.org, period, json)?,
                _ => None,
            },
        },
    };
    Ok(Anchoring::Broken {
        head: head.seq,
        found,
    })
}

/// The first event of the review, up to `head`, where the database's canonical form differs
/// from the record's attachment: the attachment's event there (changed or removed), or the
/// database's (put in).
fn first_difference(
    store: &Store,
    head: &ChainHead,
    org: &str,
    period: Period,
    attached: &[u8],
) -> Result<Option<i64>, StoreError> {
    let events: Vec<_> = store
        .review_events(org, period)?
        .into_iter()
        .filter(|e| e.seq <= head.seq)
        .collect();
    let now = canonical_json(org, period, &events);
    let list = |bytes: &[u8]| -> Vec<serde_json::Value> {
        serde_json::from_slice::<serde_json::Value>(bytes)
            .ok()
            .and_then(|v| v.get("events").and_then(|e| e.as_array()).cloned())
            .unwrap_or_default()
    };
    let (then, now) = (list(attached), list(&now));
    let seq = |v: &serde_json::Value| v.get("seq").and_then(serde_json::Value::as_i64);
    for i in 0..then.len().max(now.len()) {
        match (then.get(i), now.get(i)) {
            (Some(a), Some(b)) if a == b => continue,
            (Some(a), Some(b)) => return Ok(seq(a).min(seq(b)).or(seq(a))),
            (Some(a), None) => return Ok(seq(a)),
            (None, Some(b)) => return Ok(seq(b)),
            (None, None) => break,
        }
    }
    Ok(None)
}
