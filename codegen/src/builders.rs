//! The request bodies of `types.rs` made to grow without breaking the code that builds them.
//!
//! typify writes plain structs with public fields, which users could only build with struct
//! literals: a property added to the schema would then break every literal. Here each struct
//! becomes `#[non_exhaustive]` and gets `new`, which takes the schema's required properties in
//! the order typify declares them, and one `with_` method for each optional property; a struct
//! with no required property gets `Default` too. typify's enums become `#[non_exhaustive]`, as
//! Graph adds values. A new optional property is then a new field and a new `with_` method: a
//! minor change. A new required property changes `new`, as it changes what Graph accepts.
//!
//! ```text
//! AnswerRequest::new([Modality::Audio], MediaConfig::service_hosted())
//!     .with_callback_uri("https://bot.contoso.com/api/calls")
//! ```

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::ext::IdentExt;
use syn::{parse_quote, Attribute, Field, GenericArgument, Item, ItemStruct, PathArguments, Type};

/// What a field of a typify struct is for its builders.
enum Role {
    /// In `new`, as a parameter.
    Required,
    /// Left at its default by `new`, set by a `with_` method; `default` is the serde default.
    Optional { default: TokenStream },
    /// The `#[serde(flatten)]` map of properties the schema does not name: left empty.
    Extra,
}

/// What `#[serde(...)]` on a field says.
struct Serde {
    /// The property's name in JSON (`rename`, else the field's name).
    json: String,
    role: Role,
}

/// Marks every top-level struct and enum of `types` `#[non_exhaustive]` and puts after each
/// struct its `new`, its `with_` methods and, when nothing is required, `Default`; its
/// redacting `Debug` (in place of typify's derive); and its body check (`crate::bodies::CheckBody`:
/// the client context's length, no property both typed and in `extra`).
pub fn make_growable(types: &mut syn::File) -> Result<(), String> {
    let has_default = with_default(types);
    let mut items = Vec::with_capacity(types.items.len() * 2);
    for mut item in std::mem::take(&mut types.items) {
        let builders = match &mut item {
            Item::Struct(s) if matches!(s.fields, syn::Fields::Named(_)) => {
                if !s.generics.params.is_empty() {
                    return Err(format!("`{}` is generic", s.ident));
                }
                s.attrs.push(parse_quote!(#[non_exhaustive]));
                let debug = redacting_debug(s);
                let mut tokens = builders(s, has_default.contains(&s.ident.to_string()))?;
                tokens.extend(debug);
                Some(tokens)
            }
            Item::Enum(e) => {
                e.attrs.push(parse_quote!(#[non_exhaustive]));
                None
            }
            _ => None,
        };
        items.push(item);
        if let Some(tokens) = builders {
            let file: syn::File = syn::parse2(tokens).map_err(|e| e.to_string())?;
            items.extend(file.items);
        }
    }
    types.items = items;
    Ok(())
}

/// Takes `Debug` off the struct's derives and gives it one that shows the body as its JSON,
/// the values of secret-named properties and URLs' query strings hidden
/// (`wire::debug_as_json`): a prompt's SAS URL, or an `accessToken` set in `extra`, never
/// reaches a log. A struct typify did not derive `Debug` for gets none.
fn redacting_debug(s: &mut ItemStruct) -> TokenStream {
    let mut derived = false;
    for attr in s.attrs.iter_mut().filter(|a| a.path().is_ident("derive")) {
        let Ok(paths) = attr.parse_args_with(
            syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated,
        ) else {
            continue;
        };
        let kept: Vec<&syn::Path> = paths
            .iter()
            .filter(|path| {
                let debug = path.segments.last().is_some_and(|s| s.ident == "Debug");
                derived |= debug;
                !debug
            })
            .collect();
        *attr = parse_quote!(#[derive(#(#kept),*)]);
    }
    if !derived {
        return TokenStream::new();
    }
    let ident = &s.ident;
    let name = ident.to_string();
    let wire = crate::graph::path(crate::graph::WIRE_MODULE);
    quote! {
        impl ::std::fmt::Debug for #ident {
            /// The body as its JSON: properties named like secrets, and URLs' query strings and
            /// user info, shown as `<redacted>`.
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                #wire::debug_as_json(#name, self, f)
            }
        }
    }
}

/// The types typify already gave `Default`, by a derive or an impl.
fn with_default(types: &syn::File) -> std::collections::HashSet<String> {
    let is_default = |path: &syn::Path| path.segments.last().is_some_and(|s| s.ident == "Default");
    let mut names = std::collections::HashSet::new();
    for item in &types.items {
        match item {
            Item::Struct(s) => {
                let derives = s.attrs.iter().filter(|a| a.path().is_ident("derive"));
                let mut derives_default = false;
                for attr in derives {
                    // A derive list that does not read names no Default this module could see.
                    let _ = attr.parse_nested_meta(|meta| {
                        derives_default |= is_default(&meta.path);
                        Ok(())
                    });
                }
                if derives_default {
                    names.insert(s.ident.to_string());
                }
            }
            Item::Impl(imp) if imp.trait_.as_ref().is_some_and(|(t, _)| is_default(t)) => {
                if let Type::Path(ty) = &*imp.self_ty {
                    if let Some(last) = ty.path.segments.last() {
                        names.insert(last.ident.to_string());
                    }
                }
            }
            _ => {}
        }
    }
    names
}

/// `impl S { new, with_... }` and, for a struct with nothing required that has no `Default`
/// yet, `impl Default for S`.
fn builders(s: &ItemStruct, has_default: bool) -> Result<TokenStream, String> {
    let name = &s.ident;
    let (mut params, mut inits, mut required, mut setters) = (vec![], vec![], vec![], vec![]);
    // What the body check reads: the JSON names of the typed properties, the map of the others,
    // and the client context, typed.
    let (mut typed_names, mut extra_field, mut client_context) = (vec![], None, None);
    for field in &s.fields {
        let ident = field
            .ident
            .as_ref()
            .ok_or_else(|| format!("`{name}` has a field without a name"))?;
        let serde = serde_of(field, ident).map_err(|e| format!("`{name}.{ident}`: {e}"))?;
        let ty = &field.ty;
        if !matches!(serde.role, Role::Extra) {
            typed_names.push(serde.json.clone());
        }
        if serde.json == CLIENT_CONTEXT {
            client_context = Some(if wrapped(ty, "Option").is_some() {
                quote!(self.#ident.as_deref())
            } else {
                quote!(Some(self.#ident.as_str()))
            });
        }
        match serde.role {
            Role::Required => {
                let (param, value) = parameter(ident, ty);
                params.push(param);
                let same = *ident == value.to_string();
                inits.push(if same {
                    quote!(#ident)
                } else {
                    quote!(#ident: #value)
                });
                required.push(format!("`{}`", serde.json));
            }
            Role::Optional { default } => {
                inits.push(quote!(#ident: #default));
                setters.push(setter(ident, ty, &serde.json, &docs(&field.attrs)));
            }
            Role::Extra if is_map(ty) => {
                extra_field = Some(ident.clone());
                inits.push(quote!(#ident: ::std::default::Default::default()))
            }
            Role::Extra => {
                return Err(format!(
                    "`{name}.{ident}` is flattened but is not the map of unnamed properties"
                ))
            }
        }
    }
    let new_doc = match (required.is_empty(), setters.is_empty()) {
        (true, _) => "Makes one with no property set; set them with its `with_` methods.".to_owned(),
        (false, true) => format!(
            "Makes one from the properties Graph requires ({}).",
            required.join(", ")
        ),
        (false, false) => format!(
            "Makes one from the properties Graph requires ({}); set the others with its `with_` methods.",
            required.join(", ")
        ),
    };
    let default = (required.is_empty() && !has_default).then(|| {
        quote! {
            impl ::std::default::Default for #name {
                fn default() -> Self {
                    Self::new()
                }
            }
        }
    });
    let client_context = client_context.unwrap_or_else(|| quote!(None));
    let (extra, with_property, typed) = match &extra_field {
        Some(extra) => (
            quote!(Some(&self.#extra)),
            quote! {
                impl crate::bodies::WithProperty for #name {
                    const TYPED: &'static [&'static str] = &[#(#typed_names),*];
                    fn extra_properties(&mut self) -> &mut ::serde_json::Map<::std::string::String, ::serde_json::Value> {
                        &mut self.#extra
                    }
                }
            },
            quote!(<Self as crate::bodies::WithProperty>::TYPED),
        ),
        None => (quote!(None), quote!(), quote!(&[#(#typed_names),*])),
    };
    Ok(quote! {
        impl #name {
            #[doc = #new_doc]
            pub fn new(#(#params),*) -> Self {
                Self { #(#inits),* }
            }
            #(#setters)*
        }
        #default
        #with_property
        impl crate::bodies::CheckBody for #name {
            fn check(&self) -> ::std::result::Result<(), crate::Error> {
                crate::bodies::check_body(#client_context, #extra, #typed)
            }
        }
    })
}

/// The property Graph echoes in an operation's notifications, at most 256 characters.
const CLIENT_CONTEXT: &str = "clientContext";

/// Reads `#[serde(rename, default, flatten)]`; anything else in `serde(...)` is skipped, as a
/// value (`= "..."`) or a list (`(...)`).
fn serde_of(field: &Field, ident: &syn::Ident) -> syn::Result<Serde> {
    let (mut json, mut default, mut flatten) = (None, None, false);
    for attr in field.attrs.iter().filter(|a| a.path().is_ident("serde")) {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename") {
                json = Some(meta.value()?.parse::<syn::LitStr>()?.value());
            } else if meta.path.is_ident("flatten") {
                flatten = true;
            } else if meta.path.is_ident("default") {
                default = Some(if meta.input.peek(syn::Token![=]) {
                    let path: syn::Path = meta.value()?.parse::<syn::LitStr>()?.parse()?;
                    quote!(#path())
                } else {
                    quote!(::std::default::Default::default())
                });
            } else if meta.input.peek(syn::Token![=]) {
                meta.value()?.parse::<syn::Expr>()?;
            } else if meta.input.peek(syn::token::Paren) {
                let inside;
                syn::parenthesized!(inside in meta.input);
                inside.parse::<TokenStream>()?;
            }
            Ok(())
        })?;
    }
    let role = if flatten {
        Role::Extra
    } else if let Some(default) = default {
        Role::Optional { default }
    } else if wrapped(&field.ty, "Option").is_some() {
        Role::Optional {
            default: quote!(::std::option::Option::None),
        }
    } else {
        Role::Required
    };
    Ok(Serde {
        json: json.unwrap_or_else(|| ident.unraw().to_string()),
        role,
    })
}

/// The parameter a value of `ty` is taken as, and the expression that makes it `ty`: strings
/// from anything that converts into one, lists from any iterator (of anything that converts
/// into a string, for a list of strings), the rest as they are.
fn parameter(ident: &syn::Ident, ty: &Type) -> (TokenStream, TokenStream) {
    if is_string(ty) {
        (
            quote!(#ident: impl ::std::convert::Into<::std::string::String>),
            quote!(#ident.into()),
        )
    } else if let Some(item) = wrapped(ty, "Vec").filter(|item| is_string(item)) {
        (
            quote!(#ident: impl ::std::iter::IntoIterator<Item = impl ::std::convert::Into<#item>>),
            quote!(#ident.into_iter().map(::std::convert::Into::into).collect()),
        )
    } else if let Some(item) = wrapped(ty, "Vec") {
        (
            quote!(#ident: impl ::std::iter::IntoIterator<Item = #item>),
            quote!(#ident.into_iter().collect()),
        )
    } else {
        (quote!(#ident: #ty), quote!(#ident))
    }
}

/// `with_<field>`: takes what is inside an `Option` (or a `Box<Option<_>>`), or the field's
/// own type, and returns the struct, so that calls chain.
fn setter(ident: &syn::Ident, ty: &Type, json: &str, docs: &[&Attribute]) -> TokenStream {
    let method = crate::names::setter_ident(&ident.unraw().to_string());
    let value = syn::Ident::new("value", Span::call_site());
    let boxed_option = wrapped(ty, "Box").and_then(|inner| wrapped(inner, "Option"));
    let (param, made) = match (boxed_option, wrapped(ty, "Option")) {
        (Some(inner), _) => {
            let (param, made) = parameter(&value, inner);
            let made = quote!(::std::boxed::Box::new(::std::option::Option::Some(#made)));
            (param, made)
        }
        (None, Some(inner)) => {
            let (param, made) = parameter(&value, inner);
            (param, quote!(::std::option::Option::Some(#made)))
        }
        (None, None) => parameter(&value, ty),
    };
    let first = format!("Sets `{json}`.");
    let blank = (!docs.is_empty()).then(|| quote!(#[doc = ""]));
    quote! {
        #[doc = #first]
        #blank
        #(#docs)*
        pub fn #method(mut self, #param) -> Self {
            self.#ident = #made;
            self
        }
    }
}

fn docs(attrs: &[Attribute]) -> Vec<&Attribute> {
    attrs.iter().filter(|a| a.path().is_ident("doc")).collect()
}

/// `T` when `ty` is `name<T>` (`Option`, `Vec`, `Box`, by the path's last segment).
fn wrapped<'a>(ty: &'a Type, name: &str) -> Option<&'a Type> {
    let Type::Path(path) = ty else {
        return None;
    };
    let last = path.path.segments.last()?;
    if last.ident != name {
        return None;
    }
    let PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    match args.args.first()? {
        GenericArgument::Type(inner) => Some(inner),
        _ => None,
    }
}

/// Whether `ty` is a map (`serde_json::Map`, `HashMap`, `BTreeMap`): the flattened `extra`.
fn is_map(ty: &Type) -> bool {
    matches!(ty, Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident.to_string().ends_with("Map")))
}

fn is_string(ty: &Type) -> bool {
    matches!(ty, Type::Path(p) if p.qself.is_none()
        && p.path.segments.last().is_some_and(|s| s.ident == "String" && s.arguments.is_none()))
}

#[cfg(test)]
mod tests;
