//! Signing keys and signature checks for the kinds of key a signing identity may hold: ECDSA
//! P-256 and P-384 (RustCrypto's `p256`/`p384`) and RSA 2048–4096 (`ring`, constant time; the
//! `rsa` crate is not used because of its timing advisory RUSTSEC-2023-0071).
//!
//! Every signature this program makes is over SHA-256: `ecdsa-with-SHA256` (normalised to
//! low-S, so `s` cannot be replaced by `n − s`) or `sha256WithRSAEncryption` (PKCS#1 v1.5).
//! Checking accepts what certificates and time-stamp tokens from others use as well (SHA-384
//! and SHA-512, `rsaEncryption` as the signature algorithm in CMS).

use const_oid::ObjectIdentifier;
use der::asn1::ObjectIdentifier as Oid;
use der::{Decode, Encode};
use p256::pkcs8::{DecodePrivateKey, EncodePrivateKey, LineEnding};
use sha2::{Digest, Sha256, Sha384, Sha512};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use zeroize::Zeroizing;

const ID_EC_PUBLIC_KEY: Oid = const_oid::db::rfc5912::ID_EC_PUBLIC_KEY;
const RSA_ENCRYPTION: Oid = const_oid::db::rfc5912::RSA_ENCRYPTION;
const SECP_256_R_1: Oid = const_oid::db::rfc5912::SECP_256_R_1;
const SECP_384_R_1: Oid = const_oid::db::rfc5912::SECP_384_R_1;
const ECDSA_WITH_SHA_256: Oid = const_oid::db::rfc5912::ECDSA_WITH_SHA_256;
const ECDSA_WITH_SHA_384: Oid = const_oid::db::rfc5912::ECDSA_WITH_SHA_384;
const ECDSA_WITH_SHA_512: Oid = const_oid::db::rfc5912::ECDSA_WITH_SHA_512;
const SHA_256_WITH_RSA: Oid = const_oid::db::rfc5912::SHA_256_WITH_RSA_ENCRYPTION;
const SHA_384_WITH_RSA: Oid = const_oid::db::rfc5912::SHA_384_WITH_RSA_ENCRYPTION;
const SHA_512_WITH_RSA: Oid = const_oid::db::rfc5912::SHA_512_WITH_RSA_ENCRYPTION;
const ID_SHA_256: Oid = const_oid::db::rfc5912::ID_SHA_256;
const ID_SHA_384: Oid = const_oid::db::rfc5912::ID_SHA_384;
const ID_SHA_512: Oid = const_oid::db::rfc5912::ID_SHA_512;

/// A private key that can sign.
pub enum Key {
    P256(p256::ecdsa::SigningKey),
    P384(p384::ecdsa::SigningKey),
    Rsa {
        pair: ring::signature::RsaKeyPair,
        /// The PKCS#8 it was read from, to store it again.
        pkcs8: Zeroizing<Vec<u8>>,
    },
}

/// Why a PKCS#8 key cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyError {
    /// Not a PKCS#8 private key at all.
    Unreadable(String),
    /// A kind of key this program does not sign with; what it is.
    Unsupported(String),
}

impl Key {
    /// A new random P-256 key (for a self-signed identity).
    pub fn new_p256() -> Key {
        Key::P256(p256::ecdsa::SigningKey::random(&mut rand_core::OsRng))
    }

    /// Reads a PKCS#8 (DER) private key.
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Key, KeyError> {
        let info = pkcs8::PrivateKeyInfo::from_der(der)
            .map_err(|e| KeyError::Unreadable(e.to_string()))?;
        let alg = info.algorithm.oid;
        if alg == RSA_ENCRYPTION {
            let pair = ring::signature::RsaKeyPair::from_pkcs8(der)
                .map_err(|e| KeyError::Unsupported(format!("RSA ({e})")))?;
            let bits = pair.public().modulus_len() * 8;
            if !(2048..=4096).contains(&bits) {
                return Err(KeyError::Unsupported(format!("RSA {bits} bits")));
            }
            return Ok(Key::Rsa {
                pair,
                pkcs8: Zeroizing::new(der.to_vec()),
            });
        }
        if alg != ID_EC_PUBLIC_KEY {
            return Err(KeyError::Unsupported(alg.to_string()));
        }
        let curve = info
            .algorithm
            .parameters_oid()
            .map_err(|e| KeyError::Unreadable(e.to_string()))?;
        if curve == SECP_256_R_1 {
            p256::ecdsa::SigningKey::from_pkcs8_der(der)
                .map(Key::P256)
                .map_err(|e| KeyError::Unreadable(e.to_string()))
        } else if curve == SECP_384_R_1 {
            p384::ecdsa::SigningKey::from_pkcs8_der(der)
                .map(Key::P384)
                .map_err(|e| KeyError::Unreadable(e.to_string()))
        } else {
            Err(KeyError::Unsupported(format!("ECDSA {curve}")))
        }
    }

    /// Reads a PKCS#8 private key in PEM.
    pub fn from_pkcs8_pem(pem: &str) -> Result<Key, KeyError> {
        let (label, doc) =
            der::SecretDocument::from_pem(pem).map_err(|e| KeyError::Unreadable(e.to_string()))?;
        if label != "PRIVATE KEY" {
            return Err(KeyError::Unreadable(format!("PEM label {label}")));
        }
        Key::from_pkcs8_der(doc.as_bytes())
    }

    /// The key as PKCS#8 PEM.
    pub fn to_pkcs8_pem(&self) -> Result<Zeroizing<String>, String> {
        match self {
            Key::P256(k) => k.to_pkcs8_pem(LineEnding::LF).map_err(|e| e.to_string()),
            Key::P384(k) => k.to_pkcs8_pem(LineEnding::LF).map_err(|e| e.to_string()),
            Key::Rsa { pkcs8, .. } => der::SecretDocument::try_from(pkcs8.as_slice())
                .and_then(|d| d.to_pem("PRIVATE KEY", LineEnding::LF))
                .map_err(|e| e.to_string()),
        }
    }

    /// What kind of key it is, as people read it: "ECDSA P-256", "RSA 3072".
    pub fn describe(&self) -> String {
        match self {
            Key::P256(_) => "ECDSA P-256".into(),
            Key::P384(_) => "ECDSA P-384".into(),
            Key::Rsa { pair, .. } => format!("RSA {}", pair.public().modulus_len() * 8),
        }
    }

    /// The public key, as a certificate holds it.
    pub fn public_key_info(&self) -> Result<SubjectPublicKeyInfoOwned, String> {
        match self {
            Key::P256(k) => {
                SubjectPublicKeyInfoOwned::from_key(*k.verifying_key()).map_err(|e| e.to_string())
            }
            Key::P384(k) => {
                SubjectPublicKeyInfoOwned::from_key(*k.verifying_key()).map_err(|e| e.to_string())
            }
            Key::Rsa { pair, .. } => {
                let key = der::asn1::BitString::from_bytes(pair.public().as_ref())
                    .map_err(|e| e.to_string())?;
                Ok(SubjectPublicKeyInfoOwned {
                    algorithm: AlgorithmIdentifierOwned {
                        oid: RSA_ENCRYPTION,
                        parameters: Some(der::Any::null()),
                    },
                    subject_public_key: key,
                })
            }
        }
    }

    /// The algorithm [`Key::sign`] signs with.
    pub fn signature_algorithm(&self) -> AlgorithmIdentifierOwned {
        match self {
            Key::P256(_) | Key::P384(_) => AlgorithmIdentifierOwned {
                oid: ECDSA_WITH_SHA_256,
                parameters: None,
            },
            Key::Rsa { .. } => AlgorithmIdentifierOwned {
                oid: SHA_256_WITH_RSA,
                parameters: Some(der::Any::null()),
            },
        }
    }

    /// The longest signature [`Key::sign`] can return (DER for ECDSA).
    pub fn max_signature_len(&self) -> usize {
        match self {
            Key::P256(_) => 72,
            Key::P384(_) => 104,
            Key::Rsa { pair, .. } => pair.public().modulus_len(),
        }
    }

    /// Signs SHA-256 of `message`. ECDSA signatures are normalised to low-S.
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>, String> {
        use p256::ecdsa::signature::hazmat::PrehashSigner;
        let digest = Sha256::digest(message);
        match self {
            Key::P256(k) => {
                let sig: p256::ecdsa::Signature =
                    k.sign_prehash(&digest).map_err(|e| e.to_string())?;
                let sig = sig.normalize_s().unwrap_or(sig);
                Ok(sig.to_der().as_bytes().to_vec())
            }
            Key::P384(k) => {
                let sig: p384::ecdsa::Signature =
                    k.sign_prehash(&digest).map_err(|e| e.to_string())?;
                let sig = sig.normalize_s().unwrap_or(sig);
                Ok(sig.to_der().as_bytes().to_vec())
            }
            Key::Rsa { pair, .. } => {
                let rng = ring::rand::SystemRandom::new();
                let mut sig = vec![0; pair.public().modulus_len()];
                pair.sign(&ring::signature::RSA_PKCS1_SHA256, &rng, message, &mut sig)
                    .map_err(|_| "RSA signing failed".to_string())?;
                Ok(sig)
            }
        }
    }
}

/// Why a signature does not verify.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SigProblem {
    /// An algorithm or key this program does not check.
    Unsupported(String),
    /// The signature does not match.
    Bad,
    /// An ECDSA signature with a high `s`: the form this program never writes, so an altered
    /// one (`n − s`).
    HighS,
}

/// How strict [`verify`] is about ECDSA's `s`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LowS {
    /// Refuse a high `s` (our own signatures).
    Required,
    /// Accept either (certificates and tokens signed by others).
    Either,
}

/// Checks `signature` over `message` with the public key `spki`. `algorithm` is the signature
/// algorithm; `digest` the digest algorithm where the signature algorithm does not name one
/// (CMS with `rsaEncryption`).
pub fn verify(
    spki: &SubjectPublicKeyInfoOwned,
    algorithm: &ObjectIdentifier,
    digest: Option<&ObjectIdentifier>,
    message: &[u8],
    signature: &[u8],
    low_s: LowS,
) -> Result<(), SigProblem> {
    let unsupported = |what: String| Err(SigProblem::Unsupported(what));
    let key_alg = spki.algorithm.oid;
    let key_bytes = spki.subject_public_key.raw_bytes();
    let alg = *algorithm;
    if key_alg == RSA_ENCRYPTION {
        use ring::signature as rs;
        let hash = if alg == SHA_256_WITH_RSA {
            ID_SHA_256
        } else if alg == SHA_384_WITH_RSA {
            ID_SHA_384
        } else if alg == SHA_512_WITH_RSA {
            ID_SHA_512
        } else if alg == RSA_ENCRYPTION {
            match digest {
                Some(d) => *d,
                None => return unsupported("RSA without a digest".into()),
            }
        } else {
            return unsupported(format!("RSA with {alg}"));
        };
        let params: &dyn rs::VerificationAlgorithm = if hash == ID_SHA_256 {
            &rs::RSA_PKCS1_2048_8192_SHA256
        } else if hash == ID_SHA_384 {
            &rs::RSA_PKCS1_2048_8192_SHA384
        } else if hash == ID_SHA_512 {
            &rs::RSA_PKCS1_2048_8192_SHA512
        } else {
            return unsupported(format!("RSA with {hash}"));
        };
        return rs::UnparsedPublicKey::new(params, key_bytes)
            .verify(message, signature)
            .map_err(|_| SigProblem::Bad);
    }
    if key_alg != ID_EC_PUBLIC_KEY {
        return unsupported(format!("key {key_alg}"));
    }
    let prehash: Vec<u8> = if alg == ECDSA_WITH_SHA_256 {
        Sha256::digest(message).to_vec()
    } else if alg == ECDSA_WITH_SHA_384 {
        Sha384::digest(message).to_vec()
    } else if alg == ECDSA_WITH_SHA_512 {
        Sha512::digest(message).to_vec()
    } else {
        return unsupported(format!("ECDSA with {alg}"));
    };
    let curve = curve(&spki.algorithm)
        .ok_or_else(|| SigProblem::Unsupported("EC key without a named curve".into()))?;
    use p256::ecdsa::signature::hazmat::PrehashVerifier;
    if curve == SECP_256_R_1 {
        let key = p256::ecdsa::VerifyingKey::from_sec1_bytes(key_bytes)
            .map_err(|_| SigProblem::Unsupported("P-256 key".into()))?;
        let sig = p256::ecdsa::Signature::from_der(signature).map_err(|_| SigProblem::Bad)?;
        if low_s == LowS::Required && sig.normalize_s().is_some() {
            return Err(SigProblem::HighS);
        }
        key.verify_prehash(&prehash, &sig)
            .map_err(|_| SigProblem::Bad)
    } else if curve == SECP_384_R_1 {
        let key = p384::ecdsa::VerifyingKey::from_sec1_bytes(key_bytes)
            .map_err(|_| SigProblem::Unsupported("P-384 key".into()))?;
        let sig = p384::ecdsa::Signature::from_der(signature).map_err(|_| SigProblem::Bad)?;
        if low_s == LowS::Required && sig.normalize_s().is_some() {
            return Err(SigProblem::HighS);
        }
        key.verify_prehash(&prehash, &sig)
            .map_err(|_| SigProblem::Bad)
    } else {
        unsupported(format!("ECDSA curve {curve}"))
    }
}

/// The named curve of an EC public key's algorithm.
pub fn curve(algorithm: &AlgorithmIdentifierOwned) -> Option<Oid> {
    algorithm.parameters.as_ref()?.decode_as::<Oid>().ok()
}

/// Whether `cert` was signed by the key of `issuer` (any supported algorithm).
pub fn issued_by(cert: &x509_cert::Certificate, issuer: &x509_cert::Certificate) -> bool {
    if cert.tbs_certificate.issuer != issuer.tbs_certificate.subject
        || cert.tbs_certificate.signature != cert.signature_algorithm
    {
        return false;
    }
    let Ok(tbs) = cert.tbs_certificate.to_der() else {
        return false;
    };
    let Some(sig) = cert.signature.as_bytes() else {
        return false;
    };
    verify(
        &issuer.tbs_certificate.subject_public_key_info,
        &cert.signature_algorithm.oid,
        None,
        &tbs,
        sig,
        LowS::Either,
    )
    .is_ok()
}

/// Decodes a DER value, mapping the error to text.
pub fn decode<'a, T: Decode<'a>>(der: &'a [u8]) -> Result<T, String> {
    T::from_der(der).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ecdsa_signatures_are_low_s_and_high_s_is_refused() {
        for key in [
            Key::new_p256(),
            Key::P384(p384::ecdsa::SigningKey::random(&mut rand_core::OsRng)),
        ] {
            let spki = key.public_key_info().unwrap();
            let alg = key.signature_algorithm().oid;
            for n in 0..16u8 {
                let msg = [n; 20];
                let sig = key.sign(&msg).unwrap();
                assert_eq!(
                    verify(&spki, &alg, None, &msg, &sig, LowS::Required),
                    Ok(())
                );
                // The same signature with s replaced by n − s.
                let high = match &key {
                    Key::P256(_) => {
                        let s = p256::ecdsa::Signature::from_der(&sig).unwrap();
                        let (r, s) = s.split_scalars();
                        p256::ecdsa::Signature::from_scalars(r, -*s)
                            .unwrap()
                            .to_der()
                            .as_bytes()
                            .to_vec()
                    }
                    Key::P384(_) => {
                        let s = p384::ecdsa::Signature::from_der(&sig).unwrap();
                        let (r, s) = s.split_scalars();
                        p384::ecdsa::Signature::from_scalars(r, -*s)
                            .unwrap()
                            .to_der()
                            .as_bytes()
                            .to_vec()
                    }
                    Key::Rsa { .. } => unreachable!(),
                };
                assert_eq!(
                    verify(&spki, &alg, None, &msg, &high, LowS::Required),
                    Err(SigProblem::HighS)
                );
                assert_eq!(verify(&spki, &alg, None, &msg, &high, LowS::Either), Ok(()));
                assert_eq!(
                    verify(&spki, &alg, None, b"other", &sig, LowS::Required),
                    Err(SigProblem::Bad)
                );
            }
            let pem = key.to_pkcs8_pem().unwrap();
            let again = Key::from_pkcs8_pem(&pem).unwrap();
            assert_eq!(again.public_key_info().unwrap(), spki);
        }
    }
}
