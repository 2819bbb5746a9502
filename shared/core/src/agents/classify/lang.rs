//! The language of a reply, from the stop words and letters of `lang/<code>/classify.toml`.

use super::*;

/// ISO 639-1 code of the sender's text (of its first paragraph in a language, so a
/// bilingual auto-reply gets its first language); `en` when nothing is recognisable.
pub(super) fn detect_lang(own_text: &str, text: &str) -> String {
    let source = if own_text.trim().is_empty() {
        text
    } else {
        own_text
    };
    let source = truncate_bytes(source, 20_000);
    for paragraph in split_paragraphs(source) {
        if let Some((lang, score)) = lang_scores(&paragraph)
            && score >= 3.0
        {
            return lang.to_string();
        }
    }
    lang_scores(source)
        .filter(|(_, s)| *s >= 1.0)
        .map_or_else(|| "en".to_string(), |(l, _)| l.to_string())
}

pub(super) fn lang_scores(text: &str) -> Option<(&'static str, f32)> {
    let lower = text.to_lowercase();
    let langs = &*vocab::LANG_DATA;
    let mut scores: Vec<(&'static str, f32)> = langs.iter().map(|l| (l.code, 0.0)).collect();
    for token in lower.split(|c: char| !c.is_alphanumeric() && c != '\'') {
        if token.is_empty() {
            continue;
        }
        for (i, l) in langs.iter().enumerate() {
            if l.classify.stopwords.iter().any(|w| w == token) {
                scores[i].1 += 1.0;
            }
            // Chat shorthand ("vc", "xq", "pls") is a hint of its language too.
            if vocab::is_shorthand(l.code, token) {
                scores[i].1 += 0.5;
            }
        }
    }
    for (i, l) in langs.iter().enumerate() {
        let letters = &l.classify.letters;
        if !letters.is_empty() {
            let n = lower
                .chars()
                .filter(|c| letters.contains(*c))
                .count()
                .min(4);
            scores[i].1 += n as f32 * 0.5;
        }
        if l.code == "nl" && lower.contains("ij") {
            scores[i].1 += 0.5;
        }
    }
    // The first language with the highest score (the files' order breaks ties).
    scores
        .into_iter()
        .fold(None, |best: Option<(&'static str, f32)>, s| match best {
            Some(b) if b.1 >= s.1 => Some(b),
            _ => Some(s),
        })
}

#[cfg(test)]
mod tests {
    use super::detect_lang;

    #[test]
    fn a_short_english_question_is_english() {
        for text in [
            "How much does it cost per employee per month?",
            "Which plan would fit a team of 40?",
            "Is it billed per month or per year?",
        ] {
            assert_eq!(detect_lang(text, text), "en", "{text}");
        }
        let it = "Quanto costa per dipendente al mese? Grazie.";
        assert_eq!(detect_lang(it, it), "it");
        let de = "Guten Tag, was kostet es pro Mitarbeiter und Monat?";
        assert_eq!(detect_lang(de, de), "de");
        // Typed in a hurry, without accents, with shorthand.
        let es = "q tan rapido se implementa? tenemos gente en 3 paises";
        assert_eq!(detect_lang(es, es), "es");
        let it = "ora impossibile, poi volentieri";
        assert_eq!(detect_lang(it, it), "it");
        let pt = "vc sabe se tem app?";
        assert_eq!(detect_lang(pt, pt), "pt");
    }
}
