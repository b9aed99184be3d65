//! Reading a generated model struct from JSON, tolerant of what Graph's schema does not
//! promise: a value of the wrong JSON type is kept in `extra` with a [`Problem`] naming its
//! path, never an error. Errors come only from a body that is not JSON. This file reads
//! objects, unions and arrays of them; `scalar.rs` the plain properties.

use std::cell::Cell;
use std::marker::PhantomData;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess};
use serde_json::{Map, Value};

use super::budget::{charge, charge_element, charge_entry};
use super::problem::{describe, Problem, PROBLEM_COST, SEGMENT_COST};
use super::visit::{OnJson, Visit};

/// Adds `problem` to `problems`, charging it to the decode's budget.
fn add_problem<E: serde::de::Error>(
    problems: &mut Vec<Problem>,
    problem: Problem,
) -> Result<(), E> {
    charge(PROBLEM_COST)?;
    problems.push(problem);
    Ok(())
}

/// A generated model struct, read field by field from a JSON object by its map visitor.
pub trait FromMap: Sized {
    /// Reads the object from `map`; `odata_type` is its `@odata.type` when the caller already
    /// read it to choose the type (`notifications::ResourceData`). What a field cannot hold is
    /// kept in `extra` and listed in `problems`, with its path from this object.
    fn from_map<'de, A: MapAccess<'de>>(
        map: A,
        odata_type: Option<String>,
        problems: &mut Vec<Problem>,
    ) -> Result<Self, A::Error>;
}

/// A generated type (struct or union) read from any JSON value: the value, or, when the JSON
/// cannot be one (an object expected, a string found), that JSON given back.
pub trait ReadAny: Sized {
    /// What the type is, for a problem's reason (`"a Call object"`).
    const EXPECTED: &'static str;

    /// Reads `deserializer`'s value. Problems below the value go to `problems`, with their
    /// path from the value.
    fn read_any<'de, D: Deserializer<'de>>(
        deserializer: D,
        problems: &mut Vec<Problem>,
    ) -> Result<Result<Self, Value>, D::Error>;

    /// The problems the value keeps itself: those of a type with `x-keeps-problems`, which
    /// its reader does not hand up.
    fn kept_problems(&mut self) -> Option<&mut Vec<Problem>> {
        None
    }
}

/// A boxed object field (the model boxes nested objects) reads as its object.
impl<T: ReadAny> ReadAny for Box<T> {
    const EXPECTED: &'static str = T::EXPECTED;

    fn read_any<'de, D: Deserializer<'de>>(
        deserializer: D,
        problems: &mut Vec<Problem>,
    ) -> Result<Result<Self, Value>, D::Error> {
        Ok(T::read_any(deserializer, problems)?.map(Box::new))
    }

    fn kept_problems(&mut self) -> Option<&mut Vec<Problem>> {
        (**self).kept_problems()
    }
}

/// Reads an object as `T` with [`FromMap`]; any other JSON is given back.
struct AsStruct<'p, T> {
    problems: &'p mut Vec<Problem>,
    marker: PhantomData<T>,
}

impl<'de, T: FromMap> OnJson<'de> for AsStruct<'_, T> {
    type Out = Result<T, Value>;
    fn expecting(&self) -> &'static str {
        "an object"
    }
    fn value<E: serde::de::Error>(self, value: Value) -> Result<Self::Out, E> {
        Ok(Err(value))
    }
    fn map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Out, A::Error> {
        T::from_map(map, None, self.problems).map(Ok)
    }
}

/// [`ReadAny::read_any`] for a generated struct: the body of every struct's `read_any`.
pub fn read_struct<'de, D: Deserializer<'de>, T: FromMap>(
    deserializer: D,
    problems: &mut Vec<Problem>,
) -> Result<Result<T, Value>, D::Error> {
    deserializer.deserialize_any(Visit(AsStruct {
        problems,
        marker: PhantomData,
    }))
}

/// `Deserialize` for a [`FromMap`] type: the body of every generated struct's `deserialize`.
/// Problems below the object are kept in `extra` as always, and not listed; JSON other than
/// an object is an error.
pub fn deserialize_object<'de, D: Deserializer<'de>, T: FromMap + ReadAny>(
    deserializer: D,
) -> Result<T, D::Error> {
    let mut problems = Vec::new();
    match read_struct::<D, T>(deserializer, &mut problems)? {
        Ok(object) => Ok(object),
        Err(value) => Err(serde::de::Error::custom(format_args!(
            "expected {}, found {}",
            <T as ReadAny>::EXPECTED,
            describe(&value)
        ))),
    }
}

/// A seed reading one `T` with the problems passed along.
struct AnySeed<'p, T> {
    problems: &'p mut Vec<Problem>,
    marker: PhantomData<T>,
}

impl<'de, T: ReadAny> DeserializeSeed<'de> for AnySeed<'_, T> {
    type Value = Result<T, Value>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        T::read_any(deserializer, self.problems)
    }
}

/// Reads the next value of `map` as `T`, the problems passed along.
pub(crate) fn next_any<'de, A: MapAccess<'de>, T: ReadAny>(
    map: &mut A,
    problems: &mut Vec<Problem>,
) -> Result<Result<T, Value>, A::Error> {
    map.next_value_seed(AnySeed {
        problems,
        marker: PhantomData,
    })
}

/// Reads the next element of `seq` as `T`, the problems passed along.
pub(crate) fn next_element_any<'de, A: SeqAccess<'de>, T: ReadAny>(
    seq: &mut A,
    problems: &mut Vec<Problem>,
) -> Result<Option<Result<T, Value>>, A::Error> {
    seq.next_element_seed(AnySeed {
        problems,
        marker: PhantomData,
    })
}

/// Puts the problems of a value just read (those from `start` on, and those it keeps itself)
/// under the segment `under` adds, charging each longer path to the decode's budget.
pub(crate) fn place_problems<T: ReadAny, E: serde::de::Error>(
    problems: &mut [Problem],
    start: usize,
    value: &mut T,
    under: impl Fn(&mut Problem),
) -> Result<(), E> {
    place(&mut problems[start..], &under)?;
    if let Some(kept) = value.kept_problems() {
        place(kept, &under)?;
    }
    Ok(())
}

/// Adds a segment to each of `problems`, charging it.
pub(crate) fn place<E: serde::de::Error>(
    problems: &mut [Problem],
    under: &impl Fn(&mut Problem),
) -> Result<(), E> {
    for problem in problems {
        charge(SEGMENT_COST)?;
        under(problem);
    }
    Ok(())
}

/// Keeps `value`, which the field of `key` cannot hold, in `extra`, and says so in `problems`
/// (an explicit `null` is kept without a problem: it is absent, as Graph means it).
pub(super) fn keep<E: serde::de::Error>(
    key: &'static str,
    value: Value,
    expected: &str,
    extra: &mut Map<String, Value>,
    problems: &mut Vec<Problem>,
) -> Result<(), E> {
    if !value.is_null() {
        add_problem(
            problems,
            Problem::at_key(
                key,
                format!("expected {expected}, found {}", describe(&value)),
            ),
        )?;
    }
    charge_entry(extra.len(), key.len())?;
    extra.insert(key.to_owned(), value);
    Ok(())
}

/// A value the field holds: what `extra` kept for an earlier occurrence of the key goes.
pub(super) fn forget(key: &str, extra: &mut Map<String, Value>) {
    if !extra.is_empty() {
        extra.remove(key);
    }
}

thread_local! {
    /// Where the problems of the object being read start in the problem list: what came before
    /// is its parents' and earlier siblings'.
    static OBJECT_START: Cell<usize> = const { Cell::new(0) };
}

/// The object being read, while it is: its problems start at the list's length when it began.
/// Every generated `from_map` holds one; dropping it (at the end, or on an error) gives the
/// parent its own start back.
pub struct ObjectScope(usize);

impl ObjectScope {
    /// Marks the start of an object's problems: `problems_len`, the list's length now.
    pub fn enter(problems_len: usize) -> ObjectScope {
        ObjectScope(OBJECT_START.with(|start| start.replace(problems_len)))
    }
}

impl Drop for ObjectScope {
    fn drop(&mut self) {
        OBJECT_START.with(|start| start.set(self.0));
    }
}

/// Before a named property is read (again: a key given twice in one object, `present` when
/// its field holds the earlier value), drops what the earlier occurrence left: the JSON kept
/// in `extra`, and every problem of this object at or below the key (a wrongly typed value, a
/// nested object's or a list element's problem), so that only the later value is reported.
pub(super) fn drop_earlier(
    key: &str,
    present: bool,
    extra: &mut Map<String, Value>,
    problems: &mut Vec<Problem>,
) {
    let kept = !extra.is_empty() && extra.remove(key).is_some();
    if !present && !kept {
        return;
    }
    let start = OBJECT_START.with(Cell::get).min(problems.len());
    let mut index = start;
    problems.retain(|problem| {
        let earlier_own = index >= start && problem.ends_at_key(key);
        index += 1;
        !earlier_own
    });
}

/// Reads an object or union property; JSON that cannot be one is kept in `extra`.
pub fn read_object<'de, A: MapAccess<'de>, T: ReadAny>(
    map: &mut A,
    key: &'static str,
    field: &mut Option<T>,
    extra: &mut Map<String, Value>,
    problems: &mut Vec<Problem>,
) -> Result<(), A::Error> {
    drop_earlier(key, field.is_some(), extra, problems);
    let start = problems.len();
    match next_any::<A, T>(map, problems)? {
        Ok(mut value) => {
            place_problems::<T, A::Error>(problems, start, &mut value, |p| p.under_key(key))?;
            *field = Some(value);
            forget(key, extra);
        }
        Err(value) => {
            *field = None;
            keep::<A::Error>(key, value, T::EXPECTED, extra, problems)?;
        }
    }
    Ok(())
}

/// An array of objects as read: the objects, and, when some elements were not objects, the
/// array's layout (`{}` where an object was read, the other elements as they came).
struct ObjectList<T> {
    items: Vec<T>,
    layout: Option<Vec<Value>>,
}

struct AsObjectList<'p, T> {
    problems: &'p mut Vec<Problem>,
    marker: PhantomData<T>,
}

impl<'de, T: ReadAny> OnJson<'de> for AsObjectList<'_, T> {
    type Out = Result<ObjectList<T>, Value>;
    fn value<E: serde::de::Error>(self, value: Value) -> Result<Self::Out, E> {
        Ok(Err(value))
    }
    fn seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Out, A::Error> {
        let mut items = Vec::new();
        let mut layout: Option<Vec<Value>> = None;
        let mut index = 0;
        loop {
            let start = self.problems.len();
            let Some(item) = next_element_any::<A, T>(&mut seq, self.problems)? else {
                break;
            };
            charge_element::<T, A::Error>()?;
            match item {
                Ok(mut value) => {
                    place_problems::<T, A::Error>(self.problems, start, &mut value, |p| {
                        p.under_index(index)
                    })?;
                    items.push(value);
                    if let Some(layout) = &mut layout {
                        layout.push(Value::Object(Map::new()));
                    }
                }
                Err(value) => {
                    add_problem::<A::Error>(
                        self.problems,
                        Problem::at_index(
                            index,
                            format!("expected {}, found {}", T::EXPECTED, describe(&value)),
                        ),
                    )?;
                    if layout.is_none() {
                        for _ in 0..=items.len() {
                            charge_element::<Value, A::Error>()?;
                        }
                    } else {
                        charge_element::<Value, A::Error>()?;
                    }
                    layout
                        .get_or_insert_with(|| vec![Value::Object(Map::new()); items.len()])
                        .push(value);
                }
            }
            index += 1;
        }
        Ok(Ok(ObjectList { items, layout }))
    }
}

/// Reads an array of objects. An element that is not an object is kept, in its place, in
/// `extra` (where the objects read stand as `{}`), with a problem naming its index; the
/// others are read. JSON other than an array is kept in `extra`.
pub fn read_object_list<'de, A: MapAccess<'de>, T: ReadAny>(
    map: &mut A,
    key: &'static str,
    field: &mut Option<Vec<T>>,
    extra: &mut Map<String, Value>,
    problems: &mut Vec<Problem>,
) -> Result<(), A::Error> {
    drop_earlier(key, field.is_some(), extra, problems);
    let start = problems.len();
    let read = map.next_value_seed(ListSeed::<T> {
        problems,
        marker: PhantomData,
    })?;
    match read {
        Ok(ObjectList { mut items, layout }) => {
            place::<A::Error>(&mut problems[start..], &|p| p.under_key(key))?;
            for item in &mut items {
                if let Some(kept) = item.kept_problems() {
                    place::<A::Error>(kept, &|p| p.under_key(key))?;
                }
            }
            *field = Some(items);
            match layout {
                Some(layout) => {
                    charge_entry::<A::Error>(extra.len(), key.len())?;
                    extra.insert(key.to_owned(), Value::Array(layout));
                }
                None => forget(key, extra),
            }
        }
        Err(value) => {
            *field = None;
            keep::<A::Error>(key, value, "an array", extra, problems)?;
        }
    }
    Ok(())
}

struct ListSeed<'p, T> {
    problems: &'p mut Vec<Problem>,
    marker: PhantomData<T>,
}

impl<'de, T: ReadAny> DeserializeSeed<'de> for ListSeed<'_, T> {
    type Value = Result<ObjectList<T>, Value>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(Visit(AsObjectList {
            problems: self.problems,
            marker: PhantomData,
        }))
    }
}

/// Reads a struct from JSON already buffered, the problems passed along: what a union calls
/// when `@odata.type` was not an object's first property.
///
/// The value is read again from its text, as a body is: with one kind of reader, each
/// struct's reader is compiled once (reading the `Value` itself would compile every reader of
/// the model a second time, for the `Value`'s deserializer, for a path Graph rarely takes).
/// Nothing changes on the way: serde_json writes a float's shortest text and, with its
/// `float_roundtrip` feature (turned on in Cargo.toml for this), reads it back to the same
/// float.
pub fn struct_from_value<T: FromMap>(
    value: Value,
    problems: &mut Vec<Problem>,
) -> Result<Result<T, Value>, serde_json::Error> {
    let text = serde_json::to_vec(&value)?;
    drop(value);
    let mut json = serde_json::Deserializer::from_slice(&text);
    read_struct(&mut json, problems)
}
