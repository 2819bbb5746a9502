//! The agents: plain functions over typed input and output, each with a deterministic
//! implementation that always works offline.

pub mod business_time;
pub mod classify;
pub mod email;
pub mod fit;
pub mod knowledge;
pub mod offline;
pub mod outreach;
pub mod phrases;
pub mod rating;
pub mod readiness;
pub mod research;
pub mod suggest;
pub mod summary;
