//! The [`Web`] port over HTTP(S), with reqwest (rustls, no system proxy, no cookies).
//!
//! A lead's website is untrusted input, so the fetcher is defensive: bodies are cut at a size
//! cap, redirects are few and http(s) only, and it refuses to reach loopback, private or
//! link-local addresses (a lead whose website resolves to 127.0.0.1 must not make a Lambda
//! read its own runtime API). Tests and demos point it at a local server with
//! [`HttpWeb::with_base`], which maps `https://{host}/{path}` to `{base}/{host}/{path}`.

pub use crate::ports::MAX_REDIRECTS;
use crate::ports::{Web, WebError, WebPage};
use anyhow::{Context, anyhow};
use async_trait::async_trait;
use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::sync::Arc;
use std::time::Duration;
use url::Url;

/// Default body cap: pages above it are cut (the research agent reads the first part).
pub const DEFAULT_MAX_BODY: usize = 2 * 1024 * 1024;

/// Fetches pages over HTTP(S).
#[derive(Debug, Clone)]
pub struct HttpWeb {
    client: reqwest::Client,
    base: Option<Url>,
    max_body: usize,
    user_agent: String,
    timeout: Duration,
}

impl HttpWeb {
    /// A fetcher that sends `user_agent` and gives up on a page after `timeout` (connect,
    /// headers and body together). Build it once per process and share it.
    pub fn new(user_agent: &str, timeout: Duration) -> anyhow::Result<Self> {
        let client = build_client(user_agent, timeout, false)?;
        Ok(Self {
            client,
            base: None,
            max_body: DEFAULT_MAX_BODY,
            user_agent: user_agent.to_string(),
            timeout,
        })
    }

    /// Serve every site from one origin: `https://{host}/{path}` is fetched as
    /// `{base}/{host}/{path}`, and the page's URL is reported back in its public form.
    /// The base is trusted configuration, so it may be a loopback address (a test server).
    pub fn with_base(self, base: &str) -> anyhow::Result<Self> {
        let base =
            Url::parse(base).with_context(|| format!("the web base URL {base:?} is not a URL"))?;
        if !matches!(base.scheme(), "http" | "https") || base.host_str().is_none() {
            return Err(anyhow!(
                "the web base URL {base} must be http(s) with a host"
            ));
        }
        let client = build_client(&self.user_agent, self.timeout, true)?;
        Ok(Self {
            client,
            base: Some(base),
            ..self
        })
    }

    /// Cut bodies after `bytes` bytes (default [`DEFAULT_MAX_BODY`]).
    pub fn with_max_body(mut self, bytes: usize) -> Self {
        self.max_body = bytes.max(1);
        self
    }

    /// The URL actually requested for `url` (the base mapping applied).
    fn wire_url(&self, url: &Url) -> Result<Url, WebError> {
        let Some(base) = &self.base else {
            return Ok(url.clone());
        };
        let host = url
            .host_str()
            .ok_or_else(|| WebError::Unexpected(anyhow!("{url} has no host")))?;
        let mut mapped = format!(
            "{}/{}{}",
            base.as_str().trim_end_matches('/'),
            host,
            url.path()
        );
        if let Some(q) = url.query() {
            mapped.push('?');
            mapped.push_str(q);
        }
        Url::parse(&mapped)
            .map_err(|e| WebError::Unexpected(anyhow!("cannot map {url} onto the base: {e}")))
    }

    /// The public form of a URL the server answered from (the base mapping undone).
    fn public_url(&self, wire: &Url, requested: &Url) -> String {
        let Some(base) = &self.base else {
            return wire.to_string();
        };
        let prefix = format!("{}/", base.as_str().trim_end_matches('/'));
        match wire.as_str().strip_prefix(&prefix) {
            Some(rest) => format!("{}://{}", requested.scheme(), rest),
            None => wire.to_string(),
        }
    }
}

fn build_client(
    user_agent: &str,
    timeout: Duration,
    allow_private: bool,
) -> anyhow::Result<reqwest::Client> {
    let policy = reqwest::redirect::Policy::custom(move |attempt| {
        // `previous` holds every URL requested so far, the first one included: it is the
        // number of redirects followed once this one is.
        if attempt.previous().len() > MAX_REDIRECTS {
            attempt.error(format!("more than {MAX_REDIRECTS} redirects"))
        } else if !matches!(attempt.url().scheme(), "http" | "https") {
            attempt.stop()
        } else if !allow_private && is_private_literal(attempt.url()) {
            attempt.error("redirect to a private address refused")
        } else {
            attempt.follow()
        }
    });
    // reqwest is built without a crypto provider (`rustls-no-provider`): use ring, as the AWS
    // SDK's client does. A provider installed before (by this or another client) is kept.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut builder = reqwest::Client::builder()
        .user_agent(user_agent)
        .timeout(timeout)
        .connect_timeout(timeout.min(Duration::from_secs(10)))
        .redirect(policy)
        // Proxies from the environment are ignored: which addresses may be reached is decided
        // here, not by whatever the process inherited.
        .no_proxy();
    if !allow_private {
        builder = builder.dns_resolver(Arc::new(PublicOnly));
    }
    builder.build().context("failed to build the HTTP client")
}

/// A host given as an IP address that is not globally routable.
fn is_private_literal(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => !is_public(IpAddr::V4(ip)),
        Some(url::Host::Ipv6(ip)) => !is_public(IpAddr::V6(ip)),
        Some(url::Host::Domain(d)) => {
            d.eq_ignore_ascii_case("localhost") || d.ends_with(".localhost")
        }
        None => true,
    }
}

/// Is `ip` a globally routable address (not loopback, private, link-local, shared, reserved)?
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_broadcast()
                || v4.is_documentation()
                || v4.is_unspecified()
                || o[0] == 0
                || (o[0] == 100 && (64..128).contains(&o[1])) // shared address space (CGNAT)
                || (o[0] == 198 && (o[1] == 18 || o[1] == 19)) // benchmarking
                || o[0] >= 240)
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let s = v6.segments();
            !(v6.is_loopback()
                || v6.is_unspecified()
                || (s[0] & 0xfe00) == 0xfc00 // unique local
                || (s[0] & 0xffc0) == 0xfe80 // link local
                || (s[0] == 0x2001 && s[1] == 0x0db8)) // documentation
        }
    }
}

/// A resolver that drops every non-public address, so a hostname pointing at an internal
/// service cannot be fetched.
struct PublicOnly;

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_string();
        Box::pin(async move {
            let lookup = host.clone();
            let addrs: Vec<SocketAddr> = tokio::task::spawn_blocking(move || {
                (lookup.as_str(), 0)
                    .to_socket_addrs()
                    .map(|a| a.collect::<Vec<_>>())
            })
            .await
            .map_err(|e| Box::new(e) as Box<dyn std::error::Error + Send + Sync>)?
            .map_err(|e| Box::new(e) as Box<dyn std::error::Error + Send + Sync>)?;
            let public: Vec<SocketAddr> = addrs.into_iter().filter(|a| is_public(a.ip())).collect();
            if public.is_empty() {
                return Err(format!("{host} resolves to no public address").into());
            }
            Ok(Box::new(public.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// Decode a body: the charset of the Content-Type, else a `<meta charset>` in the first bytes,
/// else a BOM, else UTF-8 (invalid sequences replaced).
pub fn decode_body(bytes: &[u8], content_type: Option<&str>) -> String {
    let label = content_type
        .and_then(|ct| {
            ct.split(';')
                .map(str::trim)
                .find_map(|p| {
                    p.strip_prefix("charset=")
                        .or_else(|| p.strip_prefix("CHARSET="))
                })
                .map(|c| c.trim_matches(['"', '\'']).to_string())
        })
        .or_else(|| sniff_meta_charset(&bytes[..bytes.len().min(2048)]));
    let encoding = label
        .and_then(|l| encoding_rs::Encoding::for_label(l.as_bytes()))
        .unwrap_or(encoding_rs::UTF_8);
    let (text, _, _) = encoding.decode(bytes);
    text.into_owned()
}

fn sniff_meta_charset(head: &[u8]) -> Option<String> {
    let head = String::from_utf8_lossy(head).to_ascii_lowercase();
    let at = head.find("charset=")?;
    let rest = head[at + 8..].trim_start_matches(['"', '\'']);
    let end = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
        .unwrap_or(rest.len());
    (end > 0).then(|| rest[..end].to_string())
}

fn classify(e: reqwest::Error, url: &str) -> WebError {
    if e.is_redirect() {
        // Too many hops, or a hop to a refused address: the page cannot be had from here.
        WebError::NotFound(format!("{url}: {e}"))
    } else if e.is_timeout() || e.is_connect() || e.is_request() || e.is_body() {
        WebError::Transient(anyhow::Error::new(e).context(format!("fetching {url}")))
    } else {
        WebError::Unexpected(anyhow::Error::new(e).context(format!("fetching {url}")))
    }
}

#[async_trait]
impl Web for HttpWeb {
    /// The port's rule: statuses by `WebError::for_status`, redirect failures `NotFound`,
    /// timeouts and connection failures `Transient`, bodies cut at the cap.
    async fn fetch(&self, url: &str) -> Result<WebPage, WebError> {
        let requested = Url::parse(url.trim())
            .map_err(|e| WebError::Unexpected(anyhow!("{url:?} is not a URL: {e}")))?;
        if !matches!(requested.scheme(), "http" | "https") {
            return Err(WebError::Unexpected(anyhow!(
                "only http(s) pages are fetched, not {url}"
            )));
        }
        if self.base.is_none() && is_private_literal(&requested) {
            return Err(WebError::Unexpected(anyhow!(
                "{url} is a private address; refused"
            )));
        }
        let wire = self.wire_url(&requested)?;
        let mut response = self
            .client
            .get(wire.clone())
            .send()
            .await
            .map_err(|e| classify(e, url))?;
        let status = response.status().as_u16();
        let final_url = self.public_url(response.url(), &requested);
        // A 3xx here is a redirect the policy stopped (another scheme): `NotFound` too.
        if let Some(e) = WebError::for_status(url, status) {
            return Err(e);
        }
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let mut body: Vec<u8> = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| classify(e, url))? {
            let room = self.max_body.saturating_sub(body.len());
            if chunk.len() >= room {
                body.extend_from_slice(&chunk[..room]);
                tracing::debug!(url, cap = self.max_body, "page cut at the body size cap");
                break;
            }
            body.extend_from_slice(&chunk);
        }
        Ok(WebPage {
            url: final_url,
            status,
            body: decode_body(&body, content_type.as_deref()),
            content_type,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_and_loopback_addresses_are_not_public() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "192.168.1.1",
            "172.16.0.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
        ] {
            let ip: IpAddr = ip.parse().unwrap_or(IpAddr::from([1, 1, 1, 1]));
            assert!(!is_public(ip), "{ip}");
        }
        for ip in ["93.184.216.34", "2606:4700::1111"] {
            let ip: IpAddr = ip.parse().unwrap_or(IpAddr::from([127, 0, 0, 1]));
            assert!(is_public(ip), "{ip}");
        }
    }

    #[test]
    fn bodies_are_decoded_by_their_declared_charset() {
        assert_eq!(
            decode_body(b"caf\xe9", Some("text/html; charset=ISO-8859-1")),
            "café"
        );
        assert_eq!(
            decode_body(b"<meta charset=\"windows-1252\">\x93hi\x94", None),
            "<meta charset=\"windows-1252\">\u{201c}hi\u{201d}"
        );
        assert_eq!(decode_body("Malmö".as_bytes(), None), "Malmö");
    }

    #[test]
    fn the_base_maps_sites_onto_one_origin_and_back() -> anyhow::Result<()> {
        let web = HttpWeb::new("ExampleSQA/test", Duration::from_secs(1))?
            .with_base("http://127.0.0.1:9/")?;
        let public = Url::parse("https://x.example/news.html?a=1")?;
        let wire = web.wire_url(&public).map_err(|e| anyhow!("{e}"))?;
        assert_eq!(wire.as_str(), "http://127.0.0.1:9/x.example/news.html?a=1");
        assert_eq!(
            web.public_url(&wire, &public),
            "https://x.example/news.html?a=1"
        );
        Ok(())
    }
}
