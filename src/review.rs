//! Reviews: one organisation × one cadence × one period. The store keeps only *events*; a
//! [`Review`] is derived from them, and [`Review::check`] holds the rules every change must
//! pass, for the terminal and the command line alike.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::checklist::{Checklist, Item, ItemText};
use crate::i18n::Lang;
use crate::period::{Cadence, Period, Timing};
use crate::request;
use crate::text;

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
    /// A data-subject request registered (see [`crate::request`]); stored under the yearly
    /// period of its receipt, it is no part of the review's state.
    RequestReceived(request::Received),
    /// A request's deadline extended, after the data subject was told.
    RequestExtended(request::Extended),
    /// A request answered, refused or withdrawn.
    RequestClosed(request::Closed),
    /// What will be done about a deviation, by whom, by when: the follow-up stays open until
    /// closed. Opening it again while it is open changes the plan.
    ActionOpened {
        item: String,
        action: String,
        owner: String,
        due: NaiveDate,
        by: String,
    },
    /// A deviation's follow-up done, with a note saying what was done.
    ActionClosed {
        item: String,
        note: String,
        by: String,
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
    /// Who made the change, where the change says.
    pub fn by(&self) -> Option<&str> {
        match self {
            Change::ItemSigned { by, .. }
            | Change::ItemRetracted { by, .. }
            | Change::ReviewSigned { by, .. }
            | Change::ReviewReopened { by, .. }
            | Change::ActionOpened { by, .. }
            | Change::ActionClosed { by, .. } => Some(by),
            Change::WalkthroughHeld(m) => Some(&m.leader),
            Change::ExportMade { .. } => None,
            Change::RequestReceived(r) => Some(&r.by),
            Change::RequestExtended(e) => Some(&e.by),
            Change::RequestClosed(c) => Some(&c.by),
        }
    }

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
            Change::RequestReceived(_) => "request-received",
            Change::RequestExtended(_) => "request-extended",
            Change::RequestClosed(_) => "request-closed",
            Change::ActionOpened { .. } => "action-opened",
            Change::ActionClosed { .. } => "action-closed",
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
            Change::RequestReceived(r) => format!(
                "{} »{}« ({}, {} {})",
                lang.pick("Anmodning registreret", "Request registered"),
                r.reference,
                r.kind.label(lang),
                lang.pick("modtaget", "received"),
                lang.date(r.received)
            ),
            Change::RequestExtended(e) => format!(
                "{} »{}« {} {}",
                lang.pick("Fristen for", "Deadline of"),
                e.reference,
                lang.pick("forlænget med", "extended by"),
                lang.count(e.months as usize, ("måned", "måneder"), ("month", "months"))
            ),
            Change::RequestClosed(c) => format!(
                "{} »{}«: {} {}",
                lang.pick("Anmodning", "Request"),
                c.reference,
                c.outcome.label(lang),
                lang.date(c.closed)
            ),
            Change::ActionOpened {
                item,
                action,
                owner,
                due,
                ..
            } => format!(
                "{} »{}«: {action} ({owner}, {} {})",
                lang.pick("Opfølgning", "Follow-up"),
                name(item),
                lang.pick("frist", "due"),
                due.format("%d.%m.%Y")
            ),
            Change::ActionClosed { item, note, .. } => format!(
                "{} »{}«: {note}",
                lang.pick("Opfølgning lukket", "Follow-up closed"),
                name(item)
            ),
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

/// The follow-up of one deviation: what will be done, by whom, by when, and how it ended.
#[derive(Debug, Clone, PartialEq)]
pub struct FollowUp {
    pub item: String,
    pub action: String,
    pub owner: String,
    pub due: NaiveDate,
    /// Who opened it, when.
    pub by: String,
    pub at: DateTime<Utc>,
    pub closed: Option<Closing>,
}

/// How a follow-up was closed.
#[derive(Debug, Clone, PartialEq)]
pub struct Closing {
    pub note: String,
    pub by: String,
    pub at: DateTime<Utc>,
}

impl FollowUp {
    pub fn is_open(&self) -> bool {
        self.closed.is_none()
    }

    /// Open and past its due date on `today`.
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.is_open() && today > self.due
    }
}

/// A review's state, derived from its events.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Review {
    pub sign_offs: BTreeMap<String, SignOff>,
    /// Follow-ups of deviations by item id (the latest for each item).
    pub actions: BTreeMap<String, FollowUp>,
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
    /// The period ended before the organisation began using aarshjul: not due.
    BeforeAdoption,
}

impl ReviewState {
    pub fn key(self) -> &'static str {
        match self {
            ReviewState::Upcoming => "upcoming",
            ReviewState::NotStarted => "not-started",
            ReviewState::InProgress => "in-progress",
            ReviewState::Signed => "signed",
            ReviewState::Overdue => "overdue",
            ReviewState::BeforeAdoption => "before-adoption",
        }
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            ReviewState::Upcoming => lang.pick("kommende", "upcoming"),
            ReviewState::NotStarted => lang.pick("ikke startet", "not started"),
            ReviewState::InProgress => lang.pick("i gang", "in progress"),
            ReviewState::Signed => lang.pick("underskrevet", "signed"),
            ReviewState::Overdue => lang.pick("overskredet", "overdue"),
            ReviewState::BeforeAdoption => lang.pick("før ibrugtagning", "before adoption"),
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
        cadence: Cadence,
        period: String,
    },
    DeviationNeedsNote {
        item: String,
    },
    /// Not applicable says why: an auditor reading it cannot see otherwise.
    NotApplicableNeedsNote {
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
    /// A data-subject request's rule ([`crate::request::Register::check`]).
    Request(request::Refusal),
    /// A follow-up is only for an item recorded as a deviation.
    NotADeviation {
        item: String,
    },
    NoOpenAction {
        item: String,
    },
    /// Signing on the command line while deviations have no follow-up (without
    /// `--no-action`).
    DeviationsWithoutAction {
        items: Vec<String>,
    },
    /// Typed or pasted text holds a control character (an escape sequence could steer the
    /// terminal of whoever reads it later, e.g. to fake who signed).
    ControlCharacter {
        what: &'static str,
        found: char,
    },
    /// The review changed elsewhere (another process) after the screen read it: `by` at
    /// `at` (local time, "14:02" today or "2026-11-21 14:02").
    ChangedElsewhere {
        by: String,
        at: String,
    },
}

/// The Danish and English word for a field, as refusals name it.
fn field_name(what: &str) -> (&'static str, &'static str) {
    match what {
        "by" => ("navn", "name"),
        "role" => ("rolle", "role"),
        "leader" => ("navn på mødelederen", "name of the meeting's leader"),
        "department" => ("sted eller afdeling", "place or department"),
        "attendees" => ("deltager (én pr. linje)", "attendee (one per line)"),
        "action" => ("tiltag (hvad der gøres)", "action (what will be done)"),
        "owner" => ("navn på den ansvarlige", "owner's name"),
        "note" => ("note", "note"),
        "due" => ("tidspunkt for fristen", "due date"),
        _ => ("begrundelse", "reason"),
    }
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
                    "Punktet »{i}« gennemgås {c} og hører ikke til perioden {p}.",
                    "Item `{i}` is reviewed {c} and does not belong to period {p}.",
                )
                .replace("{i}", item)
                .replace(
                    "{c}",
                    match cadence {
                        Cadence::Monthly => lang.pick("hver måned", "every month"),
                        Cadence::Quarterly => lang.pick("hvert kvartal", "every quarter"),
                        Cadence::HalfYearly => lang.pick("hvert halve år", "every half year"),
                        Cadence::Yearly => lang.pick("hvert år", "every year"),
                    },
                )
                .replace("{p}", period),
            Refusal::DeviationNeedsNote { item } => lang
                .pick(
                    "En afvigelse kræver en note om, hvad der er galt, og hvad der gøres (punkt »{i}«).",
                    "A deviation needs a note saying what is wrong and what is done about it (item `{i}`).",
                )
                .replace("{i}", item),
            Refusal::NotApplicableNeedsNote { item } => lang
                .pick(
                    "»Ikke relevant« kræver en note om hvorfor, så en revisor kan se begrundelsen (punkt »{i}«).",
                    "Not applicable needs a note saying why, so an auditor can see the reason (item `{i}`).",
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
            Refusal::Request(r) => r.message(lang),
            Refusal::NotADeviation { item } => lang
                .pick(
                    "Punktet »{i}« er ikke registreret som afvigelse; en opfølgning hører til en afvigelse.",
                    "Item `{i}` is not recorded as a deviation; a follow-up belongs to a deviation.",
                )
                .replace("{i}", item),
            Refusal::NoOpenAction { item } => lang
                .pick(
                    "Punktet »{i}« har ingen åben opfølgning at lukke.",
                    "Item `{i}` has no open follow-up to close.",
                )
                .replace("{i}", item),
            Refusal::DeviationsWithoutAction { items } => lang
                .pick(
                    "Afvigelser uden opfølgning: {l}. Angiv, hvad der gøres (aarshjul action open), eller underskriv med --no-action, hvis intet skal følges op.",
                    "Deviations without follow-up: {l}. Say what will be done (aarshjul action open), or sign with --no-action if nothing needs following up.",
                )
                .replace("{l}", &items.join(", ")),
            Refusal::ControlCharacter { what, found } => {
                let (da, en) = field_name(what);
                lang.pick(
                    "Feltet »{f}« indeholder et styretegn (U+{c}), som ikke kan gemmes; skriv teksten igen uden det (indsat tekst kan bære usynlige tegn med sig).",
                    "The {f} contains a control character (U+{c}), which cannot be stored; type the text again without it (pasted text can carry invisible characters).",
                )
                .replace("{f}", lang.pick(da, en))
                .replace("{c}", &format!("{:04X}", *found as u32))
            }
            Refusal::ChangedElsewhere { by, at } => lang
                .pick(
                    "Gennemgangen er ændret af {b} kl. {t}, efter skærmen viste den; intet er gemt — se igen.",
                    "The review was changed by {b} at {t}, after the screen showed it; nothing was saved — look again.",
                )
                .replace("{b}", by)
                .replace("{t}", at),
            Refusal::Empty { what } => {
                let (da, en) = field_name(what);
                format!(
                    "{} {}.",
                    lang.pick("Angiv et", "Give a"),
                    lang.pick(da, en)
                )
            }
        }
    }
}

impl Refusal {
    /// [`Refusal::message`] naming items by their title in `checklist` (by id when it has no
    /// such item): for the screen, where the user never sees ids.
    pub fn message_in(&self, lang: Lang, checklist: &Checklist) -> String {
        let title = |id: &String| {
            checklist
                .item(id)
                .map_or_else(|| id.clone(), |i| i.title.clone())
        };
        let mut named = self.clone();
        match &mut named {
            Refusal::WrongCadence { item, .. }
            | Refusal::DeviationNeedsNote { item }
            | Refusal::NotApplicableNeedsNote { item }
            | Refusal::EvidenceNeedsNote { item, .. }
            | Refusal::NothingToRetract { item } => *item = title(item),
            Refusal::OpenItems { items } => {
                for i in items.iter_mut() {
                    *i = format!("»{}«", title(i));
                }
            }
            _ => {}
        }
        named.message(lang)
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(Lang::En))
    }
}

impl std::error::Error for Refusal {}

/// A one-line field: something visible, and no control characters.
fn filled(s: &str, what: &'static str) -> Result<(), Refusal> {
    plain(s, what, false)?;
    if text::is_blank(s) {
        Err(Refusal::Empty { what })
    } else {
        Ok(())
    }
}

/// No control characters; `multi_line` lets line feeds through (notes, reasons).
fn plain(s: &str, what: &'static str, multi_line: bool) -> Result<(), Refusal> {
    match text::control_char(s, multi_line) {
        Some(found) => Err(Refusal::ControlCharacter { what, found }),
        None => Ok(()),
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
        // Requests share the yearly period key but belong to the register
        // ([`crate::request::Register`]): they change neither the review's state nor its
        // history.
        if request::is_request(&event.change) {
            return;
        }
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
            Change::RequestReceived(_) | Change::RequestExtended(_) | Change::RequestClosed(_) => {}
            Change::ActionOpened {
                item,
                action,
                owner,
                due,
                by,
            } => {
                self.actions.insert(
                    item.clone(),
                    FollowUp {
                        item: item.clone(),
                        action: action.clone(),
                        owner: owner.clone(),
                        due: *due,
                        by: by.clone(),
                        at: event.at,
                        closed: None,
                    },
                );
            }
            Change::ActionClosed { item, note, by } => {
                if let Some(f) = self.actions.get_mut(item) {
                    f.closed = Some(Closing {
                        note: note.clone(),
                        by: by.clone(),
                        at: event.at,
                    });
                }
            }
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

    /// Items recorded as deviations that have no follow-up (open or closed), in checklist
    /// order: signing asks about them.
    pub fn deviations_without_action<'c>(
        &self,
        checklist: &'c Checklist,
        period: Period,
    ) -> Vec<&'c Item> {
        checklist
            .items_of(period.cadence())
            .filter(|i| {
                self.sign_offs
                    .get(&i.id)
                    .is_some_and(|s| s.status == Outcome::Deviation)
                    && !self.actions.contains_key(&i.id)
            })
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
                if let Some(note) = note {
                    plain(note, "note", true)?;
                }
                let has_note = note.as_deref().is_some_and(|n| !text::is_blank(n));
                match status {
                    Outcome::Deviation if !has_note => Err(Refusal::DeviationNeedsNote {
                        item: item.id.clone(),
                    }),
                    Outcome::NotApplicable if !has_note => Err(Refusal::NotApplicableNeedsNote {
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
                plain(reason, "reason", true)?;
                filled(reason.replace('\n', " ").as_str(), "reason")
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
                for attendee in &meeting.attendees {
                    plain(attendee, "attendees", false)?;
                }
                if meeting.attendees.iter().all(|a| text::is_blank(a)) {
                    return Err(Refusal::Empty { what: "attendees" });
                }
                Ok(())
            }
            Change::ExportMade { .. } => Ok(()),
            // The register's own rules ([`crate::request::Register::check`]) apply; a signed
            // review does not stop a request, which the law dates from its receipt.
            Change::RequestReceived(_) | Change::RequestExtended(_) | Change::RequestClosed(_) => {
                Ok(())
            }
            Change::ActionOpened {
                item,
                action,
                owner,
                by,
                ..
            } => {
                self.item_in_review(checklist, period, item)?;
                if self.signature.is_some() {
                    return Err(signed());
                }
                if self.sign_offs.get(item).map(|s| s.status) != Some(Outcome::Deviation) {
                    return Err(Refusal::NotADeviation { item: item.clone() });
                }
                filled(action, "action")?;
                filled(owner, "owner")?;
                filled(by, "by")
            }
            Change::ActionClosed { item, note, by } => {
                if !self.actions.get(item).is_some_and(FollowUp::is_open) {
                    return Err(Refusal::NoOpenAction { item: item.clone() });
                }
                plain(note, "note", true)?;
                filled(note.replace('\n', " ").as_str(), "note")?;
                filled(by, "by")
            }
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
                cadence: item.cadence,
                period: period.key(),
            });
        }
        Ok(item)
    }
}

#[cfg(test)]
mod tests;
