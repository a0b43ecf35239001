//! Reminders for the calendar: every review deadline of the coming twelve months, every
//! follow-up of a deviation and every open data-subject request, as an iCalendar file (RFC 5545, written by the `icalendar`
//! crate) that Outlook, Google Calendar and Apple Calendar import. Pure: the clock comes in.
//!
//! Each reminder is an [`Entry`]; other registers with deadlines add their own entries to
//! the same list. UIDs are stable (organisation, period, item; organisation and case
//! reference for a request), so importing a newer file
//! updates the events instead of adding them twice; the `SEQUENCE` grows with every change
//! of state (signed, reopened, closed), so the calendar takes the newer version.

use chrono::{DateTime, Datelike, Days, Duration, NaiveDate, Utc};
use icalendar::{Alarm, Calendar, Component, Event, EventLike, EventStatus, Property};

use crate::checklist::Checklist;
use crate::i18n::Lang;
use crate::request::{self, Request};
use crate::review::{Change, Event as StoredEvent, ReviewState};
use crate::status;

/// Reviews are reminded of this many days before their deadline.
pub const REVIEW_ALARM_DAYS: i64 = 7;
/// Follow-ups are reminded of this many days before they are due.
pub const ACTION_ALARM_DAYS: i64 = 3;
/// Data-subject requests are reminded of this many days before their deadline: time to
/// answer, or to tell the data subject of an extension within the first deadline.
pub const REQUEST_ALARM_DAYS: i64 = 5;

/// One reminder: an all-day event on its date.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// Stable across exports: the same duty always has the same UID.
    pub uid: String,
    pub date: NaiveDate,
    pub summary: String,
    pub description: String,
    /// Days before `date` the alarm goes off (at 09:00); `None`: no alarm (done).
    pub alarm_days: Option<i64>,
    pub alarm_text: String,
    /// Grows with each change of state, so a re-import replaces the older version.
    pub sequence: u32,
    /// Signed or closed: shown as cancelled, without an alarm.
    pub done: bool,
}

/// The reminders of `checklists`' organisations on `today`: every review whose deadline
/// falls within the coming twelve months (today included) and that is due or signed, and
/// every open follow-up plus the closed ones whose date is still ahead, and every open
/// data-subject request plus the closed ones whose deadline is still ahead (so a re-import
/// cancels them).
pub fn entries(checklists: &[Checklist], events: &[StoredEvent], today: NaiveDate) -> Vec<Entry> {
    let until = today + Days::new(365);
    let mut out = Vec::new();
    for year in today.year()..=until.year() {
        for s in status::overview(checklists, events, year, today) {
            let deadline = s.deadline();
            if s.carried
                || s.state == ReviewState::BeforeAdoption
                || deadline < today
                || deadline > until
            {
                continue;
            }
            let Some(list) = checklists.iter().find(|l| l.organisation.id == s.org) else {
                continue;
            };
            let lang = list.organisation.language;
            let org = &list.organisation.name;
            let title = s.period.review_title(lang);
            let done = s.state == ReviewState::Signed;
            let changes = events
                .iter()
                .filter(|e| e.org == s.org && e.period == s.period)
                .filter(|e| {
                    matches!(
                        e.change,
                        Change::ReviewSigned { .. } | Change::ReviewReopened { .. }
                    )
                })
                .count();
            let summary = if done {
                format!(
                    "✓ {} {title} — {org}",
                    lang.pick("Underskrevet:", "Signed:")
                )
            } else {
                format!("{} {title} — {org}", lang.pick("Frist:", "Due:"))
            };
            let description = format!(
                "{} ({}) {} {org} {} {}. {}",
                title,
                s.period.span_words(lang),
                lang.pick("for", "of"),
                lang.pick(
                    "skal være gennemgået og underskrevet senest",
                    "must be reviewed and signed by"
                ),
                lang.date(deadline),
                lang.pick(
                    "Åbn aarshjul, vælg gennemgangen, registrér punkterne og underskriv.",
                    "Open aarshjul, choose the review, record the items and sign."
                ),
            );
            out.push(Entry {
                uid: format!("review-{}-{}@aarshjul", s.org, s.period.key()),
                date: deadline,
                summary,
                description,
                alarm_days: (!done).then_some(REVIEW_ALARM_DAYS),
                alarm_text: format!(
                    "{} {}: {title} — {org}",
                    lang.pick("Om", "In"),
                    lang.count(REVIEW_ALARM_DAYS as usize, ("dag", "dage"), ("day", "days")),
                ),
                sequence: changes as u32,
                done,
            });
        }
    }
    for a in status::follow_ups(checklists, events) {
        let f = &a.follow_up;
        if !f.is_open() && f.due < today {
            continue;
        }
        let Some(list) = checklists.iter().find(|l| l.organisation.id == a.org) else {
            continue;
        };
        let lang = list.organisation.language;
        let org = &list.organisation.name;
        let item = list
            .item(&f.item)
            .map_or(f.item.as_str(), |i| i.title.as_str());
        let changes = events
            .iter()
            .filter(|e| e.org == a.org && e.period == a.period)
            .filter(|e| match &e.change {
                Change::ActionOpened { item, .. } | Change::ActionClosed { item, .. } => {
                    *item == f.item
                }
                _ => false,
            })
            .count();
        let done = !f.is_open();
        let summary = if done {
            format!(
                "✓ {} {} — {org}",
                lang.pick("Opfølgning lukket:", "Follow-up closed:"),
                f.action
            )
        } else {
            format!(
                "{} {} — {org}",
                lang.pick("Opfølgning:", "Follow-up:"),
                f.action
            )
        };
        let description = format!(
            "{} »{item}« ({}). {}: {}. {}: {}. {}",
            lang.pick("Afvigelse i", "Deviation in"),
            a.period.review_title(lang),
            lang.pick("Ansvarlig", "Responsible"),
            f.owner,
            lang.pick("Frist", "Due"),
            lang.date(f.due),
            lang.pick(
                "Luk opfølgningen i aarshjul med en note, når den er gjort (tast c på punktet).",
                "Close the follow-up in aarshjul with a note once it is done (key c on the item)."
            ),
        );
        out.push(Entry {
            uid: format!("action-{}-{}-{}@aarshjul", a.org, a.period.key(), f.item),
            date: f.due,
            summary,
            description,
            alarm_days: (!done).then_some(ACTION_ALARM_DAYS),
            alarm_text: format!(
                "{} {}: {} — {org}",
                lang.pick("Om", "In"),
                lang.count(ACTION_ALARM_DAYS as usize, ("dag", "dage"), ("day", "days")),
                f.action
            ),
            sequence: changes.saturating_sub(1) as u32,
            done,
        });
    }
    out.extend(request_entries(checklists, events, today));
    out.sort_by(|a, b| (a.date, &a.uid).cmp(&(b.date, &b.uid)));
    out
}

/// The register's reminders: only the case reference and the kind of request are named,
/// never anything about the person (the register holds nothing more).
fn request_entries(
    checklists: &[Checklist],
    events: &[StoredEvent],
    today: NaiveDate,
) -> Vec<Entry> {
    let registers = status::registers(checklists, events);
    let open = request::open_deadlines(&registers);
    // Closed ones whose deadline is still ahead: the calendar may hold them as open.
    let closed_ahead = registers.iter().flat_map(|r| {
        r.all()
            .into_iter()
            .filter(move |q| !q.is_open() && q.deadline >= today)
            .map(move |q| (r.org.as_str(), q))
    });
    let open = open.iter().filter_map(|d| {
        let r = registers.iter().find(|r| r.org == d.org)?;
        Some((r.org.as_str(), r.get(&d.reference)?))
    });
    let mut out = Vec::new();
    for (org_id, r) in open.chain(closed_ahead) {
        let Some(list) = checklists.iter().find(|l| l.organisation.id == org_id) else {
            continue;
        };
        out.push(request_entry(list, events, r));
    }
    out
}

fn request_entry(list: &Checklist, events: &[StoredEvent], r: &Request) -> Entry {
    let lang = list.organisation.language;
    let org_id = &list.organisation.id;
    let org = &list.organisation.name;
    let done = !r.is_open();
    let what = format!(
        "{} ({}) »{}«",
        lang.pick("anmodning", "request"),
        r.kind.label(lang),
        r.reference
    );
    let changes = events
        .iter()
        .filter(|e| &e.org == org_id && request::reference_of(&e.change) == Some(&r.reference))
        .count();
    let summary = if done {
        format!("✓ {} {what} — {org}", lang.pick("Afsluttet:", "Closed:"))
    } else {
        format!("{} {what} — {org}", lang.pick("Frist:", "Due:"))
    };
    let extended = if r.extension.is_some() {
        lang.pick(" (forlænget)", " (extended)")
    } else {
        ""
    };
    let description = format!(
        "{} {}, {} »{}«, {} {}, {} {}{extended}. {} {}",
        lang.pick("Anmodning fra en registreret om", "Data-subject request for"),
        r.kind.label(lang),
        lang.pick("sagsreference", "case reference"),
        r.reference,
        lang.pick("modtaget", "received"),
        lang.date(r.received),
        lang.pick("skal besvares senest", "to be answered by"),
        lang.date(r.deadline),
        lang.pick(
            "Afslut den i aarshjul, når den er besvaret (tast r på oversigten eller aarshjul request close).",
            "Close it in aarshjul once answered (key r on the overview or aarshjul request close)."
        ),
        request::no_personal_data(lang),
    );
    Entry {
        uid: request_uid(org_id, &r.reference),
        date: r.deadline,
        summary,
        description,
        alarm_days: (!done).then_some(REQUEST_ALARM_DAYS),
        alarm_text: format!(
            "{} {}: {what} — {org}",
            lang.pick("Om", "In"),
            lang.count(
                REQUEST_ALARM_DAYS as usize,
                ("dag", "dage"),
                ("day", "days")
            ),
        ),
        sequence: changes.saturating_sub(1) as u32,
        done,
    }
}

/// `request-ORG-REF-HASH@aarshjul`: the organisation and the case reference with everything
/// but ASCII letters, digits, `.` and `_` turned into `-`, and the first eight hex digits
/// of the reference's SHA-256, so references that read alike once sanitised ("sag 14",
/// "sag/14") keep their own events.
pub fn request_uid(org: &str, reference: &str) -> String {
    use sha2::{Digest, Sha256};
    let safe = |s: &str| -> String {
        s.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '.' || c == '_' {
                    c
                } else {
                    '-'
                }
            })
            .collect()
    };
    let hash = Sha256::digest(reference.as_bytes());
    let short: String = hash[..4].iter().map(|b| format!("{b:02x}")).collect();
    format!("request-{}-{}-{short}@aarshjul", safe(org), safe(reference))
}

/// The iCalendar text of `entries`: one all-day event each, with a display alarm at 09:00
/// the given number of days before. `now` stamps every event (`DTSTAMP`).
pub fn ics(entries: &[Entry], name: &str, now: DateTime<Utc>, lang: Lang) -> String {
    let mut calendar = Calendar::empty();
    calendar
        .append_property(Property::new("VERSION", "2.0"))
        .append_property(Property::new("PRODID", "-//aarshjul//aarshjul//DA"))
        .append_property(Property::new("CALSCALE", "GREGORIAN"))
        .append_property(Property::new("METHOD", "PUBLISH"));
    calendar.name(name).description(lang.pick(
        "Frister for gennemgange, opfølgning på afvigelser og anmodninger fra registrerede fra aarshjul.",
        "Deadlines of reviews, follow-ups of deviations and data-subject requests from aarshjul.",
    ));
    for e in entries {
        let mut event = Event::new();
        event
            .uid(&e.uid)
            .timestamp(now)
            .sequence(e.sequence)
            .summary(&e.summary)
            .description(&e.description)
            .starts(e.date)
            .ends(e.date + Days::new(1))
            .status(if e.done {
                EventStatus::Cancelled
            } else {
                EventStatus::Confirmed
            });
        if let Some(days) = e.alarm_days {
            // Relative to the start of the day: at 09:00 `days` days before.
            let trigger = -Duration::days(days) + Duration::hours(9);
            // Its own stable UID and stamp, or the writer invents them on every export.
            let mut alarm = Alarm::display(&e.alarm_text, trigger);
            alarm.uid(&e.uid.replacen('@', "-alarm@", 1)).timestamp(now);
            event.alarm(alarm.done());
        }
        calendar.push(event.done());
    }
    calendar.done().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_alarm_goes_off_at_nine_days_before() {
        let entry = Entry {
            uid: "review-x-2026@aarshjul".into(),
            date: NaiveDate::from_ymd_opt(2026, 12, 31).unwrap(),
            summary: "Frist: Årsgennemgang 2026 — X".into(),
            description: "Æøå, komma; semikolon".into(),
            alarm_days: Some(7),
            alarm_text: "Om 7 dage".into(),
            sequence: 0,
            done: false,
        };
        let now = "2026-11-22T13:00:00Z".parse().unwrap();
        let text = ics(&[entry], "aarshjul", now, Lang::Da);
        assert!(text.contains("DTSTART;VALUE=DATE:20261231\r\n"), "{text}");
        assert!(text.contains("DTEND;VALUE=DATE:20270101\r\n"), "{text}");
        // 6 days 15 hours before the day begins: 09:00 seven days before.
        assert!(text.contains("TRIGGER:-PT572400S\r\n"), "{text}");
        assert!(
            text.contains("UID:review-x-2026-alarm@aarshjul\r\n"),
            "{text}"
        );
        assert!(
            text.contains("PRODID:-//aarshjul//aarshjul//DA\r\n"),
            "{text}"
        );
        assert!(
            !text.contains("20261124T"),
            "no stamp from the real clock: {text}"
        );
        assert!(text.contains("DTSTAMP:20261122T130000Z\r\n"), "{text}");
        assert!(text.contains("Æøå\\, komma\\; semikolon"), "{text}");
    }

    #[test]
    fn request_uids_are_safe_stable_and_tell_alike_references_apart() {
        let a = request_uid("skgr", "sag 2026/014 »Ø«");
        assert!(a.starts_with("request-skgr-sag-2026-014----"), "{a}");
        assert!(a.ends_with("@aarshjul"));
        assert!(
            a.trim_end_matches("@aarshjul")
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-._".contains(c)),
            "{a}"
        );
        assert_eq!(a, request_uid("skgr", "sag 2026/014 »Ø«"));
        assert_ne!(request_uid("skgr", "sag 14"), request_uid("skgr", "sag/14"));
        assert_ne!(
            request_uid("skgr", "sag 14"),
            request_uid("other", "sag 14")
        );
    }
}
