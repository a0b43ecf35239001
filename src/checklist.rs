//! Checklists: the TOML files in which an organisation writes down its recurring duties.
//!
//! Loading is strict and all-or-nothing: unknown keys, wrong types, bad ids or cadences,
//! duplicates and empty titles are refused with `file:line:column`, what is wrong and what is
//! allowed. Each `[organisation]`, `[[item]]` and `[[walkthrough]]` is read on its own, so one
//! run lists every problem in a file rather than stopping at the first.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use toml::Spanned;
use toml::de::{DeTable, DeValue, ValueDeserializer};

use crate::i18n::Lang;
use crate::period::Cadence;

/// One organisation's checklist, as loaded from one file.
#[derive(Debug, Clone, PartialEq)]
pub struct Checklist {
    pub path: PathBuf,
    pub organisation: Organisation,
    pub items: Vec<Item>,
    pub walkthrough: Vec<Section>,
}

/// Who the checklist belongs to; shown on every screen and in the PDF header.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Organisation {
    pub id: String,
    pub name: String,
    pub cvr: Option<String>,
    pub address: Option<String>,
    pub policy: String,
    /// The language the checklist's texts are written in; the PDF follows it.
    pub language: Lang,
    /// The organisation's own deadline for answering a data-subject request, in days, when
    /// shorter than the GDPR's one month (`request_deadline_days = 28`); see
    /// [`crate::request::Limit`].
    pub request_deadline_days: Option<u32>,
    /// When the organisation began using aarshjul (`in_use_from`): reviews whose period
    /// ended before it are not due. `None`: see [`crate::status::in_use_from`].
    pub in_use_from: Option<NaiveDate>,
}

/// One recurring duty.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Item {
    pub id: String,
    pub cadence: Cadence,
    pub title: String,
    pub guidance: String,
    pub responsible: Option<String>,
    /// Where in the policy the duty stands (or "Afledt af …" for a derived check).
    pub source: String,
    /// What the note must record; when set, a note is required to mark the item done.
    pub evidence: Option<String>,
    /// An ambiguity in the policy the reviewer must see.
    pub caveat: Option<String>,
    /// Completed by a staff-meeting walkthrough session.
    pub walkthrough: bool,
    /// Looks back on the register of data-subject requests (`requests = true`): the year's
    /// register summary is shown beside it. Not part of the item's text fingerprint.
    pub requests: bool,
}

/// One section shown at the staff meeting.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Section {
    pub title: String,
    pub text: String,
}

/// An item's wording: every field its fingerprint covers except the id and cadence, which a
/// sign-off event carries anyway (its item and its period). Since event version 2 a sign-off
/// stores it, so the record can print the text that was actually signed. Its stored JSON is
/// pinned by a golden test in `review::tests`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemText {
    pub title: String,
    pub guidance: String,
    pub responsible: Option<String>,
    pub source: String,
    pub evidence: Option<String>,
    pub caveat: Option<String>,
    pub walkthrough: bool,
}

impl ItemText {
    /// SHA-256 (hex) of this text as the item `id` of `cadence`: what a sign-off stores, so a
    /// later change of the duty's wording is visible against the sign-off.
    ///
    /// The hashed form is fixed here, field by field and versioned (`"v":1`), rather than
    /// following `Item`'s layout: a field added to `Item` must not make every stored sign-off
    /// look changed. A golden test pins the bytes.
    pub fn fingerprint(&self, id: &str, cadence: Cadence) -> String {
        #[derive(Serialize)]
        struct ItemTextV1<'a> {
            v: u8,
            id: &'a str,
            cadence: &'a str,
            title: &'a str,
            guidance: &'a str,
            responsible: Option<&'a str>,
            source: &'a str,
            evidence: Option<&'a str>,
            caveat: Option<&'a str>,
            walkthrough: bool,
        }
        let text = ItemTextV1 {
            v: 1,
            id,
            cadence: cadence.key(),
            title: &self.title,
            guidance: &self.guidance,
            responsible: self.responsible.as_deref(),
            source: &self.source,
            evidence: self.evidence.as_deref(),
            caveat: self.caveat.as_deref(),
            walkthrough: self.walkthrough,
        };
        let canonical = serde_json::to_vec(&text).expect("strings and booleans always serialise");
        hex(&Sha256::digest(canonical))
    }
}

impl Item {
    /// The item's wording as it stands in the checklist now.
    pub fn text(&self) -> ItemText {
        ItemText {
            title: self.title.clone(),
            guidance: self.guidance.clone(),
            responsible: self.responsible.clone(),
            source: self.source.clone(),
            evidence: self.evidence.clone(),
            caveat: self.caveat.clone(),
            walkthrough: self.walkthrough,
        }
    }

    /// SHA-256 (hex) of the item's text now; see [`ItemText::fingerprint`].
    pub fn fingerprint(&self) -> String {
        self.text().fingerprint(&self.id, self.cadence)
    }
}

/// SHA-256 (hex) of the staff-meeting sections as shown: which text the staff actually heard.
///
/// Form 1, fixed here field by field rather than following `Section`'s layout, and pinned by
/// a golden test: the compact JSON array `[{"title":…,"text":…},…]` in the order shown.
/// Meetings recorded so far carry this form, so it must not move; a later form must be a
/// JSON object starting with `{"v":2` so that the two cannot be confused.
pub fn sections_fingerprint(sections: &[Section]) -> String {
    #[derive(Serialize)]
    struct SectionV1<'a> {
        title: &'a str,
        text: &'a str,
    }
    let form: Vec<SectionV1> = sections
        .iter()
        .map(|s| SectionV1 {
            title: &s.title,
            text: &s.text,
        })
        .collect();
    let canonical = serde_json::to_vec(&form).expect("strings always serialise");
    hex(&Sha256::digest(canonical))
}

impl Checklist {
    /// The items of one cadence, in file order: what one review covers.
    pub fn items_of(&self, cadence: Cadence) -> impl Iterator<Item = &Item> {
        self.items.iter().filter(move |i| i.cadence == cadence)
    }

    pub fn item(&self, id: &str) -> Option<&Item> {
        self.items.iter().find(|i| i.id == id)
    }

    /// The yearly item completed by a staff-meeting walkthrough, if any.
    pub fn walkthrough_item(&self) -> Option<&Item> {
        self.items.iter().find(|i| i.walkthrough)
    }
}

/// Lower-case hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    // Not `format!` per byte: the chain check hashes every event of the store before each
    // write, and that allocated 32 strings per event.
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    s
}

/// One thing wrong with a checklist, at a place in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub file: PathBuf,
    /// 1-based line and column (in characters); `None` for a problem with a whole file or
    /// directory.
    pub at: Option<(usize, usize)>,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.at {
            Some((line, col)) => {
                write!(f, "{}:{line}:{col}: {}", self.file.display(), self.message)
            }
            None => write!(f, "{}: {}", self.file.display(), self.message),
        }
    }
}

/// Every problem found in a load; a load with any problem yields no checklists at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problems(pub Vec<Problem>);

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{p}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Problems {}

mod messages;

/// The largest checklist file read: the shipped ones are under 40 KB.
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// Loads every `*.toml` file in `dir` (not recursively), in name order.
/// All or nothing: any problem in any file means no checklist is returned.
pub fn load_dir(dir: &Path, lang: Lang) -> Result<Vec<Checklist>, Problems> {
    let whole = |message: String| {
        Problems(vec![Problem {
            file: dir.to_path_buf(),
            at: None,
            message,
        }])
    };
    let entries = std::fs::read_dir(dir).map_err(|e| {
        whole(match e.kind() {
            std::io::ErrorKind::NotFound => lang
                .pick(
                    "mappen med tjeklister findes ikke (angiv en anden med --checklists)",
                    "the checklist directory does not exist (name another with --checklists)",
                )
                .to_string(),
            std::io::ErrorKind::NotADirectory => lang
                .pick("er ikke en mappe", "is not a directory")
                .to_string(),
            _ => format!("{}: {e}", lang.pick("kan ikke læses", "cannot be read")),
        })
    })?;
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml") && !p.is_dir())
        .collect();
    paths.sort();
    if paths.is_empty() {
        return Err(whole(
            lang.pick(
                "mappen indeholder ingen .toml-tjeklister",
                "the directory holds no .toml checklists",
            )
            .to_string(),
        ));
    }
    let mut problems = Vec::new();
    let mut lists = Vec::new();
    let mut texts: HashMap<PathBuf, String> = HashMap::new();
    for path in &paths {
        let parsed = match crate::files::read_regular(path, MAX_FILE_BYTES) {
            Ok(bytes) => {
                texts.insert(path.clone(), String::from_utf8_lossy(&bytes).into_owned());
                parse(path, &bytes, lang)
            }
            Err(e) => Err(vec![Problem {
                file: path.clone(),
                at: None,
                message: e.message(lang),
            }]),
        };
        match parsed {
            Ok(list) => lists.push(list),
            Err(mut p) => problems.append(&mut p),
        }
    }
    // An organisation id names one organisation across all files.
    let mut seen: HashMap<&str, &Checklist> = HashMap::new();
    for list in &lists {
        if let Some(first) = seen.insert(&list.organisation.id, list) {
            problems.push(Problem {
                file: list.path.clone(),
                at: texts.get(&list.path).and_then(|t| organisation_id_at(t)),
                message: format!(
                    "{} `{}` {} {}",
                    lang.pick("organisations-id", "organisation id"),
                    list.organisation.id,
                    lang.pick("bruges også i", "is also used in"),
                    first.path.display()
                ),
            });
            seen.insert(&first.organisation.id, first);
        }
    }
    if problems.is_empty() {
        Ok(lists)
    } else {
        Err(Problems(problems))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOrganisation {
    id: Spanned<String>,
    name: Spanned<String>,
    cvr: Option<Spanned<String>>,
    address: Option<String>,
    policy: Spanned<String>,
    language: Option<Spanned<String>>,
    request_deadline_days: Option<Spanned<i64>>,
    in_use_from: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawItem {
    id: Spanned<String>,
    cadence: Spanned<String>,
    title: Spanned<String>,
    #[serde(default)]
    guidance: String,
    responsible: Option<String>,
    source: Spanned<String>,
    evidence: Option<String>,
    caveat: Option<String>,
    walkthrough: Option<Spanned<bool>>,
    requests: Option<Spanned<bool>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSection {
    title: Spanned<String>,
    text: Spanned<String>,
}

/// Reads one checklist from its bytes; `path` names it in messages.
pub fn parse(path: &Path, bytes: &[u8], lang: Lang) -> Result<Checklist, Vec<Problem>> {
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let valid = std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or_default();
            return Err(vec![Problem {
                file: path.to_path_buf(),
                at: Some(position(valid, valid.len())),
                message: lang
                    .pick(
                        "filen er ikke gyldig UTF-8-tekst (gem den som UTF-8)",
                        "the file is not valid UTF-8 text (save it as UTF-8)",
                    )
                    .to_string(),
            }]);
        }
    };
    let mut reader = Reader {
        path,
        text,
        lang,
        problems: Vec::new(),
    };
    let list = reader.read();
    match list {
        Some(list) if reader.problems.is_empty() => Ok(list),
        _ => Err(reader.problems),
    }
}

/// Where `[organisation]`'s `id` value stands in a checklist's text.
fn organisation_id_at(text: &str) -> Option<(usize, usize)> {
    let (root, _) = DeTable::parse_recoverable(text);
    let root = root.into_inner();
    let organisation = root.get("organisation")?;
    let id = organisation.get_ref().as_table()?.get("id")?;
    Some(position(text, id.span().start))
}

/// 1-based line and character column of a byte offset.
fn position(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

struct Reader<'a> {
    path: &'a Path,
    text: &'a str,
    lang: Lang,
    problems: Vec<Problem>,
}

const ID_RULE_DA: &str = "kun små bogstaver a-z, cifre og bindestreg";
const ID_RULE_EN: &str = "only lower-case letters a-z, digits and hyphens";

impl Reader<'_> {
    fn problem(&mut self, offset: usize, message: String) {
        self.problems.push(Problem {
            file: self.path.to_path_buf(),
            at: Some(position(self.text, offset)),
            message,
        });
    }

    fn toml_error(&mut self, e: &toml::de::Error) {
        let offset = e.span().map_or(0, |s| s.start);
        let message = messages::plain(e.message(), self.lang);
        self.problem(offset, message);
    }

    fn t(&self, da: &str, en: &str) -> String {
        self.lang.pick(da, en).to_string()
    }

    fn read(&mut self) -> Option<Checklist> {
        let (root, errors) = DeTable::parse_recoverable(self.text);
        if !errors.is_empty() {
            for e in &errors {
                self.toml_error(e);
            }
            return None;
        }
        let root = root.into_inner();
        if root.is_empty() {
            let m = self.t(
                "filen er tom: en tjekliste skal have `schema = 1`, en [organisation] og mindst ét [[item]]",
                "the file is empty: a checklist needs `schema = 1`, an [organisation] and at least one [[item]]",
            );
            self.problem(0, m);
            return None;
        }
        let mut has_schema = false;
        let mut organisation = None;
        let mut items = Vec::new();
        let mut sections = Vec::new();
        for (key, value) in root.iter() {
            let at = key.span().start;
            match key.get_ref().as_ref() {
                "schema" => {
                    self.schema(value);
                    has_schema = true;
                }
                "organisation" => organisation = self.organisation(value),
                "item" => items = self.list(value, "item", Self::item),
                "walkthrough" => sections = self.list(value, "walkthrough", Self::section),
                other => {
                    let m = format!(
                        "{} `{other}`; {}: schema, [organisation], [[item]], [[walkthrough]]",
                        self.t("ukendt nøgle", "unknown key"),
                        self.t("tilladt er", "allowed are")
                    );
                    self.problem(at, m);
                }
            }
        }
        if !has_schema {
            let m = self.t(
                "`schema = 1` mangler øverst i filen",
                "`schema = 1` is missing at the top of the file",
            );
            self.problem(0, m);
        }
        if organisation.is_none() && !root.contains_key("organisation") {
            let m = self.t(
                "afsnittet [organisation] mangler (id, name, policy, …)",
                "the [organisation] table is missing (id, name, policy, …)",
            );
            self.problem(0, m);
        }
        if items.is_empty() && !root.contains_key("item") {
            let m = self.t(
                "tjeklisten har ingen [[item]]: der skal være mindst én pligt",
                "the checklist has no [[item]]: it needs at least one duty",
            );
            self.problem(0, m);
        }
        self.check_items(&items);
        let items = items.into_iter().map(|(_, item)| item).collect();
        Some(Checklist {
            path: self.path.to_path_buf(),
            organisation: organisation?,
            items,
            walkthrough: sections,
        })
    }

    fn schema(&mut self, value: &Spanned<DeValue>) {
        let ok = value
            .get_ref()
            .as_integer()
            .is_some_and(|i| i.as_str() == "1" && i.radix() == 10);
        if !ok {
            let m = self.t(
                "ukendt skemaversion; denne udgave af aarshjul læser `schema = 1`",
                "unknown schema version; this aarshjul reads `schema = 1`",
            );
            self.problem(value.span().start, m);
        }
    }

    /// Reads an array of tables (`[[item]]`), each element on its own.
    fn list<T>(
        &mut self,
        value: &Spanned<DeValue>,
        name: &str,
        read: fn(&mut Self, Spanned<DeValue>) -> Option<T>,
    ) -> Vec<T> {
        let Some(array) = value.get_ref().as_array() else {
            let m = format!(
                "`{name}` {} [[{name}]]",
                self.t(
                    "skal være en liste af tabeller skrevet som",
                    "must be a list of tables written as"
                )
            );
            self.problem(value.span().start, m);
            return Vec::new();
        };
        array
            .iter()
            .filter_map(|element| read(self, element.clone()))
            .collect()
    }

    fn deserialize<'de, T: Deserialize<'de>>(&mut self, value: Spanned<DeValue<'de>>) -> Option<T> {
        match T::deserialize(ValueDeserializer::from(value)) {
            Ok(t) => Some(t),
            Err(e) => {
                self.toml_error(&e);
                None
            }
        }
    }

    fn nonempty(&mut self, value: &Spanned<String>, key: &str) -> String {
        if value.get_ref().trim().is_empty() {
            let m = format!(
                "`{key}` {}",
                self.t("må ikke være tom", "must not be empty")
            );
            self.problem(value.span().start, m);
        }
        value.get_ref().trim().to_string()
    }

    fn id(&mut self, value: &Spanned<String>) -> String {
        let id = value.get_ref();
        let ok = !id.is_empty()
            && id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !ok {
            let m = format!(
                "{} `{id}`: {}",
                self.t("ugyldigt id", "invalid id"),
                self.t(ID_RULE_DA, ID_RULE_EN)
            );
            self.problem(value.span().start, m);
        }
        id.clone()
    }

    fn organisation(&mut self, value: &Spanned<DeValue>) -> Option<Organisation> {
        let raw: RawOrganisation = self.deserialize(value.clone())?;
        let id = self.id(&raw.id);
        let name = self.nonempty(&raw.name, "name");
        let policy = self.nonempty(&raw.policy, "policy");
        if let Some(cvr) = &raw.cvr {
            let ok = cvr.get_ref().len() == 8 && cvr.get_ref().bytes().all(|b| b.is_ascii_digit());
            if !ok {
                let m = format!(
                    "{} `{}`: {}",
                    self.t("ugyldigt CVR-nummer", "invalid CVR number"),
                    cvr.get_ref(),
                    self.t("skal være 8 cifre", "must be 8 digits")
                );
                self.problem(cvr.span().start, m);
            }
        }
        let language = match &raw.language {
            None => Lang::Da,
            Some(l) => Lang::parse(l.get_ref()).unwrap_or_else(|| {
                let m = format!(
                    "{} `{}`: {} `da` {} `en`",
                    self.t("ukendt sprog", "unknown language"),
                    l.get_ref(),
                    self.t("brug", "use"),
                    self.t("eller", "or")
                );
                self.problem(l.span().start, m);
                Lang::Da
            }),
        };
        let request_deadline_days = raw.request_deadline_days.and_then(|d| {
            match u32::try_from(*d.get_ref()) {
                Ok(days @ 1..=31) => Some(days),
                _ => {
                    let m = format!(
                        "`request_deadline_days = {}`: {}",
                        d.get_ref(),
                        self.t(
                            "skal være et antal dage fra 1 til 31; databeskyttelsesforordningens frist er én måned, og en organisation kan kun sætte en kortere",
                            "must be a number of days from 1 to 31; the GDPR's deadline is one month, and an organisation can only set a shorter one"
                        )
                    );
                    self.problem(d.span().start, m);
                    None
                }
            }
        });
        let in_use_from = raw.in_use_from.as_ref().and_then(|d| {
            let parsed = crate::period::parse_date(d.get_ref());
            if parsed.is_none() {
                let m = format!(
                    "{} `{}`: {}",
                    self.t("ugyldig dato i in_use_from", "invalid date in in_use_from"),
                    d.get_ref(),
                    self.t(
                        "skriv den som \"2026-09-01\" eller \"01.09.2026\"",
                        "write it as \"2026-09-01\" or \"01.09.2026\""
                    )
                );
                self.problem(d.span().start, m);
            }
            parsed
        });
        Some(Organisation {
            id,
            name,
            cvr: raw.cvr.map(|c| c.into_inner()),
            address: raw.address.filter(|a| !a.trim().is_empty()),
            policy,
            language,
            request_deadline_days,
            in_use_from,
        })
    }

    fn item(&mut self, value: Spanned<DeValue>) -> Option<(ItemSpans, Item)> {
        let raw: RawItem = self.deserialize(value)?;
        let id = self.id(&raw.id);
        let title = self.nonempty(&raw.title, "title");
        let source = self.nonempty(&raw.source, "source");
        let cadence = match Cadence::parse(raw.cadence.get_ref()) {
            Some(c) => c,
            None => {
                let m = format!(
                    "{} `{}`: {} monthly, quarterly, half-yearly, yearly",
                    self.t("ukendt kadence", "unknown cadence"),
                    raw.cadence.get_ref(),
                    self.t("brug en af", "use one of")
                );
                self.problem(raw.cadence.span().start, m);
                Cadence::Yearly
            }
        };
        let spans = ItemSpans {
            id: raw.id.span().start,
            walkthrough: raw
                .walkthrough
                .as_ref()
                .map_or(raw.id.span().start, |w| w.span().start),
            requests: raw
                .requests
                .as_ref()
                .map_or(raw.id.span().start, |w| w.span().start),
        };
        let optional =
            |s: Option<String>| s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
        Some((
            spans,
            Item {
                id,
                cadence,
                title,
                guidance: raw.guidance.trim().to_string(),
                responsible: optional(raw.responsible),
                source,
                evidence: optional(raw.evidence),
                caveat: optional(raw.caveat),
                walkthrough: raw.walkthrough.is_some_and(|w| w.into_inner()),
                requests: raw.requests.is_some_and(|r| r.into_inner()),
            },
        ))
    }

    fn section(&mut self, value: Spanned<DeValue>) -> Option<Section> {
        let raw: RawSection = self.deserialize(value)?;
        let title = self.nonempty(&raw.title, "title");
        let text = self.nonempty(&raw.text, "text");
        Some(Section { title, text })
    }

    fn check_items(&mut self, items: &[(ItemSpans, Item)]) {
        let mut first: HashMap<&str, usize> = HashMap::new();
        for (spans, item) in items {
            if let Some(earlier) = first.insert(&item.id, spans.id) {
                let (line, _) = position(self.text, earlier);
                let m = format!(
                    "{} `{}` ({} {line}); {}",
                    self.t("id bruges to gange", "duplicate id"),
                    item.id,
                    self.t("første gang på linje", "first used on line"),
                    self.t(
                        "hvert punkt skal have sit eget id",
                        "every item needs an id of its own"
                    )
                );
                self.problem(spans.id, m);
                first.insert(&item.id, earlier);
            }
        }
        let mut walkthrough_seen = false;
        for (spans, item) in items.iter().filter(|(_, i)| i.walkthrough) {
            if item.cadence != Cadence::Yearly {
                let m = self.t(
                    "`walkthrough = true` kræver `cadence = \"yearly\"`: personalemødet holdes årligt",
                    "`walkthrough = true` needs `cadence = \"yearly\"`: the staff meeting is yearly",
                );
                self.problem(spans.walkthrough, m);
            } else if walkthrough_seen {
                let m = self.t(
                    "kun ét punkt må have `walkthrough = true`",
                    "only one item may have `walkthrough = true`",
                );
                self.problem(spans.walkthrough, m);
            }
            walkthrough_seen = true;
        }
        for (spans, item) in items.iter().filter(|(_, i)| i.requests) {
            if item.cadence != Cadence::Yearly {
                let m = self.t(
                    "`requests = true` kræver `cadence = \"yearly\"`: registret over anmodninger gennemgås årligt",
                    "`requests = true` needs `cadence = \"yearly\"`: the register of requests is looked back on yearly",
                );
                self.problem(spans.requests, m);
            }
        }
    }
}

struct ItemSpans {
    id: usize,
    walkthrough: usize,
    requests: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_item_fingerprint_is_pinned() {
        let item = Item {
            id: "a".into(),
            cadence: Cadence::Yearly,
            title: "Gør noget".into(),
            guidance: "".into(),
            responsible: None,
            source: "§1".into(),
            evidence: Some("Antal".into()),
            caveat: None,
            walkthrough: false,
            requests: false,
        };
        // Changing this value changes every stored sign-off's fingerprint: it must not move.
        let canonical = r#"{"v":1,"id":"a","cadence":"yearly","title":"Gør noget","guidance":"","responsible":null,"source":"§1","evidence":"Antal","caveat":null,"walkthrough":false}"#;
        assert_eq!(
            item.fingerprint(),
            hex(&Sha256::digest(canonical.as_bytes()))
        );
        assert_eq!(
            item.fingerprint(),
            "bfd471477f5344a0ba7626b5d0f143e049467cf87dd8b98fc41453445d7e87c5"
        );
    }

    #[test]
    fn the_sections_fingerprint_is_pinned() {
        let sections = [
            Section {
                title: "Tavshedspligt".into(),
                text: "Alt, du hører »her«,\nbliver her.".into(),
            },
            Section {
                title: "Brud".into(),
                text: "Sig det straks.".into(),
            },
        ];
        // Meetings store this value: it must not move (a new form gets `{"v":2…}`).
        let canonical = r#"[{"title":"Tavshedspligt","text":"Alt, du hører »her«,\nbliver her."},{"title":"Brud","text":"Sig det straks."}]"#;
        assert_eq!(
            sections_fingerprint(&sections),
            hex(&Sha256::digest(canonical.as_bytes()))
        );
        assert_eq!(
            sections_fingerprint(&sections),
            "5ba112568531c0ae08bcff0b0ce74acf6cd4785f8734f6506faff4b4e601e695"
        );
        // The form before it was spelled out here: serde's own serialisation of the slice.
        assert_eq!(
            sections_fingerprint(&sections),
            hex(&Sha256::digest(serde_json::to_vec(&sections[..]).unwrap()))
        );
    }

    #[test]
    fn positions_count_characters_not_bytes() {
        let text = "a = 1\nø = \"æ\"\n";
        assert_eq!(position(text, 0), (1, 1));
        assert_eq!(position(text, 6), (2, 1));
        let after_ae = text.find('æ').unwrap();
        assert_eq!(position(text, after_ae), (2, 6));
        assert_eq!(
            position(text, after_ae + 1),
            (2, 6),
            "inside a char rounds down"
        );
        assert_eq!(position(text, 999), (3, 1));
    }
}
