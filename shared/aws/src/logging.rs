//! JSON logs for CloudWatch: one object per line, the span fields (message id, lead id)
//! flattened in, level from `RUST_LOG` or Lambda's `AWS_LAMBDA_LOG_LEVEL` (default info).

use tracing_subscriber::EnvFilter;

/// Install the subscriber once, in `main`. A second call (tests) is a no-op.
pub fn init() {
    let filter = std::env::var("RUST_LOG")
        .ok()
        .or_else(|| std::env::var("AWS_LAMBDA_LOG_LEVEL").ok())
        .map(|l| l.to_lowercase())
        .unwrap_or_else(|| "info".into());
    // `try_init` fails only when a subscriber is already installed (a warm Lambda calling
    // this twice, a test): the installed one keeps logging, so there is nothing to report.
    let _already_installed = tracing_subscriber::fmt()
        .json()
        .flatten_event(true)
        .with_current_span(true)
        .with_span_list(false)
        .with_target(false)
        .with_ansi(false)
        .with_env_filter(EnvFilter::new(filter))
        .try_init();
}
