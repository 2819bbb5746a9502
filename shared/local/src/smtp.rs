//! Mail through an SMTP server (`[mail] transport = "smtp"`): one connection, kept open and
//! reused from send to send, with STARTTLS or implicit TLS (rustls) and AUTH.
//!
//! The at-most-once rule of [`Mailer::send`] decides how each failure is reported. SMTP
//! accepts a message only with the reply to the end of its data (`250` after `.`); until that
//! line was sent nothing can have been accepted. So:
//!
//! - a failure to connect, to authenticate, or anything before the data ends (a `4xx` to
//!   `MAIL`, `RCPT` or `DATA`, a dropped connection) is `MailError::Transient`: retried later;
//! - a `5xx` to `MAIL`, `RCPT`, `DATA` or to the data is `MailError::Rejected`: the touch
//!   failed for good; a `4xx` to the data is `Transient` (the server kept nothing);
//! - a connection lost after the data was written, before the server's reply, is
//!   `MailError::Unexpected`: the message may have been accepted, and the core marks the
//!   touch unknown instead of sending it again.
//!
//! The provider id returned is `smtp:` and the server's reply to the data (`250 2.0.0 Ok:
//! queued as 4Xyz`), which names the message in the server's log.

use anyhow::{Context, anyhow};
use async_trait::async_trait;
use lettre::Address;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{
    AsyncSmtpConnection, AsyncTokioStream, Certificate, TlsParameters,
};
use lettre::transport::smtp::commands::{Data, Mail, Rcpt, Rset};
use lettre::transport::smtp::extension::{ClientId, Extension, MailBodyParameter, MailParameter};
use sqa_core::config::{MailConfig, Security};
use sqa_core::ports::{MailError, Mailer, OutgoingEmail};
use std::time::Duration;
use tokio::sync::Mutex;

/// Where and how to connect, resolved from `[mail]` (the password and extra roots read by the
/// caller).
#[derive(Clone)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub security: Security,
    /// User and password for AUTH; `None`: no AUTH.
    pub credentials: Option<(String, String)>,
    /// PEM text of extra root certificates.
    pub extra_roots_pem: Option<Vec<u8>>,
    pub timeout: Duration,
    /// The name the agent gives in EHLO (its mail domain).
    pub hello: String,
}

impl SmtpSettings {
    pub fn from_config(
        cfg: &MailConfig,
        password: Option<String>,
        extra_roots_pem: Option<Vec<u8>>,
        hello: &str,
    ) -> SmtpSettings {
        let credentials = if cfg.username.trim().is_empty() {
            None
        } else {
            Some((cfg.username.clone(), password.unwrap_or_default()))
        };
        SmtpSettings {
            host: cfg.host.trim().to_string(),
            port: cfg.port(),
            security: cfg.security,
            credentials,
            extra_roots_pem,
            timeout: Duration::from_secs(cfg.timeout_secs.max(1)),
            hello: hello.to_string(),
        }
    }
}

/// The `Mailer` on an SMTP server.
pub struct SmtpMailer {
    settings: SmtpSettings,
    conn: Mutex<Option<AsyncSmtpConnection>>,
}

/// What failed, and whether the message may have been accepted.
enum Failure {
    /// Nothing was accepted: the send may be tried again.
    NotAccepted(anyhow::Error),
    /// The server refused the message for good.
    Refused(String),
    /// The data went out and no answer came back.
    Unknown(anyhow::Error),
}

impl SmtpMailer {
    pub fn new(settings: SmtpSettings) -> SmtpMailer {
        SmtpMailer {
            settings,
            conn: Mutex::new(None),
        }
    }

    fn tls(&self) -> anyhow::Result<TlsParameters> {
        let mut b = TlsParameters::builder(self.settings.host.clone());
        if let Some(pem) = &self.settings.extra_roots_pem {
            b = b.add_root_certificate(
                Certificate::from_pem(pem).context("mail.ca_file is not a PEM certificate")?,
            );
        }
        b.build_rustls()
            .context("cannot set up TLS for the SMTP server")
    }

    /// A new connection: TCP (no Nagle delay: a command and its answer are one round trip,
    /// not one round trip plus a delayed ACK), TLS from the first byte for `tls`, greeting
    /// and EHLO, STARTTLS for `starttls`, AUTH.
    async fn connect(&self) -> anyhow::Result<AsyncSmtpConnection> {
        let s = &self.settings;
        let hello = ClientId::Domain(s.hello.clone());
        let where_ = || format!("the SMTP server {}:{}", s.host, s.port);
        let tcp = tokio::time::timeout(
            s.timeout,
            tokio::net::TcpStream::connect((s.host.as_str(), s.port)),
        )
        .await
        .map_err(|_| anyhow!("timed out"))
        .and_then(|r| r.map_err(anyhow::Error::new))
        .with_context(|| format!("cannot connect to {}", where_()))?;
        tcp.set_nodelay(true)
            .with_context(|| format!("cannot set TCP_NODELAY towards {}", where_()))?;
        let stream: Box<dyn AsyncTokioStream> = match s.security {
            Security::Tls => {
                let connector = crate::mailbox::tls_connector(s.extra_roots_pem.as_deref())?;
                let name = rustls::pki_types::ServerName::try_from(s.host.clone())
                    .with_context(|| format!("{:?} is not a server name TLS can check", s.host))?;
                let tls = tokio::time::timeout(s.timeout, connector.connect(name, tcp))
                    .await
                    .map_err(|_| anyhow!("timed out"))
                    .and_then(|r| r.map_err(anyhow::Error::new))
                    .with_context(|| format!("TLS with {} failed", where_()))?;
                Box::new(TlsTcp(tls))
            }
            _ => Box::new(tcp),
        };
        let mut conn = tokio::time::timeout(
            s.timeout,
            AsyncSmtpConnection::connect_with_transport(stream, &hello),
        )
        .await
        .map_err(|_| anyhow!("no greeting within {:?}", s.timeout))
        .and_then(|r| r.map_err(anyhow::Error::new))
        .with_context(|| format!("no SMTP session with {}", where_()))?;
        if s.security == Security::Starttls {
            if !conn.can_starttls() {
                conn.abort().await;
                anyhow::bail!(
                    "{} does not offer STARTTLS (mail.security = \"starttls\")",
                    where_()
                );
            }
            tokio::time::timeout(s.timeout, conn.starttls(self.tls()?, &hello))
                .await
                .map_err(|_| anyhow!("timed out"))
                .and_then(|r| r.map_err(anyhow::Error::new))
                .context("STARTTLS failed")?;
        }
        if let Some((user, password)) = &s.credentials {
            let creds = Credentials::new(user.clone(), password.clone());
            let authed = tokio::time::timeout(
                s.timeout,
                conn.auth(&[Mechanism::Plain, Mechanism::Login], &creds),
            )
            .await
            .map_err(|_| anyhow!("timed out"))
            .and_then(|r| r.map_err(anyhow::Error::new));
            if let Err(e) = authed {
                conn.abort().await;
                return Err(e.context(format!("AUTH as {user} failed")));
            }
        }
        Ok(conn)
    }

    /// The open connection if it still answers, else a new one.
    async fn connection<'a>(
        &self,
        slot: &'a mut Option<AsyncSmtpConnection>,
    ) -> anyhow::Result<&'a mut AsyncSmtpConnection> {
        if let Some(c) = slot.as_mut()
            && (c.has_broken()
                || !tokio::time::timeout(self.settings.timeout, c.test_connected())
                    .await
                    .unwrap_or(false))
        {
            c.abort().await;
            *slot = None;
        }
        if slot.is_none() {
            *slot = Some(self.connect().await?);
        }
        slot.as_mut().ok_or_else(|| anyhow!("no SMTP connection"))
    }

    /// The transaction on an open connection, each command within `timeout`.
    async fn transact(
        timeout: Duration,
        conn: &mut AsyncSmtpConnection,
        from: &Address,
        to: &[Address],
        raw: &[u8],
    ) -> Result<String, Failure> {
        let before_data = |e: lettre::transport::smtp::Error| {
            if e.is_permanent() {
                Failure::Refused(e.to_string())
            } else {
                Failure::NotAccepted(anyhow!(e))
            }
        };
        let mut options = Vec::new();
        if !raw.is_ascii() {
            if !conn.server_info().supports_feature(Extension::EightBitMime) {
                return Err(Failure::Refused(
                    "the message has 8-bit text and the server does not take 8BITMIME".into(),
                ));
            }
            options.push(MailParameter::Body(MailBodyParameter::EightBitMime));
        }
        let late = |_| Failure::NotAccepted(anyhow!("no answer within {timeout:?}"));
        tokio::time::timeout(
            timeout,
            conn.command(Mail::new(Some(from.clone()), options)),
        )
        .await
        .map_err(late)?
        .map_err(before_data)?;
        for rcpt in to {
            tokio::time::timeout(timeout, conn.command(Rcpt::new(rcpt.clone(), Vec::new())))
                .await
                .map_err(late)?
                .map_err(before_data)?;
        }
        tokio::time::timeout(timeout, conn.command(Data))
            .await
            .map_err(late)?
            .map_err(before_data)?;
        let Ok(answer) = tokio::time::timeout(timeout, conn.message(raw)).await else {
            return Err(Failure::Unknown(anyhow!(
                "no answer to the data within {timeout:?}"
            )));
        };
        match answer {
            Ok(reply) => {
                let text: Vec<&str> = reply.message().collect();
                Ok(format!("smtp:{} {}", reply.code(), text.join(" ")))
            }
            // The server answered the data: it kept nothing.
            Err(e) if e.is_permanent() => Err(Failure::Refused(e.to_string())),
            Err(e) if e.is_transient() => Err(Failure::NotAccepted(anyhow!(e))),
            Err(e) => Err(Failure::Unknown(anyhow!(e))),
        }
    }
}

fn address(a: &str) -> Result<Address, MailError> {
    a.trim()
        .parse::<Address>()
        .map_err(|e| MailError::Rejected(format!("{a:?} is not an address SMTP takes: {e}")))
}

#[async_trait]
impl Mailer for SmtpMailer {
    async fn send(&self, email: &OutgoingEmail) -> Result<String, MailError> {
        if email.to.is_empty() {
            return Err(MailError::Rejected("the message has no recipient".into()));
        }
        let from = address(&email.from)?;
        let to = email
            .to
            .iter()
            .map(|a| address(a))
            .collect::<Result<Vec<_>, _>>()?;
        let mut slot = self.conn.lock().await;
        let conn = self
            .connection(&mut slot)
            .await
            .map_err(MailError::Transient)?;
        match Self::transact(self.settings.timeout, conn, &from, &to, &email.raw).await {
            Ok(id) => Ok(id),
            Err(failure) => {
                // A connection that refused a message stays usable after RSET; any other
                // failure closes it (the next send opens a new one).
                let keep = matches!(failure, Failure::Refused(_) | Failure::NotAccepted(_))
                    && !conn.has_broken()
                    && conn.command(Rset).await.is_ok();
                if !keep {
                    conn.abort().await;
                    *slot = None;
                }
                Err(match failure {
                    Failure::NotAccepted(e) => MailError::Transient(e.context(format!(
                        "{} was not accepted by {}:{}",
                        email.message_id, self.settings.host, self.settings.port
                    ))),
                    Failure::Refused(why) => MailError::Rejected(why),
                    Failure::Unknown(e) => MailError::Unexpected(e.context(format!(
                        "the connection to {}:{} failed after the data of {} was sent: it may \
                         have been accepted",
                        self.settings.host, self.settings.port, email.message_id
                    ))),
                })
            }
        }
    }
}

/// A TLS stream over TCP as lettre takes an existing connection (implicit TLS on a socket
/// this module opened itself).
#[derive(Debug)]
struct TlsTcp(tokio_rustls::client::TlsStream<tokio::net::TcpStream>);

impl AsyncTokioStream for TlsTcp {
    fn peer_addr(&self) -> std::io::Result<std::net::SocketAddr> {
        self.0.get_ref().0.peer_addr()
    }
}

impl tokio::io::AsyncRead for TlsTcp {
    fn poll_read(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl tokio::io::AsyncWrite for TlsTcp {
    fn poll_write(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        std::pin::Pin::new(&mut self.0).poll_write(cx, buf)
    }
    fn poll_flush(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.0).poll_flush(cx)
    }
    fn poll_shutdown(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.0).poll_shutdown(cx)
    }
}
