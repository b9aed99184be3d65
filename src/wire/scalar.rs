//! Reading the plain properties of a generated model struct: strings, booleans, numbers,
//! integers, any JSON and arrays of them ([`FromJson`]), evolvable enums and their arrays, and
//! the properties the schema does not name. JSON of another kind than the field's is kept in
//! `extra` with a problem (`read.rs`'s `keep`).

use std::borrow::Cow;

use serde::de::{Deserializer, MapAccess};
use serde::Deserialize;
use serde_json::{Map, Number, Value};

use super::budget::{charge, charge_entry, CountedValue};
use super::problem::Problem;
use super::read::{drop_earlier, forget, keep};
use super::visit::{OnJson, Visit};
use super::{Evolvable, Key};

/// A typed field's value made from JSON of one kind: a string, a boolean, a number.
pub trait FromJson: Sized {
    /// What the field expects, for a problem's reason (`"a string"`).
    const EXPECTED: &'static str;

    /// Whether `value` is of the kind the type holds.
    fn accepts(value: &Value) -> bool;

    /// The value; called only when [`accepts`](Self::accepts) said yes.
    fn from_json(value: Value) -> Option<Self>;
}

/// `FromJson` for a type that is one variant of `serde_json::Value`, moved out of it.
macro_rules! from_json_variant {
    ($($ty:ty => $variant:ident, $expected:literal;)*) => {$(
        impl FromJson for $ty {
            const EXPECTED: &'static str = $expected;
            fn accepts(value: &Value) -> bool {
                matches!(value, Value::$variant(_))
            }
            fn from_json(value: Value) -> Option<Self> {
                match value {
                    Value::$variant(inner) => Some(inner),
                    _ => None,
                }
            }
        }
    )*};
}

from_json_variant! {
    String => String, "a string";
    bool => Bool, "a boolean";
    Number => Number, "a number";
}

impl FromJson for Value {
    const EXPECTED: &'static str = "any JSON";
    fn accepts(_: &Value) -> bool {
        true
    }
    fn from_json(value: Value) -> Option<Self> {
        Some(value)
    }
}

impl<T: crate::graph_int::Width> FromJson for crate::graph_int::GraphInt<T> {
    const EXPECTED: &'static str = "an integer, as a number or a string";
    fn accepts(value: &Value) -> bool {
        value.is_number() || value.is_string()
    }
    fn from_json(value: Value) -> Option<Self> {
        crate::graph_int::GraphInt::from_json(value).ok()
    }
}

impl<T: FromJson> FromJson for Vec<T> {
    // Said of an array one of whose elements is of another type as well.
    const EXPECTED: &'static str = "an array whose elements are all of the schema's type";
    fn accepts(value: &Value) -> bool {
        value
            .as_array()
            .is_some_and(|items| items.iter().all(T::accepts))
    }
    fn from_json(value: Value) -> Option<Self> {
        match value {
            Value::Array(items) => items.into_iter().map(T::from_json).collect(),
            _ => None,
        }
    }
}

/// Reads the value of a known property of a plain kind (string, boolean, number, integer, any
/// JSON, arrays of them) into `field`; JSON of another kind, or `null`, is kept in `extra`.
pub fn read<'de, A: MapAccess<'de>, T: FromJson>(
    map: &mut A,
    key: &'static str,
    field: &mut Option<T>,
    extra: &mut Map<String, Value>,
    problems: &mut Vec<Problem>,
) -> Result<(), A::Error> {
    drop_earlier(key, field.is_some(), extra, problems);
    let value = map.next_value_seed(CountedValue)?;
    if !value.is_null() && T::accepts(&value) {
        *field = T::from_json(value);
        forget(key, extra);
    } else {
        *field = None;
        keep::<A::Error>(key, value, T::EXPECTED, extra, problems)?;
    }
    Ok(())
}

/// A string borrowed from the body when it can be, or any other JSON.
enum Scalar<'de> {
    Text(Key<'de>),
    Json(Value),
}

struct AsScalar;

impl<'de> OnJson<'de> for AsScalar {
    type Out = Scalar<'de>;
    fn value<E: serde::de::Error>(self, value: Value) -> Result<Self::Out, E> {
        Ok(Scalar::Json(value))
    }
    fn text<E: serde::de::Error>(self, text: Cow<'de, str>) -> Result<Self::Out, E> {
        Ok(Scalar::Text(Key::from(text)))
    }
}

impl<'de> Deserialize<'de> for Scalar<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(Visit(AsScalar))
    }
}

/// Reads an enum property; a spelling other than the canonical one is kept in `extra`, and
/// so is JSON other than a string.
pub fn read_enum<'de, A: MapAccess<'de>, E: Evolvable>(
    map: &mut A,
    key: &'static str,
    field: &mut Option<E>,
    extra: &mut Map<String, Value>,
    problems: &mut Vec<Problem>,
) -> Result<(), A::Error> {
    drop_earlier(key, field.is_some(), extra, problems);
    match map.next_value::<Scalar<'de>>()? {
        Scalar::Text(raw) => *field = Some(parse_keeping_spelling::<A::Error, E>(key, raw, extra)?),
        Scalar::Json(value) => {
            *field = None;
            keep::<A::Error>(key, value, "a string", extra, problems)?;
        }
    }
    Ok(())
}

/// Reads an array of enum values; when any is spelled otherwise, the array as sent is kept.
/// JSON other than an array of strings is kept in `extra`.
pub fn read_enum_list<'de, A: MapAccess<'de>, E: Evolvable>(
    map: &mut A,
    key: &'static str,
    field: &mut Option<Vec<E>>,
    extra: &mut Map<String, Value>,
    problems: &mut Vec<Problem>,
) -> Result<(), A::Error> {
    drop_earlier(key, field.is_some(), extra, problems);
    let value = map.next_value_seed(CountedValue)?;
    let Some(raw) = value
        .as_array()
        .filter(|items| items.iter().all(Value::is_string))
    else {
        *field = None;
        keep::<A::Error>(key, value, "an array of strings", extra, problems)?;
        return Ok(());
    };
    charge::<A::Error>(raw.len().saturating_mul(std::mem::size_of::<E>()))?;
    let values: Vec<E> = raw
        .iter()
        .map(|r| E::parse(r.as_str().unwrap_or_default()))
        .collect();
    if values
        .iter()
        .zip(raw)
        .any(|(v, r)| r.as_str() != Some(v.as_str()))
    {
        // The array as sent is kept beside the values: its text a second time.
        charge_entry::<A::Error>(extra.len(), key.len())?;
        charge::<A::Error>(raw.iter().filter_map(Value::as_str).map(str::len).sum())?;
        extra.insert(key.to_owned(), value);
    } else {
        forget(key, extra);
    }
    *field = Some(values);
    Ok(())
}

/// The enum value of `raw`; a spelling other than the canonical one is kept in `extra`, and a
/// spelling kept from an earlier occurrence of the key is dropped.
fn parse_keeping_spelling<Error: serde::de::Error, E: Evolvable>(
    key: &str,
    raw: Key<'_>,
    extra: &mut Map<String, Value>,
) -> Result<E, Error> {
    let value = E::parse(raw.as_str());
    // The text is kept once: in `Other` when the value is unknown, else in `extra` when it is
    // spelled otherwise (the budget leaves a byte per body byte for text).
    if value.as_str() != raw.as_str() {
        charge_entry::<Error>(extra.len(), key.len())?;
        extra.insert(key.to_owned(), Value::String(raw.into_string()));
    } else {
        forget(key, extra);
    }
    Ok(value)
}

/// Reads any other property: kept in `extra` as it came.
pub fn read_unknown<'de, A: MapAccess<'de>>(
    map: &mut A,
    key: Key<'de>,
    extra: &mut Map<String, Value>,
) -> Result<(), A::Error> {
    charge_entry::<A::Error>(extra.len(), key.as_str().len())?;
    let value = map.next_value_seed(CountedValue)?;
    extra.insert(key.into_string(), value);
    Ok(())
}
