//! Tests: contract_local.
