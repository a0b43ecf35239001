//! The review record PDF, end to end: exported by the built binary, parsed back with lopdf
//! 0.47, its signature checked in Rust, tampered with, and verified.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use aarshjul::pdf::verify::{self, Problem, SignatureState};
use aarshjul::review::Change;
use aarshjul::store::Store;
use sha2::{Digest, Sha256};

struct Env {
    dir: tempfile::TempDir,
    /// The checklists the binary reads: the shipped ones unless [`Env::own_checklists`].
    checklists: PathBuf,
}

const YEAR: [&str; 4] = ["--org", "skgr", "--period", "2026"];

/// The yearly items of skgr with the notes they need; the firewall is a deviation.
const ITEMS: [(&str, &str, Option<&str>); 11] = [
    (
        "udskrevne-borgere",
        "done",
        Some("14 borgere slettet (frist 5 år, jf. »Årligt«); Serviceloven §§ 81–85 tjekket"),
    ),
    (
        "interne-retningslinjer",
        "done",
        Some("Håndbogen opdateret; personalet informeret på mail"),
    ),
    (
        "personalemoede-gennemgang",
        "done",
        Some("12/11 Krakasvej, 14 deltagere"),
    ),
    (
        "firewall-virus",
        "deviation",
        Some("To bærbare mangler opdatering.\nBestilt hos IT-leverandøren; følges op i januar."),
    ),
    (
        "fratraadte-medarbejdere",
        "done",
        Some("3 fratrådte; adgange lukket"),
    ),
    ("personoplysninger-12-maaneder", "done", None),
    ("databehandleraftaler", "done", Some("Ingen ændringer")),
    (
        "fysisk-sikring-botilbud",
        "not-applicable",
        Some("Botilbuddet er flyttet"),
    ),
    (
        "persondatapolitik-gennemgang",
        "done",
        Some("Ingen ændringer i politikken; firewall og logning kontrolleret"),
    ),
    ("politik-offentliggjort", "done", None),
    (
        "anmodninger-rettigheder",
        "done",
        Some("Ingen anmodninger i året"),
    ),
];

impl Env {
    fn new() -> Env {
        Env {
            dir: tempfile::tempdir().unwrap(),
            checklists: Path::new(env!("CARGO_MANIFEST_DIR")).join("checklists"),
        }
    }

    /// A copy of the shipped checklists the test may edit.
    fn own_checklists(mut self) -> Env {
        let copy = self.path("checklists");
        std::fs::create_dir(&copy).unwrap();
        for entry in std::fs::read_dir(&self.checklists).unwrap() {
            let entry = entry.unwrap();
            if entry.file_name().to_string_lossy().ends_with(".toml") {
                std::fs::copy(entry.path(), copy.join(entry.file_name())).unwrap();
            }
        }
        self.checklists = copy;
        self
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn db(&self) -> PathBuf {
        self.path("data/aarshjul.sqlite")
    }

    fn run_with(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_aarshjul"));
        cmd.args(args)
            .env("AARSHJUL_DB", self.db())
            .env("AARSHJUL_CHECKLISTS", &self.checklists)
            .env("AARSHJUL_NOW", "2026-11-22T13:00:00Z")
            .env("LANG", "en_GB.UTF-8")
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .env_remove("AARSHJUL_P12_PASSWORD")
            .current_dir(self.dir.path())
            .stdin(std::process::Stdio::null());
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.output().unwrap()
    }

    fn run(&self, args: &[&str]) -> Output {
        self.run_with(args, &[])
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
    fn refused_with(&self, args: &[&str], env: &[(&str, &str)]) -> String {
        let out = self.run_with(args, env);
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
        assert!(err.starts_with("aarshjul: "), "{err}");
        err
    }

    fn refused(&self, args: &[&str]) -> String {
        self.refused_with(args, &[])
    }

    fn record_year(&self) {
        for (item, status, note) in ITEMS {
            let mut args = vec!["record"];
            args.extend(YEAR);
            args.extend([
                "--item",
                item,
                "--status",
                status,
                "--by",
                "Henriette Salmon",
            ]);
            if let Some(n) = note {
                args.extend(["--note", n]);
            }
            self.ok(&args);
        }
    }

    fn sign_year(&self) {
        let mut args = vec!["sign"];
        args.extend(YEAR);
        args.extend(["--by", "Henriette Salmon", "--role", "Leder", "--no-action"]);
        self.ok(&args);
    }

    /// Exports the yearly review to `name`; returns the file's bytes.
    fn export(&self, name: &str, extra: &[&str]) -> Vec<u8> {
        let out = self.path(name);
        let mut args = vec!["export"];
        args.extend(YEAR);
        args.extend(["--out", out.to_str().unwrap()]);
        args.extend(extra);
        self.ok(&args);
        std::fs::read(out).unwrap()
    }

    fn signed_pdf(&self) -> Vec<u8> {
        self.record_year();
        self.sign_year();
        self.export("record.pdf", &[])
    }

    /// `aarshjul verify` on bytes written to a file: exit code and stdout.
    fn verify(&self, bytes: &[u8]) -> (i32, String) {
        let file = self.path("check.pdf");
        std::fs::write(&file, bytes).unwrap();
        let out = self.run(&["verify", file.to_str().unwrap()]);
        (
            out.status.code().unwrap(),
            String::from_utf8(out.stdout).unwrap(),
        )
    }
}

/// The text of each page, whitespace collapsed (genpdf writes each word on its own).
fn page_texts(bytes: &[u8]) -> Vec<String> {
    let doc = lopdf::Document::load_mem(bytes).unwrap();
    let pages = doc.get_pages();
    pages
        .keys()
        .map(|n| {
            let text = doc.extract_text(&[*n]).unwrap();
            text.split_whitespace().collect::<Vec<_>>().join(" ")
        })
        .collect()
}

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn signed_record_reads_back_with_danish_text_footer_and_embedded_fonts() {
    let env = Env::new();
    let bytes = env.signed_pdf();
    assert!(bytes.len() < 200 * 1024, "{} bytes", bytes.len());
    let pages = page_texts(&bytes);
    assert!(pages.len() >= 2, "{} pages", pages.len());
    let all = pages.join("\n");
    for text in [
        "Støttekontaktgruppen",
        "CVR 37292664",
        "Årsgennemgang 2026 1. januar–31. december 2026",
        "Afvigelser",
        "To bærbare mangler opdatering.",
        "Bestilt hos IT-leverandøren",
        "Serviceloven §§ 81–85",
        "»Årligt«",
        "Henriette Salmon (Leder), 22. november 2026 kl. 14:00",
        "Certifikatindehaver: CN=Støttekontaktgruppen, organizationIdentifier=NTRDK-37292664, O=Støttekontaktgruppen, C=DK",
        "Historik",
    ] {
        assert!(all.contains(text), "missing {text:?} in\n{all}");
    }
    let doc = lopdf::Document::load_mem(&bytes).unwrap();
    let meta = aarshjul::pdf::post::read_meta(&doc).unwrap();
    let fingerprint = meta.fingerprint;
    assert!(!meta.draft);
    assert_eq!(meta.fingerprint_version, 2);
    for (n, text) in pages.iter().enumerate() {
        let footer = format!("Side {} af {}", n + 1, pages.len());
        assert!(text.contains(&footer), "page {}: {text}", n + 1);
        assert!(
            text.contains(&fingerprint),
            "page {} lacks the fingerprint",
            n + 1
        );
        assert!(!text.contains("UDKAST"), "a signed record is no draft");
    }
    // Every font is embedded: a FontFile2 in each descriptor.
    let mut fonts = 0;
    for object in doc.objects.values() {
        if let Ok(dict) = object.as_dict()
            && dict.get(b"Type").and_then(|t| t.as_name()).ok() == Some(b"FontDescriptor")
        {
            fonts += 1;
            assert!(
                dict.get(b"FontFile2").is_ok(),
                "font not embedded: {dict:?}"
            );
        }
    }
    assert_eq!(fonts, 4);
    // The title is UTF-16 with a byte-order mark, not raw UTF-8.
    let info = doc.trailer.get(b"Info").unwrap().as_reference().unwrap();
    let title = doc.get_dictionary(info).unwrap().get(b"Title").unwrap();
    assert!(title.as_str().unwrap().starts_with(&[0xFE, 0xFF]));
    assert_eq!(
        lopdf::decode_text_string(title).unwrap(),
        "Årsgennemgang 2026 — 1. januar–31. december 2026"
    );
}

#[test]
fn signature_verifies_in_rust_and_the_export_is_recorded() {
    let env = Env::new();
    let bytes = env.signed_pdf();
    let checked = verify::check(&bytes).unwrap();
    match &checked.signature {
        SignatureState::Valid {
            signer,
            uncovered,
            signed_at,
            ..
        } => {
            assert_eq!(
                signer,
                "CN=Støttekontaktgruppen, organizationIdentifier=NTRDK-37292664, O=Støttekontaktgruppen, C=DK"
            );
            assert_eq!(*uncovered, 0);
            assert_eq!(signed_at.unwrap().to_rfc3339(), "2026-11-22T13:00:00+00:00");
        }
        other => panic!("{other:?}"),
    }
    let (code, out) = env.verify(&bytes);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("Verdict: VALID — "), "{out}");
    assert!(out.contains("matches the review as it stands"), "{out}");
    assert!(
        out.contains("the file was exported by this database"),
        "{out}"
    );
    assert!(
        out.contains("the certificate is the one this database"),
        "{out}"
    );
    assert!(out.contains("Certificate: self-signed"), "{out}");

    let store = Store::open(&env.db()).unwrap();
    let events = store
        .review_events("skgr", "2026".parse().unwrap())
        .unwrap();
    let Change::ExportMade {
        sha256: recorded,
        fingerprint,
        draft,
        file,
        certificate_sha256,
    } = &events.last().unwrap().change
    else {
        panic!("the export is not recorded: {events:?}");
    };
    assert_eq!(*recorded, sha256(&bytes));
    let SignatureState::Valid {
        certificate_sha256: signed_with,
        ..
    } = &checked.signature
    else {
        unreachable!()
    };
    assert_eq!(certificate_sha256.as_ref(), Some(signed_with));
    assert_eq!(
        Some(fingerprint.clone()),
        checked.meta.map(|m| m.fingerprint)
    );
    assert!(!draft);
    assert!(file.ends_with("record.pdf"));
    let identity = env.path("data/identity/skgr");
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(identity.join("key.pem"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    let shown = env.ok(&["identity", "show"]);
    assert!(
        shown.contains(
            "Holder: CN=Støttekontaktgruppen, organizationIdentifier=NTRDK-37292664, O=Støttekontaktgruppen, C=DK"
        ),
        "{shown}"
    );
    assert!(!shown.contains("PRIVATE"), "the key is never printed");

    // A second export signs with the same identity and leaves the fingerprint alone.
    let again = env.export("again.pdf", &[]);
    let again = verify::check(&again).unwrap();
    assert_eq!(again.meta.unwrap().fingerprint, *fingerprint);
}

#[test]
fn any_flipped_byte_in_the_signed_ranges_fails_verification() {
    let env = Env::new();
    let bytes = env.signed_pdf();
    let (b, c) = hole(&bytes);
    let len = bytes.len();
    // Many positions across both ranges, and the edges of each.
    let mut positions: Vec<usize> = (0..300).map(|i| i * b / 300).collect();
    positions.extend((0..60).map(|i| c + i * (len - c) / 60));
    positions.extend([0, 1, 5, 8, b - 1, c, c + 1, len - 1, len - 2]);
    for &at in &positions {
        let mut tampered = bytes.clone();
        tampered[at] ^= 0x04;
        match verify::check(&tampered) {
            Err(_) => assert!(at < 5, "only the header makes it unreadable ({at})"),
            Ok(checked) => assert!(
                matches!(checked.signature, SignatureState::Invalid(_)),
                "byte {at} flipped but {:?}",
                checked.signature
            ),
        }
    }
    // And through the binary, a few of them.
    for &at in &[10, b / 2, b - 1, c, (c + len) / 2, len - 1] {
        let mut tampered = bytes.clone();
        tampered[at] ^= 0x04;
        let (code, out) = env.verify(&tampered);
        assert_eq!(code, 1, "byte {at}: {out}");
        assert!(out.contains("Signature: INVALID"), "{out}");
    }
    // A change of the content is reported as such.
    let mut tampered = bytes.clone();
    tampered[c + (len - c) / 2] ^= 0x04;
    let at = (100..b).find(|&i| bytes[i] == b'S').unwrap();
    tampered[at] = b'T';
    assert_eq!(
        verify::check(&tampered).unwrap().signature,
        SignatureState::Invalid(Problem::DigestMismatch)
    );
}

/// The `<…>` hole of the signature, from the byte range.
fn hole(bytes: &[u8]) -> (usize, usize) {
    let at = bytes.windows(10).rposition(|w| w == b"/ByteRange").unwrap();
    let rest = std::str::from_utf8(&bytes[at + 10..at + 80]).unwrap_or_default();
    let inner = &rest[rest.find('[').unwrap() + 1..rest.find(']').unwrap()];
    let n: Vec<usize> = inner
        .split_whitespace()
        .map(|s| s.parse().unwrap())
        .collect();
    assert_eq!(n[0], 0);
    assert_eq!(n[2] + n[3], bytes.len(), "covers the whole file");
    (n[1], n[2])
}

#[test]
fn an_appended_incremental_update_is_reported_as_not_covered() {
    let env = Env::new();
    let bytes = env.signed_pdf();
    let mut inc = lopdf::IncrementalDocument::load_from(&bytes[..]).unwrap();
    let info = inc
        .get_prev_documents()
        .trailer
        .get(b"Info")
        .unwrap()
        .as_reference()
        .unwrap();
    inc.opt_clone_object_to_new_document(info).unwrap();
    inc.new_document
        .get_dictionary_mut(info)
        .unwrap()
        .set("Title", lopdf::Object::string_literal("Rettet bagefter"));
    let mut updated = Vec::new();
    inc.save_to(&mut updated).unwrap();
    assert!(updated.starts_with(&bytes), "an incremental update appends");
    match verify::check(&updated).unwrap().signature {
        SignatureState::Valid { uncovered, .. } => {
            assert_eq!(uncovered, updated.len() - bytes.len())
        }
        other => panic!("{other:?}"),
    }
    let (code, out) = env.verify(&updated);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("does NOT cover the whole file"), "{out}");
}

#[test]
fn a_draft_says_so_on_every_page_and_is_not_signed() {
    let env = Env::new();
    env.record_year();
    let err = env.refused(&[
        "export", "--org", "skgr", "--period", "2026", "--out", "x.pdf",
    ]);
    assert!(err.contains("sign it first or use --draft"), "{err}");
    assert!(!env.path("x.pdf").exists());

    let bytes = env.export("draft.pdf", &["--draft"]);
    let pages = page_texts(&bytes);
    for (n, text) in pages.iter().enumerate() {
        assert!(
            text.contains("UDKAST"),
            "page {} has no UDKAST: {text}",
            n + 1
        );
    }
    assert!(
        pages[0].contains("Underskrevet: ikke underskrevet"),
        "{}",
        pages[0]
    );
    let checked = verify::check(&bytes).unwrap();
    assert_eq!(checked.signature, SignatureState::Unsigned);
    assert!(checked.meta.unwrap().draft, "marked as a draft");
    let (code, out) = env.verify(&bytes);
    assert_eq!(code, 1);
    assert!(out.contains("the file is a draft"), "{out}");
    assert!(
        !env.path("data/identity").exists(),
        "a draft makes no identity"
    );

    // The default path, beside the database.
    env.ok(&["export", "--org", "skgr", "--period", "2026", "--draft"]);
    assert!(env.path("data/exports/skgr-2026-udkast.pdf").exists());
}

#[test]
fn a_review_changed_after_export_is_reported_by_verify() {
    let env = Env::new();
    let bytes = env.signed_pdf();
    env.ok(&[
        "reopen",
        "--org",
        "skgr",
        "--period",
        "2026",
        "--by",
        "Henriette Salmon",
        "--reason",
        "Noten skal rettes",
    ]);
    let (code, out) = env.verify(&bytes);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("CHANGED"), "{out}");
    assert!(out.contains("Signature: valid"), "{out}");
}

#[test]
fn bad_input_is_one_clear_error() {
    let env = Env::new();
    let err = env.refused(&[
        "export", "--org", "nope", "--period", "2026", "--out", "x.pdf",
    ]);
    assert!(err.contains("Unknown organisation"), "{err}");
    let err = env.refused(&[
        "export", "--org", "skgr", "--period", "2026-Q5", "--out", "x.pdf",
    ]);
    assert!(err.contains("not a period key"), "{err}");
    let err = env.refused(&[
        "export", "--org", "skgr", "--period", "2026", "--out", "x.pdf",
    ]);
    assert!(err.contains("nothing recorded"), "{err}");

    env.record_year();
    env.sign_year();
    let err = env.refused(&[
        "export", "--org", "skgr", "--period", "2026-Q1", "--out", "x.pdf",
    ]);
    assert!(err.contains("nothing recorded"), "{err}");
    std::fs::write(env.path("file"), "x").unwrap();
    for out in ["file/x.pdf", "missing-dir/x.pdf", "."] {
        let err = env.refused(&["export", "--org", "skgr", "--period", "2026", "--out", out]);
        assert!(err.contains("cannot be written"), "{err}");
    }
    assert!(
        !env.path("data/identity").exists(),
        "a failed export makes no identity"
    );
    let leftovers: Vec<_> = std::fs::read_dir(env.dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "nothing half-written: {leftovers:?}");

    std::fs::write(env.path("not.pdf"), "hello").unwrap();
    let err = env.refused(&["verify", "not.pdf"]);
    assert!(err.contains("is not a PDF file"), "{err}");
    let err = env.refused(&["verify", "absent.pdf"]);
    assert!(err.contains("cannot be read"), "{err}");

    let shown = env.ok(&["identity", "show", "--org", "skgr"]);
    assert!(shown.contains("no identity yet"), "{shown}");
    env.export("first.pdf", &[]);
    std::fs::write(env.path("data/identity/skgr/key.pem"), "garbage").unwrap();
    let err = env.refused(&[
        "export", "--org", "skgr", "--period", "2026", "--out", "y.pdf",
    ]);
    assert!(err.contains("signing identity is damaged"), "{err}");
    assert!(!env.path("y.pdf").exists());
    let err = env.refused(&["identity", "show"]);
    assert!(err.contains("damaged"), "{err}");
}

#[test]
fn a_character_missing_from_the_font_is_shown_as_a_question_mark_and_reported() {
    let env = Env::new();
    env.ok(&[
        "record",
        "--org",
        "skgr",
        "--period",
        "2026",
        "--item",
        "politik-offentliggjort",
        "--status",
        "done",
        "--note",
        "Tjekket ✓ af Ёлка 😀",
        "--by",
        "H",
    ]);
    let out = env.run(&[
        "export", "--org", "skgr", "--period", "2026", "--draft", "--out", "g.pdf",
    ]);
    assert!(out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("U+1F600") && err.contains("U+0401"), "{err}");
    assert!(!err.contains("U+2713"), "✓ is in the font: {err}");
    let text = page_texts(&std::fs::read(env.path("g.pdf")).unwrap()).join(" ");
    assert!(text.contains("Tjekket ✓ af ???? ?"), "{text}");
}

/// Whether the `openssl` command is there for a test that needs it. Missing, the test is
/// skipped with the reason printed, but fails when the environment variable `CI` is set (as
/// CI services set it): a skipped test must not pass there unnoticed.
fn openssl() -> bool {
    let there = Command::new("openssl")
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !there {
        let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0");
        assert!(
            !ci,
            "CI is set but the openssl command is missing: install it (.ci/run does)"
        );
        eprintln!("SKIPPED: the openssl command is not installed (.ci/run installs it)");
    }
    there
}

/// Makes `name.p12` with an ECDSA P-256 (or other `key`) key and a certificate for `cn`.
fn make_p12(env: &Env, name: &str, key: &[&str], cn: &str, password: &str) -> PathBuf {
    let dir = env.dir.path();
    let key_file = dir.join(format!("{name}.key"));
    let cert_file = dir.join(format!("{name}.crt"));
    let p12 = dir.join(format!("{name}.p12"));
    let mut req = vec!["req", "-x509", "-utf8", "-newkey"];
    req.extend(key);
    req.extend(["-nodes", "-days", "30", "-subj"]);
    let subj = format!("/CN={cn}/O=Støttekontaktgruppen");
    req.push(&subj);
    let (k, c) = (key_file.to_str().unwrap(), cert_file.to_str().unwrap());
    req.extend(["-keyout", k, "-out", c]);
    let ok = Command::new("openssl").args(&req).output().unwrap();
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let pass = format!("pass:{password}");
    let ok = Command::new("openssl")
        .args(["pkcs12", "-export", "-inkey", k, "-in", c, "-out"])
        .arg(&p12)
        .args(["-passout", &pass])
        .output()
        .unwrap();
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    p12
}

#[test]
fn an_identity_imported_from_pkcs12_signs_the_record() {
    if !openssl() {
        return;
    }
    let env = Env::new();
    let ec = ["ec", "-pkeyopt", "ec_paramgen_curve:P-256"];
    let p12 = make_p12(&env, "oces", &ec, "Test Signer æøå", "hemmelig kode");
    let file = p12.to_str().unwrap();

    let import = ["identity", "import", "--org", "skgr", file];
    let err = env.refused_with(&import, &[("AARSHJUL_P12_PASSWORD", "forkert")]);
    assert!(err.contains("wrong password"), "{err}");
    assert!(!env.path("data/identity").exists(), "nothing stored");
    // Never another organisation's key.
    let err = env.refused_with(
        &[
            "identity",
            "import",
            "--org",
            "fordelingssekretariatet",
            file,
        ],
        &[("AARSHJUL_P12_PASSWORD", "hemmelig kode")],
    );
    assert!(
        err.contains(
            "the certificate is issued to Støttekontaktgruppen, not to Fordelingssekretariatet"
        ),
        "{err}"
    );
    assert!(!env.path("data/identity").exists(), "nothing stored");

    let out = env.run_with(&import, &[("AARSHJUL_P12_PASSWORD", "hemmelig kode")]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let shown = env.ok(&["identity", "show", "--org", "skgr"]);
    // RFC 4514 order, as openssl and pdfsig show it: the last name part first.
    assert!(
        shown.contains("Holder: O=Støttekontaktgruppen, CN=Test Signer æøå"),
        "{shown}"
    );
    assert!(shown.contains("Issuer: self-signed"), "{shown}");

    let bytes = env.signed_pdf();
    match verify::check(&bytes).unwrap().signature {
        SignatureState::Valid { signer, .. } => {
            assert_eq!(signer, "O=Støttekontaktgruppen, CN=Test Signer æøå")
        }
        other => panic!("{other:?}"),
    }

    // A short RSA key is refused.
    let rsa = make_p12(&env, "rsa", &["rsa:1024"], "RSA Signer", "x");
    let err = env.refused_with(
        &["identity", "import", "--org", "skgr", rsa.to_str().unwrap()],
        &[("AARSHJUL_P12_PASSWORD", "x")],
    );
    assert!(err.contains("RSA keys of 2048–4096 bits"), "{err}");
    // Not a PKCS#12 file at all.
    let err = env.refused_with(
        &[
            "identity",
            "import",
            "--org",
            "skgr",
            env.db().to_str().unwrap(),
        ],
        &[("AARSHJUL_P12_PASSWORD", "x")],
    );
    assert!(err.contains("is not a PKCS#12 file"), "{err}");
    // No password and no terminal to ask on.
    let err = env.refused_with(&import, &[]);
    assert!(err.contains("AARSHJUL_P12_PASSWORD"), "{err}");
    // The imported identity is still the one in use.
    assert!(env.ok(&["identity", "show"]).contains("Test Signer"));
}

/// Every `.tmp` file left in `dir` (a failed export must leave none).
fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect()
}

fn export_args(out: &str, extra: &[&'static str]) -> Vec<String> {
    let mut args: Vec<String> = ["export", "--org", "skgr", "--period", "2026", "--out", out]
        .map(String::from)
        .to_vec();
    args.extend(extra.iter().map(|s| s.to_string()));
    args
}

fn strs(args: &[String]) -> Vec<&str> {
    args.iter().map(String::as_str).collect()
}

#[test]
fn an_existing_file_is_replaced_only_with_force() {
    let env = Env::new();
    env.record_year();
    env.sign_year();
    let out = env.path("mine.pdf");
    std::fs::write(&out, "someone's own file").unwrap();
    let args = export_args(out.to_str().unwrap(), &[]);
    let err = env.refused(&strs(&args));
    assert!(
        err.contains("already exists") && err.contains("--force"),
        "{err}"
    );
    assert_eq!(std::fs::read(&out).unwrap(), b"someone's own file");
    assert!(leftovers(env.dir.path()).is_empty());
    let before = Store::open(&env.db()).unwrap().all_events().unwrap().len();

    let args = export_args(out.to_str().unwrap(), &["--force"]);
    let printed = env.ok(&strs(&args));
    assert!(printed.contains("replaced the file there"), "{printed}");
    let bytes = std::fs::read(&out).unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    let events = Store::open(&env.db()).unwrap().all_events().unwrap();
    assert_eq!(events.len(), before + 1, "one export recorded, not two");
    assert_eq!(env.verify(&bytes).0, 0);

    // In Danish, too.
    let out = env.run_with(
        &strs(&export_args(out.to_str().unwrap(), &[])),
        &[("LANG", "da_DK.UTF-8")],
    );
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(err.contains("filen findes allerede"), "{err}");
}

#[test]
fn the_database_and_the_identity_are_never_export_targets() {
    let env = Env::new();
    env.record_year();
    env.sign_year();
    env.export("first.pdf", &[]);
    let db = env.db();
    let db_bytes = std::fs::read(&db).unwrap();
    let key = std::fs::read(env.path("data/identity/skgr/key.pem")).unwrap();
    let wal = format!("{}-wal", db.display());
    let shm = format!("{}-shm", db.display());
    std::os::unix::fs::symlink(&db, env.path("link.pdf")).unwrap();
    for target in [
        db.to_str().unwrap(),
        "data/aarshjul.sqlite",
        "data/../data/aarshjul.sqlite",
        &wal,
        &shm,
        "link.pdf",
    ] {
        for force in [&[][..], &["--force"][..]] {
            let err = env.refused(&strs(&export_args(target, force)));
            assert!(
                err.contains("aarshjul's database") && err.contains("not even with --force"),
                "{target}: {err}"
            );
        }
    }
    for target in [
        "data/identity/key.pem",
        "data/identity/new.pdf",
        "data/identity",
    ] {
        let err = env.refused(&strs(&export_args(target, &["--force"])));
        assert!(
            err.contains("signing identity's directory"),
            "{target}: {err}"
        );
    }
    assert_eq!(
        std::fs::read(&db).unwrap(),
        db_bytes,
        "the database is intact"
    );
    assert_eq!(
        std::fs::read(env.path("data/identity/skgr/key.pem")).unwrap(),
        key
    );
    assert!(env.ok(&["verify-db"]).contains("intact"));
    assert!(leftovers(env.dir.path()).is_empty());
    assert!(leftovers(&env.path("data")).is_empty());
    assert!(leftovers(&env.path("data/identity")).is_empty());
}

#[test]
fn a_failed_append_leaves_the_previous_export_in_place() {
    let env = Env::new();
    let first = env.signed_pdf();
    let out = env.path("record.pdf");
    // Any further export event is refused by the database.
    rusqlite::Connection::open(env.db())
        .unwrap()
        .execute_batch(
            "CREATE TRIGGER no_exports BEFORE INSERT ON event WHEN NEW.kind = 'export-made'
             BEGIN SELECT RAISE(ABORT, 'no more exports'); END;",
        )
        .unwrap();
    let out_arg = out.to_str().unwrap().to_string();
    let err = env.refused(&strs(&export_args(&out_arg, &["--force"])));
    assert!(err.contains("no more exports"), "{err}");
    assert_eq!(
        std::fs::read(&out).unwrap(),
        first,
        "the previous export survives"
    );
    assert!(leftovers(env.dir.path()).is_empty());
    // Nor is a new file left behind at a fresh path.
    let err = env.refused(&strs(&export_args("fresh.pdf", &[])));
    assert!(err.contains("no more exports"), "{err}");
    assert!(!env.path("fresh.pdf").exists());
    assert!(leftovers(env.dir.path()).is_empty());
    assert_eq!(env.verify(&first).0, 0, "{}", env.verify(&first).1);
}

#[test]
fn the_default_path_replaces_its_own_export_but_nothing_else() {
    let env = Env::new();
    env.record_year();
    env.sign_year();
    let export = ["export", "--org", "skgr", "--period", "2026"];
    env.ok(&export);
    let path = env.path("data/exports/skgr-2026.pdf");
    let first = std::fs::read(&path).unwrap();
    let printed = env.ok(&export);
    assert!(printed.contains("replaced the file there"), "{printed}");
    assert_eq!(env.verify(&std::fs::read(&path).unwrap()).0, 0);
    // A file the database did not export is not replaced, not even an edited export.
    let mut edited = first.clone();
    edited.extend_from_slice(b"\n% a comment\n");
    std::fs::write(&path, &edited).unwrap();
    let err = env.refused(&export);
    assert!(err.contains("not an export of this review"), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), edited);
    // --force replaces it.
    let mut forced = export.to_vec();
    forced.push("--force");
    env.ok(&forced);
    assert_eq!(env.verify(&std::fs::read(&path).unwrap()).0, 0);
    assert!(leftovers(&env.path("data/exports")).is_empty());
}

/// The bytes in the `/Contents` hole, decoded: the DER signature and its zero padding.
fn hole_bytes(bytes: &[u8]) -> Vec<u8> {
    let (b, c) = hole(bytes);
    let hex = std::str::from_utf8(&bytes[b + 1..c - 1]).unwrap();
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect()
}

/// `bytes` with the hole holding `content` instead (same length), in lowercase hex.
fn with_hole(bytes: &[u8], content: &[u8]) -> Vec<u8> {
    let (b, c) = hole(bytes);
    let hex: String = content.iter().map(|x| format!("{x:02x}")).collect();
    assert_eq!(hex.len(), c - b - 2);
    let mut out = bytes.to_vec();
    out[b + 1..c - 1].copy_from_slice(hex.as_bytes());
    out
}

fn positions(haystack: &[u8], needle: &[u8]) -> Vec<usize> {
    haystack
        .windows(needle.len())
        .enumerate()
        .filter(|(_, w)| *w == needle)
        .map(|(i, _)| i)
        .collect()
}

#[test]
fn a_certificate_swapped_inside_the_signature_is_caught() {
    let env = Env::new();
    let bytes = env.signed_pdf();
    let der = hole_bytes(&bytes);
    assert_eq!(with_hole(&bytes, &der), bytes);
    // The signed attributes start with the content type; everything before them (the
    // certificate, and the signer's issuer and serial) is outside what the key signed.
    let content_type_attr = [
        0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x03,
    ];
    let signed_attrs = positions(&der, &content_type_attr)[0];
    let names = positions(&der[..signed_attrs], b"kontaktgruppen");
    assert_eq!(
        names.len(),
        6,
        "subject, issuer, and the signer's issuer: O and CN"
    );
    let mut swapped = der.clone();
    for at in names {
        swapped[at..at + 14].copy_from_slice(b"Mallory Impost");
    }
    let tampered = with_hole(&bytes, &swapped);
    assert_eq!(
        verify::check(&tampered).unwrap().signature,
        SignatureState::Invalid(Problem::OtherCertificate)
    );
    let (code, out) = env.verify(&tampered);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("Signature: INVALID") && out.contains("replaced or altered"),
        "{out}"
    );
    assert!(!out.contains("Mallory"), "{out}");
}

#[test]
fn any_changed_byte_inside_the_signature_hole_fails_verification() {
    let env = Env::new();
    let bytes = env.signed_pdf();
    let (b, c) = hole(&bytes);
    let der_len = {
        let content = hole_bytes(&bytes);
        content.len() - content.iter().rev().take_while(|&&x| x == 0).count()
    };
    let der_end = b + 1 + 2 * der_len;
    // Every other hex digit of the DER signature, and a sample of the padding; each set to
    // another digit, an uppercase one, or no digit at all, in turn.
    let mut at: Vec<usize> = (b + 1..der_end).step_by(2).collect();
    at.extend((der_end..c - 1).step_by(97));
    at.extend([b, c - 1, c - 2, der_end - 1, der_end]);
    let replacements = [b'0', b'7', b'f', b'A', b'g', b' '];
    for (n, &i) in at.iter().enumerate() {
        let digit = bytes[i];
        let mut new = replacements[n % replacements.len()];
        if new == digit {
            new = b'1';
        }
        let mut tampered = bytes.clone();
        tampered[i] = new;
        let state = verify::check(&tampered).map(|c| c.signature);
        assert!(
            matches!(state, Ok(SignatureState::Invalid(_))),
            "byte {i} ({}) set to {}: {state:?}",
            digit as char,
            new as char
        );
    }
}

/// Signs the yearly review as it stands in the database again, in the test, at `now`: with
/// the database's own identity, or with `identity`.
fn sign_again(env: &Env, identity: Option<aarshjul::pdf::Identity>, now: &str) -> Vec<u8> {
    let checklists = Path::new(env!("CARGO_MANIFEST_DIR")).join("checklists");
    let lists = aarshjul::checklist::load_dir(&checklists, aarshjul::i18n::Lang::Da).unwrap();
    let skgr = lists.iter().find(|l| l.organisation.id == "skgr").unwrap();
    let period = "2026".parse().unwrap();
    let events = Store::open(&env.db())
        .unwrap()
        .review_events("skgr", period)
        .unwrap();
    let identity = identity.unwrap_or_else(|| {
        aarshjul::pdf::Identity::load(&env.path("data/identity/skgr"))
            .unwrap()
            .unwrap()
    });
    let now = now.parse().unwrap();
    aarshjul::pdf::build(skgr, period, &events, false, Some(&identity), now)
        .unwrap()
        .bytes
}

#[test]
fn a_file_or_certificate_the_database_did_not_export_is_not_a_clean_valid() {
    let env = Env::new();
    env.signed_pdf();
    // Same identity, same review, but a file this database never recorded.
    let unrecorded = sign_again(&env, None, "2026-11-23T09:00:00Z");
    assert!(matches!(
        verify::check(&unrecorded).unwrap().signature,
        SignatureState::Valid { .. }
    ));
    let (code, out) = env.verify(&unrecorded);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("signature valid, BUT this file is not one this database exported"),
        "{out}"
    );
    assert!(
        out.contains("the certificate is the one this database"),
        "{out}"
    );
    assert!(!out.contains("Verdict: VALID"), "{out}");

    // Another certificate naming the same signer: valid signature, unknown certificate.
    let holder = aarshjul::pdf::Holder {
        organisation: "Støttekontaktgruppen",
        cvr: Some("37292664"),
    };
    let now = "2026-11-22T13:00:00Z".parse().unwrap();
    let stranger = aarshjul::pdf::Identity::self_signed(&holder, now).unwrap();
    let forged = sign_again(&env, Some(stranger), "2026-11-22T13:00:00Z");
    let (code, out) = env.verify(&forged);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(
            "signature valid, BUT this certificate is not one this database exported with"
        ),
        "{out}"
    );
    assert!(
        out.contains("the certificate is NOT one this database"),
        "{out}"
    );
    assert!(out.contains("Signed by: CN=Støttekontaktgruppen"), "{out}");

    // Without a database only the signature is checked, and said to be only that.
    let file = env.path("forged.pdf");
    std::fs::write(&file, &forged).unwrap();
    let out = env.run_with(
        &["verify", file.to_str().unwrap()],
        &[(
            "AARSHJUL_DB",
            env.path("elsewhere/none.sqlite").to_str().unwrap(),
        )],
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("no database to compare with"), "{text}");
    assert!(
        text.contains("Certificate: self-signed — not verified against a list of trusted issuers"),
        "{text}"
    );
    assert!(text.contains("Verdict: VALID SIGNATURE"), "{text}");
}

/// `bytes` with the inside of the `/ByteRange [ … ]` replaced by `text`, padded with spaces to
/// the same length.
fn with_range(bytes: &[u8], text: &str) -> Vec<u8> {
    let at = positions(bytes, b"/ByteRange")[0];
    let open = at + bytes[at..].iter().position(|&b| b == b'[').unwrap() + 1;
    let close = at + bytes[at..].iter().position(|&b| b == b']').unwrap();
    assert!(text.len() <= close - open, "{text} does not fit");
    let mut out = bytes.to_vec();
    out[open..close].fill(b' ');
    out[open..open + text.len()].copy_from_slice(text.as_bytes());
    out
}

fn structure_problem(bytes: &[u8]) -> String {
    match verify::check(bytes).unwrap().signature {
        SignatureState::Invalid(Problem::Structure(why)) => why,
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_second_signature_or_byte_range_is_not_covered() {
    let env = Env::new();
    let bytes = env.signed_pdf();
    let (b, c) = hole(&bytes);
    // An update appended after signing that brings a second signature dictionary, with a
    // byte range of its own covering the whole new file.
    let append = |dict: lopdf::Dictionary| {
        let mut inc = lopdf::IncrementalDocument::load_from(&bytes[..]).unwrap();
        inc.new_document.max_id = inc.get_prev_documents().max_id;
        inc.new_document.add_object(dict);
        let mut updated = Vec::new();
        inc.save_to(&mut updated).unwrap();
        assert!(updated.starts_with(&bytes));
        updated
    };
    let mut second = lopdf::Dictionary::new();
    second.set("Type", lopdf::Object::Name(b"Sig".to_vec()));
    second.set(
        "ByteRange",
        lopdf::Object::Array(
            [0, b as i64, c as i64, 999]
                .into_iter()
                .map(lopdf::Object::Integer)
                .collect(),
        ),
    );
    second.set(
        "Contents",
        lopdf::Object::String(vec![0; 8], lopdf::StringFormat::Hexadecimal),
    );
    let two_ranges = append(second);
    assert!(
        structure_problem(&two_ranges).contains("more than one /ByteRange"),
        "{}",
        structure_problem(&two_ranges)
    );
    let (code, out) = env.verify(&two_ranges);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("Signature: INVALID"), "{out}");
    assert!(!out.contains("Signature: valid"), "{out}");

    // A second signature dictionary without a byte range in plain text.
    let mut hidden = lopdf::Dictionary::new();
    hidden.set("Type", lopdf::Object::Name(b"Sig".to_vec()));
    let two_signatures = append(hidden);
    assert!(
        structure_problem(&two_signatures).contains("2 signature dictionaries"),
        "{}",
        structure_problem(&two_signatures)
    );
    // A second signature field.
    let mut field = lopdf::Dictionary::new();
    field.set("FT", lopdf::Object::Name(b"Sig".to_vec()));
    let two_fields = append(field);
    assert!(
        structure_problem(&two_fields).contains("2 signature fields"),
        "{}",
        structure_problem(&two_fields)
    );
}

#[test]
fn a_malformed_byte_range_or_contents_is_a_clean_error() {
    let env = Env::new();
    let bytes = env.signed_pdf();
    let (b, c) = hole(&bytes);
    let d = bytes.len() - c;
    let cases = [
        (format!("0 {b} {c}"), "four numbers"),
        (format!("0 {b}"), "four numbers"),
        (String::new(), "four numbers"),
        (format!("0 {b} {c} {d} 7"), "four numbers"),
        (format!("0 {c} {b} {d}"), "does not fit"),
        (format!("0 {b} {b} {d}"), "does not fit"),
        (format!("0 {b} {c} {}", d + 1), "does not fit"),
        (format!("0 {b} {} {d}", usize::MAX), "does not fit"),
        (format!("1 {b} {c} {}", d - 1), "does not fit"),
        (format!("0 {b} {c} x"), "other than numbers"),
        (format!("0 -{b} {c} {d}"), "other than numbers"),
        (format!("0 {} {c} {d}", b + 1), "does not surround"),
        (format!("0 {b} {} {d}", c - 1), "does not surround"),
        (format!("0 {b} {c} {}", d - 1), ""),
    ];
    for (range, why) in cases {
        let tampered = with_range(&bytes, &range);
        let state = verify::check(&tampered).unwrap().signature;
        match &state {
            SignatureState::Invalid(Problem::Structure(s)) => {
                assert!(s.contains(why), "[{range}]: {s}")
            }
            // A well-formed range that leaves bytes out: the signed bytes differ.
            SignatureState::Invalid(Problem::DigestMismatch) if why.is_empty() => {}
            other => panic!("[{range}]: {other:?}"),
        }
        let (code, out) = env.verify(&tampered);
        assert_eq!(code, 1, "[{range}]: {out}");
        assert!(out.contains("Signature: INVALID"), "[{range}]: {out}");
    }
    // The hole: a digit that is not hex, and an odd number of digits.
    let mut not_hex = bytes.clone();
    not_hex[b + 5] = b'z';
    assert!(structure_problem(&not_hex).contains("not lowercase hex"));
    let mut odd = with_range(&bytes, &format!("0 {b} {} {}", c - 1, d + 1));
    odd[c - 2] = b'>';
    assert!(
        structure_problem(&odd).contains("odd number"),
        "{}",
        structure_problem(&odd)
    );
    // No hole at all where the range says.
    let mut no_angle = bytes.clone();
    no_angle[b] = b'(';
    assert!(structure_problem(&no_angle).contains("does not surround"));
}

/// A small deterministic pseudo-random sequence (no dependency, same cases every run).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % below
    }
}

#[test]
fn truncated_and_mutated_records_never_panic_nor_pass() {
    let env = Env::new();
    let bytes = env.signed_pdf();
    let len = bytes.len();
    let mut rng = Lcg(0x5eed);
    let mut cases: Vec<Vec<u8>> = Vec::new();
    // Truncated anywhere, the edges included.
    let mut cuts: Vec<usize> = (0..120).map(|_| rng.next(len)).collect();
    cuts.extend([0, 1, 4, 5, 6, len - 1, len - 2, len / 2]);
    for cut in cuts {
        cases.push(bytes[..cut].to_vec());
    }
    // One to four bytes set to random values at random places.
    for _ in 0..200 {
        let mut mutated = bytes.clone();
        for _ in 0..1 + rng.next(4) {
            let at = rng.next(len);
            mutated[at] = rng.next(256) as u8;
        }
        if mutated != bytes {
            cases.push(mutated);
        }
    }
    for case in &cases {
        match verify::check(case) {
            Err(_) => assert!(
                !case.starts_with(b"%PDF-"),
                "only a lost header is unreadable"
            ),
            Ok(checked) => assert!(
                !matches!(
                    checked.signature,
                    SignatureState::Valid { uncovered: 0, .. }
                ),
                "a changed file passed ({} bytes)",
                case.len()
            ),
        }
    }
    // Through the binary, a few of them: an answer and an exit code, never a panic.
    for case in cases.iter().step_by(40) {
        let file = env.path("case.pdf");
        std::fs::write(&file, case).unwrap();
        let out = env.run(&["verify", file.to_str().unwrap()]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(matches!(out.status.code(), Some(1 | 2)), "{err}");
        assert!(!err.contains("panicked"), "{err}");
    }
}

#[test]
fn a_database_that_cannot_be_read_still_gets_a_verdict_about_the_file() {
    let env = Env::new();
    let bytes = env.signed_pdf();
    let file = env.path("kept.pdf");
    std::fs::write(&file, &bytes).unwrap();
    // Not aarshjul's database, and a damaged one.
    let foreign = env.path("foreign.sqlite");
    rusqlite::Connection::open(&foreign)
        .unwrap()
        .execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
        .unwrap();
    let damaged = env.path("damaged.sqlite");
    let mut junk = b"SQLite format 3\0".to_vec();
    junk.extend(std::iter::repeat_n(0xa5, 4096));
    std::fs::write(&damaged, junk).unwrap();
    for db in [&foreign, &damaged] {
        let out = env.run_with(
            &["verify", file.to_str().unwrap()],
            &[("AARSHJUL_DB", db.to_str().unwrap())],
        );
        let text = String::from_utf8(out.stdout).unwrap();
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(0), "{text}{err}");
        assert!(err.is_empty(), "{err}");
        assert!(
            text.contains("Signature: valid, covers the whole file"),
            "{text}"
        );
        assert!(
            text.contains("Database: could not compare with the database: "),
            "{text}"
        );
        assert!(text.contains("Verdict: VALID SIGNATURE"), "{text}");
    }
    // A changed file with an unreadable database is still reported as changed.
    let mut tampered = bytes.clone();
    tampered[200] ^= 0x04;
    std::fs::write(&file, &tampered).unwrap();
    let out = env.run_with(
        &["verify", file.to_str().unwrap()],
        &[("AARSHJUL_DB", foreign.to_str().unwrap())],
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("Verdict: INVALID"), "{text}");
}

#[test]
fn a_file_over_64_mb_is_not_parsed() {
    let env = Env::new();
    let big = env.path("big.pdf");
    let f = std::fs::File::create(&big).unwrap();
    f.set_len(64 * 1024 * 1024 + 1).unwrap();
    drop(f);
    let mut start = std::fs::OpenOptions::new().write(true).open(&big).unwrap();
    std::io::Write::write_all(&mut start, b"%PDF-1.7\n").unwrap();
    let err = env.refused(&["verify", big.to_str().unwrap()]);
    assert!(err.contains("over 64 MB"), "{err}");
    // An endless device is not read at all: only regular files are.
    let err = env.refused(&["verify", "/dev/zero"]);
    assert!(err.contains("is not a regular file"), "{err}");
    let mut huge = b"%PDF-1.7\n".to_vec();
    huge.resize(verify::MAX_FILE_BYTES + 1, b' ');
    assert_eq!(
        verify::check(&huge).unwrap_err(),
        verify::Unreadable::TooLarge
    );
}

#[test]
fn a_checklist_edited_after_export_leaves_the_record_verifiable() {
    let env = Env::new().own_checklists();
    let bytes = env.signed_pdf();
    let fingerprint = |b: &[u8]| verify::check(b).unwrap().meta.unwrap().fingerprint;
    // The organisation rewords an item's guidance after the review was signed and exported.
    let toml = env.checklists.join("skgr.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    let edited = text.replace(
        "Sammenhold med en liste over enhederne, så ingen computer mangler.",
        "Sammenhold med inventarlisten, så ingen computer eller tablet mangler.",
    );
    assert_ne!(edited, text);
    std::fs::write(&toml, edited).unwrap();

    let (code, out) = env.verify(&bytes);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("the fingerprint matches the review as it stands"),
        "{out}"
    );
    assert!(out.contains("Verdict: VALID — "), "{out}");

    // Exported again: the same record fingerprint, and this PDF flags the reworded item,
    // as the text changed since its sign-off; the earlier PDF flagged nothing.
    let again = env.export("again.pdf", &[]);
    assert_eq!(fingerprint(&again), fingerprint(&bytes));
    let flagged = "ændret i tjeklisten efter registreringen";
    assert!(!page_texts(&bytes).join(" ").contains(flagged));
    assert!(page_texts(&again).join(" ").contains(flagged));
    assert_eq!(env.verify(&again).0, 0);
    assert_eq!(env.verify(&bytes).0, 0, "the first export still verifies");
}

/// The `/Name` and `/Reason` of the signature dictionary.
fn name_and_reason(bytes: &[u8]) -> (String, String) {
    let doc = lopdf::Document::load_mem(bytes).unwrap();
    for object in doc.objects.values() {
        if let Ok(dict) = object.as_dict()
            && dict.has(b"ByteRange")
        {
            let text = |k: &[u8]| lopdf::decode_text_string(dict.get(k).unwrap()).unwrap();
            return (text(b"Name"), text(b"Reason"));
        }
    }
    panic!("no signature dictionary")
}

#[test]
fn the_signer_is_named_in_the_signature_not_in_the_organisations_certificate() {
    let env = Env::new();
    env.record_year();
    env.sign_year();
    let first = env.run(&strs(&export_args("first.pdf", &[])));
    assert!(first.status.success());
    let first = std::fs::read(env.path("first.pdf")).unwrap();
    let (name, reason) = name_and_reason(&first);
    assert_eq!(name, "Henriette Salmon");
    assert!(reason.starts_with("Leder — Årsgennemgang 2026"), "{reason}");
    let mut args = vec!["reopen"];
    args.extend(YEAR);
    args.extend(["--by", "Jens Hansen", "--reason", "Ny leder"]);
    env.ok(&args);
    let mut args = vec!["sign"];
    args.extend(YEAR);
    args.extend([
        "--by",
        "Jens Hansen",
        "--role",
        "Konstitueret leder",
        "--no-action",
    ]);
    env.ok(&args);
    let out = env.run(&strs(&export_args("second.pdf", &[])));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(out.status.success(), "{err}");
    assert!(!err.contains("Note:"), "{err}");
    let second = std::fs::read(env.path("second.pdf")).unwrap();
    let (name, reason) = name_and_reason(&second);
    assert_eq!(name, "Jens Hansen");
    assert!(reason.starts_with("Konstitueret leder — "), "{reason}");
    // The same organisation's certificate signs both.
    let cert = |bytes: &[u8]| match verify::check(bytes).unwrap().signature {
        SignatureState::Valid {
            certificate_sha256,
            organisation,
            ..
        } => (certificate_sha256, organisation),
        other => panic!("{other:?}"),
    };
    let (a, org) = cert(&first);
    assert_eq!(a, cert(&second).0);
    assert_eq!(org.name.as_deref(), Some("Støttekontaktgruppen"));
    assert_eq!(org.cvr.as_deref(), Some("37292664"));
    let (code, out) = env.verify(&second);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("Certificate's organisation: Støttekontaktgruppen (CVR 37292664)"),
        "{out}"
    );
}
