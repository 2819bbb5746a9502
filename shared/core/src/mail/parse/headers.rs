//! Headers and addresses.

use super::*;

/// A header's raw value, unfolded and trimmed; `None` when absent or not UTF-8.
pub(super) fn raw_header(msg: &Message<'_>, name: &str) -> Option<String> {
    msg.headers_raw()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| unfold(v))
}

pub(super) fn unfold(value: &str) -> String {
    collapse_spaces(&value.replace(['\r', '\n'], " "))
}

pub(super) fn collapse_spaces(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `<a@b> <c@d>` → both ids with brackets; a bare id without brackets is bracketed.
pub(super) fn message_ids(value: &str) -> Vec<String> {
    pattern!(ID, r"<[^<>\s]+>");
    let ids: Vec<String> = ID
        .find_iter(value)
        .map(|m| m.as_str().to_string())
        .collect();
    if !ids.is_empty() {
        return ids;
    }
    value
        .split_whitespace()
        .filter(|t| t.contains('@'))
        .map(|t| format!("<{}>", t.trim_matches(|c| c == '<' || c == '>' || c == ',')))
        .collect()
}

pub(super) fn mailbox_of(addr: &mail_parser::Addr<'_>) -> Option<Mailbox> {
    let address = addr.address()?.trim();
    if address.is_empty() {
        return None;
    }
    let name = addr
        .name()
        .map(|n| collapse_spaces(n.trim_matches('"')))
        .filter(|n| !n.is_empty() && !n.eq_ignore_ascii_case(address));
    Some(Mailbox {
        address: address.to_string(),
        name,
    })
}

pub(super) fn first_mailbox(addr: Option<&Address<'_>>) -> Option<Mailbox> {
    addr.and_then(|a| a.iter().find_map(mailbox_of))
}

pub(super) fn all_mailboxes(addr: Option<&Address<'_>>) -> Vec<Mailbox> {
    addr.map(|a| a.iter().filter_map(mailbox_of).collect())
        .unwrap_or_default()
}
