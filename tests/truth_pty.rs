//! The screen on a damaged database, in a pseudo-terminal: it opens, says the database is
//! damaged, and a change is refused with nothing written.

use std::io::{Read, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};

const LIST: &str = r#"schema = 1
[organisation]
id = "demo"
name = "Demo Bosted"
policy = "Demos persondatapolitik"

[[item]]
id = "foerste"
cadence = "yearly"
title = "Første pligt"
source = "§1"

[[item]]
id = "anden"
cadence = "yearly"
title = "Anden pligt"
source = "§2"
"#;

fn aarshjul(dir: &Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_aarshjul"))
        .args(args)
        .env("AARSHJUL_DB", dir.join("data/aarshjul.sqlite"))
        .env("AARSHJUL_CHECKLISTS", dir.join("checklists"))
        .env("AARSHJUL_NOW", "2026-11-22T13:00:00Z")
        .env("LANG", "da_DK.UTF-8")
        .output()
        .unwrap()
}

fn events(db: &Path) -> i64 {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row("SELECT count(*) FROM event", [], |r| r.get(0))
        .unwrap()
}

#[test]
fn the_screen_opens_on_a_damaged_database_says_so_and_takes_no_change() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::create_dir(dir.join("checklists")).unwrap();
    std::fs::write(dir.join("checklists/demo.toml"), LIST).unwrap();
    let recorded = aarshjul(
        dir,
        &[
            "record", "--org", "demo", "--period", "2026", "--item", "foerste", "--status", "done",
            "--by", "H",
        ],
    );
    assert!(recorded.status.success());
    let db = dir.join("data/aarshjul.sqlite");
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute_batch(
        "DROP TRIGGER event_append_only_update;
         UPDATE event SET payload = replace(payload, '\"by\":\"H', '\"by\":\"X') WHERE seq = 1;",
    )
    .unwrap();
    drop(conn);

    let pty = native_pty_system()
        .openpty(PtySize {
            rows: 30,
            cols: 100,
            pixel_width: 0,
            pixel_height: 0,
        })
        .unwrap();
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_aarshjul"));
    cmd.cwd(dir);
    cmd.env("AARSHJUL_DB", &db);
    cmd.env("AARSHJUL_CHECKLISTS", dir.join("checklists"));
    cmd.env("AARSHJUL_NOW", "2026-11-22T13:00:00Z");
    cmd.env("LANG", "da_DK.UTF-8");
    cmd.env("TERM", "xterm-256color");
    let mut child = pty.slave.spawn_command(cmd).unwrap();
    drop(pty.slave);
    let mut reader = pty.master.try_clone_reader().unwrap();
    let mut writer = pty.master.take_writer().unwrap();
    let screen = Arc::new(Mutex::new(vt100::Parser::new(
        30.try_into().unwrap(),
        100.try_into().unwrap(),
        0,
    )));
    let s = screen.clone();
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                break;
            }
            s.lock().unwrap().process(&buf[..n]);
        }
    });
    let wait_for = |text: &str| {
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(10) {
            if screen.lock().unwrap().screen().contents().contains(text) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!(
            "waited for {text:?}; the screen shows:\n{}",
            screen.lock().unwrap().screen().contents()
        );
    };
    let mut send = |keys: &str| {
        writer.write_all(keys.as_bytes()).unwrap();
        writer.flush().unwrap();
    };

    // The overview reads, and says the database is damaged at event 1.
    wait_for("Årsgennemgang 2026");
    wait_for("Databasen er beskadiget ved hændelse 1");
    // A sign-off is refused by the store: the message names the event and the way out.
    send("\r");
    wait_for("Anden pligt");
    send("j\r");
    wait_for("Hvem registrerer?");
    send("H\r");
    wait_for(
        "Intet er skrevet: databasen er beskadiget ved hændelse 1; gendan den fra en sikkerhedskopi",
    );
    assert_eq!(events(&db), 1, "nothing was written");
    send("q");
    send("q");
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        assert!(start.elapsed() < Duration::from_secs(10), "did not exit");
        std::thread::sleep(Duration::from_millis(20));
    }
}
