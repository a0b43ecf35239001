//! aarshjul: the yearly wheel of an organisation's data-protection duties.
//!
//! Data flows one way: checklists (TOML) say *what* is owed; the store (SQLite) holds the
//! append-only *events* of what was done; the review state is *derived* from the two.
//!
//! - [`checklist`]: the TOML schema, strict loading, validation with `file:line:col`.
//! - [`period`]: cadences, period keys (`2026-Q4`), due and overdue on a local date.
//! - [`request`]: the register of data-subject requests, their deadlines and rules (pure).
//! - [`review`]: events, the review state derived from them, and the signing rules.
//! - [`store`]: the only module touching SQLite: migrations, append-only events, hash chain.
//! - [`status`]: the year overview shared by `aarshjul status` and the dashboard.
//! - [`calendar`]: deadlines and follow-ups as an iCalendar file (pure).
//! - [`i18n`]: Danish and English for everything a user reads.
//! - [`context`]: what both front ends start from: global options, the checklists, a failure.
//! - [`cli`]: the command line (clap): one small function per subcommand, calling a flow and
//!   printing what it returns.
//! - [`flows`]: the use cases both front ends call: export a record, verify a record file
//!   against the database, record a staff meeting. Each decides the order of its steps and
//!   what a failure leaves behind.
//! - [`record`]: what the review record PDF says, and its fingerprint (pure).
//! - [`pdf`]: the only module touching genpdf, lopdf and the signing crates: a record to signed
//!   bytes (layout, signature, identity) and back (verify).
//! - [`files`]: reading a named file: regular files only, with a size cap.
//! - [`text`]: what typed text may hold, and stored text escaped for the terminal.
//! - [`tui`]: the terminal UI (ratatui), The Elm Architecture: keymap → update → effects → view.
//!
//! The front ends (`cli`, `tui`) never import each other: front end → flow → domain + edges
//! (`store`, `pdf`), and back as a typed result.
//!
//! Everything but `store`, `pdf`, `flows`, `cli` and `tui::run` is pure: no I/O, no clock,
//! testable in microseconds.

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
pub mod request;
pub mod review;
pub mod status;
pub mod store;
pub mod text;
pub mod tui;
