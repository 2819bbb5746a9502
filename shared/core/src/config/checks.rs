//! The semantic checks run on what deserialised: ICP, selection, model and limits, and the
//! rule that an agent in engage mode never goes back to research only.

use super::*;

pub(super) fn semantic_checks(
    cfg: &AgentConfig,
    locate: &dyn Fn(&str) -> Option<usize>,
    issues: &mut Vec<ConfigIssue>,
) {
    let mut push = |path: &str, message: String| {
        issues.push(ConfigIssue {
            path: path.to_string(),
            line: locate(path),
            message,
        })
    };
    if cfg.company.name.trim().is_empty() {
        push("company.name", "must not be empty".into());
    }
    mail_checks(cfg, &mut push);
    webhook_checks(cfg, &mut push);
    let a = &cfg.agent;
    for (key, value) in [
        ("agent.name", &a.name),
        ("agent.signature", &a.signature),
        ("agent.ai_disclosure", &a.ai_disclosure),
        ("agent.postal_address", &a.postal_address),
    ] {
        if value.trim().is_empty() {
            push(key, "must not be empty".into());
        }
    }
    if !crate::agents::email::is_plausible_address(&a.email) {
        push(
            "agent.email",
            format!("{:?} is not an email address", a.email),
        );
    }
    if !(a.unsubscribe_url.starts_with("https://") || a.unsubscribe_url.starts_with("http://")) {
        push(
            "agent.unsubscribe_url",
            "must be an http(s) URL (the one-click unsubscribe link)".into(),
        );
    }
    if a.mail_domain().is_empty() {
        push(
            "agent.mail_domain",
            "cannot be derived from agent.email".into(),
        );
    }
    if cfg.selection.statuses.is_empty() {
        push(
            "selection.statuses",
            "must name at least one status, or no lead is ever selected".into(),
        );
    }
    if cfg.selection.max_per_run == 0 {
        push("selection.max_per_run", "must be at least 1".into());
    }
    let share = cfg.selection.control_share;
    if !(0.0..=0.5).contains(&share) {
        push(
            "selection.control_share",
            format!("must be between 0 and 0.5 (a share of the selected leads), not {share}"),
        );
    }
    for (i, c) in cfg.selection.conditions.iter().enumerate() {
        let path = format!("selection.conditions[{i}]");
        if !crate::domain::LEAD_FIELDS.contains(&c.field.as_str()) {
            push(
                &format!("{path}.field"),
                format!(
                    "unknown lead field {:?}; expected one of: {}",
                    c.field,
                    crate::domain::LEAD_FIELDS.join(", ")
                ),
            );
        }
        let v = c.value.as_ref();
        let ok = match c.op {
            Op::In | Op::NotIn => v.is_some_and(|v| v.is_array()),
            Op::Exists => v.is_none() || v.is_some_and(|v| v.is_boolean()),
            Op::Gte | Op::Lte => v.is_some_and(|v| v.is_number() || v.is_string()),
            Op::Eq | Op::Ne | Op::Contains => v.is_some_and(|v| v.is_string() || v.is_number()),
        };
        if !ok {
            let want = match c.op {
                Op::In | Op::NotIn => "a list",
                Op::Exists => "true or false (or nothing)",
                _ => "a string or a number",
            };
            push(&format!("{path}.value"), format!("{:?} needs {want}", c.op));
        }
    }
    if cfg.icp.is_none() && cfg.icp_file.is_none() {
        push("icp", "missing: give [icp] or icp_file".into());
    }
    if let Some(icp) = &cfg.icp {
        if icp.employee_range[0] > icp.employee_range[1] {
            push(
                "icp.employee_range",
                "the lower bound is above the upper bound".into(),
            );
        }
        if !(icp.tiers.a >= icp.tiers.b && icp.tiers.b >= icp.tiers.c) {
            push("icp.tiers", "must satisfy A ≥ B ≥ C".into());
        }
        let w = &icp.weights;
        if w.industry + w.size + w.geo + w.title + w.tech == 0 {
            push("icp.weights", "all weights are zero".into());
        }
    }
    let mut seen = BTreeMap::new();
    for (i, s) in cfg.assignment.sellers.iter().enumerate() {
        if !crate::agents::email::is_plausible_address(&s.email) {
            push(
                &format!("assignment.sellers[{i}].email"),
                format!("{:?} is not an email address", s.email),
            );
        }
        if let Some(j) = seen.insert(s.handle.clone(), i) {
            push(
                &format!("assignment.sellers[{i}].handle"),
                format!("{:?} is already seller {j}", s.handle),
            );
        }
    }
    if cfg.mode == Mode::Engage && cfg.assignment.sellers.is_empty() {
        push(
            "assignment.sellers",
            "engage mode hands leads over: name at least one seller".into(),
        );
    }
    if cfg.cadence.follow_up_days.contains(&0) {
        push(
            "cadence.follow_up_days",
            "a follow-up needs at least 1 day".into(),
        );
    }
    if let Err(e) = crate::agents::business_time::BusinessHours::parse(
        &cfg.cadence.business_hours,
        &cfg.cadence.business_days,
    ) {
        push("cadence.business_hours", e);
    }
    let order = &cfg.cadence.bant_order;
    if order
        .iter()
        .enumerate()
        .any(|(i, d)| order[..i].contains(d))
    {
        push(
            "cadence.bant_order",
            "name each BANT dimension at most once".into(),
        );
    }
    model_checks(&cfg.model, &mut push);
}

/// `[model]`: what each provider needs, and numbers in range.
pub(super) fn model_checks(m: &ModelConfig, push: &mut dyn FnMut(&str, String)) {
    match m.provider {
        Provider::Offline => {}
        Provider::Openai => {
            let e = m.endpoint.trim();
            if e.is_empty() {
                push(
                    "model.endpoint",
                    "provider = \"openai\" needs the endpoint's base URL (e.g. http://127.0.0.1:8000/v1)"
                        .into(),
                );
            } else if !(e.starts_with("http://") || e.starts_with("https://"))
                || url::Url::parse(e).is_err()
            {
                push("model.endpoint", format!("{e:?} is not an http(s) URL"));
            } else if e.trim_end_matches('/').ends_with("/chat/completions") {
                push(
                    "model.endpoint",
                    "give the base URL: the client appends /chat/completions".into(),
                );
            }
            if m.name.trim().is_empty() {
                push(
                    "model.name",
                    "provider = \"openai\" needs the model's name".into(),
                );
            }
        }
        Provider::Bedrock => {
            if m.model_id.trim().is_empty() {
                push(
                    "model.model_id",
                    "provider = \"bedrock\" needs a model id (e.g. anthropic.claude-3-haiku-20240307-v1:0)"
                        .into(),
                );
            }
        }
    }
    if m.api_key_env.trim().is_empty()
        || !m
            .api_key_env
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        push(
            "model.api_key_env",
            format!(
                "{:?}: the name of an environment variable (letters, digits, _), never the key",
                m.api_key_env
            ),
        );
    }
    if !(100..=600_000).contains(&m.timeout_ms) {
        push("model.timeout_ms", "must be 100 to 600000".into());
    }
    if m.retries > 10 {
        push("model.retries", "must be 0 to 10".into());
    }
    if m.backoff_ms == 0 || m.backoff_ms > m.max_backoff_ms {
        push(
            "model.backoff_ms",
            "must be at least 1 and at most max_backoff_ms".into(),
        );
    }
    if m.max_backoff_ms > 300_000 {
        push("model.max_backoff_ms", "must be at most 300000".into());
    }
    if m.breaker_failures == 0 {
        push("model.breaker_failures", "must be at least 1".into());
    }
    if !(1..=256).contains(&m.concurrency) {
        push("model.concurrency", "must be 1 to 256".into());
    }
    if !(16..=32_000).contains(&m.max_output_tokens) {
        push("model.max_output_tokens", "must be 16 to 32000".into());
    }
    for (key, price) in [
        ("model.price_in_per_million", m.price_in_per_million),
        ("model.price_out_per_million", m.price_out_per_million),
    ] {
        if !(price.is_finite() && price >= 0.0) {
            push(key, "must be a number of 0 or more".into());
        }
    }
}

/// The limits must be usable: a limit of a few bytes would refuse every file, and one near
/// `u64::MAX` is no limit at all.
pub(super) fn limits_checks(
    limits: &Limits,
    locate: &dyn Fn(&str) -> Option<usize>,
    issues: &mut Vec<ConfigIssue>,
) {
    const KIB: u64 = 1024;
    const GIB: u64 = 1024 * 1024 * 1024;
    let ranges = [
        (Limits::MAX_CONFIG_BYTES, limits.max_config_bytes, KIB, GIB),
        (
            Limits::MAX_KNOWLEDGE_BYTES,
            limits.max_knowledge_bytes,
            KIB,
            GIB,
        ),
        (Limits::MAX_CSV_BYTES, limits.max_csv_bytes, KIB, 16 * GIB),
        (
            Limits::MAX_MESSAGE_BYTES,
            limits.max_message_bytes,
            KIB,
            Limits::DEFAULT_MAX_MESSAGE_BYTES,
        ),
    ];
    for (key, value, low, high) in ranges {
        if !(low..=high).contains(&value) {
            issues.push(ConfigIssue {
                path: key.into(),
                line: locate(key),
                message: format!(
                    "{value} is outside {} ..= {} bytes ({} ..= {})",
                    low,
                    high,
                    crate::fsread::human_bytes(low),
                    crate::fsread::human_bytes(high)
                ),
            });
        }
    }
    if !(1..=10_000_000).contains(&limits.max_csv_rows) {
        issues.push(ConfigIssue {
            path: Limits::MAX_CSV_ROWS.into(),
            line: locate(Limits::MAX_CSV_ROWS),
            message: format!("{} is outside 1 ..= 10000000", limits.max_csv_rows),
        });
    }
    for (i, p) in limits.allow_paths.iter().enumerate() {
        if p.trim().is_empty() {
            issues.push(ConfigIssue {
                path: format!("limits.allow_paths[{i}]"),
                line: locate("limits.allow_paths"),
                message: "is empty; name a file or folder".into(),
            });
        }
    }
}

/// Refuse a change of mode that would lose what the lead was promised.
pub fn check_upgrade(old: &AgentConfig, new: &AgentConfig) -> Result<(), String> {
    if old.mode == Mode::Engage && new.mode == Mode::ResearchOnly {
        return Err(
            "the agent is in engage mode; going back to research_only is not allowed \
             (conversations in flight would be abandoned). Stop the agent instead \
             (state = \"stopped\") and start a new one."
                .into(),
        );
    }
    Ok(())
}
