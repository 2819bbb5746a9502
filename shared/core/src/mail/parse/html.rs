//! HTML to the text a reader sees, with the hidden text kept apart.

use super::*;

pub(super) struct HtmlText {
    pub(super) visible: String,
    pub(super) hidden: Vec<String>,
}

/// Writes text the way a mail client shows it: collapsed whitespace, block elements on
/// their own lines, blockquotes prefixed with `> ` so quote removal works as on plain text.
pub(super) struct TextSink {
    pub(super) out: String,
    pub(super) quote_depth: usize,
    pub(super) at_line_start: bool,
    pub(super) pending_space: bool,
    pub(super) just_opened_quote: bool,
}

impl TextSink {
    fn new() -> Self {
        TextSink {
            out: String::new(),
            quote_depth: 0,
            at_line_start: true,
            pending_space: false,
            just_opened_quote: false,
        }
    }

    fn newline(&mut self) {
        self.out.push('\n');
        self.at_line_start = true;
        self.pending_space = false;
    }

    /// End the current line unless it is already ended.
    fn break_line(&mut self) {
        if !self.at_line_start {
            self.newline();
        }
    }

    /// An empty line; inside a quote it is a `>` line, so the quote stays one block.
    fn blank_line(&mut self) {
        self.break_line();
        if self.out.is_empty()
            || self.out.ends_with("\n\n")
            || self.just_opened_quote
            || self.last_line_is_quote_marker()
        {
            return;
        }
        for _ in 0..self.quote_depth {
            self.out.push('>');
        }
        self.newline();
    }

    fn last_line_is_quote_marker(&self) -> bool {
        let body = self.out.strip_suffix('\n').unwrap_or(&self.out);
        let last = body.rsplit('\n').next().unwrap_or("");
        !last.is_empty() && last.chars().all(|c| c == '>')
    }

    fn close_quote(&mut self) {
        self.break_line();
        if self.last_line_is_quote_marker() {
            let body_len = self.out.trim_end_matches('\n').len();
            let line_start = self.out[..body_len].rfind('\n').map_or(0, |p| p + 1);
            self.out.truncate(line_start);
        }
        self.quote_depth = self.quote_depth.saturating_sub(1);
        self.just_opened_quote = false;
    }

    fn start_line(&mut self) {
        self.just_opened_quote = false;
        if self.at_line_start {
            for _ in 0..self.quote_depth {
                self.out.push_str("> ");
            }
            self.at_line_start = false;
        }
    }

    fn text(&mut self, t: &str, pre: bool) {
        if pre {
            for (i, line) in t.split('\n').enumerate() {
                if i > 0 {
                    self.newline();
                }
                if !line.is_empty() {
                    self.start_line();
                    self.out.push_str(line);
                }
            }
            return;
        }
        for (i, word) in t.split_whitespace().enumerate() {
            let space_before = i > 0 || t.starts_with(char::is_whitespace) || self.pending_space;
            if self.at_line_start {
                self.start_line();
            } else if space_before && !self.out.ends_with(' ') {
                self.out.push(' ');
            }
            self.out.push_str(word);
            self.pending_space = false;
        }
        // A word followed by whitespace, or whitespace alone between inline elements,
        // separates this text from the next.
        if t.ends_with(char::is_whitespace) && (!t.trim().is_empty() || !self.at_line_start) {
            self.pending_space = true;
        }
    }
}

pub(super) const BLOCK_TAGS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "center",
    "dd",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "header",
    "li",
    "main",
    "nav",
    "ol",
    "section",
    "table",
    "tbody",
    "thead",
    "tfoot",
    "tr",
    "ul",
];
pub(super) const PARAGRAPH_TAGS: &[&str] = &["p", "h1", "h2", "h3", "h4", "h5", "h6", "pre"];
pub(super) const SKIPPED_TAGS: &[&str] = &[
    "head", "script", "style", "title", "meta", "link", "template", "noscript", "svg", "object",
    "iframe",
];

pub(super) enum Step<'a> {
    Enter(ElementRef<'a>, bool, bool, bool),
    Exit(&'static str, bool),
    Text(&'a str, bool, bool),
    Comment(&'a str),
}

/// HTML beyond this size is not converted: no reply is that long, and the tree builder's
/// work grows with it.
pub(super) const MAX_HTML_BYTES: usize = 2 * 1024 * 1024;
/// Element nesting beyond this depth makes the HTML tree builder slow (its scope checks
/// walk the stack of open elements); such HTML is reduced to text without a tree.
pub(super) const MAX_HTML_DEPTH: usize = 512;

/// Convert HTML into the text a reader sees, and the text a reader does not see.
pub(super) fn html_to_text(html: &str) -> HtmlText {
    let html = truncate_bytes(html, MAX_HTML_BYTES);
    if html_depth_exceeds(html, MAX_HTML_DEPTH) {
        return strip_tags(html);
    }
    let doc = Html::parse_document(html);
    let mut sink = TextSink::new();
    let mut hidden: Vec<String> = Vec::new();
    let mut hidden_buf = String::new();
    for child in doc.tree.root().children() {
        if let Node::Comment(c) = child.value() {
            push_hidden(&mut hidden, c);
        }
    }
    // An explicit stack instead of recursion: hostile HTML can nest deeper than the stack.
    let mut stack: Vec<Step<'_>> = vec![Step::Enter(doc.root_element(), false, false, false)];
    while let Some(step) = stack.pop() {
        match step {
            Step::Comment(c) => push_hidden(&mut hidden, c),
            Step::Text(t, is_hidden, pre) => {
                if is_hidden {
                    hidden_buf.push_str(t);
                } else {
                    sink.text(t, pre);
                }
            }
            Step::Exit(kind, was_hidden_root) => {
                match kind {
                    "quote" => sink.close_quote(),
                    "para" => sink.blank_line(),
                    "block" => sink.break_line(),
                    _ => {}
                }
                if was_hidden_root {
                    push_hidden(&mut hidden, &hidden_buf);
                    hidden_buf.clear();
                }
            }
            Step::Enter(el, parent_hidden, parent_pre, parent_dark) => {
                let value = el.value();
                let name = value.name().to_ascii_lowercase();
                if SKIPPED_TAGS.contains(&name.as_str()) {
                    continue;
                }
                let dark = parent_dark || sets_dark_background(value);
                let hides = !parent_hidden && inline_hides(value, dark);
                let is_hidden = parent_hidden || hides;
                let pre = parent_pre || name == "pre";
                let mut kind = "";
                if !is_hidden {
                    match name.as_str() {
                        "br" => sink.newline(),
                        "hr" => {
                            // Outlook separates the quoted original with a rule; written as
                            // its plain-text form so the quote is found the same way.
                            sink.break_line();
                            sink.text("________________________________", false);
                            sink.newline();
                        }
                        "blockquote" => {
                            sink.break_line();
                            sink.quote_depth += 1;
                            sink.just_opened_quote = true;
                            kind = "quote";
                        }
                        "td" | "th" => sink.text(" ", false),
                        "img" => {}
                        n if PARAGRAPH_TAGS.contains(&n) => {
                            sink.blank_line();
                            kind = "para";
                        }
                        n if BLOCK_TAGS.contains(&n) => {
                            sink.break_line();
                            kind = "block";
                        }
                        _ => {}
                    }
                } else if name == "br" || BLOCK_TAGS.contains(&name.as_str()) {
                    hidden_buf.push(' ');
                }
                stack.push(Step::Exit(kind, hides));
                let children: Vec<_> = el.children().collect();
                for child in children.into_iter().rev() {
                    match child.value() {
                        Node::Text(t) => stack.push(Step::Text(t, is_hidden, pre)),
                        Node::Comment(c) => stack.push(Step::Comment(c)),
                        Node::Element(_) => {
                            if let Some(child_el) = ElementRef::wrap(child) {
                                stack.push(Step::Enter(child_el, is_hidden, pre, dark));
                            }
                        }
                        _ => {}
                    }
                }
            }
        }
    }
    HtmlText {
        visible: normalize_text(&sink.out),
        hidden,
    }
}

/// An estimate of the deepest element nesting (void elements and `/>` do not nest).
pub(crate) fn html_depth_exceeds(html: &str, limit: usize) -> bool {
    const VOID: &[&str] = &[
        "br", "img", "hr", "meta", "link", "input", "wbr", "area", "base", "col", "embed",
        "source", "track", "param", "p", "li", "td", "tr", "th", "option",
    ];
    let bytes = html.as_bytes();
    let mut depth: usize = 0;
    let mut i = 0;
    // The next `>` at or after the last search, kept between tags: searching from every `<`
    // made `<br<br<br…` (no depth, no `>`) quadratic.
    let mut next_gt: Option<usize> = None;
    let mut searched = false;
    while i + 1 < bytes.len() {
        if bytes[i] == b'<' {
            let next = bytes[i + 1];
            if next == b'/' {
                depth = depth.saturating_sub(1);
            } else if next.is_ascii_alphabetic() {
                let name_end = bytes[i + 1..]
                    .iter()
                    .position(|b| !b.is_ascii_alphanumeric())
                    .map_or(bytes.len(), |p| i + 1 + p);
                let name = html.get(i + 1..name_end).unwrap_or("").to_ascii_lowercase();
                if !searched || next_gt.is_some_and(|g| g < i) {
                    next_gt = bytes[i..].iter().position(|&b| b == b'>').map(|p| i + p);
                    searched = true;
                }
                let tag_end = next_gt;
                let self_closing = tag_end.is_some_and(|e| e > 0 && bytes[e - 1] == b'/');
                if !VOID.contains(&name.as_str()) && !self_closing {
                    depth += 1;
                    if depth > limit {
                        return true;
                    }
                }
            }
        }
        i += 1;
    }
    false
}

/// Text of HTML without building a tree: comments are kept apart as hidden text, block
/// ends become line breaks, every other tag is dropped.
pub(super) fn strip_tags(html: &str) -> HtmlText {
    pattern!(COMMENT, r"(?s)<!--(.*?)-->");
    pattern!(
        SKIPPED,
        r"(?is)<(script|style|head)\b.*?</(script|style|head)\s*>"
    );
    pattern!(
        BREAK,
        r"(?i)<(br|/p|/div|/li|/tr|/h[1-6]|/blockquote)\b[^>]*>"
    );
    pattern!(TAG, r"<[^>]*>");
    let mut hidden = Vec::new();
    for c in COMMENT.captures_iter(html) {
        if let Some(m) = c.get(1) {
            push_hidden(&mut hidden, m.as_str());
        }
    }
    let text = COMMENT.replace_all(html, " ");
    let text = SKIPPED.replace_all(&text, " ");
    let text = BREAK.replace_all(&text, "\n");
    let text = TAG.replace_all(&text, "");
    let text = text
        .replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&amp;", "&");
    let lines: Vec<String> = text.lines().map(collapse_spaces).collect();
    HtmlText {
        visible: normalize_text(&lines.join("\n")),
        hidden,
    }
}

pub(super) fn push_hidden(hidden: &mut Vec<String>, text: &str) {
    let t = collapse_spaces(text);
    if !t.is_empty() && !hidden.contains(&t) {
        hidden.push(t);
    }
}
