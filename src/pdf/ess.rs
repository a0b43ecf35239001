//! The ESS signing-certificate-v2 attribute (RFC 5035): a signed attribute holding the
//! SHA-256 of the signer's certificate, so the certificate embedded in the signature is bound
//! to it. Without it the certificate sits in the unsigned part of the CMS structure, and one
//! with another name but the same key (a rewritten CN) would pass unnoticed.
//!
//! ```text
//! SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2,
//!                                     policies SEQUENCE OF PolicyInformation OPTIONAL }
//! ESSCertIDv2 ::= SEQUENCE { hashAlgorithm AlgorithmIdentifier DEFAULT {id-sha256},
//!                            certHash OCTET STRING,
//!                            issuerSerial IssuerSerial OPTIONAL }
//! IssuerSerial ::= SEQUENCE { issuer GeneralNames, serialNumber CertificateSerialNumber }
//! ```

use der::asn1::{OctetString, SetOfVec};
use der::{Any, Decode, Encode, Sequence};
use sha2::{Digest, Sha256};
use spki::AlgorithmIdentifierOwned;
use x509_cert::Certificate;
use x509_cert::attr::Attribute;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::serial_number::SerialNumber;

/// id-aa-signingCertificateV2.
pub const OID: der::oid::ObjectIdentifier = const_oid::db::rfc5911::ID_AA_SIGNING_CERTIFICATE_V_2;

#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct IssuerSerial {
    issuer: Vec<GeneralName>,
    serial_number: SerialNumber,
}

#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct EssCertIdV2 {
    /// Absent means SHA-256 (DER leaves a default value out).
    #[asn1(optional = "true")]
    hash_algorithm: Option<AlgorithmIdentifierOwned>,
    cert_hash: OctetString,
    #[asn1(optional = "true")]
    issuer_serial: Option<IssuerSerial>,
}

#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct SigningCertificateV2 {
    certs: Vec<EssCertIdV2>,
    #[asn1(optional = "true")]
    policies: Option<Vec<Any>>,
}

/// The attribute naming `cert` as the signer's certificate, then each certificate of its
/// `chain`, so every certificate the signature carries is bound to it.
pub fn attribute(cert: &Certificate, chain: &[Certificate]) -> der::Result<Attribute> {
    let mut certs = vec![EssCertIdV2 {
        hash_algorithm: None,
        cert_hash: OctetString::new(Sha256::digest(cert.to_der()?).to_vec())?,
        issuer_serial: Some(IssuerSerial {
            issuer: vec![GeneralName::DirectoryName(
                cert.tbs_certificate.issuer.clone(),
            )],
            serial_number: cert.tbs_certificate.serial_number.clone(),
        }),
    }];
    for c in chain {
        certs.push(EssCertIdV2 {
            hash_algorithm: None,
            cert_hash: OctetString::new(Sha256::digest(c.to_der()?).to_vec())?,
            issuer_serial: None,
        });
    }
    let value = SigningCertificateV2 {
        certs,
        policies: None,
    };
    let mut values = SetOfVec::new();
    values.insert(Any::encode_from(&value)?)?;
    Ok(Attribute { oid: OID, values })
}

/// Why the attribute does not bind the certificates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unbound {
    /// No attribute, or more than one.
    Missing,
    /// Present but unreadable, or naming a hash algorithm other than SHA-256.
    Unreadable(String),
    /// The first entry is not the signer's certificate, or the certificates it lists are not
    /// the ones the signature carries.
    OtherCertificate,
}

/// Checks that the signed attributes `attrs` name `signer` as the signer's certificate and
/// list exactly the certificates in `embedded` (the signer's among them).
pub fn check(
    attrs: &[Attribute],
    signer: &Certificate,
    embedded: &[&Certificate],
) -> Result<(), Unbound> {
    let mut found = attrs.iter().filter(|a| a.oid == OID);
    let (Some(attr), None) = (found.next(), found.next()) else {
        return Err(Unbound::Missing);
    };
    let unreadable = |e: der::Error| Unbound::Unreadable(e.to_string());
    let mut values = attr.values.iter();
    let (Some(value), None) = (values.next(), values.next()) else {
        return Err(Unbound::Unreadable("not one value".into()));
    };
    let value =
        SigningCertificateV2::from_der(&value.to_der().map_err(unreadable)?).map_err(unreadable)?;
    let sha256 = const_oid::db::rfc5912::ID_SHA_256;
    if value
        .certs
        .iter()
        .any(|c| c.hash_algorithm.as_ref().is_some_and(|a| a.oid != sha256))
    {
        return Err(Unbound::Unreadable(
            "hash algorithm other than SHA-256".into(),
        ));
    }
    // The first entry names the signer's certificate (RFC 5035 § 5.4).
    let first = value.certs.first().ok_or(Unbound::Missing)?;
    let hash = |c: &Certificate| -> Result<Vec<u8>, Unbound> {
        Ok(Sha256::digest(c.to_der().map_err(unreadable)?).to_vec())
    };
    if first.cert_hash.as_bytes() != hash(signer)? {
        return Err(Unbound::OtherCertificate);
    }
    if let Some(is) = &first.issuer_serial {
        let issuer_named = is.issuer.iter().any(|n| {
            matches!(n, GeneralName::DirectoryName(name) if *name == signer.tbs_certificate.issuer)
        });
        if !issuer_named || is.serial_number != signer.tbs_certificate.serial_number {
            return Err(Unbound::OtherCertificate);
        }
    }
    let mut listed: Vec<&[u8]> = value.certs.iter().map(|c| c.cert_hash.as_bytes()).collect();
    let mut carried = embedded
        .iter()
        .map(|c| hash(c))
        .collect::<Result<Vec<_>, _>>()?;
    listed.sort();
    carried.sort();
    if listed != carried.iter().map(Vec::as_slice).collect::<Vec<_>>() {
        return Err(Unbound::OtherCertificate);
    }
    Ok(())
}

/// Whether the certificate names itself as its issuer.
pub fn is_self_issued(cert: &Certificate) -> bool {
    cert.tbs_certificate.issuer == cert.tbs_certificate.subject
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pdf::identity::{Holder, Identity};

    fn cert() -> Certificate {
        let holder = Holder {
            organisation: "Støttekontaktgruppen",
            cvr: None,
        };
        let now = "2026-11-22T13:00:00Z".parse().unwrap();
        Identity::self_signed(&holder, now).unwrap().certificate
    }

    #[test]
    fn the_attribute_binds_its_certificate_and_no_other() {
        let cert = cert();
        let attr = attribute(&cert, &[]).unwrap();
        let one = std::slice::from_ref(&attr);
        assert_eq!(check(one, &cert, &[&cert]), Ok(()));
        // Round trip through DER, as in a signature.
        let again = Attribute::from_der(&attr.to_der().unwrap()).unwrap();
        assert_eq!(check(&[again], &cert, &[&cert]), Ok(()));
        assert_eq!(check(&[], &cert, &[&cert]), Err(Unbound::Missing));
        assert_eq!(
            check(&[attr.clone(), attr.clone()], &cert, &[&cert]),
            Err(Unbound::Missing)
        );
        let other = self::cert();
        assert_eq!(
            check(one, &other, &[&other]),
            Err(Unbound::OtherCertificate)
        );
        // A certificate carried besides the signer's must be listed too.
        assert_eq!(
            check(one, &cert, &[&cert, &other]),
            Err(Unbound::OtherCertificate)
        );
        let both = attribute(&cert, std::slice::from_ref(&other)).unwrap();
        assert_eq!(check(&[both], &cert, &[&other, &cert]), Ok(()));
    }

    #[test]
    fn a_changed_self_signed_certificate_fails_its_own_signature() {
        let cert = cert();
        assert!(is_self_issued(&cert));
        assert!(crate::pdf::keys::issued_by(&cert, &cert));
        let mut renamed = cert.clone();
        renamed.tbs_certificate.subject = "CN=Mallory".parse().unwrap();
        renamed.tbs_certificate.issuer = "CN=Mallory".parse().unwrap();
        assert!(is_self_issued(&renamed));
        assert!(!crate::pdf::keys::issued_by(&renamed, &renamed));
    }
}
