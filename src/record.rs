//! The review record: everything the exported PDF says about one review, built from the
//! checklist and the review's events, and its fingerprint. Pure: no I/O, no clock.
//!
//! The record fingerprint is the SHA-256 of a canonical JSON of the review's content events
//! (export events left out, so exporting again does not change what an earlier export
//! proves). It does not read today's checklist: each item sign-off carries the SHA-256 of the
//! item text it was signed against ([`crate::checklist::Item::fingerprint`]), which binds the texts in, so a
//! later edit of the checklist leaves every earlier record verifiable. The canonical form is
//! spelled out here, field by field and versioned (`"v":2`), and pinned by a golden test.
//!
//! Data-subject requests ([`crate::request`]) are stored under the yearly period of their
//! receipt, so they are content events of that year's yearly review, deliberately: the yearly
//! record prints the year's register, and its fingerprint covers it. They entered the v2 form
//! as three more kinds (`request-received`, `request-extended`, `request-closed`, pinned by
//! their own golden test); no record made before them holds one, so every earlier v2
//! fingerprint is unchanged. A request registered after an export moves the yearly review on,
//! and `verify` then says the record shows an earlier state of it.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};

use std::collections::HashMap;

use crate::checklist::{Checklist, ItemText, Organisation, hex};
use crate::i18n::Lang;
use crate::period::Cadence;
use crate::period::{Period, local_date, local_time};
use crate::request::{Register, Request, YearSummary};
use crate::review::{Change, Counts, Event, FollowUp, Meeting, Review, SignOff, Signature};
use crate::store::chain::ChainHead;

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
    /// Follow-ups of this review's deviations, open or closed, in checklist order.
    pub actions: Vec<FollowUp>,
    /// What happened to the review, oldest first; exports left out.
    pub history: Vec<HistoryLine>,
    /// Who signed the review; `None` for a draft.
    pub signature: Option<Signature>,
    /// Yearly reviews: the register of data-subject requests received in the year
    /// (references only), when the checklist looks back on it or the year has requests.
    pub register: Option<RegisterTable>,
    /// SHA-256 hex of [`canonical_json`] (version [`FINGERPRINT_VERSION`]).
    pub fingerprint: String,
    /// The event chain's head when the record was exported (set by the export, which reads
    /// it with the events); `None` when built without a database.
    pub chain_head: Option<ChainHead>,
}

/// One item as the record shows it. Its text is the text its outcome was recorded against
/// when that is known (stored with the sign-off, or unchanged since), else today's.
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
    /// Set when the text changed: the text when recorded (`None` when the sign-off predates
    /// stored texts, or its stored text does not hash to its fingerprint) and the text now.
    pub text_change: Option<TextChange>,
}

/// An item whose checklist text differs from the text its outcome was recorded against.
#[derive(Debug, Clone, PartialEq)]
pub struct TextChange {
    pub recorded: Option<ItemText>,
    pub now: ItemText,
}

/// The year's register of data-subject requests, as the yearly record shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct RegisterTable {
    /// Counted without a date: an open request is shown as open, not as overdue, so the
    /// record reads the same on any day.
    pub summary: YearSummary,
    /// The requests received in the year, oldest first.
    pub requests: Vec<Request>,
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
            .map(|item| {
                let sign_off = review.sign_offs.get(&item.id).cloned();
                let now = item.text();
                let changed = review.changed_since_sign_off(item);
                // The stored text counts only if it is the text the fingerprint was taken of.
                let recorded = sign_off.as_ref().and_then(|s| {
                    s.text
                        .clone()
                        .filter(|t| signed_text_holds(t, &item.id, period, s))
                });
                let shown = match (&recorded, changed) {
                    (Some(text), true) => text.clone(),
                    _ => now.clone(),
                };
                RecordItem {
                    id: item.id.clone(),
                    title: shown.title,
                    source: shown.source,
                    responsible: shown.responsible,
                    evidence: shown.evidence,
                    caveat: shown.caveat,
                    sign_off,
                    changed_since_sign_off: changed,
                    text_change: changed.then_some(TextChange { recorded, now }),
                }
            })
            .collect();
        // A retraction names its item by the title its outcome was last recorded with.
        let mut titles: HashMap<&str, &str> = HashMap::new();
        let history = review
            .history
            .iter()
            .map(|e| {
                let what = e.change.describe_named(lang, |id| {
                    titles.get(id).map_or_else(
                        || {
                            checklist
                                .item(id)
                                .map_or_else(|| id.to_string(), |i| i.title.clone())
                        },
                        |t| t.to_string(),
                    )
                });
                if let Change::ItemSigned {
                    item,
                    text: Some(text),
                    ..
                } = &e.change
                {
                    titles.insert(item, &text.title);
                }
                HistoryLine {
                    seq: e.seq,
                    at: e.at,
                    by: actor(&e.change).to_string(),
                    what,
                }
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
            actions: {
                let mut actions: Vec<FollowUp> = review.actions.values().cloned().collect();
                let order = |id: &str| checklist.items.iter().position(|i| i.id == id);
                actions.sort_by_key(|a| order(&a.item));
                actions
            },
            history,
            signature: review.signature.clone(),
            register: register_table(checklist, period, events),
            fingerprint: fingerprint(&checklist.organisation.id, period, events),
            chain_head: None,
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

/// The register table of a yearly record: the year's requests are stored under the yearly
/// period, so they are among the review's own events (and in its fingerprint).
fn register_table(
    checklist: &Checklist,
    period: Period,
    events: &[Event],
) -> Option<RegisterTable> {
    if period.cadence() != Cadence::Yearly {
        return None;
    }
    let register = Register::from_events(&checklist.organisation.id, events);
    let requests: Vec<Request> = register
        .of_year(period.year())
        .into_iter()
        .cloned()
        .collect();
    let looks_back = checklist.items_of(Cadence::Yearly).any(|i| i.requests);
    (looks_back || !requests.is_empty()).then(|| RegisterTable {
        summary: register.summary(period.year(), None),
        requests,
    })
}

/// Whether a sign-off's stored text is the text its fingerprint was taken of.
fn signed_text_holds(text: &ItemText, id: &str, period: Period, sign_off: &SignOff) -> bool {
    text.fingerprint(id, period.cadence()) == sign_off.fingerprint
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
        | Change::ReviewReopened { by, .. }
        | Change::ActionOpened { by, .. }
        | Change::ActionClosed { by, .. } => by,
        Change::WalkthroughHeld(m) => &m.leader,
        Change::ExportMade { .. } => "",
        Change::RequestReceived(r) => &r.by,
        Change::RequestExtended(e) => &e.by,
        Change::RequestClosed(c) => &c.by,
    }
}

/// The version of the canonical form; the PDF states it beside the fingerprint.
/// Version 1 (the first release) also hashed the checklist's current item texts.
pub const FINGERPRINT_VERSION: u32 = 2;

/// The canonical form the fingerprint is taken of. Its own structs, not the stored events'
/// serialisation, so a field added to [`Change`] cannot silently move every fingerprint:
/// [`canonical_change`] names every field of every content event and will not compile
/// until a new one is placed here or deliberately left out (with a new version).
#[derive(Serialize)]
struct CanonicalV2<'a> {
    v: u32,
    org: &'a str,
    period: String,
    events: Vec<CanonicalEvent<'a>>,
}

#[derive(Serialize)]
struct CanonicalEvent<'a> {
    seq: i64,
    /// UTC, RFC 3339 with microseconds: "2026-11-22T13:01:00.000000Z".
    at: String,
    kind: &'static str,
    change: CanonicalChange<'a>,
}

/// The content of one event; which kind it is stands in [`CanonicalEvent::kind`].
#[derive(Serialize)]
#[serde(untagged)]
enum CanonicalChange<'a> {
    ItemSigned {
        item: &'a str,
        status: &'static str,
        note: Option<&'a str>,
        by: &'a str,
        /// SHA-256 of the item's text when it was signed ([`crate::checklist::Item::fingerprint`]).
        item_text_sha256: &'a str,
    },
    ItemRetracted {
        item: &'a str,
        by: &'a str,
    },
    ReviewSigned {
        by: &'a str,
        role: &'a str,
    },
    ReviewReopened {
        by: &'a str,
        reason: &'a str,
    },
    WalkthroughHeld {
        date: String,
        department: &'a str,
        leader: &'a str,
        attendees: &'a [String],
        sections: &'a [String],
        sections_sha256: &'a str,
    },
    RequestReceived {
        reference: &'a str,
        kind: &'static str,
        received: String,
        deadline: String,
        by: &'a str,
    },
    RequestExtended {
        reference: &'a str,
        months: u32,
        reason: &'a str,
        told: String,
        by: &'a str,
    },
    RequestClosed {
        reference: &'a str,
        outcome: &'static str,
        closed: String,
        note: Option<&'a str>,
        by: &'a str,
    },
    /// Added after version 2 was fixed; appears only in reviews that have follow-ups, so
    /// every earlier fingerprint stays as it was.
    ActionOpened {
        item: &'a str,
        action: &'a str,
        owner: &'a str,
        due: String,
        by: &'a str,
    },
    ActionClosed {
        item: &'a str,
        note: &'a str,
        by: &'a str,
    },
}

/// The canonical content of a change; `None` for an export, which is no part of it.
fn canonical_change(change: &Change) -> Option<CanonicalChange<'_>> {
    Some(match change {
        Change::ItemSigned {
            item,
            status,
            note,
            by,
            fingerprint,
            // Left out on purpose: the text is bound in by its SHA-256 just below, which
            // anyone holding the text can recompute; hashing it again here would move the
            // fingerprint of every review recorded since event version 2 for nothing.
            text: _,
        } => CanonicalChange::ItemSigned {
            item,
            status: status.key(),
            note: note.as_deref(),
            by,
            item_text_sha256: fingerprint,
        },
        Change::ItemRetracted { item, by } => CanonicalChange::ItemRetracted { item, by },
        Change::ReviewSigned { by, role } => CanonicalChange::ReviewSigned { by, role },
        Change::ReviewReopened { by, reason } => CanonicalChange::ReviewReopened { by, reason },
        Change::WalkthroughHeld(Meeting {
            date,
            department,
            leader,
            attendees,
            sections,
            sections_fingerprint,
        }) => CanonicalChange::WalkthroughHeld {
            date: date.format("%Y-%m-%d").to_string(),
            department,
            leader,
            attendees,
            sections,
            sections_sha256: sections_fingerprint,
        },
        Change::ExportMade { .. } => return None,
        Change::RequestReceived(r) => CanonicalChange::RequestReceived {
            reference: &r.reference,
            kind: r.kind.key(),
            received: day(r.received),
            deadline: day(r.deadline),
            by: &r.by,
        },
        Change::RequestExtended(e) => CanonicalChange::RequestExtended {
            reference: &e.reference,
            months: e.months,
            reason: &e.reason,
            told: day(e.told),
            by: &e.by,
        },
        Change::RequestClosed(c) => CanonicalChange::RequestClosed {
            reference: &c.reference,
            outcome: c.outcome.key(),
            closed: day(c.closed),
            note: c.note.as_deref(),
            by: &c.by,
        },
        Change::ActionOpened {
            item,
            action,
            owner,
            due,
            by,
        } => CanonicalChange::ActionOpened {
            item,
            action,
            owner,
            due: due.format("%Y-%m-%d").to_string(),
            by,
        },
        Change::ActionClosed { item, note, by } => CanonicalChange::ActionClosed { item, note, by },
    })
}

fn day(d: chrono::NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// The canonical JSON of a review: `{"v":2,"org":…,"period":…,"events":[…]}` with its
/// content events (exports left out) oldest first, each `{"seq","at","kind","change"}`, no
/// whitespace, fields in the order written here.
pub fn canonical_json(org: &str, period: Period, events: &[Event]) -> Vec<u8> {
    let canonical = CanonicalV2 {
        v: FINGERPRINT_VERSION,
        org,
        period: period.key(),
        events: events
            .iter()
            .filter_map(|e| {
                Some(CanonicalEvent {
                    seq: e.seq,
                    at: e.at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
                    kind: e.change.kind(),
                    change: canonical_change(&e.change)?,
                })
            })
            .collect(),
    };
    serde_json::to_vec(&canonical).expect("the canonical record always serialises")
}

/// The record fingerprint: SHA-256 (hex) of [`canonical_json`].
pub fn fingerprint(org: &str, period: Period, events: &[Event]) -> String {
    hex(&Sha256::digest(canonical_json(org, period, events)))
}

/// How a record fingerprint relates to a review's events in the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Match {
    /// The review as it stands now.
    Current,
    /// The review as it stood after event `seq`; it has changed since.
    Earlier { seq: i64 },
    /// No state of the review has this fingerprint.
    None,
}

/// Finds the state of the review whose fingerprint is `fingerprint`: now, or after one of
/// its earlier events.
pub fn match_fingerprint(org: &str, period: Period, events: &[Event], fingerprint: &str) -> Match {
    let content: Vec<Event> = content_events(events).into_iter().cloned().collect();
    if self::fingerprint(org, period, &content) == fingerprint {
        return Match::Current;
    }
    (1..content.len())
        .rev()
        .find(|&n| self::fingerprint(org, period, &content[..n]) == fingerprint)
        .map_or(Match::None, |n| Match::Earlier {
            seq: content[n - 1].seq,
        })
}

/// A part of an item's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Field {
    Title,
    Source,
    Responsible,
    Evidence,
    Caveat,
    Guidance,
    Walkthrough,
}

/// One part of an item's text that differs between the sign-off and today, labelled
/// "Tekst ved registrering" / "Tekst nu" (the title) or "Kilde ved registrering" / "Kilde nu".
#[derive(Debug, Clone, PartialEq)]
pub struct TextDifference {
    pub field: Field,
    pub recorded_label: String,
    pub recorded: String,
    pub now_label: String,
    pub now: String,
}

/// The parts of `recorded` and `now` that differ, in the order the record prints an item.
/// Shared by the PDF and the screen.
pub fn text_differences(lang: Lang, recorded: &ItemText, now: &ItemText) -> Vec<TextDifference> {
    let none = lang.pick("(ingen)", "(none)");
    let opt = |o: &Option<String>| o.clone().unwrap_or_else(|| none.to_string());
    let yes_no = |b: bool| {
        lang.pick(if b { "ja" } else { "nej" }, if b { "yes" } else { "no" })
            .to_string()
    };
    let guidance = |g: &str| {
        if g.trim().is_empty() {
            none.to_string()
        } else {
            g.to_string()
        }
    };
    let parts = [
        (
            Field::Title,
            ("Tekst", "Text"),
            recorded.title.clone(),
            now.title.clone(),
        ),
        (
            Field::Source,
            ("Kilde", "Source"),
            recorded.source.clone(),
            now.source.clone(),
        ),
        (
            Field::Responsible,
            ("Ansvarlig", "Responsible"),
            opt(&recorded.responsible),
            opt(&now.responsible),
        ),
        (
            Field::Evidence,
            ("Dokumentation", "Evidence"),
            opt(&recorded.evidence),
            opt(&now.evidence),
        ),
        (
            Field::Caveat,
            ("Forbehold", "Caveat"),
            opt(&recorded.caveat),
            opt(&now.caveat),
        ),
        (
            Field::Guidance,
            ("Vejledning", "Guidance"),
            guidance(&recorded.guidance),
            guidance(&now.guidance),
        ),
        (
            Field::Walkthrough,
            ("Afsluttes på personalemøde", "Completed at a staff meeting"),
            yes_no(recorded.walkthrough),
            yes_no(now.walkthrough),
        ),
    ];
    parts
        .into_iter()
        .filter(|(_, _, a, b)| a != b)
        .map(|(field, (da, en), recorded, now)| TextDifference {
            field,
            recorded_label: format!(
                "{} {}",
                lang.pick(da, en),
                lang.pick("ved registrering", "when recorded")
            ),
            recorded,
            now_label: format!("{} {}", lang.pick(da, en), lang.pick("nu", "now")),
            now,
        })
        .collect()
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
    use crate::checklist::{Item, Section};
    use crate::period::Cadence;
    use crate::review::{Meeting, Outcome};

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
            requests: false,
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
                request_deadline_days: None,
                in_use_from: None,
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
        Change::item_signed(
            item,
            status,
            note.map(Into::into),
            "Henriette Salmon".into(),
        )
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
    fn exports_and_checklist_edits_do_not_change_the_fingerprint_but_events_do() {
        let list = list();
        let p: Period = "2026-Q4".parse().unwrap();
        let mut evs = events(&list);
        let before = fingerprint("skgr", p, &evs);
        assert_eq!(Record::build(&list, p, &evs).fingerprint, before);
        evs.push(ev(
            6,
            Change::ExportMade {
                file: "x.pdf".into(),
                sha256: "00".into(),
                fingerprint: before.clone(),
                draft: false,
                certificate_sha256: Some("11".into()),
            },
        ));
        assert_eq!(fingerprint("skgr", p, &evs), before);
        assert_eq!(Record::build(&list, p, &evs).history.len(), 5);

        // The checklist changes after the sign-off: the record flags the item, and its
        // fingerprint (of the events, which carry the text they were signed against) stays.
        let mut changed_text = list.clone();
        changed_text.items[0].title = "Første, omformuleret".into();
        changed_text.items[1].guidance = "Ny vejledning".into();
        let r = Record::build(&changed_text, p, &evs);
        assert_eq!(r.fingerprint, before);
        assert_eq!(
            r.changed_items().map(|i| i.id.as_str()).collect::<Vec<_>>(),
            ["a", "b"]
        );

        assert_eq!(match_fingerprint("skgr", p, &evs, &before), Match::Current);
        let after_reopen = fingerprint("skgr", p, &evs[..4]);
        assert_eq!(
            match_fingerprint("skgr", p, &evs, &after_reopen),
            Match::Earlier { seq: 4 }
        );
        assert_eq!(match_fingerprint("skgr", p, &evs, "ab"), Match::None);
        assert_eq!(match_fingerprint("other", p, &evs, &before), Match::None);

        // Every part of a content event counts, the item text it was signed against too.
        let mut signed_elsewhere = evs.clone();
        if let Change::ItemSigned { fingerprint, .. } = &mut signed_elsewhere[0].change {
            *fingerprint = "0".repeat(64);
        }
        assert_ne!(fingerprint("skgr", p, &signed_elsewhere), before);
        let mut renoted = evs.clone();
        if let Change::ItemSigned { note, .. } = &mut renoted[1].change {
            *note = Some("Mangler stadig".into());
        }
        assert_ne!(fingerprint("skgr", p, &renoted), before);
        let mut later = evs.clone();
        later[2].at += chrono::Duration::microseconds(1);
        assert_ne!(fingerprint("skgr", p, &later), before);
        evs.truncate(4);
        assert_ne!(fingerprint("skgr", p, &evs), before);
    }

    #[test]
    fn the_record_fingerprint_is_pinned() {
        // Changing these bytes makes every record exported so far verify as changed: they
        // must not move. A new canonical form needs a new version number instead.
        let p: Period = "2026-Q4".parse().unwrap();
        let text = "ab".repeat(32);
        let evs = vec![
            ev(
                1,
                Change::ItemSigned {
                    item: "a".into(),
                    status: Outcome::Deviation,
                    note: Some("Mangler »nøgle« – \"låst\"\nRettes".into()),
                    by: "Henriette Salmon".into(),
                    fingerprint: text.clone(),
                    text: None,
                },
            ),
            ev(
                2,
                Change::ItemRetracted {
                    item: "a".into(),
                    by: "H".into(),
                },
            ),
            ev(
                3,
                Change::ItemSigned {
                    item: "a".into(),
                    status: Outcome::NotApplicable,
                    note: None,
                    by: "H".into(),
                    fingerprint: text.clone(),
                    text: None,
                },
            ),
            ev(
                4,
                Change::WalkthroughHeld(Meeting {
                    date: "2026-11-12".parse().unwrap(),
                    department: "Krakasvej".into(),
                    leader: "H".into(),
                    attendees: vec!["Ann".into(), "Bo".into()],
                    sections: vec!["Tavshedspligt".into()],
                    sections_fingerprint: "cd".repeat(32),
                }),
            ),
            ev(
                5,
                Change::ReviewSigned {
                    by: "H".into(),
                    role: "Leder".into(),
                },
            ),
            ev(
                6,
                Change::ExportMade {
                    file: "x.pdf".into(),
                    sha256: "00".into(),
                    fingerprint: "00".into(),
                    draft: false,
                    certificate_sha256: None,
                },
            ),
            ev(
                7,
                Change::ReviewReopened {
                    by: "H".into(),
                    reason: "Forkert".into(),
                },
            ),
        ];
        let expected = concat!(
            r#"{"v":2,"org":"skgr","period":"2026-Q4","events":["#,
            r#"{"seq":1,"at":"2026-11-22T13:01:00.000000Z","kind":"item-signed","change":{"item":"a","status":"deviation","note":"Mangler »nøgle« – \"låst\"\nRettes","by":"Henriette Salmon","item_text_sha256":"abababababababababababababababababababababababababababababababab"}},"#,
            r#"{"seq":2,"at":"2026-11-22T13:02:00.000000Z","kind":"item-retracted","change":{"item":"a","by":"H"}},"#,
            r#"{"seq":3,"at":"2026-11-22T13:03:00.000000Z","kind":"item-signed","change":{"item":"a","status":"not-applicable","note":null,"by":"H","item_text_sha256":"abababababababababababababababababababababababababababababababab"}},"#,
            r#"{"seq":4,"at":"2026-11-22T13:04:00.000000Z","kind":"walkthrough-held","change":{"date":"2026-11-12","department":"Krakasvej","leader":"H","attendees":["Ann","Bo"],"sections":["Tavshedspligt"],"sections_sha256":"cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd"}},"#,
            r#"{"seq":5,"at":"2026-11-22T13:05:00.000000Z","kind":"review-signed","change":{"by":"H","role":"Leder"}},"#,
            r#"{"seq":7,"at":"2026-11-22T13:07:00.000000Z","kind":"review-reopened","change":{"by":"H","reason":"Forkert"}}"#,
            r#"]}"#
        );
        let canonical = canonical_json("skgr", p, &evs);
        assert_eq!(String::from_utf8(canonical.clone()).unwrap(), expected);
        assert_eq!(
            fingerprint("skgr", p, &evs),
            hex(&Sha256::digest(expected.as_bytes()))
        );
        assert_eq!(
            fingerprint("skgr", p, &evs),
            "00e3d6c7bf77dce407a975b6078f897089d6202c406505d7ee7b38f930039d3d"
        );

        // Sign-offs of event version 2 store their text as well; the canonical form leaves
        // it out (its SHA-256 above binds it in), so the same events keep the same bytes.
        let mut with_text = evs.clone();
        for e in &mut with_text {
            if let Change::ItemSigned { text, .. } = &mut e.change {
                *text = Some(Box::new(item("a", "Første").text()));
            }
        }
        assert_eq!(canonical_json("skgr", p, &with_text), canonical);
    }

    #[test]
    fn the_record_prints_the_text_as_signed_and_today_s_beside_it() {
        let list = list();
        let p: Period = "2026-Q4".parse().unwrap();
        let mut old_event = signed(&list.items[1], Outcome::Done, None);
        if let Change::ItemSigned { text, .. } = &mut old_event {
            *text = None; // recorded before texts were stored (event version 1)
        }
        let evs = vec![
            ev(1, signed(&list.items[0], Outcome::Done, None)),
            ev(
                2,
                Change::ItemRetracted {
                    item: "a".into(),
                    by: "H".into(),
                },
            ),
            ev(3, signed(&list.items[0], Outcome::Done, None)),
            ev(4, old_event),
        ];
        let unchanged = Record::build(&list, p, &evs);
        assert!(unchanged.items.iter().all(|i| i.text_change.is_none()));

        let mut edited = list.clone();
        edited.items[0].title = "Første, omformuleret".into();
        edited.items[0].source = "§ 2".into();
        edited.items[1].title = "Anden, omformuleret".into();
        let r = Record::build(&edited, p, &evs);
        assert_eq!(r.fingerprint, unchanged.fingerprint);

        // Stored text: the record prints it, and today's beside it.
        let a = &r.items[0];
        assert_eq!((a.title.as_str(), a.source.as_str()), ("Første", "§ 1"));
        let change = a.text_change.as_ref().unwrap();
        assert_eq!(change.recorded.as_ref().unwrap().title, "Første");
        assert_eq!(change.now.title, "Første, omformuleret");
        assert_eq!(change.now.source, "§ 2");

        // A version 1 sign-off: only the text's SHA-256 is known, so today's text is shown
        // and flagged.
        let b = &r.items[1];
        assert_eq!(b.title, "Anden, omformuleret");
        assert_eq!(b.text_change.as_ref().unwrap().recorded, None);

        // The history names the items as they were signed, retractions included.
        let what: Vec<&str> = r.history.iter().map(|h| h.what.as_str()).collect();
        assert_eq!(
            what,
            [
                "Registreret »Første«: Udført",
                "Trukket tilbage »Første«",
                "Registreret »Første«: Udført",
                "Registreret »Anden, omformuleret«: Udført",
            ]
        );

        // A stored text that does not hash to its fingerprint is not printed as signed.
        let mut forged = evs.clone();
        if let Change::ItemSigned { text: Some(t), .. } = &mut forged[2].change {
            t.title = "Noget andet".into();
        }
        let r = Record::build(&edited, p, &forged);
        assert_eq!(r.items[0].title, "Første, omformuleret");
        assert_eq!(r.items[0].text_change.as_ref().unwrap().recorded, None);
    }

    #[test]
    fn requests_are_content_of_the_yearly_record_in_a_pinned_form() {
        use crate::request::{Closed, Extended, Kind, Received, Resolution};
        let p: Period = "2026".parse().unwrap();
        let at = |seq: i64, change| Event {
            period: p,
            ..ev(seq, change)
        };
        let evs = vec![
            at(
                1,
                Change::RequestReceived(Received {
                    reference: "sag 2026-014".into(),
                    kind: Kind::ConsentWithdrawal,
                    received: "2026-01-31".parse().unwrap(),
                    deadline: "2026-02-28".parse().unwrap(),
                    by: "H".into(),
                }),
            ),
            at(
                2,
                Change::RequestExtended(Extended {
                    reference: "sag 2026-014".into(),
                    months: 2,
                    reason: "Tre »afdelinger«".into(),
                    told: "2026-02-20".parse().unwrap(),
                    by: "H".into(),
                }),
            ),
            at(
                3,
                Change::RequestClosed(Closed {
                    reference: "sag 2026-014".into(),
                    outcome: Resolution::Answered,
                    closed: "2026-03-02".parse().unwrap(),
                    note: None,
                    by: "H".into(),
                }),
            ),
        ];
        let expected = concat!(
            r#"{"v":2,"org":"skgr","period":"2026","events":["#,
            r#"{"seq":1,"at":"2026-11-22T13:01:00.000000Z","kind":"request-received","change":{"reference":"sag 2026-014","kind":"consent-withdrawal","received":"2026-01-31","deadline":"2026-02-28","by":"H"}},"#,
            r#"{"seq":2,"at":"2026-11-22T13:02:00.000000Z","kind":"request-extended","change":{"reference":"sag 2026-014","months":2,"reason":"Tre »afdelinger«","told":"2026-02-20","by":"H"}},"#,
            r#"{"seq":3,"at":"2026-11-22T13:03:00.000000Z","kind":"request-closed","change":{"reference":"sag 2026-014","outcome":"answered","closed":"2026-03-02","note":null,"by":"H"}}"#,
            r#"]}"#
        );
        assert_eq!(
            String::from_utf8(canonical_json("skgr", p, &evs)).unwrap(),
            expected
        );
        // The review itself is untouched by them; the record carries the register.
        let mut yearly = list();
        yearly.items[0].cadence = Cadence::Yearly;
        yearly.items[0].requests = true;
        let r = Record::build(&yearly, p, &evs);
        assert!(r.history.is_empty());
        assert_eq!(r.counts.open, 1);
        let table = r.register.expect("a yearly record carries the register");
        assert_eq!(table.requests.len(), 1);
        assert_eq!(table.requests[0].deadline.to_string(), "2026-04-30");
        assert_eq!((table.summary.received, table.summary.late), (1, 0));
        assert_eq!(r.fingerprint, fingerprint("skgr", p, &evs));
        assert_ne!(r.fingerprint, fingerprint("skgr", p, &evs[..2]));
        // A quarterly record never shows it; a yearly one without a look-back item and
        // without requests neither.
        assert!(
            Record::build(&yearly, "2026-Q1".parse().unwrap(), &[])
                .register
                .is_none()
        );
        assert!(Record::build(&list(), p, &[]).register.is_none());
        assert!(Record::build(&yearly, p, &[]).register.is_some());
    }

    #[test]
    fn follow_up_events_extend_the_canonical_form_without_moving_earlier_fingerprints() {
        // The pinned fingerprint above has no follow-up events and stays as it was; these
        // pin the two follow-up kinds, field by field.
        let p: Period = "2026-Q4".parse().unwrap();
        let evs = vec![
            ev(
                1,
                Change::ActionOpened {
                    item: "a".into(),
                    action: "Indhent »aftalen«".into(),
                    owner: "Henriette".into(),
                    due: "2028-02-29".parse().unwrap(),
                    by: "H".into(),
                },
            ),
            ev(
                2,
                Change::ActionClosed {
                    item: "a".into(),
                    note: "Modtaget".into(),
                    by: "Lise".into(),
                },
            ),
        ];
        let expected = concat!(
            r#"{"v":2,"org":"skgr","period":"2026-Q4","events":["#,
            r#"{"seq":1,"at":"2026-11-22T13:01:00.000000Z","kind":"action-opened","change":{"item":"a","action":"Indhent »aftalen«","owner":"Henriette","due":"2028-02-29","by":"H"}},"#,
            r#"{"seq":2,"at":"2026-11-22T13:02:00.000000Z","kind":"action-closed","change":{"item":"a","note":"Modtaget","by":"Lise"}}"#,
            r#"]}"#
        );
        assert_eq!(
            String::from_utf8(canonical_json("skgr", p, &evs)).unwrap(),
            expected
        );
        // The stored form reads back as written.
        for e in &evs {
            let json = serde_json::to_string(&e.change).unwrap();
            assert_eq!(serde_json::from_str::<Change>(&json).unwrap(), e.change);
        }
        assert!(
            serde_json::to_string(&evs[0].change)
                .unwrap()
                .starts_with(r#"{"type":"action-opened","#)
        );
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
