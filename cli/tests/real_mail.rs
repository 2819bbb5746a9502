//! `sqa` against real mail servers on 127.0.0.1, started and stopped by each test: aiosmtpd
//! for SMTP and Dovecot for IMAP (`sqa_tests::mail_servers`). Each `sqa` invocation is its
//! own process, so every step below is also a restart of the worker.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use serde_json::Value;
use sqa_tests::mail_servers::{Dovecot, IMAP_PASSWORD, IMAP_USER, SmtpOptions, SmtpServer};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// A Monday morning after the example leads were created.
const NOW: &str = "--now=2026-11-16T09:00:00Z";
/// An example lead whose reply (r003) asks two questions and is handed over.
const LEAD: &str = "L0081";
/// An example lead whose reply (r015) asks a question the knowledge answers.
const ASKS: &str = "L0110";

fn sqa(ws: &Path, args: &[&str]) -> Output {
    // No worker dies in these tests: what is left invisible after a run is a send the server
    // answered with a 4xx, waiting for its retry. `--until-idle` reports it at once (exit 3)
    // instead of waiting for it.
    let until_idle = args.contains(&"--until-idle");
    let out = Command::new(env!("CARGO_BIN_EXE_sqa"))
        .arg("--dir")
        .arg(ws)
        .arg(NOW)
        .args(args)
        .args(if until_idle {
            &["--wait-secs", "0"][..]
        } else {
            &[][..]
        })
        .env("SQA_IMAP_PASSWORD", IMAP_PASSWORD)
        .env("SQA_SMTP_PASSWORD", "relay-pass")
        .output()
        .expect("the sqa binary runs");
    assert!(
        out.status.success()
            || out.status.code() == Some(2)
            || (until_idle && out.status.code() == Some(3)),
        "sqa {args:?}: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// A workspace with the example config, the mail settings appended, and one lead imported.
fn workspace(mail: &str, lead_ids: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path();
    let init = Command::new(env!("CARGO_BIN_EXE_sqa"))
        .arg("init")
        .arg(ws)
        .args(["--example", "lumora"])
        .output()
        .unwrap();
    assert!(init.status.success());
    let cfg = ws.join("sqa.toml");
    let mut text = std::fs::read_to_string(&cfg).unwrap();
    text.push_str(mail);
    std::fs::write(&cfg, text).unwrap();
    let all = std::fs::read_to_string(ws.join("leads/leads.csv")).unwrap();
    let mut lines = all.lines();
    let mut csv = format!("{}\n", lines.next().unwrap());
    for l in lines {
        if lead_ids.iter().any(|id| l.starts_with(&format!("{id},"))) {
            csv.push_str(l);
            csv.push('\n');
        }
    }
    std::fs::write(ws.join("few.csv"), csv).unwrap();
    let out = sqa(
        ws,
        &["leads", "import", ws.join("few.csv").to_str().unwrap()],
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(&format!("{} selected and queued", lead_ids.len())),
        "the import queues its leads for selection at once: {text}"
    );
    dir
}

fn smtp_section(smtp: &SmtpServer) -> String {
    format!(
        "\n[mail]\ntransport = \"smtp\"\nhost = \"127.0.0.1\"\nport = {}\nsecurity = \"none\"\n",
        smtp.port
    )
}

fn lead(ws: &Path, id: &str) -> Value {
    let out = sqa(ws, &["--json", "lead", "show", id]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    v["lead"].clone()
}

fn touches(lead: &Value) -> Vec<(u64, String)> {
    lead["touches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["n"].as_u64().unwrap(),
                t["state"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn header(raw: &[u8], name: &str) -> Option<String> {
    let text = String::from_utf8_lossy(raw);
    let prefix = format!("{}:", name.to_ascii_lowercase());
    text.lines()
        .take_while(|l| !l.is_empty())
        .find(|l| l.to_ascii_lowercase().starts_with(&prefix))
        .map(|l| l[prefix.len()..].trim().to_string())
}

fn run(ws: &Path) -> String {
    let out = sqa(ws, &["run", "--until-idle"]);
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The whole loop on real servers: the first email goes out through SMTP; the lead's reply
/// lands in the IMAP mailbox (twice: a client re-delivered it); a new `sqa run` process reads
/// it, the engage stage acts on it once, and the agent's next email goes out through SMTP.
/// A further run reads nothing again.
#[test]
fn send_reply_engage_answer_through_smtp_and_imap_across_restarts() {
    let Some(smtp) = SmtpServer::start(SmtpOptions::default()) else {
        return;
    };
    let Some(imap) = Dovecot::start() else {
        return;
    };
    let cfg = format!(
        "{}\n[inbox]\nsource = \"imap\"\nhost = \"127.0.0.1\"\nport = {}\nsecurity = \"none\"\nusername = \"{IMAP_USER}\"\nmove_to = \"Processed\"\n",
        smtp_section(&smtp),
        imap.port
    );
    let dir = workspace(&cfg, &[ASKS]);
    let ws = dir.path();

    // 1. The first email, accepted by the SMTP server.
    let log = run(ws);
    let sent = smtp.messages();
    assert_eq!(sent.len(), 1, "{log}");
    let first_id = header(&sent[0], "Message-ID").unwrap();
    let l = lead(ws, ASKS);
    assert_eq!(l["stage"], "contacted");
    assert_eq!(touches(&l), [(1, "sent".to_string())]);
    assert!(
        l["touches"][0]["provider_id"]
            .as_str()
            .unwrap()
            .starts_with("smtp:250"),
        "the server's answer is kept: {}",
        l["touches"][0]
    );

    // 2. The reply arrives (twice), as a mail client writes it: threaded on our id.
    let reply = reply_to(ws, &first_id, None);
    imap.append("INBOX", &reply);
    imap.append("INBOX", &reply);

    // 3. Another process reads the mailbox and acts on the reply once.
    let log = run(ws);
    let l = lead(ws, ASKS);
    assert_ne!(
        l["stage"], "contacted",
        "the reply moved the lead on: {log}"
    );
    let runs = sqa(ws, &["--json", "lead", "show", ASKS]);
    let v: Value = serde_json::from_slice(&runs.stdout).unwrap();
    let engage: Vec<String> = v["runs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["stage"] == "engage")
        .map(|r| r["decision"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        engage.iter().filter(|d| *d != "skipped").count(),
        1,
        "the reply is acted on once, its copy is not: {engage:?}"
    );
    let after = smtp.messages();
    assert!(
        after.len() >= 2,
        "the agent's answer went out through SMTP: {log}"
    );
    let reply_id = header(&reply, "Message-ID").unwrap();
    let answers: Vec<&Vec<u8>> = after[1..]
        .iter()
        .filter(|m| header(m, "In-Reply-To").as_deref() == Some(reply_id.as_str()))
        .collect();
    assert_eq!(answers.len(), 1, "one answer, threaded on the reply: {log}");
    assert!(
        header(answers[0], "To")
            .unwrap()
            .contains("luca.bernasconi@nimbusledger.example")
    );
    assert!(
        header(answers[0], "References")
            .unwrap()
            .contains(&first_id)
    );
    // Both copies were moved out of the inbox once recorded.
    assert!(imap.list("INBOX").is_empty(), "{:?}", imap.list("INBOX"));
    assert_eq!(imap.list("Processed").len(), 2);

    // 4. Nothing is read or sent again.
    let before = smtp.messages().len();
    run(ws);
    assert_eq!(smtp.messages().len(), before);
}

/// The same message left in the folder (flag mode: it stays, marked `\Seen`) is read once
/// however often the folder is polled.
#[test]
fn a_message_left_in_the_folder_is_read_once() {
    let Some(imap) = Dovecot::start() else {
        return;
    };
    let cfg = format!(
        "\n[inbox]\nsource = \"imap\"\nhost = \"127.0.0.1\"\nport = {}\nsecurity = \"none\"\nusername = \"{IMAP_USER}\"\n",
        imap.port
    );
    let dir = workspace(&cfg, &[LEAD]);
    let ws = dir.path();
    let reply = std::fs::read(ws.join("replies/r003.eml")).unwrap();
    imap.append("INBOX", &reply);
    run(ws);
    let listed = imap.list("INBOX");
    assert_eq!(listed.len(), 1);
    assert!(listed[0].1.iter().any(|f| f == "\\Seen"), "{listed:?}");
    let spool = |ws: &Path| std::fs::read_dir(ws.join("inbound")).unwrap().count();
    assert_eq!(spool(ws), 1);
    // A person marks it unread again: the UID is recorded, so it is not read again.
    imap.mark_unread("INBOX");
    run(ws);
    run(ws);
    assert_eq!(spool(ws), 1);
}

/// 4xx: nothing was accepted, the touch is not recorded and the send is tried again later;
/// 5xx: the touch failed for good; a connection cut before the data: retried; a connection
/// cut after the data: the message may have gone, the touch is marked unknown and never sent
/// again.
#[test]
fn smtp_answers_decide_retry_failure_or_unknown() {
    let Some(smtp) = SmtpServer::start(SmtpOptions::default()) else {
        return;
    };
    let leads = ["L0081", "L0086"];
    let dir = workspace(&smtp_section(&smtp), &leads);
    let ws = dir.path();

    // 451 to the data: nothing kept, nothing recorded, the message waits (5 s) for a retry.
    smtp.set_mode("451");
    let log = run(ws);
    assert!(smtp.messages().is_empty(), "{log}");
    for id in leads {
        assert!(touches(&lead(ws, id)).is_empty(), "{id}: {log}");
    }
    // A cut before the data: nothing accepted either.
    smtp.set_mode("drop-mail");
    std::thread::sleep(std::time::Duration::from_secs(6));
    let log = run(ws);
    assert!(smtp.messages().is_empty(), "{log}");
    // The server is back: each lead gets its email once.
    smtp.set_mode("ok");
    std::thread::sleep(std::time::Duration::from_secs(11));
    let log = run(ws);
    assert_eq!(smtp.messages().len(), 2, "{log}");
    for id in leads {
        assert_eq!(touches(&lead(ws, id)), [(1, "sent".to_string())], "{id}");
    }

    // 550 and a cut after the data, on fresh leads.
    let dir = workspace(&smtp_section(&smtp), &["L0081"]);
    smtp.set_mode("550");
    let log = run(dir.path());
    let l = lead(dir.path(), "L0081");
    assert_eq!(touches(&l), [(1, "skipped".to_string())], "{log}");
    assert!(
        l["touches"][0]["note"].as_str().unwrap().contains("550"),
        "{}",
        l["touches"][0]
    );

    let dir = workspace(&smtp_section(&smtp), &["L0086"]);
    smtp.set_mode("drop");
    let before = smtp.messages().len();
    let log = run(dir.path());
    assert_eq!(
        smtp.messages().len(),
        before + 1,
        "the server kept it: {log}"
    );
    let l = lead(dir.path(), "L0086");
    assert_eq!(touches(&l), [(1, "unknown".to_string())], "{log}");
    smtp.set_mode("ok");
    run(dir.path());
    run(dir.path());
    assert_eq!(
        smtp.messages().len(),
        before + 1,
        "a touch that may have gone is never sent again"
    );
}

/// STARTTLS with the server's CA from `mail.ca_file`, and AUTH with the password from the
/// environment; a wrong password sends nothing and keeps the email for later.
#[test]
fn starttls_and_auth_with_the_password_from_the_environment() {
    let Some(smtp) = SmtpServer::start(SmtpOptions {
        auth: Some(("relay".into(), "relay-pass".into())),
        starttls: true,
        implicit_tls: false,
    }) else {
        return;
    };
    let ca = smtp.ca_pem.clone().unwrap();
    let cfg = |user: &str| {
        format!(
            "\n[mail]\ntransport = \"smtp\"\nhost = \"localhost\"\nport = {}\nsecurity = \"starttls\"\nusername = \"{user}\"\nca_file = \"{}\"\n",
            smtp.port,
            ca.display()
        )
    };
    let dir = workspace(&cfg("nobody"), &[LEAD]);
    let log = run(dir.path());
    assert!(smtp.messages().is_empty(), "{log}");
    assert!(touches(&lead(dir.path(), LEAD)).is_empty());

    let dir = workspace(&cfg("relay"), &[LEAD]);
    let log = run(dir.path());
    assert_eq!(smtp.messages().len(), 1, "{log}");
    assert_eq!(touches(&lead(dir.path(), LEAD)), [(1, "sent".to_string())]);
}

/// Implicit TLS (SMTPS): the certificate checked against `mail.ca_file` from the first byte.
#[test]
fn implicit_tls_sends_and_checks_the_certificate() {
    let Some(smtp) = SmtpServer::start(SmtpOptions {
        auth: None,
        starttls: true,
        implicit_tls: true,
    }) else {
        return;
    };
    let cfg = |ca: &str| {
        format!(
            "\n[mail]\ntransport = \"smtp\"\nhost = \"localhost\"\nport = {}\nsecurity = \"tls\"\n{ca}",
            smtp.port
        )
    };
    // Without the test CA the certificate is refused: nothing is sent.
    let dir = workspace(&cfg(""), &[LEAD]);
    let log = run(dir.path());
    assert!(smtp.messages().is_empty(), "{log}");
    assert!(
        touches(&lead(dir.path(), LEAD)).is_empty(),
        "nothing was accepted: the email waits for a retry"
    );
    let ca = smtp.ca_pem.clone().unwrap();
    let dir = workspace(&cfg(&format!("ca_file = \"{}\"\n", ca.display())), &[LEAD]);
    let log = run(dir.path());
    assert_eq!(smtp.messages().len(), 1, "{log}");
}

/// A Maildir source: messages in `new/` are queued and moved to `cur/` once.
#[test]
fn a_maildir_is_read_from_new_and_left_in_cur() {
    let dir = workspace(
        "\n[inbox]\nsource = \"maildir\"\npath = \"Maildir\"\n",
        &[LEAD],
    );
    let ws = dir.path();
    std::fs::create_dir_all(ws.join("Maildir/new")).unwrap();
    std::fs::copy(
        ws.join("replies/r003.eml"),
        ws.join("Maildir/new/1762500000.M1P1.host"),
    )
    .unwrap();
    run(ws);
    assert_eq!(
        std::fs::read_dir(ws.join("Maildir/new")).unwrap().count(),
        0
    );
    let cur: Vec<String> = std::fs::read_dir(ws.join("Maildir/cur"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(cur, ["1762500000.M1P1.host:2,S"]);
    let v: Value =
        serde_json::from_slice(&sqa(ws, &["--json", "lead", "show", LEAD]).stdout).unwrap();
    assert!(
        v["runs"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["stage"] == "engage"),
        "the engage stage read the reply"
    );
}

// ---------------------------------------------------------------- the worker and IMAP IDLE

/// A continuous `sqa --json run` worker on `ws`: each line it prints, with the time it came.
/// Killed when dropped.
struct Worker {
    child: std::process::Child,
    lines: mpsc::Receiver<(Instant, Value)>,
    seen: Vec<Value>,
}

impl Worker {
    fn start(ws: &Path) -> Worker {
        let mut child = Command::new(env!("CARGO_BIN_EXE_sqa"))
            .arg("--dir")
            .arg(ws)
            .arg(NOW)
            .args(["--json", "run"])
            .env("SQA_IMAP_PASSWORD", IMAP_PASSWORD)
            .env("SQA_SMTP_PASSWORD", "relay-pass")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the sqa worker starts");
        let out = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines() {
                let Ok(line) = line else { break };
                let Ok(v) = serde_json::from_str::<Value>(&line) else {
                    continue;
                };
                if tx.send((Instant::now(), v)).is_err() {
                    break;
                }
            }
        });
        Worker {
            child,
            lines,
            seen: Vec::new(),
        }
    }

    /// The time the first line `hit` accepts came, waiting at most `within`.
    fn wait_for(&mut self, within: Duration, hit: impl Fn(&Value) -> bool) -> Option<Instant> {
        let deadline = Instant::now() + within;
        loop {
            let left = deadline.checked_duration_since(Instant::now())?;
            let (at, v) = self.lines.recv_timeout(left).ok()?;
            let found = hit(&v);
            self.seen.push(v);
            if found {
                return Some(at);
            }
        }
    }

    /// Every line that came so far (waiting `settle` for more).
    fn drain(&mut self, settle: Duration) {
        while let Ok((_, v)) = self.lines.recv_timeout(settle) {
            self.seen.push(v);
        }
    }

    fn said(&self, hit: impl Fn(&Value) -> bool) -> bool {
        self.seen.iter().any(hit)
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn engage_handled(v: &Value) -> bool {
    v["drain"]["handled"]["engage"].as_u64().unwrap_or(0) > 0
}

fn idle_is(live: bool) -> impl Fn(&Value) -> bool {
    move |v: &Value| v["inbox_idle"].as_bool() == Some(live)
}

/// The example reply r015, threaded on `first_id`, under its own Message-ID `n` (the
/// example's when `None`).
fn reply_to(ws: &Path, first_id: &str, n: Option<usize>) -> Vec<u8> {
    let example = std::fs::read_to_string(ws.join("replies/r015.eml")).unwrap();
    example
        .lines()
        .map(|l| {
            if l.starts_with("In-Reply-To:") {
                format!("In-Reply-To: {first_id}")
            } else if l.starts_with("References:") {
                format!("References: {first_id}")
            } else if let (true, Some(n)) = (l.starts_with("Message-ID:"), n) {
                format!("Message-ID: <idle-test-{n}@nimbusledger.example>")
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\r\n")
        .into_bytes()
}

/// A workspace reading `imap` with `inbox` settings added, its first email sent through
/// `smtp`; returns it and the first email's Message-ID.
fn contacted_workspace(
    smtp: &SmtpServer,
    imap: &Dovecot,
    inbox: &str,
) -> (tempfile::TempDir, String) {
    let cfg = format!(
        "{}\n[inbox]\nsource = \"imap\"\nhost = \"127.0.0.1\"\nport = {}\nsecurity = \"none\"\nusername = \"{IMAP_USER}\"\nmove_to = \"Processed\"\n{inbox}",
        smtp_section(smtp),
        imap.port
    );
    let dir = workspace(&cfg, &[ASKS]);
    let log = run(dir.path());
    let sent = smtp.messages();
    assert_eq!(sent.len(), 1, "{log}");
    let first_id = header(&sent[0], "Message-ID").unwrap();
    (dir, first_id)
}

/// One reply's times, from the start of its APPEND (the test's IMAP client, a Python process).
struct Timing {
    /// The APPEND returned: the message is in the folder.
    appended: Duration,
    /// The worker reported it read and queued.
    queued: Duration,
    /// The worker reported the engage stage done with it.
    handled: Duration,
}

/// Append replies one after the other and time each until the worker's report of the engage
/// stage handling it. Panics past `limit`.
fn time_replies(
    worker: &mut Worker,
    imap: &Dovecot,
    ws: &Path,
    first_id: &str,
    ids: std::ops::Range<usize>,
    limit: Duration,
) -> Vec<Timing> {
    let mut took = Vec::new();
    for n in ids {
        let raw = reply_to(ws, first_id, Some(n));
        let start = Instant::now();
        imap.append("INBOX", &raw);
        let appended = start.elapsed();
        let queued = worker
            .wait_for(limit, |v| v["inbox"]["queued"].as_u64().unwrap_or(0) > 0)
            .unwrap_or_else(|| panic!("reply {n} not read within {limit:?}: {:?}", worker.seen));
        let handled = worker
            .wait_for(limit, engage_handled)
            .unwrap_or_else(|| panic!("reply {n} not handled within {limit:?}: {:?}", worker.seen));
        println!(
            "  reply {n}: APPEND took {} ms, queued at {} ms, handled at {} ms",
            appended.as_millis(),
            queued.duration_since(start).as_millis(),
            handled.duration_since(start).as_millis()
        );
        took.push(Timing {
            appended,
            queued: queued.duration_since(start),
            handled: handled.duration_since(start),
        });
        // Let the worker's own moves and flags settle before the next message.
        std::thread::sleep(Duration::from_millis(300));
    }
    took
}

fn handled_times(took: &[Timing]) -> Vec<Duration> {
    took.iter().map(|t| t.handled).collect()
}

fn p50(took: &[Duration]) -> Duration {
    let mut t = took.to_vec();
    t.sort();
    t[t.len() / 2]
}

fn engage_decisions(ws: &Path) -> Vec<String> {
    let v: Value =
        serde_json::from_slice(&sqa(ws, &["--json", "lead", "show", ASKS]).stdout).unwrap();
    v["runs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["stage"] == "engage")
        .map(|r| r["decision"].as_str().unwrap().to_string())
        .collect()
}

/// With the poll interval at two minutes, the worker waits in IMAP IDLE: each reply appended
/// to the folder is read, recorded and acted on within seconds (measured: append → the
/// engage stage's report), once each, and the agent's answer goes out through SMTP.
#[test]
fn idle_reads_a_new_reply_within_seconds_whatever_the_poll_interval() {
    let Some(smtp) = SmtpServer::start(SmtpOptions::default()) else {
        return;
    };
    let Some(imap) = Dovecot::start() else {
        return;
    };
    let (dir, first_id) = contacted_workspace(&smtp, &imap, "poll_seconds = 120\n");
    let ws = dir.path();
    let mut worker = Worker::start(ws);
    assert!(
        worker
            .wait_for(Duration::from_secs(20), idle_is(true))
            .is_some(),
        "the worker reports IDLE in force: {:?}",
        worker.seen
    );
    let took = time_replies(
        &mut worker,
        &imap,
        ws,
        &first_id,
        0..8,
        Duration::from_secs(10),
    );
    let handled: Vec<Duration> = took.iter().map(|t| t.handled).collect();
    // The worker may see a message before the appending process has returned: zero then.
    let after_append: Vec<Duration> = took
        .iter()
        .map(|t| t.handled.saturating_sub(t.appended))
        .collect();
    let queued: Vec<Duration> = took
        .iter()
        .map(|t| t.queued.saturating_sub(t.appended))
        .collect();
    println!(
        "IMAP IDLE (poll_seconds = 120), {} replies: APPEND start → handled p50 {} ms, max {} ms; \
         APPEND returned → queued p50 {} ms, → handled p50 {} ms",
        took.len(),
        p50(&handled).as_millis(),
        handled.iter().max().unwrap().as_millis(),
        p50(&queued).as_millis(),
        p50(&after_append).as_millis(),
    );
    assert!(handled.iter().all(|t| *t < Duration::from_secs(10)));
    worker.drain(Duration::from_millis(500));
    assert!(!worker.said(idle_is(false)), "{:?}", worker.seen);

    // Each reply acted on once (read by another process while the worker runs); the first
    // one's answer went out, threaded on it.
    let acted = engage_decisions(ws);
    assert_eq!(acted.len(), 8, "{acted:?}");
    drop(worker);
    let answers = smtp
        .messages()
        .into_iter()
        .filter(|m| {
            header(m, "In-Reply-To").as_deref() == Some("<idle-test-0@nimbusledger.example>")
        })
        .count();
    assert_eq!(answers, 1, "the first reply was answered through SMTP");
    assert!(imap.list("INBOX").is_empty(), "{:?}", imap.list("INBOX"));
    assert_eq!(imap.list("Processed").len(), 8);
}

/// IDLE ended and issued again (`idle_renew_secs`) keeps the worker waiting in it: no
/// fallback, and a reply after several renewals is still read within seconds.
#[test]
fn idle_is_issued_again_before_the_server_limit_and_still_wakes_the_worker() {
    let Some(smtp) = SmtpServer::start(SmtpOptions::default()) else {
        return;
    };
    let Some(imap) = Dovecot::start() else {
        return;
    };
    let (dir, first_id) =
        contacted_workspace(&smtp, &imap, "poll_seconds = 120\nidle_renew_secs = 2\n");
    let ws = dir.path();
    let mut worker = Worker::start(ws);
    assert!(
        worker
            .wait_for(Duration::from_secs(20), idle_is(true))
            .is_some()
    );
    // Four renewals.
    worker.drain(Duration::from_secs(9));
    assert!(!worker.said(idle_is(false)), "{:?}", worker.seen);
    let took = time_replies(
        &mut worker,
        &imap,
        ws,
        &first_id,
        0..2,
        Duration::from_secs(10),
    );
    println!(
        "IMAP IDLE renewed every 2 s, append → handled: {:?}",
        handled_times(&took)
    );
    assert!(!worker.said(idle_is(false)), "{:?}", worker.seen);
    drop(worker);
    assert_eq!(engage_decisions(ws).len(), 2);
}

/// `idle = false`: the worker polls every `poll_seconds` and never waits in IDLE.
#[test]
fn without_idle_the_worker_polls_the_folder() {
    let Some(smtp) = SmtpServer::start(SmtpOptions::default()) else {
        return;
    };
    let Some(imap) = Dovecot::start() else {
        return;
    };
    let (dir, first_id) = contacted_workspace(&smtp, &imap, "poll_seconds = 2\nidle = false\n");
    let ws = dir.path();
    let mut worker = Worker::start(ws);
    // The worker's first selection: it is running.
    assert!(
        worker
            .wait_for(Duration::from_secs(20), |v| v.get("select").is_some())
            .is_some()
    );
    let took = time_replies(
        &mut worker,
        &imap,
        ws,
        &first_id,
        0..3,
        Duration::from_secs(10),
    );
    println!(
        "IMAP polled every 2 s (idle = false), append → handled: {:?}",
        handled_times(&took)
    );
    worker.drain(Duration::from_millis(500));
    assert!(
        !worker.said(|v| v.get("inbox_idle").is_some()),
        "no IDLE: {:?}",
        worker.seen
    );
    drop(worker);
    assert_eq!(engage_decisions(ws).len(), 3);
}

/// A server that does not list IDLE: the worker says so and polls.
#[test]
fn a_server_without_idle_is_polled() {
    let Some(smtp) = SmtpServer::start(SmtpOptions::default()) else {
        return;
    };
    let Some(imap) = Dovecot::start_with(
        "imap_capability = IMAP4rev1 LITERAL+ SASL-IR LOGIN-REFERRALS ID ENABLE",
    ) else {
        return;
    };
    let (dir, first_id) = contacted_workspace(&smtp, &imap, "poll_seconds = 2\n");
    let ws = dir.path();
    let mut worker = Worker::start(ws);
    assert!(
        worker
            .wait_for(Duration::from_secs(20), |v| {
                v["inbox_idle"] == false
                    && v["why"]
                        .as_str()
                        .unwrap_or("")
                        .contains("does not offer IDLE")
            })
            .is_some(),
        "{:?}",
        worker.seen
    );
    let took = time_replies(
        &mut worker,
        &imap,
        ws,
        &first_id,
        0..2,
        Duration::from_secs(10),
    );
    println!(
        "IMAP without IDLE, polled every 2 s, append → handled: {:?}",
        handled_times(&took)
    );
    drop(worker);
    assert_eq!(engage_decisions(ws).len(), 2);
}
