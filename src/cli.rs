//! The command line: clap definitions and one function per subcommand. Every change goes
//! through the same [`Review::check`] rules and [`Store::append`] as the terminal UI.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::{DateTime, NaiveDate, Utc};
use clap::{Args, Parser, Subcommand};

use crate::checklist::{self, Checklist};
use crate::i18n::Lang;
use crate::period::{Period, local_date, local_time};
use crate::review::{Change, Outcome, Review, ReviewState};
use crate::status::{self, Summary};
use crate::store::{Store, chain::Verdict};

mod pdf_commands;

#[derive(Debug, Parser)]
#[command(
    name = "aarshjul",
    version,
    about = "The yearly wheel of data-protection duties / Årshjulet for databeskyttelse",
    long_about = "Walks a manager through the recurring data-protection checklists of their \
                  privacy policy, records every sign-off, and exports a signed review record.\n\
                  Without a command: the terminal UI."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Options every command takes.
#[derive(Debug, Args)]
pub struct Global {
    /// Directory of checklist files (*.toml)
    #[arg(
        long,
        global = true,
        env = "AARSHJUL_CHECKLISTS",
        default_value = "checklists"
    )]
    pub checklists: PathBuf,
    /// The database file (created with mode 0600 when missing)
    #[arg(
        long,
        global = true,
        env = "AARSHJUL_DB",
        default_value = "data/aarshjul.sqlite"
    )]
    pub db: PathBuf,
    /// Language of the interface: da or en [default: from LANG, Danish unless English]
    #[arg(long, global = true, value_parser = ["da", "en"])]
    pub lang: Option<String>,
    /// The current time, RFC 3339 (for tests and demonstrations)
    #[arg(long, global = true, env = "AARSHJUL_NOW", hide = true)]
    pub now: Option<DateTime<Utc>>,
}

impl Global {
    pub fn lang(&self) -> Lang {
        self.lang
            .as_deref()
            .and_then(Lang::parse)
            .unwrap_or_else(|| Lang::from_locale(|k| std::env::var(k).ok()))
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.now.unwrap_or_else(Utc::now)
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Load and check checklists; exit 0 clean, 2 with errors as file:line:col
    Validate {
        /// Directory to check [default: --checklists]
        dir: Option<PathBuf>,
    },
    /// Every organisation's reviews of the year; exit 1 when something is overdue
    Status {
        /// The date to report on, YYYY-MM-DD [default: today, Europe/Copenhagen]
        #[arg(long)]
        date: Option<NaiveDate>,
        /// Print JSON instead of text
        #[arg(long)]
        json: bool,
    },
    /// Record one item's outcome (done, not-applicable, deviation)
    Record {
        #[command(flatten)]
        review: ReviewArg,
        /// Item id from the checklist
        #[arg(long)]
        item: String,
        /// done | not-applicable | deviation
        #[arg(long, value_parser = ["done", "not-applicable", "deviation"])]
        status: String,
        /// The note (required for a deviation and for items that ask for evidence)
        #[arg(long)]
        note: Option<String>,
        /// Who records it
        #[arg(long)]
        by: String,
    },
    /// Withdraw one item's outcome so it is open again
    Retract {
        #[command(flatten)]
        review: ReviewArg,
        #[arg(long)]
        item: String,
        #[arg(long)]
        by: String,
    },
    /// Sign a review (refused while items are open)
    Sign {
        #[command(flatten)]
        review: ReviewArg,
        /// Name of the signer
        #[arg(long)]
        by: String,
        /// Role of the signer, e.g. Leder
        #[arg(long)]
        role: String,
    },
    /// Reopen a signed review
    Reopen {
        #[command(flatten)]
        review: ReviewArg,
        #[arg(long)]
        by: String,
        /// Why it is reopened (kept in the review's history)
        #[arg(long)]
        reason: String,
    },
    /// Check the event hash chain; exit 0 intact, 1 with the first bad event named
    VerifyDb,
    /// Write the review record as a digitally signed PDF (an unsigned review only with --draft)
    Export {
        #[command(flatten)]
        review: ReviewArg,
        /// The PDF to write [default: exports/ORG-PERIOD.pdf beside the database]
        #[arg(long)]
        out: Option<PathBuf>,
        /// Export an unsigned review as a draft, marked UDKAST / DRAFT on every page
        #[arg(long)]
        draft: bool,
        /// Replace a file already at --out (never the database or the signing identity)
        #[arg(long)]
        force: bool,
    },
    /// Check a review record PDF: its signature, that it covers the whole file, and that it
    /// matches the review in the database; exit 0 valid, 1 invalid or changed, 2 unreadable
    Verify {
        /// The PDF to check
        file: PathBuf,
    },
    /// Present the policy at the staff meeting and record who attended (the terminal UI)
    Walkthrough {
        /// Organisation id, e.g. skgr
        #[arg(long)]
        org: String,
    },
    /// The identity PDFs are signed with: import one from a PKCS#12 file, or show it
    Identity {
        #[command(subcommand)]
        action: IdentityAction,
    },
}

/// What to do with the signing identity.
#[derive(Debug, Subcommand)]
pub enum IdentityAction {
    /// Use the key and certificate of a PKCS#12 file (.p12/.pfx), e.g. an OCES certificate;
    /// the password is read from AARSHJUL_P12_PASSWORD or asked for without echo
    Import {
        /// The PKCS#12 file
        file: PathBuf,
    },
    /// Print the certificate's holder and SHA-256 fingerprint
    Show,
}

/// Which review: organisation and period key.
#[derive(Debug, Args)]
pub struct ReviewArg {
    /// Organisation id, e.g. skgr
    #[arg(long)]
    pub org: String,
    /// Period key: 2026 (yearly), 2026-H2, 2026-Q4, 2026-11 (monthly)
    #[arg(long)]
    pub period: String,
}

/// A failed command: one sentence for stderr, exit code 2.
#[derive(Debug)]
pub struct Failure(pub String);

impl<E: Into<Failure>> From<Vec<E>> for Failure {
    fn from(v: Vec<E>) -> Failure {
        Failure(
            v.into_iter()
                .map(|e| e.into().0)
                .collect::<Vec<_>>()
                .join("\n"),
        )
    }
}

impl From<checklist::Problem> for Failure {
    fn from(p: checklist::Problem) -> Failure {
        Failure(p.to_string())
    }
}

/// What a subcommand ends with: its exit code, or one sentence for stderr and exit code 2.
pub type CommandResult = Result<ExitCode, Failure>;

/// Runs a subcommand; the terminal UI is started by `main` when there is none.
pub fn run(global: &Global, command: &Command) -> CommandResult {
    let lang = global.lang();
    match command {
        Command::Validate { dir } => validate(dir.as_deref().unwrap_or(&global.checklists), lang),
        Command::Status { date, json } => {
            let date = date.unwrap_or_else(|| local_date(global.now()));
            status(global, date, *json)
        }
        Command::Record {
            review,
            item,
            status,
            note,
            by,
        } => {
            let outcome = Outcome::parse(status).expect("clap allows only the three outcomes");
            change(global, review, |list| Change::ItemSigned {
                item: item.clone(),
                status: outcome,
                note: note
                    .as_deref()
                    .map(str::trim)
                    .filter(|n| !n.is_empty())
                    .map(Into::into),
                by: by.trim().to_string(),
                fingerprint: list.item(item).map(|i| i.fingerprint()).unwrap_or_default(),
                text: list.item(item).map(|i| Box::new(i.text())),
            })
        }
        Command::Retract { review, item, by } => {
            change(global, review, |_| Change::ItemRetracted {
                item: item.clone(),
                by: by.trim().to_string(),
            })
        }
        Command::Sign { review, by, role } => change(global, review, |_| Change::ReviewSigned {
            by: by.trim().to_string(),
            role: role.trim().to_string(),
        }),
        Command::Reopen { review, by, reason } => {
            change(global, review, |_| Change::ReviewReopened {
                by: by.trim().to_string(),
                reason: reason.trim().to_string(),
            })
        }
        Command::VerifyDb => verify_db(global),
        Command::Walkthrough { org } => crate::tui::run::run(global, Some(org)),
        Command::Export {
            review,
            out,
            draft,
            force,
        } => pdf_commands::export(global, review, out.as_deref(), *draft, *force),
        Command::Verify { file } => pdf_commands::verify(global, file),
        Command::Identity { action } => match action {
            IdentityAction::Import { file } => pdf_commands::identity_import(global, file),
            IdentityAction::Show => pdf_commands::identity_show(global),
        },
    }
}

/// Loads the checklists or fails with every problem listed.
pub fn load(dir: &Path, lang: Lang) -> Result<Vec<Checklist>, Failure> {
    checklist::load_dir(dir, lang).map_err(|p| Failure(p.to_string()))
}

pub(crate) fn open(global: &Global, lang: Lang) -> Result<Store, Failure> {
    Store::open(&global.db).map_err(|e| Failure(e.message(lang)))
}

fn validate(dir: &Path, lang: Lang) -> CommandResult {
    let lists = load(dir, lang)?;
    let items: usize = lists.iter().map(|l| l.items.len()).sum();
    println!(
        "{}: {} {}, {items} {}",
        lang.pick("OK", "OK"),
        lists.len(),
        lang.pick("tjeklister", "checklists"),
        lang.pick("punkter", "items")
    );
    for l in &lists {
        println!(
            "  {} ({}): {} {}, {} {}",
            l.organisation.name,
            l.organisation.id,
            l.items.len(),
            lang.pick("punkter", "items"),
            l.walkthrough.len(),
            lang.pick("afsnit til personalemødet", "staff-meeting sections"),
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn status(global: &Global, date: NaiveDate, json: bool) -> CommandResult {
    let lang = global.lang();
    let lists = load(&global.checklists, lang)?;
    let mut store = open(global, lang)?;
    let events = store.all_events().map_err(|e| Failure(e.message(lang)))?;
    warn_if_damaged(&mut store, lang);
    let summaries = status::overview(&lists, &events, chrono::Datelike::year(&date), date);
    if json {
        let doc = status::Json::new(date, &summaries);
        println!(
            "{}",
            serde_json::to_string_pretty(&doc).expect("status always serialises")
        );
    } else {
        print_status(&lists, &summaries, date, lang);
    }
    let overdue = summaries.iter().any(|s| s.state == ReviewState::Overdue);
    Ok(if overdue {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn print_status(lists: &[Checklist], summaries: &[Summary], date: NaiveDate, lang: Lang) {
    println!(
        "{} {}",
        lang.pick("Status pr.", "Status on"),
        lang.date(date)
    );
    for list in lists {
        println!("\n{} ({})", list.organisation.name, list.organisation.id);
        for s in summaries.iter().filter(|s| s.org == list.organisation.id) {
            let c = s.counts;
            let mark = match s.state {
                ReviewState::Overdue => "!",
                ReviewState::Signed => "✓",
                _ => " ",
            };
            let mut line = format!(
                " {mark} {:<8} {:<12} {:<13} {}/{} {}",
                s.period.key(),
                s.period.cadence().label(lang),
                s.state.label(lang),
                c.items - c.open,
                c.items,
                lang.pick("registreret", "recorded"),
            );
            if c.deviations > 0 {
                let deviations = lang.count(
                    c.deviations,
                    ("afvigelse", "afvigelser"),
                    ("deviation", "deviations"),
                );
                line += &format!(", {deviations}");
            }
            if let Some(sig) = &s.signature {
                line += &format!(" — {} ({}), {}", sig.by, sig.role, local_time(sig.at));
            }
            println!("{}", line.trim_end());
        }
    }
}

/// Says on stderr, in one line, that the store is damaged: reading goes on, writing is
/// refused (by the store itself).
pub(crate) fn warn_if_damaged(store: &mut Store, lang: Lang) {
    if let Some(line) = store.damage_notice(lang) {
        eprintln!("aarshjul: {line}");
    }
}

/// Records one change to a review through the rules, in one transaction.
fn change(
    global: &Global,
    which: &ReviewArg,
    make: impl FnOnce(&Checklist) -> Change,
) -> CommandResult {
    let lang = global.lang();
    let lists = load(&global.checklists, lang)?;
    let list = find_org(&lists, &which.org, lang)?;
    let period = parse_period(&which.period, lang)?;
    let now = global.now();
    let change = make(list);
    let mut store = open(global, lang)?;
    let event = store
        .append(&list.organisation.id, period, now, |events| {
            Review::from_events(events).check(list, period, local_date(now), &change)?;
            Ok(change.clone())
        })
        .map_err(|e| Failure(e.message(lang)))?;
    let what = event.change.describe_in(lang, list);
    println!(
        "{} — {} {} — {} #{}, {}",
        what,
        list.organisation.name,
        period.review_title(lang),
        lang.pick("hændelse", "event"),
        event.seq,
        local_time(event.at)
    );
    Ok(ExitCode::SUCCESS)
}

/// A period key, or a failure saying what keys look like.
pub fn parse_period(key: &str, lang: Lang) -> Result<Period, Failure> {
    key.parse().map_err(|_| {
        Failure(
            lang.pick(
                "»{k}« er ikke en periode: brug 2026 (årlig), 2026-H2 (halvårlig), 2026-Q4 (kvartal) eller 2026-11 (måned).",
                "`{k}` is not a period key: use 2026 (yearly), 2026-H2 (half-yearly), 2026-Q4 (quarterly) or 2026-11 (monthly).",
            )
            .replace("{k}", key),
        )
    })
}

/// The checklist of an organisation id, or a failure naming the known ones.
pub fn find_org<'a>(
    lists: &'a [Checklist],
    org: &str,
    lang: Lang,
) -> Result<&'a Checklist, Failure> {
    lists
        .iter()
        .find(|l| l.organisation.id == org)
        .ok_or_else(|| {
            let known: Vec<&str> = lists.iter().map(|l| l.organisation.id.as_str()).collect();
            Failure(format!(
                "{} »{org}«; {}: {}.",
                lang.pick("Ukendt organisation", "Unknown organisation"),
                lang.pick("kendte er", "known are"),
                known.join(", ")
            ))
        })
}

fn verify_db(global: &Global) -> CommandResult {
    let lang = global.lang();
    if !global.db.exists() {
        return Err(Failure(format!(
            "{}: {}",
            global.db.display(),
            lang.pick("databasen findes ikke", "the database does not exist")
        )));
    }
    let store = open(global, lang)?;
    // SQLite's own check first: it sees damage the chain cannot (an index that no longer
    // matches its table), and a broken b-tree can make the chain unreadable.
    let integrity = store.integrity().map_err(|e| Failure(e.message(lang)))?;
    match &integrity {
        None => println!(
            "{}",
            lang.pick(
                "SQLites integritetskontrol: ok.",
                "SQLite's integrity check: ok."
            )
        ),
        Some(damage) => println!("{}.", damage.describe(lang)),
    }
    let verdict = store.verify_chain().map_err(|e| Failure(e.message(lang)))?;
    println!("{}", verdict.message(lang));
    let sound = integrity.is_none() && matches!(verdict, Verdict::Intact { .. });
    if !sound {
        println!(
            "{}",
            lang.pick(
                "Databasen tager ikke imod ændringer, før den er gendannet fra en sikkerhedskopi.",
                "The database takes no changes until it is restored from a backup."
            )
        );
    }
    Ok(if sound {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
