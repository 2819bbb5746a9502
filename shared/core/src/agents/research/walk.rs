//! The walk over a page's tree: visible text blocks by region, links, news candidates.

use super::*;

/// Where on the page a block of text sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Region {
    Main,
    /// The page footer: legal lines, the registered address.
    Footer,
    /// Navigation, cookie banners, newsletter boxes: never a company fact.
    Boilerplate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Heading(u8),
    Paragraph,
    Item,
    Term,
    Definition,
    Other,
}

/// One block of visible text (a paragraph, a list item, a heading…).
#[derive(Debug, Clone)]
pub(super) struct Block {
    pub(super) text: String,
    pub(super) kind: Kind,
    pub(super) region: Region,
    /// The heading of the section the block sits in (for list items: "Leadership").
    pub(super) heading: Option<String>,
    /// Part of a dated news item.
    pub(super) news: bool,
    /// Id of the element that contains this block's element (blocks of one container).
    pub(super) container: usize,
    /// Text addressed to AI agents, or a block that follows such a preamble.
    pub(super) injected: bool,
}

#[derive(Debug, Clone)]
pub(super) struct Link {
    pub(super) href: String,
    pub(super) text: String,
}

/// A parsed page: the visible blocks and what else counts as page content.
#[derive(Debug, Clone, Default)]
pub(super) struct Page {
    pub(super) url: String,
    pub(super) title: Option<String>,
    pub(super) description: Option<String>,
    pub(super) blocks: Vec<Block>,
    pub(super) json_ld: Vec<serde_json::Value>,
    pub(super) news: Vec<NewsItem>,
    pub(super) links: Vec<Link>,
    pub(super) injection: bool,
}

#[derive(Clone)]
pub(super) struct Ctx {
    pub(super) region: Region,
    pub(super) in_section: bool,
    pub(super) background: Rgb,
    pub(super) background_known: bool,
    pub(super) color: Paint,
    pub(super) heading: Option<String>,
    pub(super) depth: usize,
    pub(super) container: usize,
}

/// What a subtree holds, for finding news items bottom-up.
#[derive(Debug, Default)]
pub(super) struct Summary {
    pub(super) dates: Vec<String>,
    pub(super) has_time: bool,
    pub(super) leading_date: Option<String>,
    pub(super) first_text_seen: bool,
    pub(super) letters: usize,
    pub(super) has_item: bool,
}

impl Summary {
    pub(super) fn absorb(&mut self, child: Summary) {
        for d in child.dates {
            if !self.dates.contains(&d) && self.dates.len() < 3 {
                self.dates.push(d);
            }
        }
        self.has_time |= child.has_time;
        if !self.first_text_seen && child.first_text_seen {
            self.first_text_seen = true;
            self.leading_date = child.leading_date;
        }
        self.letters += child.letters;
        self.has_item |= child.has_item;
    }
}

pub(super) const BLOCK_TAGS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "body",
    "caption",
    "dd",
    "details",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hgroup",
    "hr",
    "html",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul",
];
/// Never visible as page text: scripts (JSON-LD is read separately), styles, `<noscript>`
/// (a visitor with scripts sees the other branch), embedded documents and form controls.
pub(super) const SKIP_TAGS: &[&str] = &[
    "script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "math",
    "canvas", "select", "option", "button", "textarea", "input", "head", "audio", "video", "map",
    "dialog",
];
pub(super) const NEWS_CANDIDATES: &[&str] = &[
    "article",
    "li",
    "div",
    "section",
    "p",
    "tr",
    "dd",
    "aside",
    "blockquote",
];

pub(super) struct Walker<'s> {
    pub(super) sheet: &'s Sheet,
    pub(super) blocks: Vec<Block>,
    pub(super) buf: String,
    pub(super) news: Vec<NewsItem>,
    pub(super) links: Vec<Link>,
    pub(super) url: String,
    pub(super) next_container: usize,
}

pub(super) struct Owner {
    pub(super) kind: Kind,
    pub(super) region: Region,
    pub(super) heading: Option<String>,
    pub(super) container: usize,
}

pub(super) fn is_boilerplate_marker(el: &scraper::node::Element) -> bool {
    pattern!(
        MARK,
        r"(?i)(cookie|consent|gdpr|newsletter|breadcrumb|skip-?link|skip-?to|popup|modal|banner-?ad|advert|share-?buttons|social-?links)"
    );
    pattern!(
        TOKEN,
        r"(?i)^(nav|navbar|navigation|menu|main-?menu|site-?nav|topbar|top-?bar|sr-only|visually-?hidden|screen-?reader-?text)$"
    );
    let id = el.id().unwrap_or("");
    if MARK.is_match(id) || TOKEN.is_match(id) {
        return true;
    }
    el.classes().any(|c| MARK.is_match(c) || TOKEN.is_match(c))
}

impl<'s> Walker<'s> {
    pub(super) fn flush(&mut self, owner: &Owner) {
        let text = normalize_ws(&self.buf);
        self.buf.clear();
        if text.is_empty() {
            return;
        }
        self.blocks.push(Block {
            text,
            kind: owner.kind,
            region: owner.region,
            heading: owner.heading.clone(),
            news: false,
            container: owner.container,
            injected: false,
        });
    }

    pub(super) fn walk(&mut self, el: ElementRef<'_>, parent: &Ctx, owner: &Owner) -> Summary {
        let mut summary = Summary::default();
        let e = el.value();
        let tag = e.name().to_ascii_lowercase();
        if parent.depth >= MAX_DEPTH || SKIP_TAGS.contains(&tag.as_str()) {
            return summary;
        }
        // Hidden by markup.
        if hidden_by_markup(e) {
            return summary;
        }
        let mut style = self.sheet.style_of(e);
        if let Some(inline) = e.attr("style") {
            style.merge(&parse_declarations(inline));
        }
        if style.hides {
            return summary;
        }
        let mut ctx = parent.clone();
        ctx.depth += 1;
        match style.background {
            Some(Paint::Rgb(rgb)) => {
                ctx.background = rgb;
                ctx.background_known = true;
            }
            Some(Paint::Unknown) => ctx.background_known = false,
            Some(Paint::Transparent) | None => {}
        }
        if let Some(c) = style.color {
            ctx.color = c;
        }
        // Same colour as what is behind it, or transparent: nobody can read the element's own
        // text (its children may set a readable colour again, so they are still walked).
        let invisible_ink = match ctx.color {
            Paint::Transparent => true,
            Paint::Rgb(c) => ctx.background_known && near(c, ctx.background),
            Paint::Unknown => false,
        };
        let role = e.attr("role").unwrap_or("").to_ascii_lowercase();
        if tag == "nav"
            || role == "navigation"
            || role == "menu"
            || role == "menubar"
            || is_boilerplate_marker(e)
        {
            ctx.region = Region::Boilerplate;
        } else if ((tag == "footer" && !ctx.in_section) || role == "contentinfo")
            && ctx.region != Region::Boilerplate
        {
            ctx.region = Region::Footer;
        }
        if matches!(tag.as_str(), "article" | "section" | "main" | "aside") {
            ctx.in_section = true;
        }
        if tag == "a"
            && let Some(href) = e.attr("href")
        {
            let text = normalize_ws(&el.text().collect::<String>());
            if let Ok(base) = Url::parse(&self.url)
                && let Ok(abs) = base.join(href.trim())
            {
                self.links.push(Link {
                    href: abs.to_string(),
                    text,
                });
            }
        }
        if tag == "br" {
            self.buf.push('\n');
            return summary;
        }
        if tag == "time"
            && let Some(d) = e.attr("datetime").and_then(full_date_prefix)
        {
            summary.dates.push(d.0);
            summary.has_time = true;
        }

        let is_block = BLOCK_TAGS.contains(&tag.as_str());
        let own_owner;
        let owner = if is_block {
            self.flush(owner);
            self.next_container += 1;
            ctx.container = self.next_container;
            let kind = match tag.as_str() {
                "h1" => Kind::Heading(1),
                "h2" => Kind::Heading(2),
                "h3" => Kind::Heading(3),
                "h4" => Kind::Heading(4),
                "h5" => Kind::Heading(5),
                "h6" => Kind::Heading(6),
                "p" | "blockquote" | "address" | "pre" | "figcaption" => Kind::Paragraph,
                "li" | "td" | "th" => Kind::Item,
                "dt" => Kind::Term,
                "dd" => Kind::Definition,
                _ => Kind::Other,
            };
            own_owner = Owner {
                kind,
                region: ctx.region,
                heading: parent.heading.clone(),
                container: parent.container,
            };
            &own_owner
        } else {
            owner
        };
        let start = self.blocks.len();

        // Headings seen among this element's children label the blocks that follow them.
        let mut local_heading = parent.heading.clone();
        for child in el.children() {
            match child.value() {
                Node::Text(t) => {
                    let text: &str = t;
                    let cleaned = text.replace(|c: char| c.is_whitespace(), " ");
                    if invisible_ink {
                        self.buf.push(' ');
                        continue;
                    }
                    if cleaned.trim().is_empty() {
                        self.buf.push_str(&cleaned);
                        continue;
                    }
                    let mut s = Summary::default();
                    let dates = full_dates(&cleaned);
                    let trimmed = cleaned.trim_start_matches(|c: char| !c.is_alphanumeric());
                    s.first_text_seen = true;
                    s.leading_date = full_date_prefix(trimmed).map(|d| d.0);
                    let mut letters = cleaned.chars().filter(|c| c.is_alphabetic()).count();
                    for (a, b, iso) in &dates {
                        letters = letters.saturating_sub(
                            cleaned[*a..*b]
                                .chars()
                                .filter(|c| c.is_alphabetic())
                                .count(),
                        );
                        if !s.dates.contains(iso) {
                            s.dates.push(iso.clone());
                        }
                    }
                    s.letters = letters;
                    summary.absorb(s);
                    self.buf.push_str(&cleaned);
                }
                Node::Element(_) => {
                    if let Some(child_el) = ElementRef::wrap(child) {
                        let child_tag = child_el.value().name().to_ascii_lowercase();
                        let mut child_ctx = ctx.clone();
                        child_ctx.heading = local_heading.clone();
                        let before = self.blocks.len();
                        let s = self.walk(child_el, &child_ctx, owner);
                        summary.absorb(s);
                        if matches!(child_tag.as_str(), "h1" | "h2" | "h3" | "h4" | "h5" | "h6") {
                            local_heading = self.blocks[before..]
                                .iter()
                                .rev()
                                .find(|b| matches!(b.kind, Kind::Heading(_)))
                                .map(|b| b.text.clone())
                                .or(local_heading);
                        }
                    }
                }
                _ => {}
            }
        }

        if is_block {
            self.flush(owner);
            let end = self.blocks.len();
            let news_like = e.classes().chain(e.id()).any(|c| {
                let c = c.to_ascii_lowercase();
                c.contains("news")
                    || c.contains("press")
                    || c.contains("post")
                    || c.contains("release")
            });
            if NEWS_CANDIDATES.contains(&tag.as_str())
                && !summary.has_item
                && ctx.region == Region::Main
                && summary.dates.len() == 1
                && (summary.has_time || summary.leading_date.is_some() || news_like)
                && summary.letters >= 12
                && end > start
            {
                if let Some(item) =
                    news_item(&self.blocks[start..end], &summary.dates[0], &self.url)
                {
                    self.news.push(item);
                }
                for b in &mut self.blocks[start..end] {
                    b.news = true;
                }
                summary.has_item = true;
            }
        }
        summary
    }
}
