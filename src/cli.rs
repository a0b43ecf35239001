//! The command line: clap definitions and one function per subcommand. Every change goes
//! through the same [`Review::check`] rules and [`Store::append`] as the terminal UI.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand};

use crate::checklist::{self, Checklist};
use crate::i18n::Lang;
use crate::period::{Period, local_date, local_time};
use crate::review::{Change, Outcome, Refusal, Review, ReviewState};
use crate::status::{self, Summary};
use crate::store::{Store, chain::Verdict};
use crate::text::escaped;

mod pdf_commands;
mod request_commands;

pub use request_commands::RequestAction;

pub use crate::context::{Failure, Global, find_org, load};

#[derive(Debug, Parser)]
#[command(
    name = "aarshjul",
    version,
    propagate_version = true,
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

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Load and check checklists; exit 0 clean, 2 with errors as file:line:col
    Validate {
        /// Directory to check [default: --checklists]
        dir: Option<PathBuf>,
    },
    /// Every organisation's reviews of the year and open requests; exit 1 when a review or
    /// a request is overdue
    Status {
        /// The date to report on, 2026-11-22 or 22.11.2026 [default: today, Europe/Copenhagen]
        #[arg(long, value_parser = date_arg)]
        date: Option<NaiveDate>,
        /// Show only what is overdue or due within this many days (for a daily cron job)
        #[arg(long, value_name = "DAYS")]
        within: Option<u32>,
        /// Print JSON instead of text
        #[arg(long)]
        json: bool,
    },
    /// Record one item's outcome (done, not-applicable, deviation)
    Record {
        #[command(flatten)]
        review: ReviewArg,
        /// Item id from the checklist (see `aarshjul items`)
        #[arg(long)]
        item: String,
        /// done | not-applicable | deviation
        #[arg(long, value_parser = ["done", "not-applicable", "deviation"])]
        status: String,
        /// The note (required for a deviation, for not-applicable (why) and for items that ask
        /// for evidence)
        #[arg(long)]
        note: Option<String>,
        /// Who records it
        #[arg(long)]
        by: String,
        /// For a deviation: what will be done about it (a follow-up, open until closed)
        #[arg(long, requires_all = ["owner", "due"])]
        action: Option<String>,
        /// Who is responsible for the follow-up
        #[arg(long, requires = "action")]
        owner: Option<String>,
        /// The follow-up's due date, 2026-12-15 or 15.12.2026
        #[arg(long, requires = "action", value_parser = date_arg)]
        due: Option<NaiveDate>,
    },
    /// Withdraw one item's outcome so it is open again
    Retract {
        #[command(flatten)]
        review: ReviewArg,
        /// Item id from the checklist (see `aarshjul items`)
        #[arg(long)]
        item: String,
        /// Who withdraws it
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
        /// Sign although deviations have no follow-up (nothing needs following up)
        #[arg(long)]
        no_action: bool,
    },
    /// Reopen a signed review
    Reopen {
        #[command(flatten)]
        review: ReviewArg,
        /// Who reopens it
        #[arg(long)]
        by: String,
        /// Why it is reopened (kept in the review's history)
        #[arg(long)]
        reason: String,
    },
    /// An organisation's checklist items: id, cadence and title, for `record --item`
    Items {
        /// Organisation id, e.g. skgr
        #[arg(long)]
        org: String,
        /// Only the items of this cadence
        #[arg(long, value_parser = ["monthly", "quarterly", "half-yearly", "yearly"])]
        cadence: Option<String>,
    },
    /// Check the event hash chain (exit 0 intact, 1 with the first bad event named) and, with
    /// --records, every record PDF in a directory against the database, one line each (exit 1
    /// when one fails)
    VerifyDb {
        /// Check every record (*.pdf) in DIR too: its signature, attachment, and that the
        /// database still holds the event log it was exported after [default DIR: exports/
        /// beside the database]
        #[arg(long, value_name = "DIR", num_args = 0..=1)]
        records: Option<Option<PathBuf>>,
    },
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
        /// Ask this RFC 3161 time-stamping authority (http://…) for a timestamp in the
        /// signature [default: the one set with `identity tsa`, if any]
        #[arg(long, value_name = "URL")]
        tsa: Option<String>,
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
    /// The register of data-subject requests (access, erasure, consent withdrawal, …):
    /// case references only, never names or CPR numbers
    Request {
        #[command(subcommand)]
        action: RequestAction,
    },
    /// The organisations' signing identities: import one from a PKCS#12 file, show them, or
    /// set the time-stamping authority
    Identity {
        #[command(subcommand)]
        action: IdentityAction,
    },
    /// Write the coming twelve months' review deadlines, the follow-ups of deviations and the
    /// open data-subject requests as a calendar file (.ics) for Outlook, Google or Apple
    /// Calendar; importing a newer file updates the events
    Calendar {
        /// Only this organisation [default: every organisation]
        #[arg(long)]
        org: Option<String>,
        /// The .ics file to write (replaced when it exists)
        #[arg(long)]
        out: PathBuf,
    },
    /// Follow-up of a deviation: say what will be done, or close it with a note
    Action {
        #[command(subcommand)]
        action: FollowUpAction,
    },
}

/// What to do with a deviation's follow-up.
#[derive(Debug, Subcommand)]
pub enum FollowUpAction {
    /// Say what will be done about a deviation, by whom, by when (again: changes the plan)
    Open {
        #[command(flatten)]
        review: ReviewArg,
        /// Item id recorded as a deviation in that review
        #[arg(long)]
        item: String,
        /// What will be done
        #[arg(long)]
        action: String,
        /// Who is responsible
        #[arg(long)]
        owner: String,
        /// Due date, 2026-12-15 or 15.12.2026
        #[arg(long, value_parser = date_arg)]
        due: NaiveDate,
        /// Who records it
        #[arg(long)]
        by: String,
    },
    /// Close an open follow-up with a note saying what was done
    Close {
        #[command(flatten)]
        review: ReviewArg,
        /// Item id whose follow-up is closed
        #[arg(long)]
        item: String,
        /// What was done
        #[arg(long)]
        note: String,
        /// Who closes it
        #[arg(long)]
        by: String,
    },
}

/// What to do with the signing identities.
#[derive(Debug, Subcommand)]
pub enum IdentityAction {
    /// Sign an organisation's records with the key and certificate of a PKCS#12 file
    /// (.p12/.pfx), e.g. its OCES3 certificate from MitID Erhverv; the password is read from
    /// AARSHJUL_P12_PASSWORD or asked for without echo
    Import {
        /// Organisation id, e.g. skgr
        #[arg(long)]
        org: String,
        /// The PKCS#12 file
        file: PathBuf,
    },
    /// Print the certificate of each organisation's identity (or of --org's)
    Show {
        /// Organisation id, e.g. skgr
        #[arg(long)]
        org: Option<String>,
    },
    /// Set the RFC 3161 time-stamping authority (http://…) every signed export asks for a
    /// timestamp, the terminal UI's too; without URL, show it
    Tsa {
        /// The authority's address
        url: Option<String>,
        /// Stop asking for timestamps
        #[arg(long, conflicts_with = "url")]
        off: bool,
    },
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

/// What a subcommand ends with: its exit code, or one sentence for stderr and exit code 2.
pub type CommandResult = Result<ExitCode, Failure>;

/// Runs a subcommand; the terminal UI is started by `main` when there is none.
pub fn run(global: &Global, command: &Command) -> CommandResult {
    let lang = global.lang();
    match command {
        Command::Validate { dir } => validate(dir.as_deref().unwrap_or(&global.checklists), lang),
        Command::Status { date, within, json } => {
            let date = date.unwrap_or_else(|| local_date(global.now()));
            status(global, date, *within, *json)
        }
        Command::Record {
            review,
            item,
            status,
            note,
            by,
            action,
            owner,
            due,
        } => {
            let outcome = Outcome::parse(status).expect("clap allows only the three outcomes");
            if action.is_some() && outcome != Outcome::Deviation {
                return Err(Failure(
                    global
                        .lang()
                        .pick(
                            "--action hører til en afvigelse (--status deviation).",
                            "--action belongs to a deviation (--status deviation).",
                        )
                        .to_string(),
                ));
            }
            changes(global, review, None::<ExtraRule>, |list| {
                let mut changes = vec![Change::ItemSigned {
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
                }];
                if let (Some(action), Some(owner), Some(due)) = (action, owner, due) {
                    changes.push(Change::ActionOpened {
                        item: item.clone(),
                        action: action.trim().to_string(),
                        owner: owner.trim().to_string(),
                        due: *due,
                        by: by.trim().to_string(),
                    });
                }
                changes
            })
        }
        Command::Action { action } => match action {
            FollowUpAction::Open {
                review,
                item,
                action,
                owner,
                due,
                by,
            } => change(global, review, |_| Change::ActionOpened {
                item: item.clone(),
                action: action.trim().to_string(),
                owner: owner.trim().to_string(),
                due: *due,
                by: by.trim().to_string(),
            }),
            FollowUpAction::Close {
                review,
                item,
                note,
                by,
            } => change(global, review, |_| Change::ActionClosed {
                item: item.clone(),
                note: note.trim().to_string(),
                by: by.trim().to_string(),
            }),
        },
        Command::Retract { review, item, by } => {
            change(global, review, |_| Change::ItemRetracted {
                item: item.clone(),
                by: by.trim().to_string(),
            })
        }
        Command::Sign {
            review,
            by,
            role,
            no_action,
        } => changes(
            global,
            review,
            // A deviation without follow-up is refused unless the signer says so: it may be
            // settled already, but it should not be forgotten by accident.
            (!no_action).then_some(|review: &Review, list: &Checklist, period| {
                let missing = review.deviations_without_action(list, period);
                if missing.is_empty() {
                    Ok(())
                } else {
                    Err(Refusal::DeviationsWithoutAction {
                        items: missing.iter().map(|i| i.id.clone()).collect(),
                    })
                }
            }),
            |_| {
                vec![Change::ReviewSigned {
                    by: by.trim().to_string(),
                    role: role.trim().to_string(),
                }]
            },
        ),
        Command::Reopen { review, by, reason } => {
            change(global, review, |_| Change::ReviewReopened {
                by: by.trim().to_string(),
                reason: reason.trim().to_string(),
            })
        }
        Command::VerifyDb { records } => verify_db(global, records.as_ref()),
        Command::Items { org, cadence } => items(global, org, cadence.as_deref()),
        Command::Calendar { org, out } => calendar(global, org.as_deref(), out),
        Command::Walkthrough { org } => crate::tui::run::run(global, Some(org)),
        Command::Export {
            review,
            out,
            draft,
            force,
            tsa,
        } => pdf_commands::export(
            global,
            review,
            out.as_deref(),
            *draft,
            *force,
            tsa.as_deref(),
        ),
        Command::Verify { file } => pdf_commands::verify(global, file),
        Command::Request { action } => request_commands::run(global, action),
        Command::Identity { action } => match action {
            IdentityAction::Import { org, file } => {
                pdf_commands::identity_import(global, org, file)
            }
            IdentityAction::Show { org } => pdf_commands::identity_show(global, org.as_deref()),
            IdentityAction::Tsa { url, off } => {
                pdf_commands::identity_tsa(global, url.as_deref(), *off)
            }
        },
    }
}

pub(crate) fn open(global: &Global, lang: Lang) -> Result<Store, Failure> {
    Store::open(&global.db).map_err(|e| Failure(e.message(lang)))
}

/// Opens the database for a command that only reads; see [`Store::open_read_only`].
pub(crate) fn open_read_only(global: &Global, lang: Lang) -> Result<Store, Failure> {
    Store::open_read_only(&global.db).map_err(|e| Failure(e.message(lang)))
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

/// `--date`: ISO or the Danish day.month.year.
pub(crate) fn date_arg(s: &str) -> Result<NaiveDate, String> {
    crate::period::parse_date(s).ok_or_else(|| {
        format!(
            "`{s}` is not a date: use 2026-11-22 or 22.11.2026 / brug 2026-11-22 eller 22.11.2026"
        )
    })
}

fn status(global: &Global, date: NaiveDate, within: Option<u32>, json: bool) -> CommandResult {
    let lang = global.lang();
    let lists = load(&global.checklists, lang)?;
    // Reading only: a missing database has no events yet, and nothing is created.
    let (events, unreadable) = if global.db.exists() {
        let mut store = open_read_only(global, lang)?;
        warn_if_damaged(&mut store, lang);
        store
            .readable_events()
            .map_err(|e| Failure(e.message(lang)))?
    } else {
        (Vec::new(), Vec::new())
    };
    for u in &unreadable {
        eprintln!(
            "aarshjul: {}: {}",
            lang.pick("advarsel", "warning"),
            u.message(lang)
        );
    }
    let all = status::overview(&lists, &events, chrono::Datelike::year(&date), date);
    let all_actions = status::open_actions(&lists, &events);
    // Before adoption is not due: not listed at all. With --within: only what needs doing.
    let soon = |due: NaiveDate| within.is_none_or(|n| status::days_left(due, date) <= n as i64);
    let summaries: Vec<Summary> = all
        .iter()
        .filter(|s| s.state != ReviewState::BeforeAdoption)
        .filter(|s| within.is_none() || (s.is_due() && soon(s.deadline())))
        .cloned()
        .collect();
    let actions: Vec<status::Action> = all_actions
        .iter()
        .filter(|a| soon(a.follow_up.due))
        .cloned()
        .collect();
    let registers = status::registers(&lists, &events);
    let requests: Vec<(&str, &crate::request::Request)> = status::open_requests(&registers)
        .into_iter()
        .filter(|(_, r)| soon(r.deadline))
        .collect();
    if json {
        let doc = status::Json::new(date, &summaries, &actions, &requests);
        println!(
            "{}",
            serde_json::to_string_pretty(&doc).expect("status always serialises")
        );
    } else {
        print_status(&lists, &summaries, &actions, &requests, date, within, lang);
        request_commands::print_open(&lists, &requests, date, lang);
    }
    let overdue = summaries.iter().any(|s| s.state == ReviewState::Overdue)
        || actions.iter().any(|a| a.follow_up.is_overdue(date))
        || registers.iter().any(|r| r.any_overdue(date));
    Ok(if overdue {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn print_status(
    lists: &[Checklist],
    summaries: &[Summary],
    actions: &[status::Action],
    requests: &[(&str, &crate::request::Request)],
    date: NaiveDate,
    within: Option<u32>,
    lang: Lang,
) {
    match within {
        None => println!(
            "{} {}",
            lang.pick("Status pr.", "Status on"),
            lang.date(date)
        ),
        Some(n) => println!(
            "{} {}: {} {}",
            lang.pick("Status pr.", "Status on"),
            lang.date(date),
            lang.pick(
                "overskredet eller med frist inden for",
                "overdue or due within"
            ),
            lang.count(n as usize, ("dag", "dage"), ("day", "days")),
        ),
    }
    for list in lists {
        let org = &list.organisation.id;
        let mine: Vec<&Summary> = summaries.iter().filter(|s| &s.org == org).collect();
        let follow_ups: Vec<&status::Action> = actions.iter().filter(|a| &a.org == org).collect();
        println!("\n{} ({})", list.organisation.name, org);
        // Open requests are listed after every organisation's reviews (see `print_open`).
        let has_requests = requests.iter().any(|(o, _)| o == org);
        if mine.is_empty() && follow_ups.is_empty() && !has_requests {
            println!(
                "   {}",
                lang.pick(
                    "Intet forfalder i perioden.",
                    "Nothing falls due in the period."
                )
            );
        }
        for s in mine {
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
            } else {
                line += &format!(
                    " — {} {} ({})",
                    lang.pick("frist", "due"),
                    s.deadline().format("%d.%m.%Y"),
                    status::due_words(s.deadline(), date, lang)
                );
            }
            // Stored names and roles are shown, never sent to the terminal as commands.
            println!("{}", escaped(line.trim_end()));
        }
        if !follow_ups.is_empty() {
            println!(
                "   {}:",
                lang.pick("Opfølgning på afvigelser", "Follow-up of deviations")
            );
        }
        for a in follow_ups {
            let f = &a.follow_up;
            let title = list
                .item(&f.item)
                .map_or(f.item.as_str(), |i| i.title.as_str());
            println!(
                " {} {} ({}): {} — {}, {} {} ({})",
                if f.is_overdue(date) { "!" } else { " " },
                title,
                a.period.key(),
                f.action,
                f.owner,
                lang.pick("frist", "due"),
                f.due.format("%d.%m.%Y"),
                status::due_words(f.due, date, lang)
            );
        }
    }
}

/// Prints an organisation's items, in checklist order, with their cadence in words.
fn items(global: &Global, org: &str, cadence: Option<&str>) -> CommandResult {
    let lang = global.lang();
    let lists = load(&global.checklists, lang)?;
    let list = find_org(&lists, org, lang)?;
    let cadence = cadence.and_then(crate::period::Cadence::parse);
    let chosen: Vec<&checklist::Item> = list
        .items
        .iter()
        .filter(|i| cadence.is_none_or(|c| i.cadence == c))
        .collect();
    println!(
        "{} ({}): {}",
        list.organisation.name,
        list.organisation.id,
        lang.count(chosen.len(), ("punkt", "punkter"), ("item", "items"))
    );
    let id_width = chosen
        .iter()
        .map(|i| i.id.chars().count())
        .max()
        .unwrap_or(0);
    let cadence_width = chosen
        .iter()
        .map(|i| i.cadence.label(lang).chars().count())
        .max()
        .unwrap_or(0);
    for item in chosen {
        println!(
            "  {:<id_width$}  {:<cadence_width$}  {}",
            item.id,
            item.cadence.label(lang),
            item.title
        );
    }
    Ok(ExitCode::SUCCESS)
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
    changes(global, which, None::<ExtraRule>, |list| vec![make(list)])
}

/// A rule a command adds to [`Review::check`], checked inside the same transaction.
type ExtraRule = fn(&Review, &Checklist, Period) -> Result<(), Refusal>;

/// Records changes to one review through the rules, all or none, in one transaction.
fn changes(
    global: &Global,
    which: &ReviewArg,
    extra: Option<impl FnOnce(&Review, &Checklist, Period) -> Result<(), Refusal>>,
    make: impl FnOnce(&Checklist) -> Vec<Change>,
) -> CommandResult {
    let lang = global.lang();
    let lists = load(&global.checklists, lang)?;
    let list = find_org(&lists, &which.org, lang)?;
    let period = parse_period(&which.period, lang)?;
    let now = global.now();
    let changes = make(list);
    let mut store = open(global, lang)?;
    let events = store
        .append_all(&list.organisation.id, period, now, |events| {
            let review = Review::from_events(events);
            review.check_all(list, period, local_date(now), &changes)?;
            if let Some(rule) = extra {
                rule(&review, list, period)?;
            }
            Ok(changes.clone())
        })
        .map_err(|e| Failure(e.message(lang)))?;
    for event in events {
        let what = event.change.describe_in(lang, list);
        let said = format!(
            "{} — {} {} — {} #{}, {}",
            what,
            list.organisation.name,
            period.review_title(lang),
            lang.pick("hændelse", "event"),
            event.seq,
            local_time(event.at)
        );
        println!("{}", escaped(&said));
    }
    Ok(ExitCode::SUCCESS)
}

/// A period key, or a failure saying what keys look like.
pub fn parse_period(key: &str, lang: Lang) -> Result<Period, Failure> {
    key.parse().map_err(|_| {
        Failure(
            lang.pick(
                "»{k}« er ikke en periode: brug 2026 (årlig), 2026-H2 (halvårlig), 2026-Q4 (kvartal) eller 2026-11 (måned), med et årstal fra 2000 til 2099.",
                "`{k}` is not a period key: use 2026 (yearly), 2026-H2 (half-yearly), 2026-Q4 (quarterly) or 2026-11 (monthly), with a year from 2000 to 2099.",
            )
            .replace("{k}", key),
        )
    })
}

fn calendar(global: &Global, org: Option<&str>, out: &Path) -> CommandResult {
    let lang = global.lang();
    let mut lists = load(&global.checklists, lang)?;
    if let Some(org) = org {
        let list = find_org(&lists, org, lang)?.clone();
        lists = vec![list];
    }
    let same_file = |a: &Path, b: &Path| match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    if same_file(out, &global.db) || out.extension().is_none_or(|e| e != "ics") {
        return Err(Failure(format!(
            "{}: {}",
            out.display(),
            lang.pick(
                "skriv kalenderen til en fil, der ender på .ics",
                "write the calendar to a file ending in .ics"
            )
        )));
    }
    let store = open(global, lang)?;
    let events = store.all_events().map_err(|e| Failure(e.message(lang)))?;
    let now = global.now();
    let entries = crate::calendar::entries(&lists, &events, local_date(now));
    let name = match &lists[..] {
        [one] => format!("aarshjul — {}", one.organisation.name),
        _ => "aarshjul".to_string(),
    };
    let text = crate::calendar::ics(&entries, &name, now, lang);
    write_replacing(out, text.as_bytes()).map_err(|e| {
        Failure(format!(
            "{}: {} ({e})",
            out.display(),
            lang.pick(
                "kunne ikke skrive kalenderen",
                "could not write the calendar"
            )
        ))
    })?;
    println!(
        "{}: {} ({}, {} {})",
        lang.pick("Kalender skrevet", "Calendar written"),
        out.display(),
        lang.count(
            entries.len(),
            ("begivenhed", "begivenheder"),
            ("event", "events")
        ),
        lang.pick("påmindelse", "reminder"),
        lang.pick(
            "7 dage før hver frist for gennemgange, 3 dage før for opfølgning, 5 dage før for anmodninger",
            "7 days before each review deadline, 3 days before follow-ups, 5 days before requests"
        ),
    );
    Ok(ExitCode::SUCCESS)
}

/// Writes `bytes` to `path` through a temporary file beside it and a rename, so a reader
/// never sees half a file and a failed write leaves the old one.
fn write_replacing(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| std::io::Error::other("no file name"))?;
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        name.to_string_lossy(),
        std::process::id()
    ));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

fn verify_db(global: &Global, records: Option<&Option<PathBuf>>) -> CommandResult {
    let lang = global.lang();
    if !global.db.exists() {
        return Err(Failure(format!(
            "{}: {}",
            global.db.display(),
            lang.pick("databasen findes ikke", "the database does not exist")
        )));
    }
    let store = open_read_only(global, lang)?;
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
    drop(store);
    let records_hold = match records {
        None => true,
        Some(dir) => {
            let default = crate::flows::export::exports_dir(&global.db);
            pdf_commands::verify_records(global, dir.as_ref().unwrap_or(&default), dir.is_some())?
        }
    };
    Ok(if sound && records_hold {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

#[cfg(test)]
mod tests {
    use super::Cli;
    use clap::CommandFactory;

    /// Every option and argument of every command says what it is for in `--help`.
    #[test]
    fn every_option_has_a_description() {
        fn walk(cmd: &clap::Command, path: &str, missing: &mut Vec<String>) {
            for arg in cmd.get_arguments() {
                let id = arg.get_id().as_str();
                if arg.is_hide_set() || id == "help" || id == "version" {
                    continue;
                }
                if arg.get_help().is_none() && arg.get_long_help().is_none() {
                    missing.push(format!("{path} {id}"));
                }
            }
            for sub in cmd.get_subcommands() {
                walk(sub, &format!("{path} {}", sub.get_name()), missing);
            }
        }
        let mut missing = Vec::new();
        walk(&Cli::command(), "aarshjul", &mut missing);
        assert!(missing.is_empty(), "without a description: {missing:?}");
        Cli::command().debug_assert();
    }
}
