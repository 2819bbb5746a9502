//! The second baseline of `infra/lambda-figures.sh`: the hello-world Lambda plus a DynamoDB
//! client built at init and one `GetItem` per event, so that the SDK's code is linked as it is
//! in every function. The difference to `lambda-baseline` is what one AWS SDK client costs.
//! The HTTPS client is the one of `sqa_aws::clients::https_client` (rustls on ring), written
//! out so that the baseline links nothing of the project; with a single SDK client that
//! function's once-per-process preparation makes no difference.

use aws_sdk_dynamodb::types::AttributeValue;
use lambda_runtime::{Error, LambdaEvent, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    use aws_smithy_http_client::tls;
    let http = aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(
            tls::rustls_provider::CryptoMode::Ring,
        ))
        .build_https();
    let sdk = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .http_client(http)
        .load()
        .await;
    let dynamodb = &aws_sdk_dynamodb::Client::new(&sdk);
    lambda_runtime::run(service_fn(
        move |event: LambdaEvent<serde_json::Value>| async move {
            let table = event.payload["table"].as_str().unwrap_or("baseline");
            let item = dynamodb
                .get_item()
                .table_name(table)
                .key("pk", AttributeValue::S("hello".into()))
                .send()
                .await?;
            Ok::<_, Error>(serde_json::json!({ "found": item.item().is_some() }))
        },
    ))
    .await
}
