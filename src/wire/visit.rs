//! [`OnJson`]: what a visitor of the decoder does with each kind of JSON value, written once;
//! [`Visit`] makes a serde `Visitor` of it. Objects and arrays are built as JSON (charged to
//! the decode's budget) unless the handler reads them itself.

use std::borrow::Cow;
use std::fmt;

use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Number, Value};

use super::budget::CountedValue;

/// What a visitor does with each kind of JSON value; by default it builds the value as JSON
/// and hands it to [`OnJson::value`]. [`Visit`] turns one into a serde `Visitor`.
pub(crate) trait OnJson<'de>: Sized {
    type Out;

    fn expecting(&self) -> &'static str {
        "any JSON value"
    }

    fn value<E: serde::de::Error>(self, value: Value) -> Result<Self::Out, E>;

    fn text<E: serde::de::Error>(self, text: Cow<'de, str>) -> Result<Self::Out, E> {
        self.value(Value::String(text.into_owned()))
    }

    fn map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Out, A::Error> {
        let value = CountedValue.deserialize(MapAccessDeserializer::new(map))?;
        self.value(value)
    }

    fn seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Out, A::Error> {
        let value = CountedValue.deserialize(SeqAccessDeserializer::new(seq))?;
        self.value(value)
    }
}

pub(crate) struct Visit<H>(pub(crate) H);

impl<'de, H: OnJson<'de>> Visitor<'de> for Visit<H> {
    type Value = H::Out;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.expecting())
    }
    fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<H::Out, E> {
        self.0.value(Value::Bool(v))
    }
    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<H::Out, E> {
        self.0.value(Value::from(v))
    }
    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<H::Out, E> {
        self.0.value(Value::from(v))
    }
    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<H::Out, E> {
        // JSON has no NaN or infinity, so a number read from it always fits.
        self.0
            .value(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn visit_borrowed_str<E: serde::de::Error>(self, v: &'de str) -> Result<H::Out, E> {
        self.0.text(Cow::Borrowed(v))
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<H::Out, E> {
        self.0.text(Cow::Owned(v.to_owned()))
    }
    fn visit_string<E: serde::de::Error>(self, v: String) -> Result<H::Out, E> {
        self.0.text(Cow::Owned(v))
    }
    fn visit_unit<E: serde::de::Error>(self) -> Result<H::Out, E> {
        self.0.value(Value::Null)
    }
    fn visit_none<E: serde::de::Error>(self) -> Result<H::Out, E> {
        self.0.value(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<H::Out, D::Error> {
        deserializer.deserialize_any(self)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<H::Out, A::Error> {
        self.0.map(map)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<H::Out, A::Error> {
        self.0.seq(seq)
    }
}
