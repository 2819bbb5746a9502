//! The `ConfigStore` contract.

use super::{Run, expect_conflict, join_all, ok};
use chrono::Duration;
use sqa_core::ports::ConfigStore;

/// Checks every MUST of `ConfigStore`.
pub async fn config_store(store: &dyn ConfigStore) {
    let run = Run::new("cfg");
    let active = ok(store.active().await, "active");
    let v0 = active.as_ref().map_or(0, |c| c.version);
    let history = ok(store.history().await, "history");
    assert_eq!(
        history.last(),
        active.as_ref(),
        "the active config MUST be the last of the history (None before the first save)"
    );

    let at = run.time_base();
    let text1 = format!("# {}\n[agent]\nname = \"Ava — ünïcödé\"\n", run.prefix);
    let v1 = ok(
        store.save(&text1, v0, at).await,
        "save on the active version",
    );
    assert_eq!(v1, v0 + 1, "save MUST store the new config as expected + 1");
    expect_conflict(
        store.save("# stale\n", v0, at).await,
        "save on a stale version",
    );
    expect_conflict(
        store.save("# ahead\n", v1 + 1, at).await,
        "save on a version that does not exist yet",
    );
    let text2 = format!("# {} second\n", run.prefix);
    let at2 = at + Duration::seconds(90);
    let v2 = ok(store.save(&text2, v1, at2).await, "save again");
    assert_eq!(v2, v1 + 1, "save MUST number versions one by one");

    let active = ok(store.active().await, "active").expect("a config was saved");
    assert_eq!(
        active,
        sqa_core::ports::StoredConfig {
            version: v2,
            saved_at: at2,
            toml: text2.clone()
        },
        "active MUST return the latest config exactly as saved"
    );
    let history = ok(store.history().await, "history");
    let n = history.len();
    assert!(n >= 2, "history MUST keep every version");
    assert_eq!(
        (
            &history[n - 2].toml,
            history[n - 2].version,
            history[n - 2].saved_at
        ),
        (&text1, v1, at),
        "history MUST keep the earlier version as saved"
    );
    assert!(
        history.windows(2).all(|w| w[0].version < w[1].version),
        "history MUST be oldest first"
    );
    assert_eq!(
        history.last(),
        Some(&active),
        "the last entry of history MUST be the active config"
    );

    // Counters.
    let key = format!("seq-{}", run.prefix);
    for want in 0..3 {
        let got = ok(store.next_in_sequence(&key).await, "next_in_sequence");
        assert_eq!(
            got, want,
            "next_in_sequence MUST start at 0 and add one per call"
        );
    }
    let other = format!("other-{key}");
    assert_eq!(
        ok(store.next_in_sequence(&other).await, "next_in_sequence"),
        0,
        "counters MUST be independent"
    );
    let results = join_all((0..16).map(|_| store.next_in_sequence(&key)).collect()).await;
    let mut values: Vec<u64> = results
        .into_iter()
        .map(|r| ok(r, "concurrent next_in_sequence"))
        .collect();
    values.sort_unstable();
    assert_eq!(
        values,
        (3..19).collect::<Vec<u64>>(),
        "concurrent next_in_sequence callers MUST never get the same value"
    );
}
