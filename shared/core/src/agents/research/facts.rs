//! Fact sentences, boilerplate, regulatory and address lines.

use super::*;

// Extraction

/// Sentences of a block: split after `.`, `!` or `?` followed by a capital or a digit, except
/// after common abbreviations ("Dr.", "Inc.") and initials; a `<br>` always splits.
pub(super) fn sentences(text: &str) -> Vec<String> {
    const ABBREV: &[&str] = &[
        "dr", "mr", "mrs", "ms", "prof", "inc", "ltd", "co", "corp", "st", "no", "vs", "e.g",
        "i.e", "approx", "jr", "sr", "etc", "ca", "mt", "ft", "bros", "dept", "est", "nr", "tel",
        "fig", "b.v", "n.v", "s.a", "plc",
    ];
    let mut out = Vec::new();
    for line in text.split('\n') {
        let chars: Vec<(usize, char)> = line.char_indices().collect();
        let mut start = 0usize;
        for (k, &(i, c)) in chars.iter().enumerate() {
            if !matches!(c, '.' | '!' | '?') {
                continue;
            }
            let next_is_space = chars.get(k + 1).is_some_and(|(_, n)| n.is_whitespace());
            let after = chars.get(k + 2).map(|(_, n)| *n);
            let starts_sentence = after
                .is_some_and(|n| n.is_uppercase() || n.is_ascii_digit() || "\"“'(".contains(n));
            if !(next_is_space && starts_sentence) {
                continue;
            }
            if c == '.' {
                let word: String = line[start..i]
                    .rsplit(|ch: char| ch.is_whitespace() || ch == '(')
                    .next()
                    .unwrap_or("")
                    .to_lowercase();
                let single_initial =
                    word.chars().count() == 1 && word.chars().all(|ch| ch.is_alphabetic());
                if ABBREV.contains(&word.as_str()) || single_initial {
                    continue;
                }
            }
            let s = line[start..=i].trim();
            if !s.is_empty() {
                out.push(s.to_string());
            }
            start = i + c.len_utf8();
        }
        let s = line[start..].trim();
        if !s.is_empty() {
            out.push(s.to_string());
        }
    }
    out
}

pattern!(pub(super) BOILERPLATE, r"(?xi)
            (
                \bcookies?\b
              | all\ rights\ reserved
              | ©
              | \(c\)\s*\d{4}
              | copyright
              | privacy\ (policy|notice)
              | terms\ (of|and)\ (use|service|conditions)
              | t&cs
              | \bsign\ ?up\b
              | subscribe
              | newsletter
              | read\ more
              | learn\ more
              | see\ (open\ )?roles
              | contact\ us
              | click\ here
              | gamble\ responsibly
              | play\ responsibly
              | begambleaware
              | 18\+\ only
              | javascript
            )
        ");

pattern!(pub(super) FACT_WORDS, r"(?xi)
            \b
            (
                founded
              | established
              | started
              | launched
              | since
              | headquarter\w*
              | head\ office
              | hq
              | based\ in
              | offices?
              | employ\w*
              | people
              | team
              | colleagues
              | staff
              | workforce
              | customers?
              | clients?
              | members
              | users
              | subscribers
              | listeners
              | shippers
              | merchants
              | partners?
              | ceo
              | cto
              | cfo
              | coo
              | cdo
              | cio
              | cmo
              | chief
              | head\ of
              | vp
              | vice\ president
              | director
              | founders?
              | co-founders?
              | president
              | chair\w*
              | managing
              | leads?
              | led\ by
              | manager
              | products?
              | platform
              | app
              | software
              | saas
              | api
              | services?
              | solutions?
              | stores?
              | network
              | licen[cs]ed
              | authori[sz]ed
              | regulated
              | certified
              | compliant
              | accredited
              | soc\ ?2
              | iso\ ?\d+
              | hipaa
              | gdpr
              | pci
              | acquired
              | acquisition
              | raised
              | series\ [a-f]
              | funding
              | invest\w*
              | revenue
              | arr
              | serves?
              | serving
              | helps?
              | offers?
              | provides?
              | operates?
              | runs?
              | sells?
              | delivers?
              | builds?
              | makes?
              | manufactur\w*
              | countries
              | cities
              | locations
              | warehouses?
              | facilit\w+
              | stations
              | clinics
              | restaurants
              | brands
              | owned
              | subsidiary
              | listed
              | stock\ exchange
            )\b
        ");

/// Is this sentence a company fact worth keeping?
pub(super) fn is_fact_sentence(s: &str) -> bool {
    let words = s
        .split_whitespace()
        .filter(|w| w.chars().any(|c| c.is_alphanumeric()))
        .count();
    if !(2..=70).contains(&words) || BOILERPLATE.is_match(s) {
        return false;
    }
    let has_number = s.chars().any(|c| c.is_ascii_digit());
    let has_letters = s.chars().filter(|c| c.is_alphabetic()).count() >= 6;
    has_letters
        && (has_number && words >= 2
            || FACT_WORDS.is_match(s) && words >= 3
            || !tech_in(s).is_empty())
}

pattern!(pub(super) REGULATORY, r"(?i)\b(authori[sz]ed|licen[cs]ed|regulated|registered (office|address|in)|head office|headquarter\w*|certified|accredited|member of)\b");
pattern!(pub(super) ADDRESS, r"(?xi)
            (
                \b\d{1,5}[a-z]?\s+[A-Za-zÀ-ÿ][\w\ .'-]*,\s*[\w\ .'-]+
              | \b[A-Za-zÀ-ÿ][\w\ .'-]*\s+\d{1,5}[a-z]?,\s*[\w\ .'-]+
              | \b\d{4,5}\s+[A-Za-zÀ-ÿ]
              | \b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b
              | \b[A-Z]\d{2}\s*[A-Z\d]{4}\b
            )
        ");

/// Facts in a legal footer: the regulatory lines and the registered address, nothing else.
pub(super) fn footer_facts(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for sentence in sentences(text) {
        if REGULATORY.is_match(&sentence) && !BOILERPLATE.is_match(&sentence) {
            out.push(sentence);
            continue;
        }
        for segment in sentence.split(['·', '|', '•']) {
            let seg = segment.trim().trim_end_matches(['.', ',']);
            let words = seg.split_whitespace().count();
            if (2..=16).contains(&words)
                && ADDRESS.is_match(seg)
                && !BOILERPLATE.is_match(seg)
                && seg.contains(',')
            {
                out.push(format!("Address: {seg}"));
            } else if (2..=5).contains(&words) && is_place(seg) {
                out.push(format!("Location: {seg}"));
            }
        }
    }
    out
}

/// "Manchester, UK": a place name followed by a country (a footer's short form of the address).
pub(super) fn is_place(segment: &str) -> bool {
    pattern!(
        COUNTRY,
        r"(?x)
                ^
                (?:
                    USA
                  | US
                  | U\.S\.A?\.?
                  | United\ States
                  | UK
                  | U\.K\.
                  | United\ Kingdom
                  | Great\ Britain
                  | England
                  | Scotland
                  | Wales
                  | Northern\ Ireland
                  | Ireland
                  | Canada
                  | Mexico
                  | Brazil
                  | Argentina
                  | Chile
                  | Germany
                  | Deutschland
                  | Austria
                  | Österreich
                  | Switzerland
                  | Schweiz
                  | Suisse
                  | France
                  | Belgium
                  | Belgique
                  | België
                  | Netherlands
                  | The\ Netherlands
                  | Nederland
                  | Luxembourg
                  | Spain
                  | España
                  | Portugal
                  | Italy
                  | Italia
                  | Sweden
                  | Sverige
                  | Norway
                  | Norge
                  | Denmark
                  | Danmark
                  | Finland
                  | Suomi
                  | Iceland
                  | Poland
                  | Polska
                  | Czechia
                  | Czech\ Republic
                  | Estonia
                  | Latvia
                  | Lithuania
                  | Greece
                  | Turkey
                  | Israel
                  | UAE
                  | United\ Arab\ Emirates
                  | India
                  | Singapore
                  | Japan
                  | China
                  | Hong\ Kong
                  | South\ Korea
                  | Australia
                  | New\ Zealand
                  | South\ Africa
                  | Nigeria
                  | Kenya
                  | Egypt
                  | [A-Z]{2}
                )$
            "
    );
    let Some((place, country)) = segment.rsplit_once(',') else {
        return false;
    };
    let place = place.trim();
    place.chars().next().is_some_and(char::is_uppercase)
        && !place.chars().any(|c| c.is_ascii_digit())
        && COUNTRY.is_match(country.trim())
}
