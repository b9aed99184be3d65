//! The generator behind `msgraph-calls`: it reads `schema/` and writes Rust.
//!
//! `build.rs` of `msgraph-calls` calls [`generate`] and writes each [`GeneratedFile`] into
//! `OUT_DIR`; `cargo xtask codegen` calls the same function and writes the files where a person
//! can read them. Nothing here touches the file system except [`generate`] reading its inputs.
//!
//! This file orchestrates; each step lives in its own module:
//! - [`spec`] reads `openapi.yaml` once and knows the line of every key;
//! - [`openapi`] turns it into `types.rs` (Graph's types) and `client.rs` (one method per
//!   operation) through progenitor and typify, the bodies made to grow by `builders`
//!   (`#[non_exhaustive]`, `new` and `with_` methods);
//! - [`operations`] turns progenitor's methods into the crate's own (`operations.rs`): named by
//!   `x-rust-name`, retried as `x-idempotent` says, ids checked, through one request path;
//!   and the call sessions' methods, awaited as `x-completion` says (`sessions`);
//! - [`model`] turns the notification components into `model.rs`, with the project's own rules;
//! - [`termination`] turns `termination-codes.csv` into `termination.rs`;
//! - [`rules`] turns `termination-rules.csv` and `sip-responses.csv` into
//!   `termination_rules.rs`, how pairs no row names are explained;
//! - [`graph`] is the table of Graph-specific policy the generators share, [`names`] the
//!   naming rules.
//!
//! Bad input never panics: every problem found becomes a [`Diagnostic`] naming the file and,
//! where it has one, the line, and all of them are returned together.

use std::path::Path;

mod builders;
pub mod csv;
pub mod graph;
pub mod model;
pub mod names;
pub mod openapi;
pub mod operations;
mod output;
mod pages;
mod routes;
pub mod rules;
mod sessions;
pub mod spec;
pub mod termination;

pub use output::{Diagnostic, GeneratedFile};

/// The OpenAPI excerpt, relative to the schema folder.
pub const OPENAPI_FILE: &str = "openapi.yaml";
/// The termination table, relative to the schema folder.
pub const TERMINATION_FILE: &str = "termination-codes.csv";
/// The rules for pairs no row names, relative to the schema folder.
pub const RULES_FILE: &str = "termination-rules.csv";
/// The SIP reason phrases, relative to the schema folder.
pub const SIP_FILE: &str = "sip-responses.csv";

/// Reads `openapi.yaml`, `termination-codes.csv`, `termination-rules.csv` and
/// `sip-responses.csv` from `schema_dir` and generates `types.rs`, `client.rs`, `model.rs`,
/// `operations.rs`, `termination.rs` and `termination_rules.rs`, in that order.
///
/// `display_dir` is how diagnostics name the folder, and the folder's path under the crate root
/// that the generated code includes the spec's example files from (`schema` for the crate's own
/// build).
/// Returns every problem found in all inputs when any is bad.
pub fn generate(
    schema_dir: &Path,
    display_dir: &str,
) -> Result<Vec<GeneratedFile>, Vec<Diagnostic>> {
    let name = |file: &str| format!("{display_dir}/{file}");
    let (spec_name, csv_name) = (name(OPENAPI_FILE), name(TERMINATION_FILE));
    let (rules_name, sip_name) = (name(RULES_FILE), name(SIP_FILE));
    let spec = read(schema_dir, OPENAPI_FILE, &spec_name);
    let csv = read(schema_dir, TERMINATION_FILE, &csv_name);
    let api = spec.and_then(|text| generate_api_in(&text, &spec_name, Some(schema_dir)));
    let table = csv.and_then(|text| termination::generate(&text, &csv_name));
    let rules = output::both(
        read(schema_dir, RULES_FILE, &rules_name),
        read(schema_dir, SIP_FILE, &sip_name),
    )
    .and_then(|(rules, sip)| rules::generate(&rules, &rules_name, &sip, &sip_name));
    let (mut files, rules) = output::both(join(api, table), rules)?;
    files.push(rules);
    Ok(files)
}

/// [`generate`] from the texts of the two inputs, named `spec_name` and `csv_name` in
/// diagnostics.
pub fn generate_from(
    spec: &str,
    spec_name: &str,
    csv: &str,
    csv_name: &str,
) -> Result<Vec<GeneratedFile>, Vec<Diagnostic>> {
    join(
        generate_api(spec, spec_name),
        termination::generate(csv, csv_name),
    )
}

/// The API's four files and the table's, or the problems of both inputs together.
fn join(
    api: Result<Vec<GeneratedFile>, Vec<Diagnostic>>,
    table: Result<GeneratedFile, Vec<Diagnostic>>,
) -> Result<Vec<GeneratedFile>, Vec<Diagnostic>> {
    let (mut files, table) = output::both(api, table)?;
    files.push(table);
    Ok(files)
}

/// `types.rs`, `client.rs`, `model.rs` and `operations.rs` from the text of `openapi.yaml`.
pub fn generate_api(text: &str, file: &str) -> Result<Vec<GeneratedFile>, Vec<Diagnostic>> {
    generate_api_in(text, file, None)
}

/// [`generate_api`], the files the spec names (its examples) checked in `dir` when given.
fn generate_api_in(
    text: &str,
    file: &str,
    dir: Option<&Path>,
) -> Result<Vec<GeneratedFile>, Vec<Diagnostic>> {
    let mut spec = spec::Spec::parse(text, file)?;
    spec.dir = dir.map(Path::to_path_buf);
    let model_types = model::model_types(&spec);
    let model = model::generate(&spec)?;
    let ([types, client], client_ast) = openapi::generate(&spec, &model_types)?;
    let operations = operations::generate(&spec, &client_ast)?;
    Ok(vec![types, client, model, operations])
}

fn read(dir: &Path, file: &str, display: &str) -> Result<String, Vec<Diagnostic>> {
    std::fs::read_to_string(dir.join(file))
        .map_err(|e| vec![Diagnostic::in_file(display, format!("cannot be read: {e}"))])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn crate_schema() -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../schema")
    }

    #[test]
    fn the_crate_schema_generates_six_files() {
        let files = generate(&crate_schema(), "schema").unwrap();
        let names: Vec<_> = files.iter().map(|f| f.name).collect();
        assert_eq!(
            names,
            [
                "types.rs",
                "client.rs",
                "model.rs",
                "operations.rs",
                "termination.rs",
                "termination_rules.rs"
            ]
        );
    }

    #[test]
    fn generation_is_deterministic() {
        assert_eq!(
            generate(&crate_schema(), "schema").unwrap(),
            generate(&crate_schema(), "schema").unwrap()
        );
    }

    #[test]
    fn editing_one_schema_field_changes_the_generated_model() {
        let spec = std::fs::read_to_string(crate_schema().join(OPENAPI_FILE)).unwrap();
        let edited = spec.replacen(
            "        callChainId:\n",
            "        callChainIdentifier:\n",
            1,
        );
        assert_ne!(
            spec, edited,
            "the schema no longer has callChainId; pick another field"
        );
        let model = |text: &str| {
            generate_api(text, "schema/openapi.yaml").unwrap()[2]
                .contents
                .clone()
        };
        let (before, after) = (model(&spec), model(&edited));
        assert!(before.contains("pub call_chain_id:"));
        assert!(after.contains("pub call_chain_identifier:"));
        assert!(!after.contains("pub call_chain_id:"));
    }

    #[test]
    fn a_missing_input_is_named() {
        let problems = generate(Path::new("/nonexistent/schema"), "schema").unwrap_err();
        assert_eq!(problems.len(), 4);
        assert!(problems[0]
            .to_string()
            .starts_with("schema/openapi.yaml: cannot be read"));
        assert!(problems[1]
            .to_string()
            .starts_with("schema/termination-codes.csv: cannot be read"));
    }
}
