//! Port contract suites: one module per port of `sqa_core::ports`, each a plain `async fn`
//! that checks every MUST the port's doc comments state against any implementation, and
//! panics with a message naming the broken rule.
//!
//! They live in the test crate, not in `sqa-core`: they are test code (they panic, they bring
//! a DNS responder and an HTTP server along), and a cargo feature on the core would be
//! switched on for every binary of a `cargo build --workspace` by feature unification, so the
//! shipped core would carry them after all.
//!
//! The store suites run against the in-memory adapters (`crate::memory`), the embedded SQLite
//! adapters and the AWS ones on moto. So that they can rerun on a store that already holds
//! data (their own from an earlier run, or anyone's), every call works under a fresh unique
//! prefix: its lead ids, owners, address keys, counter keys, run ids and time windows are its
//! own, and no check asserts that a store is globally empty. Counts are checked as deltas.
//!
//! The queue suite is the one exception: queues have fixed names, so it needs queues that no
//! one else uses while it runs (a fresh adapter, or fresh queues on the emulator). Leftovers of
//! an earlier run of the suite are recognised by their marker and acknowledged.
//!
//! The `web`, `resolver`, `model` and `clock` suites describe what the adapter under test must
//! be given (a site to serve, zones to answer, tasks it runs) and check the answers.

// Test support: a broken contract panics with the rule it broke.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod clock;
mod config_store;
mod inbox;
mod lead_store;
mod mailer;
mod model;
mod queue;
mod resolver;
mod run_log;
mod suppressions;
pub mod web;

pub use clock::{clock, fixed_clock, system_clock};
pub use config_store::config_store;
pub use inbox::inbox;
pub use lead_store::lead_store;
pub use mailer::mailer;
pub use model::{ModelSuite, model, model_inputs};
pub use queue::queue;
pub use resolver::{resolver, resolver_off, resolver_zones};
pub use run_log::run_log;
pub use suppressions::suppressions;

use chrono::{DateTime, Duration, TimeZone, Utc};
use sqa_core::domain::{
    Bant, Deliverability, EmailCheck, EmailKind, Fact, Lead, LeadId, Research, Touch, TouchKind,
    TouchState,
};
use sqa_core::ports::{
    ConfigStore, LeadStore, Page, Queue, RunLog, StoreError, StoreResult, Suppressions,
};
use std::fmt::Debug;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::Poll;

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
// Helpers

/// One call of a suite: a unique prefix for its ids and a time window of its own.
pub(crate) struct Run {
    pub(crate) prefix: String,
    nonce: u64,
}

impl Run {
    pub(crate) fn new(suite: &str) -> Run {
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

    pub(crate) fn id(&self, name: &str) -> LeadId {
        let s = format!("{}-{name}", self.prefix);
        match LeadId::parse(&s) {
            Ok(id) => id,
            Err(e) => panic!("the suite built a bad id: {e}"),
        }
    }

    pub(crate) fn owns(&self, id: &LeadId) -> bool {
        id.as_str()
            .strip_prefix(&self.prefix)
            .is_some_and(|rest| rest.starts_with('-'))
    }

    /// A whole second between 1990 and 2010 picked by the nonce: time-window queries of
    /// different runs do not overlap each other, nor real data.
    pub(crate) fn time_base(&self) -> DateTime<Utc> {
        let span = 20 * 365 * 86_400 / 7200;
        let secs = 631_152_000 + (self.nonce % span) as i64 * 7200;
        Utc.timestamp_opt(secs, 0).single().unwrap_or_default()
    }

    /// A lead with every kind of field filled, so that a lossy mapping shows.
    pub(crate) fn lead(&self, name: &str) -> Lead {
        let at = self.time_base();
        let mut l = Lead::new(self.id(name), at);
        l.first_name = "Zoë".into();
        l.last_name = "O'Brien-Łukasz".into();
        l.email = format!(" Zoe.{name}@Example.test ");
        l.email_key = sqa_core::EmailKey::from_stored(format!(
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
            wire_id: None,
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

pub(crate) fn ok<T>(r: StoreResult<T>, what: &str) -> T {
    match r {
        Ok(v) => v,
        Err(e) => panic!("{what} failed: {e:?}"),
    }
}

pub(crate) fn expect_conflict<T: Debug>(r: StoreResult<T>, what: &str) {
    match r {
        Err(StoreError::Conflict(_)) => {}
        other => panic!("{what} MUST return Conflict, got {other:?}"),
    }
}

/// Follow `next` cursors to the end; every page holds at most `limit` items.
pub(crate) async fn collect_pages<'a, T, F>(limit: usize, mut page: F) -> Vec<Vec<T>>
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
pub(crate) async fn join_all<F: Future>(futures: Vec<F>) -> Vec<F::Output> {
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
