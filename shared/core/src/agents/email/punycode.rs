//! Punycode (RFC 3492), with the exact acceptance rules of Python's `punycode` codec, which the
//! reference validator uses through the `idna` package.
//!
//! Written here rather than taken from the `idna` crate so that malformed input fails in the same
//! cases as the reference: any code point above U+10FFFF, a truncated number or a character
//! outside `[A-Za-z0-9]` in the extended part is an error; delimiters are found with the *last*
//! hyphen.

const BASE: u64 = 36;
const TMIN: u64 = 1;
const TMAX: u64 = 26;
const SKEW: u64 = 38;
const DAMP: u64 = 700;
const INITIAL_BIAS: u64 = 72;
const INITIAL_N: u64 = 0x80;

fn threshold(j: u64, bias: u64) -> u64 {
    // Python computes 36 * (j + 1) - bias with unbounded integers and clamps to [1, 26].
    let res = BASE * (j + 1);
    if res <= bias {
        TMIN
    } else {
        (res - bias).clamp(TMIN, TMAX)
    }
}

fn adapt(mut delta: u64, first: bool, numchars: u64) -> u64 {
    delta /= if first { DAMP } else { 2 };
    delta += delta / numchars.max(1);
    let mut divisions = 0;
    while delta > ((BASE - TMIN) * TMAX) / 2 {
        delta /= BASE - TMIN;
        divisions += BASE;
    }
    divisions + (BASE * delta) / (delta + SKEW)
}

fn digit_char(d: u64) -> char {
    // 0..25 → a..z, 26..35 → 0..9 (lowercase, as Python writes them).
    match d {
        0..=25 => char::from(b'a' + d as u8),
        _ => char::from(b'0' + (d as u8).saturating_sub(26)),
    }
}

/// Encode `input` (a U-label) without the `xn--` prefix.
pub(super) fn encode(input: &str) -> String {
    let chars: Vec<u32> = input.chars().map(|c| c as u32).collect();
    let mut out: String = input.chars().filter(char::is_ascii).collect();
    let basic = out.len() as u64;
    let mut extended: Vec<u32> = chars.iter().copied().filter(|&c| c >= 0x80).collect();
    extended.sort_unstable();
    extended.dedup();
    if basic > 0 && !extended.is_empty() {
        out.push('-');
    } else if basic > 0 {
        // Python appends the delimiter whenever there is a basic part.
        out.push('-');
        return out;
    }
    let mut n = INITIAL_N;
    let mut delta: u64 = 0;
    let mut bias = INITIAL_BIAS;
    let mut handled = basic;
    let total = chars.len() as u64;
    for &m in &extended {
        let m = u64::from(m);
        delta += (m - n) * (handled + 1);
        n = m;
        for &c in &chars {
            let c = u64::from(c);
            if c < n {
                delta += 1;
            }
            if c == n {
                let mut q = delta;
                let mut k = BASE;
                loop {
                    let t = threshold(k / BASE - 1, bias);
                    if q < t {
                        break;
                    }
                    out.push(digit_char(t + (q - t) % (BASE - t)));
                    q = (q - t) / (BASE - t);
                    k += BASE;
                }
                out.push(digit_char(q));
                bias = adapt(delta, handled == basic, handled + 1);
                delta = 0;
                handled += 1;
            }
        }
        delta += 1;
        n += 1;
        if handled >= total {
            break;
        }
    }
    out
}

/// Decode `input` (an A-label without `xn--`), or `None` where Python's codec raises.
pub(super) fn decode(input: &str) -> Option<String> {
    if !input.is_ascii() {
        return None;
    }
    let (base, extended) = match input.rfind('-') {
        Some(pos) => (&input[..pos], &input[pos + 1..]),
        None => ("", input),
    };
    let mut output: Vec<char> = base.chars().collect();
    let ext = extended.as_bytes();
    let mut n: u64 = INITIAL_N;
    let mut pos: i128 = -1;
    let mut bias = INITIAL_BIAS;
    let mut extpos = 0;
    while extpos < ext.len() {
        // One generalized variable-length integer.
        let mut result: u64 = 0;
        let mut w: u64 = 1;
        let mut j: u64 = 0;
        let first = extpos == 0;
        loop {
            let byte = *ext.get(extpos)?;
            extpos += 1;
            let digit = match byte {
                b'A'..=b'Z' => u64::from(byte - b'A'),
                b'a'..=b'z' => u64::from(byte - b'a'),
                b'0'..=b'9' => u64::from(byte - b'0') + 26,
                _ => return None,
            };
            let t = threshold(j, bias);
            // Overflow here means a code point far beyond U+10FFFF, which Python rejects too.
            result = result.checked_add(digit.checked_mul(w)?)?;
            if digit < t {
                break;
            }
            w = w.checked_mul(BASE - t)?;
            j += 1;
        }
        let delta = result;
        let len = output.len() as i128 + 1;
        pos = pos.checked_add(i128::from(delta) + 1)?;
        n = n.checked_add(u64::try_from(pos / len).ok()?)?;
        if n > 0x10FFFF {
            return None;
        }
        pos %= len;
        // Surrogates are valid Python characters but never valid in a label; Rust cannot hold
        // them, and the label check would reject them anyway.
        let c = char::from_u32(u32::try_from(n).ok()?)?;
        let at = usize::try_from(pos).ok()?;
        output.insert(at, c);
        bias = adapt(delta, first, output.len() as u64);
    }
    Some(output.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_known_labels() {
        for (u, a) in [
            ("münchen", "mnchen-3ya"),
            ("臺網中心", "fiqq24b10vi0d"),
            ("bücher", "bcher-kva"),
            ("ü", "tda"),
        ] {
            assert_eq!(encode(u), a);
            assert_eq!(decode(a).as_deref(), Some(u));
        }
    }

    #[test]
    fn rejects_malformed_input() {
        assert_eq!(decode("abc-!"), None);
        assert_eq!(decode("99999999999999999999"), None);
        assert_eq!(decode("a-"), Some("a".to_string()));
    }
}
