//! CSS as far as hiding text goes: declaration blocks (`display:none`, `visibility`,
//! `opacity`, tiny fonts, off-screen positions, clipping, zero-size boxes with hidden
//! overflow, `mso-hide`), simple stylesheet selectors ([`Sheet`]) and paint (colours,
//! transparency, "same colour as what is behind it").

use super::patterns::pattern;
use std::collections::HashMap;

pub type Rgb = (u8, u8, u8);

/// A colour as far as hiding goes: a known colour, transparent, or something we cannot
/// evaluate (a gradient, an image, a CSS variable) which never counts as "same colour".
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Paint {
    Rgb(Rgb),
    Transparent,
    Unknown,
}

/// What the declarations that apply to one element say about its visibility.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Style {
    pub hides: bool,
    pub color: Option<Paint>,
    pub background: Option<Paint>,
}

impl Style {
    pub fn merge(&mut self, other: &Style) {
        self.hides |= other.hides;
        if other.color.is_some() {
            self.color = other.color;
        }
        if other.background.is_some() {
            self.background = other.background;
        }
    }
}

/// Simple selectors of the page's `<style>` blocks: enough to see `.sr-only{…}` or
/// `.note{display:none}`. Complex selectors contribute only when they hide, through their
/// rightmost class or id (hiding too much loses a fact; hiding too little could leak one).
#[derive(Debug, Default)]
pub struct Sheet {
    pub by_tag: HashMap<String, Style>,
    pub by_class: HashMap<String, Style>,
    pub by_id: HashMap<String, Style>,
    pub by_tag_class: HashMap<(String, String), Style>,
}

impl Sheet {
    pub fn parse(css: &str) -> Sheet {
        let mut sheet = Sheet::default();
        let css = strip_css_comments(css);
        let bytes = css.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let Some(open) = css[i..].find('{').map(|o| o + i) else {
                break;
            };
            let selector = css[i..open].trim();
            // The matching close brace (at-rules nest).
            let mut depth = 0usize;
            let mut close = bytes.len();
            for (j, &b) in bytes.iter().enumerate().skip(open) {
                if b == b'{' {
                    depth += 1;
                } else if b == b'}' {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        close = j;
                        break;
                    }
                }
            }
            let body = &css[(open + 1).min(css.len())..close.min(css.len())];
            i = close.saturating_add(1);
            // At-rules (@media, @supports, @font-face…) are skipped: print or narrow-screen
            // rules say nothing about what a visitor sees on a desktop.
            if selector.starts_with('@') || body.contains('{') {
                continue;
            }
            let style = parse_declarations(body);
            if style == Style::default() {
                continue;
            }
            for sel in selector.split(',') {
                sheet.add(sel.trim(), &style);
            }
        }
        sheet
    }

    pub fn add(&mut self, selector: &str, style: &Style) {
        if selector.is_empty() || selector.contains(':') || selector.contains('[') {
            return;
        }
        let compounds: Vec<&str> = selector
            .split(|c: char| c.is_whitespace() || c == '>' || c == '+' || c == '~')
            .filter(|s| !s.is_empty())
            .collect();
        let Some(last) = compounds.last() else {
            return;
        };
        let complex = compounds.len() > 1;
        let (tag, classes, id) = split_compound(last);
        if complex {
            // Only hiding travels, and only through a class or an id.
            if !style.hides || (classes.is_empty() && id.is_none()) {
                return;
            }
            let hide = Style {
                hides: true,
                ..Style::default()
            };
            if let Some(id) = id {
                self.by_id.entry(id).or_default().merge(&hide);
            } else if let Some(c) = classes.last() {
                self.by_class.entry(c.clone()).or_default().merge(&hide);
            }
            return;
        }
        match (tag, classes.as_slice(), id) {
            (_, _, Some(id)) => self.by_id.entry(id).or_default().merge(style),
            (Some(t), [], None) => self.by_tag.entry(t).or_default().merge(style),
            (None, [c], None) => self.by_class.entry(c.clone()).or_default().merge(style),
            (Some(t), [c], None) => self
                .by_tag_class
                .entry((t, c.clone()))
                .or_default()
                .merge(style),
            (None, cs, None) if !cs.is_empty() && style.hides => {
                // `.a.b{display:none}`: hiding through the last class.
                if let Some(c) = cs.last() {
                    let hide = Style {
                        hides: true,
                        ..Style::default()
                    };
                    self.by_class.entry(c.clone()).or_default().merge(&hide);
                }
            }
            _ => {}
        }
    }

    pub fn style_of(&self, el: &scraper::node::Element) -> Style {
        let mut style = Style::default();
        let tag = el.name().to_ascii_lowercase();
        if let Some(s) = self.by_tag.get(&tag) {
            style.merge(s);
        }
        if let Some(s) = self.by_tag.get("*") {
            style.merge(s);
        }
        for class in el.classes() {
            if let Some(s) = self.by_class.get(class) {
                style.merge(s);
            }
            if let Some(s) = self.by_tag_class.get(&(tag.clone(), class.to_string())) {
                style.merge(s);
            }
        }
        if let Some(id) = el.id()
            && let Some(s) = self.by_id.get(id)
        {
            style.merge(s);
        }
        style
    }
}

pub fn split_compound(compound: &str) -> (Option<String>, Vec<String>, Option<String>) {
    let mut tag = String::new();
    let mut classes = Vec::new();
    let mut id = None;
    let mut cur = String::new();
    let mut kind = 't';
    let mut flush = |kind: char, cur: &mut String, tag: &mut String| {
        if !cur.is_empty() {
            match kind {
                '.' => classes.push(std::mem::take(cur)),
                '#' => id = Some(std::mem::take(cur)),
                _ => *tag = std::mem::take(cur).to_ascii_lowercase(),
            }
        }
    };
    for c in compound.chars() {
        if c == '.' || c == '#' {
            flush(kind, &mut cur, &mut tag);
            kind = c;
        } else {
            cur.push(c);
        }
    }
    flush(kind, &mut cur, &mut tag);
    let tag = if tag.is_empty() { None } else { Some(tag) };
    (tag, classes, id)
}

pub fn strip_css_comments(css: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(start) = rest.find("/*") {
        out.push_str(&rest[..start]);
        match rest[start + 2..].find("*/") {
            Some(end) => rest = &rest[start + 2 + end + 2..],
            None => return out,
        }
    }
    out.push_str(rest);
    out
}

/// Read one declaration block (`display:none; color:#fff`) for what hides text.
pub fn parse_declarations(body: &str) -> Style {
    let mut style = Style::default();
    let mut props: HashMap<String, String> = HashMap::new();
    for decl in body.split(';') {
        let Some((name, value)) = decl.split_once(':') else {
            continue;
        };
        let name = name.trim().to_ascii_lowercase();
        let value = value
            .trim()
            .trim_end_matches("!important")
            .trim()
            .to_ascii_lowercase();
        props.insert(name, value);
    }
    let get = |k: &str| props.get(k).map(String::as_str);
    let is = |k: &str, v: &str| get(k) == Some(v);
    if is("display", "none")
        || is("visibility", "hidden")
        || is("visibility", "collapse")
        || is("content-visibility", "hidden")
    {
        style.hides = true;
    }
    if let Some(o) = get("opacity").and_then(|v| v.trim_end_matches('%').parse::<f32>().ok())
        && o < 0.05
    {
        style.hides = true;
    }
    if get("font-size").is_some_and(tiny_font) || is("mso-hide", "all") {
        style.hides = true;
    }
    if get("font").is_some_and(|v| {
        v.split_whitespace()
            .any(|t| css_length_px(t.split('/').next().unwrap_or("")).is_some_and(|px| px < 2.0))
    }) {
        style.hides = true;
    }
    // Off-screen: pushed far to the left or top, or out of view by text-indent/transform.
    for k in [
        "left",
        "top",
        "right",
        "margin-left",
        "margin-top",
        "text-indent",
    ] {
        if get(k)
            .and_then(css_length_px)
            .is_some_and(|px| px <= -500.0)
        {
            style.hides = true;
        }
    }
    if let Some(t) = get("transform") {
        pattern!(TRANSLATE, r"-\s*(\d+(?:\.\d+)?)(px|em|rem|vw|vh|%)");
        for c in TRANSLATE.captures_iter(t) {
            let v: f32 = c[1].parse().unwrap_or(0.0);
            let px = match &c[2] {
                "px" => v,
                "em" | "rem" => v * 16.0,
                _ => v * 10.0,
            };
            if px >= 500.0 {
                style.hides = true;
            }
        }
        if t.contains("scale(0)")
            || t.contains("scale(0,")
            || t.contains("scalex(0)")
            || t.contains("scaley(0)")
        {
            style.hides = true;
        }
    }
    let positioned = matches!(get("position"), Some("absolute") | Some("fixed"));
    if let Some(clip) = get("clip")
        && positioned
        && clip.starts_with("rect(")
    {
        let nums: Vec<f32> = clip
            .trim_start_matches("rect(")
            .trim_end_matches(')')
            .split([',', ' '])
            .filter_map(css_length_px)
            .collect();
        if nums.iter().all(|v| *v <= 1.0) {
            style.hides = true;
        }
    }
    if let Some(cp) = get("clip-path")
        && (cp.contains("inset(50%") || cp.contains("inset(100%") || cp.contains("circle(0"))
    {
        style.hides = true;
    }
    let overflow_hidden =
        get("overflow").is_some_and(|v| v.contains("hidden") || v.contains("clip"));
    let tiny = |k: &str| get(k).and_then(css_length_px).is_some_and(|px| px <= 1.0);
    if overflow_hidden
        && (tiny("width") || tiny("height") || tiny("max-height") || tiny("max-width"))
    {
        style.hides = true;
    }
    if let Some(c) = get("color") {
        style.color = Some(parse_paint(c));
    }
    if let Some(b) = get("background-color").or(get("background")) {
        style.background = Some(parse_background(b));
    }
    style
}

/// A font size nobody can read: 0 in any unit, at most 2 px, 1.5 pt, 0.15 em or 15 %, or
/// anything else under 2 px.
fn tiny_font(v: &str) -> bool {
    let v = v.trim();
    let split = v
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(v.len());
    let (num, unit) = v.split_at(split);
    match (num.parse::<f32>(), unit.trim()) {
        (Ok(0.0), _) => true,
        (Ok(n), "" | "px") => n <= 2.0,
        (Ok(n), "pt") => n <= 1.5,
        (Ok(n), "em" | "rem") => n <= 0.15,
        (Ok(n), "%") => n <= 15.0,
        _ => css_length_px(v).is_some_and(|px| px < 2.0),
    }
}

/// A CSS length in pixels (`0`, `12px`, `-9999px`, `0.5em`, `0%`); `None` for anything else.
pub fn css_length_px(v: &str) -> Option<f32> {
    let v = v.trim();
    let split = v
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-' || c == '+'))
        .unwrap_or(v.len());
    let (num, unit) = v.split_at(split);
    let n: f32 = num.parse().ok()?;
    match unit.trim() {
        "" | "px" => Some(n),
        "em" | "rem" => Some(n * 16.0),
        "pt" => Some(n * 4.0 / 3.0),
        "%" if n == 0.0 => Some(0.0),
        "%" => Some(n * 0.16), // of a 16px parent font: only ever compared with tiny values
        "vw" | "vh" => Some(n * 10.0),
        _ => None,
    }
}

pub fn parse_background(v: &str) -> Paint {
    let v = v.trim();
    if v == "none" || v == "transparent" || v == "initial" || v == "unset" || v == "inherit" {
        return Paint::Transparent;
    }
    if v.contains("url(") || v.contains("gradient") || v.contains("var(") {
        return Paint::Unknown;
    }
    // The shorthand: the first token that is a colour.
    let mut depth = 0;
    let mut token = String::new();
    let mut tokens = Vec::new();
    for c in v.chars() {
        match c {
            '(' => {
                depth += 1;
                token.push(c);
            }
            ')' => {
                depth -= 1;
                token.push(c);
            }
            c if c.is_whitespace() && depth == 0 => {
                if !token.is_empty() {
                    tokens.push(std::mem::take(&mut token));
                }
            }
            c => token.push(c),
        }
    }
    if !token.is_empty() {
        tokens.push(token);
    }
    for t in tokens {
        match parse_paint(&t) {
            Paint::Unknown => continue,
            p => return p,
        }
    }
    Paint::Unknown
}

pub fn parse_paint(v: &str) -> Paint {
    let v = v.trim().to_ascii_lowercase();
    match v.as_str() {
        "transparent" => return Paint::Transparent,
        "white" | "snow" | "ghostwhite" | "ivory" | "floralwhite" | "whitesmoke" => {
            return Paint::Rgb(match v.as_str() {
                "white" => (255, 255, 255),
                "whitesmoke" => (245, 245, 245),
                _ => (250, 250, 250),
            });
        }
        "black" => return Paint::Rgb((0, 0, 0)),
        _ => {}
    }
    if let Some(hex) = v.strip_prefix('#') {
        // The 6- and 8-digit forms are sliced by bytes: a non-ASCII "hex" (`#éb4f6c`, found by
        // fuzzing) would split a character and panic. It is no colour.
        if !hex.is_ascii() {
            return Paint::Unknown;
        }
        let h = |s: &str| u8::from_str_radix(s, 16).ok();
        let d = |c: char| u8::from_str_radix(&c.to_string(), 16).ok().map(|x| x * 17);
        let cs: Vec<char> = hex.chars().collect();
        let parsed = match cs.len() {
            3 | 4 => match (d(cs[0]), d(cs[1]), d(cs[2])) {
                (Some(r), Some(g), Some(b)) => {
                    if cs.len() == 4 && d(cs[3]) == Some(0) {
                        return Paint::Transparent;
                    }
                    Some((r, g, b))
                }
                _ => None,
            },
            6 | 8 => match (h(&hex[0..2]), h(&hex[2..4]), h(&hex[4..6])) {
                (Some(r), Some(g), Some(b)) => {
                    if hex.len() == 8 && h(&hex[6..8]) == Some(0) {
                        return Paint::Transparent;
                    }
                    Some((r, g, b))
                }
                _ => None,
            },
            _ => None,
        };
        return parsed.map(Paint::Rgb).unwrap_or(Paint::Unknown);
    }
    if let Some(args) = v.strip_prefix("rgba(").or_else(|| v.strip_prefix("rgb(")) {
        let parts: Vec<&str> = args
            .trim_end_matches(')')
            .split([',', ' ', '/'])
            .filter(|s| !s.is_empty())
            .collect();
        let channel = |s: &str| -> Option<u8> {
            if let Some(p) = s.strip_suffix('%') {
                p.parse::<f32>()
                    .ok()
                    .map(|x| (x.clamp(0.0, 100.0) * 2.55).round() as u8)
            } else {
                s.parse::<f32>()
                    .ok()
                    .map(|x| x.clamp(0.0, 255.0).round() as u8)
            }
        };
        if parts.len() >= 4 {
            let a = parts[3];
            let alpha = a.strip_suffix('%').map_or_else(
                || a.parse::<f32>().ok(),
                |p| p.parse::<f32>().ok().map(|x| x / 100.0),
            );
            if alpha.is_some_and(|x| x < 0.05) {
                return Paint::Transparent;
            }
        }
        if parts.len() >= 3
            && let (Some(r), Some(g), Some(b)) =
                (channel(parts[0]), channel(parts[1]), channel(parts[2]))
        {
            return Paint::Rgb((r, g, b));
        }
    }
    if let Some(args) = v.strip_prefix("hsla(").or_else(|| v.strip_prefix("hsl(")) {
        let parts: Vec<&str> = args
            .trim_end_matches(')')
            .split([',', ' ', '/'])
            .filter(|s| !s.is_empty())
            .collect();
        if parts.len() >= 3
            && let Some(l) = parts[2]
                .strip_suffix('%')
                .and_then(|x| x.parse::<f32>().ok())
        {
            // Only the extremes matter for "same colour as the page": white and black.
            if l >= 99.0 {
                return Paint::Rgb((255, 255, 255));
            }
            if l <= 1.0 {
                return Paint::Rgb((0, 0, 0));
            }
        }
    }
    Paint::Unknown
}

pub fn near(a: Rgb, b: Rgb) -> bool {
    let d = |x: u8, y: u8| (x as i32 - y as i32).pow(2);
    d(a.0, b.0) + d(a.1, b.1) + d(a.2, b.2) < 20 * 20
}

impl Paint {
    /// White or nearly white (every channel at least 240).
    pub fn is_whiteish(&self) -> bool {
        matches!(self, Paint::Rgb((r, g, b)) if *r >= 240 && *g >= 240 && *b >= 240)
    }
}
