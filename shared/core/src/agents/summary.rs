//! The summary agent: what a seller (or the record of a disqualification) needs to know, in a
//! few lines, from facts only. Text the injection detector flags (a sentence that tries to
//! instruct the agent) is never quoted and never shown as a fact.

use crate::domain::Lead;

pub fn handover_summary(lead: &Lead) -> String {
    let mut s = String::new();
    let name = lead.display_name();
    s.push_str(&format!(
        "{} — {}{}\n",
        if name.is_empty() {
            lead.id.to_string()
        } else {
            name
        },
        lead.title.trim(),
        if lead.company.trim().is_empty() {
            String::new()
        } else {
            format!(", {}", lead.company.trim())
        }
    ));
    if let Some(v) = &lead.validation
        && let Some(n) = &v.normalized
    {
        s.push_str(&format!(
            "Email: {n} ({})\n",
            v.effective_kind()
                .map(|k| k.as_str())
                .unwrap_or("unknown kind")
        ));
    }
    if let Some(f) = &lead.fit {
        let matched: Vec<&str> = f
            .criteria
            .iter()
            .filter(|c| c.matched)
            .map(|c| c.name.as_str())
            .collect();
        s.push_str(&format!(
            "Fit: {} / 100, tier {} (matched: {})\n",
            f.score,
            f.tier.as_str(),
            if matched.is_empty() {
                "none".to_string()
            } else {
                matched.join(", ")
            }
        ));
    }
    if let Some(last) = lead.inbound.last() {
        s.push_str(&format!(
            "Latest reply ({}): intent {}",
            last.received_at.format("%Y-%m-%d"),
            last.classification.intent.as_str()
        ));
        if !last.classification.question_topics.is_empty() {
            s.push_str(&format!(
                "; asked about {}",
                last.classification.question_topics.join(", ")
            ));
        }
        s.push('\n');
        let excerpt: String = without_injections(&last.text)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        let excerpt: String = excerpt.chars().take(400).collect();
        s.push_str(&format!("In their words: \"{excerpt}\"\n"));
        let open: Vec<String> = last
            .open_questions
            .iter()
            .filter(|q| !crate::text::injection::is_injection(q))
            .map(|q| format!("\"{}\"", q.split_whitespace().collect::<Vec<_>>().join(" ")))
            .collect();
        if !open.is_empty() {
            s.push_str(&format!(
                "Open questions (the knowledge has no answer; a person must reply): {}\n",
                open.join("; ")
            ));
        }
    }
    let b = &lead.bant;
    for (k, v) in [
        ("Budget", &b.budget),
        ("Authority", &b.authority),
        ("Need", &b.need),
        ("Timeline", &b.timeline),
    ] {
        let fact = v
            .as_deref()
            .filter(|v| !crate::text::injection::is_injection(v));
        s.push_str(&format!("{k}: {}\n", fact.unwrap_or("not stated")));
    }
    if let Some(r) = &lead.research {
        if let Some(o) = &r.overview {
            s.push_str(&format!("Company: {o}\n"));
        }
        for n in r.news.iter().take(2) {
            s.push_str(&format!(
                "News{}: {} ({})\n",
                n.date
                    .as_deref()
                    .map(|d| format!(" {d}"))
                    .unwrap_or_default(),
                n.text,
                n.source
            ));
        }
    }
    s.push_str(&format!(
        "Emails sent by the agent: {}\n",
        lead.emails_sent()
    ));
    s
}

/// The sender's text without the sentences the injection detector sets aside.
fn without_injections(text: &str) -> String {
    let one_line = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out = one_line(text);
    for sentence in crate::agents::classify::injected_sentences(text) {
        let sentence = one_line(&sentence);
        if !sentence.is_empty() {
            out = out.replace(&sentence, " ");
        }
    }
    out
}
