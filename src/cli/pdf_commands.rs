//! `export`, `verify` and `identity`: the review record PDF from the command line.

use std::path::Path;
use std::process::ExitCode;

use super::{CommandResult, Failure, Global, ReviewArg, find_org, load, open, parse_period};
use crate::checklist::hex;
use crate::i18n::Lang;
use crate::pdf::identity::{self, Identity, IdentityError};
use crate::pdf::post::RecordMeta;
use crate::pdf::verify::{self, Problem, SignatureState, Unreadable};
use crate::pdf::{self, ExportError, ExportOptions, Replace};
use crate::record::{FINGERPRINT_VERSION, Match, match_fingerprint, when};
use crate::review::{Change, Event};
use crate::store::Store;
use sha2::{Digest, Sha256};

/// `aarshjul export`.
pub fn export(
    global: &Global,
    which: &ReviewArg,
    out: Option<&Path>,
    draft: bool,
    force: bool,
) -> CommandResult {
    let lang = global.lang();
    let lists = load(&global.checklists, lang)?;
    let list = find_org(&lists, &which.org, lang)?;
    let period = parse_period(&which.period, lang)?;
    if !global.db.exists() {
        return Err(Failure(
            ExportError::NoEvents {
                org: which.org.clone(),
                period: period.key(),
            }
            .message(lang),
        ));
    }
    let mut store = open(global, lang)?;
    let mut opts = ExportOptions::for_db(&global.db, draft, global.now());
    if force {
        opts.replace = Replace::Any;
    }
    let report = match out {
        Some(out) => pdf::export(&mut store, list, period, out, &opts),
        None => pdf::export_to_default(&mut store, list, period, &opts),
    }
    .map_err(|e| Failure(e.message(lang)))?;
    for warning in report.warnings(lang) {
        eprintln!("aarshjul: {warning}");
    }
    println!(
        "{}: {} ({} {}, {} kB){}{}",
        lang.pick("Eksporteret", "Exported"),
        report.path.display(),
        report.pages,
        lang.pick(
            if report.pages == 1 { "side" } else { "sider" },
            if report.pages == 1 { "page" } else { "pages" }
        ),
        report.size.div_ceil(1024),
        if report.draft {
            lang.pick(" — UDKAST, ikke underskrevet", " — DRAFT, not signed")
        } else {
            ""
        },
        if report.replaced {
            lang.pick(
                " — erstattede den tidligere fil",
                " — replaced the file there",
            )
        } else {
            ""
        }
    );
    if let Some(cert) = &report.certificate {
        if report.identity_created {
            println!(
                "{} {}",
                lang.pick(
                    "Ny underskriftsidentitet lavet (selvunderskrevet certifikat) i",
                    "New signing identity made (self-signed certificate) in"
                ),
                opts.identity_dir.display()
            );
        }
        println!(
            "{}: {}",
            lang.pick("Underskrevet digitalt af", "Digitally signed by"),
            cert.holder
        );
        println!(
            "{}: {}",
            lang.pick("Certifikatets SHA-256", "Certificate SHA-256"),
            cert.fingerprint
        );
    }
    println!(
        "{}: {}",
        lang.pick("Postens fingeraftryk", "Record fingerprint"),
        report.fingerprint
    );
    println!(
        "{}: {} — {} #{}",
        lang.pick("Filens SHA-256", "File SHA-256"),
        report.sha256,
        lang.pick("hændelse", "event"),
        report.event_seq
    );
    Ok(ExitCode::SUCCESS)
}

/// How the PDF compares with the database.
enum DbCheck {
    /// Nothing to compare with (no database, or it does not hold the review); why.
    Skipped(String),
    /// The database could not be read (locked, damaged, not aarshjul's); why. The verdict
    /// is then about the file alone.
    Failed(String),
    /// The database holds the review.
    Compared(Comparison),
}

struct Comparison {
    /// The state of the review the record fingerprint matches.
    state: Match,
    /// Something to say about how the state was found.
    note: Option<String>,
    /// The export event that recorded this very file (its SHA-256).
    exported: Option<i64>,
    certificate: CertCheck,
}

/// How the certificate the file is signed with compares with the exports of the review.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CertCheck {
    /// The file is not signed.
    Unsigned,
    /// An export of this review recorded it (or recorded this very file).
    Recorded,
    /// Exports of this review recorded other certificates.
    Other,
    /// No export of this review recorded a certificate (older events): nothing to compare.
    NothingRecorded,
}

/// What `verify` concludes, from best to worst; the exit code follows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Verdict {
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
    /// No signature, a signature that does not hold or does not cover the file, or no
    /// review in it.
    Invalid,
}

/// `aarshjul verify FILE.pdf`.
pub fn verify(global: &Global, file: &Path) -> CommandResult {
    let lang = global.lang();
    let too_large = || {
        Failure(format!(
            "{}: {}",
            file.display(),
            lang.pick(
                "filen er over 64 MB og læses ikke; en gennemgangspost fra aarshjul fylder under 1 MB",
                "the file is over 64 MB and is not read; a review record from aarshjul is under 1 MB"
            )
        ))
    };
    let bytes = read_at_most(file, verify::MAX_FILE_BYTES).map_err(|e| {
        Failure(format!(
            "{}: {} ({e})",
            file.display(),
            lang.pick("kan ikke læses", "cannot be read")
        ))
    })?;
    let bytes = bytes.ok_or_else(too_large)?;
    let checked = verify::check(&bytes).map_err(|e| match e {
        Unreadable::NotPdf => Failure(format!(
            "{}: {}",
            file.display(),
            lang.pick("er ikke en PDF-fil", "is not a PDF file")
        )),
        Unreadable::TooLarge => too_large(),
    })?;
    let mut verdict = Verdict::Valid;
    let mut worst = |v: Verdict| verdict = verdict.max(v);
    println!("{}: {}", lang.pick("Fil", "File"), file.display());
    let mut certificate = None;
    match &checked.signature {
        SignatureState::Unsigned => {
            worst(Verdict::Invalid);
            let draft = checked.meta.as_ref().is_some_and(|m| m.draft);
            println!(
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
        }
        SignatureState::Invalid(problem) => {
            worst(Verdict::Invalid);
            println!(
                "{}: {}",
                lang.pick("Underskrift: UGYLDIG", "Signature: INVALID"),
                problem_text(problem, lang)
            );
        }
        SignatureState::Valid {
            signer,
            issuer,
            certificate_sha256,
            self_signed,
            signed_at,
            uncovered,
        } => {
            certificate = Some(certificate_sha256.clone());
            println!("{}: {signer}", lang.pick("Underskrevet af", "Signed by"));
            println!(
                "{}: {certificate_sha256}",
                lang.pick("Certifikatets SHA-256", "Certificate SHA-256")
            );
            println!(
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
            if let Some(at) = signed_at {
                println!("{}: {}", lang.pick("Tidspunkt", "Time"), when(*at, lang));
            }
            if *uncovered == 0 {
                println!(
                    "{}",
                    lang.pick(
                        "Underskrift: gyldig, dækker hele filen",
                        "Signature: valid, covers the whole file"
                    )
                );
            } else {
                worst(Verdict::Invalid);
                println!(
                    "{}",
                    lang.pick(
                        "Underskrift: gyldig for den underskrevne del, men dækker IKKE hele filen: {n} byte er tilføjet bagefter (fx en senere ændring)",
                        "Signature: valid for the signed part, but does NOT cover the whole file: {n} bytes were added after it (e.g. a later change)"
                    )
                    .replace("{n}", &uncovered.to_string())
                );
            }
        }
    }
    if let Some(meta) = &checked.meta {
        println!(
            "{}: {} {}",
            lang.pick("Gennemgang", "Review"),
            meta.org,
            meta.period
        );
        println!(
            "{}: {}",
            lang.pick("Postens fingeraftryk", "Record fingerprint"),
            meta.fingerprint
        );
        let db = compare_with_db(global, meta, &bytes, certificate.as_deref(), lang);
        for line in db_lines(&db, lang) {
            println!("{}: {line}", lang.pick("Database", "Database"));
        }
        worst(match &db {
            DbCheck::Compared(c) => compared_verdict(c),
            DbCheck::Skipped(_) | DbCheck::Failed(_) => Verdict::SignatureOnly,
        });
    } else {
        println!(
            "{}",
            lang.pick(
                "Filen bærer ingen gennemgang fra aarshjul (intet fingeraftryk i dokumentoplysningerne)",
                "The file carries no aarshjul review (no fingerprint in its document information)"
            )
        );
        worst(Verdict::Invalid);
    }
    println!("{}", verdict_text(verdict, lang));
    Ok(match verdict {
        Verdict::Valid | Verdict::SignatureOnly => ExitCode::SUCCESS,
        _ => ExitCode::from(1),
    })
}

/// The file's bytes, or `None` when it holds more than `limit` (a device or a growing file
/// included: no more than `limit + 1` bytes are read).
fn read_at_most(file: &Path, limit: usize) -> std::io::Result<Option<Vec<u8>>> {
    use std::io::Read;
    let f = std::fs::File::open(file)?;
    if f.metadata()?.len() > limit as u64 {
        return Ok(None);
    }
    let mut bytes = Vec::new();
    f.take(limit as u64 + 1).read_to_end(&mut bytes)?;
    Ok((bytes.len() <= limit).then_some(bytes))
}

/// The verdict the database comparison alone leads to.
fn compared_verdict(c: &Comparison) -> Verdict {
    if c.certificate == CertCheck::Other {
        Verdict::UnknownCertificate
    } else if c.exported.is_none() {
        Verdict::NotExported
    } else if c.state != Match::Current {
        Verdict::Changed
    } else {
        Verdict::Valid
    }
}

fn db_lines(db: &DbCheck, lang: Lang) -> Vec<String> {
    let c = match db {
        DbCheck::Skipped(why) => return vec![why.clone()],
        DbCheck::Failed(why) => {
            return vec![format!(
                "{}: {why}",
                lang.pick(
                    "kunne ikke sammenligne med databasen",
                    "could not compare with the database"
                )
            )];
        }
        DbCheck::Compared(c) => c,
    };
    let mut lines: Vec<String> = c.note.iter().cloned().collect();
    lines.push(match c.state {
        Match::Current => lang
            .pick(
                "fingeraftrykket svarer til gennemgangen, som den står nu",
                "the fingerprint matches the review as it stands",
            )
            .to_string(),
        Match::Earlier { seq } => lang
            .pick(
                "ÆNDRET — filen svarer til gennemgangen, som den var ved hændelse #{s}; den er ændret siden",
                "CHANGED — the file matches the review as it was at event #{s}; it has changed since",
            )
            .replace("{s}", &seq.to_string()),
        Match::None => lang
            .pick(
                "ÆNDRET — fingeraftrykket svarer ikke til nogen tilstand af gennemgangen i databasen",
                "CHANGED — the fingerprint matches no state of the review in the database",
            )
            .to_string(),
    });
    lines.push(match c.exported {
        Some(seq) => lang
            .pick(
                "filen er eksporteret af denne database (hændelse #{s})",
                "the file was exported by this database (event #{s})",
            )
            .replace("{s}", &seq.to_string()),
        None => lang
            .pick(
                "filen er IKKE en, denne database har eksporteret (dens SHA-256 er ikke registreret ved nogen eksport af gennemgangen)",
                "the file is NOT one this database exported (its SHA-256 is recorded with no export of the review)",
            )
            .to_string(),
    });
    match c.certificate {
        CertCheck::Unsigned => {}
        CertCheck::Recorded => lines.push(
            lang.pick(
                "certifikatet er det, denne database har underskrevet gennemgangens eksporter med",
                "the certificate is the one this database signed the review's exports with",
            )
            .to_string(),
        ),
        CertCheck::Other => lines.push(
            lang.pick(
                "certifikatet er IKKE et, denne database har underskrevet gennemgangens eksporter med",
                "the certificate is NOT one this database signed the review's exports with",
            )
            .to_string(),
        ),
        CertCheck::NothingRecorded => lines.push(
            lang.pick(
                "ingen eksport af gennemgangen har registreret sit certifikat, så certifikatet kan ikke sammenlignes",
                "no export of the review recorded its certificate, so the certificate cannot be compared",
            )
            .to_string(),
        ),
    }
    lines
}

fn verdict_text(verdict: Verdict, lang: Lang) -> &'static str {
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
        Verdict::UnknownCertificate => lang.pick(
            "Resultat: underskriften er gyldig, MEN certifikatet er ikke et, denne database har eksporteret med — filen kan være underskrevet af en anden; stol ikke på den",
            "Verdict: signature valid, BUT this certificate is not one this database exported with — the file may have been signed by someone else; do not rely on it",
        ),
        Verdict::Invalid => lang.pick(
            "Resultat: UGYLDIG eller ÆNDRET — stol ikke på indholdet",
            "Verdict: INVALID or CHANGED — do not rely on its content",
        ),
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

fn compare_with_db(
    global: &Global,
    meta: &RecordMeta,
    bytes: &[u8],
    certificate: Option<&str>,
    lang: Lang,
) -> DbCheck {
    let skipped = |why: &str| DbCheck::Skipped(why.to_string());
    if !global.db.exists() {
        return skipped(lang.pick(
            "ingen database at sammenligne med; kun underskriften er kontrolleret",
            "no database to compare with; only the signature was checked",
        ));
    }
    let Ok(period) = meta.period.parse() else {
        return skipped(lang.pick("ukendt periode i filen", "unknown period in the file"));
    };
    // A database that cannot be read does not make the file unreadable: say why and go on
    // with the verdict about the file itself.
    let read = Store::open(&global.db).and_then(|mut store| {
        store.check_sound()?;
        store.review_events(&meta.org, period)
    });
    let events = match read {
        Ok(events) => events,
        Err(e) => return DbCheck::Failed(e.message(lang)),
    };
    if crate::record::content_events(&events).is_empty() {
        return skipped(lang.pick(
            "databasen har ikke denne gennemgang; kun underskriften er kontrolleret",
            "the database does not hold this review; only the signature was checked",
        ));
    }
    let exported = exported_as(&events, bytes);
    // The fingerprint is recomputed from the events alone (not from today's checklist), so
    // a checklist edited since does not change it.
    let (state, note) = match meta.fingerprint_version {
        FINGERPRINT_VERSION => (
            match_fingerprint(&meta.org, period, &events, &meta.fingerprint),
            None,
        ),
        1 => (
            state_at_export(&events, exported),
            Some(
                lang.pick(
                    "fingeraftrykket er af den ældre form (v1), som ikke kan genberegnes; filen sammenlignes ved sin SHA-256 med de registrerede eksporter",
                    "the fingerprint is of the older form (v1), which cannot be recomputed; the file is compared by its SHA-256 with the recorded exports",
                )
                .to_string(),
            ),
        ),
        v => {
            return DbCheck::Skipped(
                lang.pick(
                    "fingeraftrykket er af formen v{v}, som denne udgave af aarshjul ikke kender; opdatér programmet",
                    "the fingerprint is of form v{v}, which this aarshjul does not know; update the program",
                )
                .replace("{v}", &v.to_string()),
            );
        }
    };
    DbCheck::Compared(Comparison {
        state,
        note,
        exported,
        certificate: certificate_check(&events, bytes, certificate),
    })
}

/// The state of the review when the export `exported` was made, relative to now: for records
/// whose fingerprint cannot be recomputed.
fn state_at_export(events: &[Event], exported: Option<i64>) -> Match {
    let Some(export) = exported else {
        return Match::None;
    };
    let content = crate::record::content_events(events);
    if content.iter().all(|e| e.seq < export) {
        return Match::Current;
    }
    content
        .iter()
        .rev()
        .find(|e| e.seq < export)
        .map_or(Match::None, |e| Match::Earlier { seq: e.seq })
}

/// The export event that recorded a file with these bytes.
fn exported_as(events: &[Event], bytes: &[u8]) -> Option<i64> {
    let sha = hex(&Sha256::digest(bytes));
    events.iter().find_map(|e| match &e.change {
        Change::ExportMade { sha256, .. } if *sha256 == sha => Some(e.seq),
        _ => None,
    })
}

/// How `certificate` (the file's, SHA-256) compares with those the review's exports recorded.
fn certificate_check(events: &[Event], bytes: &[u8], certificate: Option<&str>) -> CertCheck {
    let Some(certificate) = certificate else {
        return CertCheck::Unsigned;
    };
    let sha = hex(&Sha256::digest(bytes));
    let exports: Vec<(&String, Option<&String>)> = events
        .iter()
        .filter_map(|e| match &e.change {
            Change::ExportMade {
                sha256,
                certificate_sha256,
                ..
            } => Some((sha256, certificate_sha256.as_ref())),
            _ => None,
        })
        .collect();
    // This very file recorded: its certificate is in the bytes the database recorded.
    if let Some((_, recorded)) = exports.iter().find(|(s, _)| **s == sha) {
        return match recorded {
            Some(c) if c.as_str() != certificate => CertCheck::Other,
            _ => CertCheck::Recorded,
        };
    }
    let recorded: Vec<&String> = exports.iter().filter_map(|(_, c)| *c).collect();
    if recorded.is_empty() {
        CertCheck::NothingRecorded
    } else if recorded.iter().any(|c| c.as_str() == certificate) {
        CertCheck::Recorded
    } else {
        CertCheck::Other
    }
}

/// `aarshjul identity import FILE.p12`.
pub fn identity_import(global: &Global, file: &Path) -> CommandResult {
    let lang = global.lang();
    let bytes = std::fs::read(file).map_err(|e| {
        Failure(format!(
            "{}: {} ({e})",
            file.display(),
            lang.pick("kan ikke læses", "cannot be read")
        ))
    })?;
    if !identity::looks_like_p12(&bytes) {
        return Err(Failure(format!(
            "{}: {}",
            file.display(),
            lang.pick(
                "er ikke en PKCS#12-fil (.p12/.pfx)",
                "is not a PKCS#12 file (.p12/.pfx)"
            )
        )));
    }
    let password = match std::env::var("AARSHJUL_P12_PASSWORD") {
        Ok(p) => p,
        // Ask only someone at a terminal; a script gets told to use the variable.
        Err(_) if !std::io::IsTerminal::is_terminal(&std::io::stdin()) => {
            return Err(Failure(IdentityError::NoPassword.message(lang)));
        }
        Err(_) => rpassword::prompt_password(format!(
            "{} {}: ",
            lang.pick("Adgangskode til", "Password for"),
            file.display()
        ))
        .map_err(|_| Failure(IdentityError::NoPassword.message(lang)))?,
    };
    let dir = identity::dir_for_db(&global.db);
    let id = Identity::import(&dir, file, &password).map_err(|e| Failure(e.message(lang)))?;
    println!("{}: {}", lang.pick("Importeret", "Imported"), id.holder());
    println!("SHA-256: {}", id.fingerprint());
    println!(
        "{} {}",
        lang.pick(
            "Gemt (nøglen læsbar kun for dig) i",
            "Stored (the key readable by you only) in"
        ),
        dir.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// `aarshjul identity show`.
pub fn identity_show(global: &Global) -> CommandResult {
    let lang = global.lang();
    let dir = identity::dir_for_db(&global.db);
    let id = Identity::load(&dir)
        .map_err(|e| Failure(e.message(lang)))?
        .ok_or_else(|| Failure(IdentityError::Missing { dir: dir.clone() }.message(lang)))?;
    println!("{}: {}", lang.pick("Indehaver", "Holder"), id.holder());
    println!("SHA-256: {}", id.fingerprint());
    let issuer = identity::name_text(&id.certificate.tbs_certificate.issuer);
    let own = id.certificate.tbs_certificate.issuer == id.certificate.tbs_certificate.subject;
    println!(
        "{}: {}",
        lang.pick("Udsteder", "Issuer"),
        if own {
            lang.pick("selvunderskrevet", "self-signed").to_string()
        } else {
            issuer
        }
    );
    println!("{}: {}", lang.pick("Gyldig", "Valid"), id.validity());
    println!("{}: {}", lang.pick("Mappe", "Directory"), dir.display());
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(seq: i64, change: Change) -> Event {
        Event {
            seq,
            at: "2026-11-22T13:00:00Z".parse().unwrap(),
            org: "skgr".into(),
            period: "2026".parse().unwrap(),
            change,
        }
    }

    fn export(seq: i64, bytes: &[u8], cert: Option<&str>) -> Event {
        ev(
            seq,
            Change::ExportMade {
                file: "x.pdf".into(),
                sha256: hex(&Sha256::digest(bytes)),
                fingerprint: "f".into(),
                draft: false,
                certificate_sha256: cert.map(Into::into),
            },
        )
    }

    fn signed(seq: i64) -> Event {
        ev(
            seq,
            Change::ReviewSigned {
                by: "H".into(),
                role: "Leder".into(),
            },
        )
    }

    #[test]
    fn an_older_record_is_placed_by_its_export_event() {
        let events = vec![signed(1), export(2, b"old", None), signed(3)];
        assert_eq!(state_at_export(&events, Some(2)), Match::Earlier { seq: 1 });
        assert_eq!(state_at_export(&events[..2], Some(2)), Match::Current);
        assert_eq!(state_at_export(&events, None), Match::None);
    }

    #[test]
    fn the_certificate_is_compared_with_the_recorded_exports() {
        let events = vec![
            signed(1),
            export(2, b"old", None),
            export(3, b"new", Some("c1")),
        ];
        assert_eq!(certificate_check(&events, b"x", None), CertCheck::Unsigned);
        // This very file: its certificate is in the recorded bytes (older event too).
        assert_eq!(
            certificate_check(&events, b"old", Some("c9")),
            CertCheck::Recorded
        );
        assert_eq!(
            certificate_check(&events, b"new", Some("c1")),
            CertCheck::Recorded
        );
        assert_eq!(
            certificate_check(&events, b"new", Some("c2")),
            CertCheck::Other
        );
        // Another file: known certificate, or not.
        assert_eq!(
            certificate_check(&events, b"other", Some("c1")),
            CertCheck::Recorded
        );
        assert_eq!(
            certificate_check(&events, b"other", Some("c2")),
            CertCheck::Other
        );
        assert_eq!(
            certificate_check(&events[..2], b"other", Some("c2")),
            CertCheck::NothingRecorded
        );
    }

    #[test]
    fn the_worst_finding_decides_the_verdict() {
        let c = |state, exported, certificate| Comparison {
            state,
            note: None,
            exported,
            certificate,
        };
        use CertCheck::*;
        assert_eq!(
            compared_verdict(&c(Match::Current, Some(2), Recorded)),
            Verdict::Valid
        );
        assert_eq!(
            compared_verdict(&c(Match::Earlier { seq: 1 }, Some(2), Recorded)),
            Verdict::Changed
        );
        assert_eq!(
            compared_verdict(&c(Match::Current, None, Recorded)),
            Verdict::NotExported
        );
        assert_eq!(
            compared_verdict(&c(Match::Current, None, NothingRecorded)),
            Verdict::NotExported
        );
        assert_eq!(
            compared_verdict(&c(Match::Current, None, Other)),
            Verdict::UnknownCertificate
        );
        assert!(Verdict::Invalid > Verdict::UnknownCertificate);
        assert!(Verdict::SignatureOnly > Verdict::Valid);
    }
}
