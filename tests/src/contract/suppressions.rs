//! The `Suppressions` contract.

use super::{Run, ok};
use chrono::Duration;
use sqa_core::ports::{Suppression, Suppressions};

/// Checks every MUST of `Suppressions`.
pub async fn suppressions(list: &dyn Suppressions) {
    let run = Run::new("sup");
    let address = format!("{}@suppress.example.test", run.prefix.to_lowercase());
    let first = Suppression {
        address: address.clone(),
        reason: "unsubscribe".into(),
        source: "one-click".into(),
        at: run.time_base(),
    };
    ok(list.add(&first).await, "add");
    let second = Suppression {
        reason: "complaint".into(),
        source: "ses".into(),
        at: run.time_base() + Duration::days(1),
        ..first.clone()
    };
    ok(list.add(&second).await, "add the same address again");

    let got = ok(list.get(&address).await, "get");
    assert_eq!(
        got.as_ref(),
        Some(&first),
        "add MUST keep the first entry of an address"
    );
    let got = ok(list.get(&address.to_uppercase()).await, "get in upper case");
    assert_eq!(
        got.as_ref(),
        Some(&first),
        "get MUST compare addresses lowercased"
    );
    let none = ok(
        list.get(&format!("not-{address}")).await,
        "get an unknown address",
    );
    assert!(none.is_none(), "get of an address never added MUST be None");
    let all = ok(list.list().await, "list");
    let ours: Vec<&Suppression> = all.iter().filter(|s| s.address == address).collect();
    assert_eq!(
        ours,
        vec![&first],
        "list MUST hold each address once, with its first entry"
    );
}
