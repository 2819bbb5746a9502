//! Tests: classify.
