//! The email validation agent (being written).

/// Does `s` look like an address at all (used by config checks)?
pub fn is_plausible_address(s: &str) -> bool {
    match s.rsplit_once('@') {
        Some((l, d)) => !l.is_empty() && d.contains('.') && !s.chars().any(char::is_whitespace),
        None => false,
    }
}
