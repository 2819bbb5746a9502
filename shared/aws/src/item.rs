//! Small helpers to read and write DynamoDB attribute maps.

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, SecondsFormat, Utc};
use sqa_core::ports::StoreError;
use std::collections::HashMap;

pub type Item = HashMap<String, AttributeValue>;

pub fn s(v: impl Into<String>) -> AttributeValue {
    AttributeValue::S(v.into())
}

pub fn n(v: impl ToString) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

/// A timestamp that sorts as text: fixed width, UTC, nanoseconds. Every sort key holding a
/// time uses it, so that `BETWEEN` and `<=` on strings are comparisons of times.
pub fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Nanos, true)
}

pub fn get_s<'a>(item: &'a Item, key: &str) -> Result<&'a str, StoreError> {
    match item.get(key) {
        Some(AttributeValue::S(v)) => Ok(v),
        _ => Err(crate::error::unexpected(format!(
            "item has no string attribute {key:?}"
        ))),
    }
}

pub fn get_n(item: &Item, key: &str) -> Result<u64, StoreError> {
    match item.get(key) {
        Some(AttributeValue::N(v)) => v
            .parse()
            .map_err(|_| crate::error::unexpected(format!("attribute {key:?} is not a u64"))),
        _ => Err(crate::error::unexpected(format!(
            "item has no number attribute {key:?}"
        ))),
    }
}

/// The JSON document stored in attribute `doc`.
pub fn doc<T: serde::de::DeserializeOwned>(item: &Item) -> Result<T, StoreError> {
    let text = get_s(item, "doc")?;
    serde_json::from_str(text)
        .map_err(|e| crate::error::unexpected(format!("stored document does not parse: {e}")))
}

/// A page cursor: the string attributes of the last item's key, as JSON. Only string keys are
/// used in every table and index of this crate, so the round trip is exact.
pub fn encode_cursor(item: &Item, keys: &[&str]) -> Result<String, StoreError> {
    let mut map = serde_json::Map::new();
    for k in keys {
        map.insert(
            (*k).to_string(),
            serde_json::Value::String(get_s(item, k)?.to_string()),
        );
    }
    Ok(serde_json::Value::Object(map).to_string())
}

pub fn decode_cursor(cursor: &str) -> Result<Item, StoreError> {
    let map: HashMap<String, String> = serde_json::from_str(cursor)
        .map_err(|e| crate::error::unexpected(format!("bad page cursor: {e}")))?;
    Ok(map.into_iter().map(|(k, v)| (k, s(v))).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn timestamps_sort_as_text_in_time_order() {
        let a = Utc
            .timestamp_opt(999_999_999, 999_999_999)
            .single()
            .unwrap_or_default();
        let b = Utc
            .timestamp_opt(1_000_000_000, 0)
            .single()
            .unwrap_or_default();
        let c = Utc
            .timestamp_opt(1_000_000_000, 1)
            .single()
            .unwrap_or_default();
        assert!(
            ts(a) < ts(b) && ts(b) < ts(c),
            "{} {} {}",
            ts(a),
            ts(b),
            ts(c)
        );
        assert_eq!(ts(a).len(), ts(c).len(), "fixed width");
    }

    #[test]
    fn a_cursor_round_trips_and_garbage_is_refused() {
        let item: Item = HashMap::from([
            ("id".to_string(), s("L1")),
            ("stage".to_string(), s("new")),
            ("doc".to_string(), s("{}")),
        ]);
        let cursor = encode_cursor(&item, &["id", "stage"]).expect("encodes");
        let back = decode_cursor(&cursor).expect("decodes");
        assert_eq!(back.len(), 2);
        assert_eq!(back.get("stage"), Some(&s("new")));
        assert!(decode_cursor("not a cursor").is_err());
    }
}
