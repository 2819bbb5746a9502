//! Replies read from a mailbox into the engage queue (`[inbox] source = "imap" | "maildir"`).
//!
//! Each message is copied into the workspace's spool folder (`inbound/`), its authentication
//! verdicts are taken (what SES does on AWS), and an engage message naming the copy is queued;
//! only then is the message marked read where it came from:
//!
//! - IMAP: its UID is recorded in the store (`mailbox_seen`, per folder and UIDVALIDITY), then
//!   it is flagged `\Seen` or moved to `inbox.move_to`. Messages are fetched with
//!   `BODY.PEEK[]`, so a crash before the record leaves the message unread on the server.
//! - Maildir: the file moves from `new/` to `cur/` with the `S` flag.
//!
//! A crash between the queueing and the record reads the message again on the next poll; the
//! engage stage then finds its Message-ID handled already ("message already processed"). So
//! each message is acted on once, and none is lost.
//!
//! When the IMAP server offers IDLE, `watch_imap` waits in it on a connection of its own and
//! tells the worker when to read (`IdleSignal`); the read itself is the same `poll_imap`.

use crate::SqliteStore;
use crate::auth::MailAuth;
use anyhow::{Context, Result, anyhow};
use futures_util::TryStreamExt;
use sqa_core::config::{InboxConfig, Security};
use sqa_core::ports::{Queue, QueueName};
use sqa_core::stages::{InboundMessage, MESSAGE_VERSION};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};

/// What one poll did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct PollReport {
    /// Messages queued for the engage stage.
    pub queued: usize,
    /// Messages found recorded already (read before, not yet flagged or moved).
    pub already: usize,
    /// Messages that could not be read this time (left for the next poll).
    pub failed: usize,
}

/// Where a poll writes: the spool folder, the store (UIDs) and the engage queue.
pub struct Sink<'a> {
    pub spool: &'a Path,
    pub store: &'a SqliteStore,
    pub queue: &'a dyn Queue,
    pub checker: &'a MailAuth,
    pub max_bytes: u64,
}

impl Sink<'_> {
    /// Copy `raw` to the spool as `name` and queue it. Returns the key queued.
    ///
    /// A message over `limits.max_message_bytes` is kept cut one byte past the limit: the
    /// engage stage then refuses it as too large, records it and escalates it to a person,
    /// like any message too large to read, and the mailbox moves on.
    async fn accept(&self, name: &str, raw: &[u8]) -> Result<String> {
        let keep = usize::try_from(self.max_bytes.saturating_add(1)).unwrap_or(usize::MAX);
        let raw = &raw[..raw.len().min(keep)];
        std::fs::create_dir_all(self.spool)
            .with_context(|| format!("cannot create {}", self.spool.display()))?;
        let path = self.spool.join(name);
        let tmp = self.spool.join(format!(".{name}.tmp"));
        std::fs::write(&tmp, raw).with_context(|| format!("cannot write {}", tmp.display()))?;
        std::fs::rename(&tmp, &path).with_context(|| format!("cannot write {}", path.display()))?;
        let key = path.to_string_lossy().into_owned();
        let msg = InboundMessage {
            v: MESSAGE_VERSION,
            key: key.clone(),
            verdicts: self.checker.verdicts(raw).await,
        };
        self.queue
            .send(QueueName::Engage, &[serde_json::to_string(&msg)?])
            .await
            .context("cannot queue the message for the engage stage")?;
        Ok(key)
    }
}

/// A file name from a mailbox's own name for a message: `[A-Za-z0-9._-]` kept, the rest `_`.
fn safe_name(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._-".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect()
}

// ---------------------------------------------------------------- Maildir

/// Read every message in `dir/new`, queue it, and move it to `dir/cur` (flag `S`).
pub async fn poll_maildir(dir: &Path, sink: &Sink<'_>) -> Result<PollReport> {
    let new = dir.join("new");
    let cur = dir.join("cur");
    let mut report = PollReport::default();
    let entries = match std::fs::read_dir(&new) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(report),
        Err(e) => return Err(anyhow!(e).context(format!("cannot read {}", new.display()))),
    };
    let mut names: Vec<PathBuf> = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| !n.starts_with('.'))
        })
        .collect();
    // Oldest first: Maildir names begin with the delivery time.
    names.sort();
    std::fs::create_dir_all(&cur).with_context(|| format!("cannot create {}", cur.display()))?;
    for path in names {
        let Some(name) = path
            .file_name()
            .and_then(|n| n.to_str())
            .map(str::to_string)
        else {
            continue;
        };
        // At most one byte past the limit is read (see `Sink::accept`).
        let mut raw = Vec::new();
        let read = std::fs::File::open(&path).and_then(|f| {
            use std::io::Read;
            f.take(sink.max_bytes.saturating_add(1))
                .read_to_end(&mut raw)
        });
        if let Err(e) = read {
            // Left in new/ for the next poll; the other messages go on.
            tracing::warn!(file = %path.display(), error = %e, "cannot read a Maildir message");
            report.failed += 1;
            continue;
        }
        sink.accept(&format!("maildir-{}.eml", safe_name(&name)), &raw)
            .await?;
        // `name:2,S`: read (RFC-less but universal Maildir convention).
        let base = name.split(":2,").next().unwrap_or(&name);
        let target = cur.join(format!("{base}:2,S"));
        std::fs::rename(&path, &target)
            .with_context(|| format!("cannot move {} to {}", path.display(), target.display()))?;
        report.queued += 1;
    }
    Ok(report)
}

// ---------------------------------------------------------------- IMAP

/// Where and how to read: resolved from `[inbox]` (the password and extra roots read by the
/// caller).
#[derive(Clone)]
pub struct ImapSettings {
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub username: String,
    pub password: String,
    pub folder: String,
    pub move_to: Option<String>,
    pub extra_roots_pem: Option<Vec<u8>>,
    pub timeout: Duration,
}

impl ImapSettings {
    pub fn from_config(
        cfg: &InboxConfig,
        password: String,
        extra_roots_pem: Option<Vec<u8>>,
    ) -> ImapSettings {
        ImapSettings {
            host: cfg.host.trim().to_string(),
            port: cfg.port(),
            security: cfg.security,
            username: cfg.username.clone(),
            password,
            folder: cfg.folder.clone(),
            move_to: cfg.move_to.clone(),
            extra_roots_pem,
            timeout: Duration::from_secs(cfg.timeout_secs.max(1)),
        }
    }

    /// The name UIDs are recorded under: user, server and folder.
    fn mailbox_key(&self) -> String {
        format!(
            "imap://{}@{}:{}/{}",
            self.username, self.host, self.port, self.folder
        )
    }
}

trait Io: AsyncRead + AsyncWrite + Unpin + Send + std::fmt::Debug {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send + std::fmt::Debug> Io for T {}
type Session = async_imap::Session<Box<dyn Io>>;

/// A rustls client (ring) trusting the system's roots and the PEM certificates in
/// `extra_pem` (a `ca_file`): shared by the IMAP reader and the SMTP mailer.
pub(crate) fn tls_connector(extra_pem: Option<&[u8]>) -> Result<tokio_rustls::TlsConnector> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    for cert in rustls_native_certs::load_native_certs().certs {
        // A system root rustls cannot read is skipped, as every rustls client does.
        let _ = roots.add(cert);
    }
    if let Some(pem) = extra_pem {
        for cert in CertificateDer::pem_slice_iter(pem) {
            roots
                .add(cert.context("ca_file: not a PEM certificate")?)
                .context("ca_file: a certificate rustls refuses")?;
        }
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .context("TLS versions")?
    .with_root_certificates(roots)
    .with_no_client_auth();
    Ok(tokio_rustls::TlsConnector::from(Arc::new(config)))
}

async fn tls_wrap<S: AsyncRead + AsyncWrite + Unpin + Send + std::fmt::Debug + 'static>(
    s: &ImapSettings,
    stream: S,
) -> Result<Box<dyn Io>> {
    let connector = tls_connector(s.extra_roots_pem.as_deref())?;
    let name = rustls::pki_types::ServerName::try_from(s.host.clone())
        .with_context(|| format!("{:?} is not a server name TLS can check", s.host))?;
    let tls = connector
        .connect(name, stream)
        .await
        .with_context(|| format!("TLS with {}:{} failed", s.host, s.port))?;
    Ok(Box::new(tls))
}

async fn connect(s: &ImapSettings) -> Result<Session> {
    let tcp = tokio::time::timeout(
        s.timeout,
        tokio::net::TcpStream::connect((s.host.as_str(), s.port)),
    )
    .await
    .map_err(|_| anyhow!("timed out"))
    .and_then(|r| r.map_err(anyhow::Error::new))
    .with_context(|| format!("cannot connect to the IMAP server {}:{}", s.host, s.port))?;
    let stream: Box<dyn Io> = match s.security {
        Security::Tls => tls_wrap(s, tcp).await?,
        Security::None => Box::new(tcp),
        Security::Starttls => {
            let mut client = async_imap::Client::new(tcp);
            client
                .read_response()
                .await
                .context("no IMAP greeting")?
                .ok_or_else(|| anyhow!("the IMAP server closed the connection"))?;
            client
                .run_command_and_check_ok("STARTTLS", None)
                .await
                .context("the IMAP server refused STARTTLS (inbox.security = \"starttls\")")?;
            tls_wrap(s, client.into_inner()).await?
        }
    };
    let mut client = async_imap::Client::new(stream);
    if s.security != Security::Starttls {
        client
            .read_response()
            .await
            .context("no IMAP greeting")?
            .ok_or_else(|| anyhow!("the IMAP server closed the connection"))?;
    }
    client
        .login(&s.username, &s.password)
        .await
        .map_err(|(e, _)| anyhow!(e).context(format!("IMAP LOGIN as {} failed", s.username)))
}

/// Read the folder once: every message not recorded yet is queued, recorded, then flagged
/// `\Seen` or moved.
pub async fn poll_imap(s: &ImapSettings, sink: &Sink<'_>) -> Result<PollReport> {
    let work = async {
        let mut session = connect(s).await?;
        let result = read_folder(&mut session, s, sink).await;
        let _ = session.logout().await;
        result
    };
    // Each command has the connection's timeout; the whole poll gets ten times that.
    tokio::time::timeout(s.timeout * 10, work)
        .await
        .map_err(|_| anyhow!("the IMAP poll of {} timed out", s.mailbox_key()))?
}

async fn read_folder(
    session: &mut Session,
    s: &ImapSettings,
    sink: &Sink<'_>,
) -> Result<PollReport> {
    let mut report = PollReport::default();
    let mailbox = session
        .select(&s.folder)
        .await
        .with_context(|| format!("cannot open the IMAP folder {:?}", s.folder))?;
    let validity = mailbox.uid_validity.unwrap_or(0);
    let key = s.mailbox_key();
    let caps = session.capabilities().await.context("CAPABILITY")?;
    let can_move = caps.has_str("MOVE");
    // Deleted messages are on their way out; every other one is a candidate, whatever its
    // flags (a person may have opened it in a mail client).
    let mut uids: Vec<u32> = session
        .uid_search("UNDELETED")
        .await
        .context("UID SEARCH")?
        .into_iter()
        .collect();
    uids.sort_unstable();
    for uid in uids {
        if sink.store.mailbox_seen(&key, validity, uid)? {
            report.already += 1;
        } else {
            let raw = match fetch(session, uid).await {
                Ok(Some(raw)) => raw,
                // Expunged meanwhile.
                Ok(None) => continue,
                Err(e) => {
                    // Left unrecorded for the next poll; the other messages go on.
                    tracing::warn!(uid, error = %format!("{e:#}"), "cannot fetch an IMAP message");
                    report.failed += 1;
                    continue;
                }
            };
            let name = format!("imap-{}-{validity}-{uid}.eml", safe_name(&s.folder));
            let queued = sink.accept(&name, &raw).await?;
            sink.store
                .mailbox_record(&key, validity, uid, &queued, chrono::Utc::now())?;
            report.queued += 1;
        }
        done_with(session, s, uid, can_move).await?;
    }
    Ok(report)
}

async fn fetch(session: &mut Session, uid: u32) -> Result<Option<Vec<u8>>> {
    let fetches: Vec<_> = session
        .uid_fetch(uid.to_string(), "(UID BODY.PEEK[])")
        .await
        .context("UID FETCH")?
        .try_collect()
        .await
        .context("UID FETCH")?;
    Ok(fetches
        .iter()
        .find(|f| f.uid == Some(uid))
        .and_then(|f| f.body())
        .map(<[u8]>::to_vec))
}

/// Mark a recorded message: move it out of the folder, or flag it read.
async fn done_with(
    session: &mut Session,
    s: &ImapSettings,
    uid: u32,
    can_move: bool,
) -> Result<()> {
    let set = uid.to_string();
    match &s.move_to {
        Some(to) if can_move => session
            .uid_mv(&set, to)
            .await
            .with_context(|| format!("UID MOVE to {to:?}"))?,
        Some(to) => {
            session
                .uid_copy(&set, to)
                .await
                .with_context(|| format!("UID COPY to {to:?}"))?;
            let _: Vec<_> = session
                .uid_store(&set, "+FLAGS.SILENT (\\Seen \\Deleted)")
                .await
                .context("UID STORE")?
                .try_collect()
                .await
                .context("UID STORE")?;
        }
        None => {
            let _: Vec<_> = session
                .uid_store(&set, "+FLAGS.SILENT (\\Seen)")
                .await
                .context("UID STORE")?
                .try_collect()
                .await
                .context("UID STORE")?;
        }
    }
    Ok(())
}

// ---------------------------------------------------------------- IMAP IDLE

/// What the IDLE watcher tells the worker: "read the folder now", and whether IDLE is in
/// force (while it is not, the worker reads the folder every `inbox.poll_seconds`).
#[derive(Debug, Default)]
pub struct IdleSignal {
    wake: tokio::sync::Notify,
    live: std::sync::atomic::AtomicBool,
}

impl IdleSignal {
    /// True while a connection waits in IDLE on the folder.
    pub fn live(&self) -> bool {
        self.live.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Resolves when the watcher asked for a read (at once if it asked meanwhile).
    pub async fn woken(&self) {
        self.wake.notified().await
    }

    fn set_live(&self, live: bool) {
        self.live.store(live, std::sync::atomic::Ordering::SeqCst);
    }

    fn wake(&self) {
        self.wake.notify_one();
    }
}

/// Why the watcher stopped for good.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdleEnd {
    /// The server does not list IDLE among its capabilities: the worker polls.
    NotOffered,
}

/// Wait in IDLE on the folder on a connection of its own, and wake the worker (`signal`)
/// whenever the server reports a change (a new message, a flag, an expunge), each time IDLE
/// begins (what arrived before it began is read then), and when IDLE is re-issued after
/// `renew` (a read that also catches anything a quiet connection missed). A failure (the
/// server gone, IDLE refused) marks IDLE down, wakes the worker, and the connection is made
/// again after a pause (5 s doubling to 5 min), the worker polling meanwhile. Returns only
/// when the server does not offer IDLE.
///
/// The watcher reads nothing itself: the worker's read (`poll_imap`) fetches, records and
/// flags or moves each message, so each is still handled once, whatever woke it.
pub async fn watch_imap(s: ImapSettings, renew: Duration, signal: Arc<IdleSignal>) -> IdleEnd {
    let mut pause = Duration::from_secs(5);
    loop {
        let started = std::time::Instant::now();
        let end = idle_session(&s, renew.max(Duration::from_secs(1)), &signal).await;
        signal.set_live(false);
        match end {
            Ok(end) => return end,
            Err(e) => {
                tracing::warn!(
                    mailbox = %s.mailbox_key(),
                    error = %format!("{e:#}"),
                    "IMAP IDLE failed; polling until it is back"
                );
                // A read now: whatever the failed connection would have reported.
                signal.wake();
            }
        }
        // A connection that lasted is no sign of a server refusing it: start the pauses over.
        if started.elapsed() > renew {
            pause = Duration::from_secs(5);
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(Duration::from_secs(300));
    }
}

async fn idle_session(s: &ImapSettings, renew: Duration, signal: &IdleSignal) -> Result<IdleEnd> {
    let step = |what: &'static str| {
        move |_: tokio::time::error::Elapsed| {
            anyhow!("{what}: no answer within {} s", s.timeout.as_secs())
        }
    };
    let mut session = tokio::time::timeout(s.timeout * 2, connect(s))
        .await
        .map_err(step("LOGIN"))??;
    let caps = tokio::time::timeout(s.timeout, session.capabilities())
        .await
        .map_err(step("CAPABILITY"))?
        .context("CAPABILITY")?;
    if !caps.has_str("IDLE") {
        let _ = tokio::time::timeout(s.timeout, session.logout()).await;
        return Ok(IdleEnd::NotOffered);
    }
    tokio::time::timeout(s.timeout, session.select(&s.folder))
        .await
        .map_err(step("SELECT"))?
        .with_context(|| format!("cannot open the IMAP folder {:?}", s.folder))?;
    loop {
        let mut idle = session.idle();
        tokio::time::timeout(s.timeout, idle.init())
            .await
            .map_err(step("IDLE"))?
            .context("the server refused IDLE")?;
        signal.set_live(true);
        signal.wake();
        let began = std::time::Instant::now();
        loop {
            let left = renew.saturating_sub(began.elapsed());
            if left.is_zero() {
                break;
            }
            // Dropping `_stop` would end the wait: it lives until the wait is over.
            let (wait, _stop) = idle.wait_with_timeout(left);
            match wait.await.context("IDLE")? {
                async_imap::extensions::idle::IdleResponse::NewData(_) => signal.wake(),
                async_imap::extensions::idle::IdleResponse::Timeout => break,
                async_imap::extensions::idle::IdleResponse::ManualInterrupt => {
                    return Err(anyhow!("the IMAP server closed the IDLE connection"));
                }
            }
        }
        session = tokio::time::timeout(s.timeout, idle.done())
            .await
            .map_err(step("DONE"))?
            .context("DONE")?;
    }
}
