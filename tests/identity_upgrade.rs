//! A database and its single signing identity as the release before identities per
//! organisation left them (tests/fixtures/legacy-identity, made with that release's binary):
//! what the current binary makes of them.

use std::path::Path;
use std::process::{Command, Output};

const OLD_CERT: &str = "75e298312e6ffe895ab89c02db40ef5afbeada96c7f0c2d2797b45107ab94f08";

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_aarshjul"))
        .args(args)
        .env("AARSHJUL_DB", dir.join("data/aarshjul.sqlite"))
        .env(
            "AARSHJUL_CHECKLISTS",
            Path::new(env!("CARGO_MANIFEST_DIR")).join("checklists"),
        )
        .env("AARSHJUL_NOW", "2026-11-23T13:00:00Z")
        .env("LANG", "en_GB.UTF-8")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .current_dir(dir)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap()
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn the_single_identity_goes_to_the_organisation_its_certificate_names() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/legacy-identity"),
        dir,
    );
    let identity = dir.join("data/identity");

    // The record the old release signed for Fordelingssekretariatet with Støttekontaktgruppen's
    // certificate: its signature holds, but it is now called what it is.
    let out = run(dir, &["verify", "fordelingssekretariatet-2026.pdf"]);
    let said = text(&out);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(
        said.contains("Organisation: WRONG — the certificate is issued to Støttekontaktgruppen, but the review is Fordelingssekretariatet's"),
        "{said}"
    );
    assert!(
        said.contains("Format: adbe.pkcs7.detached (older form, before PAdES)"),
        "{said}"
    );
    assert!(said.contains("Time: 22 November 2026 14:00"), "{said}");

    let out = run(dir, &["identity", "show"]);
    let said = text(&out);
    assert!(out.status.success(), "{said}");
    assert!(said.contains("former shared identity"), "{said}");
    assert!(said.contains(OLD_CERT), "{said}");

    // Fordelingssekretariatet does not take a certificate naming another organisation: it
    // gets its own, and the old one stays.
    let out = run(
        dir,
        &[
            "export",
            "--org",
            "fordelingssekretariatet",
            "--period",
            "2026",
            "--out",
            "f.pdf",
        ],
    );
    let said = text(&out);
    assert!(out.status.success(), "{said}");
    assert!(
        said.contains(
            "Digitally signed by: CN=Fordelingssekretariatet, O=Fordelingssekretariatet, C=DK"
        ),
        "{said}"
    );
    assert!(identity.join("key.pem").exists());
    assert!(identity.join("fordelingssekretariatet/key.pem").exists());

    // Støttekontaktgruppen, which the certificate names, adopts it: the same certificate
    // signs its records, now from its own directory.
    let out = run(
        dir,
        &[
            "export", "--org", "skgr", "--period", "2026", "--out", "s.pdf",
        ],
    );
    let said = text(&out);
    assert!(out.status.success(), "{said}");
    assert!(said.contains("is now its own identity"), "{said}");
    assert!(said.contains(OLD_CERT), "{said}");
    assert!(!identity.join("key.pem").exists());
    assert!(!identity.join("cert.pem").exists());
    assert!(identity.join("skgr/key.pem").exists());

    for file in ["f.pdf", "s.pdf"] {
        let out = run(dir, &["verify", file]);
        let said = text(&out);
        assert_eq!(out.status.code(), Some(0), "{file}: {said}");
        assert!(
            said.contains("Format: PAdES B-B (ETSI.CAdES.detached)"),
            "{said}"
        );
        assert!(!said.contains("WRONG"), "{said}");
    }
    // Nothing more to adopt; a second export needs no note.
    let out = run(
        dir,
        &[
            "export", "--org", "skgr", "--period", "2026", "--out", "s2.pdf",
        ],
    );
    let said = text(&out);
    assert!(out.status.success() && !said.contains("Note:"), "{said}");
    assert!(said.contains(OLD_CERT), "{said}");
}
