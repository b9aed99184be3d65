//! An object of the spec -> a lossless Rust struct: one public field per property, `extra` for
//! everything else, a map visitor that reads the known keys and keeps the rest (no
//! `#[serde(flatten)]`), and a writer that gives back the JSON it read.

use openapiv3::{ObjectType, ReferenceOr, Schema, SchemaKind, Type};
use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::{docs, Context, Kind};
use crate::output::Diagnostic;
use crate::{graph, names};

/// One property of the object, as the struct holds it.
struct Field {
    key: String,
    ident: Ident,
    kind: Kind,
    required: bool,
    doc: String,
}

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
    let ident = names::type_ident(name);
    let doc = docs(schema).unwrap_or_else(|| format!("The Graph type `{name}`."));
    let definition = definition(&ident, &doc, &fields);
    let reader = reader(name, &ident, &fields);
    let writer = writer(&ident, &fields);
    Ok(quote!(#definition #reader #writer))
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
        let doc = match &property {
            ReferenceOr::Item(schema) => docs(schema),
            ReferenceOr::Reference { .. } => None,
        }
        .unwrap_or_else(|| format!("`{key}`"));
        fields.push(Field {
            key: key.clone(),
            ident,
            kind,
            required: object.required.contains(key),
            doc,
        });
    }
    Ok(fields)
}

/// The struct, its `Debug` (secrets in `extra` redacted) and `PROPERTIES`.
fn definition(ident: &Ident, doc: &str, fields: &[Field]) -> TokenStream {
    let wire = graph::path(graph::WIRE_MODULE);
    let declared = fields.iter().map(|f| {
        let (field, doc, rust) = (&f.ident, &f.doc, f.kind.rust());
        if f.required {
            quote!(#[doc = #doc] pub #field: #rust,)
        } else {
            quote!(#[doc = #doc] pub #field: Option<#rust>,)
        }
    });
    let derive_default = (!fields.iter().any(|f| f.required)).then(|| quote!(#[derive(Default)]));
    let debug_fields = fields.iter().map(|f| &f.ident);
    let debug_names = fields.iter().map(|f| f.ident.to_string());
    let keys = fields.iter().map(|f| &f.key);
    let ident_name = ident.to_string();
    quote! {
        #[doc = #doc]
        ///
        /// `extra` holds every property of the body that the typed fields do not hold exactly:
        /// the ones the schema does not name, and the JSON of a named one when its field cannot
        /// say it (an explicit `null`, a value spelled in another letter case). Written back,
        /// the object is the JSON it was read from.
        #[derive(Clone, PartialEq)]
        #derive_default
        pub struct #ident {
            #(#declared)*
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
                    .field("extra", &#wire::RedactedExtra(&self.extra))
                    .finish()
            }
        }

        impl #ident {
            /// The properties the schema names, as spelled in JSON.
            pub const PROPERTIES: &'static [&'static str] = &[#(#keys),*];
        }
    }
}

/// The map visitor: `FromMap` and `Deserialize`.
fn reader(name: &str, ident: &Ident, fields: &[Field]) -> TokenStream {
    let wire = graph::path(graph::WIRE_MODULE);
    let mut partial = Vec::new();
    let mut slots = Vec::new();
    let mut reads = Vec::new();
    let mut finish = Vec::new();
    for Field {
        key,
        ident: field,
        kind,
        required,
        ..
    } in fields
    {
        let rust = kind.rust();
        // A required field is gathered in a local of its own, named apart from the reader's.
        let slot = format_ident!("required_{}", field);
        let read = match (kind, required) {
            (Kind::Enum(_), false) => {
                quote!(#wire::read_enum(&mut map, #key, &mut out.#field, &mut out.extra)?)
            }
            (Kind::EnumList(_), false) => {
                quote!(#wire::read_enum_list(&mut map, #key, &mut out.#field, &mut out.extra)?)
            }
            (_, false) => quote!(#wire::read(&mut map, #key, &mut out.#field, &mut out.extra)?),
            (Kind::Enum(_), true) => {
                quote!(#wire::read_required_enum(&mut map, #key, &mut #slot, &mut out.extra)?)
            }
            (_, true) => quote!(#wire::read_required(&mut map, &mut #slot)?),
        };
        reads.push(quote!(#key => #read,));
        if *required {
            slots.push(quote!(let mut #slot: Option<#rust> = None;));
            finish
                .push(quote!(#field: #slot.ok_or_else(|| serde::de::Error::missing_field(#key))?,));
        } else {
            partial.push(quote!(#field: Option<#rust>,));
            finish.push(quote!(#field: out.#field,));
        }
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
    let expecting = format!("a {name} object");
    quote! {
        impl #wire::FromMap for #ident {
            const EXPECTING: &'static str = #expecting;

            fn from_map<'de, A: serde::de::MapAccess<'de>>(
                mut map: A,
                odata_type: Option<String>,
            ) -> Result<Self, A::Error> {
                #[derive(Default)]
                struct Partial {
                    #(#partial)*
                    extra: serde_json::Map<String, serde_json::Value>,
                }
                #[allow(unused_mut)]
                let mut out = Partial::default();
                #(#slots)*
                #preset
                while let Some(key) = map.next_key::<#wire::Key<'de>>()? {
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
        match (&f.kind, f.required) {
            (Kind::Enum(_), false) => {
                quote!(#wire::write_enum(&mut map, #key, self.#field.as_ref(), &self.extra)?)
            }
            (Kind::EnumList(_), false) => {
                quote!(#wire::write_enum_list(&mut map, #key, &self.#field, &self.extra)?)
            }
            (_, false) => quote!(#wire::write(&mut map, #key, &self.#field, &self.extra)?),
            (Kind::Enum(_), true) => {
                quote!(#wire::write_enum(&mut map, #key, Some(&self.#field), &self.extra)?)
            }
            (_, true) => {
                quote!(serde::ser::SerializeMap::serialize_entry(&mut map, #key, &self.#field)?)
            }
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
