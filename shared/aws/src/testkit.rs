//! Helpers for tests against moto server (started by `infra/test.sh`): clients pointed at the
//! emulator, fresh resources per test, and reading back what SES "sent".
//!
//! Outside CI a test that needs the emulator skips with a printed note when
//! `AWS_ENDPOINT_URL` is unset; under CI (`CI` set) it fails instead, so the AWS tests can
//! never silently not run there.

use crate::clients::Clients;

use crate::provision::{self, Names};
use anyhow::Context;
/// SQS message types, for tests that play Lambda's event source mapping.
pub use aws_sdk_sqs::types as sqs_types;
use std::sync::atomic::{AtomicU64, Ordering};

/// The emulator's base URL, or `None` (with a note) when the tests should skip.
pub fn endpoint(test: &str) -> Option<String> {
    match std::env::var("AWS_ENDPOINT_URL") {
        Ok(url) if !url.trim().is_empty() => Some(url.trim().trim_end_matches('/').to_string()),
        _ if std::env::var_os("CI").is_some() => panic!(
            "{test}: AWS_ENDPOINT_URL is not set under CI; run the tests with `bash infra/test.sh`"
        ),
        _ => {
            eprintln!(
                "note: {test} skipped: AWS_ENDPOINT_URL is unset (start moto server, or run \
                 `bash infra/test.sh`)"
            );
            None
        }
    }
}

/// SDK clients for the emulator at `endpoint`, with dummy credentials and a region, so that
/// the SDK never looks for real ones.
pub async fn clients(endpoint: &str) -> Clients {
    let region = std::env::var("AWS_REGION").unwrap_or_else(|_| "us-east-1".to_string());
    let sdk = crate::clients::sdk_defaults()
        .region(aws_config::Region::new(region))
        .credentials_provider(aws_sdk_dynamodb::config::Credentials::new(
            "test", "test", None, None, "moto",
        ))
        .endpoint_url(endpoint)
        .load()
        .await;
    Clients::new(&sdk)
}

/// A prefix of lowercase letters and digits no other test (or earlier run) uses.
pub fn unique_prefix(test: &str) -> String {
    static N: AtomicU64 = AtomicU64::new(0);
    let nanos = chrono::Utc::now().timestamp_nanos_opt().unwrap_or(0) as u64;
    let n = N.fetch_add(1, Ordering::Relaxed);
    let tag: String = test
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .take(12)
        .collect::<String>()
        .to_lowercase();
    format!("t{tag}{:x}{n}", (nanos / 1000) % 0xff_ffff_ffff)
}

/// Clients and a fresh set of tables, queues and bucket for one test.
pub struct Env {
    pub endpoint: String,
    pub clients: Clients,
    pub names: Names,
}

impl Env {
    /// `None` when the test should skip (see `endpoint`).
    pub async fn new(test: &str) -> anyhow::Result<Option<Env>> {
        let Some(endpoint) = endpoint(test) else {
            return Ok(None);
        };
        let clients = clients(&endpoint).await;
        let names = provision::create_all(&clients, &unique_prefix(test))
            .await
            .context("provision the test's resources on moto")?;
        Ok(Some(Env {
            endpoint,
            clients,
            names,
        }))
    }
}

/// One message SES accepted, as moto records it.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct SentMail {
    pub id: String,
    pub source: String,
    #[serde(default)]
    pub destinations: serde_json::Value,
    pub raw_data: String,
}

/// Every raw message moto's SES accepted so far, in send order
/// (`GET /moto-api/data.json` → `ses.RawMessage`). moto builds that dump while other tests
/// write, and answers an error page when a store changed under it: read it again then.
pub async fn sent_mail(endpoint: &str) -> anyhow::Result<Vec<SentMail>> {
    let url = format!("{endpoint}/moto-api/data.json");
    let mut attempt = 0u64;
    let data: serde_json::Value = loop {
        let body = http_get(&url).await?;
        match serde_json::from_slice(&body) {
            Ok(v) => break v,
            Err(_) if attempt < 5 => {
                attempt += 1;
                tokio::time::sleep(std::time::Duration::from_millis(100 * attempt)).await;
            }
            Err(e) => {
                let head = String::from_utf8_lossy(&body[..body.len().min(200)]).into_owned();
                return Err(anyhow::Error::new(e).context(format!("moto data.json: {head}")));
            }
        }
    };
    let raw = data
        .get("ses")
        .and_then(|s| s.get("RawMessage"))
        .cloned()
        .unwrap_or(serde_json::Value::Array(Vec::new()));
    serde_json::from_value(raw).context("moto ses.RawMessage")
}

/// A plain HTTP/1.1 GET on 127.0.0.1 (the emulator), without pulling an HTTP client crate
/// into the library.
async fn http_get(url: &str) -> anyhow::Result<Vec<u8>> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let rest = url
        .strip_prefix("http://")
        .context("only http:// URLs are supported")?;
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let mut stream = tokio::net::TcpStream::connect(host)
        .await
        .with_context(|| format!("connect to {host}"))?;
    let request = format!("GET /{path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await?;
    let split = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .context("no end of HTTP headers")?;
    let head = String::from_utf8_lossy(&response[..split]).to_lowercase();
    let body = response[split + 4..].to_vec();
    if head.contains("transfer-encoding: chunked") {
        return dechunk(&body);
    }
    Ok(body)
}

fn dechunk(mut body: &[u8]) -> anyhow::Result<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let line_end = body
            .windows(2)
            .position(|w| w == b"\r\n")
            .context("bad chunk")?;
        let size_text = String::from_utf8_lossy(&body[..line_end]);
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
            .context("bad chunk size")?;
        body = &body[line_end + 2..];
        if size == 0 {
            return Ok(out);
        }
        anyhow::ensure!(body.len() >= size + 2, "truncated chunk");
        out.extend_from_slice(&body[..size]);
        body = &body[size + 2..];
    }
}
