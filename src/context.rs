//! What both front ends (the command line and the terminal UI) start from: the options every
//! run takes, the checklists loaded from them, and the one sentence a failed start ends with.
//! Neither front end imports the other; both import this.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use clap::Args;

use crate::checklist::{self, Checklist};
use crate::i18n::Lang;

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

/// Loads the checklists or fails with every problem listed.
pub fn load(dir: &Path, lang: Lang) -> Result<Vec<Checklist>, Failure> {
    checklist::load_dir(dir, lang).map_err(|p| Failure(p.to_string()))
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
