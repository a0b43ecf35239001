//! The run loop: draw, read a key, update, execute the effect, feed its outcome back.

use std::io::{IsTerminal, stdout};
use std::process::ExitCode;

use chrono::{DateTime, Utc};
use ratatui::crossterm::event::{self, DisableBracketedPaste, EnableBracketedPaste, Event};
use ratatui::crossterm::execute;

use crate::cli::{Failure, Global, find_org, load};
use crate::pdf;
use crate::period::{Period, local_date};
use crate::review::Review;
use crate::store::Store;
use crate::tui::app::{Action, App, Effect, update};
use crate::tui::keymap::keymap;
use crate::tui::theme::Theme;
use crate::tui::view;
use crate::tui::walkthrough::{self, no_sections};

/// Carries out one effect against the store; returns its outcome as an action.
/// The rules are checked again inside the write transaction, against what the store holds.
pub fn execute(
    app: &App,
    store: &mut Store,
    effect: &Effect,
    now: DateTime<Utc>,
) -> Option<Action> {
    match effect {
        Effect::Append {
            org,
            period,
            changes,
        } => {
            let Some(list) = app.checklists.iter().find(|l| &l.organisation.id == org) else {
                return Some(Action::Failed(format!("unknown organisation {org}")));
            };
            let today = local_date(now);
            let result = store.append_all(org, *period, now, |events| {
                Review::from_events(events).check_all(list, *period, today, changes)?;
                Ok(changes.clone())
            });
            Some(match result {
                Ok(events) => Action::Committed(events),
                Err(e) => Action::Failed(e.message(app.lang)),
            })
        }
        Effect::Export { org, period, draft } => {
            Some(export(app, store, org, *period, *draft, now))
        }
        Effect::Quit => None,
    }
}

/// Writes the review record PDF beside the database and says where, or why not.
fn export(
    app: &App,
    store: &mut Store,
    org: &str,
    period: Period,
    draft: bool,
    now: DateTime<Utc>,
) -> Action {
    let lang = app.lang;
    let Some(list) = app.checklists.iter().find(|l| l.organisation.id == org) else {
        return Action::Failed(format!("unknown organisation {org}"));
    };
    let opts = pdf::ExportOptions::for_db(store.path(), draft, now);
    let report = match pdf::export_to_default(store, list, period, &opts) {
        Ok(report) => report,
        Err(e) => return Action::Failed(e.message(lang)),
    };
    let event = store
        .review_events(org, period)
        .ok()
        .and_then(|events| events.into_iter().find(|e| e.seq == report.event_seq));
    let Some(event) = event else {
        return Action::Failed(format!(
            "{}: {}",
            report.path.display(),
            lang.pick(
                "eksporten blev ikke fundet i databasen",
                "the export was not found in the database"
            )
        ));
    };
    let kind = if draft {
        lang.pick("udkast, ikke underskrevet", "draft, not signed")
    } else {
        lang.pick("underskrevet digitalt", "digitally signed")
    };
    let mut text = format!(
        "{} {} ({kind}, {} {})",
        lang.pick("PDF gemt:", "PDF saved:"),
        report.path.display(),
        report.pages,
        lang.pick("sider", "pages"),
    );
    for w in report.warnings(lang) {
        text.push_str(" — ");
        text.push_str(&w);
    }
    Action::Exported(event, text)
}

/// Updates with `action` and executes effects until the chain settles.
pub fn dispatch(app: &mut App, store: &mut Store, action: Action, now: impl Fn() -> DateTime<Utc>) {
    let mut next = Some(action);
    while let Some(action) = next {
        next = update(app, action).and_then(|effect| execute(app, store, &effect, now()));
    }
}

/// Starts the terminal UI, on the overview or, given an organisation id, in its staff-meeting
/// walkthrough. Checklist, organisation and database problems are reported before the
/// terminal is touched.
pub fn run(global: &Global, walkthrough: Option<&str>) -> Result<ExitCode, Failure> {
    let lang = global.lang();
    let checklists = load(&global.checklists, lang)?;
    let start = match walkthrough {
        Some(org) => {
            let list = find_org(&checklists, org, lang)?;
            if list.walkthrough.is_empty() {
                return Err(Failure(no_sections(list, lang)));
            }
            checklists.iter().position(|l| l.organisation.id == org)
        }
        None => None,
    };
    if !stdout().is_terminal() {
        return Err(Failure(
            lang.pick(
                "Skærmbilledet kræver en terminal; brug fx `aarshjul status` i scripts.",
                "The screen needs a terminal; use e.g. `aarshjul status` in scripts.",
            )
            .into(),
        ));
    }
    let mut store = Store::open(&global.db).map_err(|e| Failure(e.message(lang)))?;
    let events = store.all_events().map_err(|e| Failure(e.message(lang)))?;
    let now = || global.now();
    let theme = Theme::from_env(std::env::var("NO_COLOR").ok());
    // A damaged store is said on screen from the start; the store refuses every write.
    let damage = match store.damage() {
        Ok(damage) => damage.map(|d| d.notice(lang)),
        Err(e) => Some(e.message(lang)),
    };
    let mut app = App::new(checklists, events, lang, theme, local_date(now()));
    if let Some(org) = start {
        walkthrough::start(&mut app, org);
    }

    // Our hook first: ratatui's (installed by try_init) restores the terminal and then calls
    // this one, so a crash also switches bracketed paste off again.
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = execute!(stdout(), DisableBracketedPaste);
        previous(info);
    }));
    let mut terminal = ratatui::try_init().map_err(|e| Failure(e.to_string()))?;
    let _ = execute!(stdout(), EnableBracketedPaste);
    let result = (|| -> std::io::Result<()> {
        while !app.quit {
            // A damaged store stays said on screen; the store refuses every write.
            if let (Some(text), None) = (&damage, &app.message) {
                app.message = Some(crate::tui::app::Message {
                    text: text.clone(),
                    error: true,
                });
            }
            terminal.draw(|frame| view::draw(frame, &app))?;
            let action = match event::read()? {
                Event::Key(key) => keymap(&app, key),
                Event::Paste(text) => Some(Action::Paste(text)),
                _ => None,
            };
            if let Some(action) = action {
                dispatch(&mut app, &mut store, action, now);
            }
        }
        Ok(())
    })();
    let _ = execute!(stdout(), DisableBracketedPaste);
    ratatui::restore();
    result.map_err(|e| Failure(e.to_string()))?;
    Ok(ExitCode::SUCCESS)
}
