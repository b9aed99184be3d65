//! The operations of the excerpt against upstream's: which exist, their request bodies, their
//! responses; and upstream's operations in scope that the excerpt lacks.

use std::collections::{BTreeMap, BTreeSet};

use serde_yaml_ng::Value;

use super::{also, body_ref, compare, declared, operations, path_shape, schemas, View};

pub(super) fn compare_operations(
    local: &Value,
    upstream: &Value,
    names: &BTreeMap<String, Vec<String>>,
    out: &mut Vec<String>,
) {
    let theirs = operations(upstream);
    let mut matched = BTreeSet::new();
    for (method, path, op) in operations(local) {
        let label = format!("{} {path}", method.to_uppercase());
        let not_upstream = op.get("x-not-upstream").is_some();
        let found = theirs
            .iter()
            .position(|(m, p, _)| *m == method && path_shape(p) == path_shape(&path));
        let index = match (found, not_upstream) {
            (None, true) => continue,
            (None, false) => {
                out.push(format!("{label}: not in upstream"));
                continue;
            }
            (Some(_), true) => {
                out.push(format!(
                    "{label}: declared `x-not-upstream`, but upstream has it"
                ));
                continue;
            }
            (Some(index), false) => index,
        };
        matched.insert(index);
        let their_op = &theirs[index].2;
        compare_body(&label, &op, their_op, local, upstream, names, out);
        compare_responses(&label, &op, their_op, local, upstream, names, out);
    }
    let Some(scope) = local.get("x-upstream-scope").and_then(Value::as_str) else {
        return;
    };
    let mut ignore = Vec::new();
    let omitted = declared::map(local, "x-omitted-operations", "(document)", &mut ignore);
    let mut unmatched = BTreeSet::new();
    for (index, (method, path, _)) in theirs.iter().enumerate() {
        if matched.contains(&index) || !path.starts_with(scope) {
            continue;
        }
        let key = format!("{} {path}", method.to_uppercase());
        if !omitted.contains_key(&key) {
            out.push(format!("{key}: new upstream operation"));
        }
        unmatched.insert(key);
    }
    for key in omitted.keys().filter(|k| !unmatched.contains(*k)) {
        out.push(format!(
            "{key}: declared left out (`x-omitted-operations`), but upstream has no such operation left out"
        ));
    }
}

fn body_schema(op: &Value) -> Option<&Value> {
    op.get("requestBody")?
        .get("content")?
        .get("application/json")?
        .get("schema")
}

fn compare_body(
    label: &str,
    op: &Value,
    their_op: &Value,
    local: &Value,
    upstream: &Value,
    names: &BTreeMap<String, Vec<String>>,
    out: &mut Vec<String>,
) {
    match (body_schema(op), body_schema(their_op)) {
        (None, None) => {}
        (Some(_), None) => out.push(format!("{label}: sends a body here, upstream takes none")),
        (None, Some(_)) => out.push(format!("{label}: upstream takes a body, none is sent here")),
        (Some(ours), Some(theirs)) => {
            let component = body_ref(op).and_then(|name| {
                let schema = schemas(local).get(name.as_str()).copied()?;
                Some((name, schema))
            });
            let (body_label, declarations) = match &component {
                Some((name, schema)) => (format!("{label}: body {name}"), *schema),
                None => (format!("{label}: body"), ours),
            };
            let their_view = View::of_all(theirs, also(declarations), upstream);
            let our_view = View::of(ours, local);
            let mut found = Vec::new();
            compare(
                &body_label,
                declarations,
                &our_view,
                &their_view,
                names,
                &mut found,
            );
            // Each operation reports its own body's differences; a line found twice (none
            // names its operation twice today) is reported once.
            for line in found {
                if !out.contains(&line) {
                    out.push(line);
                }
            }
        }
    }
}

/// What a response says: its codes, and the `$ref` name of its success body.
struct Responses {
    codes: BTreeSet<String>,
    body: Option<String>,
}

impl Responses {
    fn of(op: &Value, doc: &Value) -> Responses {
        let Some(responses) = op.get("responses").and_then(Value::as_mapping) else {
            return Responses {
                codes: BTreeSet::new(),
                body: None,
            };
        };
        let codes: BTreeSet<String> = responses.keys().filter_map(super::scalar).collect();
        let body = responses
            .iter()
            .filter(|(code, _)| super::scalar(code).is_some_and(|c| c.starts_with('2')))
            .find_map(|(_, response)| {
                let response = match response.get("$ref").and_then(Value::as_str) {
                    Some(r) => {
                        let name = r.strip_prefix("#/components/responses/")?;
                        doc.get("components")?.get("responses")?.get(name)?
                    }
                    None => response,
                };
                let schema = response
                    .get("content")?
                    .get("application/json")?
                    .get("schema")?;
                Some(schema.get("$ref")?.as_str()?.rsplit('/').next()?.to_owned())
            });
        Responses { codes, body }
    }
}

fn compare_responses(
    label: &str,
    op: &Value,
    their_op: &Value,
    local: &Value,
    upstream: &Value,
    names: &BTreeMap<String, Vec<String>>,
    out: &mut Vec<String>,
) {
    let (ours, theirs) = (Responses::of(op, local), Responses::of(their_op, upstream));
    let mut found = Vec::new();
    let success = |c: &&String| c.starts_with('2') && c.as_str() != "2XX";
    for code in ours.codes.iter().filter(success) {
        if !theirs.codes.contains(code) && !theirs.codes.contains("2XX") {
            found.push(format!(
                "{label}: answers {code} here, upstream does not say so"
            ));
        }
    }
    for code in theirs.codes.iter().filter(success) {
        if !ours.codes.contains(code) {
            found.push(format!(
                "{label}: upstream answers {code}, not declared here"
            ));
        }
    }
    let our_errors = ours.codes.contains("4XX") && ours.codes.contains("5XX");
    let their_errors = theirs.codes.contains("default")
        || (theirs.codes.contains("4XX") && theirs.codes.contains("5XX"));
    if our_errors != their_errors {
        found.push(format!(
            "{label}: error responses are {} here, {} upstream",
            if our_errors { "declared" } else { "missing" },
            if their_errors { "declared" } else { "missing" },
        ));
    }
    match (&ours.body, &theirs.body) {
        (None, None) => {}
        (Some(mine), None) => found.push(format!(
            "{label}: reads a success body ({mine}) here, upstream answers none"
        )),
        (None, Some(their)) => found.push(format!(
            "{label}: upstream answers a success body ({their}), read as none here"
        )),
        (Some(mine), Some(their)) => {
            let stands_for = names.get(mine).cloned().unwrap_or_default();
            if !stands_for
                .iter()
                .any(|base| derives(upstream, their, base, 0))
            {
                found.push(format!(
                    "{label}: the success body is {} here, {their} upstream",
                    stands_for.first().map_or(mine.as_str(), String::as_str)
                ));
            }
        }
    }
    match (op.get("x-responses-differ").is_some(), found.is_empty()) {
        (false, _) => out.extend(found),
        (true, true) => out.push(format!(
            "{label}: declares `x-responses-differ`, but its responses agree with upstream"
        )),
        (true, false) => {}
    }
}

/// Whether upstream's schema `name` is `base` or derives from it (`allOf` with a `$ref`).
fn derives(upstream: &Value, name: &str, base: &str, depth: usize) -> bool {
    if name == base {
        return true;
    }
    if depth > 16 {
        return false;
    }
    let Some(schema) = schemas(upstream).get(name).copied() else {
        return false;
    };
    schema
        .get("allOf")
        .and_then(Value::as_sequence)
        .into_iter()
        .flatten()
        .filter_map(|part| part.get("$ref")?.as_str()?.rsplit('/').next())
        .any(|parent| derives(upstream, parent, base, depth + 1))
}
