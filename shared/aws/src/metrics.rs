//! The model's cost as CloudWatch metrics: one Embedded Metric Format (EMF) line on stdout
//! per run record that called a model. Lambda sends stdout to CloudWatch Logs, which turns
//! each such line into metrics — no API call, no extra IAM — and keeps the lead id and the
//! provider as searchable properties. The totals are the same as `sqa stats --cost` reads
//! from the run records.

use serde_json::{Value, json};
use sqa_core::ports::RunRecord;

/// The metric namespace.
pub const NAMESPACE: &str = "SQA";

/// The EMF document of one run record's model calls, or `None` when it made none.
pub fn emf(record: &RunRecord, timestamp_ms: i64) -> Option<Value> {
    let calls = &record.model_calls;
    if calls.is_empty() {
        return None;
    }
    let sum = |f: fn(&sqa_core::ports::ModelCall) -> u64| calls.iter().map(f).sum::<u64>();
    let provider = calls.last().map(|c| c.provider.clone()).unwrap_or_default();
    let model = calls.last().map(|c| c.model.clone()).unwrap_or_default();
    Some(json!({
        "_aws": {
            "Timestamp": timestamp_ms,
            "CloudWatchMetrics": [{
                "Namespace": NAMESPACE,
                "Dimensions": [["Stage"], ["Stage", "Provider"]],
                "Metrics": [
                    {"Name": "ModelCalls", "Unit": "Count"},
                    {"Name": "ModelFallbacks", "Unit": "Count"},
                    {"Name": "ModelTokensIn", "Unit": "Count"},
                    {"Name": "ModelTokensOut", "Unit": "Count"},
                    {"Name": "ModelCost", "Unit": "None"},
                    {"Name": "ModelLatency", "Unit": "Milliseconds"}
                ]
            }]
        },
        "Stage": record.stage,
        "Provider": provider,
        "Model": model,
        "LeadId": record.lead_id.as_ref().map(|l| l.to_string()),
        "RunId": record.run_id,
        "ModelCalls": calls.len(),
        "ModelFallbacks": calls.iter().filter(|c| c.fallback.is_some()).count(),
        "ModelTokensIn": sum(|c| c.tokens_in),
        "ModelTokensOut": sum(|c| c.tokens_out),
        "ModelCost": calls.iter().map(|c| c.cost).sum::<f64>(),
        "ModelLatency": sum(|c| c.latency_ms),
    }))
}

/// Print the EMF line of `record`, if it called a model.
pub fn emit(record: &RunRecord) {
    if let Some(doc) = emf(record, chrono::Utc::now().timestamp_millis()) {
        println!("{doc}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqa_core::ports::{ModelCall, ModelTask};

    fn record(calls: Vec<ModelCall>) -> RunRecord {
        RunRecord {
            run_id: "run-1".into(),
            lead_id: Some(sqa_core::LeadId::parse("L0001").unwrap()),
            stage: "engage".into(),
            decision: "answer".into(),
            reasons: vec![],
            inputs_digest: String::new(),
            at: chrono::Utc::now(),
            duration_ms: 1,
            model: None,
            prompt_version: None,
            tokens_in: 0,
            tokens_out: 0,
            error: None,
            model_calls: calls,
        }
    }

    fn call(task: ModelTask, fallback: Option<&str>) -> ModelCall {
        ModelCall {
            task,
            provider: "bedrock".into(),
            model: "m".into(),
            prompt: "classify@0".into(),
            tokens_in: 100,
            tokens_out: 20,
            latency_ms: 300,
            cost: 0.001,
            fallback: fallback.map(str::to_string),
        }
    }

    #[test]
    fn a_record_with_model_calls_becomes_one_emf_document() {
        let r = record(vec![
            call(ModelTask::Classify, None),
            call(ModelTask::Answer, Some("failed a check")),
        ]);
        let doc = emf(&r, 1_700_000_000_000).unwrap();
        assert_eq!(doc["_aws"]["CloudWatchMetrics"][0]["Namespace"], "SQA");
        let names: Vec<&str> = doc["_aws"]["CloudWatchMetrics"][0]["Metrics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["Name"].as_str().unwrap())
            .collect();
        for n in &names {
            assert!(doc.get(*n).is_some(), "{n} has a value");
        }
        for dims in doc["_aws"]["CloudWatchMetrics"][0]["Dimensions"]
            .as_array()
            .unwrap()
        {
            for d in dims.as_array().unwrap() {
                assert!(
                    doc[d.as_str().unwrap()].is_string(),
                    "dimension {d} is a string"
                );
            }
        }
        assert_eq!(doc["ModelCalls"], 2);
        assert_eq!(doc["ModelFallbacks"], 1);
        assert_eq!(doc["ModelTokensIn"], 200);
        assert_eq!(doc["ModelLatency"], 600);
        assert!((doc["ModelCost"].as_f64().unwrap() - 0.002).abs() < 1e-12);
        assert_eq!(doc["LeadId"], "L0001");
        assert!(emf(&record(vec![]), 0).is_none());
    }
}
