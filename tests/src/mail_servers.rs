//! Real mail servers on 127.0.0.1 for the tests, started and stopped by the test itself:
//! `aiosmtpd` (from the project's `.venv`, see `infra/lib.sh`) for SMTP, Dovecot (Debian's
//! `dovecot-imapd`, which `infra/test.sh` installs when missing) for IMAP.
//!
//! A server that is not installed is a failure under `CI` and a skip with a printed note
//! elsewhere, like the public corpus.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn servers_dir() -> PathBuf {
    crate::workspace_root().join("tests/servers")
}

/// The venv's Python (aiosmtpd, cryptography), if it is there.
pub fn venv_python() -> Option<PathBuf> {
    let py = crate::workspace_root().join(".venv/bin/python3");
    let ok = Command::new(&py)
        .args(["-c", "import aiosmtpd, cryptography"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    ok.then_some(py)
}

fn missing(what: &str) {
    if std::env::var_os("CI").is_some() {
        panic!("{what} is missing; infra/test.sh installs it and CI must have it");
    }
    eprintln!("note: skipped, {what} is missing (infra/test.sh installs it)");
}

fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    l.local_addr().expect("its address").port()
}

fn wait_for_port(port: u16, child: &mut Child, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!("{what} exited before it listened: {status}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("{what} did not listen on 127.0.0.1:{port} within 20 s");
}

/// An aiosmtpd server: every message it accepts lands in `dir/mail/`; `set_mode` decides the
/// next answers (see `tests/servers/smtp_server.py`).
pub struct SmtpServer {
    child: Child,
    pub port: u16,
    pub dir: tempfile::TempDir,
    /// The CA that signed the server's certificate, when it speaks STARTTLS.
    pub ca_pem: Option<PathBuf>,
}

/// How an SMTP server is started.
#[derive(Default)]
pub struct SmtpOptions {
    /// AUTH required with this user and password.
    pub auth: Option<(String, String)>,
    /// STARTTLS offered and required (a certificate for `localhost` from a test CA).
    pub starttls: bool,
    /// With `starttls`: TLS from the first byte instead (SMTPS).
    pub implicit_tls: bool,
}

impl SmtpServer {
    pub fn start(opts: SmtpOptions) -> Option<SmtpServer> {
        let Some(py) = venv_python() else {
            missing("aiosmtpd in .venv");
            return None;
        };
        let dir = tempfile::tempdir().expect("a temporary folder");
        let mut cmd = Command::new(&py);
        cmd.arg(servers_dir().join("smtp_server.py"))
            .arg(dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        if let Some((u, p)) = &opts.auth {
            cmd.env("SMTP_USER", u).env("SMTP_PASS", p);
        }
        let mut ca_pem = None;
        if opts.starttls {
            let (ca, cert, key) = (
                dir.path().join("ca.pem"),
                dir.path().join("cert.pem"),
                dir.path().join("key.pem"),
            );
            let made = Command::new(&py)
                .arg(servers_dir().join("make_cert.py"))
                .args([&ca, &cert, &key])
                .status()
                .expect("python runs");
            assert!(made.success(), "make_cert.py failed");
            cmd.env("TLS_CERT", &cert).env("TLS_KEY", &key);
            if opts.implicit_tls {
                cmd.env("TLS_IMPLICIT", "1");
            }
            ca_pem = Some(ca);
        }
        let mut child = cmd.spawn().expect("the SMTP server starts");
        let stdout = child.stdout.take().expect("its stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("the SMTP server prints its port");
        let port: u16 = line
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("the SMTP server printed {line:?}, not a port"));
        Some(SmtpServer {
            child,
            port,
            dir,
            ca_pem,
        })
    }

    pub fn set_mode(&self, mode: &str) {
        std::fs::write(self.dir.path().join("mode"), mode).expect("the mode file");
    }

    /// Every message accepted so far, in order.
    pub fn messages(&self) -> Vec<Vec<u8>> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.dir.path().join("mail"))
            .map(|d| {
                d.filter_map(|e| e.ok())
                    .map(|e| e.path())
                    .filter(|p| p.extension().is_some_and(|x| x == "eml"))
                    .collect()
            })
            .unwrap_or_default();
        files.sort();
        files
            .iter()
            .map(|p| std::fs::read(p).expect("a message"))
            .collect()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A Dovecot IMAP server in a temporary folder, one user (`agent`, password `secret`), no
/// TLS, listening on 127.0.0.1 only. Run as the test's user; as root, its mail and login
/// processes run as the package's `dovecot` and `dovenull` users (Dovecot refuses root for
/// them).
pub struct Dovecot {
    child: Child,
    pub port: u16,
    pub dir: tempfile::TempDir,
}

pub const IMAP_USER: &str = "agent";
pub const IMAP_PASSWORD: &str = "secret";

fn id(args: &[&str]) -> String {
    let out = Command::new("id").args(args).output().expect("id runs");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

impl Dovecot {
    pub fn start() -> Option<Dovecot> {
        Self::start_with("")
    }

    /// Started with `extra` appended to its config (e.g. an `imap_capability` without IDLE).
    pub fn start_with(extra: &str) -> Option<Dovecot> {
        let bin = ["/usr/sbin/dovecot", "/usr/local/sbin/dovecot"]
            .into_iter()
            .map(PathBuf::from)
            .find(|p| p.is_file());
        let Some(bin) = bin else {
            missing("dovecot (Debian package dovecot-imapd)");
            return None;
        };
        let dir = tempfile::tempdir().expect("a temporary folder");
        let d = dir.path();
        for sub in ["run", "state", "home"] {
            std::fs::create_dir_all(d.join(sub)).expect("a folder");
        }
        let root = id(&["-u"]) == "0";
        let (internal, login, group) = if root {
            (
                "dovecot".to_string(),
                "dovenull".to_string(),
                "dovecot".to_string(),
            )
        } else {
            (id(&["-un"]), id(&["-un"]), id(&["-gn"]))
        };
        let (uid, gid) = (id(&["-u", &internal]), id(&["-g", &internal]));
        let home = d.join("home").join(IMAP_USER);
        std::fs::create_dir_all(&home).expect("the user's home");
        if root {
            let ok = Command::new("chown")
                .args(["-R", &format!("{internal}:{group}")])
                .arg(d.join("home"))
                .status()
                .expect("chown runs");
            assert!(ok.success());
        }
        std::fs::write(
            d.join("passwd"),
            format!(
                "{IMAP_USER}:{{PLAIN}}{IMAP_PASSWORD}:{uid}:{gid}::{}::\n",
                home.display()
            ),
        )
        .expect("the passwd file");
        let port = free_port();
        let conf = format!(
            r#"base_dir = {d}/run
state_dir = {d}/state
log_path = {d}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {internal}
default_internal_group = {group}
default_login_user = {login}
first_valid_uid = 0
first_valid_gid = 0
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {d}/passwd
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {d}/passwd
}}
mail_location = maildir:{home}/Maildir
namespace inbox {{
  inbox = yes
  separator = /
  mailbox Processed {{
    auto = create
  }}
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
{extra}
"#,
            d = d.display(),
            home = home.display(),
        );
        std::fs::write(d.join("dovecot.conf"), conf).expect("the config");
        let mut child = Command::new(bin)
            .arg("-F")
            .arg("-c")
            .arg(d.join("dovecot.conf"))
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("dovecot starts");
        wait_for_port(port, &mut child, "dovecot");
        Some(Dovecot { child, port, dir })
    }

    fn tool(&self, args: &[&str]) -> String {
        let out = Command::new("python3")
            .arg(servers_dir().join("imap_tool.py"))
            .arg(args[0])
            .arg(self.port.to_string())
            .args([IMAP_USER, IMAP_PASSWORD])
            .args(&args[1..])
            .output()
            .expect("python3 runs");
        assert!(
            out.status.success(),
            "imap_tool {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Deliver a message into `folder` (IMAP APPEND, as a delivery agent would).
    pub fn append(&self, folder: &str, raw: &[u8]) {
        let f = self.dir.path().join(format!("append-{}.eml", free_port()));
        std::fs::write(&f, raw).expect("a message file");
        self.tool(&["append", folder, f.to_str().expect("a UTF-8 path")]);
    }

    /// Mark every message of `folder` unread, as a person in a mail client may.
    pub fn mark_unread(&self, folder: &str) {
        self.tool(&["unseen", folder]);
    }

    /// The messages of `folder`: (UID, flags).
    pub fn list(&self, folder: &str) -> Vec<(u32, Vec<String>)> {
        let v: serde_json::Value =
            serde_json::from_str(&self.tool(&["list", folder])).expect("JSON from imap_tool");
        v.as_array()
            .expect("a list")
            .iter()
            .map(|m| {
                (
                    m["uid"].as_u64().expect("a uid") as u32,
                    m["flags"]
                        .as_array()
                        .expect("flags")
                        .iter()
                        .map(|f| f.as_str().expect("a flag").to_string())
                        .collect(),
                )
            })
            .collect()
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("dovecot.log")).unwrap_or_default()
    }
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        // SIGTERM lets the master stop its children; kill() would leave them behind.
        let _ = Command::new("kill")
            .arg(self.child.id().to_string())
            .status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
