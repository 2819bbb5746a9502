//! The commands of `sqa`, one module per group; `main` parses the command line and calls
//! them. Each returns the process's exit code (see [`exit`]); an error it returns ends the
//! process with `FAILED` and its message on standard error.
//!
//! - `workspace`: `init`; `config`: `config check`, `config schema`.
//! - `leads`: `leads import`, `leads list`, `leads export`, and the lead rows the views share.
//! - `lead`: `lead show`; `corrections`: `lead set-email`, `lead mark`, `lead set-company`.
//! - `run`: `preview`, `run`, `inbound`; `views`: `stats` and the funnel; `check`: the
//!   workspace's integrity.
//! - `evaluate`: `check-email`, `fit`, `classify`, which read files and no workspace.
//! - `research`: `research --site`, the research agent over one site (folder or URL).

pub mod check;
pub mod config;
pub mod corrections;
pub mod evaluate;
pub mod lead;
pub mod leads;
pub mod research;
pub mod run;
pub mod views;
pub mod workspace;

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use sqa_core::import;

/// The exit codes. Usage errors exit with 2, clap's code, which is why a partly handled
/// input has a code of its own rather than 2.
pub mod exit {
    /// Everything was handled.
    pub const DONE: i32 = 0;
    /// Nothing was handled: an input could not be read or used at all, or the command failed.
    pub const FAILED: i32 = 1;
    /// Some rows or files could not be handled (each named on standard error); the others
    /// were.
    pub const PARTLY: i32 = 3;

    /// The code for `failed` inputs out of `total`.
    pub fn of(failed: usize, total: usize) -> i32 {
        if failed == 0 {
            DONE
        } else if failed >= total {
            FAILED
        } else {
            PARTLY
        }
    }
}

pub fn parse_now(s: &str) -> Result<DateTime<Utc>> {
    import::parse_timestamp(s).with_context(|| {
        format!("--now {s:?} is not an ISO 8601 time such as 2026-11-21T00:00:00Z")
    })
}
