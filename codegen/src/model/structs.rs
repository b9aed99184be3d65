//! An object of the spec -> a lossless Rust struct: one public field per property, `extra` for
//! everything else, a map visitor that reads the known keys and keeps the rest (no
//! `#[serde(flatten)]`), and a writer that gives back the JSON it read.

use openapiv3::{ObjectType, ReferenceOr, Schema, SchemaKind, Type};
use proc_macro2::{Ident, TokenStream};
use quote::quote;

use super::{docs, Context, Kind};
use crate::output::Diagnostic;
use crate::{graph, names};

/// One property of the object, as the struct holds it.
struct Field {
    key: String,
    ident: Ident,
    kind: Kind,
    /// The schema's description, if it has one.
    description: Option<String>,
    /// Whether the schema lists it in `required`.
    required: bool,
}

impl Field {
    /// The field's docs: its description (else its JSON name), and a note when the schema
    /// calls it required.
    fn doc(&self) -> String {
        let mut doc = self
            .description
            .clone()
            .unwrap_or_else(|| format!("`{}`", self.key));
        if self.required {
            // Required describes what Graph usually sends; a body without it is still read.
            doc.push_str("\n\nGraph's schema calls it required; a body without it still reads, the field absent.");
        }
        doc
    }
}

/// The extension that gives a struct a `problems` field of its own: what could not be read in
/// it and below it, kept with it rather than handed to the object that holds it.
const KEEPS_PROBLEMS: &str = "x-keeps-problems";

/// The field that holds them.
const PROBLEMS_FIELD: &str = "problems";

/// Emits the struct `name` and its serde code, or says which property it cannot hold.
pub(super) fn emit(
    name: &str,
    schema: &Schema,
    context: &Context<'_>,
) -> Result<TokenStream, Diagnostic> {
    let SchemaKind::Type(Type::Object(object)) = &schema.schema_kind else {
        return Err(context
            .spec
            .error_in(name, &[], format!("{name}: not an object")));
    };
    let fields = plan(name, object, context)?;
    let keeps_problems = keeps_problems(name, schema, &fields, context)?;
    let ident = names::type_ident(name);
    let doc = docs(schema).unwrap_or_else(|| format!("The Graph type `{name}`."));
    let definition = definition(&ident, &doc, &fields, keeps_problems);
    let reader = reader(name, &ident, &fields, keeps_problems);
    let writer = writer(&ident, &fields);
    // Resources get `merge`; a batch (the structs that keep their problems) is not merged.
    let merge = (!keeps_problems).then(|| merge(&ident, &fields));
    let setters = context
        .sent
        .contains(name)
        .then(|| setters(&ident, &fields));
    Ok(quote!(#definition #reader #writer #merge #setters))
}

/// `with_<field>` for each property of a struct users build: it takes the value (a string as
/// anything that converts into one, a list from any iterator, an object unboxed), sets it and
/// returns the struct, so that calls chain from `Default::default()`.
fn setters(ident: &Ident, fields: &[Field]) -> TokenStream {
    let methods = fields.iter().map(|f| {
        let (field, key) = (&f.ident, &f.key);
        let method = names::setter_ident(&field.to_string());
        let (param, made) = match &f.kind {
            Kind::Text => (quote!(impl Into<String>), quote!(value.into())),
            Kind::Object(name) => (quote!(#name), quote!(Box::new(value))),
            Kind::List(item) => {
                let item = item.rust();
                (
                    quote!(impl IntoIterator<Item = #item>),
                    quote!(value.into_iter().collect()),
                )
            }
            Kind::EnumList(name) => (
                quote!(impl IntoIterator<Item = #name>),
                quote!(value.into_iter().collect()),
            ),
            other => (other.rust(), quote!(value)),
        };
        let first = format!("Sets `{key}`.");
        // A property without a description is documented by its name, which `first` says.
        let described = f
            .description
            .as_ref()
            .map(|doc| quote!(#[doc = ""] #[doc = #doc]));
        quote! {
            #[doc = #first]
            #described
            pub fn #method(mut self, value: #param) -> Self {
                self.#field = Some(#made);
                self
            }
        }
    });
    quote! {
        impl #ident {
            #(#methods)*
        }
    }
}

/// `merge`: the newer object's properties over this one's, each as it came (a typed value, an
/// explicit `null`, a value kept as it arrived), and the ones it does not carry left as they
/// were. What call sessions do with the partial resources of notifications: generated behind
/// the crate's `sessions` feature.
fn merge(ident: &Ident, fields: &[Field]) -> TokenStream {
    // A typed value taken; then each property `newer` kept in `extra` (one the schema does
    // not name, or a named one as it came: an explicit `null`, a spelling or a type its field
    // cannot hold) copied there, its field cleared when `newer` left it empty. One pass over
    // `newer.extra`, and no copy of a kept value that is already there.
    let takes = fields.iter().map(|f| {
        let (field, key) = (&f.ident, &f.key);
        quote! {
            if newer.#field.is_some() {
                self.#field.clone_from(&newer.#field);
                if !self.extra.is_empty() {
                    self.extra.remove(#key);
                }
            }
        }
    });
    let clears = fields.iter().map(|f| {
        let (field, key) = (&f.ident, &f.key);
        quote! {
            #key => {
                if newer.#field.is_none() {
                    self.#field = None;
                }
            }
        }
    });
    let doc = format!(
        "Takes every property `newer` carries, as it came (a value, an explicit `null`, a value \
         kept in `extra`), and keeps this `{ident}`'s others: what a partial resource in a \
         notification says of the whole one. Only what `newer` carries is copied.\n\n\
         ```\n\
         let mut kept = msgraph_calls::resources::{ident}::default();\n\
         kept.extra.insert(\"a\".into(), 1.into());\n\
         let mut newer = msgraph_calls::resources::{ident}::default();\n\
         newer.extra.insert(\"b\".into(), 2.into());\n\
         kept.merge(&newer);\n\
         assert_eq!(kept.extra.len(), 2);\n\
         ```"
    );
    // Call sessions merge notifications' partial resources; a build without them compiles
    // none of it.
    quote! {
        #[cfg(feature = "sessions")]
        #[cfg_attr(docsrs, doc(cfg(feature = "sessions")))]
        impl #ident {
            #[doc = #doc]
            pub fn merge(&mut self, newer: &#ident) {
                #(#takes)*
                for (key, value) in &newer.extra {
                    match key.as_str() {
                        #(#clears)*
                        _ => {}
                    }
                    if self.extra.get(key) != Some(value) {
                        self.extra.insert(key.clone(), value.clone());
                    }
                }
            }
        }
    }
}

/// Whether the struct keeps its problems (`x-keeps-problems: true`); its `problems` field must
/// not clash with a property's.
fn keeps_problems(
    name: &str,
    schema: &Schema,
    fields: &[Field],
    context: &Context<'_>,
) -> Result<bool, Diagnostic> {
    let refuse = |why: String| {
        context
            .spec
            .error_in(name, &[KEEPS_PROBLEMS], format!("{name}: {why}"))
    };
    match schema
        .schema_data
        .extensions
        .get(KEEPS_PROBLEMS)
        .map(|v| v.as_bool())
    {
        None => Ok(false),
        Some(Some(keeps)) => {
            if keeps {
                if let Some(field) = fields.iter().find(|f| f.ident == PROBLEMS_FIELD) {
                    return Err(refuse(format!(
                        "the property `{}` becomes the field `{PROBLEMS_FIELD}`, which `{KEEPS_PROBLEMS}` needs for itself",
                        field.key
                    )));
                }
            }
            Ok(keeps)
        }
        Some(None) => Err(refuse(format!(
            "`{KEEPS_PROBLEMS}` must be `true` or `false`"
        ))),
    }
}

/// The fields of the object, checked: every property must have a field of its own.
fn plan(name: &str, object: &ObjectType, context: &Context<'_>) -> Result<Vec<Field>, Diagnostic> {
    if let Some(missing) = object
        .required
        .iter()
        .find(|r| !object.properties.contains_key(*r))
    {
        return Err(context.spec.error_in(
            name,
            &["required"],
            format!("{name}: `{missing}` is required but not among the properties"),
        ));
    }
    let mut fields: Vec<Field> = Vec::new();
    for (key, property) in &object.properties {
        let refuse = |why: String| {
            context
                .spec
                .error_in(name, &["properties", key], format!("{name}.{key}: {why}"))
        };
        if names::snake_case(key).is_empty() {
            return Err(refuse(
                "cannot become a Rust field name: it has no letter or digit".to_owned(),
            ));
        }
        let ident = names::field_ident(key);
        if ident == graph::EXTRA_FIELD {
            return Err(refuse(format!(
                "becomes the field `{}`, which holds the properties the schema does not name",
                graph::EXTRA_FIELD
            )));
        }
        if let Some(other) = fields.iter().find(|f| f.ident == ident) {
            return Err(refuse(format!(
                "becomes the field `{ident}`, as `{}` does",
                other.key
            )));
        }
        let property = property.clone().unbox();
        let kind = context.kind(&property, name, key)?;
        if let Kind::List(item) = &kind {
            if !item.is_plain() && !matches!(**item, Kind::Object(_) | Kind::Union(_)) {
                return Err(refuse(
                    "an array of arrays of objects or enums is not supported".to_owned(),
                ));
            }
        }
        let description = match &property {
            ReferenceOr::Item(schema) => docs(schema),
            ReferenceOr::Reference { .. } => None,
        };
        fields.push(Field {
            key: key.clone(),
            ident,
            kind,
            description,
            required: object.required.contains(key),
        });
    }
    Ok(fields)
}

/// The struct, its `Debug` (secrets redacted) and `PROPERTIES`.
fn definition(ident: &Ident, doc: &str, fields: &[Field], keeps_problems: bool) -> TokenStream {
    let wire = graph::path(graph::WIRE_MODULE);
    let declared = fields.iter().map(|f| {
        let (field, doc, rust) = (&f.ident, f.doc(), f.kind.field_rust());
        quote!(#[doc = #doc] pub #field: Option<#rust>,)
    });
    let debug_fields = fields.iter().map(|f| {
        let (key, field, name) = (&f.key, &f.ident, f.ident.to_string());
        match &f.kind {
            Kind::Any => quote!(.field(#name, &#wire::RedactedField { key: #key, value: &self.#field.as_ref().map(#wire::RedactedValue) })),
            Kind::List(item) if matches!(**item, Kind::Any) => quote!(.field(#name, &#wire::RedactedField { key: #key, value: &self.#field.as_ref().map(|items| items.iter().map(#wire::RedactedValue).collect::<Vec<_>>()) })),
            // A URL's query string (a SAS `sig=`, a `?code=` key) is hidden wherever a text is.
            Kind::Text => quote!(.field(#name, &#wire::RedactedField { key: #key, value: &self.#field.as_deref().map(#wire::RedactedText) })),
            Kind::List(item) if matches!(**item, Kind::Text) => quote!(.field(#name, &#wire::RedactedField { key: #key, value: &self.#field.as_ref().map(|items| items.iter().map(|text| #wire::RedactedText(text)).collect::<Vec<_>>()) })),
            _ => quote!(.field(#name, &#wire::RedactedField { key: #key, value: &self.#field })),
        }
    });
    let keys = fields.iter().map(|f| &f.key);
    let ident_name = ident.to_string();
    let problems_field = keeps_problems.then(|| {
        quote! {
            /// What could not be read in this object or below it, each with its JSON path: the
            /// values stay in the `extra` of the object that held them.
            pub problems: Vec<#wire::Problem>,
        }
    });
    let debug_problems = keeps_problems.then(|| quote!(.field("problems", &self.problems)));
    quote! {
        #[doc = #doc]
        ///
        /// `extra` holds every property of the body that the typed fields do not hold exactly:
        /// the ones the schema does not name, and the JSON of a named one when its field cannot
        /// say it (an explicit `null`, a value spelled in another letter case, a value of the
        /// wrong JSON type). Written back, the object is the JSON it was read from.
        ///
        /// Graph adds properties: the struct is `#[non_exhaustive]`, so a new field is not a
        /// breaking change. Build one with `Default::default()` and set its fields.
        #[derive(Clone, PartialEq, Default)]
        #[non_exhaustive]
        pub struct #ident {
            #(#declared)*
            /// Properties the schema does not name, and the exact JSON of named ones where the
            /// typed field cannot hold it.
            pub extra: serde_json::Map<String, serde_json::Value>,
            #problems_field
        }

        impl std::fmt::Debug for #ident {
            /// Every field; the values of properties named like secrets (tokens, passwords,
            /// keys) are shown as `<redacted>`, in `extra` and in JSON kept as it came too.
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(#ident_name)
                    #(#debug_fields)*
                    .field("extra", &#wire::RedactedExtra(&self.extra))
                    #debug_problems
                    .finish()
            }
        }

        impl #ident {
            /// The properties the schema names, as spelled in JSON.
            pub const PROPERTIES: &'static [&'static str] = &[#(#keys),*];
        }

        impl crate::bodies::WithProperty for #ident {
            const TYPED: &'static [&'static str] = Self::PROPERTIES;
            fn extra_properties(&mut self) -> &mut serde_json::Map<String, serde_json::Value> {
                &mut self.extra
            }
        }
    }
}

/// The map visitor: `FromMap`, `ReadAny` and `Deserialize`.
fn reader(name: &str, ident: &Ident, fields: &[Field], keeps_problems: bool) -> TokenStream {
    let wire = graph::path(graph::WIRE_MODULE);
    let mut partial = Vec::new();
    let mut reads = Vec::new();
    let mut finish = Vec::new();
    for Field {
        key,
        ident: field,
        kind,
        ..
    } in fields
    {
        let rust = kind.field_rust();
        let reader = match kind {
            Kind::Enum(_) => quote!(read_enum),
            Kind::EnumList(_) => quote!(read_enum_list),
            Kind::Object(_) | Kind::Union(_) => quote!(read_object),
            Kind::List(item) if matches!(**item, Kind::Object(_) | Kind::Union(_)) => {
                quote!(read_object_list)
            }
            _ => quote!(read),
        };
        reads.push(quote!(#key => #wire::#reader(&mut map, #key, &mut out.#field, &mut out.extra, problems)?,));
        partial.push(quote!(#field: Option<#rust>,));
        finish.push(quote!(#field: out.#field,));
    }
    let preset = match fields.iter().find(|f| f.key == graph::ODATA_TYPE) {
        Some(Field { ident: field, .. }) => quote!(out.#field = odata_type;),
        None => {
            let odata = graph::ODATA_TYPE;
            quote! {
                if let Some(odata_type) = odata_type {
                    out.extra.insert(#odata.to_owned(), serde_json::Value::String(odata_type));
                }
            }
        }
    };
    // A struct that keeps its problems gathers them itself, and hands none up.
    let (parameter, gather, kept, kept_problems) = if keeps_problems {
        (
            quote!(_handed_up),
            quote!(let mut kept = Vec::new(); let problems = &mut kept;),
            quote!(problems: kept,),
            quote! {
                fn kept_problems(&mut self) -> Option<&mut Vec<#wire::Problem>> {
                    Some(&mut self.problems)
                }
            },
        )
    } else {
        (quote!(problems), quote!(), quote!(), quote!())
    };
    let expected = format!("a {name} object");
    quote! {
        impl #wire::FromMap for #ident {
            fn from_map<'de, A: serde::de::MapAccess<'de>>(
                mut map: A,
                odata_type: Option<String>,
                #parameter: &mut Vec<#wire::Problem>,
            ) -> Result<Self, A::Error> {
                #[derive(Default)]
                struct Partial {
                    #(#partial)*
                    extra: serde_json::Map<String, serde_json::Value>,
                }
                #wire::charge_struct::<Self, A::Error>()?;
                #[allow(unused_mut)]
                let mut out = Partial::default();
                #gather
                let _scope = #wire::ObjectScope::enter(problems.len());
                #preset
                while let Some(key) = map.next_key::<#wire::Key<'de>>()? {
                    match key.as_str() {
                        #(#reads)*
                        _ => #wire::read_unknown(&mut map, key, &mut out.extra)?,
                    }
                }
                Ok(#ident {
                    #(#finish)*
                    extra: out.extra,
                    #kept
                })
            }
        }

        impl #wire::ReadAny for #ident {
            const EXPECTED: &'static str = #expected;

            fn read_any<'de, D: serde::Deserializer<'de>>(
                deserializer: D,
                problems: &mut Vec<#wire::Problem>,
            ) -> Result<Result<Self, serde_json::Value>, D::Error> {
                #wire::read_struct(deserializer, problems)
            }

            #kept_problems
        }

        impl<'de> serde::Deserialize<'de> for #ident {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                #wire::deserialize_object(deserializer)
            }
        }
    }
}

/// `Serialize`: each known property from its field (or what `extra` kept), then the rest.
fn writer(ident: &Ident, fields: &[Field]) -> TokenStream {
    let wire = graph::path(graph::WIRE_MODULE);
    let writes = fields.iter().map(|f| {
        let (key, field) = (&f.key, &f.ident);
        match &f.kind {
            Kind::Enum(_) => {
                quote!(#wire::write_enum(&mut map, #key, self.#field.as_ref(), &self.extra)?)
            }
            Kind::EnumList(_) => {
                quote!(#wire::write_enum_list(&mut map, #key, &self.#field, &self.extra)?)
            }
            Kind::List(item) if matches!(**item, Kind::Object(_) | Kind::Union(_)) => {
                quote!(#wire::write_object_list(&mut map, #key, &self.#field, &self.extra)?)
            }
            _ => quote!(#wire::write(&mut map, #key, &self.#field, &self.extra)?),
        }
    });
    quote! {
        impl serde::Serialize for #ident {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                #[allow(unused_mut)]
                let mut map = serde::Serializer::serialize_map(serializer, None)?;
                #(#writes;)*
                #wire::write_extra(&mut map, &self.extra, Self::PROPERTIES)?;
                serde::ser::SerializeMap::end(map)
            }
        }
    }
}
