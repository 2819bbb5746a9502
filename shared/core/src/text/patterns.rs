//! One way to declare a built-in pattern: `pattern!(NAME, r"…")` makes a
//! `std::sync::LazyLock<Regex>` compiled on first use. Long patterns are written in verbose
//! mode (`(?x)`, one alternative per line; a literal space is `\ `) or built from word
//! lists with [`words`].

use regex::Regex;

/// Compile a pattern written in this crate. The patterns are literals of the code: a typo is
/// a bug the first test that reaches it catches.
pub fn re(pattern: &str) -> Regex {
    #[allow(clippy::expect_used)]
    Regex::new(pattern).expect("a valid built-in pattern")
}

/// The alternation `w1|w2|…` of literal words (escaped), longest first so that a longer
/// word wins over its prefix.
pub fn words<S: AsRef<str>>(list: &[S]) -> String {
    let mut sorted: Vec<&str> = list.iter().map(AsRef::as_ref).collect();
    sorted.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
    sorted.dedup();
    sorted
        .iter()
        .map(|w| regex::escape(w))
        .collect::<Vec<_>>()
        .join("|")
}

/// An e-mail address inside free text (ASCII or internationalised local part and domain,
/// at least one dot in the domain): where reports, notices and replies name an address.
pub static EMAIL_ADDRESS: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    re(concat!(
        r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~\-\u{80}-\u{10FFFF}]+",
        r"@[A-Za-z0-9\u{80}-\u{10FFFF}](?:[A-Za-z0-9\-\u{80}-\u{10FFFF}]*[A-Za-z0-9\u{80}-\u{10FFFF}])?",
        r"(?:\.[A-Za-z0-9\u{80}-\u{10FFFF}](?:[A-Za-z0-9\-\u{80}-\u{10FFFF}]*[A-Za-z0-9\u{80}-\u{10FFFF}])?)+",
    ))
});

/// `pattern!(NAME, r"…")` or `pattern!(pub(super) NAME, r"…")`: a lazily compiled regex.
macro_rules! pattern {
    ($(#[$doc:meta])* $vis:vis $name:ident, $re:expr) => {
        $(#[$doc])*
        $vis static $name: std::sync::LazyLock<regex::Regex> =
            std::sync::LazyLock::new(|| $crate::text::patterns::re($re));
    };
}
pub(crate) use pattern;

#[cfg(test)]
mod tests {
    use super::*;

    pattern!(
        VERBOSE,
        r"(?xi)
        \bout\ of\ office\b
        | \bon\ leave\b
    "
    );

    #[test]
    fn verbose_patterns_keep_escaped_spaces() {
        assert!(VERBOSE.is_match("I am Out of office"));
        assert!(VERBOSE.is_match("on leave until May"));
        assert!(!VERBOSE.is_match("outofoffice"));
    }

    #[test]
    fn word_lists_put_longer_words_first() {
        let r = re(&format!(r"^(?:{})$", words(&["mar", "march", "mär.z"])));
        assert!(r.is_match("march"));
        assert!(r.is_match("mär.z"));
        assert!(!r.is_match("märxz"));
        assert_eq!(words(&["a", "abc", "ab"]), "abc|ab|a");
    }
}
