//! Graph's entities told apart by `@odata.type`: what a generated `oneOf` with a discriminator
//! (`notifications::ResourceData`) calls to read one entity, an array of them, or anything else
//! kept as JSON, and the rule that matches an `@odata.type` against a mapping key.

use std::marker::PhantomData;

use serde::de::value::SeqAccessDeserializer;
use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::wire::{charge_element, charge_entry, place, CountedValue, Key, OnJson, Problem, Visit};

/// Whether an `@odata.type` is the one a discriminator mapping key of `schema/openapi.yaml`
/// names, compared without regard to letter case (Graph's examples spell them both ways). A `*`
/// in `pattern` stands for one or more characters: `#microsoft.graph.*Operation` is every
/// operation type.
pub fn matches(odata_type: &str, pattern: &str) -> bool {
    let Some((prefix, suffix)) = pattern.split_once('*') else {
        return odata_type.eq_ignore_ascii_case(pattern);
    };
    odata_type.len() > prefix.len() + suffix.len()
        && odata_type
            .get(..prefix.len())
            .is_some_and(|start| start.eq_ignore_ascii_case(prefix))
        && odata_type
            .get(odata_type.len() - suffix.len()..)
            .is_some_and(|end| end.eq_ignore_ascii_case(suffix))
}

/// A generated `oneOf` of entities told apart by `@odata.type` (`notifications::ResourceData`).
pub trait Union: Serialize + Sized {
    /// Whether the `oneOf` has an array member, read into `Many`.
    const HAS_MANY: bool;

    /// Reads an object whose `@odata.type` has been read already (the usual case: Graph
    /// writes it first), straight from the body.
    fn from_entity<'de, A: MapAccess<'de>>(
        map: A,
        odata_type: String,
        problems: &mut Vec<Problem>,
    ) -> Result<Self, A::Error>;

    /// Reads an object already buffered as JSON (when `@odata.type` was not its first
    /// property).
    fn from_value(value: Value, problems: &mut Vec<Problem>) -> Result<Self, serde_json::Error>;

    /// An array of members (`Many`).
    fn many(items: Vec<Self>) -> Self;

    /// Anything else, kept as it came (`Other`).
    fn other(value: Value) -> Self;
}

/// `Deserialize` for a [`Union`]: one entity, an array of them, or any other JSON kept as is.
pub fn deserialize_union<'de, D: Deserializer<'de>, T: Union>(
    deserializer: D,
) -> Result<T, D::Error> {
    read_union(deserializer, &mut Vec::new())
}

/// Reads a [`Union`], the problems of its entities passed along: the body of every union's
/// `ReadAny::read_any`. Never refuses a JSON value: what is not an entity is `Other`.
pub fn read_union<'de, D: Deserializer<'de>, T: Union>(
    deserializer: D,
    problems: &mut Vec<Problem>,
) -> Result<T, D::Error> {
    deserializer.deserialize_any(Visit(AsUnion {
        problems,
        marker: PhantomData,
    }))
}

struct AsUnion<'p, T> {
    problems: &'p mut Vec<Problem>,
    marker: PhantomData<T>,
}

/// Reads one element of an array as the union itself, so a roster is read without buffering.
struct UnionElement<'p, T> {
    problems: &'p mut Vec<Problem>,
    marker: PhantomData<T>,
}

impl<'de, T: Union> serde::de::DeserializeSeed<'de> for UnionElement<'_, T> {
    type Value = T;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<T, D::Error> {
        read_union(deserializer, self.problems)
    }
}

impl<'de, T: Union> OnJson<'de> for AsUnion<'_, T> {
    type Out = T;
    fn expecting(&self) -> &'static str {
        "an entity or an array of entities"
    }
    fn value<E: serde::de::Error>(self, value: Value) -> Result<T, E> {
        Ok(T::other(value))
    }
    fn seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<T, A::Error> {
        if !T::HAS_MANY {
            let value = CountedValue.deserialize(SeqAccessDeserializer::new(seq))?;
            return Ok(T::other(value));
        }
        let mut items = Vec::new();
        loop {
            let start = self.problems.len();
            let element = UnionElement::<T> {
                problems: self.problems,
                marker: PhantomData,
            };
            let Some(item) = seq.next_element_seed(element)? else {
                break;
            };
            charge_element::<T, A::Error>()?;
            let index = items.len();
            place::<A::Error>(&mut self.problems[start..], &|p| p.under_index(index))?;
            items.push(item);
        }
        Ok(T::many(items))
    }
    fn map<A: MapAccess<'de>>(self, mut map: A) -> Result<T, A::Error> {
        let Some(first) = map.next_key::<Key<'de>>()? else {
            return Ok(T::other(Value::Object(Map::new())));
        };
        let value = map.next_value_seed(CountedValue)?;
        if first.as_str() == "@odata.type" {
            if let Value::String(odata_type) = value {
                return T::from_entity(map, odata_type, self.problems);
            }
        }
        let mut object = Map::new();
        charge_entry::<A::Error>(0, first.as_str().len())?;
        object.insert(first.into_string(), value);
        read_rest(&mut map, &mut object)?;
        T::from_value(Value::Object(object), self.problems).map_err(serde::de::Error::custom)
    }
}

/// Reads the rest of an object of a kind the model does not know, its `@odata.type` read
/// already, into JSON kept as it came.
pub fn read_other<'de, A: MapAccess<'de>>(
    mut map: A,
    odata_type: String,
) -> Result<Value, A::Error> {
    let mut object = Map::new();
    charge_entry::<A::Error>(0, "@odata.type".len())?;
    object.insert("@odata.type".to_owned(), Value::String(odata_type));
    read_rest(&mut map, &mut object)?;
    Ok(Value::Object(object))
}

/// Reads every property left in `map` into `object`.
pub fn read_rest<'de, A: MapAccess<'de>>(
    map: &mut A,
    object: &mut Map<String, Value>,
) -> Result<(), A::Error> {
    while let Some(key) = map.next_key::<Key<'de>>()? {
        charge_entry::<A::Error>(object.len(), key.as_str().len())?;
        let value = map.next_value_seed(CountedValue)?;
        object.insert(key.into_string(), value);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn odata_types_match_in_any_case_and_stars_stand_for_a_name() {
        assert!(matches("#microsoft.graph.call", "#microsoft.graph.call"));
        assert!(matches("#Microsoft.Graph.CALL", "#microsoft.graph.call"));
        assert!(!matches("#microsoft.graph.callX", "#microsoft.graph.call"));
        let operation = "#microsoft.graph.*Operation";
        assert!(matches("#microsoft.graph.playPromptOperation", operation));
        assert!(matches("#MICROSOFT.GRAPH.commsoperation", operation));
        // The star stands for at least one character.
        assert!(!matches("#microsoft.graph.Operation", operation));
        assert!(!matches("#microsoft.graph.operations", operation));
        assert!(!matches("#other.playPromptOperation", operation));
        // Non-ASCII text where the prefix ends is not a match, and not a panic.
        assert!(!matches("#microsoft.grapé.xOperation", operation));
    }
}
