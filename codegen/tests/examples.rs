//! The example files a spec names for its success responses (`examples: {doc: {externalValue:
//! ..}}`), which the `testing` stand-in answers with: each refusal with its `file:line`, and
//! the row generated for a good one. The spec is written to a directory of its own, so that
//! the files it names are checked as the crate's build checks them.

use std::path::PathBuf;

use msgraph_calls_codegen::generate;

/// A spec with one operation whose `200` has a body; `examples` (indented under its media
/// type) says where its example is.
fn spec_with(examples: &str) -> String {
    format!(
        "openapi: 3.0.4
info: {{title: t, version: v1.0}}
paths:
  /communications/calls/{{call-id}}:
    get:
      operationId: call_get
      x-rust-name: get_call
      x-idempotent: true
      x-completion: response
      parameters:
        - {{name: call-id, in: path, required: true, schema: {{type: string}}}}
      responses:
        \"200\":
          description: OK
          content:
            application/json:
              schema: {{$ref: '#/components/schemas/Thing'}}
{examples}components:
  schemas:
    CommsNotifications:
      type: object
      properties:
        id: {{type: string}}
    Thing:
      type: object
      properties:
        id: {{type: string}}
"
    )
}

/// A schema directory of its own for `name`, with `spec`, the crate's CSV files, and `files`.
fn schema_dir(name: &str, spec: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "msgraph-calls-codegen-examples-{}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("examples")).unwrap();
    std::fs::write(dir.join("openapi.yaml"), spec).unwrap();
    let schema = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../schema");
    for csv in [
        "termination-codes.csv",
        "termination-rules.csv",
        "sip-responses.csv",
    ] {
        std::fs::copy(schema.join(csv), dir.join(csv)).unwrap();
    }
    for (file, text) in files {
        std::fs::write(dir.join(file), text).unwrap();
    }
    dir
}

/// The problems of generating from `spec` (and `files`), as text.
fn problems(name: &str, spec: &str, files: &[(&str, &str)]) -> Vec<String> {
    let dir = schema_dir(name, spec, files);
    let result = generate(&dir, "schema");
    let _ = std::fs::remove_dir_all(&dir);
    match result {
        Ok(_) => Vec::new(),
        Err(problems) => problems.iter().map(ToString::to_string).collect(),
    }
}

const CONTENT_LINE: &str = "          content:";

fn line_of(text: &str, line: &str) -> usize {
    text.lines().position(|l| l == line).unwrap() + 1
}

fn example(file: &str) -> String {
    format!(
        "              examples:\n                doc:\n                  externalValue: {file}\n"
    )
}

#[test]
fn a_response_body_without_an_example_is_refused() {
    let spec = spec_with("");
    let line = line_of(&spec, CONTENT_LINE);
    assert_eq!(
        problems("none", &spec, &[]),
        [format!("schema/openapi.yaml:{line}: GET /communications/calls/{{call-id}}: the 200 response has a body but no example file (`examples: {{doc: {{externalValue: examples/<name>.json}}}}`), which the stand-in answers with")]
    );
}

#[test]
fn an_example_outside_the_schema_directory_is_refused() {
    for file in [
        "../secrets.json",
        "/etc/passwd",
        "examples/../../x.json",
        "examples//x.json",
    ] {
        let spec = spec_with(&example(file));
        let line = line_of(&spec, CONTENT_LINE);
        assert_eq!(
            problems("outside", &spec, &[]),
            [format!("schema/openapi.yaml:{line}: GET /communications/calls/{{call-id}}: the example `{file}` is not a path inside the schema directory")],
            "{file}"
        );
    }
}

#[test]
fn an_example_that_is_missing_or_not_json_is_refused() {
    let spec = spec_with(&example("examples/get-call.response.json"));
    let line = line_of(&spec, CONTENT_LINE);
    let missing = problems("missing", &spec, &[]);
    assert_eq!(missing.len(), 1);
    assert!(
        missing[0].starts_with(&format!("schema/openapi.yaml:{line}: GET /communications/calls/{{call-id}}: the example `examples/get-call.response.json` cannot be read: ")),
        "{missing:?}"
    );
    let broken = problems(
        "broken",
        &spec,
        &[("examples/get-call.response.json", "{\"id\": [")],
    );
    assert_eq!(broken.len(), 1);
    assert!(
        broken[0].starts_with(&format!("schema/openapi.yaml:{line}: GET /communications/calls/{{call-id}}: the example `examples/get-call.response.json` is not JSON: ")),
        "{broken:?}"
    );
}

#[test]
fn a_good_example_becomes_the_routes_answer() {
    let spec = spec_with(&example("examples/get-call.response.json"));
    let dir = schema_dir(
        "good",
        &spec,
        &[("examples/get-call.response.json", r#"{"id": "1"}"#)],
    );
    let files = generate(&dir, "schema").unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    let operations = files.iter().find(|f| f.name == "operations.rs").unwrap();
    let text = operations.contents.split_whitespace().collect::<String>();
    assert!(
        text.contains(r#"name:"get_call",method:"GET",path:"/communications/calls/{call-id}",status:200,example:Some(include_str!(concat!(env!("CARGO_MANIFEST_DIR"),"/","schema/examples/get-call.response.json")),),reads:None,"#),
        "{}",
        operations.contents
    );
}
