//! One row of the `testing` feature's `STAND_IN_ROUTES` per operation: its method and path,
//! its success status, the example its success response names (`examples: {doc:
//! {externalValue: examples/<file>.json}}`, a file beside the spec, included in the crate),
//! and the type its request body must read as.

use openapiv3::Operation;
use proc_macro2::TokenStream;
use quote::quote;

use crate::output::Diagnostic;
use crate::spec::Spec;

/// The operation's row of `STAND_IN_ROUTES`.
pub(crate) fn route(
    spec: &Spec,
    method: &str,
    path: &str,
    operation: &Operation,
    name: &str,
    params: &[(syn::Ident, syn::Type)],
) -> Result<TokenStream, Diagnostic> {
    let here = format!("{} {path}", method.to_ascii_uppercase());
    let success = operation
        .responses
        .responses
        .iter()
        .find_map(|(code, response)| match code {
            openapiv3::StatusCode::Code(code @ 200..=299) => Some((*code, response)),
            _ => None,
        });
    let Some((status, response)) = success else {
        return Err(spec.error_at(
            &["paths", path, method, "responses"],
            format!("{here}: no success response (a 2xx code) is declared"),
        ));
    };
    let code = status.to_string();
    let at = ["paths", path, method, "responses", &code, "content"];
    let example = match response
        .as_item()
        .and_then(|r| r.content.get("application/json"))
    {
        None => quote!(None),
        Some(media) => {
            let file = media
                .examples
                .values()
                .find_map(|e| e.as_item()?.external_value.clone())
                .ok_or_else(|| {
                    spec.error_at(
                        &at,
                        format!("{here}: the {code} response has a body but no example file (`examples: {{doc: {{externalValue: examples/<name>.json}}}}`), which the stand-in answers with"),
                    )
                })?;
            check_example(spec, &at, &here, &file)?;
            // The spec's name in diagnostics is its path under the crate root (`build.rs`
            // passes `schema`), so the example's path there is the spec's folder and the file.
            let dir = std::path::Path::new(&spec.file)
                .parent()
                .map(|d| d.to_string_lossy().into_owned())
                .unwrap_or_default();
            let relative = if dir.is_empty() {
                file
            } else {
                format!("{dir}/{file}")
            };
            quote!(Some(include_str!(
                concat!(env!("CARGO_MANIFEST_DIR"), "/", #relative)
            )))
        }
    };
    let reads = match params.iter().find(|(ident, _)| ident == "body") {
        Some((_, syn::Type::Reference(body))) => {
            let body = &body.elem;
            quote!(Some(crate::testing::reads::<#body>))
        }
        _ => quote!(None),
    };
    let method = method.to_ascii_uppercase();
    let status = proc_macro2::Literal::u16_unsuffixed(status);
    Ok(quote! {
        crate::testing::Route {
            name: #name,
            method: #method,
            path: #path,
            status: #status,
            example: #example,
            reads: #reads,
        }
    })
}

/// An example file the spec names: a relative path without `..`, and, when the spec was read
/// from a directory, a JSON file there.
fn check_example(spec: &Spec, at: &[&str], here: &str, file: &str) -> Result<(), Diagnostic> {
    let relative = !file.starts_with('/')
        && !file.contains('\\')
        && file
            .split('/')
            .all(|part| !part.is_empty() && part != "." && part != "..");
    if !relative {
        return Err(spec.error_at(
            at,
            format!("{here}: the example `{file}` is not a path inside the schema directory"),
        ));
    }
    let Some(dir) = &spec.dir else {
        return Ok(());
    };
    let text = std::fs::read_to_string(dir.join(file)).map_err(|e| {
        spec.error_at(
            at,
            format!("{here}: the example `{file}` cannot be read: {e}"),
        )
    })?;
    serde_json::from_str::<serde_json::Value>(&text)
        .map(drop)
        .map_err(|e| spec.error_at(at, format!("{here}: the example `{file}` is not JSON: {e}")))
}
