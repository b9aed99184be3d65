//! `cargo xtask spec-diff <upstream>`: what an upstream OpenAPI 3.0 document of Graph has that
//! `schema/openapi.yaml` lacks or has differently, leaving out what the excerpt declares it
//! does differently on purpose, with a reason ([`declared`]).
//!
//! Each local component names its upstream schema in `x-upstream`. Compared: enum members,
//! properties, property types (`$ref` targets by their upstream names, JSON types, integer
//! formats, array items; nullability aside); each local operation with its upstream one
//! (upstream's action paths, `.../microsoft.graph.answer`, are the excerpt's `.../answer`), its
//! request body with the upstream body (declared inline or by `$ref`), its success status and
//! body (`2XX` covers any success, `default` the error statuses, and a body read as the type
//! an upstream type derives from is read right); and upstream's operations under the excerpt's
//! scope that the excerpt lacks. A declaration that no longer matches a difference is
//! reported too, so that the declarations stay true.

use std::collections::{BTreeMap, BTreeSet};

use serde_yaml_ng::Value;

pub mod declared;

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

/// Every difference the excerpt does not declare, one sentence each: components first, then
/// operations.
pub fn differences(local: &Value, upstream: &Value) -> Vec<String> {
    let (_, mut out) = declared::all(local);
    let names = upstream_names(local);
    let bodies = body_components(local);
    for (local_name, schema) in schemas(local) {
        let not_upstream = schema.get("x-not-upstream").is_some();
        let Some(upstream_name) = schema.get("x-upstream").and_then(Value::as_str) else {
            if !not_upstream {
                out.push(format!(
                    "{local_name}: names no `x-upstream` (or `x-not-upstream: <why>`)"
                ));
            }
            continue;
        };
        // A request body is compared with the body of each operation that sends it.
        if bodies.contains(local_name) {
            continue;
        }
        let label = format!("{local_name} ({upstream_name})");
        match schemas(upstream).get(upstream_name) {
            None if not_upstream => {}
            None => out.push(format!("{label}: not in upstream")),
            Some(_) if not_upstream => out.push(format!(
                "{label}: declared `x-not-upstream`, but upstream has it"
            )),
            Some(theirs) => {
                for name in also(schema) {
                    if !schemas(upstream).contains_key(name.as_str()) {
                        out.push(format!(
                            "{label}: declares `x-upstream-also: {name}`, but upstream has no such schema"
                        ));
                    }
                }
                let theirs = View::of_all(theirs, also(schema), upstream);
                compare(
                    &label,
                    schema,
                    &View::of(schema, local),
                    &theirs,
                    &names,
                    &mut out,
                );
            }
        }
    }
    compare_operations(local, upstream, &names, &mut out);
    out
}

pub(crate) fn schemas(doc: &Value) -> BTreeMap<&str, &Value> {
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

/// Every operation of `doc`: method, path, operation.
pub(crate) fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let Some(paths) = doc.get("paths").and_then(Value::as_mapping) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (path, item) in paths {
        let (Some(path), Some(item)) = (path.as_str(), item.as_mapping()) else {
            continue;
        };
        for (method, op) in item {
            let Some(method) = method.as_str() else {
                continue;
            };
            if matches!(method, "get" | "put" | "post" | "delete" | "patch") {
                out.push((method.to_owned(), path.to_owned(), op.clone()));
            }
        }
    }
    out
}

/// The upstream schemas a component also stands for (`x-upstream-also`).
fn also(schema: &Value) -> Vec<String> {
    schema
        .get("x-upstream-also")
        .and_then(Value::as_mapping)
        .map(|m| m.keys().filter_map(scalar).collect())
        .unwrap_or_default()
}

/// Local component name -> the upstream names it stands for (`x-upstream`, then
/// `x-upstream-also`), for comparing `$ref`s.
fn upstream_names(local: &Value) -> BTreeMap<String, Vec<String>> {
    schemas(local)
        .into_iter()
        .map(|(name, schema)| {
            let mut upstream: Vec<String> = schema
                .get("x-upstream")
                .and_then(Value::as_str)
                .map(str::to_owned)
                .into_iter()
                .collect();
            upstream.extend(also(schema));
            if upstream.is_empty() {
                upstream.push(name.to_owned());
            }
            (name.to_owned(), upstream)
        })
        .collect()
}

/// The components some local operation sends as its request body (`$ref`).
fn body_components(local: &Value) -> BTreeSet<String> {
    operations(local)
        .iter()
        .filter_map(|(_, _, op)| body_ref(op))
        .collect()
}

fn body_ref(op: &Value) -> Option<String> {
    let schema = op
        .get("requestBody")?
        .get("content")?
        .get("application/json")?
        .get("schema")?;
    let reference = schema.get("$ref")?.as_str()?;
    Some(reference.rsplit('/').next()?.to_owned())
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

    /// `schema` and the upstream schemas named in `also`, as one.
    fn of_all(schema: &'a Value, also: Vec<String>, doc: &'a Value) -> View<'a> {
        let mut view = View::of(schema, doc);
        for name in also {
            if let Some(other) = schemas(doc).get(name.as_str()) {
                view.collect(other, doc, 0);
            }
        }
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

pub(crate) fn scalar(value: &Value) -> Option<String> {
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

/// Compares a local component (its declarations in `schema`) with upstream's view of it.
fn compare(
    label: &str,
    schema: &Value,
    ours: &View<'_>,
    theirs: &View<'_>,
    names: &BTreeMap<String, Vec<String>>,
    out: &mut Vec<String>,
) {
    let mut ignore = Vec::new();
    let mut map = |key| declared::map(schema, key, label, &mut ignore);
    let (omitted, local, differs) = (map("x-omitted"), map("x-local"), map("x-differs"));
    let (omitted_members, local_members) = (map("x-omitted-members"), map("x-local-members"));
    let spelling = schema.get("x-member-spelling").is_some();
    compare_members(
        label,
        ours,
        theirs,
        spelling,
        &omitted_members,
        &local_members,
        out,
    );
    for (name, property) in &theirs.properties {
        let declared = omitted.contains_key(name);
        match (ours.properties.contains_key(name), declared) {
            (false, false) => out.push(format!(
                "{label}: new property `{name}` ({})",
                signature(property, None)
            )),
            (true, true) => out.push(format!(
                "{label}: `{name}` is declared left out (`x-omitted`) but is declared here"
            )),
            _ => {}
        }
    }
    for name in omitted
        .keys()
        .filter(|n| !theirs.properties.contains_key(*n))
    {
        out.push(format!(
            "{label}: `{name}` is declared left out (`x-omitted`), but upstream has no such property"
        ));
    }
    for name in local.keys().filter(|n| !ours.properties.contains_key(*n)) {
        out.push(format!(
            "{label}: `{name}` is declared local (`x-local`), but the excerpt has no such property"
        ));
    }
    for name in differs
        .keys()
        .filter(|n| !ours.properties.contains_key(*n) || !theirs.properties.contains_key(*n))
    {
        out.push(format!(
            "{label}: `{name}` is declared typed otherwise (`x-differs`), but it is not a property of both"
        ));
    }
    for (name, property) in &ours.properties {
        match theirs.properties.get(name) {
            None if name != ODATA_TYPE && !local.contains_key(name) => {
                out.push(format!("{label}: property `{name}` is not in upstream"));
            }
            Some(_) if local.contains_key(name) => out.push(format!(
                "{label}: `{name}` is declared local (`x-local`), but upstream has it"
            )),
            Some(upstream) => {
                let (mine, their) = (signature(property, Some(names)), signature(upstream, None));
                let same = mine == their || same_type(property, upstream, names);
                match (same, differs.contains_key(name)) {
                    (false, false) => out.push(format!(
                        "{label}: property `{name}` is {mine} here, {their} upstream"
                    )),
                    (true, true) => out.push(format!(
                        "{label}: `{name}` is declared typed otherwise (`x-differs`), but upstream agrees"
                    )),
                    _ => {}
                }
            }
            None => {}
        }
    }
}

fn compare_members(
    label: &str,
    ours: &View<'_>,
    theirs: &View<'_>,
    spelling: bool,
    omitted: &BTreeMap<String, String>,
    local: &BTreeMap<String, String>,
    out: &mut Vec<String>,
) {
    let (Some(ours), Some(theirs)) = (&ours.members, &theirs.members) else {
        if ours.members.is_some() != theirs.members.is_some() {
            out.push(format!("{label}: an enum on one side only"));
        }
        return;
    };
    let norm = |m: &str| {
        if spelling {
            m.to_ascii_lowercase()
        } else {
            m.to_owned()
        }
    };
    let ours_n: BTreeSet<String> = ours.iter().map(|m| norm(m)).collect();
    let theirs_n: BTreeSet<String> = theirs.iter().map(|m| norm(m)).collect();
    for member in theirs.iter().filter(|m| !ours_n.contains(&norm(m))) {
        if !omitted.contains_key(member) {
            out.push(format!("{label}: new enum member `{member}`"));
        }
    }
    for member in ours.iter().filter(|m| !theirs_n.contains(&norm(m))) {
        if !local.contains_key(member) {
            out.push(format!(
                "{label}: enum member `{member}` is not in upstream"
            ));
        }
    }
    for member in local.keys().filter(|m| !ours_n.contains(&norm(m))) {
        out.push(format!(
            "{label}: enum member `{member}` is declared local (`x-local-members`), but the excerpt has no such member"
        ));
    }
    for member in local.keys().filter(|m| theirs_n.contains(&norm(m))) {
        out.push(format!(
            "{label}: enum member `{member}` is declared local (`x-local-members`), but upstream has it"
        ));
    }
    for member in omitted
        .keys()
        .filter(|m| ours_n.contains(&norm(m)) || !theirs.contains(m))
    {
        out.push(format!(
            "{label}: enum member `{member}` is declared left out (`x-omitted-members`), but it is not an upstream member missing here"
        ));
    }
    if spelling && ours.iter().zip(theirs).all(|(a, b)| a == b) && ours.len() == theirs.len() {
        out.push(format!(
            "{label}: declares `x-member-spelling`, but the members are spelled alike"
        ));
    }
}

/// Whether a local property's `$ref` names a component that stands for upstream's target
/// (`x-upstream` or `x-upstream-also`), or an array of such.
fn same_type(ours: &Value, theirs: &Value, names: &BTreeMap<String, Vec<String>>) -> bool {
    let target = |v: &Value| -> Option<String> {
        let v = nullable_ref(v).unwrap_or(v);
        let r = v.get("$ref")?.as_str()?;
        Some(r.rsplit('/').next()?.to_owned())
    };
    match (target(ours), target(theirs)) {
        (Some(local), Some(upstream)) => names.get(&local).is_some_and(|n| n.contains(&upstream)),
        _ => match (ours.get("items"), theirs.get("items")) {
            (Some(a), Some(b)) => same_type(a, b, names),
            _ => false,
        },
    }
}

/// The reference of Graph's nullable form, `anyOf: [$ref, {type: object, nullable: true}]`.
fn nullable_ref(schema: &Value) -> Option<&Value> {
    let parts = schema.get("anyOf")?.as_sequence()?;
    let real: Vec<&Value> = parts.iter().filter(|p| !is_null_placeholder(p)).collect();
    match real.as_slice() {
        [one] => Some(one),
        _ => None,
    }
}

/// The type of a property, as a short text: `ref microsoft.graph.callState`, `integer int32`,
/// `array of string`. Local `$ref`s are named by their upstream names (`names`).
fn signature(schema: &Value, names: Option<&BTreeMap<String, Vec<String>>>) -> String {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let target = reference.rsplit('/').next().unwrap_or(reference);
        let target = names
            .and_then(|n| n.get(target))
            .and_then(|n| n.first())
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
        Some(kind @ ("integer" | "number" | "string")) => {
            match schema.get("format").and_then(Value::as_str) {
                Some(format) => format!("{kind} {format}"),
                None => kind.to_owned(),
            }
        }
        Some(kind) => kind.to_owned(),
        None => "anything".to_owned(),
    }
}

fn is_null_placeholder(schema: &Value) -> bool {
    schema.get("nullable").and_then(Value::as_bool) == Some(true)
        && schema.get("$ref").is_none()
        && schema.get("properties").is_none()
}

/// A path's shape: parameters unnamed, and upstream's namespace-qualified action segments
/// (`microsoft.graph.answer`) as the doc pages write them (`answer`).
fn path_shape(path: &str) -> String {
    path.split('/')
        .map(|segment| {
            if segment.starts_with('{') && segment.ends_with('}') {
                "{}"
            } else {
                segment.strip_prefix("microsoft.graph.").unwrap_or(segment)
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

mod operations;
use operations::compare_operations;

#[cfg(test)]
mod tests;
