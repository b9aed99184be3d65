//! `x-ms-pageable` -> a list operation's `<name>_all` method, following its pages
//! (`msgraph_calls::pages::Items`), beside the operation's own method in `operations.rs`.
//!
//! ```yaml
//! /communications/calls/{call-id}/participants:
//!   get:
//!     x-rust-name: list_participants
//!     x-ms-pageable:                      # upstream's own extension
//!       nextLinkName: "@odata.nextLink"   # client.list_participants_all(call_id)
//! ```

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::output::Diagnostic;
use crate::spec::Spec;

/// Upstream's extension marking a list answered a page at a time (`nextLinkName:
/// "@odata.nextLink"`); such an operation also gets a `<name>_all` method following the pages.
pub const PAGEABLE: &str = "x-ms-pageable";

/// For an operation marked `x-ms-pageable`, its `<name>_all` method: the items of every page,
/// the first fetched by the operation's own method, the next ones by following
/// `@odata.nextLink` (`crate::pages`). The response must be an OData collection: a `value`
/// array of a component, and `@odata.nextLink`.
pub(crate) fn method(
    spec: &Spec,
    op: &crate::operations::Planned<'_>,
    client: &syn::File,
    model_types: &[String],
) -> Result<Option<TokenStream>, Diagnostic> {
    let Some(pageable) = op.operation.extensions.get(PAGEABLE) else {
        return Ok(None);
    };
    let here = format!("{} {}", op.method.to_ascii_uppercase(), op.path);
    let at = |message: String| spec.error_at(&["paths", op.path, op.method, PAGEABLE], message);
    let next_link = pageable
        .get("nextLinkName")
        .and_then(|v| v.as_str())
        .unwrap_or_default();
    let item_name = pageable
        .get("itemName")
        .and_then(|v| v.as_str())
        .unwrap_or("value");
    if next_link != "@odata.nextLink" || item_name != "value" {
        return Err(at(format!(
            "{here}: `{PAGEABLE}` must say `nextLinkName: \"@odata.nextLink\"` (and `itemName`, if given, `value`): Graph's OData paging"
        )));
    }
    let response = op
        .operation
        .responses
        .responses
        .get(&openapiv3::StatusCode::Code(200))
        .and_then(|r| r.as_item())
        .and_then(|r| r.content.get("application/json"))
        .and_then(|media| media.schema.as_ref());
    let collection = match response {
        Some(openapiv3::ReferenceOr::Reference { reference }) => {
            crate::names::component_of(reference)
        }
        _ => None,
    };
    let properties = collection.and_then(|name| match &spec.schema(name)?.schema_kind {
        openapiv3::SchemaKind::Type(openapiv3::Type::Object(object)) => Some(&object.properties),
        _ => None,
    });
    let item = properties.and_then(|properties| {
        let value = properties.get("value")?.as_item()?;
        let openapiv3::SchemaKind::Type(openapiv3::Type::Array(array)) = &value.schema_kind else {
            return None;
        };
        match array.items.as_ref()? {
            openapiv3::ReferenceOr::Reference { reference } => {
                crate::names::component_of(reference)
            }
            openapiv3::ReferenceOr::Item(_) => None,
        }
    });
    let (Some(properties), Some(item)) = (properties, item) else {
        return Err(at(format!(
            "{here}: a pageable operation answers 200 with a `$ref` to an object whose `value` is an array of a component (`$ref`)"
        )));
    };
    if !properties.contains_key("@odata.nextLink") {
        return Err(at(format!(
            "{here}: its collection response declares no `@odata.nextLink`"
        )));
    }
    let item_type = crate::names::type_ident(item);
    let item_type = if model_types.iter().any(|t| t == item) {
        quote!(crate::generated::model::#item_type)
    } else {
        quote!(types::#item_type)
    };
    let generated = crate::operations::find_method(client, op.method, op.path)
        .ok_or_else(|| at(format!("{here}: progenitor emitted no method for it")))?;
    let params: Vec<(syn::Ident, syn::Type)> = generated
        .sig
        .inputs
        .iter()
        .skip(1)
        .filter_map(|input| match input {
            syn::FnArg::Typed(typed) => match &*typed.pat {
                syn::Pat::Ident(ident) => Some((
                    ident.ident.clone(),
                    crate::operations::without_lifetimes(&typed.ty),
                )),
                _ => None,
            },
            syn::FnArg::Receiver(_) => None,
        })
        .collect();
    let args = params.iter().map(|(ident, ty)| {
        let mut ty = ty.clone();
        if let syn::Type::Reference(reference) = &mut ty {
            reference.lifetime = Some(syn::Lifetime::new("'a", proc_macro2::Span::call_site()));
        }
        quote!(#ident: #ty)
    });
    let arg_names: Vec<_> = params.iter().map(|(ident, _)| ident).collect();
    let name = format_ident!("{}", op.name);
    let all = format_ident!("{}_all", op.name);
    let items_field = crate::names::field_ident("value");
    let next_field = crate::names::field_ident("@odata.nextLink");
    let item_path = item_type
        .to_string()
        .replace(' ', "")
        .replace("crate::generated::model::", "msgraph_calls::resources::")
        .replace("types::", "msgraph_calls::types::");
    let demo_params: String = arg_names
        .iter()
        .map(|ident| format!(", {ident}: &str"))
        .collect();
    let demo_args: Vec<String> = arg_names.iter().map(|ident| ident.to_string()).collect();
    let doc = format!(
        "Every item of [`{name}`](Self::{name}), every page of it: the first page is \
         `{name}`'s answer, the next ones are fetched as [`Items`](crate::pages::Items) is \
         read, following `@odata.nextLink` only on this client's own Graph \
         ([`crate::pages`]). Nothing is sent until the first `next`.\n\n\
         ```no_run\n# async fn demo(client: &msgraph_calls::Client{demo_params}) -> Result<(), msgraph_calls::Error> {{\n\
         let all: Vec<{item_path}> = client.{all}({}).collect_all().await?;\n# Ok(()) }}\n```",
        demo_args.join(", ")
    );
    Ok(Some(quote! {
        #[doc = #doc]
        pub fn #all<'a>(&'a self, #(#args),*) -> crate::pages::Items<'a, #item_type> {
            crate::pages::Items::new(self, async move {
                let page = self.#name(#(#arg_names),*).await?;
                Ok(crate::pages::Page::new(page.#items_field, page.#next_field))
            })
        }
    }))
}

#[cfg(test)]
mod tests {
    fn crate_spec() -> String {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../schema/openapi.yaml");
        std::fs::read_to_string(path).unwrap()
    }

    #[test]
    fn a_pageable_list_gets_its_all_method() {
        let files = crate::generate_api(&crate_spec(), "schema/openapi.yaml").unwrap();
        let operations = &files[3].contents;
        assert!(operations.contains("pub fn list_participants_all<'a>("));
        assert!(
            operations.contains("crate::pages::Items<'a, crate::generated::model::Participant>")
        );
        assert!(operations.contains("crate::pages::Items<'a, types::AudioRoutingGroup>"));
    }

    #[test]
    fn a_paging_graph_does_not_use_is_refused_with_its_line() {
        let spec = crate_spec();
        let edited = spec.replacen(
            "nextLinkName: \"@odata.nextLink\"",
            "nextLinkName: \"@odata.next\"",
            1,
        );
        assert_ne!(spec, edited, "the schema has no x-ms-pageable left to edit");
        let problems = crate::generate_api(&edited, "schema/openapi.yaml").unwrap_err();
        assert_eq!(problems.len(), 1, "{problems:?}");
        let shown = problems[0].to_string();
        assert!(shown.starts_with("schema/openapi.yaml:"), "{shown}");
        assert!(
            shown.contains("`x-ms-pageable` must say `nextLinkName: \"@odata.nextLink\"`"),
            "{shown}"
        );
        assert!(problems[0].line.is_some());
    }
}
