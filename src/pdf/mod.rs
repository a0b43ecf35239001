//! The review record as a signed PDF: the only module touching genpdf, lopdf and the
//! signing crates. It turns a record into signed bytes ([`build`]) and back ([`verify`]);
//! when and where those bytes are written, and what is recorded about them, is the export
//! use case's ([`crate::flows::export`]).
//!
//! [`build`] lays the record out ([`layout`]), post-processes it ([`post`]) and signs it with
//! the organisation's identity ([`identity`], its key in [`keys`]) as a PAdES signature
//! ([`sign`], with a timestamp from [`tsa`] when one is asked for). [`verify`] checks a PDF
//! afterwards. [`output`] says where an export may write and places the file.

pub mod attach;
mod ess;
pub mod fonts;
pub mod identity;
pub mod keys;
pub mod layout;
pub mod output;
mod p12;
pub mod post;
pub mod sign;
pub mod subset;
mod text;
pub mod tsa;
pub mod verify;

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};

use crate::checklist::Checklist;
use crate::period::Period;
use crate::record::{Record, canonical_json};
use crate::review::Event;
use crate::store::chain::ChainHead;

pub use identity::{Holder, Identity, IdentityError};
pub use layout::CertSummary;
pub use output::{Protected, Replace};
pub use sign::SignError;
pub use verify::{Checked, SignatureState};

/// Why a record could not be turned into (signed) bytes.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("layout: {0}")]
    Layout(String),
    #[error(transparent)]
    Sign(#[from] SignError),
}

/// A record PDF in memory.
pub struct Built {
    pub bytes: Vec<u8>,
    pub pages: usize,
    pub fingerprint: String,
    pub missing: BTreeSet<char>,
    pub certificate: Option<CertSummary>,
}

/// Lays out, post-processes and (unless `identity` is `None`) signs the record of a review
/// from its events. No I/O: for the export, benchmarks and tests.
pub fn build(
    checklist: &Checklist,
    period: Period,
    events: &[Event],
    draft: bool,
    identity: Option<&Identity>,
    now: DateTime<Utc>,
) -> Result<Built, BuildError> {
    build_with(checklist, period, events, None, draft, identity, None, now)
}

/// [`build`], stating the event chain's head at the export (`chain_head`), with a timestamp
/// from `tsa` in the signature (the only I/O).
#[allow(clippy::too_many_arguments)]
pub fn build_with(
    checklist: &Checklist,
    period: Period,
    events: &[Event],
    chain_head: Option<&ChainHead>,
    draft: bool,
    identity: Option<&Identity>,
    tsa: Option<&tsa::Tsa>,
    now: DateTime<Utc>,
) -> Result<Built, BuildError> {
    let mut record = Record::build(checklist, period, events);
    record.chain_head = chain_head.cloned();
    let evidence = canonical_json(&checklist.organisation.id, period, events);
    let certificate = identity.map(Identity::summary);
    let rendered = layout::render(&record, draft, certificate.as_ref(), now)
        .map_err(|e| BuildError::Layout(e.to_string()))?;
    let meta = post::Meta {
        title: &record.title,
        author: &record.organisation.name,
        org: &record.organisation.id,
        cvr: record.organisation.cvr.as_deref(),
        period: &period.key(),
        fingerprint: &record.fingerprint,
        draft,
        now,
        chain_head,
        evidence: &evidence,
    };
    // Fonts are cut down before the rest is compressed, so the whole font programs are
    // never compressed only to be thrown away.
    let mut doc =
        lopdf::Document::load_mem(&rendered.pdf).map_err(|e| BuildError::Layout(e.to_string()))?;
    subset::subset_fonts(&mut doc).map_err(|e| BuildError::Layout(e.to_string()))?;
    let mut doc = post::describe(doc, &meta).map_err(|e| BuildError::Layout(e.to_string()))?;
    let bytes = match identity {
        Some(identity) => {
            // The person who signed the review and their role; the certificate is the
            // organisation's.
            let (name, reason) = match &record.signature {
                Some(s) => (s.by.clone(), format!("{} — {}", s.role, record.title)),
                None => (identity.holder(), record.title.clone()),
            };
            sign::sign(
                &mut doc,
                identity,
                &sign::SignInfo {
                    name: &name,
                    reason: &reason,
                    at: now,
                },
                tsa,
            )?
        }
        None => {
            let mut bytes = Vec::new();
            doc.save_to(&mut bytes)
                .map_err(|e| BuildError::Layout(e.to_string()))?;
            bytes
        }
    };
    Ok(Built {
        bytes,
        pages: rendered.pages,
        fingerprint: record.fingerprint,
        missing: rendered.missing,
        certificate,
    })
}
