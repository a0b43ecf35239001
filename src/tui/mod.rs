//! The terminal UI, in The Elm Architecture:
//!
//! - [`keymap`]: a pure `keymap(&App, key) -> Option<Action>`, from tables that also feed the
//!   help overlay and the footer, so the keys shown are the keys that work.
//! - [`app`]: the state ([`app::App`]) and a pure `update(&mut App, Action) -> Option<Effect>`
//!   that *returns* work (append an event, export, quit) instead of doing it.
//! - [`register`]: the register screen of data-subject requests and its dialogs.
//! - [`view`]: draws `&App`; never changes it.
//! - [`run`]: the loop. It executes effects against the store and feeds their outcome back as
//!   an action, so the screen says "saved" only after the commit.
//!
//! Whole user flows are therefore testable as key scripts with no terminal at all.

pub mod app;
pub mod dialogs;
pub mod keymap;
pub mod register;
pub mod run;
pub mod theme;
pub mod view;
pub mod walkthrough;

pub use app::{Action, App, Effect};
pub use run::run;
