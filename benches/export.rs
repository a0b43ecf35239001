//! Exporting and signing the yearly review of skgr, all nine yearly items recorded: the
//! record laid out, post-processed and signed in memory (`build`), and the whole export
//! through the store (events read, file written and renamed, export event appended).

use std::path::Path;

use aarshjul::checklist;
use aarshjul::flows::export::{self, ExportOptions};
use aarshjul::i18n::Lang;
use aarshjul::pdf::{self, Holder, Identity, Replace};
use aarshjul::period::Period;
use aarshjul::review::{Change, Event, Outcome};
use aarshjul::store::Store;
use chrono::{DateTime, Utc};
use criterion::{Criterion, criterion_group, criterion_main};

fn bench(c: &mut Criterion) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("checklists");
    let lists = checklist::load_dir(&dir, Lang::Da).expect("the shipped checklists load");
    let skgr = lists
        .iter()
        .find(|l| l.organisation.id == "skgr")
        .expect("skgr is shipped");
    let period: Period = "2026".parse().expect("a period key");
    let now: DateTime<Utc> = "2026-11-22T13:00:00Z".parse().expect("a time");
    let mut changes: Vec<Change> = skgr
        .items_of(period.cadence())
        .enumerate()
        .map(|(n, item)| Change::ItemSigned {
            item: item.id.clone(),
            status: if n == 3 { Outcome::Deviation } else { Outcome::Done },
            note: Some(format!(
                "Gennemgået 20. november 2026 af administrationen; {} — alt i orden, jf. »Årligt« § {n}.",
                item.title
            )),
            by: "Henriette Salmon".into(),
            fingerprint: item.fingerprint(),
            text: Some(Box::new(item.text())),
        })
        .collect();
    changes.push(Change::ReviewSigned {
        by: "Henriette Salmon".into(),
        role: "Leder".into(),
    });

    let events: Vec<Event> = changes
        .iter()
        .enumerate()
        .map(|(n, change)| Event {
            seq: n as i64 + 1,
            at: now,
            org: "skgr".into(),
            period,
            change: change.clone(),
        })
        .collect();
    let holder = Holder {
        organisation: "Støttekontaktgruppen",
        cvr: Some("37292664"),
    };
    let identity = Identity::self_signed(&holder, now).expect("an identity");
    let built = pdf::build(skgr, period, &events, false, Some(&identity), now).expect("a record");
    eprintln!(
        "yearly record of skgr: {} bytes ({} kB), {} pages",
        built.bytes.len(),
        built.bytes.len().div_ceil(1024),
        built.pages
    );
    // The parts of a build, to see where the time goes.
    let record = aarshjul::record::Record::build(skgr, period, &events);
    let cert = identity.summary();
    c.bench_function("part: lay out the record (genpdf, two passes)", |b| {
        b.iter(|| pdf::layout::render(&record, false, Some(&cert), now).expect("laid out"))
    });
    let rendered = pdf::layout::render(&record, false, Some(&cert), now).expect("laid out");
    let evidence = aarshjul::record::canonical_json("skgr", period, &events);
    let meta = pdf::post::Meta {
        title: &record.title,
        author: &record.organisation.name,
        org: "skgr",
        cvr: Some("37292664"),
        period: "2026",
        fingerprint: &record.fingerprint,
        draft: false,
        now,
        chain_head: None,
        evidence: &evidence,
    };
    c.bench_function("part: load (lopdf)", |b| {
        b.iter(|| lopdf::Document::load_mem(&rendered.pdf).expect("loaded"))
    });
    let loaded = lopdf::Document::load_mem(&rendered.pdf).expect("loaded");
    c.bench_function("part: subset the fonts", |b| {
        b.iter_batched(
            || loaded.clone(),
            |mut doc| pdf::subset::subset_fonts(&mut doc).expect("subset"),
            criterion::BatchSize::SmallInput,
        )
    });
    let mut subset = loaded.clone();
    pdf::subset::subset_fonts(&mut subset).expect("subset");
    c.bench_function("part: compress and describe (lopdf)", |b| {
        b.iter_batched(
            || subset.clone(),
            |doc| pdf::post::describe(doc, &meta),
            criterion::BatchSize::SmallInput,
        )
    });

    c.bench_function("build and sign the yearly record of skgr", |b| {
        b.iter(|| pdf::build(skgr, period, &events, false, Some(&identity), now).expect("a record"))
    });

    let tmp = tempfile::tempdir().expect("a temporary directory");
    let db = tmp.path().join("aarshjul.sqlite");
    let mut store = Store::open(&db).expect("a store");
    for change in changes {
        store
            .append("skgr", period, now, |_| Ok(change))
            .expect("an event");
    }
    let mut opts = ExportOptions::for_db(&db, false, now);
    // Every iteration writes the same file again.
    opts.replace = Replace::Any;
    let out = tmp.path().join("skgr-2026.pdf");
    c.bench_function(
        "export the yearly record of skgr (store, file, event)",
        |b| b.iter(|| export::export(&mut store, skgr, period, &out, &opts).expect("an export")),
    );
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30);
    targets = bench
}
criterion_main!(benches);
