use super::*;

const LOCAL: &str = r##"
openapi: 3.0.4
info: {title: t, version: v1.0}
x-upstream-scope: /communications/calls
x-omitted-operations:
  GET /communications/calls: Graph lists no calls to an app.
paths:
  /communications/calls/{call-id}:
    delete:
      responses:
        "204": {description: No Content}
        4XX: {description: error}
        5XX: {description: error}
  /communications/calls/{call-id}/answer:
    post:
      requestBody:
        content:
          application/json:
            schema: {$ref: "#/components/schemas/AnswerRequest"}
      responses:
        "202": {description: Accepted}
        4XX: {description: error}
        5XX: {description: error}
components:
  schemas:
    CallState:
      x-upstream: microsoft.graph.callState
      type: string
      enum: [establishing, terminated]
    Call:
      x-upstream: microsoft.graph.call
      x-omitted: {chatInfo: Read with its own operation.}
      x-local: {mine: The crate's own.}
      type: object
      properties:
        "@odata.type": {type: string}
        id: {type: string, nullable: true}
        state: {$ref: "#/components/schemas/CallState"}
        mine: {type: string}
    AnswerRequest:
      x-upstream: microsoft.graph.answer
      type: object
      properties:
        callbackUri: {type: string}
"##;

fn upstream(call_state: &str, call_extra: &str) -> String {
    format!(
        r##"
openapi: 3.0.1
info: {{title: Graph, version: v1.0}}
paths:
  /communications/calls:
    get:
      responses:
        2XX: {{description: Success}}
  /communications/calls/{{id}}:
    delete:
      responses:
        2XX: {{description: Success}}
        default: {{$ref: "#/components/responses/error"}}
  /communications/calls/{{id}}/microsoft.graph.answer:
    post:
      requestBody:
        content:
          application/json:
            schema:
              type: object
              properties:
                callbackUri: {{type: string}}
      responses:
        2XX: {{description: Success}}
        default: {{$ref: "#/components/responses/error"}}
components:
  schemas:
    microsoft.graph.entity:
      type: object
      properties:
        id: {{type: string}}
    microsoft.graph.callState:
      type: string
      enum: [{call_state}]
    microsoft.graph.call:
      allOf:
        - $ref: "#/components/schemas/microsoft.graph.entity"
        - type: object
          properties:
            state:
              anyOf:
                - $ref: "#/components/schemas/microsoft.graph.callState"
                - {{type: object, nullable: true}}
            chatInfo: {{type: object}}
{call_extra}
"##
    )
}

fn diff(upstream_text: &str) -> Vec<String> {
    let local = load(LOCAL, "local.yaml").unwrap();
    let upstream = load(upstream_text, "upstream.yaml").unwrap();
    differences(&local, &upstream)
}

#[test]
fn an_upstream_that_matches_reports_nothing() {
    assert_eq!(
        diff(&upstream("establishing, terminated", "")),
        Vec::<String>::new()
    );
}

#[test]
fn a_new_call_state_is_reported() {
    assert_eq!(
        diff(&upstream("establishing, terminated, parked", "")),
        ["CallState (microsoft.graph.callState): new enum member `parked`"]
    );
}

#[test]
fn new_removed_and_changed_properties_are_reported() {
    let extra = "            callChainId: {type: string}\n            mine: {type: string}\n";
    let mut upstream_text = upstream("establishing", extra);
    upstream_text = upstream_text.replace(
        "- $ref: \"#/components/schemas/microsoft.graph.callState\"",
        "- {type: integer, format: int32}",
    );
    assert_eq!(
        diff(&upstream_text),
        [
            "Call (microsoft.graph.call): new property `callChainId` (string)",
            "Call (microsoft.graph.call): `mine` is declared local (`x-local`), but upstream has it",
            "Call (microsoft.graph.call): property `state` is ref microsoft.graph.callState here, integer int32 upstream",
            "CallState (microsoft.graph.callState): enum member `terminated` is not in upstream",
        ]
    );
}

#[test]
fn a_string_format_upstream_adds_is_reported() {
    let text = upstream("establishing, terminated", "").replace(
        "        id: {type: string}",
        "        id: {type: string, format: uuid}",
    );
    assert_eq!(
        diff(&text),
        ["Call (microsoft.graph.call): property `id` is string here, string uuid upstream"]
    );
}

#[test]
fn action_paths_inline_bodies_and_response_groups_are_understood() {
    // The answer action matched through `microsoft.graph.answer`, its inline body compared with
    // AnswerRequest, 2XX/default taken for 202/4XX/5XX: nothing to say; a property added to
    // the inline body is found.
    let text = upstream("establishing, terminated", "").replace(
        "                callbackUri: {type: string}\n",
        "                callbackUri: {type: string}\n                callOptions: {type: object}\n",
    );
    assert_eq!(
        diff(&text),
        ["POST /communications/calls/{call-id}/answer: body AnswerRequest: new property `callOptions` (object)"]
    );
}

#[test]
fn a_missing_schema_changed_responses_and_a_new_operation_are_reported() {
    let upstream_text = upstream("establishing, terminated", "")
        .replace("microsoft.graph.callState:", "microsoft.graph.callStatus:")
        .replacen(
            "      responses:\n        2XX: {description: Success}\n        default",
            "      responses:\n        \"200\": {description: OK}\n        default",
            1,
        )
        .replace(
            "components:\n",
            "  /communications/calls/{id}/microsoft.graph.park:\n    post:\n      responses:\n        2XX: {description: Success}\ncomponents:\n",
        );
    assert_eq!(
        diff(&upstream_text),
        [
            "CallState (microsoft.graph.callState): not in upstream",
            "DELETE /communications/calls/{call-id}: answers 204 here, upstream does not say so",
            "DELETE /communications/calls/{call-id}: upstream answers 200, not declared here",
            "POST /communications/calls/{id}/microsoft.graph.park: new upstream operation",
        ]
    );
}

#[test]
fn declarations_without_reasons_and_stale_ones_are_reported() {
    let local = LOCAL
        .replace(
            "x-omitted: {chatInfo: Read with its own operation.}",
            "x-omitted: [chatInfo]",
        )
        .replace(
            "x-local: {mine: The crate's own.}",
            "x-local: {mine: The crate's own., gone: Removed since.}",
        )
        .replace("  GET /communications/calls: Graph lists no calls to an app.\n", "  GET /communications/calls: Graph lists no calls.\n  PATCH /communications/calls: Gone.\n");
    let local = load(&local, "local.yaml").unwrap();
    let upstream = load(&upstream("establishing, terminated", ""), "upstream.yaml").unwrap();
    assert_eq!(
        differences(&local, &upstream),
        [
            "Call: `x-omitted` must map each name to its reason (`x-omitted: {name: <why>}`)",
            "Call (microsoft.graph.call): new property `chatInfo` (object)",
            "Call (microsoft.graph.call): `gone` is declared local (`x-local`), but the excerpt has no such property",
            "PATCH /communications/calls: declared left out (`x-omitted-operations`), but upstream has no such operation left out",
        ]
    );
}

#[test]
fn documents_that_are_not_openapi_3_0_are_refused() {
    assert!(load("[not", "u.yaml")
        .unwrap_err()
        .starts_with("u.yaml: not YAML or JSON"));
    assert_eq!(
        load("swagger: '2.0'\n", "u.yaml").unwrap_err(),
        "u.yaml: not an OpenAPI 3.0 document (its `openapi` field is \"missing\")"
    );
    assert!(
        load("openapi: 3.1.0\ncomponents: {schemas: {}}\n", "u.yaml")
            .unwrap_err()
            .contains("not an OpenAPI 3.0")
    );
    assert_eq!(
        load("openapi: 3.0.1\n", "u.yaml").unwrap_err(),
        "u.yaml: has no `components.schemas`"
    );
}

#[test]
fn path_parameters_and_action_namespaces_do_not_matter_for_matching() {
    assert_eq!(
        path_shape("/communications/calls/{call-id}"),
        path_shape("/communications/calls/{id}")
    );
    assert_eq!(
        path_shape("/communications/calls/{call-id}/microsoft.graph.answer"),
        path_shape("/communications/calls/{id}/answer")
    );
    assert_ne!(
        path_shape("/communications/calls/{id}"),
        path_shape("/communications/calls")
    );
}

// The crate's own excerpt against Graph's published document (xtask/upstream/).

fn crate_files() -> (String, String) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let read = |p: &str| std::fs::read_to_string(root.join(p)).unwrap();
    (
        read("schema/openapi.yaml"),
        read("xtask/upstream/CloudCommunications.yml"),
    )
}

fn crate_diff(upstream_text: &str) -> Vec<String> {
    let (local, _) = crate_files();
    let local = load(&local, "schema/openapi.yaml").unwrap();
    let upstream = load(upstream_text, "CloudCommunications.yml").unwrap();
    differences(&local, &upstream)
}

#[test]
fn the_crate_excerpt_differs_from_graphs_document_only_where_it_says_why() {
    let (_, upstream_text) = crate_files();
    assert_eq!(crate_diff(&upstream_text), Vec::<String>::new());
}

#[test]
fn a_change_seeded_into_graphs_document_is_found_among_the_declarations() {
    let (_, upstream_text) = crate_files();
    let seed = |text: &str, from: &str, to: &str| {
        assert!(
            text.contains(from),
            "the upstream document no longer has {from:?}"
        );
        text.replacen(from, to, 1)
    };
    // A new call state, a new participant property, a changed property type, a new operation.
    let text = seed(
        &upstream_text,
        "      enum:\n        - incoming\n        - establishing\n",
        "      enum:\n        - incoming\n        - parked\n        - establishing\n",
    );
    let text = seed(
        &text,
        "            isInLobby:\n              type: boolean\n",
        "            isSpotlighted:\n              type: boolean\n            isInLobby:\n              type: boolean\n",
    );
    let text = seed(
        &text,
        "            isMuted:\n              type: boolean\n              description: true if the participant is muted",
        "            isMuted:\n              type: string\n              description: true if the participant is muted",
    );
    let text = seed(
        &text,
        "\npaths:\n",
        "\npaths:\n  /communications/calls/{call-id}/microsoft.graph.park:\n    post:\n      responses:\n        2XX:\n          description: Success\n",
    );
    let found = crate_diff(&text);
    assert_eq!(
        found,
        [
            "CallState (microsoft.graph.callState): new enum member `parked`",
            "Participant (microsoft.graph.participant): new property `isSpotlighted` (boolean)",
            "Participant (microsoft.graph.participant): property `isMuted` is boolean here, string upstream",
            "POST /communications/calls/{call-id}/microsoft.graph.park: new upstream operation",
        ],
        "{found:#?}"
    );
}

#[test]
fn schema_readme_lists_every_declared_difference_with_its_reason() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let (local, _) = crate_files();
    let (all, problems) = declared::all(&load(&local, "schema/openapi.yaml").unwrap());
    assert!(problems.is_empty(), "{problems:#?}");
    let table = declared::markdown(&all);
    let readme = std::fs::read_to_string(root.join("schema/README.md")).unwrap();
    assert!(
        readme.contains(&table),
        "schema/README.md lacks the table of declared differences as `cargo xtask spec-diff --declared` prints it:\n{table}"
    );
}
