//! aarshjul: the yearly wheel of an organisation's data-protection duties.
//!
//! Data flows one way: checklists (TOML) say *what* is owed; the store (SQLite) holds the
//! append-only *events* of what was done; the review state is *derived* from the two.
//!
//! - [`checklist`]: the TOML schema, strict loading, validation with `file:line:col`.
//! - [`period`]: cadences, period keys (`2026-Q4`), due and overdue on a local date.
//! - [`review`]: events, the review state derived from them, and the signing rules.
//! - [`store`]: the only module touching SQLite: migrations, append-only events, hash chain.
//! - [`status`]: the year overview shared by `aarshjul status` and the dashboard.
//! - [`calendar`]: deadlines and follow-ups as an iCalendar file (pure).
//! - [`i18n`]: Danish and English for everything a user reads.
//! - [`cli`]: the command line (clap) and its subcommands.
//! - [`flows`]: use cases both front ends call: checking a record against the database.
//! - [`record`]: what the review record PDF says, and its fingerprint (pure).
//! - [`pdf`]: the only module touching genpdf, lopdf and the signing crates: layout, signature,
//!   identity, verify.
//! - [`files`]: reading a named file: regular files only, with a size cap.
//! - [`text`]: what typed text may hold, and stored text escaped for the terminal.
//! - [`tui`]: the terminal UI (ratatui), The Elm Architecture: keymap → update → effects → view.
//!
//! Everything but `store`, `pdf`, `cli` and `tui::run` is pure: no I/O, no clock, testable in
//! microseconds.

pub mod calendar;
pub mod checklist;
pub mod cli;
pub mod context;
pub mod files;
pub mod flows;
pub mod i18n;
pub mod pdf;
pub mod period;
pub mod record;
pub mod review;
pub mod status;
pub mod store;
pub mod text;
pub mod tui;
