//! The SDK clients, built once per process (in `main`, or once per test) and shared by every
//! adapter. Each client counts the calls it makes, so that the end-to-end test can report
//! DynamoDB and SQS calls per lead and an invocation can log them.

use aws_config::SdkConfig;
use aws_sdk_dynamodb::config::interceptors::BeforeTransmitInterceptorContextRef;
use aws_sdk_dynamodb::config::{Intercept, RuntimeComponents};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::connector_metadata::ConnectorMetadata;
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnectorSettings, SharedHttpClient, SharedHttpConnector,
};
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponentsBuilder;
use aws_smithy_types::config_bag::ConfigBag;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Calls made per service since the process started (or since `reset`).
#[derive(Debug, Default)]
pub struct CallCounts {
    pub dynamodb: AtomicU64,
    pub sqs: AtomicU64,
    pub ses: AtomicU64,
    pub s3: AtomicU64,
}

/// A snapshot of `CallCounts`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Calls {
    pub dynamodb: u64,
    pub sqs: u64,
    pub ses: u64,
    pub s3: u64,
}

impl CallCounts {
    pub fn snapshot(&self) -> Calls {
        Calls {
            dynamodb: self.dynamodb.load(Ordering::Relaxed),
            sqs: self.sqs.load(Ordering::Relaxed),
            ses: self.ses.load(Ordering::Relaxed),
            s3: self.s3.load(Ordering::Relaxed),
        }
    }
}

/// Counts each attempt sent over the wire (retries included: they cost like calls).
#[derive(Debug, Clone)]
struct Counter {
    counts: Arc<CallCounts>,
    service: Service,
}

#[derive(Debug, Clone, Copy)]
enum Service {
    DynamoDb,
    Sqs,
    Ses,
    S3,
}

impl Intercept for Counter {
    fn name(&self) -> &'static str {
        "sqa-call-counter"
    }
    fn read_before_transmit(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), aws_sdk_dynamodb::error::BoxError> {
        let c = &self.counts;
        let counter = match self.service {
            Service::DynamoDb => &c.dynamodb,
            Service::Sqs => &c.sqs,
            Service::Ses => &c.ses,
            Service::S3 => &c.s3,
        };
        counter.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
}

/// The SDK's own HTTPS client (hyper, rustls) on the ring crypto provider; the workspace
/// leaves out the SDK's default client, which is the same on aws-lc. One client is shared by
/// every SDK client of the process (see [`TlsOnce`]).
pub fn https_client() -> SharedHttpClient {
    use aws_smithy_http_client::tls;
    TlsOnce::wrap(
        aws_smithy_http_client::Builder::new()
            .tls_provider(tls::Provider::Rustls(
                tls::rustls_provider::CryptoMode::Ring,
            ))
            .build_https(),
    )
}

/// The SDK's hyper client, prepared once per process rather than once per SDK client.
///
/// When an SDK client is built, the hyper client builds a TLS connector and throws it away,
/// so that the system trust store is read at cold start rather than at the first request.
/// Each such build parses every root certificate again; a function builds three to five SDK
/// clients on one shared HTTP client, and the first build has already done what the others
/// repeat. Connectors themselves are still built and cached by the inner client, per timeout
/// settings, at the first request. A preparation that fails is not remembered: the SDK
/// refuses that client at construction, and the next client tries again (which
/// `once_cell`'s fallible `get_or_try_init` gives; std's `OnceLock` has no stable equivalent).
#[derive(Debug)]
struct TlsOnce {
    inner: SharedHttpClient,
    prepared: once_cell::sync::OnceCell<()>,
}

impl TlsOnce {
    fn wrap(inner: SharedHttpClient) -> SharedHttpClient {
        SharedHttpClient::new(TlsOnce {
            inner,
            prepared: once_cell::sync::OnceCell::new(),
        })
    }
}

impl HttpClient for TlsOnce {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        self.inner.http_connector(settings, components)
    }

    fn validate_base_client_config(
        &self,
        runtime_components: &RuntimeComponentsBuilder,
        cfg: &ConfigBag,
    ) -> Result<(), BoxError> {
        self.prepared
            .get_or_try_init(|| {
                self.inner
                    .validate_base_client_config(runtime_components, cfg)
            })
            .map(|_| ())
    }

    fn validate_final_config(
        &self,
        runtime_components: &RuntimeComponents,
        cfg: &ConfigBag,
    ) -> Result<(), BoxError> {
        self.inner.validate_final_config(runtime_components, cfg)
    }

    fn connector_metadata(&self) -> Option<ConnectorMetadata> {
        self.inner.connector_metadata()
    }
}

/// `aws_config::defaults` with the HTTPS client of [`https_client`].
pub fn sdk_defaults() -> aws_config::ConfigLoader {
    aws_config::defaults(aws_config::BehaviorVersion::latest()).http_client(https_client())
}

/// Every client the adapters use.
#[derive(Clone, Debug)]
pub struct Clients {
    pub dynamodb: aws_sdk_dynamodb::Client,
    pub sqs: aws_sdk_sqs::Client,
    pub s3: aws_sdk_s3::Client,
    pub calls: Arc<CallCounts>,
    /// For the clients only some functions use, built by them once at cold start (SES, SSM).
    pub sdk: SdkConfig,
}

impl Clients {
    /// Load the SDK configuration from the environment (region, credentials, and
    /// `AWS_ENDPOINT_URL*` for an emulator) and build the clients.
    pub async fn from_env() -> Clients {
        let sdk = sdk_defaults().load().await;
        Clients::new(&sdk)
    }

    pub fn new(sdk: &SdkConfig) -> Clients {
        let calls = Arc::new(CallCounts::default());
        let counter = |service| Counter {
            counts: calls.clone(),
            service,
        };
        let dynamodb = aws_sdk_dynamodb::config::Builder::from(sdk)
            .interceptor(counter(Service::DynamoDb))
            .build();
        let sqs = aws_sdk_sqs::config::Builder::from(sdk)
            .interceptor(counter(Service::Sqs))
            .build();
        // Emulators serve buckets by path, not by virtual host.
        let path_style = sdk.endpoint_url().is_some();
        let s3 = aws_sdk_s3::config::Builder::from(sdk)
            .force_path_style(path_style)
            .interceptor(counter(Service::S3))
            .build();
        Clients {
            dynamodb: aws_sdk_dynamodb::Client::from_conf(dynamodb),
            sqs: aws_sdk_sqs::Client::from_conf(sqs),
            s3: aws_sdk_s3::Client::from_conf(s3),
            calls,
            sdk: sdk.clone(),
        }
    }

    /// The SES client, built on request: only the functions that send mail build it (and
    /// link it), and building a client costs a parse of the trust store at cold start.
    pub fn ses(&self) -> aws_sdk_ses::Client {
        // A send that timed out may have been accepted: the SDK must not resend it on its
        // own (the core records the touch as "unknown" instead of mailing twice).
        let conf = aws_sdk_ses::config::Builder::from(&self.sdk)
            .retry_config(aws_sdk_ses::config::retry::RetryConfig::disabled())
            .interceptor(Counter {
                counts: self.calls.clone(),
                service: Service::Ses,
            })
            .build();
        aws_sdk_ses::Client::from_conf(conf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    /// An HTTP client that counts how often it is asked to prepare itself.
    #[derive(Debug, Default)]
    struct Preparations(Arc<AtomicUsize>);

    impl HttpClient for Preparations {
        fn http_connector(
            &self,
            _settings: &HttpConnectorSettings,
            _components: &RuntimeComponents,
        ) -> SharedHttpConnector {
            unreachable!("no request is made")
        }

        fn validate_base_client_config(
            &self,
            _runtime_components: &RuntimeComponentsBuilder,
            _cfg: &ConfigBag,
        ) -> Result<(), BoxError> {
            self.0.fetch_add(1, Ordering::SeqCst);
            Ok(())
        }
    }

    #[tokio::test]
    async fn the_http_client_is_prepared_once_for_all_the_sdk_clients() {
        let count = Arc::new(AtomicUsize::new(0));
        let http = TlsOnce::wrap(SharedHttpClient::new(Preparations(count.clone())));
        let sdk = aws_config::defaults(aws_config::BehaviorVersion::latest())
            .http_client(http)
            .region(aws_config::Region::new("us-east-1"))
            .load()
            .await;
        let clients = Clients::new(&sdk);
        let _ses = clients.ses();
        assert_eq!(
            count.load(Ordering::SeqCst),
            1,
            "prepared once, not per client"
        );
    }
}
