//! `[outreach]`, `[phrases]` and `knowledge.competitors`: how emails are written (mode,
//! segments, template, localized texts), their checks, and what an agent still lacks to write.

use super::*;

/// Who writes the outgoing emails (`outreach.mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, Default)]
#[serde(rename_all = "snake_case")]
pub enum OutreachMode {
    /// The offline writer: greeting, one cited research fact, the value proposition chosen
    /// for the lead, an optional proof point, the call to action.
    Composed,
    /// `[outreach.template]`, its `{placeholders}` filled.
    Template,
    /// The configured `[model]` writes (with `provider = "offline"`, or when the model's
    /// draft fails its checks, the composed writer does).
    #[default]
    Model,
}

/// A group of leads that gets its own value proposition, pain point, proof point, language
/// or call to action. The first segment whose every non-empty list matches the lead wins.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct Segment {
    pub name: String,
    /// Lead industries (compared lowercased, exactly).
    #[serde(default)]
    pub industries: Vec<String>,
    /// Words the lead's title contains (lowercased substring).
    #[serde(default)]
    pub titles: Vec<String>,
    /// ISO country codes.
    #[serde(default)]
    pub countries: Vec<String>,
    #[serde(default)]
    pub value_proposition: String,
    #[serde(default)]
    pub pain_point: String,
    #[serde(default)]
    pub proof_point: String,
    #[serde(default)]
    pub call_to_action: String,
    /// The first email's language for this segment.
    #[serde(default)]
    pub language: String,
}

/// `[outreach.template]`: the exact wording, with `{placeholders}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct Template {
    pub subject: String,
    pub body: String,
    /// Follow-ups (default: the composed follow-up).
    #[serde(default)]
    pub follow_up_subject: String,
    #[serde(default)]
    pub follow_up_body: String,
}

/// The seller's own texts in another language (`[outreach.localized.<code>]`), used when
/// an email is written in that language; what is missing is quoted in the seller's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct Localized {
    #[serde(default)]
    pub value_propositions: Vec<String>,
    #[serde(default)]
    pub pain_points: Vec<String>,
    #[serde(default)]
    pub proof_points: Vec<String>,
    #[serde(default)]
    pub call_to_action: String,
    #[serde(default)]
    pub subject_topic: String,
}

fn default_max_words() -> u32 {
    120
}

/// `[outreach]`: how first emails and follow-ups are written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Outreach {
    #[serde(default)]
    pub mode: OutreachMode,
    /// The first email's language (default: `company.language`).
    #[serde(default)]
    pub language: String,
    /// The first email's language per lead country (`{ DE = "de", FR = "fr" }`).
    #[serde(default)]
    pub countries: BTreeMap<String, String>,
    /// The question the first email ends with (default: the language's phrase).
    #[serde(default)]
    pub call_to_action: String,
    /// A booking link added after the call to action (must be an allowed link).
    #[serde(default)]
    pub calendar_link: String,
    /// What the first subject is about (`{company} + {seller}: {topic}`); empty: no topic.
    #[serde(default)]
    pub subject_topic: String,
    /// For a model: the tone to write in ("friendly, direct").
    #[serde(default)]
    pub tone: String,
    /// For a model: what to mention or never say, one instruction per entry.
    #[serde(default)]
    pub instructions: Vec<String>,
    /// For a model: the most words of a first email.
    #[serde(default = "default_max_words")]
    pub max_words: u32,
    #[serde(default)]
    pub segments: Vec<Segment>,
    #[serde(default)]
    pub template: Option<Template>,
    #[serde(default)]
    pub localized: BTreeMap<String, Localized>,
}

impl Default for Outreach {
    fn default() -> Self {
        Outreach {
            mode: OutreachMode::default(),
            language: String::new(),
            countries: BTreeMap::new(),
            call_to_action: String::new(),
            calendar_link: String::new(),
            subject_topic: String::new(),
            tone: String::new(),
            instructions: Vec::new(),
            max_words: default_max_words(),
            segments: Vec::new(),
            template: None,
            localized: BTreeMap::new(),
        }
    }
}

/// The placeholders phrases and templates may use.
pub const PLACEHOLDERS: &[&str] = &[
    "first_name",
    "company",
    "title",
    "seller",
    "product",
    "fact",
    "tech",
    "pain_point",
    "value",
    "value_lc",
    "proof_point",
    "competitor",
    "point",
    "calendar_link",
    "topic",
    "unsubscribe_url",
];

/// The placeholders only a template uses: whole composed parts.
pub const TEMPLATE_PLACEHOLDERS: &[&str] = &[
    "greeting",
    "hook",
    "value_proposition",
    "call_to_action",
    "opt_out",
    "signature",
];

/// A competitor: the names a lead may use for it, and its battle card.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct Competitor {
    pub name: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    /// The battle card (Markdown), relative to the config file.
    pub card: String,
    /// One true sentence a first email may use when the lead works with this competitor.
    #[serde(default)]
    pub pitch: String,
}

/// `[outreach]`, `[phrases]` and `knowledge.competitors`: known languages, known phrase
/// keys, known placeholders, a template when the mode needs one, allowed links.
pub(super) fn outreach_checks(
    cfg: &AgentConfig,
    locate: &dyn Fn(&str) -> Option<usize>,
    issues: &mut Vec<ConfigIssue>,
) {
    use crate::agents::phrases;
    let mut push = |path: &str, message: String| {
        issues.push(ConfigIssue {
            path: path.to_string(),
            line: locate(path),
            message,
        })
    };
    let langs = phrases::LANGUAGES.join(", ");
    let known_lang = |l: &str| phrases::LANGUAGES.contains(&l.trim().to_ascii_lowercase().as_str());
    let check_lang = |push: &mut dyn FnMut(&str, String), key: &str, l: &str| {
        if !l.trim().is_empty() && !known_lang(l) {
            push(
                key,
                format!("{l:?}: no phrase set for this language; expected one of: {langs}"),
            );
        }
    };
    check_lang(&mut push, "company.language", &cfg.company.language);
    let o = &cfg.outreach;
    check_lang(&mut push, "outreach.language", &o.language);
    for (country, l) in &o.countries {
        check_lang(&mut push, &format!("outreach.countries.{country}"), l);
    }
    for (i, seg) in o.segments.iter().enumerate() {
        check_lang(
            &mut push,
            &format!("outreach.segments[{i}].language"),
            &seg.language,
        );
        if seg.name.trim().is_empty() {
            push(
                &format!("outreach.segments[{i}].name"),
                "must not be empty".into(),
            );
        }
    }
    for l in o.localized.keys() {
        check_lang(&mut push, &format!("outreach.localized.{l}"), l);
    }
    let keys = phrases::keys();
    let check_placeholders =
        |push: &mut dyn FnMut(&str, String), key: &str, text: &str, extra: &[&str]| {
            let unknown: Vec<String> = phrases::placeholders(text)
                .into_iter()
                .filter(|p| !PLACEHOLDERS.contains(&p.as_str()) && !extra.contains(&p.as_str()))
                .collect();
            if !unknown.is_empty() {
                push(
                    key,
                    format!(
                        "unknown placeholder{} {}; expected one of: {}",
                        if unknown.len() > 1 { "s" } else { "" },
                        unknown
                            .iter()
                            .map(|u| format!("{{{u}}}"))
                            .collect::<Vec<_>>()
                            .join(", "),
                        PLACEHOLDERS
                            .iter()
                            .chain(extra.iter())
                            .map(|p| format!("{{{p}}}"))
                            .collect::<Vec<_>>()
                            .join(" ")
                    ),
                );
            }
        };
    for (lang, set) in &cfg.phrases {
        if !known_lang(lang) {
            check_lang(&mut push, &format!("phrases.{lang}"), lang);
            continue;
        }
        for (k, v) in set {
            let key = format!("phrases.{lang}.{k}");
            if !keys.contains(k) {
                push(
                    &key,
                    format!("unknown phrase; expected one of: {}", keys.join(", ")),
                );
            } else {
                check_placeholders(&mut push, &key, v, &[]);
            }
        }
    }
    for (key, text) in [
        ("outreach.call_to_action", &o.call_to_action),
        ("outreach.subject_topic", &o.subject_topic),
    ] {
        check_placeholders(&mut push, key, text, &[]);
    }
    match (&o.template, o.mode) {
        (None, OutreachMode::Template) => push(
            "outreach.template",
            "mode = \"template\" needs [outreach.template] with a subject and a body".into(),
        ),
        (Some(t), _) => {
            for (key, text) in [
                ("outreach.template.subject", &t.subject),
                ("outreach.template.body", &t.body),
                ("outreach.template.follow_up_subject", &t.follow_up_subject),
                ("outreach.template.follow_up_body", &t.follow_up_body),
            ] {
                check_placeholders(&mut push, key, text, TEMPLATE_PLACEHOLDERS);
            }
            if t.subject.trim().is_empty() {
                push("outreach.template.subject", "must not be empty".into());
            }
            if t.body.trim().is_empty() {
                push("outreach.template.body", "must not be empty".into());
            }
            let lower = format!("{}\n{}", t.subject, t.body).to_lowercase();
            for phrase in &cfg.guardrails.prohibited_phrases {
                if !phrase.trim().is_empty() && lower.contains(&phrase.to_lowercase()) {
                    push(
                        "outreach.template.body",
                        format!(
                            "uses the prohibited phrase {phrase:?} (guardrails.prohibited_phrases)"
                        ),
                    );
                }
            }
        }
        (None, _) => {}
    }
    let link = o.calendar_link.trim();
    if !link.is_empty() {
        let allowed = cfg
            .guardrails
            .allowed_links
            .iter()
            .any(|p| link.starts_with(p.as_str()))
            || (!cfg.company.website.is_empty() && link.starts_with(&cfg.company.website));
        if !(link.starts_with("https://") || link.starts_with("http://")) {
            push(
                "outreach.calendar_link",
                format!("{link:?} is not an http(s) URL"),
            );
        } else if !allowed {
            push(
                "outreach.calendar_link",
                "is not under company.website or guardrails.allowed_links: every mail with it would fail the guardrails".into(),
            );
        }
    }
    for (i, c) in cfg.knowledge.competitors.iter().enumerate() {
        if c.name.trim().is_empty() {
            push(
                &format!("knowledge.competitors[{i}].name"),
                "must not be empty".into(),
            );
        }
    }
}

/// What an agent still lacks to write well, though the config is valid (`sqa config
/// check` prints these): each names the key to fill in.
pub fn gaps(cfg: &AgentConfig) -> Vec<ConfigIssue> {
    let mut out = Vec::new();
    let mut lack = |path: &str, message: &str| {
        out.push(ConfigIssue {
            path: path.into(),
            line: None,
            message: message.into(),
        })
    };
    if cfg.company.products.is_empty() {
        lack(
            "company.products",
            "no product: emails name the company instead",
        );
    }
    if cfg.company.value_propositions.is_empty()
        && cfg
            .outreach
            .segments
            .iter()
            .all(|s| s.value_proposition.trim().is_empty())
    {
        lack(
            "company.value_propositions",
            "no value proposition: a first email cannot say why the lead should care",
        );
    }
    if cfg.agent.ai_disclosure.trim().is_empty() {
        lack("agent.ai_disclosure", "no disclosure: no email may be sent");
    }
    if cfg.agent.postal_address.trim().is_empty() {
        lack(
            "agent.postal_address",
            "no postal address: no email may be sent",
        );
    }
    if cfg.knowledge.sources.is_empty() {
        lack(
            "knowledge.sources",
            "no knowledge: every question goes to a person",
        );
    } else {
        for purpose in Purpose::ALL {
            if !cfg.knowledge.sources.iter().any(|s| s.serves(purpose)) {
                let what = match purpose {
                    Purpose::Research => "the ICP proposal reads only the company section",
                    Purpose::Outreach => "first emails draw on the company section only",
                    Purpose::Answers => "every question goes to a person",
                };
                lack(
                    "knowledge.sources",
                    &format!("{}: no knowledge source — {what}", purpose.as_str()),
                );
            }
        }
    }
    if cfg.outreach.calendar_link.trim().is_empty() {
        lack(
            "outreach.calendar_link",
            "no calendar link: the call to action asks for a reply instead",
        );
    }
    out
}
