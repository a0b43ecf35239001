//! The review record: everything the exported PDF says about one review, built from the
//! checklist and the review's events, and its fingerprint. Pure: no I/O, no clock.
//!
//! The fingerprint is the SHA-256 of a canonical JSON of the review's events and the texts of
//! its items. Export events are left out of both, so exporting again does not change what an
//! earlier export proves.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::checklist::{Checklist, Item, Organisation, hex};
use crate::i18n::Lang;
use crate::period::{Period, local_date, local_time};
use crate::review::{Change, Counts, Event, Meeting, Review, SignOff, Signature};

/// What one review record shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// The language of the record: the checklist's.
    pub lang: Lang,
    pub organisation: Organisation,
    pub period: Period,
    /// "Kvartalsgennemgang 2026-Q4 — 1. oktober–31. december 2026".
    pub title: String,
    pub counts: Counts,
    /// Every item of the review, in checklist order.
    pub items: Vec<RecordItem>,
    /// Staff meetings at which the policy was walked through, oldest first.
    pub meetings: Vec<Meeting>,
    /// What happened to the review, oldest first; exports left out.
    pub history: Vec<HistoryLine>,
    /// Who signed the review; `None` for a draft.
    pub signature: Option<Signature>,
    /// SHA-256 hex of [`canonical_json`].
    pub fingerprint: String,
}

/// One item as the record shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordItem {
    pub id: String,
    pub title: String,
    pub source: String,
    pub responsible: Option<String>,
    pub evidence: Option<String>,
    pub caveat: Option<String>,
    /// The current outcome; `None` while open.
    pub sign_off: Option<SignOff>,
    /// The item's text in the checklist changed after its outcome was recorded.
    pub changed_since_sign_off: bool,
}

/// One line of the review's history.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryLine {
    pub seq: i64,
    pub at: DateTime<Utc>,
    /// Who made the change (the signer, the reopener, the meeting's leader).
    pub by: String,
    /// What happened, from [`Change::describe`].
    pub what: String,
}

impl Record {
    /// Builds the record of `period` in `checklist` from that review's events (any order of
    /// export events among them; they are skipped).
    pub fn build(checklist: &Checklist, period: Period, events: &[Event]) -> Record {
        let lang = checklist.organisation.language;
        let review = Review::from_events(events.iter().filter(|e| !is_export(e)));
        let items = checklist
            .items_of(period.cadence())
            .map(|item| RecordItem {
                id: item.id.clone(),
                title: item.title.clone(),
                source: item.source.clone(),
                responsible: item.responsible.clone(),
                evidence: item.evidence.clone(),
                caveat: item.caveat.clone(),
                sign_off: review.sign_offs.get(&item.id).cloned(),
                changed_since_sign_off: review.changed_since_sign_off(item),
            })
            .collect();
        let history = review
            .history
            .iter()
            .map(|e| HistoryLine {
                seq: e.seq,
                at: e.at,
                by: actor(&e.change).to_string(),
                what: e.change.describe(lang),
            })
            .collect();
        Record {
            lang,
            organisation: checklist.organisation.clone(),
            period,
            title: format!(
                "{} — {}",
                period.review_title(lang),
                period.span_words(lang)
            ),
            counts: review.counts(checklist, period),
            items,
            meetings: review.meetings.clone(),
            history,
            signature: review.signature.clone(),
            fingerprint: fingerprint(checklist, period, events),
        }
    }

    /// The items recorded as deviations, in checklist order.
    pub fn deviations(&self) -> impl Iterator<Item = &RecordItem> {
        self.items.iter().filter(|i| {
            i.sign_off
                .as_ref()
                .is_some_and(|s| s.status == crate::review::Outcome::Deviation)
        })
    }

    /// The items whose text changed after their outcome was recorded.
    pub fn changed_items(&self) -> impl Iterator<Item = &RecordItem> {
        self.items.iter().filter(|i| i.changed_since_sign_off)
    }
}

/// Whether an event is an export: not part of the review's content.
pub fn is_export(event: &Event) -> bool {
    matches!(event.change, Change::ExportMade { .. })
}

/// The review's events that count for the record: all but exports.
pub fn content_events(events: &[Event]) -> Vec<&Event> {
    events.iter().filter(|e| !is_export(e)).collect()
}

fn actor(change: &Change) -> &str {
    match change {
        Change::ItemSigned { by, .. }
        | Change::ItemRetracted { by, .. }
        | Change::ReviewSigned { by, .. }
        | Change::ReviewReopened { by, .. } => by,
        Change::WalkthroughHeld(m) => &m.leader,
        Change::ExportMade { .. } => "",
    }
}

/// The canonical form the fingerprint is taken of.
#[derive(Serialize)]
struct Canonical<'a> {
    schema: u32,
    org: &'a str,
    period: String,
    items: Vec<&'a Item>,
    events: Vec<CanonicalEvent<'a>>,
}

#[derive(Serialize)]
struct CanonicalEvent<'a> {
    seq: i64,
    at: String,
    change: &'a Change,
}

/// The canonical JSON of a review: its organisation and period, the full text of its items
/// (checklist order) and its events except exports (oldest first), with instants in UTC to
/// the microsecond. Field order is fixed by the structs, so the bytes are stable.
pub fn canonical_json(checklist: &Checklist, period: Period, events: &[Event]) -> Vec<u8> {
    let canonical = Canonical {
        schema: 1,
        org: &checklist.organisation.id,
        period: period.key(),
        items: checklist.items_of(period.cadence()).collect(),
        events: content_events(events)
            .into_iter()
            .map(|e| CanonicalEvent {
                seq: e.seq,
                at: e.at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
                change: &e.change,
            })
            .collect(),
    };
    serde_json::to_vec(&canonical).expect("the canonical record always serialises")
}

/// The record fingerprint: SHA-256 (hex) of [`canonical_json`].
pub fn fingerprint(checklist: &Checklist, period: Period, events: &[Event]) -> String {
    hex(&Sha256::digest(canonical_json(checklist, period, events)))
}

/// How a record fingerprint relates to a review's events in the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Match {
    /// The review as it stands now.
    Current,
    /// The review as it stood after event `seq`; it has changed since.
    Earlier { seq: i64 },
    /// No state of the review (with the checklist's current texts) has this fingerprint.
    None,
}

/// Finds the state of the review whose fingerprint is `fingerprint`: now, or after one of
/// its earlier events.
pub fn match_fingerprint(
    checklist: &Checklist,
    period: Period,
    events: &[Event],
    fingerprint: &str,
) -> Match {
    let content = content_events(events);
    let current = self::fingerprint(checklist, period, events);
    if current == fingerprint {
        return Match::Current;
    }
    let owned: Vec<Event> = content.into_iter().cloned().collect();
    (1..owned.len())
        .rev()
        .find(|&n| self::fingerprint(checklist, period, &owned[..n]) == fingerprint)
        .map_or(Match::None, |n| Match::Earlier {
            seq: owned[n - 1].seq,
        })
}

/// An instant as the record shows it: "22. november 2026 kl. 14:05" / "22 November 2026 14:05".
pub fn when(at: DateTime<Utc>, lang: Lang) -> String {
    let time = local_time(at);
    let clock = time.rsplit(' ').next().unwrap_or_default();
    format!(
        "{}{}{clock}",
        lang.date(local_date(at)),
        lang.pick(" kl. ", " ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checklist::Section;
    use crate::period::Cadence;
    use crate::review::Outcome;

    fn item(id: &str, title: &str) -> Item {
        Item {
            id: id.into(),
            cadence: Cadence::Quarterly,
            title: title.into(),
            guidance: String::new(),
            responsible: Some("Leder".into()),
            source: "§ 1".into(),
            evidence: None,
            caveat: None,
            walkthrough: false,
        }
    }

    fn list() -> Checklist {
        Checklist {
            path: "x.toml".into(),
            organisation: Organisation {
                id: "skgr".into(),
                name: "Støttekontaktgruppen".into(),
                cvr: None,
                address: None,
                policy: "Politik".into(),
                language: Lang::Da,
            },
            items: vec![item("a", "Første"), item("b", "Anden")],
            walkthrough: vec![Section {
                title: "T".into(),
                text: "x".into(),
            }],
        }
    }

    fn ev(seq: i64, change: Change) -> Event {
        Event {
            seq,
            at: format!("2026-11-22T13:{seq:02}:00Z").parse().unwrap(),
            org: "skgr".into(),
            period: "2026-Q4".parse().unwrap(),
            change,
        }
    }

    fn signed(item: &Item, status: Outcome, note: Option<&str>) -> Change {
        Change::ItemSigned {
            item: item.id.clone(),
            status,
            note: note.map(Into::into),
            by: "Henriette Salmon".into(),
            fingerprint: item.fingerprint(),
        }
    }

    fn events(list: &Checklist) -> Vec<Event> {
        vec![
            ev(1, signed(&list.items[0], Outcome::Done, None)),
            ev(
                2,
                signed(&list.items[1], Outcome::Deviation, Some("Mangler")),
            ),
            ev(
                3,
                Change::ReviewSigned {
                    by: "Henriette Salmon".into(),
                    role: "Leder".into(),
                },
            ),
            ev(
                4,
                Change::ReviewReopened {
                    by: "Henriette Salmon".into(),
                    reason: "Forkert note".into(),
                },
            ),
            ev(
                5,
                Change::ReviewSigned {
                    by: "Henriette Salmon".into(),
                    role: "Leder".into(),
                },
            ),
        ]
    }

    #[test]
    fn record_shows_items_deviations_history_and_signature() {
        let list = list();
        let p: Period = "2026-Q4".parse().unwrap();
        let r = Record::build(&list, p, &events(&list));
        assert_eq!(
            r.title,
            "Kvartalsgennemgang 2026-Q4 — 1. oktober–31. december 2026"
        );
        assert_eq!(
            (r.counts.done, r.counts.deviations, r.counts.open),
            (1, 1, 0)
        );
        assert_eq!(
            r.deviations().map(|i| i.id.as_str()).collect::<Vec<_>>(),
            ["b"]
        );
        assert_eq!(r.history.len(), 5);
        assert_eq!(r.history[3].what, "Genåbnet: Forkert note");
        assert_eq!(r.signature.as_ref().unwrap().role, "Leder");
        assert_eq!(r.changed_items().count(), 0);
        assert_eq!(r.fingerprint.len(), 64);
    }

    #[test]
    fn exports_do_not_change_the_fingerprint_but_everything_else_does() {
        let list = list();
        let p: Period = "2026-Q4".parse().unwrap();
        let mut evs = events(&list);
        let before = fingerprint(&list, p, &evs);
        evs.push(ev(
            6,
            Change::ExportMade {
                file: "x.pdf".into(),
                sha256: "00".into(),
                fingerprint: before.clone(),
                draft: false,
                certificate_sha256: None,
            },
        ));
        assert_eq!(fingerprint(&list, p, &evs), before);
        assert_eq!(Record::build(&list, p, &evs).history.len(), 5);

        let mut changed_text = list.clone();
        changed_text.items[0].title = "Første, omformuleret".into();
        assert_ne!(fingerprint(&changed_text, p, &evs), before);
        let r = Record::build(&changed_text, p, &evs);
        assert_eq!(
            r.changed_items().map(|i| i.id.as_str()).collect::<Vec<_>>(),
            ["a"]
        );

        assert_eq!(match_fingerprint(&list, p, &evs, &before), Match::Current);
        let after_reopen = fingerprint(&list, p, &evs[..4]);
        assert_eq!(
            match_fingerprint(&list, p, &evs, &after_reopen),
            Match::Earlier { seq: 4 }
        );
        assert_eq!(
            match_fingerprint(&changed_text, p, &evs, &before),
            Match::None
        );
        evs.truncate(4);
        assert_ne!(fingerprint(&list, p, &evs), before);
    }

    #[test]
    fn an_export_event_recorded_before_certificates_were_kept_still_loads() {
        let old = r#"{"type":"export-made","file":"x.pdf","sha256":"ab","fingerprint":"cd","draft":false}"#;
        let change: Change = serde_json::from_str(old).unwrap();
        assert!(matches!(
            change,
            Change::ExportMade {
                certificate_sha256: None,
                ..
            }
        ));
        // A draft's event is written as before, without the field.
        assert_eq!(serde_json::to_string(&change).unwrap(), old);
    }

    #[test]
    fn instants_read_as_local_time() {
        let at = "2026-11-22T13:05:00Z".parse().unwrap();
        assert_eq!(when(at, Lang::Da), "22. november 2026 kl. 14:05");
        assert_eq!(when(at, Lang::En), "22 November 2026 14:05");
    }
}
