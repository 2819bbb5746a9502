//! A reply meant for a colleague ("Hi Mark, see below …") that reached us by mistake. The
//! words (greetings, forwarding notes, words after a greeting that are no name) are data
//! (`greeting`, `internal_note`, `not_a_name` in `lang/<code>/classify.toml`).

use super::*;

/// A greeting and the word after it ("Hi Mark,"): the words are data (`greeting`).
pub(super) static GREETING: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    let greeting = vocab::bounded(vocab::classify_words(|c| &c.greeting));
    vocab::compile(&format!(r"^\s*{greeting}\s+(?P<name>[^\s,!:]+)"))
});

pattern!(pub(super) VOCATIVE, r"^\s*([A-ZÀ-ÖØ-Þ][a-zà-öø-ÿ]+)\s*[,:\-–]\s");
/// The reply greets someone other than the agent ("Hi Mark, see below …"): a message meant
/// for a colleague that reached us by mistake.
pub(super) fn addressed_elsewhere(mail: &InboundEmail) -> bool {
    let agent_tokens: Vec<String> = mail
        .to
        .iter()
        .flat_map(|m| {
            let mut t: Vec<String> = m
                .name
                .iter()
                .flat_map(|n| {
                    n.split_whitespace()
                        .map(str::to_lowercase)
                        .collect::<Vec<_>>()
                })
                .collect();
            t.extend(m.address.split(['@', '.', '-', '_']).map(str::to_lowercase));
            t
        })
        .collect();
    if agent_tokens.is_empty() {
        return false;
    }
    let first_line = mail
        .own_text
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("");
    // "Mark - see below, thoughts?": a name, a comma or dash, and forwarding language.
    let vocative = VOCATIVE
        .captures(first_line)
        .and_then(|c| c.get(1))
        .map(|m| m.as_str().to_lowercase())
        .filter(|_| vocab::INTERNAL_NOTE.is_match(&plain_lower(&mail.own_text)));
    let first_line = first_line.to_lowercase();
    let greeted = GREETING
        .captures(&first_line)
        .and_then(|c| c.name("name"))
        .map(|m| m.as_str().to_string());
    let Some(name) = greeted.or(vocative) else {
        return false;
    };
    let name = name.trim_matches(|c: char| !c.is_alphanumeric());
    // "Hi all", "Dear sir": no one's name (`not_a_name`).
    let generic = vocab::whole(&vocab::NOT_A_NAME, name);
    !name.is_empty() && !generic && !agent_tokens.iter().any(|t| t == name)
}
