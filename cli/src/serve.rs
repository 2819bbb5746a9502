//! `sqa serve`: the HTTP API and the dashboard (`sqa_api::router`) on the embedded backend,
//! bound to 127.0.0.1 by default, behind a bearer token derived from the workspace secret.
//! A config saved through it is written to `sqa.toml` too (the file stays the workspace's
//! source of truth) and used for the following requests.

use crate::local::{self, Workspace};
use crate::out::outln;
use anyhow::{Context, Result};
use async_trait::async_trait;
use clap::Args;
use sqa_core::config::ConfigFiles;
use sqa_core::fsread::WorkspaceFiles;
use sqa_core::ports::Deps;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::sync::RwLock;

#[derive(Args)]
pub struct ServeArgs {
    /// Address and port to listen on. Anything but a loopback address exposes the
    /// dashboard to the network (the bearer token still applies): put TLS in front.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,
}

/// The embedded backend of the router.
pub struct LocalBackend {
    dir: PathBuf,
    deps: RwLock<Arc<Deps>>,
}

impl LocalBackend {
    pub fn new(dir: &Path, ws: Workspace) -> LocalBackend {
        LocalBackend {
            dir: dir.to_path_buf(),
            deps: RwLock::new(Arc::new(ws.deps)),
        }
    }
}

#[async_trait]
impl sqa_api::Backend for LocalBackend {
    async fn deps(&self) -> Result<Arc<Deps>> {
        Ok(self.deps.read().await.clone())
    }

    async fn config_files(&self, _text: &str) -> Result<Box<dyn ConfigFiles + Send + Sync>> {
        Ok(Box::new(WorkspaceFiles::new(self.dir.clone())))
    }

    async fn config_saved(&self, text: &str) -> Result<()> {
        let path = self.dir.join(local::CONFIG_FILE);
        let tmp = self.dir.join(format!(".{}.tmp", local::CONFIG_FILE));
        std::fs::write(&tmp, text).with_context(|| format!("cannot write {}", tmp.display()))?;
        std::fs::rename(&tmp, &path)
            .with_context(|| format!("cannot replace {}", path.display()))?;
        let cfg = local::load_config(&path)?;
        let mut guard = self.deps.write().await;
        let mut deps = (**guard).clone();
        deps.config = Arc::new(cfg);
        *guard = Arc::new(deps);
        Ok(())
    }
}

pub async fn run(args: ServeArgs, dir: &Path, ws: Workspace) -> Result<i32> {
    let token = sqa_api::bearer_token(&ws.deps.secret);
    let webhooks = (!ws.deps.config.webhooks.endpoints.is_empty())
        .then(|| sqa_core::webhooks::signing_secret(&ws.deps));
    let backend = Arc::new(LocalBackend::new(dir, ws));
    let app = sqa_api::router(backend, sqa_api::Auth::Token);
    let listener = tokio::net::TcpListener::bind(args.bind)
        .await
        .with_context(|| format!("cannot listen on {}", args.bind))?;
    let addr = listener.local_addr()?;
    if !addr.ip().is_loopback() {
        crate::out::errln!(
            "warning: listening on {addr}, reachable from the network; put TLS in front"
        )?;
    }
    outln!("sqa serve: http://{addr}/ (API at /api/, OpenAPI at /api/openapi.json)")?;
    outln!("sign in: http://{addr}/login?token={token}")?;
    outln!("API: Authorization: Bearer {token}")?;
    outln!("unsubscribe links: http://{addr}/unsubscribe?token=… (agent.unsubscribe_url)")?;
    if let Some(secret) = webhooks {
        outln!("webhook signing secret (SQA-Signature): {secret}")?;
    }
    crate::out::flush()?;
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .context("the server stopped")?;
    Ok(crate::commands::exit::DONE)
}
