//! Named fault points at every side effect, for the crash tests.
//!
//! `SQA_FAULT=point:n` makes the process abort (`std::process::abort`, as a SIGKILL would
//! end it: no destructor, no flush, no rollback but the database's own) at the `n`-th time
//! execution reaches `hit(point)`. Several points may be given, separated by commas. The
//! variable is read once per process; when it is unset a hit is one atomic load.
//!
//! The points, in the order a lead meets them:
//!
//! | point | where |
//! |---|---|
//! | `before_claim` | select: a lead is eligible, its claim (`new → selected`) not yet written |
//! | `after_claim` | select: the claim is written, the validate message not yet sent |
//! | `after_enqueue` | any stage: a next-stage message was sent, the step not yet finished |
//! | `after_write` | any conditional write of a lead succeeded |
//! | `before_send` | outreach/answer: the `Sending` intent is written, the mailer not called |
//! | `after_send` | the mailer accepted the message, its result not yet recorded |
//! | `after_handle` | runner: a message was handled, not yet acknowledged |
//! | `before_commit` | runner: a batch is handled, its transaction not yet committed |
//! | `before_deliver` | local outbox: a batch with mail committed, its `.eml` files not yet moved in |
//! | `after_commit` | runner: a batch is committed (and its mail delivered) |

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

/// Every point `hit` is called with (the crash test kills the worker at each).
pub const POINTS: [&str; 10] = [
    "before_claim",
    "after_claim",
    "after_enqueue",
    "after_write",
    "before_send",
    "after_send",
    "after_handle",
    "before_commit",
    "before_deliver",
    "after_commit",
];

struct Armed {
    point: String,
    at: u64,
    seen: AtomicU64,
}

fn armed() -> &'static [Armed] {
    static ARMED: OnceLock<Vec<Armed>> = OnceLock::new();
    ARMED.get_or_init(|| {
        let Ok(spec) = std::env::var("SQA_FAULT") else {
            return Vec::new();
        };
        spec.split(',')
            .filter_map(|one| {
                let (point, n) = one.trim().split_once(':').unwrap_or((one.trim(), "1"));
                let at = n.trim().parse::<u64>().ok().filter(|n| *n > 0)?;
                Some(Armed {
                    point: point.trim().to_string(),
                    at,
                    seen: AtomicU64::new(0),
                })
            })
            .collect()
    })
}

/// Execution reached `point`: abort the process if `SQA_FAULT` asks for this hit.
pub fn hit(point: &str) {
    for a in armed() {
        if a.point == point && a.seen.fetch_add(1, Ordering::SeqCst) + 1 == a.at {
            eprintln!("SQA_FAULT: aborting at {point} (hit {})", a.at);
            std::process::abort();
        }
    }
}
