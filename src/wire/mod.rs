//! What the generated notification model (`OUT_DIR/model.rs`) calls to read and write Graph's
//! JSON without losing anything.
//!
//! A typed field cannot say everything the body said: `"id": null` and a missing `id` are both
//! `None`, and `"Deleted"` and `"deleted"` are both `ChangeType::Deleted`. The JSON the field
//! cannot hold goes into the struct's `extra` map under the property's name, and is written back
//! from there as long as the field still means the same thing. Properties the schema does not
//! name go into `extra` too. So `to_value(from_slice(body)) == from_slice::<Value>(body)`.
//!
//! A value of the wrong JSON type (`"isMuted": "yes"`) is kept in `extra` the same way: the
//! field reads as absent, and a [`Problem`] with its JSON path says what could not be read.
//! Reading fails only where the body is not JSON.
//!
//! - `read.rs`: reading objects, unions and arrays of them, tolerant of wrong types;
//! - `scalar.rs`: reading plain properties and enums;
//! - `visit.rs`: the visitor every reader is made of;
//! - `write.rs`: writing back;
//! - `problem.rs`: [`Problem`], paths, and escaping text from a body;
//! - `budget.rs`: the memory a decode may take, and what it charges for each allocation;
//! - `redact.rs`: `Debug` with secrets hidden.

mod budget;
mod problem;
mod read;
mod redact;
mod scalar;
mod visit;
mod write;

use std::borrow::Cow;
use std::fmt;

use serde::de::Visitor;

pub(crate) use budget::{charge_element, charge_entry, Budget, CountedValue, OVER_BUDGET};
pub use budget::{charge_struct, DECODE_BASE_BYTES, DECODE_BYTES_PER_BODY_BYTE};
pub use problem::Problem;
pub(crate) use problem::{describe, escape, write_key};
pub(crate) use read::place;
pub use read::*;
#[cfg(feature = "inbound")]
pub(crate) use redact::hide_url_secrets;
pub use redact::{debug_as_json, RedactedExtra, RedactedField, RedactedText, RedactedValue};
pub use scalar::*;
pub(crate) use visit::{map_or_number, MapOrNumber, OnJson, Visit, NUMBERS_AS_MAPS};
pub use write::*;

/// A property name, borrowed from the body when it can be (no escapes in it).
pub struct Key<'de>(Cow<'de, str>);

impl<'de> Key<'de> {
    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The name, owned.
    pub fn into_string(self) -> String {
        self.0.into_owned()
    }

    /// The name, borrowed from the body when it was.
    pub(crate) fn into_cow(self) -> Cow<'de, str> {
        self.0
    }
}

impl<'de> From<Cow<'de, str>> for Key<'de> {
    fn from(text: Cow<'de, str>) -> Self {
        Key(text)
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
