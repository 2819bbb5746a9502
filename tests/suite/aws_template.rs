//! Checks of `template.yaml` that cfn-lint and `sam validate --lint` do not make: values inside
//! `AWS::Serverless::Function` (they miss `arm65` or a typo in `FunctionResponseTypes`),
//! dead-letter queues and their alarms, visibility timeouts against the consumer's timeout,
//! CodeUri against the workspace, least privilege, and the tables against the adapters'
//! schema (`sqa_aws::schema`).

use sqa_aws::schema::{self, Projection};
use std::collections::{BTreeMap, BTreeSet};
use yaml_rust2::{Yaml, YamlLoader};

fn template() -> Yaml {
    let path = sqa_tests::workspace_root().join("template.yaml");
    let text = std::fs::read_to_string(&path).expect("template.yaml is readable");
    let mut docs = YamlLoader::load_from_str(&text).expect("template.yaml is YAML");
    assert_eq!(docs.len(), 1, "template.yaml holds one document");
    docs.remove(0)
}

fn resources(t: &Yaml) -> Vec<(String, &Yaml)> {
    t["Resources"]
        .as_hash()
        .expect("Resources is a mapping")
        .iter()
        .map(|(k, v)| (k.as_str().unwrap_or_default().to_string(), v))
        .collect()
}

fn of_type<'a>(t: &'a Yaml, kind: &str) -> Vec<(String, &'a Yaml)> {
    resources(t)
        .into_iter()
        .filter(|(_, r)| r["Type"].as_str() == Some(kind))
        .collect()
}

/// A value given directly or through `Globals.Function`.
fn function_prop<'a>(t: &'a Yaml, f: &'a Yaml, key: &str) -> &'a Yaml {
    let own = &f["Properties"][key];
    if own.is_badvalue() {
        &t["Globals"]["Function"][key]
    } else {
        own
    }
}

/// `!GetAtt Name.Arn` and `!Ref Name` both read as plain strings here; the logical id is the
/// part before the first dot.
fn logical_id(v: &Yaml) -> String {
    v.as_str()
        .unwrap_or_default()
        .split('.')
        .next()
        .unwrap_or_default()
        .to_string()
}

fn sqs_events(f: &Yaml) -> Vec<(String, &Yaml)> {
    f["Properties"]["Events"]
        .as_hash()
        .map(|h| {
            h.iter()
                .filter(|(_, e)| e["Type"].as_str() == Some("SQS"))
                .map(|(k, e)| (k.as_str().unwrap_or_default().to_string(), e))
                .collect()
        })
        .unwrap_or_default()
}

/// Every policy statement of a function (inline `Policies`, including those under `!If`).
fn statements(f: &Yaml) -> Vec<&Yaml> {
    fn walk<'a>(y: &'a Yaml, out: &mut Vec<&'a Yaml>) {
        match y {
            Yaml::Hash(h) => {
                if let Some(Yaml::Array(stmts)) = h.get(&Yaml::String("Statement".into())) {
                    out.extend(stmts.iter());
                } else {
                    for v in h.values() {
                        walk(v, out);
                    }
                }
            }
            Yaml::Array(a) => a.iter().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(&f["Properties"]["Policies"], &mut out);
    out
}

fn as_list(y: &Yaml) -> Vec<&Yaml> {
    match y {
        Yaml::Array(a) => a.iter().collect(),
        Yaml::BadValue => Vec::new(),
        other => vec![other],
    }
}

#[test]
fn every_function_is_an_arm64_al2023_rust_build_of_a_workspace_package() {
    let t = template();
    let packages = workspace_packages();
    let functions = of_type(&t, "AWS::Serverless::Function");
    assert!(
        functions.len() >= 8,
        "select, validate, research, outreach, engage, handover, feedback, api, webhooks"
    );
    for (name, f) in &functions {
        assert_eq!(
            function_prop(&t, f, "Runtime").as_str(),
            Some("provided.al2023"),
            "{name} runtime"
        );
        let arch: Vec<&str> = as_list(function_prop(&t, f, "Architectures"))
            .iter()
            .filter_map(|a| a.as_str())
            .collect();
        assert_eq!(arch, vec!["arm64"], "{name} architectures");
        assert_eq!(
            function_prop(&t, f, "Handler").as_str(),
            Some("bootstrap"),
            "{name} handler"
        );
        assert_eq!(
            f["Metadata"]["BuildMethod"].as_str(),
            Some("rust-cargolambda"),
            "{name} build method"
        );
        let code_uri = f["Properties"]["CodeUri"].as_str().unwrap_or_default();
        let folder = code_uri
            .strip_prefix("functions/")
            .unwrap_or_else(|| panic!("{name}: CodeUri {code_uri:?} is not functions/<name>"));
        let pkg = packages
            .get(code_uri.trim_end_matches('/'))
            .unwrap_or_else(|| panic!("{name}: CodeUri {code_uri} is not a workspace package"));
        assert_eq!(
            pkg, folder,
            "{name}: the package name must be its folder name (the binary SAM builds)"
        );
        assert!(
            sqa_tests::workspace_root()
                .join(code_uri)
                .join("src/main.rs")
                .is_file(),
            "{name}: {code_uri} has a binary"
        );
    }
}

#[test]
fn every_sqs_event_reports_batch_item_failures() {
    let t = template();
    let mut seen = 0;
    for (name, f) in of_type(&t, "AWS::Serverless::Function") {
        for (event, e) in sqs_events(f) {
            seen += 1;
            let types: Vec<&str> = as_list(&e["Properties"]["FunctionResponseTypes"])
                .iter()
                .filter_map(|v| v.as_str())
                .collect();
            assert_eq!(types, vec!["ReportBatchItemFailures"], "{name}.{event}");
            let batch = e["Properties"]["BatchSize"].as_i64().unwrap_or(10);
            assert!(
                (1..=10).contains(&batch),
                "{name}.{event}: batch size {batch}"
            );
        }
    }
    assert_eq!(
        seen, 7,
        "validate, research, outreach, engage, handover, feedback and webhooks read queues"
    );
}

#[test]
fn every_queue_has_a_dead_letter_queue_with_an_alarm_and_enough_visibility() {
    let t = template();
    let queues: BTreeMap<String, &Yaml> = of_type(&t, "AWS::SQS::Queue").into_iter().collect();
    let dlqs: BTreeSet<String> = queues
        .values()
        .map(|q| logical_id(&q["Properties"]["RedrivePolicy"]["deadLetterTargetArn"]))
        .filter(|id| !id.is_empty())
        .collect();
    let alarmed: BTreeSet<String> = of_type(&t, "AWS::CloudWatch::Alarm")
        .iter()
        .flat_map(|(_, a)| as_list(&a["Properties"]["Dimensions"]))
        .filter(|d| d["Name"].as_str() == Some("QueueName"))
        .map(|d| logical_id(&d["Value"]))
        .collect();

    // The consumer of each queue, and its timeout.
    let mut consumer_timeout: BTreeMap<String, i64> = BTreeMap::new();
    for (_, f) in of_type(&t, "AWS::Serverless::Function") {
        let timeout = function_prop(&t, f, "Timeout").as_i64().unwrap_or(3);
        for (_, e) in sqs_events(f) {
            consumer_timeout.insert(logical_id(&e["Properties"]["Queue"]), timeout);
        }
    }

    for (name, q) in &queues {
        if dlqs.contains(name) {
            assert!(
                alarmed.contains(name),
                "dead-letter queue {name} has no alarm"
            );
            continue;
        }
        let redrive = &q["Properties"]["RedrivePolicy"];
        let dlq = logical_id(&redrive["deadLetterTargetArn"]);
        assert!(
            queues.contains_key(&dlq),
            "queue {name} has no dead-letter queue"
        );
        let max = redrive["maxReceiveCount"].as_i64().unwrap_or(0);
        assert!(max >= 5, "queue {name}: maxReceiveCount {max} < 5");
        let timeout = *consumer_timeout
            .get(name)
            .unwrap_or_else(|| panic!("queue {name} has no consumer"));
        let visibility = q["Properties"]["VisibilityTimeout"].as_i64().unwrap_or(30);
        assert!(
            visibility >= 6 * timeout,
            "queue {name}: visibility {visibility} s < 6 × the consumer's {timeout} s"
        );
    }
    assert_eq!(dlqs.len(), 7, "seven queues, seven dead-letter queues");
}

/// No statement grants a `*` resource. (None is needed: SES sending is scoped to the
/// identities and the configuration set, SSM to the parameter, KMS to the key. The only `*`
/// in the template is the bucket policy's `Principal: "*"` of the Deny-without-TLS rule.)
#[test]
fn no_policy_grants_a_wildcard_resource() {
    let t = template();
    for (name, r) in resources(&t) {
        let kind = r["Type"].as_str().unwrap_or_default();
        let stmts: Vec<&Yaml> = if kind == "AWS::Serverless::Function" {
            statements(r)
        } else {
            as_list(&r["Properties"]["PolicyDocument"]["Statement"])
        };
        for s in stmts {
            for res in as_list(&s["Resource"]) {
                let text = res.as_str().unwrap_or_default();
                assert!(
                    text != "*" && !text.ends_with(":*"),
                    "{name}: statement {:?} grants the resource {text:?}",
                    s["Sid"].as_str()
                );
            }
            for action in as_list(&s["Action"]) {
                let a = action.as_str().unwrap_or_default();
                assert!(
                    a != "*" && (!a.ends_with(":*") || s["Effect"].as_str() == Some("Deny")),
                    "{name}: statement {:?} allows every action {a:?}",
                    s["Sid"].as_str()
                );
            }
        }
    }
}

/// A function's queue URLs and its `sqs:SendMessage` grants name the same queues: it can send
/// where it is told to, and nowhere else.
#[test]
fn functions_may_send_only_to_the_queues_they_are_given() {
    let t = template();
    for (name, f) in of_type(&t, "AWS::Serverless::Function") {
        let env: BTreeSet<String> = f["Properties"]["Environment"]["Variables"]
            .as_hash()
            .map(|h| {
                h.iter()
                    .filter(|(k, _)| {
                        let k = k.as_str().unwrap_or_default();
                        k.starts_with("SQA_QUEUE_") && k.ends_with("_URL")
                    })
                    .map(|(_, v)| logical_id(v))
                    .collect()
            })
            .unwrap_or_default();
        let granted: BTreeSet<String> = statements(f)
            .into_iter()
            .filter(|s| {
                as_list(&s["Action"])
                    .iter()
                    .any(|a| a.as_str() == Some("sqs:SendMessage"))
            })
            .flat_map(|s| as_list(&s["Resource"]))
            .map(logical_id)
            .collect();
        assert_eq!(
            env, granted,
            "{name}: queue URLs and SendMessage grants differ"
        );
    }
}

#[test]
fn tables_are_on_demand_recoverable_encrypted_and_match_the_adapters_schema() {
    let t = template();
    for table in schema::ALL {
        let r = &t["Resources"][table.logical];
        assert_eq!(
            r["Type"].as_str(),
            Some("AWS::DynamoDB::Table"),
            "{}",
            table.logical
        );
        let p = &r["Properties"];
        assert_eq!(
            p["BillingMode"].as_str(),
            Some("PAY_PER_REQUEST"),
            "{}",
            table.logical
        );
        assert_eq!(
            p["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"].as_bool(),
            Some(true),
            "{}",
            table.logical
        );
        // SSESpecification is an !If of two mappings: both must enable encryption.
        let sse = as_list(&p["SSESpecification"]);
        assert!(
            !sse.is_empty()
                && sse
                    .iter()
                    .filter(|s| s.as_hash().is_some())
                    .all(|s| s["SSEEnabled"].as_bool() == Some(true)),
            "{}: encryption",
            table.logical
        );
        let keys: Vec<(&str, &str)> = as_list(&p["KeySchema"])
            .iter()
            .map(|k| {
                (
                    k["AttributeName"].as_str().unwrap_or(""),
                    k["KeyType"].as_str().unwrap_or(""),
                )
            })
            .collect();
        let mut want = vec![(table.pk, "HASH")];
        want.extend(table.sk.map(|s| (s, "RANGE")));
        assert_eq!(keys, want, "{} key", table.logical);
        let indexes: BTreeMap<&str, &Yaml> = as_list(&p["GlobalSecondaryIndexes"])
            .into_iter()
            .map(|i| (i["IndexName"].as_str().unwrap_or(""), i))
            .collect();
        assert_eq!(
            indexes.keys().copied().collect::<BTreeSet<_>>(),
            table
                .indexes
                .iter()
                .map(|i| i.name)
                .collect::<BTreeSet<_>>(),
            "{} indexes",
            table.logical
        );
        for ix in table.indexes {
            let y = indexes[ix.name];
            let keys: Vec<&str> = as_list(&y["KeySchema"])
                .iter()
                .map(|k| k["AttributeName"].as_str().unwrap_or(""))
                .collect();
            assert_eq!(
                keys,
                vec![ix.pk, ix.sk],
                "{}.{} keys",
                table.logical,
                ix.name
            );
            let projection = y["Projection"]["ProjectionType"].as_str().unwrap_or("");
            let want = match ix.projection {
                Projection::KeysOnly => "KEYS_ONLY",
                Projection::All => "ALL",
                Projection::Include(_) => "INCLUDE",
            };
            assert_eq!(projection, want, "{}.{} projection", table.logical, ix.name);
            if let Projection::Include(attrs) = ix.projection {
                let got: Vec<&str> = as_list(&y["Projection"]["NonKeyAttributes"])
                    .iter()
                    .filter_map(|a| a.as_str())
                    .collect();
                assert_eq!(
                    got,
                    attrs.to_vec(),
                    "{}.{} projected attributes",
                    table.logical,
                    ix.name
                );
            }
        }
    }
}

#[test]
fn the_inbound_bucket_is_private_encrypted_and_expires_mail() {
    let t = template();
    let p = &t["Resources"]["InboundBucket"]["Properties"];
    assert!(!p["BucketEncryption"].is_badvalue(), "bucket encryption");
    let block = &p["PublicAccessBlockConfiguration"];
    for k in [
        "BlockPublicAcls",
        "BlockPublicPolicy",
        "IgnorePublicAcls",
        "RestrictPublicBuckets",
    ] {
        assert_eq!(block[k].as_bool(), Some(true), "{k}");
    }
    let expiring = as_list(&p["LifecycleConfiguration"]["Rules"])
        .iter()
        .any(|r| r["Prefix"].as_str() == Some("inbound/") && !r["ExpirationInDays"].is_badvalue());
    assert!(expiring, "inbound mail expires");
    let rule = &t["Resources"]["ReceiptRule"]["Properties"]["Rule"];
    let s3 = as_list(&rule["Actions"])
        .into_iter()
        .find(|a| !a["S3Action"].is_badvalue())
        .expect("the receipt rule stores mail in S3");
    assert_eq!(logical_id(&s3["S3Action"]["TopicArn"]), "InboundTopic");
    assert_eq!(logical_id(&s3["S3Action"]["BucketName"]), "InboundBucket");
}

#[test]
fn the_template_takes_the_documented_parameters() {
    let t = template();
    let params = t["Parameters"].as_hash().expect("Parameters");
    for p in [
        "Mode",
        "SenderAddress",
        "AgentMailDomain",
        "Schedule",
        "ModelProvider",
        "ModelEndpoint",
        "ModelName",
        "ModelApiKeyParameter",
        "UnsubscribeSecretParameter",
        "KmsKeyArn",
        "ApiAuth",
        "JwtIssuer",
        "JwtAudience",
    ] {
        assert!(
            params.contains_key(&Yaml::String(p.into())),
            "parameter {p}"
        );
    }
    assert_eq!(
        t["Parameters"]["Schedule"]["Default"].as_str(),
        Some("rate(4 hours)")
    );
}

/// Health and the one-click unsubscribe are the only public routes; every other request goes
/// through the `$default` route, behind IAM or the JWT authorizer as `ApiAuth` chooses.
#[test]
fn only_health_and_unsubscribe_are_public_and_the_rest_is_behind_the_chosen_authorizer() {
    let t = template();
    let routes = of_type(&t, "AWS::ApiGatewayV2::Route");
    let mut public: Vec<&str> = routes
        .iter()
        .filter(|(_, r)| r["Properties"]["AuthorizationType"].as_str() == Some("NONE"))
        .filter_map(|(_, r)| r["Properties"]["RouteKey"].as_str())
        .collect();
    public.sort();
    assert_eq!(
        public,
        ["GET /health", "GET /unsubscribe", "POST /unsubscribe"]
    );
    let default = routes
        .iter()
        .find(|(_, r)| r["Properties"]["RouteKey"].as_str() == Some("$default"))
        .expect("a $default route");
    // `!If [UsesJwt, JWT, AWS_IAM]`: the reader drops the short tag and keeps the list.
    let auth: Vec<&str> = as_list(&default.1["Properties"]["AuthorizationType"])
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    assert_eq!(auth, ["UsesJwt", "JWT", "AWS_IAM"], "{:?}", default.1);
    assert_eq!(
        t["Parameters"]["ApiAuth"]["Default"].as_str(),
        Some("iam"),
        "IAM unless the operator chooses a JWT issuer"
    );
}

/// Bedrock is reachable only by the functions that ask a model (outreach, engage, handover),
/// only when the stack chose it (`UsesBedrock`), and only for `bedrock:InvokeModel` on the one
/// foundation model the stack names.
#[test]
fn only_the_model_functions_may_invoke_only_the_chosen_bedrock_model() {
    let t = template();
    // Each Bedrock statement with whether it sits under the UsesBedrock condition.
    let bedrock_statements = |f: &Yaml| -> Vec<(bool, Yaml)> {
        let mut out = Vec::new();
        for policy in as_list(&f["Properties"]["Policies"]) {
            let conditional = policy
                .as_vec()
                .is_some_and(|v| v[0].as_str() == Some("UsesBedrock"));
            for s in statements_of(policy) {
                let touches_bedrock = as_list(&s["Action"])
                    .iter()
                    .any(|a| a.as_str().unwrap_or_default().starts_with("bedrock:"));
                if touches_bedrock {
                    out.push((conditional, s.clone()));
                }
            }
        }
        out
    };
    for (name, f) in of_type(&t, "AWS::Serverless::Function") {
        let found = bedrock_statements(f);
        if !["OutreachFunction", "EngageFunction", "HandoverFunction"].contains(&name.as_str()) {
            assert!(found.is_empty(), "{name} may not call Bedrock");
            continue;
        }
        assert_eq!(found.len(), 1, "{name}: one Bedrock statement");
        let (conditional, s) = &found[0];
        assert!(
            conditional,
            "{name}: the grant exists only when ModelProvider is bedrock"
        );
        let actions: Vec<&str> = as_list(&s["Action"])
            .iter()
            .filter_map(|a| a.as_str())
            .collect();
        assert_eq!(actions, ["bedrock:InvokeModel"], "{name}: InvokeModel only");
        let resources: Vec<&str> = as_list(&s["Resource"])
            .iter()
            .filter_map(|r| r.as_str())
            .collect();
        assert_eq!(
            resources,
            ["arn:${AWS::Partition}:bedrock:${AWS::Region}::foundation-model/${ModelName}"],
            "{name}: the one model"
        );
    }
    assert_eq!(
        t["Conditions"]["UsesBedrock"].as_vec().map(|v| v.len()),
        Some(2),
        "UsesBedrock compares ModelProvider with bedrock"
    );
}

/// The statements inside one policy entry (plain, or under `!If`).
fn statements_of(y: &Yaml) -> Vec<&Yaml> {
    fn walk<'a>(y: &'a Yaml, out: &mut Vec<&'a Yaml>) {
        match y {
            Yaml::Hash(h) => {
                if let Some(Yaml::Array(stmts)) = h.get(&Yaml::String("Statement".into())) {
                    out.extend(stmts.iter());
                } else {
                    h.values().for_each(|v| walk(v, out));
                }
            }
            Yaml::Array(a) => a.iter().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(y, &mut out);
    out
}

/// The functions are Lambda glue: every AWS call goes through `sqa-aws`, so a function
/// depends on no `aws-sdk-*` crate (nor `aws-config`) itself.
#[test]
fn functions_never_depend_on_an_aws_sdk_crate_directly() {
    let meta = metadata();
    for p in meta["packages"].as_array().into_iter().flatten() {
        let manifest = p["manifest_path"].as_str().unwrap_or_default();
        if !manifest.contains("/functions/") {
            continue;
        }
        for d in p["dependencies"].as_array().into_iter().flatten() {
            let name = d["name"].as_str().unwrap_or_default();
            assert!(
                !name.starts_with("aws-sdk-") && name != "aws-config",
                "{} depends on {name}; call AWS through sqa-aws",
                p["name"]
            );
        }
    }
}

/// `sam build` runs `cargo lambda build --release` inside `functions/<name>`, where cargo
/// reads `functions/.cargo/config.toml`: the functions' size profile. The hello-world
/// baseline of `infra/lambda-figures.sh` must be built the same way, and no profile may abort
/// on panic (the batch helper catches a panic per record).
#[test]
fn lambda_builds_use_the_size_profile_and_the_baseline_is_built_the_same_way() {
    let root = sqa_tests::workspace_root();
    let read =
        |p: &str| std::fs::read_to_string(root.join(p)).unwrap_or_else(|e| panic!("{p}: {e}"));
    let functions = read("functions/.cargo/config.toml");
    for baseline in ["lambda-baseline", "lambda-baseline-sdk"] {
        assert_eq!(
            functions,
            read(&format!("infra/{baseline}/.cargo/config.toml")),
            "the baseline {baseline} is built with the functions' profile"
        );
    }
    let settings: Vec<&str> = functions
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    assert_eq!(
        settings,
        vec![
            "[profile.release]",
            "lto = \"fat\"",
            "codegen-units = 1",
            "opt-level = \"s\""
        ]
    );
    let manifest = read("Cargo.toml");
    assert!(
        !manifest
            .lines()
            .any(|l| l.trim_start().starts_with("panic")),
        "panic = \"abort\" would turn a bad record into a lost batch"
    );
}

fn metadata() -> serde_json::Value {
    let root = sqa_tests::workspace_root();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = std::process::Command::new(cargo)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(&root)
        .output()
        .expect("run cargo metadata");
    assert!(
        out.status.success(),
        "cargo metadata: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("metadata JSON")
}

/// `manifest dir → package name` of every workspace member, from `cargo metadata`.
fn workspace_packages() -> BTreeMap<String, String> {
    let meta = metadata();
    let root = sqa_tests::workspace_root();
    let root = root.canonicalize().unwrap_or(root);
    meta["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| {
            let manifest = std::path::PathBuf::from(p["manifest_path"].as_str()?);
            let dir = manifest
                .parent()?
                .strip_prefix(&root)
                .ok()?
                .to_string_lossy()
                .to_string();
            Some((dir, p["name"].as_str()?.to_string()))
        })
        .collect()
}
