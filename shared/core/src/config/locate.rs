//! Where a key path stands in the TOML text (its line), for error messages.

use super::*;

pub(super) fn line_of_offset(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// Find the line of a dotted key path in a TOML text: the key's own line, the header of its
/// table, or `None`. Handles `[table]`, `[[array]]` (by index) and `key = value` forms.
pub fn locate_key(text: &str, path: &str) -> Option<usize> {
    let segs = split_path(path);
    let mut names: Vec<String> = Vec::new();
    let mut index_for: BTreeMap<String, usize> = BTreeMap::new();
    for s in &segs {
        match s {
            Seg::Key(k) => names.push(k.clone()),
            Seg::Index(i) => {
                if let Some(last) = names.last() {
                    index_for.insert(last.clone(), *i);
                }
            }
        }
    }
    if names.is_empty() {
        return None;
    }
    // Walk lines tracking the current table path and array-of-table indexes.
    let mut current: Vec<String> = Vec::new();
    let mut counters: BTreeMap<String, usize> = BTreeMap::new();
    let mut best: Option<usize> = None;
    for (n, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if let Some(h) = line.strip_prefix("[[").and_then(|l| l.split("]]").next()) {
            let name: Vec<String> = h.split('.').map(|s| s.trim().to_string()).collect();
            let joined = name.join(".");
            let c = counters.entry(joined).or_insert(0);
            let idx = *c;
            *c += 1;
            current = name.clone();
            let last = name.last().cloned().unwrap_or_default();
            let wanted = index_for.get(&last).copied().unwrap_or(0);
            if idx == wanted && names.starts_with(&name) {
                best = Some(n + 1);
                if names.len() == name.len() {
                    return best;
                }
            } else if names.starts_with(&name) {
                current = vec!["\u{0}".into()];
            }
            continue;
        }
        if let Some(h) = line.strip_prefix('[').and_then(|l| l.split(']').next()) {
            current = h.split('.').map(|s| s.trim().to_string()).collect();
            if names == current {
                return Some(n + 1);
            }
            if names.starts_with(&current) {
                best = Some(n + 1);
            }
            continue;
        }
        if let Some((k, _)) = line.split_once('=') {
            let key: Vec<String> = k
                .split('.')
                .map(|s| s.trim().trim_matches('"').to_string())
                .collect();
            let mut full = current.clone();
            full.extend(key);
            if full == names {
                return Some(n + 1);
            }
            if names.starts_with(&full) && !full.is_empty() {
                best = best.or(Some(n + 1));
            }
        }
    }
    best
}
