//! `export`, `verify` and `identity`: the review record PDF from the command line.

use std::path::Path;
use std::process::ExitCode;

use super::{CommandResult, Failure, Global, ReviewArg, find_org, load, open, parse_period};
use crate::checklist::hex;
use crate::flows;
use crate::flows::export::{ExportError, ExportOptions};
use crate::flows::record_check::{self, Anchoring};
use crate::i18n::Lang;
use crate::pdf::identity::{self, Identity, IdentityError};
use crate::pdf::post::RecordMeta;
use crate::pdf::verify::{self, Evidence, Problem, SignatureState, Unreadable};
use crate::pdf::{self, Replace};
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
    tsa: Option<&str>,
) -> CommandResult {
    let lang = global.lang();
    let tsa = tsa
        .map(pdf::tsa::parse)
        .transpose()
        .map_err(|e| Failure(e.message(lang)))?;
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
    opts.tsa = tsa;
    let report = match out {
        Some(out) => flows::export::export(&mut store, list, period, out, &opts),
        None => flows::export::export_to_default(&mut store, list, period, &opts),
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
                identity::org_dir(&opts.identity_dir, &list.organisation.id).display()
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
    if let Some(stamp) = &report.timestamp {
        println!(
            "{}: {} ({})",
            lang.pick("Tidsstempel", "Timestamp"),
            when(stamp.time, lang),
            stamp.authority
        );
    }
    println!(
        "{}: {}",
        lang.pick("Postens fingeraftryk", "Record fingerprint"),
        report.fingerprint
    );
    println!(
        "{}: {} {}, {} {}",
        lang.pick("Hændelsesloggen i posten", "Event log in the record"),
        report.chain_head.seq,
        lang.pick("hændelser", "events"),
        lang.pick("kædens SHA-256", "chain SHA-256"),
        report.chain_head.hash
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
    /// Signature valid, but the certificate is another organisation's than the record's.
    OtherOrganisation,
    /// The database no longer holds the event log the record was exported after: it was
    /// cut, changed or rebuilt since (or it is another database).
    LogBroken,
    /// No signature, a signature that does not hold or does not cover the file, or no
    /// review in it.
    Invalid,
}

/// `aarshjul verify FILE.pdf`.
pub fn verify(global: &Global, file: &Path) -> CommandResult {
    let lang = global.lang();
    let bytes = read_record(file, lang)?;
    let found = examine(global, file, &bytes, lang)?;
    // Everything printed comes from the file or the database: escaped, so a signer's name
    // or an organisation id cannot carry terminal commands.
    for line in &found.lines {
        println!("{}", crate::text::escaped(line));
    }
    println!("{}", verdict_text(found.verdict, lang));
    Ok(match found.verdict {
        Verdict::Valid | Verdict::SignatureOnly => ExitCode::SUCCESS,
        _ => ExitCode::from(1),
    })
}

/// What `verify` found in one file: the lines it prints, the verdict, and the line that
/// explains the verdict (for `verify-db --records`, one line per file).
struct Examined {
    lines: Vec<String>,
    verdict: Verdict,
    why: Option<String>,
    /// The file says it is a draft (and is not signed).
    draft: bool,
}

/// A record file's bytes, or a failure saying why it cannot be read.
fn read_record(file: &Path, lang: Lang) -> Result<Vec<u8>, Failure> {
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
    // Only a regular file, and no more than the cap: a FIFO or a device never hangs us.
    crate::files::read_regular(file, verify::MAX_FILE_BYTES as u64).map_err(|e| match e {
        crate::files::ReadError::TooLarge { .. } => too_large(),
        e => Failure(format!("{}: {}", file.display(), e.message(lang))),
    })
}

/// Checks one record file: its signature and attachment, and against the database.
fn examine(global: &Global, file: &Path, bytes: &[u8], lang: Lang) -> Result<Examined, Failure> {
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
    let checked = verify::check(bytes).map_err(|e| match e {
        Unreadable::NotPdf => Failure(format!(
            "{}: {}",
            file.display(),
            lang.pick("er ikke en PDF-fil", "is not a PDF file")
        )),
        Unreadable::TooLarge => too_large(),
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
        let db = compare_with_db(global, meta, bytes, certificate.as_deref(), lang);
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
        if let Some(anchoring) = anchor_with_db(global, meta, &checked.evidence) {
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
    // Read-only; a damaged store is not trusted for the comparison (verify then checks the
    // signature alone and says why).
    let read = Store::open_read_only(&global.db).and_then(|mut store| {
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

/// The record's chain head checked against the database's log; `None` when there is no
/// database or it cannot be read (the comparison above says so).
fn anchor_with_db(global: &Global, meta: &RecordMeta, evidence: &Evidence) -> Option<Anchoring> {
    if !global.db.exists() {
        return None;
    }
    let store = Store::open_read_only(&global.db).ok()?;
    record_check::anchoring(&store, meta, evidence).ok()
}

/// `aarshjul verify-db --records DIR`: every record PDF in `dir` checked as `verify` checks
/// it, one line each; returns whether every record holds. A draft is listed but not judged
/// (it is not signed); a record whose review changed since it was made holds (the database
/// vouches for it as the review then stood).
pub fn verify_records(global: &Global, dir: &Path, explicit: bool) -> Result<bool, Failure> {
    let lang = global.lang();
    if !explicit && !dir.exists() {
        println!(
            "{}: {}",
            dir.display(),
            lang.pick(
                "findes ikke; ingen poster at kontrollere",
                "does not exist; no records to check"
            )
        );
        return Ok(true);
    }
    let entries = std::fs::read_dir(dir).map_err(|e| {
        Failure(format!(
            "{}: {} ({e})",
            dir.display(),
            lang.pick("mappen kan ikke læses", "the directory cannot be read")
        ))
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
        println!(
            "{}: {}",
            dir.display(),
            lang.pick(
                "ingen poster (PDF-filer) at kontrollere",
                "no records (PDF files) to check"
            )
        );
        return Ok(true);
    }
    let mut all = true;
    let (mut held, mut failed, mut drafts) = (0, 0, 0);
    for file in &files {
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let found = read_record(file, lang).and_then(|b| examine(global, file, &b, lang));
        let line = match found {
            Err(Failure(why)) => {
                all = false;
                failed += 1;
                format!("{} {name}: {why}", lang.pick("FEJL", "FAIL"))
            }
            Ok(found) if found.draft => {
                drafts += 1;
                format!(
                    "  –  {name}: {}",
                    lang.pick(
                        "udkast, ikke underskrevet — ikke en post, ikke kontrolleret",
                        "draft, not signed — not a record, not checked"
                    )
                )
            }
            Ok(found) => {
                let ok = matches!(found.verdict, Verdict::Valid | Verdict::Changed);
                let short = short_verdict(found.verdict, lang).to_string();
                if ok {
                    held += 1;
                    format!(" OK  {name}: {short}")
                } else {
                    all = false;
                    failed += 1;
                    // The line that explains the failure says more than the verdict's name.
                    let why = found.why.unwrap_or(short);
                    format!("{} {name}: {why}", lang.pick("FEJL", "FAIL"))
                }
            }
        };
        println!("{}", crate::text::escaped(&line));
    }
    println!(
        "{}",
        lang.pick(
            "Poster: {h} i orden, {f} fejl, {d} udkast",
            "Records: {h} hold, {f} failed, {d} drafts"
        )
        .replace("{h}", &held.to_string())
        .replace("{f}", &failed.to_string())
        .replace("{d}", &drafts.to_string())
    );
    Ok(all)
}

/// A verdict in a few words, for one line per file.
fn short_verdict(verdict: Verdict, lang: Lang) -> &'static str {
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

/// `aarshjul identity import --org ID FILE.p12`.
pub fn identity_import(global: &Global, org: &str, file: &Path) -> CommandResult {
    let lang = global.lang();
    let lists = load(&global.checklists, lang)?;
    let list = find_org(&lists, org, lang)?;
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
    let dir = identity::org_dir(&identity::dir_for_db(&global.db), &list.organisation.id);
    let holder = identity::Holder {
        organisation: &list.organisation.name,
        cvr: list.organisation.cvr.as_deref(),
    };
    let id =
        Identity::import(&dir, file, &password, &holder).map_err(|e| Failure(e.message(lang)))?;
    println!(
        "{} {}: {}",
        lang.pick("Importeret for", "Imported for"),
        list.organisation.id,
        id.holder()
    );
    println!(
        "{}: {}",
        lang.pick("Nøgle", "Key"),
        id.signing_key().describe()
    );
    if !id.chain.is_empty() {
        println!(
            "{}: {}",
            lang.pick("Kæde", "Chain"),
            id.chain
                .iter()
                .map(|c| identity::name_text(&c.tbs_certificate.subject))
                .collect::<Vec<_>>()
                .join(" ← ")
        );
    }
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

/// `aarshjul identity show [--org ID]`.
pub fn identity_show(global: &Global, org: Option<&str>) -> CommandResult {
    let lang = global.lang();
    let lists = load(&global.checklists, lang)?;
    let root = identity::dir_for_db(&global.db);
    let orgs: Vec<&crate::checklist::Checklist> = match org {
        Some(org) => vec![find_org(&lists, org, lang)?],
        None => lists.iter().collect(),
    };
    let mut first = true;
    for list in orgs {
        let o = &list.organisation;
        if !first {
            println!();
        }
        first = false;
        println!(
            "{}: {} ({})",
            lang.pick("Organisation", "Organisation"),
            o.id,
            o.name
        );
        let dir = identity::org_dir(&root, &o.id);
        match Identity::load(&dir).map_err(|e| Failure(e.message(lang)))? {
            Some(id) => print_identity(&id, &dir, lang),
            None => println!(
                "  {}",
                lang.pick(
                    "ingen identitet endnu; et selvunderskrevet certifikat, der nævner organisationen, laves ved første underskrevne eksport, eller importér organisationens .p12 med »aarshjul identity import --org ID FIL.p12«",
                    "no identity yet; a self-signed certificate naming the organisation is made at its first signed export, or import its .p12 with `aarshjul identity import --org ID FILE.p12`"
                )
            ),
        }
    }
    if identity::has_legacy(&root) {
        println!();
        println!(
            "{}",
            lang.pick(
                "Databasens tidligere fælles identitet (fra før identiteter pr. organisation); den organisation, certifikatet nævner, overtager den ved sin næste underskrevne eksport:",
                "The database's former shared identity (from before identities per organisation); the organisation its certificate names takes it over at its next signed export:"
            )
        );
        if let Some(id) = Identity::load(&root).map_err(|e| Failure(e.message(lang)))? {
            print_identity(&id, &root, lang);
        }
    }
    match pdf::tsa::setting(&root).map_err(|e| Failure(e.message(lang)))? {
        Some(tsa) => println!(
            "\n{}: {}",
            lang.pick("Tidsstemplingstjeneste", "Time-stamping authority"),
            tsa.url
        ),
        None => println!(
            "\n{}",
            lang.pick(
                "Tidsstemplingstjeneste: ingen (sæt en med »aarshjul identity tsa URL«)",
                "Time-stamping authority: none (set one with `aarshjul identity tsa URL`)"
            )
        ),
    }
    Ok(ExitCode::SUCCESS)
}

fn print_identity(id: &Identity, dir: &Path, lang: Lang) {
    let org = id.organisation();
    println!("  {}: {}", lang.pick("Indehaver", "Holder"), id.holder());
    println!(
        "  {}: {}",
        lang.pick("Certifikatets organisation", "Certificate's organisation"),
        org.text()
    );
    println!(
        "  {}: {}",
        lang.pick("Nøgle", "Key"),
        id.signing_key().describe()
    );
    println!("  SHA-256: {}", id.fingerprint());
    println!(
        "  {}: {}",
        lang.pick("Udsteder", "Issuer"),
        if id.self_signed_certificate() {
            lang.pick("selvunderskrevet", "self-signed").to_string()
        } else {
            identity::name_text(&id.certificate.tbs_certificate.issuer)
        }
    );
    println!("  {}: {}", lang.pick("Gyldig", "Valid"), id.validity());
    println!("  {}: {}", lang.pick("Mappe", "Directory"), dir.display());
}

/// `aarshjul identity tsa [URL | --off]`.
pub fn identity_tsa(global: &Global, url: Option<&str>, off: bool) -> CommandResult {
    let lang = global.lang();
    let root = identity::dir_for_db(&global.db);
    let fail = |e: IdentityError| Failure(e.message(lang));
    if off {
        pdf::tsa::set_setting(&root, None).map_err(fail)?;
        println!(
            "{}",
            lang.pick(
                "Tidsstemplingstjeneste fjernet; eksporter underskrives uden tidsstempel",
                "Time-stamping authority removed; exports are signed without a timestamp"
            )
        );
        return Ok(ExitCode::SUCCESS);
    }
    let Some(url) = url else {
        match pdf::tsa::setting(&root).map_err(fail)? {
            Some(tsa) => println!("{}", tsa.url),
            None => println!(
                "{}",
                lang.pick("Ingen tidsstemplingstjeneste", "No time-stamping authority")
            ),
        }
        return Ok(ExitCode::SUCCESS);
    };
    let tsa = pdf::tsa::parse(url).map_err(|e| Failure(e.message(lang)))?;
    pdf::tsa::set_setting(&root, Some(&tsa)).map_err(fail)?;
    println!(
        "{}: {}",
        lang.pick(
            "Underskrevne eksporter beder nu om et tidsstempel fra",
            "Signed exports now ask for a timestamp from"
        ),
        tsa.url
    );
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
