//! `openapi.yaml` -> `model.rs`: the notification types, generated here rather than by typify
//! because Graph's callback bodies need what typify's output does not give:
//! - enums that accept values they do not know and any letter case (`"Deleted"`), and write
//!   back the spelling they read (`enums.rs`);
//! - lossless objects: properties the schema does not name are kept in `extra`, and so is the
//!   JSON a typed field cannot hold (an explicit `null`), without `#[serde(flatten)]`, which
//!   makes serde buffer every object before reading a field (`structs.rs`);
//! - `Edm.Int32` and `Edm.Int64` read as a number or a string ([`graph::INT32_TYPE`],
//!   [`graph::INT64_TYPE`]);
//! - a value of the wrong JSON type kept, with a problem naming its path, rather than failing
//!   the body (`x-keeps-problems` marks the structs that hold the problems);
//! - a `oneOf` told apart by `@odata.type`, unknown kinds kept as JSON (`resource.rs`).
//!
//! The types generated are every component reachable from [`graph::MODEL_ROOT`]. The reading
//! and writing rules live in the crate's `wire` module, where they are tested once. The structs
//! a request body also reaches (targets, identities, chat and meeting info, call options) are
//! built by users: they get one `with_` method per property.

mod enums;
mod resource;
mod structs;

use std::collections::BTreeSet;

use openapiv3::{IntegerFormat, ReferenceOr, Schema, SchemaKind, Type, VariantOrUnknownOrEmpty};
use proc_macro2::{Ident, TokenStream};
use quote::quote;

use crate::output::{render, Diagnostic, GeneratedFile};
use crate::spec::Spec;
use crate::{graph, names};

/// The components the model generates, in the order of the spec: every one reachable from
/// [`graph::MODEL_ROOT`].
pub fn model_types(spec: &Spec) -> Vec<String> {
    let reached = reachable(spec, vec![graph::MODEL_ROOT.to_owned()]);
    spec.schemas()
        .map(|(name, _)| name)
        .filter(|name| reached.contains(*name))
        .map(str::to_owned)
        .collect()
}

/// The components reachable from an operation's request body: the model types among them are
/// built by users (a call's targets, its chat and meeting info), so they get `with_` methods.
fn sent_types(spec: &Spec) -> BTreeSet<String> {
    let mut roots = Vec::new();
    let operations = spec
        .doc
        .paths
        .iter()
        .filter_map(|(_, item)| item.as_item())
        .flat_map(|item| item.iter().map(|(_, operation)| operation));
    let shared_bodies = spec.doc.components.as_ref().map(|c| &c.request_bodies);
    for operation in operations {
        // A body is declared in place or named from `components.requestBodies`.
        let body = match operation.request_body.as_ref() {
            Some(ReferenceOr::Item(body)) => Some(body),
            Some(ReferenceOr::Reference { reference }) => reference
                .strip_prefix("#/components/requestBodies/")
                .and_then(|name| shared_bodies?.get(name)?.as_item()),
            None => None,
        };
        let Some(body) = body else {
            continue;
        };
        for schema in body.content.values().filter_map(|m| m.schema.as_ref()) {
            match schema {
                ReferenceOr::Reference { reference } => {
                    roots.extend(names::component_of(reference).map(str::to_owned))
                }
                ReferenceOr::Item(inline) => collect_refs(inline, &mut roots),
            }
        }
    }
    reachable(spec, roots)
}

/// Every component `roots` names or reaches through references, the roots included.
fn reachable(spec: &Spec, mut stack: Vec<String>) -> BTreeSet<String> {
    let mut reached = BTreeSet::new();
    while let Some(name) = stack.pop() {
        if !reached.insert(name.clone()) {
            continue;
        }
        if let Some(schema) = spec.schema(&name) {
            let mut refs = Vec::new();
            collect_refs(schema, &mut refs);
            stack.extend(refs);
        }
    }
    reached
}

fn collect_refs(schema: &Schema, out: &mut Vec<String>) {
    let mut visit = |item: &ReferenceOr<Schema>| match item {
        ReferenceOr::Reference { reference } => {
            out.extend(names::component_of(reference).map(str::to_owned))
        }
        ReferenceOr::Item(inner) => collect_refs(inner, out),
    };
    match &schema.schema_kind {
        SchemaKind::Type(Type::Object(object)) => {
            for property in object.properties.values() {
                visit(&property.clone().unbox());
            }
        }
        SchemaKind::Type(Type::Array(array)) => {
            if let Some(items) = &array.items {
                visit(&items.clone().unbox());
            }
        }
        SchemaKind::OneOf { one_of: parts }
        | SchemaKind::AnyOf { any_of: parts }
        | SchemaKind::AllOf { all_of: parts } => parts.iter().for_each(&mut visit),
        _ => {}
    }
}

/// Generates `model.rs`, or says, with its line, each component the generator cannot handle.
pub fn generate(spec: &Spec) -> Result<GeneratedFile, Vec<Diagnostic>> {
    let context = Context {
        spec,
        sent: sent_types(spec),
    };
    if spec.schema(graph::MODEL_ROOT).is_none() {
        return Err(vec![spec.error_at(
            &["components", "schemas"],
            format!(
                "no component `{}`: the notification model starts from it",
                graph::MODEL_ROOT
            ),
        )]);
    }
    let types = model_types(spec);
    let names_problems = check_type_names(spec, &types);
    if !names_problems.is_empty() {
        return Err(names_problems);
    }
    let mut items = Vec::new();
    let mut problems = Vec::new();
    for name in types {
        let Some(schema) = spec.schema(&name) else {
            continue;
        };
        let result = match &schema.schema_kind {
            SchemaKind::Type(Type::String(st)) if !st.enumeration.is_empty() => {
                enums::emit(&name, schema, &context)
            }
            SchemaKind::Type(Type::Object(_)) => structs::emit(&name, schema, &context),
            SchemaKind::OneOf { .. } => resource::emit(&name, schema, &context),
            _ => Err(spec.error_in(
                &name,
                &[],
                format!("{name}: a notification type must be an object, a string enum or a `oneOf` of objects"),
            )),
        };
        match result {
            Ok(tokens) => items.push(tokens),
            Err(problem) => problems.push(problem),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let contents = render(quote!(#(#items)*), &spec.file).map_err(|d| vec![d])?;
    Ok(GeneratedFile {
        name: "model.rs",
        contents,
    })
}

/// Every model component must become a Rust type name of its own, before anything refers to it.
fn check_type_names(spec: &Spec, types: &[String]) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    let mut seen: Vec<(&str, String)> = Vec::new();
    for name in types {
        let rust = names::pascal_case(name);
        let refuse = |why: String| spec.error_in(name, &[], format!("{name}: {why}"));
        if !names::is_rust_type_name(&rust) {
            problems.push(refuse(
                "cannot become a Rust type name: it needs a letter first, and letters or digits"
                    .to_owned(),
            ));
        } else if names::RESERVED_TYPE_NAMES.contains(&rust.as_str()) {
            problems.push(refuse(format!(
                "would become `{rust}`, a name the generated code uses for Rust's own type"
            )));
        } else if let Some((other, _)) = seen.iter().find(|(_, r)| *r == rust) {
            problems.push(refuse(format!(
                "becomes the type `{rust}`, as `{other}` does"
            )));
        } else {
            seen.push((name, rust));
        }
    }
    problems
}

/// How a property is typed in Rust, and so how it is read and written.
enum Kind {
    Text,
    Bool,
    Int32,
    Int64,
    Number,
    Any,
    Enum(Ident),
    EnumList(Ident),
    /// A struct component (boxed in a field).
    Object(Ident),
    /// A `oneOf` component: an enum of boxes already, not boxed again.
    Union(Ident),
    List(Box<Kind>),
}

impl Kind {
    /// Whether the kind is read as plain JSON (`wire::FromJson`): no object or enum in it.
    fn is_plain(&self) -> bool {
        match self {
            Kind::Text | Kind::Bool | Kind::Int32 | Kind::Int64 | Kind::Number | Kind::Any => true,
            Kind::List(item) => item.is_plain(),
            Kind::Enum(_) | Kind::EnumList(_) | Kind::Object(_) | Kind::Union(_) => false,
        }
    }

    /// The type of a struct field of this kind: an object is boxed, so that a struct with many
    /// nested objects Graph seldom sends stays small (a missing one costs a pointer).
    fn field_rust(&self) -> TokenStream {
        match self {
            Kind::Object(name) => quote!(Box<#name>),
            other => other.rust(),
        }
    }

    fn rust(&self) -> TokenStream {
        match self {
            Kind::Text => quote!(String),
            Kind::Bool => quote!(bool),
            Kind::Int32 => graph::path(graph::INT32_TYPE),
            Kind::Int64 => graph::path(graph::INT64_TYPE),
            Kind::Number => quote!(serde_json::Number),
            Kind::Any => quote!(serde_json::Value),
            Kind::Enum(name) | Kind::Object(name) | Kind::Union(name) => quote!(#name),
            Kind::EnumList(name) => quote!(Vec<#name>),
            Kind::List(item) => {
                let item = item.rust();
                quote!(Vec<#item>)
            }
        }
    }
}

/// What the emitters share: the spec, to resolve references and point at lines, and the
/// components a request body reaches (whose structs get `with_` methods).
struct Context<'a> {
    spec: &'a Spec,
    sent: BTreeSet<String>,
}

impl Context<'_> {
    fn is_union(&self, name: &str) -> bool {
        self.spec
            .schema(name)
            .is_some_and(|s| matches!(&s.schema_kind, SchemaKind::OneOf { .. }))
    }

    fn is_enum(&self, name: &str) -> bool {
        self.spec.schema(name).is_some_and(|s| {
            matches!(&s.schema_kind, SchemaKind::Type(Type::String(st)) if !st.enumeration.is_empty())
        })
    }

    /// The Rust kind of the property `key` of `owner`.
    fn kind(
        &self,
        schema: &ReferenceOr<Schema>,
        owner: &str,
        key: &str,
    ) -> Result<Kind, Diagnostic> {
        let schema = match schema {
            ReferenceOr::Reference { reference } => {
                let here = ["properties", key];
                let name = names::component_of(reference).ok_or_else(|| {
                    self.spec.error_in(
                        owner,
                        &here,
                        format!("{owner}.{key}: `{reference}` is not a local schema (`#/components/schemas/<name>`)"),
                    )
                })?;
                if name == owner {
                    return Err(self.spec.error_in(
                        owner,
                        &here,
                        format!("{owner}.{key} refers to {owner} itself; recursive notification types are not supported"),
                    ));
                }
                let ident = names::type_ident(name);
                return Ok(if self.is_enum(name) {
                    Kind::Enum(ident)
                } else if self.is_union(name) {
                    Kind::Union(ident)
                } else {
                    Kind::Object(ident)
                });
            }
            ReferenceOr::Item(schema) => schema,
        };
        Ok(match &schema.schema_kind {
            SchemaKind::Type(Type::String(st)) if st.enumeration.is_empty() => Kind::Text,
            SchemaKind::Type(Type::String(_)) => {
                return Err(self.spec.error_in(
                    owner,
                    &["properties", key],
                    format!("{owner}.{key}: an enum must be a component of its own, referred to with `$ref`, so that it is evolvable"),
                ))
            }
            SchemaKind::Type(Type::Boolean(_)) => Kind::Bool,
            SchemaKind::Type(Type::Integer(int))
                if matches!(
                    int.format,
                    VariantOrUnknownOrEmpty::Item(IntegerFormat::Int32)
                ) =>
            {
                Kind::Int32
            }
            SchemaKind::Type(Type::Integer(int))
                if matches!(
                    int.format,
                    VariantOrUnknownOrEmpty::Item(IntegerFormat::Int64)
                ) =>
            {
                Kind::Int64
            }
            SchemaKind::Type(Type::Integer(_) | Type::Number(_)) => Kind::Number,
            SchemaKind::Type(Type::Array(array)) => match &array.items {
                Some(items) => match self.kind(&items.clone().unbox(), owner, key)? {
                    Kind::Enum(name) => Kind::EnumList(name),
                    item => Kind::List(Box::new(item)),
                },
                None => Kind::List(Box::new(Kind::Any)),
            },
            _ => Kind::Any,
        })
    }
}

fn docs(schema: &Schema) -> Option<String> {
    schema.schema_data.description.clone()
}
