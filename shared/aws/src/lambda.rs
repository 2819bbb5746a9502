//! What every function's `main` does at cold start: JSON logs, settings from the
//! environment, the SDK clients, the ports and the active config. Any failure here fails the
//! init phase (a bad deploy shows at once, not per message).

use crate::clients::Clients;
use crate::settings::Settings;
use crate::wire::{self, NeedsSecret, Overrides};
use sqa_core::ports::Deps;

/// Everything a handler borrows, built once per process.
pub struct Runtime {
    pub clients: Clients,
    pub settings: Settings,
    pub deps: Deps,
}

pub async fn start(needs_secret: NeedsSecret) -> Result<Runtime, lambda_runtime::Error> {
    crate::logging::init();
    let settings = Settings::from_env().inspect_err(log_init_error)?;
    let clients = Clients::from_env().await;
    let deps = wire::deps(&clients, &settings, needs_secret, Overrides::default())
        .await
        .inspect_err(log_init_error)?;
    Ok(Runtime {
        clients,
        settings,
        deps,
    })
}

fn log_init_error(e: &anyhow::Error) {
    tracing::error!(error = %format!("{e:#}"), "cold start failed");
}

/// Decode a base64 request body (API Gateway sends binary and form bodies that way).
pub fn decode_base64(text: &str) -> Result<Vec<u8>, String> {
    aws_smithy_types::base64::decode(text.trim()).map_err(|e| e.to_string())
}
