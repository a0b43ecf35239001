//! The review record as a signed PDF: the only module touching genpdf, lopdf and the
//! signing crates.
//!
//! [`export`] is the one entry point for the command line and the terminal UI: it reads the
//! review's events, lays the record out ([`layout`]), post-processes it ([`post`]), signs it
//! with the identity ([`identity`], [`sign`]), writes it through a temporary file and a rename,
//! and records the export as an event. [`verify`] checks a PDF afterwards.

pub mod fonts;
pub mod identity;
pub mod layout;
mod p12;
pub mod post;
pub mod sign;
mod text;
pub mod verify;

use std::collections::BTreeSet;
use std::fs::{self, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use crate::checklist::{Checklist, hex};
use crate::i18n::Lang;
use crate::period::Period;
use crate::record::{Record, content_events};
use crate::review::{Change, Event, Review};
use crate::store::{Store, StoreError};

pub use identity::{Holder, Identity, IdentityError};
pub use layout::CertSummary;
pub use sign::SignError;
pub use verify::{Checked, SignatureState};

/// How to export.
#[derive(Debug, Clone)]
pub struct ExportOptions {
    /// Export an unsigned review, marked UDKAST / DRAFT on every page and not signed
    /// digitally. A signed review exported as a draft is marked the same way.
    pub draft: bool,
    /// The export's time: in the signature, the document information and the event.
    pub now: DateTime<Utc>,
    /// Where the signing identity lives; see [`identity::dir_for_db`].
    pub identity_dir: PathBuf,
}

impl ExportOptions {
    /// Options for the database at `db`: its identity directory beside it.
    pub fn for_db(db: &Path, draft: bool, now: DateTime<Utc>) -> ExportOptions {
        ExportOptions {
            draft,
            now,
            identity_dir: identity::dir_for_db(db),
        }
    }
}

/// What an export did.
#[derive(Debug, Clone)]
pub struct ExportReport {
    pub path: PathBuf,
    /// SHA-256 (hex) of the written file.
    pub sha256: String,
    /// The record fingerprint in the PDF.
    pub fingerprint: String,
    pub pages: usize,
    pub size: usize,
    pub draft: bool,
    /// The certificate the PDF is signed with; `None` for a draft.
    pub certificate: Option<CertSummary>,
    /// The signing identity was made by this export.
    pub identity_created: bool,
    /// Characters the fonts lack; each was printed as `?`.
    pub missing_glyphs: Vec<char>,
    /// The export event's number in the store.
    pub event_seq: i64,
}

impl ExportReport {
    /// Warnings to show with the confirmation.
    pub fn warnings(&self, lang: Lang) -> Vec<String> {
        if self.missing_glyphs.is_empty() {
            return Vec::new();
        }
        let chars: Vec<String> = self
            .missing_glyphs
            .iter()
            .map(|c| format!("»{c}« (U+{:04X})", *c as u32))
            .collect();
        vec![format!(
            "{}: {}",
            lang.pick(
                "Tegn, som skrifttypen ikke har, er vist som »?« i PDF'en",
                "Characters the font lacks are shown as `?` in the PDF"
            ),
            chars.join(", ")
        )]
    }
}

/// Why an export failed. Nothing is written when it does.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("review {org} {period} has no events")]
    NoEvents { org: String, period: String },
    #[error("review {period} is not signed")]
    NotSigned { period: String },
    #[error(transparent)]
    Identity(#[from] IdentityError),
    #[error("layout: {0}")]
    Layout(String),
    #[error(transparent)]
    Sign(#[from] SignError),
    #[error("{path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ExportError {
    /// One sentence in the user's language.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            ExportError::NoEvents { org, period } => lang
                .pick(
                    "Gennemgangen {o} {p} har ingen registreringer endnu; der er intet at eksportere.",
                    "Review {o} {p} has nothing recorded yet; there is nothing to export.",
                )
                .replace("{o}", org)
                .replace("{p}", period),
            ExportError::NotSigned { period } => lang
                .pick(
                    "Gennemgangen {p} er ikke underskrevet: underskriv den først, eller eksportér et udkast med --draft.",
                    "Review {p} is not signed: sign it first or use --draft to export a draft.",
                )
                .replace("{p}", period),
            ExportError::Identity(e) => e.message(lang),
            ExportError::Layout(d) => format!(
                "{}: {d}",
                lang.pick("PDF'en kunne ikke sættes op", "The PDF could not be laid out")
            ),
            ExportError::Sign(e) => format!(
                "{}: {e}",
                lang.pick("PDF'en kunne ikke underskrives", "The PDF could not be signed")
            ),
            ExportError::Write { path, source } => format!(
                "{}: {} ({source})",
                path.display(),
                lang.pick(
                    "PDF'en kan ikke skrives her; vælg en anden fil med --out",
                    "the PDF cannot be written here; name another file with --out"
                )
            ),
            ExportError::Store(e) => e.message(lang),
        }
    }
}

/// A record PDF in memory.
pub struct Built {
    pub bytes: Vec<u8>,
    pub pages: usize,
    pub fingerprint: String,
    pub missing: BTreeSet<char>,
    pub certificate: Option<CertSummary>,
}

/// Lays out, post-processes and (unless `identity` is `None`) signs the record of a review
/// from its events. No I/O: for [`export`], benchmarks and tests.
pub fn build(
    checklist: &Checklist,
    period: Period,
    events: &[Event],
    draft: bool,
    identity: Option<&Identity>,
    now: DateTime<Utc>,
) -> Result<Built, ExportError> {
    let record = Record::build(checklist, period, events);
    let certificate = identity.map(Identity::summary);
    let rendered = layout::render(&record, draft, certificate.as_ref(), now)
        .map_err(|e| ExportError::Layout(e.to_string()))?;
    let meta = post::Meta {
        title: &record.title,
        author: &record.organisation.name,
        org: &record.organisation.id,
        period: &period.key(),
        fingerprint: &record.fingerprint,
        draft,
        now,
    };
    let mut doc =
        post::finish(&rendered.pdf, &meta).map_err(|e| ExportError::Layout(e.to_string()))?;
    let bytes = match identity {
        Some(identity) => {
            let name = record
                .signature
                .as_ref()
                .map(|s| s.by.clone())
                .unwrap_or_else(|| identity.holder());
            sign::sign(
                &mut doc,
                identity,
                &sign::SignInfo {
                    name: &name,
                    reason: &record.title,
                    at: now,
                },
            )?
        }
        None => {
            let mut bytes = Vec::new();
            doc.save_to(&mut bytes)
                .map_err(|e| ExportError::Layout(e.to_string()))?;
            bytes
        }
    };
    Ok(Built {
        bytes,
        pages: rendered.pages,
        fingerprint: record.fingerprint,
        missing: rendered.missing,
        certificate,
    })
}

/// Exports the record of `period` in `checklist` to `out` and records the export.
///
/// A signed review is signed digitally with the identity in `opts.identity_dir`, made on first
/// use for the review's signer. An unsigned review is refused unless `opts.draft`. The file is
/// written to a temporary file in the target directory and renamed, so a failed export leaves
/// nothing behind; the directory must exist.
pub fn export(
    store: &mut Store,
    checklist: &Checklist,
    period: Period,
    out: &Path,
    opts: &ExportOptions,
) -> Result<ExportReport, ExportError> {
    let org = &checklist.organisation;
    let events = store.review_events(&org.id, period)?;
    let content = content_events(&events);
    if content.is_empty() {
        return Err(ExportError::NoEvents {
            org: org.id.clone(),
            period: period.key(),
        });
    }
    let review = Review::from_events(content);
    if review.signature.is_none() && !opts.draft {
        return Err(ExportError::NotSigned {
            period: period.key(),
        });
    }
    // A new identity is stored only once the PDF it signed is written.
    let (identity, identity_created) = match (&review.signature, opts.draft) {
        (Some(sig), false) => match Identity::load(&opts.identity_dir)? {
            Some(identity) => (Some(identity), false),
            None => {
                let holder = Holder {
                    name: &sig.by,
                    role: &sig.role,
                    organisation: &org.name,
                };
                (Some(Identity::self_signed(&holder, opts.now)?), true)
            }
        },
        _ => (None, false),
    };
    let built = build(
        checklist,
        period,
        &events,
        opts.draft,
        identity.as_ref(),
        opts.now,
    )?;
    write_private(out, &built.bytes).map_err(|source| ExportError::Write {
        path: out.to_path_buf(),
        source,
    })?;
    if let (Some(identity), true) = (&identity, identity_created)
        && let Err(e) = identity.save(&opts.identity_dir)
    {
        let _ = fs::remove_file(out);
        return Err(e.into());
    }
    let sha256 = hex(&Sha256::digest(&built.bytes));
    let change = Change::ExportMade {
        file: out.display().to_string(),
        sha256: sha256.clone(),
        fingerprint: built.fingerprint.clone(),
        draft: opts.draft,
    };
    let event = match store.append(&org.id, period, opts.now, |_| Ok(change)) {
        Ok(event) => event,
        Err(e) => {
            // An export that is not recorded did not happen: take the file back.
            let _ = fs::remove_file(out);
            return Err(e.into());
        }
    };
    Ok(ExportReport {
        path: out.to_path_buf(),
        sha256,
        fingerprint: built.fingerprint,
        pages: built.pages,
        size: built.bytes.len(),
        draft: opts.draft,
        certificate: built.certificate,
        identity_created,
        missing_glyphs: built.missing.into_iter().collect(),
        event_seq: event.seq,
    })
}

/// The default file of an export: `exports/<org>-<period>[-udkast].pdf` beside the database.
pub fn default_export_path(db: &Path, org: &str, period: Period, draft: bool) -> PathBuf {
    let dir = db
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .join("exports");
    let suffix = if draft { "-udkast" } else { "" };
    dir.join(format!("{org}-{}{suffix}.pdf", period.key()))
}

/// [`export`] to [`default_export_path`], making the directory (0700) when missing: what the
/// terminal UI's `x` does.
pub fn export_to_default(
    store: &mut Store,
    checklist: &Checklist,
    period: Period,
    opts: &ExportOptions,
) -> Result<ExportReport, ExportError> {
    let out = default_export_path(store.path(), &checklist.organisation.id, period, opts.draft);
    if let Some(dir) = out.parent().filter(|d| !d.exists()) {
        let made = fs::create_dir_all(dir)
            .and_then(|_| fs::set_permissions(dir, fs::Permissions::from_mode(0o700)));
        made.map_err(|source| ExportError::Write {
            path: dir.to_path_buf(),
            source,
        })?;
    }
    export(store, checklist, period, &out, opts)
}

/// Writes `bytes` to a temporary file beside `path`, readable by its owner only (the record
/// and the key hold personal data and secrets), syncs it, renames it over `path` and syncs the
/// directory: a crash leaves either the old file or the new one, never half of one.
pub(crate) fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if path.is_dir() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::IsADirectory,
            "is a directory",
        ));
    }
    let name = path
        .file_name()
        .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidInput, "no file name"))?;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        name.to_string_lossy(),
        std::process::id()
    ));
    let result = (|| {
        let mut f = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&tmp)?;
        // A stale temporary file from an earlier crash keeps its mode: set it again.
        fs::set_permissions(&tmp, fs::Permissions::from_mode(0o600))?;
        f.write_all(bytes)?;
        f.sync_all()?;
        fs::rename(&tmp, path)?;
        fs::File::open(dir)?.sync_all()
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}
