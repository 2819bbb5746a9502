//! A reply meant for a colleague ("Hi Mark, see below …") that reached us by mistake.

use super::*;

pattern!(
    pub(super) GREETING,
    r"^\s*(hi|hello|hey|dear|hallo|liebe[rs]?|guten tag|bonjour|salut|cher|chère|hola|estimad[oa]|hoi|beste|dag)\s+([^\s,!:]+)"
);

pattern!(pub(super) VOCATIVE, r"^\s*([A-ZÀ-ÖØ-Þ][a-zà-öø-ÿ]+)\s*[,:\-–]\s");
pattern!(
    pub(super) INTERNAL_NOTE,
    r"(?x)
        \b
        (
            see\ below
          | see\ (the\ )?(e-?mail|note|message)\ below
          | fyi
          | thoughts\?
          | any\ thoughts
          | what\ do\ you\ think
          | is\ this\ (something|relevant|useful)\ for
          | can\ you\ (check|look|handle|take\ a\ look|have\ a\ look|deal\ with|follow\ up)
          | for\ your\ (review|info|information)
          | take\ a\ look\ at\ this
          | worth\ a\ look
          | siehe\ unten
          | zur\ info
          | was\ meinst\ du
          | voir\ ci-dessous
          | pour\ info
          | qu'en\ penses-tu
          | ver\ abajo
          | para\ tu\ información
          | qué\ opinas
          | zie\ hieronder
          | ter\ info
          | wat\ vind\ je
        )\b
    "
);

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
        .filter(|_| INTERNAL_NOTE.is_match(&plain_lower(&mail.own_text)));
    let first_line = first_line.to_lowercase();
    let greeted = GREETING
        .captures(&first_line)
        .and_then(|c| c.get(2))
        .map(|m| m.as_str().to_string());
    let Some(name) = greeted.or(vocative) else {
        return false;
    };
    let name = name.trim_matches(|c: char| !c.is_alphanumeric());
    const GENERIC: &[&str] = &[
        "all",
        "team",
        "there",
        "everyone",
        "folks",
        "sir",
        "madam",
        "frau",
        "herr",
        "mr",
        "mrs",
        "ms",
        "monsieur",
        "madame",
        "señor",
        "señora",
        "meneer",
        "mevrouw",
        "damen",
        "heer",
        "again",
        "afzender",
        "sender",
        "and",
        "et",
        "y",
        "en",
        "thanks",
        "thank",
        "sure",
        "yes",
        "no",
        "ok",
        "okay",
        "sorry",
        "great",
        "well",
        "also",
        "however",
        "unfortunately",
        "actually",
        "honestly",
        "hi",
        "hello",
        "hey",
        "dear",
        "interesting",
        "perfect",
        "cheers",
        "please",
        "danke",
        "ja",
        "nein",
        "leider",
        "hallo",
        "merci",
        "oui",
        "non",
        "bonjour",
        "gracias",
        "sí",
        "si",
        "hola",
        "bedankt",
        "nee",
        "helaas",
        "hoi",
    ];
    !name.is_empty() && !GENERIC.contains(&name) && !agent_tokens.iter().any(|t| t == name)
}
