//! The signing identities: one per organisation, each a key (ECDSA P-256/P-384 or RSA) and its
//! certificate with any chain, kept in `identity/<org>/` beside the database (directories
//! 0700, key files 0600). An organisation's identity is made on its first signed export as a
//! self-signed certificate naming the organisation (`O=` its name, `organizationIdentifier=
//! NTRDK-<CVR>` when it has a CVR number), or imported from a PKCS#12 file (e.g. its OCES3
//! certificate). The person who signed the review is not in the certificate: they are named
//! in the signature dictionary and the record. The key is never printed.
//!
//! Databases from before identities per organisation hold one identity directly in
//! `identity/`. The first organisation whose certificate it is (its `O=` names the
//! organisation, or else the only organisation whose exports it signed) adopts it on its next
//! signed export: it moves to `identity/<org>/`. Any other organisation gets its own.

use std::fs;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, Utc};
use der::asn1::{PrintableStringRef, SetOfVec, Utf8StringRef};
use der::{Decode, Encode, EncodePem};
use p256::ecdsa::DerSignature;
use p256::pkcs8::LineEnding;
use sha2::{Digest, Sha256};
use x509_cert::Certificate;
use x509_cert::attr::AttributeTypeAndValue;
use x509_cert::builder::{Builder, CertificateBuilder, Profile};
use x509_cert::name::{Name, RdnSequence, RelativeDistinguishedName};
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::{Time, Validity};

use super::keys::Key;
use super::layout::CertSummary;
use super::p12::{self, P12Error};
use crate::checklist::hex;
use crate::i18n::Lang;

const KEY_FILE: &str = "key.pem";
const CERT_FILE: &str = "cert.pem";

/// A key and the certificate that names its holder, with any chain certificates (from the
/// issuer of the certificate up towards the root).
pub struct Identity {
    key: Key,
    pub certificate: Certificate,
    pub chain: Vec<Certificate>,
}

/// The organisation a new self-signed certificate names.
#[derive(Debug, Clone)]
pub struct Holder<'a> {
    pub organisation: &'a str,
    /// The Danish CVR number (8 digits), if the organisation has one.
    pub cvr: Option<&'a str>,
}

/// organizationIdentifier (X.520, 2.5.4.97): `NTRDK-<CVR>` for a Danish legal person.
pub const ORGANIZATION_IDENTIFIER: der::oid::ObjectIdentifier =
    der::oid::ObjectIdentifier::new_unwrap("2.5.4.97");

/// What a certificate says about whose it is.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CertOrg {
    /// `O=`.
    pub name: Option<String>,
    /// The CVR number from `organizationIdentifier=NTRDK-…`.
    pub cvr: Option<String>,
    /// `CN=`: the organisation itself, or the employee of an employee certificate.
    pub holder: Option<String>,
}

impl CertOrg {
    /// Reads the subject of `cert`.
    pub fn of(cert: &Certificate) -> CertOrg {
        let subject = &cert.tbs_certificate.subject;
        CertOrg {
            name: attr_text(subject, const_oid::db::rfc4519::O),
            cvr: attr_text(subject, ORGANIZATION_IDENTIFIER)
                .and_then(|v| v.strip_prefix("NTRDK-").map(str::to_string)),
            holder: attr_text(subject, const_oid::db::rfc4519::CN),
        }
    }

    /// Whether it names the organisation `name` with CVR `cvr`: the CVR numbers decide when
    /// both have one, the names (case and spacing aside) otherwise.
    pub fn is(&self, name: &str, cvr: Option<&str>) -> bool {
        if let (Some(own), Some(cvr)) = (&self.cvr, cvr) {
            return own == cvr;
        }
        let norm = |s: &str| {
            s.split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .to_lowercase()
        };
        self.name.as_deref().is_some_and(|n| norm(n) == norm(name))
    }

    /// "Støttekontaktgruppen (CVR 12345678)" or "?" when the certificate names none.
    pub fn text(&self) -> String {
        let mut s = self.name.clone().unwrap_or_else(|| "?".into());
        if let Some(cvr) = &self.cvr {
            s.push_str(&format!(" (CVR {cvr})"));
        }
        s
    }
}

/// What can go wrong with the identity. Each message says what the user can do.
#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: damaged identity ({detail})")]
    Damaged { path: PathBuf, detail: String },
    #[error("{path}: {error:?}")]
    P12 { path: PathBuf, error: P12Error },
    #[error("no password for the PKCS#12 file")]
    NoPassword,
    #[error("no signing identity in {dir}")]
    Missing { dir: PathBuf },
    #[error("the certificate could not be made: {0}")]
    Certificate(String),
    /// An imported certificate names another organisation than the one it is for.
    #[error("{path}: the certificate is for {cert}, not {org}")]
    OtherOrganisation {
        path: PathBuf,
        cert: String,
        org: String,
    },
}

impl IdentityError {
    /// One sentence in the user's language.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            IdentityError::Io { path, source } => format!("{}: {source}", path.display()),
            IdentityError::Damaged { path, detail } => format!(
                "{}: {} ({detail})",
                path.display(),
                lang.pick(
                    "underskriftsidentiteten er beskadiget; gendan mappen fra en sikkerhedskopi, eller flyt den væk, så der laves en ny ved næste eksport",
                    "the signing identity is damaged; restore the directory from a backup, or move it away so a new one is made at the next export"
                )
            ),
            IdentityError::P12 { path, error } => {
                let why = match error {
                    P12Error::NotP12(d) => format!(
                        "{} ({d})",
                        lang.pick("er ikke en PKCS#12-fil (.p12/.pfx)", "is not a PKCS#12 file (.p12/.pfx)")
                    ),
                    P12Error::WrongPassword => lang
                        .pick("forkert adgangskode", "wrong password")
                        .to_string(),
                    P12Error::OldEncryption(what) => format!(
                        "{} ({what}); {}",
                        lang.pick("bruger en gammel kryptering", "uses an old encryption"),
                        lang.pick(
                            "konvertér den med »openssl pkcs12 -legacy -in FIL -nodes | openssl pkcs12 -export -out NY.p12«",
                            "convert it with `openssl pkcs12 -legacy -in FILE -nodes | openssl pkcs12 -export -out NEW.p12`"
                        )
                    ),
                    P12Error::NoKey => lang
                        .pick("indeholder ingen privat nøgle", "holds no private key")
                        .to_string(),
                    P12Error::UnsupportedKey(what) => format!(
                        "{} {what}; {}",
                        lang.pick("nøglen er", "the key is"),
                        lang.pick(
                            "kun ECDSA P-256- og P-384-nøgler og RSA-nøgler på 2048–4096 bit kan bruges til at underskrive",
                            "only ECDSA P-256 and P-384 keys and RSA keys of 2048–4096 bits can be used for signing"
                        )
                    ),
                    P12Error::NoMatchingCertificate => lang
                        .pick(
                            "indeholder intet certifikat til nøglen",
                            "holds no certificate for its key",
                        )
                        .to_string(),
                    P12Error::Excessive(what) => format!(
                        "{} ({what}); {}",
                        lang.pick(
                            "beder om urimeligt mange beregninger for at kontrollere adgangskoden",
                            "asks for an unreasonable amount of work to check the password"
                        ),
                        lang.pick(
                            "filen læses ikke; lav den igen med almindelige indstillinger",
                            "the file is not read; export it again with ordinary settings"
                        )
                    ),
                };
                format!("{}: {why}", path.display())
            }
            IdentityError::NoPassword => lang
                .pick(
                    "Ingen adgangskode: angiv den i AARSHJUL_P12_PASSWORD, eller kør kommandoen i en terminal.",
                    "No password: set AARSHJUL_P12_PASSWORD, or run the command in a terminal.",
                )
                .to_string(),
            IdentityError::Missing { dir } => format!(
                "{}: {}",
                dir.display(),
                lang.pick(
                    "ingen underskriftsidentitet endnu; den laves ved første eksport, eller importér en med »aarshjul identity import FIL.p12«",
                    "no signing identity yet; one is made at the first export, or import one with `aarshjul identity import FILE.p12`"
                )
            ),
            IdentityError::Certificate(d) => format!(
                "{}: {d}",
                lang.pick("Certifikatet kunne ikke laves", "The certificate could not be made")
            ),
            IdentityError::OtherOrganisation { path, cert, org } => format!(
                "{}: {}",
                path.display(),
                lang.pick(
                    "certifikatet er udstedt til {c}, ikke til {o}; en gennemgang underskrives aldrig med en anden organisations nøgle (står CVR-nummeret i tjeklisten, sammenlignes det i stedet for navnet)",
                    "the certificate is issued to {c}, not to {o}; a review is never signed with another organisation's key (when the checklist has the CVR number, that is compared instead of the name)"
                )
                .replace("{c}", cert)
                .replace("{o}", org)
            ),
        }
    }
}

/// The identity directory of a database: `identity/` beside it. The organisations'
/// identities are in it ([`org_dir`]); a database from before that holds its single identity
/// directly in it.
pub fn dir_for_db(db: &Path) -> PathBuf {
    db.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .join("identity")
}

/// The directory of organisation `org`'s identity in the identity directory `root`.
pub fn org_dir(root: &Path, org: &str) -> PathBuf {
    root.join(org)
}

/// Whether `root` holds the single identity of a database from before identities per
/// organisation.
pub fn has_legacy(root: &Path) -> bool {
    root.join(KEY_FILE).exists() || root.join(CERT_FILE).exists()
}

/// Organisation `org`'s identity in `root`, if it has one. Without one, the database's former
/// single identity in `root` is adopted when `adopt` says it is the organisation's: it is
/// stored as the organisation's and removed from `root`. Returns whether it was adopted now.
pub fn for_org(
    root: &Path,
    org: &str,
    adopt: impl FnOnce(&Identity) -> bool,
) -> Result<(Option<Identity>, bool), IdentityError> {
    let dir = org_dir(root, org);
    if let Some(identity) = Identity::load(&dir)? {
        return Ok((Some(identity), false));
    }
    if !has_legacy(root) {
        return Ok((None, false));
    }
    let Some(legacy) = Identity::load(root)? else {
        return Ok((None, false));
    };
    if !adopt(&legacy) {
        return Ok((None, false));
    }
    legacy.save(&dir)?;
    for name in [KEY_FILE, CERT_FILE] {
        let path = root.join(name);
        fs::remove_file(&path).map_err(|source| IdentityError::Io { path, source })?;
    }
    Ok((Some(legacy), true))
}

impl Identity {
    /// Loads the identity in `dir`; `None` when there is none yet.
    pub fn load(dir: &Path) -> Result<Option<Identity>, IdentityError> {
        let key_path = dir.join(KEY_FILE);
        let cert_path = dir.join(CERT_FILE);
        let (key_pem, cert_pem) = match (read(&key_path)?, read(&cert_path)?) {
            (None, None) => {
                // No identity; but a replacement interrupted between its two renames leaves
                // the previous one aside: say so rather than make a new one.
                if let Some(old) = set_aside(dir) {
                    return Err(damaged(
                        &old,
                        &format!(
                            "an interrupted replacement left the identity here; rename it back to {}",
                            dir.display()
                        ),
                    ));
                }
                return Ok(None);
            }
            (Some(k), Some(c)) => (k, c),
            (None, Some(_)) => return Err(damaged(&key_path, "missing")),
            (Some(_), None) => return Err(damaged(&cert_path, "missing")),
        };
        let key =
            Key::from_pkcs8_pem(&key_pem).map_err(|e| damaged(&key_path, &format!("{e:?}")))?;
        let mut certs = Certificate::load_pem_chain(cert_pem.as_bytes())
            .map_err(|e| damaged(&cert_path, &e.to_string()))?;
        if certs.is_empty() {
            return Err(damaged(&cert_path, "no certificate"));
        }
        let certificate = certs.remove(0);
        let identity = Identity {
            key,
            certificate,
            chain: certs,
        };
        if !identity.key_matches() {
            return Err(damaged(
                &cert_path,
                "the certificate does not belong to the key",
            ));
        }
        Ok(Some(identity))
    }

    /// Loads the identity in `dir`, or makes and stores a self-signed one for `holder` when
    /// there is none. Returns whether it was made now.
    pub fn load_or_create(
        dir: &Path,
        holder: &Holder<'_>,
        now: DateTime<Utc>,
    ) -> Result<(Identity, bool), IdentityError> {
        if let Some(identity) = Identity::load(dir)? {
            return Ok((identity, false));
        }
        let identity = Identity::self_signed(holder, now)?;
        identity.save(dir)?;
        Ok((identity, true))
    }

    /// A new ECDSA P-256 key and a self-signed certificate naming the organisation of
    /// `holder`, valid 20 years from the day before `now`.
    pub fn self_signed(holder: &Holder<'_>, now: DateTime<Utc>) -> Result<Identity, IdentityError> {
        let fail = |e: &dyn std::fmt::Display| IdentityError::Certificate(e.to_string());
        let key = p256::ecdsa::SigningKey::random(&mut rand_core::OsRng);
        let subject = subject(holder).map_err(|e| fail(&e))?;
        let mut serial = [0u8; 16];
        rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut serial);
        serial[0] &= 0x7f;
        let serial = SerialNumber::new(&serial).map_err(|e| fail(&e))?;
        let start = now - chrono::Duration::days(1);
        let time = |t: DateTime<Utc>| -> Result<Time, IdentityError> {
            let since = Duration::from_secs(t.timestamp().max(0) as u64);
            let dt = der::DateTime::from_unix_duration(since).map_err(|e| fail(&e))?;
            Ok(if dt.year() < 2050 {
                Time::UtcTime(der::asn1::UtcTime::from_date_time(dt).map_err(|e| fail(&e))?)
            } else {
                Time::GeneralTime(der::asn1::GeneralizedTime::from_date_time(dt))
            })
        };
        let validity = Validity {
            not_before: time(start)?,
            not_after: time(start + chrono::Duration::days(365 * 20))?,
        };
        let spki = spki::SubjectPublicKeyInfoOwned::from_key(*key.verifying_key())
            .map_err(|e| fail(&e))?;
        let profile = Profile::Leaf {
            issuer: subject.clone(),
            enable_key_agreement: false,
            enable_key_encipherment: false,
        };
        let builder = CertificateBuilder::new(profile, serial, validity, subject, spki, &key)
            .map_err(|e| fail(&e))?;
        let certificate = builder.build::<DerSignature>().map_err(|e| fail(&e))?;
        Ok(Identity {
            key: Key::P256(key),
            certificate,
            chain: Vec::new(),
        })
    }

    /// Reads a PKCS#12 file with `password` and stores it as the identity in `dir`,
    /// replacing any identity there; its certificate must name the organisation `holder`.
    pub fn import(
        dir: &Path,
        file: &Path,
        password: &str,
        holder: &Holder<'_>,
    ) -> Result<Identity, IdentityError> {
        let bytes = fs::read(file).map_err(|source| IdentityError::Io {
            path: file.to_path_buf(),
            source,
        })?;
        let contents = p12::read(&bytes, password).map_err(|error| IdentityError::P12 {
            path: file.to_path_buf(),
            error,
        })?;
        let mut certs = contents.certificates;
        let certificate = certs.remove(0);
        let chain = chain_of(&certificate, certs);
        let identity = Identity {
            key: contents.key,
            certificate,
            chain,
        };
        let org = identity.organisation();
        if !org.is(holder.organisation, holder.cvr) {
            let mut named = holder.organisation.to_string();
            if let Some(cvr) = holder.cvr {
                named.push_str(&format!(" (CVR {cvr})"));
            }
            return Err(IdentityError::OtherOrganisation {
                path: file.to_path_buf(),
                cert: org.text(),
                org: named,
            });
        }
        identity.save(dir)?;
        Ok(identity)
    }

    /// Stores the key (0600) and certificates as `dir` (0700), both or neither: they are
    /// written into a new directory beside `dir`, synced, and that directory is renamed to
    /// `dir`. An identity already there is first renamed aside (`.identity.old-…`), put back
    /// if the new one cannot take its place, and removed once it has. A failure at any
    /// point leaves the previous key and certificate together, never one without the other.
    pub fn save(&self, dir: &Path) -> Result<(), IdentityError> {
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| IdentityError::Io { path, source }
        };
        let key_pem = self
            .key
            .to_pkcs8_pem()
            .map_err(IdentityError::Certificate)?;
        let mut certs = String::new();
        for cert in std::iter::once(&self.certificate).chain(&self.chain) {
            let pem = cert
                .to_pem(LineEnding::LF)
                .map_err(|e| IdentityError::Certificate(e.to_string()))?;
            certs.push_str(&pem);
        }
        let (parent, name) = parent_and_name(dir).ok_or_else(|| IdentityError::Io {
            path: dir.to_path_buf(),
            source: std::io::Error::new(std::io::ErrorKind::InvalidInput, "no directory name"),
        })?;
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&parent)
            .map_err(io(&parent))?;
        let staging = Staging::new(&parent, &name).map_err(io(&parent))?;
        staging
            .write(CERT_FILE, certs.as_bytes())
            .and_then(|_| fault("cert-written"))
            .and_then(|_| staging.write(KEY_FILE, key_pem.as_bytes()))
            .and_then(|_| fs::File::open(&staging.path)?.sync_all())
            .map_err(io(&staging.path))?;
        if fs::symlink_metadata(dir).is_err() {
            fs::rename(&staging.path, dir).map_err(io(dir))?;
        } else {
            let old = parent.join(format!(
                ".{}{OLD_MARK}{}",
                name.to_string_lossy(),
                super::output::random_suffix()
            ));
            fs::rename(dir, &old).map_err(io(dir))?;
            if let Err(source) = fault("set-aside").and_then(|_| fs::rename(&staging.path, dir)) {
                let _ = fs::rename(&old, dir);
                return Err(IdentityError::Io {
                    path: dir.to_path_buf(),
                    source,
                });
            }
            let _ = fs::remove_dir_all(&old);
        }
        staging.done();
        fs::File::open(&parent)
            .and_then(|d| d.sync_all())
            .map_err(io(&parent))
    }

    fn key_matches(&self) -> bool {
        self.key.public_key_info().is_ok_and(|spki| {
            same_key(
                &spki,
                &self.certificate.tbs_certificate.subject_public_key_info,
            )
        })
    }

    pub fn signing_key(&self) -> &Key {
        &self.key
    }

    /// The organisation the certificate names.
    pub fn organisation(&self) -> CertOrg {
        CertOrg::of(&self.certificate)
    }

    /// Whether the certificate names itself as its issuer.
    pub fn self_signed_certificate(&self) -> bool {
        self.certificate.tbs_certificate.issuer == self.certificate.tbs_certificate.subject
    }

    /// The certificate's subject, e.g. "CN=Henriette Salmon, TITLE=Leder, O=Støttekontaktgruppen".
    pub fn holder(&self) -> String {
        name_text(&self.certificate.tbs_certificate.subject)
    }

    /// The certificate subject's common name (CN), e.g. "Støttekontaktgruppen".
    pub fn common_name(&self) -> Option<String> {
        attr_text(
            &self.certificate.tbs_certificate.subject,
            const_oid::db::rfc4519::CN,
        )
    }

    /// SHA-256 (hex) of the certificate.
    pub fn fingerprint(&self) -> String {
        cert_fingerprint(&self.certificate)
    }

    pub fn summary(&self) -> CertSummary {
        CertSummary {
            holder: self.holder(),
            fingerprint: self.fingerprint(),
        }
    }

    /// The certificate's validity, as "not before – not after" in UTC.
    pub fn validity(&self) -> String {
        let v = &self.certificate.tbs_certificate.validity;
        format!("{} – {}", v.not_before, v.not_after)
    }
}

/// A name as people read it: "CN=…, TITLE=…, O=…" (most specific first).
pub fn name_text(name: &Name) -> String {
    name.0
        .iter()
        .rev()
        .flat_map(|rdn| {
            rdn.0.iter().map(|atv| {
                // x509-cert does not know this attribute's name and would print it as hex.
                if atv.oid == ORGANIZATION_IDENTIFIER
                    && let Some(text) = value_text(&atv.value)
                {
                    return format!("organizationIdentifier={text}");
                }
                atv.to_string()
            })
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The text of the first `oid` attribute in `name`.
pub fn attr_text(name: &Name, oid: der::oid::ObjectIdentifier) -> Option<String> {
    let atv = name
        .0
        .iter()
        .flat_map(|rdn| rdn.0.iter())
        .find(|atv| atv.oid == oid)?;
    value_text(&atv.value)
}

/// A directory string's text.
fn value_text(v: &der::Any) -> Option<String> {
    use der::asn1::{Ia5StringRef, TeletexStringRef};
    v.decode_as::<Utf8StringRef<'_>>()
        .map(|s| s.to_string())
        .or_else(|_| {
            v.decode_as::<PrintableStringRef<'_>>()
                .map(|s| s.to_string())
        })
        .or_else(|_| v.decode_as::<Ia5StringRef<'_>>().map(|s| s.to_string()))
        .or_else(|_| v.decode_as::<TeletexStringRef<'_>>().map(|s| s.to_string()))
        .ok()
}

/// Whether two public keys are the same key (an RSA key's NULL parameters aside).
pub fn same_key(a: &spki::SubjectPublicKeyInfoOwned, b: &spki::SubjectPublicKeyInfoOwned) -> bool {
    a.algorithm.oid == b.algorithm.oid
        && a.subject_public_key == b.subject_public_key
        && (a.algorithm.oid == const_oid::db::rfc5912::RSA_ENCRYPTION
            || a.algorithm.parameters == b.algorithm.parameters)
}

/// The chain of `leaf` among `others`: its issuer, that one's issuer, and so on, as far as
/// they are there (a root included). Certificates of no use to the chain are left out.
fn chain_of(leaf: &Certificate, mut others: Vec<Certificate>) -> Vec<Certificate> {
    let mut chain: Vec<Certificate> = Vec::new();
    let mut current = leaf.clone();
    while current.tbs_certificate.issuer != current.tbs_certificate.subject {
        let Some(i) = others
            .iter()
            .position(|c| c.tbs_certificate.subject == current.tbs_certificate.issuer)
        else {
            break;
        };
        let next = others.remove(i);
        chain.push(next.clone());
        current = next;
    }
    chain
}

/// SHA-256 (hex) of a certificate's DER encoding.
pub fn cert_fingerprint(cert: &Certificate) -> String {
    hex(&Sha256::digest(cert.to_der().unwrap_or_default()))
}

/// The subject of an organisation's self-signed certificate: C=DK, O=name,
/// organizationIdentifier=NTRDK-<CVR> (when there is one), CN=name.
fn subject(holder: &Holder<'_>) -> der::Result<Name> {
    use const_oid::db::rfc4519::{C, CN, O};
    let atv = |oid, value: der::Any| -> der::Result<RelativeDistinguishedName> {
        let atv = AttributeTypeAndValue { oid, value };
        Ok(RelativeDistinguishedName(SetOfVec::try_from(vec![atv])?))
    };
    let utf8 = |v: &str| der::Any::encode_from(&Utf8StringRef::new(v)?);
    let printable = |v: &str| der::Any::encode_from(&PrintableStringRef::new(v)?);
    let name = holder.organisation.trim();
    if name.is_empty() {
        return Name::from_str("CN=aarshjul");
    }
    let mut rdns = vec![atv(C, printable("DK")?)?, atv(O, utf8(name)?)?];
    if let Some(cvr) = holder.cvr.map(str::trim).filter(|c| !c.is_empty()) {
        rdns.push(atv(
            ORGANIZATION_IDENTIFIER,
            printable(&format!("NTRDK-{cvr}"))?,
        )?);
    }
    rdns.push(atv(CN, utf8(name)?)?);
    Ok(RdnSequence(rdns))
}

#[cfg(test)]
thread_local! {
    /// The step of [`Identity::save`] at which a test makes it fail.
    static FAIL_AT: std::cell::Cell<&'static str> = const { std::cell::Cell::new("") };
}

/// A failure injected by a test at `step`; nothing outside tests.
fn fault(step: &'static str) -> std::io::Result<()> {
    #[cfg(test)]
    if FAIL_AT.with(|f| f.get()) == step {
        return Err(std::io::Error::other(format!("failure injected at {step}")));
    }
    let _ = step;
    Ok(())
}

/// Marks an identity set aside during a replacement: `.identity.old-…` beside it.
const OLD_MARK: &str = ".old-";

fn parent_and_name(dir: &Path) -> Option<(PathBuf, std::ffi::OsString)> {
    let name = dir.file_name()?.to_os_string();
    let parent = dir
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_path_buf();
    Some((parent, name))
}

/// An identity set aside by a replacement that did not finish, if any.
fn set_aside(dir: &Path) -> Option<PathBuf> {
    let (parent, name) = parent_and_name(dir)?;
    let prefix = format!(".{}{OLD_MARK}", name.to_string_lossy());
    fs::read_dir(&parent)
        .ok()?
        .filter_map(Result::ok)
        .find(|e| e.file_name().to_string_lossy().starts_with(&prefix))
        .map(|e| e.path())
}

/// A new private directory beside the identity's, removed when dropped unless done.
struct Staging {
    path: PathBuf,
    done: std::cell::Cell<bool>,
}

impl Staging {
    fn new(parent: &Path, name: &std::ffi::OsStr) -> std::io::Result<Staging> {
        let path = parent.join(format!(
            ".{}.new-{}",
            name.to_string_lossy(),
            super::output::random_suffix()
        ));
        fs::DirBuilder::new().mode(0o700).create(&path)?;
        let staging = Staging {
            path,
            done: std::cell::Cell::new(false),
        };
        fs::set_permissions(&staging.path, fs::Permissions::from_mode(0o700))?;
        Ok(staging)
    }

    /// Writes a new file (0600) in the directory and syncs it.
    fn write(&self, name: &str, bytes: &[u8]) -> std::io::Result<()> {
        let mut f = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(self.path.join(name))?;
        std::io::Write::write_all(&mut f, bytes)?;
        f.sync_all()
    }

    fn done(&self) {
        self.done.set(true);
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.done.get() {
            let _ = fs::remove_dir_all(&self.path);
        }
    }
}

fn read(path: &Path) -> Result<Option<String>, IdentityError> {
    match fs::read(path) {
        Ok(bytes) => String::from_utf8(bytes)
            .map(Some)
            .map_err(|_| damaged(path, "not text")),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(IdentityError::Io {
            path: path.to_path_buf(),
            source,
        }),
    }
}

fn damaged(path: &Path, detail: &str) -> IdentityError {
    IdentityError::Damaged {
        path: path.to_path_buf(),
        detail: detail.to_string(),
    }
}

/// Whether the file is a PKCS#12 structure at all (for a clear error before asking for a
/// password).
pub fn looks_like_p12(bytes: &[u8]) -> bool {
    pkcs12::pfx::Pfx::from_der(bytes).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn holder() -> Holder<'static> {
        Holder {
            organisation: "Støttekontaktgruppen",
            cvr: Some("12345678"),
        }
    }

    #[test]
    fn created_once_private_and_reloaded() {
        let dir = tempfile::tempdir().unwrap();
        let id_dir = dir.path().join("identity");
        let now = "2026-11-22T13:00:00Z".parse().unwrap();
        let (first, created) = Identity::load_or_create(&id_dir, &holder(), now).unwrap();
        assert!(created);
        assert_eq!(
            first.holder(),
            "CN=Støttekontaktgruppen, organizationIdentifier=NTRDK-12345678, O=Støttekontaktgruppen, C=DK"
        );
        let org = first.organisation();
        assert_eq!(org.cvr.as_deref(), Some("12345678"));
        assert!(org.is("støttekontaktgruppen", None));
        assert!(org.is("Andet navn", Some("12345678")));
        assert!(!org.is("Støttekontaktgruppen", Some("87654321")));
        assert!(!org.is("Fordelingssekretariatet", None));
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&id_dir), 0o700);
        assert_eq!(mode(&id_dir.join(KEY_FILE)), 0o600);
        let (again, created) = Identity::load_or_create(&id_dir, &holder(), now).unwrap();
        assert!(!created);
        assert_eq!(again.fingerprint(), first.fingerprint());
        assert_eq!(again.common_name().as_deref(), Some("Støttekontaktgruppen"));
    }

    /// Names in `dir` other than the identity itself (staging or set-aside directories).
    fn strays(dir: &Path) -> Vec<String> {
        fs::read_dir(dir)
            .unwrap()
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n != "identity")
            .collect()
    }

    #[test]
    fn saving_replaces_key_and_certificate_together() {
        let dir = tempfile::tempdir().unwrap();
        let id_dir = dir.path().join("identity");
        let now = "2026-11-22T13:00:00Z".parse().unwrap();
        let (first, _) = Identity::load_or_create(&id_dir, &holder(), now).unwrap();
        let other = Holder {
            organisation: "Anden",
            cvr: None,
        };
        let second = Identity::self_signed(&other, now).unwrap();
        second.save(&id_dir).unwrap();
        let loaded = Identity::load(&id_dir).unwrap().unwrap();
        assert_eq!(loaded.fingerprint(), second.fingerprint());
        assert_ne!(loaded.fingerprint(), first.fingerprint());
        assert!(strays(dir.path()).is_empty(), "{:?}", strays(dir.path()));
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&id_dir), 0o700);
        assert_eq!(mode(&id_dir.join(KEY_FILE)), 0o600);
        assert_eq!(mode(&id_dir.join(CERT_FILE)), 0o600);
    }

    #[test]
    fn a_failed_save_leaves_the_previous_pair() {
        let dir = tempfile::tempdir().unwrap();
        let id_dir = dir.path().join("identity");
        let now = "2026-11-22T13:00:00Z".parse().unwrap();
        let (first, _) = Identity::load_or_create(&id_dir, &holder(), now).unwrap();
        let second = Identity::self_signed(&holder(), now).unwrap();
        for step in ["cert-written", "set-aside"] {
            FAIL_AT.with(|f| f.set(step));
            let err = second.save(&id_dir).err().unwrap();
            FAIL_AT.with(|f| f.set(""));
            assert!(err.to_string().contains(step), "{err}");
            assert_eq!(
                Identity::load(&id_dir).unwrap().unwrap().fingerprint(),
                first.fingerprint(),
                "failed at {step}: the previous key and certificate are still there, together"
            );
            assert!(strays(dir.path()).is_empty(), "{:?}", strays(dir.path()));
        }
        // A first identity that fails half-way leaves nothing, not half a pair.
        let fresh = dir.path().join("fresh");
        FAIL_AT.with(|f| f.set("cert-written"));
        assert!(second.save(&fresh).is_err());
        FAIL_AT.with(|f| f.set(""));
        assert!(!fresh.exists());
        assert!(Identity::load(&fresh).unwrap().is_none());

        // A replacement interrupted between its renames is reported, not silently redone.
        let aside = dir.path().join(".identity.old-123");
        fs::rename(&id_dir, &aside).unwrap();
        let err = Identity::load(&id_dir).err().unwrap();
        assert!(err.to_string().contains("rename it back"), "{err}");
        fs::rename(&aside, &id_dir).unwrap();
        assert!(Identity::load(&id_dir).unwrap().is_some());
    }

    #[test]
    fn damaged_files_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let now = "2026-11-22T13:00:00Z".parse().unwrap();
        Identity::load_or_create(dir.path(), &holder(), now).unwrap();
        fs::write(
            dir.path().join(KEY_FILE),
            "-----BEGIN PRIVATE KEY-----\nAAAA\n",
        )
        .unwrap();
        let err = Identity::load(dir.path()).err().unwrap();
        assert!(matches!(err, IdentityError::Damaged { .. }), "{err:?}");
        assert!(err.message(Lang::Da).contains("beskadiget"));

        let other = tempfile::tempdir().unwrap();
        Identity::load_or_create(other.path(), &holder(), now).unwrap();
        fs::copy(other.path().join(KEY_FILE), dir.path().join(KEY_FILE)).unwrap();
        let err = Identity::load(dir.path()).err().unwrap();
        assert!(err.to_string().contains("does not belong"), "{err}");

        fs::remove_file(dir.path().join(CERT_FILE)).unwrap();
        assert!(matches!(
            Identity::load(dir.path()),
            Err(IdentityError::Damaged { .. })
        ));
    }
}
