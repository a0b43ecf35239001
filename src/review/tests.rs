use super::*;
use crate::checklist::parse;
use crate::period::Cadence;
use std::path::Path;

const LIST: &str = r#"
schema = 1
[organisation]
id = "demo"
name = "Demo"
policy = "Demo-politik"

[[item]]
id = "plain"
cadence = "quarterly"
title = "Plain"
source = "§1"

[[item]]
id = "with-evidence"
cadence = "quarterly"
title = "With evidence"
source = "§2"
evidence = "Antal slettede"

[[item]]
id = "yearly"
cadence = "yearly"
title = "Yearly"
source = "§3"
"#;

fn list() -> Checklist {
    parse(Path::new("demo.toml"), LIST.as_bytes(), Lang::En).unwrap()
}

fn q4() -> Period {
    "2026-Q4".parse().unwrap()
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
}

fn signed(item: &str, status: Outcome, note: Option<&str>) -> Change {
    Change::ItemSigned {
        item: item.into(),
        status,
        note: note.map(Into::into),
        by: "Henriette".into(),
        fingerprint: list()
            .item(item)
            .map(|i| i.fingerprint())
            .unwrap_or_default(),
        text: list().item(item).map(|i| Box::new(i.text())),
    }
}

/// Applies changes through the rules, as the store does.
fn run(changes: &[Change]) -> Result<Review, Refusal> {
    let mut events = Vec::new();
    for (n, change) in changes.iter().enumerate() {
        Review::from_events(&events).check(&list(), q4(), today(), change)?;
        events.push(Event {
            seq: n as i64 + 1,
            at: "2026-11-22T10:00:00Z".parse().unwrap(),
            org: "demo".into(),
            period: q4(),
            change: change.clone(),
        });
    }
    Ok(Review::from_events(&events))
}

#[test]
fn a_deviation_needs_a_note() {
    let err = run(&[signed("plain", Outcome::Deviation, None)]).unwrap_err();
    assert_eq!(
        err,
        Refusal::DeviationNeedsNote {
            item: "plain".into()
        }
    );
    let err = run(&[signed("plain", Outcome::Deviation, Some("  "))]).unwrap_err();
    assert_eq!(
        err,
        Refusal::DeviationNeedsNote {
            item: "plain".into()
        }
    );
    assert!(run(&[signed("plain", Outcome::Deviation, Some("Mangler aftale"))]).is_ok());
}

#[test]
fn evidence_needs_a_note_to_be_done_and_not_applicable_needs_a_reason() {
    let err = run(&[signed("with-evidence", Outcome::Done, None)]).unwrap_err();
    assert!(matches!(err, Refusal::EvidenceNeedsNote { .. }));
    assert!(err.message(Lang::Da).contains("Antal slettede"));
    assert!(run(&[signed("with-evidence", Outcome::Done, Some("3 slettet"))]).is_ok());
    assert!(
        run(&[signed(
            "with-evidence",
            Outcome::NotApplicable,
            Some("Ingen ansøgninger")
        )])
        .is_ok()
    );
    for note in [None, Some(" ")] {
        let err = run(&[signed("plain", Outcome::NotApplicable, note)]).unwrap_err();
        assert_eq!(
            err,
            Refusal::NotApplicableNeedsNote {
                item: "plain".into()
            }
        );
        assert!(err.message(Lang::Da).contains("kræver en note om hvorfor"));
    }
}

#[test]
fn refusals_on_screen_name_items_by_title_and_cadences_in_words() {
    let err = run(&[Change::ReviewSigned {
        by: "H".into(),
        role: "Leder".into(),
    }])
    .unwrap_err();
    let text = err.message_in(Lang::Da, &list());
    assert!(!text.contains("with-evidence"), "{text}");
    assert!(err.message(Lang::Da).contains("with-evidence"));
    let wrong = Refusal::WrongCadence {
        item: "x".into(),
        cadence: crate::period::Cadence::Yearly,
        period: "2026-Q4".into(),
    };
    assert_eq!(
        wrong.message(Lang::Da),
        "Punktet »x« gennemgås hvert år og hører ikke til perioden 2026-Q4."
    );
}

#[test]
fn signing_needs_every_item_to_have_an_outcome() {
    let sign = Change::ReviewSigned {
        by: "Henriette".into(),
        role: "Leder".into(),
    };
    let err = run(&[signed("plain", Outcome::Done, None), sign.clone()]).unwrap_err();
    assert_eq!(
        err,
        Refusal::OpenItems {
            items: vec!["with-evidence".into()]
        }
    );
    let review = run(&[
        signed("plain", Outcome::Done, None),
        signed(
            "with-evidence",
            Outcome::NotApplicable,
            Some("Ingen ansøgninger"),
        ),
        sign,
    ])
    .unwrap();
    assert_eq!(review.state(&list(), q4(), today()), ReviewState::Signed);
    assert_eq!(review.signature.unwrap().role, "Leder");
}

#[test]
fn a_signed_review_takes_no_changes_until_reopened() {
    let base = vec![
        signed("plain", Outcome::Done, None),
        signed(
            "with-evidence",
            Outcome::NotApplicable,
            Some("Ingen ansøgninger"),
        ),
        Change::ReviewSigned {
            by: "H".into(),
            role: "Leder".into(),
        },
    ];
    let with = |extra: &[Change]| {
        let mut all = base.clone();
        all.extend_from_slice(extra);
        run(&all)
    };
    let retract = Change::ItemRetracted {
        item: "plain".into(),
        by: "H".into(),
    };
    let reopen = Change::ReviewReopened {
        by: "H".into(),
        reason: "Fejl i note".into(),
    };
    assert!(matches!(
        with(&[signed("plain", Outcome::Deviation, Some("x"))]),
        Err(Refusal::ReviewSigned { .. })
    ));
    assert!(matches!(
        with(std::slice::from_ref(&retract)),
        Err(Refusal::ReviewSigned { .. })
    ));
    let sign_again = Change::ReviewSigned {
        by: "H".into(),
        role: "Leder".into(),
    };
    assert!(matches!(
        with(&[sign_again]),
        Err(Refusal::ReviewSigned { .. })
    ));
    let review = with(&[reopen.clone(), retract]).unwrap();
    assert!(review.signature.is_none());
    assert_eq!(
        review.state(&list(), q4(), today()),
        ReviewState::InProgress
    );
    assert_eq!(review.counts(&list(), q4()).open, 1);
    assert!(matches!(
        with(&[reopen.clone(), reopen]),
        Err(Refusal::NotSigned { .. })
    ));
}

#[test]
fn reopening_needs_a_reason_and_signing_a_name_and_role() {
    assert_eq!(
        run(&[Change::ReviewSigned {
            by: " ".into(),
            role: "x".into()
        }])
        .unwrap_err(),
        Refusal::Empty { what: "by" }
    );
    let all_done = vec![
        signed("plain", Outcome::Done, None),
        signed(
            "with-evidence",
            Outcome::NotApplicable,
            Some("Ingen ansøgninger"),
        ),
    ];
    let mut no_role = all_done.clone();
    no_role.push(Change::ReviewSigned {
        by: "H".into(),
        role: "".into(),
    });
    assert_eq!(run(&no_role).unwrap_err(), Refusal::Empty { what: "role" });
    let mut no_reason = all_done;
    no_reason.push(Change::ReviewSigned {
        by: "H".into(),
        role: "Leder".into(),
    });
    no_reason.push(Change::ReviewReopened {
        by: "H".into(),
        reason: "".into(),
    });
    assert_eq!(
        run(&no_reason).unwrap_err(),
        Refusal::Empty { what: "reason" }
    );
}

#[test]
fn items_must_belong_to_the_review() {
    assert!(matches!(
        run(&[signed("nope", Outcome::Done, None)]),
        Err(Refusal::UnknownItem { .. })
    ));
    assert!(matches!(
        run(&[signed("yearly", Outcome::Done, None)]),
        Err(Refusal::WrongCadence { .. })
    ));
    assert!(matches!(
        run(&[Change::ItemRetracted {
            item: "plain".into(),
            by: "H".into()
        }]),
        Err(Refusal::NothingToRetract { .. })
    ));
}

#[test]
fn a_period_that_has_not_begun_takes_nothing() {
    let review = Review::default();
    let q1_2027: Period = "2027-Q1".parse().unwrap();
    let err = review
        .check(
            &list(),
            q1_2027,
            today(),
            &signed("plain", Outcome::Done, None),
        )
        .unwrap_err();
    assert_eq!(
        err,
        Refusal::PeriodNotBegun {
            period: "2027-Q1".into()
        }
    );
}

#[test]
fn states_follow_the_calendar_and_the_events() {
    let l = list();
    let empty = Review::default();
    let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
    assert_eq!(empty.state(&l, q4(), d(9, 30)), ReviewState::Upcoming);
    assert_eq!(empty.state(&l, q4(), d(10, 1)), ReviewState::NotStarted);
    let started = run(&[signed("plain", Outcome::Done, None)]).unwrap();
    assert_eq!(started.state(&l, q4(), d(12, 31)), ReviewState::InProgress);
    let next_year = NaiveDate::from_ymd_opt(2027, 1, 1).unwrap();
    assert_eq!(started.state(&l, q4(), next_year), ReviewState::Overdue);
    let counts = started.counts(&l, q4());
    assert_eq!((counts.items, counts.done, counts.open), (2, 1, 1));
}

#[test]
fn a_changed_item_text_is_noticed() {
    let review = run(&[signed("plain", Outcome::Done, None)]).unwrap();
    let mut l = list();
    assert!(!review.changed_since_sign_off(l.item("plain").unwrap()));
    l.items[0].guidance = "Ny vejledning".into();
    assert!(review.changed_since_sign_off(&l.items[0]));
}

#[test]
fn sign_off_events_are_stored_in_a_pinned_form() {
    // The chain hashes the stored payload, and the record prints what it says: these bytes
    // must not move. Version 1 (no text) is read and written back unchanged.
    let v1 = r#"{"type":"item-signed","item":"plain","status":"done","note":null,"by":"H","fingerprint":"ab"}"#;
    let change: Change = serde_json::from_str(v1).unwrap();
    assert!(matches!(change, Change::ItemSigned { text: None, .. }));
    assert_eq!(serde_json::to_string(&change).unwrap(), v1);

    // Version 2 stores the item's text as it was, beside its fingerprint.
    let list = list();
    let item = list.item("with-evidence").unwrap();
    let change = Change::item_signed(item, Outcome::Done, Some("3".into()), "H".into());
    let v2 = concat!(
        r#"{"type":"item-signed","item":"with-evidence","status":"done","note":"3","by":"H","#,
        r#""fingerprint":"c222303473bc1d1fd122012d21e673572854ca9fe0559ffe6f3ee8959270005c","#,
        r#""text":{"title":"With evidence","guidance":"","responsible":null,"source":"§2","#,
        r#""evidence":"Antal slettede","caveat":null,"walkthrough":false}}"#
    );
    assert_eq!(serde_json::to_string(&change).unwrap(), v2);
    assert_eq!(serde_json::from_str::<Change>(v2).unwrap(), change);
    let Change::ItemSigned {
        fingerprint, text, ..
    } = &change
    else {
        unreachable!()
    };
    assert_eq!(*fingerprint, item.fingerprint());
    assert_eq!(
        text.as_ref()
            .unwrap()
            .fingerprint("with-evidence", Cadence::Quarterly),
        *fingerprint
    );

    // An unknown field in the text is refused, not silently dropped.
    let extra = v2.replace(r#""walkthrough":false}"#, r#""walkthrough":false,"x":1}"#);
    assert!(serde_json::from_str::<Change>(&extra).is_err());
}
