//! A string enum of the spec -> an evolvable Rust enum: one variant per member, and `Other`
//! for what Graph adds later. The behaviour is the crate's `wire::evolvable_enum!` macro; what
//! is emitted here is the enum with its docs and one call of that macro.

use openapiv3::{Schema, SchemaKind, Type};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{docs, Context};
use crate::output::Diagnostic;
use crate::{graph, names};

/// Emits the enum `name`, or says which member cannot become a variant.
pub(super) fn emit(
    name: &str,
    schema: &Schema,
    context: &Context<'_>,
) -> Result<TokenStream, Diagnostic> {
    let SchemaKind::Type(Type::String(st)) = &schema.schema_kind else {
        return Err(context
            .spec
            .error_in(name, &[], format!("{name}: not a string enum")));
    };
    let members: Vec<&str> = st
        .enumeration
        .iter()
        .flatten()
        .map(String::as_str)
        .collect();
    let ident = names::type_ident(name);
    let mut variants: Vec<proc_macro2::Ident> = Vec::new();
    for member in &members {
        let variant = names::pascal_case(member);
        let refuse = |why: String| {
            context.spec.error_in(
                name,
                &["enum"],
                format!("{name}: the member `{member}` {why}"),
            )
        };
        if !names::is_rust_type_name(&variant) {
            return Err(refuse(
                "cannot become a Rust variant: it needs a letter first, and letters or digits"
                    .to_owned(),
            ));
        }
        if variant == graph::OTHER_VARIANT {
            return Err(refuse(format!(
                "would become `{}`, the variant that keeps values this crate does not know",
                graph::OTHER_VARIANT
            )));
        }
        if let Some(index) = variants.iter().position(|v| *v == variant) {
            return Err(refuse(format!(
                "becomes the variant `{variant}`, as `{}` does",
                members[index]
            )));
        }
        variants.push(format_ident!("{variant}"));
    }
    let doc = docs(schema).unwrap_or_else(|| format!("The Graph enum `{name}`."));
    let member_docs = members.iter().map(|m| format!("`{m}`"));
    let first = members.first().copied().unwrap_or_default();
    // A value the enum does not know, for the example: not any member in any case.
    let mut unknown = String::from("notYetKnown");
    while members.iter().any(|m| m.eq_ignore_ascii_case(&unknown)) {
        unknown.push('X');
    }
    let example = format!(
        "```\nuse msgraph_calls::resources::{ident};\n\nassert_eq!({first:?}.parse::<{ident}>().unwrap().as_str(), {first:?});\nassert_eq!({:?}.parse::<{ident}>().unwrap().as_str(), {first:?});\nassert!(matches!({unknown:?}.parse::<{ident}>().unwrap(), {ident}::Other(v) if v == {unknown:?}));\n```",
        first.to_ascii_uppercase()
    );
    let wire = graph::path(graph::WIRE_MODULE);
    let other = format_ident!("{}", graph::OTHER_VARIANT);
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
            #other(String),
        }

        #wire::evolvable_enum!(#ident { #(#variants = #members),* });
    })
}
