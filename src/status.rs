//! The year overview: every organisation's reviews of one year with their state and counts,
//! the overdue ones of earlier years carried over, and the open follow-ups of deviations.
//! `aarshjul status` prints it; the dashboard draws it; `aarshjul calendar` exports its
//! deadlines.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate, SecondsFormat};
use serde::Serialize;

use crate::checklist::Checklist;
use crate::i18n::Lang;
use crate::period::{Cadence, Period, local_date};
use crate::request::{Register, Request, Standing};
use crate::review::{Counts, Event, FollowUp, Review, ReviewState, Signature};

/// One review in the overview.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub org: String,
    pub period: Period,
    pub state: ReviewState,
    pub counts: Counts,
    pub signature: Option<Signature>,
    /// Staff meetings recorded for this review (only yearly reviews hold them).
    pub meetings: usize,
    /// A review of an earlier year than the one shown, listed because it is still overdue.
    pub carried: bool,
}

impl Summary {
    /// The last day to sign the review: the period's last day.
    pub fn deadline(&self) -> NaiveDate {
        self.period.ends()
    }

    /// Whether the review still asks for work (not signed, not before adoption).
    pub fn is_due(&self) -> bool {
        !matches!(
            self.state,
            ReviewState::Signed | ReviewState::BeforeAdoption
        )
    }
}

/// Days from `today` to `deadline`: 0 on the day, negative once it has passed.
pub fn days_left(deadline: NaiveDate, today: NaiveDate) -> i64 {
    (deadline - today).num_days()
}

/// "om 3 dage", "i dag", "2 dage over fristen" / "in 3 days", "today", "2 days overdue".
pub fn due_words(deadline: NaiveDate, today: NaiveDate, lang: Lang) -> String {
    let n = days_left(deadline, today);
    match n {
        0 => lang.pick("i dag", "today").to_string(),
        1.. => format!(
            "{} {}",
            lang.pick("om", "in"),
            lang.count(n as usize, ("dag", "dage"), ("day", "days"))
        ),
        _ => format!(
            "{} {}",
            lang.count(n.unsigned_abs() as usize, ("dag", "dage"), ("day", "days")),
            lang.pick("over fristen", "overdue")
        ),
    }
}

/// The day the organisation began using aarshjul: `in_use_from` from its checklist; when
/// absent, the local date of the first event the database holds for it (or the first day
/// of an earlier review something was recorded in: that review was evidently in use); for
/// an organisation with nothing recorded, `today`. Reviews whose period ended before it are
/// not due.
pub fn in_use_from(list: &Checklist, events: &[Event], today: NaiveDate) -> NaiveDate {
    list.organisation.in_use_from.unwrap_or_else(|| {
        let mine = events.iter().filter(|e| e.org == list.organisation.id);
        let first = mine.clone().next().map(|e| local_date(e.at));
        let earliest_review = mine.map(|e| e.period.starts()).min();
        match (first, earliest_review) {
            (Some(f), Some(r)) => f.min(r),
            _ => today,
        }
    })
}

/// The reviews of `year` for every organisation and every cadence its checklist uses, in
/// checklist order: first the overdue reviews of earlier years (carried over, oldest first),
/// then the year's, longest cadence first, then calendar order. A review whose period ended
/// before the organisation's [`in_use_from`] is [`ReviewState::BeforeAdoption`] unless signed.
pub fn overview(
    checklists: &[Checklist],
    events: &[Event],
    year: i32,
    today: NaiveDate,
) -> Vec<Summary> {
    let mut by_review: HashMap<(&str, Period), Vec<&Event>> = HashMap::new();
    for e in events {
        by_review
            .entry((e.org.as_str(), e.period))
            .or_default()
            .push(e);
    }
    let mut out = Vec::new();
    for list in checklists {
        let start = in_use_from(list, events, today);
        let summary = |period: Period, carried: bool| {
            let review = by_review
                .get(&(list.organisation.id.as_str(), period))
                .map(|evs| Review::from_events(evs.iter().copied()))
                .unwrap_or_default();
            let mut state = review.state(list, period, today);
            if state != ReviewState::Signed && period.ends() < start {
                state = ReviewState::BeforeAdoption;
            }
            Summary {
                org: list.organisation.id.clone(),
                period,
                state,
                counts: review.counts(list, period),
                meetings: review.meetings.len(),
                signature: review.signature,
                carried,
            }
        };
        let cadences: Vec<Cadence> = Cadence::ALL
            .into_iter()
            .filter(|c| list.items_of(*c).next().is_some())
            .collect();
        // Earlier years, from the year of adoption: only what is still overdue.
        let mut carried: Vec<Summary> = (start.year()..year)
            .flat_map(|y| {
                cadences
                    .iter()
                    .flat_map(move |c| Period::all_in_year(*c, y))
            })
            .map(|p| summary(p, true))
            .filter(|s| s.state == ReviewState::Overdue)
            .collect();
        carried.sort_by_key(|s| (s.period.ends(), s.period.cadence()));
        out.extend(carried);
        for cadence in &cadences {
            for period in Period::all_in_year(*cadence, year) {
                out.push(summary(period, false));
            }
        }
    }
    out
}

/// Every organisation's register of data-subject requests, in checklist order.
pub fn registers(checklists: &[Checklist], events: &[Event]) -> Vec<Register> {
    checklists
        .iter()
        .map(|l| Register::from_events(&l.organisation.id, events))
        .collect()
}

/// The open requests of every organisation, each organisation's nearest deadline first:
/// what `status` and the dashboard list.
pub fn open_requests(registers: &[Register]) -> Vec<(&str, &Request)> {
    registers
        .iter()
        .flat_map(|r| r.open().into_iter().map(|q| (r.org.as_str(), q)))
        .collect()
}

/// `status --json`: the shape of SPEC §6, with the open data-subject requests beside the
/// reviews.
/// A follow-up of a deviation, with the review it was recorded in.
#[derive(Debug, Clone, PartialEq)]
pub struct Action {
    pub org: String,
    pub period: Period,
    pub follow_up: FollowUp,
}

/// Every follow-up (open and closed) of every organisation in the checklists, soonest due
/// first.
pub fn follow_ups(checklists: &[Checklist], events: &[Event]) -> Vec<Action> {
    let mut by_review: HashMap<(&str, Period), Vec<&Event>> = HashMap::new();
    for e in events.iter().filter(|e| {
        matches!(
            e.change,
            crate::review::Change::ActionOpened { .. } | crate::review::Change::ActionClosed { .. }
        )
    }) {
        by_review
            .entry((e.org.as_str(), e.period))
            .or_default()
            .push(e);
    }
    let mut out: Vec<Action> = by_review
        .into_iter()
        .filter(|((org, _), _)| checklists.iter().any(|l| l.organisation.id == *org))
        .flat_map(|((org, period), evs)| {
            Review::from_events(evs)
                .actions
                .into_values()
                .map(move |follow_up| Action {
                    org: org.to_string(),
                    period,
                    follow_up,
                })
        })
        .collect();
    out.sort_by(|a, b| {
        (a.follow_up.due, &a.org, a.period, &a.follow_up.item).cmp(&(
            b.follow_up.due,
            &b.org,
            b.period,
            &b.follow_up.item,
        ))
    });
    out
}

/// Every open follow-up of every organisation in the checklists, soonest due first.
pub fn open_actions(checklists: &[Checklist], events: &[Event]) -> Vec<Action> {
    let mut all = follow_ups(checklists, events);
    all.retain(|a| a.follow_up.is_open());
    all
}

/// `status --json`: the shape of SPEC §6, with fields added after it (never removed).
#[derive(Serialize)]
pub struct Json<'a> {
    pub date: String,
    pub reviews: Vec<JsonReview<'a>>,
    /// Open follow-ups of deviations, soonest due first.
    pub actions: Vec<JsonAction<'a>>,
    /// Open requests, by organisation, nearest deadline first (references only).
    pub requests: Vec<JsonRequest<'a>>,
}

#[derive(Serialize)]
pub struct JsonAction<'a> {
    pub org: &'a str,
    /// The review the deviation was recorded in.
    pub period: String,
    pub item: &'a str,
    pub action: &'a str,
    pub owner: &'a str,
    pub due: String,
    pub days_left: i64,
    pub overdue: bool,
}

/// One open data-subject request in `status --json`.
#[derive(Serialize)]
pub struct JsonRequest<'a> {
    pub org: &'a str,
    pub reference: &'a str,
    pub kind: &'static str,
    pub received: String,
    pub deadline: String,
    pub extended: bool,
    /// Days until the deadline; negative once it has passed.
    pub days_left: i64,
    pub overdue: bool,
}

impl<'a> JsonRequest<'a> {
    pub fn new(org: &'a str, r: &'a Request, date: NaiveDate) -> JsonRequest<'a> {
        JsonRequest {
            org,
            reference: &r.reference,
            kind: r.kind.key(),
            received: r.received.to_string(),
            deadline: r.deadline.to_string(),
            extended: r.extension.is_some(),
            days_left: days_left(r.deadline, date),
            overdue: matches!(r.standing(date), Standing::Overdue { .. }),
        }
    }
}

#[derive(Serialize)]
pub struct JsonReview<'a> {
    pub org: &'a str,
    pub cadence: &'static str,
    pub period: String,
    pub starts: String,
    pub ends: String,
    pub state: &'static str,
    pub items: usize,
    pub done: usize,
    pub not_applicable: usize,
    pub deviations: usize,
    pub open: usize,
    /// Yearly reviews only: how many staff-meeting walkthroughs were held.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub walkthroughs: Option<usize>,
    /// The last day to sign: the period's last day.
    pub deadline: String,
    /// Days from the date to the deadline; negative once it has passed.
    pub days_left: i64,
    /// A review of an earlier year, listed because it is still overdue.
    pub carried_over: bool,
    pub signed_by: Option<&'a str>,
    pub signed_role: Option<&'a str>,
    /// When it was signed, UTC, RFC 3339.
    pub signed_at: Option<String>,
}

impl<'a> Json<'a> {
    pub fn new(
        date: NaiveDate,
        summaries: &'a [Summary],
        actions: &'a [Action],
        requests: &[(&'a str, &'a Request)],
    ) -> Json<'a> {
        Json {
            date: date.to_string(),
            requests: requests
                .iter()
                .map(|(org, r)| JsonRequest::new(org, r, date))
                .collect(),
            reviews: summaries
                .iter()
                .map(|s| JsonReview {
                    org: &s.org,
                    cadence: s.period.cadence().key(),
                    period: s.period.key(),
                    starts: s.period.starts().to_string(),
                    ends: s.period.ends().to_string(),
                    state: s.state.key(),
                    items: s.counts.items,
                    done: s.counts.done,
                    not_applicable: s.counts.not_applicable,
                    deviations: s.counts.deviations,
                    open: s.counts.open,
                    walkthroughs: (s.period.cadence() == Cadence::Yearly).then_some(s.meetings),
                    deadline: s.deadline().to_string(),
                    days_left: days_left(s.deadline(), date),
                    carried_over: s.carried,
                    signed_by: s.signature.as_ref().map(|g| g.by.as_str()),
                    signed_role: s.signature.as_ref().map(|g| g.role.as_str()),
                    signed_at: s
                        .signature
                        .as_ref()
                        .map(|g| g.at.to_rfc3339_opts(SecondsFormat::Secs, true)),
                })
                .collect(),
            actions: actions
                .iter()
                .map(|a| JsonAction {
                    org: &a.org,
                    period: a.period.key(),
                    item: &a.follow_up.item,
                    action: &a.follow_up.action,
                    owner: &a.follow_up.owner,
                    due: a.follow_up.due.to_string(),
                    days_left: days_left(a.follow_up.due, date),
                    overdue: a.follow_up.is_overdue(date),
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn days_left_in_words_across_new_year_and_leap_day() {
        let eve = d(2026, 12, 31);
        assert_eq!(due_words(eve, d(2026, 12, 31), Lang::Da), "i dag");
        assert_eq!(due_words(eve, d(2026, 12, 30), Lang::Da), "om 1 dag");
        assert_eq!(
            due_words(eve, d(2027, 1, 1), Lang::Da),
            "1 dag over fristen"
        );
        assert_eq!(due_words(eve, d(2027, 1, 3), Lang::En), "3 days overdue");
        assert_eq!(due_words(eve, d(2026, 12, 21), Lang::En), "in 10 days");
        assert_eq!(due_words(eve, d(2026, 12, 31), Lang::En), "today");
        // 2028 is a leap year: 1 February to 29 February is 28 days.
        assert_eq!(days_left(d(2028, 2, 29), d(2028, 2, 1)), 28);
        assert_eq!(days_left(d(2028, 3, 1), d(2028, 2, 28)), 2);
        assert_eq!(days_left(d(2027, 3, 1), d(2027, 2, 28)), 1);
    }
}
