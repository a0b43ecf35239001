//! The run loop: draw, read a key, update, execute the effect, feed its outcome back.

use std::io::{IsTerminal, stdout};
use std::process::ExitCode;

use chrono::{DateTime, Utc};
use ratatui::crossterm::event::{self, DisableBracketedPaste, EnableBracketedPaste, Event};
use ratatui::crossterm::execute;

use crate::cli::{Failure, Global, load};
use crate::period::local_date;
use crate::review::Review;
use crate::store::Store;
use crate::tui::app::{Action, App, Effect, update};
use crate::tui::keymap::keymap;
use crate::tui::theme::Theme;
use crate::tui::view;

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
        Effect::Quit => None,
    }
}

/// Updates with `action` and executes effects until the chain settles.
pub fn dispatch(app: &mut App, store: &mut Store, action: Action, now: impl Fn() -> DateTime<Utc>) {
    let mut next = Some(action);
    while let Some(action) = next {
        next = update(app, action).and_then(|effect| execute(app, store, &effect, now()));
    }
}

/// Starts the terminal UI: checklist and database problems are reported before the terminal
/// is touched.
pub fn run(global: &Global) -> Result<ExitCode, Failure> {
    let lang = global.lang();
    let checklists = load(&global.checklists, lang)?;
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
    let mut app = App::new(checklists, events, lang, theme, local_date(now()));

    let mut terminal = ratatui::try_init().map_err(|e| Failure(e.to_string()))?;
    let _ = execute!(stdout(), EnableBracketedPaste);
    let result = (|| -> std::io::Result<()> {
        while !app.quit {
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
