//! `Edm.Int32` as Graph really sends it.

use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// A 32-bit integer from a Graph body, kept exactly as it arrived.
///
/// Graph's metadata declares `resultInfo.code` and `subcode` as `Edm.Int32`, yet its own
/// call-delete example sends them as strings (`"code": "200"`, DC api/call-delete.md). Every
/// `format: int32` in `schema/openapi.yaml` becomes this type: it reads a JSON number or a
/// JSON string, [`get`](Self::get) gives the number when there is one, and serializing writes
/// back the same JSON it read, so a body read and written again is unchanged.
///
/// ```
/// use msgraph_calls::GraphInt32;
///
/// let as_text: GraphInt32 = serde_json::from_str(r#""5001""#).unwrap();
/// let as_number: GraphInt32 = serde_json::from_str("5001").unwrap();
/// assert_eq!(as_text.get(), Some(5001));
/// assert_eq!(as_number.get(), Some(5001));
/// assert_eq!(serde_json::to_string(&as_text).unwrap(), r#""5001""#);
/// assert_eq!(serde_json::to_string(&as_number).unwrap(), "5001");
///
/// let not_a_number: GraphInt32 = serde_json::from_str(r#""n/a""#).unwrap();
/// assert_eq!(not_a_number.get(), None);
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct GraphInt32(Repr);

#[derive(Clone, PartialEq, Eq, Hash)]
enum Repr {
    Number(serde_json::Number),
    Text(String),
}

impl GraphInt32 {
    /// The value as an `i32`, when it is one: a JSON integer in range, or a string holding
    /// exactly such an integer (no spaces, no sign but `-`).
    pub fn get(&self) -> Option<i32> {
        match &self.0 {
            Repr::Number(n) => n.as_i64().and_then(|v| i32::try_from(v).ok()),
            Repr::Text(s) => s.parse().ok(),
        }
    }

    /// Whether the value arrived as a JSON string (`"200"`) rather than a number.
    pub fn is_text(&self) -> bool {
        matches!(self.0, Repr::Text(_))
    }

    /// The value as it arrived, without JSON quotes (`200` for both `200` and `"200"`).
    pub fn as_raw(&self) -> String {
        match &self.0 {
            Repr::Number(n) => n.to_string(),
            Repr::Text(s) => s.clone(),
        }
    }
}

impl From<i32> for GraphInt32 {
    fn from(value: i32) -> Self {
        GraphInt32(Repr::Number(value.into()))
    }
}

impl fmt::Debug for GraphInt32 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Repr::Number(n) => write!(f, "GraphInt32({n})"),
            Repr::Text(s) => write!(f, "GraphInt32({s:?})"),
        }
    }
}

impl fmt::Display for GraphInt32 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Repr::Number(n) => fmt::Display::fmt(n, f),
            Repr::Text(s) => f.write_str(s),
        }
    }
}

impl Serialize for GraphInt32 {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match &self.0 {
            Repr::Number(n) => n.serialize(serializer),
            Repr::Text(s) => serializer.serialize_str(s),
        }
    }
}

impl<'de> Deserialize<'de> for GraphInt32 {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = GraphInt32;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an integer, as a JSON number or a JSON string")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<GraphInt32, E> {
                Ok(GraphInt32(Repr::Number(v.into())))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<GraphInt32, E> {
                Ok(GraphInt32(Repr::Number(v.into())))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<GraphInt32, E> {
                serde_json::Number::from_f64(v)
                    .map(|n| GraphInt32(Repr::Number(n)))
                    .ok_or_else(|| E::invalid_value(de::Unexpected::Float(v), &self))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<GraphInt32, E> {
                Ok(GraphInt32(Repr::Text(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<GraphInt32, E> {
                Ok(GraphInt32(Repr::Text(v)))
            }
        }
        deserializer.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn read(json: &str) -> GraphInt32 {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn numbers_and_strings_give_the_same_value() {
        assert_eq!(read("200").get(), Some(200));
        assert_eq!(read("\"200\"").get(), Some(200));
        assert_eq!(read("-5").get(), Some(-5));
    }

    #[test]
    fn out_of_range_or_non_numeric_values_are_kept_but_have_no_i32() {
        for json in [
            "2147483648",
            "\"2147483648\"",
            "1.5",
            "\" 200\"",
            "\"n/a\"",
            "\"\"",
        ] {
            let v = read(json);
            assert_eq!(v.get(), None, "{json}");
            assert_eq!(serde_json::to_string(&v).unwrap(), json);
        }
    }

    #[test]
    fn other_json_types_are_refused() {
        for json in ["null", "true", "[]", "{}"] {
            let err = serde_json::from_str::<GraphInt32>(json).unwrap_err();
            assert!(
                err.to_string()
                    .contains("an integer, as a JSON number or a JSON string"),
                "{err}"
            );
        }
    }

    #[test]
    fn debug_shows_how_it_arrived() {
        assert_eq!(format!("{:?}", read("7")), "GraphInt32(7)");
        assert_eq!(format!("{:?}", read("\"7\"")), "GraphInt32(\"7\")");
        assert!(read("\"7\"").is_text());
        assert_eq!(read("\"7\"").as_raw(), "7");
        assert_eq!(GraphInt32::from(7), read("7"));
    }
}
