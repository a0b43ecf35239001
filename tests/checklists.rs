//! Loading checklists: the shipped ones load cleanly, and every kind of bad file is refused
//! with its file, line and column.

use std::fs;
use std::path::Path;

use aarshjul::checklist::{Problem, load_dir, parse};
use aarshjul::i18n::Lang;
use aarshjul::period::Cadence;

const GOOD: &str = r#"schema = 1

[organisation]
id = "demo"
name = "Demo ApS"
policy = "Demos persondatapolitik"

[[item]]
id = "a"
cadence = "yearly"
title = "Gør noget"
source = "§1"
"#;

/// Parses `text` as `demo.toml` and returns its problems (the load must fail).
fn problems(text: &str) -> Vec<Problem> {
    parse(Path::new("demo.toml"), text.as_bytes(), Lang::En).expect_err("should be refused")
}

/// The only problem, as `file:line:col: message`.
fn one(text: &str) -> String {
    let p = problems(text);
    assert_eq!(p.len(), 1, "expected one problem, got {p:?}");
    p[0].to_string()
}

#[test]
fn the_shipped_checklists_load_cleanly() {
    let lists = load_dir(Path::new("checklists"), Lang::Da).expect("shipped checklists load");
    let ids: Vec<_> = lists.iter().map(|l| l.organisation.id.as_str()).collect();
    assert_eq!(ids, ["fordelingssekretariatet", "skgr"]);
    for list in &lists {
        assert!(
            list.walkthrough_item().is_some(),
            "{} has a walkthrough item",
            list.organisation.id
        );
        assert!(!list.walkthrough.is_empty());
        for item in &list.items {
            assert!(!item.source.is_empty(), "{} has a source", item.id);
            assert!(!item.guidance.is_empty(), "{} has guidance", item.id);
        }
    }
}

#[test]
fn the_shipped_checklists_carry_every_stated_duty() {
    let lists = load_dir(Path::new("checklists"), Lang::Da).unwrap();
    let skgr = lists.iter().find(|l| l.organisation.id == "skgr").unwrap();
    let cadence = |id: &str| {
        skgr.item(id)
            .unwrap_or_else(|| panic!("skgr lacks {id}"))
            .cadence
    };
    assert_eq!(cadence("udskrevne-borgere"), Cadence::Yearly);
    assert!(
        skgr.item("udskrevne-borgere").unwrap().caveat.is_some(),
        "2 vs 5 years"
    );
    assert_eq!(cadence("interne-retningslinjer"), Cadence::Yearly);
    assert_eq!(cadence("personalemoede-gennemgang"), Cadence::Yearly);
    assert!(skgr.item("personalemoede-gennemgang").unwrap().walkthrough);
    assert_eq!(cadence("firewall-virus"), Cadence::Yearly);
    assert_eq!(cadence("borgeradgang-danjournal"), Cadence::HalfYearly);
    assert!(
        skgr.item("borgeradgang-danjournal")
            .unwrap()
            .caveat
            .is_some(),
        "6 months vs every month"
    );
    assert_eq!(cadence("enheder-skgr-oprydning"), Cadence::Quarterly);
    assert_eq!(cadence("egne-enheder-oprydning"), Cadence::Monthly);

    let fs_ = lists
        .iter()
        .find(|l| l.organisation.id == "fordelingssekretariatet")
        .unwrap();
    // The policy's sections are numbered points, not law sections: "Pkt. 5", never "§5".
    for (id, source) in [
        (
            "kontrol-noedvendige-oplysninger",
            "Pkt. 5 »Arkivering og sletning«",
        ),
        (
            "oplysningspligt-laererregistret",
            "Pkt. 6 »Oplysningspligt«",
        ),
        (
            "regler-ajourfoering",
            "Pkt. 13 »Ajourføring og instruktion«",
        ),
        (
            "personalegennemgang",
            "Pkt. 13 »Ajourføring og instruktion«",
        ),
    ] {
        let item = fs_
            .item(id)
            .unwrap_or_else(|| panic!("fordelingssekretariatet lacks {id}"));
        assert_eq!(item.cadence, Cadence::Yearly);
        assert!(item.source.starts_with(source), "{id}: {}", item.source);
    }
    for item in &fs_.items {
        assert!(
            item.source.starts_with("Pkt. ") || item.source.starts_with("Afledt af pkt. "),
            "{}: {}",
            item.id,
            item.source
        );
    }
    assert!(fs_.item("personalegennemgang").unwrap().walkthrough);
}

#[test]
fn a_good_file_loads() {
    let list = parse(Path::new("demo.toml"), GOOD.as_bytes(), Lang::En).unwrap();
    assert_eq!(
        list.organisation.language,
        Lang::Da,
        "language defaults to da"
    );
    assert_eq!(list.items[0].cadence, Cadence::Yearly);
}

#[test]
fn an_unknown_key_is_named_with_what_is_allowed() {
    let text = GOOD.replace("source = \"§1\"", "source = \"§1\"\nowner = \"x\"");
    let p = one(&text);
    assert!(p.starts_with("demo.toml:13:1: "), "{p}");
    assert!(
        p.contains("unknown field `owner`") && p.contains("evidence"),
        "{p}"
    );
}

#[test]
fn an_unknown_top_level_key_is_refused() {
    let p = one(&format!("{GOOD}\n[extra]\nx = 1\n"));
    assert!(p.starts_with("demo.toml:14:2: unknown key `extra`"), "{p}");
}

#[test]
fn a_wrong_type_is_refused() {
    let p = one(&GOOD.replace("title = \"Gør noget\"", "title = 5"));
    assert!(p.starts_with("demo.toml:11:9: "), "{p}");
    assert!(
        p.contains("wrong kind of value: the number 5 stands where a text in quotes belongs"),
        "{p}"
    );
}

#[test]
fn a_bad_cadence_lists_the_allowed_ones() {
    let p = one(&GOOD.replace("cadence = \"yearly\"", "cadence = \"weekly\""));
    assert_eq!(
        p,
        "demo.toml:10:11: unknown cadence `weekly`: use one of monthly, quarterly, half-yearly, yearly"
    );
}

#[test]
fn a_bad_id_says_what_ids_may_hold() {
    let p = one(&GOOD.replace("id = \"a\"", "id = \"Ærlig Sag\""));
    assert_eq!(
        p,
        "demo.toml:9:6: invalid id `Ærlig Sag`: only lower-case letters a-z, digits and hyphens"
    );
}

#[test]
fn a_duplicate_id_names_both_places() {
    let dup = "\n[[item]]\nid = \"a\"\ncadence = \"monthly\"\ntitle = \"Igen\"\nsource = \"§2\"\n";
    let p = one(&format!("{GOOD}{dup}"));
    assert!(
        p.starts_with("demo.toml:15:6: duplicate id `a` (first used on line 9)"),
        "{p}"
    );
}

#[test]
fn an_empty_title_is_refused() {
    let p = one(&GOOD.replace("title = \"Gør noget\"", "title = \"  \""));
    assert_eq!(p, "demo.toml:11:9: `title` must not be empty");
}

#[test]
fn a_missing_organisation_is_refused() {
    let i = GOOD.find("[organisation]").unwrap();
    let j = GOOD.find("[[item]]").unwrap();
    let text = format!("{}{}", &GOOD[..i], &GOOD[j..]);
    let p = one(&text);
    assert!(
        p.starts_with("demo.toml:1:1: the [organisation] table is missing"),
        "{p}"
    );
}

#[test]
fn a_missing_field_is_named() {
    let p = one(&GOOD.replace("source = \"§1\"\n", ""));
    assert!(
        p.starts_with("demo.toml:8:1: ") && p.contains("the field `source` is missing"),
        "{p}"
    );
}

#[test]
fn a_syntax_error_points_at_the_spot() {
    let p = problems(&GOOD.replace("title = \"Gør noget\"", "title = \"Gør noget"));
    assert!(!p.is_empty());
    let first = p[0].to_string();
    assert!(first.starts_with("demo.toml:11:"), "{first}");
    assert!(
        first.contains("the text lacks its closing quote"),
        "{first}"
    );
}

#[test]
fn an_empty_file_is_refused() {
    assert_eq!(
        one(""),
        "demo.toml:1:1: the file is empty: a checklist needs `schema = 1`, an [organisation] and at least one [[item]]"
    );
    assert!(one("\n  \n# only a comment\n").contains("the file is empty"));
}

#[test]
fn invalid_utf8_is_refused_at_the_first_bad_byte() {
    let mut bytes = b"schema = 1\n# caf".to_vec();
    bytes.push(0xe9); // Latin-1 é
    let p = parse(Path::new("demo.toml"), &bytes, Lang::En).unwrap_err();
    assert_eq!(
        p[0].to_string(),
        "demo.toml:2:6: the file is not valid UTF-8 text (save it as UTF-8)"
    );
}

#[test]
fn several_problems_in_one_file_are_all_listed() {
    let text = GOOD.replace("cadence = \"yearly\"", "cadence = \"weekly\"")
        + "\n[[item]]\nid = \"B\"\ncadence = \"yearly\"\ntitle = \"\"\nsource = \"§2\"\n";
    let p = problems(&text);
    let lines: Vec<String> = p.iter().map(|p| p.to_string()).collect();
    assert_eq!(lines.len(), 3, "{lines:#?}");
    assert!(lines[0].contains("unknown cadence"));
    assert!(lines[1].contains("invalid id `B`"));
    assert!(lines[2].contains("`title` must not be empty"));
}

#[test]
fn schema_version_cvr_and_language_are_checked() {
    assert!(
        one(&GOOD.replace("schema = 1", "schema = 2"))
            .starts_with("demo.toml:1:10: unknown schema version")
    );
    let p = one(&GOOD.replace("name = \"Demo ApS\"", "name = \"Demo ApS\"\ncvr = \"1234\""));
    assert_eq!(
        p,
        "demo.toml:6:7: invalid CVR number `1234`: must be 8 digits"
    );
    let p = one(&GOOD.replace(
        "name = \"Demo ApS\"",
        "name = \"Demo ApS\"\nlanguage = \"sv\"",
    ));
    assert_eq!(p, "demo.toml:6:12: unknown language `sv`: use `da` or `en`");
}

#[test]
fn walkthrough_items_are_yearly_and_single() {
    let p = one(&GOOD.replace(
        "cadence = \"yearly\"",
        "cadence = \"monthly\"\nwalkthrough = true",
    ));
    assert!(
        p.starts_with("demo.toml:11:15: `walkthrough = true` needs"),
        "{p}"
    );
}

#[test]
fn danish_messages_in_danish() {
    let p = parse(
        Path::new("demo.toml"),
        GOOD.replace("title = \"Gør noget\"", "title = \"\"")
            .as_bytes(),
        Lang::Da,
    )
    .unwrap_err();
    assert_eq!(p[0].to_string(), "demo.toml:11:9: `title` må ikke være tom");
}

fn dir_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

#[test]
fn a_duplicate_organisation_across_files_names_both_files() {
    let dir = dir_with(&[("a.toml", GOOD), ("b.toml", GOOD)]);
    let err = load_dir(dir.path(), Lang::En).unwrap_err();
    assert_eq!(err.0.len(), 1);
    let msg = err.0[0].to_string();
    assert!(msg.contains("b.toml") && msg.contains("a.toml"), "{msg}");
    assert!(
        msg.contains("organisation id `demo` is also used in"),
        "{msg}"
    );
}

#[test]
fn one_bad_file_means_nothing_loads_and_every_file_is_reported() {
    let other = GOOD.replace("id = \"demo\"", "id = \"other\"");
    let dir = dir_with(&[
        (
            "a.toml",
            &GOOD.replace("title = \"Gør noget\"", "title = \"\""),
        ),
        ("b.toml", &other),
        ("c.toml", "schema = "),
        ("notes.txt", "not a checklist"),
    ]);
    let err = load_dir(dir.path(), Lang::En).unwrap_err();
    let files: Vec<_> = err
        .0
        .iter()
        .map(|p| p.file.file_name().unwrap().to_owned())
        .collect();
    assert_eq!(files, ["a.toml", "c.toml"]);
}

#[test]
fn missing_and_empty_directories_are_clear() {
    let dir = tempfile::tempdir().unwrap();
    let msg = load_dir(dir.path(), Lang::En).unwrap_err().to_string();
    assert!(
        msg.ends_with("the directory holds no .toml checklists"),
        "{msg}"
    );
    let msg = load_dir(&dir.path().join("nope"), Lang::En)
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("the checklist directory does not exist"),
        "{msg}"
    );
}

#[test]
fn arbitrary_bytes_never_panic() {
    // A cheap sweep: every prefix of a good file and some binary noise.
    for end in 0..GOOD.len() {
        if GOOD.is_char_boundary(end) {
            let _ = parse(Path::new("x.toml"), &GOOD.as_bytes()[..end], Lang::En);
        }
    }
    let noise: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    assert!(parse(Path::new("x.toml"), &noise, Lang::En).is_err());
}
