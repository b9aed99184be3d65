//! [`OnJson`]: what a visitor of the decoder does with each kind of JSON value, written once;
//! [`Visit`] makes a serde `Visitor` of it. Objects and arrays are built as JSON (charged to
//! the decode's budget) unless the handler reads them itself.

use std::borrow::Cow;
use std::fmt;
use std::sync::LazyLock;

use serde::de::value::{
    BorrowedStrDeserializer, MapAccessDeserializer, SeqAccessDeserializer, StringDeserializer,
};
use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Number, Value};

use super::budget::CountedValue;
use super::Key;

/// The one key of the map serde_json hands a `deserialize_any` visitor in place of a number
/// when its `arbitrary_precision` feature is on: any crate of a program's build may turn it
/// on, and then `200` arrives as `{"$serde_json::private::Number": "200"}`.
const NUMBER_TOKEN: &str = "$serde_json::private::Number";

/// Whether this build's serde_json hands numbers over as maps (`arbitrary_precision`: it does
/// so for every number that is not an integer of 64 bits), found once by reading `0.5`.
pub(crate) static NUMBERS_AS_MAPS: LazyLock<bool> = LazyLock::new(|| {
    struct Probe;
    impl<'de> Visitor<'de> for Probe {
        type Value = bool;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a number")
        }
        fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<bool, E> {
            Ok(false)
        }
        fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<bool, A::Error> {
            Ok(true)
        }
    }
    let mut json = serde_json::Deserializer::from_str("0.5");
    json.deserialize_any(Probe).unwrap_or(false)
});

/// A map as a visitor received it: a number in disguise (see [`NUMBER_TOKEN`]), or an object,
/// its first key already read.
pub(crate) enum MapOrNumber<'de, A> {
    Number(Number),
    Map(Resume<'de, A>),
}

/// Reads the first key of `map` to tell a number serde_json disguised as a map from an
/// object. Only called when [`NUMBERS_AS_MAPS`]: otherwise every map is an object.
pub(crate) fn map_or_number<'de, A: MapAccess<'de>>(
    mut map: A,
) -> Result<MapOrNumber<'de, A>, A::Error> {
    let first = map.next_key::<Key<'de>>()?;
    if first
        .as_ref()
        .is_some_and(|key| key.as_str() == NUMBER_TOKEN)
    {
        let digits: String = map.next_value()?;
        let number = digits
            .parse::<Number>()
            .map_err(|_| serde::de::Error::custom("a number serde_json could not read back"))?;
        return Ok(MapOrNumber::Number(number));
    }
    Ok(MapOrNumber::Map(Resume {
        first: Some(first),
        map,
    }))
}

/// A map whose first key was read already: it gives that key again, then the rest; or a map
/// none of whose keys was read ([`Resume::whole`]).
pub(crate) struct Resume<'de, A> {
    /// `Some(None)`: the map was empty.
    first: Option<Option<Key<'de>>>,
    map: A,
}

impl<'de, A> Resume<'de, A> {
    /// `map`, none of its keys read.
    pub(crate) fn whole(map: A) -> Resume<'de, A> {
        Resume { first: None, map }
    }
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Resume<'de, A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        match self.first.take() {
            Some(None) => Ok(None),
            Some(Some(key)) => match key.into_cow() {
                Cow::Borrowed(text) => seed
                    .deserialize(BorrowedStrDeserializer::<A::Error>::new(text))
                    .map(Some),
                Cow::Owned(text) => seed
                    .deserialize(StringDeserializer::<A::Error>::new(text))
                    .map(Some),
            },
            None => self.map.next_key_seed(seed),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, A::Error> {
        self.map.next_value_seed(seed)
    }

    fn size_hint(&self) -> Option<usize> {
        self.map.size_hint()
    }
}

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
        // Every map reaches its reader as a `Resume`, whether its first key was read or not:
        // one map type, so each struct's reader is compiled once per deserializer, not twice.
        if !*NUMBERS_AS_MAPS {
            return self.0.map(Resume::whole(map));
        }
        match map_or_number(map)? {
            MapOrNumber::Number(number) => self.0.value(Value::Number(number)),
            MapOrNumber::Map(map) => self.0.map(map),
        }
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<H::Out, A::Error> {
        self.0.seq(seq)
    }
}
