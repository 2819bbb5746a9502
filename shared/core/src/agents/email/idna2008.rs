//! IDNA 2008 (RFC 5891–5893) and the UTS #46 mapping, as the reference validator applies them
//! through the Python `idna` package: `uts46_remap` without STD3 rules, `alabel`, `ulabel`,
//! `encode`, `decode` and `check_bidi`.
//!
//! The `idna` crate implements UTS #46 processing, which is laxer than IDNA 2008 (it lets
//! symbols such as `♥` through), so the label rules are ported here on top of the generated
//! IDNA 2008 tables.

use unicode_normalization::UnicodeNormalization;

use super::punycode;
use super::unicode::{self, GcClass, Script};

/// Why IDNA processing failed. Only the message reaches users; the verdict is what matters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct IdnaError(pub String);

type Result<T> = std::result::Result<T, IdnaError>;

fn err<T>(msg: impl Into<String>) -> Result<T> {
    Err(IdnaError(msg.into()))
}

const MAX_INPUT_LENGTH: usize = 1024;
const MAX_DOMAIN_LENGTH: usize = 253;
const ALABEL_PREFIX: &str = "xn--";

/// The label separators of non-strict IDNA: full stop, ideographic, fullwidth and halfwidth
/// ideographic full stops.
fn is_label_separator(c: char) -> bool {
    matches!(c, '.' | '\u{3002}' | '\u{FF0E}' | '\u{FF61}')
}

/// UTS #46 mapping without STD3 rules, then NFC. `Err(c)` names the first disallowed character.
pub(super) fn uts46_remap(domain: &str) -> std::result::Result<String, char> {
    if domain.is_ascii() {
        // The only ASCII mapping in UTS #46 is to lowercase.
        return Ok(domain.to_ascii_lowercase());
    }
    let mut out = String::with_capacity(domain.len());
    for c in domain.chars() {
        match unicode::uts46(c) {
            (b'V' | b'D', _) => out.push(c),
            (b'M', replacement) => out.push_str(replacement),
            (b'I', _) => {}
            _ => return Err(c),
        }
    }
    Ok(out.nfc().collect())
}

/// The Bidi Rule of RFC 5893 for one label; `check_ltr` applies it to left-to-right labels too.
pub(super) fn check_bidi(label: &str, check_ltr: bool) -> Result<()> {
    if label.chars().count() > MAX_INPUT_LENGTH {
        return err("label too long");
    }
    let mut rtl_seen = false;
    for c in label.chars() {
        match unicode::bidi_class(c) {
            "" => return err(format!("unknown directionality of U+{:04X}", c as u32)),
            "R" | "AL" | "AN" => rtl_seen = true,
            _ => {}
        }
    }
    if !rtl_seen && !check_ltr {
        return Ok(());
    }
    let rtl = match label.chars().next().map(unicode::bidi_class) {
        Some("R" | "AL") => true,
        Some("L") => false,
        _ => return err("the first character of a label must be left-to-right or right-to-left"),
    };
    let mut valid_ending = false;
    let mut number_type: Option<&str> = None;
    for c in label.chars() {
        let dir = unicode::bidi_class(c);
        if rtl {
            if !matches!(
                dir,
                "R" | "AL" | "AN" | "EN" | "ES" | "CS" | "ET" | "ON" | "BN" | "NSM"
            ) {
                return err("invalid direction in a right-to-left label");
            }
            if matches!(dir, "R" | "AL" | "EN" | "AN") {
                valid_ending = true;
            } else if dir != "NSM" {
                valid_ending = false;
            }
            if matches!(dir, "AN" | "EN") {
                match number_type {
                    None => number_type = Some(dir),
                    Some(t) if t != dir => {
                        return err("a right-to-left label mixes numeral types");
                    }
                    Some(_) => {}
                }
            }
        } else {
            if !matches!(dir, "L" | "EN" | "ES" | "CS" | "ET" | "ON" | "BN" | "NSM") {
                return err("invalid direction in a left-to-right label");
            }
            if matches!(dir, "L" | "EN") {
                valid_ending = true;
            } else if dir != "NSM" {
                valid_ending = false;
            }
        }
    }
    if !valid_ending {
        return err("the label ends with a character of the wrong direction");
    }
    Ok(())
}

/// RFC 5892 Appendix A rules for the CONTEXTO code points.
fn valid_contexto(label: &[char], pos: usize) -> bool {
    let Some(&c) = label.get(pos) else {
        return false;
    };
    match c as u32 {
        0x00B7 => {
            pos > 0 && pos + 1 < label.len() && label[pos - 1] == 'l' && label[pos + 1] == 'l'
        }
        0x0375 => label
            .get(pos + 1)
            .is_some_and(|&n| unicode::is_script(n, Script::Greek)),
        0x05F3 | 0x05F4 => pos > 0 && unicode::is_script(label[pos - 1], Script::Hebrew),
        0x30FB => label.iter().any(|&x| {
            x != '\u{30FB}'
                && (unicode::is_script(x, Script::Hiragana)
                    || unicode::is_script(x, Script::Katakana)
                    || unicode::is_script(x, Script::Han))
        }),
        0x0660..=0x0669 => !label
            .iter()
            .any(|&x| ('\u{06F0}'..='\u{06F9}').contains(&x)),
        0x06F0..=0x06F9 => !label
            .iter()
            .any(|&x| ('\u{0660}'..='\u{0669}').contains(&x)),
        _ => false,
    }
}

/// Every IDNA 2008 validity rule for one label: NFC, hyphens, leading mark, per-code-point
/// class, and the Bidi Rule.
pub(super) fn check_label(label: &str) -> Result<()> {
    let chars: Vec<char> = label.chars().collect();
    if chars.len() > MAX_INPUT_LENGTH {
        return err("label too long");
    }
    if chars.is_empty() {
        return err("empty label");
    }
    if chars.len() > MAX_DOMAIN_LENGTH + 1 {
        return err("label too long");
    }
    if !label.nfc().eq(label.chars()) {
        return err("the label is not in Unicode normalization form C");
    }
    if chars.get(2) == Some(&'-') && chars.get(3) == Some(&'-') {
        return err("hyphens in the 3rd and 4th position");
    }
    if chars.first() == Some(&'-') || chars.last() == Some(&'-') {
        return err("the label starts or ends with a hyphen");
    }
    if chars
        .first()
        .is_some_and(|&c| unicode::gc_class(c) == GcClass::Mark)
    {
        return err("the label starts with a combining mark");
    }
    for (pos, &c) in chars.iter().enumerate() {
        if unicode::is_pvalid(c) {
            continue;
        }
        if unicode::is_contextj(c) {
            // The joiners U+200C and U+200D are format characters: the address check rejects
            // them as unsafe wherever they end up in the domain, so their contextual rule can
            // never make a domain valid and is not ported.
            return err(format!("joiner U+{:04X} not allowed", c as u32));
        }
        if unicode::is_contexto(c) {
            if !valid_contexto(&chars, pos) {
                return err(format!("U+{:04X} not allowed in this position", c as u32));
            }
            continue;
        }
        return err(format!("U+{:04X} is not allowed in domain names", c as u32));
    }
    check_bidi(label, false)
}

/// The A-label of one label (ASCII labels are validated and returned as they are).
pub(super) fn alabel(label: &str) -> Result<String> {
    if label.chars().count() > MAX_INPUT_LENGTH {
        return err("label too long");
    }
    if label.is_ascii() {
        ulabel(label)?;
        if label.len() > 63 {
            return err("label too long");
        }
        return Ok(label.to_string());
    }
    check_label(label)?;
    let encoded = format!("{ALABEL_PREFIX}{}", punycode::encode(label));
    if encoded.len() > 63 {
        return err("label too long after IDNA encoding");
    }
    Ok(encoded)
}

/// The U-label of one label; an `xn--` label must be the canonical Punycode of a valid label.
pub(super) fn ulabel(label: &str) -> Result<String> {
    if label.chars().count() > MAX_INPUT_LENGTH {
        return err("label too long");
    }
    if !label.is_ascii() {
        check_label(label)?;
        return Ok(label.to_string());
    }
    let lower = label.to_ascii_lowercase();
    let Some(rest) = lower.strip_prefix(ALABEL_PREFIX) else {
        check_label(&lower)?;
        return Ok(lower);
    };
    if rest.is_empty() {
        return err("malformed A-label, no Punycode content");
    }
    if rest.ends_with('-') {
        return err("an A-label must not end with a hyphen");
    }
    let Some(decoded) = punycode::decode(rest) else {
        return err("invalid Punycode");
    };
    if punycode::encode(&decoded) != rest {
        return err("the A-label is not the canonical Punycode of its U-label");
    }
    check_label(&decoded)?;
    Ok(decoded)
}

fn split_labels(s: &str) -> Result<(Vec<&str>, bool)> {
    let mut labels: Vec<&str> = s.split(is_label_separator).collect();
    if labels.is_empty() || labels == [""] {
        return err("empty domain");
    }
    let mut trailing_dot = false;
    if labels.last() == Some(&"") {
        labels.pop();
        trailing_dot = true;
    }
    Ok((labels, trailing_dot))
}

/// `idna.encode(s)` with its defaults (no UTS #46 step, any full stop separates labels).
pub(super) fn encode(s: &str) -> Result<String> {
    let n = s.chars().count();
    if n > MAX_INPUT_LENGTH || n > MAX_DOMAIN_LENGTH + 1 {
        return err("domain too long");
    }
    let (labels, trailing_dot) = split_labels(s)?;
    let mut out = Vec::with_capacity(labels.len() + 1);
    for label in labels {
        let a = alabel(label)?;
        if a.is_empty() {
            return err("empty label");
        }
        out.push(a);
    }
    if trailing_dot {
        out.push(String::new());
    }
    let joined = out.join(".");
    if joined.len() > MAX_DOMAIN_LENGTH + usize::from(trailing_dot) {
        return err("domain too long");
    }
    Ok(joined)
}

/// `idna.decode(s)` with its defaults.
pub(super) fn decode(s: &str) -> Result<String> {
    let n = s.chars().count();
    if n > MAX_INPUT_LENGTH || n > MAX_DOMAIN_LENGTH + 1 {
        return err("domain too long");
    }
    let (labels, trailing_dot) = split_labels(s)?;
    let mut out = Vec::with_capacity(labels.len() + 1);
    for label in labels {
        let u = ulabel(label)?;
        if u.is_empty() {
            return err("empty label");
        }
        out.push(u);
    }
    if trailing_dot {
        out.push(String::new());
    }
    Ok(out.join("."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_and_encodes_idn() {
        assert_eq!(decode("xn--mnchen-3ya.de").as_deref(), Ok("münchen.de"));
        assert_eq!(encode("münchen.de").as_deref(), Ok("xn--mnchen-3ya.de"));
    }

    #[test]
    fn rejects_symbols_that_uts46_would_allow() {
        assert!(alabel("♥").is_err());
    }

    #[test]
    fn rejects_non_canonical_a_labels() {
        assert!(ulabel("xn---bbk").is_err());
    }

    #[test]
    fn remaps_case_and_fullwidth() {
        assert_eq!(uts46_remap("EXAMPLE.com").as_deref(), Ok("example.com"));
        assert_eq!(uts46_remap("ＥＸ．com").as_deref(), Ok("ex.com"));
    }
}
