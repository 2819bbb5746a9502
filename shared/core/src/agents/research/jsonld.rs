//! What a page's JSON-LD says: facts, headcount, description, news.

use super::*;

pub(super) fn json_number(v: &serde_json::Value) -> Option<u32> {
    match v {
        serde_json::Value::Number(n) => n
            .as_u64()
            .and_then(|x| u32::try_from(x).ok())
            .or_else(|| n.as_f64().map(|f| f as u32)),
        serde_json::Value::String(s) => {
            static COUNT: LazyLock<Regex> = LazyLock::new(|| re(NUM));
            let caps = COUNT.captures(s)?;
            parse_count(caps.get(1)?.as_str())
        }
        serde_json::Value::Object(o) => o
            .get("value")
            .and_then(json_number)
            .or_else(|| o.get("minValue").and_then(json_number))
            .or_else(|| o.get("maxValue").and_then(json_number)),
        serde_json::Value::Array(a) => a.iter().find_map(json_number),
        _ => None,
    }
}

/// Every JSON object in a JSON-LD document (`@graph` and nested values included).
pub(super) fn json_objects<'a>(
    v: &'a serde_json::Value,
    out: &mut Vec<&'a serde_json::Map<String, serde_json::Value>>,
) {
    match v {
        serde_json::Value::Object(o) => {
            out.push(o);
            for child in o.values() {
                json_objects(child, out);
            }
        }
        serde_json::Value::Array(a) => a.iter().for_each(|x| json_objects(x, out)),
        _ => {}
    }
}

pub(super) fn json_text(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) => Some(normalize_ws(s)).filter(|s| !s.is_empty()),
        serde_json::Value::Object(o) => o.get("name").and_then(json_text),
        serde_json::Value::Array(a) => {
            let parts: Vec<String> = a.iter().filter_map(json_text).collect();
            (!parts.is_empty()).then(|| parts.join(", "))
        }
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

pub(super) fn is_type(o: &serde_json::Map<String, serde_json::Value>, names: &[&str]) -> bool {
    let matches = |t: &str| {
        names
            .iter()
            .any(|n| t.eq_ignore_ascii_case(n) || t.ends_with(&format!("/{n}")))
    };
    match o.get("@type") {
        Some(serde_json::Value::String(t)) => matches(t),
        Some(serde_json::Value::Array(a)) => a.iter().any(|t| t.as_str().is_some_and(matches)),
        _ => false,
    }
}

/// What a page's JSON-LD says: facts, a headcount, a description and news articles.
pub(super) struct JsonLdFindings {
    pub(super) facts: Vec<String>,
    pub(super) employees: Option<u32>,
    pub(super) description: Option<String>,
    pub(super) news: Vec<(String, String)>,
}

pub(super) fn read_json_ld(docs: &[serde_json::Value]) -> JsonLdFindings {
    let mut f = JsonLdFindings {
        facts: Vec::new(),
        employees: None,
        description: None,
        news: Vec::new(),
    };
    let mut objects = Vec::new();
    for d in docs {
        json_objects(d, &mut objects);
    }
    for o in objects {
        if is_type(
            o,
            &["NewsArticle", "BlogPosting", "Article", "PressRelease"],
        ) {
            let date = o
                .get("datePublished")
                .and_then(|v| v.as_str())
                .and_then(full_date_prefix);
            let headline = o
                .get("headline")
                .or_else(|| o.get("name"))
                .and_then(json_text);
            if let (Some((iso, _)), Some(h)) = (date, headline) {
                f.news.push((iso, truncate(&h, 300)));
            }
            continue;
        }
        let org_like = o.contains_key("numberOfEmployees")
            || o.contains_key("foundingDate")
            || is_type(
                o,
                &[
                    "Organization",
                    "Corporation",
                    "LocalBusiness",
                    "OnlineStore",
                    "OnlineBusiness",
                    "NewsMediaOrganization",
                    "InsuranceAgency",
                    "FinancialService",
                    "MedicalOrganization",
                    "Store",
                ],
            );
        if !org_like {
            continue;
        }
        if f.employees.is_none()
            && let Some(n) = o.get("numberOfEmployees").and_then(json_number)
            && n > 0
            && n <= 3_000_000
        {
            f.employees = Some(n);
            f.facts.push(format!(
                "{} employees (structured data).",
                group_thousands(n)
            ));
        }
        if let Some(year) = o
            .get("foundingDate")
            .and_then(|v| v.as_str())
            .and_then(|s| s.get(..4))
            .filter(|y| y.chars().all(|c| c.is_ascii_digit()))
        {
            match o.get("foundingLocation").and_then(json_text) {
                Some(place) => f.facts.push(format!("Founded in {year} in {place}.")),
                None => f.facts.push(format!("Founded in {year}.")),
            }
        }
        for key in ["founder", "founders"] {
            if let Some(names) = o.get(key).and_then(json_text) {
                f.facts.push(format!("Founded by {names}."));
            }
        }
        if let Some(serde_json::Value::Object(addr)) = o.get("address") {
            let parts: Vec<String> = [
                "streetAddress",
                "addressLocality",
                "addressRegion",
                "postalCode",
                "addressCountry",
            ]
            .iter()
            .filter_map(|k| addr.get(*k).and_then(json_text))
            .collect();
            if !parts.is_empty() {
                f.facts.push(format!("Address: {}.", parts.join(", ")));
            }
        }
        if f.description.is_none() {
            f.description = o.get("description").and_then(json_text);
        }
    }
    f
}

pub(super) fn group_thousands(n: u32) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
