//! The year overview: every organisation's reviews of one year with their state and counts.
//! `aarshjul status` prints it; the dashboard draws it.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::Serialize;

use crate::checklist::Checklist;
use crate::period::{Cadence, Period};
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

/// `status --json`: exactly the shape of SPEC §6.
#[derive(Serialize)]
pub struct Json<'a> {
    pub date: String,
    pub reviews: Vec<JsonReview<'a>>,
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
    pub fn new(date: NaiveDate, summaries: &'a [Summary]) -> Json<'a> {
        Json {
            date: date.to_string(),
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
