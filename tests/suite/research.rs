//! Tests: research.
