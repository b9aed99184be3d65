//! `openapi.yaml` -> `types.rs` and `client.rs`, through progenitor and typify.
//!
//! The settings come from [`crate::graph`], where Graph's reality differs from the generators'
//! defaults. Everything else is progenitor's own output, split in two files: the `types`
//! module (typify: Graph's error body) and the client (progenitor: one method per operation).
//! The notification model is not typify's: [`crate::model`] generates it, and progenitor is
//! told to name those types where the model puts them.

use progenitor_impl::{GenerationSettings, Generator, HooksMode, InterfaceStyle, TagStyle};
use quote::quote;

use crate::graph;
use crate::output::{render, Diagnostic, GeneratedFile};
use crate::spec::Spec;

/// The settings handed to progenitor. `model_types` are the components [`crate::model`]
/// generates, which typify must leave alone.
pub fn settings(model_types: &[String]) -> GenerationSettings {
    let mut settings = GenerationSettings::new();
    settings
        .with_interface(InterfaceStyle::Positional)
        .with_tag(TagStyle::Merged)
        .with_inner_type(graph::path(graph::HOOKS_TYPE))
        .with_hooks(HooksMode::Expected)
        .with_derive("PartialEq");
    for name in model_types {
        settings.with_replacement(
            name,
            format!("{}::{name}", graph::MODEL_MODULE),
            std::iter::empty(),
        );
    }
    for schema in graph::int32_schemas() {
        settings.with_conversion(schema, graph::INT32_TYPE, std::iter::empty());
    }
    settings
}

/// Generates `types.rs` and `client.rs`, in that order, and checks that the client has one
/// method per operation of the spec; the client's syntax tree comes too, for
/// [`crate::operations`].
pub fn generate(
    spec: &Spec,
    model_types: &[String],
) -> Result<([GeneratedFile; 2], syn::File), Vec<Diagnostic>> {
    let file = spec.file.as_str();
    let in_file = |message: String| vec![Diagnostic::in_file(file, message)];
    // typify panics on some schemas it cannot handle; a build must fail with a message instead.
    let tokens = std::panic::catch_unwind(|| {
        Generator::new(&settings(model_types)).generate_tokens(&spec.doc)
    })
    .map_err(|panic| {
        let what = panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
            .unwrap_or_default();
        in_file(format!("progenitor or typify gave up on it: {what}"))
    })?
    .map_err(|e| in_file(format!("progenitor cannot generate a client from it: {e}")))?;
    let file_ast: syn::File = syn::parse2(tokens).map_err(|e| {
        in_file(format!(
            "progenitor produced Rust that does not parse ({e}); this is a bug in the generator"
        ))
    })?;

    let (mut types, mut client) = split_types(file_ast).map_err(|m| in_file(m.to_owned()))?;
    leave_out_unset_boxes(&mut types);
    crate::builders::make_growable(&mut types).map_err(|m| {
        in_file(format!(
            "typify wrote a struct its builders cannot be made for ({m}); this is a bug in the generator"
        ))
    })?;
    let operations = spec.operation_count();
    let emitted = count_async_methods(&client);
    if emitted != operations {
        return Err(in_file(format!(
            "declares {operations} operation(s) but the client has {emitted} method(s)"
        )));
    }
    if let Some(field) = unconverted_int32(&types) {
        return Err(in_file(format!(
            "`{field}` is an int32 that was not turned into {}; give it `type: integer, format: int32` and no other keyword",
            graph::INT32_TYPE
        )));
    }
    // The client names the error body `types::ODataError`; the types are its sibling module.
    client.items.insert(
        0,
        syn::parse_quote!(
            #[allow(unused_imports)]
            use super::types;
        ),
    );

    let render = |f: syn::File, name| -> Result<GeneratedFile, Vec<Diagnostic>> {
        Ok(GeneratedFile {
            name,
            contents: render(quote!(#f), file).map_err(|d| vec![d])?,
        })
    };
    let ast = client.clone();
    Ok((
        [render(types, "types.rs")?, render(client, "client.rs")?],
        ast,
    ))
}

/// Moves the items of progenitor's `pub mod types { ... }` into a file of their own; the
/// client file keeps everything else and names them as its sibling module `super::types`.
fn split_types(mut file: syn::File) -> Result<(syn::File, syn::File), String> {
    let position = file
        .items
        .iter()
        .position(|item| matches!(item, syn::Item::Mod(m) if m.ident == "types"))
        .ok_or("progenitor emitted no `types` module")?;
    let syn::Item::Mod(types_mod) = file.items.remove(position) else {
        unreachable!("the position was found for a module")
    };
    let (_, items) = types_mod
        .content
        .ok_or("progenitor emitted `mod types;` without a body")?;
    let mut types = file.clone();
    types.attrs.clear();
    types.items = items;
    Ok((types, file))
}

fn count_async_methods(client: &syn::File) -> usize {
    async_methods(client).count()
}

/// The async methods of the client's inherent impls: one per operation.
pub(crate) fn async_methods(client: &syn::File) -> impl Iterator<Item = &syn::ImplItemFn> {
    client
        .items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Impl(imp) if imp.trait_.is_none() => Some(imp),
            _ => None,
        })
        .flat_map(|imp| imp.items.iter())
        .filter_map(|item| match item {
            syn::ImplItem::Fn(f) if f.sig.asyncness.is_some() => Some(f),
            _ => None,
        })
}

/// typify writes a recursive optional property (`Box<Option<T>>`: Graph's nested `innerError`)
/// without `skip_serializing_if`, so an unset one would be written as `null`, which Graph never
/// sent; it is left out instead, as every other unset optional property is.
fn leave_out_unset_boxes(types: &mut syn::File) {
    let mut marked = false;
    for item in &mut types.items {
        let syn::Item::Struct(s) = item else {
            continue;
        };
        for field in s.fields.iter_mut() {
            let ty = &field.ty;
            let boxed_option = quote!(#ty)
                .to_string()
                .replace(' ', "")
                .starts_with("::std::boxed::Box<::std::option::Option<");
            let skipped = field
                .attrs
                .iter()
                .any(|attr| quote!(#attr).to_string().contains("skip_serializing_if"));
            if boxed_option && !skipped {
                field
                    .attrs
                    .push(syn::parse_quote!(#[serde(skip_serializing_if = "is_unset")]));
                marked = true;
            }
        }
    }
    if marked {
        types.items.push(syn::parse_quote! {
            /// Whether a boxed optional property is unset: then it is not written.
            fn is_unset<T>(value: &::std::boxed::Box<::std::option::Option<T>>) -> bool {
                value.is_none()
            }
        });
    }
}

/// The first struct field still typed `i32` (or an optional `i32`) after conversion, if any.
fn unconverted_int32(types: &syn::File) -> Option<String> {
    types.items.iter().find_map(|item| {
        let syn::Item::Struct(s) = item else {
            return None;
        };
        s.fields.iter().find_map(|field| {
            let ty = &field.ty;
            let ty = quote!(#ty).to_string().replace(' ', "");
            let is_i32 = ty == "i32" || ty.ends_with("Option<i32>");
            let name = field
                .ident
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default();
            is_i32.then(|| format!("{}.{}", s.ident, name))
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "schema/openapi.yaml";

    fn spec(schemas: &str) -> Spec {
        let text = format!(
            r#"openapi: 3.0.4
info: {{title: t, version: v1.0}}
paths:
  /communications/calls/{{call-id}}:
    delete:
      operationId: communication_DeleteCall
      parameters:
        - {{name: call-id, in: path, required: true, schema: {{type: string}}}}
      responses:
        "204": {{description: No Content}}
components:
  schemas:
{schemas}"#
        );
        Spec::parse(&text, FILE).unwrap()
    }

    #[test]
    fn int32_fields_become_graph_int32() {
        let schemas = "    ResultInfo:\n      type: object\n      properties:\n        code: {type: integer, format: int32}\n";
        let ([types, client], _) = generate(&spec(schemas), &[]).unwrap();
        assert!(
            types
                .contents
                .contains("code: ::std::option::Option<crate::graph_int::GraphInt32>"),
            "{}",
            types.contents
        );
        assert!(client
            .contents
            .starts_with("// @generated by build.rs from schema/openapi.yaml. Do not edit."));
        assert!(client
            .contents
            .contains("pub async fn communication_delete_call"));
        assert!(client.contents.contains("use super::types;"));
    }

    #[test]
    fn an_int32_with_other_keywords_is_reported() {
        let schemas = "    ResultInfo:\n      type: object\n      properties:\n        code: {type: integer, format: int32, minimum: 0}\n";
        let Err(errs) = generate(&spec(schemas), &[]) else {
            panic!("an int32 with a bound must be refused")
        };
        assert!(
            errs[0]
                .to_string()
                .contains("`ResultInfo.code` is an int32 that was not turned into"),
            "{errs:?}"
        );
    }

    #[test]
    fn model_types_are_named_where_the_model_puts_them() {
        let schemas = "    ODataError:\n      type: object\n      properties:\n        state: {$ref: '#/components/schemas/CallState'}\n    CallState:\n      type: string\n      enum: [a]\n";
        let ([types, _], _) = generate(&spec(schemas), &["CallState".to_owned()]).unwrap();
        assert!(
            types
                .contents
                .contains("crate::generated::model::CallState"),
            "{}",
            types.contents
        );
        assert!(!types.contents.contains("pub enum CallState"));
    }
}
