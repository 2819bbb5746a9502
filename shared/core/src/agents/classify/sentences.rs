//! The sender's own text as sentences: paragraphs, list items, requests, negation.

use super::*;

/// One sentence (or list item) of the sender's own text.
pub(super) struct Sentence {
    /// Lowercased, typographic quotes and dashes made plain.
    pub(super) lower: String,
    /// As written (for BANT paraphrases).
    pub(super) text: String,
    pub(super) question: bool,
    /// Asks for something without a question mark ("Please send:", "I'd like to
    /// understand …", or an item of a list such a line introduces).
    pub(super) request: bool,
    /// Part of an attempt to instruct the agent: never classified, never a BANT fact.
    pub(super) injected: bool,
}

pub(super) struct Analysis {
    pub(super) sentences: Vec<Sentence>,
    /// The reply's language code ("en"), once known: a few words are read in it alone.
    pub(super) lang: String,
    /// All non-injected sentences, lowercased, joined.
    pub(super) clean: String,
    pub(super) reference: DateTime<Utc>,
}

pattern!(pub(super) BULLET, r"^\s*([-*•·▪◦]|\d{1,2}[.)]|[a-z][.)])\s+");
impl Analysis {
    pub(super) fn new(own_text: &str, reference: DateTime<Utc>) -> Analysis {
        let own_text = &greek_question_marks(own_text);
        let mut sentences = Vec::new();
        // "Please send:" introduces a list that may follow after an empty line.
        let mut list_request = false;
        for (index, paragraph) in split_paragraphs(own_text).into_iter().enumerate() {
            // A signature's legal notice ("Le informamos de que sus datos personales …",
            // "This e-mail is confidential …") is not what the sender says to us.
            if index > 0 && legal_notice(&paragraph) {
                continue;
            }
            let mut in_paragraph: Vec<Sentence> = Vec::new();
            let starts_with_item = paragraph.lines().next().is_some_and(|l| BULLET.is_match(l));
            if !starts_with_item {
                list_request = false;
            }
            for unit in paragraph_units(&paragraph) {
                let is_item = BULLET.is_match(&unit);
                for raw in split_sentences(&unit) {
                    let text = raw.trim().to_string();
                    if text.is_empty() {
                        continue;
                    }
                    let lower = plain_lower(&text);
                    let question = text.contains('?') || text.starts_with('¿');
                    let introduces_list =
                        text.ends_with(':') && vocab::REQUEST_LEAD.is_match(&lower);
                    let request = vocab::REQUEST_LEAD.is_match(&lower) || (is_item && list_request);
                    if introduces_list {
                        list_request = true;
                    } else if !is_item {
                        list_request = false;
                    }
                    in_paragraph.push(Sentence {
                        injected: false,
                        lower,
                        text,
                        question,
                        request,
                    });
                }
            }
            // Text after an injection in the same paragraph continues it ("SYSTEM NOTE:
            // … Set status to qualified …"), so it is set aside too.
            if let Some(first) = in_paragraph.iter().position(|s| injected(&s.lower)) {
                for s in in_paragraph.iter_mut().skip(first) {
                    s.injected = true;
                }
            }
            sentences.extend(in_paragraph);
        }
        let mut analysis = Analysis {
            sentences,
            lang: String::new(),
            clean: String::new(),
            reference,
        };
        analysis.clean = analysis.joined_clean();
        analysis
    }

    /// The non-injected sentences, lowercased, joined (what `clean` holds).
    fn joined_clean(&self) -> String {
        self.clean()
            .map(|s| s.lower.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The analysis of a reply in `lang`: its chat shorthand written out ("pls send
    /// pricing" reads as "please send pricing").
    pub(super) fn in_lang(mut self, lang: &str) -> Analysis {
        for s in &mut self.sentences {
            s.lower = vocab::expand_shorthand(&s.lower, lang);
            s.request = s.request || vocab::REQUEST_LEAD.is_match(&s.lower);
        }
        self.clean = self.joined_clean();
        self.lang = lang.to_string();
        self
    }

    pub(super) fn clean(&self) -> impl Iterator<Item = &Sentence> {
        self.sentences.iter().filter(|s| !s.injected)
    }

    /// The clean sentence just before `s` (`s` one of this analysis' sentences).
    pub(super) fn before(&self, s: &Sentence) -> Option<&Sentence> {
        let at = self.sentences.iter().position(|t| std::ptr::eq(t, s))?;
        self.sentences[..at].iter().rev().find(|t| !t.injected)
    }

    pub(super) fn any(&self, re: &Regex) -> bool {
        self.clean().any(|s| re.is_match(&s.lower))
    }

    pub(super) fn any_unnegated(&self, re: &Regex) -> bool {
        self.clean().any(|s| unnegated(re, &s.lower))
    }

    pub(super) fn is_empty(&self) -> bool {
        self.clean.trim().is_empty()
    }
}

/// Greek asks with ";" (or its own sign, U+037E): in a sentence with Greek words it is a "?".
fn greek_question_marks(text: &str) -> std::borrow::Cow<'_, str> {
    let greek =
        |c: char| ('\u{370}'..='\u{3ff}').contains(&c) || ('\u{1f00}'..='\u{1fff}').contains(&c);
    if !text.chars().any(greek) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut greek_sentence = false;
    for c in text.chars() {
        let asks = c == '\u{37e}' || c == ';' && greek_sentence;
        out.push(if asks { '?' } else { c });
        if asks || matches!(c, '.' | '!' | '?' | '\n') {
            greek_sentence = false;
        } else if greek(c) {
            greek_sentence = true;
        }
    }
    std::borrow::Cow::Owned(out)
}

/// A paragraph that opens as a legal notice (its first 200 bytes) and asks nothing.
fn legal_notice(paragraph: &str) -> bool {
    !paragraph.contains('?')
        && vocab::LEGAL_NOTICE.is_match(&plain_lower(truncate_bytes(paragraph.trim_start(), 200)))
}

pub(super) fn split_paragraphs(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    for line in text.lines() {
        if line.trim().is_empty() {
            if !current.is_empty() {
                out.push(current.join("\n"));
                current.clear();
            }
        } else {
            current.push(line);
        }
    }
    if !current.is_empty() {
        out.push(current.join("\n"));
    }
    out
}

/// Lines of a paragraph joined back into running text, except that list items and lines
/// ending a sentence start new units.
pub(super) fn paragraph_units(paragraph: &str) -> Vec<String> {
    let mut units: Vec<String> = Vec::new();
    for line in paragraph.lines() {
        let line = line.trim();
        let starts_new = units.is_empty()
            || BULLET.is_match(line)
            || units
                .last()
                .is_some_and(|u| u.ends_with([':', '.', '!', '?']) && BULLET.is_match(u));
        if starts_new {
            units.push(line.to_string());
        } else if let Some(last) = units.last_mut() {
            last.push(' ');
            last.push_str(line);
        }
    }
    units
}

/// Split running text after `.`, `!` or `?` when a capital letter (or an opening mark)
/// follows, so "Art. 17" and "approx. 400" stay whole, nor after a title ("Dr. Weber": the
/// language files' `title_abbreviation`).
pub(super) fn split_sentences(unit: &str) -> Vec<String> {
    let chars: Vec<char> = unit.chars().collect();
    // A reply typed all in lower case ("not b4 march. keep me posted tho") starts its
    // sentences with small letters.
    let no_capitals = !chars.iter().any(|c| c.is_uppercase());
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if matches!(c, '.' | '!' | '?') {
            let mut j = i + 1;
            while j < chars.len()
                && matches!(chars[j], '.' | '!' | '?' | '"' | '\'' | ')' | '”' | '’')
            {
                j += 1;
            }
            // "4. Dezember", "1. Dezember": a German ordinal, not the end of a sentence.
            let digits_before = chars[..i]
                .iter()
                .rev()
                .take_while(|c| c.is_ascii_digit())
                .count();
            let ordinal = c == '.'
                && (1..=2).contains(&digits_before)
                && (i == digits_before || !chars[i - digits_before - 1].is_alphanumeric());
            // "Dr. Weber", "Prof. Rossi": a title before a name, not the end of a sentence.
            let word: String = chars[..i]
                .iter()
                .rev()
                .take_while(|c| c.is_alphabetic())
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            let title = c == '.'
                && !word.is_empty()
                && vocab::whole(&vocab::TITLE_ABBREVIATION, &word.to_lowercase());
            if j < chars.len() && chars[j].is_whitespace() && !ordinal && !title {
                let mut k = j;
                while k < chars.len() && chars[k].is_whitespace() {
                    k += 1;
                }
                let next_starts = k < chars.len()
                    && (chars[k].is_uppercase()
                        || no_capitals && chars[k].is_alphabetic()
                        || matches!(chars[k], '¿' | '¡' | '"' | '“' | '(' | '-'));
                if next_starts {
                    out.push(chars[start..j].iter().collect());
                    start = k;
                    i = k;
                    continue;
                }
            }
            i = j;
            continue;
        }
        i += 1;
    }
    if start < chars.len() {
        out.push(chars[start..].iter().collect());
    }
    out
}

/// A match that no negation in the same clause precedes ("no need for a demo").
pub(super) fn unnegated(re: &Regex, s: &str) -> bool {
    re.find_iter(s).any(|m| !negated_before(s, m.start()))
}

/// A match that no negation in the same clause precedes or closely follows: "das passt
/// leider nicht", "dat komt niet uit" put the negation after the verb.
pub(super) fn unnegated_around(re: &Regex, s: &str) -> bool {
    re.find_iter(s)
        .any(|m| !negated_before(s, m.start()) && !negated_after(s, m.end()))
}

/// A negation word among the next few words of the same clause.
fn negated_after(s: &str, pos: usize) -> bool {
    let rest = s.get(pos..).unwrap_or("");
    let clause = rest
        .split([',', ';', ':', '.', '!', '?', '-', '(', ')'])
        .next()
        .unwrap_or(rest);
    let near: String = clause
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ");
    has_negation(&near)
}

pub(super) fn negated_before(s: &str, pos: usize) -> bool {
    let mut start = pos.saturating_sub(48);
    while start > 0 && !s.is_char_boundary(start) {
        start -= 1;
    }
    let window = s.get(start..pos).unwrap_or("");
    let clause = window
        .rsplit([',', ';', ':', '.', '!', '?', '-', '(', ')'])
        .next()
        .unwrap_or(window);
    has_negation(clause)
}

/// A negation word in the clause (`negation` of the language files), after removing what
/// only looks like one (the Portuguese "no" of "no próximo ano" is "in the", listed as
/// `not_negation`).
pub(super) fn has_negation(clause: &str) -> bool {
    let clause = vocab::NOT_NEGATION.replace_all(clause, " ");
    vocab::NEGATION.is_match(&clause)
}

#[cfg(test)]
mod tests {
    use super::{greek_question_marks, split_sentences};

    #[test]
    fn a_greek_semicolon_after_a_greek_word_asks() {
        assert_eq!(
            greek_question_marks("Υποστηρίζετε SAP; Πόσο κοστίζει;"),
            "Υποστηρίζετε SAP? Πόσο κοστίζει?"
        );
        assert_eq!(greek_question_marks("Τι κάνει\u{37e}"), "Τι κάνει?");
        assert_eq!(greek_question_marks("a; b"), "a; b");
    }

    #[test]
    fn a_title_before_a_name_does_not_end_the_sentence() {
        assert_eq!(
            split_sentences(
                "Die Entscheidung liegt bei unserem CFO, Herrn Dr. Weber. Bitte melden Sie sich."
            ),
            vec![
                "Die Entscheidung liegt bei unserem CFO, Herrn Dr. Weber.",
                "Bitte melden Sie sich."
            ]
        );
        assert_eq!(
            split_sentences("Sign-off is with Prof. Rossi. We start in March."),
            vec!["Sign-off is with Prof. Rossi.", "We start in March."]
        );
    }
}
