//! The real binary in a pseudo-terminal: what only the real loop shows — the screen a user
//! sees, crash safety under SIGKILL, and the terminal given back on quit.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};

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

[[item]]
id = "tredje"
cadence = "yearly"
title = "Tredje pligt"
source = "§3"
walkthrough = true

[[walkthrough]]
title = "Tavshedspligt"
text = """Du har tavshedspligt.
Også efter fratræden."""

[[walkthrough]]
title = "Log ud"
text = "Log altid ud, når du går fra computeren."
"#;

/// One run of the binary in a 100×30 pseudo-terminal.
struct Session {
    master: Box<dyn MasterPty + Send>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn Child + Send + Sync>,
    screen: Arc<Mutex<vt100::Parser>>,
    raw: Arc<Mutex<Vec<u8>>>,
}

impl Session {
    fn start(dir: &Path, args: &[&str]) -> Session {
        let pty = native_pty_system()
            .openpty(PtySize {
                rows: 30,
                cols: 100,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_aarshjul"));
        cmd.args(args);
        cmd.cwd(dir);
        cmd.env("AARSHJUL_DB", dir.join("data/aarshjul.sqlite"));
        cmd.env("AARSHJUL_CHECKLISTS", dir.join("checklists"));
        cmd.env("AARSHJUL_NOW", "2026-11-22T13:00:00Z");
        cmd.env("LANG", "da_DK.UTF-8");
        cmd.env("TERM", "xterm-256color");
        let child = pty.slave.spawn_command(cmd).unwrap();
        drop(pty.slave);
        let mut reader = pty.master.try_clone_reader().unwrap();
        let writer = pty.master.take_writer().unwrap();
        let screen = Arc::new(Mutex::new(vt100::Parser::new(
            30.try_into().unwrap(),
            100.try_into().unwrap(),
            0,
        )));
        let raw = Arc::new(Mutex::new(Vec::new()));
        let (s, r) = (screen.clone(), raw.clone());
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                s.lock().unwrap().process(&buf[..n]);
                r.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        Session {
            master: pty.master,
            writer,
            child,
            screen,
            raw,
        }
    }

    fn contents(&self) -> String {
        self.screen.lock().unwrap().screen().contents()
    }

    /// Waits until the screen shows `text`; fails with the screen after 10 s.
    fn wait_for(&self, text: &str) {
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(10) {
            if self.contents().contains(text) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!(
            "waited for {text:?}; the screen shows:\n{}",
            self.contents()
        );
    }

    fn send(&mut self, bytes: &str) {
        self.writer.write_all(bytes.as_bytes()).unwrap();
        self.writer.flush().unwrap();
    }

    fn wait_exit(&mut self) -> portable_pty::ExitStatus {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "the program did not exit"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

fn setup() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("checklists")).unwrap();
    std::fs::write(dir.path().join("checklists/demo.toml"), LIST).unwrap();
    let path = dir.path().to_path_buf();
    (dir, path)
}

fn item_events(dir: &Path) -> Vec<String> {
    let conn = rusqlite::Connection::open(dir.join("data/aarshjul.sqlite")).unwrap();
    let mut stmt = conn
        .prepare("SELECT json_extract(payload, '$.item') FROM event WHERE kind = 'item-signed' ORDER BY seq")
        .unwrap();
    stmt.query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn confirmed_sign_offs_survive_sigkill() {
    let (_tmp, dir) = setup();
    let mut s = Session::start(&dir, &[]);
    s.wait_for("Årsgennemgang 2026");
    s.send("\r");
    s.wait_for("Første pligt");
    s.send("\r");
    s.wait_for("Hvem registrerer?");
    s.send("Henriette Salmon\r");
    s.wait_for("Gemt: Registreret »Første pligt«");
    s.send("\r");
    s.wait_for("Gemt: Registreret »Anden pligt«");
    // The screen said so: kill at once, no chance to flush or clean up.
    let pid = s.child.process_id().unwrap();
    std::process::Command::new("kill")
        .args(["-9", &pid.to_string()])
        .status()
        .unwrap();
    let status = s.wait_exit();
    assert!(!status.success());
    assert_eq!(item_events(&dir), ["foerste", "anden"]);

    // Restart: both are there, on screen too.
    let mut s = Session::start(&dir, &[]);
    s.wait_for("Årsgennemgang 2026");
    let line = s
        .contents()
        .lines()
        .find(|l| l.contains("Årsgennemgang 2026"))
        .unwrap()
        .to_string();
    assert!(line.contains("2/3"), "{line}");
    s.send("q");
    assert!(s.wait_exit().success());
    let verify = std::process::Command::new(env!("CARGO_BIN_EXE_aarshjul"))
        .args([
            "verify-db",
            "--db",
            dir.join("data/aarshjul.sqlite").to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stdout)
    );
}

#[test]
fn quitting_gives_the_terminal_back() {
    let (_tmp, dir) = setup();
    let mut s = Session::start(&dir, &[]);
    s.wait_for("Årsgennemgang 2026");
    assert!(s.screen.lock().unwrap().screen().alternate_screen());
    let termios = format!("{:?}", s.master.get_termios().unwrap().local_flags);
    assert!(
        !termios.contains("ICANON"),
        "raw mode while running: {termios}"
    );
    s.send("?");
    s.wait_for("Hjælp — taster");
    s.send("x");
    s.send("q");
    assert!(s.wait_exit().success());
    std::thread::sleep(Duration::from_millis(100));
    assert!(
        !s.screen.lock().unwrap().screen().alternate_screen(),
        "the alternate screen is left"
    );
    let termios = format!("{:?}", s.master.get_termios().unwrap().local_flags);
    assert!(
        termios.contains("ICANON") && termios.contains("ECHO"),
        "cooked mode again: {termios}"
    );
    let raw = String::from_utf8_lossy(&s.raw.lock().unwrap()).to_string();
    assert!(raw.contains("\x1b[?2004l"), "bracketed paste switched off");
    assert!(raw.contains("\x1b[?25h"), "cursor shown again");
}

#[test]
fn ctrl_c_quits_and_restores() {
    let (_tmp, dir) = setup();
    let mut s = Session::start(&dir, &[]);
    s.wait_for("Årsgennemgang 2026");
    s.send("\r");
    s.wait_for("Første pligt");
    s.send("\x03");
    assert_eq!(
        s.wait_exit().exit_code(),
        130,
        "Ctrl-C exits 130, as an interrupt does"
    );
    std::thread::sleep(Duration::from_millis(100));
    assert!(!s.screen.lock().unwrap().screen().alternate_screen());
}

#[test]
fn a_checklist_error_is_shown_before_the_terminal_is_touched() {
    let (_tmp, dir) = setup();
    std::fs::write(
        dir.join("checklists/demo.toml"),
        LIST.replace("cadence = \"yearly\"", "cadence = \"ugentlig\""),
    )
    .unwrap();
    let mut s = Session::start(&dir, &[]);
    let status = s.wait_exit();
    assert_eq!(status.exit_code(), 2);
    std::thread::sleep(Duration::from_millis(100));
    let raw = String::from_utf8_lossy(&s.raw.lock().unwrap()).to_string();
    assert!(
        raw.contains("demo.toml:9:11: ukendt kadence `ugentlig`"),
        "{raw}"
    );
    assert!(
        !raw.contains("\x1b[?1049h"),
        "the alternate screen was never entered"
    );
    assert!(
        !dir.join("data/aarshjul.sqlite").exists(),
        "no database created for a bad start"
    );
}

#[test]
fn a_walkthrough_through_the_real_binary() {
    let (_tmp, dir) = setup();
    let mut s = Session::start(&dir, &[]);
    s.wait_for("Årsgennemgang 2026");
    s.send("w");
    s.wait_for("1 / 2");
    s.wait_for("Du har tavshedspligt.");
    s.send(" ");
    s.wait_for("2 / 2");
    s.send("\x1b[C"); // →
    s.wait_for("Fremmøde ved personalemødet");
    // The form starts in the date (today's, kept with Enter).
    s.send("\rKontoret\rHenriette Salmon\r");
    // A pasted list, as bracketed paste.
    s.send("\x1b[200~Åse Ørsted\nBo Æbelø\n\x1b[201~");
    s.wait_for("Deltagere, én pr. linje (2)");
    s.send("\x13"); // Ctrl+S
    s.wait_for("Gemt: Personalemøde: Kontoret, 2 deltagere");
    s.send("q");
    assert!(s.wait_exit().success());
    assert_eq!(item_events(&dir), ["tredje"]);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_aarshjul"))
        .args(["status", "--json", "--date", "2026-11-22"])
        .env("AARSHJUL_DB", dir.join("data/aarshjul.sqlite"))
        .env("AARSHJUL_CHECKLISTS", dir.join("checklists"))
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let yearly = &json["reviews"][0];
    assert_eq!(yearly["walkthroughs"], 1);
    assert_eq!(yearly["done"], 1);
}

#[test]
fn the_walkthrough_command_opens_the_presentation_directly() {
    let (_tmp, dir) = setup();
    let mut s = Session::start(&dir, &["walkthrough", "--org", "demo"]);
    s.wait_for("1 / 2");
    s.send("\x1b");
    s.wait_for("Afbryd gennemgangen? Intet registreres.");
    s.send("j");
    s.wait_for("intet er registreret");
    s.send("q");
    assert!(s.wait_exit().success());
    assert!(item_events(&dir).is_empty());
}

#[test]
fn a_resize_to_tiny_and_back_is_survived() {
    let (_tmp, dir) = setup();
    let mut s = Session::start(&dir, &[]);
    s.wait_for("Årsgennemgang 2026");
    let size = |rows, cols| PtySize {
        rows,
        cols,
        pixel_width: 0,
        pixel_height: 0,
    };
    s.master.resize(size(10, 40)).unwrap();
    s.screen
        .lock()
        .unwrap()
        .screen_mut()
        .set_size(10.try_into().unwrap(), 40.try_into().unwrap());
    s.wait_for("Terminalen er for lille (40×10)");
    s.master.resize(size(30, 100)).unwrap();
    s.screen
        .lock()
        .unwrap()
        .screen_mut()
        .set_size(30.try_into().unwrap(), 100.try_into().unwrap());
    s.wait_for("Årsgennemgang 2026");
    s.send("q");
    assert!(s.wait_exit().success());
}

#[test]
fn a_too_small_screen_takes_no_keys_into_a_hidden_note() {
    let (_tmp, dir) = setup();
    let mut s = Session::start(&dir, &[]);
    s.wait_for("Årsgennemgang 2026");
    s.send("\r");
    s.wait_for("Første pligt");
    s.send("e");
    s.wait_for("Hvem registrerer?");
    s.send("Henriette Salmon\r");
    s.wait_for("Note (kladde)");
    s.send("Noten");
    s.wait_for("Noten");
    let size = |rows, cols| PtySize {
        rows,
        cols,
        pixel_width: 0,
        pixel_height: 0,
    };
    s.master.resize(size(15, 60)).unwrap();
    s.screen
        .lock()
        .unwrap()
        .screen_mut()
        .set_size(15.try_into().unwrap(), 60.try_into().unwrap());
    s.wait_for("Terminalen er for lille (60×15)");
    assert!(!s.contents().contains("tast q"), "{}", s.contents());
    s.send("q");
    // The small screen shows nothing when it ignores a key. Another small size, seen drawn,
    // proves the loop has read the q (crossterm may read a resize and a key that arrive
    // together resize first, but both before anything sent later): only then grow the window.
    s.master.resize(size(15, 61)).unwrap();
    s.screen
        .lock()
        .unwrap()
        .screen_mut()
        .set_size(15.try_into().unwrap(), 61.try_into().unwrap());
    s.wait_for("Terminalen er for lille (61×15)");
    s.master.resize(size(30, 100)).unwrap();
    s.screen
        .lock()
        .unwrap()
        .screen_mut()
        .set_size(30.try_into().unwrap(), 100.try_into().unwrap());
    // Wait for the large screen to be drawn again (the old text may linger a moment).
    let start = Instant::now();
    while s.contents().contains("for lille") || !s.contents().contains("Note (kladde)") {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "{}",
            s.contents()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    s.send("!");
    s.wait_for("Noten!");
    assert!(!s.contents().contains("Notenq"), "{}", s.contents());
    s.send("\x03"); // Ctrl+C
    assert_eq!(s.wait_exit().exit_code(), 130);
}

#[test]
fn a_deviation_gets_its_follow_up_on_screen_and_status_lists_it() {
    let (_tmp, dir) = setup();
    let mut s = Session::start(&dir, &[]);
    s.wait_for("Årsgennemgang 2026");
    s.send("\r");
    s.wait_for("Første pligt");
    s.send("a");
    s.wait_for("Hvem registrerer?");
    s.send("Henriette Salmon\r");
    s.wait_for("Hvad er galt");
    s.send("Aftalen mangler");
    s.send("\x13"); // Ctrl+S
    s.wait_for("Opfølgning på afvigelsen");
    s.send("Indhent aftalen\r");
    s.send("\r"); // the recorder is offered as responsible
    s.send("\r"); // 14 days on is offered: 06.12.2026
    s.wait_for("Gemt: Opfølgning »Første pligt«: Indhent aftalen");
    s.send("q");
    s.wait_for("⚑ Opfølgning, frist 06.12.2026 (om 14 dage): Indhent aftalen");
    s.send("q");
    assert!(s.wait_exit().success());
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_aarshjul"))
        .args(["status", "--within", "14"])
        .env("AARSHJUL_DB", dir.join("data/aarshjul.sqlite"))
        .env("AARSHJUL_CHECKLISTS", dir.join("checklists"))
        .env("AARSHJUL_NOW", "2026-11-22T13:00:00Z")
        .env("LANG", "da_DK.UTF-8")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(
            "Første pligt (2026): Indhent aftalen — Henriette Salmon, frist 06.12.2026 (om 14 dage)"
        ),
        "{text}"
    );
    assert_eq!(out.status.code(), Some(0), "nothing overdue yet");
}

/// Asserts that the terminal was given back: main screen, cooked mode, cursor shown.
fn assert_restored(s: &Session) {
    std::thread::sleep(Duration::from_millis(100));
    assert!(
        !s.screen.lock().unwrap().screen().alternate_screen(),
        "the alternate screen is left"
    );
    let termios = format!("{:?}", s.master.get_termios().unwrap().local_flags);
    assert!(
        termios.contains("ICANON") && termios.contains("ECHO"),
        "cooked mode again: {termios}"
    );
    let raw = String::from_utf8_lossy(&s.raw.lock().unwrap()).to_string();
    assert!(raw.contains("\x1b[?2004l"), "bracketed paste switched off");
    assert!(raw.contains("\x1b[?25h"), "cursor shown again");
}

#[test]
fn signals_give_the_terminal_back_and_exit_128_plus_the_signal() {
    for (name, number) in [("TERM", 15), ("HUP", 1), ("INT", 2), ("QUIT", 3)] {
        let (_tmp, dir) = setup();
        let mut s = Session::start(&dir, &[]);
        s.wait_for("Årsgennemgang 2026");
        s.send("\r");
        s.wait_for("Første pligt");
        let pid = s.child.process_id().unwrap();
        std::process::Command::new("kill")
            .args([&format!("-{name}"), &pid.to_string()])
            .status()
            .unwrap();
        let status = s.wait_exit();
        assert_eq!(status.exit_code(), 128 + number, "SIG{name}");
        assert_restored(&s);
    }
}

#[test]
fn work_done_elsewhere_appears_on_the_open_screen() {
    let (_tmp, dir) = setup();
    let mut s = Session::start(&dir, &[]);
    s.wait_for("Årsgennemgang 2026");
    let row = |s: &Session| {
        s.contents()
            .lines()
            .find(|l| l.contains("Årsgennemgang 2026"))
            .unwrap_or_default()
            .to_string()
    };
    assert!(row(&s).contains("0/3"), "{}", row(&s));
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_aarshjul"))
        .args([
            "record",
            "--org",
            "demo",
            "--period",
            "2026",
            "--item",
            "foerste",
            "--status",
            "done",
            "--by",
            "Karin Ølgaard",
        ])
        .env("AARSHJUL_DB", dir.join("data/aarshjul.sqlite"))
        .env("AARSHJUL_CHECKLISTS", dir.join("checklists"))
        .env("AARSHJUL_NOW", "2026-11-22T13:02:00Z")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // No key pressed: the screen notices by itself.
    let start = Instant::now();
    while !row(&s).contains("1/3") {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "the screen stayed stale:\n{}",
            s.contents()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    s.send("\r");
    s.wait_for("Karin Ølgaard");
    s.send("q");
    s.send("q");
    assert!(s.wait_exit().success());
}
