//! The test suite: one binary, one module per concern.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod any_seller;
mod api;
mod aws_handlers;
mod aws_pipeline;
mod aws_template;
mod classify;
mod contract_aws;
mod contract_clock;
mod contract_local;
mod contract_memory;
mod contract_model;
mod contract_resolver;
mod contract_web;
mod email;
mod fuzz;
mod import;
mod judgment;
mod layering;
mod mail_auth;
mod model;
mod pipeline;
mod research;
mod sisimai;
mod stages;
mod webhooks;
