//! The JSON Schema of each task's answer, and a validator for the part of JSON Schema they
//! use (`type`, `properties`, `required`, `additionalProperties`, `items`, `enum`,
//! `maxLength`, `maxItems`). The schemas are written in the strict form OpenAI's structured
//! output accepts: every property required, nullable ones typed `["string", "null"]`.

use crate::ports::ModelTask;
use serde_json::{Value, json};

/// The intents a model may give; machine intents (bounce, out of office, auto-reply) are not
/// among them, because machine mail never reaches a model.
pub const MODEL_INTENTS: [&str; 8] = [
    "interested",
    "question",
    "not_now",
    "not_interested",
    "unsubscribe",
    "wrong_person",
    "complaint",
    "unclear",
];

fn bant_fact() -> Value {
    json!({
        "type": "object",
        "properties": {
            "level": {"type": "string", "enum": ["positive", "negative", "unknown"]},
            "text": {"type": ["string", "null"], "maxLength": 300}
        },
        "required": ["level", "text"],
        "additionalProperties": false
    })
}

fn email_draft(max_body: usize) -> Value {
    json!({
        "type": "object",
        "properties": {
            "subject": {"type": "string", "maxLength": 160},
            "body": {"type": "string", "maxLength": max_body},
            "cited": {"type": "array", "items": {"type": "string", "maxLength": 600}, "maxItems": 8}
        },
        "required": ["subject", "body", "cited"],
        "additionalProperties": false
    })
}

/// The schema of `task`'s answer.
pub fn schema(task: ModelTask) -> Value {
    match task {
        ModelTask::Classify => json!({
            "type": "object",
            "properties": {
                "intent": {"type": "string", "enum": MODEL_INTENTS},
                "bant": {
                    "type": "object",
                    "properties": {
                        "budget": bant_fact(),
                        "authority": bant_fact(),
                        "need": bant_fact(),
                        "timeline": bant_fact()
                    },
                    "required": ["budget", "authority", "need", "timeline"],
                    "additionalProperties": false
                },
                "question_topics": {"type": "array", "items": {"type": "string", "maxLength": 64}, "maxItems": 16},
                "referral": {"type": ["string", "null"], "maxLength": 254},
                "lang": {"type": "string", "maxLength": 8},
                "sentiment": {"type": "string", "enum": ["positive", "neutral", "negative"]},
                "injection": {"type": "boolean"}
            },
            "required": ["intent", "bant", "question_topics", "referral", "lang", "sentiment", "injection"],
            "additionalProperties": false
        }),
        ModelTask::Draft => email_draft(2000),
        ModelTask::Answer => email_draft(4000),
        ModelTask::Summarize => json!({
            "type": "object",
            "properties": {"summary": {"type": "string", "maxLength": 3000}},
            "required": ["summary"],
            "additionalProperties": false
        }),
        ModelTask::Research => json!({
            "type": "object",
            "properties": {
                "facts": {
                    "type": "array",
                    "maxItems": 8,
                    "items": {
                        "type": "object",
                        "properties": {
                            "text": {"type": "string", "maxLength": 300},
                            "source": {"type": "string", "maxLength": 500},
                            "quote": {"type": "string", "maxLength": 400}
                        },
                        "required": ["text", "source", "quote"],
                        "additionalProperties": false
                    }
                },
                "injection": {"type": "boolean"}
            },
            "required": ["facts", "injection"],
            "additionalProperties": false
        }),
    }
}

/// Check `value` against `schema`; the first problem, with its JSON path.
pub fn validate(value: &Value, schema: &Value) -> Result<(), String> {
    check(value, schema, "$")
}

fn type_ok(value: &Value, ty: &str) -> bool {
    match ty {
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "boolean" => value.is_boolean(),
        "null" => value.is_null(),
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        _ => false,
    }
}

fn check(value: &Value, schema: &Value, path: &str) -> Result<(), String> {
    match schema.get("type") {
        Some(Value::String(t)) if !type_ok(value, t) => {
            return Err(format!("{path}: expected {t}"));
        }
        Some(Value::Array(ts))
            if !ts
                .iter()
                .filter_map(Value::as_str)
                .any(|t| type_ok(value, t)) =>
        {
            return Err(format!(
                "{path}: expected one of {}",
                Value::Array(ts.clone())
            ));
        }
        _ => {}
    }
    if let Some(allowed) = schema.get("enum").and_then(Value::as_array)
        && !allowed.contains(value)
    {
        return Err(format!(
            "{path}: {value} is not one of {}",
            Value::Array(allowed.clone())
        ));
    }
    if let (Some(max), Some(s)) = (
        schema.get("maxLength").and_then(Value::as_u64),
        value.as_str(),
    ) && s.chars().count() as u64 > max
    {
        return Err(format!("{path}: longer than {max} characters"));
    }
    if let Some(obj) = value.as_object() {
        let props = schema.get("properties").and_then(Value::as_object);
        if let Some(required) = schema.get("required").and_then(Value::as_array) {
            for r in required.iter().filter_map(Value::as_str) {
                if !obj.contains_key(r) {
                    return Err(format!("{path}: missing {r}"));
                }
            }
        }
        for (k, v) in obj {
            match props.and_then(|p| p.get(k)) {
                Some(s) => check(v, s, &format!("{path}.{k}"))?,
                None if schema.get("additionalProperties") == Some(&Value::Bool(false)) => {
                    return Err(format!("{path}: unexpected property {k:?}"));
                }
                None => {}
            }
        }
    }
    if let Some(items) = value.as_array() {
        if let Some(max) = schema.get("maxItems").and_then(Value::as_u64)
            && items.len() as u64 > max
        {
            return Err(format!("{path}: more than {max} items"));
        }
        if let Some(s) = schema.get("items") {
            for (i, v) in items.iter().enumerate() {
                check(v, s, &format!("{path}[{i}]"))?;
            }
        }
    }
    Ok(())
}

/// The JSON object in a model's text: the whole text, or the part inside a Markdown code
/// fence or between the first `{` and the last `}` (some servers wrap JSON in prose even in
/// JSON mode).
pub fn extract_json(text: &str) -> Result<Value, String> {
    let t = text.trim();
    if let Ok(v) = serde_json::from_str::<Value>(t) {
        return Ok(v);
    }
    match (t.find('{'), t.rfind('}')) {
        (Some(a), Some(b)) if a < b => {
            serde_json::from_str::<Value>(&t[a..=b]).map_err(|e| format!("not valid JSON: {e}"))
        }
        _ => Err("no JSON object in the answer".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_draft_with_a_recipient_field_violates_the_schema() {
        let v = json!({"subject": "s", "body": "b", "cited": [], "to": "x@y.example"});
        let err = validate(&v, &schema(ModelTask::Draft)).unwrap_err();
        assert!(err.contains("unexpected property \"to\""), "{err}");
    }

    #[test]
    fn a_classification_needs_every_field_and_a_known_intent() {
        let mut v = json!({
            "intent": "interested",
            "bant": {
                "budget": {"level": "unknown", "text": null},
                "authority": {"level": "positive", "text": "signs off"},
                "need": {"level": "unknown", "text": null},
                "timeline": {"level": "unknown", "text": null}
            },
            "question_topics": [], "referral": null, "lang": "en",
            "sentiment": "positive", "injection": false
        });
        assert_eq!(validate(&v, &schema(ModelTask::Classify)), Ok(()));
        v["intent"] = json!("bounce");
        assert!(validate(&v, &schema(ModelTask::Classify)).is_err());
        v["intent"] = json!("question");
        v.as_object_mut().unwrap().remove("lang");
        assert_eq!(
            validate(&v, &schema(ModelTask::Classify)),
            Err("$: missing lang".into())
        );
    }

    #[test]
    fn json_is_found_inside_a_fence() {
        let v = extract_json("Here you go:\n```json\n{\"summary\": \"ok\"}\n```").unwrap();
        assert_eq!(v, json!({"summary": "ok"}));
        assert!(extract_json("{\"summary\": ").is_err());
    }
}
