//! Recording a staff meeting: the use case behind the screen's walkthrough (and any future
//! command). One meeting becomes a `WalkthroughHeld` event and, when the checklist has a
//! walkthrough item, that item signed with a note listing the year's meetings — checked
//! against the review's rules together, and appended in one transaction or not at all.

use chrono::{DateTime, NaiveDate, Utc};

use crate::checklist::{Checklist, sections_fingerprint};
use crate::i18n::Lang;
use crate::period::{Cadence, Period, local_date};
use crate::review::{Change, Event, Meeting, Outcome, Refusal, Review};
use crate::store::{Store, StoreError};

/// A staff meeting as held: what the attendance form says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Held {
    pub date: NaiveDate,
    /// Place or department.
    pub department: String,
    pub leader: String,
    /// One name each.
    pub attendees: Vec<String>,
}

/// The review a meeting on `date` belongs to: its year's.
pub fn period(date: NaiveDate) -> Period {
    Period::containing(Cadence::Yearly, date)
}

/// The changes that record `held` in `review` (the review of [`period`]`(held.date)`): the
/// meeting with the sections walked through, and the checklist's walkthrough item signed by
/// the leader with a note listing every meeting of the year. Refused by the review's rules as
/// one (an empty field, a signed review, a date in the future).
pub fn changes(
    list: &Checklist,
    review: &Review,
    held: &Held,
    today: NaiveDate,
) -> Result<Vec<Change>, Refusal> {
    let meeting = Meeting {
        date: held.date,
        department: held.department.clone(),
        leader: held.leader.clone(),
        attendees: held.attendees.clone(),
        sections: list.walkthrough.iter().map(|s| s.title.clone()).collect(),
        sections_fingerprint: sections_fingerprint(&list.walkthrough),
    };
    let period = period(held.date);
    let mut changes = vec![Change::WalkthroughHeld(meeting.clone())];
    if let Some(item) = list.walkthrough_item() {
        let mut meetings = review.meetings.clone();
        meetings.push(meeting.clone());
        changes.push(Change::item_signed(
            item,
            Outcome::Done,
            Some(meeting_note(list.organisation.language, &meetings)),
            meeting.leader.clone(),
        ));
    }
    review.check_all(list, period, today, &changes)?;
    Ok(changes)
}

/// Records `held` in `store`: [`changes`] decided and checked inside the write transaction,
/// against the review as stored.
pub fn record(
    store: &mut Store,
    list: &Checklist,
    held: &Held,
    now: DateTime<Utc>,
) -> Result<Vec<Event>, StoreError> {
    let today = local_date(now);
    store.append_all(&list.organisation.id, period(held.date), now, |events| {
        changes(list, &Review::from_events(events), held, today)
    })
}

/// The walkthrough item's note: one line per meeting of the year, in the checklist's language.
pub fn meeting_note(lang: Lang, meetings: &[Meeting]) -> String {
    meetings
        .iter()
        .map(|m| {
            let n = m.attendees.len();
            let people = match n {
                1 => lang.pick("1 deltager", "1 attendee").to_string(),
                n => format!("{n} {}", lang.pick("deltagere", "attendees")),
            };
            lang.pick(
                "Gennemgået på personalemøde {d}, {p}, {n} (mødeleder: {l}).",
                "Walked through at a staff meeting on {d}, {p}, {n} (led by {l}).",
            )
            .replace("{d}", &lang.date(m.date))
            .replace("{p}", &m.department)
            .replace("{n}", &people)
            .replace("{l}", &m.leader)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_note_lists_every_meeting() {
        let m = |d: u32, p: &str, n: usize| Meeting {
            date: NaiveDate::from_ymd_opt(2026, 11, d).unwrap(),
            department: p.into(),
            leader: "Henriette Salmon".into(),
            attendees: (0..n).map(|i| format!("P{i}")).collect(),
            sections: vec![],
            sections_fingerprint: String::new(),
        };
        assert_eq!(
            meeting_note(
                Lang::Da,
                &[m(3, "Botilbud Krakasvej", 14), m(22, "Kontoret", 1)]
            ),
            "Gennemgået på personalemøde 3. november 2026, Botilbud Krakasvej, 14 deltagere (mødeleder: Henriette Salmon).\n\
             Gennemgået på personalemøde 22. november 2026, Kontoret, 1 deltager (mødeleder: Henriette Salmon)."
        );
    }

    fn checklist() -> Checklist {
        use crate::checklist::{Item, Organisation, Section};
        Checklist {
            path: "t.toml".into(),
            organisation: Organisation {
                id: "t".into(),
                name: "Testforeningen".into(),
                cvr: None,
                address: None,
                policy: "Politik".into(),
                language: Lang::Da,
                request_deadline_days: None,
                in_use_from: None,
            },
            items: vec![Item {
                id: "moede".into(),
                cadence: Cadence::Yearly,
                title: "Politikken gennemgået med personalet".into(),
                guidance: String::new(),
                responsible: None,
                source: "§ 1".into(),
                evidence: None,
                caveat: None,
                walkthrough: true,
                requests: false,
            }],
            walkthrough: vec![Section {
                title: "Tavshedspligt".into(),
                text: "Vi taler ikke om beboerne uden for huset.".into(),
            }],
        }
    }

    /// The flow on its own, with no screen: a meeting recorded in a real store signs the
    /// walkthrough item; a refused one leaves the store as it was.
    #[test]
    fn a_meeting_is_recorded_with_its_item_or_not_at_all() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("aarshjul.sqlite")).unwrap();
        let list = checklist();
        let now: DateTime<Utc> = "2026-11-22T13:00:00Z".parse().unwrap();
        let mut held = Held {
            date: NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
            department: "Kontoret".into(),
            leader: "Henriette Salmon".into(),
            attendees: vec![],
        };
        let refused = record(&mut store, &list, &held, now).unwrap_err();
        assert!(
            matches!(
                refused,
                StoreError::Refused(Refusal::Empty { what: "attendees" })
            ),
            "{refused:?}"
        );
        assert!(
            store
                .review_events("t", period(held.date))
                .unwrap()
                .is_empty()
        );

        held.attendees = vec!["Anna".into(), "Bo".into()];
        let events = record(&mut store, &list, &held, now).unwrap();
        assert_eq!(events.len(), 2);
        assert!(matches!(&events[0].change, Change::WalkthroughHeld(m)
            if m.sections == ["Tavshedspligt"] && m.attendees.len() == 2));
        match &events[1].change {
            Change::ItemSigned { item, by, note, .. } => {
                assert_eq!((item.as_str(), by.as_str()), ("moede", "Henriette Salmon"));
                assert_eq!(
                    note.as_deref(),
                    Some(
                        "Gennemgået på personalemøde 20. november 2026, Kontoret, 2 deltagere (mødeleder: Henriette Salmon)."
                    )
                );
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(events[0].period.key(), "2026");
    }
}
