//! Tests: contract_aws.
