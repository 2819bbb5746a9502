//! `DirWeb`: the `Web` port on a local directory mirror of websites.
//!
//! `https://{domain}/{path}` is read from `{root}/{domain}/{path}`; a path ending in `/` reads
//! its `index.html`. It serves the demo (`examples/lumora/web`) and tests with no network, and
//! it is as strict as a web server: no path may leave the root (`..`, encoded slashes,
//! symlinks pointing outside), and a missing file is `WebError::NotFound`. It answers by the
//! same rule as the HTTP adapter (`Web::fetch`): a content type by extension, without a
//! charset, as a static web server sends it; bodies decoded the same way and cut at the same
//! cap.

use anyhow::anyhow;
use async_trait::async_trait;
use sqa_core::ports::{Web, WebError, WebPage};
use sqa_core::web_http::{DEFAULT_MAX_BODY, decode_body};
use std::io::Read;
use std::path::{Component, Path, PathBuf};

/// Websites served from a directory: one sub-directory per host.
#[derive(Debug, Clone)]
pub struct DirWeb {
    root: PathBuf,
    max_body: usize,
}

impl DirWeb {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self {
            root: root.into(),
            max_body: DEFAULT_MAX_BODY,
        }
    }

    /// Cut bodies after `bytes` bytes (default `DEFAULT_MAX_BODY`, as over HTTP).
    pub fn with_max_body(mut self, bytes: usize) -> Self {
        self.max_body = bytes.max(1);
        self
    }

    /// The file that answers `url`, or why there is none.
    fn resolve(&self, url: &str) -> Result<PathBuf, WebError> {
        let (host, path) = split_url(url)?;
        let mut site = self.root.join(&host);
        // `www.x.example` is served from `x.example` when only that folder exists.
        if !site.is_dir()
            && let Some(bare) = host.strip_prefix("www.")
        {
            site = self.root.join(bare);
        }
        let mut file = site.clone();
        let segments: Vec<String> = path
            .split('/')
            .filter(|s| !s.is_empty())
            .map(percent_decode)
            .collect::<Result<_, _>>()?;
        for seg in &segments {
            let ok = seg != "."
                && seg != ".."
                && !seg.contains(['/', '\\', '\0'])
                && Path::new(seg)
                    .components()
                    .all(|c| matches!(c, Component::Normal(_)));
            if !ok {
                return Err(WebError::Unexpected(anyhow!(
                    "refusing path {path:?} of {url}"
                )));
            }
            file.push(seg);
        }
        if path.ends_with('/') || segments.is_empty() || file.is_dir() {
            file.push("index.html");
        }
        // Symlinks must not lead out of the mirror.
        let (Ok(root), Ok(real)) = (self.root.canonicalize(), file.canonicalize()) else {
            return Err(WebError::NotFound(url.to_string()));
        };
        if !real.starts_with(&root) {
            return Err(WebError::Unexpected(anyhow!(
                "{url} leads outside the web root"
            )));
        }
        Ok(real)
    }
}

/// `(host, path)` of an http(s) URL: host lowercased without port or trailing dot, path
/// without query or fragment.
fn split_url(url: &str) -> Result<(String, String), WebError> {
    let url = url.trim();
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .or_else(|| url.strip_prefix("HTTPS://"))
        .or_else(|| url.strip_prefix("HTTP://"))
        .ok_or_else(|| {
            WebError::Unexpected(anyhow!("only http(s) URLs are served, not {url:?}"))
        })?;
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..end];
    let host = authority.rsplit('@').next().unwrap_or(authority);
    let host = host
        .split(':')
        .next()
        .unwrap_or(host)
        .trim_end_matches('.')
        .to_ascii_lowercase();
    let host_ok = !host.is_empty()
        && host != "."
        && host != ".."
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
        && !host.contains("..");
    if !host_ok {
        return Err(WebError::Unexpected(anyhow!("bad host in {url:?}")));
    }
    let path = rest[end..].split(['?', '#']).next().unwrap_or("");
    let path = if path.is_empty() { "/" } else { path };
    Ok((host, path.to_string()))
}

/// Decode `%XX` escapes of one path segment; an escape that does not decode to UTF-8 (or a
/// malformed one) refuses the request.
fn percent_decode(segment: &str) -> Result<String, WebError> {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| WebError::Unexpected(anyhow!("bad escape in {segment:?}")))?;
            out.push(hex);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| WebError::Unexpected(anyhow!("{segment:?} is not UTF-8")))
}

/// The Content-Type a web server would send: by extension, and for extension-less pages
/// (`/press`) by a look at the first bytes, as static hosts do.
fn content_type(path: &Path, bytes: &[u8]) -> &'static str {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    if ext.is_none() {
        let head = String::from_utf8_lossy(&bytes[..bytes.len().min(512)]).to_ascii_lowercase();
        if head
            .trim_start_matches('\u{feff}')
            .trim_start()
            .starts_with('<')
        {
            return "text/html";
        }
    }
    match ext.as_deref() {
        Some("html" | "htm") => "text/html",
        Some("txt") => "text/plain",
        Some("xml") => "application/xml",
        Some("json") => "application/json",
        Some("css") => "text/css",
        Some("js") => "text/javascript",
        Some("pdf") => "application/pdf",
        _ => "application/octet-stream",
    }
}

#[async_trait]
impl Web for DirWeb {
    /// Read the mirrored file. Missing file: `NotFound`; a path that would leave the root:
    /// `Unexpected`; an I/O failure: `Transient`; a file over the cap: its first bytes.
    async fn fetch(&self, url: &str) -> Result<WebPage, WebError> {
        let file = self.resolve(url)?;
        let meta = match tokio::fs::metadata(&file).await {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(WebError::NotFound(url.to_string()));
            }
            Err(e) => {
                return Err(WebError::Transient(
                    anyhow!(e).context(format!("reading {}", file.display())),
                ));
            }
        };
        if !meta.is_file() {
            return Err(WebError::NotFound(url.to_string()));
        }
        let bytes = match read_prefix(&file, self.max_body).await {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(WebError::NotFound(url.to_string()));
            }
            Err(e) => {
                return Err(WebError::Transient(
                    anyhow!(e).context(format!("reading {}", file.display())),
                ));
            }
        };
        if meta.len() > bytes.len() as u64 {
            tracing::debug!(url, cap = self.max_body, "page cut at the body size cap");
        }
        let content_type = content_type(&file, &bytes);
        Ok(WebPage {
            url: url.trim().to_string(),
            status: 200,
            body: decode_body(&bytes, Some(content_type)),
            content_type: Some(content_type.to_string()),
        })
    }
}

/// The first `cap` bytes of a file (read off the async threads, as `tokio::fs` does).
async fn read_prefix(file: &Path, cap: usize) -> std::io::Result<Vec<u8>> {
    let file = file.to_path_buf();
    tokio::task::spawn_blocking(move || {
        let mut bytes = Vec::new();
        std::fs::File::open(&file)?
            .take(cap as u64)
            .read_to_end(&mut bytes)?;
        Ok(bytes)
    })
    .await
    .map_err(std::io::Error::other)?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_split_into_host_and_path() -> Result<(), WebError> {
        assert_eq!(
            split_url("https://X.Example:443/a/b.html?q#f")?,
            ("x.example".into(), "/a/b.html".into())
        );
        assert_eq!(
            split_url("http://x.example")?,
            ("x.example".into(), "/".into())
        );
        assert!(split_url("file:///etc/passwd").is_err());
        assert!(split_url("https://../x").is_err());
        Ok(())
    }
}
