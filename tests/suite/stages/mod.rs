//! Stage tests on the in-memory adapters (`sqa_tests::memory_pipeline`): one module per
//! stage, each driving the stage's handler (or the runner) with states set up explicitly,
//! and asserting on lead stages, sent mail, queues and run records. They need neither moto
//! nor the public corpus.

mod answers;
mod cadence;
mod consent;
mod corrections;
mod engage;
mod feedback;
mod handover;
mod outreach;
mod reply_binding;
mod research;
mod runner;
mod select;
mod ses_threading;
mod validate;
mod writing;
