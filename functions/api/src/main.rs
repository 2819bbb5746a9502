//! Lambda entry point of the api function (API Gateway HTTP API, payload format 2.0).

use aws_lambda_events::event::apigw::ApiGatewayV2httpRequest;
use lambda_runtime::{Error, LambdaEvent, service_fn};
use sqa_aws::wire::NeedsSecret;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let rt = sqa_aws::lambda::start(NeedsSecret::Yes).await?;
    let deps = &rt.deps;
    lambda_runtime::run(service_fn(
        move |event: LambdaEvent<ApiGatewayV2httpRequest>| async move {
            Ok::<_, Error>(api::handler(event.payload, deps).await)
        },
    ))
    .await
}
