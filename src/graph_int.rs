//! `Edm.Int32` and `Edm.Int64` as Graph really sends them.

use std::fmt;
use std::marker::PhantomData;
use std::str::FromStr;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::Value;

/// The integer types a [`GraphInt`] can hold: `i32` and `i64`.
pub trait Width: FromStr + TryFrom<i64> + Copy + private::Sealed {
    /// `GraphInt32` or `GraphInt64`, for `Debug`.
    const NAME: &'static str;
}

impl Width for i32 {
    const NAME: &'static str = "GraphInt32";
}

impl Width for i64 {
    const NAME: &'static str = "GraphInt64";
}

mod private {
    pub trait Sealed {}
    impl Sealed for i32 {}
    impl Sealed for i64 {}
}

/// A Graph integer from a body, kept exactly as it arrived: [`GraphInt32`] or [`GraphInt64`].
///
/// Graph's metadata declares `resultInfo.code` and `subcode` as `Edm.Int32`, yet its own
/// call-delete example sends them as strings (`"code": "200"`, DC api/call-delete.md). Every
/// `format: int32` and `format: int64` property of `schema/openapi.yaml` becomes this type: it
/// reads a JSON number or a JSON string, [`get`](Self::get) gives the number when there is one,
/// and serializing writes back the same JSON it read, so a body read and written again is
/// unchanged.
///
/// ```
/// use msgraph_calls::{GraphInt32, GraphInt64};
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
///
/// let sequence: GraphInt64 = serde_json::from_str(r#""8589934592""#).unwrap();
/// assert_eq!(sequence.get(), Some(8_589_934_592));
/// ```
pub struct GraphInt<T: Width>(Repr, PhantomData<T>);

/// `Edm.Int32`: see [`GraphInt`].
pub type GraphInt32 = GraphInt<i32>;

/// `Edm.Int64`: see [`GraphInt`].
pub type GraphInt64 = GraphInt<i64>;

#[derive(Clone, PartialEq, Eq, Hash)]
enum Repr {
    Number(serde_json::Number),
    Text(String),
}

impl<T: Width> GraphInt<T> {
    fn new(repr: Repr) -> Self {
        GraphInt(repr, PhantomData)
    }

    /// The value, when it is one: a JSON integer in range, or a string holding exactly such an
    /// integer (no spaces; a leading `-` or `+`, as Rust's `FromStr` reads it).
    pub fn get(&self) -> Option<T> {
        match &self.0 {
            Repr::Number(n) => n.as_i64().and_then(|v| T::try_from(v).ok()),
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

    /// The value of a JSON number or string; any other JSON is given back.
    pub(crate) fn from_json(value: Value) -> Result<Self, Value> {
        match value {
            Value::Number(n) => Ok(GraphInt::new(Repr::Number(n))),
            Value::String(s) => Ok(GraphInt::new(Repr::Text(s))),
            other => Err(other),
        }
    }
}

impl<T: Width> Clone for GraphInt<T> {
    fn clone(&self) -> Self {
        GraphInt::new(self.0.clone())
    }
}

impl<T: Width> PartialEq for GraphInt<T> {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}

impl<T: Width> Eq for GraphInt<T> {}

impl<T: Width> std::hash::Hash for GraphInt<T> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.hash(state)
    }
}

impl From<i32> for GraphInt32 {
    fn from(value: i32) -> Self {
        GraphInt::new(Repr::Number(value.into()))
    }
}

impl From<i64> for GraphInt64 {
    fn from(value: i64) -> Self {
        GraphInt::new(Repr::Number(value.into()))
    }
}

impl<T: Width> fmt::Debug for GraphInt<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Repr::Number(n) => write!(f, "{}({n})", T::NAME),
            Repr::Text(s) => write!(f, "{}({s:?})", T::NAME),
        }
    }
}

impl<T: Width> fmt::Display for GraphInt<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Repr::Number(n) => fmt::Display::fmt(n, f),
            Repr::Text(s) => f.write_str(s),
        }
    }
}

impl<T: Width> Serialize for GraphInt<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match &self.0 {
            Repr::Number(n) => n.serialize(serializer),
            Repr::Text(s) => serializer.serialize_str(s),
        }
    }
}

impl<'de, T: Width> Deserialize<'de> for GraphInt<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: Width> Visitor<'de> for V<T> {
            type Value = GraphInt<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an integer, as a JSON number or a JSON string")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<GraphInt<T>, E> {
                Ok(GraphInt::new(Repr::Number(v.into())))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<GraphInt<T>, E> {
                Ok(GraphInt::new(Repr::Number(v.into())))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<GraphInt<T>, E> {
                serde_json::Number::from_f64(v)
                    .map(|n| GraphInt::new(Repr::Number(n)))
                    .ok_or_else(|| E::invalid_value(de::Unexpected::Float(v), &self))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<GraphInt<T>, E> {
                Ok(GraphInt::new(Repr::Text(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<GraphInt<T>, E> {
                Ok(GraphInt::new(Repr::Text(v)))
            }
            // A number, under serde_json's `arbitrary_precision`; any other map is refused.
            fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<GraphInt<T>, A::Error> {
                if *crate::wire::NUMBERS_AS_MAPS {
                    if let crate::wire::MapOrNumber::Number(n) = crate::wire::map_or_number(map)? {
                        return Ok(GraphInt::new(Repr::Number(n)));
                    }
                }
                Err(de::Error::invalid_type(de::Unexpected::Map, &self))
            }
        }
        deserializer.deserialize_any(V(PhantomData))
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

    #[test]
    fn int64_reads_numbers_and_strings_alike() {
        for json in ["8589934592", "\"8589934592\""] {
            let v: GraphInt64 = serde_json::from_str(json).unwrap();
            assert_eq!(v.get(), Some(8_589_934_592), "{json}");
            assert_eq!(serde_json::to_string(&v).unwrap(), json);
        }
        let big: GraphInt32 = serde_json::from_str("8589934592").unwrap();
        assert_eq!(big.get(), None);
        assert_eq!(format!("{:?}", GraphInt64::from(7)), "GraphInt64(7)");
    }
}
