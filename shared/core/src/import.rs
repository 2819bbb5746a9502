//! Lead import from CSV (being written).
