//! The record's own evidence: the canonical JSON of the review's events (the bytes the
//! record fingerprint is the SHA-256 of) as a file attachment, embedded before signing so the
//! signature covers it. Standard tools extract it (`pdfdetach -save 1 FILE.pdf`), and
//! `sha256sum` of the extracted file is the fingerprint printed on every page.
//!
//! The form (PDF 2.0 § 7.11.4, and PDF/A-3's associated files): a `/Filespec` with `/F` and
//! `/UF`, `/AFRelationship /Data`, and `/EF` pointing at an `/EmbeddedFile` stream with
//! `/Subtype /application#2Fjson` and its size; named in the catalog's `/Names /EmbeddedFiles`
//! tree and listed in the catalog's `/AF`.

use chrono::{DateTime, Utc};
use lopdf::{Dictionary, Document, Object, Stream};

use super::post;

/// The largest attachment read back: a review's events are a few kilobytes.
const MAX_BYTES: usize = 16 * 1024 * 1024;

/// The attachment's file name: `aarshjul-record-skgr-2026.json`.
pub fn name(org: &str, period: &str) -> String {
    format!("aarshjul-record-{org}-{period}.json")
}

fn is_ours(name: &str) -> bool {
    name.starts_with("aarshjul-record-") && name.ends_with(".json")
}

/// Embeds `json` as the file `name`.
pub fn embed(
    doc: &mut Document,
    name: &str,
    json: &[u8],
    now: DateTime<Utc>,
) -> Result<(), lopdf::Error> {
    let mut params = Dictionary::new();
    params.set("Size", Object::Integer(json.len() as i64));
    params.set("ModDate", Object::string_literal(post::pdf_date(now)));
    let mut file = Dictionary::new();
    file.set("Type", Object::Name(b"EmbeddedFile".to_vec()));
    file.set("Subtype", Object::Name(b"application/json".to_vec()));
    file.set("Params", Object::Dictionary(params));
    let mut stream = Stream::new(file, json.to_vec());
    stream.compress()?;
    let file_id = doc.add_object(stream);

    let mut ef = Dictionary::new();
    ef.set("F", Object::Reference(file_id));
    ef.set("UF", Object::Reference(file_id));
    let mut spec = Dictionary::new();
    spec.set("Type", Object::Name(b"Filespec".to_vec()));
    spec.set("F", Object::string_literal(name));
    spec.set("UF", post::text(name));
    spec.set(
        "Desc",
        post::text("The review's events as canonical JSON; its SHA-256 is the record fingerprint"),
    );
    spec.set("AFRelationship", Object::Name(b"Data".to_vec()));
    spec.set("EF", Object::Dictionary(ef));
    let spec_id = doc.add_object(spec);

    let mut tree = Dictionary::new();
    tree.set(
        "Names",
        Object::Array(vec![
            Object::string_literal(name),
            Object::Reference(spec_id),
        ]),
    );
    let mut names = Dictionary::new();
    names.set("EmbeddedFiles", Object::Dictionary(tree));
    let catalog = doc.catalog_mut()?;
    catalog.set("Names", Object::Dictionary(names));
    catalog.set("AF", Object::Array(vec![Object::Reference(spec_id)]));
    Ok(())
}

/// What a PDF's attachments hold of aarshjul's evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    /// No `aarshjul-record-….json` attachment (a record made before they were embedded).
    None,
    /// Exactly one, with its name and content.
    One { name: String, bytes: Vec<u8> },
    /// More than one, or one that cannot be read: why (in English).
    Bad(String),
}

/// Reads the record's attachment back from the `/EmbeddedFiles` name tree (a flat `/Names`
/// array or one level of `/Kids`, as written here and by common tools).
pub fn extract(doc: &Document) -> Found {
    let mut found = Vec::new();
    let Some(tree) = embedded_files(doc) else {
        return Found::None;
    };
    let mut leaves = vec![tree];
    if let Ok(kids) = tree.get(b"Kids").and_then(Object::as_array) {
        leaves.extend(kids.iter().filter_map(|k| deref_dict(doc, k)));
    }
    for leaf in leaves {
        let Ok(pairs) = leaf.get(b"Names").and_then(Object::as_array) else {
            continue;
        };
        for pair in pairs.chunks(2) {
            let [key, spec] = pair else { continue };
            let Some(spec) = deref_dict(doc, spec) else {
                continue;
            };
            let name = spec
                .get(b"UF")
                .or_else(|_| spec.get(b"F"))
                .ok()
                .and_then(|o| lopdf::decode_text_string(o).ok())
                .or_else(|| lopdf::decode_text_string(key).ok())
                .unwrap_or_default();
            if is_ours(&name) {
                found.push((name, spec));
            }
        }
    }
    match found.as_slice() {
        [] => Found::None,
        [(name, spec)] => match content(doc, spec) {
            Ok(bytes) => Found::One {
                name: name.clone(),
                bytes,
            },
            Err(why) => Found::Bad(why),
        },
        more => Found::Bad(format!("{} record attachments, not one", more.len())),
    }
}

fn embedded_files(doc: &Document) -> Option<&Dictionary> {
    let names = deref_dict(doc, doc.catalog().ok()?.get(b"Names").ok()?)?;
    deref_dict(doc, names.get(b"EmbeddedFiles").ok()?)
}

fn deref_dict<'a>(doc: &'a Document, o: &'a Object) -> Option<&'a Dictionary> {
    match o {
        Object::Reference(id) => doc.get_dictionary(*id).ok(),
        Object::Dictionary(d) => Some(d),
        _ => None,
    }
}

fn content(doc: &Document, spec: &Dictionary) -> Result<Vec<u8>, String> {
    let ef = spec
        .get(b"EF")
        .ok()
        .and_then(|o| deref_dict(doc, o))
        .ok_or("the attachment has no /EF")?;
    let id = ef
        .get(b"F")
        .and_then(Object::as_reference)
        .map_err(|_| "the attachment's /EF has no /F stream")?;
    let stream = doc
        .get_object(id)
        .and_then(Object::as_stream)
        .map_err(|_| "the attachment's /EF /F is not a stream")?;
    stream
        .get_plain_content_with_limit(MAX_BYTES)
        .map_err(|e| format!("the attachment cannot be decoded ({e})"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc() -> Document {
        let mut doc = Document::with_version("1.7");
        let mut catalog = Dictionary::new();
        catalog.set("Type", Object::Name(b"Catalog".to_vec()));
        let id = doc.add_object(catalog);
        doc.trailer.set("Root", Object::Reference(id));
        doc
    }

    #[test]
    fn an_embedded_attachment_reads_back_after_saving() {
        let mut d = doc();
        let json = br#"{"v":2,"org":"skgr","period":"2026","events":[]}"#.repeat(20);
        let now = "2026-11-22T13:00:00Z".parse().unwrap();
        embed(&mut d, &name("skgr", "2026"), &json, now).unwrap();
        let mut bytes = Vec::new();
        d.save_to(&mut bytes).unwrap();
        assert!(
            super::super::sign::find(&bytes, b"/application#2Fjson").is_some(),
            "the MIME type is a name with # for the slash"
        );
        let back = Document::load_mem(&bytes).unwrap();
        assert_eq!(
            extract(&back),
            Found::One {
                name: "aarshjul-record-skgr-2026.json".into(),
                bytes: json
            }
        );
        assert_eq!(extract(&doc()), Found::None);
    }
}
