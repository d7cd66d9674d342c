//! OpenAI's published OpenAPI description (the part invex uses, extracted
//! unedited by `llm/openapi/extract.py` from the public
//! `openai/openai-openapi` repository) as JSON Schema validators.
//!
//! The description is OpenAPI 3.1 with some 3.0 habits: `nullable: true`
//! beside a `type`. JSON Schema ignores `nullable`, so [`json_schema`]
//! rewrites it the standard way (`type: [T, "null"]`, or `anyOf` with null),
//! and nothing else.

use std::sync::OnceLock;

use serde_json::{Map, Value as Json, json};

/// The vendored description.
pub const SUBSET: &str = include_str!("../../openapi/openai-subset.json");

/// A validator for `components.schemas[name]`, or why it cannot be built.
pub struct SchemaCheck {
    validator: jsonschema::Validator,
}

impl SchemaCheck {
    /// Validates `instance`; the errors as `path: message` lines.
    pub fn errors(&self, instance: &Json) -> Vec<String> {
        self.validator
            .iter_errors(instance)
            .map(|e| format!("{}: {}", e.instance_path(), e))
            .take(10)
            .collect()
    }
}

/// The components of the description, with `nullable` rewritten.
fn components() -> &'static Json {
    static COMPONENTS: OnceLock<Json> = OnceLock::new();
    COMPONENTS.get_or_init(|| {
        let spec: Json = serde_json::from_str(SUBSET).expect("the vendored description is JSON");
        json_schema(spec["components"].clone())
    })
}

/// A validator for the schema named `name` (for example
/// `CreateChatCompletionRequest`).
pub fn check(name: &str) -> SchemaCheck {
    let root = json!({
        "$ref": format!("#/components/schemas/{name}"),
        "components": components(),
    });
    let validator = jsonschema::validator_for(&root)
        .unwrap_or_else(|e| panic!("the vendored schema {name} does not compile: {e}"));
    SchemaCheck { validator }
}

/// OpenAPI's `nullable: true` as JSON Schema.
pub fn json_schema(node: Json) -> Json {
    match node {
        Json::Object(map) => {
            let mut map: Map<String, Json> =
                map.into_iter().map(|(k, v)| (k, json_schema(v))).collect();
            if map.remove("nullable") != Some(Json::Bool(true)) {
                return Json::Object(map);
            }
            if let Some(Json::Array(values)) = map.get_mut("enum") {
                values.push(Json::Null);
            }
            match map.get("type").cloned() {
                Some(Json::String(t)) => {
                    map.insert("type".into(), json!([t, "null"]));
                    Json::Object(map)
                }
                Some(Json::Array(mut types)) => {
                    types.push(json!("null"));
                    map.insert("type".into(), Json::Array(types));
                    Json::Object(map)
                }
                _ => json!({"anyOf": [Json::Object(map), {"type": "null"}]}),
            }
        }
        Json::Array(items) => Json::Array(items.into_iter().map(json_schema).collect()),
        other => other,
    }
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
    fn nullable_becomes_a_null_type() {
        let cases = [
            (json!({"type": "integer", "nullable": true}), json!({"type": ["integer", "null"]})),
            (
                json!({"type": "string", "enum": ["a"], "nullable": true}),
                json!({"type": ["string", "null"], "enum": ["a", null]}),
            ),
            (
                json!({"$ref": "#/x", "nullable": true}),
                json!({"anyOf": [{"$ref": "#/x"}, {"type": "null"}]}),
            ),
            (json!({"type": "string", "nullable": false}), json!({"type": "string"})),
        ];
        for (input, want) in cases {
            assert_eq!(json_schema(input), want);
        }
    }

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
