//! A vendored OpenAPI description as JSON Schema validators.
//!
//! OpenAPI 3.1 schemas are JSON Schema 2020-12. OpenAPI 3.0 ones are nearly
//! so; the one habit JSON Schema does not share, `nullable: true` beside a
//! `type`, is rewritten the standard way (`type: [T, "null"]`, or `anyOf`
//! with null) by [`json_schema`], and nothing else is changed. Formats
//! (`date`, `date-time`, `uuid`, …) are asserted, as the vendors' servers
//! parse them.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde_json::{Map, Value as Json, json};

/// A compiled validator for one schema.
pub struct SchemaCheck {
    validator: jsonschema::Validator,
}

impl SchemaCheck {
    /// Validates `instance`; the errors as `path: message` lines (at most 10).
    pub fn errors(&self, instance: &Json) -> Vec<String> {
        self.validator
            .iter_errors(instance)
            .map(|e| format!("{}: {}", e.instance_path(), e))
            .take(10)
            .collect()
    }
}

impl std::fmt::Debug for SchemaCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SchemaCheck")
    }
}

/// One vendored description.
pub struct OpenApi {
    /// How errors name the description ("Fortnox", "OpenAI").
    pub name: &'static str,
    spec: Json,
    /// The description with closed objects, for request bodies (see
    /// [`OpenApi::closed`]).
    closed: Option<Json>,
    /// Compiled validators by JSON pointer.
    cache: Mutex<HashMap<String, Arc<SchemaCheck>>>,
}

impl std::fmt::Debug for OpenApi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "OpenApi({})", self.name)
    }
}

impl OpenApi {
    /// Reads a description (JSON). Panics when the vendored file is not
    /// JSON: it is test data, checked in.
    pub fn new(name: &'static str, text: &str) -> OpenApi {
        let spec: Json = serde_json::from_str(text)
            .unwrap_or_else(|e| panic!("the vendored {name} description is not JSON: {e}"));
        OpenApi { name, spec: json_schema(spec), closed: None, cache: Mutex::new(HashMap::new()) }
    }

    /// Like [`OpenApi::new`], for a vendor whose API refuses request fields
    /// its description does not list (Fortnox answers "Ogiltigt fält"): for
    /// [`OpenApi::request`], every object schema with `properties` and no
    /// `additionalProperties` of its own is closed (`additionalProperties:
    /// false`). Responses stay open: vendors add fields to them (Fortnox's
    /// `MetaInformation`).
    pub fn closed(name: &'static str, text: &str) -> OpenApi {
        let mut api = OpenApi::new(name, text);
        api.closed = Some(close(api.spec.clone()));
        api
    }

    /// The description itself (with `nullable` rewritten).
    pub fn spec(&self) -> &Json {
        &self.spec
    }

    /// A validator for `components.schemas[name]`.
    pub fn schema(&self, name: &str) -> Arc<SchemaCheck> {
        self.at(&format!("#/components/schemas/{}", escape(name)))
    }

    /// A validator for the schema at a JSON pointer (`#/paths/...`).
    fn at(&self, pointer: &str) -> Arc<SchemaCheck> {
        self.compiled(pointer, false)
    }

    /// A validator for a request schema: closed when the API is.
    fn at_request(&self, pointer: &str) -> Arc<SchemaCheck> {
        self.compiled(pointer, self.closed.is_some())
    }

    fn compiled(&self, pointer: &str, closed: bool) -> Arc<SchemaCheck> {
        let key = format!("{closed}{pointer}");
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(check) = cache.get(&key) {
            return check.clone();
        }
        let spec = if closed { self.closed.as_ref().unwrap_or(&self.spec) } else { &self.spec };
        let mut root = match spec {
            Json::Object(map) => map.clone(),
            _ => Map::new(),
        };
        root.insert("$ref".into(), json!(pointer));
        let validator = jsonschema::options()
            .should_validate_formats(true)
            .build(&Json::Object(root))
            .unwrap_or_else(|e| panic!("{} schema {pointer} does not compile: {e}", self.name));
        let check = Arc::new(SchemaCheck { validator });
        cache.insert(key, check.clone());
        check
    }

    /// The operation object of `method` on a concrete `path`, matching
    /// templated paths (`/suppliers/{id}`), with its pointer.
    fn operation(&self, method: &str, path: &str) -> Option<(String, &Json)> {
        let paths = self.spec.get("paths")?.as_object()?;
        let method = method.to_ascii_lowercase();
        paths.iter().find_map(|(template, item)| {
            let op = item.get(&method)?;
            matches_template(template, path)
                .then(|| (format!("#/paths/{}/{method}", escape(template)), op))
        })
    }

    /// Whether the description has `method path`.
    pub fn has(&self, method: &str, path: &str) -> bool {
        self.operation(method, path).is_some()
    }

    /// The request body's errors against the operation's body schema (its
    /// first content type). An undescribed operation is an error too.
    pub fn request(&self, method: &str, path: &str, body: &Json) -> Vec<String> {
        let Some((pointer, op)) = self.operation(method, path) else {
            return vec![format!("{} has no operation {method} {path}", self.name)];
        };
        let Some((content_type, _)) = op
            .pointer("/requestBody/content")
            .and_then(Json::as_object)
            .and_then(|c| c.iter().next())
        else {
            return vec![format!("{} describes no request body for {method} {path}", self.name)];
        };
        let schema = format!("{pointer}/requestBody/content/{}/schema", escape(content_type));
        self.at_request(&schema).errors(body)
    }

    /// The response body's errors against the schema the operation declares
    /// for `status` (else its `default`). A status it does not declare is an
    /// error.
    pub fn response(&self, method: &str, path: &str, status: u16, body: &Json) -> Vec<String> {
        let Some((pointer, op)) = self.operation(method, path) else {
            return vec![format!("{} has no operation {method} {path}", self.name)];
        };
        let code = status.to_string();
        let key = if op.pointer(&format!("/responses/{code}")).is_some() {
            code
        } else if op.pointer("/responses/default").is_some() {
            "default".to_string()
        } else {
            return vec![format!(
                "{} declares no response {status} for {method} {path}",
                self.name
            )];
        };
        let content = op.pointer(&format!("/responses/{key}/content")).and_then(Json::as_object);
        let Some((content_type, _)) = content.and_then(|c| c.iter().next()) else {
            return Vec::new(); // declared without a body
        };
        let schema = format!("{pointer}/responses/{key}/content/{}/schema", escape(content_type));
        self.at(&schema).errors(body)
    }

    /// The query's errors: parameters the operation does not declare (other
    /// than `documented`, those the vendor documents outside the
    /// description) and values that do not fit their schema (a value is
    /// read as JSON first, so `true` and `30` are a boolean and a number).
    pub fn query(
        &self,
        method: &str,
        path: &str,
        pairs: &[(String, String)],
        documented: &[&str],
    ) -> Vec<String> {
        let Some((pointer, op)) = self.operation(method, path) else {
            return vec![format!("{} has no operation {method} {path}", self.name)];
        };
        let params = op.get("parameters").and_then(Json::as_array).cloned().unwrap_or_default();
        let mut errors = Vec::new();
        for (name, value) in pairs {
            let declared = params
                .iter()
                .position(|p| p["in"] == "query" && p["name"].as_str().is_some_and(|n| n == name));
            let Some(i) = declared else {
                if !documented.contains(&name.as_str()) {
                    errors.push(format!(
                        "{} {method} {path} has no query parameter {name:?}",
                        self.name
                    ));
                }
                continue;
            };
            let typed = serde_json::from_str(value).unwrap_or_else(|_| json!(value));
            let check = self.at(&format!("{pointer}/parameters/{i}/schema"));
            let mut found = check.errors(&typed);
            if !found.is_empty() && !typed.is_string() {
                found = check.errors(&json!(value)); // a string parameter that looks like JSON
            }
            errors.extend(found.into_iter().map(|e| format!("query {name}={value}: {e}")));
        }
        errors
    }
}

/// `/suppliers/{id}` matches `/suppliers/42`.
fn matches_template(template: &str, path: &str) -> bool {
    let (t, p): (Vec<&str>, Vec<&str>) = (template.split('/').collect(), path.split('/').collect());
    t.len() == p.len()
        && t.iter().zip(&p).all(|(t, p)| (t.starts_with('{') && t.ends_with('}')) || t == p)
}

/// A key as a JSON-pointer token (`/` as `~1`, `~` as `~0`).
fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// Sets `additionalProperties: false` on object schemas that list their
/// properties and say nothing about others.
fn close(node: Json) -> Json {
    match node {
        Json::Object(map) => {
            let mut map: Map<String, Json> = map.into_iter().map(|(k, v)| (k, close(v))).collect();
            if map.get("properties").is_some_and(Json::is_object)
                && !map.contains_key("additionalProperties")
            {
                map.insert("additionalProperties".into(), Json::Bool(false));
            }
            Json::Object(map)
        }
        Json::Array(items) => Json::Array(items.into_iter().map(close).collect()),
        other => other,
    }
}

/// OpenAPI 3.0's `nullable: true` as JSON Schema.
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

    fn petstore() -> OpenApi {
        let spec = json!({
            "openapi": "3.0.3",
            "paths": {
                "/pets": {
                    "get": {
                        "parameters": [{"in": "query", "name": "limit", "schema": {"type": "integer"}},
                                       {"in": "query", "name": "tag", "schema": {"type": "string"}}],
                        "responses": {"200": {"content": {"application/json": {"schema": {"type": "array"}}}}}
                    },
                    "post": {
                        "requestBody": {"content": {"*/*": {"schema": {"$ref": "#/components/schemas/Pet"}}}},
                        "responses": {"201": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}}},
                                      "default": {"content": {"application/json": {"schema": {"type": "object", "required": ["error"]}}}}}
                    }
                },
                "/pets/{id}": {"get": {"responses": {"204": {"description": "none"}}}}
            },
            "components": {"schemas": {"Pet": {
                "type": "object", "required": ["name"], "additionalProperties": false,
                "properties": {"name": {"type": "string", "maxLength": 5},
                               "born": {"type": "string", "format": "date", "nullable": true}}
            }}}
        });
        OpenApi::new("Petstore", &spec.to_string())
    }

    #[test]
    fn operations_judge_bodies_queries_and_responses() {
        let api = petstore();
        let q = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
            pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
        };
        // (what, errors found)
        let cases: Vec<(&str, Vec<String>)> = vec![
            ("a good body", api.request("POST", "/pets", &json!({"name": "Rex", "born": null}))),
            ("a date", api.request("POST", "/pets", &json!({"name": "Rex", "born": "2026-01-02"}))),
            ("a good query", api.query("GET", "/pets", &q(&[("limit", "3"), ("tag", "7")]), &[])),
            ("a documented extra", api.query("GET", "/pets", &q(&[("page", "2")]), &["page"])),
            ("a good response", api.response("POST", "/pets", 201, &json!({"name": "Rex"}))),
            ("the default response", api.response("POST", "/pets", 400, &json!({"error": 1}))),
            ("a templated path", api.response("GET", "/pets/12", 204, &Json::Null)),
        ];
        for (what, errors) in cases {
            assert_eq!(errors, Vec::<String>::new(), "{what}");
        }
        let refused: Vec<(&str, Vec<String>, &str)> = vec![
            ("too long", api.request("POST", "/pets", &json!({"name": "Rexxxx"})), "/name"),
            ("unknown field", api.request("POST", "/pets", &json!({"name": "R", "x": 1})), "x"),
            (
                "not a date",
                api.request("POST", "/pets", &json!({"name": "R", "born": "2026-13-40"})),
                "born",
            ),
            ("undeclared parameter", api.query("GET", "/pets", &q(&[("page", "2")]), &[]), "page"),
            ("a wrong type", api.query("GET", "/pets", &q(&[("limit", "x")]), &[]), "limit"),
            ("an undeclared status", api.response("GET", "/pets", 500, &json!([])), "500"),
            ("no such operation", api.request("DELETE", "/pets", &json!({})), "DELETE"),
        ];
        for (what, errors, mention) in refused {
            assert!(errors.iter().any(|e| e.contains(mention)), "{what}: {errors:?}");
        }
    }

    #[test]
    fn a_closed_description_refuses_unlisted_properties() {
        let spec = json!({"openapi": "3.0.3", "components": {"schemas": {
            "Open": {"type": "object", "properties": {"a": {"type": "string"}}},
            "Free": {"type": "object", "properties": {}, "additionalProperties": true}}}});
        let open = OpenApi::new("open", &spec.to_string());
        let closed = OpenApi::closed("closed", &spec.to_string());
        let body = json!({"a": "x", "b": 1});
        assert!(open.schema("Open").errors(&body).is_empty());
        assert!(!closed.at_request("#/components/schemas/Open").errors(&body).is_empty());
        assert!(closed.at_request("#/components/schemas/Free").errors(&body).is_empty());
        // Responses stay open.
        assert!(closed.schema("Open").errors(&body).is_empty());
    }

    #[test]
    fn validators_are_compiled_once() {
        let api = petstore();
        let a = api.schema("Pet");
        let b = api.schema("Pet");
        assert!(Arc::ptr_eq(&a, &b));
    }
}
