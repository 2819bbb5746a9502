//! The `Inbox` contract.

use super::{Run, ok};
use sqa_core::ports::{Inbox, StoreError};

/// Checks every MUST of `Inbox`: `key` must hold `expected` (the adapter's test puts it there).
pub async fn inbox(i: &dyn Inbox, key: &str, expected: &[u8]) {
    let got = ok(i.fetch(key).await, "fetch a stored message");
    assert!(
        got == expected,
        "fetch MUST return the raw bytes of the message ({} bytes, want {})",
        got.len(),
        expected.len()
    );
    let missing = format!("{key}.missing-{}", Run::new("in").prefix);
    match i.fetch(&missing).await {
        Err(StoreError::NotFound(_)) => {}
        other => panic!("fetch of an unknown key MUST return NotFound, got {other:?}"),
    }
}
