//! The record's page layout, read back from the PDF: the title and signing time kept whole,
//! the walkthrough sections listed once, and the signature block never alone on a page.

use aarshjul::checklist::{self, Checklist};
use aarshjul::i18n::Lang;
use aarshjul::pdf;
use aarshjul::period::Period;
use aarshjul::review::{Change, Event, Meeting, Outcome};
use chrono::{DateTime, NaiveDate, Utc};

const LIST: &str = r#"
schema = 1

[organisation]
id = "acme"
name = "Acme Care and Support Services of the Northern Region"
policy = "Acme privacy policy"
language = "en"

[[item]]
id = "folders"
cadence = "yearly"
title = "Review the discharged-clients folder"
source = "Section 3"

[[item]]
id = "access"
cadence = "yearly"
title = "Check who has access to the case system"
source = "Section 4"

[[item]]
id = "staff-meeting"
cadence = "yearly"
title = "Walk the staff through the policy"
source = "Section 5"
walkthrough = true
"#;

fn now() -> DateTime<Utc> {
    "2026-11-22T13:00:00Z".parse().unwrap()
}

fn list() -> (tempfile::TempDir, Checklist) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("acme.toml"), LIST).unwrap();
    let mut lists = checklist::load_dir(dir.path(), Lang::En).unwrap();
    (dir, lists.remove(0))
}

/// Every item done with `note`, two staff meetings shown the same sections, signed.
fn events(list: &Checklist, period: Period, note: &str) -> Vec<Event> {
    let mut changes = Vec::new();
    for (day, place) in [(3, "Head office"), (12, "North house")] {
        changes.push(Change::WalkthroughHeld(Meeting {
            date: NaiveDate::from_ymd_opt(2026, 11, day).unwrap(),
            department: place.into(),
            leader: "Jane Doe".into(),
            attendees: vec!["Ann".into(), "Bo".into()],
            sections: vec!["Secrecy".into(), "Mail".into(), "Log out".into()],
            sections_fingerprint: "00".into(),
        }));
    }
    for item in list.items_of(period.cadence()) {
        changes.push(Change::item_signed(
            item,
            Outcome::Done,
            Some(note.to_string()),
            "Jane Doe".into(),
        ));
    }
    changes.push(Change::ReviewSigned {
        by: "Jane Doe".into(),
        role: "Manager".into(),
    });
    changes
        .into_iter()
        .enumerate()
        .map(|(n, change)| Event {
            seq: n as i64 + 1,
            at: now(),
            org: list.organisation.id.clone(),
            period,
            change,
        })
        .collect()
}

/// Each page's text, its line breaks kept, words one space apart.
fn pages(bytes: &[u8]) -> Vec<String> {
    let doc = lopdf::Document::load_mem(bytes).unwrap();
    doc.get_pages()
        .keys()
        .map(|n| {
            doc.extract_text(&[*n])
                .unwrap()
                .lines()
                .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
                .collect::<Vec<_>>()
                .join("\n")
        })
        .collect()
}

#[test]
fn title_sections_and_signing_time_are_kept_whole() {
    let (_dir, list) = list();
    let period: Period = "2026".parse().unwrap();
    let built = pdf::build(
        &list,
        period,
        &events(&list, period, "Fine"),
        false,
        None,
        now(),
    )
    .unwrap();
    let pages = pages(&built.bytes);
    let all = pages.join("\n");
    let lines: Vec<&str> = all.lines().map(str::trim).collect();
    assert!(lines.contains(&"Yearly review 2026"), "{all}");
    assert!(
        lines.contains(&"1 January–31 December 2026"),
        "the span on a line of its own: {all}"
    );
    assert_eq!(
        all.matches("Sections shown").count(),
        1,
        "listed once for both meetings: {all}"
    );
    assert!(all.contains("Secrecy · Mail · Log out"), "{all}");
    let signed = lines
        .iter()
        .find(|l| l.starts_with("Signed:"))
        .unwrap_or_else(|| panic!("{all}"));
    assert!(signed.ends_with("22 November 2026 14:00"), "{signed}");
}

#[test]
fn the_signature_block_never_stands_alone_on_a_page() {
    let (_dir, list) = list();
    let period: Period = "2026".parse().unwrap();
    // Notes of growing length move the end of the history across a page boundary.
    let mut moved = false;
    for words in (20..420).step_by(20) {
        let note = "Checked and found in order. ".repeat(words / 5);
        let built = pdf::build(
            &list,
            period,
            &events(&list, period, &note),
            false,
            None,
            now(),
        )
        .unwrap();
        let pages = pages(&built.bytes);
        let last = pages.last().unwrap();
        assert!(last.contains("Signature"), "{words}: {last}");
        assert!(
            last.contains("— Jane Doe —"),
            "{words} words: the signature block has a history line with it: {last}"
        );
        let before = &pages[pages.len().saturating_sub(2)];
        moved |= pages.len() > 1 && !before.contains("Signature") && before.contains("History");
    }
    assert!(
        moved,
        "some length puts the history's start on the page before"
    );
}
