//! Post-processing with lopdf 0.47: compress the streams genpdf left uncompressed, write the
//! document information (title in UTF-16, the review's organisation, period and fingerprint
//! for `verify`), and make room for the digital signature.

use chrono::{DateTime, Utc};
use lopdf::{Dictionary, Document, Object, ObjectId, StringFormat};

/// What the document information says about the record.
pub struct Meta<'a> {
    pub title: &'a str,
    pub author: &'a str,
    pub org: &'a str,
    pub period: &'a str,
    pub fingerprint: &'a str,
    pub draft: bool,
    pub now: DateTime<Utc>,
}

/// What `verify` reads back from the document information.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordMeta {
    pub org: String,
    pub period: String,
    /// The record fingerprint.
    pub fingerprint: String,
    /// The version of its canonical form ([`crate::record::FINGERPRINT_VERSION`]); 1 for
    /// records that do not say (made before the version was written).
    pub fingerprint_version: u32,
    pub draft: bool,
}

/// Keys of the document information that `verify` reads.
pub const KEY_ORG: &[u8] = b"AarshjulOrg";
pub const KEY_PERIOD: &[u8] = b"AarshjulPeriod";
pub const KEY_FINGERPRINT: &[u8] = b"AarshjulFingerprint";
pub const KEY_DRAFT: &[u8] = b"AarshjulDraft";
pub const KEY_FINGERPRINT_VERSION: &[u8] = b"AarshjulFingerprintVersion";

/// Loads genpdf's output, compresses it and rewrites its document information.
pub fn finish(raw: &[u8], meta: &Meta<'_>) -> Result<Document, lopdf::Error> {
    Ok(describe(Document::load_mem(raw)?, meta))
}

/// Compresses a loaded record (streams already compressed stay as they are) and rewrites
/// its document information.
pub fn describe(mut doc: Document, meta: &Meta<'_>) -> Document {
    doc.compress();
    let mut info = Dictionary::new();
    info.set("Title", text(meta.title));
    info.set("Author", text(meta.author));
    info.set("Subject", text(meta.title));
    info.set(
        "Creator",
        text(&format!("aarshjul {}", env!("CARGO_PKG_VERSION"))),
    );
    info.set("Producer", text("aarshjul (genpdf, lopdf)"));
    let date = pdf_date(meta.now);
    info.set("CreationDate", Object::string_literal(date.clone()));
    info.set("ModDate", Object::string_literal(date));
    info.set(KEY_ORG, text(meta.org));
    info.set(KEY_PERIOD, text(meta.period));
    info.set(KEY_FINGERPRINT, text(meta.fingerprint));
    info.set(
        KEY_FINGERPRINT_VERSION,
        Object::Integer(crate::record::FINGERPRINT_VERSION.into()),
    );
    info.set(KEY_DRAFT, Object::Boolean(meta.draft));
    // Replace genpdf's information (its title is raw UTF-8) rather than leave it behind.
    match doc.trailer.get(b"Info").and_then(Object::as_reference) {
        Ok(id) => {
            doc.objects.insert(id, Object::Dictionary(info));
        }
        Err(_) => {
            let id = doc.add_object(info);
            doc.trailer.set("Info", Object::Reference(id));
        }
    }
    doc
}

/// A PDF text string: PDFDocEncoding (ASCII) as is, anything else UTF-16BE with a BOM.
pub fn text(s: &str) -> Object {
    if s.is_ascii() {
        return Object::string_literal(s);
    }
    let mut bytes = vec![0xFE, 0xFF];
    for unit in s.encode_utf16() {
        bytes.extend_from_slice(&unit.to_be_bytes());
    }
    Object::String(bytes, StringFormat::Hexadecimal)
}

/// "D:20261122130000Z".
pub fn pdf_date(at: DateTime<Utc>) -> String {
    at.format("D:%Y%m%d%H%M%SZ").to_string()
}

/// Reads the record's keys from a document's information.
pub fn read_meta(doc: &Document) -> Option<RecordMeta> {
    let info = match doc.trailer.get(b"Info").ok()? {
        Object::Reference(id) => doc.get_dictionary(*id).ok()?,
        Object::Dictionary(d) => d,
        _ => return None,
    };
    let s = |k: &[u8]| {
        info.get(k)
            .ok()
            .and_then(|o| lopdf::decode_text_string(o).ok())
    };
    let draft = info
        .get(KEY_DRAFT)
        .ok()
        .and_then(|o| o.as_bool().ok())
        .unwrap_or(false);
    let fingerprint_version = match info.get(KEY_FINGERPRINT_VERSION) {
        Err(_) => 1,
        Ok(o) => o.as_i64().ok().and_then(|v| u32::try_from(v).ok())?,
    };
    Some(RecordMeta {
        org: s(KEY_ORG)?,
        period: s(KEY_PERIOD)?,
        fingerprint: s(KEY_FINGERPRINT)?,
        fingerprint_version,
        draft,
    })
}

/// The first page's object id.
pub fn first_page(doc: &Document) -> Option<ObjectId> {
    doc.get_pages().values().next().copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_ascii_text_is_utf16_with_bom() {
        let o = text("Årsgennemgang");
        let bytes = o.as_str().unwrap();
        assert_eq!(&bytes[..4], &[0xFE, 0xFF, 0x00, 0xC5]);
        assert_eq!(lopdf::decode_text_string(&o).unwrap(), "Årsgennemgang");
        assert_eq!(text("skgr").as_str().unwrap(), b"skgr");
    }
}
