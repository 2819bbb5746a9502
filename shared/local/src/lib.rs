//! The embedded backend of SQA: every port the core needs on one machine, with no network
//! and no account.
//!
//! - `store::SqliteStore`: leads, config, counters, run records, suppressions and queues in
//!   one SQLite file (`LeadStore`, `ConfigStore`, `RunLog`, `Suppressions`, `Queue`).
//! - `mail::FileMailer`: outgoing mail as `.eml` files in an outbox folder (`Mailer`).
//! - `mail::FileInbox`: inbound mail read from files (`Inbox`).
//! - `smtp::SmtpMailer`: outgoing mail through an SMTP server, one connection reused
//!   (`Mailer`).
//! - `mailbox`: replies read from an IMAP folder or a Maildir into the engage queue, each
//!   message once.
//! - `auth::MailAuth`: DKIM, ARC, SPF and DMARC verdicts of inbound mail (what SES does on
//!   AWS).
//!
//! This crate implements the ports of `sqa-core` and the mailbox readers, and nothing else: no
//! stage logic, and no AWS crate. SQLite rows never leave it; the core sees only domain types.

pub mod auth;
pub mod mail;
pub mod mailbox;
pub mod smtp;
pub mod store;
pub mod web;

pub use mail::{FileInbox, FileMailer};
pub use store::{QueueSettings, SCHEMA_VERSION, SqliteStore};
