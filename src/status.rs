//! The year overview: every organisation's reviews of one year with their state and counts.
//! `aarshjul status` prints it; the dashboard draws it.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::Serialize;

use crate::checklist::Checklist;
use crate::period::{Cadence, Period};
use crate::request::{Register, Request, Standing};
use crate::review::{Counts, Event, Review, ReviewState, Signature};

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
}

/// The reviews of `year` for every organisation and every cadence its checklist uses, in
/// checklist order, then longest cadence first, then calendar order.
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
        for cadence in Cadence::ALL {
            if list.items_of(cadence).next().is_none() {
                continue;
            }
            for period in Period::all_in_year(cadence, year) {
                let review = by_review
                    .get(&(list.organisation.id.as_str(), period))
                    .map(|evs| Review::from_events(evs.iter().copied()))
                    .unwrap_or_default();
                out.push(Summary {
                    org: list.organisation.id.clone(),
                    period,
                    state: review.state(list, period, today),
                    counts: review.counts(list, period),
                    meetings: review.meetings.len(),
                    signature: review.signature,
                });
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
#[derive(Serialize)]
pub struct Json<'a> {
    pub date: String,
    pub reviews: Vec<JsonReview<'a>>,
    /// Open requests, by organisation, nearest deadline first (references only).
    pub requests: Vec<JsonRequest<'a>>,
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
            days_left: (r.deadline - date).num_days(),
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
}

impl<'a> Json<'a> {
    pub fn new(
        date: NaiveDate,
        summaries: &'a [Summary],
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
                })
                .collect(),
        }
    }
}
