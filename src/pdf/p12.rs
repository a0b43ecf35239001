//! Reading a PKCS#12 (.p12 / .pfx) file: the integrity MAC checked with the password, the
//! PBES2 (AES) encrypted parts decrypted, the private key and certificates taken out.
//! Files protected with the old PKCS#12 ciphers (3DES / RC2, OpenSSL's `-legacy`) are refused
//! with advice to convert them.

use cms::content_info::ContentInfo;
use cms::encrypted_data::EncryptedData;
use der::asn1::OctetString;
use der::{Decode, Encode, Reader, SliceReader};
use hmac::{Hmac, Mac};
use pkcs12::PKCS_12_CERT_BAG_OID as CERT_BAG;
use pkcs12::PKCS_12_KEY_BAG_OID as KEY_BAG;
use pkcs12::PKCS_12_PKCS8_KEY_BAG_OID as SHROUDED_KEY_BAG;
use pkcs12::kdf::{Pkcs12KeyType, derive_key_utf8};
use pkcs12::pfx::Pfx;
use pkcs12::safe_bag::SafeBag;
use x509_cert::Certificate;
use zeroize::Zeroizing;

const ID_DATA: der::oid::ObjectIdentifier = const_oid::db::rfc5911::ID_DATA;
const ID_ENCRYPTED_DATA: der::oid::ObjectIdentifier = const_oid::db::rfc5911::ID_ENCRYPTED_DATA;

/// Why a PKCS#12 file could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum P12Error {
    /// Not a PKCS#12 structure at all.
    NotP12(String),
    WrongPassword,
    /// Encrypted with an algorithm this program does not read (the old 3DES / RC2 ones).
    OldEncryption(String),
    NoKey,
    /// The key is not an ECDSA P-256 key (e.g. RSA).
    UnsupportedKey(String),
    NoMatchingCertificate,
    /// The file asks for more work or memory to check its password than any real file does
    /// (iteration counts above [`MAX_ITERATIONS`], a huge scrypt cost): refused before
    /// computing anything.
    Excessive(String),
}

/// The most MAC or PBKDF2 iterations a file may ask for: RFC 8018 calls 10,000,000 fit "for
/// especially critical keys"; OpenSSL writes 2,048.
pub const MAX_ITERATIONS: u32 = 10_000_000;

/// The most memory an scrypt cost may take (128 · N · r bytes): 256 MiB.
const MAX_SCRYPT_MEMORY: u64 = 256 * 1024 * 1024;

/// Refuses key-derivation parameters that would take unreasonably long or much memory.
fn check_cost(scheme: &pkcs5::EncryptionScheme<'_>) -> Result<(), P12Error> {
    let pkcs5::EncryptionScheme::Pbes2(params) = scheme else {
        return Ok(());
    };
    match &params.kdf {
        pkcs5::pbes2::Kdf::Pbkdf2(p)
            if p.iteration_count == 0 || p.iteration_count > MAX_ITERATIONS =>
        {
            Err(P12Error::Excessive(format!(
                "PBKDF2 {} iterations",
                p.iteration_count
            )))
        }
        pkcs5::pbes2::Kdf::Scrypt(p) => {
            let n = p.cost_parameter;
            let r = u64::from(p.block_size);
            let memory = n.checked_mul(r).and_then(|x| x.checked_mul(128));
            let work = n
                .checked_mul(r)
                .and_then(|x| x.checked_mul(u64::from(p.parallelization)));
            if memory.is_some_and(|m| m <= MAX_SCRYPT_MEMORY) && work.is_some_and(|w| w <= 1 << 26)
            {
                Ok(())
            } else {
                Err(P12Error::Excessive(format!(
                    "scrypt N={n}, r={r}, p={}",
                    p.parallelization
                )))
            }
        }
        // PBKDF2 within bounds, or a derivation this pkcs5 does not know (and cannot compute).
        _ => Ok(()),
    }
}

/// The contents of a PKCS#12 file: the key (PKCS#8 DER) and every certificate.
pub struct Contents {
    pub key: p256::SecretKey,
    /// The certificate of the key, then the rest (the chain), as found.
    pub certificates: Vec<Certificate>,
}

/// Reads `bytes` with `password`.
pub fn read(bytes: &[u8], password: &str) -> Result<Contents, P12Error> {
    let not = |e: der::Error| P12Error::NotP12(e.to_string());
    let pfx = Pfx::from_der(bytes).map_err(not)?;
    if pfx.auth_safe.content_type != ID_DATA {
        return Err(P12Error::NotP12(
            "the contents are signed with a public key, not protected by a password".into(),
        ));
    }
    let auth_safe = pfx
        .auth_safe
        .content
        .decode_as::<OctetString>()
        .map_err(not)?;
    let auth_safe = auth_safe.as_bytes();
    if let Some(mac) = &pfx.mac_data {
        check_mac(mac, auth_safe, password)?;
    }
    let infos = Vec::<ContentInfo>::from_der(auth_safe).map_err(not)?;
    let mut keys = Vec::new();
    let mut certificates = Vec::new();
    for info in infos {
        let safe_contents = if info.content_type == ID_DATA {
            info.content
                .decode_as::<OctetString>()
                .map_err(not)?
                .as_bytes()
                .to_vec()
        } else if info.content_type == ID_ENCRYPTED_DATA {
            let data = info.content.decode_as::<EncryptedData>().map_err(not)?;
            decrypt(&data, password, pfx.mac_data.is_some())?
        } else {
            continue;
        };
        let bags = Vec::<SafeBag>::from_der(&safe_contents).map_err(not)?;
        for bag in bags {
            let value = explicit_inner(&bag.bag_value).map_err(not)?;
            if bag.bag_id == CERT_BAG {
                let cert_bag = pkcs12::cert_type::CertBag::from_der(value).map_err(not)?;
                let der = cert_bag.cert_value.as_bytes();
                certificates.push(Certificate::from_der(der).map_err(not)?);
            } else if bag.bag_id == SHROUDED_KEY_BAG {
                let info = pkcs8::EncryptedPrivateKeyInfo::from_der(value).map_err(not)?;
                check_cost(&info.encryption_algorithm)?;
                let doc = info.decrypt(password).map_err(|e| match e {
                    pkcs8::Error::EncryptedPrivateKey(
                        pkcs5::Error::AlgorithmParametersInvalid { .. },
                    )
                    | pkcs8::Error::EncryptedPrivateKey(pkcs5::Error::UnsupportedAlgorithm {
                        ..
                    })
                    | pkcs8::Error::EncryptedPrivateKey(pkcs5::Error::NoPbes1CryptSupport) => {
                        P12Error::OldEncryption(info.encryption_algorithm.oid().to_string())
                    }
                    _ => P12Error::WrongPassword,
                })?;
                keys.push(Zeroizing::new(doc.as_bytes().to_vec()));
            } else if bag.bag_id == KEY_BAG {
                keys.push(Zeroizing::new(value.to_vec()));
            }
        }
    }
    let key_der = keys.first().ok_or(P12Error::NoKey)?;
    let key = key_from_pkcs8(key_der)?;
    let public = key.public_key();
    let spki = spki::SubjectPublicKeyInfoOwned::from_key(public)
        .map_err(|e| P12Error::NotP12(e.to_string()))?;
    let own = certificates
        .iter()
        .position(|c| c.tbs_certificate.subject_public_key_info == spki)
        .ok_or(P12Error::NoMatchingCertificate)?;
    let cert = certificates.remove(own);
    certificates.insert(0, cert);
    Ok(Contents { key, certificates })
}

fn key_from_pkcs8(der: &[u8]) -> Result<p256::SecretKey, P12Error> {
    use pkcs8::DecodePrivateKey;
    p256::SecretKey::from_pkcs8_der(der).map_err(|_| {
        let what = pkcs8::PrivateKeyInfo::from_der(der)
            .map(|info| match info.algorithm.oid.to_string().as_str() {
                "1.2.840.113549.1.1.1" => "RSA".to_string(),
                "1.2.840.10045.2.1" => "ECDSA (another curve than P-256)".to_string(),
                oid => oid.to_string(),
            })
            .unwrap_or_else(|e| e.to_string());
        P12Error::UnsupportedKey(what)
    })
}

/// The content of a `[0] EXPLICIT` wrapper, as `SafeBag` keeps it.
fn explicit_inner(tlv: &[u8]) -> der::Result<&[u8]> {
    let mut reader = SliceReader::new(tlv)?;
    let header = der::Header::decode(&mut reader)?;
    reader.read_slice(header.length)
}

fn check_mac(mac: &pkcs12::mac_data::MacData, data: &[u8], password: &str) -> Result<(), P12Error> {
    let salt = mac.mac_salt.as_bytes();
    let rounds = mac.iterations;
    if !(1..=MAX_ITERATIONS as i64).contains(&i64::from(rounds)) {
        return Err(P12Error::Excessive(format!("MAC {rounds} iterations")));
    }
    let expected = mac.mac.digest.as_bytes();
    let oid = mac.mac.algorithm.oid;
    let ok = if oid == const_oid::db::rfc5912::ID_SHA_256 {
        let key = derive_key_utf8::<sha2::Sha256>(password, salt, Pkcs12KeyType::Mac, rounds, 32)
            .map_err(|e| P12Error::NotP12(e.to_string()))?;
        let mut m = <Hmac<sha2::Sha256> as Mac>::new_from_slice(&key)
            .map_err(|e| P12Error::NotP12(e.to_string()))?;
        m.update(data);
        m.verify_slice(expected).is_ok()
    } else if oid == const_oid::db::rfc5912::ID_SHA_1 {
        let key = derive_key_utf8::<sha1::Sha1>(password, salt, Pkcs12KeyType::Mac, rounds, 20)
            .map_err(|e| P12Error::NotP12(e.to_string()))?;
        let mut m = <Hmac<sha1::Sha1> as Mac>::new_from_slice(&key)
            .map_err(|e| P12Error::NotP12(e.to_string()))?;
        m.update(data);
        m.verify_slice(expected).is_ok()
    } else {
        return Err(P12Error::OldEncryption(format!("MAC {oid}")));
    };
    if ok {
        Ok(())
    } else {
        Err(P12Error::WrongPassword)
    }
}

fn decrypt(data: &EncryptedData, password: &str, mac_checked: bool) -> Result<Vec<u8>, P12Error> {
    let info = &data.enc_content_info;
    let alg = info
        .content_enc_alg
        .to_der()
        .map_err(|e| P12Error::NotP12(e.to_string()))?;
    let scheme = pkcs5::EncryptionScheme::from_der(&alg)
        .map_err(|_| P12Error::OldEncryption(info.content_enc_alg.oid.to_string()))?;
    if matches!(scheme, pkcs5::EncryptionScheme::Pbes1(_)) {
        return Err(P12Error::OldEncryption(
            info.content_enc_alg.oid.to_string(),
        ));
    }
    check_cost(&scheme)?;
    let ciphertext = info
        .encrypted_content
        .as_ref()
        .ok_or_else(|| P12Error::NotP12("encrypted part without content".into()))?;
    scheme
        .decrypt(password, ciphertext.as_bytes())
        .map_err(|e| match e {
            pkcs5::Error::DecryptFailed if !mac_checked => P12Error::WrongPassword,
            pkcs5::Error::DecryptFailed => P12Error::NotP12("damaged encrypted part".into()),
            _ => P12Error::OldEncryption(info.content_enc_alg.oid.to_string()),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    #[test]
    fn excessive_iteration_counts_are_refused_before_computing() {
        let salt = [7u8; 16];
        let iv = [1u8; 16];
        let ok = pkcs5::pbes2::Parameters::pbkdf2_sha256_aes256cbc(2048, &salt, &iv).unwrap();
        assert_eq!(check_cost(&ok.into()), Ok(()));
        let limit =
            pkcs5::pbes2::Parameters::pbkdf2_sha256_aes256cbc(MAX_ITERATIONS, &salt, &iv).unwrap();
        assert_eq!(check_cost(&limit.into()), Ok(()));
        let slow =
            pkcs5::pbes2::Parameters::pbkdf2_sha256_aes256cbc(MAX_ITERATIONS + 1, &salt, &iv)
                .unwrap();
        assert!(matches!(
            check_cost(&slow.into()),
            Err(P12Error::Excessive(_))
        ));
        let huge = scrypt_params(20, 8, 1);
        let huge = pkcs5::pbes2::Parameters::scrypt_aes256cbc(huge, &salt, &iv).unwrap();
        assert!(matches!(
            check_cost(&huge.into()),
            Err(P12Error::Excessive(_))
        ));
        let fine = scrypt_params(14, 8, 1);
        let fine = pkcs5::pbes2::Parameters::scrypt_aes256cbc(fine, &salt, &iv).unwrap();
        assert_eq!(check_cost(&fine.into()), Ok(()));

        for rounds in [i32::MAX, MAX_ITERATIONS as i32 + 1, 0, -5] {
            let mac = pkcs12::mac_data::MacData {
                mac: pkcs12::digest_info::DigestInfo {
                    algorithm: spki::AlgorithmIdentifierOwned {
                        oid: const_oid::db::rfc5912::ID_SHA_256,
                        parameters: None,
                    },
                    digest: OctetString::new(vec![0; 32]).unwrap(),
                },
                mac_salt: OctetString::new(vec![0; 8]).unwrap(),
                iterations: rounds,
            };
            let started = Instant::now();
            assert!(matches!(
                check_mac(&mac, b"data", "pw"),
                Err(P12Error::Excessive(_))
            ));
            assert!(started.elapsed() < Duration::from_secs(1));
        }
    }

    fn scrypt_params(log_n: u8, r: u32, p: u32) -> pkcs5::scrypt::Params {
        pkcs5::scrypt::Params::new(log_n, r, p, 32).unwrap()
    }
}
