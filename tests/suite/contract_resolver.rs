//! The `Resolver` contract: the hickory adapter against a DNS responder on 127.0.0.1, with
//! its timeout and deadline; `NoDns` and `validation.dns = "off"`.

use sqa_core::agents::email::{DnsResolver, resolver_from_config};
use sqa_core::config::Validation;
use sqa_core::ports::NoDns;
use sqa_tests::contract;
use sqa_tests::dns_server::start_dns;
use std::time::Duration;

#[tokio::test]
async fn the_hickory_resolver_keeps_the_resolver_contract() {
    let server = start_dns(contract::resolver_zones()).await;
    let timeout = Duration::from_millis(300);
    let r = DnsResolver::with_name_server(server.addr, timeout).unwrap();
    // One verdict is at most four queries, each bounded by the timeout, plus slack.
    contract::resolver(&r, timeout * 4 + Duration::from_millis(500)).await;
}

#[tokio::test]
async fn a_resolver_from_the_config_keeps_the_resolver_contract() {
    let server = start_dns(contract::resolver_zones()).await;
    let v = Validation {
        dns: sqa_core::config::DnsSetting::Server(server.addr),
        dns_timeout_ms: 300,
    };
    let r = resolver_from_config(&v).unwrap();
    contract::resolver(r.as_ref(), Duration::from_millis(1700)).await;
}

#[tokio::test]
async fn a_resolver_that_checks_nothing_keeps_the_resolver_contract() {
    contract::resolver_off(&NoDns).await;
    let off = Validation {
        dns: sqa_core::config::DnsSetting::Off,
        dns_timeout_ms: 100,
    };
    contract::resolver_off(resolver_from_config(&off).unwrap().as_ref()).await;
}
