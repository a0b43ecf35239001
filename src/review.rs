//! Reviews: one organisation × one cadence × one period. The store keeps only *events*; a
//! [`Review`] is derived from them, and [`Review::check`] holds the rules every change must
//! pass, for the terminal and the command line alike.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::checklist::{Checklist, Item, ItemText};
use crate::i18n::Lang;
use crate::period::{Period, Timing};

/// The outcome recorded for one item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    Done,
    NotApplicable,
    /// Something was found wrong; the note says what and what is done about it.
    Deviation,
}

impl Outcome {
    pub fn key(self) -> &'static str {
        match self {
            Outcome::Done => "done",
            Outcome::NotApplicable => "not-applicable",
            Outcome::Deviation => "deviation",
        }
    }

    pub fn parse(s: &str) -> Option<Outcome> {
        [Outcome::Done, Outcome::NotApplicable, Outcome::Deviation]
            .into_iter()
            .find(|o| o.key() == s)
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Outcome::Done => lang.pick("Udført", "Done"),
            Outcome::NotApplicable => lang.pick("Ikke relevant", "Not applicable"),
            Outcome::Deviation => lang.pick("Afvigelse", "Deviation"),
        }
    }
}

/// One change to a review, as stored in an event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Change {
    /// An item's outcome recorded, against the fingerprint of the item's text at the time.
    ///
    /// Event version 2 also stores that `text` itself (it hashes to `fingerprint`), so the
    /// record prints what was signed even after the checklist changed. Version 1 events,
    /// written before, have no `text` and are stored and read exactly as they were.
    ItemSigned {
        item: String,
        status: Outcome,
        note: Option<String>,
        by: String,
        fingerprint: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        text: Option<Box<ItemText>>,
    },
    /// An item's outcome withdrawn: it is open again.
    ItemRetracted { item: String, by: String },
    /// The whole review signed; it takes no item changes until reopened.
    ReviewSigned { by: String, role: String },
    /// A signed review opened again, with the reason.
    ReviewReopened { by: String, reason: String },
    /// The policy walked through at a staff meeting; evidence for the yearly walkthrough item.
    WalkthroughHeld(Meeting),
    /// A review record PDF written: the file's SHA-256, the record fingerprint it carries,
    /// and the SHA-256 of the certificate it is signed with (`None` for a draft, and in
    /// events recorded before this was kept).
    ExportMade {
        file: String,
        sha256: String,
        fingerprint: String,
        draft: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        certificate_sha256: Option<String>,
    },
}

/// One staff meeting at which the policy was walked through.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Meeting {
    /// The meeting's local date.
    pub date: NaiveDate,
    /// Place or department, e.g. "Botilbud Krakasvej".
    pub department: String,
    /// Who led the meeting.
    pub leader: String,
    /// One name per attendee.
    pub attendees: Vec<String>,
    /// Titles of the sections shown, in order.
    pub sections: Vec<String>,
    /// SHA-256 of the sections' titles and texts as shown.
    pub sections_fingerprint: String,
}

impl Change {
    /// `item`'s outcome recorded against its text as it stands now: the text and its
    /// fingerprint (event version 2).
    pub fn item_signed(item: &Item, status: Outcome, note: Option<String>, by: String) -> Change {
        let text = item.text();
        Change::ItemSigned {
            item: item.id.clone(),
            status,
            note,
            by,
            fingerprint: text.fingerprint(&item.id, item.cadence),
            text: Some(Box::new(text)),
        }
    }

    /// The event kind's name, as stored.
    pub fn kind(&self) -> &'static str {
        match self {
            Change::ItemSigned { .. } => "item-signed",
            Change::ItemRetracted { .. } => "item-retracted",
            Change::ReviewSigned { .. } => "review-signed",
            Change::ReviewReopened { .. } => "review-reopened",
            Change::WalkthroughHeld(_) => "walkthrough-held",
            Change::ExportMade { .. } => "export-made",
        }
    }

    /// One line saying what happened, naming items by id.
    pub fn describe(&self, lang: Lang) -> String {
        self.describe_named(lang, |id| id.to_string())
    }

    /// One line saying what happened: a sign-off names its item by the title it was signed
    /// with (when stored), other events by the item's title in `checklist` (by id when the
    /// checklist no longer has the item). For confirmations and history lists.
    pub fn describe_in(&self, lang: Lang, checklist: &Checklist) -> String {
        self.describe_named(lang, |id| {
            checklist
                .item(id)
                .map_or_else(|| id.to_string(), |i| i.title.clone())
        })
    }

    /// One line saying what happened: a sign-off names its item by the title it was signed
    /// with (when stored), other events by `name(item id)`.
    pub fn describe_named(&self, lang: Lang, name: impl Fn(&str) -> String) -> String {
        match self {
            Change::ItemSigned {
                item, status, text, ..
            } => format!(
                "{} »{}«: {}",
                lang.pick("Registreret", "Recorded"),
                text.as_ref()
                    .map_or_else(|| name(item), |t| t.title.clone()),
                status.label(lang)
            ),
            Change::ItemRetracted { item, .. } => format!(
                "{} »{}«",
                lang.pick("Trukket tilbage", "Retracted"),
                name(item)
            ),
            Change::ReviewSigned { by, role } => {
                format!("{}: {by} ({role})", lang.pick("Underskrevet", "Signed"))
            }
            Change::ReviewReopened { reason, .. } => {
                format!("{}: {reason}", lang.pick("Genåbnet", "Reopened"))
            }
            Change::WalkthroughHeld(m) => format!(
                "{}: {}, {}",
                lang.pick("Personalemøde", "Staff meeting"),
                m.department,
                lang.count(
                    m.attendees.len(),
                    ("deltager", "deltagere"),
                    ("attendee", "attendees")
                )
            ),
            Change::ExportMade { file, .. } => {
                format!("{}: {file}", lang.pick("Eksporteret", "Exported"))
            }
        }
    }
}

/// A change as stored: numbered, timed, and tied to its review.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub org: String,
    pub period: Period,
    pub change: Change,
}

/// The current outcome of one item.
#[derive(Debug, Clone, PartialEq)]
pub struct SignOff {
    pub status: Outcome,
    pub note: Option<String>,
    pub by: String,
    pub at: DateTime<Utc>,
    pub fingerprint: String,
    /// The item's text when the outcome was recorded; `None` for version 1 events.
    pub text: Option<ItemText>,
}

/// Who signed the review, when, in what role.
#[derive(Debug, Clone, PartialEq)]
pub struct Signature {
    pub by: String,
    pub role: String,
    pub at: DateTime<Utc>,
}

/// A review's state, derived from its events.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Review {
    pub sign_offs: BTreeMap<String, SignOff>,
    pub signature: Option<Signature>,
    /// Staff meetings held for this review, oldest first.
    pub meetings: Vec<Meeting>,
    /// Every event of this review, oldest first.
    pub history: Vec<Event>,
}

/// How far a review has come, as shown on the dashboard and in `status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReviewState {
    Overdue,
    InProgress,
    NotStarted,
    Signed,
    Upcoming,
}

impl ReviewState {
    pub fn key(self) -> &'static str {
        match self {
            ReviewState::Upcoming => "upcoming",
            ReviewState::NotStarted => "not-started",
            ReviewState::InProgress => "in-progress",
            ReviewState::Signed => "signed",
            ReviewState::Overdue => "overdue",
        }
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            ReviewState::Upcoming => lang.pick("kommende", "upcoming"),
            ReviewState::NotStarted => lang.pick("ikke startet", "not started"),
            ReviewState::InProgress => lang.pick("i gang", "in progress"),
            ReviewState::Signed => lang.pick("underskrevet", "signed"),
            ReviewState::Overdue => lang.pick("overskredet", "overdue"),
        }
    }
}

/// Items of a review by outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Counts {
    pub items: usize,
    pub done: usize,
    pub not_applicable: usize,
    pub deviations: usize,
    pub open: usize,
}

/// Why a change was refused. Each says what the user can do instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    PeriodNotBegun {
        period: String,
    },
    UnknownItem {
        item: String,
        org: String,
    },
    WrongCadence {
        item: String,
        cadence: String,
        period: String,
    },
    DeviationNeedsNote {
        item: String,
    },
    EvidenceNeedsNote {
        item: String,
        evidence: String,
    },
    ReviewSigned {
        period: String,
    },
    NothingToRetract {
        item: String,
    },
    OpenItems {
        items: Vec<String>,
    },
    NotSigned {
        period: String,
    },
    Empty {
        what: &'static str,
    },
    FutureDate {
        date: NaiveDate,
    },
}

impl Refusal {
    /// One sentence in the user's language.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            Refusal::PeriodNotBegun { period } => lang
                .pick(
                    "Perioden {p} er ikke begyndt endnu; der kan først registreres, når den løber.",
                    "Period {p} has not begun; outcomes can be recorded once it runs.",
                )
                .replace("{p}", period),
            Refusal::UnknownItem { item, org } => lang
                .pick(
                    "Punktet »{i}« findes ikke i tjeklisten for {o}.",
                    "There is no item `{i}` in the checklist of {o}.",
                )
                .replace("{i}", item)
                .replace("{o}", org),
            Refusal::WrongCadence {
                item,
                cadence,
                period,
            } => lang
                .pick(
                    "Punktet »{i}« er {c} og hører ikke til perioden {p}.",
                    "Item `{i}` is {c} and does not belong to period {p}.",
                )
                .replace("{i}", item)
                .replace("{c}", cadence)
                .replace("{p}", period),
            Refusal::DeviationNeedsNote { item } => lang
                .pick(
                    "En afvigelse kræver en note om, hvad der er galt, og hvad der gøres (punkt »{i}«).",
                    "A deviation needs a note saying what is wrong and what is done about it (item `{i}`).",
                )
                .replace("{i}", item),
            Refusal::EvidenceNeedsNote { item, evidence } => lang
                .pick(
                    "Punktet »{i}« kan kun markeres udført med en note om: {e}.",
                    "Item `{i}` can only be marked done with a note recording: {e}.",
                )
                .replace("{i}", item)
                .replace("{e}", evidence),
            Refusal::ReviewSigned { period } => lang
                .pick(
                    "Gennemgangen {p} er underskrevet; genåbn den med en begrundelse for at ændre den.",
                    "Review {p} is signed; reopen it with a reason to change it.",
                )
                .replace("{p}", period),
            Refusal::NothingToRetract { item } => lang
                .pick(
                    "Punktet »{i}« har ingen registrering at trække tilbage.",
                    "Item `{i}` has no outcome to retract.",
                )
                .replace("{i}", item),
            Refusal::OpenItems { items } => lang
                .pick(
                    "Gennemgangen kan ikke underskrives, mens punkter er åbne: {l}.",
                    "The review cannot be signed while items are open: {l}.",
                )
                .replace("{l}", &items.join(", ")),
            Refusal::NotSigned { period } => lang
                .pick(
                    "Gennemgangen {p} er ikke underskrevet, så den kan ikke genåbnes.",
                    "Review {p} is not signed, so it cannot be reopened.",
                )
                .replace("{p}", period),
            Refusal::FutureDate { date } => lang
                .pick(
                    "Datoen {d} ligger i fremtiden; et møde registreres, når det er holdt.",
                    "The date {d} lies in the future; a meeting is recorded once it has been held.",
                )
                .replace("{d}", &date.to_string()),
            Refusal::Empty { what } => {
                let (da, en) = match *what {
                    "by" => ("navn", "name"),
                    "role" => ("rolle", "role"),
                    "leader" => ("navn på mødelederen", "name of the meeting's leader"),
                    "department" => ("sted eller afdeling", "place or department"),
                    "attendees" => ("deltager (én pr. linje)", "attendee (one per line)"),
                    _ => ("begrundelse", "reason"),
                };
                format!(
                    "{} {}.",
                    lang.pick("Angiv et", "Give a"),
                    lang.pick(da, en)
                )
            }
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(Lang::En))
    }
}

impl std::error::Error for Refusal {}

fn filled(s: &str, what: &'static str) -> Result<(), Refusal> {
    if s.trim().is_empty() {
        Err(Refusal::Empty { what })
    } else {
        Ok(())
    }
}

impl Review {
    /// Replays a review's events, oldest first.
    pub fn from_events<'a>(events: impl IntoIterator<Item = &'a Event>) -> Review {
        let mut review = Review::default();
        for event in events {
            review.apply(event);
        }
        review
    }

    fn apply(&mut self, event: &Event) {
        match &event.change {
            Change::ItemSigned {
                item,
                status,
                note,
                by,
                fingerprint,
                text,
            } => {
                self.sign_offs.insert(
                    item.clone(),
                    SignOff {
                        status: *status,
                        note: note.clone(),
                        by: by.clone(),
                        at: event.at,
                        fingerprint: fingerprint.clone(),
                        text: text.as_deref().cloned(),
                    },
                );
            }
            Change::ItemRetracted { item, .. } => {
                self.sign_offs.remove(item);
            }
            Change::ReviewSigned { by, role } => {
                self.signature = Some(Signature {
                    by: by.clone(),
                    role: role.clone(),
                    at: event.at,
                });
            }
            Change::ReviewReopened { .. } => self.signature = None,
            Change::WalkthroughHeld(meeting) => self.meetings.push(meeting.clone()),
            Change::ExportMade { .. } => {}
        }
        self.history.push(event.clone());
    }

    /// The items of `period` in `checklist` that have no outcome yet.
    pub fn open_items<'c>(&self, checklist: &'c Checklist, period: Period) -> Vec<&'c Item> {
        checklist
            .items_of(period.cadence())
            .filter(|i| !self.sign_offs.contains_key(&i.id))
            .collect()
    }

    /// Whether the item's text has changed since its outcome was recorded.
    pub fn changed_since_sign_off(&self, item: &Item) -> bool {
        self.sign_offs
            .get(&item.id)
            .is_some_and(|s| s.fingerprint != item.fingerprint())
    }

    pub fn counts(&self, checklist: &Checklist, period: Period) -> Counts {
        let mut c = Counts::default();
        for item in checklist.items_of(period.cadence()) {
            c.items += 1;
            match self.sign_offs.get(&item.id).map(|s| s.status) {
                Some(Outcome::Done) => c.done += 1,
                Some(Outcome::NotApplicable) => c.not_applicable += 1,
                Some(Outcome::Deviation) => c.deviations += 1,
                None => c.open += 1,
            }
        }
        c
    }

    pub fn state(&self, checklist: &Checklist, period: Period, today: NaiveDate) -> ReviewState {
        if self.signature.is_some() {
            return ReviewState::Signed;
        }
        match period.timing(today) {
            Timing::Upcoming => ReviewState::Upcoming,
            Timing::Ended => ReviewState::Overdue,
            Timing::Running => {
                let counts = self.counts(checklist, period);
                if counts.open == counts.items {
                    ReviewState::NotStarted
                } else {
                    ReviewState::InProgress
                }
            }
        }
    }

    /// The rules every change must pass, wherever it comes from. `today` is the local date.
    pub fn check(
        &self,
        checklist: &Checklist,
        period: Period,
        today: NaiveDate,
        change: &Change,
    ) -> Result<(), Refusal> {
        let period_key = || period.key();
        let signed = || Refusal::ReviewSigned {
            period: period_key(),
        };
        match change {
            Change::ItemSigned {
                item,
                status,
                note,
                by,
                ..
            } => {
                let item = self.item_in_review(checklist, period, item)?;
                if self.signature.is_some() {
                    return Err(signed());
                }
                if period.timing(today) == Timing::Upcoming {
                    return Err(Refusal::PeriodNotBegun {
                        period: period_key(),
                    });
                }
                filled(by, "by")?;
                let has_note = note.as_deref().is_some_and(|n| !n.trim().is_empty());
                match status {
                    Outcome::Deviation if !has_note => Err(Refusal::DeviationNeedsNote {
                        item: item.id.clone(),
                    }),
                    Outcome::Done if !has_note && item.evidence.is_some() => {
                        Err(Refusal::EvidenceNeedsNote {
                            item: item.id.clone(),
                            evidence: item.evidence.clone().unwrap_or_default(),
                        })
                    }
                    _ => Ok(()),
                }
            }
            Change::ItemRetracted { item, by } => {
                self.item_in_review(checklist, period, item)?;
                if self.signature.is_some() {
                    return Err(signed());
                }
                filled(by, "by")?;
                if !self.sign_offs.contains_key(item) {
                    return Err(Refusal::NothingToRetract { item: item.clone() });
                }
                Ok(())
            }
            Change::ReviewSigned { by, role } => {
                if self.signature.is_some() {
                    return Err(signed());
                }
                filled(by, "by")?;
                filled(role, "role")?;
                let open = self.open_items(checklist, period);
                if !open.is_empty() {
                    return Err(Refusal::OpenItems {
                        items: open.iter().map(|i| i.id.clone()).collect(),
                    });
                }
                Ok(())
            }
            Change::ReviewReopened { by, reason } => {
                if self.signature.is_none() {
                    return Err(Refusal::NotSigned {
                        period: period_key(),
                    });
                }
                filled(by, "by")?;
                filled(reason, "reason")
            }
            Change::WalkthroughHeld(meeting) => {
                if self.signature.is_some() {
                    return Err(signed());
                }
                if meeting.date > today {
                    return Err(Refusal::FutureDate { date: meeting.date });
                }
                if period.timing(today) == Timing::Upcoming {
                    return Err(Refusal::PeriodNotBegun {
                        period: period_key(),
                    });
                }
                filled(&meeting.department, "department")?;
                filled(&meeting.leader, "leader")?;
                if meeting.attendees.iter().all(|a| a.trim().is_empty()) {
                    return Err(Refusal::Empty { what: "attendees" });
                }
                Ok(())
            }
            Change::ExportMade { .. } => Ok(()),
        }
    }

    /// Checks changes meant to be appended together, each against the review as the ones
    /// before it leave it.
    pub fn check_all(
        &self,
        checklist: &Checklist,
        period: Period,
        today: NaiveDate,
        changes: &[Change],
    ) -> Result<(), Refusal> {
        let mut review = self.clone();
        for change in changes {
            review.check(checklist, period, today, change)?;
            review.apply(&Event {
                seq: 0,
                at: DateTime::UNIX_EPOCH,
                org: checklist.organisation.id.clone(),
                period,
                change: change.clone(),
            });
        }
        Ok(())
    }

    fn item_in_review<'c>(
        &self,
        checklist: &'c Checklist,
        period: Period,
        id: &str,
    ) -> Result<&'c Item, Refusal> {
        let item = checklist.item(id).ok_or_else(|| Refusal::UnknownItem {
            item: id.to_string(),
            org: checklist.organisation.id.clone(),
        })?;
        if item.cadence != period.cadence() {
            return Err(Refusal::WrongCadence {
                item: id.to_string(),
                cadence: item.cadence.key().to_string(),
                period: period.key(),
            });
        }
        Ok(item)
    }
}

#[cfg(test)]
mod tests;
