//! A write on a ten-year database: both shipped organisations, every review of 2017–2026
//! recorded item by item (with the item texts, as since event version 2), signed and
//! exported. Measured as the command line writes (open the file, check it, append one
//! event) and as the screen writes (append on a store kept open), plus the parts of the
//! health check on their own.

use std::path::Path;

use aarshjul::checklist;
use aarshjul::i18n::Lang;
use aarshjul::period::{Cadence, Period};
use aarshjul::review::{Change, Outcome};
use aarshjul::store::Store;
use chrono::{DateTime, Utc};
use criterion::{Criterion, criterion_group, criterion_main};

/// Fills `path` with ten years of reviews; returns the number of events.
fn ten_years(path: &Path) -> i64 {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("checklists");
    let lists = checklist::load_dir(&dir, Lang::Da).expect("the shipped checklists load");
    let mut store = Store::open(path).expect("a new database");
    let at: DateTime<Utc> = "2026-11-22T13:00:00Z".parse().expect("a time");
    let mut events = 0;
    for list in &lists {
        for year in 2017..=2026 {
            for cadence in [
                Cadence::Monthly,
                Cadence::Quarterly,
                Cadence::HalfYearly,
                Cadence::Yearly,
            ] {
                for period in Period::all_in_year(cadence, year) {
                    let mut changes: Vec<Change> = list
                        .items_of(cadence)
                        .map(|item| {
                            Change::item_signed(
                                item,
                                Outcome::Done,
                                Some("Gennemgået; intet at bemærke.".into()),
                                "Henriette Salmon".into(),
                            )
                        })
                        .collect();
                    if changes.is_empty() {
                        continue;
                    }
                    changes.push(Change::ReviewSigned {
                        by: "Henriette Salmon".into(),
                        role: "Leder".into(),
                    });
                    changes.push(Change::ExportMade {
                        file: format!("exports/{}-{}.pdf", list.organisation.id, period.key()),
                        sha256: "ab".repeat(32),
                        fingerprint: "cd".repeat(32),
                        draft: false,
                        certificate_sha256: Some("ef".repeat(32)),
                    });
                    let n = changes.len() as i64;
                    store
                        .append_all(&list.organisation.id, period, at, |_| Ok(changes))
                        .expect("appended");
                    events += n;
                }
            }
        }
    }
    events
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("a temp dir");
    let path = dir.path().join("aarshjul.sqlite");
    let events = ten_years(&path);
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    eprintln!("ten-year database: {events} events, {size} bytes");
    let at: DateTime<Utc> = "2026-11-22T13:00:00Z".parse().expect("a time");
    let period: Period = "2026-11".parse().expect("a period");
    let retract = || {
        Ok(Change::ItemRetracted {
            item: "x".into(),
            by: "H".into(),
        })
    };

    let mut group = c.benchmark_group("store");
    group.sample_size(30);
    group.bench_function("cli write: open + append on a 10-year database", |b| {
        b.iter(|| {
            let mut store = Store::open(&path).expect("opens");
            store
                .append("skgr", period, at, |_| retract())
                .expect("appended")
        })
    });
    let mut store = Store::open(&path).expect("opens");
    group.bench_function("screen write: append on an open 10-year database", |b| {
        b.iter(|| {
            store
                .append("skgr", period, at, |_| retract())
                .expect("appended")
        })
    });
    group.bench_function("verify the hash chain of a 10-year database", |b| {
        b.iter(|| store.verify_chain().expect("verified"))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
