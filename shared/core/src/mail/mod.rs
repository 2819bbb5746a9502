//! Mail: reading inbound RFC 5322 messages (`parse`), rendering outgoing ones (`render`), the
//! agent's own Message-IDs (`ids`) and the authentication verdicts of inbound mail (`auth`).

pub mod auth;
pub mod ids;
pub mod parse;
pub mod render;
