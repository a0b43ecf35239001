//! Checking a signed record: the CMS signature over the byte range, cryptographically; that
//! the byte range covers the whole file except the signature's own hole (so an appended
//! incremental update shows); the record's organisation, period, fingerprint and chain head
//! from the document information, for comparison with the database; and the fingerprint
//! recomputed from the attached canonical JSON alone.

use chrono::{DateTime, Utc};
use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerIdentifier};
use der::asn1::OctetString;
use der::{Decode, Encode, SliceReader};
use sha2::{Digest, Sha256};
use x509_cert::Certificate;
use x509_cert::time::Time;

use super::ess::{Unbound, is_self_issued};
use super::identity::{CertOrg, cert_fingerprint, name_text};
use super::keys::{self, LowS, SigProblem};
use super::post;
use super::sign::find;
use super::tsa::Stamp;

/// What a PDF says about itself, and whether its signature holds.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
    /// What the document information says about the review.
    pub meta: Option<post::RecordMeta>,
    pub signature: SignatureState,
    /// The record's attached canonical JSON, recomputed against the fingerprint.
    pub evidence: Evidence,
}

/// What the record's attachment ([`super::attach`]) says about its fingerprint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Evidence {
    /// No attachment (a record made before they were embedded, or no record at all).
    Missing,
    /// More than one, or unreadable: why (in English).
    Unreadable(String),
    /// The attachment's SHA-256 is the fingerprint the document states.
    Matches { name: String, json: Vec<u8> },
    /// The attachment's SHA-256 (`sha256`) is not the fingerprint the document states.
    Differs {
        name: String,
        json: Vec<u8>,
        sha256: String,
    },
}

impl Evidence {
    /// The attached canonical JSON, if it could be read.
    pub fn json(&self) -> Option<&[u8]> {
        match self {
            Evidence::Matches { json, .. } | Evidence::Differs { json, .. } => Some(json),
            _ => None,
        }
    }
}

/// Recomputes the fingerprint from the attachment alone.
fn evidence(doc: Option<&lopdf::Document>, meta: Option<&post::RecordMeta>) -> Evidence {
    let Some(doc) = doc else {
        return Evidence::Missing;
    };
    match super::attach::extract(doc) {
        super::attach::Found::None => Evidence::Missing,
        super::attach::Found::Bad(why) => Evidence::Unreadable(why),
        super::attach::Found::One { name, bytes } => {
            let sha256 = crate::checklist::hex(&Sha256::digest(&bytes));
            if meta.is_some_and(|m| m.fingerprint == sha256) {
                Evidence::Matches { name, json: bytes }
            } else {
                Evidence::Differs {
                    name,
                    json: bytes,
                    sha256,
                }
            }
        }
    }
}

// One value per checked file: its size does not matter, and tests destructure it.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum SignatureState {
    /// No signature dictionary at all.
    Unsigned,
    /// A signature that does not hold, and why (in English; the CLI words it).
    Invalid(Problem),
    /// The signature holds for the bytes it covers, and names the embedded certificate.
    Valid {
        signer: String,
        /// The certificate's issuer, as people read it.
        issuer: String,
        certificate_sha256: String,
        /// The certificate names itself as issuer (its own signature was checked); it is not
        /// checked against any list of trusted issuers either way.
        self_signed: bool,
        /// The organisation the certificate names.
        organisation: CertOrg,
        /// The chain carried with the certificate, as people read the names (issuer first),
        /// each checked to have signed the one before.
        chain: Vec<String>,
        /// The signature's kind: "ETSI.CAdES.detached" (PAdES) or "adbe.pkcs7.detached"
        /// (records made before PAdES).
        subfilter: String,
        /// The key's kind, e.g. "ECDSA P-256", "RSA 3072".
        key: String,
        /// The signing time: the dictionary's `/M` (PAdES), or the CMS signing-time attribute
        /// of an older record.
        signed_at: Option<DateTime<Utc>>,
        /// The checked RFC 3161 timestamp over the signature (PAdES B-T), if any.
        timestamp: Option<Stamp>,
        /// Bytes after the signed part (an appended incremental update); 0 when the signature
        /// covers the whole file.
        uncovered: usize,
    },
}

/// Why a signature does not hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The byte range or the hole around the signature is malformed.
    Structure(String),
    /// The signature could not be read as CMS.
    Cms(String),
    /// The signed bytes' digest differs from the one signed: the file was changed.
    DigestMismatch,
    /// The signature value does not verify with the embedded certificate.
    BadSignature,
    /// The signed attributes do not name the signer's certificate (no ESS
    /// signing-certificate-v2 attribute, or an unreadable one).
    CertificateNotNamed(String),
    /// The embedded certificate is not the one the signature names: it was swapped or
    /// altered.
    OtherCertificate,
    /// An ECDSA signature with a high `s`, which aarshjul never writes: the signature was
    /// altered (`s` replaced by `n − s`).
    HighS,
    /// The timestamp in the signature does not hold (why).
    Timestamp(String),
}

/// The file could not be checked at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unreadable {
    NotPdf,
    /// Larger than [`MAX_FILE_BYTES`]: not parsed at all.
    TooLarge,
}

/// The largest file `verify` reads: a review record is well under 1 MB, and a parser is not
/// handed arbitrarily large untrusted input.
pub const MAX_FILE_BYTES: usize = 64 * 1024 * 1024;

/// Checks `bytes` as a signed record.
///
/// A signed record has exactly one signature: one `/ByteRange` in the file's bytes, one
/// signature dictionary and one signature field in its structure, the dictionary holding
/// that same byte range and the `/Contents` the range leaves out. Anything else (a second
/// signature, one hidden in a compressed object stream, a byte range that is not the
/// dictionary's) is reported as invalid rather than checking one of them.
pub fn check(bytes: &[u8]) -> Result<Checked, Unreadable> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(Unreadable::TooLarge);
    }
    if !bytes.starts_with(b"%PDF-") {
        return Err(Unreadable::NotPdf);
    }
    let doc = lopdf::Document::load_mem(bytes).ok();
    let meta = doc.as_ref().and_then(post::read_meta);
    let found = doc.as_ref().map(signature_objects);
    let ranges = positions(bytes, b"/ByteRange");
    let signature = match (ranges.as_slice(), &found) {
        ([], None) => SignatureState::Unsigned,
        ([], Some(found)) if found.dictionaries.is_empty() && found.fields == 0 => {
            SignatureState::Unsigned
        }
        ([], Some(_)) => SignatureState::Invalid(structure(
            "a signature whose /ByteRange is not in the file's plain text",
        )),
        ([at], _) => match check_signature(bytes, *at, found.as_ref()) {
            Ok(state) => state,
            Err(problem) => SignatureState::Invalid(problem),
        },
        (_, _) => SignatureState::Invalid(structure(
            "more than one /ByteRange: more than one signature, or one added after signing",
        )),
    };
    let evidence = evidence(doc.as_ref(), meta.as_ref());
    Ok(Checked {
        meta,
        signature,
        evidence,
    })
}

/// The signature dictionaries (their byte range and contents) and the number of signature
/// fields in a parsed document.
struct SignatureObjects {
    dictionaries: Vec<SignatureDictionary>,
    fields: usize,
}

/// What a signature dictionary holds: its `/ByteRange` numbers and `/Contents` bytes.
struct SignatureDictionary {
    range: Option<Vec<i64>>,
    contents: Option<Vec<u8>>,
    subfilter: Option<String>,
    /// `/M`, the signing time.
    m: Option<String>,
}

fn signature_objects(doc: &lopdf::Document) -> SignatureObjects {
    let mut found = SignatureObjects {
        dictionaries: Vec::new(),
        fields: 0,
    };
    for object in doc.objects.values() {
        let dict = match object {
            lopdf::Object::Dictionary(d) => d,
            lopdf::Object::Stream(s) => &s.dict,
            _ => continue,
        };
        let name = |key: &[u8]| dict.get(key).and_then(lopdf::Object::as_name).ok();
        if name(b"FT") == Some(b"Sig") {
            found.fields += 1;
        }
        let is_signature =
            dict.has(b"ByteRange") || matches!(name(b"Type"), Some(b"Sig" | b"DocTimeStamp"));
        if is_signature {
            let range = dict
                .get(b"ByteRange")
                .and_then(lopdf::Object::as_array)
                .ok()
                .and_then(|a| a.iter().map(|n| n.as_i64().ok()).collect());
            let contents = dict
                .get(b"Contents")
                .and_then(lopdf::Object::as_str)
                .ok()
                .map(<[u8]>::to_vec);
            let subfilter = name(b"SubFilter").map(|n| String::from_utf8_lossy(n).into_owned());
            let m = dict
                .get(b"M")
                .and_then(lopdf::Object::as_str)
                .ok()
                .map(|b| String::from_utf8_lossy(b).into_owned());
            found.dictionaries.push(SignatureDictionary {
                range,
                contents,
                subfilter,
                m,
            });
        }
    }
    found
}

fn positions(haystack: &[u8], needle: &[u8]) -> Vec<usize> {
    let mut at = Vec::new();
    let mut from = 0;
    while let Some(i) = find(&haystack[from..], needle) {
        at.push(from + i);
        from += i + needle.len();
    }
    at
}

fn structure(s: &str) -> Problem {
    Problem::Structure(s.to_string())
}

/// The four numbers of `/ByteRange [a b c d]` at `at`.
fn byte_range(bytes: &[u8], at: usize) -> Result<[usize; 4], Problem> {
    let rest = &bytes[at + b"/ByteRange".len()..];
    let open = rest
        .iter()
        .position(|&b| b == b'[')
        .filter(|&i| rest[..i].iter().all(u8::is_ascii_whitespace))
        .ok_or_else(|| structure("no [ after /ByteRange"))?;
    let close = rest[open..]
        .iter()
        .take(200)
        .position(|&b| b == b']')
        .ok_or_else(|| structure("no ] in /ByteRange"))?;
    let text = std::str::from_utf8(&rest[open + 1..open + close])
        .map_err(|_| structure("/ByteRange is not text"))?;
    let numbers: Vec<usize> = text
        .split_ascii_whitespace()
        .map(str::parse)
        .collect::<Result<_, _>>()
        .map_err(|_| structure("/ByteRange holds something other than numbers"))?;
    numbers
        .try_into()
        .map_err(|_| structure("/ByteRange does not hold four numbers"))
}

fn check_signature(
    bytes: &[u8],
    at: usize,
    found: Option<&SignatureObjects>,
) -> Result<SignatureState, Problem> {
    let [a, b, c, d] = byte_range(bytes, at)?;
    let len = bytes.len();
    if a != 0 || b >= c || c.checked_add(d).is_none_or(|end| end > len) {
        return Err(structure("/ByteRange does not fit the file"));
    }
    if bytes[b] != b'<' || bytes[c - 1] != b'>' {
        return Err(structure("/ByteRange does not surround the signature"));
    }
    // The hole must be the /Contents string of the dictionary that holds this /ByteRange.
    if find(&bytes[b.saturating_sub(12)..b], b"/Contents").is_none() {
        return Err(structure("/ByteRange does not surround /Contents"));
    }
    let contents = from_hex(&bytes[b + 1..c - 1])?;
    let found = found.ok_or_else(|| structure("the PDF's structure cannot be read"))?;
    let [dict] = found.dictionaries.as_slice() else {
        return Err(structure(&format!(
            "{} signature dictionaries, not one",
            found.dictionaries.len()
        )));
    };
    if found.fields != 1 {
        return Err(structure(&format!(
            "{} signature fields, not one",
            found.fields
        )));
    }
    let numbers = [a, b, c, d].map(|n| i64::try_from(n).unwrap_or(-1));
    if dict.range.as_deref() != Some(&numbers[..]) || dict.contents.as_ref() != Some(&contents) {
        return Err(structure(
            "the /ByteRange and /Contents in the file are not those of its signature dictionary",
        ));
    }
    let der = der_of(&contents)?;
    let digest = Sha256::new()
        .chain_update(&bytes[..b])
        .chain_update(&bytes[c..c + d])
        .finalize();
    let subfilter = dict.subfilter.clone().unwrap_or_default();
    let pades = subfilter == "ETSI.CAdES.detached";
    if !pades && subfilter != "adbe.pkcs7.detached" {
        return Err(structure("a signature of a kind aarshjul does not write"));
    }
    let signer = verify_cms(der, &digest, pades)?;
    let signed_at = signer
        .signed_at
        .or_else(|| dict.m.as_deref().and_then(pdf_date));
    Ok(SignatureState::Valid {
        signer: signer.name,
        issuer: signer.issuer,
        certificate_sha256: signer.certificate_sha256,
        self_signed: signer.self_signed,
        organisation: signer.organisation,
        chain: signer.chain,
        subfilter,
        key: signer.key,
        signed_at,
        timestamp: signer.timestamp,
        uncovered: len - (c + d),
    })
}

/// A PDF date as aarshjul writes it ("D:20261122130000Z").
fn pdf_date(text: &str) -> Option<DateTime<Utc>> {
    let digits = text.strip_prefix("D:")?.strip_suffix('Z')?;
    chrono::NaiveDateTime::parse_from_str(digits, "%Y%m%d%H%M%S")
        .ok()
        .map(|t| t.and_utc())
}

/// Hex digits to bytes. Only the lowercase digits aarshjul writes are accepted, so no byte of
/// the hole can change without notice.
fn from_hex(hex: &[u8]) -> Result<Vec<u8>, Problem> {
    if !hex.len().is_multiple_of(2) {
        return Err(structure("odd number of hex digits in /Contents"));
    }
    let digit = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    };
    let mut out = Vec::with_capacity(hex.len() / 2);
    for pair in hex.chunks(2) {
        match (digit(pair[0]), digit(pair[1])) {
            (Some(h), Some(l)) => out.push(h << 4 | l),
            _ => return Err(structure("/Contents is not lowercase hex")),
        }
    }
    Ok(out)
}

/// The DER signature at the start of the hole's bytes; the rest must be zero padding.
fn der_of(contents: &[u8]) -> Result<&[u8], Problem> {
    let cms = |e: der::Error| Problem::Cms(e.to_string());
    let mut reader = SliceReader::new(contents).map_err(cms)?;
    let header = der::Header::decode(&mut reader).map_err(cms)?;
    let total = (header.encoded_len().map_err(cms)? + header.length).map_err(cms)?;
    let total = usize::try_from(total).map_err(|e| Problem::Cms(e.to_string()))?;
    if total > contents.len() || contents[total..].iter().any(|&b| b != 0) {
        return Err(structure("/Contents holds more than the signature"));
    }
    Ok(&contents[..total])
}

/// What a signature that holds says about its signer.
struct Signer {
    name: String,
    issuer: String,
    certificate_sha256: String,
    self_signed: bool,
    organisation: CertOrg,
    chain: Vec<String>,
    key: String,
    signed_at: Option<DateTime<Utc>>,
    timestamp: Option<Stamp>,
}

/// Verifies a detached CMS signature over `digest`, accepting only the forms aarshjul
/// writes: one signer, SHA-256 with ECDSA (low-S) or RSA, signed attributes naming every
/// certificate the signature carries (ESS signing-certificate-v2), nothing unsigned besides
/// the certificates and a timestamp, and canonical DER. So no part of the signature can be
/// changed without it failing. A PAdES signature (`pades`) carries no signing-time attribute.
fn verify_cms(der: &[u8], digest: &[u8], pades: bool) -> Result<Signer, Problem> {
    use cms::content_info::CmsVersion;
    use const_oid::db::{rfc5911, rfc5912};
    let bad = |e: der::Error| Problem::Cms(e.to_string());
    let cms = |s: &str| Problem::Cms(s.to_string());
    let info = ContentInfo::from_der(der).map_err(bad)?;
    if info.to_der().map_err(bad)? != der {
        return Err(cms("not in canonical DER"));
    }
    if info.content_type != rfc5911::ID_SIGNED_DATA {
        return Err(cms("not signed data"));
    }
    let data: SignedData = info.content.decode_as().map_err(bad)?;
    let sha256_only = data.digest_algorithms.len() == 1
        && data
            .digest_algorithms
            .iter()
            .all(|a| a.oid == rfc5912::ID_SHA_256 && a.parameters.is_none());
    if data.version != CmsVersion::V1 || !sha256_only || data.crls.is_some() {
        return Err(cms("not a signature aarshjul writes"));
    }
    if data.encap_content_info.econtent_type != rfc5911::ID_DATA
        || data.encap_content_info.econtent.is_some()
    {
        return Err(cms("not a detached signature"));
    }
    let mut signers = data.signer_infos.0.iter();
    let (Some(signer), None) = (signers.next(), signers.next()) else {
        return Err(cms("not exactly one signer"));
    };
    let SignerIdentifier::IssuerAndSerialNumber(sid) = &signer.sid else {
        return Err(cms("signer named by key identifier"));
    };
    let mut embedded = Vec::new();
    for choice in data.certificates.iter().flat_map(|set| set.0.iter()) {
        match choice {
            cms::cert::CertificateChoices::Certificate(c) => embedded.push(c),
            _ => return Err(cms("a certificate of another kind")),
        }
    }
    let cert: &Certificate = embedded
        .iter()
        .copied()
        .find(|c| {
            c.tbs_certificate.issuer == sid.issuer
                && c.tbs_certificate.serial_number == sid.serial_number
        })
        .ok_or_else(|| cms("the signer's certificate is not embedded"))?;
    let alg = &signer.signature_algorithm;
    let known_algorithm = (alg.oid == rfc5912::ECDSA_WITH_SHA_256 && alg.parameters.is_none())
        || (alg.oid == rfc5912::SHA_256_WITH_RSA_ENCRYPTION
            && alg.parameters == Some(der::Any::null()));
    if signer.version != CmsVersion::V1
        || signer.digest_alg.oid != rfc5912::ID_SHA_256
        || signer.digest_alg.parameters.is_some()
        || !known_algorithm
    {
        return Err(cms(
            "not a signature aarshjul writes (algorithms or attributes)",
        ));
    }
    let attrs = signer
        .signed_attrs
        .as_ref()
        .ok_or_else(|| cms("no signed attributes"))?;
    let attr = |oid| {
        let mut found = attrs.iter().filter(move |a| a.oid == oid);
        match (found.next(), found.next()) {
            (Some(a), None) if a.values.len() == 1 => Ok(a.values.iter().next()),
            (None, _) => Ok(None),
            _ => Err(cms("an attribute twice, or with several values")),
        }
    };
    let content_type = attr(rfc5911::ID_CONTENT_TYPE)?
        .ok_or_else(|| cms("no content type"))?
        .decode_as::<der::oid::ObjectIdentifier>()
        .map_err(bad)?;
    if content_type != rfc5911::ID_DATA {
        return Err(cms("content type other than data"));
    }
    let signed_digest = attr(rfc5911::ID_MESSAGE_DIGEST)?
        .ok_or_else(|| cms("no message digest"))?
        .decode_as::<OctetString>()
        .map_err(bad)?;
    if signed_digest.as_bytes() != digest {
        return Err(Problem::DigestMismatch);
    }
    let signing_time = attr(rfc5911::ID_SIGNING_TIME)?;
    if pades && signing_time.is_some() {
        return Err(cms("a PAdES signature with a CMS signing-time attribute"));
    }
    if attrs.len() != 3 + usize::from(signing_time.is_some()) {
        return Err(cms("signed attributes aarshjul does not write"));
    }
    let signed_at = signing_time
        .and_then(|v| v.to_der().ok())
        .and_then(|der| Time::from_der(&der).ok())
        .and_then(|t| DateTime::<Utc>::from_timestamp(t.to_unix_duration().as_secs() as i64, 0));
    let signed = attrs.to_der().map_err(bad)?;
    keys::verify(
        &cert.tbs_certificate.subject_public_key_info,
        &alg.oid,
        None,
        &signed,
        signer.signature.as_bytes(),
        LowS::Required,
    )
    .map_err(|e| match e {
        SigProblem::Bad => Problem::BadSignature,
        SigProblem::HighS => Problem::HighS,
        SigProblem::Unsupported(what) => Problem::Cms(format!("unsupported: {what}")),
    })?;
    let timestamp = match &signer.unsigned_attrs {
        None => None,
        Some(unsigned) => {
            let mut found = unsigned.iter();
            let (Some(a), None) = (found.next(), found.next()) else {
                return Err(cms("unsigned attributes aarshjul does not write"));
            };
            let mut values = a.values.iter();
            let (true, Some(token), None) = (
                a.oid == super::sign::ID_AA_TIME_STAMP_TOKEN,
                values.next(),
                values.next(),
            ) else {
                return Err(cms("unsigned attributes aarshjul does not write"));
            };
            let token = token.to_der().map_err(bad)?;
            Some(
                super::tsa::check(&token, signer.signature.as_bytes())
                    .map_err(Problem::Timestamp)?,
            )
        }
    };
    // The certificates lie outside the signed attributes: they must name them by hash.
    super::ess::check(attrs.as_slice(), cert, &embedded).map_err(|e| match e {
        Unbound::Missing => Problem::CertificateNotNamed(
            "no signing-certificate attribute among the signed attributes".into(),
        ),
        Unbound::Unreadable(d) => Problem::CertificateNotNamed(d),
        Unbound::OtherCertificate => Problem::OtherCertificate,
    })?;
    let self_signed = is_self_issued(cert);
    if self_signed && !keys::issued_by(cert, cert) {
        return Err(Problem::OtherCertificate);
    }
    // The chain: each certificate carried must have signed the one before it.
    let mut chain = Vec::new();
    let mut current = cert;
    while !is_self_issued(current) {
        let Some(issuer) = embedded
            .iter()
            .copied()
            .find(|c| c.tbs_certificate.subject == current.tbs_certificate.issuer)
        else {
            break;
        };
        if !keys::issued_by(current, issuer) || chain.len() > embedded.len() {
            return Err(Problem::OtherCertificate);
        }
        chain.push(name_text(&issuer.tbs_certificate.subject));
        current = issuer;
    }
    let spki = &cert.tbs_certificate.subject_public_key_info;
    let key = if spki.algorithm.oid == rfc5912::RSA_ENCRYPTION {
        let bits = der::Decode::from_der(spki.subject_public_key.raw_bytes())
            .map(|k: RsaPublicKey| k.modulus.as_bytes().len() * 8)
            .unwrap_or(0);
        format!("RSA {bits}")
    } else {
        match keys::curve(&spki.algorithm) {
            Some(c) if c == rfc5912::SECP_256_R_1 => "ECDSA P-256".into(),
            Some(c) if c == rfc5912::SECP_384_R_1 => "ECDSA P-384".into(),
            _ => "?".into(),
        }
    };
    Ok(Signer {
        name: name_text(&cert.tbs_certificate.subject),
        issuer: name_text(&cert.tbs_certificate.issuer),
        certificate_sha256: cert_fingerprint(cert),
        self_signed,
        organisation: CertOrg::of(cert),
        chain,
        key,
        signed_at,
        timestamp,
    })
}

#[derive(der::Sequence)]
struct RsaPublicKey {
    modulus: der::asn1::Uint,
    exponent: der::asn1::Uint,
}
