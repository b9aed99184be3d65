//! A `oneOf` of the spec with a `discriminator` on `@odata.type` -> an enum of the entities it
//! names, plus `Many` (an array of them, when the `oneOf` has an array member) and `Other`
//! (anything else, kept as JSON). `ResourceData`, the changed resource of a notification, is
//! the one the spec has today.
//!
//! ```yaml
//! ResourceData:
//!   oneOf:
//!     - $ref: "#/components/schemas/Call"
//!     - $ref: "#/components/schemas/CommsOperation"
//!     - {type: array, items: {$ref: "#/components/schemas/Participant"}}
//!   discriminator:
//!     propertyName: "@odata.type"
//!     mapping:                        # the first key that matches wins; `*` is any name
//!       "#microsoft.graph.call": "#/components/schemas/Call"
//!       "#microsoft.graph.*Operation": "#/components/schemas/CommsOperation"
//!   x-rust-variants: {CommsOperation: Operation}   # the variant's name, when not the type's
//! ```

use openapiv3::{ReferenceOr, Schema, SchemaKind, Type};
use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::{docs, Context};
use crate::output::Diagnostic;
use crate::{graph, names};

/// The names the enum keeps for itself.
const MANY: &str = "Many";

/// One entity kind of the `oneOf`.
struct Member {
    component: String,
    variant: Ident,
    patterns: Vec<String>,
}

/// Emits the enum `name`, or says what in its `oneOf` or `discriminator` it cannot use.
pub(super) fn emit(
    name: &str,
    schema: &Schema,
    context: &Context<'_>,
) -> Result<TokenStream, Diagnostic> {
    let SchemaKind::OneOf { one_of } = &schema.schema_kind else {
        return Err(context
            .spec
            .error_in(name, &[], format!("{name}: not a `oneOf`")));
    };
    let refuse =
        |keys: &[&str], why: String| context.spec.error_in(name, keys, format!("{name}: {why}"));
    let (mut members, has_array) = members(name, one_of, context)?;
    if members.is_empty() {
        return Err(refuse(
            &["oneOf"],
            "a `oneOf` needs at least one `$ref` member to tell apart".to_owned(),
        ));
    }
    let discriminator = schema.schema_data.discriminator.as_ref().ok_or_else(|| {
        refuse(
            &["oneOf"],
            format!(
                "a `oneOf` needs a `discriminator` on `{}` to tell its members apart",
                graph::ODATA_TYPE
            ),
        )
    })?;
    if discriminator.property_name != graph::ODATA_TYPE {
        return Err(refuse(
            &["discriminator", "propertyName"],
            format!(
                "the discriminator must be `{}`, not `{}`",
                graph::ODATA_TYPE,
                discriminator.property_name
            ),
        ));
    }
    for (pattern, target) in &discriminator.mapping {
        let member = names::component_of(target)
            .and_then(|component| members.iter_mut().find(|m| m.component == component))
            .ok_or_else(|| {
                refuse(
                    &["discriminator", "mapping", pattern],
                    format!("the mapping of `{pattern}` names `{target}`, which is not a `$ref` member of the `oneOf`"),
                )
            })?;
        if pattern.matches('*').count() > 1 || pattern.trim().is_empty() {
            return Err(refuse(
                &["discriminator", "mapping", pattern],
                format!("the mapping key `{pattern}` may hold at most one `*`, and not be empty"),
            ));
        }
        member.patterns.push(pattern.clone());
    }
    if let Some(unmapped) = members.iter().find(|m| m.patterns.is_empty()) {
        return Err(refuse(
            &["discriminator", "mapping"],
            format!(
                "no `@odata.type` in the discriminator's mapping chooses `{}`",
                unmapped.component
            ),
        ));
    }
    rename_variants(name, schema, &mut members, context)?;

    let ident = names::type_ident(name);
    let doc = docs(schema).unwrap_or_else(|| format!("The Graph union `{name}`."));
    Ok(emit_enum(&ident, &doc, &members, has_array, discriminator))
}

/// The `$ref` members of the `oneOf`, and whether it has an array member.
fn members(
    name: &str,
    one_of: &[ReferenceOr<Schema>],
    context: &Context<'_>,
) -> Result<(Vec<Member>, bool), Diagnostic> {
    let refuse = |why: String| {
        context
            .spec
            .error_in(name, &["oneOf"], format!("{name}: {why}"))
    };
    let mut members = Vec::new();
    let mut has_array = false;
    for part in one_of {
        match part {
            ReferenceOr::Reference { reference } => {
                let component = names::component_of(reference)
                    .filter(|c| {
                        context.spec.schema(c).is_some_and(|s| {
                            matches!(s.schema_kind, SchemaKind::Type(Type::Object(_)))
                        })
                    })
                    .ok_or_else(|| {
                        refuse(format!(
                            "the member `{reference}` is not an object component"
                        ))
                    })?;
                let keeps = context
                    .spec
                    .schema(component)
                    .is_some_and(|s| s.schema_data.extensions.contains_key("x-keeps-problems"));
                if keeps {
                    return Err(refuse(format!(
                        "the member `{component}` has `x-keeps-problems`, which a `oneOf` member cannot have: its problems would lose their path"
                    )));
                }
                members.push(Member {
                    component: component.to_owned(),
                    variant: names::type_ident(component),
                    patterns: Vec::new(),
                });
            }
            ReferenceOr::Item(item)
                if matches!(item.schema_kind, SchemaKind::Type(Type::Array(_))) =>
            {
                if has_array {
                    return Err(refuse(
                        "a `oneOf` may have one array member, not two".to_owned(),
                    ));
                }
                has_array = true;
            }
            ReferenceOr::Item(_) => {
                return Err(refuse(
                    "every member must be a `$ref` to an object component, or an array of them"
                        .to_owned(),
                ))
            }
        }
    }
    Ok((members, has_array))
}

/// Applies `x-rust-variants: {Component: Variant}` and checks that every variant is free.
fn rename_variants(
    name: &str,
    schema: &Schema,
    members: &mut [Member],
    context: &Context<'_>,
) -> Result<(), Diagnostic> {
    const EXTENSION: &str = "x-rust-variants";
    let refuse = |why: String| {
        context
            .spec
            .error_in(name, &[EXTENSION], format!("{name}: {why}"))
    };
    if let Some(renames) = schema.schema_data.extensions.get(EXTENSION) {
        let renames = renames.as_object().ok_or_else(|| {
            refuse(format!(
                "`{EXTENSION}` must map component names to variant names"
            ))
        })?;
        for (component, variant) in renames {
            let variant = variant
                .as_str()
                .filter(|v| names::is_rust_type_name(v))
                .ok_or_else(|| {
                    refuse(format!(
                        "`{EXTENSION}.{component}` must be a Rust type name such as `Operation`"
                    ))
                })?;
            let member = members
                .iter_mut()
                .find(|m| m.component == *component)
                .ok_or_else(|| {
                    refuse(format!(
                        "`{EXTENSION}` names `{component}`, which is not a member of the `oneOf`"
                    ))
                })?;
            member.variant = format_ident!("{variant}");
        }
    }
    for (index, member) in members.iter().enumerate() {
        let variant = member.variant.to_string();
        let taken = variant == MANY
            || variant == graph::OTHER_VARIANT
            || members[..index].iter().any(|m| m.variant == member.variant);
        if taken {
            return Err(refuse(format!(
                "two variants would be named `{variant}` (`{MANY}` and `{}` are the enum's own); rename one with `{EXTENSION}`",
                graph::OTHER_VARIANT
            )));
        }
    }
    Ok(())
}

fn emit_enum(
    ident: &Ident,
    doc: &str,
    members: &[Member],
    has_array: bool,
    discriminator: &openapiv3::Discriminator,
) -> TokenStream {
    let wire = graph::path(graph::WIRE_MODULE);
    let odata = graph::path(graph::ODATA_TYPE_MODULE);
    let odata_key = graph::ODATA_TYPE;
    let other = format_ident!("{}", graph::OTHER_VARIANT);
    let variant_of = |component: &str| {
        members
            .iter()
            .find(|m| m.component == component)
            .map(|m| (&m.variant, names::type_ident(&m.component)))
    };
    let variants = members.iter().map(|m| {
        let ty = names::type_ident(&m.component);
        let variant = &m.variant;
        let doc = format!(
            "{}: a [`{ty}`].",
            m.patterns
                .iter()
                .map(|p| format!("`{p}`"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        quote!(#[doc = #doc] #variant(Box<#ty>),)
    });
    // In the mapping's order: the first key that matches wins.
    let rules: Vec<(&String, &Ident, Ident)> = discriminator
        .mapping
        .iter()
        .filter_map(|(pattern, target)| {
            let (variant, ty) = variant_of(names::component_of(target)?)?;
            Some((pattern, variant, ty))
        })
        .collect();
    let from_map = rules.iter().map(|(pattern, variant, ty)| {
        quote! {
            if #odata::matches(&odata_type, #pattern) {
                return Ok(#ident::#variant(Box::new(<#ty as #wire::FromMap>::from_map(map, Some(odata_type), problems)?)));
            }
        }
    });
    let from_value = rules.iter().map(|(pattern, variant, _)| {
        quote! {
            if #odata::matches(&odata_type, #pattern) {
                return Ok(match #wire::struct_from_value(value, problems)? {
                    Ok(entity) => #ident::#variant(Box::new(entity)),
                    Err(value) => #ident::#other(value),
                });
            }
        }
    });
    let debug = members.iter().map(|m| {
        let variant = &m.variant;
        let name = variant.to_string();
        quote!(#ident::#variant(entity) => f.debug_tuple(#name).field(entity).finish(),)
    });
    let debug_many = has_array
        .then(|| quote!(#ident::Many(items) => f.debug_tuple("Many").field(items).finish(),));
    let other_name = graph::OTHER_VARIANT;
    let expected = format!("a {ident} entity");
    let serialize = members.iter().map(|m| {
        let variant = &m.variant;
        quote!(#ident::#variant(entity) => entity.serialize(serializer),)
    });
    let many = has_array.then(|| {
        quote! {
            /// An array of entities, such as a participants roster.
            Many(Vec<#ident>),
        }
    });
    let serialize_many =
        has_array.then(|| quote!(#ident::Many(items) => items.serialize(serializer),));
    let many_body = if has_array {
        quote!(#ident::Many(items))
    } else {
        // Not called: `HAS_MANY` is false, so an array is read as JSON into `Other`.
        quote!(#ident::#other(serde_json::Value::Array(items.into_iter().filter_map(|item| serde_json::to_value(item).ok()).collect())))
    };
    quote! {
        #[doc = #doc]
        ///
        /// Told apart by `@odata.type`, compared without regard to letter case; an entity of a
        /// kind this crate does not model is kept as JSON in `Other`, never refused.
        #[derive(Clone, PartialEq)]
        #[non_exhaustive]
        pub enum #ident {
            #(#variants)*
            #many
            /// Any other entity or value, kept as it came.
            #other(serde_json::Value),
        }

        impl #odata::Union for #ident {
            const HAS_MANY: bool = #has_array;

            fn from_entity<'de, A: serde::de::MapAccess<'de>>(
                map: A,
                odata_type: String,
                problems: &mut Vec<#wire::Problem>,
            ) -> Result<Self, A::Error> {
                #(#from_map)*
                #odata::read_other(map, odata_type).map(#ident::#other)
            }

            fn from_value(value: serde_json::Value, problems: &mut Vec<#wire::Problem>) -> Result<Self, serde_json::Error> {
                let odata_type = value.get(#odata_key).and_then(serde_json::Value::as_str).unwrap_or_default().to_owned();
                #(#from_value)*
                Ok(#ident::#other(value))
            }

            fn many(items: Vec<Self>) -> Self {
                #many_body
            }

            fn other(value: serde_json::Value) -> Self {
                #ident::#other(value)
            }
        }

        impl #wire::ReadAny for #ident {
            const EXPECTED: &'static str = #expected;

            fn read_any<'de, D: serde::Deserializer<'de>>(
                deserializer: D,
                problems: &mut Vec<#wire::Problem>,
            ) -> Result<Result<Self, serde_json::Value>, D::Error> {
                #odata::read_union(deserializer, problems).map(Ok)
            }
        }

        impl std::fmt::Debug for #ident {
            /// The entity's own `Debug`; JSON kept in `Other` with the values of properties
            /// named like secrets shown as `<redacted>`.
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                match self {
                    #(#debug)*
                    #debug_many
                    #ident::#other(value) => f.debug_tuple(#other_name).field(&#wire::RedactedValue(value)).finish(),
                }
            }
        }

        impl<'de> serde::Deserialize<'de> for #ident {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                #odata::deserialize_union(deserializer)
            }
        }

        impl serde::Serialize for #ident {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                match self {
                    #(#serialize)*
                    #serialize_many
                    #ident::#other(value) => value.serialize(serializer),
                }
            }
        }
    }
}
