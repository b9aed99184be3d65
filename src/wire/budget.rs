//! The memory a body may take to decode. `notifications::from_slice` sets a budget in
//! proportion to the body's size; every allocation the decoder makes for what it reads (a
//! struct, a JSON value kept as it came, a vector slot, a map entry, a problem) is charged
//! against it, at an estimate no lower than what the allocation really takes. A body that
//! would take more is refused before it does, so a body of many tiny values (`[{},{},...]`)
//! cannot make a bot allocate a hundred times its size.
//!
//! The text of strings is not charged one string at a time (that would cost a thread-local
//! access per value on the fast path): the decoder keeps at most one copy of each byte of the
//! body's text (a string field, an unknown enum value, a spelling kept in `extra`), so the
//! budget charged is one byte per body byte smaller than the bound it enforces.

use std::cell::Cell;
use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

/// Bytes the decoder may allocate per byte of body.
pub const DECODE_BYTES_PER_BODY_BYTE: usize = 10;

/// Bytes the decoder may allocate whatever the body's size: a small body's fixed costs.
pub const DECODE_BASE_BYTES: usize = 64 * 1024;

/// What a `serde_json::Map` (a B-tree) allocates per node, rounded up: a leaf holds up to 11
/// entries of a `String` and a `Value` (24 + 32 bytes each) and its bookkeeping.
const MAP_NODE: usize = 640;

/// What a map entry costs beyond its node's share: B-tree nodes are at least half full, so
/// each entry carries at most a fifth of a node.
const MAP_ENTRY: usize = MAP_NODE / 5;

thread_local! {
    /// The bytes left to the decode running on this thread; `None` outside `from_slice`.
    static LEFT: Cell<Option<usize>> = const { Cell::new(None) };
}

/// The budget of one decode; the previous one (none, usually) comes back when it is dropped.
pub(crate) struct Budget {
    previous: Option<usize>,
}

impl Budget {
    /// A budget for a body of `len` bytes: [`DECODE_BYTES_PER_BODY_BYTE`] per byte, plus
    /// [`DECODE_BASE_BYTES`].
    pub(crate) fn for_body(len: usize) -> Budget {
        // One byte per body byte is left for the text of strings, which is not charged.
        let bytes = len
            .saturating_mul(DECODE_BYTES_PER_BODY_BYTE - 1)
            .saturating_add(DECODE_BASE_BYTES);
        Budget {
            previous: LEFT.replace(Some(bytes)),
        }
    }

    /// Whether the budget ran out (the decode's error is then this one's).
    pub(crate) fn exhausted() -> bool {
        LEFT.get() == Some(0)
    }
}

impl Drop for Budget {
    fn drop(&mut self) {
        LEFT.set(self.previous);
    }
}

/// The message of the error a decode over its budget fails with.
pub(crate) const OVER_BUDGET: &str = "the body would take more memory to decode than 10 bytes \
     per byte of body (plus 64 KiB): it holds too many tiny values to be Graph's";

/// Charges `bytes` to the running decode's budget; an error once it is spent. Outside a
/// budgeted decode (a type read with plain `serde_json`), nothing is counted.
pub fn charge<E: serde::de::Error>(bytes: usize) -> Result<(), E> {
    LEFT.with(|left| match left.get() {
        None => Ok(()),
        Some(available) if bytes < available => {
            left.set(Some(available - bytes));
            Ok(())
        }
        Some(_) => {
            left.set(Some(0));
            Err(E::custom(OVER_BUDGET))
        }
    })
}

/// Charges a struct of type `T` about to be read.
pub fn charge_struct<T, E: serde::de::Error>() -> Result<(), E> {
    charge(std::mem::size_of::<T>())
}

/// Charges one more element of a `Vec<T>`, twice its size: a vector grows by doubling.
pub(crate) fn charge_element<T, E: serde::de::Error>() -> Result<(), E> {
    charge(2 * std::mem::size_of::<T>())
}

/// Charges an entry about to be added to a map of `len` entries, its key `key_len` bytes long.
pub(crate) fn charge_entry<E: serde::de::Error>(len: usize, key_len: usize) -> Result<(), E> {
    let node = if len == 0 { MAP_NODE } else { 0 };
    charge(node + MAP_ENTRY + key_len)
}

/// Reads any JSON value, charging what it allocates: what the model keeps as it came.
pub(crate) struct CountedValue;

impl<'de> DeserializeSeed<'de> for CountedValue {
    type Value = Value;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(CountedVisitor)
    }
}

struct CountedVisitor;

impl<'de> Visitor<'de> for CountedVisitor {
    type Value = Value;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E: serde::de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E: serde::de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = {
            charge_element::<Value, A::Error>()?;
            seq.next_element_seed(CountedValue)?
        } {
            items.push(item);
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Value, A::Error> {
        if !*super::visit::NUMBERS_AS_MAPS {
            return read_object(map);
        }
        match super::visit::map_or_number(map)? {
            super::visit::MapOrNumber::Number(number) => Ok(Value::Number(number)),
            super::visit::MapOrNumber::Map(map) => read_object(map),
        }
    }
}

/// The object `map` holds, each entry charged.
fn read_object<'de, A: MapAccess<'de>>(mut map: A) -> Result<Value, A::Error> {
    let mut object = Map::new();
    while let Some(key) = map.next_key::<super::Key<'de>>()? {
        charge_entry::<A::Error>(object.len(), key.as_str().len())?;
        let value = map.next_value_seed(CountedValue)?;
        object.insert(key.into_string(), value);
    }
    Ok(Value::Object(object))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charges_count_only_inside_a_budget_and_stop_it_when_spent() {
        assert!(
            charge::<serde_json::Error>(usize::MAX).is_ok(),
            "no budget, no limit"
        );
        {
            let _budget = Budget::for_body(0);
            assert!(charge::<serde_json::Error>(DECODE_BASE_BYTES - 1).is_ok());
            let err = charge::<serde_json::Error>(1).unwrap_err();
            assert!(err.to_string().contains("too many tiny values"), "{err}");
            assert!(Budget::exhausted());
        }
        assert!(!Budget::exhausted());
        assert!(
            charge::<serde_json::Error>(usize::MAX).is_ok(),
            "the budget ended with its guard"
        );
    }

    #[test]
    fn a_huge_body_length_saturates() {
        let _budget = Budget::for_body(usize::MAX);
        assert!(charge::<serde_json::Error>(usize::MAX / 2).is_ok());
    }
}
