//! `openapi.yaml` -> `model.rs`: the notification types, generated here rather than by typify
//! because Graph's callback bodies need what typify's output does not give:
//! - enums that accept values they do not know and any letter case (`"Deleted"`), and write
//!   back the spelling they read;
//! - lossless objects: properties the schema does not name are kept in `extra`, and so is the
//!   JSON a typed field cannot hold (an explicit `null`), without `#[serde(flatten)]`, which
//!   makes serde buffer every object (CODEGEN-NOTES.md measured it at 1.5x the cost);
//! - `Edm.Int32` read as a number or a string (`crate::GraphInt32`).
//!
//! The types generated are every component reachable from `CommsNotifications`, except those
//! the crate writes by hand ([`crate::openapi::REPLACEMENTS`]). Each struct gets a map visitor
//! that matches the known keys and collects the rest; the reading and writing rules live in the
//! crate's `wire` module, where they are tested once.

use std::collections::{BTreeMap, BTreeSet};

use openapiv3::{
    IntegerFormat, OpenAPI, ReferenceOr, Schema, SchemaKind, Type, VariantOrUnknownOrEmpty,
};
use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use crate::Diagnostic;

/// The component every notification model type is reachable from.
pub const ROOT: &str = "CommsNotifications";

/// The components the model generates, in the order of the spec.
pub fn model_types(spec: &OpenAPI) -> Vec<String> {
    let schemas = components(spec);
    let replaced: BTreeSet<&str> = crate::openapi::REPLACEMENTS
        .iter()
        .map(|(name, _, _)| *name)
        .collect();
    let mut reached = BTreeSet::new();
    let mut stack = vec![ROOT.to_owned()];
    while let Some(name) = stack.pop() {
        if !reached.insert(name.clone()) {
            continue;
        }
        if let Some(schema) = schemas.get(name.as_str()) {
            let mut refs = Vec::new();
            collect_refs(schema, &mut refs);
            stack.extend(refs);
        }
    }
    schemas
        .keys()
        .filter(|name| reached.contains(**name) && !replaced.contains(**name))
        .map(|name| (*name).to_owned())
        .collect()
}

fn components(spec: &OpenAPI) -> indexmap_like::Ordered<'_> {
    indexmap_like::Ordered::new(spec)
}

/// The spec's schema components by name, keeping the spec's order.
mod indexmap_like {
    use openapiv3::{OpenAPI, Schema};

    pub struct Ordered<'a>(Vec<(&'a str, &'a Schema)>);

    impl<'a> Ordered<'a> {
        pub fn new(spec: &'a OpenAPI) -> Self {
            Ordered(
                spec.components
                    .iter()
                    .flat_map(|c| c.schemas.iter())
                    .filter_map(|(name, schema)| Some((name.as_str(), schema.as_item()?)))
                    .collect(),
            )
        }

        pub fn get(&self, name: &str) -> Option<&'a Schema> {
            self.0.iter().find(|(n, _)| *n == name).map(|(_, s)| *s)
        }

        pub fn keys(&self) -> impl Iterator<Item = &&'a str> {
            self.0.iter().map(|(n, _)| n)
        }
    }
}

fn ref_name(reference: &str) -> Option<&str> {
    reference.strip_prefix("#/components/schemas/")
}

fn collect_refs(schema: &Schema, out: &mut Vec<String>) {
    let mut visit = |item: &ReferenceOr<Schema>| match item {
        ReferenceOr::Reference { reference } => out.extend(ref_name(reference).map(str::to_owned)),
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

/// How a property is typed in Rust, and so how it is read and written.
enum Kind {
    Text,
    Bool,
    Int32,
    Number,
    Any,
    Enum(Ident),
    EnumList(Ident),
    Object(TokenStream),
    List(Box<Kind>),
}

impl Kind {
    fn rust(&self) -> TokenStream {
        match self {
            Kind::Text => quote!(String),
            Kind::Bool => quote!(bool),
            Kind::Int32 => quote!(crate::GraphInt32),
            Kind::Number => quote!(serde_json::Number),
            Kind::Any => quote!(serde_json::Value),
            Kind::Enum(name) => quote!(#name),
            Kind::EnumList(name) => quote!(Vec<#name>),
            Kind::Object(path) => path.clone(),
            Kind::List(item) => {
                let item = item.rust();
                quote!(Vec<#item>)
            }
        }
    }
}

struct Context<'a> {
    schemas: indexmap_like::Ordered<'a>,
    replaced: BTreeMap<&'static str, &'static str>,
    file: &'a str,
}

impl Context<'_> {
    fn is_enum(&self, name: &str) -> bool {
        self.schemas
            .get(name)
            .is_some_and(|s| matches!(&s.schema_kind, SchemaKind::Type(Type::String(st)) if !st.enumeration.is_empty()))
    }

    fn kind(&self, schema: &ReferenceOr<Schema>, owner: &str) -> Result<Kind, Diagnostic> {
        let schema = match schema {
            ReferenceOr::Reference { reference } => {
                let name = ref_name(reference).ok_or_else(|| {
                    Diagnostic::in_file(
                        self.file,
                        format!("{owner}: `{reference}` is not a local schema"),
                    )
                })?;
                if let Some(path) = self.replaced.get(name) {
                    let path: TokenStream = path.parse().expect("replacement paths are Rust paths");
                    return Ok(Kind::Object(path));
                }
                if name == owner {
                    return Err(Diagnostic::in_file(
                        self.file,
                        format!("{owner} refers to itself; recursive notification types are not supported"),
                    ));
                }
                let ident = format_ident!("{}", type_name(name));
                return Ok(if self.is_enum(name) {
                    Kind::Enum(ident)
                } else {
                    Kind::Object(quote!(#ident))
                });
            }
            ReferenceOr::Item(schema) => schema,
        };
        Ok(match &schema.schema_kind {
            SchemaKind::Type(Type::String(st)) if st.enumeration.is_empty() => Kind::Text,
            SchemaKind::Type(Type::Boolean(_)) => Kind::Bool,
            SchemaKind::Type(Type::Integer(int))
                if matches!(
                    int.format,
                    VariantOrUnknownOrEmpty::Item(IntegerFormat::Int32)
                ) =>
            {
                Kind::Int32
            }
            SchemaKind::Type(Type::Integer(_) | Type::Number(_)) => Kind::Number,
            SchemaKind::Type(Type::Array(array)) => match &array.items {
                Some(items) => match self.kind(&items.clone().unbox(), owner)? {
                    Kind::Enum(name) => Kind::EnumList(name),
                    item => Kind::List(Box::new(item)),
                },
                None => Kind::List(Box::new(Kind::Any)),
            },
            _ => Kind::Any,
        })
    }
}

/// Generates `model.rs`, or says which component the generator cannot handle.
pub fn generate(spec: &OpenAPI, file: &str) -> Result<TokenStream, Vec<Diagnostic>> {
    let context = Context {
        schemas: components(spec),
        replaced: crate::openapi::REPLACEMENTS
            .iter()
            .map(|(name, path, _)| (*name, *path))
            .collect(),
        file,
    };
    let mut items = Vec::new();
    let mut problems = Vec::new();
    for name in model_types(spec) {
        let Some(schema) = context.schemas.get(&name) else {
            continue;
        };
        let result = match &schema.schema_kind {
            SchemaKind::Type(Type::String(st)) if !st.enumeration.is_empty() => {
                emit_enum(&name, schema, file)
            }
            SchemaKind::Type(Type::Object(_)) => emit_struct(&name, schema, &context),
            _ => Err(Diagnostic::in_file(
                file,
                format!("{name}: a notification type must be an object or a string enum"),
            )),
        };
        match result {
            Ok(tokens) => items.push(tokens),
            Err(problem) => problems.push(problem),
        }
    }
    if problems.is_empty() {
        Ok(quote!(#(#items)*))
    } else {
        Err(problems)
    }
}

fn type_name(component: &str) -> String {
    let mut chars = component.chars();
    chars
        .next()
        .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
        .unwrap_or_default()
}

fn field_name(property: &str) -> Ident {
    let mut out = String::new();
    let mut previous_lower = false;
    for c in property.chars() {
        if c.is_ascii_uppercase() {
            if previous_lower {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
            previous_lower = false;
        } else if c.is_ascii_alphanumeric() {
            out.push(c);
            previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        } else {
            if !out.is_empty() && !out.ends_with('_') {
                out.push('_');
            }
            previous_lower = false;
        }
    }
    let out = out.trim_matches('_').to_owned();
    let out = if out.starts_with(|c: char| c.is_ascii_digit()) {
        format!("_{out}")
    } else {
        out
    };
    match out.as_str() {
        "type" | "match" | "ref" | "self" | "super" | "crate" | "mod" | "fn" | "impl" | "in"
        | "as" | "use" | "where" | "loop" | "move" | "static" | "const" | "enum" | "struct"
        | "trait" | "pub" | "mut" | "let" | "if" | "else" | "for" | "while" | "return"
        | "break" | "continue" | "true" | "false" | "async" | "await" | "dyn" | "box"
        | "extern" | "unsafe" | "override" | "priv" | "final" | "macro" | "virtual" | "yield"
        | "try" | "abstract" | "become" | "do" | "typeof" | "unsized" | "gen" => {
            format_ident!("{}_", out)
        }
        _ => format_ident!("{}", out),
    }
}

fn docs(schema: &Schema) -> Option<String> {
    schema.schema_data.description.clone()
}

fn emit_enum(name: &str, schema: &Schema, file: &str) -> Result<TokenStream, Diagnostic> {
    let SchemaKind::Type(Type::String(st)) = &schema.schema_kind else {
        unreachable!("called for string enums")
    };
    let members: Vec<&str> = st
        .enumeration
        .iter()
        .flatten()
        .map(String::as_str)
        .collect();
    let ident = format_ident!("{}", type_name(name));
    let mut variants = Vec::new();
    for member in &members {
        let variant = type_name(member);
        if variant == "Other"
            || !variant.chars().all(|c| c.is_ascii_alphanumeric())
            || variant.is_empty()
        {
            return Err(Diagnostic::in_file(
                file,
                format!("{name}: the member `{member}` cannot become a Rust variant next to `Other(String)`"),
            ));
        }
        variants.push(format_ident!("{}", variant));
    }
    let doc = docs(schema).unwrap_or_else(|| format!("The Graph enum `{name}`."));
    let member_docs = members.iter().map(|m| format!("`{m}`"));
    let lowered = members.iter().map(|m| m.to_ascii_lowercase());
    let first = members.first().copied().unwrap_or_default();
    let example = format!(
        "```\nuse msgraph_calls::notifications::{ident};\n\nassert_eq!(\"{first}\".parse::<{ident}>().unwrap().as_str(), \"{first}\");\nassert_eq!(\"{}\".parse::<{ident}>().unwrap().as_str(), \"{first}\");\nassert!(matches!(\"notYetKnown\".parse::<{ident}>().unwrap(), {ident}::Other(v) if v == \"notYetKnown\"));\n```",
        first.to_ascii_uppercase()
    );
    Ok(quote! {
        #[doc = #doc]
        ///
        /// Evolvable, as Graph's enums are: a value this crate does not know yet is kept in
        /// `Other`, and known values are recognized in any letter case.
        ///
        #[doc = #example]
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum #ident {
            #(#[doc = #member_docs] #variants,)*
            /// A value this crate does not know yet, as Graph sent it.
            Other(String),
        }

        impl crate::wire::Evolvable for #ident {
            fn parse(text: &str) -> Self {
                match text {
                    #(#members => return #ident::#variants,)*
                    _ => {}
                }
                match text.to_ascii_lowercase().as_str() {
                    #(#lowered => #ident::#variants,)*
                    _ => #ident::Other(text.to_owned()),
                }
            }

            fn as_str(&self) -> &str {
                match self {
                    #(#ident::#variants => #members,)*
                    #ident::Other(text) => text,
                }
            }
        }

        impl #ident {
            /// The value as Graph's metadata spells it; an unknown value as Graph sent it.
            pub fn as_str(&self) -> &str {
                crate::wire::Evolvable::as_str(self)
            }
        }

        impl std::str::FromStr for #ident {
            type Err = std::convert::Infallible;
            fn from_str(text: &str) -> Result<Self, Self::Err> {
                Ok(crate::wire::Evolvable::parse(text))
            }
        }

        impl std::fmt::Display for #ident {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for #ident {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for #ident {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(deserializer)?;
                Ok(crate::wire::Evolvable::parse(&text))
            }
        }
    })
}

fn emit_struct(
    name: &str,
    schema: &Schema,
    context: &Context<'_>,
) -> Result<TokenStream, Diagnostic> {
    let SchemaKind::Type(Type::Object(object)) = &schema.schema_kind else {
        unreachable!("called for objects")
    };
    let ident = format_ident!("{}", type_name(name));
    let doc = docs(schema).unwrap_or_else(|| format!("The Graph type `{name}`."));
    let mut fields = Vec::new();
    let mut reads = Vec::new();
    let mut writes = Vec::new();
    let mut slots = Vec::new();
    let mut finish = Vec::new();
    let keys: Vec<&str> = object.properties.keys().map(String::as_str).collect();
    for (key, property) in &object.properties {
        let property = property.clone().unbox();
        let kind = context.kind(&property, name)?;
        let field = field_name(key);
        let rust = kind.rust();
        let required = object.required.iter().any(|r| r == key);
        let field_doc = match &property {
            ReferenceOr::Item(schema) => docs(schema),
            ReferenceOr::Reference { .. } => None,
        }
        .unwrap_or_else(|| format!("`{key}`"));
        let (read, write) = match (&kind, required) {
            (Kind::Enum(_), false) => (
                quote!(crate::wire::read_enum(&mut map, #key, &mut out.#field, &mut out.extra)?),
                quote!(crate::wire::write_enum(&mut map, #key, self.#field.as_ref(), &self.extra)?),
            ),
            (Kind::EnumList(_), false) => (
                quote!(crate::wire::read_enum_list(&mut map, #key, &mut out.#field, &mut out.extra)?),
                quote!(crate::wire::write_enum_list(&mut map, #key, &self.#field, &self.extra)?),
            ),
            (_, false) => (
                quote!(crate::wire::read(&mut map, #key, &mut out.#field, &mut out.extra)?),
                quote!(crate::wire::write(&mut map, #key, &self.#field, &self.extra)?),
            ),
            (Kind::Enum(_), true) => (
                quote!(crate::wire::read_required_enum(&mut map, #key, &mut #field, &mut out.extra)?),
                quote!(crate::wire::write_enum(&mut map, #key, Some(&self.#field), &self.extra)?),
            ),
            (_, true) => (
                quote!(crate::wire::read_required(&mut map, &mut #field)?),
                quote!(serde::ser::SerializeMap::serialize_entry(&mut map, #key, &self.#field)?),
            ),
        };
        if required {
            fields.push(quote!(#[doc = #field_doc] pub #field: #rust,));
            slots.push(quote!(let mut #field: Option<#rust> = None;));
            finish.push(
                quote!(#field: #field.ok_or_else(|| serde::de::Error::missing_field(#key))?,),
            );
        } else {
            fields.push(quote!(#[doc = #field_doc] pub #field: Option<#rust>,));
            finish.push(quote!(#field: out.#field,));
        }
        reads.push(quote!(#key => #read,));
        writes.push(write);
    }
    let any_required = object
        .required
        .iter()
        .any(|r| object.properties.contains_key(r));
    let derive_default = (!any_required).then(|| quote!(#[derive(Default)]));
    // The fields that are not required, gathered while reading, then moved into the struct.
    let partial_fields = object
        .properties
        .iter()
        .filter(|(key, _)| !object.required.contains(key))
        .map(|(key, property)| {
            let field = field_name(key);
            let rust = context
                .kind(&property.clone().unbox(), name)
                .map(|k| k.rust())
                .unwrap_or_default();
            quote!(#field: Option<#rust>,)
        });
    let expecting = format!("a {name} object");
    let ident_name = ident.to_string();
    let debug_fields: Vec<Ident> = object
        .properties
        .keys()
        .map(|key| field_name(key))
        .collect();
    let debug_names: Vec<String> = debug_fields.iter().map(ToString::to_string).collect();
    let preset = if object.properties.contains_key("@odata.type") {
        let field = field_name("@odata.type");
        quote!(out.#field = odata_type;)
    } else {
        quote! {
            if let Some(odata_type) = odata_type {
                out.extra.insert("@odata.type".to_owned(), serde_json::Value::String(odata_type));
            }
        }
    };
    Ok(quote! {
        #[doc = #doc]
        ///
        /// `extra` holds every property of the body that the typed fields do not hold exactly:
        /// the ones the schema does not name, and the JSON of a named one when its field cannot
        /// say it (an explicit `null`, a value spelled in another letter case). Written back,
        /// the object is the JSON it was read from.
        #[derive(Clone, PartialEq)]
        #derive_default
        pub struct #ident {
            #(#fields)*
            /// Properties the schema does not name, and the exact JSON of named ones where the
            /// typed field cannot hold it.
            pub extra: serde_json::Map<String, serde_json::Value>,
        }

        impl std::fmt::Debug for #ident {
            /// Every field; in `extra`, the values of properties named like secrets (tokens,
            /// passwords, keys) are shown as `<redacted>`.
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(#ident_name)
                    #(.field(#debug_names, &self.#debug_fields))*
                    .field("extra", &crate::wire::RedactedExtra(&self.extra))
                    .finish()
            }
        }

        impl #ident {
            /// The properties the schema names, as spelled in JSON.
            pub const PROPERTIES: &'static [&'static str] = &[#(#keys),*];
        }

        impl #ident {
            /// Reads the object from `map`; `odata_type` is its `@odata.type` when the caller
            /// already read it to choose the type (`notifications::ResourceData`).
            pub(crate) fn from_map<'de, A: serde::de::MapAccess<'de>>(
                mut map: A,
                odata_type: Option<String>,
            ) -> Result<Self, A::Error> {
                #[derive(Default)]
                struct Partial {
                    #(#partial_fields)*
                    extra: serde_json::Map<String, serde_json::Value>,
                }
                #[allow(unused_mut)]
                let mut out = Partial::default();
                #(#slots)*
                #preset
                while let Some(key) = map.next_key::<crate::wire::Key<'de>>()? {
                    match key.as_str() {
                        #(#reads)*
                        _ => {
                            let value: serde_json::Value = map.next_value()?;
                            out.extra.insert(key.into_string(), value);
                        }
                    }
                }
                Ok(#ident {
                    #(#finish)*
                    extra: out.extra,
                })
            }
        }

        impl<'de> serde::Deserialize<'de> for #ident {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct Visitor;
                impl<'de> serde::de::Visitor<'de> for Visitor {
                    type Value = #ident;
                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str(#expecting)
                    }
                    fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<#ident, A::Error> {
                        #ident::from_map(map, None)
                    }
                }
                deserializer.deserialize_map(Visitor)
            }
        }

        impl serde::Serialize for #ident {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                #[allow(unused_mut)]
                let mut map = serde::Serializer::serialize_map(serializer, None)?;
                #(#writes;)*
                crate::wire::write_extra(&mut map, &self.extra, Self::PROPERTIES)?;
                serde::ser::SerializeMap::end(map)
            }
        }
    })
}
