use super::*;

pub const GOOD: &str = r#"
mode = "engage"
state = "running"

[company]
name = "Example Seller"

[agent]
name = "Ava Reed"
email = "ava@agent.seller.example"
signature = "Ava"
ai_disclosure = "I am an AI agent."
postal_address = "1 Main St, Boston"
unsubscribe_url = "https://x.example/u/{token}"

[icp]
industries = ["software"]
employee_range = [200, 5000]
countries = ["US"]
titles_include = ["data"]
seniority_min = "manager"
tech_stack_any = ["dbt"]
weights = { industry = 25, size = 20, geo = 15, title = 25, tech = 15 }
tiers = { A = 80, B = 60, C = 40 }

[[assignment.sellers]]
handle = "marcus"
email = "marcus@seller.example"
"#;

fn no_files(file: &NamedFile<'_>) -> Result<String, String> {
    Err(format!("{} is not available in this test", file.name))
}

#[test]
fn a_good_config_parses_with_defaults() {
    let cfg = parse(GOOD, &no_files).unwrap();
    assert_eq!(cfg.mode, Mode::Engage);
    assert_eq!(cfg.selection.created_within_days, 14);
    assert_eq!(cfg.selection.statuses, vec!["open"]);
    assert_eq!(cfg.agent.mail_domain(), "agent.seller.example");
}

#[test]
fn every_error_is_reported_with_its_path_and_line() {
    let bad = GOOD
        .replace("mode = \"engage\"", "mode = \"engaged\"")
        .replace(
            "employee_range = [200, 5000]",
            "employee_range = [200, 5000]\nfoo = 1",
        )
        .replace(
            "[company]",
            "[selection]\ncreated_within_days = \"two\"\n[company]",
        );
    let errs = parse(&bad, &no_files).unwrap_err().0;
    let paths: Vec<&str> = errs.iter().map(|e| e.path.as_str()).collect();
    assert!(paths.contains(&"mode"), "{errs:?}");
    assert!(paths.contains(&"icp.foo"), "{errs:?}");
    assert!(paths.contains(&"selection.created_within_days"), "{errs:?}");
    let foo = errs.iter().find(|e| e.path == "icp.foo").unwrap();
    let expected = bad.lines().position(|l| l.starts_with("foo = 1")).unwrap() + 1;
    assert_eq!(foo.line, Some(expected));
    let mode = errs.iter().find(|e| e.path == "mode").unwrap();
    assert_eq!(mode.line, Some(2));
}

fn line_of(text: &str, prefix: &str) -> Option<usize> {
    text.lines()
        .position(|l| l.starts_with(prefix))
        .map(|i| i + 1)
}

#[test]
fn the_model_is_offline_unless_the_config_names_another() {
    let cfg = parse(GOOD, &no_files).unwrap();
    assert_eq!(cfg.model.provider, Provider::Offline);
    assert_eq!(cfg.model.api_key_env, "SQA_MODEL_API_KEY");
    assert_eq!(cfg.model.tasks, crate::ports::ModelTask::ALL.to_vec());
    let text = format!(
        "{GOOD}\n[model]\nprovider = \"openai\"\nendpoint = \"http://127.0.0.1:8000/v1\"\nname = \"m\"\nprice_in_per_million = 0.15\nprice_out_per_million = 0.6\ntasks = [\"classify\", \"answer\"]\n"
    );
    let cfg = parse(&text, &no_files).unwrap();
    assert_eq!(cfg.model.provider, Provider::Openai);
    assert!((cfg.model.cost(1_000_000, 500_000) - 0.45).abs() < 1e-9);
    assert_eq!(
        cfg.model.tasks,
        [
            crate::ports::ModelTask::Classify,
            crate::ports::ModelTask::Answer
        ]
    );
}

#[test]
fn model_errors_name_their_key_and_line() {
    let text = format!(
        "{GOOD}\n[model]\nprovider = \"gpt\"\ntimeout_ms = 5\nretries = 99\nprice_in_per_million = -1.0\n"
    );
    let errs = parse(&text, &no_files).unwrap_err().0;
    let provider = errs
        .iter()
        .find(|e| e.path == "model.provider")
        .expect("provider");
    assert_eq!(provider.line, line_of(&text, "provider = \"gpt\""));
    assert!(provider.message.contains("openai"), "{provider}");

    let text = format!(
        "{GOOD}\n[model]\nprovider = \"openai\"\ntimeout_ms = 5\nretries = 99\nprice_in_per_million = -1.0\napi_key_env = \"sk-live-123 456\"\n"
    );
    let errs = parse(&text, &no_files).unwrap_err().0;
    for (path, prefix) in [
        ("model.endpoint", "[model]"),
        ("model.name", "[model]"),
        ("model.timeout_ms", "timeout_ms"),
        ("model.retries", "retries"),
        ("model.price_in_per_million", "price_in_per_million"),
        ("model.api_key_env", "api_key_env"),
    ] {
        let e = errs
            .iter()
            .find(|e| e.path == path)
            .unwrap_or_else(|| panic!("{path} in {errs:?}"));
        assert_eq!(e.line, line_of(&text, prefix), "{e}");
    }

    let text = format!("{GOOD}\n[model]\nprovider = \"bedrock\"\n");
    let errs = parse(&text, &no_files).unwrap_err().0;
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert_eq!(errs[0].path, "model.model_id");
    assert!(errs[0].message.contains("model id"), "{}", errs[0]);

    let text = format!(
        "{GOOD}\n[model]\nprovider = \"openai\"\nendpoint = \"http://h:1/v1/chat/completions\"\nname = \"m\"\n"
    );
    let errs = parse(&text, &no_files).unwrap_err().0;
    assert_eq!(errs[0].path, "model.endpoint");
    assert!(errs[0].message.contains("base URL"), "{}", errs[0]);
}

#[test]
fn syntax_errors_name_the_line() {
    let errs = parse("mode = \n[company", &no_files).unwrap_err().0;
    assert_eq!(errs.len(), 1);
    assert!(errs[0].line.is_some());
}

#[test]
fn bad_condition_values_are_reported() {
    let text = format!(
        "{GOOD}\n[[selection.conditions]]\nfield = \"country\"\nop = \"in\"\nvalue = \"US\"\n\n[[selection.conditions]]\nfield = \"shoe_size\"\nop = \"eq\"\nvalue = 3\n"
    );
    let errs = parse(&text, &no_files).unwrap_err().0;
    assert!(
        errs.iter()
            .any(|e| e.path == "selection.conditions[0].value"),
        "{errs:?}"
    );
    let f = errs
        .iter()
        .find(|e| e.path == "selection.conditions[1].field")
        .unwrap();
    let expected = text.lines().position(|l| l.contains("shoe_size")).unwrap();
    // The line of the second [[selection.conditions]] header or the field itself.
    assert!(f.line.unwrap() <= expected + 1 && f.line.unwrap() >= expected - 1);
}

#[test]
fn limits_have_safe_defaults_and_bad_ones_name_their_key_and_line() {
    let cfg = parse(GOOD, &no_files).unwrap();
    assert_eq!(cfg.limits, Limits::default());
    assert_eq!(cfg.limits.max_message_bytes, 25 * 1024 * 1024);
    let text = format!(
        "{GOOD}\n[limits]\nmax_csv_bytes = 5\nmax_csv_rows = 0\nmax_message_bytes = 999999999\nallow_paths = [\"\"]\nmax_files = 3\n"
    );
    let errs = parse(&text, &no_files).unwrap_err().0;
    let line_of = |needle: &str| text.lines().position(|l| l.starts_with(needle)).unwrap() + 1;
    let got: Vec<(&str, Option<usize>)> = errs.iter().map(|e| (e.path.as_str(), e.line)).collect();
    assert!(
        got.contains(&("limits.max_files", Some(line_of("max_files")))),
        "{errs:?}"
    );
    // The structure is reported first; the values are checked once it is right.
    let text = text.replace("max_files = 3\n", "");
    let errs = parse(&text, &no_files).unwrap_err().0;
    let got: Vec<(&str, Option<usize>)> = errs.iter().map(|e| (e.path.as_str(), e.line)).collect();
    assert_eq!(
        got,
        [
            ("limits.max_csv_bytes", Some(line_of("max_csv_bytes"))),
            ("limits.max_csv_rows", Some(line_of("max_csv_rows"))),
            (
                "limits.max_message_bytes",
                Some(line_of("max_message_bytes"))
            ),
            ("limits.allow_paths[0]", Some(line_of("allow_paths"))),
        ],
        "{errs:?}"
    );
    assert!(errs[2].message.contains("25 MiB"), "{}", errs[2]);
}

#[test]
fn engage_cannot_go_back_to_research_only() {
    let engage = parse(GOOD, &no_files).unwrap();
    let mut research = engage.clone();
    research.mode = Mode::ResearchOnly;
    assert!(check_upgrade(&engage, &research).is_err());
    assert!(check_upgrade(&research, &engage).is_ok());
}

#[test]
fn the_schema_names_every_section() {
    let schema = json_schema().to_string();
    for s in SECTIONS {
        assert!(schema.contains(s), "{s}");
    }
}

#[test]
fn outreach_errors_name_the_key_the_phrase_and_the_placeholder() {
    let text = format!(
        "{GOOD}\n[outreach]\nmode = \"template\"\ncalendar_link = \"https://evil.example/book\"\n\
         countries = {{ DE = \"klingon\" }}\n\
         [outreach.template]\nsubject = \"{{company}}\"\nbody = \"{{greeting}} {{colour}} {{signature}}\"\n\
         [phrases.de]\ngreetin = \"Moin\"\n[phrases.xx]\ngreeting = \"?\"\n"
    );
    let errs = parse(&text, &no_files).unwrap_err().0;
    let find = |path: &str| {
        errs.iter()
            .find(|e| e.path == path)
            .unwrap_or_else(|| panic!("no error at {path}: {errs:#?}"))
    };
    assert!(find("outreach.template.body").message.contains("{colour}"));
    assert!(find("outreach.template.body").line.is_some());
    assert!(
        find("outreach.calendar_link")
            .message
            .contains("allowed_links")
    );
    assert!(find("outreach.countries.DE").message.contains("klingon"));
    assert!(
        find("phrases.de.greetin")
            .message
            .contains("unknown phrase")
    );
    assert!(find("phrases.xx").message.contains("no phrase set"));
    // A template mode without a template.
    let errs = parse(
        &format!("{GOOD}\n[outreach]\nmode = \"template\"\n"),
        &no_files,
    )
    .unwrap_err()
    .0;
    assert!(
        errs.iter().any(|e| e.path == "outreach.template"),
        "{errs:#?}"
    );
}

#[test]
fn a_valid_config_still_names_what_the_agent_lacks_to_write() {
    let cfg = parse(GOOD, &no_files).unwrap();
    let lacks: Vec<String> = gaps(&cfg).into_iter().map(|g| g.path).collect();
    assert!(
        lacks.contains(&"outreach.calendar_link".to_string()),
        "{lacks:?}"
    );
}

#[test]
fn mail_and_inbox_default_to_files_and_bad_ones_name_their_key_and_line() {
    let cfg = parse(GOOD, &no_files).unwrap();
    assert_eq!(cfg.mail.transport, Transport::Outbox);
    assert_eq!(cfg.inbox.source, InboxSource::None);
    let text = format!(
        "{GOOD}\n[mail]\ntransport = \"smtp\"\nhost = \"smtp.example.test\"\nsecurity = \"none\"\n\n[inbox]\nsource = \"imap\"\nhost = \"127.0.0.1\"\nsecurity = \"none\"\nmove_to = \"INBOX\"\n"
    );
    let errs = parse(&text, &no_files).unwrap_err().0;
    let line_of = |needle: &str| text.lines().position(|l| l.starts_with(needle)).unwrap() + 1;
    let got: Vec<(&str, Option<usize>)> = errs.iter().map(|e| (e.path.as_str(), e.line)).collect();
    assert!(
        got.contains(&("mail.security", Some(line_of("security")))),
        "{errs:?}"
    );
    assert!(got.iter().any(|(p, _)| *p == "inbox.username"), "{errs:?}");
    assert!(
        got.contains(&("inbox.move_to", Some(line_of("move_to")))),
        "{errs:?}"
    );
    // A loopback relay may go without TLS; ports follow the security.
    let ok = format!(
        "{GOOD}\n[mail]\ntransport = \"smtp\"\nhost = \"127.0.0.1\"\nsecurity = \"none\"\nport = 2525\n\n[inbox]\nsource = \"maildir\"\npath = \"Maildir\"\n"
    );
    let cfg = parse(&ok, &no_files).unwrap();
    assert_eq!(cfg.mail.port(), 2525);
    assert_eq!(cfg.inbox.port(), 993);
    // IDLE is on by default and renewed within RFC 2177's 29 minutes.
    assert!(cfg.inbox.idle);
    assert_eq!(cfg.inbox.idle_renew_secs, 600);
    let imap = |extra: &str| {
        format!(
            "{GOOD}\n[inbox]\nsource = \"imap\"\nhost = \"127.0.0.1\"\nsecurity = \"none\"\nusername = \"agent\"\n{extra}"
        )
    };
    let off = parse(&imap("idle = false\n"), &no_files).unwrap();
    assert!(!off.inbox.idle);
    for bad in ["idle_renew_secs = 0\n", "idle_renew_secs = 1741\n"] {
        let errs = parse(&imap(bad), &no_files).unwrap_err().0;
        assert_eq!(errs[0].path, "inbox.idle_renew_secs", "{bad}: {errs:?}");
    }
    // The SES Message-ID host: unset by default, else a host inbound matching reads.
    assert_eq!(cfg.mail.ses_message_id_domain, None);
    let ses = |d: &str| format!("{GOOD}\n[mail]\nses_message_id_domain = \"{d}\"\n");
    let named = parse(&ses("us-east-1.amazonses.com"), &no_files).unwrap();
    assert_eq!(
        named.mail.ses_message_id_domain.as_deref(),
        Some("us-east-1.amazonses.com")
    );
    let errs = parse(&ses("mail.example.com"), &no_files).unwrap_err().0;
    assert_eq!(errs[0].path, "mail.ses_message_id_domain", "{errs:?}");
    let typo = format!("{GOOD}\n[mail]\ntransport = \"sendmail\"\n");
    let errs = parse(&typo, &no_files).unwrap_err().0;
    assert_eq!(errs[0].path, "mail.transport", "{errs:?}");
}

#[test]
fn a_control_share_is_a_share_up_to_one_half() {
    let ok = format!("{GOOD}\n[selection]\ncontrol_share = 0.1\n");
    assert_eq!(parse(&ok, &no_files).unwrap().selection.control_share, 0.1);
    assert_eq!(parse(GOOD, &no_files).unwrap().selection.control_share, 0.0);
    for bad in ["0.6", "-0.1"] {
        let text = format!("{GOOD}\n[selection]\ncontrol_share = {bad}\n");
        let errs = parse(&text, &no_files).unwrap_err().0;
        let e = errs
            .iter()
            .find(|e| e.path == "selection.control_share")
            .unwrap_or_else(|| panic!("{errs:?}"));
        assert!(e.message.contains("between 0 and 0.5"), "{e:?}");
    }
}

fn any_file(file: &NamedFile<'_>) -> Result<String, String> {
    Ok(format!(
        "# {}\n\n## Entry\nText of {}.\n",
        file.name, file.name
    ))
}

#[test]
fn a_knowledge_source_is_a_path_for_every_purpose_or_a_table_of_its_purposes() {
    let text = format!(
        "{GOOD}\n[knowledge]\nsources = [\n  \"faq.md\",\n  {{ path = \"proof.md\", purposes = [\"outreach\"] }},\n  {{ path = \"about.md\", purposes = [\"research\", \"answers\"] }},\n]\n"
    );
    let cfg = parse(&text, &any_file).unwrap();
    let names = |p: Purpose| -> Vec<String> {
        cfg.knowledge_for(p).into_iter().map(|d| d.source).collect()
    };
    assert_eq!(names(Purpose::Answers), ["faq.md", "about.md"]);
    assert_eq!(names(Purpose::Outreach), ["faq.md", "proof.md"]);
    assert_eq!(names(Purpose::Research), ["faq.md", "about.md"]);
    assert_eq!(cfg.knowledge.sources[0], KnowledgeSource::from("faq.md"));
    // Every purpose has a source: nothing to report about the knowledge.
    assert!(
        gaps(&cfg).iter().all(|g| g.path != "knowledge.sources"),
        "{:?}",
        gaps(&cfg)
    );
    // The schema documents both forms.
    let schema = json_schema().to_string();
    assert!(
        schema.contains("purposes") && schema.contains("answers"),
        "{schema}"
    );
}

#[test]
fn an_unknown_purpose_names_its_key_and_line() {
    let text = format!(
        "{GOOD}\n[knowledge]\nsources = [\"faq.md\", \"more.md\",\n  {{ path = \"proof.md\", purposes = [\"replies\"] }}]\n"
    );
    let errs = parse(&text, &any_file).unwrap_err().0;
    let e = errs
        .iter()
        .find(|e| e.path == "knowledge.sources[2].purposes[0]")
        .unwrap_or_else(|| panic!("{errs:#?}"));
    assert!(e.message.contains("replies"), "{e}");
    assert!(e.message.contains("answers"), "{e}");
    assert!(e.line.is_some(), "{e}");
    // An unknown key in the table; a table naming no purpose.
    for (table, path) in [
        (
            "{ path = \"a.md\", purpose = [\"answers\"] }",
            "knowledge.sources[1].purpose",
        ),
        (
            "{ path = \"b.md\", purposes = [] }",
            "knowledge.sources[1].purposes",
        ),
    ] {
        let text = format!("{GOOD}\n[knowledge]\nsources = [\"faq.md\", {table}]\n");
        let errs = parse(&text, &any_file).unwrap_err().0;
        assert!(errs.iter().any(|e| e.path == path), "{table}: {errs:#?}");
    }
}

#[test]
fn config_check_names_a_purpose_without_a_source() {
    let text = format!(
        "{GOOD}\n[knowledge]\nsources = [{{ path = \"proof.md\", purposes = [\"outreach\", \"research\"] }}]\n"
    );
    let cfg = parse(&text, &any_file).unwrap();
    let lacks: Vec<String> = gaps(&cfg)
        .into_iter()
        .filter(|g| g.path == "knowledge.sources")
        .map(|g| g.message)
        .collect();
    assert_eq!(
        lacks,
        ["answers: no knowledge source — every question goes to a person"]
    );
}
