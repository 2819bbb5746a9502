//! Tests: email.
