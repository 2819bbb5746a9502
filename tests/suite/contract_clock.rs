//! The `Clock` contract against the system clock and the fixed clock.

use chrono::Utc;
use sqa_core::ports::{FixedClock, SystemClock};
use sqa_tests::contract;

#[test]
fn the_system_clock_keeps_the_clock_contract() {
    contract::system_clock(&SystemClock);
}

#[test]
fn the_fixed_clock_keeps_the_clock_contract() {
    contract::fixed_clock();
    contract::clock(&FixedClock::new(Utc::now()));
}
