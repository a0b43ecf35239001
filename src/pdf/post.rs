//! Post-processing with lopdf 0.47: compress the streams genpdf left uncompressed, write the
//! document information (title in UTF-16, the review's organisation, period and fingerprint,
//! and the event chain's head at the export, for `verify`), and embed the canonical JSON the
//! fingerprint hashes ([`attach`]), all before the signature is made.

use chrono::{DateTime, Utc};
use lopdf::{Dictionary, Document, Object, ObjectId, StringFormat};

use super::attach;
use crate::store::chain::ChainHead;

/// What the document information says about the record.
pub struct Meta<'a> {
    pub title: &'a str,
    pub author: &'a str,
    pub org: &'a str,
    /// The organisation's CVR number, if it has one.
    pub cvr: Option<&'a str>,
    pub period: &'a str,
    pub fingerprint: &'a str,
    pub draft: bool,
    pub now: DateTime<Utc>,
    /// The event chain's head when the record was exported; `None` outside an export.
    pub chain_head: Option<&'a ChainHead>,
    /// The canonical JSON the fingerprint hashes, embedded as [`attach`] says.
    pub evidence: &'a [u8],
}

/// What `verify` reads back from the document information.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordMeta {
    pub org: String,
    /// The organisation's name (the document's author).
    pub name: Option<String>,
    /// The organisation's CVR number; `None` also for records made before it was written.
    pub cvr: Option<String>,
    pub period: String,
    /// The record fingerprint.
    pub fingerprint: String,
    /// The version of its canonical form ([`crate::record::FINGERPRINT_VERSION`]); 1 for
    /// records that do not say (made before the version was written).
    pub fingerprint_version: u32,
    pub draft: bool,
    /// The event chain's head at the export; `None` for records made before it was written.
    pub chain_head: Option<ChainHead>,
}

/// Keys of the document information that `verify` reads.
pub const KEY_ORG: &[u8] = b"AarshjulOrg";
pub const KEY_PERIOD: &[u8] = b"AarshjulPeriod";
pub const KEY_FINGERPRINT: &[u8] = b"AarshjulFingerprint";
pub const KEY_DRAFT: &[u8] = b"AarshjulDraft";
pub const KEY_FINGERPRINT_VERSION: &[u8] = b"AarshjulFingerprintVersion";
pub const KEY_CVR: &[u8] = b"AarshjulCvr";
pub const KEY_CHAIN_SEQ: &[u8] = b"AarshjulChainSeq";
pub const KEY_CHAIN_HASH: &[u8] = b"AarshjulChainHash";

/// Loads genpdf's output, compresses it and rewrites its document information.
pub fn finish(raw: &[u8], meta: &Meta<'_>) -> Result<Document, lopdf::Error> {
    describe(Document::load_mem(raw)?, meta)
}

/// Compresses a loaded record (streams already compressed stay as they are) and rewrites
/// its document information.
pub fn describe(mut doc: Document, meta: &Meta<'_>) -> Result<Document, lopdf::Error> {
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
    if let Some(cvr) = meta.cvr {
        info.set(KEY_CVR, text(cvr));
    }
    info.set(KEY_PERIOD, text(meta.period));
    info.set(KEY_FINGERPRINT, text(meta.fingerprint));
    info.set(
        KEY_FINGERPRINT_VERSION,
        Object::Integer(crate::record::FINGERPRINT_VERSION.into()),
    );
    info.set(KEY_DRAFT, Object::Boolean(meta.draft));
    if let Some(head) = meta.chain_head {
        // Text, not a number, so `pdfinfo -custom` shows it beside the hash.
        info.set(KEY_CHAIN_SEQ, text(&head.seq.to_string()));
        info.set(KEY_CHAIN_HASH, text(&head.hash));
    }
    attach::embed(
        &mut doc,
        &attach::name(meta.org, meta.period),
        meta.evidence,
        meta.now,
    )?;
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
    Ok(doc)
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
    let chain_head = match (s(KEY_CHAIN_SEQ), s(KEY_CHAIN_HASH)) {
        (Some(seq), Some(hash)) => Some(ChainHead {
            seq: seq.parse().ok()?,
            hash,
        }),
        _ => None,
    };
    Some(RecordMeta {
        chain_head,
        org: s(KEY_ORG)?,
        name: s(b"Author"),
        cvr: s(KEY_CVR),
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
