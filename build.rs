//! Generates the crate's Rust from `schema/` into `OUT_DIR`: `types.rs` (request bodies, Graph's
//! error body), `client.rs` (progenitor's client), `model.rs` (the notification types) and
//! `operations.rs` (the crate's operation methods, the stand-in's routes) from
//! `schema/openapi.yaml` and its `examples/`; `termination.rs` from
//! `schema/termination-codes.csv`; `termination_rules.rs` from `schema/termination-rules.csv`
//! and `schema/sip-responses.csv`. `src/generated.rs` includes the six. The generator lives in `codegen/` (crate `msgraph-calls-codegen`), where
//! it is tested.

use std::path::{Path, PathBuf};

fn main() {
    println!("cargo::rerun-if-changed=schema");
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    match msgraph_calls_codegen::generate(Path::new("schema"), "schema") {
        Ok(files) => {
            for file in files {
                let path = out_dir.join(file.name);
                if let Err(e) = std::fs::write(&path, file.contents) {
                    println!("cargo::error=cannot write {}: {e}", path.display());
                }
            }
        }
        Err(problems) => {
            for problem in problems {
                println!("cargo::error={problem}");
            }
        }
    }
}
