//! Authentication of inbound mail on one machine: DKIM signatures, the ARC chain, SPF for
//! the connecting IP and DMARC alignment, checked with `mail-auth` against DNS.
//!
//! On AWS SES checks each message on receipt and the engage function gets its verdicts; here
//! nobody did, so `sqa inbound` checks the file itself. SPF needs the IP the message came
//! from, which only the receiving host knows: it is read from the topmost `Received:` header
//! written by `[inbound] receiving_host`, and SPF is not checked without one. DNS goes where
//! `[inbound] dns` (else `validation.dns`) says; with `off` nothing that needs DNS is checked.

use mail_auth::hickory_resolver::config::{
    ConnectionConfig, NameServerConfig, ResolveHosts, ResolverConfig, ResolverOpts,
};
use mail_auth::{
    AuthenticatedMessage, DkimResult, DmarcResult, MessageAuthenticator, SpfOutput, SpfResult,
    spf::verify::SpfParameters,
};
use sqa_core::config::{AgentConfig, DnsSetting};
use sqa_core::mail::auth::{connection, header_values};
use sqa_core::stages::{AuthVerdicts, Verdict};
use std::time::Duration;

/// The checker of one configuration.
pub struct MailAuth {
    authenticator: Option<MessageAuthenticator>,
    receiving_host: String,
}

impl MailAuth {
    /// The checker `cfg` asks for (no DNS: a checker that checks nothing).
    pub fn from_config(cfg: &AgentConfig) -> anyhow::Result<MailAuth> {
        let timeout = Duration::from_millis(cfg.validation.dns_timeout_ms.max(1));
        let mut opts = ResolverOpts::default();
        opts.timeout = timeout;
        opts.attempts = 1;
        opts.use_hosts_file = ResolveHosts::Never;
        let config = match cfg.inbound_dns() {
            DnsSetting::Off => None,
            DnsSetting::System => {
                let (config, _) = mail_auth::hickory_resolver::system_conf::read_system_conf()
                    .map_err(|e| {
                        anyhow::anyhow!("failed to read the system DNS configuration: {e}")
                    })?;
                Some(config)
            }
            DnsSetting::Server(server) => {
                let mut udp = ConnectionConfig::udp();
                udp.port = server.port();
                let mut tcp = ConnectionConfig::tcp();
                tcp.port = server.port();
                let ns = NameServerConfig::new(server.ip(), true, vec![udp, tcp]);
                Some(ResolverConfig::from_parts(None, vec![], vec![ns]))
            }
        };
        let authenticator = match config {
            Some(c) => Some(
                MessageAuthenticator::new(c, opts)
                    .map_err(|e| anyhow::anyhow!("failed to build the DNS resolver: {e}"))?,
            ),
            None => None,
        };
        Ok(MailAuth {
            authenticator,
            receiving_host: cfg.inbound.receiving_host.trim().to_string(),
        })
    }

    /// The verdicts for one raw message. A check that could not run (no DNS, no signature, no
    /// known connecting IP) has no verdict; only a check that ran and failed is `Fail`.
    pub async fn verdicts(&self, raw: &[u8]) -> AuthVerdicts {
        let Some(auth) = &self.authenticator else {
            return AuthVerdicts::default();
        };
        let Some(message) = AuthenticatedMessage::parse(raw) else {
            return AuthVerdicts::default();
        };
        let dkim = auth.verify_dkim(&message).await;
        let dkim_found = combine(dkim.iter().map(|o| dkim_verdict(o.result())));
        let arc = auth.verify_arc(&message).await;
        let arc_verdict = dkim_verdict(arc.result());

        let received = header_values(raw, "Received");
        let return_path = header_values(raw, "Return-Path")
            .into_iter()
            .next()
            .map(|v| {
                v.trim()
                    .trim_start_matches('<')
                    .trim_end_matches('>')
                    .trim()
                    .to_string()
            })
            .unwrap_or_default();
        let from_domain = domain_of(message.from());
        let mail_from_domain = if return_path.is_empty() {
            from_domain.clone()
        } else {
            domain_of(&return_path)
        };
        let spf = match connection(&received, &self.receiving_host) {
            Some(c) => {
                let helo = if c.helo.is_empty() {
                    mail_from_domain.clone()
                } else {
                    c.helo.clone()
                };
                Some(
                    auth.verify_spf(SpfParameters::verify(
                        c.ip,
                        &helo,
                        &self.receiving_host,
                        &return_path,
                    ))
                    .await,
                )
            }
            None => None,
        };
        let spf_verdict = spf.as_ref().and_then(|o| match o.result() {
            SpfResult::Pass => Some(Verdict::Pass),
            SpfResult::Fail => Some(Verdict::Fail),
            SpfResult::None => None,
            _ => Some(Verdict::Gray),
        });
        let unchecked_spf = SpfOutput::new(mail_from_domain.clone());
        let dmarc = auth
            .verify_dmarc(mail_auth::dmarc::verify::DmarcParameters::new(
                &message,
                &dkim,
                &mail_from_domain,
                spf.as_ref().unwrap_or(&unchecked_spf),
            ))
            .await;
        let dmarc_verdict = match dmarc.result() {
            DmarcResult::Pass => Some(Verdict::Pass),
            // Without the connecting IP SPF could not pass, so a DMARC failure may be ours,
            // not the sender's: it decides nothing.
            DmarcResult::Fail(_) if spf.is_none() => Some(Verdict::Gray),
            DmarcResult::Fail(_) => Some(Verdict::Fail),
            DmarcResult::None => None,
            _ => Some(Verdict::Gray),
        };
        AuthVerdicts {
            spf: spf_verdict,
            dkim: dkim_found,
            dmarc: dmarc_verdict,
            arc: arc_verdict,
            spam: None,
            virus: None,
        }
    }
}

fn domain_of(address: &str) -> String {
    address
        .rsplit_once('@')
        .map(|(_, d)| d.trim().to_ascii_lowercase())
        .unwrap_or_default()
}

/// One signature's (or the ARC chain's) result. A body that no longer matches its signed
/// hash was changed after signing (or after the last forwarder sealed it): a failure, though
/// RFC 6376 and the library call it neutral.
fn dkim_verdict(result: &DkimResult) -> Option<Verdict> {
    use mail_auth::Error;
    match result {
        DkimResult::Pass => Some(Verdict::Pass),
        DkimResult::Fail(_) => Some(Verdict::Fail),
        DkimResult::Neutral(Error::Dkim(mail_auth::dkim::DkimError::FailedBodyHashMatch))
        | DkimResult::Neutral(Error::Arc(mail_auth::arc::ArcError::FailedBodyHashMatch)) => {
            Some(Verdict::Fail)
        }
        DkimResult::None => None,
        _ => Some(Verdict::Gray),
    }
}

/// Several signatures: one that passes is enough; a failure counts when none passed.
fn combine(verdicts: impl Iterator<Item = Option<Verdict>>) -> Option<Verdict> {
    let all: Vec<Verdict> = verdicts.flatten().collect();
    if all.is_empty() {
        None
    } else if all.contains(&Verdict::Pass) {
        Some(Verdict::Pass)
    } else if all.contains(&Verdict::Fail) {
        Some(Verdict::Fail)
    } else {
        Some(Verdict::Gray)
    }
}
