//! PAdES records signed with real certificates made by openssl: an RSA-3072 key under an
//! intermediate under a root, an ECDSA P-384 key, a legacy-encrypted PKCS#12 file; the n − s
//! rewrite; and trusted time from a time-stamping authority this test starts on 127.0.0.1.
//!
//! With `AARSHJUL_PADES_OUT=DIR` the records and the root certificates are copied to DIR, for
//! `.ci/run` to check them with pyHanko and pdfsig.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use aarshjul::pdf::verify::{self, Problem, SignatureState};
use der::{Decode, Encode};

const YEAR: [&str; 4] = ["--org", "skgr", "--period", "2026"];

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn new() -> Env {
        Env {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn run(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_aarshjul"));
        cmd.args(args)
            .env("AARSHJUL_DB", self.path("data/aarshjul.sqlite"))
            .env(
                "AARSHJUL_CHECKLISTS",
                Path::new(env!("CARGO_MANIFEST_DIR")).join("checklists"),
            )
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

    fn ok(&self, args: &[&str], env: &[(&str, &str)]) -> String {
        let out = self.run(args, env);
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.status.success(), "{args:?}: {text}");
        text
    }

    /// A signed yearly review of skgr (one item would do; all are recorded done).
    fn signed_review(&self) {
        let list = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("checklists/skgr.toml"),
        )
        .unwrap();
        let list: toml::Table = toml::from_str(&list).unwrap();
        for item in list["item"].as_array().unwrap() {
            if item["cadence"].as_str() != Some("yearly") {
                continue;
            }
            let id = item["id"].as_str().unwrap();
            let mut args = vec!["record"];
            args.extend(YEAR);
            args.extend([
                "--item",
                id,
                "--status",
                "done",
                "--note",
                "ok",
                "--by",
                "Henriette Salmon",
            ]);
            self.ok(&args, &[]);
        }
        let mut args = vec!["sign"];
        args.extend(YEAR);
        args.extend(["--by", "Henriette Salmon", "--role", "Leder"]);
        self.ok(&args, &[]);
    }

    fn import(&self, p12: &Path) -> String {
        self.ok(
            &["identity", "import", "--org", "skgr", p12.to_str().unwrap()],
            &[("AARSHJUL_P12_PASSWORD", "pw")],
        )
    }

    fn export(&self, name: &str, extra: &[&str]) -> Vec<u8> {
        let mut args = vec!["export"];
        args.extend(YEAR);
        args.extend(["--out", name, "--force"]);
        args.extend(extra);
        self.ok(&args, &[]);
        std::fs::read(self.path(name)).unwrap()
    }

    /// `aarshjul verify` on bytes: exit code and everything printed.
    fn verify(&self, bytes: &[u8]) -> (i32, String) {
        std::fs::write(self.path("check.pdf"), bytes).unwrap();
        let out = self.run(&["verify", "check.pdf"], &[]);
        (
            out.status.code().unwrap(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    }

    /// Runs openssl in the test's directory; panics with its message when it fails.
    fn openssl(&self, args: &[&str]) {
        let out = Command::new("openssl")
            .args(args)
            .current_dir(self.dir.path())
            .output()
            .expect("the openssl command (.ci/run installs it)");
        assert!(
            out.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn write(&self, name: &str, text: &str) {
        std::fs::write(self.path(name), text).unwrap();
    }

    /// A root CA, an intermediate CA under it, and an RSA-3072 leaf for Støttekontaktgruppen
    /// under that: `rsa.p12` (and `rsa-legacy.p12`, 3DES/RC2) with the chain, password "pw".
    fn rsa_chain(&self) {
        self.write(
            "ca.ext",
            "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n",
        );
        self.write(
            "leaf.ext",
            "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n",
        );
        self.write(
            "tsa.ext",
            "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=critical,timeStamping\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n",
        );
        self.openssl(&[
            "req",
            "-x509",
            "-newkey",
            "rsa:3072",
            "-nodes",
            "-keyout",
            "root.key",
            "-out",
            "root.pem",
            "-days",
            "3650",
            "-subj",
            "/CN=Test Root CA",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        ]);
        let issue = |name: &str, key: &str, subj: &str, ca: &str, ext: &str| {
            self.openssl(&[
                "req",
                "-new",
                "-utf8",
                "-newkey",
                key,
                "-nodes",
                "-keyout",
                &format!("{name}.key"),
                "-out",
                &format!("{name}.csr"),
                "-subj",
                subj,
            ]);
            self.openssl(&[
                "x509",
                "-req",
                "-in",
                &format!("{name}.csr"),
                "-CA",
                &format!("{ca}.pem"),
                "-CAkey",
                &format!("{ca}.key"),
                "-CAcreateserial",
                "-days",
                "3000",
                "-sha256",
                "-extfile",
                ext,
                "-out",
                &format!("{name}.pem"),
            ]);
        };
        issue(
            "int",
            "rsa:3072",
            "/CN=Test Intermediate CA",
            "root",
            "ca.ext",
        );
        issue(
            "leaf",
            "rsa:3072",
            "/C=DK/O=Støttekontaktgruppen/organizationIdentifier=NTRDK-37292664/CN=Henriette Salmon",
            "int",
            "leaf.ext",
        );
        issue(
            "tsa",
            "rsa:2048",
            "/O=Test TSA/CN=Test Time-Stamping Authority",
            "root",
            "tsa.ext",
        );
        let chain = [
            std::fs::read_to_string(self.path("int.pem")).unwrap(),
            std::fs::read_to_string(self.path("root.pem")).unwrap(),
        ]
        .concat();
        self.write("chain.pem", &chain);
        for (name, extra) in [("rsa.p12", None), ("rsa-legacy.p12", Some("-legacy"))] {
            let mut args = vec![
                "pkcs12",
                "-export",
                "-inkey",
                "leaf.key",
                "-in",
                "leaf.pem",
                "-certfile",
                "chain.pem",
                "-out",
                name,
                "-passout",
                "pass:pw",
            ];
            args.extend(extra);
            self.openssl(&args);
        }
    }

    /// A self-signed ECDSA P-384 certificate for Støttekontaktgruppen: `p384.p12`, password
    /// "pw", and its certificate `p384.pem`.
    fn p384(&self) {
        self.openssl(&[
            "req",
            "-x509",
            "-utf8",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-384",
            "-nodes",
            "-keyout",
            "p384.key",
            "-out",
            "p384.pem",
            "-days",
            "3000",
            "-subj",
            "/C=DK/O=Støttekontaktgruppen/CN=Støttekontaktgruppen",
            "-addext",
            "keyUsage=critical,digitalSignature,nonRepudiation",
        ]);
        self.openssl(&[
            "pkcs12", "-export", "-inkey", "p384.key", "-in", "p384.pem", "-out", "p384.p12",
            "-passout", "pass:pw",
        ]);
    }

    /// Keeps `bytes` as `name` in `AARSHJUL_PADES_OUT`, if set, with `files` of the test
    /// (named `<name without .pdf>-<file>`).
    fn keep(&self, name: &str, bytes: &[u8], files: &[&str]) {
        let Ok(out) = std::env::var("AARSHJUL_PADES_OUT") else {
            return;
        };
        let out = Path::new(&out);
        std::fs::create_dir_all(out).unwrap();
        std::fs::write(out.join(name), bytes).unwrap();
        let stem = name.trim_end_matches(".pdf");
        for f in files {
            std::fs::copy(self.path(f), out.join(format!("{stem}-{f}"))).unwrap();
        }
    }
}

/// The DER signature in the hole and where the hole's hex digits start and end.
fn hole(bytes: &[u8]) -> (usize, usize) {
    let doc = lopdf::Document::load_mem(bytes).unwrap();
    for object in doc.objects.values() {
        if let Ok(dict) = object.as_dict()
            && let Ok(range) = dict.get(b"ByteRange").and_then(|r| r.as_array())
        {
            let n: Vec<usize> = range.iter().map(|x| x.as_i64().unwrap() as usize).collect();
            return (n[1] + 1, n[2] - 1);
        }
    }
    panic!("no signature")
}

fn cms_of(bytes: &[u8]) -> Vec<u8> {
    let (a, b) = hole(bytes);
    let hex = std::str::from_utf8(&bytes[a..b]).unwrap();
    let raw: Vec<u8> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect();
    // The DER by its own length; zero padding follows it.
    let mut reader = der::SliceReader::new(&raw).unwrap();
    let header = der::Header::decode(&mut reader).unwrap();
    let len = (header.encoded_len().unwrap() + header.length).unwrap();
    raw[..usize::try_from(len).unwrap()].to_vec()
}

fn with_cms(bytes: &[u8], der: &[u8]) -> Vec<u8> {
    let (a, b) = hole(bytes);
    let mut hex: Vec<u8> = der
        .iter()
        .flat_map(|b| format!("{b:02x}").into_bytes())
        .collect();
    assert!(hex.len() <= b - a);
    hex.resize(b - a, b'0');
    let mut out = bytes.to_vec();
    out[a..b].copy_from_slice(&hex);
    out
}

fn signed_data(der: &[u8]) -> cms::signed_data::SignedData {
    let info = cms::content_info::ContentInfo::from_der(der).unwrap();
    info.content.decode_as().unwrap()
}

fn valid(bytes: &[u8]) -> SignatureState {
    let state = verify::check(bytes).unwrap().signature;
    assert!(matches!(state, SignatureState::Valid { .. }), "{state:?}");
    state
}

#[test]
fn an_rsa_key_under_an_intermediate_signs_a_pades_record_with_its_chain() {
    let env = Env::new();
    env.rsa_chain();
    env.signed_review();
    let said = env.import(&env.path("rsa.p12"));
    assert!(said.contains("Key: RSA 3072"), "{said}");
    assert!(
        said.contains("Chain: CN=Test Intermediate CA ← CN=Test Root CA"),
        "{said}"
    );
    let bytes = env.export("rsa.pdf", &[]);
    let SignatureState::Valid {
        subfilter,
        key,
        chain,
        organisation,
        self_signed,
        ..
    } = valid(&bytes)
    else {
        unreachable!()
    };
    assert_eq!(subfilter, "ETSI.CAdES.detached");
    assert_eq!(key, "RSA 3072");
    assert_eq!(chain, ["CN=Test Intermediate CA", "CN=Test Root CA"]);
    assert_eq!(organisation.cvr.as_deref(), Some("37292664"));
    assert_eq!(organisation.holder.as_deref(), Some("Henriette Salmon"));
    assert!(!self_signed);

    // The CMS: the chain embedded, no signing-time attribute, the ESS attribute, and a hole
    // no more than twice the signature.
    let der = cms_of(&bytes);
    let data = signed_data(&der);
    assert_eq!(data.certificates.as_ref().unwrap().0.len(), 3);
    let signer = data.signer_infos.0.iter().next().unwrap();
    let attrs: Vec<String> = signer
        .signed_attrs
        .as_ref()
        .unwrap()
        .iter()
        .map(|a| a.oid.to_string())
        .collect();
    assert!(
        !attrs.contains(&"1.2.840.113549.1.9.5".to_string()),
        "{attrs:?}"
    );
    assert!(
        attrs.contains(&"1.2.840.113549.1.9.16.2.47".to_string()),
        "{attrs:?}"
    );
    let (a, b) = hole(&bytes);
    assert!(
        (b - a) / 2 <= 2 * der.len(),
        "{} for {}",
        (b - a) / 2,
        der.len()
    );

    let (code, out) = env.verify(&bytes);
    assert_eq!(code, 0, "{out}");
    for line in [
        "Certificate's organisation: Støttekontaktgruppen (CVR 37292664)",
        "Holder: Henriette Salmon",
        "Key: RSA 3072",
        "Format: PAdES B-B (ETSI.CAdES.detached)",
        "Chain: CN=Test Intermediate CA ← CN=Test Root CA",
        "Time: 22 November 2026 14:00",
        "Verdict: VALID",
    ] {
        assert!(out.contains(line), "{line}: {out}");
    }
    env.keep("rsa-chain.pdf", &bytes, &["root.pem"]);

    // One flipped byte.
    let mut flipped = bytes.clone();
    flipped[3000] ^= 0x01;
    let (code, out) = env.verify(&flipped);
    assert_eq!(code, 1, "{out}");

    // The same key in a legacy-encrypted file imports and signs alike.
    let said = env.import(&env.path("rsa-legacy.p12"));
    assert!(said.contains("Key: RSA 3072"), "{said}");
    let bytes = env.export("legacy.pdf", &[]);
    assert_eq!(env.verify(&bytes).0, 0);
}

#[test]
fn a_p384_record_is_low_s_and_the_n_minus_s_rewrite_is_refused() {
    let env = Env::new();
    env.p384();
    env.signed_review();
    let said = env.import(&env.path("p384.p12"));
    assert!(said.contains("Key: ECDSA P-384"), "{said}");
    let bytes = env.export("p384.pdf", &[]);
    let (code, out) = env.verify(&bytes);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("Key: ECDSA P-384"), "{out}");
    env.keep("ecdsa-p384.pdf", &bytes, &["p384.pem"]);

    // s replaced by n − s: the same signature mathematically, another file.
    let der = cms_of(&bytes);
    let mut data = signed_data(&der);
    let mut signers: Vec<_> = data.signer_infos.0.iter().cloned().collect();
    let sig = p384::ecdsa::Signature::from_der(signers[0].signature.as_bytes()).unwrap();
    assert!(sig.normalize_s().is_none(), "signed low-S");
    let (r, s) = sig.split_scalars();
    let high = p384::ecdsa::Signature::from_scalars(r, -*s).unwrap();
    signers[0].signature = der::asn1::OctetString::new(high.to_der().as_bytes()).unwrap();
    data.signer_infos =
        cms::signed_data::SignerInfos(der::asn1::SetOfVec::try_from(signers).unwrap());
    let info = cms::content_info::ContentInfo {
        content_type: const_oid::db::rfc5911::ID_SIGNED_DATA,
        content: der::Any::encode_from(&data).unwrap(),
    };
    let rewritten = with_cms(&bytes, &info.to_der().unwrap());
    assert_ne!(rewritten, bytes);
    assert_eq!(
        verify::check(&rewritten).unwrap().signature,
        SignatureState::Invalid(Problem::HighS)
    );
    let (code, out) = env.verify(&rewritten);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("n − s"), "{out}");
    env.keep("ecdsa-p384-high-s.pdf", &rewritten, &[]);
}

#[test]
fn a_certificate_of_another_organisation_is_refused_and_named_by_verify() {
    let env = Env::new();
    env.p384();
    env.signed_review();
    // A record of skgr signed, outside aarshjul's export, with a certificate naming another
    // organisation: verify says so and exits 1.
    env.openssl(&[
        "req",
        "-x509",
        "-utf8",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        "o.key",
        "-out",
        "o.pem",
        "-days",
        "30",
        "-subj",
        "/O=Fordelingssekretariatet/CN=Karin Ølgaard",
    ]);
    env.openssl(&[
        "pkcs12", "-export", "-inkey", "o.key", "-in", "o.pem", "-out", "o.p12", "-passout",
        "pass:pw",
    ]);
    let out = env.run(
        &["identity", "import", "--org", "skgr", "o.p12"],
        &[("AARSHJUL_P12_PASSWORD", "pw")],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains(
            "issued to Fordelingssekretariatet, not to Støttekontaktgruppen (CVR 37292664)"
        ),
        "{err}"
    );

    // Importing it for its own organisation works; a record of skgr signed with it (by the
    // library, as someone else's tool could) is refused by verify.
    env.ok(
        &[
            "identity",
            "import",
            "--org",
            "fordelingssekretariatet",
            "o.p12",
        ],
        &[("AARSHJUL_P12_PASSWORD", "pw")],
    );
    let identity =
        aarshjul::pdf::Identity::load(&env.path("data/identity/fordelingssekretariatet"))
            .unwrap()
            .unwrap();
    let lists = aarshjul::checklist::load_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("checklists"),
        aarshjul::i18n::Lang::Da,
    )
    .unwrap();
    let skgr = lists.iter().find(|l| l.organisation.id == "skgr").unwrap();
    let period = "2026".parse().unwrap();
    let events = aarshjul::store::Store::open(&env.path("data/aarshjul.sqlite"))
        .unwrap()
        .review_events("skgr", period)
        .unwrap();
    let now = "2026-11-22T13:00:00Z".parse().unwrap();
    let bytes = aarshjul::pdf::build(skgr, period, &events, false, Some(&identity), now)
        .unwrap()
        .bytes;
    let (code, out) = env.verify(&bytes);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("Organisation: WRONG — the certificate is issued to Fordelingssekretariatet, but the review is Støttekontaktgruppen's"), "{out}");
    assert!(out.contains("Holder: Karin Ølgaard"), "{out}");
    assert!(out.contains("belongs to another organisation"), "{out}");
}

/// A time-stamping authority on 127.0.0.1: each POSTed query is answered by `openssl ts
/// -reply`, or with HTTP 500 when `fail`. Returns its address.
fn start_tsa(env: &Env, fail: bool) -> String {
    let dir = env.dir.path().to_path_buf();
    std::fs::write(dir.join("tsaserial"), "01\n").unwrap();
    env.write(
        "ts.cnf",
        &format!(
            "[ tsa ]\ndefault_tsa = tsa_config1\n[ tsa_config1 ]\ndir = {}\nserial = $dir/tsaserial\ncrypto_device = builtin\nsigner_cert = $dir/tsa.pem\nsigner_key = $dir/tsa.key\nsigner_digest = sha256\ndefault_policy = 1.2.3.4.1\ndigests = sha256, sha384, sha512\naccuracy = secs:1\nordering = no\ntsa_name = yes\ness_cert_id_chain = no\ness_cert_id_alg = sha256\n",
            dir.display()
        ),
    );
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/tsa", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for (n, stream) in listener.incoming().enumerate() {
            let Ok(mut stream) = stream else { continue };
            let mut data = Vec::new();
            let mut buf = [0u8; 4096];
            // Read the head, then the body by its Content-Length.
            let body = loop {
                let k = stream.read(&mut buf).unwrap_or(0);
                if k == 0 {
                    break None;
                }
                data.extend_from_slice(&buf[..k]);
                if let Some(end) = data.windows(4).position(|w| w == b"\r\n\r\n") {
                    let head = String::from_utf8_lossy(&data[..end]).to_lowercase();
                    let len: usize = head
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length:"))
                        .map(|v| v.trim().parse().unwrap())
                        .unwrap_or(0);
                    while data.len() < end + 4 + len {
                        let k = stream.read(&mut buf).unwrap_or(0);
                        if k == 0 {
                            break;
                        }
                        data.extend_from_slice(&buf[..k]);
                    }
                    break Some(data[end + 4..].to_vec());
                }
            };
            let Some(body) = body else { continue };
            if fail {
                let _ = stream.write_all(b"HTTP/1.0 500 Internal Server Error\r\n\r\n");
                continue;
            }
            let query = dir.join(format!("q{n}.tsq"));
            let reply = dir.join(format!("r{n}.tsr"));
            std::fs::write(&query, body).unwrap();
            let ok = Command::new("openssl")
                .args(["ts", "-reply", "-config"])
                .arg(dir.join("ts.cnf"))
                .arg("-queryfile")
                .arg(&query)
                .arg("-out")
                .arg(&reply)
                .output()
                .unwrap();
            assert!(
                ok.status.success(),
                "{}",
                String::from_utf8_lossy(&ok.stderr)
            );
            let reply = std::fs::read(&reply).unwrap();
            let head = format!(
                "HTTP/1.0 200 OK\r\nContent-Type: application/timestamp-reply\r\nContent-Length: {}\r\n\r\n",
                reply.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&reply);
        }
    });
    url
}

#[test]
fn a_timestamp_from_the_authority_makes_a_b_t_record() {
    let env = Env::new();
    env.rsa_chain();
    env.signed_review();
    env.import(&env.path("rsa.p12"));
    let url = start_tsa(&env, false);
    let bytes = env.export("bt.pdf", &["--tsa", &url]);
    let SignatureState::Valid { timestamp, .. } = valid(&bytes) else {
        unreachable!()
    };
    let stamp = timestamp.expect("a timestamp");
    assert!(
        stamp.authority.contains("Test Time-Stamping Authority"),
        "{stamp:?}"
    );
    let (code, out) = env.verify(&bytes);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("Format: PAdES B-T (ETSI.CAdES.detached)"),
        "{out}"
    );
    assert!(
        out.contains("checked, from O=Test TSA, CN=Test Time-Stamping Authority")
            || out.contains("checked, from CN=Test Time-Stamping Authority, O=Test TSA"),
        "{out}"
    );
    let der = cms_of(&bytes);
    let (a, b) = hole(&bytes);
    assert!(
        (b - a) / 2 <= 2 * der.len(),
        "{} for {}",
        (b - a) / 2,
        der.len()
    );
    assert!(der.len() <= (b - a) / 2);
    env.keep("rsa-chain-bt.pdf", &bytes, &["root.pem"]);

    // A changed token: the imprint or its signature no longer holds.
    let data = signed_data(&der);
    let signer = data.signer_infos.0.iter().next().unwrap();
    let token = signer
        .unsigned_attrs
        .as_ref()
        .unwrap()
        .iter()
        .next()
        .unwrap();
    let token = token.values.iter().next().unwrap().to_der().unwrap();
    let genpos = der
        .windows(token.len())
        .position(|w| w == token.as_slice())
        .unwrap();
    // Flip a byte inside the token's time (GeneralizedTime "2…Z").
    let t = token
        .windows(2)
        .position(|w| w == [0x18, 0x0f] || w == [0x18, 0x13])
        .unwrap();
    let mut changed = der.clone();
    changed[genpos + t + 5] ^= 0x01;
    let changed = with_cms(&bytes, &changed);
    match verify::check(&changed).unwrap().signature {
        SignatureState::Invalid(Problem::Timestamp(_)) => {}
        other => panic!("{other:?}"),
    }
    assert_eq!(env.verify(&changed).0, 1);

    // The database's setting makes every signed export, the terminal's too, ask for one.
    env.ok(&["identity", "tsa", &url], &[]);
    let said = env.ok(&["identity", "show", "--org", "skgr"], &[]);
    assert!(
        said.contains(&format!("Time-stamping authority: {url}")),
        "{said}"
    );
    let bytes = env.export("bt2.pdf", &[]);
    let SignatureState::Valid { timestamp, .. } = valid(&bytes) else {
        unreachable!()
    };
    assert!(timestamp.is_some());
    env.ok(&["identity", "tsa", "--off"], &[]);
    let bytes = env.export("bb.pdf", &[]);
    let SignatureState::Valid { timestamp, .. } = valid(&bytes) else {
        unreachable!()
    };
    assert!(timestamp.is_none());
}

#[test]
fn an_authority_that_cannot_be_reached_or_refuses_writes_nothing() {
    let env = Env::new();
    env.signed_review();
    // A port nobody listens on: bind one and let it go.
    let closed = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}/", l.local_addr().unwrap())
    };
    let failing = start_tsa(&env, true);
    for (url, says) in [
        (closed.as_str(), "cannot be reached"),
        (failing.as_str(), "refused the request (HTTP/1.0 500"),
        ("https://tsa.example/", "must begin with http://"),
    ] {
        let mut args = vec!["export"];
        args.extend(YEAR);
        args.extend(["--out", "x.pdf", "--tsa", url]);
        let out = env.run(&args, &[]);
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(2), "{url}: {err}");
        assert!(err.contains(says), "{url}: {err}");
        assert!(err.contains("nothing was written"), "{err}");
        assert_eq!(err.trim().lines().count(), 1, "one sentence: {err}");
        assert!(!env.path("x.pdf").exists());
    }
    let events = aarshjul::store::Store::open(&env.path("data/aarshjul.sqlite"))
        .unwrap()
        .review_events("skgr", "2026".parse().unwrap())
        .unwrap();
    assert!(
        !events.iter().any(aarshjul::record::is_export),
        "no export recorded"
    );
    // Nor is a bad address stored as the setting.
    let out = env.run(&["identity", "tsa", "ftp://x"], &[]);
    assert_eq!(out.status.code(), Some(2));
}
