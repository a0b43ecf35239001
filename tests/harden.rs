//! Hardening: the failures a crash, tamper, concurrency and bad-input campaign found, each
//! reproduced on real files with the real binary (issue #10).

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use sha2::{Digest, Sha256};

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn new() -> Env {
        Env {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn db(&self) -> PathBuf {
        self.dir.path().join("data").join("aarshjul.sqlite")
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let checklists = Path::new(env!("CARGO_MANIFEST_DIR")).join("checklists");
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_aarshjul"));
        cmd.args(args)
            .env("AARSHJUL_DB", self.db())
            .env("AARSHJUL_CHECKLISTS", checklists)
            .env("AARSHJUL_NOW", "2026-11-22T13:00:00Z")
            .env("LANG", "en_GB.UTF-8")
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .current_dir(self.dir.path());
        cmd
    }

    fn run(&self, args: &[&str]) -> Output {
        self.cmd(args).output().unwrap()
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "{args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// Runs a command that must be refused with exit code 2; returns stderr.
    fn refused(&self, args: &[&str]) -> String {
        let out = self.run(args);
        let err = String::from_utf8_lossy(&out.stderr).to_string();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
        err
    }

    fn record(&self, item: &str) -> String {
        self.ok(&[
            "record",
            "--org",
            "skgr",
            "--period",
            "2026",
            "--item",
            item,
            "--status",
            "deviation",
            "--note",
            "x",
            "--by",
            "Henriette Salmon",
        ])
    }

    fn events(&self) -> i64 {
        let conn = rusqlite::Connection::open(self.db()).unwrap();
        conn.query_row("SELECT count(*) FROM event", [], |r| r.get(0))
            .unwrap()
    }
}

fn sha256(path: &Path) -> String {
    format!("{:x}", Sha256::digest(std::fs::read(path).unwrap()))
}

// 1. Period keys -----------------------------------------------------------------------

#[test]
fn period_keys_outside_2000_to_2099_are_refused() {
    let env = Env::new();
    for key in ["0001", "0999", "0000", "1900", "1999", "2100", "0001-Q1"] {
        let err = env.refused(&[
            "record",
            "--org",
            "skgr",
            "--period",
            key,
            "--item",
            "udskrevne-borgere",
            "--status",
            "done",
            "--note",
            "x",
            "--by",
            "T",
        ]);
        assert!(err.contains("from 2000 to 2099"), "{key}: {err}");
    }
    let err = env.refused(&[
        "--lang",
        "da",
        "record",
        "--org",
        "skgr",
        "--period",
        "0001",
        "--item",
        "udskrevne-borgere",
        "--status",
        "done",
        "--note",
        "x",
        "--by",
        "T",
    ]);
    assert!(err.contains("fra 2000 til 2099"), "{err}");
    assert!(!env.db().exists() || env.events() == 0, "nothing stored");
    // And the overview still works.
    let out = env.run(&["status", "--date", "2026-11-22"]);
    assert_ne!(out.status.code(), Some(2));
}

#[test]
fn one_unreadable_event_does_not_take_the_overview_down() {
    let env = Env::new();
    env.record("udskrevne-borgere");
    // What the old binary stored for `--period 0001`, and a payload stored as a blob.
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    conn.execute_batch(
        "INSERT INTO event (seq, at, org, period, kind, payload, prev_hash, hash)
         SELECT 2, at, org, '1', kind, payload, hash, hash FROM event WHERE seq = 1;
         INSERT INTO event (seq, at, org, period, kind, payload, prev_hash, hash)
         SELECT 3, at, org, period, kind, CAST(payload AS BLOB), hash, hash FROM event WHERE seq = 1;",
    )
    .unwrap();
    drop(conn);
    let out = env.run(&["status", "--date", "2026-11-22"]);
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert_ne!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("event 2 cannot be read (field period: »1«) and is left out"),
        "{stderr}"
    );
    assert!(
        stderr.contains("event 3 cannot be read (field payload: »BLOB, "),
        "{stderr}"
    );
    assert!(
        stdout.contains("1 deviation"),
        "the readable event still counts: {stdout}"
    );
    let json = env.run(&["status", "--date", "2026-11-22", "--json"]);
    let doc: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let yearly = doc["reviews"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["org"] == "skgr" && r["period"] == "2026")
        .unwrap();
    assert_eq!(yearly["deviations"], 1, "{yearly}");
}

// 4. A foreign SQLite file ---------------------------------------------------------------

#[test]
fn a_foreign_sqlite_file_stays_byte_identical() {
    let env = Env::new();
    std::fs::create_dir_all(env.db().parent().unwrap()).unwrap();
    {
        let conn = rusqlite::Connection::open(env.db()).unwrap();
        conn.execute_batch(
            "CREATE TABLE kunder (navn TEXT); INSERT INTO kunder VALUES ('Åse'), ('Bo');",
        )
        .unwrap();
    }
    let before = sha256(&env.db());
    let header = std::fs::read(env.db()).unwrap()[..100].to_vec();
    for args in [
        &["verify-db"][..],
        &["status"],
        &[
            "record",
            "--org",
            "skgr",
            "--period",
            "2026",
            "--item",
            "udskrevne-borgere",
            "--status",
            "deviation",
            "--note",
            "x",
            "--by",
            "T",
        ],
        &["export", "--org", "skgr", "--period", "2026", "--draft"],
    ] {
        let err = env.refused(args);
        assert!(err.contains("not aarshjul's"), "{args:?}: {err}");
        assert_eq!(sha256(&env.db()), before, "{args:?} changed the file");
    }
    assert_eq!(&std::fs::read(env.db()).unwrap()[..100], &header[..]);
    assert!(!wal(&env.db()).exists(), "no WAL made for it");
}

fn wal(db: &Path) -> PathBuf {
    PathBuf::from(format!("{}-wal", db.display()))
}

// 6. First starts racing -------------------------------------------------------------------

#[test]
fn first_starts_racing_on_a_missing_database_all_succeed() {
    const TRIALS: usize = 40;
    const PROCESSES: usize = 4;
    let items = [
        "udskrevne-borgere",
        "interne-retningslinjer",
        "personalemoede-gennemgang",
        "firewall-virus",
    ];
    for trial in 0..TRIALS {
        let env = Env::new();
        let children: Vec<_> = items[..PROCESSES]
            .iter()
            .map(|item| {
                env.cmd(&[
                    "record",
                    "--org",
                    "skgr",
                    "--period",
                    "2026",
                    "--item",
                    item,
                    "--status",
                    "deviation",
                    "--note",
                    "x",
                    "--by",
                    "T",
                ])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
            })
            .collect();
        for child in children {
            let out = child.wait_with_output().unwrap();
            assert!(
                out.status.success(),
                "trial {trial}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        assert_eq!(env.events(), PROCESSES as i64, "trial {trial}");
        let verify = env.ok(&["verify-db"]);
        assert!(verify.contains("intact"), "{verify}");
    }
    eprintln!("{TRIALS} trials of {PROCESSES} first starts at once: all succeeded");
}

// 7. Read-only copies ------------------------------------------------------------------------

/// Runs the binary as user `nobody` when the tests run as root, so that file modes bind.
fn as_nobody(mut cmd: Command) -> Output {
    let root = std::fs::metadata("/proc/self").map(|m| {
        use std::os::unix::fs::MetadataExt;
        m.uid() == 0
    });
    if root.unwrap_or(false) {
        let program = cmd.get_program().to_owned();
        let args: Vec<_> = cmd.get_args().map(|a| a.to_owned()).collect();
        let envs: Vec<_> = cmd
            .get_envs()
            .map(|(k, v)| (k.to_owned(), v.map(|v| v.to_owned())))
            .collect();
        let mut wrapped = Command::new("setpriv");
        wrapped
            .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
            .arg(program)
            .args(args)
            .current_dir("/");
        for (k, v) in envs {
            match v {
                Some(v) => wrapped.env(k, v),
                None => wrapped.env_remove(k),
            };
        }
        cmd = wrapped;
    }
    cmd.output().unwrap()
}

fn chmod(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[test]
fn a_read_only_copy_can_be_checked() {
    let env = Env::new();
    env.record("udskrevne-borgere");
    // Fold the WAL in, as a copy taken with the program closed would be.
    let copy_dir = tempfile::tempdir().unwrap();
    let copy = copy_dir.path().join("kopi.sqlite");
    std::fs::copy(env.db(), &copy).unwrap();
    for (file_mode, dir_mode) in [(0o444, 0o755), (0o444, 0o555)] {
        chmod(copy_dir.path(), 0o755);
        chmod(&copy, file_mode);
        chmod(copy_dir.path(), dir_mode);
        let before = sha256(&copy);
        for args in [
            &["status", "--date", "2026-11-22"][..],
            &["verify-db"],
            &["status", "--json"],
        ] {
            let mut cmd = env.cmd(args);
            cmd.env("AARSHJUL_DB", &copy);
            let out = as_nobody(cmd);
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(
                matches!(out.status.code(), Some(0) | Some(1)),
                "{args:?} on a {file_mode:o} file in a {dir_mode:o} directory: {err}"
            );
            assert!(!err.contains("readonly"), "{err}");
            if args[0] == "verify-db" {
                assert!(String::from_utf8_lossy(&out.stdout).contains("intact"));
            }
        }
        assert_eq!(sha256(&copy), before);
    }
    chmod(copy_dir.path(), 0o755);
}

#[test]
fn reads_go_on_while_another_program_holds_the_write_lock() {
    let env = Env::new();
    env.record("udskrevne-borgere");
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    conn.execute_batch(
        "BEGIN IMMEDIATE; INSERT INTO chain_head (id, seq, hash) SELECT 2, 0, 'x' WHERE 0;",
    )
    .unwrap();
    let status = env.run(&["status", "--date", "2026-11-22"]);
    assert!(
        matches!(status.status.code(), Some(0) | Some(1)),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    assert!(String::from_utf8_lossy(&status.stdout).contains("1 deviation"));
    let verify = env.run(&["verify-db"]);
    assert_eq!(
        verify.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&verify.stderr)
    );
    conn.execute_batch("ROLLBACK").unwrap();
}

// 8. Special files -----------------------------------------------------------------------------

/// Runs the command, killing it and failing if it has not ended within 20 s (a hang).
fn run_bounded(mut cmd: Command) -> Output {
    let child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(std::time::Duration::from_secs(20)) {
        Ok(out) => out.unwrap(),
        Err(_) => {
            let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
            panic!("the command hung");
        }
    }
}

fn mkfifo(path: &Path) {
    assert!(Command::new("mkfifo").arg(path).status().unwrap().success());
}

#[test]
fn special_files_among_the_checklists_are_refused_not_read() {
    let env = Env::new();
    let dir = env.dir.path().join("lists");
    std::fs::create_dir(&dir).unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("checklists/skgr.toml"),
        dir.join("skgr.toml"),
    )
    .unwrap();
    mkfifo(&dir.join("x.toml"));
    std::os::unix::fs::symlink("/dev/zero", dir.join("zero.toml")).unwrap();
    let out = run_bounded(env.cmd(&["validate", dir.to_str().unwrap()]));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("x.toml: is not a regular file (but e.g. a FIFO, a device or a directory) and is not read"),
        "{err}"
    );
    assert!(err.contains("zero.toml: is not a regular file"), "{err}");
    // Too large.
    std::fs::remove_file(dir.join("x.toml")).unwrap();
    std::fs::remove_file(dir.join("zero.toml")).unwrap();
    std::fs::write(dir.join("big.toml"), vec![b'#'; 2 * 1024 * 1024]).unwrap();
    let out = run_bounded(env.cmd(&["--lang", "da", "validate", dir.to_str().unwrap()]));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("big.toml: filen er over 1 MB og læses ikke"),
        "{err}"
    );
}

#[test]
fn verify_refuses_a_fifo_and_a_device() {
    let env = Env::new();
    let fifo = env.dir.path().join("post.pdf");
    mkfifo(&fifo);
    let out = run_bounded(env.cmd(&["verify", fifo.to_str().unwrap()]));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("is not a regular file"), "{err}");
    let out = run_bounded(env.cmd(&["verify", "/dev/zero"]));
    assert_eq!(out.status.code(), Some(2));
    // A FIFO where the database should be is refused too, not opened.
    std::fs::create_dir_all(env.db().parent().unwrap()).unwrap();
    mkfifo(&env.db());
    let out = run_bounded(env.cmd(&["status"]));
    assert_eq!(out.status.code(), Some(2));
    let out = run_bounded(env.cmd(&["verify-db"]));
    assert_eq!(out.status.code(), Some(2));
}

// 10. Closed pipes and full disks -------------------------------------------------------------

/// The writing end of a pipe whose reading end is already closed.
fn closed_pipe() -> Stdio {
    use std::os::fd::FromRawFd;
    let mut fds = [0; 2];
    // SAFETY: `pipe` fills both descriptors; the read end is closed at once and the write end
    // is owned by the returned `Stdio` alone.
    unsafe {
        assert_eq!(libc::pipe(fds.as_mut_ptr()), 0);
        libc::close(fds[0]);
        Stdio::from(std::os::fd::OwnedFd::from_raw_fd(fds[1]))
    }
}

#[test]
fn a_closed_pipe_ends_quietly() {
    use std::os::unix::process::ExitStatusExt;
    let env = Env::new();
    env.record("udskrevne-borgere");
    for args in [
        &["status"][..],
        &["status", "--json"],
        &["validate"],
        &["verify-db"],
    ] {
        // Like `| head -0`: the reader is gone before the first line is written (closed
        // before the process starts, so no race with a fast writer).
        let out = env
            .cmd(args)
            .stdout(closed_pipe())
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.is_empty(), "{args:?}: {err}");
        assert_eq!(
            out.status.signal(),
            Some(13),
            "{args:?}: ended by SIGPIPE (141 in a shell)"
        );
    }
    // Through a real shell pipe, as a user types it.
    let shell = Command::new("bash")
        .arg("-c")
        .arg(format!(
            "set -o pipefail; '{}' status --date 2026-11-22 | head -c 1 >/dev/null; echo \"exit=$?\"",
            env!("CARGO_BIN_EXE_aarshjul")
        ))
        .env("AARSHJUL_DB", env.db())
        .env(
            "AARSHJUL_CHECKLISTS",
            Path::new(env!("CARGO_MANIFEST_DIR")).join("checklists"),
        )
        .env("LANG", "en_GB.UTF-8")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&shell.stdout);
    let stderr = String::from_utf8_lossy(&shell.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stderr.is_empty(), "{stderr}");
    assert!(
        stdout.contains("exit=141") || stdout.contains("exit=0") || stdout.contains("exit=1"),
        "{stdout}"
    );
}

#[test]
fn a_full_disk_is_one_sentence_and_exit_74() {
    let env = Env::new();
    env.record("udskrevne-borgere");
    for (lang, sentence) in [
        (
            "en",
            "aarshjul: The output could not be written: there is no space left on the device.\n",
        ),
        (
            "da",
            "aarshjul: Resultatet kunne ikke skrives ud: der er ikke mere plads på disken.\n",
        ),
    ] {
        let out = env
            .cmd(&["--lang", lang, "status"])
            .stdout(std::fs::File::create("/dev/full").unwrap())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(74));
        assert_eq!(String::from_utf8_lossy(&out.stderr), sentence);
    }
}

// 2. Control characters -------------------------------------------------------------------------

#[test]
fn control_characters_in_names_roles_reasons_and_notes_are_refused() {
    let env = Env::new();
    let evil = "Eve\u{1b}]0;PWNED\u{7}\u{1b}[2J\rOVER";
    let base = ["--org", "skgr", "--period", "2026"];
    let cases: Vec<Vec<&str>> = vec![
        vec![
            "record",
            "--item",
            "udskrevne-borgere",
            "--status",
            "deviation",
            "--note",
            "x",
            "--by",
            evil,
        ],
        vec![
            "record",
            "--item",
            "udskrevne-borgere",
            "--status",
            "deviation",
            "--note",
            evil,
            "--by",
            "T",
        ],
        vec!["sign", "--by", evil, "--role", "Leder"],
        vec!["sign", "--by", "T", "--role", evil],
    ];
    for case in &cases {
        let mut args = vec![case[0]];
        args.extend(base);
        args.extend(&case[1..]);
        let err = env.refused(&args);
        assert!(
            err.contains("control character (U+001B)"),
            "{args:?}: {err}"
        );
        assert!(
            !err.contains('\u{1b}'),
            "the refusal itself is escaped: {err:?}"
        );
    }
    // Danish, too.
    let err = env.refused(&[
        "--lang", "da", "sign", "--org", "skgr", "--period", "2026", "--by", evil, "--role", "L",
    ]);
    assert!(err.contains("indeholder et styretegn (U+001B)"), "{err}");
    assert!(!env.db().exists() || env.events() == 0);
    // Only invisible characters: as empty as an empty name or note.
    let err = env.refused(&[
        "record",
        "--org",
        "skgr",
        "--period",
        "2026",
        "--item",
        "udskrevne-borgere",
        "--status",
        "deviation",
        "--note",
        "x",
        "--by",
        "\u{200b}",
    ]);
    assert!(err.contains("Give a name"), "{err}");
    let err = env.refused(&[
        "record",
        "--org",
        "skgr",
        "--period",
        "2026",
        "--item",
        "udskrevne-borgere",
        "--status",
        "done",
        "--note",
        "\u{200b}\u{feff}",
        "--by",
        "T",
    ]);
    assert!(err.to_lowercase().contains("note"), "{err}");
}

#[test]
fn stored_control_characters_are_printed_escaped() {
    let env = Env::new();
    env.record("udskrevne-borgere");
    // As the old binary stored it: a review signed by a name with escape sequences.
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    conn.execute(
        "INSERT INTO event (seq, at, org, period, kind, payload, prev_hash, hash)
         SELECT 2, at, org, '2026-11', 'review-signed', ?1, hash, hash FROM event WHERE seq = 1",
        [serde_json::json!({"type": "review-signed", "by": "Eve\u{1b}]0;PWNED\u{7}\u{1b}[2J\rOVER", "role": "Leder\u{1b}[31m"}).to_string()],
    )
    .unwrap();
    drop(conn);
    let out = env.run(&["status", "--date", "2026-11-22"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.is_empty() || !stderr.contains('\u{1b}'),
        "{stderr:?}"
    );
    assert!(
        !stdout.chars().any(|c| c.is_control() && c != '\n'),
        "{stdout:?}"
    );
    assert!(
        stdout.contains("Eve\\u{1b}]0;PWNED\\u{7}\\u{1b}[2J\\u{d}OVER"),
        "{stdout}"
    );
}

// 9. Plain messages ---------------------------------------------------------------------------

fn lists_with(env: &Env, files: &[(&str, &str)]) -> PathBuf {
    let dir = env.dir.path().join("lists");
    std::fs::create_dir_all(&dir).unwrap();
    for (name, text) in files {
        std::fs::write(dir.join(name), text).unwrap();
    }
    dir
}

#[test]
fn the_toml_parsers_errors_are_said_in_plain_danish_with_file_line_col() {
    let env = Env::new();
    let skgr =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("checklists/skgr.toml"))
            .unwrap();
    let cases = [
        (
            skgr.replacen("walkthrough = true", "walkthrough = \"yes\"", 1),
            "forkert slags værdi: teksten \"yes\" står, hvor der skal stå true eller false",
        ),
        (
            skgr.replacen("\ntitle = ", "\ntitel = ", 1),
            "ukendt felt `titel`; mente du `title`?",
        ),
        (
            skgr.replacen("\ntitle = \"", "\ntitle = \"ab\n", 1),
            "teksten mangler sit afsluttende anførselstegn",
        ),
    ];
    for (text, expected) in cases {
        let dir = lists_with(&env, &[("a.toml", &text)]);
        let err = env.refused(&["--lang", "da", "validate", dir.to_str().unwrap()]);
        assert!(err.contains(expected), "{err}");
        assert!(
            err.lines()
                .next()
                .unwrap()
                .split(':')
                .nth(2)
                .is_some_and(|l| l.parse::<u32>().is_ok()),
            "file:line:col: {err}"
        );
        for english in ["invalid", "expected", "unknown field", "string"] {
            assert!(!err.contains(english), "{english} in {err}");
        }
    }
    // The same organisation twice: named with line and column.
    let dir = lists_with(&env, &[("a.toml", &skgr), ("b.toml", &skgr)]);
    let err = env.refused(&["--lang", "da", "validate", dir.to_str().unwrap()]);
    let line = skgr
        .lines()
        .position(|l| l.starts_with("id = \"skgr\""))
        .unwrap()
        + 1;
    assert!(
        err.contains(&format!(
            "b.toml:{line}:6: organisations-id `skgr` bruges også i"
        )),
        "{err}"
    );
}

/// Runs `verify-db` after `sql` was run on a store of three events; returns stdout.
fn verify_db_after(sql: &str) -> (Option<i32>, String) {
    let env = Env::new();
    for item in [
        "udskrevne-borgere",
        "interne-retningslinjer",
        "firewall-virus",
    ] {
        env.record(item);
    }
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    conn.execute_batch(sql).unwrap();
    drop(conn);
    let out = env.run(&["verify-db"]);
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(stderr.is_empty(), "{stderr}");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).to_string(),
    )
}

#[test]
fn verify_db_names_the_event_for_damage_sqlite_reads_strangely() {
    let no_triggers =
        "DROP TRIGGER event_append_only_update; DROP TRIGGER event_append_only_delete;";
    let cases = [
        (
            format!("{no_triggers} UPDATE event SET payload = CAST(payload AS BLOB) WHERE seq = 2;"),
            "broken at event 2: its field payload cannot be read as text (BLOB, ",
        ),
        (
            format!("{no_triggers} UPDATE event SET org = CAST(X'FF00FE' AS TEXT) WHERE seq = 2;"),
            "broken at event 2: its field org cannot be read as text",
        ),
        (
            "DROP TABLE event;".to_string(),
            "the table event is missing from the database",
        ),
        (
            "INSERT INTO event SELECT 0, at, org, period, kind, payload, prev_hash, hash FROM event WHERE seq = 1;".to_string(),
            "broken at event 0: its number comes before events already checked",
        ),
    ];
    for (sql, expected) in cases {
        let (code, out) = verify_db_after(&sql);
        assert_eq!(code, Some(1), "{sql}: {out}");
        assert!(out.contains(expected), "{sql}: {out}");
        assert!(!out.contains("–-1"), "{out}");
    }
}

#[test]
fn an_event_edited_with_its_own_hash_recomputed_is_blamed_on_itself() {
    let env = Env::new();
    for item in [
        "udskrevne-borgere",
        "interne-retningslinjer",
        "firewall-virus",
    ] {
        env.record(item);
    }
    // Change event 2's note and give it a matching hash: only event 3 still remembers.
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    let (at, org, period, kind, payload, prev): (String, String, String, String, String, String) =
        conn.query_row(
            "SELECT at, org, period, kind, payload, prev_hash FROM event WHERE seq = 2",
            [],
            |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                ))
            },
        )
        .unwrap();
    let payload = payload.replace("\"x\"", "\"intet fundet\"");
    let row = aarshjul::store::chain::Row {
        seq: 2,
        at,
        org,
        period,
        kind,
        payload: payload.clone(),
        prev_hash: prev,
    };
    conn.execute_batch("DROP TRIGGER event_append_only_update;")
        .unwrap();
    conn.execute(
        "UPDATE event SET payload = ?1, hash = ?2 WHERE seq = 2",
        [payload, row.hash()],
    )
    .unwrap();
    drop(conn);
    let out = env.run(&["verify-db"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout.contains("broken at event 2: its content and its hash were changed after it was written: event 3 remembers another hash for it"),
        "{stdout}"
    );
}
