//! Putting the pages together: overview, industry, size, tools, facts and news.

use super::*;

/// Numbers of `claim` that the visible text does not contain (a meta description must not
/// smuggle in figures no visitor can see).
pub(super) fn unsupported_numbers(claim: &str, visible: &str) -> bool {
    pattern!(NUMBER, r"\d[\d,.]*");
    let visible = visible.replace(',', "");
    NUMBER.find_iter(claim).any(|m| {
        let n = m.as_str().trim_end_matches(['.', ',']).replace(',', "");
        !visible.contains(&n)
    })
}

pub(super) fn clean_overview_sentences(text: &str) -> Vec<String> {
    sentences(text)
        .into_iter()
        .filter(|s| {
            s.split_whitespace().count() >= 3 && !BOILERPLATE.is_match(s) && !is_injection(s)
        })
        .collect()
}

pub(super) fn extract(out: &mut Research, pages: &[Page], domain: &str) {
    let mut facts: Vec<Fact> = Vec::new();
    let mut seen_facts: HashSet<String> = HashSet::new();
    let mut news: Vec<NewsItem> = Vec::new();
    let mut seen_news: HashSet<String> = HashSet::new();
    let mut tech: Vec<String> = Vec::new();
    let mut industry_texts: Vec<(String, u32)> = Vec::new();
    let mut seen_texts: HashSet<String> = HashSet::new();
    let mut headcount: Option<(u32, u8)> = None;
    let mut visible_all = String::new();

    let mut add_fact = |facts: &mut Vec<Fact>, text: String, source: &str| {
        let key: String = text
            .to_lowercase()
            .chars()
            .filter(|c| c.is_alphanumeric())
            .collect();
        if key.len() >= 6 && seen_facts.insert(key) {
            facts.push(Fact {
                text,
                source: source.to_string(),
            });
        }
    };
    let mut add_text = |texts: &mut Vec<(String, u32)>, text: &str, weight: u32| {
        if seen_texts.insert(text.to_string()) {
            texts.push((text.to_string(), weight));
        }
    };

    for t in domain.split(['.', '-']) {
        add_text(&mut industry_texts, t, 2);
    }
    for page in pages {
        out.injection_seen |= page.injection;
        if let Some(t) = &page.title {
            add_text(&mut industry_texts, t, 2);
        }
        if let Some(d) = &page.description {
            add_text(&mut industry_texts, d, 2);
        }
        let ld = read_json_ld(&page.json_ld);
        if let Some(n) = ld.employees
            && headcount.is_none_or(|(_, c)| c < 5)
        {
            headcount = Some((n, 5));
        }
        let mut prev: Option<&Block> = None;
        for block in &page.blocks {
            if block.injected || block.region == Region::Boilerplate {
                prev = None;
                continue;
            }
            visible_all.push_str(&block.text);
            visible_all.push('\n');
            add_text(&mut industry_texts, &block.text, 1);
            for t in tech_in(&block.text) {
                if !tech.iter().any(|x| x == t) {
                    tech.push(t.to_string());
                }
            }
            if block.region == Region::Footer {
                for f in footer_facts(&block.text) {
                    add_fact(&mut facts, f, &page.url);
                }
                prev = Some(block);
                continue;
            }
            for s in sentences(&block.text) {
                // A count inside a news item is often someone else's ("the deal adds 120
                // employees"): it only counts when no page states the company's own.
                let Some((n, c)) = headcount_in(&s) else {
                    continue;
                };
                let c = if block.news { c.saturating_sub(3) } else { c };
                if headcount.is_none_or(|(_, hc)| c > hc) {
                    headcount = Some((n, c));
                }
            }
            if block.news {
                prev = Some(block);
                continue;
            }
            match block.kind {
                Kind::Term => {}
                // A headline states a claim when it carries a figure ("Audio for 11 million
                // listeners every week"); slogans and section titles do not.
                Kind::Heading(_) => {
                    for s in sentences(&block.text) {
                        if s.chars().any(|c| c.is_ascii_digit()) && is_fact_sentence(&s) {
                            add_fact(&mut facts, s, &page.url);
                        }
                    }
                }
                Kind::Definition => {
                    // "Founded" / "2009" in a definition list reads as one fact.
                    let text = match prev {
                        Some(p) if p.kind == Kind::Term => {
                            format!("{}: {}", p.text.trim_end_matches(':'), block.text)
                        }
                        _ => block.text.clone(),
                    };
                    if is_fact_sentence(&text) {
                        add_fact(&mut facts, text, &page.url);
                    }
                }
                Kind::Item => {
                    let label = block.heading.as_deref().filter(|h| {
                        h.split_whitespace().count() <= 6
                            && !h.ends_with(['.', '!', '?'])
                            && !h.to_lowercase().contains("news")
                    });
                    let text = match label {
                        Some(h) => format!("{}: {}", h.trim_end_matches(':'), block.text),
                        None => block.text.clone(),
                    };
                    if is_fact_sentence(&text)
                        || (label.is_some() && block.text.split_whitespace().count() >= 2)
                    {
                        add_fact(&mut facts, text, &page.url);
                    }
                }
                _ => {
                    for s in sentences(&block.text) {
                        if is_fact_sentence(&s) {
                            add_fact(&mut facts, s, &page.url);
                        }
                    }
                }
            }
            prev = Some(block);
        }
        for f in ld.facts {
            add_fact(&mut facts, f, &page.url);
        }
        for n in &page.news {
            let key = format!("{:?}{}", n.date, n.text.to_lowercase());
            if seen_news.insert(key) {
                news.push(n.clone());
            }
        }
        for (date, headline) in ld.news {
            let key = format!("{:?}{}", Some(&date), headline.to_lowercase());
            if !is_injection(&headline) && seen_news.insert(key) {
                news.push(NewsItem {
                    date: Some(date),
                    text: headline,
                    source: page.url.clone(),
                });
            }
        }
        if out.overview.is_none() {
            out.overview = overview(page, ld.description.as_deref());
        }
    }
    // Meta descriptions may state what the text does not: drop the overview's sentences whose
    // figures no visitor can see.
    if let Some(o) = out.overview.take() {
        let kept: Vec<String> = sentences(&o)
            .into_iter()
            .filter(|s| !unsupported_numbers(s, &visible_all))
            .collect();
        if !kept.is_empty() {
            out.overview = Some(kept.join(" "));
        }
    }
    news.sort_by(|a, b| b.date.cmp(&a.date));
    news.truncate(MAX_NEWS);
    facts.truncate(MAX_FACTS);
    for n in &news {
        for t in tech_in(&n.text) {
            if !tech.iter().any(|x| x == t) {
                tech.push(t.to_string());
            }
        }
    }
    out.industry = classify_industry(&industry_texts);
    out.employees = headcount.map(|(n, _)| n);
    out.tech = tech;
    out.facts = facts;
    out.news = news;
}

/// A sentence or two about the company: the page's own description (meta or JSON-LD), then
/// the first substantial paragraph of visible text when it adds to it.
pub(super) fn overview(page: &Page, ld_description: Option<&str>) -> Option<String> {
    let mut parts: Vec<String> = Vec::new();
    let push = |parts: &mut Vec<String>, s: String| {
        let key = s.to_lowercase();
        if !parts.iter().any(|p| p.to_lowercase() == key) {
            parts.push(s);
        }
    };
    for d in [page.description.as_deref(), ld_description]
        .into_iter()
        .flatten()
    {
        if let Some(s) = clean_overview_sentences(d).into_iter().next() {
            push(&mut parts, s);
            break;
        }
    }
    let paragraph = page.blocks.iter().find(|b| {
        b.region == Region::Main
            && !b.injected
            && !b.news
            && matches!(b.kind, Kind::Paragraph | Kind::Other)
            && b.text.split_whitespace().count() >= 6
    });
    if let Some(p) = paragraph
        && let Some(s) = clean_overview_sentences(&p.text).into_iter().next()
    {
        push(&mut parts, s);
    }
    if parts.is_empty() {
        return None;
    }
    let mut text = parts.join(" ");
    if text.chars().count() > 400 {
        text = truncate(&text, 400);
    }
    Some(text)
}
