//! `openapi.yaml` -> `types.rs` and `client.rs`, through progenitor and typify.
//!
//! The settings below are where Graph's reality differs from the generators' defaults; each
//! one names the reason. Everything else is progenitor's own output, split in two files:
//! the `types` module (typify) and the client (progenitor).

use openapiv3::OpenAPI;
use progenitor_impl::{GenerationSettings, Generator, HooksMode, InterfaceStyle, TagStyle};
use quote::quote;
use schemars::schema::{InstanceType, SchemaObject};

use crate::{Diagnostic, GeneratedFile};

/// Types of `schema/openapi.yaml` that the crate writes by hand, and the Rust path each becomes.
pub const REPLACEMENTS: &[(&str, &str, &str)] = &[(
    "ResourceData",
    "crate::notifications::ResourceData",
    "one entity or an array of them, told apart by `@odata.type`, unknown kinds kept as JSON",
)];

/// Graph declares `Edm.Int32`, but notification bodies carry such numbers as JSON strings too
/// (`"code": "200"` in DC api/call-delete.md). Every `format: int32` becomes this type.
pub const INT32_TYPE: &str = "crate::GraphInt32";

/// The generated types, client and notification model.
#[derive(Debug)]
pub struct Api {
    /// `types.rs`: the contents of the `types` module (typify).
    pub types: GeneratedFile,
    /// `client.rs`: the progenitor client, which refers to `types`.
    pub client: GeneratedFile,
    /// `model.rs`: the notification types ([`crate::model`]).
    pub model: GeneratedFile,
}

/// Reads the OpenAPI text into a document. `file` names it in diagnostics.
pub fn parse(text: &str, file: &str) -> Result<OpenAPI, Diagnostic> {
    serde_yaml_ng::from_str::<OpenAPI>(text).map_err(|e| {
        let message = format!("not an OpenAPI 3.0 document progenitor can read: {e}");
        match e.location() {
            Some(loc) => Diagnostic::at(file, loc.line(), message),
            None => Diagnostic::in_file(file, message),
        }
    })
}

/// The settings handed to progenitor; shared by [`generate`] and its tests. `model_types` are
/// the components [`crate::model`] generates, which typify must leave alone.
pub fn settings(model_types: &[String]) -> GenerationSettings {
    let mut settings = GenerationSettings::new();
    settings
        .with_interface(InterfaceStyle::Positional)
        .with_tag(TagStyle::Merged)
        // The crate's `Client` implements progenitor's hooks to add the bearer token and
        // drop the `api-version` header that progenitor sends and Graph does not use.
        .with_inner_type(quote!(crate::client::Hooks))
        .with_hooks(HooksMode::Expected)
        .with_derive("PartialEq");
    for (name, rust, _) in REPLACEMENTS {
        settings.with_replacement(name, rust, std::iter::empty());
    }
    for name in model_types {
        settings.with_replacement(
            name,
            format!("crate::notifications::{name}"),
            std::iter::empty(),
        );
    }
    for schema in int32_schemas() {
        settings.with_conversion(schema, INT32_TYPE, std::iter::empty());
    }
    settings
}

/// The int32 schemas typify is asked to convert: typify matches a conversion on the whole
/// schema but its description, so the bounds Graph's published OpenAPI adds are listed too.
fn int32_schemas() -> Vec<SchemaObject> {
    let plain = SchemaObject {
        instance_type: Some(InstanceType::Integer.into()),
        format: Some("int32".to_owned()),
        ..Default::default()
    };
    let bounded = SchemaObject {
        number: Some(Box::new(schemars::schema::NumberValidation {
            minimum: Some(f64::from(i32::MIN)),
            maximum: Some(f64::from(i32::MAX)),
            ..Default::default()
        })),
        ..plain.clone()
    };
    vec![plain, bounded]
}

/// Reads the spec and generates `types.rs` and `client.rs`.
pub fn generate(text: &str, file: &str) -> Result<Api, Vec<Diagnostic>> {
    let spec = parse(text, file).map_err(|d| vec![d])?;
    let dangling = dangling_references(text, file);
    if !dangling.is_empty() {
        return Err(dangling);
    }
    let operations = count_operations(&spec);
    let model_types = crate::model::model_types(&spec);
    let model = crate::model::generate(&spec, file)?;

    // typify panics on some schemas it cannot handle; a build must fail with a message instead.
    let tokens =
        std::panic::catch_unwind(|| Generator::new(&settings(&model_types)).generate_tokens(&spec))
            .map_err(|panic| {
                let what = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                    .unwrap_or_default();
                vec![Diagnostic::in_file(
                    file,
                    format!("progenitor or typify gave up on it: {what}"),
                )]
            })?
            .map_err(|e| {
                vec![Diagnostic::in_file(
                    file,
                    format!("progenitor cannot generate a client from it: {e}"),
                )]
            })?;
    let file_ast: syn::File = syn::parse2(tokens).map_err(|e| {
        vec![Diagnostic::in_file(
            file,
            format!("progenitor produced Rust that does not parse ({e}); this is a bug in the generator"),
        )]
    })?;

    let (types, client) = split_types(file_ast).map_err(|m| vec![Diagnostic::in_file(file, m)])?;
    let emitted = count_async_methods(&client);
    if emitted != operations {
        return Err(vec![Diagnostic::in_file(
            file,
            format!("declares {operations} operation(s) but the client has {emitted} method(s)"),
        )]);
    }
    if let Some(field) = unconverted_int32(&types) {
        return Err(vec![Diagnostic::in_file(
            file,
            format!("`{field}` is an int32 that was not turned into {INT32_TYPE}; give it `type: integer, format: int32` and no other keyword"),
        )]);
    }

    let render = |f: syn::File| crate::render(quote!(#f), file).map_err(|d| vec![d]);
    Ok(Api {
        types: GeneratedFile {
            name: "types.rs",
            contents: render(types)?,
        },
        client: GeneratedFile {
            name: "client.rs",
            contents: render(client)?,
        },
        model: GeneratedFile {
            name: "model.rs",
            contents: crate::render(model, file).map_err(|d| vec![d])?,
        },
    })
}

/// Every local `$ref` must name a component that exists (typify panics otherwise).
fn dangling_references(text: &str, file: &str) -> Vec<Diagnostic> {
    let Ok(doc) = serde_yaml_ng::from_str::<serde_yaml_ng::Value>(text) else {
        return Vec::new();
    };
    let mut refs = Vec::new();
    collect_refs(&doc, &mut refs);
    refs.sort();
    refs.dedup();
    refs.into_iter()
        .filter(|target| !resolves(&doc, target))
        .map(|target| {
            let message = format!(
                "`$ref: {target}` points at nothing; define it under components or fix the name"
            );
            match text
                .lines()
                .position(|line| line.contains("$ref") && line.contains(target.as_str()))
            {
                Some(index) => Diagnostic::at(file, index + 1, message),
                None => Diagnostic::in_file(file, message),
            }
        })
        .collect()
}

fn collect_refs(value: &serde_yaml_ng::Value, out: &mut Vec<String>) {
    match value {
        serde_yaml_ng::Value::Mapping(map) => {
            for (key, value) in map {
                match (key.as_str(), value.as_str()) {
                    (Some("$ref"), Some(target)) => out.push(target.to_owned()),
                    _ => collect_refs(value, out),
                }
            }
        }
        serde_yaml_ng::Value::Sequence(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}

fn resolves(doc: &serde_yaml_ng::Value, target: &str) -> bool {
    let Some(path) = target.strip_prefix("#/") else {
        return false;
    };
    path.split('/')
        .try_fold(doc, |node, segment| {
            node.get(segment.replace("~1", "/").replace("~0", "~"))
        })
        .is_some()
}

fn count_operations(spec: &OpenAPI) -> usize {
    spec.paths
        .iter()
        .filter_map(|(_, item)| item.as_item())
        .map(|item| item.iter().count())
        .sum()
}

/// Moves the items of progenitor's `pub mod types { ... }` into a file of their own; the
/// client file keeps everything else and declares `pub mod types;` through the crate.
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
    client
        .items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Impl(imp) if imp.trait_.is_none() => Some(imp),
            _ => None,
        })
        .flat_map(|imp| imp.items.iter())
        .filter(|item| matches!(item, syn::ImplItem::Fn(f) if f.sig.asyncness.is_some()))
        .count()
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

    fn spec(schemas: &str) -> String {
        format!(
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
        )
    }

    const RESULT_INFO: &str = "    ResultInfo:\n      type: object\n      properties:\n        code: {type: integer, format: int32}\n";

    #[test]
    fn yaml_errors_name_the_line() {
        let err = parse("openapi: 3.0.4\ninfo: [unclosed\n", FILE).unwrap_err();
        assert_eq!(err.file, FILE);
        assert!(err.line.is_some_and(|l| l >= 2), "{err}");
    }

    #[test]
    fn a_document_that_is_not_openapi_is_refused() {
        let err = parse("just: a map\n", FILE).unwrap_err();
        assert!(err.to_string().starts_with("schema/openapi.yaml:"), "{err}");
        assert!(err.message.contains("not an OpenAPI 3.0 document"), "{err}");
    }

    #[test]
    fn int32_fields_become_graph_int32() {
        let api = generate(&spec(RESULT_INFO), FILE).unwrap();
        assert!(
            api.types
                .contents
                .contains("code: ::std::option::Option<crate::GraphInt32>"),
            "{}",
            api.types.contents
        );
        assert!(api
            .client
            .contents
            .starts_with("// @generated by build.rs from schema/openapi.yaml. Do not edit."));
        assert!(api
            .client
            .contents
            .contains("pub async fn communication_delete_call"));
    }

    #[test]
    fn an_int32_with_other_keywords_is_reported() {
        let schemas = "    ResultInfo:\n      type: object\n      properties:\n        code: {type: integer, format: int32, minimum: 0}\n";
        let errs = generate(&spec(schemas), FILE).unwrap_err();
        assert!(
            errs[0]
                .to_string()
                .contains("`ResultInfo.code` is an int32 that was not turned into"),
            "{errs:?}"
        );
    }

    #[test]
    fn a_dangling_reference_is_reported() {
        let schemas = "    Call:\n      type: object\n      properties:\n        state: {$ref: '#/components/schemas/Missing'}\n";
        let errs = generate(&spec(schemas), FILE).unwrap_err();
        assert_eq!(errs.len(), 1);
        assert_eq!(
            errs[0].to_string(),
            "schema/openapi.yaml:16: `$ref: #/components/schemas/Missing` points at nothing; define it under components or fix the name"
        );
    }
}
