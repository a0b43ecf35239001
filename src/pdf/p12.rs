//! Reading a PKCS#12 (.p12 / .pfx) file: the integrity MAC checked with the password, the
//! encrypted parts decrypted, the private key and certificates taken out. Both the current
//! PBES2 (AES) protection and the old PKCS#12 ciphers that older exports and OpenSSL's
//! `-legacy` use (3DES for the key, RC2 for the certificates) are read; every iteration count
//! is capped before anything is computed.

use cms::content_info::ContentInfo;
use cms::encrypted_data::EncryptedData;
use der::asn1::OctetString;
use der::{Decode, Encode, Reader, Sequence, SliceReader};
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
    /// A key of a kind this program does not sign with (e.g. RSA 1024, another curve).
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

/// The contents of a PKCS#12 file: the key and every certificate.
pub struct Contents {
    pub key: super::keys::Key,
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
                let shrouded = Shrouded::from_der(value).map_err(not)?;
                if let Some(key) = legacy_decrypt(
                    &shrouded.algorithm,
                    password,
                    shrouded.data.as_bytes(),
                    pfx.mac_data.is_some(),
                )? {
                    keys.push(key);
                    continue;
                }
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
    let key = super::keys::Key::from_pkcs8_der(key_der).map_err(|e| match e {
        super::keys::KeyError::Unsupported(what) => P12Error::UnsupportedKey(what),
        super::keys::KeyError::Unreadable(d) => P12Error::NotP12(d),
    })?;
    let spki = key.public_key_info().map_err(P12Error::NotP12)?;
    let own = certificates
        .iter()
        .position(|c| super::identity::same_key(&c.tbs_certificate.subject_public_key_info, &spki))
        .ok_or(P12Error::NoMatchingCertificate)?;
    let cert = certificates.remove(own);
    certificates.insert(0, cert);
    Ok(Contents { key, certificates })
}

/// A PKCS#8 shrouded key bag, read without deciding on its algorithm first.
#[derive(Sequence)]
struct Shrouded {
    algorithm: spki::AlgorithmIdentifierOwned,
    data: OctetString,
}

/// The parameters of the old PKCS#12 ciphers (RFC 7292 appendix C).
#[derive(Sequence)]
struct Pkcs12PbeParams {
    salt: OctetString,
    iterations: u32,
}

/// pbeWithSHAAnd…: 128-bit RC4 (1), 40-bit RC4 (2), 3-key 3DES (3), 2-key 3DES (4),
/// 128-bit RC2 (5), 40-bit RC2 (6).
const PKCS12_PBE: &str = "1.2.840.113549.1.12.1.";

/// Decrypts `data` protected with one of the old PKCS#12 ciphers; `None` when `algorithm` is
/// not one of them.
fn legacy_decrypt(
    algorithm: &spki::AlgorithmIdentifierOwned,
    password: &str,
    data: &[u8],
    mac_checked: bool,
) -> Result<Option<Zeroizing<Vec<u8>>>, P12Error> {
    use cbc::cipher::block_padding::Pkcs7;
    use cbc::cipher::{BlockDecryptMut, InnerIvInit, KeyIvInit};
    let oid = algorithm.oid.to_string();
    let Some(n) = oid.strip_prefix(PKCS12_PBE) else {
        return Ok(None);
    };
    let params = algorithm
        .parameters
        .as_ref()
        .ok_or_else(|| P12Error::NotP12("no cipher parameters".into()))?
        .decode_as::<Pkcs12PbeParams>()
        .map_err(|e| P12Error::NotP12(e.to_string()))?;
    let rounds = params.iterations;
    if rounds == 0 || rounds > MAX_ITERATIONS {
        return Err(P12Error::Excessive(format!("{rounds} iterations")));
    }
    let rounds = rounds as i32;
    let salt = params.salt.as_bytes();
    let derive = |kind, len| {
        derive_key_utf8::<sha1::Sha1>(password, salt, kind, rounds, len)
            .map(Zeroizing::new)
            .map_err(|e| P12Error::NotP12(e.to_string()))
    };
    let iv = derive(Pkcs12KeyType::Iv, 8)?;
    let failed = || {
        if mac_checked {
            P12Error::NotP12("damaged encrypted part".into())
        } else {
            P12Error::WrongPassword
        }
    };
    let plain = match n {
        "3" => {
            let key = derive(Pkcs12KeyType::EncryptionKey, 24)?;
            cbc::Decryptor::<des::TdesEde3>::new_from_slices(&key, &iv)
                .map_err(|e| P12Error::NotP12(e.to_string()))?
                .decrypt_padded_vec_mut::<Pkcs7>(data)
                .map_err(|_| failed())?
        }
        "4" => {
            let key = derive(Pkcs12KeyType::EncryptionKey, 16)?;
            cbc::Decryptor::<des::TdesEde2>::new_from_slices(&key, &iv)
                .map_err(|e| P12Error::NotP12(e.to_string()))?
                .decrypt_padded_vec_mut::<Pkcs7>(data)
                .map_err(|_| failed())?
        }
        "5" | "6" => {
            let len = if n == "5" { 16 } else { 5 };
            let key = derive(Pkcs12KeyType::EncryptionKey, len)?;
            let cipher = rc2::Rc2::new_with_eff_key_len(&key, len * 8);
            cbc::Decryptor::<rc2::Rc2>::inner_iv_slice_init(cipher, &iv)
                .map_err(|e| P12Error::NotP12(e.to_string()))?
                .decrypt_padded_vec_mut::<Pkcs7>(data)
                .map_err(|_| failed())?
        }
        _ => return Err(P12Error::OldEncryption(oid)),
    };
    Ok(Some(Zeroizing::new(plain)))
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
    let ciphertext = info
        .encrypted_content
        .as_ref()
        .ok_or_else(|| P12Error::NotP12("encrypted part without content".into()))?;
    if let Some(plain) = legacy_decrypt(
        &info.content_enc_alg,
        password,
        ciphertext.as_bytes(),
        mac_checked,
    )? {
        return Ok(plain.to_vec());
    }
    let scheme = pkcs5::EncryptionScheme::from_der(&alg)
        .map_err(|_| P12Error::OldEncryption(info.content_enc_alg.oid.to_string()))?;
    if matches!(scheme, pkcs5::EncryptionScheme::Pbes1(_)) {
        return Err(P12Error::OldEncryption(
            info.content_enc_alg.oid.to_string(),
        ));
    }
    check_cost(&scheme)?;
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

    #[test]
    fn the_old_ciphers_have_the_same_iteration_cap() {
        let alg = |n: &str, rounds: u32| spki::AlgorithmIdentifierOwned {
            oid: der::oid::ObjectIdentifier::new_unwrap(n),
            parameters: Some(
                der::Any::encode_from(&Pkcs12PbeParams {
                    salt: OctetString::new(vec![1; 8]).unwrap(),
                    iterations: rounds,
                })
                .unwrap(),
            ),
        };
        for oid in ["1.2.840.113549.1.12.1.3", "1.2.840.113549.1.12.1.6"] {
            for rounds in [0, MAX_ITERATIONS + 1, u32::MAX] {
                let started = Instant::now();
                assert!(matches!(
                    legacy_decrypt(&alg(oid, rounds), "pw", &[0; 16], true),
                    Err(P12Error::Excessive(_))
                ));
                assert!(started.elapsed() < Duration::from_secs(1));
            }
            // Within the cap: computed, and garbage does not decrypt.
            assert!(legacy_decrypt(&alg(oid, 2048), "pw", &[0; 16], false).is_err());
        }
        // RC4 (1, 2) is not read: said to be an old encryption.
        assert!(matches!(
            legacy_decrypt(&alg("1.2.840.113549.1.12.1.1", 2048), "pw", &[0; 16], true),
            Err(P12Error::OldEncryption(_))
        ));
        // Not one of them: left to PBES2.
        assert!(matches!(
            legacy_decrypt(&alg("1.2.840.113549.1.5.13", 2048), "pw", &[0; 16], true),
            Ok(None)
        ));
    }

    fn scrypt_params(log_n: u8, r: u32, p: u32) -> pkcs5::scrypt::Params {
        pkcs5::scrypt::Params::new(log_n, r, p, 32).unwrap()
    }
}
