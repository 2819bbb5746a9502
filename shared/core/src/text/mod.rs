//! The text layer shared by research, mail parsing, classification and engage: one way to
//! declare a pattern (`patterns`), one reader of visible and hidden HTML text (`html`), one
//! prompt-injection detector (`injection`) and one multilingual date reader (`dates`).

pub mod css;
pub mod dates;
pub mod html;
pub mod injection;
pub mod patterns;

/// Lowercase with typographic apostrophes, quotes and dashes made plain; the Turkish capital
/// "İ" becomes a plain "i" (Unicode lowercases it to "i" and a combining dot).
pub fn plain_lower(s: &str) -> String {
    s.to_lowercase()
        .replace("i\u{307}", "i")
        .replace(['’', '‘', '´', '`'], "'")
        .replace(['“', '”', '„', '«', '»'], "\"")
        .replace(['–', '—'], "-")
        .replace('\u{a0}', " ")
}

/// `s` cut to at most `max` bytes, at a character boundary: bounds the work on hostile
/// input without splitting a character.
pub fn truncate_bytes(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while end > 0 && !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}
