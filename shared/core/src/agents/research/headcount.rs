//! Employee counts stated in text, and how far each is trusted.

use super::*;

/// One way an employee count is stated, and how much it is trusted.
pub(super) struct HeadcountPattern {
    pub(super) re: Regex,
    /// Capture group with the number.
    pub(super) group: usize,
    pub(super) confidence: u8,
}

pub(super) const QUAL: &str = r"(?:(?:about|around|approximately|approx\.?|roughly|nearly|almost|over|more than|some|circa|ca\.|close to|upwards of|just over|just under|under|fewer than|less than|at least|a total of|~)\s*)?";
pub(super) const NUM: &str = r"(\d{1,3}(?:[,.\u{a0}\u{202f} ]\d{3})+|\d+(?:\.\d+)?\s?[kK]\b|\d+)";

pub(super) static HEADCOUNT: LazyLock<Vec<HeadcountPattern>> = LazyLock::new(|| {
    let strong = r"(?:employees|staff(?: members)?|colleagues|team ?members|teammates|workers|full[- ]time (?:employees|staff)|ftes?|associates|mitarbeiter(?:innen)?|medewerkers|anställda|ansatte|salariés|collaborateurs)";
    let filler = r"(?:(?:dedicated|talented|passionate|skilled|full[- ]time|part[- ]time|permanent|global|local|brilliant|experienced|amazing|great|happy|motivated|creative)\s+){0,3}";
    let p = |pattern: String, group: usize, confidence: u8| HeadcountPattern {
        re: re(&pattern),
        group,
        confidence,
    };
    vec![
        // "200–500 employees": the lower bound.
        p(
            format!(r"(?i)\b{NUM}\s*(?:-|–|—|to)\s*{NUM}\s+{filler}{strong}\b"),
            1,
            4,
        ),
        p(
            format!(r"(?i)(?:^|[^\w.,])(?:{QUAL}){NUM}\s*(?:\+|plus)?\s+{filler}{strong}\b"),
            1,
            4,
        ),
        p(
            format!(
                r"(?i)\b(?:employees|headcount|staff|team size|workforce|mitarbeiter)\s*[:=]\s*{QUAL}{NUM}"
            ),
            1,
            4,
        ),
        p(
            format!(r"(?i)\bemploy(?:s|ing|ed)?\s+{QUAL}{NUM}\s*\+?"),
            1,
            3,
        ),
        p(
            format!(
                r"(?i)\b(?:team|staff|workforce|headcount|company|family|crew) of\s+{QUAL}{NUM}\s*\+?"
            ),
            1,
            3,
        ),
        p(
            format!(
                r"(?i)\b{NUM}[- ](?:strong|person|people)\s+(?:team|company|workforce|organi[sz]ation)\b"
            ),
            1,
            3,
        ),
        p(
            format!(
                r"(?i)\b(?:we are|we're|we now are|now)\s+{QUAL}{NUM}\s*\+?\s+(?:people|strong|persons|humans|experts|professionals|engineers)\b"
            ),
            1,
            3,
        ),
        p(
            format!(
                r"(?i)(?:^|[^\w.,])(?:{QUAL}){NUM}\s*(?:\+|plus)?\s+{filler}(?:people|persons|professionals|experts|specialists)\b"
            ),
            1,
            1,
        ),
    ]
});

pub(super) fn parse_count(raw: &str) -> Option<u32> {
    let t = raw.trim();
    if let Some(k) = t.strip_suffix(['k', 'K']) {
        let v: f64 = k.trim().parse().ok()?;
        return Some((v * 1000.0).round() as u32);
    }
    let digits: String = t.chars().filter(|c| c.is_ascii_digit()).collect();
    // "2.5" is not a headcount; thousands separators were matched as groups of three.
    if t.contains('.') && !t.split('.').skip(1).all(|g| g.len() == 3) {
        return None;
    }
    digits.parse().ok()
}

/// The employee count a sentence states, with its confidence.
pub(super) fn headcount_in(sentence: &str) -> Option<(u32, u8)> {
    pattern!(
        CUSTOMER_CONTEXT,
        r"(?i)(\b(for|serv\w*|help\w*|reach\w*|by|trusted by|used by|loved by|connect\w*|million|billion)\s*(over|more than|about|around|nearly)?\s*$)"
    );
    pattern!(
        AFTER_CUSTOMER,
        r"(?i)^\s*(use|trust|rely|listen|read|watch|visit|shop|choose|love|enjoy|play|bet|in \d+ countries use)\b"
    );
    // "for companies with 500+ employees" describes customers, not the company.
    pattern!(
        CUSTOMER_SIZE,
        r"(?xi)
                \b
                (?:
                    companies
                  | businesses
                  | organi[sz]ations
                  | firms
                  | enterprises
                  | customers
                  | clients
                  | teams
                  | brands
                  | retailers
                  | employers
                  | sme?s
                )\s+(?:with|of|having|that\ have|employing)\s+(?:up\ to|over|more\ than|fewer\ than|less\ than|under|between|at\ least|around|about)?\s*$
            "
    );
    pattern!(
        FOUNDING_TEAM,
        r"(?i)\b(?:founded|started|built|created|run)\s+by\s+(?:a\s+)?(?:team|group)\s+of\s+\S*\s*$"
    );
    let mut best: Option<(u32, u8)> = None;
    for pat in HEADCOUNT.iter() {
        for caps in pat.re.captures_iter(sentence) {
            let (Some(whole), Some(num)) = (caps.get(0), caps.get(pat.group)) else {
                continue;
            };
            if pat.confidence <= 1 {
                if CUSTOMER_CONTEXT.is_match(&sentence[..num.start()])
                    || AFTER_CUSTOMER.is_match(&sentence[whole.end()..])
                {
                    continue;
                }
                // "11 million people": a number followed by million is an audience, not a team.
                if sentence[num.end()..]
                    .trim_start()
                    .to_lowercase()
                    .starts_with("million")
                {
                    continue;
                }
            }
            let before = &sentence[..num.start()];
            if CUSTOMER_SIZE.is_match(before) || FOUNDING_TEAM.is_match(before) {
                continue;
            }
            let Some(n) = parse_count(num.as_str()) else {
                continue;
            };
            if n == 0 || n > 3_000_000 {
                continue;
            }
            if best.is_none_or(|(_, c)| pat.confidence > c) {
                best = Some((n, pat.confidence));
            }
        }
    }
    best
}
