//! `sqa config suggest-icp`: ideal-customer-profile criteria proposed from what the seller
//! already wrote — the company and product descriptions, value propositions, segments,
//! competitors and the knowledge documents. A person reviews the proposal before it is used.
//!
//! Every criterion names the sentence it came from. Nothing here knows a seller: industries
//! come from the research taxonomy (`lang/industries.toml`), countries from
//! `lang/country-codes.toml`, roles and company sizes from a few generic cue words.

use super::research;
use crate::config::{Seniority, Tiers, Weights};
use regex::Regex;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

/// What the seller wrote, as the suggestion reads it.
#[derive(Debug, Clone, Default)]
pub struct SuggestInput {
    /// The seller's name and product names: never proposed as technology.
    pub own_names: Vec<String>,
    /// Texts by source ("company.description", "company/company.md", …).
    pub texts: Vec<(String, String)>,
    /// Titles of configured segments.
    pub segment_titles: Vec<String>,
    /// Industries of configured segments.
    pub segment_industries: Vec<String>,
    /// Countries the outreach config names (ISO codes).
    pub countries: Vec<String>,
    /// Competitors and `[web] tech`.
    pub tech: Vec<String>,
}

/// The proposal: an ICP in the file format, and why each part is there.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct IcpSuggestion {
    pub industries: Vec<String>,
    pub employee_range: [u64; 2],
    pub countries: Vec<String>,
    pub titles_include: Vec<String>,
    pub seniority_min: Seniority,
    pub tech_stack_any: Vec<String>,
    pub exclude_industries: Vec<String>,
    pub weights: Weights,
    pub tiers: Tiers,
    /// Per criterion, the evidence: `(criterion, source, sentence)`.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub evidence: Vec<Evidence>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Evidence {
    pub criterion: String,
    pub value: String,
    pub source: String,
    pub text: String,
}

/// Words that mark a sentence as being about the seller's customers.
static CUSTOMER_CUE: LazyLock<Regex> = LazyLock::new(|| {
    crate::text::patterns::re(
        r"(?ix)\b(?:
            customers? | clients? | buyers? | users? | serv(?:e|es|ing) | for | built\ for | employers?
          | kunden | für | clientes? | para | klanten | voor | clienti | per | pour
        )\b",
    )
});

/// A line that says what is not served ("Not supported: Norway", "except", "outside").
static NEGATION: LazyLock<Regex> = LazyLock::new(|| {
    crate::text::patterns::re(
        r"(?ix)\b(?:not|no|except|excluding|outside|unsupported|nicht|kein\w*|ausgenommen|pas|sauf|hors|sin|excepto|niet|geen|behalve|tranne|escluso|não|exceto)\b",
    )
});

/// "150–3,000 employees", "50 to 500 people", "companies under ~500 employees".
static SIZE_RANGE: LazyLock<Regex> = LazyLock::new(|| {
    crate::text::patterns::re(
        r"(?ix)(\d[\d,.]*)\s*(?:-|–|—|to|bis|à|a|tot)\s*(\d[\d,.]*)\s*(?:employees|staff|people|fte|mitarbeiter\w*|beschäftigte\w*|salariés|employés|empleados|medewerkers|dipendenti|funcionários)\b",
    )
});

static SIZE_WORD: LazyLock<Regex> = LazyLock::new(|| {
    crate::text::patterns::re(
        r"(?ix)\b(?:(?P<mid>mid-?size[d]?|mid-?market|medium-?sized|mittelst\w*|mittelgro\w*|pme|eti|medianas?|middelgrote?|medie)|(?P<small>small\ businesses|smb|startups?|kleinunternehmen|petites?\ entreprises)|(?P<large>enterprises?|large\ companies|konzerne?|grandes?\ (?:entreprises|empresas)|grote\ bedrijven))\b",
    )
});

/// Role words in a sentence about who buys: "Head of Data", "CFO", "payroll manager".
static ROLE: LazyLock<Regex> = LazyLock::new(|| {
    crate::text::patterns::re(
        r"(?x)\b(?:(?i:head|director|vp|vice\ president|chief|leiter\w*|responsable|directeur|director[ae]?)\s+(?i:of|der|des|de|du|del|van|di)?\s*(?P<area>[A-Za-z][a-z]+(?:\ [A-Z]?[a-z]+)?)|(?P<area2>[A-Za-z][a-z]+)\s+(?i:manager|lead|leads|team|teams|director|engineer\w*|operations))\b|\b(?P<cx>C[A-Z]O)\b",
    )
});

static BUYER_CUE: LazyLock<Regex> = LazyLock::new(|| {
    crate::text::patterns::re(
        r"(?ix)\b(?:buyers?|buys|champion|decision[- ]makers?|sponsor|personas?|who\ buys|for\ teams|entscheider\w*|décideurs?|decisores?|beslissers?)\b",
    )
});

/// Lines that name the tools a customer already runs: "imported from X, Y or Z".
static TOOL_CUE: LazyLock<Regex> = LazyLock::new(|| {
    crate::text::patterns::re(
        r"(?ix)\b(?:integrat\w*|import\w*|connect\w*|sync\w*|posted\ to|works\ with|plugs?\ into|reads?\ from|schnittstelle\w*|anbindung)\b",
    )
});

/// A capitalised name (one to three words, CamelCase and all-caps included) in a tool list.
static TOOL_NAME: LazyLock<Regex> = LazyLock::new(|| {
    crate::text::patterns::re(r"\b([A-Z][A-Za-z0-9]*(?:[ ][A-Z][A-Za-z0-9]+){0,2})\b")
});

const AREA_STOP: &[&str] = &[
    "the",
    "a",
    "an",
    "our",
    "your",
    "their",
    "and",
    "or",
    "in",
    "at",
    "sometimes",
    "companies",
    "customer",
    "customers",
    "success",
    "account",
    "sales",
];

#[derive(Deserialize)]
struct CountryCodes {
    #[serde(flatten)]
    codes: BTreeMap<String, String>,
}

/// Country names → ISO 3166 codes: the English names and short forms of
/// `lang/country-codes.toml`, and the other languages' names of `lang/countries.toml`.
static COUNTRY_CODES: LazyLock<BTreeMap<String, String>> = LazyLock::new(|| {
    let mut codes = toml::from_str::<CountryCodes>(include_str!("../../lang/country-codes.toml"))
        .map(|c| c.codes)
        .unwrap_or_default();
    let other: BTreeMap<String, Vec<String>> =
        toml::from_str(include_str!("../../lang/countries.toml")).unwrap_or_default();
    for (english, names) in other {
        if let Some(code) = codes.get(&english).cloned() {
            for n in names {
                codes.entry(n).or_insert_with(|| code.clone());
            }
        }
    }
    codes
});

/// Region names → the countries they cover (`lang/regions.toml`).
static REGIONS: LazyLock<BTreeMap<String, Vec<String>>> =
    LazyLock::new(|| toml::from_str(include_str!("../../lang/regions.toml")).unwrap_or_default());

fn sentences(text: &str) -> impl Iterator<Item = &str> {
    text.split(['\n', '.', ';'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

fn number(s: &str) -> Option<u64> {
    let digits: String = s.chars().filter(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// Propose an ICP from what the seller wrote.
pub fn suggest_icp(input: &SuggestInput) -> IcpSuggestion {
    let mut evidence = Vec::new();
    let mut note = |criterion: &str, value: &str, source: &str, text: &str| {
        evidence.push(Evidence {
            criterion: criterion.into(),
            value: value.into(),
            source: source.into(),
            text: text.chars().take(200).collect(),
        });
    };

    // The seller's own industry, from how it describes itself (first text): not a market.
    // ("accounting software for restaurants": what comes before the first market cue).
    let own = input.texts.first().and_then(|(_, t)| {
        let before = CUSTOMER_CUE.find(t).map_or(t.as_str(), |m| &t[..m.start()]);
        research::industry_of(before)
    });

    // Industries: taxonomy industries named in sentences about customers.
    let mut industries: Vec<String> = Vec::new();
    for i in &input.segment_industries {
        if !industries.contains(i) {
            industries.push(i.clone());
            note("industries", i, "outreach.segments", "a segment names it");
        }
    }
    // A market counts when a sentence lists it with others ("customers in manufacturing,
    // retail and logistics"), when the seller's own description names it, or when two
    // sentences name it; a lone mention elsewhere is noise.
    let mut seen: Vec<(String, usize, String, String)> = Vec::new();
    for (source, text) in &input.texts {
        for s in sentences(text) {
            if NEGATION.is_match(s) {
                continue;
            }
            // Only what follows a market cue: "software for restaurants" names restaurants.
            let Some(cue) = CUSTOMER_CUE.find(s) else {
                continue;
            };
            let named: Vec<String> = research::industries_named(&s[cue.start()..])
                .into_iter()
                .filter(|n| Some(n) != own.as_ref())
                .collect();
            // The seller's own description and product texts name its market on purpose.
            let own_words =
                source == "company.description" || source.starts_with("company.products");
            let weight = if named.len() >= 2 || own_words { 2 } else { 1 };
            for name in named {
                match seen.iter_mut().find(|(n, ..)| *n == name) {
                    Some(e) => e.1 += weight,
                    None => seen.push((name, weight, source.clone(), s.to_string())),
                }
            }
        }
    }
    for (name, weight, source, s) in seen {
        if weight >= 2 && !industries.contains(&name) {
            note("industries", &name, &source, &s);
            industries.push(name);
        }
    }

    // Company size: an explicit range wins; else the size words.
    let mut employee_range: Option<[u64; 2]> = None;
    'size: for (source, text) in &input.texts {
        for s in sentences_keep_numbers(text) {
            if let Some(c) = SIZE_RANGE.captures(&s) {
                let (Some(a), Some(b)) = (
                    c.get(1).and_then(|m| number(m.as_str())),
                    c.get(2).and_then(|m| number(m.as_str())),
                ) else {
                    continue;
                };
                if a < b {
                    employee_range = Some([a, b]);
                    note("employee_range", &format!("{a}-{b}"), source, &s);
                    break 'size;
                }
            }
        }
    }
    if employee_range.is_none() {
        'words: for (source, text) in &input.texts {
            for s in sentences(text) {
                if let Some(c) = SIZE_WORD.captures(s) {
                    let range = if c.name("mid").is_some() {
                        [100, 2000]
                    } else if c.name("small").is_some() {
                        [10, 200]
                    } else {
                        [1000, 100_000]
                    };
                    note(
                        "employee_range",
                        &format!("{}-{}", range[0], range[1]),
                        source,
                        s,
                    );
                    employee_range = Some(range);
                    break 'words;
                }
            }
        }
    }

    // Countries: configured ones, then every country the texts name.
    let mut countries: BTreeSet<String> = input.countries.iter().cloned().collect();
    for (source, text) in &input.texts {
        for line in text.lines().filter(|l| !NEGATION.is_match(l)) {
            for (name, code) in COUNTRY_CODES.iter() {
                let r = Regex::new(&format!(r"\b{}\b", regex::escape(name)));
                if let Ok(r) = r
                    && r.is_match(line)
                    && countries.insert(code.clone())
                {
                    note("countries", code, source, line.trim());
                }
            }
            for (region, codes) in REGIONS.iter() {
                let r = Regex::new(&format!(r"\b{}\b", regex::escape(region)));
                if r.is_ok_and(|r| r.is_match(line)) {
                    for code in codes {
                        if countries.insert(code.clone()) {
                            note("countries", code, source, line.trim());
                        }
                    }
                }
            }
        }
    }

    // Titles: segments first, then the role words of sentences about who buys.
    let mut titles: Vec<String> = Vec::new();
    let push_title = |t: String, titles: &mut Vec<String>| {
        let t = t.trim().to_lowercase();
        if !t.is_empty() && !AREA_STOP.contains(&t.as_str()) && !titles.contains(&t) {
            titles.push(t);
            true
        } else {
            false
        }
    };
    for t in &input.segment_titles {
        if push_title(t.clone(), &mut titles) {
            note(
                "titles_include",
                t,
                "outreach.segments",
                "a segment names it",
            );
        }
    }
    let mut senior = false;
    for (source, text) in &input.texts {
        for s in sentences(text) {
            if !BUYER_CUE.is_match(s) {
                continue;
            }
            for c in ROLE.captures_iter(s) {
                if let Some(cx) = c.name("cx") {
                    senior = true;
                    let t = cx.as_str().to_string();
                    if push_title(t.clone(), &mut titles) {
                        note("titles_include", &t.to_lowercase(), source, s);
                    }
                }
                for key in ["area", "area2"] {
                    if let Some(a) = c.name(key) {
                        let first = a.as_str().split(' ').next().unwrap_or("").to_string();
                        if push_title(first.clone(), &mut titles) {
                            note("titles_include", &first.to_lowercase(), source, s);
                        }
                    }
                }
            }
        }
    }

    // Technology: competitors and `[web] tech`, then tools in integration sentences.
    let own_names: Vec<String> = input.own_names.iter().map(|n| n.to_lowercase()).collect();
    let is_own = |t: &str| {
        let t = t.to_lowercase();
        own_names
            .iter()
            .any(|o| !o.is_empty() && (o.contains(&t) || t.contains(o.as_str())))
    };
    let mut tech: Vec<String> = Vec::new();
    for t in &input.tech {
        let l = t.to_lowercase();
        if !tech.contains(&l) {
            tech.push(l);
            note(
                "tech_stack_any",
                t,
                "knowledge.competitors / web.tech",
                "configured",
            );
        }
    }
    // A product name is a proper noun: a word the texts also write in lower case ("Growth"
    // and "growth") is an ordinary word, not a tool.
    let all_text: String = input
        .texts
        .iter()
        .map(|(_, t)| t.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    let ordinary = |name: &str| {
        let l = name.to_lowercase();
        Regex::new(&format!(r"\b{}\b", regex::escape(&l))).is_ok_and(|r| r.is_match(&all_text))
    };
    for (source, text) in &input.texts {
        // Table cells and sentences, so that "(not supported)" drops only its own cell.
        for s in sentences(text).flat_map(|s| s.split('|')).map(str::trim) {
            if NEGATION.is_match(s) {
                continue;
            }
            let Some(cue) = TOOL_CUE.find(s) else {
                continue;
            };
            // Names after the cue, in a list ("from Personio, Workday or HiBob").
            let tail = &s[cue.end()..];
            let listed = tail.matches(',').count() + tail.matches(" or ").count();
            if listed == 0 {
                continue;
            }
            for m in TOOL_NAME.captures_iter(tail) {
                let name = m.get(1).map_or("", |x| x.as_str());
                let l = name.to_lowercase();
                if name.len() < 3
                    || is_own(name)
                    || tech.contains(&l)
                    || STOP_TOOL.contains(&l.as_str())
                    || ordinary(name)
                {
                    continue;
                }
                note("tech_stack_any", &l, source, s);
                tech.push(l);
            }
        }
    }

    let evidence_out = evidence;
    IcpSuggestion {
        industries,
        employee_range: employee_range.unwrap_or([50, 5000]),
        countries: countries.into_iter().collect(),
        titles_include: titles,
        seniority_min: if senior {
            Seniority::Manager
        } else {
            Seniority::Individual
        },
        tech_stack_any: tech,
        exclude_industries: Vec::new(),
        weights: Weights {
            industry: 25,
            size: 20,
            geo: 20,
            title: 20,
            tech: 15,
        },
        tiers: Tiers {
            a: 80,
            b: 60,
            c: 40,
        },
        evidence: evidence_out,
    }
}

/// Read only what a suggestion needs from a config's text, so that a workspace without an
/// ICP yet (or with one that does not parse) still gets one: `[company]`, `[outreach]`,
/// `[knowledge]` and `[web] tech`, each section checked on its own, and the knowledge files
/// through `files` (bounded, inside the workspace). Returns the input and the files left out.
pub fn input_from_config(
    text: &str,
    files: &dyn crate::config::ConfigFiles,
) -> Result<(SuggestInput, Vec<String>), String> {
    use crate::config::{Company, Knowledge, Limits, NamedFile, Outreach, Purpose};
    let doc: toml::Table = text.parse().map_err(|e| format!("{e}"))?;
    fn part<T: serde::de::DeserializeOwned + Default>(
        doc: &toml::Table,
        key: &str,
    ) -> Result<T, String> {
        match doc.get(key) {
            None => Ok(T::default()),
            Some(v) => v.clone().try_into().map_err(|e| format!("[{key}]: {e}")),
        }
    }
    let company: Company = part(&doc, "company")?;
    let outreach: Outreach = part(&doc, "outreach")?;
    let knowledge: Knowledge = part(&doc, "knowledge")?;
    let web_tech: Vec<String> = doc
        .get("web")
        .and_then(|w| w.get("tech"))
        .and_then(|t| t.clone().try_into().ok())
        .unwrap_or_default();

    let mut input = SuggestInput::default();
    input.own_names.push(company.name.clone());
    input
        .own_names
        .extend(company.products.iter().map(|p| p.name.clone()));
    input
        .texts
        .push(("company.description".into(), company.description.clone()));
    for (i, p) in company.products.iter().enumerate() {
        input
            .texts
            .push((format!("company.products[{i}]"), p.description.clone()));
    }
    for (key, list) in [
        ("company.value_propositions", &company.value_propositions),
        ("company.pain_points", &company.pain_points),
        ("company.proof_points", &company.proof_points),
    ] {
        for t in list {
            input.texts.push((key.into(), t.clone()));
        }
    }
    let mut skipped = Vec::new();
    // Only the sources read for research: what the seller sells to whom.
    for (i, source) in knowledge.sources.iter().enumerate() {
        if !source.serves(Purpose::Research) {
            continue;
        }
        let key = format!("knowledge.sources[{i}]");
        let named = NamedFile {
            key: &key,
            name: source.path(),
            max_bytes: Limits::DEFAULT_MAX_KNOWLEDGE_BYTES,
            limit_key: Limits::MAX_KNOWLEDGE_BYTES,
            allow: &[],
        };
        match files.read(&named) {
            Ok(text) => input.texts.push((source.path().to_string(), text)),
            Err(why) => skipped.push(format!("{key}: {why}")),
        }
    }
    for seg in &outreach.segments {
        input.segment_titles.extend(seg.titles.iter().cloned());
        input
            .segment_industries
            .extend(seg.industries.iter().cloned());
        input.countries.extend(seg.countries.iter().cloned());
    }
    input.countries.extend(outreach.countries.keys().cloned());
    input
        .tech
        .extend(knowledge.competitors.iter().map(|c| c.name.clone()));
    input.tech.extend(web_tech);
    Ok((input, skipped))
}

/// Capitalised words that start a clause, not a product.
const STOP_TOOL: &[&str] = &[
    "the", "and", "or", "our", "your", "we", "you", "it", "this", "each", "every", "all", "time",
    "data", "api", "apis", "csv", "sftp", "ftp", "eu", "uk", "us", "sso", "saml", "scim", "hris",
    "erp", "crm", "hcm", "ats", "sepa", "bacs", "gdpr", "iso", "soc", "pdf", "xml", "json", "sql",
];

/// Sentences for size ranges: split at lines only, so "1.500" and "3,000" stay whole.
fn sentences_keep_numbers(text: &str) -> Vec<String> {
    text.split(['\n', ';', '|'])
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_country_codes_file_parses() {
        assert!(COUNTRY_CODES.len() > 40, "{}", COUNTRY_CODES.len());
        assert_eq!(REGIONS.get("DACH").map(Vec::len), Some(3));
        assert_eq!(COUNTRY_CODES.get("Germany").map(String::as_str), Some("DE"));
        assert_eq!(
            COUNTRY_CODES.get("Deutschland").map(String::as_str),
            Some("DE")
        );
    }

    #[test]
    fn markets_served_sizes_roles_and_tools_are_read_from_prose() {
        let input = SuggestInput {
            own_names: vec!["Quillo".into(), "Quillo Books".into()],
            texts: vec![
                (
                    "company.description".into(),
                    "Quillo is accounting software for restaurants and hotels.".into(),
                ),
                (
                    "company.md".into(),
                    "Customers: 300 firms with 20–400 employees in France, Spain and Portugal.\n\
                     Economic buyer: the CFO or the Head of Finance; champion: the accounting manager.\n\
                     Invoices are imported from Lightspeed, Zenchef or SumUp."
                        .into(),
                ),
            ],
            ..Default::default()
        };
        let s = suggest_icp(&input);
        assert!(
            s.industries
                .iter()
                .any(|i| i == "hospitality" || i == "restaurants" || i == "food & beverage"),
            "{:?}",
            s.industries
        );
        assert!(
            !s.industries.iter().any(|i| i == "software"),
            "the seller's own industry is not a market: {:?}",
            s.industries
        );
        assert_eq!(s.employee_range, [20, 400]);
        assert_eq!(s.countries, vec!["ES", "FR", "PT"]);
        assert!(
            s.titles_include.contains(&"cfo".to_string()),
            "{:?}",
            s.titles_include
        );
        assert!(
            s.titles_include.contains(&"finance".to_string()),
            "{:?}",
            s.titles_include
        );
        assert!(
            s.tech_stack_any.contains(&"lightspeed".to_string()),
            "{:?}",
            s.tech_stack_any
        );
        assert!(!s.tech_stack_any.iter().any(|t| t.contains("quillo")));
        assert!(
            s.evidence
                .iter()
                .any(|e| e.criterion == "employee_range" && e.text.contains("20–400"))
        );
    }
}
