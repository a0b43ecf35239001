//! The run loop: draw, read a key, update, execute the effect, feed its outcome back.

use std::io::{IsTerminal, stdout};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use signal_hook::consts::{SIGHUP, SIGINT, SIGQUIT, SIGTERM};

use chrono::{DateTime, NaiveDate, Utc};
use ratatui::crossterm::event::{self, DisableBracketedPaste, EnableBracketedPaste, Event};
use ratatui::crossterm::execute;

use crate::context::{Failure, Global, find_org, load};
use crate::flows::export::{ExportOptions, export_to_default};
use crate::period::{Period, local_date, local_time};
use crate::review::{Event as StoredEvent, Refusal, Review};
use crate::store::{Store, StoreError};
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
            // The newest event of this review the screen has shown.
            let shown = app
                .events
                .iter()
                .filter(|e| &e.org == org && e.period == *period)
                .map(|e| e.seq)
                .max();
            let result = store.append_all(org, *period, now, |events| {
                moved_on(events, shown, today)?;
                Review::from_events(events).check_all(list, *period, today, changes)?;
                Ok(changes.clone())
            });
            Some(match result {
                Ok(events) => Action::Committed(events),
                // On screen, items are named by title.
                Err(StoreError::Refused(refusal)) => {
                    Action::Failed(refusal.message_in(app.lang, list))
                }
                Err(e) => Action::Failed(e.message(app.lang)),
            })
        }
        Effect::Register { org, change } => {
            let Some(list) = app.checklists.iter().find(|l| &l.organisation.id == org) else {
                return Some(Action::Failed(format!("unknown organisation {org}")));
            };
            Some(
                match crate::flows::register::record(store, list, now, change.clone()) {
                    Ok(event) => Action::Committed(vec![event]),
                    Err(e) => Action::Failed(e.message(app.lang)),
                },
            )
        }
        Effect::Export { org, period, draft } => {
            Some(export(app, store, org, *period, *draft, now))
        }
        Effect::OpenFile(path) => {
            let viewer = app.viewer.as_deref()?;
            let started = std::process::Command::new(viewer)
                .arg(path)
                .stdin(std::process::Stdio::null())
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn();
            match started {
                // Reaped in the background so no zombie is left while the viewer runs.
                Ok(mut child) => {
                    std::thread::spawn(move || child.wait());
                    None
                }
                Err(e) => Some(Action::Failed(format!("{viewer}: {e}"))),
            }
        }
        Effect::Quit => None,
    }
}

/// Refuses a change to a review that another process changed after the screen read it:
/// the user decided on what they saw, so nothing they did not see is overwritten.
fn moved_on(events: &[StoredEvent], shown: Option<i64>, today: NaiveDate) -> Result<(), Refusal> {
    // An export made elsewhere changes nothing the user decides on, nor does a data-subject
    // request registered elsewhere (stored under the yearly period, but no part of the review).
    let Some(newest) = events.iter().rev().find(|e| {
        shown.is_none_or(|seq| e.seq > seq)
            && e.change.by().is_some()
            && !crate::request::is_request(&e.change)
    }) else {
        return Ok(());
    };
    let when = local_time(newest.at);
    let at = match when.split_once(' ') {
        Some((date, time)) if date == today.to_string() => time.to_string(),
        _ => when,
    };
    Err(Refusal::ChangedElsewhere {
        by: newest.change.by().unwrap_or_default().to_string(),
        at,
    })
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
    let opts = ExportOptions::for_db(store.path(), draft, now);
    let report = match export_to_default(store, list, period, &opts) {
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
    Action::Exported(Box::new(event), text, report.path.clone())
}

/// The system's program for opening a file in its viewer: `open` on macOS, `xdg-open`
/// elsewhere when a graphical session is running; `None` when there is none.
pub fn find_viewer(path: Option<std::ffi::OsString>, graphical: bool) -> Option<String> {
    let name = if cfg!(target_os = "macos") {
        "open"
    } else if graphical {
        "xdg-open"
    } else {
        return None;
    };
    std::env::split_paths(&path?)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
        .map(|p| p.display().to_string())
}

/// Updates with `action` and executes effects until the chain settles.
pub fn dispatch(app: &mut App, store: &mut Store, action: Action, now: impl Fn() -> DateTime<Utc>) {
    let mut next = Some(action);
    while let Some(action) = next {
        next = update(app, action).and_then(|effect| execute(app, store, &effect, now()));
    }
}

/// Reads the store again when another process has committed since `seen` (SQLite's
/// `data_version`), so the screen shows their work and never decides on stale state.
fn refresh(app: &mut App, store: &Store, seen: &mut i64) {
    let Ok(version) = store.data_version() else {
        return;
    };
    if version == *seen {
        return;
    }
    match store.readable_events() {
        Ok((events, unreadable)) => {
            *seen = version;
            app.events = events;
            say_unreadable(app, &unreadable);
        }
        Err(e) => app.error(e.message(app.lang)),
    }
}

/// Tells the user on screen which stored events could not be read and were left out.
fn say_unreadable(app: &mut App, unreadable: &[crate::store::Unreadable]) {
    if let Some(first) = unreadable.first() {
        let mut text = first.message(app.lang);
        if unreadable.len() > 1 {
            text += &format!(" (+{})", unreadable.len() - 1);
        }
        app.error(text);
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
    let (events, unreadable) = store
        .readable_events()
        .map_err(|e| Failure(e.message(lang)))?;
    let now = || global.now();
    let theme = Theme::from_env(std::env::var("NO_COLOR").ok());
    // A damaged store is said on screen from the start; the store refuses every write.
    let damage = match store.damage() {
        Ok(damage) => damage.map(|d| d.notice(lang)),
        Err(e) => Some(e.message(lang)),
    };
    let mut app = App::new(checklists, events, lang, theme, local_date(now()));
    app.viewer = find_viewer(
        std::env::var_os("PATH"),
        std::env::var_os("DISPLAY").is_some() || std::env::var_os("WAYLAND_DISPLAY").is_some(),
    );
    say_unreadable(&mut app, &unreadable);
    if let Some(org) = start {
        // Leaving the walkthrough lands on this organisation, not the first one.
        app.select_org(org);
        walkthrough::start(&mut app, org);
    }

    // Our hook first: ratatui's (installed by try_init) restores the terminal and then calls
    // this one, so a crash also switches bracketed paste off again.
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = execute!(stdout(), DisableBracketedPaste);
        previous(info);
    }));
    // SIGTERM, SIGHUP, SIGINT and SIGQUIT only raise a flag; the loop sees it within a
    // quarter of a second, gives the terminal back and exits with 128 + the signal.
    let signalled = Arc::new(AtomicUsize::new(0));
    for signal in [SIGTERM, SIGHUP, SIGINT, SIGQUIT] {
        signal_hook::flag::register_usize(signal, signalled.clone(), signal as usize)
            .map_err(|e| Failure(e.to_string()))?;
    }
    let mut seen = store.data_version().map_err(|e| Failure(e.message(lang)))?;
    let mut terminal = ratatui::try_init().map_err(|e| Failure(e.to_string()))?;
    let _ = execute!(stdout(), EnableBracketedPaste);
    let mut ctrl_c = false;
    let result = (|| -> std::io::Result<()> {
        let size = terminal.size()?;
        update(&mut app, Action::Resize(size.width, size.height));
        let mut checked = Instant::now();
        while !app.quit && signalled.load(Ordering::Relaxed) == 0 {
            // A damaged store stays said on screen; the store refuses every write.
            if let (Some(text), None) = (&damage, &app.message) {
                app.error(text.clone());
            }
            terminal.draw(|frame| view::draw(frame, &app))?;
            if event::poll(Duration::from_millis(250))? {
                let action = match event::read()? {
                    Event::Key(key) => keymap(&app, key),
                    Event::Paste(text) if !app.too_small() => Some(Action::Paste(text)),
                    Event::Resize(w, h) => Some(Action::Resize(w, h)),
                    _ => None,
                };
                if let Some(action) = action {
                    ctrl_c |= action == Action::ForceQuit;
                    // Against the screen as drawn: a change to a review that moved on since
                    // is refused in `execute`, then the screen is read again below.
                    dispatch(&mut app, &mut store, action, now);
                }
            } else if checked.elapsed() < Duration::from_secs(1) {
                continue;
            }
            checked = Instant::now();
            refresh(&mut app, &store, &mut seen);
        }
        Ok(())
    })();
    let _ = execute!(stdout(), DisableBracketedPaste);
    ratatui::restore();
    result.map_err(|e| Failure(e.to_string()))?;
    let signal = signalled.load(Ordering::Relaxed);
    if signal != 0 {
        return Ok(ExitCode::from(128 + signal as u8));
    }
    if ctrl_c {
        return Ok(ExitCode::from(130));
    }
    Ok(ExitCode::SUCCESS)
}
