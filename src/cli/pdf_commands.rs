//! `export`, `verify` and `identity`: the review record PDF from the command line.

use std::path::Path;
use std::process::ExitCode;

use super::{CommandResult, Failure, Global, ReviewArg, find_org, load, open, parse_period};
use crate::flows;
use crate::flows::export::{ExportError, ExportOptions};
use crate::flows::verify::{ReadError, RecordCheck, Records, Verdict, short_verdict, verdict_text};
use crate::i18n::Lang;
use crate::pdf::identity::{self, Identity, IdentityError};
use crate::pdf::{self, Replace};
use crate::record::when;
use crate::text::escaped;

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

/// `aarshjul verify FILE.pdf`.
pub fn verify(global: &Global, file: &Path) -> CommandResult {
    let lang = global.lang();
    let fail = |e: ReadError| Failure(e.message(lang));
    let bytes = flows::verify::read_record(file).map_err(fail)?;
    let found = flows::verify::examine(&global.db, file, &bytes, lang).map_err(fail)?;
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

/// `aarshjul verify-db --records DIR`: every record PDF in `dir` checked as `verify` checks
/// it, one line each; returns whether every record holds (see [`flows::verify::check_records`]).
pub fn verify_records(global: &Global, dir: &Path, explicit: bool) -> Result<bool, Failure> {
    let lang = global.lang();
    let records = flows::verify::check_records(&global.db, dir, explicit, lang)
        .map_err(|e| Failure(e.message(lang)))?;
    let files = match &records {
        Records::Absent => {
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
        Records::Empty => {
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
        Records::Checked(files) => files,
    };
    let (mut held, mut failed, mut drafts) = (0, 0, 0);
    for (name, check) in files {
        let line = match check {
            RecordCheck::Fails(why) => {
                failed += 1;
                format!("{} {name}: {why}", lang.pick("FEJL", "FAIL"))
            }
            RecordCheck::Draft => {
                drafts += 1;
                format!(
                    "  –  {name}: {}",
                    lang.pick(
                        "udkast, ikke underskrevet — ikke en post, ikke kontrolleret",
                        "draft, not signed — not a record, not checked"
                    )
                )
            }
            RecordCheck::Holds(verdict) => {
                held += 1;
                format!(" OK  {name}: {}", short_verdict(*verdict, lang))
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
    Ok(records.all_hold())
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
    // Names from the certificate come from an outside file: printed escaped, so they
    // cannot carry terminal commands.
    println!(
        "{} {}: {}",
        lang.pick("Importeret for", "Imported for"),
        list.organisation.id,
        escaped(&id.holder())
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
            escaped(
                &id.chain
                    .iter()
                    .map(|c| identity::name_text(&c.tbs_certificate.subject))
                    .collect::<Vec<_>>()
                    .join(" ← ")
            )
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
    // Names from the certificate may come from an imported file: printed escaped.
    println!(
        "  {}: {}",
        lang.pick("Indehaver", "Holder"),
        escaped(&id.holder())
    );
    println!(
        "  {}: {}",
        lang.pick("Certifikatets organisation", "Certificate's organisation"),
        escaped(&org.text())
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
            escaped(&identity::name_text(&id.certificate.tbs_certificate.issuer)).into_owned()
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
