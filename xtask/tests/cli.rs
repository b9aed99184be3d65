//! The tasks as a maintainer runs them: the `xtask` binary, its output and exit status.

use std::path::PathBuf;
use std::process::Command;

fn xtask(args: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn temp_file(name: &str, contents: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("msgraph-calls-xtask-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    path
}

#[test]
fn bare_xtask_lists_the_tasks() {
    let (code, out, _) = xtask(&[]);
    assert_eq!(code, 0);
    for task in [
        "codegen",
        "spec-diff",
        "import-codes",
        "harvest-codes",
        "ci",
    ] {
        assert!(out.contains(task), "{out}");
    }
}

#[test]
fn an_unknown_task_is_bad_input() {
    let (code, _, err) = xtask(&["regenerate"]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown task `regenerate`"), "{err}");
}

#[test]
fn codegen_check_passes_on_the_committed_snapshots() {
    let (code, out, err) = xtask(&["codegen", "--check"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("up to date"), "{out}");
}

#[test]
fn spec_diff_reports_a_new_call_state() {
    // The crate's own excerpt as upstream, with one more callState member and the component
    // renamed the way Graph's documents name it.
    let local = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../schema/openapi.yaml"
    ))
    .unwrap();
    let upstream = local
        .replace("    CallState:\n", "    microsoft.graph.callState:\n")
        .replace(
            "#/components/schemas/CallState",
            "#/components/schemas/microsoft.graph.callState",
        )
        .replacen(
            "        - terminated\n",
            "        - terminated\n        - parked\n",
            1,
        );
    let path = temp_file("upstream-new-state.yaml", &upstream);
    let (code, out, _) = xtask(&["spec-diff", path.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("CallState (microsoft.graph.callState): new enum member `parked`"),
        "{out}"
    );
}

#[test]
fn spec_diff_refuses_a_missing_file_and_a_document_that_is_not_openapi() {
    let (code, _, err) = xtask(&["spec-diff", "/nonexistent/upstream.yaml"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("/nonexistent/upstream.yaml: cannot be read"),
        "{err}"
    );
    let path = temp_file("swagger.yaml", "swagger: '2.0'\npaths: {}\n");
    let (code, _, err) = xtask(&["spec-diff", path.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("not an OpenAPI 3.0 document"), "{err}");
}

#[test]
fn import_codes_reports_without_writing() {
    let page = temp_file(
        "page.md",
        "| Code | Subcode | Reason |\n|--|--|--|\n| 200 | 5001 | The conversation has ended, really. |\n",
    );
    let before = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../schema/termination-codes.csv"
    ))
    .unwrap();
    let (code, out, _) = xtask(&["import-codes", "--lang", "en", page.to_str().unwrap()]);
    let after = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../schema/termination-codes.csv"
    ))
    .unwrap();
    assert_eq!(before, after, "nothing may be written without --write");
    assert_eq!(code, 1);
    assert!(out.contains("200/5001 differs: `The conversation has ended.` here, `The conversation has ended, really.` on the page"), "{out}");
    assert!(out.contains("pair 408/8537 is not on the page"), "{out}");
    assert!(out.contains("nothing written"), "{out}");
}

#[test]
fn import_codes_refuses_a_malformed_table_and_a_missing_page() {
    let page = temp_file(
        "bad.md",
        "| Code | Subcode | Reason |\n|--|--|--|\n| 200 | 5001 | Ended. |\n| 200 | x | Oops |\n",
    );
    let (code, _, err) = xtask(&["import-codes", "--lang", "fr", page.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(
        err.contains("bad.md:4: subcode `x` is not an integer"),
        "{err}"
    );
    let (code, _, err) = xtask(&["import-codes", "--lang", "fr", "/nonexistent/page.md"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("/nonexistent/page.md: cannot be read"),
        "{err}"
    );
    let (code, _, err) = xtask(&["import-codes", "page.md"]);
    assert_eq!(code, 2);
    assert!(err.contains("usage: cargo xtask import-codes"), "{err}");
}

#[test]
fn codegen_and_ci_refuse_unknown_arguments() {
    let (code, _, err) = xtask(&["codegen", "--fix"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("usage: cargo xtask codegen [--check]"),
        "{err}"
    );
    let (code, _, err) = xtask(&["ci", "--fast"]);
    assert_eq!(code, 2);
    assert!(err.contains("usage: cargo xtask ci"), "{err}");
}

#[test]
fn codegen_writes_what_build_rs_generates() {
    let (code, out, err) = xtask(&["codegen"]);
    assert_eq!(code, 0, "{err}");
    for file in ["types.rs", "client.rs", "model.rs", "termination.rs"] {
        let written =
            PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../target/codegen")).join(file);
        assert!(out.contains(file), "{out}");
        let text = std::fs::read_to_string(&written).unwrap();
        assert!(
            text.starts_with("// @generated by build.rs from schema/"),
            "{}",
            written.display()
        );
    }
}

#[test]
fn harvest_codes_lists_the_pairs_the_catalog_lacks_with_their_lines() {
    let folder = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/docs");
    let (code, out, err) = xtask(&["harvest-codes", folder]);
    assert_eq!(code, 1, "{out}{err}");
    assert_eq!(
        out,
        "api-reference/v1.0/api/call-record.md:13: 499/1234567 \"A pair no source names. DiagCode: 499#1234567.@\"\n\
         3 resultInfo in 2 pages; 1 pairs the catalog lacks\n"
    );
    let (code, _, err) = xtask(&["harvest-codes", "/nonexistent/docs"]);
    assert_eq!(code, 2);
    assert!(err.contains("/nonexistent/docs: cannot be read"), "{err}");
}
