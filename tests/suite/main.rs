//! The test suite: one binary, one module per concern.

mod classify;
mod contract_aws;
mod contract_local;
mod email;
mod pipeline;
mod research;
