//! Use cases that both front ends (the command line and the terminal UI) call, so neither
//! imports the other and each decides nothing the other does not.
//!
//! - [`export`]: a review's record exported: checked, built and signed, recorded, put in place.
//! - [`meeting`]: a staff meeting recorded, with the walkthrough item it signs.
//! - [`register`]: a change to the register of data-subject requests recorded, its rules checked
//!   again inside the write transaction.
//! - [`record_check`]: what the database says about a record: does it still hold the log the
//!   record was exported from (the chain head the record states), and which event is the first
//!   missing or changed one when not.
//! - [`verify`]: a record file checked (signature, attached evidence, the database): a verdict
//!   and the lines that explain it, for `verify` and `verify-db --records`.

pub mod export;
pub mod meeting;
pub mod record_check;
pub mod register;
pub mod verify;
