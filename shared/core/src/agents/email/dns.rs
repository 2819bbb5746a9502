//! DNS deliverability: does the domain exist and accept mail?
//!
//! The rule is email-validator's (and RFC 5321 §5's): MX records, else an A or AAAA record with
//! a globally reachable address as the implicit mail server. A null MX (RFC 7505, a single
//! `MX 0 .`) says the domain accepts no mail, and so does an SPF reject-all policy
//! (`v=spf1 -all`) on a domain without MX. Timeouts and server failures give `Unknown`, which is
//! never a reason to call an address invalid.

use std::collections::HashMap;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use hickory_resolver::TokioResolver;
use hickory_resolver::config::{
    ConnectionConfig, NameServerConfig, ResolveHosts, ResolverConfig, ResolverOpts,
};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::net::{DnsError, NetError};
use hickory_resolver::proto::op::ResponseCode;
use hickory_resolver::proto::rr::{RData, RecordType};
use tokio::sync::OnceCell;

use crate::config::{DnsSetting, Validation};
use crate::domain::Deliverability;
use crate::ports::{NoDns, Resolver};

/// Stable reason codes of `Deliverability::Undeliverable`.
pub const DOMAIN_NOT_FOUND: &str = "domain_not_found";
pub const NULL_MX: &str = "null_mx";
pub const NO_MAIL_SERVER: &str = "no_mail_server";
pub const SPF_REJECT_ALL: &str = "spf_reject_all";

/// A `Resolver` on hickory-resolver, caching one verdict per domain for its lifetime (a run).
pub struct DnsResolver {
    resolver: TokioResolver,
    /// Bounds one whole verdict (up to four queries), on top of the per-query timeout.
    deadline: Duration,
    /// One cell per domain, so concurrent checks of the same domain share one lookup.
    cache: Mutex<HashMap<String, Arc<OnceCell<Deliverability>>>>,
}

impl DnsResolver {
    /// Use the machine's resolver configuration (`/etc/resolv.conf`).
    pub fn system(timeout: Duration) -> anyhow::Result<DnsResolver> {
        // The system's options (ndots, attempts) are replaced by ours; its name servers stay.
        let (config, _) = hickory_resolver::system_conf::read_system_conf()
            .map_err(|e| anyhow::anyhow!("failed to read the system DNS configuration: {e}"))?;
        Self::build(config, timeout)
    }

    /// Ask one name server (UDP, with TCP for truncated answers), e.g. `127.0.0.1:5353`.
    pub fn with_name_server(server: SocketAddr, timeout: Duration) -> anyhow::Result<DnsResolver> {
        let mut udp = ConnectionConfig::udp();
        udp.port = server.port();
        let mut tcp = ConnectionConfig::tcp();
        tcp.port = server.port();
        let ns = NameServerConfig::new(server.ip(), true, vec![udp, tcp]);
        Self::build(ResolverConfig::from_parts(None, vec![], vec![ns]), timeout)
    }

    fn build(config: ResolverConfig, timeout: Duration) -> anyhow::Result<DnsResolver> {
        let timeout = timeout.max(Duration::from_millis(1));
        let mut opts = ResolverOpts::default();
        opts.timeout = timeout;
        // One try per server: a lead waits for at most a few timeouts, and an unanswered
        // domain is `Unknown`, not invalid, so retrying buys little.
        opts.attempts = 1;
        // Mail routing never consults /etc/hosts.
        opts.use_hosts_file = ResolveHosts::Never;
        let resolver = TokioResolver::builder_with_config(config, TokioRuntimeProvider::default())
            .with_options(opts)
            .build()
            .map_err(|e| anyhow::anyhow!("failed to build the DNS resolver: {e}"))?;
        Ok(DnsResolver {
            resolver,
            deadline: timeout * 4 + Duration::from_millis(250),
            cache: Mutex::new(HashMap::new()),
        })
    }

    async fn lookup(&self, name: &str, rtype: RecordType) -> Answer {
        match self.resolver.lookup(name, rtype).await {
            Ok(lookup) => Answer::Records(
                lookup
                    .answers()
                    .iter()
                    .filter(|r| r.record_type() == rtype)
                    .map(|r| r.data.clone())
                    .collect(),
            ),
            Err(NetError::Dns(DnsError::NoRecordsFound(nr))) => match nr.response_code {
                ResponseCode::NXDomain => Answer::NxDomain,
                ResponseCode::NoError => Answer::Records(Vec::new()),
                code => Answer::Failed(format!("the name server answered {code}")),
            },
            Err(NetError::Dns(DnsError::ResponseCode(code))) => {
                Answer::Failed(format!("the name server answered {code}"))
            }
            Err(NetError::Timeout) => Answer::Failed("the DNS query timed out".into()),
            Err(e) => Answer::Failed(format!("the DNS query failed: {e}")),
        }
    }

    async fn uncached(&self, domain: &str) -> Deliverability {
        // A trailing dot makes the name absolute, so resolv.conf search domains never apply.
        let fqdn = format!("{}.", domain.trim_end_matches('.'));
        match self.lookup(&fqdn, RecordType::MX).await {
            Answer::NxDomain => return not_found(domain),
            Answer::Failed(message) => return Deliverability::Unknown { message },
            Answer::Records(records) if !records.is_empty() => {
                let mut mx: Vec<(u16, String)> = records
                    .iter()
                    .filter_map(|r| match r {
                        RData::MX(mx) => Some((mx.preference, mx.exchange.to_ascii())),
                        _ => None,
                    })
                    .map(|(p, x)| (p, x.trim_end_matches('.').to_string()))
                    .filter(|(_, x)| !x.is_empty())
                    .collect();
                if mx.is_empty() {
                    return Deliverability::Undeliverable {
                        reason: NULL_MX.into(),
                        message: format!(
                            "{domain} publishes a null MX record: it does not accept email"
                        ),
                    };
                }
                mx.sort();
                return Deliverability::Deliverable {
                    via: format!("MX {}", mx[0].1),
                };
            }
            Answer::Records(_) => {}
        }
        // No MX: RFC 5321 §5 falls back to the domain's own address.
        let mut via = None;
        for rtype in [RecordType::A, RecordType::AAAA] {
            match self.lookup(&fqdn, rtype).await {
                Answer::NxDomain => return not_found(domain),
                Answer::Failed(message) => return Deliverability::Unknown { message },
                Answer::Records(records) => {
                    if records.iter().any(is_global_address) {
                        via = Some(format!("{rtype} (no MX)"));
                        break;
                    }
                }
            }
        }
        let Some(via) = via else {
            return Deliverability::Undeliverable {
                reason: NO_MAIL_SERVER.into(),
                message: format!(
                    "{domain} has no MX record and no public address record: nothing receives its mail"
                ),
            };
        };
        // Without MX, an SPF policy that forbids all sending marks a domain not used for mail.
        if let Answer::Records(records) = self.lookup(&fqdn, RecordType::TXT).await {
            let reject_all = records.iter().any(|r| match r {
                RData::TXT(txt) => txt.txt_data.concat() == b"v=spf1 -all",
                _ => false,
            });
            if reject_all {
                return Deliverability::Undeliverable {
                    reason: SPF_REJECT_ALL.into(),
                    message: format!(
                        "{domain} has no MX record and its SPF policy (v=spf1 -all) says it sends no email"
                    ),
                };
            }
        }
        Deliverability::Deliverable { via }
    }
}

fn not_found(domain: &str) -> Deliverability {
    Deliverability::Undeliverable {
        reason: DOMAIN_NOT_FOUND.into(),
        message: format!("the domain {domain} does not exist (NXDOMAIN)"),
    }
}

enum Answer {
    Records(Vec<RData>),
    NxDomain,
    Failed(String),
}

/// Only a globally reachable address can stand in for an MX (email-validator issue #134):
/// private, loopback, link-local, documentation and other special ranges do not count.
fn is_global_address(r: &RData) -> bool {
    match r {
        RData::A(a) => is_global_v4(a.0),
        RData::AAAA(a) => is_global_v6(a.0),
        _ => false,
    }
}

fn is_global_v4(ip: Ipv4Addr) -> bool {
    let o = ip.octets();
    !(ip.is_private()
        || ip.is_loopback()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_documentation()
        || o[0] == 0
        || (o[0] == 100 && (o[1] & 0xC0) == 64)
        || (o[0] == 192 && o[1] == 0 && o[2] == 0)
        || (o[0] == 198 && (o[1] & 0xFE) == 18)
        || o[0] >= 240)
}

fn is_global_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_global_v4(v4);
    }
    let s = ip.segments();
    !(ip.is_loopback()
        || ip.is_unspecified()
        || (s[0] & 0xFE00) == 0xFC00
        || (s[0] & 0xFFC0) == 0xFE80
        || (s[0] == 0x2001 && s[1] == 0x0DB8)
        || (s[0] == 0x0100 && s[1] == 0 && s[2] == 0 && s[3] == 0))
}

#[async_trait]
impl Resolver for DnsResolver {
    async fn deliverability(&self, domain: &str) -> Deliverability {
        let key = domain.trim_end_matches('.').to_ascii_lowercase();
        let cell = {
            let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
            cache.entry(key.clone()).or_default().clone()
        };
        cell.get_or_init(|| async {
            match tokio::time::timeout(self.deadline, self.uncached(&key)).await {
                Ok(d) => d,
                Err(_) => Deliverability::Unknown {
                    message: "the DNS lookups did not finish in time".into(),
                },
            }
        })
        .await
        .clone()
    }
}

/// The resolver `validation.dns` asks for: `system`, `off` (no DNS, `NotChecked`), or the
/// `IP:PORT` (or bare IP, port 53) of one name server; `dns_timeout_ms` bounds each query.
pub fn resolver_from_config(v: &Validation) -> anyhow::Result<Arc<dyn Resolver>> {
    let timeout = Duration::from_millis(v.dns_timeout_ms.max(1));
    match v.dns {
        DnsSetting::Off => Ok(Arc::new(NoDns)),
        DnsSetting::System => Ok(Arc::new(DnsResolver::system(timeout)?)),
        DnsSetting::Server(addr) => Ok(Arc::new(DnsResolver::with_name_server(addr, timeout)?)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn special_ranges_are_not_mail_servers() {
        assert!(!is_global_v4(Ipv4Addr::new(10, 1, 2, 3)));
        assert!(!is_global_v4(Ipv4Addr::new(127, 0, 0, 1)));
        assert!(!is_global_v4(Ipv4Addr::new(100, 64, 0, 1)));
        assert!(is_global_v4(Ipv4Addr::new(93, 184, 215, 14)));
        assert!(!is_global_v6(
            "fe80::1".parse().unwrap_or(Ipv6Addr::UNSPECIFIED)
        ));
        assert!(is_global_v6(
            "2a00:1450::1".parse().unwrap_or(Ipv6Addr::UNSPECIFIED)
        ));
    }

    #[test]
    fn config_accepts_off_and_ip_port_and_rejects_names() {
        let with = |dns: &str| {
            DnsSetting::try_from(dns.to_string()).map(|dns| Validation {
                dns,
                ..Validation::default()
            })
        };
        assert!(resolver_from_config(&with("off").unwrap()).is_ok());
        assert!(resolver_from_config(&with("127.0.0.1:5353").unwrap()).is_ok());
        assert!(resolver_from_config(&with("::1").unwrap()).is_ok());
        assert!(with("dns.example:53").is_err());
    }
}
