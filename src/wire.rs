//! What the generated notification model (`OUT_DIR/model.rs`) calls to read and write Graph's
//! JSON without losing anything.
//!
//! A typed field cannot say everything the body said: `"id": null` and a missing `id` are both
//! `None`, and `"Deleted"` and `"deleted"` are both `ChangeType::Deleted`. The JSON the field
//! cannot hold goes into the struct's `extra` map under the property's name, and is written back
//! from there as long as the field still means the same thing. Properties the schema does not
//! name go into `extra` too. So `to_value(from_slice(body)) == from_slice::<Value>(body)`.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{DeserializeOwned, Deserializer, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::Serialize;
use serde_json::{Map, Value};

/// A property name, borrowed from the body when it can be (no escapes in it).
pub struct Key<'de>(Cow<'de, str>);

impl Key<'_> {
    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The name, owned.
    pub fn into_string(self) -> String {
        self.0.into_owned()
    }
}

impl<'de> serde::Deserialize<'de> for Key<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a property name")
            }
            fn visit_borrowed_str<E: serde::de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

/// A Graph enum that accepts values it does not know and any letter case.
pub trait Evolvable: Sized {
    /// The variant for `text`: a known value compared without regard to case, else the
    /// catch-all variant holding `text`.
    fn parse(text: &str) -> Self;
    /// The value as Graph's metadata spells it (or as it arrived, for an unknown value).
    fn as_str(&self) -> &str;
}

/// What every evolvable enum of the generated model has, written once: [`Evolvable`] (a known
/// value in any letter case, anything else kept in `Other`), `as_str`, `FromStr`, `Display`,
/// and serde in both directions as the string. The generator emits the enum with its docs and
/// one call of this macro, `evolvable_enum!(CallState { Incoming = "incoming", ... })`.
macro_rules! evolvable_enum {
    ($name:ident { $($variant:ident = $text:literal),* $(,)? }) => {
        impl $crate::wire::Evolvable for $name {
            fn parse(text: &str) -> Self {
                match text {
                    $($text => return $name::$variant,)*
                    _ => {}
                }
                $(if text.eq_ignore_ascii_case($text) {
                    return $name::$variant;
                })*
                $name::Other(text.to_owned())
            }

            fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $text,)*
                    $name::Other(text) => text,
                }
            }
        }

        impl $name {
            /// The value as Graph's metadata spells it; an unknown value as Graph sent it.
            pub fn as_str(&self) -> &str {
                $crate::wire::Evolvable::as_str(self)
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ::std::convert::Infallible;
            fn from_str(text: &str) -> Result<Self, Self::Err> {
                Ok($crate::wire::Evolvable::parse(text))
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = <::std::borrow::Cow<'de, str> as ::serde::Deserialize>::deserialize(deserializer)?;
                Ok($crate::wire::Evolvable::parse(&text))
            }
        }
    };
}
pub(crate) use evolvable_enum;

/// A generated model struct, read field by field from a JSON object by its map visitor.
pub trait FromMap: Sized {
    /// What the visitor expects, for serde's messages (`"a Call object"`).
    const EXPECTING: &'static str;

    /// Reads the object from `map`; `odata_type` is its `@odata.type` when the caller already
    /// read it to choose the type (`notifications::ResourceData`).
    fn from_map<'de, A: MapAccess<'de>>(
        map: A,
        odata_type: Option<String>,
    ) -> Result<Self, A::Error>;
}

/// `Deserialize` for a [`FromMap`] type: the body of every generated struct's `deserialize`.
pub fn deserialize_object<'de, D: Deserializer<'de>, T: FromMap>(
    deserializer: D,
) -> Result<T, D::Error> {
    struct ObjectVisitor<T>(PhantomData<T>);
    impl<'de, T: FromMap> Visitor<'de> for ObjectVisitor<T> {
        type Value = T;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(T::EXPECTING)
        }
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
            T::from_map(map, None)
        }
    }
    deserializer.deserialize_map(ObjectVisitor(PhantomData))
}

/// Reads the value of a known property into `field`; an explicit `null` is kept in `extra`.
pub fn read<'de, A: MapAccess<'de>, T: DeserializeOwned>(
    map: &mut A,
    key: &str,
    field: &mut Option<T>,
    extra: &mut Map<String, Value>,
) -> Result<(), A::Error> {
    *field = map.next_value::<Option<T>>()?;
    record_null(key, field.is_none(), extra);
    Ok(())
}

/// Reads an enum property; a spelling other than the canonical one is kept in `extra`.
pub fn read_enum<'de, A: MapAccess<'de>, E: Evolvable>(
    map: &mut A,
    key: &str,
    field: &mut Option<E>,
    extra: &mut Map<String, Value>,
) -> Result<(), A::Error> {
    let raw = map.next_value::<Option<Key<'de>>>()?;
    *field = raw.map(|raw| parse_keeping_spelling(key, raw, extra));
    record_null(key, field.is_none(), extra);
    Ok(())
}

/// Reads an array of enum values; when any is spelled otherwise, the array as sent is kept.
pub fn read_enum_list<'de, A: MapAccess<'de>, E: Evolvable>(
    map: &mut A,
    key: &str,
    field: &mut Option<Vec<E>>,
    extra: &mut Map<String, Value>,
) -> Result<(), A::Error> {
    let raw = map.next_value::<Option<Vec<String>>>()?;
    extra.remove(key);
    *field = raw.map(|raw| {
        let values: Vec<E> = raw.iter().map(|r| E::parse(r)).collect();
        if values.iter().zip(&raw).any(|(v, r)| v.as_str() != r) {
            extra.insert(
                key.to_owned(),
                Value::Array(raw.into_iter().map(Value::String).collect()),
            );
        }
        values
    });
    record_null(key, field.is_none(), extra);
    Ok(())
}

/// Reads a required property: present and not null.
pub fn read_required<'de, A: MapAccess<'de>, T: DeserializeOwned>(
    map: &mut A,
    field: &mut Option<T>,
) -> Result<(), A::Error> {
    *field = Some(map.next_value::<T>()?);
    Ok(())
}

/// Reads a required enum property; a spelling other than the canonical one is kept in `extra`.
pub fn read_required_enum<'de, A: MapAccess<'de>, E: Evolvable>(
    map: &mut A,
    key: &str,
    field: &mut Option<E>,
    extra: &mut Map<String, Value>,
) -> Result<(), A::Error> {
    let raw = map.next_value::<Key<'de>>()?;
    *field = Some(parse_keeping_spelling(key, raw, extra));
    Ok(())
}

/// The enum value of `raw`; a spelling other than the canonical one is kept in `extra`, and a
/// spelling kept from an earlier occurrence of the key is dropped.
fn parse_keeping_spelling<E: Evolvable>(
    key: &str,
    raw: Key<'_>,
    extra: &mut Map<String, Value>,
) -> E {
    let value = E::parse(raw.as_str());
    if value.as_str() != raw.as_str() {
        extra.insert(key.to_owned(), Value::String(raw.into_string()));
    } else if !extra.is_empty() {
        extra.remove(key);
    }
    value
}

fn record_null(key: &str, is_none: bool, extra: &mut Map<String, Value>) {
    if is_none {
        extra.insert(key.to_owned(), Value::Null);
    } else if !extra.is_empty() && extra.get(key).is_some_and(Value::is_null) {
        extra.remove(key);
    }
}

/// Writes a known property: the field when it has a value, else what `extra` kept (a `null`).
pub fn write<M: SerializeMap, T: Serialize>(
    map: &mut M,
    key: &str,
    field: &Option<T>,
    extra: &Map<String, Value>,
) -> Result<(), M::Error> {
    match (field, extra.get(key)) {
        (Some(value), _) => map.serialize_entry(key, value),
        (None, Some(kept)) => map.serialize_entry(key, kept),
        (None, None) => Ok(()),
    }
}

/// Writes an enum property, in the spelling it arrived in while the value is unchanged.
pub fn write_enum<M: SerializeMap, E: Evolvable>(
    map: &mut M,
    key: &str,
    field: Option<&E>,
    extra: &Map<String, Value>,
) -> Result<(), M::Error> {
    match (field, extra.get(key)) {
        (Some(value), Some(Value::String(raw))) if raw.eq_ignore_ascii_case(value.as_str()) => {
            map.serialize_entry(key, raw)
        }
        (Some(value), _) => map.serialize_entry(key, value.as_str()),
        (None, Some(kept)) => map.serialize_entry(key, kept),
        (None, None) => Ok(()),
    }
}

/// Writes an array of enum values, in the spellings they arrived in while they are unchanged.
pub fn write_enum_list<M: SerializeMap, E: Evolvable>(
    map: &mut M,
    key: &str,
    field: &Option<Vec<E>>,
    extra: &Map<String, Value>,
) -> Result<(), M::Error> {
    match (field, extra.get(key)) {
        (Some(values), Some(Value::Array(raw)))
            if raw.len() == values.len()
                && raw.iter().zip(values).all(|(r, v)| {
                    r.as_str()
                        .is_some_and(|r| r.eq_ignore_ascii_case(v.as_str()))
                }) =>
        {
            map.serialize_entry(key, raw)
        }
        (Some(values), _) => {
            let names: Vec<&str> = values.iter().map(Evolvable::as_str).collect();
            map.serialize_entry(key, &names)
        }
        (None, Some(kept)) => map.serialize_entry(key, kept),
        (None, None) => Ok(()),
    }
}

/// Writes the properties the schema does not name (`known` lists those it does).
pub fn write_extra<M: SerializeMap>(
    map: &mut M,
    extra: &Map<String, Value>,
    known: &[&str],
) -> Result<(), M::Error> {
    for (key, value) in extra {
        if !known.contains(&key.as_str()) {
            map.serialize_entry(key, value)?;
        }
    }
    Ok(())
}

/// Shows a map of extra properties for `Debug`, with the values of properties whose names say
/// they are secrets replaced by `<redacted>`, at any depth. Graph's `recordOperation` carries a
/// `recordingAccessToken`, for one.
pub struct RedactedExtra<'a>(pub &'a Map<String, Value>);

impl fmt::Debug for RedactedExtra<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(
                self.0
                    .iter()
                    .map(|(key, value)| (key, Redacted { key, value })),
            )
            .finish()
    }
}

struct Redacted<'a> {
    key: &'a str,
    value: &'a Value,
}

impl fmt::Debug for Redacted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if is_secret_name(self.key) && !self.value.is_null() {
            return f.write_str("<redacted>");
        }
        match self.value {
            Value::Object(map) => RedactedExtra(map).fmt(f),
            Value::Array(items) => f
                .debug_list()
                .entries(items.iter().map(|value| Redacted { key: "", value }))
                .finish(),
            other => other.fmt(f),
        }
    }
}

fn is_secret_name(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    ["token", "secret", "password", "credential", "signature"]
        .iter()
        .any(|word| key.contains(word))
}
