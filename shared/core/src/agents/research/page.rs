//! One page read: visible blocks, JSON-LD, news, injection flagged.

use super::*;

pub(super) fn news_item(blocks: &[Block], date: &str, source: &str) -> Option<NewsItem> {
    let mut text = String::new();
    for b in blocks {
        let mut t = b.text.as_str();
        // The date itself and the dash after it are not part of the headline.
        if let Some((_, len)) = full_date_prefix(t) {
            t = &t[len..];
        }
        let t = t
            .trim_start_matches(|c: char| c.is_whitespace() || "-–—:|·•,.".contains(c))
            .trim();
        if t.is_empty() || t.chars().filter(|c| c.is_alphabetic()).count() < 3 {
            continue;
        }
        if !text.is_empty() {
            if !text.ends_with(['.', '!', '?', ':']) {
                text.push('.');
            }
            text.push(' ');
        }
        text.push_str(t);
    }
    if text.is_empty() {
        return None;
    }
    Some(NewsItem {
        date: Some(date.to_string()),
        text: truncate(&text, 400),
        source: source.to_string(),
    })
}

pub(super) fn normalize_ws(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending: Option<char> = None;
    for c in s.chars() {
        if c == '\n' {
            pending = Some('\n');
        } else if c.is_whitespace() {
            if pending.is_none() {
                pending = Some(' ');
            }
        } else {
            if let Some(p) = pending.take()
                && !out.is_empty()
            {
                out.push(p);
            }
            out.push(c);
        }
    }
    out
}

/// Parse one page into its visible blocks, metadata, JSON-LD, news and links.
pub(super) fn parse_page(url: &str, body: &str) -> Page {
    let body = if body.len() > MAX_PARSE_BYTES {
        let mut cut = MAX_PARSE_BYTES;
        while !body.is_char_boundary(cut) {
            cut -= 1;
        }
        &body[..cut]
    } else {
        body
    };
    let mut page = Page {
        url: url.to_string(),
        ..Page::default()
    };
    // Nesting this deep makes the HTML tree builder quadratic (its scope checks walk the stack
    // of open elements: 8,000 nested `<div>`s took 9 s): no real page nests so deep, so such a
    // page is not read.
    if crate::mail::parse::html_depth_exceeds(body, MAX_TREE_DEPTH) {
        return page;
    }
    let html = Html::parse_document(body);

    // Everything that is not visible text: style sheets, JSON-LD, head metadata, and all text
    // (hidden or not, comments and attributes included) for the injection check.
    let mut css = String::new();
    let mut all_text = String::new();
    for node in html.tree.nodes() {
        match node.value() {
            Node::Text(t) => {
                all_text.push_str(t);
                all_text.push('\n');
            }
            Node::Comment(c) => {
                all_text.push_str(&c.comment);
                all_text.push('\n');
            }
            Node::Element(e) => {
                for (name, value) in e.attrs() {
                    if matches!(
                        name,
                        "alt" | "title" | "aria-label" | "content" | "placeholder" | "value"
                    ) || name.starts_with("data-")
                    {
                        all_text.push_str(value);
                        all_text.push('\n');
                    }
                }
                let Some(el) = ElementRef::wrap(node) else {
                    continue;
                };
                match e.name() {
                    "style" => {
                        css.push_str(&el.text().collect::<String>());
                        css.push('\n');
                    }
                    "script" => {
                        let ty = e.attr("type").unwrap_or("").trim().to_ascii_lowercase();
                        if ty == "application/ld+json" {
                            let raw: String = el.text().collect();
                            if raw.len() <= 256 * 1024
                                && let Ok(v) = serde_json::from_str::<serde_json::Value>(raw.trim())
                            {
                                if json_has_injection(&v) {
                                    page.injection = true;
                                } else {
                                    page.json_ld.push(v);
                                }
                            }
                        }
                    }
                    "title" if page.title.is_none() => {
                        let t = normalize_ws(&el.text().collect::<String>());
                        if !t.is_empty() {
                            page.title = Some(t);
                        }
                    }
                    "meta" => {
                        let name = e
                            .attr("name")
                            .or_else(|| e.attr("property"))
                            .unwrap_or("")
                            .to_ascii_lowercase();
                        if matches!(name.as_str(), "description" | "og:description")
                            && page.description.is_none()
                            && let Some(c) = e.attr("content")
                        {
                            let c = normalize_ws(c);
                            if !c.is_empty() {
                                page.description = Some(c);
                            }
                        }
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }
    if is_injection(&all_text) {
        page.injection = true;
    }
    if let Some(d) = &page.description
        && is_injection(d)
    {
        page.description = None;
    }

    let sheet = Sheet::parse(&css);
    let mut walker = Walker {
        sheet: &sheet,
        blocks: Vec::new(),
        buf: String::new(),
        news: Vec::new(),
        links: Vec::new(),
        url: url.to_string(),
        next_container: 0,
    };
    let root = html.root_element();
    let ctx = Ctx {
        region: Region::Main,
        in_section: false,
        background: (255, 255, 255),
        background_known: true,
        color: Paint::Rgb((0, 0, 0)),
        heading: None,
        depth: 0,
        container: 0,
    };
    let owner = Owner {
        kind: Kind::Other,
        region: Region::Main,
        heading: None,
        container: 0,
    };
    walker.walk(root, &ctx, &owner);
    walker.flush(&owner);
    page.links = walker.links;
    page.blocks = walker.blocks;
    page.news = walker.news;

    // Visible text aimed at AI agents: drop the block, and when it reads as a preamble
    // ("Note to AI agents:"), the rest of its container up to the next heading too.
    let mut i = 0;
    while i < page.blocks.len() {
        if is_injection(&page.blocks[i].text) {
            page.injection = true;
            page.blocks[i].injected = true;
            let container = page.blocks[i].container;
            let mut j = i + 1;
            while j < page.blocks.len()
                && page.blocks[j].container == container
                && !matches!(page.blocks[j].kind, Kind::Heading(_))
            {
                page.blocks[j].injected = true;
                j += 1;
            }
        }
        i += 1;
    }
    let before = page.news.len();
    page.news.retain(|n| !is_injection(&n.text));
    if page.news.len() != before {
        page.injection = true;
    }
    page
}
