//! Writing a generated model struct back: each known property from its field, or the JSON
//! `extra` kept for it, then the properties the schema does not name.

use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};
use serde_json::{Map, Value};

use super::Evolvable;

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

/// Writes an array of objects: where reading kept the array's layout in `extra` (some elements
/// were not objects), the elements as they came, the objects in their places; else the field.
pub fn write_object_list<M: SerializeMap, T: Serialize>(
    map: &mut M,
    key: &str,
    field: &Option<Vec<T>>,
    extra: &Map<String, Value>,
) -> Result<(), M::Error> {
    match (field, extra.get(key)) {
        (Some(items), Some(Value::Array(layout)))
            if layout.iter().filter(|v| v.is_object()).count() == items.len() =>
        {
            map.serialize_entry(key, &Interleaved { items, layout })
        }
        (Some(items), _) => map.serialize_entry(key, items),
        (None, Some(kept)) => map.serialize_entry(key, kept),
        (None, None) => Ok(()),
    }
}

/// The objects of a list in the places the layout keeps for them (`{}`), its other elements
/// as they came.
struct Interleaved<'a, T> {
    items: &'a [T],
    layout: &'a [Value],
}

impl<T: Serialize> Serialize for Interleaved<'_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.layout.len()))?;
        let mut items = self.items.iter().peekable();
        for slot in self.layout {
            match items.next_if(|_| slot.is_object()) {
                Some(item) => seq.serialize_element(item)?,
                None => seq.serialize_element(slot)?,
            }
        }
        seq.end()
    }
}
