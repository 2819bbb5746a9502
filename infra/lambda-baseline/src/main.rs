//! The hello-world Lambda the functions are measured against (`infra/lambda-figures.sh`):
//! the same runtime crates and the same release profile, a handler that echoes its event.

use lambda_runtime::{Error, LambdaEvent, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_runtime::run(service_fn(
        |event: LambdaEvent<serde_json::Value>| async move { Ok::<_, Error>(event.payload) },
    ))
    .await
}
