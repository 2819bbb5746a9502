//! In-memory adapters for unit tests of the core (being written).
