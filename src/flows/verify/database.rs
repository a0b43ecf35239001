//! The database's side of a record check: does it hold the review, did it export this very
//! file with this certificate, and does it still hold the log the record was exported after.

use std::path::Path;

use sha2::{Digest, Sha256};

use super::Verdict;
use crate::checklist::hex;
use crate::flows::record_check::{self, Anchoring};
use crate::i18n::Lang;
use crate::pdf::post::RecordMeta;
use crate::pdf::verify::Evidence;
use crate::record::{FINGERPRINT_VERSION, Match, match_fingerprint};
use crate::review::{Change, Event};
use crate::store::Store;

/// How the PDF compares with the database.
pub(super) enum DbCheck {
    /// Nothing to compare with (no database, or it does not hold the review); why.
    Skipped(String),
    /// The database could not be read (locked, damaged, not aarshjul's); why. The verdict
    /// is then about the file alone.
    Failed(String),
    /// The database holds the review.
    Compared(Comparison),
}

pub(super) struct Comparison {
    /// The state of the review the record fingerprint matches.
    pub(super) state: Match,
    /// Something to say about how the state was found.
    pub(super) note: Option<String>,
    /// The export event that recorded this very file (its SHA-256).
    pub(super) exported: Option<i64>,
    pub(super) certificate: CertCheck,
}

/// How the certificate the file is signed with compares with the exports of the review.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum CertCheck {
    /// The file is not signed.
    Unsigned,
    /// An export of this review recorded it (or recorded this very file).
    Recorded,
    /// Exports of this review recorded other certificates.
    Other,
    /// No export of this review recorded a certificate (older events): nothing to compare.
    NothingRecorded,
}

/// The verdict the database comparison alone leads to.
pub(super) fn compared_verdict(c: &Comparison) -> Verdict {
    if c.certificate == CertCheck::Other {
        Verdict::UnknownCertificate
    } else if c.exported.is_none() {
        Verdict::NotExported
    } else if c.state != Match::Current {
        Verdict::Changed
    } else {
        Verdict::Valid
    }
}

/// What the comparison found, one line each; the first lines explain the verdict.
pub(super) fn db_lines(db: &DbCheck, lang: Lang) -> Vec<String> {
    let c = match db {
        DbCheck::Skipped(why) => return vec![why.clone()],
        DbCheck::Failed(why) => {
            return vec![format!(
                "{}: {why}",
                lang.pick(
                    "kunne ikke sammenligne med databasen",
                    "could not compare with the database"
                )
            )];
        }
        DbCheck::Compared(c) => c,
    };
    let mut lines: Vec<String> = c.note.iter().cloned().collect();
    lines.push(match c.state {
        Match::Current => lang
            .pick(
                "fingeraftrykket svarer til gennemgangen, som den står nu",
                "the fingerprint matches the review as it stands",
            )
            .to_string(),
        Match::Earlier { seq } => lang
            .pick(
                "ÆNDRET — filen svarer til gennemgangen, som den var ved hændelse #{s}; den er ændret siden",
                "CHANGED — the file matches the review as it was at event #{s}; it has changed since",
            )
            .replace("{s}", &seq.to_string()),
        Match::None => lang
            .pick(
                "ÆNDRET — fingeraftrykket svarer ikke til nogen tilstand af gennemgangen i databasen",
                "CHANGED — the fingerprint matches no state of the review in the database",
            )
            .to_string(),
    });
    lines.push(match c.exported {
        Some(seq) => lang
            .pick(
                "filen er eksporteret af denne database (hændelse #{s})",
                "the file was exported by this database (event #{s})",
            )
            .replace("{s}", &seq.to_string()),
        None => lang
            .pick(
                "filen er IKKE en, denne database har eksporteret (dens SHA-256 er ikke registreret ved nogen eksport af gennemgangen)",
                "the file is NOT one this database exported (its SHA-256 is recorded with no export of the review)",
            )
            .to_string(),
    });
    match c.certificate {
        CertCheck::Unsigned => {}
        CertCheck::Recorded => lines.push(
            lang.pick(
                "certifikatet er det, denne database har underskrevet gennemgangens eksporter med",
                "the certificate is the one this database signed the review's exports with",
            )
            .to_string(),
        ),
        CertCheck::Other => lines.push(
            lang.pick(
                "certifikatet er IKKE et, denne database har underskrevet gennemgangens eksporter med",
                "the certificate is NOT one this database signed the review's exports with",
            )
            .to_string(),
        ),
        CertCheck::NothingRecorded => lines.push(
            lang.pick(
                "ingen eksport af gennemgangen har registreret sit certifikat, så certifikatet kan ikke sammenlignes",
                "no export of the review recorded its certificate, so the certificate cannot be compared",
            )
            .to_string(),
        ),
    }
    lines
}

/// The review in the database at `db` compared with the record: its state, the export that
/// recorded this file, the certificate.
pub(super) fn compare_with_db(
    db: &Path,
    meta: &RecordMeta,
    bytes: &[u8],
    certificate: Option<&str>,
    lang: Lang,
) -> DbCheck {
    let skipped = |why: &str| DbCheck::Skipped(why.to_string());
    if !db.exists() {
        return skipped(lang.pick(
            "ingen database at sammenligne med; kun underskriften er kontrolleret",
            "no database to compare with; only the signature was checked",
        ));
    }
    let Ok(period) = meta.period.parse() else {
        return skipped(lang.pick("ukendt periode i filen", "unknown period in the file"));
    };
    // A database that cannot be read does not make the file unreadable: say why and go on
    // with the verdict about the file itself.
    // Read-only; a damaged store is not trusted for the comparison (verify then checks the
    // signature alone and says why).
    let read = Store::open_read_only(db).and_then(|mut store| {
        store.check_sound()?;
        store.review_events(&meta.org, period)
    });
    let events = match read {
        Ok(events) => events,
        Err(e) => return DbCheck::Failed(e.message(lang)),
    };
    if crate::record::content_events(&events).is_empty() {
        return skipped(lang.pick(
            "databasen har ikke denne gennemgang; kun underskriften er kontrolleret",
            "the database does not hold this review; only the signature was checked",
        ));
    }
    let exported = exported_as(&events, bytes);
    // The fingerprint is recomputed from the events alone (not from today's checklist), so
    // a checklist edited since does not change it.
    let (state, note) = match meta.fingerprint_version {
        FINGERPRINT_VERSION => {
            let state = match_fingerprint(&meta.org, period, &events, &meta.fingerprint);
            (state, only_requests_since(&events, state, lang))
        }
        1 => (
            state_at_export(&events, exported),
            Some(
                lang.pick(
                    "fingeraftrykket er af den ældre form (v1), som ikke kan genberegnes; filen sammenlignes ved sin SHA-256 med de registrerede eksporter",
                    "the fingerprint is of the older form (v1), which cannot be recomputed; the file is compared by its SHA-256 with the recorded exports",
                )
                .to_string(),
            ),
        ),
        v => {
            return DbCheck::Skipped(
                lang.pick(
                    "fingeraftrykket er af formen v{v}, som denne udgave af aarshjul ikke kender; opdatér programmet",
                    "the fingerprint is of form v{v}, which this aarshjul does not know; update the program",
                )
                .replace("{v}", &v.to_string()),
            );
        }
    };
    DbCheck::Compared(Comparison {
        state,
        note,
        exported,
        certificate: certificate_check(&events, bytes, certificate),
    })
}

/// When a yearly record matches an earlier state and only the register of data-subject
/// requests has moved on since, says so: the review itself is as the file shows it.
fn only_requests_since(events: &[Event], state: Match, lang: Lang) -> Option<String> {
    let Match::Earlier { seq } = state else {
        return None;
    };
    let later: Vec<&Event> = crate::record::content_events(events)
        .into_iter()
        .filter(|e| e.seq > seq)
        .collect();
    let all_requests = later.iter().all(|e| crate::request::is_request(&e.change));
    (all_requests && !later.is_empty()).then(|| {
        lang.pick(
            "siden da er kun registret over anmodninger ændret ({n}); gennemgangens punkter og underskrift er som i filen — eksportér igen for at få registret med",
            "since then only the register of requests has changed ({n}); the review's items and signature are as in the file — export again to include the register",
        )
        .replace(
            "{n}",
            &lang.count(later.len(), ("hændelse", "hændelser"), ("event", "events")),
        )
    })
}

/// The record's chain head checked against the database's log; `None` when there is no
/// database or it cannot be read (the comparison above says so).
pub(super) fn anchor_with_db(
    db: &Path,
    meta: &RecordMeta,
    evidence: &Evidence,
) -> Option<Anchoring> {
    if !db.exists() {
        return None;
    }
    let store = Store::open_read_only(db).ok()?;
    record_check::anchoring(&store, meta, evidence).ok()
}

/// The state of the review when the export `exported` was made, relative to now: for records
/// whose fingerprint cannot be recomputed.
fn state_at_export(events: &[Event], exported: Option<i64>) -> Match {
    let Some(export) = exported else {
        return Match::None;
    };
    let content = crate::record::content_events(events);
    if content.iter().all(|e| e.seq < export) {
        return Match::Current;
    }
    content
        .iter()
        .rev()
        .find(|e| e.seq < export)
        .map_or(Match::None, |e| Match::Earlier { seq: e.seq })
}

/// The export event that recorded a file with these bytes.
fn exported_as(events: &[Event], bytes: &[u8]) -> Option<i64> {
    let sha = hex(&Sha256::digest(bytes));
    events.iter().find_map(|e| match &e.change {
        Change::ExportMade { sha256, .. } if *sha256 == sha => Some(e.seq),
        _ => None,
    })
}

/// How `certificate` (the file's, SHA-256) compares with those the review's exports recorded.
fn certificate_check(events: &[Event], bytes: &[u8], certificate: Option<&str>) -> CertCheck {
    let Some(certificate) = certificate else {
        return CertCheck::Unsigned;
    };
    let sha = hex(&Sha256::digest(bytes));
    let exports: Vec<(&String, Option<&String>)> = events
        .iter()
        .filter_map(|e| match &e.change {
            Change::ExportMade {
                sha256,
                certificate_sha256,
                ..
            } => Some((sha256, certificate_sha256.as_ref())),
            _ => None,
        })
        .collect();
    // This very file recorded: its certificate is in the bytes the database recorded.
    if let Some((_, recorded)) = exports.iter().find(|(s, _)| **s == sha) {
        return match recorded {
            Some(c) if c.as_str() != certificate => CertCheck::Other,
            _ => CertCheck::Recorded,
        };
    }
    let recorded: Vec<&String> = exports.iter().filter_map(|(_, c)| *c).collect();
    if recorded.is_empty() {
        CertCheck::NothingRecorded
    } else if recorded.iter().any(|c| c.as_str() == certificate) {
        CertCheck::Recorded
    } else {
        CertCheck::Other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(seq: i64, change: Change) -> Event {
        Event {
            seq,
            at: "2026-11-22T13:00:00Z".parse().unwrap(),
            org: "skgr".into(),
            period: "2026".parse().unwrap(),
            change,
        }
    }

    fn export(seq: i64, bytes: &[u8], cert: Option<&str>) -> Event {
        ev(
            seq,
            Change::ExportMade {
                file: "x.pdf".into(),
                sha256: hex(&Sha256::digest(bytes)),
                fingerprint: "f".into(),
                draft: false,
                certificate_sha256: cert.map(Into::into),
            },
        )
    }

    fn signed(seq: i64) -> Event {
        ev(
            seq,
            Change::ReviewSigned {
                by: "H".into(),
                role: "Leder".into(),
            },
        )
    }

    #[test]
    fn an_older_record_is_placed_by_its_export_event() {
        let events = vec![signed(1), export(2, b"old", None), signed(3)];
        assert_eq!(state_at_export(&events, Some(2)), Match::Earlier { seq: 1 });
        assert_eq!(state_at_export(&events[..2], Some(2)), Match::Current);
        assert_eq!(state_at_export(&events, None), Match::None);
    }

    #[test]
    fn the_certificate_is_compared_with_the_recorded_exports() {
        let events = vec![
            signed(1),
            export(2, b"old", None),
            export(3, b"new", Some("c1")),
        ];
        assert_eq!(certificate_check(&events, b"x", None), CertCheck::Unsigned);
        // This very file: its certificate is in the recorded bytes (older event too).
        assert_eq!(
            certificate_check(&events, b"old", Some("c9")),
            CertCheck::Recorded
        );
        assert_eq!(
            certificate_check(&events, b"new", Some("c1")),
            CertCheck::Recorded
        );
        assert_eq!(
            certificate_check(&events, b"new", Some("c2")),
            CertCheck::Other
        );
        // Another file: known certificate, or not.
        assert_eq!(
            certificate_check(&events, b"other", Some("c1")),
            CertCheck::Recorded
        );
        assert_eq!(
            certificate_check(&events, b"other", Some("c2")),
            CertCheck::Other
        );
        assert_eq!(
            certificate_check(&events[..2], b"other", Some("c2")),
            CertCheck::NothingRecorded
        );
    }

    #[test]
    fn the_worst_finding_decides_the_verdict() {
        let c = |state, exported, certificate| Comparison {
            state,
            note: None,
            exported,
            certificate,
        };
        use CertCheck::*;
        assert_eq!(
            compared_verdict(&c(Match::Current, Some(2), Recorded)),
            Verdict::Valid
        );
        assert_eq!(
            compared_verdict(&c(Match::Earlier { seq: 1 }, Some(2), Recorded)),
            Verdict::Changed
        );
        assert_eq!(
            compared_verdict(&c(Match::Current, None, Recorded)),
            Verdict::NotExported
        );
        assert_eq!(
            compared_verdict(&c(Match::Current, None, NothingRecorded)),
            Verdict::NotExported
        );
        assert_eq!(
            compared_verdict(&c(Match::Current, None, Other)),
            Verdict::UnknownCertificate
        );
        assert!(Verdict::Invalid > Verdict::UnknownCertificate);
        assert!(Verdict::SignatureOnly > Verdict::Valid);
    }
}
