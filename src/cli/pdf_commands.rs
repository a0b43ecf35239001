//! `export`, `verify` and `identity`: the review record PDF from the command line.

use std::path::Path;
use std::process::ExitCode;

use super::{Failure, Global, Outcome2, ReviewArg, find_org, load, open, parse_period};
use crate::checklist::hex;
use crate::i18n::Lang;
use crate::pdf::identity::{self, Identity, IdentityError};
use crate::pdf::verify::{self, Problem, SignatureState, Unreadable};
use crate::pdf::{self, ExportError, ExportOptions, Replace};
use crate::record::{Match, match_fingerprint, when};
use crate::review::Change;

/// `aarshjul export`.
pub fn export(
    global: &Global,
    which: &ReviewArg,
    out: Option<&Path>,
    draft: bool,
    force: bool,
) -> Outcome2 {
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
    Matches(String),
    Differs(String),
}

/// `aarshjul verify FILE.pdf`.
pub fn verify(global: &Global, file: &Path) -> Outcome2 {
    let lang = global.lang();
    let bytes = std::fs::read(file).map_err(|e| {
        Failure(format!(
            "{}: {} ({e})",
            file.display(),
            lang.pick("kan ikke læses", "cannot be read")
        ))
    })?;
    let checked = verify::check(&bytes).map_err(|Unreadable::NotPdf| {
        Failure(format!(
            "{}: {}",
            file.display(),
            lang.pick("er ikke en PDF-fil", "is not a PDF file")
        ))
    })?;
    let mut valid = true;
    println!("{}: {}", lang.pick("Fil", "File"), file.display());
    match &checked.signature {
        SignatureState::Unsigned => {
            valid = false;
            let draft = checked.meta.as_ref().is_some_and(|m| m.3);
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
            valid = false;
            println!(
                "{}: {}",
                lang.pick("Underskrift: UGYLDIG", "Signature: INVALID"),
                problem_text(problem, lang)
            );
        }
        SignatureState::Valid {
            signer,
            certificate_sha256,
            signed_at,
            uncovered,
            ..
        } => {
            println!("{}: {signer}", lang.pick("Underskrevet af", "Signed by"));
            println!(
                "{}: {certificate_sha256}",
                lang.pick("Certifikatets SHA-256", "Certificate SHA-256")
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
                valid = false;
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
    if let Some((org, period, fingerprint, _)) = &checked.meta {
        println!("{}: {org} {period}", lang.pick("Gennemgang", "Review"));
        println!(
            "{}: {fingerprint}",
            lang.pick("Postens fingeraftryk", "Record fingerprint")
        );
        match compare_with_db(global, org, period, fingerprint, &bytes, lang)? {
            DbCheck::Skipped(why) | DbCheck::Matches(why) => println!("{why}"),
            DbCheck::Differs(why) => {
                valid = false;
                println!("{why}");
            }
        }
    } else {
        println!(
            "{}",
            lang.pick(
                "Filen bærer ingen gennemgang fra aarshjul (intet fingeraftryk i dokumentoplysningerne)",
                "The file carries no aarshjul review (no fingerprint in its document information)"
            )
        );
        valid = false;
    }
    println!(
        "{}",
        if valid {
            lang.pick(
                "Resultat: GYLDIG — filen er uændret siden underskriften",
                "Verdict: VALID — the file is unchanged since it was signed",
            )
        } else {
            lang.pick(
                "Resultat: UGYLDIG eller ÆNDRET — stol ikke på indholdet",
                "Verdict: INVALID or CHANGED — do not rely on its content",
            )
        }
    );
    Ok(if valid {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
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
    org: &str,
    period: &str,
    fingerprint: &str,
    bytes: &[u8],
    lang: Lang,
) -> Result<DbCheck, Failure> {
    let skipped = |why: &str| {
        Ok(DbCheck::Skipped(format!(
            "{}: {why}",
            lang.pick("Database", "Database")
        )))
    };
    if !global.db.exists() {
        return skipped(lang.pick(
            "ingen database at sammenligne med; kun underskriften er kontrolleret",
            "no database to compare with; only the signature was checked",
        ));
    }
    let Ok(period) = period.parse() else {
        return skipped(lang.pick("ukendt periode i filen", "unknown period in the file"));
    };
    let store = open(global, lang)?;
    let events = store
        .review_events(org, period)
        .map_err(|e| Failure(e.message(lang)))?;
    if crate::record::content_events(&events).is_empty() {
        return skipped(lang.pick(
            "databasen har ikke denne gennemgang; kun underskriften er kontrolleret",
            "the database does not hold this review; only the signature was checked",
        ));
    }
    let lists = match crate::checklist::load_dir(&global.checklists, lang) {
        Ok(lists) => lists,
        Err(_) => {
            return skipped(lang.pick(
                "tjeklisterne kunne ikke indlæses, så gennemgangen kunne ikke sammenlignes",
                "the checklists could not be loaded, so the review could not be compared",
            ));
        }
    };
    let Some(list) = lists.iter().find(|l| l.organisation.id == org) else {
        return skipped(lang.pick(
            "organisationen findes ikke i tjeklisterne, så gennemgangen kunne ikke sammenlignes",
            "the organisation is not in the checklists, so the review could not be compared",
        ));
    };
    let sha = hex(&sha2::Digest::finalize(sha2::Digest::chain_update(
        sha2::Sha256::default(),
        bytes,
    )));
    let exported = events.iter().find_map(|e| match &e.change {
        Change::ExportMade { sha256, .. } if *sha256 == sha => Some(e.seq),
        _ => None,
    });
    let mut line = match match_fingerprint(list, period, &events, fingerprint) {
        Match::Current => DbCheck::Matches(
            lang.pick(
                "Database: fingeraftrykket svarer til gennemgangen, som den står nu",
                "Database: the fingerprint matches the review as it stands",
            )
            .to_string(),
        ),
        Match::Earlier { seq } => DbCheck::Differs(
            lang.pick(
                "Database: ÆNDRET — filen svarer til gennemgangen, som den var ved hændelse #{s}; den er ændret siden",
                "Database: CHANGED — the file matches the review as it was at event #{s}; it has changed since",
            )
            .replace("{s}", &seq.to_string()),
        ),
        Match::None => DbCheck::Differs(
            lang.pick(
                "Database: ÆNDRET — fingeraftrykket svarer ikke til gennemgangen i databasen (hændelser eller tjeklistens tekster er anderledes)",
                "Database: CHANGED — the fingerprint does not match the review in the database (its events or the checklist's texts differ)",
            )
            .to_string(),
        ),
    };
    if let (Some(seq), DbCheck::Matches(text) | DbCheck::Differs(text)) = (exported, &mut line) {
        text.push_str(
            &lang
                .pick(
                    " (filen blev eksporteret som hændelse #{s})",
                    " (the file was exported as event #{s})",
                )
                .replace("{s}", &seq.to_string()),
        );
    }
    Ok(line)
}

/// `aarshjul identity import FILE.p12`.
pub fn identity_import(global: &Global, file: &Path) -> Outcome2 {
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
pub fn identity_show(global: &Global) -> Outcome2 {
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
