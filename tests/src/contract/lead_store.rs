//! The `LeadStore` contract.

use super::{Run, collect_pages, expect_conflict, join_all, ok};
use chrono::{DateTime, Duration, Utc};
use sqa_core::domain::{EmailKey, Lead, LeadId, Stage};
use sqa_core::lifecycle::Expected;
use sqa_core::ports::{LeadFilter, LeadStore, StoreError};
use std::collections::{BTreeMap, BTreeSet, HashSet};

/// Checks every MUST of `LeadStore`.
pub async fn lead_store(store: &dyn LeadStore) {
    let run = Run::new("ls");
    insert_and_get(store, &run).await;
    conditional_update(store, &run).await;
    concurrent_updates(store, &run).await;
    created_between(store, &run).await;
    due_before(store, &run).await;
    stalled(store, &run).await;
    find_by_email(store, &run).await;
    find_by_account(store, &run).await;
    find_by_provider_id(store, &run).await;
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
    let due_times: Vec<DateTime<Utc>> = got.iter().filter_map(|l| l.next_touch_at).collect();
    assert!(
        due_times.windows(2).all(|w| w[0] <= w[1]),
        "due_before MUST return the earliest due first: {due_times:?}"
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

async fn stalled(store: &dyn LeadStore, run: &Run) {
    use sqa_core::domain::Blocked;
    let t0 = run.time_base() + Duration::days(1);
    let mut waiting = BTreeSet::new();
    let mut written = Vec::new();
    for (name, stage, age_min, first_touch, failed) in [
        ("w-sel", Stage::Selected, 60, false, false),
        ("w-val", Stage::Validated, 30, false, false),
        ("w-res", Stage::Researched, 20, false, false),
        ("w-exact", Stage::Selected, 0, false, false),
        ("w-res-touched", Stage::Researched, 50, true, false),
        ("w-new", Stage::New, 90, false, false),
        ("w-contacted", Stage::Contacted, 90, true, false),
        ("w-failed", Stage::Selected, 90, false, true),
        ("w-recent", Stage::Selected, -1, false, false),
    ] {
        let mut l = run.lead(name);
        l.stage = stage;
        l.updated_at = t0 - Duration::minutes(age_min);
        if !first_touch {
            l.touches.clear();
        }
        if failed {
            l.blocked = Some(Blocked::StageFailed {
                stage: "validate".into(),
                error: "refused".into(),
            });
        }
        ok(store.insert(&l).await, "insert");
        if l.waiting_since().is_some_and(|t| t <= t0) {
            waiting.insert(l.id.clone());
        }
        written.push(l);
    }
    assert_eq!(waiting.len(), 4, "the cases above: four leads wait");

    let got = ok(store.stalled(t0, 1000).await, "stalled");
    for l in &got {
        let w = l.waiting_since().unwrap_or_else(|| {
            panic!(
                "stalled MUST NOT return a lead that waits for nothing ({} is {})",
                l.id, l.stage
            )
        });
        assert!(
            w <= t0,
            "stalled returned {} waiting since {w}, after {t0}",
            l.id
        );
    }
    // This run's other checks leave leads waiting too: only the leads above count here.
    let ours: BTreeSet<LeadId> = got
        .iter()
        .map(|l| l.id.clone())
        .filter(|id| run.owns(id) && id.as_str().contains("-w-"))
        .collect();
    assert_eq!(
        ours, waiting,
        "stalled MUST return every lead waiting since at or before older_than, and no other"
    );
    let times: Vec<DateTime<Utc>> = got.iter().filter_map(|l| l.waiting_since()).collect();
    assert!(
        times.windows(2).all(|w| w[0] <= w[1]),
        "stalled MUST return the longest waiting first: {times:?}"
    );
    let one = ok(store.stalled(t0, 1).await, "stalled with limit 1");
    assert!(one.len() <= 1, "stalled MUST return at most limit leads");

    // A lead written again waits since its new write; a lead moved on leaves the list.
    let sel = &written[0];
    let mut again = sel.clone();
    again.updated_at = t0 + Duration::minutes(5);
    let sel_saved = ok(store.update(&again, Expected::of(sel)).await, "write again");
    let val = &written[1];
    let mut moved = val.clone();
    moved.stage = Stage::Researched;
    moved.touches = run.lead("w-val").touches;
    let val_saved = ok(store.update(&moved, Expected::of(val)).await, "move on");
    let after = ok(store.stalled(t0, 1000).await, "stalled after updates");
    assert!(
        !after.iter().any(|l| l.id == sel_saved.id),
        "stalled MUST follow updates: a lead written after older_than waits since then"
    );
    assert!(
        !after.iter().any(|l| l.id == val_saved.id),
        "stalled MUST follow updates: a lead that moved on waits for nothing"
    );
    let later = ok(
        store.stalled(t0 + Duration::minutes(5), 1000).await,
        "stalled later",
    );
    assert!(
        later.iter().any(|l| l.id == sel_saved.id),
        "a lead written again MUST wait since its new updated_at"
    );
    // Leave nothing waiting behind, so that reruns on the same store stay fast.
    for l in [&sel_saved, &written[2], &written[3], &written[8]] {
        let current = ok(store.get(&l.id).await, "get").expect("the lead is there");
        let mut done = current.clone();
        done.stage = Stage::Contacted;
        ok(
            store.update(&done, Expected::of(&current)).await,
            "clean up",
        );
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

async fn find_by_account(store: &dyn LeadStore, run: &Run) {
    let domain = format!("{}.account.example", run.prefix.to_lowercase());
    let mut want = Vec::new();
    for (name, site) in [
        ("a-1", format!("https://www.{domain}/")),
        ("a-2", domain.clone()),
        ("a-3", format!("http://{domain}/team?x=1")),
    ] {
        let mut l = run.lead(name);
        l.validation = None;
        l.website = site;
        ok(store.insert(&l).await, "insert");
        want.push(l.id.clone());
    }
    let mut other = run.lead("a-other");
    other.validation = None;
    other.website = format!("other-{domain}");
    ok(store.insert(&other).await, "insert");
    let mut none = run.lead("a-none");
    none.validation = None;
    none.website = String::new();
    ok(store.insert(&none).await, "insert");

    let got = ok(store.find_by_account(&domain).await, "find_by_account");
    assert_eq!(
        got, want,
        "find_by_account MUST return every lead of the account, in insertion order"
    );

    // A lead whose website changes moves to its new account.
    let first = ok(store.get(&want[0]).await, "get").expect("lead exists");
    let mut moved = first.clone();
    moved.website = other.website.clone();
    ok(
        store.update(&moved, Expected::of(&first)).await,
        "change the website",
    );
    assert_eq!(
        ok(
            store.find_by_account(&domain).await,
            "find_by_account after update"
        ),
        want[1..].to_vec(),
        "find_by_account MUST follow updates of the account"
    );
    assert_eq!(
        ok(
            store.find_by_account(&format!("other-{domain}")).await,
            "find_by_account of the new account"
        ),
        vec![want[0].clone(), other.id.clone()],
        "find_by_account MUST keep insertion order after an update"
    );
    assert!(
        ok(
            store.find_by_account(&format!("none-{domain}")).await,
            "find_by_account of an unknown account"
        )
        .is_empty(),
        "find_by_account of an unknown account MUST be empty"
    );
}

async fn find_by_provider_id(store: &dyn LeadStore, run: &Run) {
    let pid = |n: u32| format!("{}-ses-{n}", run.prefix.to_lowercase());
    let mut inserted = run.lead("pid-1");
    inserted.touches[0].provider_id = Some(pid(1));
    ok(store.insert(&inserted).await, "insert with a sent touch");
    assert_eq!(
        ok(
            store.find_by_provider_id(&pid(1)).await,
            "find_by_provider_id"
        ),
        Some(inserted.id.clone()),
        "find_by_provider_id MUST find the lead of an inserted touch"
    );

    let mut later = run.lead("pid-2");
    later.touches.clear();
    ok(store.insert(&later).await, "insert without touches");
    assert_eq!(
        ok(
            store.find_by_provider_id(&pid(2)).await,
            "find_by_provider_id before the send"
        ),
        None,
        "find_by_provider_id MUST be Ok(None) for an id no touch has"
    );
    // The send's id arrives with an update, next to the first touch's.
    let mut sent = later.clone();
    let mut touch = inserted.touches[0].clone();
    touch.provider_id = Some(pid(2));
    sent.touches.push(touch.clone());
    let sent = ok(
        store.update(&sent, Expected::of(&later)).await,
        "record a send",
    );
    touch.n = 2;
    touch.provider_id = Some(pid(3));
    let mut second = sent.clone();
    second.touches.push(touch);
    ok(
        store.update(&second, Expected::of(&sent)).await,
        "record a second send",
    );
    for n in [2, 3] {
        assert_eq!(
            ok(
                store.find_by_provider_id(&pid(n)).await,
                "find_by_provider_id"
            ),
            Some(later.id.clone()),
            "find_by_provider_id MUST follow updates (touch {n})"
        );
    }
    assert_eq!(
        ok(
            store.find_by_provider_id(&pid(1)).await,
            "find_by_provider_id of the other lead"
        ),
        Some(inserted.id.clone()),
        "find_by_provider_id MUST keep each id's own lead"
    );
    assert_eq!(
        ok(
            store.find_by_provider_id(&format!("none-{}", pid(9))).await,
            "find_by_provider_id of an unknown id"
        ),
        None,
        "find_by_provider_id MUST be Ok(None) for an unknown id"
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
