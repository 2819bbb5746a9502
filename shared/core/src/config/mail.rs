//! `[mail]` and `[inbox]`: how mail leaves and arrives on one machine (the outbox folder or
//! SMTP; no inbox, IMAP or Maildir), and their checks.

use super::*;

/// How the agent's mail leaves (`[mail] transport`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, Default)]
#[serde(rename_all = "snake_case")]
pub enum Transport {
    /// Each message is written to the workspace's `outbox/` as a `.eml` file.
    #[default]
    Outbox,
    /// Each message is handed to an SMTP server (`[mail]` host, port, security, AUTH).
    Smtp,
}

/// How a mail connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Security {
    /// TLS from the first byte (SMTP port 465, IMAP port 993).
    Tls,
    /// A plain connection upgraded with STARTTLS, refused when the server does not offer it
    /// (SMTP port 587, IMAP port 143).
    Starttls,
    /// No encryption: allowed only to a loopback host (a relay on the same machine, tests).
    None,
}

/// The SMTP server the agent sends through (`[mail]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MailConfig {
    /// `outbox` (files, the default) or `smtp`.
    #[serde(default)]
    pub transport: Transport,
    /// The SMTP server's name (also the name its certificate must carry).
    #[serde(default)]
    pub host: String,
    /// Unset: 465 for `tls`, 587 for `starttls`, 25 for `none`.
    #[serde(default)]
    pub port: Option<u16>,
    #[serde(default = "default_starttls")]
    pub security: Security,
    /// The AUTH user; empty: no AUTH.
    #[serde(default)]
    pub username: String,
    /// The environment variable holding the password; when it is unset the password is read
    /// from the workspace file `.smtp-password`.
    #[serde(default = "default_smtp_password_env")]
    pub password_env: String,
    /// A PEM file of extra root certificates to trust (a private relay's own CA).
    #[serde(default)]
    pub ca_file: Option<String>,
    /// Connect, command and data timeout.
    #[serde(default = "default_mail_timeout")]
    pub timeout_secs: u64,
    /// AWS: the host of the Message-ID SES puts on what it sends (`<ID@HOST>`), quoted in
    /// follow-ups and answers. Unset: `REGION.amazonses.com`, `email.amazonses.com` for
    /// us-east-1 (inferred from delivered headers, not documented by AWS). Must end in
    /// `.amazonses.com`, the form inbound matching reads.
    #[serde(default)]
    pub ses_message_id_domain: Option<String>,
}

fn default_starttls() -> Security {
    Security::Starttls
}
fn default_tls() -> Security {
    Security::Tls
}
fn default_smtp_password_env() -> String {
    "SQA_SMTP_PASSWORD".into()
}
fn default_imap_password_env() -> String {
    "SQA_IMAP_PASSWORD".into()
}
fn default_mail_timeout() -> u64 {
    30
}
fn default_folder() -> String {
    "INBOX".into()
}
fn default_poll_seconds() -> u64 {
    30
}
fn default_idle_renew_secs() -> u64 {
    InboxConfig::DEFAULT_IDLE_RENEW_SECS
}

impl Default for MailConfig {
    fn default() -> Self {
        MailConfig {
            transport: Transport::Outbox,
            host: String::new(),
            port: None,
            security: Security::Starttls,
            username: String::new(),
            password_env: default_smtp_password_env(),
            ca_file: None,
            timeout_secs: default_mail_timeout(),
            ses_message_id_domain: None,
        }
    }
}

impl MailConfig {
    /// The port in force.
    pub fn port(&self) -> u16 {
        self.port.unwrap_or(match self.security {
            Security::Tls => 465,
            Security::Starttls => 587,
            Security::None => 25,
        })
    }
}

/// Where replies are read from (`[inbox] source`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, Default)]
#[serde(rename_all = "snake_case")]
pub enum InboxSource {
    /// Replies come only through `sqa inbound FILE…`.
    #[default]
    None,
    /// A folder of an IMAP mailbox, polled.
    Imap,
    /// A Maildir folder (`new/` read, then moved to `cur/`).
    Maildir,
}

/// The mailbox replies are read from (`[inbox]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InboxConfig {
    #[serde(default)]
    pub source: InboxSource,
    /// imap: the server's name.
    #[serde(default)]
    pub host: String,
    /// imap: unset: 993 for `tls`, 143 otherwise.
    #[serde(default)]
    pub port: Option<u16>,
    #[serde(default = "default_tls")]
    pub security: Security,
    #[serde(default)]
    pub username: String,
    /// imap: the environment variable holding the password; when it is unset the password is
    /// read from the workspace file `.imap-password`.
    #[serde(default = "default_imap_password_env")]
    pub password_env: String,
    #[serde(default)]
    pub ca_file: Option<String>,
    /// imap: the folder read.
    #[serde(default = "default_folder")]
    pub folder: String,
    /// imap: where a message goes once recorded; unset: it stays, flagged `\Seen`.
    #[serde(default)]
    pub move_to: Option<String>,
    /// maildir: the Maildir folder (holding `new/` and `cur/`), relative to the workspace.
    #[serde(default)]
    pub path: String,
    /// How often `sqa run` reads the mailbox (imap: when IDLE is off, not offered or failing).
    #[serde(default = "default_poll_seconds")]
    pub poll_seconds: u64,
    /// imap: when the server offers IDLE (RFC 2177), `sqa run` waits in it and reads the folder
    /// as soon as the server reports a change, instead of every `poll_seconds`; it falls back
    /// to polling while IDLE is not offered or fails.
    #[serde(default = "default_true")]
    pub idle: bool,
    /// imap: how long one IDLE command lasts before it is ended and issued again (the folder
    /// is read then too). At most 1740 (29 minutes, RFC 2177's limit).
    #[serde(default = "default_idle_renew_secs")]
    pub idle_renew_secs: u64,
    #[serde(default = "default_mail_timeout")]
    pub timeout_secs: u64,
}

impl Default for InboxConfig {
    fn default() -> Self {
        InboxConfig {
            source: InboxSource::None,
            host: String::new(),
            port: None,
            security: Security::Tls,
            username: String::new(),
            password_env: default_imap_password_env(),
            ca_file: None,
            folder: default_folder(),
            move_to: None,
            path: String::new(),
            poll_seconds: default_poll_seconds(),
            idle: true,
            idle_renew_secs: default_idle_renew_secs(),
            timeout_secs: default_mail_timeout(),
        }
    }
}

impl InboxConfig {
    /// One IDLE command lasts ten minutes by default: under RFC 2177's 29-minute limit, and
    /// short enough that a connection a NAT dropped without a word is noticed.
    pub const DEFAULT_IDLE_RENEW_SECS: u64 = 600;
    /// RFC 2177: re-issue IDLE at least every 29 minutes.
    pub const MAX_IDLE_RENEW_SECS: u64 = 29 * 60;

    pub fn port(&self) -> u16 {
        self.port.unwrap_or(match self.security {
            Security::Tls => 993,
            _ => 143,
        })
    }
}

/// True for a host name that is this machine (`localhost`, 127.0.0.0/8, `::1`).
pub fn is_loopback_host(host: &str) -> bool {
    let h = host.trim().trim_start_matches('[').trim_end_matches(']');
    h.eq_ignore_ascii_case("localhost")
        || h.parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// `[mail]` and `[inbox]`: a server where one is needed, no clear text beyond this machine.
pub(super) fn mail_checks(cfg: &AgentConfig, push: &mut dyn FnMut(&str, String)) {
    let m = &cfg.mail;
    if m.transport == Transport::Smtp {
        if m.host.trim().is_empty() {
            push(
                "mail.host",
                "transport = \"smtp\" needs the SMTP server's host".into(),
            );
        } else if m.security == Security::None && !is_loopback_host(&m.host) {
            push(
                "mail.security",
                format!(
                    "\"none\" is allowed only to this machine, not {:?}: use \"starttls\" or \"tls\"",
                    m.host
                ),
            );
        }
        if m.timeout_secs == 0 {
            push("mail.timeout_secs", "must be at least 1".into());
        }
    }
    if let Some(d) = &m.ses_message_id_domain
        && !crate::mail::ids::is_ses_message_id_domain(d)
    {
        push(
            "mail.ses_message_id_domain",
            format!(
                "{d:?} is not a host SES puts in a Message-ID: a name ending in \".amazonses.com\", \
                 such as \"email.amazonses.com\""
            ),
        );
    }
    let i = &cfg.inbox;
    match i.source {
        InboxSource::None => {}
        InboxSource::Imap => {
            if i.host.trim().is_empty() {
                push(
                    "inbox.host",
                    "source = \"imap\" needs the IMAP server's host".into(),
                );
            } else if i.security == Security::None && !is_loopback_host(&i.host) {
                push(
                    "inbox.security",
                    format!(
                        "\"none\" is allowed only to this machine, not {:?}: use \"starttls\" or \"tls\"",
                        i.host
                    ),
                );
            }
            if i.username.trim().is_empty() {
                push(
                    "inbox.username",
                    "source = \"imap\" needs the mailbox user".into(),
                );
            }
            if i.folder.trim().is_empty() {
                push("inbox.folder", "must not be empty".into());
            }
            if i.move_to
                .as_deref()
                .is_some_and(|f| f.trim().is_empty() || f == i.folder)
            {
                push(
                    "inbox.move_to",
                    "must name another folder than inbox.folder (or be left out)".into(),
                );
            }
        }
        InboxSource::Maildir => {
            if i.path.trim().is_empty() {
                push(
                    "inbox.path",
                    "source = \"maildir\" needs the Maildir folder".into(),
                );
            }
        }
    }
    if i.source != InboxSource::None && i.poll_seconds == 0 {
        push("inbox.poll_seconds", "must be at least 1".into());
    }
    if i.source == InboxSource::Imap
        && !(1..=InboxConfig::MAX_IDLE_RENEW_SECS).contains(&i.idle_renew_secs)
    {
        push(
            "inbox.idle_renew_secs",
            format!(
                "must be 1 to {} (29 minutes: a server may end an IDLE older than that)",
                InboxConfig::MAX_IDLE_RENEW_SECS
            ),
        );
    }
}
