//! Lambda entry point of the api function (API Gateway HTTP API, payload format 2.0): its
//! ports once per process, the agent config on first use (cached, see `sqa_aws::lambda`),
//! one router for every request.

use aws_lambda_events::event::apigw::ApiGatewayV2httpRequest;
use lambda_runtime::{Error, LambdaEvent, service_fn};
use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let rt = Arc::new(sqa_aws::lambda::start(api::WIRING).await?);
    let app = api::router(Arc::new(api::Deployed(rt)));
    lambda_runtime::run(service_fn(
        move |event: LambdaEvent<ApiGatewayV2httpRequest>| {
            let app = app.clone();
            async move { Ok::<_, Error>(api::handle(&app, event.payload).await) }
        },
    ))
    .await
}
