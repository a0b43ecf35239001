//! Trusted time: asking an RFC 3161 time-stamping authority for a token over a signature
//! value (PAdES B-T), and checking such a token.
//!
//! The request goes over plain HTTP (`http://…`, as time-stamping authorities commonly offer
//! it): the token is signed by the authority itself, so the transport need not be trusted.
//! `https://` addresses are refused with a sentence saying so.

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

use chrono::{DateTime, Utc};
use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerIdentifier};
use der::asn1::{GeneralizedTime, Int, OctetString};
use der::{Decode, Encode, Sequence};
use sha2::{Digest, Sha256, Sha384, Sha512};
use spki::AlgorithmIdentifierOwned;
use x509_cert::Certificate;
use x509_cert::ext::pkix::name::GeneralName;

use super::identity::name_text;
use super::keys::{self, LowS};
use crate::i18n::Lang;

/// id-ct-TSTInfo.
const ID_CT_TST_INFO: der::oid::ObjectIdentifier =
    der::oid::ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.1.4");
/// id-kp-timeStamping.
const ID_KP_TIME_STAMPING: der::oid::ObjectIdentifier =
    der::oid::ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.8");

/// The largest reply read from an authority.
const MAX_REPLY: u64 = 1024 * 1024;

#[derive(Clone, Debug, Sequence)]
struct MessageImprint {
    hash_algorithm: AlgorithmIdentifierOwned,
    hashed_message: OctetString,
}

#[derive(Clone, Debug, Sequence)]
struct TimeStampReq {
    version: u8,
    message_imprint: MessageImprint,
    nonce: u64,
    cert_req: bool,
}

#[derive(Clone, Debug, Sequence)]
struct PkiStatusInfo {
    status: u32,
    #[asn1(optional = "true")]
    status_string: Option<Vec<String>>,
    #[asn1(optional = "true")]
    fail_info: Option<der::asn1::BitString>,
}

#[derive(Clone, Debug, Sequence)]
struct TimeStampResp {
    status: PkiStatusInfo,
    #[asn1(optional = "true")]
    token: Option<der::Any>,
}

#[derive(Clone, Debug, Sequence)]
struct Accuracy {
    #[asn1(optional = "true")]
    seconds: Option<u32>,
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT", optional = "true")]
    millis: Option<u32>,
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", optional = "true")]
    micros: Option<u32>,
}

#[derive(Clone, Debug, Sequence)]
struct TstInfo {
    version: u8,
    policy: der::oid::ObjectIdentifier,
    message_imprint: MessageImprint,
    serial_number: Int,
    gen_time: GeneralizedTime,
    #[asn1(optional = "true")]
    accuracy: Option<Accuracy>,
    #[asn1(default = "Default::default")]
    ordering: bool,
    #[asn1(optional = "true")]
    nonce: Option<Int>,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    tsa: Option<GeneralName>,
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", optional = "true")]
    extensions: Option<x509_cert::ext::Extensions>,
}

/// A time-stamping authority, by its address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tsa {
    pub url: String,
}

/// Why no timestamp came.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TsaError {
    #[error("{url}: not an http:// address")]
    Url { url: String },
    #[error("{url}: cannot be reached ({detail})")]
    Unreachable { url: String, detail: String },
    #[error("{url}: answered {detail}")]
    Refused { url: String, detail: String },
    #[error("{url}: the reply is not a valid timestamp ({detail})")]
    BadReply { url: String, detail: String },
}

impl TsaError {
    /// One sentence in the user's language.
    pub fn message(&self, lang: Lang) -> String {
        let nothing = lang.pick("intet er skrevet", "nothing was written");
        match self {
            TsaError::Url { url } => format!(
                "{url}: {}; {nothing}.",
                lang.pick(
                    "tidsstemplingstjenestens adresse skal begynde med http:// (tidsstemplet er selv underskrevet, så forbindelsen behøver ikke at være krypteret)",
                    "the time-stamping authority's address must begin with http:// (the timestamp is signed itself, so the connection need not be encrypted)"
                )
            ),
            TsaError::Unreachable { url, detail } => format!(
                "{url}: {} ({detail}); {nothing}.",
                lang.pick(
                    "tidsstemplingstjenesten kan ikke nås",
                    "the time-stamping authority cannot be reached"
                )
            ),
            TsaError::Refused { url, detail } => format!(
                "{url}: {} ({detail}); {nothing}.",
                lang.pick(
                    "tidsstemplingstjenesten afviste anmodningen",
                    "the time-stamping authority refused the request"
                )
            ),
            TsaError::BadReply { url, detail } => format!(
                "{url}: {} ({detail}); {nothing}.",
                lang.pick(
                    "tidsstemplingstjenestens svar er ikke et gyldigt tidsstempel",
                    "the time-stamping authority's reply is not a valid timestamp"
                )
            ),
        }
    }
}

/// What a timestamp token says, once checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamp {
    /// The authority, as its token or certificate names it.
    pub authority: String,
    pub time: DateTime<Utc>,
}

impl Tsa {
    /// Asks the authority for a token over the SHA-256 `imprint`; returns the token (a CMS
    /// ContentInfo, DER), checked.
    pub fn stamp(&self, imprint: &[u8]) -> Result<Vec<u8>, TsaError> {
        let url = self.url.clone();
        let bad = |detail: String| TsaError::BadReply {
            url: url.clone(),
            detail,
        };
        let mut nonce = [0u8; 8];
        rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut nonce);
        let nonce = u64::from_be_bytes(nonce) >> 1;
        let request = TimeStampReq {
            version: 1,
            message_imprint: MessageImprint {
                hash_algorithm: AlgorithmIdentifierOwned {
                    oid: const_oid::db::rfc5912::ID_SHA_256,
                    parameters: None,
                },
                hashed_message: OctetString::new(imprint).map_err(|e| bad(e.to_string()))?,
            },
            nonce,
            cert_req: true,
        }
        .to_der()
        .map_err(|e| bad(e.to_string()))?;
        let reply = self.post(&request)?;
        let reply = TimeStampResp::from_der(&reply).map_err(|e| bad(e.to_string()))?;
        // granted (0) or grantedWithMods (1)
        if reply.status.status > 1 {
            let text = reply
                .status
                .status_string
                .map(|s| s.join(" "))
                .unwrap_or_default();
            return Err(TsaError::Refused {
                url: url.clone(),
                detail: format!("status {} {text}", reply.status.status)
                    .trim()
                    .to_string(),
            });
        }
        let token = reply
            .token
            .ok_or_else(|| bad("no token".into()))?
            .to_der()
            .map_err(|e| bad(e.to_string()))?;
        let (_, info) = check_token(&token, None).map_err(&bad)?;
        if info.message_imprint.hashed_message.as_bytes() != imprint {
            return Err(bad("the token is for other data".into()));
        }
        let strip = |b: &[u8]| -> Vec<u8> { b.iter().copied().skip_while(|&x| x == 0).collect() };
        let same_nonce = info
            .nonce
            .as_ref()
            .is_some_and(|n| strip(n.as_bytes()) == strip(&nonce.to_be_bytes()));
        if !same_nonce {
            return Err(bad("the token answers another request (nonce)".into()));
        }
        Ok(token)
    }

    /// POSTs a query over HTTP/1.0 and returns the reply's body.
    fn post(&self, body: &[u8]) -> Result<Vec<u8>, TsaError> {
        let url = self.url.clone();
        let unreachable = |detail: String| TsaError::Unreachable {
            url: url.clone(),
            detail,
        };
        let rest = self
            .url
            .strip_prefix("http://")
            .ok_or_else(|| TsaError::Url { url: url.clone() })?;
        let (host_port, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, "/"),
        };
        if host_port.is_empty() || host_port.contains('@') {
            return Err(TsaError::Url { url: url.clone() });
        }
        let with_port = if host_port
            .rsplit_once(':')
            .is_some_and(|(_, p)| p.parse::<u16>().is_ok())
        {
            host_port.to_string()
        } else {
            format!("{host_port}:80")
        };
        let addrs: Vec<_> = with_port
            .to_socket_addrs()
            .map_err(|e| unreachable(e.to_string()))?
            .collect();
        let mut stream = None;
        let mut last = String::from("no address");
        for addr in addrs {
            match TcpStream::connect_timeout(&addr, Duration::from_secs(10)) {
                Ok(s) => {
                    stream = Some(s);
                    break;
                }
                Err(e) => last = e.to_string(),
            }
        }
        let mut stream = stream.ok_or_else(|| unreachable(last))?;
        let io = |e: std::io::Error| unreachable(e.to_string());
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .map_err(io)?;
        stream
            .set_write_timeout(Some(Duration::from_secs(30)))
            .map_err(io)?;
        let head = format!(
            "POST {path} HTTP/1.0\r\nHost: {host_port}\r\nUser-Agent: aarshjul\r\nContent-Type: application/timestamp-query\r\nAccept: application/timestamp-reply\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        stream.write_all(head.as_bytes()).map_err(io)?;
        stream.write_all(body).map_err(io)?;
        let mut reply = Vec::new();
        stream
            .take(MAX_REPLY + 1)
            .read_to_end(&mut reply)
            .map_err(io)?;
        let refused = |detail: String| TsaError::Refused {
            url: url.clone(),
            detail,
        };
        let split = reply
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .ok_or_else(|| refused("no HTTP reply".into()))?;
        let head = String::from_utf8_lossy(&reply[..split]).to_string();
        let status = head.lines().next().unwrap_or_default();
        let code = status.split_whitespace().nth(1).unwrap_or_default();
        if code != "200" {
            return Err(refused(status.trim().to_string()));
        }
        if reply.len() as u64 > MAX_REPLY {
            return Err(refused("a reply over 1 MB".into()));
        }
        Ok(reply[split + 4..].to_vec())
    }
}

/// Checks a timestamp token: its signature by the certificate it carries (which must be for
/// time-stamping), and, with `signature`, that it is over the SHA-256 of that signature
/// value. Returns what it says.
pub fn check(token: &[u8], signature: &[u8]) -> Result<Stamp, String> {
    let (stamp, _) = check_token(token, Some(signature))?;
    Ok(stamp)
}

fn check_token(token: &[u8], signature: Option<&[u8]>) -> Result<(Stamp, TstInfo), String> {
    use const_oid::db::{rfc5911, rfc5912};
    let info = ContentInfo::from_der(token).map_err(|e| e.to_string())?;
    if info.content_type != rfc5911::ID_SIGNED_DATA {
        return Err("not signed data".into());
    }
    let data: SignedData = info.content.decode_as().map_err(|e| e.to_string())?;
    if data.encap_content_info.econtent_type != ID_CT_TST_INFO {
        return Err("not a timestamp".into());
    }
    let content = data
        .encap_content_info
        .econtent
        .as_ref()
        .ok_or("no timestamp content")?
        .decode_as::<OctetString>()
        .map_err(|e| e.to_string())?;
    let tst = TstInfo::from_der(content.as_bytes()).map_err(|e| e.to_string())?;
    let imprint = &tst.message_imprint;
    if imprint.hash_algorithm.oid != rfc5912::ID_SHA_256 {
        return Err("the timestamp's imprint is not SHA-256".into());
    }
    if let Some(signature) = signature
        && imprint.hashed_message.as_bytes() != Sha256::digest(signature).as_slice()
    {
        return Err("the timestamp is not over this signature (message imprint differs)".into());
    }
    let mut signers = data.signer_infos.0.iter();
    let (Some(signer), None) = (signers.next(), signers.next()) else {
        return Err("not exactly one signer in the timestamp".into());
    };
    let certs: Vec<&Certificate> = data
        .certificates
        .iter()
        .flat_map(|set| set.0.iter())
        .filter_map(|c| match c {
            cms::cert::CertificateChoices::Certificate(c) => Some(c),
            _ => None,
        })
        .collect();
    let cert = certs
        .iter()
        .copied()
        .find(|c| match &signer.sid {
            SignerIdentifier::IssuerAndSerialNumber(sid) => {
                c.tbs_certificate.issuer == sid.issuer
                    && c.tbs_certificate.serial_number == sid.serial_number
            }
            SignerIdentifier::SubjectKeyIdentifier(ski) => {
                subject_key_id(c).is_some_and(|own| own == ski.0.as_bytes())
            }
        })
        .ok_or("the timestamp does not carry the authority's certificate")?;
    if !for_time_stamping(cert) {
        return Err("the authority's certificate is not for time-stamping".into());
    }
    let attrs = signer
        .signed_attrs
        .as_ref()
        .ok_or("the timestamp has no signed attributes")?;
    let attr = |oid| {
        attrs
            .iter()
            .find(|a| a.oid == oid)
            .and_then(|a| a.values.iter().next())
    };
    let content_type = attr(rfc5911::ID_CONTENT_TYPE)
        .and_then(|v| v.decode_as::<der::oid::ObjectIdentifier>().ok());
    if content_type != Some(ID_CT_TST_INFO) {
        return Err("the timestamp's content type is not signed".into());
    }
    let digest_alg = signer.digest_alg.oid;
    let digest = if digest_alg == rfc5912::ID_SHA_256 {
        Sha256::digest(content.as_bytes()).to_vec()
    } else if digest_alg == rfc5912::ID_SHA_384 {
        Sha384::digest(content.as_bytes()).to_vec()
    } else if digest_alg == rfc5912::ID_SHA_512 {
        Sha512::digest(content.as_bytes()).to_vec()
    } else {
        return Err(format!("timestamp digest {digest_alg}"));
    };
    let signed_digest = attr(rfc5911::ID_MESSAGE_DIGEST)
        .and_then(|v| v.decode_as::<OctetString>().ok())
        .ok_or("the timestamp has no message digest")?;
    if signed_digest.as_bytes() != digest {
        return Err("the timestamp's content was changed".into());
    }
    let signed = attrs.to_der().map_err(|e| e.to_string())?;
    keys::verify(
        &cert.tbs_certificate.subject_public_key_info,
        &signer.signature_algorithm.oid,
        Some(&digest_alg),
        &signed,
        signer.signature.as_bytes(),
        LowS::Either,
    )
    .map_err(|e| format!("the timestamp's signature does not hold ({e:?})"))?;
    let authority = match &tst.tsa {
        Some(GeneralName::DirectoryName(name)) => name_text(name),
        _ => name_text(&cert.tbs_certificate.subject),
    };
    let secs = tst.gen_time.to_unix_duration().as_secs();
    let time = DateTime::<Utc>::from_timestamp(secs as i64, 0).ok_or("timestamp time")?;
    Ok((Stamp { authority, time }, tst))
}

fn subject_key_id(cert: &Certificate) -> Option<Vec<u8>> {
    let ext = cert
        .tbs_certificate
        .extensions
        .as_ref()?
        .iter()
        .find(|e| e.extn_id == const_oid::db::rfc5280::ID_CE_SUBJECT_KEY_IDENTIFIER)?;
    OctetString::from_der(ext.extn_value.as_bytes())
        .ok()
        .map(|o| o.as_bytes().to_vec())
}

/// Whether the certificate's extended key usage includes time-stamping.
fn for_time_stamping(cert: &Certificate) -> bool {
    let Some(exts) = cert.tbs_certificate.extensions.as_ref() else {
        return false;
    };
    exts.iter()
        .filter(|e| e.extn_id == const_oid::db::rfc5280::ID_CE_EXT_KEY_USAGE)
        .any(|e| {
            Vec::<der::oid::ObjectIdentifier>::from_der(e.extn_value.as_bytes())
                .is_ok_and(|usages| usages.contains(&ID_KP_TIME_STAMPING))
        })
}

/// The file in the identity directory that holds the database's time-stamping authority.
const SETTING_FILE: &str = "tsa.url";

/// The database's time-stamping authority, set with [`set_setting`]; `None` when none is set.
pub fn setting(identity_root: &std::path::Path) -> Result<Option<Tsa>, super::IdentityError> {
    let path = identity_root.join(SETTING_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            let url = text.trim();
            Ok((!url.is_empty()).then(|| Tsa {
                url: url.to_string(),
            }))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(super::IdentityError::Io { path, source }),
    }
}

/// Sets (or with `None` removes) the database's time-stamping authority.
pub fn set_setting(
    identity_root: &std::path::Path,
    tsa: Option<&Tsa>,
) -> Result<(), super::IdentityError> {
    use std::os::unix::fs::DirBuilderExt;
    let path = identity_root.join(SETTING_FILE);
    let io = |source| super::IdentityError::Io {
        path: path.clone(),
        source,
    };
    match tsa {
        None => match std::fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io(e)),
            _ => Ok(()),
        },
        Some(tsa) => {
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(identity_root)
                .map_err(io)?;
            let temp = identity_root.join(format!(".{SETTING_FILE}.new"));
            std::fs::write(&temp, format!("{}\n", tsa.url)).map_err(io)?;
            std::fs::rename(&temp, &path).map_err(io)
        }
    }
}

/// Checks the form of a time-stamping authority's address before it is used or stored.
pub fn parse(url: &str) -> Result<Tsa, TsaError> {
    let url = url.trim();
    let rest = url.strip_prefix("http://").unwrap_or_default();
    let host = rest.split('/').next().unwrap_or_default();
    if host.is_empty() || host.contains('@') || url.chars().any(char::is_whitespace) {
        return Err(TsaError::Url { url: url.into() });
    }
    Ok(Tsa { url: url.into() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_http_addresses_are_taken() {
        assert_eq!(
            parse(" http://127.0.0.1:8080/tsa ").unwrap().url,
            "http://127.0.0.1:8080/tsa"
        );
        for bad in [
            "https://tsa.example/",
            "ftp://x",
            "http://",
            "http://user@host/",
            "http://a b/",
            "tsa.example",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        let err = parse("https://tsa.example/").unwrap_err();
        assert!(err.message(Lang::Da).contains("intet er skrevet"));
    }

    #[test]
    fn garbage_is_not_a_token() {
        assert!(check(b"not der", b"sig").is_err());
        assert!(check(&[0x30, 0x00], b"sig").is_err());
    }
}
