//! The register of data-subject requests (access, rectification, erasure, …, consent
//! withdrawal): duties that are not periodic but start the day a request arrives.
//!
//! Pure: no I/O, no clock. The store keeps a request's events (received, extended, closed)
//! in the same hash chain as the reviews, under the organisation and the *yearly* period of
//! the day the request was received, so a request's events stay together and the yearly
//! review of that year carries them. [`Register`] derives each request's state and deadline
//! from those events, and [`Register::check`] holds the rules every change must pass, for the
//! terminal and the command line alike.
//!
//! The register holds **no personal data**: a request is known by the organisation's own case
//! reference ("sag 2026-014"), never by the data subject's name or CPR number. Free texts that
//! look like a CPR number are refused ([`looks_like_cpr`]).
//!
//! Deadlines (GDPR art. 12(3)): one month from receipt, or the organisation's own shorter
//! limit in days (`request_deadline_days` in the checklist); extended by up to two further
//! months when the data subject is told within the first deadline. A month from 31 January
//! is the last day of February ([`add_months`]).

use std::collections::BTreeMap;
use std::fmt;

use chrono::{Datelike, Days, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::i18n::Lang;
use crate::review::{Change, Event};

/// The sentence every view of the register carries, on screen and on the command line.
pub fn no_personal_data(lang: Lang) -> &'static str {
    lang.pick(
        "Registret gemmer ingen personoplysninger, kun egne sagsreferencer.",
        "The register stores no personal data, only case references.",
    )
}

/// What the data subject asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    Access,
    Rectification,
    Erasure,
    Restriction,
    Objection,
    Portability,
    ConsentWithdrawal,
}

impl Kind {
    pub const ALL: [Kind; 7] = [
        Kind::Access,
        Kind::Rectification,
        Kind::Erasure,
        Kind::Restriction,
        Kind::Objection,
        Kind::Portability,
        Kind::ConsentWithdrawal,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Kind::Access => "access",
            Kind::Rectification => "rectification",
            Kind::Erasure => "erasure",
            Kind::Restriction => "restriction",
            Kind::Objection => "objection",
            Kind::Portability => "portability",
            Kind::ConsentWithdrawal => "consent-withdrawal",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.key() == s)
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Kind::Access => lang.pick("indsigt", "access"),
            Kind::Rectification => lang.pick("berigtigelse", "rectification"),
            Kind::Erasure => lang.pick("sletning", "erasure"),
            Kind::Restriction => lang.pick("begrænsning", "restriction"),
            Kind::Objection => lang.pick("indsigelse", "objection"),
            Kind::Portability => lang.pick("dataportabilitet", "portability"),
            Kind::ConsentWithdrawal => lang.pick("tilbagekaldt samtykke", "consent withdrawal"),
        }
    }
}

/// How a request ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Resolution {
    /// Answered or carried out.
    Answered,
    /// Refused; the note says why.
    Refused,
    /// Withdrawn by the data subject.
    Withdrawn,
}

impl Resolution {
    pub const ALL: [Resolution; 3] = [
        Resolution::Answered,
        Resolution::Refused,
        Resolution::Withdrawn,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Resolution::Answered => "answered",
            Resolution::Refused => "refused",
            Resolution::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(s: &str) -> Option<Resolution> {
        Resolution::ALL.into_iter().find(|r| r.key() == s)
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Resolution::Answered => lang.pick("besvaret", "answered"),
            Resolution::Refused => lang.pick("afvist", "refused"),
            Resolution::Withdrawn => lang.pick("trukket tilbage", "withdrawn"),
        }
    }
}

/// A request registered: the event that opens it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Received {
    /// The organisation's own case reference, never a name or CPR number.
    pub reference: String,
    pub kind: Kind,
    /// The local date the request reached the organisation: the deadline runs from it.
    pub received: NaiveDate,
    /// The first deadline, computed when the request was registered
    /// ([`Limit::first_deadline`]) and kept, so a later change of the organisation's limit
    /// does not move the deadlines of requests already received.
    pub deadline: NaiveDate,
    /// Who registered it.
    pub by: String,
}

/// The deadline extended, after the data subject was told why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Extended {
    pub reference: String,
    /// Further months beyond the first month: 1 or 2.
    pub months: u32,
    /// Why more time is needed (what the data subject was told).
    pub reason: String,
    /// The local date the data subject was told; must lie within the first deadline.
    pub told: NaiveDate,
    pub by: String,
}

/// The request answered, refused or withdrawn.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Closed {
    pub reference: String,
    pub outcome: Resolution,
    /// The local date of the answer (or of the withdrawal).
    pub closed: NaiveDate,
    /// What was answered or why it was refused; no personal data.
    pub note: Option<String>,
    pub by: String,
}

/// The organisation's own rule, from its checklist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Limit {
    /// A shorter first deadline in days (Fordelingssekretariatet: 28, its "4 uger").
    pub days: Option<u32>,
}

/// `date` plus `months` calendar months; a day the target month does not have becomes its
/// last day (31 January + 1 month = 28 or 29 February), as in EU Regulation 1182/71 art. 3.
pub fn add_months(date: NaiveDate, months: u32) -> NaiveDate {
    let total = date.year() * 12 + date.month0() as i32 + months as i32;
    let (year, month0) = (total.div_euclid(12), total.rem_euclid(12) as u32);
    let first = NaiveDate::from_ymd_opt(year, month0 + 1, 1).unwrap_or(date);
    let last = add_months_first(first).pred_opt().unwrap_or(first).day();
    first.with_day(date.day().min(last)).unwrap_or(first)
}

fn add_months_first(first: NaiveDate) -> NaiveDate {
    let (y, m) = if first.month() == 12 {
        (first.year() + 1, 1)
    } else {
        (first.year(), first.month() + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(first)
}

impl Limit {
    /// The limit an organisation's checklist sets.
    pub fn of(organisation: &crate::checklist::Organisation) -> Limit {
        Limit {
            days: organisation.request_deadline_days,
        }
    }

    /// The first deadline: one month after receipt, or the organisation's limit when shorter.
    pub fn first_deadline(self, received: NaiveDate) -> NaiveDate {
        let month = add_months(received, 1);
        match self.days {
            Some(d) => (received + Days::new(d.into())).min(month),
            None => month,
        }
    }

    /// The deadline after an extension by `months` further months (at most two), counted
    /// from the first month after receipt.
    pub fn extended_deadline(received: NaiveDate, months: u32) -> NaiveDate {
        add_months(received, 1 + months.min(2))
    }
}

/// Whether `text` holds something that looks like a Danish CPR number: `DDMMYY-XXXX`
/// (also with a space) or ten digits in a row, whose first six digits are a real date.
pub fn looks_like_cpr(text: &str) -> bool {
    let chars: Vec<char> = text.chars().collect();
    let digit = |i: usize| chars.get(i).is_some_and(|c| c.is_ascii_digit());
    for start in 0..chars.len() {
        if !digit(start) || (start > 0 && digit(start - 1)) {
            continue;
        }
        if !(start..start + 6).all(digit) {
            continue;
        }
        let rest = match chars.get(start + 6) {
            Some('-') | Some(' ') => start + 7,
            _ => start + 6,
        };
        if (rest..rest + 4).all(digit) && !digit(rest + 4) && cpr_date(&chars[start..start + 6]) {
            return true;
        }
    }
    false
}

fn cpr_date(d: &[char]) -> bool {
    let n = |i: usize| d[i].to_digit(10).unwrap_or(0) * 10 + d[i + 1].to_digit(10).unwrap_or(0);
    let (day, month, yy) = (n(0), n(2), n(4) as i32);
    [1900, 2000]
        .iter()
        .any(|c| NaiveDate::from_ymd_opt(c + yy, month, day).is_some())
}

/// One request as its events say.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub reference: String,
    pub kind: Kind,
    pub received: NaiveDate,
    pub by: String,
    pub extension: Option<Extended>,
    pub closing: Option<Closed>,
    /// The deadline in force: the first one, or the extended one.
    pub deadline: NaiveDate,
    /// The first deadline, within which an extension must be told.
    pub first_deadline: NaiveDate,
}

/// Where a request stands on a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// Open, with days left until the deadline (0 on the day itself).
    Open { days_left: i64 },
    /// Open past its deadline by this many days.
    Overdue { days_over: i64 },
    /// Closed on or before the deadline.
    OnTime,
    /// Closed after the deadline.
    Late,
}

impl Request {
    pub fn is_open(&self) -> bool {
        self.closing.is_none()
    }

    pub fn standing(&self, today: NaiveDate) -> Standing {
        match &self.closing {
            Some(c) if c.closed <= self.deadline => Standing::OnTime,
            Some(_) => Standing::Late,
            None => {
                let left = (self.deadline - today).num_days();
                if left < 0 {
                    Standing::Overdue { days_over: -left }
                } else {
                    Standing::Open { days_left: left }
                }
            }
        }
    }

    /// "12 dage tilbage", "i dag", "3 dage over fristen", "besvaret 3. marts 2026".
    pub fn standing_words(&self, today: NaiveDate, lang: Lang) -> String {
        match self.standing(today) {
            Standing::Open { days_left: 0 } => lang.pick("frist i dag", "due today").into(),
            Standing::Open { days_left } => format!(
                "{} {}",
                lang.count(days_left as usize, ("dag", "dage"), ("day", "days")),
                lang.pick("tilbage", "left")
            ),
            Standing::Overdue { days_over } => format!(
                "{} {}",
                lang.count(days_over as usize, ("dag", "dage"), ("day", "days")),
                lang.pick("over fristen", "overdue")
            ),
            Standing::OnTime | Standing::Late => {
                let c = self.closing.as_ref().expect("closed");
                let late = if self.standing(today) == Standing::Late {
                    lang.pick(" (for sent)", " (late)")
                } else {
                    ""
                };
                format!("{} {}{late}", c.outcome.label(lang), lang.date(c.closed))
            }
        }
    }
}

/// A request's deadline, for the calendar of reminders: what [`Register::open_deadlines`]
/// gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deadline {
    pub org: String,
    pub reference: String,
    pub kind: Kind,
    pub deadline: NaiveDate,
}

/// A year's requests in numbers, for the yearly review's look-back items.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct YearSummary {
    /// Received in the year.
    pub received: usize,
    /// Closed on or before the deadline.
    pub on_time: usize,
    /// Closed after the deadline.
    pub late: usize,
    /// Still open.
    pub open: usize,
    /// Of the open ones, past their deadline.
    pub overdue: usize,
}

impl YearSummary {
    /// "3 modtaget · 2 besvaret inden fristen · 0 for sent · 1 åben".
    pub fn words(&self, lang: Lang) -> String {
        let mut s = format!(
            "{} {} · {} {} · {} {} · {} {}",
            self.received,
            lang.pick("modtaget", "received"),
            self.on_time,
            lang.pick("besvaret inden fristen", "answered within the deadline"),
            self.late,
            lang.pick("for sent", "late"),
            self.open,
            lang.pick(if self.open == 1 { "åben" } else { "åbne" }, "open"),
        );
        if self.overdue > 0 {
            s += &format!(
                " ({} {})",
                lang.pick("heraf over fristen:", "overdue:"),
                self.overdue
            );
        }
        s
    }
}

/// One organisation's requests, derived from its events.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Register {
    pub org: String,
    /// By reference.
    requests: BTreeMap<String, Request>,
}

/// Why a request change was refused. Each says what the user can do instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The text looks like a CPR number.
    Cpr {
        what: &'static str,
    },
    Empty {
        what: &'static str,
    },
    Duplicate {
        reference: String,
    },
    Unknown {
        reference: String,
    },
    AlreadyClosed {
        reference: String,
    },
    AlreadyExtended {
        reference: String,
    },
    FutureDate {
        date: NaiveDate,
    },
    BeforeReceived {
        date: NaiveDate,
        received: NaiveDate,
    },
    ExtensionTooLate {
        told: NaiveDate,
        first: NaiveDate,
    },
    Months {
        months: u32,
    },
    RefusalNeedsNote,
    /// Typed or pasted text holds a control character, which could steer the terminal of
    /// whoever reads the register later.
    ControlCharacter {
        what: &'static str,
        found: char,
    },
}

impl Refusal {
    /// One sentence in the user's language.
    pub fn message(&self, lang: Lang) -> String {
        let what = |w: &str| match w {
            "reference" => lang.pick("sagsreferencen", "the case reference"),
            "reason" => lang.pick("begrundelsen", "the reason"),
            "note" => lang.pick("noten", "the note"),
            _ => lang.pick("navnet", "the name"),
        };
        match self {
            Refusal::Cpr { what: w } => lang
                .pick(
                    "{w} ligner et CPR-nummer. Registret gemmer ingen personoplysninger: brug organisationens egen sagsreference (fx »sag 2026-014«).",
                    "{w} looks like a CPR number. The register stores no personal data: use the organisation's own case reference (e.g. \"sag 2026-014\").",
                )
                .replace("{w}", &capital(what(w))),
            Refusal::Empty { what: w } => {
                format!("{} {}.", lang.pick("Angiv", "Give"), what(w))
            }
            Refusal::Duplicate { reference } => lang
                .pick(
                    "Sagsreferencen »{r}« er allerede registreret; hver anmodning har sin egen.",
                    "The case reference \"{r}\" is already registered; each request has its own.",
                )
                .replace("{r}", reference),
            Refusal::Unknown { reference } => lang
                .pick(
                    "Der er ingen anmodning med sagsreferencen »{r}« (se aarshjul request list).",
                    "There is no request with the case reference \"{r}\" (see aarshjul request list).",
                )
                .replace("{r}", reference),
            Refusal::AlreadyClosed { reference } => lang
                .pick(
                    "Anmodningen »{r}« er allerede afsluttet.",
                    "Request \"{r}\" is already closed.",
                )
                .replace("{r}", reference),
            Refusal::AlreadyExtended { reference } => lang
                .pick(
                    "Fristen for »{r}« er allerede forlænget; den kan højst forlænges med to måneder i alt.",
                    "The deadline of \"{r}\" is already extended; it can be extended by two months at most.",
                )
                .replace("{r}", reference),
            Refusal::FutureDate { date } => lang
                .pick(
                    "Datoen {d} ligger i fremtiden.",
                    "The date {d} lies in the future.",
                )
                .replace("{d}", &date.to_string()),
            Refusal::BeforeReceived { date, received } => lang
                .pick(
                    "Datoen {d} ligger før anmodningen blev modtaget ({r}).",
                    "The date {d} lies before the request was received ({r}).",
                )
                .replace("{d}", &date.to_string())
                .replace("{r}", &received.to_string()),
            Refusal::ExtensionTooLate { told, first } => lang
                .pick(
                    "En forlængelse skal meddeles den registrerede inden den første frist ({f}); {t} er for sent.",
                    "An extension must be told to the data subject within the first deadline ({f}); {t} is too late.",
                )
                .replace("{f}", &first.to_string())
                .replace("{t}", &told.to_string()),
            Refusal::Months { months } => lang
                .pick(
                    "Fristen kan forlænges med 1 eller 2 måneder, ikke {m}.",
                    "The deadline can be extended by 1 or 2 months, not {m}.",
                )
                .replace("{m}", &months.to_string()),
            Refusal::RefusalNeedsNote => lang
                .pick(
                    "Et afslag kræver en note om hvorfor (uden personoplysninger).",
                    "A refusal needs a note saying why (without personal data).",
                )
                .into(),
            Refusal::ControlCharacter { what: w, found } => lang
                .pick(
                    "{w} indeholder et styretegn (U+{c}), som ikke kan gemmes; skriv teksten igen uden det (indsat tekst kan bære usynlige tegn med sig).",
                    "{w} contains a control character (U+{c}), which cannot be stored; type the text again without it (pasted text can carry invisible characters).",
                )
                .replace("{w}", &capital(what(w)))
                .replace("{c}", &format!("{:04X}", *found as u32)),
        }
    }
}

fn capital(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(Lang::En))
    }
}

impl std::error::Error for Refusal {}

/// A one-line field: no control characters, something visible, no CPR number.
fn filled(s: &str, what: &'static str) -> Result<(), Refusal> {
    filled_text(s, what, false)
}

/// Like [`filled`]; `multi_line` lets line feeds through (the closing note).
fn filled_text(s: &str, what: &'static str, multi_line: bool) -> Result<(), Refusal> {
    if let Some(found) = crate::text::control_char(s, multi_line) {
        return Err(Refusal::ControlCharacter { what, found });
    }
    if crate::text::is_blank(s) {
        return Err(Refusal::Empty { what });
    }
    if looks_like_cpr(s) {
        return Err(Refusal::Cpr { what });
    }
    Ok(())
}

/// The period a request's events are stored under: the year it was received.
pub fn period_of(received: NaiveDate) -> crate::period::Period {
    crate::period::Period::containing(crate::period::Cadence::Yearly, received)
}

/// The reference a request change is about, if it is one.
pub fn reference_of(change: &Change) -> Option<&str> {
    match change {
        Change::RequestReceived(r) => Some(&r.reference),
        Change::RequestExtended(e) => Some(&e.reference),
        Change::RequestClosed(c) => Some(&c.reference),
        _ => None,
    }
}

/// Whether an event belongs to the register rather than to a review.
pub fn is_request(change: &Change) -> bool {
    reference_of(change).is_some()
}

impl Register {
    /// Replays the request events of `org` among `events` (any others are skipped).
    pub fn from_events<'a>(org: &str, events: impl IntoIterator<Item = &'a Event>) -> Register {
        let mut register = Register {
            org: org.to_string(),
            requests: BTreeMap::new(),
        };
        for e in events.into_iter().filter(|e| e.org == org) {
            register.apply(&e.change);
        }
        register
    }

    fn apply(&mut self, change: &Change) {
        match change {
            Change::RequestReceived(r) => {
                let first = r.deadline;
                self.requests.insert(
                    r.reference.clone(),
                    Request {
                        reference: r.reference.clone(),
                        kind: r.kind,
                        received: r.received,
                        by: r.by.clone(),
                        extension: None,
                        closing: None,
                        deadline: first,
                        first_deadline: first,
                    },
                );
            }
            Change::RequestExtended(e) => {
                if let Some(r) = self.requests.get_mut(&e.reference) {
                    r.deadline = Limit::extended_deadline(r.received, e.months);
                    r.extension = Some(e.clone());
                }
            }
            Change::RequestClosed(c) => {
                if let Some(r) = self.requests.get_mut(&c.reference) {
                    r.closing = Some(c.clone());
                }
            }
            _ => {}
        }
    }

    pub fn get(&self, reference: &str) -> Option<&Request> {
        self.requests.get(reference)
    }

    /// Every request, oldest receipt first (then by reference).
    pub fn all(&self) -> Vec<&Request> {
        let mut all: Vec<&Request> = self.requests.values().collect();
        all.sort_by(|a, b| (a.received, &a.reference).cmp(&(b.received, &b.reference)));
        all
    }

    /// The open requests, nearest deadline first.
    pub fn open(&self) -> Vec<&Request> {
        let mut open: Vec<&Request> = self.requests.values().filter(|r| r.is_open()).collect();
        open.sort_by(|a, b| (a.deadline, &a.reference).cmp(&(b.deadline, &b.reference)));
        open
    }

    /// The requests received in `year`, oldest first: the yearly record's table.
    pub fn of_year(&self, year: i32) -> Vec<&Request> {
        self.all()
            .into_iter()
            .filter(|r| r.received.year() == year)
            .collect()
    }

    /// The open requests' deadlines, nearest first: for the calendar of reminders.
    pub fn open_deadlines(&self) -> Vec<Deadline> {
        self.open()
            .into_iter()
            .map(|r| Deadline {
                org: self.org.clone(),
                reference: r.reference.clone(),
                kind: r.kind,
                deadline: r.deadline,
            })
            .collect()
    }

    /// Whether any open request is past its deadline on `today`.
    pub fn any_overdue(&self, today: NaiveDate) -> bool {
        self.open()
            .iter()
            .any(|r| matches!(r.standing(today), Standing::Overdue { .. }))
    }

    /// The requests received in `year`, counted as of `today` (`None`: open requests are
    /// not counted as overdue, for a record that must read the same on any day).
    pub fn summary(&self, year: i32, today: Option<NaiveDate>) -> YearSummary {
        let mut s = YearSummary::default();
        for r in self.of_year(year) {
            s.received += 1;
            match r.standing(today.unwrap_or(NaiveDate::MIN)) {
                Standing::OnTime => s.on_time += 1,
                Standing::Late => s.late += 1,
                Standing::Open { .. } => s.open += 1,
                Standing::Overdue { .. } => {
                    s.open += 1;
                    s.overdue += 1;
                }
            }
        }
        s
    }

    /// The rules every request change must pass. `today` is the local date.
    pub fn check(&self, today: NaiveDate, change: &Change) -> Result<(), Refusal> {
        let not_future = |d: NaiveDate| {
            if d > today {
                Err(Refusal::FutureDate { date: d })
            } else {
                Ok(())
            }
        };
        let open = |reference: &str| -> Result<&Request, Refusal> {
            let r = self
                .requests
                .get(reference)
                .ok_or_else(|| Refusal::Unknown {
                    reference: reference.to_string(),
                })?;
            if r.closing.is_some() {
                return Err(Refusal::AlreadyClosed {
                    reference: reference.to_string(),
                });
            }
            Ok(r)
        };
        match change {
            Change::RequestReceived(r) => {
                filled(&r.reference, "reference")?;
                filled(&r.by, "by")?;
                if r.deadline < r.received {
                    return Err(Refusal::BeforeReceived {
                        date: r.deadline,
                        received: r.received,
                    });
                }
                if self.requests.contains_key(&r.reference) {
                    return Err(Refusal::Duplicate {
                        reference: r.reference.clone(),
                    });
                }
                not_future(r.received)
            }
            Change::RequestExtended(e) => {
                let r = open(&e.reference)?;
                if r.extension.is_some() {
                    return Err(Refusal::AlreadyExtended {
                        reference: e.reference.clone(),
                    });
                }
                if !(1..=2).contains(&e.months) {
                    return Err(Refusal::Months { months: e.months });
                }
                filled(&e.reason, "reason")?;
                filled(&e.by, "by")?;
                not_future(e.told)?;
                if e.told < r.received {
                    return Err(Refusal::BeforeReceived {
                        date: e.told,
                        received: r.received,
                    });
                }
                if e.told > r.first_deadline {
                    return Err(Refusal::ExtensionTooLate {
                        told: e.told,
                        first: r.first_deadline,
                    });
                }
                Ok(())
            }
            Change::RequestClosed(c) => {
                let r = open(&c.reference)?;
                filled(&c.by, "by")?;
                // A note is optional, but one given (even only a stray control character)
                // must pass the checks.
                let given = |n: &&str| {
                    !crate::text::is_blank(n) || crate::text::control_char(n, true).is_some()
                };
                match c.note.as_deref().filter(given) {
                    Some(n) => filled_text(n, "note", true)?,
                    _ if c.outcome == Resolution::Refused => {
                        return Err(Refusal::RefusalNeedsNote);
                    }
                    _ => {}
                }
                not_future(c.closed)?;
                if c.closed < r.received {
                    return Err(Refusal::BeforeReceived {
                        date: c.closed,
                        received: r.received,
                    });
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }
}

/// The open requests' deadlines of every organisation, nearest first: a pure function for
/// the calendar of reminders (`aarshjul calendar`) to add beside the reviews' deadlines.
pub fn open_deadlines(registers: &[Register]) -> Vec<Deadline> {
    let mut all: Vec<Deadline> = registers
        .iter()
        .flat_map(Register::open_deadlines)
        .collect();
    all.sort_by(|a, b| (a.deadline, &a.org, &a.reference).cmp(&(b.deadline, &b.org, &b.reference)));
    all
}

impl From<Refusal> for crate::review::Refusal {
    fn from(r: Refusal) -> Self {
        crate::review::Refusal::Request(r)
    }
}

#[cfg(test)]
mod tests;
