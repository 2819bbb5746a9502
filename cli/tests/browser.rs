//! The dashboard in a real browser: `sqa serve` on a demo workspace (the Lumora example, as
//! `sqa demo` builds it) on 127.0.0.1, driven by headless Chromium through chromedriver
//! (WebDriver over plain HTTP). Every page loads and shows the figures and lead names the
//! command line reports (checked in the DOM), a disqualification and a pause made with the
//! pages' forms are recorded, and each page's screenshot is written to `target/screenshots/`.
//!
//! `infra/test.sh` installs Debian's `chromium` and `chromium-driver` when they are missing.
//! Without them the test says so and passes, except under `CI=true`, where it fails.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const NOW: &str = "2026-11-21T12:00:00Z";

fn find(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for n in names {
            let p = dir.join(n);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

/// A child process killed when the test ends, whatever happens.
struct Guard(Child);
impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn sqa(dir: &Path, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_sqa"))
        .arg("--dir")
        .arg(dir)
        .arg("--now")
        .arg(NOW)
        .args(args)
        .output()
        .expect("sqa runs");
    assert!(
        out.status.success(),
        "sqa {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// One HTTP/1.1 request to chromedriver (`Connection: close`), its JSON answer.
fn http(port: u16, method: &str, path: &str, body: Option<&Value>) -> Value {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("chromedriver answers");
    s.set_read_timeout(Some(Duration::from_secs(120))).ok();
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .expect("write");
    // Read the head, then exactly Content-Length bytes (or chunks up to the last one):
    // chromedriver may keep the connection open.
    let mut raw = Vec::new();
    let mut buf = [0u8; 65536];
    let decoded = loop {
        let n = s.read(&mut buf).expect("read");
        raw.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&raw).into_owned();
        if let Some((head, rest)) = text.split_once("\r\n\r\n") {
            let lower = head.to_ascii_lowercase();
            if let Some(len) = lower
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok())
            {
                if rest.len() >= len {
                    break rest[..len].to_string();
                }
            } else if lower.contains("transfer-encoding: chunked") {
                if rest.contains("\r\n0\r\n") || rest.starts_with("0\r\n") {
                    let mut out = String::new();
                    let mut rest = rest;
                    while let Some((size, after)) = rest.split_once("\r\n") {
                        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
                        if n == 0 {
                            break;
                        }
                        out.push_str(&after[..n]);
                        rest = after[n..].trim_start_matches("\r\n");
                    }
                    break out;
                }
            } else if n == 0 {
                break rest.to_string();
            }
        }
        assert!(n > 0, "{method} {path}: the connection closed early");
    };
    if std::env::var_os("SQA_BROWSER_DEBUG").is_some() {
        eprintln!("{method} {path} -> {}", String::from_utf8_lossy(&raw));
    }
    serde_json::from_str(&decoded).unwrap_or_else(|e| panic!("{method} {path}: {e}: {decoded}"))
}

struct Browser {
    port: u16,
    session: String,
    shots: PathBuf,
}

impl Browser {
    fn cmd(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let v = http(
            self.port,
            method,
            &format!("/session/{}{path}", self.session),
            body.as_ref(),
        );
        assert!(
            v["value"]["error"].is_null(),
            "{method} {path}: {}",
            v["value"]
        );
        v["value"].clone()
    }
    fn go(&self, url: &str) -> String {
        self.cmd("POST", "/url", Some(json!({ "url": url })));
        self.dom()
    }
    /// The page's DOM, once it has a body (a page answered with an error status can be
    /// reported loaded a moment before it is).
    fn dom(&self) -> String {
        let t0 = Instant::now();
        loop {
            let dom = self
                .cmd("GET", "/source", None)
                .as_str()
                .expect("the page's DOM")
                .to_string();
            if dom.contains("<body") || t0.elapsed() > Duration::from_secs(10) {
                return dom;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
    /// The DOM once `ready` holds (a form's submission navigates after the click returns).
    fn wait_for(&self, ready: impl Fn(&str) -> bool) -> String {
        let t0 = Instant::now();
        loop {
            let dom = self.dom();
            if ready(&dom) || t0.elapsed() > Duration::from_secs(20) {
                return dom;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
    fn element(&self, css: &str) -> String {
        let v = self.cmd(
            "POST",
            "/element",
            Some(json!({"using": "css selector", "value": css})),
        );
        v["element-6066-11e4-a52e-4f735466cecf"]
            .as_str()
            .unwrap_or_else(|| panic!("no element {css}"))
            .to_string()
    }
    fn type_in(&self, css: &str, text: &str) {
        let e = self.element(css);
        self.cmd(
            "POST",
            &format!("/element/{e}/value"),
            Some(json!({ "text": text })),
        );
    }
    fn click(&self, css: &str) {
        let e = self.element(css);
        self.cmd("POST", &format!("/element/{e}/click"), Some(json!({})));
    }
    fn screenshot(&self, name: &str) {
        let b64 = self.cmd("GET", "/screenshot", None);
        let png = base64_decode(b64.as_str().expect("base64"));
        assert!(png.starts_with(b"\x89PNG"), "a PNG");
        std::fs::write(self.shots.join(format!("{name}.png")), png).expect("write screenshot");
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = std::panic::catch_unwind(|| {
            http(
                self.port,
                "DELETE",
                &format!("/session/{}", self.session),
                None,
            )
        });
    }
}

fn base64_decode(s: &str) -> Vec<u8> {
    let val = |c: u8| -> u32 {
        match c {
            b'A'..=b'Z' => u32::from(c - b'A'),
            b'a'..=b'z' => u32::from(c - b'a') + 26,
            b'0'..=b'9' => u32::from(c - b'0') + 52,
            b'+' => 62,
            b'/' => 63,
            _ => 0,
        }
    };
    let bytes: Vec<u8> = s.bytes().filter(|c| !c.is_ascii_whitespace()).collect();
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        let pad = chunk.iter().filter(|&&c| c == b'=').count() + (4 - chunk.len());
        let n = chunk
            .iter()
            .chain(std::iter::repeat_n(&b'=', 4 - chunk.len()))
            .fold(0u32, |acc, &c| (acc << 6) | val(c));
        let three = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&three[..3usize.saturating_sub(pad)]);
    }
    out
}

/// The text of the element with this id in a DOM (`id="x">text<`).
fn by_id(dom: &str, id: &str) -> String {
    let marker = format!("id=\"{id}\">");
    let start = dom
        .find(&marker)
        .unwrap_or_else(|| panic!("no #{id} in the page"))
        + marker.len();
    dom[start..]
        .split('<')
        .next()
        .unwrap_or_default()
        .trim()
        .to_string()
}

#[test]
fn the_dashboard_works_in_headless_chromium() {
    let ci = std::env::var("CI").is_ok_and(|v| v == "true");
    let (Some(chromium), Some(driver)) = (
        find(&["chromium", "chromium-browser", "google-chrome"]),
        find(&["chromedriver"]),
    ) else {
        assert!(
            !ci,
            "CI=true: chromium and chromedriver must be installed (infra/test.sh installs them)"
        );
        eprintln!(
            "skipped: chromium or chromedriver is not installed (infra/test.sh installs them)"
        );
        return;
    };
    let shots = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/screenshots");
    std::fs::create_dir_all(&shots).expect("screenshot folder");

    // The demo workspace, and what the command line says about it.
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path().join("ws");
    let demo = Command::new(env!("CARGO_BIN_EXE_sqa"))
        .args(["--json", "demo", "--into"])
        .arg(&dir)
        .output()
        .expect("sqa demo");
    assert!(
        demo.status.success(),
        "{}",
        String::from_utf8_lossy(&demo.stderr)
    );
    let rows = |args: &[&str]| -> Vec<Value> {
        sqa(&dir, args)
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| serde_json::from_str(l).expect("JSON line"))
            .collect()
    };
    let all = rows(&["--json", "leads", "list"]);
    let handed = rows(&["--json", "leads", "list", "--stage", "handed_over"]);
    let engaged = rows(&["--json", "leads", "list", "--stage", "engaged"]);
    assert!(!handed.is_empty() && !engaged.is_empty());

    // sqa serve on a port of its choosing; it prints the address and the sign-in link.
    let mut serve = Command::new(env!("CARGO_BIN_EXE_sqa"))
        .arg("--dir")
        .arg(&dir)
        .args(["--now", NOW, "serve", "--bind", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("sqa serve");
    let stdout = serve.stdout.take().expect("stdout");
    let serve = Guard(serve);
    let mut lines = BufReader::new(stdout).lines();
    let mut login = None;
    for line in lines.by_ref().take(6) {
        let line = line.expect("a line");
        if let Some(url) = line.strip_prefix("sign in: ") {
            login = Some(url.to_string());
            break;
        }
    }
    let login = login.expect("sqa serve prints its sign-in link");
    let base = login.split("/login").next().expect("base").to_string();
    assert!(base.starts_with("http://127.0.0.1:"), "{base}");

    let port = free_port();
    let driver = Guard(
        Command::new(driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver"),
    );
    let t0 = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            t0.elapsed() < Duration::from_secs(20),
            "chromedriver did not start"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let session = http(
        port,
        "POST",
        "/session",
        Some(&json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium.to_string_lossy(),
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                         "--disable-dev-shm-usage", "--window-size=1366,1000"]
            }
        }}})),
    );
    let id = session["value"]["sessionId"]
        .as_str()
        .unwrap_or_else(|| panic!("no session: {session}"))
        .to_string();
    let b = Browser {
        port,
        session: id,
        shots: shots.clone(),
    };

    // Without the token: a page saying how to sign in.
    let dom = b.go(&format!("{base}/"));
    assert!(dom.contains("sign-in link"), "{dom}");

    // The overview: the period's figures.
    let dom = b.go(&login);
    assert_eq!(by_id(&dom, "kpi-leads"), all.len().to_string());
    assert!(dom.contains("<svg id=\"funnel\""));
    let contacted = all
        .iter()
        .filter(|l| l["emails_sent"].as_u64().unwrap_or(0) > 0)
        .count();
    assert!(
        dom.contains(&format!(">{contacted}</text>")),
        "contacted {contacted} in the funnel"
    );
    b.screenshot("overview");

    // The lead list, filtered to the handed-over leads: every one of them, no other.
    let dom = b.go(&format!("{base}/leads?stage=handed_over"));
    for l in &handed {
        assert!(
            dom.contains(l["name"].as_str().expect("name")),
            "{}",
            l["name"]
        );
    }
    let other = engaged[0]["name"].as_str().expect("name");
    assert!(!dom.contains(other), "{other} is not handed over");
    b.screenshot("leads");

    // The rating filter: chosen in the form, only leads of that rating are listed. The
    // page rates without the boost an interested colleague gives in `leads list`, so the
    // command line's leads of that heat without it must all be there.
    let plain = |l: &&Value| {
        !l["rating"]["reason"]
            .as_str()
            .unwrap_or("")
            .contains("colleague")
    };
    let heat = handed
        .iter()
        .find(plain)
        .and_then(|l| l["rating"]["heat"].as_str())
        .expect("a handed-over lead rated without a colleague")
        .to_string();
    b.go(&format!("{base}/leads"));
    b.click(&format!(
        "#filters select[name=rating] option[value={heat}]"
    ));
    b.click("#filters button");
    let selected = format!("value=\"{heat}\" selected");
    let dom = b.wait_for(|d| d.contains(&selected));
    let shown: Vec<&str> = dom
        .split("<td class=\"rating\">")
        .skip(1)
        .filter_map(|c| c.split("</td>").next())
        .collect();
    assert!(!shown.is_empty(), "no {heat} lead listed: {dom}");
    assert!(shown.iter().all(|r| *r == heat), "{shown:?}");
    let of_heat: Vec<&Value> = all
        .iter()
        .filter(plain)
        .filter(|l| l["rating"]["heat"] == heat.as_str())
        .collect();
    if of_heat.len() <= 50 {
        for l in &of_heat {
            let id = l["id"].as_str().expect("id");
            assert!(dom.contains(&format!(">{id}</span>")), "{id} is {heat}");
        }
    }
    let other = all
        .iter()
        .find(|l| l["rating"]["heat"] != heat.as_str() && plain(l))
        .expect("a lead of another rating");
    let other_id = other["id"].as_str().expect("id");
    assert!(
        !dom.contains(&format!(">{other_id}</span>")),
        "{other_id} is {}",
        other["rating"]["heat"]
    );
    b.screenshot("leads-by-rating");

    // A handed-over lead's page tells its story.
    let first = &handed[0];
    let lid = first["id"].as_str().expect("id");
    let dom = b.go(&format!("{base}/leads/{lid}"));
    assert!(dom.contains(first["name"].as_str().expect("name")));
    assert!(dom.contains(first["company"].as_str().expect("company")));
    assert_eq!(by_id(&dom, "stage"), "handed_over");
    assert!(dom.contains("Handed over to"));
    assert!(dom.contains("id=\"conversation\""));
    b.screenshot("lead");

    // An action with the page's form: disqualify an engaged lead.
    let eid = engaged[0]["id"].as_str().expect("id");
    b.go(&format!("{base}/leads/{eid}"));
    b.type_in("#disqualify input[name=reason]", "chose another vendor");
    b.click("#disqualify button");
    let dom = b.wait_for(|d| d.contains("id=\"msg\"") || d.contains("id=\"err\""));
    assert_eq!(by_id(&dom, "stage"), "disqualified", "{dom}");
    assert!(by_id(&dom, "msg").starts_with("disqualify: done by"));
    b.screenshot("lead-after-disqualify");
    let shown: Value =
        serde_json::from_str(&sqa(&dir, &["--json", "lead", "show", eid])).expect("JSON");
    assert_eq!(shown["lead"]["stage"], "disqualified");
    assert!(
        shown["runs"]
            .as_array()
            .expect("runs")
            .iter()
            .any(|r| r["run_id"] == "manual"
                && r["reasons"][0]
                    .as_str()
                    .is_some_and(|t| t.contains("chose another vendor"))),
        "the run record says who and why"
    );

    // Pause the agent from the overview: a new config version, in sqa.toml too.
    b.go(&format!("{base}/"));
    b.click("form[action='/agent'] button");
    let dom = b.wait_for(|d| d.contains("id=\"msg\"") || d.contains("id=\"err\""));
    assert!(by_id(&dom, "msg").contains("paused"), "{dom}");
    let toml = std::fs::read_to_string(dir.join("sqa.toml")).expect("sqa.toml");
    assert!(toml.contains("state = \"stopped\""));

    // The config page shows the history; a bad edit is refused with its problems listed.
    let dom = b.go(&format!("{base}/config"));
    assert!(dom.contains("Agent config"));
    b.screenshot("config");
    b.cmd(
        "POST",
        &format!("/element/{}/clear", b.element("textarea[name=toml]")),
        Some(json!({})),
    );
    b.type_in("textarea[name=toml]", "mode = \"sideways\"\n");
    b.click("form[action='/config'] button");
    let dom = b.wait_for(|d| d.contains("id=\"issues\"") || d.contains("id=\"err\""));
    assert!(dom.contains("id=\"issues\""), "{dom}");
    assert!(dom.contains("<code>mode</code>"));
    b.screenshot("config-invalid");

    // The cost view.
    let dom = b.go(&format!("{base}/cost"));
    assert!(!by_id(&dom, "cost-per-lead").is_empty());
    b.screenshot("cost");

    for name in [
        "overview",
        "leads",
        "lead",
        "lead-after-disqualify",
        "config",
        "cost",
    ] {
        assert!(shots.join(format!("{name}.png")).is_file(), "{name}.png");
    }
    drop(b);
    drop(driver);
    drop(serve);
}
