//! What every function's `main` does: at cold start JSON logs, settings from the
//! environment, the SDK clients, the function's ports and its secret — any failure there
//! fails the init phase, so a bad deploy shows at once, not per message. The agent config is
//! read from the config table on the first invocation and cached for `SQA_CONFIG_TTL_SECS`
//! (default 60 s): a warm function sees a new config version (or `state = "stopped"`) within
//! that time. A missing or invalid config fails the invocation's records (they are retried,
//! never acknowledged) and is logged as an error.

use crate::batch::{self, WholeBatchFailed};
use crate::clients::Clients;
use crate::settings::Settings;
use crate::wire::{self, Overrides, Wired, Wiring};
use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use sqa_core::ports::Deps;
use std::future::Future;
use std::sync::Arc;
use std::time::Instant;

/// Everything a handler borrows, built once per process.
pub struct Runtime {
    pub clients: Clients,
    pub settings: Settings,
    wired: Wired,
    current: tokio::sync::Mutex<Option<Current>>,
}

/// The config in use, its version and when the table was last read.
struct Current {
    deps: Arc<Deps>,
    version: u64,
    read_at: Instant,
}

pub async fn start(wiring: Wiring) -> Result<Runtime, lambda_runtime::Error> {
    crate::logging::init();
    let settings = Settings::from_env().inspect_err(log_init_error)?;
    let clients = Clients::from_env().await;
    Ok(
        Runtime::new(clients, settings, wiring, Overrides::default())
            .await
            .inspect_err(log_init_error)?,
    )
}

fn log_init_error(e: &anyhow::Error) {
    tracing::error!(error = %format!("{e:#}"), "cold start failed");
}

impl Runtime {
    /// Build the function's ports and read its secret; the config is read on first use.
    pub async fn new(
        clients: Clients,
        settings: Settings,
        wiring: Wiring,
        overrides: Overrides,
    ) -> anyhow::Result<Runtime> {
        let wired = Wired::new(&clients, &settings, wiring, overrides).await?;
        Ok(Runtime {
            clients,
            settings,
            wired,
            current: tokio::sync::Mutex::new(None),
        })
    }

    /// The ports and the active config for one invocation. The config table is read again
    /// when the cached config is older than `settings.config_ttl`; the config is parsed again
    /// (and the knowledge documents it names read again) only when its version changed.
    pub async fn deps(&self) -> anyhow::Result<Arc<Deps>> {
        let mut current = self.current.lock().await;
        if let Some(c) = current.as_ref()
            && c.read_at.elapsed() < self.settings.config_ttl
        {
            return Ok(c.deps.clone());
        }
        let read_at = Instant::now();
        let stored = wire::read_active(&self.settings, self.wired.config_store().as_ref()).await?;
        if let Some(c) = current.as_mut()
            && c.version == stored.version
        {
            c.read_at = read_at;
            return Ok(c.deps.clone());
        }
        let config = wire::parse_stored(&self.clients, &self.settings, &stored).await?;
        let previous = current.as_ref().map(|c| c.deps.clone());
        let deps = Arc::new(self.wired.deps_for(config, previous.as_deref())?);
        tracing::info!(
            config_version = stored.version,
            previous_version = current.as_ref().map(|c| c.version),
            state = ?deps.config.state,
            "agent config loaded"
        );
        *current = Some(Current {
            deps: deps.clone(),
            version: stored.version,
            read_at,
        });
        Ok(deps)
    }

    /// Run `handler` on an SQS batch with the current deps; without a usable config every
    /// record is reported as a failure (SQS delivers it again), and the reason is logged.
    pub async fn sqs_batch<F, Fut>(
        &self,
        event: SqsEvent,
        handler: F,
    ) -> Result<SqsBatchResponse, WholeBatchFailed>
    where
        F: FnOnce(SqsEvent, Arc<Deps>) -> Fut,
        Fut: Future<Output = Result<SqsBatchResponse, WholeBatchFailed>>,
    {
        match self.deps().await {
            Ok(deps) => handler(event, deps).await,
            Err(e) => {
                log_config_error(&e, event.records.len());
                batch::retry_all(&event)
            }
        }
    }
}

/// Log why an invocation could not run (no usable agent config).
pub fn log_config_error(e: &anyhow::Error, records: usize) {
    tracing::error!(
        error = %format!("{e:#}"),
        records,
        "no usable agent config: the invocation's records fail and will be retried"
    );
}

/// Decode a base64 request body (API Gateway sends binary and form bodies that way).
pub fn decode_base64(text: &str) -> Result<Vec<u8>, String> {
    aws_smithy_types::base64::decode(text.trim()).map_err(|e| e.to_string())
}
