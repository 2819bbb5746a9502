//! Look-ups into the generated Unicode tables (`tables.rs`).
//!
//! The tables are range lists sorted by first code point, so every look-up is a binary search.
//! ASCII, by far the most common input, takes a fast path that never touches them.

use super::tables;

/// The general-category classes the address rules care about (email-validator's
/// `check_unsafe_chars`): letters, numbers, punctuation and symbols are fine, marks are fine
/// except first, space separators and everything else (controls, format characters,
/// surrogates, private use, unassigned, line and paragraph separators) are unsafe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum GcClass {
    Ok,
    Mark,
    Space,
    Other,
}

pub(super) fn gc_class(c: char) -> GcClass {
    let cp = c as u32;
    if cp < 0x80 {
        return match cp {
            0x20 => GcClass::Space,
            0..=0x1F | 0x7F => GcClass::Other,
            _ => GcClass::Ok,
        };
    }
    match lookup(&tables::GC, cp) {
        0 => GcClass::Ok,
        1 => GcClass::Mark,
        2 => GcClass::Space,
        _ => GcClass::Other,
    }
}

/// The bidi class name of `c` as Python's `unicodedata.bidirectional` gives it (empty for
/// code points that Python's Unicode version does not know).
pub(super) fn bidi_class(c: char) -> &'static str {
    let cp = c as u32;
    let i = lookup(&tables::BIDI, cp) as usize;
    tables::BIDI_NAMES.get(i).copied().unwrap_or("")
}

/// Does the canonical or compatibility decomposition of `c` contain a FULL STOP? Such characters
/// (`⒈`, `．`, `…`) would smuggle a label separator into a domain.
pub(super) fn decomposes_to_dot(c: char) -> bool {
    tables::DOT_DECOMPOSITION.binary_search(&(c as u32)).is_ok()
}

/// UTS #46 status of `c` (`V`alid, `M`apped, `D`eviation, `I`gnored, or `X` disallowed) and
/// its replacement when mapped.
pub(super) fn uts46(c: char) -> (u8, &'static str) {
    let cp = c as u32;
    let i = tables::UTS46.partition_point(|&(start, _, _)| start <= cp);
    match i.checked_sub(1).and_then(|i| tables::UTS46.get(i)) {
        Some(&(_, status, replacement)) => (status, replacement),
        None => (b'X', ""),
    }
}

pub(super) fn is_pvalid(c: char) -> bool {
    in_ranges(&tables::PVALID, c as u32)
}
pub(super) fn is_contextj(c: char) -> bool {
    in_ranges(&tables::CONTEXTJ, c as u32)
}
pub(super) fn is_contexto(c: char) -> bool {
    in_ranges(&tables::CONTEXTO, c as u32)
}

#[derive(Debug, Clone, Copy)]
pub(super) enum Script {
    Greek,
    Hebrew,
    Hiragana,
    Katakana,
    Han,
}

pub(super) fn is_script(c: char, script: Script) -> bool {
    let table: &[(u32, u32)] = match script {
        Script::Greek => &tables::SCRIPT_GREEK,
        Script::Hebrew => &tables::SCRIPT_HEBREW,
        Script::Hiragana => &tables::SCRIPT_HIRAGANA,
        Script::Katakana => &tables::SCRIPT_KATAKANA,
        Script::Han => &tables::SCRIPT_HAN,
    };
    in_ranges(table, c as u32)
}

/// Versions of the data the tables were generated from, for reports.
pub fn data_versions() -> (&'static str, &'static str) {
    (tables::UNICODEDATA_VERSION, tables::IDNA_TABLES_VERSION)
}

fn lookup(table: &[(u32, u8)], cp: u32) -> u8 {
    let i = table.partition_point(|&(start, _)| start <= cp);
    i.checked_sub(1)
        .and_then(|i| table.get(i))
        .map(|&(_, v)| v)
        // The tables start at U+0000, so this only guards against a malformed table.
        .unwrap_or(u8::MAX)
}

fn in_ranges(table: &[(u32, u32)], cp: u32) -> bool {
    let i = table.partition_point(|&(start, _)| start <= cp);
    i.checked_sub(1)
        .and_then(|i| table.get(i))
        .is_some_and(|&(_, end)| cp < end)
}
