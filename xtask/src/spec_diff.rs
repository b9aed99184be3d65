//! `cargo xtask spec-diff <upstream>`: what an upstream OpenAPI 3.0 document of Graph has that
//! `schema/openapi.yaml` lacks or has differently.
//!
//! Each local component names its upstream schema in `x-upstream`; upstream properties it
//! leaves out on purpose are listed in `x-omitted`, and its own additions in `x-local`
//! (`@odata.type` is always local: Graph sends it on every object and declares it nowhere).
//! Compared: enum members, properties, property types (`$ref` targets, JSON types, integer
//! formats, array items; nullability aside) and the responses of each local operation.

use std::collections::{BTreeMap, BTreeSet};

use serde_yaml_ng::Value;

const ODATA_TYPE: &str = "@odata.type";

/// Reads an OpenAPI 3.0 document (YAML or JSON). `name` labels errors.
pub fn load(text: &str, name: &str) -> Result<Value, String> {
    let doc: Value =
        serde_yaml_ng::from_str(text).map_err(|e| format!("{name}: not YAML or JSON: {e}"))?;
    let version = doc
        .get("openapi")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if !version.starts_with("3.0") {
        return Err(format!(
            "{name}: not an OpenAPI 3.0 document (its `openapi` field is {:?})",
            doc.get("openapi")
                .map(|v| format!("{v:?}"))
                .unwrap_or_else(|| "missing".into())
        ));
    }
    if !doc
        .get("components")
        .and_then(|c| c.get("schemas"))
        .is_some_and(Value::is_mapping)
    {
        return Err(format!("{name}: has no `components.schemas`"));
    }
    Ok(doc)
}

/// Every difference between the local excerpt and upstream, one sentence each, sorted by
/// component.
pub fn differences(local: &Value, upstream: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let names = upstream_names(local);
    for (local_name, schema) in schemas(local) {
        let Some(upstream_name) = schema.get("x-upstream").and_then(Value::as_str) else {
            continue;
        };
        let label = format!("{local_name} ({upstream_name})");
        let Some(theirs) = schemas(upstream).get(upstream_name).copied() else {
            out.push(format!("{label}: not in upstream"));
            continue;
        };
        let ours = View::of(schema, local);
        let theirs = View::of(theirs, upstream);
        compare_enums(&label, &ours, &theirs, &mut out);
        compare_properties(&label, schema, &ours, &theirs, &names, &mut out);
    }
    compare_operations(local, upstream, &mut out);
    out
}

fn schemas(doc: &Value) -> BTreeMap<&str, &Value> {
    doc.get("components")
        .and_then(|c| c.get("schemas"))
        .and_then(Value::as_mapping)
        .map(|map| {
            map.iter()
                .filter_map(|(k, v)| Some((k.as_str()?, v)))
                .collect()
        })
        .unwrap_or_default()
}

/// Local component name -> the upstream name it follows, for comparing `$ref`s.
fn upstream_names(local: &Value) -> BTreeMap<String, String> {
    schemas(local)
        .into_iter()
        .map(|(name, schema)| {
            let upstream = schema
                .get("x-upstream")
                .and_then(Value::as_str)
                .unwrap_or(name);
            (name.to_owned(), upstream.to_owned())
        })
        .collect()
}

fn string_list(schema: &Value, key: &str) -> BTreeSet<String> {
    schema
        .get(key)
        .and_then(Value::as_sequence)
        .map(|items| {
            items
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// A schema with `$ref` and `allOf` resolved: its enum members and its properties.
#[derive(Default)]
struct View<'a> {
    members: Option<Vec<String>>,
    properties: BTreeMap<String, &'a Value>,
}

impl<'a> View<'a> {
    fn of(schema: &'a Value, doc: &'a Value) -> View<'a> {
        let mut view = View::default();
        view.collect(schema, doc, 0);
        view
    }

    fn collect(&mut self, schema: &'a Value, doc: &'a Value, depth: usize) {
        if depth > 16 {
            return;
        }
        if let Some(target) = schema
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| resolve(doc, r))
        {
            return self.collect(target, doc, depth + 1);
        }
        if let Some(parts) = schema.get("allOf").and_then(Value::as_sequence) {
            for part in parts {
                self.collect(part, doc, depth + 1);
            }
        }
        if let Some(members) = schema.get("enum").and_then(Value::as_sequence) {
            self.members = Some(members.iter().filter_map(scalar).collect());
        }
        if let Some(properties) = schema.get("properties").and_then(Value::as_mapping) {
            for (name, property) in properties {
                if let Some(name) = name.as_str() {
                    self.properties.insert(name.to_owned(), property);
                }
            }
        }
    }
}

fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn resolve<'a>(doc: &'a Value, reference: &str) -> Option<&'a Value> {
    let name = reference.strip_prefix("#/components/schemas/")?;
    doc.get("components")?.get("schemas")?.get(name)
}

fn compare_enums(label: &str, ours: &View<'_>, theirs: &View<'_>, out: &mut Vec<String>) {
    let (Some(ours), Some(theirs)) = (&ours.members, &theirs.members) else {
        if ours.members.is_some() != theirs.members.is_some() {
            out.push(format!("{label}: an enum on one side only"));
        }
        return;
    };
    for member in theirs.iter().filter(|m| !ours.contains(m)) {
        out.push(format!("{label}: new enum member `{member}`"));
    }
    for member in ours.iter().filter(|m| !theirs.contains(m)) {
        out.push(format!(
            "{label}: enum member `{member}` is not in upstream"
        ));
    }
}

fn compare_properties(
    label: &str,
    schema: &Value,
    ours: &View<'_>,
    theirs: &View<'_>,
    names: &BTreeMap<String, String>,
    out: &mut Vec<String>,
) {
    let omitted = string_list(schema, "x-omitted");
    let local = string_list(schema, "x-local");
    for (name, property) in &theirs.properties {
        if !ours.properties.contains_key(name) && !omitted.contains(name) {
            out.push(format!(
                "{label}: new property `{name}` ({})",
                signature(property, None)
            ));
        }
    }
    for (name, property) in &ours.properties {
        match theirs.properties.get(name) {
            None if name != ODATA_TYPE && !local.contains(name) => {
                out.push(format!("{label}: property `{name}` is not in upstream"));
            }
            Some(upstream) => {
                let (mine, their) = (signature(property, Some(names)), signature(upstream, None));
                if mine != their {
                    out.push(format!(
                        "{label}: property `{name}` is {mine} here, {their} upstream"
                    ));
                }
            }
            None => {}
        }
    }
}

/// The type of a property, as a short text: `ref microsoft.graph.callState`, `integer int32`,
/// `array of string`. Local `$ref`s are named by their upstream names (`names`).
fn signature(schema: &Value, names: Option<&BTreeMap<String, String>>) -> String {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let target = reference.rsplit('/').next().unwrap_or(reference);
        let target = names
            .and_then(|n| n.get(target))
            .map_or(target, String::as_str);
        return format!("ref {target}");
    }
    for key in ["anyOf", "oneOf", "allOf"] {
        if let Some(parts) = schema.get(key).and_then(Value::as_sequence) {
            // Graph writes a nullable reference as anyOf [ref, {type: object, nullable: true}].
            let kinds: Vec<String> = parts
                .iter()
                .filter(|part| !is_null_placeholder(part))
                .map(|part| signature(part, names))
                .collect();
            return match kinds.as_slice() {
                [one] => one.clone(),
                _ => format!("{key} of ({})", kinds.join(", ")),
            };
        }
    }
    match schema.get("type").and_then(Value::as_str) {
        Some("array") => format!(
            "array of {}",
            schema
                .get("items")
                .map_or_else(|| "anything".into(), |items| signature(items, names))
        ),
        Some(kind @ ("integer" | "number")) => match schema.get("format").and_then(Value::as_str) {
            Some(format) => format!("{kind} {format}"),
            None => kind.to_owned(),
        },
        Some(kind) => kind.to_owned(),
        None => "anything".to_owned(),
    }
}

fn is_null_placeholder(schema: &Value) -> bool {
    schema.get("nullable").and_then(Value::as_bool) == Some(true)
        && schema.get("$ref").is_none()
        && schema.get("properties").is_none()
}

/// `/communications/calls/{call-id}` and `/communications/calls/{id}` are the same path.
fn path_shape(path: &str) -> String {
    let mut shape = String::new();
    let mut in_param = false;
    for c in path.chars() {
        match c {
            '{' => {
                in_param = true;
                shape.push_str("{}");
            }
            '}' => in_param = false,
            _ if !in_param => shape.push(c),
            _ => {}
        }
    }
    shape
}

fn compare_operations(local: &Value, upstream: &Value, out: &mut Vec<String>) {
    let paths = |doc: &Value| -> Vec<(String, String, Value)> {
        doc.get("paths")
            .and_then(Value::as_mapping)
            .map(|paths| {
                paths
                    .iter()
                    .filter_map(|(path, item)| {
                        Some((path.as_str()?.to_owned(), item.as_mapping()?))
                    })
                    .flat_map(|(path, item)| {
                        item.iter()
                            .filter_map(|(method, op)| {
                                Some((method.as_str()?.to_owned(), op.clone()))
                            })
                            .filter(|(method, _)| {
                                matches!(
                                    method.as_str(),
                                    "get" | "put" | "post" | "delete" | "patch"
                                )
                            })
                            .map(move |(method, op)| (path.clone(), method, op))
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let theirs = paths(upstream);
    for (path, method, op) in paths(local) {
        let label = format!("{} {path}", method.to_uppercase());
        let Some((_, _, their_op)) = theirs
            .iter()
            .find(|(p, m, _)| *m == method && path_shape(p) == path_shape(&path))
        else {
            out.push(format!("{label}: not in upstream"));
            continue;
        };
        let codes = |op: &Value| -> BTreeSet<String> {
            op.get("responses")
                .and_then(Value::as_mapping)
                .map(|r| r.keys().filter_map(scalar).collect())
                .unwrap_or_default()
        };
        let (mine, their) = (codes(&op), codes(their_op));
        if mine != their {
            let join = |set: &BTreeSet<String>| set.iter().cloned().collect::<Vec<_>>().join(", ");
            out.push(format!(
                "{label}: responses are {} here, {} upstream",
                join(&mine),
                join(&their)
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOCAL: &str = r##"
openapi: 3.0.4
info: {title: t, version: v1.0}
paths:
  /communications/calls/{call-id}:
    delete:
      responses:
        "204": {description: No Content}
        4XX: {description: error}
components:
  schemas:
    CallState:
      x-upstream: microsoft.graph.callState
      type: string
      enum: [establishing, terminated]
    Call:
      x-upstream: microsoft.graph.call
      x-omitted: [chatInfo]
      x-local: [mine]
      type: object
      properties:
        "@odata.type": {type: string}
        id: {type: string, nullable: true}
        state: {$ref: "#/components/schemas/CallState"}
        mine: {type: string}
"##;

    fn upstream(call_state: &str, call_extra: &str) -> String {
        format!(
            r##"
openapi: 3.0.1
info: {{title: Graph, version: v1.0}}
paths:
  /communications/calls/{{id}}:
    delete:
      responses:
        "204": {{description: No Content}}
        4XX: {{$ref: "#/components/responses/error"}}
components:
  schemas:
    microsoft.graph.entity:
      type: object
      properties:
        id: {{type: string}}
    microsoft.graph.callState:
      type: string
      enum: [{call_state}]
    microsoft.graph.call:
      allOf:
        - $ref: "#/components/schemas/microsoft.graph.entity"
        - type: object
          properties:
            state:
              anyOf:
                - $ref: "#/components/schemas/microsoft.graph.callState"
                - {{type: object, nullable: true}}
            chatInfo: {{type: object}}
{call_extra}
"##
        )
    }

    fn diff(upstream_text: &str) -> Vec<String> {
        let local = load(LOCAL, "local.yaml").unwrap();
        let upstream = load(upstream_text, "upstream.yaml").unwrap();
        differences(&local, &upstream)
    }

    #[test]
    fn an_upstream_that_matches_reports_nothing() {
        assert_eq!(
            diff(&upstream("establishing, terminated", "")),
            Vec::<String>::new()
        );
    }

    #[test]
    fn a_new_call_state_is_reported() {
        assert_eq!(
            diff(&upstream("establishing, terminated, parked", "")),
            ["CallState (microsoft.graph.callState): new enum member `parked`"]
        );
    }

    #[test]
    fn new_removed_and_changed_properties_are_reported() {
        let extra = "            callChainId: {type: string}\n            mine: {type: string}\n";
        let mut upstream_text = upstream("establishing", extra);
        upstream_text = upstream_text.replace(
            "- $ref: \"#/components/schemas/microsoft.graph.callState\"",
            "- {type: integer, format: int32}",
        );
        assert_eq!(
            diff(&upstream_text),
            [
                "Call (microsoft.graph.call): new property `callChainId` (string)",
                "Call (microsoft.graph.call): property `state` is ref microsoft.graph.callState here, integer int32 upstream",
                "CallState (microsoft.graph.callState): enum member `terminated` is not in upstream",
            ]
        );
    }

    #[test]
    fn a_missing_schema_and_changed_responses_are_reported() {
        let upstream_text = upstream("establishing, terminated", "")
            .replace("microsoft.graph.callState:", "microsoft.graph.callStatus:")
            .replace("4XX: {$ref", "default: {$ref");
        let found = diff(&upstream_text);
        assert!(
            found.contains(&"CallState (microsoft.graph.callState): not in upstream".to_owned()),
            "{found:#?}"
        );
        assert!(
            found.contains(&"DELETE /communications/calls/{call-id}: responses are 204, 4XX here, 204, default upstream".to_owned()),
            "{found:#?}"
        );
    }

    #[test]
    fn documents_that_are_not_openapi_3_0_are_refused() {
        assert!(load("[not", "u.yaml")
            .unwrap_err()
            .starts_with("u.yaml: not YAML or JSON"));
        assert_eq!(
            load("swagger: '2.0'\n", "u.yaml").unwrap_err(),
            "u.yaml: not an OpenAPI 3.0 document (its `openapi` field is \"missing\")"
        );
        assert!(
            load("openapi: 3.1.0\ncomponents: {schemas: {}}\n", "u.yaml")
                .unwrap_err()
                .contains("not an OpenAPI 3.0")
        );
        assert_eq!(
            load("openapi: 3.0.1\n", "u.yaml").unwrap_err(),
            "u.yaml: has no `components.schemas`"
        );
    }

    #[test]
    fn path_parameters_do_not_matter_for_matching() {
        assert_eq!(
            path_shape("/communications/calls/{call-id}"),
            path_shape("/communications/calls/{id}")
        );
        assert_ne!(
            path_shape("/communications/calls/{id}"),
            path_shape("/communications/calls")
        );
    }
}
