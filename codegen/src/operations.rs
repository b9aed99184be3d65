//! `openapi.yaml` + progenitor's client -> `operations.rs`: one method of the crate's `Client`
//! (and of `blocking::Client`) per operation, named as the operation's `x-rust-name` says,
//! taking the arguments progenitor's method takes, and sending through the one private request
//! path (`crate::transport::perform`) with what the operation's `x-idempotent` says about
//! retries.
//!
//! ```yaml
//! /communications/calls/{call-id}/answer:
//!   post:
//!     operationId: call_answer
//!     x-rust-name: answer          # the method: `client.answer(call_id, &body)`
//!     x-idempotent: false          # retried only when Graph did not act (429, 503 + Retry-After)
//! ```
//!
//! Each method checks its path ids before anything is sent (the rule of `crate::ids`), opens a
//! tracing span named after the operation with the ids in it, and returns the typed body of
//! Graph's success response, or `()` for `202`/`204` without one.
//!
//! For the `testing` feature's stand-in, each operation is also a row of `STAND_IN_ROUTES`: its
//! method and path, its success status, the example its success response names
//! (`examples: {doc: {externalValue: examples/<file>.json}}`, a file beside the spec, included
//! in the crate) and the type its request body must read as.

use std::collections::BTreeSet;

use openapiv3::Operation;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::graph;
use crate::output::{render, Diagnostic, GeneratedFile};
use crate::spec::Spec;

/// The extension naming the method.
pub const RUST_NAME: &str = "x-rust-name";

/// The extension saying whether the operation may be sent again after a lost connection.
pub const IDEMPOTENT: &str = "x-idempotent";

pub use crate::pages::PAGEABLE;

/// One operation of the spec, with what its method needs.
pub(crate) struct Planned<'a> {
    pub(crate) method: &'a str,
    pub(crate) path: &'a str,
    pub(crate) operation: &'a Operation,
    pub(crate) name: String,
    pub(crate) idempotent: bool,
    pub(crate) completion: Option<crate::sessions::Completion>,
}

/// Generates `operations.rs` from the spec and progenitor's `client` (parsed), or says, with
/// its line, each operation it cannot make a method of.
pub fn generate(spec: &Spec, client: &syn::File) -> Result<GeneratedFile, Vec<Diagnostic>> {
    let mut problems = Vec::new();
    let mut planned = Vec::new();
    let mut names = BTreeSet::new();
    for (path, item) in spec.doc.paths.iter() {
        let Some(item) = item.as_item() else {
            continue;
        };
        for (method, operation) in item.iter() {
            match plan(spec, path, method, operation, &mut names) {
                Ok(p) => planned.push(p),
                Err(problem) => problems.push(problem),
            }
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut methods = Vec::new();
    let mut blocking = Vec::new();
    let mut routes = Vec::new();
    let mut session = Vec::new();
    let model_types = crate::model::model_types(spec);
    for op in &planned {
        match crate::pages::method(spec, op, client, &model_types) {
            Ok(pages) => methods.extend(pages),
            Err(problem) => problems.push(problem),
        }
        match emit(spec, op, client) {
            Ok((method, blocking_method, route, session_method)) => {
                methods.push(method);
                blocking.push(blocking_method);
                routes.push(route);
                session.extend(session_method);
            }
            Err(problem) => problems.push(problem),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let tokens = quote! {
        use super::types;

        impl crate::client::Client {
            #(#methods)*
        }

        #[cfg(feature = "blocking")]
        impl crate::blocking::Client {
            #(#blocking)*
        }

        #[cfg(feature = "sessions")]
        impl crate::sessions::CallSession {
            #(#session)*
        }

        /// Every operation as the `testing` feature's stand-in answers it.
        #[cfg(feature = "testing")]
        pub(crate) const STAND_IN_ROUTES: &[crate::testing::Route] = &[#(#routes),*];
    };
    let contents = render(tokens, &spec.file).map_err(|d| vec![d])?;
    Ok(GeneratedFile {
        name: "operations.rs",
        contents,
    })
}

/// The operation's name and retry class, checked.
fn plan<'a>(
    spec: &Spec,
    path: &'a str,
    method: &'a str,
    operation: &'a Operation,
    names: &mut BTreeSet<String>,
) -> Result<Planned<'a>, Diagnostic> {
    let at = |key: &str, message: String| spec.error_at(&["paths", path, method, key], message);
    let here = format!("{} {path}", method.to_ascii_uppercase());
    let name = operation
        .extensions
        .get(RUST_NAME)
        .and_then(|v| v.as_str())
        .ok_or_else(|| {
            at(
                "operationId",
                format!("{here}: needs `{RUST_NAME}`, the method's name (`answer`, `list_participants`)"),
            )
        })?;
    let valid = name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !graph::RESERVED_METHOD_NAMES.contains(&name);
    if !valid {
        return Err(at(
            RUST_NAME,
            format!(
                "{here}: `{name}` is not a method name this crate can use (snake case, not one of {})",
                graph::RESERVED_METHOD_NAMES.join(", ")
            ),
        ));
    }
    if !names.insert(name.to_owned()) {
        return Err(at(
            RUST_NAME,
            format!("{here}: another operation is named `{name}` already"),
        ));
    }
    let idempotent = operation
        .extensions
        .get(IDEMPOTENT)
        .and_then(|v| v.as_bool())
        .ok_or_else(|| {
            at(
                "operationId",
                format!("{here}: needs `{IDEMPOTENT}: true` or `false`: whether sending it twice does what sending it once does"),
            )
        })?;
    let completion = crate::sessions::completion(spec, path, method, operation)?;
    Ok(Planned {
        method,
        path,
        operation,
        name: name.to_owned(),
        idempotent,
        completion,
    })
}

/// The async and the blocking method of one operation, its stand-in route, and its call
/// session's method when it has one.
fn emit(
    spec: &Spec,
    op: &Planned<'_>,
    client: &syn::File,
) -> Result<(TokenStream, TokenStream, TokenStream, Option<TokenStream>), Diagnostic> {
    let here = format!("{} {}", op.method.to_ascii_uppercase(), op.path);
    let generated = find_method(client, op.method, op.path).ok_or_else(|| {
        spec.error_at(
            &["paths", op.path, op.method],
            format!("{here}: progenitor emitted no method for it"),
        )
    })?;
    let inner = &generated.sig.ident;
    let mut params = Vec::new();
    for input in generated.sig.inputs.iter().skip(1) {
        let syn::FnArg::Typed(typed) = input else {
            continue;
        };
        let syn::Pat::Ident(ident) = &*typed.pat else {
            continue;
        };
        params.push((ident.ident.clone(), without_lifetimes(&typed.ty)));
    }
    let output = success_type(&generated.sig.output).ok_or_else(|| {
        spec.error_at(
            &["paths", op.path, op.method],
            format!(
                "{here}: progenitor's method does not return `Result<ResponseValue<T>, Error<E>>`"
            ),
        )
    })?;
    // The ids come from the path template itself, so that one declared anywhere (on the path
    // item, through a `$ref`) is checked all the same.
    let path_ids: Vec<(String, syn::Ident)> = op
        .path
        .split('/')
        .filter_map(|segment| segment.strip_prefix('{')?.strip_suffix('}'))
        .map(str::to_owned)
        .map(|name| {
            let ident = format_ident!("{}", crate::names::snake_case(&name));
            (name, ident)
        })
        .collect();
    for (name, ident) in &path_ids {
        if !params.iter().any(|(p, _)| p == ident) {
            return Err(spec.error_at(
                &["paths", op.path, op.method, "parameters"],
                format!("{here}: the path parameter `{name}` is not an argument `{ident}` of progenitor's method"),
            ));
        }
    }
    let method = format_ident!("{}", op.name);
    let span_name = format!("msgraph_calls.{}", op.name);
    let op_name = &op.name;
    let idempotent = op.idempotent;
    // The success statuses the spec documents: their bodies are read up to the client's
    // generous cap; any other status's, up to 64 KiB.
    let success: Vec<u16> = op
        .operation
        .responses
        .responses
        .keys()
        .filter_map(|code| match code {
            openapiv3::StatusCode::Code(code @ 200..=299) => Some(*code),
            _ => None,
        })
        .collect();
    let body_checks = params
        .iter()
        .filter(|(ident, _)| ident == "body")
        .map(|(ident, _)| quote!(crate::bodies::CheckBody::check(#ident)?;));
    let checks = path_ids
        .iter()
        .map(|(name, ident)| quote!(crate::ids::check_path_id(#name, #ident)?;))
        .chain(body_checks);
    let span_fields = path_ids.iter().map(|(_, ident)| quote!(#ident,));
    let args = params.iter().map(|(ident, ty)| quote!(#ident: #ty));
    let arg_names: Vec<_> = params.iter().map(|(ident, _)| ident).collect();
    let doc = method_doc(op, &here, &params, &output);
    let async_method = quote! {
        #[doc = #doc]
        pub async fn #method(&self, #(#args),*) -> Result<#output, crate::Error> {
            #(#checks)*
            let span = |client_request_id: &str| {
                tracing::debug_span!(#span_name, #(#span_fields)* client_request_id = %client_request_id)
            };
            // Boxed once: the generated future is large, and moving it through the wrappers
            // would copy it at every layer.
            let request = Box::pin(self.api().#inner(#(#arg_names),*));
            let operation = crate::transport::Operation {
                name: #op_name,
                idempotent: #idempotent,
                success: &[#(#success),*],
            };
            crate::transport::perform(self.token_provider(), operation, span, request)
                .await
                .map(progenitor_client::ResponseValue::into_inner)
        }
    };
    let blocking_args = params.iter().map(|(ident, ty)| quote!(#ident: #ty));
    let blocking_doc = format!("Blocks on [`crate::Client::{op_name}`].");
    let blocking_method = quote! {
        #[doc = #blocking_doc]
        pub fn #method(&self, #(#blocking_args),*) -> Result<#output, crate::Error> {
            self.block_on(self.inner().#method(#(#arg_names),*))
        }
    };
    let route = crate::routes::route(spec, op.method, op.path, op.operation, &op.name, &params)?;
    let session_method = match op.completion {
        Some(completion) => crate::sessions::method(
            spec,
            &crate::sessions::Method {
                path: op.path,
                method: op.method,
                operation: op.operation,
                name: &op.name,
                completion,
                params: &params,
                output: &output,
            },
        )?,
        None => None,
    };
    Ok((async_method, blocking_method, route, session_method))
}

/// The method's docs: the spec's summary and description, the request, the retry class, and
/// an example call.
fn method_doc(
    op: &Planned<'_>,
    here: &str,
    params: &[(syn::Ident, syn::Type)],
    output: &syn::Type,
) -> String {
    let mut doc = String::new();
    if let Some(summary) = &op.operation.summary {
        doc.push_str(summary.trim());
        doc.push_str(": `");
        doc.push_str(here);
        doc.push_str("`.\n\n");
    }
    if let Some(description) = &op.operation.description {
        doc.push_str(description.trim());
        doc.push_str("\n\n");
    }
    if op.idempotent {
        doc.push_str(
            "Idempotent: retried after 429, 503, 504, a failed connection, and a connection \
             lost after it was sent, within the client's `RetryPolicy`.\n\n",
        );
    } else {
        doc.push_str(
            "Not idempotent: retried only when Graph did not act on it (429, or 503 with \
             `Retry-After`) or it never left; a connection lost once it was sent is an error \
             whose `outcome_unknown()` is true, since Graph may have carried it out.\n\n",
        );
    }
    let ids: Vec<&syn::Ident> = params
        .iter()
        .filter(|(_, ty)| quote!(#ty).to_string().replace(' ', "") == "&str")
        .map(|(ident, _)| ident)
        .collect();
    if !ids.is_empty() {
        let names: Vec<String> = ids.iter().map(|i| format!("`{i}`")).collect();
        let (subject, what) = if names.len() == 1 {
            (names[0].clone(), "a Graph id")
        } else {
            (names.join(" and "), "Graph ids")
        };
        doc.push_str(&format!(
            "{subject} must be {what} (ASCII letters, digits, `-`, `.`, `_`, `~`), checked before \
             anything is sent; anything else is `Error::InvalidId`.\n\n"
        ));
    }
    let name = &op.name;
    let demo_params: Vec<String> = params
        .iter()
        .map(|(ident, ty)| {
            let ty = quote!(#ty)
                .to_string()
                .replace(" :: ", "::")
                .replace("& ", "&");
            let ty = ty
                .replace("types::", "msgraph_calls::types::")
                .replace("crate::generated::model::", "msgraph_calls::resources::");
            format!("{ident}: {ty}")
        })
        .collect();
    let call_args: Vec<String> = params.iter().map(|(ident, _)| ident.to_string()).collect();
    let output = quote!(#output)
        .to_string()
        .replace(" :: ", "::")
        .replace("types::", "msgraph_calls::types::")
        .replace("crate::generated::model::", "msgraph_calls::resources::");
    let binding = if output == "()" {
        String::new()
    } else {
        format!("let result: {output} = ")
    };
    doc.push_str(&format!(
        "```no_run\n# async fn demo(client: &msgraph_calls::Client, {}) -> Result<(), msgraph_calls::Error> {{\n{binding}client.{name}({}).await?;\n# Ok(()) }}\n```",
        demo_params.join(", "),
        call_args.join(", ")
    ));
    doc
}

/// Progenitor's method for `method path`, found by the line of its docs that says
/// ``Sends a `POST` request to `/path` ``.
pub(crate) fn find_method<'a>(
    client: &'a syn::File,
    method: &str,
    path: &str,
) -> Option<&'a syn::ImplItemFn> {
    let needle = format!(
        "Sends a `{}` request to `{path}`",
        method.to_ascii_uppercase()
    );
    crate::openapi::async_methods(client).find(|f| {
        f.attrs.iter().any(|attr| {
            let syn::Meta::NameValue(nv) = &attr.meta else {
                return false;
            };
            let syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(text),
                ..
            }) = &nv.value
            else {
                return false;
            };
            text.value().lines().any(|line| line.trim() == needle)
        })
    })
}

/// `T` of `Result<ResponseValue<T>, Error<E>>`.
fn success_type(output: &syn::ReturnType) -> Option<syn::Type> {
    let syn::ReturnType::Type(_, ty) = output else {
        return None;
    };
    let first_generic = |ty: &syn::Type, name: &str| -> Option<syn::Type> {
        let syn::Type::Path(path) = ty else {
            return None;
        };
        let last = path.path.segments.last()?;
        if last.ident != name {
            return None;
        }
        let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
            return None;
        };
        args.args.iter().find_map(|arg| match arg {
            syn::GenericArgument::Type(t) => Some(t.clone()),
            _ => None,
        })
    };
    let ok = first_generic(ty, "Result")?;
    first_generic(&ok, "ResponseValue")
}

/// `ty` with its reference lifetimes removed (`&'a str` -> `&str`).
pub(crate) fn without_lifetimes(ty: &syn::Type) -> syn::Type {
    let mut ty = ty.clone();
    if let syn::Type::Reference(reference) = &mut ty {
        reference.lifetime = None;
    }
    ty
}
