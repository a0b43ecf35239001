//! A record file checked: its signature, its attached evidence, and against the database it
//! came from. The use case behind `aarshjul verify FILE.pdf` and `verify-db --records DIR`: it
//! decides the verdict and the lines that explain it; the command line only prints them and
//! turns the verdict into an exit code.

mod database;

use std::path::{Path, PathBuf};

use crate::i18n::Lang;
use crate::pdf::verify::{self, Evidence, Problem, SignatureState, Unreadable};
use crate::record::when;

use database::{DbCheck, anchor_with_db, compare_with_db, compared_verdict, db_lines};

/// What `verify` concludes, from best to worst; the exit code follows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verdict {
    /// Signature valid over the whole file, and the database (which holds the review)
    /// recorded this file, its certificate and the review as it stands.
    Valid,
    /// Signature valid over the whole file; no database to compare with.
    SignatureOnly,
    /// Signature valid, but the review has changed since the file was made.
    Changed,
    /// Signature valid, but the database did not record this file as an export.
    NotExported,
    /// Signature valid, but by a certificate none of the review's exports was signed with.
    UnknownCertificate,
    /// Signature valid, but the certificate is another organisation's than the record's.
    OtherOrganisation,
    /// The database no longer holds the event log the record was exported after: it was
    /// cut, changed or rebuilt since (or it is another database).
    LogBroken,
    /// No signature, a signature that does not hold or does not cover the file, or no
    /// review in it.
    Invalid,
}

/// What checking one file found: the lines to show, the verdict, and the line that
/// explains the verdict (for `verify-db --records`, one line per file).
pub struct Examined {
    pub lines: Vec<String>,
    pub verdict: Verdict,
    pub why: Option<String>,
    /// The file says it is a draft (and is not signed).
    pub draft: bool,
}

/// Why a file (or the directory of records) could not be checked; nothing about a review is
/// said then.
#[derive(Debug)]
pub enum ReadError {
    /// Over the size cap: not a record aarshjul made.
    TooLarge { file: PathBuf },
    /// Not a PDF.
    NotPdf { file: PathBuf },
    /// Not a regular file, or it could not be read.
    File {
        file: PathBuf,
        error: crate::files::ReadError,
    },
    /// The directory of records could not be read.
    Directory { dir: PathBuf, error: std::io::Error },
}

impl ReadError {
    /// One sentence in the user's language, naming the file.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            ReadError::TooLarge { file } => format!(
                "{}: {}",
                file.display(),
                lang.pick(
                    "filen er over 64 MB og læses ikke; en gennemgangspost fra aarshjul fylder under 1 MB",
                    "the file is over 64 MB and is not read; a review record from aarshjul is under 1 MB"
                )
            ),
            ReadError::NotPdf { file } => format!(
                "{}: {}",
                file.display(),
                lang.pick("er ikke en PDF-fil", "is not a PDF file")
            ),
            ReadError::File { file, error } => {
                format!("{}: {}", file.display(), error.message(lang))
            }
            ReadError::Directory { dir, error } => format!(
                "{}: {} ({error})",
                dir.display(),
                lang.pick("mappen kan ikke læses", "the directory cannot be read")
            ),
        }
    }
}

/// A record file's bytes, or why it cannot be read.
pub fn read_record(file: &Path) -> Result<Vec<u8>, ReadError> {
    // Only a regular file, and no more than the cap: a FIFO or a device never hangs us.
    crate::files::read_regular(file, verify::MAX_FILE_BYTES as u64).map_err(|e| match e {
        crate::files::ReadError::TooLarge { .. } => ReadError::TooLarge { file: file.into() },
        error => ReadError::File {
            file: file.into(),
            error,
        },
    })
}

/// Checks one record file: its signature and attachment, and against the database.
pub fn examine(
    db_path: &Path,
    file: &Path,
    bytes: &[u8],
    lang: Lang,
) -> Result<Examined, ReadError> {
    let checked = verify::check(bytes).map_err(|e| match e {
        Unreadable::NotPdf => ReadError::NotPdf { file: file.into() },
        Unreadable::TooLarge => ReadError::TooLarge { file: file.into() },
    })?;
    let mut lines: Vec<String> = Vec::new();
    let mut verdict = Verdict::Valid;
    let mut why: Option<String> = None;
    macro_rules! say {
        ($($t:tt)*) => { lines.push(format!($($t)*)) };
    }
    // Raises the verdict; the line printed last explains it.
    macro_rules! worst {
        ($v:expr) => {{
            let v = $v;
            if v > verdict {
                verdict = v;
                why = lines.last().cloned();
            }
        }};
    }
    say!("{}: {}", lang.pick("Fil", "File"), file.display());
    let mut certificate = None;
    match &checked.signature {
        SignatureState::Unsigned => {
            let draft = checked.meta.as_ref().is_some_and(|m| m.draft);
            say!(
                "{}",
                if draft {
                    lang.pick(
                        "Underskrift: ingen — filen er et udkast",
                        "Signature: none — the file is a draft",
                    )
                } else {
                    lang.pick("Underskrift: ingen", "Signature: none")
                }
            );
            worst!(Verdict::Invalid);
        }
        SignatureState::Invalid(problem) => {
            say!(
                "{}: {}",
                lang.pick("Underskrift: UGYLDIG", "Signature: INVALID"),
                problem_text(problem, lang)
            );
            worst!(Verdict::Invalid);
        }
        SignatureState::Valid {
            signer,
            issuer,
            certificate_sha256,
            self_signed,
            organisation,
            chain,
            subfilter,
            key,
            signed_at,
            timestamp,
            uncovered,
        } => {
            certificate = Some(certificate_sha256.clone());
            say!("{}: {signer}", lang.pick("Underskrevet af", "Signed by"));
            say!(
                "{}: {}",
                lang.pick("Certifikatets organisation", "Certificate's organisation"),
                organisation.text()
            );
            if let Some(holder) = &organisation.holder {
                say!("{}: {holder}", lang.pick("Indehaver", "Holder"));
            }
            if let Some(meta) = &checked.meta {
                let name = meta.name.as_deref().unwrap_or(&meta.org);
                if !organisation.is(name, meta.cvr.as_deref()) {
                    say!(
                        "{}",
                        lang.pick(
                            "Organisation: FORKERT — certifikatet er udstedt til {c}, men gennemgangen er {o}'s",
                            "Organisation: WRONG — the certificate is issued to {c}, but the review is {o}'s"
                        )
                        .replace("{c}", &organisation.text())
                        .replace("{o}", name)
                    );
                    worst!(Verdict::OtherOrganisation);
                }
            }
            say!("{}: {key}", lang.pick("Nøgle", "Key"));
            say!(
                "{}: {}",
                lang.pick("Form", "Format"),
                match (subfilter.as_str(), timestamp.is_some()) {
                    ("ETSI.CAdES.detached", true) => "PAdES B-T (ETSI.CAdES.detached)".to_string(),
                    ("ETSI.CAdES.detached", false) => "PAdES B-B (ETSI.CAdES.detached)".to_string(),
                    (other, _) => format!(
                        "{other} ({})",
                        lang.pick("ældre form, før PAdES", "older form, before PAdES")
                    ),
                }
            );
            say!(
                "{}: {certificate_sha256}",
                lang.pick("Certifikatets SHA-256", "Certificate SHA-256")
            );
            say!(
                "{}: {}",
                lang.pick("Certifikat", "Certificate"),
                if *self_signed {
                    lang.pick(
                        "selvunderskrevet — ikke kontrolleret mod en liste over betroede udstedere; hvem der står bag, viser kun sammenligningen med databasen",
                        "self-signed — not verified against a list of trusted issuers; only the comparison with the database shows who is behind it",
                    )
                    .to_string()
                } else {
                    lang.pick(
                        "udstedt af {i} — kæden er ikke kontrolleret mod en liste over betroede udstedere",
                        "issued by {i} — the chain is not verified against a list of trusted issuers",
                    )
                    .replace("{i}", issuer)
                }
            );
            if !chain.is_empty() {
                say!("{}: {}", lang.pick("Kæde", "Chain"), chain.join(" ← "));
            }
            if let Some(at) = signed_at {
                say!("{}: {}", lang.pick("Tidspunkt", "Time"), when(*at, lang));
            }
            match timestamp {
                Some(stamp) => say!(
                    "{}: {} — {} {}",
                    lang.pick("Tidsstempel", "Timestamp"),
                    when(stamp.time, lang),
                    lang.pick("kontrolleret, fra", "checked, from"),
                    stamp.authority
                ),
                None => say!(
                    "{}",
                    lang.pick(
                        "Tidsstempel: intet — tidspunktet er underskriverens egen maskines",
                        "Timestamp: none — the time is the signer's own machine's"
                    )
                ),
            }
            if *uncovered == 0 {
                say!(
                    "{}",
                    lang.pick(
                        "Underskrift: gyldig, dækker hele filen",
                        "Signature: valid, covers the whole file"
                    )
                );
            } else {
                say!(
                    "{}",
                    lang.pick(
                        "Underskrift: gyldig for den underskrevne del, men dækker IKKE hele filen: {n} byte er tilføjet bagefter (fx en senere ændring)",
                        "Signature: valid for the signed part, but does NOT cover the whole file: {n} bytes were added after it (e.g. a later change)"
                    )
                    .replace("{n}", &uncovered.to_string())
                );
                worst!(Verdict::Invalid);
            }
        }
    }
    if let Some(meta) = &checked.meta {
        say!(
            "{}: {} {}",
            lang.pick("Gennemgang", "Review"),
            meta.org,
            meta.period
        );
        say!(
            "{}: {}",
            lang.pick("Postens fingeraftryk", "Record fingerprint"),
            meta.fingerprint
        );
        match &checked.evidence {
            Evidence::Matches { name, .. } => say!(
                "{}: {name} — {}",
                lang.pick("Vedhæftet fil", "Attached file"),
                lang.pick(
                    "fingeraftrykket genberegnet af den alene: det passer",
                    "the fingerprint recomputed from it alone: it matches"
                )
            ),
            Evidence::Differs { name, sha256, .. } => {
                say!(
                    "{}: {name} — {}",
                    lang.pick("Vedhæftet fil", "Attached file"),
                    lang.pick(
                        "dens SHA-256 {s} er IKKE postens fingeraftryk: posten modsiger sig selv",
                        "its SHA-256 {s} is NOT the record fingerprint: the record contradicts itself"
                    )
                    .replace("{s}", sha256)
                );
                worst!(Verdict::Invalid);
            }
            Evidence::Unreadable(detail) => {
                say!(
                    "{}: {} ({detail})",
                    lang.pick("Vedhæftet fil", "Attached file"),
                    lang.pick("BESKADIGET", "DAMAGED")
                );
                worst!(Verdict::Invalid);
            }
            Evidence::Missing => say!(
                "{}",
                lang.pick(
                    "Vedhæftet fil: ingen (posten er lavet, før aarshjul vedhæftede hændelserne); fingeraftrykket kan kun genberegnes af databasen",
                    "Attached file: none (the record was made before aarshjul attached the events); only the database can recompute the fingerprint"
                )
            ),
        }
        let db = compare_with_db(db_path, meta, bytes, certificate.as_deref(), lang);
        let db_said = db_lines(&db, lang);
        for line in &db_said {
            say!("{}: {line}", lang.pick("Database", "Database"));
        }
        match &db {
            DbCheck::Compared(c) => {
                // The line that explains the comparison's verdict.
                let n = c.note.iter().count();
                let at = match compared_verdict(c) {
                    Verdict::NotExported => n + 1,
                    Verdict::UnknownCertificate => n + 2,
                    _ => n,
                };
                let before = verdict;
                worst!(compared_verdict(c));
                if verdict != before {
                    why = db_said.get(at).cloned();
                }
            }
            DbCheck::Skipped(_) | DbCheck::Failed(_) => worst!(Verdict::SignatureOnly),
        }
        if let Some(anchoring) = anchor_with_db(db_path, meta, &checked.evidence) {
            say!(
                "{}: {}",
                lang.pick("Hændelseslog", "Event log"),
                anchoring.message(lang)
            );
            if anchoring.is_broken() {
                worst!(Verdict::LogBroken);
            }
        }
    } else {
        say!(
            "{}",
            lang.pick(
                "Filen bærer ingen gennemgang fra aarshjul (intet fingeraftryk i dokumentoplysningerne)",
                "The file carries no aarshjul review (no fingerprint in its document information)"
            )
        );
        worst!(Verdict::Invalid);
    }
    Ok(Examined {
        lines,
        verdict,
        why,
        draft: checked.meta.as_ref().is_some_and(|m| m.draft)
            && checked.signature == SignatureState::Unsigned,
    })
}

/// What checking a directory of records found.
#[derive(Debug)]
pub enum Records {
    /// The default directory does not exist: no records to check.
    Absent,
    /// No PDF files in it.
    Empty,
    /// Every PDF file in it, by name.
    Checked(Vec<(String, RecordCheck)>),
}

/// How one file in the directory of records fared.
#[derive(Debug)]
pub enum RecordCheck {
    /// A draft: listed, not judged (it is not signed).
    Draft,
    /// The record holds, with this verdict (valid, or the review changed since).
    Holds(Verdict),
    /// It does not (or cannot be read); the line that explains why.
    Fails(String),
}

impl Records {
    /// Whether every record holds.
    pub fn all_hold(&self) -> bool {
        match self {
            Records::Checked(files) => files
                .iter()
                .all(|(_, c)| !matches!(c, RecordCheck::Fails(_))),
            _ => true,
        }
    }
}

/// Every record PDF in `dir` checked as [`examine`] checks one (`verify-db --records`). A
/// draft is listed but not judged (it is not signed); a record whose review changed since it
/// was made holds (the database vouches for it as the review then stood). A missing `dir` is
/// an error only when it was named (`explicit`).
pub fn check_records(
    db: &Path,
    dir: &Path,
    explicit: bool,
    lang: Lang,
) -> Result<Records, ReadError> {
    if !explicit && !dir.exists() {
        return Ok(Records::Absent);
    }
    let entries = std::fs::read_dir(dir).map_err(|error| ReadError::Directory {
        dir: dir.into(),
        error,
    })?;
    let mut files: Vec<std::path::PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.extension().is_some_and(|x| x.eq_ignore_ascii_case("pdf"))
                && std::fs::symlink_metadata(p).is_ok_and(|m| m.is_file())
        })
        .collect();
    files.sort();
    if files.is_empty() {
        return Ok(Records::Empty);
    }
    let mut checked = Vec::new();
    for file in &files {
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let found = read_record(file).and_then(|b| examine(db, file, &b, lang));
        let check = match found {
            Err(e) => RecordCheck::Fails(e.message(lang)),
            Ok(found) if found.draft => RecordCheck::Draft,
            Ok(found) => {
                if matches!(found.verdict, Verdict::Valid | Verdict::Changed) {
                    RecordCheck::Holds(found.verdict)
                } else {
                    // The line that explains the failure says more than the verdict's name.
                    let short = short_verdict(found.verdict, lang).to_string();
                    RecordCheck::Fails(found.why.unwrap_or(short))
                }
            }
        };
        checked.push((name, check));
    }
    Ok(Records::Checked(checked))
}

/// The verdict as the last line of `verify`.
pub fn verdict_text(verdict: Verdict, lang: Lang) -> &'static str {
    match verdict {
        Verdict::Valid => lang.pick(
            "Resultat: GYLDIG — filen er uændret siden underskriften, og databasen har eksporteret den af gennemgangen, som den står nu",
            "Verdict: VALID — the file is unchanged since it was signed, and the database exported it of the review as it stands",
        ),
        Verdict::SignatureOnly => lang.pick(
            "Resultat: GYLDIG UNDERSKRIFT — filen er uændret siden underskriften; den er ikke sammenlignet med en database, se ovenfor",
            "Verdict: VALID SIGNATURE — the file is unchanged since it was signed; it was not compared with a database, see above",
        ),
        Verdict::Changed => lang.pick(
            "Resultat: ÆNDRET — underskriften er gyldig, men gennemgangen er ændret, siden filen blev lavet; den viser ikke gennemgangen, som den står",
            "Verdict: CHANGED — the signature is valid, but the review has changed since the file was made; it does not show the review as it stands",
        ),
        Verdict::NotExported => lang.pick(
            "Resultat: underskriften er gyldig, MEN filen er ikke en, denne database har eksporteret — find ud af, hvor den kommer fra, før du stoler på den",
            "Verdict: signature valid, BUT this file is not one this database exported — find out where it came from before relying on it",
        ),
        Verdict::OtherOrganisation => lang.pick(
            "Resultat: underskriften er gyldig, MEN certifikatet tilhører en anden organisation end gennemgangens — stol ikke på den",
            "Verdict: signature valid, BUT the certificate belongs to another organisation than the review's — do not rely on it",
        ),
        Verdict::UnknownCertificate => lang.pick(
            "Resultat: underskriften er gyldig, MEN certifikatet er ikke et, denne database har eksporteret med — filen kan være underskrevet af en anden; stol ikke på den",
            "Verdict: signature valid, BUT this certificate is not one this database exported with — the file may have been signed by someone else; do not rely on it",
        ),
        Verdict::LogBroken => lang.pick(
            "Resultat: BRUDT — databasen rummer ikke længere den hændelseslog, posten blev eksporteret efter: den er afkortet eller ændret siden (eller det er en anden database); stol ikke på databasen, gendan den fra en sikkerhedskopi",
            "Verdict: BROKEN — the database no longer holds the event log the record was exported after: it was cut or changed since (or it is another database); do not rely on the database, restore it from a backup",
        ),
        Verdict::Invalid => lang.pick(
            "Resultat: UGYLDIG eller ÆNDRET — stol ikke på indholdet",
            "Verdict: INVALID or CHANGED — do not rely on its content",
        ),
    }
}

/// A verdict in a few words, for one line per file.
pub fn short_verdict(verdict: Verdict, lang: Lang) -> &'static str {
    match verdict {
        Verdict::Valid => lang.pick(
            "gyldig, eksporteret af databasen, som gennemgangen står",
            "valid, exported by the database, as the review stands",
        ),
        Verdict::SignatureOnly => lang.pick(
            "gyldig underskrift, men databasen kender ikke gennemgangen",
            "valid signature, but the database does not know the review",
        ),
        Verdict::Changed => lang.pick(
            "gyldig; gennemgangen er ændret siden",
            "valid; the review has changed since",
        ),
        Verdict::NotExported => lang.pick(
            "ikke eksporteret af denne database",
            "not exported by this database",
        ),
        Verdict::UnknownCertificate => lang.pick("ukendt certifikat", "unknown certificate"),
        Verdict::OtherOrganisation => lang.pick(
            "en anden organisations certifikat",
            "another organisation's certificate",
        ),
        Verdict::LogBroken => lang.pick(
            "hændelsesloggen er afkortet eller ændret siden",
            "the event log was cut or changed since",
        ),
        Verdict::Invalid => lang.pick("ugyldig eller ændret", "invalid or changed"),
    }
}

fn problem_text(problem: &Problem, lang: Lang) -> String {
    match problem {
        Problem::DigestMismatch => lang
            .pick(
                "filens indhold er ændret efter underskriften",
                "the file's content was changed after signing",
            )
            .to_string(),
        Problem::BadSignature => lang
            .pick(
                "underskriften passer ikke til certifikatet",
                "the signature does not match the certificate",
            )
            .to_string(),
        Problem::OtherCertificate => lang
            .pick(
                "certifikatet i underskriften er ikke det, der underskrev: det er udskiftet eller ændret",
                "the certificate in the signature is not the one that signed: it was replaced or altered",
            )
            .to_string(),
        Problem::HighS => lang
            .pick(
                "underskriften er ændret (ECDSA-værdien s er erstattet med n − s, som aarshjul aldrig skriver)",
                "the signature was altered (its ECDSA value s was replaced by n − s, which aarshjul never writes)",
            )
            .to_string(),
        Problem::Timestamp(d) => format!(
            "{} ({d})",
            lang.pick(
                "tidsstemplet i underskriften holder ikke",
                "the timestamp in the signature does not hold"
            )
        ),
        Problem::CertificateNotNamed(d) => format!(
            "{} ({d})",
            lang.pick(
                "underskriften angiver ikke sit certifikat, så underskriveren kan ikke fastslås",
                "the signature does not name its certificate, so the signer cannot be established"
            )
        ),
        Problem::Structure(d) | Problem::Cms(d) => format!(
            "{} ({d})",
            lang.pick("underskriften er beskadiget", "the signature is damaged")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flows::export::{self, ExportOptions};
    use crate::period::Period;
    use crate::review::{Change, Outcome};
    use crate::store::Store;
    use chrono::{DateTime, Utc};

    /// The flows on their own, with no command line: a record the export flow made is valid
    /// against its database, a valid signature alone without one, and changed once the review
    /// moves on; a directory check lists it as holding and a file that is no PDF as failing.
    #[test]
    fn an_exported_record_is_judged_against_its_database() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("aarshjul.sqlite");
        let mut store = Store::open(&db).unwrap();
        let list = export::tests::checklist();
        let period: Period = "2026".parse().unwrap();
        let now: DateTime<Utc> = "2026-11-22T13:00:00Z".parse().unwrap();
        let item = list.items[0].clone();
        for change in [
            Change::item_signed(&item, Outcome::Done, None, "H".into()),
            Change::ReviewSigned {
                by: "H".into(),
                role: "Leder".into(),
            },
        ] {
            store.append("t", period, now, |_| Ok(change)).unwrap();
        }
        let out = dir.path().join("r.pdf");
        let opts = ExportOptions::for_db(&db, false, now);
        export::export(&mut store, &list, period, &out, &opts).unwrap();

        let bytes = read_record(&out).unwrap();
        let found = examine(&db, &out, &bytes, Lang::En).unwrap();
        assert_eq!(found.verdict, Verdict::Valid, "{:#?}", found.lines);
        assert!(
            found
                .lines
                .iter()
                .any(|l| l.contains("still holds exactly")),
            "{:#?}",
            found.lines
        );
        let alone = examine(&dir.path().join("none.sqlite"), &out, &bytes, Lang::En).unwrap();
        assert_eq!(alone.verdict, Verdict::SignatureOnly, "{:#?}", alone.lines);

        store
            .append("t", period, now, |_| {
                Ok(Change::ReviewReopened {
                    by: "H".into(),
                    reason: "Et punkt mere".into(),
                })
            })
            .unwrap();
        let later = examine(&db, &out, &bytes, Lang::En).unwrap();
        assert_eq!(later.verdict, Verdict::Changed, "{:#?}", later.lines);

        let records = check_records(&db, dir.path(), true, Lang::En).unwrap();
        assert!(records.all_hold(), "{records:?}");
        std::fs::write(dir.path().join("x.pdf"), b"not a pdf").unwrap();
        let records = check_records(&db, dir.path(), true, Lang::En).unwrap();
        let Records::Checked(files) = &records else {
            panic!("{records:?}");
        };
        assert!(
            matches!(&files[0], (name, RecordCheck::Holds(Verdict::Changed)) if name == "r.pdf")
        );
        assert!(
            matches!(&files[1], (name, RecordCheck::Fails(why)) if name == "x.pdf" && why.contains("is not a PDF file"))
        );
        assert!(!records.all_hold());
        assert!(matches!(
            check_records(&db, &dir.path().join("gone"), false, Lang::En),
            Ok(Records::Absent)
        ));
    }
}
