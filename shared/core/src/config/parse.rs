//! Reading `sqa.toml`: every section deserialised on its own, a failing key removed and
//! reported, and the files the config names read through `ConfigFiles`.

use super::*;

pub(super) const SECTIONS: &[&str] = &[
    "company",
    "agent",
    "selection",
    "icp",
    "handoff",
    "cadence",
    "assignment",
    "knowledge",
    "limits",
    "guardrails",
    "validation",
    "inbound",
    "mail",
    "inbox",
    "web",
    "model",
    "webhooks",
    "outreach",
    "phrases",
];
pub(super) const SCALARS: &[&str] = &["mode", "state", "icp_file"];

/// One file a config names (`icp_file`, a knowledge source), as handed to [`ConfigFiles`].
#[derive(Debug, Clone, Copy)]
pub struct NamedFile<'a> {
    /// The key that names it: `icp_file`, `knowledge.sources[2]`.
    pub key: &'a str,
    /// The path as the config writes it (relative to the config file, or absolute).
    pub name: &'a str,
    /// The largest size accepted, and the key that sets it (`limits.max_knowledge_bytes`).
    pub max_bytes: u64,
    pub limit_key: &'a str,
    /// `limits.allow_paths`: what may lie outside the workspace.
    pub allow: &'a [String],
}

/// Where the files a config names come from: the workspace folder
/// ([`crate::fsread::WorkspaceFiles`]), or a bucket on a cloud backend. An error is a
/// message saying why the file was not read; the parser adds the key and line.
pub trait ConfigFiles {
    fn read(&self, file: &NamedFile<'_>) -> Result<String, String>;
}

impl<F> ConfigFiles for F
where
    F: Fn(&NamedFile<'_>) -> Result<String, String>,
{
    fn read(&self, file: &NamedFile<'_>) -> Result<String, String> {
        self(file)
    }
}

/// Parse and check a config text. `files` reads `icp_file` and the knowledge sources, each
/// within its limit from `[limits]`.
pub fn parse(text: &str, files: &dyn ConfigFiles) -> Result<AgentConfig, ConfigErrors> {
    let table: toml::Table = match text.parse::<toml::Table>() {
        Ok(t) => t,
        Err(e) => {
            let line = e.span().map(|s| line_of_offset(text, s.start));
            return Err(ConfigErrors(vec![ConfigIssue {
                path: String::new(),
                line,
                message: format!("not valid TOML: {}", e.message()),
            }]));
        }
    };
    let locate = |path: &str| locate_key(text, path);
    let mut issues = Vec::new();

    for key in table.keys() {
        if !SECTIONS.contains(&key.as_str()) && !SCALARS.contains(&key.as_str()) {
            issues.push(ConfigIssue {
                path: key.clone(),
                line: locate(key),
                message: format!(
                    "unknown key; expected one of: {}",
                    SCALARS
                        .iter()
                        .chain(SECTIONS.iter())
                        .copied()
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            });
        }
    }

    // Deserialize each part on its own so one bad section does not hide the others.
    let mut cleaned = toml::Table::new();
    for key in SECTIONS.iter().chain(SCALARS.iter()) {
        if let Some(value) = table.get(*key) {
            let mut value = value.clone();
            if let Some(v) = deserialize_part(key, &mut value, &locate, &mut issues) {
                cleaned.insert((*key).to_string(), v);
            }
        }
    }
    for required in ["company", "agent"] {
        if !table.contains_key(required) {
            issues.push(ConfigIssue {
                path: required.into(),
                line: None,
                message: format!("missing section [{required}]"),
            });
        }
    }
    if !issues.is_empty() {
        issues.sort_by_key(|i| i.line.unwrap_or(usize::MAX));
        return Err(ConfigErrors(issues));
    }
    let mut cfg: AgentConfig = match toml::Value::Table(cleaned).try_into() {
        Ok(c) => c,
        Err(e) => {
            return Err(ConfigErrors(vec![ConfigIssue {
                path: String::new(),
                line: None,
                message: e.to_string(),
            }]));
        }
    };

    let allow = cfg.limits.allow_paths.clone();
    if let Some(file) = cfg.icp_file.clone() {
        let named = NamedFile {
            key: "icp_file",
            name: &file,
            max_bytes: cfg.limits.max_config_bytes,
            limit_key: Limits::MAX_CONFIG_BYTES,
            allow: &allow,
        };
        let issue = |message: String| ConfigIssue {
            path: "icp_file".into(),
            line: locate("icp_file"),
            message,
        };
        match files.read(&named) {
            Err(why) => issues.push(issue(why)),
            Ok(json) => match serde_json::from_str::<Icp>(&json) {
                Ok(icp) if cfg.icp.is_none() => cfg.icp = Some(icp),
                Ok(_) => issues.push(issue(
                    "give the ICP inline ([icp]) or as icp_file, not both".into(),
                )),
                Err(e) => issues.push(issue(format!("{file}: not a valid ICP: {e}"))),
            },
        }
    }
    for (i, src) in cfg.knowledge.sources.clone().iter().enumerate() {
        let key = format!("knowledge.sources[{i}]");
        let purposes = src.purposes();
        if purposes.is_empty() {
            issues.push(ConfigIssue {
                line: locate("knowledge.sources"),
                path: format!("{key}.purposes"),
                message: format!(
                    "names no purpose; name at least one of {}, or give the path alone for all",
                    Purpose::ALL.map(Purpose::as_str).join(", ")
                ),
            });
            continue;
        }
        let named = NamedFile {
            key: &key,
            name: src.path(),
            max_bytes: cfg.limits.max_knowledge_bytes,
            limit_key: Limits::MAX_KNOWLEDGE_BYTES,
            allow: &allow,
        };
        match files.read(&named) {
            Ok(text) => cfg.knowledge_docs.push(KnowledgeDoc {
                source: src.path().to_string(),
                text,
                purposes,
            }),
            Err(why) => issues.push(ConfigIssue {
                line: locate("knowledge.sources"),
                path: key,
                message: why,
            }),
        }
    }
    for (i, c) in cfg.knowledge.competitors.clone().iter().enumerate() {
        let key = format!("knowledge.competitors[{i}].card");
        let named = NamedFile {
            key: &key,
            name: &c.card,
            max_bytes: cfg.limits.max_knowledge_bytes,
            limit_key: Limits::MAX_KNOWLEDGE_BYTES,
            allow: &allow,
        };
        match files.read(&named) {
            Ok(text) => cfg.battle_cards.push(KnowledgeDoc {
                source: c.card.clone(),
                text,
                ..Default::default()
            }),
            Err(why) => issues.push(ConfigIssue {
                line: locate("knowledge.competitors"),
                path: key,
                message: why,
            }),
        }
    }
    limits_checks(&cfg.limits, &locate, &mut issues);
    semantic_checks(&cfg, &locate, &mut issues);
    outreach_checks(&cfg, &locate, &mut issues);
    issues.sort_by_key(|i| i.line.unwrap_or(usize::MAX));
    if issues.is_empty() {
        Ok(cfg)
    } else {
        Err(ConfigErrors(issues))
    }
}

/// Try to deserialize one top-level part; on an error record it, drop the offending key and
/// try again, so that every error in the part is reported.
pub(super) fn deserialize_part(
    key: &str,
    value: &mut toml::Value,
    locate: &dyn Fn(&str) -> Option<usize>,
    issues: &mut Vec<ConfigIssue>,
) -> Option<toml::Value> {
    for _ in 0..64 {
        let result = match key {
            "company" => check_as::<Company>(value),
            "agent" => check_as::<AgentIdentity>(value),
            "selection" => check_as::<Selection>(value),
            "icp" => check_as::<Icp>(value),
            "handoff" => check_as::<Handoff>(value),
            "cadence" => check_as::<Cadence>(value),
            "assignment" => check_as::<Assignment>(value),
            "knowledge" => check_as::<Knowledge>(value),
            "limits" => check_as::<Limits>(value),
            "guardrails" => check_as::<Guardrails>(value),
            "validation" => check_as::<Validation>(value),
            "inbound" => check_as::<Inbound>(value),
            "mail" => check_as::<MailConfig>(value),
            "inbox" => check_as::<InboxConfig>(value),
            "web" => check_as::<WebConfig>(value),
            "model" => check_as::<ModelConfig>(value),
            "webhooks" => check_as::<Webhooks>(value),
            "outreach" => check_as::<Outreach>(value),
            "phrases" => check_as::<BTreeMap<String, BTreeMap<String, String>>>(value),
            "mode" => check_as::<Mode>(value),
            "state" => check_as::<AgentState>(value),
            _ => check_as::<String>(value),
        };
        let (inner_path, message) = match result {
            Ok(()) => return Some(value.clone()),
            Err(e) => e,
        };
        let full = if inner_path.is_empty() || inner_path == "." {
            key.to_string()
        } else {
            format!("{key}.{inner_path}")
        };
        // For an unknown field serde reports the parent path: name the field itself.
        let unknown = message
            .strip_prefix("unknown field `")
            .and_then(|r| r.split('`').next())
            .map(str::to_string);
        // serde_path_to_error names the unknown field in the path already for some inputs.
        let missing = message
            .strip_prefix("missing field `")
            .and_then(|r| r.split('`').next())
            .map(str::to_string);
        let reported = match unknown.as_ref().or(missing.as_ref()) {
            Some(f) if !full.ends_with(&format!(".{f}")) => format!("{full}.{f}"),
            _ => full.clone(),
        };
        let reported = reported.trim_end_matches('.').to_string();
        let line = locate(&reported)
            .or_else(|| locate(&full))
            .or_else(|| locate(key));
        issues.push(ConfigIssue {
            path: reported.clone(),
            line,
            message,
        });
        let removed = match &unknown {
            Some(_) => remove_path(value, &reported[key.len()..]),
            None => remove_path(value, &full[key.len()..]),
        };
        if !removed {
            return None;
        }
    }
    None
}

pub(super) fn check_as<T: serde::de::DeserializeOwned>(
    value: &toml::Value,
) -> Result<(), (String, String)> {
    let de = value.clone();
    match serde_path_to_error::deserialize::<_, T>(de) {
        Ok(_) => Ok(()),
        Err(e) => {
            let path = e.path().to_string();
            let msg = e.into_inner().to_string();
            // The TOML deserializer appends "in `key`": the path says it already.
            let msg = msg
                .split("\nin `")
                .next()
                .unwrap_or(&msg)
                .trim()
                .to_string();
            Err((path, msg))
        }
    }
}

/// Remove `.a.b[2].c` from a value; false when there is nothing (more) to remove.
pub(super) fn remove_path(value: &mut toml::Value, path: &str) -> bool {
    let segs = split_path(path);
    if segs.is_empty() {
        return false;
    }
    let mut cur = value;
    for seg in &segs[..segs.len() - 1] {
        cur = match (seg, cur) {
            (Seg::Key(k), toml::Value::Table(t)) => match t.get_mut(k) {
                Some(v) => v,
                None => return false,
            },
            (Seg::Index(i), toml::Value::Array(a)) => match a.get_mut(*i) {
                Some(v) => v,
                None => return false,
            },
            _ => return false,
        };
    }
    match (segs.last(), cur) {
        (Some(Seg::Key(k)), toml::Value::Table(t)) => t.remove(k).is_some(),
        (Some(Seg::Index(i)), toml::Value::Array(a)) if *i < a.len() => {
            a.remove(*i);
            true
        }
        _ => false,
    }
}

pub(super) enum Seg {
    Key(String),
    Index(usize),
}

pub(super) fn split_path(path: &str) -> Vec<Seg> {
    let mut out = Vec::new();
    for part in path.split('.').filter(|p| !p.is_empty()) {
        let mut rest = part;
        if let Some(b) = rest.find('[') {
            if b > 0 {
                out.push(Seg::Key(rest[..b].to_string()));
            }
            rest = &rest[b..];
            while let Some(stripped) = rest.strip_prefix('[') {
                let end = stripped.find(']').unwrap_or(stripped.len());
                if let Ok(i) = stripped[..end].parse() {
                    out.push(Seg::Index(i));
                }
                rest = stripped.get(end + 1..).unwrap_or("");
            }
        } else {
            out.push(Seg::Key(rest.to_string()));
        }
    }
    out
}
