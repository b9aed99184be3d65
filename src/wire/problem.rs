//! What a body held that its typed fields could not: the JSON path and why. The value itself is
//! kept in the object's `extra`, so nothing is lost; the problem says where to look.

use std::fmt;

/// A value of a callback body that a typed field could not hold: a wrongly typed property (a
/// string where Graph's schema says boolean), a notification that is not an object. The value
/// is kept as it came, in the `extra` of the object that holds it, and written back unchanged.
///
/// ```
/// let batch = msgraph_calls::notifications::from_slice(
///     br#"{"value": [{"changeType": "updated", "resourceUrl": true}]}"#,
/// ).unwrap();
/// let problem = &batch.notifications()[0].problems[0];
/// assert_eq!(problem.path(), "value[0].resourceUrl");
/// assert_eq!(problem.to_string(), "value[0].resourceUrl: expected a string, found a boolean");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Problem {
    /// Leaf first: a parent adds its own segment at the end as the problem goes up.
    segments: Vec<Segment>,
    reason: String,
}

#[derive(Clone, PartialEq, Eq)]
enum Segment {
    /// A property the schema names: its key is a literal of the generated code.
    Key(&'static str),
    Index(usize),
}

/// What a problem costs to keep at most, for the decode's budget: its slot in a vector that
/// grows by doubling, its reason, and its first path segment.
pub(crate) const PROBLEM_COST: usize =
    2 * std::mem::size_of::<Problem>() + 128 + 2 * std::mem::size_of::<Segment>();

/// What one more path segment costs at most (the path grows by doubling).
pub(crate) const SEGMENT_COST: usize = 2 * std::mem::size_of::<Segment>();

impl Problem {
    /// A problem with the value of `key` in the object being read.
    pub(crate) fn at_key(key: &'static str, reason: String) -> Problem {
        Problem {
            segments: vec![Segment::Key(key)],
            reason,
        }
    }

    /// A problem with the element `index` of the array being read.
    pub(crate) fn at_index(index: usize, reason: String) -> Problem {
        Problem {
            segments: vec![Segment::Index(index)],
            reason,
        }
    }

    /// Whether the problem is at or below `key` of the object being read: its last segment so
    /// far (a parent adds its own segments only once the object is read).
    pub(crate) fn ends_at_key(&self, key: &str) -> bool {
        matches!(self.segments.last(), Some(Segment::Key(k)) if *k == key)
    }

    pub(crate) fn under_key(&mut self, key: &'static str) {
        self.segments.push(Segment::Key(key));
    }

    pub(crate) fn under_index(&mut self, index: usize) {
        self.segments.push(Segment::Index(index));
    }

    /// The JSON path of the value, such as `value[0].resourceData.isMuted`. Property names
    /// other than plain identifiers are written `["..."]`, every character outside printable
    /// ASCII escaped, so the path is safe to log or send back whatever the body held.
    pub fn path(&self) -> String {
        let mut path = String::new();
        for segment in self.segments.iter().rev() {
            match segment {
                Segment::Index(index) => path.push_str(&format!("[{index}]")),
                Segment::Key(key) => write_key(&mut path, key),
            }
        }
        path
    }

    /// Why the value could not be read, such as `expected a boolean, found a string`.
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path(), self.reason)
    }
}

impl fmt::Debug for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Problem")
            .field("path", &self.path())
            .field("reason", &self.reason)
            .finish()
    }
}

/// Appends `key` to a JSON path: `.key` for an identifier or an `@`-annotation such as
/// `@odata.type` (no `.` at the start of the path), else `["key"]` with the key escaped.
pub(crate) fn write_key(path: &mut String, key: &str) {
    let ident = |s: &str| {
        s.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    let plain = ident(key)
        || key
            .strip_prefix('@')
            .is_some_and(|rest| rest.split('.').all(ident));
    if plain {
        if !path.is_empty() {
            path.push('.');
        }
        path.push_str(key);
    } else {
        path.push_str("[\"");
        path.push_str(&escape(key));
        path.push_str("\"]");
    }
}

/// `text` with every character outside printable ASCII, and `"`, `'` and `\`, escaped
/// (`\u{202e}`, `\n`, `\"`): text from a body, made safe for a log line or an error body.
pub(crate) fn escape(text: &str) -> String {
    text.chars().flat_map(char::escape_default).collect()
}

/// What a JSON value is, for a problem's reason: `a string`, `an object`.
pub(crate) fn describe(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path_of(keys: &[&'static str]) -> String {
        let mut problem = Problem::at_key(keys[keys.len() - 1], String::new());
        for key in keys[..keys.len() - 1].iter().rev() {
            problem.under_key(key);
        }
        problem.path()
    }

    #[test]
    fn plain_keys_are_dotted_and_others_quoted_and_escaped() {
        assert_eq!(
            path_of(&["resourceData", "isMuted"]),
            "resourceData.isMuted"
        );
        assert_eq!(path_of(&["a", "@odata.type"]), "a.@odata.type");
        assert_eq!(path_of(&["a", "x y"]), r#"a["x y"]"#);
        assert_eq!(path_of(&["a", "a.b"]), r#"a["a.b"]"#);
        assert_eq!(path_of(&["", "k"]), r#"[""].k"#);
        assert_eq!(path_of(&["evil\n\u{202e}\"]"]), r#"["evil\n\u{202e}\"]"]"#);
        let mut problem = Problem::at_index(2, "r".into());
        problem.under_key("value");
        assert_eq!(problem.to_string(), "value[2]: r");
    }

    #[test]
    fn escaping_leaves_only_printable_ascii() {
        let escaped = escape("a\u{0}\u{1b}[31m\u{2028}é\\\"");
        assert!(escaped.chars().all(|c| c.is_ascii_graphic()), "{escaped}");
        assert_eq!(escaped, r#"a\u{0}\u{1b}[31m\u{2028}\u{e9}\\\""#);
    }
}
