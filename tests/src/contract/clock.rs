//! The `Clock` contract.

use chrono::{Duration, Utc};
use sqa_core::ports::{Clock, FixedClock};

/// Checks what every `Clock` must do: it never goes backwards on its own, also when read
/// from several threads at once.
pub fn clock(c: &(dyn Clock + Sync)) {
    let mut last = c.now();
    for _ in 0..10_000 {
        let now = c.now();
        assert!(
            now >= last,
            "now MUST NOT go backwards between two calls: {last} then {now}"
        );
        last = now;
    }
    std::thread::scope(|s| {
        let readers: Vec<_> = (0..4)
            .map(|_| {
                s.spawn(|| {
                    let mut last = c.now();
                    for _ in 0..2_000 {
                        let now = c.now();
                        assert!(now >= last, "now went back from {last} to {now}");
                        last = now;
                    }
                })
            })
            .collect();
        for r in readers {
            if let Err(e) = r.join() {
                std::panic::resume_unwind(e);
            }
        }
    });
}

/// Checks the system clock: a `clock`, and within a second of the wall clock.
pub fn system_clock(c: &(dyn Clock + Sync)) {
    clock(c);
    let before = Utc::now();
    let now = c.now();
    let after = Utc::now();
    assert!(
        now >= before - Duration::seconds(1) && now <= after + Duration::seconds(1),
        "the system clock MUST be the wall clock: {now} is not between {before} and {after}"
    );
}

/// Checks `FixedClock`: it returns exactly what it was given, moved by every `advance`, and
/// only `set` moves it back.
pub fn fixed_clock() {
    let at = Utc::now() - Duration::days(400);
    let c = FixedClock::new(at);
    assert_eq!(
        c.now(),
        at,
        "a fixed clock MUST return the time it was given"
    );
    std::thread::sleep(std::time::Duration::from_millis(5));
    assert_eq!(c.now(), at, "a fixed clock MUST NOT move on its own");
    clock(&c);
    c.advance(Duration::minutes(90));
    c.advance(Duration::milliseconds(1));
    assert_eq!(
        c.now(),
        at + Duration::minutes(90) + Duration::milliseconds(1),
        "advance MUST add exactly its duration"
    );
    let earlier = at - Duration::days(1);
    c.set(earlier);
    assert_eq!(
        c.now(),
        earlier,
        "set MUST put the clock where it says, back too"
    );
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                for _ in 0..250 {
                    c.advance(Duration::seconds(1));
                }
            });
        }
    });
    assert_eq!(
        c.now(),
        earlier + Duration::seconds(1000),
        "concurrent advances MUST all count"
    );
}
