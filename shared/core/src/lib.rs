//! The SQA core: domain types, the lead lifecycle, the ports (traits) every backend
//! implements, the agents and the stage handlers.
//!
//! This crate must not depend on an AWS SDK crate or on SQLite: the same stage handlers
//! run inside Lambda functions (`shared/aws`) and in the embedded default (`shared/local`).
//! A test in `tests/` enforces that with `cargo metadata`. The port contract suites and the
//! in-memory adapters are test code and live in the test crate (`tests/src`).

pub mod agents;
pub mod config;
pub mod domain;
pub mod fsread;
pub mod import;
pub mod lifecycle;
pub mod mail;
pub mod metrics;
pub mod model;
pub mod ports;
pub mod sign;
pub mod stages;
pub mod text;
pub mod web_http;
pub mod webhooks;

pub use domain::*;
