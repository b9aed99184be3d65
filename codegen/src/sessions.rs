//! `x-completion` -> the methods of a call session (`msgraph_calls::sessions::CallSession`), one
//! per operation on a call, beside the client's, in `operations.rs`.
//!
//! ```yaml
//! /communications/calls/{call-id}/playPrompt:
//!   post:
//!     x-rust-name: play_prompt
//!     x-idempotent: false
//!     x-completion: notification   # session.play_prompt(&body) -> a Pending to await
//! ```
//!
//! - `notification`: the response is a `commsOperation`; unless it says `completed` or
//!   `failed`, Graph notifies the operation's end. The session method fills in a
//!   `clientContext` when the body has none (so the body must declare one), registers the
//!   waiter before the request is sent, and returns a `Pending` whose `finished()` resolves
//!   with the finished operation.
//! - `response`: Graph's response says all there is: the session method returns it.
//! - `incoming`: the operation answers an incoming call (`answer`, `reject`, `redirect`): a
//!   method of `IncomingCall`, written by hand because it makes the session; none here.
//!
//! Every operation whose path names a call must say which, so that a new operation is never
//! left off the sessions by accident.

use openapiv3::{Operation, ReferenceOr};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::output::Diagnostic;
use crate::spec::Spec;

/// The extension saying what completes an operation on a call.
pub const COMPLETION: &str = "x-completion";

/// What completes an operation on a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Completion {
    /// A notification on the operation, unless the response already says it ended.
    Notification,
    /// The response.
    Response,
    /// The operation answers an incoming call.
    Incoming,
}

/// The operation's `x-completion`: required on a path with `{call-id}`, refused elsewhere.
pub(crate) fn completion(
    spec: &Spec,
    path: &str,
    method: &str,
    operation: &Operation,
) -> Result<Option<Completion>, Diagnostic> {
    let here = format!("{} {path}", method.to_ascii_uppercase());
    let on_call = path.contains("{call-id}");
    let value = operation.extensions.get(COMPLETION);
    let at = |message: String| spec.error_at(&["paths", path, method, COMPLETION], message);
    match (on_call, value.and_then(|v| v.as_str())) {
        (false, None) => Ok(None),
        (false, Some(_)) => Err(at(format!(
            "{here}: `{COMPLETION}` is for operations on a call (a path with `{{call-id}}`)"
        ))),
        (true, Some("notification")) => Ok(Some(Completion::Notification)),
        (true, Some("response")) => Ok(Some(Completion::Response)),
        (true, Some("incoming")) => Ok(Some(Completion::Incoming)),
        (true, other) => {
            let found = other
                .map(|v| format!("`{v}`"))
                .or_else(|| value.map(|v| format!("`{v}`")))
                .unwrap_or_else(|| "nothing".to_owned());
            let key = if value.is_some() {
                COMPLETION
            } else {
                "operationId"
            };
            Err(spec.error_at(
                &["paths", path, method, key],
                format!(
                    "{here}: needs `{COMPLETION}: notification`, `response` or `incoming` (what completes it, for call sessions); found {found}"
                ),
            ))
        }
    }
}

/// What the session method needs of the client's.
pub(crate) struct Method<'a> {
    pub(crate) path: &'a str,
    pub(crate) method: &'a str,
    pub(crate) operation: &'a Operation,
    pub(crate) name: &'a str,
    pub(crate) completion: Completion,
    pub(crate) params: &'a [(syn::Ident, syn::Type)],
    pub(crate) output: &'a syn::Type,
}

/// The session method of one operation on a call, or nothing for `incoming`.
pub(crate) fn method(spec: &Spec, m: &Method<'_>) -> Result<Option<TokenStream>, Diagnostic> {
    let here = format!("{} {}", m.method.to_ascii_uppercase(), m.path);
    let ident = format_ident!("{}", m.name);
    let name = m.name;
    // The session passes its own call id; the other arguments are the client method's.
    let rest: Vec<&(syn::Ident, syn::Type)> =
        m.params.iter().filter(|(p, _)| p != "call_id").collect();
    let args = rest.iter().map(|(p, ty)| quote!(#p: #ty));
    // A `notification` method sends its own copy of the body (its `clientContext` filled in).
    let copied = m.completion == Completion::Notification;
    let forwarded: Vec<TokenStream> = m
        .params
        .iter()
        .map(|(p, _)| {
            if p == "call_id" {
                quote!(self.id())
            } else if p == "body" && copied {
                quote!(&body)
            } else {
                quote!(#p)
            }
        })
        .collect();
    let on_participant = m.params.iter().any(|(p, _)| p == "participant_id");
    let summary = m
        .operation
        .summary
        .as_deref()
        .map(str::trim)
        .unwrap_or(m.name);
    let output = m.output;
    let output_text = quote!(#output)
        .to_string()
        .replace(" :: ", "::")
        .replace("crate::generated::model::", "crate::resources::");
    let demo_args: Vec<String> = rest.iter().map(|(p, _)| p.to_string()).collect();
    let demo_params: Vec<String> =
        std::iter::once("session: &msgraph_calls::sessions::CallSession".to_owned())
            .chain(rest.iter().map(|(p, ty)| {
                let ty = quote!(#ty)
                    .to_string()
                    .replace(" :: ", "::")
                    .replace("& ", "&")
                    .replace("types::", "msgraph_calls::types::");
                format!("{p}: {ty}")
            }))
            .collect();
    let demo = |binding: &str, then: &str| {
        format!(
            "```no_run\n# async fn demo({}) -> Result<(), Box<dyn std::error::Error>> {{\n{binding}session.{name}({}).await?{then};\n# Ok(()) }}\n```",
            demo_params.join(", "),
            demo_args.join(", "),
        )
    };
    match m.completion {
        Completion::Incoming => Ok(None),
        Completion::Response => {
            let doc = format!(
                "{summary}, on this session's call: [`Client::{name}`](crate::Client::{name}) with \
                 the session's call id, its result as Graph answered.{}\n\n{}",
                if on_participant {
                    ""
                } else {
                    " A `404` with Graph's error body ends the session: Graph no longer knows the call."
                },
                demo("", "")
            );
            let observe = if on_participant {
                quote!(result)
            } else {
                quote!(self.observe(#name, result).await)
            };
            Ok(Some(quote! {
                #[doc = #doc]
                pub async fn #ident(&self, #(#args),*) -> Result<#output, crate::Error> {
                    let result = self.client().#ident(#(#forwarded),*).await;
                    #observe
                }
            }))
        }
        Completion::Notification => {
            if output_text != "crate::resources::CommsOperation" {
                return Err(spec.error_at(
                    &["paths", m.path, m.method, "responses"],
                    format!("{here}: `{COMPLETION}: notification` needs a success response read as `CommsOperation`, not `{output_text}`"),
                ));
            }
            if !body_has_client_context(spec, m.operation) {
                return Err(spec.error_at(
                    &["paths", m.path, m.method, "requestBody"],
                    format!("{here}: `{COMPLETION}: notification` needs a request body (a component) with a `clientContext` property, by which its completion is found"),
                ));
            }
            // A 404 to an operation on a participant says the participant is gone, not the call.
            let ends_on_404 = !on_participant;
            let doc = format!(
                "{summary}, on this session's call, awaited to its end: returns once Graph accepted it; the \
                 [`Pending`](crate::sessions::Pending)'s `finished()` resolves with the finished \
                 operation, or says why not (failed, timed out, the call ended first).\n\n\
                 The body's `clientContext` correlates the completion: when it has none, a unique \
                 one is filled in; one over 256 characters (Graph's limit) is refused before anything \
                 is sent. The waiter exists before the request is sent, so a completion that arrives \
                 before Graph's response is not missed, and a response that already says \
                 `completed` or `failed` resolves at once.{}\n\n{}",
                if on_participant {
                    ""
                } else {
                    " A `404` with Graph's error body ends the session: Graph no longer knows the call."
                },
                demo("let pending = ", ";\nlet finished = pending.finished().await?")
            );
            Ok(Some(quote! {
                #[doc = #doc]
                pub async fn #ident(&self, #(#args),*) -> Result<crate::sessions::Pending, crate::Error> {
                    let mut body = body.clone();
                    let expected = self.expect(#name, &mut body.client_context)?;
                    let result = self.client().#ident(#(#forwarded),*).await;
                    self.started(expected, result, #ends_on_404).await
                }
            }))
        }
    }
}

/// Whether the operation's request body is a component with a `clientContext` property.
fn body_has_client_context(spec: &Spec, operation: &Operation) -> bool {
    let Some(ReferenceOr::Item(body)) = operation.request_body.as_ref() else {
        return false;
    };
    body.content
        .values()
        .filter_map(|media| media.schema.as_ref())
        .any(|schema| {
            let ReferenceOr::Reference { reference } = schema else {
                return false;
            };
            let Some(name) = crate::names::component_of(reference) else {
                return false;
            };
            let Some(component) = spec.schema(name) else {
                return false;
            };
            match &component.schema_kind {
                openapiv3::SchemaKind::Type(openapiv3::Type::Object(object)) => {
                    object.properties.contains_key("clientContext")
                }
                _ => false,
            }
        })
}
