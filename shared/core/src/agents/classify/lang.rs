//! The language of a reply, from stop words.

use super::*;

pub(super) const STOPWORDS: &[(&str, &[&str])] = &[
    (
        "en",
        &[
            "the", "and", "to", "of", "a", "is", "for", "you", "we", "our", "this", "that", "it",
            "i", "be", "with", "on", "not", "are", "have", "will", "your", "me", "my", "please",
            "thanks", "thank", "would", "can", "do", "at", "from", "as", "if", "but", "any",
            "what", "how", "us", "who", "am", "until", "email", "out", "back", "there", "an", "or",
            "been", "has",
        ],
    ),
    (
        "de",
        &[
            "der",
            "die",
            "das",
            "und",
            "ist",
            "nicht",
            "ich",
            "sie",
            "wir",
            "mit",
            "für",
            "von",
            "zu",
            "den",
            "dem",
            "ein",
            "eine",
            "auf",
            "bitte",
            "ihre",
            "ihr",
            "meine",
            "mich",
            "mir",
            "sehr",
            "danke",
            "vielen",
            "bin",
            "bis",
            "im",
            "es",
            "auch",
            "wie",
            "wenn",
            "oder",
            "kein",
            "keine",
            "uns",
            "unsere",
            "haben",
            "wird",
            "ihnen",
            "gerne",
            "grüße",
            "nachricht",
            "habe",
            "zum",
            "abmelden",
            "nein",
            "interesse",
        ],
    ),
    (
        "fr",
        &[
            "le",
            "la",
            "les",
            "et",
            "est",
            "pas",
            "je",
            "vous",
            "nous",
            "des",
            "du",
            "un",
            "une",
            "pour",
            "avec",
            "sur",
            "merci",
            "votre",
            "vos",
            "mes",
            "mon",
            "ne",
            "que",
            "qui",
            "dans",
            "au",
            "aux",
            "ce",
            "cette",
            "sont",
            "serais",
            "bonjour",
            "suis",
            "par",
            "bien",
            "été",
            "très",
            "désinscrire",
            "désabonner",
            "intéressé",
        ],
    ),
    (
        "es",
        &[
            "el", "los", "las", "y", "es", "yo", "usted", "del", "una", "para", "con", "por",
            "gracias", "su", "sus", "mi", "mis", "que", "lo", "al", "este", "esta", "estamos",
            "muy", "pero", "hola", "nos", "saludos", "estoy", "hasta", "favor", "como", "más",
            "ahora", "baja", "interesa",
        ],
    ),
    (
        "nl",
        &[
            "het",
            "een",
            "niet",
            "ik",
            "je",
            "jij",
            "wij",
            "van",
            "voor",
            "met",
            "dank",
            "bedankt",
            "uw",
            "mijn",
            "dat",
            "die",
            "er",
            "als",
            "ook",
            "maar",
            "naar",
            "kan",
            "ben",
            "tot",
            "heb",
            "graag",
            "geen",
            "wel",
            "om",
            "bij",
            "hoi",
            "groet",
            "zijn",
            "wordt",
            "onze",
            "ons",
            "afmelden",
            "nee",
            "uitschrijven",
        ],
    ),
];

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
    let mut scores: Vec<(&'static str, f32)> = STOPWORDS.iter().map(|(l, _)| (*l, 0.0)).collect();
    for token in lower.split(|c: char| !c.is_alphanumeric() && c != '\'') {
        if token.is_empty() {
            continue;
        }
        for (i, (_, words)) in STOPWORDS.iter().enumerate() {
            if words.contains(&token) {
                scores[i].1 += 1.0;
            }
        }
    }
    let bonus =
        |chars: &str| lower.chars().filter(|c| chars.contains(*c)).count().min(4) as f32 * 0.5;
    for (lang, score) in scores.iter_mut() {
        *score += match *lang {
            "de" => bonus("äöüß"),
            "fr" => bonus("éèêàçùœ"),
            "es" => bonus("ñ¿¡áíóú"),
            "nl" if lower.contains("ij") => 0.5,
            _ => 0.0,
        };
    }
    scores
        .into_iter()
        .max_by(|a, b| a.1.partial_cmp(&b.1).unwrap_or(std::cmp::Ordering::Equal))
}
