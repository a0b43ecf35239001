//! Exporting a review's record: the use case both front ends call (`aarshjul export` and the
//! screen's `x`). It decides the order — the store is sound, the review's events and the
//! chain head are read together, the record is built and signed ([`crate::pdf`]), a new
//! identity is stored, the export event is appended, and only then is the file renamed into
//! place — and what a failure leaves behind: nothing but a previous file at the target.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use crate::checklist::{Checklist, hex};
use crate::i18n::Lang;
use crate::pdf::identity::{self, Holder, Identity, IdentityError};
use crate::pdf::output::{self, Protected, Replace};
use crate::pdf::{BuildError, CertSummary, SignError, SignatureState, build_with, tsa, verify};
use crate::period::Period;
use crate::record::content_events;
use crate::review::{Change, Event, Review};
use crate::store::chain::ChainHead;
use crate::store::{Store, StoreError};

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
    /// Whether a file already at the target may be replaced. The database and the identity
    /// are never replaced, whatever this says.
    pub replace: Replace,
    /// The time-stamping authority to ask (PAdES B-T); `None` uses the database's setting
    /// ([`tsa::setting`]), if any.
    pub tsa: Option<tsa::Tsa>,
}

impl ExportOptions {
    /// Options for the database at `db`: its identity directory beside it.
    pub fn for_db(db: &Path, draft: bool, now: DateTime<Utc>) -> ExportOptions {
        ExportOptions {
            draft,
            now,
            identity_dir: identity::dir_for_db(db),
            replace: Replace::Never,
            tsa: None,
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
    /// A file that was at the target before was replaced.
    pub replaced: bool,
    /// The database's former single identity became this organisation's with this export.
    pub identity_adopted: bool,
    /// The timestamp in the signature (PAdES B-T), if one was asked for.
    pub timestamp: Option<tsa::Stamp>,
    /// The event chain's head the record states: the log as it stood before its export.
    pub chain_head: ChainHead,
}

impl ExportReport {
    /// Warnings to show with the confirmation.
    pub fn warnings(&self, lang: Lang) -> Vec<String> {
        let mut warnings = Vec::new();
        if self.identity_adopted {
            warnings.push(
                lang.pick(
                    "Bemærk: databasens tidligere fælles underskriftsidentitet nævner denne organisation og er nu flyttet til dens egen identitet",
                    "Note: the database's former shared signing identity names this organisation and is now its own identity",
                )
                .to_string(),
            );
        }
        if self.missing_glyphs.is_empty() {
            return warnings;
        }
        let chars: Vec<String> = self
            .missing_glyphs
            .iter()
            .map(|c| match c.is_control() {
                // Never sent to the terminal as it is.
                true => format!("U+{:04X}", *c as u32),
                false => format!("»{c}« (U+{:04X})", *c as u32),
            })
            .collect();
        warnings.push(format!(
            "{}: {}",
            lang.pick(
                "Tegn, som skrifttypen ikke har, er vist som »?« i PDF'en",
                "Characters the font lacks are shown as `?` in the PDF"
            ),
            chars.join(", ")
        ));
        warnings
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
    /// Something is at the target and replacing it was not allowed.
    #[error("{path}: exists")]
    Exists { path: PathBuf, replace: Replace },
    /// The target is the database or inside the identity directory: never written.
    #[error("{path}: protected ({what:?})")]
    Protected { path: PathBuf, what: Protected },
    /// The export was recorded, but the finished file could not be moved to the target.
    #[error("{path}: recorded as event {seq} but not placed: {source}")]
    NotPlaced {
        path: PathBuf,
        seq: i64,
        source: std::io::Error,
    },
    /// The review changed between reading its events and recording the export: the PDF
    /// would not show it as it stands. Nothing was written; exporting again works.
    #[error("review {period} changed during the export")]
    Changed { period: String },
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
            ExportError::Sign(SignError::Tsa(e)) => e.message(lang),
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
            ExportError::Exists { path, replace } => format!(
                "{}: {}",
                path.display(),
                match replace {
                    Replace::OwnExport => lang.pick(
                        "der ligger allerede en fil, som ikke er en eksport af denne gennemgang fra databasen; den røres ikke — flyt den væk, eller eksportér med --out FIL --force",
                        "a file is already there that is not an export of this review recorded in the database; it is left untouched — move it away, or export with --out FILE --force",
                    ),
                    _ => lang.pick(
                        "filen findes allerede og røres ikke; brug --force for at erstatte den, eller vælg et andet navn med --out",
                        "the file already exists and is left untouched; use --force to replace it, or name another file with --out",
                    ),
                }
            ),
            ExportError::Protected { path, what } => format!(
                "{}: {}",
                path.display(),
                match what {
                    Protected::Database => lang.pick(
                        "det er aarshjuls database (eller en af SQLites filer ved siden af den); en eksport skriver aldrig over den, heller ikke med --force — vælg en anden fil med --out",
                        "that is aarshjul's database (or one of SQLite's files beside it); an export never writes over it, not even with --force — name another file with --out",
                    ),
                    Protected::Identity => lang.pick(
                        "det er i underskriftsidentitetens mappe; en eksport skriver aldrig dér, heller ikke med --force — vælg en anden fil med --out",
                        "that is inside the signing identity's directory; an export never writes there, not even with --force — name another file with --out",
                    ),
                }
            ),
            ExportError::NotPlaced { path, seq, source } => format!(
                "{}: {} ({source})",
                path.display(),
                lang.pick(
                    "eksporten er registreret som hændelse #{s}, men filen kunne ikke lægges på plads; eksportér igen",
                    "the export was recorded as event #{s}, but the file could not be put in place; export again",
                )
                .replace("{s}", &seq.to_string())
            ),
            ExportError::Changed { period } => lang
                .pick(
                    "Gennemgangen {p} blev ændret, mens PDF'en blev lavet, så den ville ikke vise den, som den står; intet er gemt — eksportér igen.",
                    "Review {p} changed while the PDF was made, so it would not show the review as it stands; nothing was saved — export again.",
                )
                .replace("{p}", period),
            ExportError::Store(e) => e.message(lang),
        }
    }
}

impl From<BuildError> for ExportError {
    fn from(e: BuildError) -> ExportError {
        match e {
            BuildError::Layout(d) => ExportError::Layout(d),
            BuildError::Sign(e) => ExportError::Sign(e),
        }
    }
}

/// Exports the record of `period` in `checklist` to `out` and records the export.
///
/// A signed review is signed digitally with the identity in `opts.identity_dir`, made on first
/// use for the review's signer. An unsigned review is refused unless `opts.draft`. The target
/// may never be the database or inside the identity directory; a file already there is
/// replaced only as `opts.replace` allows. The steps run in this order: the PDF is written to
/// a temporary file beside the target, a new identity is stored, the export event is
/// appended, and only then is the temporary file renamed over the target. Any failure
/// removes the temporary file alone, so a previous file at the target survives; the
/// directory must exist.
pub fn export(
    store: &mut Store,
    checklist: &Checklist,
    period: Period,
    out: &Path,
    opts: &ExportOptions,
) -> Result<ExportReport, ExportError> {
    let org = &checklist.organisation;
    // Refused before anything is signed or stored: the export event would be refused anyway.
    store.check_sound()?;
    // The chain head read with the events: the record states that the log held this prefix.
    let (events, chain_head) = store.review_events_at_head(&org.id, period)?;
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
    let replaced = check_target(out, store.path(), &events, opts)?;
    let cvr = org.cvr.as_deref();
    // The organisation's own identity; a new one is stored only once the PDF it signed is
    // ready.
    let (identity, identity_created, identity_adopted) = match (&review.signature, opts.draft) {
        (Some(_), false) => {
            let (found, adopted) = identity::for_org(&opts.identity_dir, &org.id, |legacy| {
                legacy.organisation().is(&org.name, cvr)
            })?;
            match found {
                Some(identity) => {
                    // Never sign with a key whose certificate names another organisation.
                    let named = identity.organisation();
                    if !named.is(&org.name, cvr) {
                        return Err(ExportError::Identity(IdentityError::OtherOrganisation {
                            path: identity::org_dir(&opts.identity_dir, &org.id),
                            cert: named.text(),
                            org: org.name.clone(),
                        }));
                    }
                    (Some(identity), false, adopted)
                }
                None => {
                    let holder = Holder {
                        organisation: &org.name,
                        cvr,
                    };
                    (Some(Identity::self_signed(&holder, opts.now)?), true, false)
                }
            }
        }
        _ => (None, false, false),
    };
    let tsa = match (&opts.tsa, &identity) {
        (_, None) => None,
        (Some(tsa), _) => Some(tsa.clone()),
        (None, Some(_)) => tsa::setting(&opts.identity_dir)?,
    };
    let built = build_with(
        checklist,
        period,
        &events,
        Some(&chain_head),
        opts.draft,
        identity.as_ref(),
        tsa.as_ref(),
        opts.now,
    )?;
    let timestamp = match &tsa {
        Some(_) => verify::check(&built.bytes)
            .ok()
            .and_then(|c| match c.signature {
                SignatureState::Valid { timestamp, .. } => timestamp,
                _ => None,
            }),
        None => None,
    };
    let write_error = |source| ExportError::Write {
        path: out.to_path_buf(),
        source,
    };
    // From here on, dropping `temp` on an early return removes the temporary file.
    let temp = output::TempFile::write(out, &built.bytes).map_err(write_error)?;
    if let (Some(identity), true) = (&identity, identity_created) {
        identity.save(&identity::org_dir(&opts.identity_dir, &org.id))?;
    }
    let sha256 = hex(&Sha256::digest(&built.bytes));
    let change = Change::ExportMade {
        file: out.display().to_string(),
        sha256: sha256.clone(),
        fingerprint: built.fingerprint.clone(),
        draft: opts.draft,
        certificate_sha256: built.certificate.as_ref().map(|c| c.fingerprint.clone()),
    };
    #[cfg(test)]
    if let Some(hook) = tests::BEFORE_APPEND.take() {
        hook(store);
    }
    // The PDF shows the review as read above: record the export only if that is still how
    // the review stands inside the append's transaction.
    let built_from: Vec<&Event> = content_events(&events);
    let changed = std::cell::Cell::new(false);
    let appended = store.append(&org.id, period, opts.now, |now| {
        if content_events(now) != built_from {
            changed.set(true);
            // Any refusal aborts the transaction; it is told apart by `changed` below.
            return Err(crate::review::Refusal::NotSigned {
                period: period.key(),
            });
        }
        Ok(change)
    });
    let event = match appended {
        Ok(event) => event,
        Err(_) if changed.get() => {
            return Err(ExportError::Changed {
                period: period.key(),
            });
        }
        Err(e) => return Err(e.into()),
    };
    match temp.place(out, replaced) {
        Ok(()) => {}
        Err(output::PlaceError::Exists) => {
            return Err(ExportError::Exists {
                path: out.to_path_buf(),
                replace: opts.replace,
            });
        }
        Err(output::PlaceError::Io(source)) => {
            return Err(ExportError::NotPlaced {
                path: out.to_path_buf(),
                seq: event.seq,
                source,
            });
        }
    }
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
        replaced,
        identity_adopted,
        timestamp,
        chain_head,
    })
}

/// Whether the export may write `out`: never the database or into the identity directory; a
/// file already there only as `opts.replace` allows (`OwnExport`: a regular file whose SHA-256
/// is recorded in `events` as an export of this review). Returns whether a file is replaced.
fn check_target(
    out: &Path,
    db: &Path,
    events: &[Event],
    opts: &ExportOptions,
) -> Result<bool, ExportError> {
    if let Some(what) = output::protected(out, db, &opts.identity_dir) {
        return Err(ExportError::Protected {
            path: out.to_path_buf(),
            what,
        });
    }
    if out.is_dir() {
        return Err(ExportError::Write {
            path: out.to_path_buf(),
            source: std::io::Error::new(std::io::ErrorKind::IsADirectory, "is a directory"),
        });
    }
    if !output::occupied(out) {
        return Ok(false);
    }
    let allowed = match opts.replace {
        Replace::Never => false,
        Replace::Any => true,
        Replace::OwnExport => is_recorded_export(out, events),
    };
    if allowed {
        Ok(true)
    } else {
        Err(ExportError::Exists {
            path: out.to_path_buf(),
            replace: opts.replace,
        })
    }
}

/// Whether `path` is a regular file (not a link) whose SHA-256 an export event in `events`
/// recorded.
fn is_recorded_export(path: &Path, events: &[Event]) -> bool {
    let regular = fs::symlink_metadata(path)
        .is_ok_and(|m| m.file_type().is_file() && m.len() <= verify::MAX_FILE_BYTES as u64);
    if !regular {
        return false;
    }
    let Ok(bytes) = fs::read(path) else {
        return false;
    };
    let sha = hex(&Sha256::digest(&bytes));
    events
        .iter()
        .any(|e| matches!(&e.change, Change::ExportMade { sha256, .. } if *sha256 == sha))
}

/// The default file of an export: `exports/<org>-<period>[-udkast].pdf` beside the database.
pub fn default_export_path(db: &Path, org: &str, period: Period, draft: bool) -> PathBuf {
    let suffix = if draft { "-udkast" } else { "" };
    exports_dir(db).join(format!("{org}-{}{suffix}.pdf", period.key()))
}

/// The directory exports go to by default: `exports/` beside the database.
pub fn exports_dir(db: &Path) -> PathBuf {
    db.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .join("exports")
}

/// [`export`] to [`default_export_path`], making the directory (0700) when missing: what the
/// terminal UI's `x` does. It replaces its own previous export of the review there (a file
/// whose SHA-256 the database recorded for this review), never any other file, unless
/// `opts.replace` is [`Replace::Any`].
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
    let mut opts = opts.clone();
    if opts.replace == Replace::Never {
        opts.replace = Replace::OwnExport;
    }
    export(store, checklist, period, &out, &opts)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::checklist::{Item, Organisation};
    use crate::review::Outcome;
    use std::cell::RefCell;

    type Hook = Box<dyn FnOnce(&mut Store)>;

    thread_local! {
        /// Runs inside [`export`] between building the PDF and appending its event.
        pub(super) static BEFORE_APPEND: RefCell<Option<Hook>> = RefCell::new(None);
    }

    pub(crate) fn checklist() -> Checklist {
        Checklist {
            path: "t.toml".into(),
            organisation: Organisation {
                id: "t".into(),
                name: "Testforeningen".into(),
                cvr: None,
                address: None,
                policy: "Politik".into(),
                language: Lang::Da,
                request_deadline_days: None,
                in_use_from: None,
            },
            items: vec![Item {
                id: "a".into(),
                cadence: crate::period::Cadence::Yearly,
                title: "Et punkt".into(),
                guidance: String::new(),
                responsible: None,
                source: "§ 1".into(),
                evidence: None,
                caveat: None,
                walkthrough: false,
                requests: false,
            }],
            walkthrough: Vec::new(),
        }
    }

    #[test]
    fn a_review_changed_during_the_export_is_not_recorded_nor_written() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("aarshjul.sqlite");
        let mut store = Store::open(&db).unwrap();
        let list = checklist();
        let period: Period = "2026".parse().unwrap();
        let now: DateTime<Utc> = "2026-11-22T13:00:00Z".parse().unwrap();
        let item = list.items[0].clone();
        for change in [
            Change::ItemSigned {
                item: item.id.clone(),
                status: Outcome::Done,
                note: None,
                by: "H".into(),
                fingerprint: item.fingerprint(),
                text: Some(Box::new(item.text())),
            },
            Change::ReviewSigned {
                by: "H".into(),
                role: "Leder".into(),
            },
        ] {
            store.append("t", period, now, |_| Ok(change)).unwrap();
        }
        let out = dir.path().join("r.pdf");
        let mut opts = ExportOptions::for_db(&db, true, now);
        let first = export(&mut store, &list, period, &out, &opts).unwrap();
        let before = fs::read(&out).unwrap();
        assert_eq!(first.sha256, hex(&Sha256::digest(&before)));

        BEFORE_APPEND.set(Some(Box::new(move |store: &mut Store| {
            store
                .append("t", period, now, |_| {
                    Ok(Change::ReviewReopened {
                        by: "H".into(),
                        reason: "Imens".into(),
                    })
                })
                .unwrap();
        })));
        opts.replace = Replace::Any;
        let err = export(&mut store, &list, period, &out, &opts).unwrap_err();
        assert!(matches!(err, ExportError::Changed { .. }), "{err:?}");
        assert!(err.message(Lang::Da).contains("eksportér igen"));
        assert_eq!(fs::read(&out).unwrap(), before, "the previous export stays");
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".tmp"))
            .collect();
        assert!(names.is_empty(), "{names:?}");
        let events = store.review_events("t", period).unwrap();
        let exports = events.iter().filter(|e| crate::record::is_export(e));
        assert_eq!(exports.count(), 1, "the refused export is not recorded");

        // Exporting again shows the review as it now stands.
        export(&mut store, &list, period, &out, &opts).unwrap();
    }
}
