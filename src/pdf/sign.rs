//! The digital signature, PAdES baseline B-B (ETSI EN 319 142-1): subfilter
//! `ETSI.CAdES.detached`, a CMS detached signature over the whole file except the hole that
//! holds it, SHA-256, the signer's certificate and its chain embedded. The signed attributes
//! are the content type, the message digest and the ESS signing-certificate-v2 naming every
//! embedded certificate; there is no CMS signing-time attribute (PAdES puts the time in the
//! signature dictionary's `/M`). ECDSA signatures are normalised to low-S. With a
//! time-stamping authority (B-T), an RFC 3161 token over the signature value is added as the
//! unsigned attribute `signature-time-stamp-token`.
//!
//! The recipe: an AcroForm with one signature field whose value is a signature dictionary
//! with a `/Contents` placeholder and a padded `/ByteRange`; save; patch the byte range in
//! place; hash the two ranges; sign; write the DER as hex into the placeholder. The hole is
//! sized from the signature itself: a dry run with the longest signature the key makes, plus
//! the timestamp token's size once known.

use chrono::{DateTime, Utc};
use cms::cert::CertificateChoices;
use cms::cert::IssuerAndSerialNumber;
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo, SignerInfos,
};
use der::asn1::{OctetString, SetOfVec};
use der::{Decode, Encode};
use lopdf::{Dictionary, Document, Object, ObjectId, StringFormat};
use sha2::{Digest, Sha256};
use spki::AlgorithmIdentifierOwned;
use x509_cert::attr::Attribute;

use super::identity::Identity;
use super::post;
use super::tsa::{Tsa, TsaError};

/// The subfilter of a PAdES signature.
pub const SUBFILTER: &[u8] = b"ETSI.CAdES.detached";

/// id-aa-signatureTimeStampToken (RFC 3161 appendix A).
pub const ID_AA_TIME_STAMP_TOKEN: der::oid::ObjectIdentifier =
    der::oid::ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.14");

/// Room left in the hole beyond the signature's measured size (an ECDSA signature's length
/// varies by a few bytes, a timestamp token's by its serial number and time).
const SLACK: usize = 64;

/// The first guess at a timestamp token's size, before one has been seen: a token with the
/// authority's certificate is typically 2–5 KB.
const TOKEN_GUESS: usize = 4096;

const RANGE_PLACEHOLDER: &[u8] = b"1111111111 2222222222 3333333333";

/// Why signing failed.
#[derive(Debug, thiserror::Error)]
pub enum SignError {
    #[error("PDF: {0}")]
    Pdf(String),
    #[error("CMS: {0}")]
    Cms(String),
    #[error("the signature ({0} bytes) does not fit the room reserved for it")]
    TooLarge(usize),
    /// The time-stamping authority could not be reached or refused.
    #[error(transparent)]
    Tsa(#[from] TsaError),
}

/// What the signature dictionary says besides the signature itself.
pub struct SignInfo<'a> {
    /// The person who signed the review (`/Name`).
    pub name: &'a str,
    /// Their role and the review (`/Reason`).
    pub reason: &'a str,
    /// The signing time (`/M`).
    pub at: DateTime<Utc>,
}

/// Adds the signature field to `doc`, saves it and signs the bytes with `identity`; with
/// `tsa`, a timestamp from that authority is added (PAdES B-T).
pub fn sign(
    doc: &mut Document,
    identity: &Identity,
    info: &SignInfo<'_>,
    tsa: Option<&Tsa>,
) -> Result<Vec<u8>, SignError> {
    let pdf = |e: &dyn std::fmt::Display| SignError::Pdf(e.to_string());
    let page = post::first_page(doc).ok_or_else(|| pdf(&"the document has no page"))?;

    // The signature without a timestamp, with the longest signature value the key makes.
    let longest = vec![0xff; identity.signing_key().max_signature_len()];
    let base = cms_der(identity, &[0; 32], &longest, None)?.len();
    let mut room = base + SLACK + if tsa.is_some() { TOKEN_GUESS } else { 0 };

    let mut sig = Dictionary::new();
    sig.set("Type", Object::Name(b"Sig".to_vec()));
    sig.set("Filter", Object::Name(b"Adobe.PPKLite".to_vec()));
    sig.set("SubFilter", Object::Name(SUBFILTER.to_vec()));
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
        Object::String(vec![0; room], StringFormat::Hexadecimal),
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

    // A timestamp token's size is known only once one has come: the hole is made again to
    // fit it when the guess was too small, or more than twice what was needed.
    for _ in 0..3 {
        let (bytes, used) = sign_with_room(doc, sig_id, room, identity, tsa)?;
        match used {
            Some(used) if used <= room && room <= 2 * used => return Ok(bytes),
            Some(used) => room = used + SLACK,
            None => return Ok(bytes),
        }
    }
    Err(SignError::Cms(
        "the timestamp tokens' sizes vary too much to reserve room for them".into(),
    ))
}

/// Saves `doc` with a hole of `room` bytes and signs it. Without a timestamp the signature
/// always fits (the room was measured); with one, returns the bytes needed when they differ
/// from the room too much (`Some(needed)`, the bytes are then unusable).
fn sign_with_room(
    doc: &mut Document,
    sig_id: ObjectId,
    room: usize,
    identity: &Identity,
    tsa: Option<&Tsa>,
) -> Result<(Vec<u8>, Option<usize>), SignError> {
    let pdf = |e: &dyn std::fmt::Display| SignError::Pdf(e.to_string());
    doc.get_dictionary_mut(sig_id).map_err(|e| pdf(&e))?.set(
        "Contents",
        Object::String(vec![0; room], StringFormat::Hexadecimal),
    );
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes).map_err(|e| pdf(&e))?;
    let (start, end) = patch_byte_range(&mut bytes, room)?;
    let digest = Sha256::new()
        .chain_update(&bytes[..start])
        .chain_update(&bytes[end..])
        .finalize();
    let attrs = signed_attributes(identity, &digest)?;
    let signed = attrs.to_der().map_err(|e| SignError::Cms(e.to_string()))?;
    let signature = identity
        .signing_key()
        .sign(&signed)
        .map_err(SignError::Cms)?;
    let token = match tsa {
        Some(tsa) => Some(tsa.stamp(&Sha256::digest(&signature))?),
        None => None,
    };
    let der = cms_der(identity, &digest, &signature, token.as_deref())?;
    if der.len() > room {
        return match tsa {
            Some(_) => Ok((bytes, Some(der.len()))),
            None => Err(SignError::TooLarge(der.len())),
        };
    }
    let hex = crate::checklist::hex(&der);
    bytes[start + 1..start + 1 + hex.len()].copy_from_slice(hex.as_bytes());
    Ok((bytes, tsa.map(|_| der.len())))
}

/// Writes the real byte range over the placeholder; returns the hole (`<` … `>` inclusive).
fn patch_byte_range(bytes: &mut [u8], room: usize) -> Result<(usize, usize), SignError> {
    let missing = |what: &str| SignError::Pdf(format!("{what} placeholder not found"));
    let mut hole = Vec::with_capacity(room * 2 + 2);
    hole.push(b'<');
    hole.resize(room * 2 + 1, b'0');
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

fn sha256_id() -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned {
        oid: const_oid::db::rfc5912::ID_SHA_256,
        parameters: None,
    }
}

/// The signed attributes over `digest`: content type, message digest and the ESS
/// signing-certificate-v2 binding the embedded certificates (`verify` requires it).
fn signed_attributes(identity: &Identity, digest: &[u8]) -> Result<SetOfVec<Attribute>, SignError> {
    let cms = |e: der::Error| SignError::Cms(e.to_string());
    let one = |oid, value: der::Any| -> Result<Attribute, SignError> {
        let mut values = SetOfVec::new();
        values.insert(value).map_err(cms)?;
        Ok(Attribute { oid, values })
    };
    let content_type = one(
        const_oid::db::rfc5911::ID_CONTENT_TYPE,
        der::Any::encode_from(&const_oid::db::rfc5911::ID_DATA).map_err(cms)?,
    )?;
    let message_digest = one(
        const_oid::db::rfc5911::ID_MESSAGE_DIGEST,
        der::Any::encode_from(&OctetString::new(digest).map_err(cms)?).map_err(cms)?,
    )?;
    let ess = super::ess::attribute(&identity.certificate, &identity.chain).map_err(cms)?;
    SetOfVec::try_from(vec![content_type, message_digest, ess]).map_err(cms)
}

/// The CMS signature (DER) with `signature` over the signed attributes for `digest`, and
/// `token` as the unsigned timestamp attribute.
fn cms_der(
    identity: &Identity,
    digest: &[u8],
    signature: &[u8],
    token: Option<&[u8]>,
) -> Result<Vec<u8>, SignError> {
    let cms = |e: der::Error| SignError::Cms(e.to_string());
    let cert = &identity.certificate;
    let unsigned_attrs = match token {
        Some(token) => {
            let mut values = SetOfVec::new();
            values
                .insert(der::Any::from_der(token).map_err(cms)?)
                .map_err(cms)?;
            let attr = Attribute {
                oid: ID_AA_TIME_STAMP_TOKEN,
                values,
            };
            Some(SetOfVec::try_from(vec![attr]).map_err(cms)?)
        }
        None => None,
    };
    let signer = SignerInfo {
        version: CmsVersion::V1,
        sid: SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
            issuer: cert.tbs_certificate.issuer.clone(),
            serial_number: cert.tbs_certificate.serial_number.clone(),
        }),
        digest_alg: sha256_id(),
        signed_attrs: Some(signed_attributes(identity, digest)?),
        signature_algorithm: identity.signing_key().signature_algorithm(),
        signature: OctetString::new(signature).map_err(cms)?,
        unsigned_attrs,
    };
    let mut certificates = SetOfVec::new();
    for c in std::iter::once(cert).chain(&identity.chain) {
        certificates
            .insert(CertificateChoices::Certificate(c.clone()))
            .map_err(cms)?;
    }
    let data = SignedData {
        version: CmsVersion::V1,
        digest_algorithms: SetOfVec::try_from(vec![sha256_id()]).map_err(cms)?,
        encap_content_info: EncapsulatedContentInfo {
            econtent_type: const_oid::db::rfc5911::ID_DATA,
            econtent: None,
        },
        certificates: Some(CertificateSet(certificates)),
        crls: None,
        signer_infos: SignerInfos(SetOfVec::try_from(vec![signer]).map_err(cms)?),
    };
    let info = ContentInfo {
        content_type: const_oid::db::rfc5911::ID_SIGNED_DATA,
        content: der::Any::encode_from(&data).map_err(cms)?,
    };
    info.to_der().map_err(cms)
}
