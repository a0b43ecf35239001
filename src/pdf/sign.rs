//! The digital signature: a CMS detached signature (`adbe.pkcs7.detached`, ECDSA P-256 with
//! SHA-256, the certificate embedded) over the whole file except the hole that holds it. Its
//! signed attributes hold the signing time and the SHA-256 of the signer's certificate
//! (ESS signing-certificate-v2), so the embedded certificate cannot be swapped.
//!
//! The recipe: an AcroForm with one signature field whose value is a signature dictionary
//! with a `/Contents` placeholder of fixed size and a padded `/ByteRange`; save; patch the
//! byte range in place; hash the two ranges; sign; write the DER as hex into the placeholder.

use chrono::{DateTime, Utc};
use cms::builder::{SignedDataBuilder, SignerInfoBuilder};
use cms::cert::CertificateChoices;
use cms::cert::IssuerAndSerialNumber;
use cms::signed_data::{EncapsulatedContentInfo, SignerIdentifier};
use der::Encode;
use der::asn1::SetOfVec;
use lopdf::{Dictionary, Document, Object, StringFormat};
use p256::ecdsa::{DerSignature, SigningKey};
use sha2::{Digest, Sha256};
use spki::AlgorithmIdentifierOwned;
use x509_cert::attr::Attribute;

use super::identity::Identity;
use super::post;

/// Bytes reserved for the DER signature (written as twice as many hex digits). A
/// self-signed P-256 certificate makes a signature of about 1 KB; the room covers an
/// imported certificate with its chain.
pub const CONTENTS_BYTES: usize = 12 * 1024;

const RANGE_PLACEHOLDER: &[u8] = b"1111111111 2222222222 3333333333";

/// Why signing failed; none of these should happen with a sound identity.
#[derive(Debug, thiserror::Error)]
pub enum SignError {
    #[error("PDF: {0}")]
    Pdf(String),
    #[error("CMS: {0}")]
    Cms(String),
    #[error("the signature ({0} bytes) does not fit the room reserved for it")]
    TooLarge(usize),
}

/// What the signature dictionary says besides the signature itself.
pub struct SignInfo<'a> {
    pub name: &'a str,
    pub reason: &'a str,
    pub at: DateTime<Utc>,
}

/// Adds the signature field to `doc`, saves it and signs the bytes with `identity`.
pub fn sign(
    doc: &mut Document,
    identity: &Identity,
    info: &SignInfo<'_>,
) -> Result<Vec<u8>, SignError> {
    let pdf = |e: &dyn std::fmt::Display| SignError::Pdf(e.to_string());
    let page = post::first_page(doc).ok_or_else(|| pdf(&"the document has no page"))?;

    let mut sig = Dictionary::new();
    sig.set("Type", Object::Name(b"Sig".to_vec()));
    sig.set("Filter", Object::Name(b"Adobe.PPKLite".to_vec()));
    sig.set("SubFilter", Object::Name(b"adbe.pkcs7.detached".to_vec()));
    sig.set(
        "ByteRange",
        Object::Array(vec![
            Object::Integer(0),
            Object::Integer(1_111_111_111),
            Object::Integer(2_222_222_222),
            Object::Integer(3_333_333_333),
        ]),
    );
    sig.set(
        "Contents",
        Object::String(vec![0; CONTENTS_BYTES], StringFormat::Hexadecimal),
    );
    sig.set("M", Object::string_literal(post::pdf_date(info.at)));
    sig.set("Name", post::text(info.name));
    sig.set("Reason", post::text(info.reason));
    let sig_id = doc.add_object(sig);

    let mut field = Dictionary::new();
    field.set("Type", Object::Name(b"Annot".to_vec()));
    field.set("Subtype", Object::Name(b"Widget".to_vec()));
    field.set("FT", Object::Name(b"Sig".to_vec()));
    field.set("T", post::text("Underskrift"));
    field.set("V", Object::Reference(sig_id));
    // Print + Locked; an invisible widget: the signature block is in the page text.
    field.set("F", Object::Integer(132));
    field.set(
        "Rect",
        Object::Array(vec![0.into(), 0.into(), 0.into(), 0.into()]),
    );
    field.set("P", Object::Reference(page));
    let field_id = doc.add_object(field);

    let page_dict = doc.get_dictionary_mut(page).map_err(|e| pdf(&e))?;
    match page_dict.get_mut(b"Annots") {
        Ok(Object::Array(annots)) => annots.push(Object::Reference(field_id)),
        _ => page_dict.set("Annots", Object::Array(vec![Object::Reference(field_id)])),
    }
    let mut form = Dictionary::new();
    form.set("Fields", Object::Array(vec![Object::Reference(field_id)]));
    form.set("SigFlags", Object::Integer(3));
    doc.catalog_mut()
        .map_err(|e| pdf(&e))?
        .set("AcroForm", Object::Dictionary(form));

    let mut bytes = Vec::new();
    doc.save_to(&mut bytes).map_err(|e| pdf(&e))?;
    let (start, end) = patch_byte_range(&mut bytes)?;
    let digest = Sha256::new()
        .chain_update(&bytes[..start])
        .chain_update(&bytes[end..])
        .finalize();
    let der = cms_signature(identity, &digest, info.at)?;
    if der.len() > CONTENTS_BYTES {
        return Err(SignError::TooLarge(der.len()));
    }
    let hex = crate::checklist::hex(&der);
    bytes[start + 1..start + 1 + hex.len()].copy_from_slice(hex.as_bytes());
    Ok(bytes)
}

/// Writes the real byte range over the placeholder; returns the hole (`<` … `>` inclusive).
fn patch_byte_range(bytes: &mut [u8]) -> Result<(usize, usize), SignError> {
    let missing = |what: &str| SignError::Pdf(format!("{what} placeholder not found"));
    let mut hole = Vec::with_capacity(CONTENTS_BYTES * 2 + 2);
    hole.push(b'<');
    hole.resize(CONTENTS_BYTES * 2 + 1, b'0');
    hole.push(b'>');
    let start = find(bytes, &hole).ok_or_else(|| missing("/Contents"))?;
    let end = start + hole.len();
    let at = find(bytes, RANGE_PLACEHOLDER).ok_or_else(|| missing("/ByteRange"))?;
    let open = bytes[..at]
        .iter()
        .rposition(|&b| b == b'[')
        .ok_or_else(|| missing("/ByteRange ["))?;
    let close = at
        + bytes[at..]
            .iter()
            .position(|&b| b == b']')
            .ok_or_else(|| missing("/ByteRange ]"))?;
    let ranges = format!("0 {start} {end} {}", bytes.len() - end);
    let room = close - open - 1;
    if ranges.len() > room {
        return Err(SignError::Pdf("byte range does not fit".into()));
    }
    let slot = &mut bytes[open + 1..close];
    slot.fill(b' ');
    slot[..ranges.len()].copy_from_slice(ranges.as_bytes());
    Ok((start, end))
}

pub fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn cms_signature(
    identity: &Identity,
    digest: &[u8],
    at: DateTime<Utc>,
) -> Result<Vec<u8>, SignError> {
    let cms = |e: &dyn std::fmt::Display| SignError::Cms(e.to_string());
    let cert = &identity.certificate;
    let content = EncapsulatedContentInfo {
        econtent_type: const_oid::db::rfc5911::ID_DATA,
        econtent: None,
    };
    let sha256 = AlgorithmIdentifierOwned {
        oid: const_oid::db::rfc5912::ID_SHA_256,
        parameters: None,
    };
    let sid = SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
        issuer: cert.tbs_certificate.issuer.clone(),
        serial_number: cert.tbs_certificate.serial_number.clone(),
    });
    let key: &SigningKey = identity.signing_key();
    let mut signer = SignerInfoBuilder::new(key, sid, sha256.clone(), &content, Some(digest))
        .map_err(|e| cms(&e))?;
    signer
        .add_signed_attribute(signing_time(at).map_err(|e| cms(&e))?)
        .map_err(|e| cms(&e))?;
    // Binds the embedded certificate to the signature: `verify` requires it.
    signer
        .add_signed_attribute(super::ess::attribute(cert, &identity.chain).map_err(|e| cms(&e))?)
        .map_err(|e| cms(&e))?;
    let mut builder = SignedDataBuilder::new(&content);
    builder.add_digest_algorithm(sha256).map_err(|e| cms(&e))?;
    for c in std::iter::once(cert).chain(&identity.chain) {
        builder
            .add_certificate(CertificateChoices::Certificate(c.clone()))
            .map_err(|e| cms(&e))?;
    }
    builder
        .add_signer_info::<SigningKey, DerSignature>(signer)
        .map_err(|e| cms(&e))?;
    let info = builder.build().map_err(|e| cms(&e))?;
    info.to_der().map_err(|e| cms(&e))
}

/// The signing-time attribute at `at` (UTCTime until 2049, as RFC 5652 asks).
fn signing_time(at: DateTime<Utc>) -> der::Result<Attribute> {
    let since = std::time::Duration::from_secs(at.timestamp().max(0) as u64);
    let dt = der::DateTime::from_unix_duration(since)?;
    let value = if dt.year() < 2050 {
        der::Any::encode_from(&der::asn1::UtcTime::from_date_time(dt)?)?
    } else {
        der::Any::encode_from(&der::asn1::GeneralizedTime::from_date_time(dt))?
    };
    let mut values = SetOfVec::new();
    values.insert(value)?;
    Ok(Attribute {
        oid: const_oid::db::rfc5911::ID_SIGNING_TIME,
        values,
    })
}
