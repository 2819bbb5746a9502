//! A small HTTP/1.1 server on 127.0.0.1 for tests of the HTTP `Web` adapter: it answers each
//! request path from a table of routes (a page, a bare status, a redirect, or no answer at
//! all), and 404 for any other path. `HttpWeb::with_base(server.base())` fetches
//! `https://{host}/{path}` from it as `/{host}/{path}`.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What one path answers.
#[derive(Debug, Clone)]
pub enum Route {
    /// 200 with this content type (sent as is, when given) and body.
    Page {
        content_type: Option<String>,
        body: Vec<u8>,
    },
    /// This status with a short text body.
    Status(u16),
    /// 301 to this location (sent as is: a wire path such as `/{host}/next`, or a URL).
    Redirect(String),
    /// Read the request, then answer nothing for a minute (a client's timeout fires first).
    Stall,
}

/// A running server; it stops when dropped.
pub struct WebServer {
    pub addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl WebServer {
    /// Serve `routes`, keyed by request path (without the query).
    pub async fn start(routes: HashMap<String, Route>) -> std::io::Result<WebServer> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let routes = Arc::new(routes);
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let routes = routes.clone();
                tokio::spawn(async move {
                    if let Err(e) = serve_one(stream, &routes).await {
                        // A client that gave up (a timeout test) resets the connection.
                        eprintln!("test web server: {e}");
                    }
                });
            }
        });
        Ok(WebServer { addr, task })
    }

    /// The base URL for `HttpWeb::with_base`.
    pub fn base(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for WebServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve_one(mut stream: TcpStream, routes: &HashMap<String, Route>) -> std::io::Result<()> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") && buf.len() < 16 * 1024 {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let head = String::from_utf8_lossy(&buf);
    let target = head
        .lines()
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .unwrap_or("/");
    let path = target.split('?').next().unwrap_or("/");
    let (status, content_type, body, location) = match routes.get(path) {
        Some(Route::Page { content_type, body }) => (200, content_type.clone(), body.clone(), None),
        Some(Route::Status(code)) => (
            *code,
            Some("text/plain".to_string()),
            format!("status {code}").into_bytes(),
            None,
        ),
        Some(Route::Redirect(to)) => (301, None, Vec::new(), Some(to.clone())),
        Some(Route::Stall) => {
            tokio::time::sleep(Duration::from_secs(60)).await;
            return Ok(());
        }
        None => (
            404,
            Some("text/html".to_string()),
            b"<h1>Not found</h1>".to_vec(),
            None,
        ),
    };
    let mut header = format!(
        "HTTP/1.1 {status} Status\r\nContent-Length: {}\r\n",
        body.len()
    );
    if let Some(ct) = content_type {
        header.push_str(&format!("Content-Type: {ct}\r\n"));
    }
    if let Some(to) = location {
        header.push_str(&format!("Location: {to}\r\n"));
    }
    header.push_str("Connection: close\r\n\r\n");
    stream.write_all(header.as_bytes()).await?;
    stream.write_all(&body).await?;
    stream.shutdown().await
}
