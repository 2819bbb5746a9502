//! Port contract suites (being written).
