//! OpenAI's published OpenAPI description (the part invex uses, extracted
//! unedited by `llm/openapi/extract.py` from the public
//! `openai/openai-openapi` repository) as JSON Schema validators.
//!
//! The description is OpenAPI 3.1 with some 3.0 habits: `nullable: true`
//! beside a `type`, which `invex_testkit` rewrites the standard way.

use std::sync::{Arc, OnceLock};

use invex_testkit::{OpenApi, SchemaCheck};
use serde_json::{Value as Json, json};

/// The vendored description.
pub const SUBSET: &str = include_str!("../../openapi/openai-subset.json");

fn openai() -> &'static OpenApi {
    static API: OnceLock<OpenApi> = OnceLock::new();
    API.get_or_init(|| OpenApi::new("OpenAI", SUBSET))
}

/// A validator for the schema named `name` (for example
/// `CreateChatCompletionRequest`), compiled once per process.
pub fn check(name: &str) -> Arc<SchemaCheck> {
    openai().schema(name)
}

/// Whether `schema` is one OpenAI's structured outputs accept with
/// `strict: true`: every object lists all its properties as required and
/// sets `additionalProperties: false`. The first violation, in words.
pub fn strict_violation(schema: &Json, path: &str) -> Option<String> {
    let Json::Object(map) = schema else { return None };
    if map.get("type") == Some(&json!("object")) || map.contains_key("properties") {
        if map.get("additionalProperties") != Some(&Json::Bool(false)) {
            return Some(format!("{path}: additionalProperties must be false in strict mode"));
        }
        let properties = map.get("properties").and_then(Json::as_object);
        let required: Vec<&str> = map
            .get("required")
            .and_then(Json::as_array)
            .map(|r| r.iter().filter_map(Json::as_str).collect())
            .unwrap_or_default();
        for key in properties.into_iter().flat_map(|p| p.keys()) {
            if !required.contains(&key.as_str()) {
                return Some(format!("{path}: property {key:?} must be required in strict mode"));
            }
        }
    }
    map.iter().find_map(|(k, v)| match v {
        Json::Object(_) => strict_violation(v, &format!("{path}/{k}")),
        Json::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, item)| strict_violation(item, &format!("{path}/{k}/{i}"))),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_vendored_schemas_compile_and_judge() {
        let request = check("CreateChatCompletionRequest");
        let good = json!({"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]});
        assert_eq!(request.errors(&good), Vec::<String>::new());
        let no_messages = json!({"model": "gpt-4o-mini"});
        assert!(!request.errors(&no_messages).is_empty());
        let bad_role = json!({"model": "m", "messages": [{"role": "robot", "content": "hi"}]});
        assert!(!request.errors(&bad_role).is_empty());
    }

    #[test]
    fn strict_schemas_require_every_property() {
        let ok = json!({"type": "object", "properties": {"a": {"type": ["string", "null"]}},
            "required": ["a"], "additionalProperties": false});
        assert_eq!(strict_violation(&ok, ""), None);
        let optional = json!({"type": "object", "properties": {"a": {"type": "string"}},
            "required": [], "additionalProperties": false});
        assert!(strict_violation(&optional, "").unwrap().contains("\"a\""));
        let open = json!({"type": "object", "properties": {}, "required": []});
        assert!(strict_violation(&open, "").unwrap().contains("additionalProperties"));
    }
}
