//! Generates the crate's Rust from `schema/` into `OUT_DIR`: `types.rs` (Graph's error body),
//! `client.rs` (the operations) and `model.rs` (the notification types) from
//! `schema/openapi.yaml`, `termination.rs` from `schema/termination-codes.csv`. `src/generated.rs`
//! includes the four. The generator lives in `codegen/` (crate `msgraph-calls-codegen`), where
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
