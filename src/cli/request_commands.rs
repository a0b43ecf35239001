//! `aarshjul request new|extend|close|list`: the register of data-subject requests from the
//! command line. Each change goes through [`crate::flows::register::record`], as from the screen.

use std::process::ExitCode;

use chrono::NaiveDate;
use clap::Subcommand;

use crate::checklist::Checklist;
use crate::cli::{CommandResult, Failure, Global, date_arg, find_org, load, open, open_read_only};
use crate::flows::register;
use crate::i18n::Lang;
use crate::period::{local_date, local_time};
use crate::request::{Closed, Extended, Kind, Limit, Received, Request, Resolution, Standing};
use crate::review::Change;
use crate::text::escaped;

/// What to do with the register.
#[derive(Debug, Subcommand)]
pub enum RequestAction {
    /// Register a request the day it arrives; prints its deadline
    New {
        /// Organisation id, e.g. skgr
        #[arg(long)]
        org: String,
        /// What is asked for
        #[arg(long, value_parser = [
            "access", "rectification", "erasure", "restriction", "objection", "portability",
            "consent-withdrawal",
        ])]
        kind: String,
        /// The date the request was received, 2026-03-02 or 02.03.2026 [default: today]
        #[arg(long, value_parser = date_arg)]
        received: Option<NaiveDate>,
        /// The organisation's own case reference, e.g. "sag 2026-014" (never a name or a CPR
        /// number: the register stores no personal data)
        #[arg(long = "ref")]
        reference: String,
        /// Who registers it
        #[arg(long)]
        by: String,
    },
    /// Extend a request's deadline by up to two months; the data subject must have been told
    /// why within the first deadline
    Extend {
        /// Organisation id, e.g. skgr
        #[arg(long)]
        org: String,
        /// The request's case reference
        #[arg(long = "ref")]
        reference: String,
        /// Why more time is needed, as told to the data subject (no personal data)
        #[arg(long)]
        reason: String,
        /// The date the data subject was told, 2026-03-02 or 02.03.2026 [default: today]
        #[arg(long, value_parser = date_arg)]
        told: Option<NaiveDate>,
        /// Further months: 1 or 2
        #[arg(long, default_value_t = 2)]
        months: u32,
        /// Who records the extension
        #[arg(long)]
        by: String,
    },
    /// Close a request: answered, refused (with a note why) or withdrawn
    Close {
        /// Organisation id, e.g. skgr
        #[arg(long)]
        org: String,
        /// The request's case reference
        #[arg(long = "ref")]
        reference: String,
        /// answered | refused | withdrawn
        #[arg(long, value_parser = ["answered", "refused", "withdrawn"])]
        outcome: String,
        /// What was answered or why it was refused (no personal data)
        #[arg(long)]
        note: Option<String>,
        /// The date of the answer, 2026-03-02 or 02.03.2026 [default: today]
        #[arg(long, value_parser = date_arg)]
        date: Option<NaiveDate>,
        /// Who records the closing
        #[arg(long)]
        by: String,
    },
    /// List the register: every request, or only the open ones
    List {
        /// Only this organisation [default: all]
        #[arg(long)]
        org: Option<String>,
        /// Only requests not yet closed
        #[arg(long)]
        open: bool,
    },
}

use crate::request::no_personal_data;

pub fn run(global: &Global, action: &RequestAction) -> CommandResult {
    let lang = global.lang();
    let now = global.now();
    let today = local_date(now);
    let lists = load(&global.checklists, lang)?;
    let clean = |s: &str| s.trim().to_string();
    let (org, change) = match action {
        RequestAction::List { org, open } => return list(global, &lists, org.as_deref(), *open),
        RequestAction::New {
            org,
            kind,
            received,
            reference,
            by,
        } => {
            let list = find_org(&lists, org, lang)?;
            let received = received.unwrap_or(today);
            (
                org,
                Change::RequestReceived(Received {
                    reference: clean(reference),
                    kind: Kind::parse(kind).expect("clap allows only the kinds"),
                    received,
                    deadline: Limit::of(&list.organisation).first_deadline(received),
                    by: clean(by),
                }),
            )
        }
        RequestAction::Extend {
            org,
            reference,
            reason,
            told,
            months,
            by,
        } => (
            org,
            Change::RequestExtended(Extended {
                reference: clean(reference),
                months: *months,
                reason: clean(reason),
                told: told.unwrap_or(today),
                by: clean(by),
            }),
        ),
        RequestAction::Close {
            org,
            reference,
            outcome,
            note,
            date,
            by,
        } => (
            org,
            Change::RequestClosed(Closed {
                reference: clean(reference),
                outcome: Resolution::parse(outcome).expect("clap allows only the outcomes"),
                closed: date.unwrap_or(today),
                note: note
                    .as_deref()
                    .map(str::trim)
                    .filter(|n| !n.is_empty())
                    .map(Into::into),
                by: clean(by),
            }),
        ),
    };
    let list = find_org(&lists, org, lang)?;
    let mut store = open(global, lang)?;
    let event =
        register::record(&mut store, list, now, change).map_err(|e| Failure(e.message(lang)))?;
    let said = format!(
        "{} — {} — {} #{}, {}",
        event.change.describe(lang),
        list.organisation.name,
        lang.pick("hændelse", "event"),
        event.seq,
        local_time(event.at)
    );
    println!("{}", escaped(&said));
    let register = register::load(&store, list).map_err(|e| Failure(e.message(lang)))?;
    if let Some(r) = crate::request::reference_of(&event.change).and_then(|r| register.get(r)) {
        println!("  {}", deadline_words(r, today, lang));
    }
    println!("  {}", no_personal_data(lang));
    Ok(ExitCode::SUCCESS)
}

/// "Frist 31. marts 2026 (7 dage tilbage)" / "Besvaret 20. marts 2026, inden fristen 31. marts 2026".
fn deadline_words(r: &Request, today: NaiveDate, lang: Lang) -> String {
    match r.standing(today) {
        Standing::OnTime | Standing::Late => {
            let within = if r.standing(today) == Standing::OnTime {
                lang.pick("inden fristen", "within the deadline")
            } else {
                lang.pick("efter fristen", "after the deadline")
            };
            format!(
                "{}, {within} {}",
                capital(&r.standing_words(today, lang)),
                lang.date(r.deadline)
            )
        }
        _ => format!(
            "{} {} ({})",
            lang.pick("Frist", "Deadline"),
            lang.date(r.deadline),
            r.standing_words(today, lang)
        ),
    }
}

fn capital(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

fn list(global: &Global, lists: &[Checklist], org: Option<&str>, only_open: bool) -> CommandResult {
    let lang = global.lang();
    let today = local_date(global.now());
    let chosen: Vec<&Checklist> = match org {
        Some(id) => vec![find_org(lists, id, lang)?],
        None => lists.iter().collect(),
    };
    // Reading only: a missing database has no requests yet, and nothing is created.
    let store = if global.db.exists() {
        Some(open_read_only(global, lang)?)
    } else {
        None
    };
    println!("{}", no_personal_data(lang));
    for list in chosen {
        let register = match &store {
            Some(store) => register::load(store, list).map_err(|e| Failure(e.message(lang)))?,
            None => crate::request::Register::from_events(&list.organisation.id, &[]),
        };
        let requests = if only_open {
            register.open()
        } else {
            register.all()
        };
        println!("\n{} ({})", list.organisation.name, list.organisation.id);
        if requests.is_empty() {
            println!(
                "  {}",
                if only_open {
                    lang.pick("ingen åbne anmodninger", "no open requests")
                } else {
                    lang.pick("ingen anmodninger registreret", "no requests registered")
                }
            );
        }
        for r in requests {
            // Stored references are shown, never sent to the terminal as commands.
            println!("{}", escaped(&row(r, today, lang)));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// One request on one line: mark, reference, kind, received, deadline, where it stands.
pub fn row(r: &Request, today: NaiveDate, lang: Lang) -> String {
    let mark = match r.standing(today) {
        Standing::Overdue { .. } | Standing::Late => "!",
        Standing::OnTime => "✓",
        Standing::Open { .. } => " ",
    };
    let extended = if r.extension.is_some() {
        lang.pick(" (forlænget)", " (extended)")
    } else {
        ""
    };
    format!(
        " {mark} {:<16} {:<22} {} {}, {} {}{extended} — {}",
        r.reference,
        r.kind.label(lang),
        lang.pick("modtaget", "received"),
        lang.date(r.received),
        lang.pick("frist", "deadline"),
        lang.date(r.deadline),
        r.standing_words(today, lang)
    )
}

/// The open requests in `status`, after the reviews.
pub fn print_open(lists: &[Checklist], open: &[(&str, &Request)], today: NaiveDate, lang: Lang) {
    if open.is_empty() {
        return;
    }
    println!(
        "\n{}",
        lang.pick(
            "Åbne anmodninger fra registrerede (kun sagsreferencer):",
            "Open data-subject requests (case references only):"
        )
    );
    for list in lists {
        let mine: Vec<&&Request> = open
            .iter()
            .filter(|(o, _)| *o == list.organisation.id)
            .map(|(_, r)| r)
            .collect();
        if mine.is_empty() {
            continue;
        }
        println!("  {} ({})", list.organisation.name, list.organisation.id);
        for r in mine {
            println!(" {}", escaped(&row(r, today, lang)));
        }
    }
}
