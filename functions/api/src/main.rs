//! Lambda entry point of the api function (API Gateway HTTP API, payload format 2.0): its
//! ports once per process, the agent config on first use (cached, see `sqa_aws::lambda`).

use aws_lambda_events::event::apigw::ApiGatewayV2httpRequest;
use lambda_runtime::{Error, LambdaEvent, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    let rt = &sqa_aws::lambda::start(api::WIRING).await?;
    lambda_runtime::run(service_fn(
        move |event: LambdaEvent<ApiGatewayV2httpRequest>| async move {
            Ok::<_, Error>(match rt.deps().await {
                Ok(deps) => api::handler(event.payload, &deps).await,
                Err(e) => {
                    sqa_aws::lambda::log_config_error(&e, 1);
                    api::unavailable()
                }
            })
        },
    ))
    .await
}
