//! Reading `openapi.yaml`: the document progenitor and the model generator work from, and the
//! line of each key, so that every diagnostic names `file:line`.

use std::collections::BTreeMap;

use openapiv3::{OpenAPI, Schema};

use crate::output::Diagnostic;

/// The OpenAPI document, with what is needed to point at its lines.
#[derive(Debug)]
pub struct Spec {
    /// The document as openapiv3 reads it.
    pub doc: OpenAPI,
    /// How diagnostics name the file (`schema/openapi.yaml`).
    pub file: String,
    /// The directory the file is in, when it was read from one: the files it names
    /// (`externalValue`) are checked there.
    pub dir: Option<std::path::PathBuf>,
    lines: Lines,
}

impl Spec {
    /// Reads the OpenAPI text and checks that every local `$ref` names something.
    pub fn parse(text: &str, file: &str) -> Result<Spec, Vec<Diagnostic>> {
        let doc = serde_yaml_ng::from_str::<OpenAPI>(text).map_err(|e| {
            let message = format!("not an OpenAPI 3.0 document progenitor can read: {e}");
            vec![match e.location() {
                Some(loc) => Diagnostic::at(file, loc.line(), message),
                None => Diagnostic::in_file(file, message),
            }]
        })?;
        let spec = Spec {
            doc,
            file: file.to_owned(),
            dir: None,
            lines: Lines::index(text),
        };
        let dangling = spec.dangling_references(text);
        if dangling.is_empty() {
            Ok(spec)
        } else {
            Err(dangling)
        }
    }

    /// The schema components by name, in the document's order.
    pub fn schemas(&self) -> impl Iterator<Item = (&str, &Schema)> {
        self.doc
            .components
            .iter()
            .flat_map(|c| c.schemas.iter())
            .filter_map(|(name, schema)| Some((name.as_str(), schema.as_item()?)))
    }

    /// The schema component `name`, when it is one (not itself a reference).
    pub fn schema(&self, name: &str) -> Option<&Schema> {
        self.doc.components.as_ref()?.schemas.get(name)?.as_item()
    }

    /// A diagnostic at the line of the deepest key of `path` the file has, such as
    /// `["components", "schemas", "Call", "properties", "state"]`.
    pub fn error_at(&self, path: &[&str], message: impl Into<String>) -> Diagnostic {
        match self.lines.line_of(path) {
            Some(line) => Diagnostic::at(&self.file, line, message),
            None => Diagnostic::in_file(&self.file, message),
        }
    }

    /// A diagnostic at the line of the component `name`, or of one of its keys.
    pub fn error_in(
        &self,
        component: &str,
        keys: &[&str],
        message: impl Into<String>,
    ) -> Diagnostic {
        let mut path = vec!["components", "schemas", component];
        path.extend_from_slice(keys);
        self.error_at(&path, message)
    }

    /// How many operations the paths declare.
    pub fn operation_count(&self) -> usize {
        self.doc
            .paths
            .iter()
            .filter_map(|(_, item)| item.as_item())
            .map(|item| item.iter().count())
            .sum()
    }

    /// Every local `$ref` must name a component that exists (typify panics otherwise).
    fn dangling_references(&self, text: &str) -> Vec<Diagnostic> {
        let Ok(doc) = serde_yaml_ng::from_str::<serde_yaml_ng::Value>(text) else {
            return Vec::new();
        };
        let mut refs = Vec::new();
        collect_refs(&doc, &mut refs);
        refs.sort();
        refs.dedup();
        refs.into_iter()
            .filter(|target| !resolves(&doc, target))
            .map(|target| {
                let message = format!(
                    "`$ref: {target}` points at nothing; define it under components or fix the name"
                );
                match text
                    .lines()
                    .position(|line| line.contains("$ref") && names_whole(line, &target))
                {
                    Some(index) => Diagnostic::at(&self.file, index + 1, message),
                    None => Diagnostic::in_file(&self.file, message),
                }
            })
            .collect()
    }
}

/// Whether `line` holds `target` whole: not as the start of a longer name.
fn names_whole(line: &str, target: &str) -> bool {
    line.match_indices(target).any(|(at, _)| {
        !line[at + target.len()..]
            .starts_with(|c: char| c.is_alphanumeric() || c == '_' || c == '.' || c == '-')
    })
}

/// Whether the local JSON pointer `target` (`#/components/...`) names a node of `doc`.
fn resolves(doc: &serde_yaml_ng::Value, target: &str) -> bool {
    let Some(path) = target.strip_prefix("#/") else {
        return false;
    };
    path.split('/')
        .try_fold(doc, |node, segment| {
            node.get(segment.replace("~1", "/").replace("~0", "~"))
        })
        .is_some()
}

fn collect_refs(value: &serde_yaml_ng::Value, out: &mut Vec<String>) {
    match value {
        serde_yaml_ng::Value::Mapping(map) => {
            for (key, value) in map {
                match (key.as_str(), value.as_str()) {
                    (Some("$ref"), Some(target)) => out.push(target.to_owned()),
                    _ => collect_refs(value, out),
                }
            }
        }
        serde_yaml_ng::Value::Sequence(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}

/// The line of every block-mapping key of a YAML text, by its path of keys (sequence items add
/// no step). Flow mappings (`{a: 1}`) are one line: their keys are found at that line.
#[derive(Debug, Default)]
struct Lines {
    by_path: BTreeMap<Vec<String>, usize>,
}

impl Lines {
    fn index(text: &str) -> Lines {
        let mut by_path = BTreeMap::new();
        let mut stack: Vec<(usize, String)> = Vec::new();
        for (index, raw) in text.lines().enumerate() {
            let trimmed = raw.trim_start();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            let mut rest = trimmed;
            while let Some(after) = rest.strip_prefix("- ") {
                rest = after.trim_start();
            }
            // A key's indent is its column, after any `- ` of a sequence item.
            let indent = raw.len() - rest.len();
            let Some(key) = mapping_key(rest) else {
                continue;
            };
            while stack.last().is_some_and(|(level, _)| *level >= indent) {
                stack.pop();
            }
            stack.push((indent, key));
            let path: Vec<String> = stack.iter().map(|(_, k)| k.clone()).collect();
            by_path.entry(path).or_insert(index + 1);
        }
        Lines { by_path }
    }

    /// The line of the deepest prefix of `path` that has one.
    fn line_of(&self, path: &[&str]) -> Option<usize> {
        (1..=path.len()).rev().find_map(|len| {
            let key: Vec<String> = path[..len].iter().map(|s| (*s).to_owned()).collect();
            self.by_path.get(&key).copied()
        })
    }
}

/// The key of a `key: value` or `key:` line, unquoted.
fn mapping_key(line: &str) -> Option<String> {
    if let Some(quote) = line.chars().next().filter(|c| *c == '"' || *c == '\'') {
        let end = line[1..].find(quote)? + 1;
        let key = &line[1..end];
        return line[end + 1..].starts_with(':').then(|| key.to_owned());
    }
    let colon = line
        .find(": ")
        .or_else(|| line.strip_suffix(':').map(str::len))?;
    let key = &line[..colon];
    // A flow mapping or sequence (`{name: id}`) is not a key; a path with `{call-id}` is.
    (!key.is_empty() && !key.starts_with(['{', '[']) && !key.contains(['#', '"']))
        .then(|| key.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "openapi: 3.0.4
components:
  schemas:
    # a comment
    Call:
      type: object
      properties:
        \"@odata.type\":
          type: string
        state: {$ref: '#/components/schemas/CallState'}
      required:
        - state
    CallState:
      type: string
      enum: [a, b]
paths:
  /x:
    get:
      parameters:
        - name: id
          in: path
  /x/{id}/y:
    post:
      operationId: y
";

    #[test]
    fn keys_are_found_at_their_lines() {
        let lines = Lines::index(TEXT);
        assert_eq!(lines.line_of(&["components", "schemas", "Call"]), Some(5));
        assert_eq!(
            lines.line_of(&["components", "schemas", "Call", "properties", "@odata.type"]),
            Some(8)
        );
        assert_eq!(
            lines.line_of(&["components", "schemas", "Call", "properties", "state"]),
            Some(10)
        );
        assert_eq!(
            lines.line_of(&["components", "schemas", "CallState", "enum"]),
            Some(15)
        );
        assert_eq!(
            lines.line_of(&["paths", "/x", "get", "parameters", "in"]),
            Some(21)
        );
        assert_eq!(
            lines.line_of(&["paths", "/x/{id}/y", "post", "operationId"]),
            Some(24)
        );
    }

    #[test]
    fn sequence_items_indented_after_the_dash_keep_their_siblings() {
        let lines = Lines::index("a:\n  -   name: x\n      in: path\n  -   name: y\n");
        assert_eq!(lines.line_of(&["a", "name"]), Some(2));
        assert_eq!(lines.line_of(&["a", "in"]), Some(3));
        assert_eq!(lines.line_of(&["a", "name", "in"]), Some(2));
    }

    #[test]
    fn a_missing_key_falls_back_to_its_deepest_parent() {
        let lines = Lines::index(TEXT);
        assert_eq!(
            lines.line_of(&["components", "schemas", "Call", "properties", "nope"]),
            Some(7)
        );
        assert_eq!(lines.line_of(&["nope"]), None);
    }
}
