use super::*;
use crate::period::Period;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn ev(seq: i64, change: Change) -> Event {
    let received = match &change {
        Change::RequestReceived(r) => r.received,
        _ => d("2026-01-31"),
    };
    Event {
        seq,
        at: "2026-03-01T10:00:00Z".parse().unwrap(),
        org: "fs".into(),
        period: period_of(received),
        change,
    }
}

fn received(reference: &str, on: &str, limit: Limit) -> Change {
    Change::RequestReceived(Received {
        reference: reference.into(),
        kind: Kind::Access,
        received: d(on),
        deadline: limit.first_deadline(d(on)),
        by: "Henriette Salmon".into(),
    })
}

fn extended(reference: &str, told: &str, months: u32) -> Change {
    Change::RequestExtended(Extended {
        reference: reference.into(),
        months,
        reason: "Sagen kræver oplysninger fra tre afdelinger".into(),
        told: d(told),
        by: "H".into(),
    })
}

fn closed(reference: &str, on: &str, outcome: Resolution, note: Option<&str>) -> Change {
    Change::RequestClosed(Closed {
        reference: reference.into(),
        outcome,
        closed: d(on),
        note: note.map(Into::into),
        by: "H".into(),
    })
}

#[test]
fn a_month_ends_on_the_same_day_or_the_last_day_of_a_shorter_month() {
    assert_eq!(add_months(d("2026-01-31"), 1), d("2026-02-28"));
    assert_eq!(add_months(d("2028-01-31"), 1), d("2028-02-29"), "leap year");
    assert_eq!(add_months(d("2028-01-29"), 1), d("2028-02-29"));
    assert_eq!(add_months(d("2026-01-29"), 1), d("2026-02-28"));
    assert_eq!(add_months(d("2026-03-31"), 1), d("2026-04-30"));
    assert_eq!(add_months(d("2026-02-28"), 1), d("2026-03-28"));
    assert_eq!(add_months(d("2026-11-15"), 1), d("2026-12-15"));
    assert_eq!(
        add_months(d("2026-12-31"), 1),
        d("2027-01-31"),
        "across the year"
    );
    assert_eq!(add_months(d("2026-12-31"), 2), d("2027-02-28"));
    assert_eq!(add_months(d("2027-11-30"), 3), d("2028-02-29"));
    assert_eq!(
        add_months(d("2100-01-31"), 1),
        d("2100-02-28"),
        "2100 is no leap year"
    );
    assert_eq!(add_months(d("2000-01-31"), 1), d("2000-02-29"), "2000 is");
}

#[test]
fn the_first_deadline_is_a_month_or_the_organisations_shorter_limit() {
    let gdpr = Limit::default();
    let four_weeks = Limit { days: Some(28) };
    assert_eq!(gdpr.first_deadline(d("2026-01-31")), d("2026-02-28"));
    assert_eq!(four_weeks.first_deadline(d("2026-01-31")), d("2026-02-28"));
    assert_eq!(four_weeks.first_deadline(d("2026-03-03")), d("2026-03-31"));
    assert_eq!(gdpr.first_deadline(d("2026-03-03")), d("2026-04-03"));
    // 28 days from 1 February is 1 March; in a leap year 29 February counts.
    assert_eq!(four_weeks.first_deadline(d("2026-02-01")), d("2026-03-01"));
    assert_eq!(four_weeks.first_deadline(d("2028-02-01")), d("2028-02-29"));
    assert_eq!(gdpr.first_deadline(d("2028-02-01")), d("2028-03-01"));
    // Never longer than the GDPR's month, whatever the checklist says.
    let long = Limit { days: Some(31) };
    assert_eq!(long.first_deadline(d("2026-02-01")), d("2026-03-01"));
}

#[test]
fn an_extension_adds_up_to_two_months_to_the_first_month() {
    assert_eq!(
        Limit::extended_deadline(d("2026-01-31"), 2),
        d("2026-04-30")
    );
    assert_eq!(
        Limit::extended_deadline(d("2026-01-31"), 1),
        d("2026-03-31")
    );
    assert_eq!(
        Limit::extended_deadline(d("2027-11-30"), 2),
        d("2028-02-29")
    );
    assert_eq!(
        Limit::extended_deadline(d("2026-11-30"), 2),
        d("2027-02-28")
    );
    let limit = Limit { days: Some(28) };
    let events = [
        ev(1, received("sag 2026-014", "2026-01-31", limit)),
        ev(2, extended("sag 2026-014", "2026-02-20", 2)),
    ];
    let reg = Register::from_events("fs", &events);
    let r = reg.get("sag 2026-014").unwrap();
    assert_eq!(r.first_deadline, d("2026-02-28"));
    assert_eq!(r.deadline, d("2026-04-30"));
    assert_eq!(
        r.standing(d("2026-03-15")),
        Standing::Open { days_left: 46 },
        "past the first deadline but within the extended one"
    );
}

#[test]
fn an_extension_must_be_told_within_the_first_deadline_and_only_once() {
    let limit = Limit { days: Some(28) };
    let events = [ev(1, received("A-1", "2026-03-03", limit))];
    let reg = Register::from_events("fs", &events);
    let today = d("2026-04-10");
    assert_eq!(
        reg.check(today, &extended("A-1", "2026-04-01", 2)),
        Err(Refusal::ExtensionTooLate {
            told: d("2026-04-01"),
            first: d("2026-03-31")
        })
    );
    assert_eq!(reg.check(today, &extended("A-1", "2026-03-31", 2)), Ok(()));
    assert_eq!(
        reg.check(today, &extended("A-1", "2026-03-02", 2)),
        Err(Refusal::BeforeReceived {
            date: d("2026-03-02"),
            received: d("2026-03-03")
        })
    );
    assert_eq!(
        reg.check(today, &extended("A-1", "2026-03-20", 3)),
        Err(Refusal::Months { months: 3 })
    );
    assert!(matches!(
        reg.check(today, &extended("B-2", "2026-03-20", 2)),
        Err(Refusal::Unknown { .. })
    ));
    let events = [
        ev(1, received("A-1", "2026-03-03", limit)),
        ev(2, extended("A-1", "2026-03-20", 1)),
    ];
    let reg = Register::from_events("fs", &events);
    assert!(matches!(
        reg.check(today, &extended("A-1", "2026-03-21", 1)),
        Err(Refusal::AlreadyExtended { .. })
    ));
}

#[test]
fn cpr_like_texts_are_refused_and_case_references_are_not() {
    for cpr in [
        "010190-1234",
        "0101901234",
        "sag 311299-4321",
        "290200 1234",
        "CPR: 2902001234.",
    ] {
        assert!(looks_like_cpr(cpr), "{cpr}");
    }
    for fine in [
        "sag 2026-014",
        "2026-0014",
        "202601-0014",
        "12345678901",
        "4213999999",
        "320190-1234",
        "011390-1234",
        "SAG-17",
        "",
    ] {
        assert!(!looks_like_cpr(fine), "{fine}");
    }
    let reg = Register::default();
    let today = d("2026-11-24");
    let mut change = received("010190-1234", "2026-11-20", Limit::default());
    assert_eq!(
        reg.check(today, &change),
        Err(Refusal::Cpr { what: "reference" })
    );
    assert!(
        Refusal::Cpr { what: "reference" }
            .message(Lang::Da)
            .starts_with("Sagsreferencen ligner et CPR-nummer")
    );
    if let Change::RequestReceived(r) = &mut change {
        r.reference = "sag 2026-014".into();
    }
    assert_eq!(reg.check(today, &change), Ok(()));
}

#[test]
fn the_rules_of_registering_and_closing() {
    let limit = Limit::default();
    let events = [ev(1, received("A-1", "2026-11-02", limit))];
    let reg = Register::from_events("fs", &events);
    let today = d("2026-11-24");
    assert!(matches!(
        reg.check(today, &received("A-1", "2026-11-03", limit)),
        Err(Refusal::Duplicate { .. })
    ));
    assert_eq!(
        reg.check(today, &received("A-2", "2026-11-25", limit)),
        Err(Refusal::FutureDate {
            date: d("2026-11-25")
        })
    );
    assert_eq!(
        reg.check(today, &received(" ", "2026-11-20", limit)),
        Err(Refusal::Empty { what: "reference" })
    );
    assert_eq!(
        reg.check(
            today,
            &closed("A-1", "2026-11-20", Resolution::Refused, None)
        ),
        Err(Refusal::RefusalNeedsNote)
    );
    assert_eq!(
        reg.check(
            today,
            &closed(
                "A-1",
                "2026-11-20",
                Resolution::Answered,
                Some("Se 0101901234")
            )
        ),
        Err(Refusal::Cpr { what: "note" })
    );
    assert_eq!(
        reg.check(
            today,
            &closed("A-1", "2026-11-20", Resolution::Answered, None)
        ),
        Ok(())
    );
    let events = [
        ev(1, received("A-1", "2026-11-02", limit)),
        ev(2, closed("A-1", "2026-11-20", Resolution::Answered, None)),
    ];
    let reg = Register::from_events("fs", &events);
    assert!(matches!(
        reg.check(
            today,
            &closed("A-1", "2026-11-21", Resolution::Answered, None)
        ),
        Err(Refusal::AlreadyClosed { .. })
    ));
}

#[test]
fn standing_summary_and_deadlines_for_the_calendar() {
    let limit = Limit { days: Some(28) };
    let events = [
        ev(1, received("A-1", "2026-01-05", limit)),
        ev(2, closed("A-1", "2026-01-30", Resolution::Answered, None)),
        ev(3, received("A-2", "2026-02-01", limit)),
        ev(4, closed("A-2", "2026-03-02", Resolution::Answered, None)),
        ev(5, received("A-3", "2026-10-01", limit)),
        ev(6, received("A-4", "2026-11-20", limit)),
        ev(7, received("A-0", "2025-12-30", limit)),
    ];
    let mut other = ev(8, received("X-1", "2026-11-01", Limit::default()));
    other.org = "skgr".into();
    let mut all = events.to_vec();
    all.push(other);
    let reg = Register::from_events("fs", &all);
    assert!(reg.get("X-1").is_none(), "another organisation's request");
    let today = d("2026-11-24");
    assert_eq!(reg.get("A-1").unwrap().standing(today), Standing::OnTime);
    assert_eq!(reg.get("A-2").unwrap().standing(today), Standing::Late);
    assert_eq!(
        reg.get("A-3").unwrap().standing(today),
        Standing::Overdue { days_over: 26 }
    );
    assert_eq!(
        reg.get("A-4").unwrap().standing(today),
        Standing::Open { days_left: 24 }
    );
    assert_eq!(
        reg.get("A-4").unwrap().standing_words(today, Lang::Da),
        "24 dage tilbage"
    );
    assert_eq!(
        reg.get("A-3").unwrap().standing_words(today, Lang::En),
        "26 days overdue"
    );
    assert_eq!(
        reg.get("A-2").unwrap().standing_words(today, Lang::Da),
        "besvaret 2. marts 2026 (for sent)"
    );
    assert!(reg.any_overdue(today));
    assert!(!Register::from_events("fs", &events[..6]).any_overdue(d("2026-10-29")));
    assert!(Register::from_events("fs", &events[..6]).any_overdue(d("2026-10-30")));
    let s = reg.summary(2026, Some(today));
    assert_eq!(
        s,
        YearSummary {
            received: 4,
            on_time: 1,
            late: 1,
            open: 2,
            overdue: 1
        }
    );
    assert_eq!(
        s.words(Lang::Da),
        "4 modtaget · 1 besvaret inden fristen · 1 for sent · 2 åbne (heraf over fristen: 1)"
    );
    assert_eq!(reg.summary(2026, None).overdue, 0);
    assert_eq!(reg.summary(2025, Some(today)).received, 1);
    assert_eq!(
        reg.of_year(2026)
            .iter()
            .map(|r| r.reference.as_str())
            .collect::<Vec<_>>(),
        ["A-1", "A-2", "A-3", "A-4"]
    );
    let skgr = Register::from_events("skgr", &all);
    let deadlines = open_deadlines(&[reg, skgr]);
    assert_eq!(
        deadlines
            .iter()
            .map(|d| (d.org.as_str(), d.reference.as_str(), d.deadline.to_string()))
            .collect::<Vec<_>>(),
        [
            ("fs", "A-0", "2026-01-27".to_string()),
            ("fs", "A-3", "2026-10-29".to_string()),
            ("skgr", "X-1", "2026-12-01".to_string()),
            ("fs", "A-4", "2026-12-18".to_string()),
        ]
    );
    assert_eq!(deadlines[0].kind, Kind::Access);
}

#[test]
fn request_events_are_kept_under_the_year_received_and_leave_the_review_alone() {
    let events = [
        ev(1, received("A-1", "2026-12-30", Limit::default())),
        ev(2, closed("A-1", "2027-01-10", Resolution::Withdrawn, None)),
    ];
    assert_eq!(events[0].period, "2026".parse::<Period>().unwrap());
    let review = crate::review::Review::from_events(&events);
    assert!(review.history.is_empty());
    assert!(review.sign_offs.is_empty() && review.signature.is_none());
    // A request change is stored and read back as its own kind.
    let json = serde_json::to_string(&events[0].change).unwrap();
    assert_eq!(
        json,
        r#"{"type":"request-received","reference":"A-1","kind":"access","received":"2026-12-30","deadline":"2027-01-30","by":"Henriette Salmon"}"#
    );
    assert_eq!(
        serde_json::from_str::<Change>(&json).unwrap(),
        events[0].change
    );
    assert_eq!(events[1].change.kind(), "request-closed");
}
