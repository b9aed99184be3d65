//! `cargo xtask harvest-codes <folder>`: every `resultInfo` (code, subcode, message) in the
//! Markdown pages under a folder (a checkout of Graph's docs, microsoftgraph/
//! microsoft-graph-docs-contrib), with its `file:line`, that `schema/termination-codes.csv`
//! lacks: the list to extend the catalog from, each pair with the page to cite in `seen_at`.
//!
//! A `resultInfo` is read as the object after a `"resultInfo"` key: its `code` and `subcode`
//! (numbers, or numeric strings as some examples write them) and its `message`. Objects that
//! break off or hold no integer pair are skipped: example bodies are often elided (`...`).

use std::path::{Path, PathBuf};

/// One `resultInfo` of a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// The page, relative to the folder read.
    pub file: String,
    /// The 1-based line of its `"subcode"`.
    pub line: usize,
    /// `code`.
    pub code: i32,
    /// `subcode`.
    pub subcode: i32,
    /// `message`, unescaped (`\uXXXX` outside the basic plane, a surrogate pair, is read as
    /// two replacement characters), when the object has one.
    pub message: Option<String>,
}

/// Every `resultInfo` of a page's text; `file` names the page in the results.
pub fn harvest(text: &str, file: &str) -> Vec<Found> {
    let lower = text.to_ascii_lowercase();
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(offset) = lower[from..].find("\"resultinfo\"") {
        let key = from + offset;
        from = key + 1;
        let Some(open) = text[key..].find('{').map(|o| key + o) else {
            break;
        };
        // Only `"resultInfo": {`: the brace must follow the key and its colon.
        if !text[key + "\"resultInfo\"".len()..open]
            .trim()
            .trim_start_matches(':')
            .trim()
            .is_empty()
        {
            continue;
        }
        let Some(object) = balanced(&text[open..]) else {
            continue;
        };
        let (Some(code), Some((subcode, at))) =
            (integer_of(object, "code"), integer_of_at(object, "subcode"))
        else {
            continue;
        };
        let line = text[..open + at].matches('\n').count() + 1;
        found.push(Found {
            file: file.to_owned(),
            line,
            code,
            subcode,
            message: string_of(object, "message"),
        });
    }
    found
}

/// The object that starts at `text[0]` (`{`), up to its closing brace, strings skipped.
fn balanced(text: &str) -> Option<&str> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for (index, c) in text.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_string => escaped = true,
            '"' => in_string = !in_string,
            '{' if !in_string => depth += 1,
            '}' if !in_string => {
                depth -= 1;
                if depth == 0 {
                    return Some(&text[..=index]);
                }
            }
            _ => {}
        }
    }
    None
}

/// The value text after `"name":` in `object` (the key in any letter case: Graph's examples
/// write `subcode` and `subCode`), and where it starts.
fn value_of<'a>(object: &'a str, name: &str) -> Option<(&'a str, usize)> {
    let key = format!("\"{}\"", name.to_ascii_lowercase());
    let lower = object.to_ascii_lowercase();
    let mut from = 0;
    while let Some(offset) = lower[from..].find(&key) {
        let at = from + offset;
        let rest = object[at + key.len()..].trim_start();
        if let Some(value) = rest.strip_prefix(':') {
            return Some((value.trim_start(), at));
        }
        from = at + key.len();
    }
    None
}

fn integer_of_at(object: &str, name: &str) -> Option<(i32, usize)> {
    let (value, at) = value_of(object, name)?;
    let value = value.strip_prefix('"').unwrap_or(value);
    let end = value
        .char_indices()
        .find(|(i, c)| !(c.is_ascii_digit() || (*i == 0 && *c == '-')))
        .map_or(value.len(), |(i, _)| i);
    Some((value[..end].parse().ok()?, at))
}

fn integer_of(object: &str, name: &str) -> Option<i32> {
    integer_of_at(object, name).map(|(value, _)| value)
}

fn string_of(object: &str, name: &str) -> Option<String> {
    let (value, _) = value_of(object, name)?;
    let value = value.strip_prefix('"')?;
    let mut text = String::new();
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => return Some(text),
            '\\' => match chars.next()? {
                'n' => text.push('\n'),
                't' => text.push('\t'),
                'u' => {
                    let hex: String = chars.by_ref().take(4).collect();
                    let unit = u32::from_str_radix(&hex, 16).ok()?;
                    text.push(char::from_u32(unit).unwrap_or(char::REPLACEMENT_CHARACTER));
                }
                other => text.push(other),
            },
            c => text.push(c),
        }
    }
    None
}

/// The Markdown pages under `dir`, sorted, relative paths with them.
pub fn pages(dir: &Path) -> Result<Vec<(String, PathBuf)>, String> {
    let mut pages = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        let entries = std::fs::read_dir(&folder)
            .map_err(|e| format!("{}: cannot be read: {e}", folder.display()))?;
        for entry in entries {
            let path = entry
                .map_err(|e| format!("{}: cannot be read: {e}", folder.display()))?
                .path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "md") {
                let relative = path
                    .strip_prefix(dir)
                    .unwrap_or(&path)
                    .to_string_lossy()
                    .replace('\\', "/");
                pages.push((relative, path));
            }
        }
    }
    pages.sort();
    Ok(pages)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn result_infos_are_read_with_their_subcode_line() {
        let page = "# Transfer\n\n```json\n{\n  \"resultInfo\": {\n    \"@odata.type\": \"#microsoft.graph.resultInfo\",\n    \"code\": 0,\n    \"subcode\": 7015,\n    \"message\": \"GracefulTransferCompleted\"\n  }\n}\n```\n";
        assert_eq!(
            harvest(page, "call-transfer.md"),
            [Found {
                file: "call-transfer.md".into(),
                line: 8,
                code: 0,
                subcode: 7015,
                message: Some("GracefulTransferCompleted".into()),
            }]
        );
    }

    #[test]
    fn numeric_strings_escapes_and_case_are_read() {
        // call-transfer.md writes `subCode`.
        let transfer = r#""resultInfo": {"code": 500, "subCode": 7700, "message": "it\u2019s"}"#;
        let found = harvest(transfer, "p.md");
        assert_eq!((found[0].code, found[0].subcode), (500, 7700));
        assert_eq!(found[0].message.as_deref(), Some("it\u{2019}s"));
        let page = r#"{"ResultInfo": {"code": "500", "subcode": "7106", "message": "Server \"Internal\" Error. DiagCode: 500#7106.@"}}"#;
        let found = harvest(page, "p.md");
        assert_eq!((found[0].code, found[0].subcode), (500, 7106));
        assert_eq!(
            found[0].message.as_deref(),
            Some(r#"Server "Internal" Error. DiagCode: 500#7106.@"#)
        );
    }

    #[test]
    fn elided_or_pairless_objects_are_skipped() {
        for page in [
            r#""resultInfo": {"code": 200, ..."#,
            r#""resultInfo": {"code": 200, "message": "no subcode"}"#,
            r#""resultInfo": "a string, not an object" }"#,
            r#""resultInfo": {"code": "x", "subcode": 1}"#,
        ] {
            assert_eq!(harvest(page, "p.md"), [], "{page}");
        }
    }
}
