//! Mail: reading inbound RFC 5322 messages (`parse`) and rendering outgoing ones (`render`).

pub mod parse;
pub mod render;
