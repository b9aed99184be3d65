//! The differences `schema/openapi.yaml` declares on purpose, each with its reason: what
//! `spec-diff` leaves out of its report, and what `schema/README.md` lists.
//!
//! On a component:
//! - `x-omitted: {property: reason}`: an upstream property left out;
//! - `x-local: {property: reason}`: a property upstream does not declare;
//! - `x-differs: {property: reason}`: a property typed otherwise than upstream;
//! - `x-omitted-members: {member: reason}`, `x-local-members: {member: reason}`: enum members;
//! - `x-member-spelling: reason`: enum members compared without regard to letter case;
//! - `x-upstream-also: {schema: reason}`: other upstream schemas the component stands for
//!   (their properties and names count as its own);
//! - `x-not-upstream: reason`: a component upstream has no schema for.
//!
//! On an operation: `x-not-upstream: reason`, `x-responses-differ: reason`. At the document's
//! root: `x-upstream-scope` (the path prefix of the upstream operations compared) and
//! `x-omitted-operations: {"METHOD /path": reason}`.

use std::collections::BTreeMap;

use serde_yaml_ng::Value;

/// The map-valued declarations of a component.
pub const COMPONENT_MAPS: &[(&str, &str)] = &[
    ("x-omitted", "upstream property left out"),
    ("x-local", "property upstream does not declare"),
    ("x-differs", "property typed otherwise"),
    ("x-omitted-members", "upstream enum member left out"),
    ("x-local-members", "enum member upstream does not declare"),
    ("x-upstream-also", "also stands for upstream schema"),
];

/// The reason-valued declarations of a component or an operation.
pub const REASONS: &[(&str, &str)] = &[
    (
        "x-member-spelling",
        "enum members compared without letter case",
    ),
    ("x-not-upstream", "not in upstream"),
    ("x-responses-differ", "responses differ"),
];

/// One declared difference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declared {
    /// The component, the operation (`GET /path`), or `(document)`.
    pub place: String,
    /// What kind of difference (`upstream property left out`).
    pub kind: &'static str,
    /// The property, member, schema or operation; empty for a reason-valued declaration.
    pub name: String,
    pub reason: String,
}

/// `schema[key]` as a map of name -> reason; a list, or a name without a reason, is a problem
/// (pushed to `problems`, labelled with `place`).
pub fn map(
    schema: &Value,
    key: &str,
    place: &str,
    problems: &mut Vec<String>,
) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    match schema.get(key) {
        None => {}
        Some(Value::Mapping(entries)) => {
            for (name, reason) in entries {
                let name = super::scalar(name).unwrap_or_default();
                match reason.as_str().map(str::trim).filter(|r| !r.is_empty()) {
                    Some(reason) => {
                        out.insert(name, reason.to_owned());
                    }
                    None => problems.push(format!(
                        "{place}: `{key}` declares `{name}` without a reason (write `{name}: <why>`)"
                    )),
                }
            }
        }
        Some(_) => problems.push(format!(
            "{place}: `{key}` must map each name to its reason (`{key}: {{name: <why>}}`)"
        )),
    }
    out
}

/// `schema[key]` as a reason, or a problem when it is there and is not a non-empty string.
pub fn reason(
    schema: &Value,
    key: &str,
    place: &str,
    problems: &mut Vec<String>,
) -> Option<String> {
    let value = schema.get(key)?;
    match value.as_str().map(str::trim).filter(|r| !r.is_empty()) {
        Some(reason) => Some(reason.to_owned()),
        None => {
            problems.push(format!("{place}: `{key}` must be the reason, a sentence"));
            None
        }
    }
}

/// Every declaration of `local`, in the document's order of components, then operations, then
/// the root's; and the problems of the declarations themselves.
pub fn all(local: &Value) -> (Vec<Declared>, Vec<String>) {
    let mut out = Vec::new();
    let mut problems = Vec::new();
    for (name, schema) in super::schemas(local) {
        collect(name, schema, &mut out, &mut problems);
    }
    for (method, path, op) in super::operations(local) {
        let place = format!("{} {path}", method.to_uppercase());
        collect(&place, &op, &mut out, &mut problems);
    }
    for (name, reason) in map(local, "x-omitted-operations", "(document)", &mut problems) {
        out.push(Declared {
            place: "(document)".into(),
            kind: "upstream operation left out",
            name,
            reason,
        });
    }
    (out, problems)
}

fn collect(place: &str, value: &Value, out: &mut Vec<Declared>, problems: &mut Vec<String>) {
    for (key, kind) in COMPONENT_MAPS {
        for (name, reason) in map(value, key, place, problems) {
            out.push(Declared {
                place: place.to_owned(),
                kind,
                name,
                reason,
            });
        }
    }
    for (key, kind) in REASONS {
        if let Some(reason) = reason(value, key, place, problems) {
            out.push(Declared {
                place: place.to_owned(),
                kind,
                name: String::new(),
                reason,
            });
        }
    }
}

/// The declarations as the Markdown table of `schema/README.md`.
pub fn markdown(declared: &[Declared]) -> String {
    let mut out = String::from("| where | what | name | why |\n|---|---|---|---|\n");
    for d in declared {
        let name = if d.name.is_empty() {
            String::new()
        } else {
            format!("`{}`", d.name)
        };
        out.push_str(&format!(
            "| {} | {} | {name} | {} |\n",
            d.place.replace('|', "\\|"),
            d.kind,
            d.reason.replace('|', "\\|").replace('\n', " ")
        ));
    }
    out
}
