//! Randomised inputs for the two parsers that read files a user is handed: the checklist
//! loader and `verify`'s PDF check. Property: no panic and no hang on any input, and every
//! checklist problem points inside the file. Real fuzzing needs a nightly toolchain; this
//! runs proptest's generated and mutated inputs on stable (the counts are printed).

use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use aarshjul::checklist;
use aarshjul::i18n::Lang;
use aarshjul::pdf::verify;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

/// Cases per property; `AARSHJUL_FUZZ_CASES=50000 cargo test --test fuzz` for a long run.
fn cases() -> u32 {
    std::env::var("AARSHJUL_FUZZ_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(2000)
}

/// Counts inputs; aborts the whole test process if one input takes more than 30 s, so a
/// hang fails loudly. Stops watching when dropped.
struct Watchdog {
    progress: Arc<AtomicUsize>,
    done: Arc<AtomicBool>,
}

impl Watchdog {
    fn start() -> Watchdog {
        let progress = Arc::new(AtomicUsize::new(0));
        let done = Arc::new(AtomicBool::new(false));
        let (seen, finished) = (progress.clone(), done.clone());
        std::thread::spawn(move || {
            let mut last = (0, Instant::now());
            while !finished.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(200));
                let now = seen.load(Ordering::Relaxed);
                if now != last.0 {
                    last = (now, Instant::now());
                } else if last.1.elapsed() > Duration::from_secs(30) {
                    eprintln!("input {now} has run for 30 s: a hang");
                    std::process::abort();
                }
            }
        });
        Watchdog { progress, done }
    }

    fn tick(&self) {
        self.progress.fetch_add(1, Ordering::Relaxed);
    }

    fn count(&self) -> usize {
        self.progress.load(Ordering::Relaxed)
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        self.done.store(true, Ordering::Relaxed);
    }
}

/// An edit to a valid file: overwrite, insert or delete bytes at a place, or cut it short.
#[derive(Debug, Clone)]
enum Edit {
    Overwrite(usize, Vec<u8>),
    Insert(usize, Vec<u8>),
    Delete(usize, usize),
    Truncate(usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    // Bytes that matter to TOML and PDF syntax, besides any byte at all.
    let token = prop_oneof![
        prop::collection::vec(any::<u8>(), 1..8),
        prop::sample::select(vec![
            b"\"".to_vec(),
            b"'''".to_vec(),
            b"[[".to_vec(),
            b"]".to_vec(),
            b"=".to_vec(),
            b"\n".to_vec(),
            b"\\u".to_vec(),
            b"{".to_vec(),
            b"#".to_vec(),
            b"obj".to_vec(),
            b"endobj".to_vec(),
            b"<<".to_vec(),
            b">>".to_vec(),
            b"/ByteRange [0 1 2 3]".to_vec(),
            b"stream\n".to_vec(),
            b"xref".to_vec(),
            b"9999999999".to_vec(),
            b"-1".to_vec(),
            b"\xff\xfe".to_vec(),
            b"\xe2\x80\x8b".to_vec(),
            b"\x1b[2J".to_vec(),
        ]),
    ];
    prop_oneof![
        (any::<usize>(), token.clone()).prop_map(|(at, b)| Edit::Overwrite(at, b)),
        (any::<usize>(), token).prop_map(|(at, b)| Edit::Insert(at, b)),
        (any::<usize>(), 1..64usize).prop_map(|(at, n)| Edit::Delete(at, n)),
        any::<usize>().prop_map(Edit::Truncate),
    ]
}

fn apply(mut bytes: Vec<u8>, edits: &[Edit]) -> Vec<u8> {
    for e in edits {
        let len = bytes.len().max(1);
        match e {
            Edit::Overwrite(at, b) => {
                let at = at % len;
                for (i, x) in b.iter().enumerate() {
                    if let Some(slot) = bytes.get_mut(at + i) {
                        *slot = *x;
                    }
                }
            }
            Edit::Insert(at, b) => {
                let at = at % (bytes.len() + 1);
                bytes.splice(at..at, b.iter().copied());
            }
            Edit::Delete(at, n) => {
                let at = at % len;
                let end = (at + n).min(bytes.len());
                if at < end {
                    bytes.drain(at..end);
                }
            }
            Edit::Truncate(at) => bytes.truncate(at % len),
        }
    }
    bytes
}

fn runner() -> TestRunner {
    TestRunner::new(Config {
        cases: cases(),
        failure_persistence: None,
        ..Config::default()
    })
}

fn check_checklist(bytes: &[u8], watchdog: &Watchdog) -> Result<(), TestCaseError> {
    watchdog.tick();
    let path = Path::new("x.toml");
    for lang in [Lang::Da, Lang::En] {
        if let Err(problems) = checklist::parse(path, bytes, lang) {
            prop_assert!(!problems.is_empty());
            let lines = bytes.split(|&b| b == b'\n').count();
            for p in problems {
                prop_assert!(!p.message.is_empty());
                if let Some((line, col)) = p.at {
                    prop_assert!(line >= 1 && line <= lines && col >= 1, "{p}");
                }
            }
        }
    }
    Ok(())
}

#[test]
fn the_checklist_loader_survives_any_input() {
    let watchdog = Watchdog::start();
    let shipped =
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("checklists/skgr.toml")).unwrap();
    runner()
        .run(&prop::collection::vec(any::<u8>(), 0..2048), |bytes| {
            check_checklist(&bytes, &watchdog)
        })
        .unwrap();
    runner()
        .run(&prop::collection::vec(edit(), 1..6), |edits| {
            check_checklist(&apply(shipped.clone(), &edits), &watchdog)
        })
        .unwrap();
    eprintln!(
        "checklist loader: {} inputs, no panic, no hang",
        watchdog.count()
    );
}

/// A signed review record made by the real binary, once.
fn signed_record() -> &'static [u8] {
    static PDF: OnceLock<Vec<u8>> = OnceLock::new();
    PDF.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("lists")).unwrap();
        std::fs::write(
            dir.path().join("lists/demo.toml"),
            "schema = 1\n[organisation]\nid = \"demo\"\nname = \"Demo\"\npolicy = \"P\"\n\n\
             [[item]]\nid = \"en\"\ncadence = \"yearly\"\ntitle = \"Én pligt\"\nsource = \"§1\"\n",
        )
        .unwrap();
        let run = |args: &[&str]| {
            let out = Command::new(env!("CARGO_BIN_EXE_aarshjul"))
                .args(args)
                .env("AARSHJUL_DB", dir.path().join("db.sqlite"))
                .env("AARSHJUL_CHECKLISTS", dir.path().join("lists"))
                .env("AARSHJUL_NOW", "2026-11-22T13:00:00Z")
                .env("LANG", "en_GB.UTF-8")
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        };
        let review = ["--org", "demo", "--period", "2026"];
        run(&[
            &["record"][..],
            &review,
            &["--item", "en", "--status", "done", "--by", "T"],
        ]
        .concat());
        run(&[&["sign"][..], &review, &["--by", "T", "--role", "Leder"]].concat());
        let out = dir.path().join("post.pdf");
        run(&[&["export"][..], &review, &["--out", out.to_str().unwrap()]].concat());
        std::fs::read(out).unwrap()
    })
}

#[test]
fn verify_survives_any_input() {
    let watchdog = Watchdog::start();
    let pdf = signed_record().to_vec();
    assert!(verify::check(&pdf).is_ok(), "the unmutated record reads");
    let check = |bytes: &[u8]| {
        watchdog.tick();
        let _ = verify::check(bytes);
        Ok(())
    };
    runner()
        .run(&prop::collection::vec(any::<u8>(), 0..4096), |bytes| {
            check(&bytes)
        })
        .unwrap();
    runner()
        .run(&prop::collection::vec(any::<u8>(), 0..4096), |bytes| {
            check(&[&b"%PDF-1.7\n"[..], &bytes].concat())
        })
        .unwrap();
    runner()
        .run(&prop::collection::vec(edit(), 1..6), |edits| {
            check(&apply(pdf.clone(), &edits))
        })
        .unwrap();
    eprintln!("verify: {} inputs, no panic, no hang", watchdog.count());
}
