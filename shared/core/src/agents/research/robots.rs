//! robots.txt (RFC 9309): the rules for the agent's product token.

/// The rules of robots.txt that apply to one product token.
#[derive(Debug, Clone, PartialEq)]
pub struct Robots {
    rules: Vec<RobotsRule>,
    disallow_all: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub(super) struct RobotsRule {
    pub(super) allow: bool,
    /// Normalized pattern without a trailing `$`.
    pub(super) pattern: String,
    pub(super) anchored: bool,
    /// Specificity: the length of the pattern as written.
    pub(super) len: usize,
}

impl Robots {
    /// Everything may be fetched (no robots.txt).
    pub fn allow_all() -> Self {
        Self {
            rules: Vec::new(),
            disallow_all: false,
        }
    }

    /// Nothing may be fetched (robots.txt unreachable).
    pub fn disallow_all() -> Self {
        Self {
            rules: Vec::new(),
            disallow_all: true,
        }
    }

    /// Parse `text` and keep the rules for `token`: the groups naming the token
    /// (case-insensitively), else the `*` groups, else none (everything allowed). Several
    /// groups for the same agent are merged, as RFC 9309 §2.2.1 asks.
    pub fn parse(text: &str, token: &str) -> Self {
        let token = token.to_ascii_lowercase();
        let mut groups: Vec<RobotsGroup> = Vec::new();
        let mut last_was_agent = false;
        for raw in text.trim_start_matches('\u{feff}').lines() {
            let line = raw.split('#').next().unwrap_or("").trim();
            let Some((key, value)) = line.split_once(':') else {
                continue;
            };
            let key = key.trim().to_ascii_lowercase();
            let value = value.trim();
            match key.as_str() {
                "user-agent" | "useragent" | "user agent" => {
                    if !last_was_agent || groups.is_empty() {
                        groups.push((Vec::new(), Vec::new()));
                    }
                    let agent = value
                        .split(|c: char| c == '/' || c.is_whitespace())
                        .next()
                        .unwrap_or("")
                        .to_ascii_lowercase();
                    if let Some(g) = groups.last_mut() {
                        g.0.push(agent);
                    }
                    last_was_agent = true;
                }
                "allow" | "disallow" | "dissallow" | "disalow" => {
                    last_was_agent = false;
                    // An empty Disallow allows everything: it adds no rule.
                    if value.is_empty() {
                        continue;
                    }
                    if let Some(g) = groups.last_mut() {
                        g.1.push((key == "allow", value.to_string()));
                    }
                }
                // Sitemap, Crawl-delay and unknown records neither start nor end a group.
                _ => {}
            }
        }
        let pick = |want: &dyn Fn(&str) -> bool| -> Vec<(bool, String)> {
            groups
                .iter()
                .filter(|(agents, _)| agents.iter().any(|a| want(a)))
                .flat_map(|(_, rules)| rules.iter().cloned())
                .collect()
        };
        let has =
            |want: &dyn Fn(&str) -> bool| groups.iter().any(|(a, _)| a.iter().any(|x| want(x)));
        let specific = |a: &str| a == token;
        let star = |a: &str| a == "*";
        let rules = if has(&specific) {
            pick(&specific)
        } else if has(&star) {
            pick(&star)
        } else {
            Vec::new()
        };
        let rules = rules
            .into_iter()
            .map(|(allow, value)| {
                let (body, anchored) = match value.strip_suffix('$') {
                    Some(b) => (b, true),
                    None => (value.as_str(), false),
                };
                RobotsRule {
                    allow,
                    pattern: normalize_robots_path(body),
                    anchored,
                    len: value.len(),
                }
            })
            .collect();
        Self {
            rules,
            disallow_all: false,
        }
    }

    /// May `path` (with query) be fetched? The longest matching rule decides; on a tie Allow
    /// wins; no matching rule allows. `/robots.txt` itself is always allowed.
    pub fn allows(&self, path: &str) -> bool {
        let path = if path.starts_with('/') {
            path.to_string()
        } else {
            format!("/{path}")
        };
        if path == "/robots.txt" {
            return true;
        }
        if self.disallow_all {
            return false;
        }
        let norm = normalize_robots_path(&path);
        let mut best: Option<&RobotsRule> = None;
        for rule in &self.rules {
            if glob_match(rule.pattern.as_bytes(), norm.as_bytes(), rule.anchored) {
                best = match best {
                    Some(b) if b.len > rule.len || (b.len == rule.len && b.allow) => Some(b),
                    _ => Some(rule),
                };
            }
        }
        best.is_none_or(|r| r.allow)
    }
}

/// One robots.txt group: its user agents (lowercased tokens) and its (allow?, pattern) rules.
pub(super) type RobotsGroup = (Vec<String>, Vec<(bool, String)>);

/// Percent-encoding normal form for robots matching: unreserved characters decoded, other
/// escapes upper-cased, non-ASCII encoded as UTF-8 escapes. `*` and `$` are kept as written.
pub(super) fn normalize_robots_path(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'%'
            && i + 2 < bytes.len()
            && let (Some(hi), Some(lo)) = (hex_val(bytes[i + 1]), hex_val(bytes[i + 2]))
        {
            let v = hi * 16 + lo;
            if v.is_ascii_alphanumeric() || b"-._~".contains(&v) {
                out.push(v as char);
            } else {
                out.push_str(&format!("%{v:02X}"));
            }
            i += 3;
            continue;
        }
        if b.is_ascii() {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
        i += 1;
    }
    out
}

pub(super) fn hex_val(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// Does `text` match `pattern` (with `*` wildcards)? Unanchored patterns match a prefix.
pub(super) fn glob_match(pattern: &[u8], text: &[u8], anchored: bool) -> bool {
    let (mut p, mut t) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    loop {
        if p == pattern.len() {
            if !anchored || t == text.len() {
                return true;
            }
        } else if pattern[p] == b'*' {
            star = Some((p, t));
            p += 1;
            continue;
        } else if t < text.len() && pattern[p] == text[t] {
            p += 1;
            t += 1;
            continue;
        }
        // Mismatch (or anchored end not reached): let the last `*` swallow one more byte.
        match star {
            Some((sp, st)) if st < text.len() => {
                star = Some((sp, st + 1));
                p = sp + 1;
                t = st + 1;
            }
            _ => return false,
        }
    }
}
