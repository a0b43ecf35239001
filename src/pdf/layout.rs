//! The record's pages with genpdf: A4, the header, summary, deviations, every item, staff
//! meetings, history and the signature block; a footer with "Side n af m" and the record
//! fingerprint on every page, and UDKAST / DRAFT across every page of a draft.
//!
//! genpdf calls the page decorator before a page is filled, when the page count is not yet
//! known, so the document is laid out twice: once to count the pages, once to print them.

use std::cell::Cell;
use std::collections::BTreeSet;
use std::rc::Rc;

use genpdf::render::Area;
use genpdf::style::{Color, Style};
use genpdf::{Context, Document, Margins, Mm, PageDecorator, Position};

use super::fonts;
use genpdf::elements::LinearLayout;

use super::text::{GREY, KEEP, KeepTogether, RED, Writer};
use crate::i18n::Lang;
use crate::period::local_date;
use crate::record::{Field, Record, RecordItem, RegisterTable, text_differences, when};
use crate::review::Outcome;

/// The page: A4, in millimetres.
const PAGE_WIDTH: f32 = 210.0;
const PAGE_HEIGHT: f32 = 297.0;
const SIDE: f32 = 20.0;
const TOP: f32 = 18.0;
const BOTTOM: f32 = 24.0;

/// Who signed the PDF digitally, as the signature block states it.
#[derive(Debug, Clone, PartialEq)]
pub struct CertSummary {
    /// The certificate's subject, e.g. "CN=Henriette Salmon, title=Leder, O=Støttekontaktgruppen".
    pub holder: String,
    /// SHA-256 of the certificate's DER encoding, in hex.
    pub fingerprint: String,
}

/// A laid-out record, before post-processing and signing.
pub struct Rendered {
    pub pdf: Vec<u8>,
    pub pages: usize,
    /// Characters of the record the fonts lack; each was printed as `?`.
    pub missing: BTreeSet<char>,
}

/// Lays out `record`. `cert` is the identity the PDF will be signed with (`None` for a draft).
pub fn render(
    record: &Record,
    draft: bool,
    cert: Option<&CertSummary>,
    exported: chrono::DateTime<chrono::Utc>,
) -> Result<Rendered, genpdf::error::Error> {
    let counted = Rc::new(Cell::new(0));
    let (first, _) = document(record, draft, cert, exported, 0, counted.clone())?;
    first.render(std::io::sink())?;
    let pages = counted.get();
    let printed = Rc::new(Cell::new(0));
    let (doc, missing) = document(record, draft, cert, exported, pages, printed.clone())?;
    let mut pdf = Vec::new();
    doc.render(&mut pdf)?;
    debug_assert_eq!(printed.get(), pages, "both passes paginate alike");
    Ok(Rendered {
        pdf,
        pages: printed.get(),
        missing,
    })
}

fn document(
    record: &Record,
    draft: bool,
    cert: Option<&CertSummary>,
    exported: chrono::DateTime<chrono::Utc>,
    total: usize,
    pages: Rc<Cell<usize>>,
) -> Result<(Document, BTreeSet<char>), genpdf::error::Error> {
    let lang = record.lang;
    let mut doc = Document::new(fonts::family()?);
    doc.set_minimal_conformance();
    doc.set_title(fonts::sanitise(&record.title, &mut BTreeSet::new()));
    doc.set_font_size(10);
    doc.set_line_spacing(1.25);
    let mut w = Writer::new(doc.font_cache(), Mm::from(PAGE_WIDTH - 2.0 * SIDE));
    body(&mut w, record, draft, cert, exported);
    let footer = Footer {
        page: 0,
        total,
        pages,
        left: w.clean(&format!(
            "{} · {}",
            record.organisation.name,
            record.period.review_title(lang)
        )),
        fingerprint: format!(
            "{}: {}",
            lang.pick(
                "Postens fingeraftryk (SHA-256)",
                "Record fingerprint (SHA-256)"
            ),
            record.fingerprint
        ),
        of: lang.pick(("Side", "af"), ("Page", "of")),
        draft: draft.then(|| {
            (
                lang.pick("UDKAST", "DRAFT"),
                lang.pick(
                    "UDKAST — ikke underskrevet, kan stadig ændres",
                    "DRAFT — not signed, may still change",
                ),
            )
        }),
    };
    let Writer { body, missing, .. } = w;
    doc.push(body);
    doc.set_page_decorator(footer);
    Ok((doc, missing))
}

fn body(
    w: &mut Writer<'_>,
    r: &Record,
    draft: bool,
    cert: Option<&CertSummary>,
    exported: chrono::DateTime<chrono::Utc>,
) {
    let lang = r.lang;
    let normal = Style::new().with_font_size(10);
    let small = Style::new().with_font_size(9);
    let heading = Style::new().bold().with_font_size(13);
    let org = &r.organisation;

    w.para(&org.name, Style::new().bold().with_font_size(18), 0.0);
    let mut line = Vec::new();
    if let Some(cvr) = &org.cvr {
        line.push(format!("CVR {cvr}"));
    }
    if let Some(address) = &org.address {
        line.push(address.clone());
    }
    if !line.is_empty() {
        w.para(&line.join(" · "), normal.with_color(GREY), 0.0);
    }
    w.para(&org.policy, normal.italic().with_color(GREY), 0.0);
    w.gap(0.6);
    // The title on one line and its span on the next, each kept whole: a long title never
    // leaves the year alone on a line.
    w.para(
        &keep(&r.period.review_title(lang)),
        Style::new().bold().with_font_size(14),
        0.0,
    );
    w.para(
        &keep(&r.period.span_words(lang)),
        normal.with_color(GREY),
        0.0,
    );
    w.rule();
    if draft {
        w.para(
            lang.pick(
                "UDKAST: gennemgangen er ikke underskrevet og kan stadig ændres. Dette dokument er ikke en underskrevet gennemgang.",
                "DRAFT: the review is not signed and may still change. This document is not a signed review.",
            ),
            normal.bold().with_color(RED),
            0.0,
        );
        w.gap(0.5);
    }

    w.para(lang.pick("Resumé", "Summary"), heading, 0.0);
    let c = r.counts;
    w.labelled(
        lang.pick("Punkter", "Items"),
        &format!(
            "{} {} — {} {}, {} {}, {} {}, {} {}",
            c.items,
            lang.pick("i alt", "in all"),
            c.done,
            lang.pick("udført", "done"),
            c.not_applicable,
            lang.pick("ikke relevant", "not applicable"),
            c.deviations,
            lang.pick(
                if c.deviations == 1 {
                    "afvigelse"
                } else {
                    "afvigelser"
                },
                if c.deviations == 1 {
                    "deviation"
                } else {
                    "deviations"
                }
            ),
            c.open,
            lang.pick("åbne", "open"),
        ),
        normal,
        0.0,
    );
    w.labelled(
        lang.pick("Periode", "Period"),
        &r.period.span_words(lang),
        normal,
        0.0,
    );
    let signed = match &r.signature {
        Some(s) => format!("{} ({}), {}", s.by, s.role, keep(&when(s.at, lang))),
        None => lang.pick("ikke underskrevet", "not signed").to_string(),
    };
    w.labelled(lang.pick("Underskrevet", "Signed"), &signed, normal, 0.0);
    if !r.meetings.is_empty() {
        let attendees: usize = r.meetings.iter().map(|m| m.attendees.len()).sum();
        w.labelled(
            lang.pick("Personalemøder", "Staff meetings"),
            &format!(
                "{} {}, {attendees} {}",
                r.meetings.len(),
                lang.pick("holdt", "held"),
                lang.pick("deltagere i alt", "attendees in all")
            ),
            normal,
            0.0,
        );
    }
    let changed = r.changed_items().count();
    if changed > 0 {
        w.para(
            &lang
                .pick(
                    "Obs: {n} punkt(er) er ændret i tjeklisten efter registreringen; de er markeret nedenfor.",
                    "Note: {n} item(s) changed in the checklist after their outcome was recorded; they are marked below.",
                )
                .replace("{n}", &changed.to_string()),
            normal.bold().with_color(RED),
            0.0,
        );
    }

    w.gap(0.6);
    w.para(lang.pick("Afvigelser", "Deviations"), heading, 0.0);
    let deviations: Vec<&RecordItem> = r.deviations().collect();
    if deviations.is_empty() {
        w.para(
            lang.pick("Ingen afvigelser.", "No deviations."),
            normal,
            0.0,
        );
    }
    for item in deviations {
        w.para(&item.title, normal.bold(), 0.0);
        if let Some(note) = item.sign_off.as_ref().and_then(|s| s.note.as_deref()) {
            w.para(note, normal, 5.0);
        }
    }

    if !r.actions.is_empty() {
        w.gap(0.6);
        w.para(
            lang.pick("Opfølgning på afvigelser", "Follow-up of deviations"),
            heading,
            0.0,
        );
        for a in &r.actions {
            let title = r
                .items
                .iter()
                .find(|i| i.id == a.item)
                .map_or(a.item.as_str(), |i| i.title.as_str());
            w.para(&format!("{title}: {}", a.action), normal.bold(), 0.0);
            w.para(
                &format!(
                    "{}: {} · {}: {}",
                    lang.pick("Ansvarlig", "Responsible"),
                    a.owner,
                    lang.pick("Frist", "Due"),
                    lang.date(a.due)
                ),
                small,
                5.0,
            );
            let state = match &a.closed {
                Some(c) => format!(
                    "{} {} {}: {}",
                    lang.pick("Lukket", "Closed"),
                    when(c.at, lang),
                    lang.pick(&format!("af {}", c.by), &format!("by {}", c.by)),
                    c.note
                ),
                None => lang.pick("Åben", "Open").to_string(),
            };
            w.para(
                &format!("{}: {state}", lang.pick("Status", "State")),
                small,
                5.0,
            );
        }
    }

    w.gap(0.6);
    w.para(lang.pick("Punkter", "Items"), heading, 0.0);
    for (n, item) in r.items.iter().enumerate() {
        item_block(w, lang, n + 1, item, normal, small);
    }

    if !r.meetings.is_empty() {
        w.gap(0.6);
        w.para(
            lang.pick("Gennemgang på personalemøder", "Staff-meeting walkthroughs"),
            heading,
            0.0,
        );
        // The sections are listed once, above the meetings; a meeting that was shown other
        // sections (the checklist changed during the year) lists its own.
        let common = &r.meetings[0].sections;
        w.labelled(
            lang.pick("Gennemgåede afsnit", "Sections shown"),
            &common.join(" · "),
            small,
            0.0,
        );
        for m in &r.meetings {
            w.para(
                &format!(
                    "{} — {}, {} {}",
                    lang.date(m.date),
                    m.department,
                    lang.pick("ledet af", "led by"),
                    m.leader
                ),
                normal.bold(),
                0.0,
            );
            w.labelled(
                &format!(
                    "{} ({})",
                    lang.pick("Deltagere", "Attendees"),
                    m.attendees.len()
                ),
                &m.attendees.join(", "),
                small,
                5.0,
            );
            if &m.sections != common {
                w.labelled(
                    lang.pick(
                        "Gennemgåede afsnit ved dette møde",
                        "Sections shown at this meeting",
                    ),
                    &m.sections.join(" · "),
                    small,
                    5.0,
                );
            }
        }
    }

    if let Some(table) = &r.register {
        register(w, lang, r.period.year(), table, normal, small, heading);
    }

    w.gap(0.6);
    w.para(lang.pick("Historik", "History"), heading, 0.0);
    // The last history lines and the signature block go on one page: the block never
    // stands alone on the last page.
    let (before, last) = r.history.split_at(r.history.len().saturating_sub(2));
    for h in before {
        w.para(
            &format!("{} — {} — {}", when(h.at, lang), h.by, h.what),
            small,
            0.0,
        );
    }
    let outer = std::mem::replace(&mut w.body, LinearLayout::vertical());
    let start = w.height;
    for h in last {
        w.para(
            &format!("{} — {} — {}", when(h.at, lang), h.by, h.what),
            small,
            0.0,
        );
    }
    w.gap(0.6);
    w.para(lang.pick("Underskrift", "Signature"), heading, 0.0);
    match &r.signature {
        Some(s) => w.para(
            &lang
                .pick(
                    "Gennemgangen er underskrevet af {by}, {role}, {at}.",
                    "The review was signed by {by}, {role}, {at}.",
                )
                .replace("{by}", &s.by)
                .replace("{role}", &s.role)
                .replace("{at}", &keep(&when(s.at, lang))),
            normal,
            0.0,
        ),
        None => w.para(
            lang.pick(
                "Gennemgangen er ikke underskrevet.",
                "The review is not signed.",
            ),
            normal.bold().with_color(RED),
            0.0,
        ),
    }
    match cert {
        Some(cert) => {
            w.para(
                &lang
                    .pick(
                        "Denne PDF er digitalt underskrevet {at} (PAdES) med organisationens certifikat nedenfor. Enhver ændring af filen gør underskriften ugyldig; kontrollér den med »aarshjul verify FIL.pdf« eller en PDF-læser, der viser digitale underskrifter.",
                        "This PDF was digitally signed {at} (PAdES) with the organisation's certificate below. Any change to the file invalidates the signature; check it with `aarshjul verify FILE.pdf` or a PDF reader that shows digital signatures.",
                    )
                    .replace("{at}", &keep(&when(exported, lang))),
                small,
                0.0,
            );
            w.labelled(
                lang.pick("Certifikatindehaver", "Certificate holder"),
                &cert.holder,
                small,
                0.0,
            );
            w.labelled(
                lang.pick("Certifikatets SHA-256", "Certificate SHA-256"),
                &cert.fingerprint,
                small,
                0.0,
            );
        }
        None => w.para(
            &lang
                .pick(
                    "Udkast udskrevet {d}; ikke digitalt underskrevet.",
                    "Draft printed {d}; not digitally signed.",
                )
                .replace("{d}", &lang.date(local_date(exported))),
            small,
            0.0,
        ),
    }
    w.labelled(
        lang.pick("Postens fingeraftryk", "Record fingerprint"),
        &format!(
            "{} {}",
            r.fingerprint,
            lang.pick(
                "(SHA-256 af gennemgangens hændelser som kanonisk JSON, v2; hver registrering bærer SHA-256 af den tekst, den blev underskrevet på)",
                "(SHA-256 of the review's events as canonical JSON, v2; each sign-off carries the SHA-256 of the text it was signed against)"
            )
        ),
        small,
        0.0,
    );
    w.labelled(
        lang.pick("Vedhæftet fil", "Attached file"),
        &lang
            .pick(
                "{f} — gennemgangens hændelser som kanonisk JSON, præcis de byte, fingeraftrykket er SHA-256 af",
                "{f} — the review's events as canonical JSON, exactly the bytes the fingerprint is the SHA-256 of",
            )
            .replace(
                "{f}",
                &super::attach::name(&r.organisation.id, &r.period.key()),
            ),
        small,
        0.0,
    );
    if let Some(head) = &r.chain_head {
        w.labelled(
            lang.pick("Hændelsesloggen ved eksporten", "Event log at export"),
            &lang
                .pick(
                    "{n} hændelser, den sidste med kædens SHA-256 {h}. Databasen skal stadig rumme præcis disse hændelser; »aarshjul verify FIL.pdf« kontrollerer det.",
                    "{n} events, the last with chain SHA-256 {h}. The database must still hold exactly these events; `aarshjul verify FILE.pdf` checks it.",
                )
                .replace("{n}", &head.seq.to_string())
                .replace("{h}", &head.hash),
            small,
            0.0,
        );
    }
    let group = std::mem::replace(&mut w.body, outer);
    let height = w.height - start;
    w.body.push(KeepTogether::new(group, height));
}

/// `s` with its spaces made non-breaking: a date and time, a title, kept on one line.
fn keep(s: &str) -> String {
    s.replace(' ', &KEEP.to_string())
}

/// The year's register of data-subject requests: its summary and one row per request,
/// references only.
fn register(
    w: &mut Writer<'_>,
    lang: Lang,
    year: i32,
    table: &RegisterTable,
    normal: Style,
    small: Style,
    heading: Style,
) {
    w.gap(0.6);
    w.para(
        &format!(
            "{} {year}",
            lang.pick(
                "Registret over anmodninger fra registrerede",
                "Register of data-subject requests"
            )
        ),
        heading,
        0.0,
    );
    w.para(
        lang.pick(
            "Kun organisationens egne sagsreferencer; registret gemmer ingen personoplysninger.",
            "The organisation's own case references only; the register stores no personal data.",
        ),
        small.italic().with_color(GREY),
        0.0,
    );
    w.labelled(
        lang.pick("I alt", "In all"),
        &table.summary.words(lang),
        normal,
        0.0,
    );
    if table.requests.is_empty() {
        w.para(
            lang.pick(
                "Ingen anmodninger modtaget i året.",
                "No requests received in the year.",
            ),
            normal,
            0.0,
        );
        return;
    }
    let date = |d: chrono::NaiveDate| d.format("%d.%m.%Y").to_string();
    let mut rows = vec![
        [
            lang.pick("Sagsreference", "Reference"),
            lang.pick("Art", "Kind"),
            lang.pick("Modtaget", "Received"),
            lang.pick("Frist", "Deadline"),
            lang.pick("Forlænget", "Extended"),
            lang.pick("Afsluttet", "Closed"),
            lang.pick("Inden fristen", "In time"),
        ]
        .map(String::from)
        .to_vec(),
    ];
    for q in &table.requests {
        let (closed, in_time) = match &q.closing {
            Some(c) => (
                format!("{} {}", c.outcome.label(lang), date(c.closed)),
                lang.pick(
                    if c.closed <= q.deadline { "ja" } else { "nej" },
                    if c.closed <= q.deadline { "yes" } else { "no" },
                ),
            ),
            None => (lang.pick("åben", "open").to_string(), "—"),
        };
        let extended = match &q.extension {
            Some(e) => format!("{} {}", lang.pick("meddelt", "told"), date(e.told)),
            None => "—".to_string(),
        };
        rows.push(vec![
            q.reference.clone(),
            q.kind.label(lang).to_string(),
            date(q.received),
            date(q.deadline),
            extended,
            closed,
            in_time.to_string(),
        ]);
    }
    w.table(&[17, 15, 14, 14, 15, 16, 9], &rows, small);
}

fn item_block(
    w: &mut Writer<'_>,
    lang: Lang,
    n: usize,
    item: &RecordItem,
    normal: Style,
    small: Style,
) {
    w.gap(0.35);
    w.para(&format!("{n}. {}", item.title), normal.bold(), 0.0);
    let indent = 5.0;
    let status = match &item.sign_off {
        Some(s) => format!("{} — {}, {}", s.status.label(lang), s.by, when(s.at, lang)),
        None => lang.pick("Åben", "Open").to_string(),
    };
    let status_style = match item.sign_off.as_ref().map(|s| s.status) {
        Some(Outcome::Deviation) | None => normal.with_color(RED),
        _ => normal,
    };
    w.labelled(lang.pick("Status", "Status"), &status, status_style, indent);
    if let Some(note) = item.sign_off.as_ref().and_then(|s| s.note.as_deref()) {
        w.labelled(lang.pick("Note", "Note"), note, normal, indent);
    }
    // Fields whose text differs between the sign-off and today are printed as a labelled
    // pair instead of once.
    let mut differs = BTreeSet::new();
    if let Some(change) = &item.text_change {
        w.para(
            lang.pick(
                "Punktets tekst i tjeklisten er ændret efter registreringen.",
                "The item's text in the checklist changed after its outcome was recorded.",
            ),
            normal.bold().with_color(RED),
            indent,
        );
        match &change.recorded {
            Some(recorded) => {
                for d in text_differences(lang, recorded, &change.now) {
                    differs.insert(d.field);
                    let style = if d.field == Field::Title {
                        normal
                    } else {
                        small
                    };
                    w.labelled(&d.recorded_label, &d.recorded, style, indent);
                    w.labelled(&d.now_label, &d.now, style.with_color(GREY), indent);
                }
            }
            None => w.para(
                lang.pick(
                    "Teksten ved registreringen blev ikke gemt (registreret med en ældre udgave af aarshjul); kun dens SHA-256 er kendt. Teksten nu står herunder.",
                    "The text when recorded was not stored (recorded with an older aarshjul); only its SHA-256 is known. The text now is shown below.",
                ),
                small,
                indent,
            ),
        }
    }
    if !differs.contains(&Field::Source) {
        w.labelled(lang.pick("Kilde", "Source"), &item.source, small, indent);
    }
    if let Some(r) = item
        .responsible
        .as_ref()
        .filter(|_| !differs.contains(&Field::Responsible))
    {
        w.labelled(lang.pick("Ansvarlig", "Responsible"), r, small, indent);
    }
    if let Some(e) = item
        .evidence
        .as_ref()
        .filter(|_| !differs.contains(&Field::Evidence))
    {
        w.labelled(lang.pick("Dokumentation", "Evidence"), e, small, indent);
    }
    if let Some(c) = item
        .caveat
        .as_ref()
        .filter(|_| !differs.contains(&Field::Caveat))
    {
        w.labelled(lang.pick("Forbehold", "Caveat"), c, small.italic(), indent);
    }
}

/// Margins, footer and the draft mark of every page.
struct Footer {
    page: usize,
    /// The page count from the first pass; 0 during it.
    total: usize,
    /// Pages decorated so far, for the caller.
    pages: Rc<Cell<usize>>,
    left: String,
    fingerprint: String,
    of: (&'static str, &'static str),
    /// The watermark word and the banner line of a draft.
    draft: Option<(&'static str, &'static str)>,
}

impl PageDecorator for Footer {
    fn decorate_page<'a>(
        &mut self,
        context: &Context,
        mut area: Area<'a>,
        _style: Style,
    ) -> Result<Area<'a>, genpdf::error::Error> {
        self.page += 1;
        self.pages.set(self.page);
        let cache = &context.font_cache;
        if let Some((word, banner)) = self.draft {
            let mark = Style::new()
                .bold()
                .with_font_size(96)
                .with_color(Color::Rgb(222, 222, 222));
            let x = (Mm::from(PAGE_WIDTH) - mark.str_width(cache, word)) / 2.0;
            area.print_str(
                cache,
                Position::new(x, Mm::from(PAGE_HEIGHT / 2.0 - 20.0)),
                mark,
                word,
            )?;
            let top = Style::new().bold().with_font_size(9).with_color(RED);
            area.print_str(cache, Position::new(SIDE, 8.0f32), top, banner)?;
        }
        let grey = Style::new().with_font_size(8).with_color(GREY);
        let y = PAGE_HEIGHT - BOTTOM + 8.0;
        area.draw_line(
            vec![
                Position::new(SIDE, y - 1.5),
                Position::new(PAGE_WIDTH - SIDE, y - 1.5),
            ],
            Style::new().with_color(Color::Rgb(150, 150, 150)),
        );
        area.print_str(cache, Position::new(SIDE, y), grey, &self.left)?;
        let total = if self.total == 0 {
            "?".to_string()
        } else {
            self.total.to_string()
        };
        let page = format!("{} {} {} {total}", self.of.0, self.page, self.of.1);
        let x = Mm::from(PAGE_WIDTH - SIDE) - grey.str_width(cache, &page);
        area.print_str(cache, Position::new(x, Mm::from(y)), grey, &page)?;
        let tiny = Style::new().with_font_size(7).with_color(GREY);
        area.print_str(cache, Position::new(SIDE, y + 4.0), tiny, &self.fingerprint)?;
        area.add_margins(Margins::trbl(TOP, SIDE, BOTTOM, SIDE));
        Ok(area)
    }
}

/// The page count of a width in millimetres, for tests of the layout constants.
#[cfg(test)]
fn content_width() -> f32 {
    PAGE_WIDTH - 2.0 * SIDE
}

#[cfg(test)]
mod tests {
    use super::*;
    use genpdf::fonts::FontCache;

    #[test]
    fn the_fingerprint_fits_in_the_footer() {
        let cache = FontCache::new(fonts::family().unwrap());
        let tiny = Style::new().with_font_size(7);
        let line = format!("Postens fingeraftryk (SHA-256): {}", "f".repeat(64));
        assert!(tiny.str_width(&cache, &line) < Mm::from(content_width()));
    }
}

/// A yearly record with staff meetings and a signature, rendered to
/// `$AARSHJUL_LAYOUT_OUT` for looking at the pages (`cargo test --lib layout_sample --
/// --ignored`, then `pdftoppm -png -r 60`).
#[cfg(test)]
mod sample {
    use super::*;
    use crate::checklist::load_dir;
    use crate::period::{Cadence, Period};
    use crate::record::Record;
    use crate::review::{Change, Event, Meeting};

    pub(super) fn yearly_record() -> Record {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("checklists");
        let lists = load_dir(&dir, Lang::Da).unwrap();
        let list = lists.iter().find(|l| l.organisation.id == "skgr").unwrap();
        let period = Period::containing(
            Cadence::Yearly,
            chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap(),
        );
        let at: chrono::DateTime<chrono::Utc> = "2026-11-22T13:05:00Z".parse().unwrap();
        let mut changes = Vec::new();
        let sections: Vec<String> = list.walkthrough.iter().map(|s| s.title.clone()).collect();
        for (d, place) in [(3, "Botilbud Krakasvej"), (10, "Kontoret")] {
            changes.push(Change::WalkthroughHeld(Meeting {
                date: chrono::NaiveDate::from_ymd_opt(2026, 11, d).unwrap(),
                department: place.into(),
                leader: "Henriette Salmon".into(),
                attendees: vec!["Åse Ørsted".into(), "Bo Æbelø".into()],
                sections: sections.clone(),
                sections_fingerprint: "0".repeat(64),
            }));
        }
        for item in list.items_of(Cadence::Yearly) {
            changes.push(Change::item_signed(
                item,
                crate::review::Outcome::Done,
                Some("Gennemgået; intet at bemærke.".into()),
                "Henriette Salmon".into(),
            ));
        }
        changes.push(Change::ReviewSigned {
            by: "Henriette Salmon".into(),
            role: "Leder".into(),
        });
        let events: Vec<Event> = changes
            .into_iter()
            .enumerate()
            .map(|(n, change)| Event {
                seq: n as i64 + 1,
                at,
                org: "skgr".into(),
                period,
                change,
            })
            .collect();
        Record::build(list, period, &events)
    }

    #[test]
    #[ignore = "writes a sample PDF for looking at"]
    fn layout_sample() {
        let cert = CertSummary {
            holder: "CN=Henriette Salmon, title=Leder, O=Støttekontaktgruppen".into(),
            fingerprint: "ab".repeat(32),
        };
        let r = render(
            &yearly_record(),
            false,
            Some(&cert),
            "2026-11-22T13:05:00Z".parse().unwrap(),
        )
        .unwrap();
        let out = std::env::var("AARSHJUL_LAYOUT_OUT").unwrap_or("/tmp/layout.pdf".into());
        std::fs::write(out, r.pdf).unwrap();
    }
}
