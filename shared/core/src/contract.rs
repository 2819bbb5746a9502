//! Port contract suites: one plain `async fn` per port that checks every MUST of
//! `crate::ports` against any implementation, and panics with a message naming the broken
//! rule.
//!
//! The same suites run against the in-memory adapters, the embedded SQLite adapters and,
//! later, the remote ones on an emulator. So that they can rerun on a store that already holds
//! data (their own from an earlier run, or anyone's), every call works under a fresh unique
//! prefix: its lead ids, owners, address keys, counter keys, run ids and time windows are its
//! own, and no check asserts that a store is globally empty. Counts are checked as deltas.
//!
//! The queue suite is the one exception: queues have fixed names, so it needs queues that no
//! one else uses while it runs (a fresh adapter, or fresh queues on the emulator). Leftovers of
//! an earlier run of the suite are recognised by their marker and acknowledged.

// Test support: a broken contract panics with the rule it broke.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use crate::domain::{
    Bant, Deliverability, EmailCheck, EmailKey, EmailKind, Fact, Lead, LeadId, Research, Stage,
    Touch, TouchKind, TouchState,
};
use crate::lifecycle::Expected;
use crate::ports::{
    ConfigStore, Delivery, Inbox, LeadFilter, LeadStore, Mailer, OutgoingEmail, Page, Queue,
    QueueName, RunLog, RunRecord, StoreError, StoreResult, Suppression, Suppressions,
};
use chrono::{DateTime, Duration, TimeZone, Utc};
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fmt::Debug;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::Poll;

/// Every body the queue suite sends starts with this, so a later run can tell its own
/// leftovers from anyone else's messages.
const QUEUE_MARKER: &str = "sqa-contract:";

/// The stores of one backend, checked one after the other.
pub async fn all_stores(
    leads: &dyn LeadStore,
    config: &dyn ConfigStore,
    runs: &dyn RunLog,
    suppressions: &dyn Suppressions,
    queue: &dyn Queue,
    max_receives: u32,
) {
    lead_store(leads).await;
    config_store(config).await;
    run_log(runs).await;
    self::suppressions(suppressions).await;
    self::queue(queue, max_receives).await;
}

// ---------------------------------------------------------------------------------------------
// LeadStore

/// Checks every MUST of `LeadStore`.
pub async fn lead_store(store: &dyn LeadStore) {
    let run = Run::new("ls");
    insert_and_get(store, &run).await;
    conditional_update(store, &run).await;
    concurrent_updates(store, &run).await;
    created_between(store, &run).await;
    due_before(store, &run).await;
    find_by_email(store, &run).await;
    list(store, &run).await;
    count_by_stage(store, &run).await;
}

async fn insert_and_get(store: &dyn LeadStore, run: &Run) {
    let lead = run.lead("get");
    ok(store.insert(&lead).await, "insert a new lead");
    let got = ok(store.get(&lead.id).await, "get an inserted lead");
    assert_eq!(
        got.as_ref(),
        Some(&lead),
        "get MUST return the lead exactly as inserted (every field, nested values, unicode)"
    );

    let mut other = lead.clone();
    other.first_name = "Someone else".into();
    other.stage = Stage::Validated;
    expect_conflict(store.insert(&other).await, "insert of an existing id");
    let after = ok(store.get(&lead.id).await, "get after a refused insert");
    assert_eq!(
        after.as_ref(),
        Some(&lead),
        "a refused insert MUST leave the stored lead unchanged"
    );

    let missing = run.id("missing");
    let none = ok(store.get(&missing).await, "get an unknown id");
    assert!(none.is_none(), "get MUST return Ok(None) for an unknown id");
}

async fn conditional_update(store: &dyn LeadStore, run: &Run) {
    let lead = run.lead("upd");
    ok(store.insert(&lead).await, "insert");
    let expected = Expected::of(&lead);

    let mut next = lead.clone();
    next.stage = Stage::Selected;
    next.claimed_by = Some(run.prefix.clone());
    // The store, not the caller, decides the new version.
    next.version = 999;
    let saved = ok(
        store.update(&next, expected).await,
        "update on the expected stage and version",
    );
    assert_eq!(
        saved.version,
        expected.version + 1,
        "update MUST return the lead with version expected + 1"
    );
    assert_eq!(
        saved.stage,
        Stage::Selected,
        "update MUST write the new stage"
    );
    let stored = ok(store.get(&lead.id).await, "get after update").expect("lead exists");
    assert_eq!(
        stored, saved,
        "the stored lead MUST equal the lead update returned"
    );

    // The same write again (a message delivered twice) must change nothing.
    expect_conflict(
        store.update(&next, expected).await,
        "update with a stale version",
    );
    let stale_stage = Expected {
        stage: Stage::New,
        version: saved.version,
    };
    expect_conflict(
        store.update(&next, stale_stage).await,
        "update with a stale stage",
    );
    let ahead = Expected {
        stage: Stage::Selected,
        version: saved.version + 1,
    };
    expect_conflict(
        store.update(&next, ahead).await,
        "update with a future version",
    );
    let unchanged = ok(store.get(&lead.id).await, "get after conflicts");
    assert_eq!(
        unchanged.as_ref(),
        Some(&saved),
        "a conflicting update MUST change nothing"
    );

    let mut unknown = run.lead("nobody");
    unknown.stage = Stage::Selected;
    match store
        .update(&unknown, Expected::of(&run.lead("nobody")))
        .await
    {
        Err(StoreError::NotFound(_)) => {}
        other => panic!("update of an unknown id MUST return NotFound, got {other:?}"),
    }
    let still_none = ok(
        store.get(&unknown.id).await,
        "get after update of unknown id",
    );
    assert!(
        still_none.is_none(),
        "update of an unknown id MUST NOT create the lead"
    );
}

async fn concurrent_updates(store: &dyn LeadStore, run: &Run) {
    let lead = run.lead("race");
    ok(store.insert(&lead).await, "insert");
    let expected = Expected::of(&lead);
    let writers: Vec<Lead> = (0..4)
        .map(|i| {
            let mut l = lead.clone();
            l.stage = Stage::Selected;
            l.claimed_by = Some(format!("writer-{i}"));
            l
        })
        .collect();
    let results = join_all(writers.iter().map(|l| store.update(l, expected)).collect()).await;
    let winners: Vec<&Lead> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
    assert_eq!(
        winners.len(),
        1,
        "of concurrent updates on the same expected version exactly one MUST win: {results:?}"
    );
    for r in &results {
        if let Err(e) = r {
            assert!(
                matches!(e, StoreError::Conflict(_)),
                "the losers of a race MUST get Conflict, got {e:?}"
            );
        }
    }
    let stored = ok(store.get(&lead.id).await, "get after race").expect("lead exists");
    assert_eq!(
        &stored, winners[0],
        "the stored lead MUST be the winner's write"
    );
}

async fn created_between(store: &dyn LeadStore, run: &Run) {
    let t0 = run.time_base();
    let at = |mins: i64| t0 + Duration::minutes(mins);
    // Inside the window [t0+10, t0+20]: both bounds, a tie, and the middle; inserted out
    // of time order so that the order cannot come from insertion.
    let inside = [
        ("c-mid", 15),
        ("c-last", 20),
        ("c-first", 10),
        ("c-tie-a", 12),
        ("c-tie-b", 12),
    ];
    let mut want = Vec::new();
    for (name, m) in inside {
        let mut l = run.lead(name);
        l.created_at = Some(at(m));
        ok(store.insert(&l).await, "insert");
        want.push((at(m), l.id.clone()));
    }
    // Outside: before, after, another stage, no created_at.
    for (name, m) in [("c-before", 9), ("c-after", 21)] {
        let mut l = run.lead(name);
        l.created_at = Some(at(m));
        ok(store.insert(&l).await, "insert");
    }
    let mut claimed = run.lead("c-claimed");
    claimed.created_at = Some(at(14));
    ok(store.insert(&claimed).await, "insert");
    let mut moved = claimed.clone();
    moved.stage = Stage::Selected;
    ok(
        store.update(&moved, Expected::of(&claimed)).await,
        "claim a lead",
    );
    let mut undated = run.lead("c-undated");
    undated.created_at = None;
    ok(store.insert(&undated).await, "insert");

    for limit in [1, 2, 3, 100] {
        let pages = collect_pages(limit, |cursor| {
            store.created_between(Stage::New, at(10), at(20), cursor, limit)
        })
        .await;
        let got: Vec<Lead> = pages.into_iter().flatten().collect();
        for l in &got {
            let c = l.created_at.unwrap_or_else(|| {
                panic!(
                    "created_between MUST NOT return a lead without created_at ({})",
                    l.id
                )
            });
            assert!(
                c >= at(10) && c <= at(20) && l.stage == Stage::New,
                "created_between returned {} (stage {}, created {c}) outside the query",
                l.id,
                l.stage
            );
        }
        let times: Vec<DateTime<Utc>> = got.iter().filter_map(|l| l.created_at).collect();
        assert!(
            times.windows(2).all(|w| w[0] <= w[1]),
            "created_between MUST return oldest first (limit {limit}): {times:?}"
        );
        let ours: Vec<&LeadId> = got
            .iter()
            .map(|l| &l.id)
            .filter(|id| run.owns(id))
            .collect();
        let unique: HashSet<&&LeadId> = ours.iter().collect();
        assert_eq!(
            unique.len(),
            ours.len(),
            "created_between pages MUST NOT repeat a lead (limit {limit}): {ours:?}"
        );
        let mut expected = want.clone();
        expected.sort();
        let expected_ids: BTreeSet<&LeadId> = expected.iter().map(|(_, id)| id).collect();
        let got_ids: BTreeSet<&LeadId> = ours.iter().copied().collect();
        assert_eq!(
            got_ids, expected_ids,
            "created_between with pages of {limit} MUST return exactly the leads in stage and \
             window, bounds included"
        );
    }
}

async fn due_before(store: &dyn LeadStore, run: &Run) {
    let t0 = run.time_base();
    let now = t0 + Duration::hours(1);
    let mut due = BTreeSet::new();
    let mut written = Vec::new();
    for (name, stage, next) in [
        ("d-past", Stage::New, Some(now - Duration::minutes(5))),
        ("d-exact", Stage::Contacted, Some(now)),
        ("d-nurture", Stage::Nurture, Some(now - Duration::days(3))),
        (
            "d-future",
            Stage::Contacted,
            Some(now + Duration::seconds(1)),
        ),
        ("d-none", Stage::Contacted, None),
    ] {
        let mut l = run.lead(name);
        l.stage = stage;
        l.next_touch_at = next;
        ok(store.insert(&l).await, "insert");
        if next.is_some_and(|n| n <= now) {
            due.insert(l.id.clone());
        }
        written.push(l);
    }

    let got = ok(store.due_before(now, 1000).await, "due_before");
    for l in &got {
        let n = l.next_touch_at.unwrap_or_else(|| {
            panic!(
                "due_before MUST NOT return a lead without next_touch_at ({})",
                l.id
            )
        });
        assert!(
            n <= now,
            "due_before returned {} due at {n}, after {now}",
            l.id
        );
    }
    let ours: BTreeSet<LeadId> = got
        .iter()
        .map(|l| l.id.clone())
        .filter(|id| run.owns(id))
        .collect();
    assert_eq!(
        ours, due,
        "due_before MUST return every lead due at or before now, in any stage, and no other"
    );
    let one = ok(store.due_before(now, 1).await, "due_before with limit 1");
    assert!(one.len() <= 1, "due_before MUST return at most limit leads");

    // A lead whose touch is no longer scheduled leaves the due list.
    let past = &written[0];
    let mut cleared = past.clone();
    cleared.next_touch_at = None;
    let saved = ok(
        store.update(&cleared, Expected::of(past)).await,
        "clear next_touch_at",
    );
    let again = ok(
        store.due_before(now, 1000).await,
        "due_before after clearing",
    );
    assert!(
        !again.iter().any(|l| l.id == saved.id),
        "due_before MUST follow updates of next_touch_at"
    );
    // Leave nothing due behind, so that reruns on the same store stay fast.
    for l in &written[1..] {
        if l.next_touch_at.is_some() {
            let mut c = l.clone();
            c.next_touch_at = None;
            ok(store.update(&c, Expected::of(l)).await, "clean up");
        }
    }
}

async fn find_by_email(store: &dyn LeadStore, run: &Run) {
    let key = format!("{}@find.example.test", run.prefix.to_lowercase());
    let mut want = Vec::new();
    for name in ["e-1", "e-2", "e-3"] {
        let mut l = run.lead(name);
        l.email_key = EmailKey::from_stored(key.clone());
        ok(store.insert(&l).await, "insert");
        want.push(l.id.clone());
    }
    let mut other = run.lead("e-other");
    other.email_key = EmailKey::from_stored(format!("other-{key}"));
    ok(store.insert(&other).await, "insert");

    let got = ok(store.find_by_email(&key).await, "find_by_email");
    assert_eq!(
        got, want,
        "find_by_email MUST return every lead with the key, in insertion order"
    );

    // A corrected address moves the lead to its new key.
    let first = ok(store.get(&want[0]).await, "get").expect("lead exists");
    let mut moved = first.clone();
    moved.email_key = other.email_key.clone();
    ok(
        store.update(&moved, Expected::of(&first)).await,
        "change email_key",
    );
    let got = ok(
        store.find_by_email(&key).await,
        "find_by_email after update",
    );
    assert_eq!(
        got,
        want[1..].to_vec(),
        "find_by_email MUST follow updates of email_key"
    );
    let got = ok(
        store.find_by_email(other.email_key.as_str()).await,
        "find_by_email of the new key",
    );
    assert_eq!(
        got,
        vec![want[0].clone(), other.id.clone()],
        "find_by_email MUST keep insertion order after an update"
    );
    let none = ok(
        store.find_by_email(&format!("none-{key}")).await,
        "find_by_email of an unknown key",
    );
    assert!(
        none.is_empty(),
        "find_by_email of an unknown key MUST be empty"
    );
}

async fn list(store: &dyn LeadStore, run: &Run) {
    let owner = format!("owner-{}", run.prefix);
    let mut inserted = Vec::new();
    for (i, stage) in [
        Stage::New,
        Stage::HandedOver,
        Stage::New,
        Stage::Disqualified,
        Stage::HandedOver,
    ]
    .into_iter()
    .enumerate()
    {
        let mut l = run.lead(&format!("l-{i}"));
        l.owner = owner.clone();
        l.stage = stage;
        ok(store.insert(&l).await, "insert");
        inserted.push(l);
    }
    let newest_first: Vec<LeadId> = inserted.iter().rev().map(|l| l.id.clone()).collect();

    let by_owner = LeadFilter {
        stage: None,
        owner: Some(owner.clone()),
    };
    for limit in [1, 2, 5, 50] {
        let pages = collect_pages(limit, |c| store.list(&by_owner, c, limit)).await;
        let ids: Vec<LeadId> = pages.into_iter().flatten().map(|l| l.id).collect();
        assert_eq!(
            ids, newest_first,
            "list by owner with pages of {limit} MUST return the owner's leads newest first"
        );
    }

    let handed = LeadFilter {
        stage: Some(Stage::HandedOver),
        owner: Some(owner.clone()),
    };
    let pages = collect_pages(1, |c| store.list(&handed, c, 1)).await;
    let ids: Vec<LeadId> = pages.into_iter().flatten().map(|l| l.id).collect();
    assert_eq!(
        ids,
        vec![inserted[4].id.clone(), inserted[1].id.clone()],
        "list by stage and owner MUST apply both filters, newest first"
    );

    let stage_only = LeadFilter {
        stage: Some(Stage::Disqualified),
        owner: None,
    };
    let page = ok(store.list(&stage_only, None, 1000).await, "list by stage");
    assert!(
        page.items.iter().all(|l| l.stage == Stage::Disqualified),
        "list by stage MUST return only that stage"
    );
    assert!(
        page.items.iter().any(|l| l.id == inserted[3].id) || page.next.is_some(),
        "list by stage MUST include a lead of that stage"
    );
    let everything = ok(
        store.list(&LeadFilter::default(), None, 3).await,
        "list all",
    );
    assert!(
        !everything.items.is_empty() && everything.items.len() <= 3,
        "list without a filter MUST return at most limit leads, and some"
    );

    // An update that changes the stage or the owner moves the lead between views, and keeps
    // its place in insertion order.
    let before = &inserted[2];
    let mut after = before.clone();
    after.stage = Stage::HandedOver;
    ok(
        store.update(&after, Expected::of(before)).await,
        "hand over",
    );
    let page = ok(store.list(&handed, None, 50).await, "list after update");
    let ids: Vec<LeadId> = page.items.into_iter().map(|l| l.id).collect();
    assert_eq!(
        ids,
        vec![
            inserted[4].id.clone(),
            inserted[2].id.clone(),
            inserted[1].id.clone()
        ],
        "list MUST follow stage updates and keep insertion order"
    );
    let first = &inserted[0];
    let mut reassigned = first.clone();
    reassigned.owner = format!("new-{owner}");
    ok(
        store.update(&reassigned, Expected::of(first)).await,
        "reassign",
    );
    let new_owner = LeadFilter {
        stage: None,
        owner: Some(reassigned.owner.clone()),
    };
    let page = ok(store.list(&new_owner, None, 50).await, "list new owner");
    let ids: Vec<LeadId> = page.items.into_iter().map(|l| l.id).collect();
    assert_eq!(
        ids,
        vec![first.id.clone()],
        "list MUST follow owner updates"
    );
}

async fn count_by_stage(store: &dyn LeadStore, run: &Run) {
    let before = ok(store.count_by_stage().await, "count_by_stage");
    let a = run.lead("n-a");
    let b = run.lead("n-b");
    let mut c = run.lead("n-c");
    c.stage = Stage::Researched;
    for l in [&a, &b, &c] {
        ok(store.insert(l).await, "insert");
    }
    expect_conflict(store.insert(&a).await, "insert of an existing id");
    let mut a2 = a.clone();
    a2.stage = Stage::Selected;
    ok(store.update(&a2, Expected::of(&a)).await, "select");
    expect_conflict(
        store.update(&a2, Expected::of(&a)).await,
        "update with a stale version",
    );
    let mut c2 = c.clone();
    c2.stage = Stage::Researched;
    c2.notes = "same stage, new version".into();
    ok(store.update(&c2, Expected::of(&c)).await, "update in place");

    let after = ok(store.count_by_stage().await, "count_by_stage");
    let delta = |s: Stage| {
        after.get(&s).copied().unwrap_or(0) as i64 - before.get(&s).copied().unwrap_or(0) as i64
    };
    let want: BTreeMap<Stage, i64> = [
        (Stage::New, 1),
        (Stage::Selected, 1),
        (Stage::Researched, 1),
    ]
    .into_iter()
    .collect();
    for s in Stage::ALL {
        assert_eq!(
            delta(s),
            want.get(&s).copied().unwrap_or(0),
            "count_by_stage MUST be exact after every write (stage {s}; failed writes count \
             for nothing)"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// ConfigStore

/// Checks every MUST of `ConfigStore`.
pub async fn config_store(store: &dyn ConfigStore) {
    let run = Run::new("cfg");
    let active = ok(store.active().await, "active");
    let v0 = active.as_ref().map_or(0, |c| c.version);
    let history = ok(store.history().await, "history");
    assert_eq!(
        history.last().map(|c| c.version),
        active.as_ref().map(|c| c.version),
        "the active config MUST be the last of the history"
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
        crate::ports::StoredConfig {
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

// ---------------------------------------------------------------------------------------------
// RunLog

/// Checks every MUST of `RunLog`.
pub async fn run_log(log: &dyn RunLog) {
    let run = Run::new("runs");
    let t0 = run.time_base();
    let lead = run.id("lead");
    let other_lead = run.id("other");
    let run_id = format!("run-{}", run.prefix);
    let other_run = format!("run2-{}", run.prefix);

    let rec = |lead_id: Option<&LeadId>, run_id: &str, secs: i64, decision: &str| RunRecord {
        run_id: run_id.to_string(),
        lead_id: lead_id.cloned(),
        stage: "validate".into(),
        decision: decision.into(),
        reasons: vec!["a reason — ünïcödé".into()],
        inputs_digest: "ab".repeat(32),
        at: t0 + Duration::seconds(secs),
        duration_ms: 12,
        model: Some("offline".into()),
        prompt_version: None,
        tokens_in: 3,
        tokens_out: 4,
        error: None,
    };
    // Appended out of time order, with a tie and an exact duplicate.
    let r3 = rec(Some(&lead), &run_id, 30, "third");
    let r1 = rec(Some(&lead), &run_id, 10, "first");
    let r2a = rec(Some(&lead), &other_run, 20, "tie-a");
    let r2b = rec(Some(&lead), &run_id, 20, "tie-b");
    let dup = r1.clone();
    let x = rec(Some(&other_lead), &run_id, 15, "other lead");
    let no_lead = rec(None, &run_id, 5, "no lead");
    for r in [&r3, &r1, &r2a, &r2b, &dup, &x, &no_lead] {
        ok(log.append(r).await, "append");
    }

    let got = ok(log.for_lead(&lead).await, "for_lead");
    assert_eq!(
        got,
        vec![
            r1.clone(),
            dup.clone(),
            r2a.clone(),
            r2b.clone(),
            r3.clone()
        ],
        "for_lead MUST return every record of the lead (duplicates kept) in time order, ties \
         in append order"
    );
    let got = ok(log.for_run(&run_id).await, "for_run");
    assert_eq!(
        got,
        vec![no_lead, r1, dup, x, r2b, r3],
        "for_run MUST return every record of the run in time order"
    );
    let none = ok(log.for_lead(&run.id("nobody")).await, "for_lead unknown");
    assert!(none.is_empty(), "for_lead of an unknown lead MUST be empty");
    let none = ok(
        log.for_run(&format!("none-{run_id}")).await,
        "for_run unknown",
    );
    assert!(none.is_empty(), "for_run of an unknown run MUST be empty");
}

// ---------------------------------------------------------------------------------------------
// Suppressions

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

// ---------------------------------------------------------------------------------------------
// Queue

/// Checks every MUST of `Queue` on an adapter built with the dead-letter threshold
/// `max_receives` and a visibility timeout longer than the suite runs (a few seconds).
pub async fn queue(q: &dyn Queue, max_receives: u32) {
    assert!(max_receives >= 1, "a dead-letter threshold is at least 1");
    let run = Run::new("q");
    let tag = format!("{QUEUE_MARKER}{}:", run.prefix);
    let main = QueueName::Validate;
    let side = QueueName::Research;

    ok(q.send(main, &[]).await, "send of no bodies");

    // More bodies than one provider batch holds.
    let bodies: Vec<String> = (0..25).map(|i| format!("{tag}many:{i}")).collect();
    ok(q.send(main, &bodies).await, "send of 25 bodies");
    let got = receive_ours(q, main, &tag, bodies.len()).await;
    let got_bodies: BTreeSet<&str> = got.iter().map(|d| d.body.as_str()).collect();
    let want: BTreeSet<&str> = bodies.iter().map(String::as_str).collect();
    assert_eq!(got_bodies, want, "send MUST keep every body");
    assert_eq!(got.len(), bodies.len(), "each body MUST be delivered once");
    let ids: HashSet<&str> = got.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids.len(), got.len(), "message ids MUST be distinct");
    assert!(
        got.iter().all(|d| d.receive_count == 1),
        "a first receive MUST report receive_count 1"
    );
    assert!(
        receive_ours(q, side, &tag, 1).await.is_empty(),
        "a message MUST arrive only on the queue it was sent to"
    );
    assert!(
        receive_ours(q, main, &tag, 1).await.is_empty(),
        "receive MUST hide the messages it returned"
    );
    for d in &got {
        ok(q.ack(main, &d.receipt).await, "ack");
    }
    ok(
        q.ack(main, &got[0].receipt).await,
        "ack again (MUST be idempotent)",
    );

    // retry_later(0) makes a message visible again, with a new receipt.
    let body = format!("{tag}retry");
    ok(q.send(main, std::slice::from_ref(&body)).await, "send");
    let first = single(receive_ours(q, main, &tag, 1).await, "the retry message");
    ok(
        q.retry_later(main, &first.receipt, 0).await,
        "retry_later 0",
    );
    let second = single(receive_ours(q, main, &tag, 1).await, "the retried message");
    assert_eq!(
        (&second.id, &second.body, second.receive_count),
        (&first.id, &body, 2),
        "retry_later(0) MUST make the same message visible again, counting the receive"
    );
    assert_ne!(
        second.receipt, first.receipt,
        "the receipt MUST change with every receive"
    );
    ok(q.ack(main, &second.receipt).await, "ack");
    assert!(
        receive_ours(q, main, &tag, 1).await.is_empty(),
        "an acknowledged message MUST NOT come back"
    );

    // retry_later with a delay keeps the message hidden for that long.
    let body = format!("{tag}delay");
    ok(q.send(main, std::slice::from_ref(&body)).await, "send");
    let d = single(receive_ours(q, main, &tag, 1).await, "the delayed message");
    ok(q.retry_later(main, &d.receipt, 1).await, "retry_later 1");
    assert!(
        receive_ours(q, main, &tag, 1).await.is_empty(),
        "retry_later(1) MUST keep the message hidden for a second"
    );
    tokio::time::sleep(std::time::Duration::from_millis(1300)).await;
    let d = single(receive_ours(q, main, &tag, 1).await, "the delayed message");
    assert_eq!(
        d.body, body,
        "the delayed message MUST come back after its delay"
    );
    ok(q.ack(main, &d.receipt).await, "ack");

    // After max_receives receives the message goes to the dead letters.
    let body = format!("{tag}poison");
    ok(q.send(main, std::slice::from_ref(&body)).await, "send");
    for n in 1..=max_receives {
        let d = single(receive_ours(q, main, &tag, 1).await, "the poison message");
        assert_eq!(d.receive_count, n, "receive_count MUST count every receive");
        ok(q.retry_later(main, &d.receipt, 0).await, "retry_later 0");
    }
    assert!(
        receive_ours(q, main, &tag, 1).await.is_empty(),
        "a message received {max_receives} times MUST NOT be returned again"
    );
    let dead = ok(q.dead_letters(main).await, "dead_letters");
    assert_eq!(
        dead.iter().filter(|d| d.body == body).count(),
        1,
        "a message received more than the threshold MUST move to the dead letters once"
    );
    let side_dead = ok(q.dead_letters(side).await, "dead_letters of another queue");
    assert!(
        !side_dead.iter().any(|d| d.body == body),
        "dead letters MUST stay with their queue"
    );
}

/// Receive until `want` messages of this run arrived or the queue has nothing more to give.
/// Leftovers of earlier runs of the suite are acknowledged; anyone else's message fails the
/// suite, which needs queues of its own.
async fn receive_ours(q: &dyn Queue, name: QueueName, tag: &str, want: usize) -> Vec<Delivery> {
    let mut ours = Vec::new();
    let mut empty_rounds = 0;
    // Remote queues may answer a receive with fewer messages than are visible, so an empty
    // answer is only believed after a few in a row.
    while ours.len() < want && empty_rounds < 3 {
        let batch = ok(q.receive(name, 10).await, "receive");
        assert!(
            batch.len() <= 10,
            "receive MUST return at most max messages"
        );
        if batch.is_empty() {
            empty_rounds += 1;
            continue;
        }
        empty_rounds = 0;
        for d in batch {
            if d.body.starts_with(tag) {
                ours.push(d);
            } else if d.body.starts_with(QUEUE_MARKER) {
                ok(
                    q.ack(name, &d.receipt).await,
                    "ack a leftover of an earlier run",
                );
            } else {
                panic!(
                    "queue {} holds a message the suite did not send ({:?}); run the queue \
                     suite on queues no one else uses",
                    name.as_str(),
                    d.body
                );
            }
        }
    }
    ours
}

fn single(mut got: Vec<Delivery>, what: &str) -> Delivery {
    assert_eq!(got.len(), 1, "expected {what} exactly once, got {got:?}");
    got.remove(0)
}

// ---------------------------------------------------------------------------------------------
// Mailer and Inbox

/// Checks what every `Mailer` must do: send returns a provider id. Returns the message sent
/// and that id, for the adapter's own test to check the side effect (a file, an SES call).
pub async fn mailer(m: &dyn Mailer) -> (OutgoingEmail, String) {
    let run = Run::new("mail");
    let message_id = format!("<contract-{}@example.test>", run.prefix.to_lowercase());
    let raw = format!(
        "From: Ava <ava@example.test>\r\nTo: lead@example.test\r\nSubject: contract\r\n\
         Message-ID: {message_id}\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; \
         charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nHallo — ünïcödé.\r\n"
    );
    let email = OutgoingEmail {
        from: "ava@example.test".into(),
        to: vec!["lead@example.test".into()],
        message_id,
        raw: raw.into_bytes(),
    };
    let id = match m.send(&email).await {
        Ok(id) => id,
        Err(e) => panic!("send of a well-formed message failed: {e:?}"),
    };
    assert!(!id.trim().is_empty(), "send MUST return the provider's id");
    (email, id)
}

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

// ---------------------------------------------------------------------------------------------
// Helpers

/// One call of a suite: a unique prefix for its ids and a time window of its own.
struct Run {
    prefix: String,
    nonce: u64,
}

impl Run {
    fn new(suite: &str) -> Run {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let nanos = Utc::now().timestamp_nanos_opt().unwrap_or_default() as u64;
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        // Time, process and counter make the prefix unique across calls, tests and reruns.
        let nonce = nanos ^ (u64::from(std::process::id()) << 40) ^ n.wrapping_mul(0x9E37_79B9);
        Run {
            prefix: format!("ct{suite}{}", base36(nonce)),
            nonce,
        }
    }

    fn id(&self, name: &str) -> LeadId {
        let s = format!("{}-{name}", self.prefix);
        match LeadId::parse(&s) {
            Ok(id) => id,
            Err(e) => panic!("the suite built a bad id: {e}"),
        }
    }

    fn owns(&self, id: &LeadId) -> bool {
        id.as_str()
            .strip_prefix(&self.prefix)
            .is_some_and(|rest| rest.starts_with('-'))
    }

    /// A whole second between 1990 and 2010 picked by the nonce: time-window queries of
    /// different runs do not overlap each other, nor real data.
    fn time_base(&self) -> DateTime<Utc> {
        let span = 20 * 365 * 86_400 / 7200;
        let secs = 631_152_000 + (self.nonce % span) as i64 * 7200;
        Utc.timestamp_opt(secs, 0).single().unwrap_or_default()
    }

    /// A lead with every kind of field filled, so that a lossy mapping shows.
    fn lead(&self, name: &str) -> Lead {
        let at = self.time_base();
        let mut l = Lead::new(self.id(name), at);
        l.first_name = "Zoë".into();
        l.last_name = "O'Brien-Łukasz".into();
        l.email = format!(" Zoe.{name}@Example.test ");
        l.email_key = EmailKey::from_stored(format!(
            "zoe.{name}-{}@example.test",
            self.prefix.to_lowercase()
        ));
        l.title = "Head of Ops 🚀".into();
        l.company = "Ünïcorn GmbH".into();
        l.website = "https://example.test".into();
        l.owner = format!("seller-{}", self.prefix);
        l.created_at_raw = "2001-02-03T04:05:06Z".into();
        l.created_at = Some(at - Duration::days(400));
        l.notes = "line one\nline two, \"quoted\", tab\t".into();
        l.validation = Some(EmailCheck {
            address: l.email.clone(),
            valid: true,
            reason: None,
            message: None,
            kind: Some(EmailKind::Work),
            normalized: Some(format!("zoe.{name}@example.test")),
            deliverability: Deliverability::Deliverable {
                via: "mx.example.test".into(),
            },
            overridden: None,
        });
        l.research = Some(Research {
            domain: Some("example.test".into()),
            employees: Some(120),
            facts: vec![Fact {
                text: "Ships to 12 countries".into(),
                source: "https://example.test/about".into(),
            }],
            ..Research::default()
        });
        l.bant = Bant {
            need: Some("faster onboarding".into()),
            ..Bant::default()
        };
        l.touches = vec![Touch {
            n: 1,
            kind: TouchKind::First,
            message_id: format!("<outreach-{name}-1@example.test>"),
            subject: "Hallo".into(),
            body: "Body with ü and a\r\nCRLF".into(),
            state: TouchState::Sent,
            provider_id: Some("p-1".into()),
            cited_facts: vec!["Ships to 12 countries".into()],
            at: at + Duration::milliseconds(1500),
            note: None,
        }];
        l.import_line = Some(7);
        l
    }
}

fn base36(mut n: u64) -> String {
    const DIGITS: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = Vec::new();
    loop {
        out.push(DIGITS[(n % 36) as usize]);
        n /= 36;
        if n == 0 {
            break;
        }
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

fn ok<T>(r: StoreResult<T>, what: &str) -> T {
    match r {
        Ok(v) => v,
        Err(e) => panic!("{what} failed: {e:?}"),
    }
}

fn expect_conflict<T: Debug>(r: StoreResult<T>, what: &str) {
    match r {
        Err(StoreError::Conflict(_)) => {}
        other => panic!("{what} MUST return Conflict, got {other:?}"),
    }
}

/// Follow `next` cursors to the end; every page holds at most `limit` items.
async fn collect_pages<'a, T, F>(limit: usize, mut page: F) -> Vec<Vec<T>>
where
    F: FnMut(Option<String>) -> Pin<Box<dyn Future<Output = StoreResult<Page<T>>> + Send + 'a>>,
{
    let mut pages = Vec::new();
    let mut cursor = None;
    for _ in 0..10_000 {
        let p = ok(page(cursor.take()).await, "read a page");
        assert!(
            p.items.len() <= limit,
            "a page MUST hold at most limit ({limit}) items, got {}",
            p.items.len()
        );
        pages.push(p.items);
        match p.next {
            Some(next) => cursor = Some(next),
            None => return pages,
        }
    }
    panic!("paging did not end after 10,000 pages (a cursor that does not advance?)");
}

/// Poll every future until all are done, in the caller's task. Concurrent enough to race
/// remote writes, and needs no runtime handle and no `'static` borrow of the port.
async fn join_all<F: Future>(futures: Vec<F>) -> Vec<F::Output> {
    let mut futures: Vec<Pin<Box<F>>> = futures.into_iter().map(Box::pin).collect();
    let mut outputs: Vec<Option<F::Output>> = futures.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (f, out) in futures.iter_mut().zip(outputs.iter_mut()) {
            if out.is_none() {
                match f.as_mut().poll(cx) {
                    Poll::Ready(v) => *out = Some(v),
                    Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            Poll::Pending
        } else {
            Poll::Ready(())
        }
    })
    .await;
    outputs.into_iter().flatten().collect()
}
