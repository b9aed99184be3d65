//! Every input the generator refuses, one named test each, asserting the whole message with
//! its `file:line`. The expected line is found in the test's own text by the line it must
//! point at, so each test says where the problem is as well as what it is.

use msgraph_calls_codegen::spec::Spec;
use msgraph_calls_codegen::{generate_from, model, Diagnostic};

const FILE: &str = "schema/openapi.yaml";

/// A spec whose root reaches `Thing`, with `components` (indented as schema entries) after it.
fn spec_with(components: &str) -> String {
    format!(
        "openapi: 3.0.4
info: {{title: t, version: v1.0}}
paths: {{}}
components:
  schemas:
    CommsNotifications:
      type: object
      properties:
        thing: {{$ref: '#/components/schemas/Thing'}}
{components}"
    )
}

/// The 1-based line of the first line of `text` that is exactly `line`.
#[track_caller]
fn line_of(text: &str, line: &str) -> usize {
    text.lines()
        .position(|l| l == line)
        .unwrap_or_else(|| panic!("the test's text has no line `{line}`"))
        + 1
}

fn model_problems(text: &str) -> Vec<Diagnostic> {
    match Spec::parse(text, FILE) {
        Ok(spec) => model::generate(&spec).expect_err("this input must be refused"),
        Err(problems) => problems,
    }
}

/// Generates the model of `components` and asserts one problem: `message` at the line of the
/// text that reads exactly `at`.
#[track_caller]
fn assert_refused(components: &str, at: &str, message: &str) {
    let text = spec_with(components);
    assert_one_problem(&text, &model_problems(&text), at, message);
}

/// Asserts that `problems` are one: `message` at the line of `text` that reads exactly `at`.
#[track_caller]
fn assert_one_problem(text: &str, problems: &[Diagnostic], at: &str, message: &str) {
    let problems: Vec<String> = problems.iter().map(ToString::to_string).collect();
    let expected = format!("{FILE}:{}: {message}", line_of(text, at));
    assert_eq!(problems, [expected]);
}

#[test]
fn yaml_that_does_not_parse_names_its_line() {
    let problems = Spec::parse("openapi: 3.0.4\ninfo: [unclosed\n", FILE).unwrap_err();
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].file, FILE);
    assert!(problems[0].line.is_some_and(|l| l >= 2), "{}", problems[0]);
    assert!(problems[0].message.contains("not an OpenAPI 3.0 document"));
}

#[test]
fn a_document_that_is_not_openapi() {
    let problems = Spec::parse("just: a map\n", FILE).unwrap_err();
    assert!(
        problems[0].to_string().starts_with("schema/openapi.yaml:"),
        "{}",
        problems[0]
    );
    assert!(problems[0].message.contains("not an OpenAPI 3.0 document"));
}

#[test]
fn a_reference_to_nothing() {
    assert_refused(
        "    Thing:\n      type: object\n      properties:\n        state: {$ref: '#/components/schemas/Missing'}\n",
        "        state: {$ref: '#/components/schemas/Missing'}",
        "`$ref: #/components/schemas/Missing` points at nothing; define it under components or fix the name",
    );
}

#[test]
fn no_root_component() {
    let text = "openapi: 3.0.4\ninfo: {title: t, version: v1.0}\npaths: {}\ncomponents:\n  schemas:\n    Call: {type: object}\n";
    let problems: Vec<String> = model_problems(text)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        problems,
        ["schema/openapi.yaml:5: no component `CommsNotifications`: the notification model starts from it"]
    );
}

#[test]
fn a_reference_that_is_not_a_schema() {
    assert_refused(
        "    Thing:\n      type: object\n      properties:\n        other: {$ref: '#/components/responses/Error'}\n  responses:\n    Error: {description: e}\n",
        "        other: {$ref: '#/components/responses/Error'}",
        "Thing.other: `#/components/responses/Error` is not a local schema (`#/components/schemas/<name>`)",
    );
}

#[test]
fn a_type_that_refers_to_itself() {
    assert_refused(
        "    Thing:\n      type: object\n      properties:\n        parent: {$ref: '#/components/schemas/Thing'}\n",
        "        parent: {$ref: '#/components/schemas/Thing'}",
        "Thing.parent refers to Thing itself; recursive notification types are not supported",
    );
}

#[test]
fn a_component_that_is_neither_object_enum_nor_one_of() {
    assert_refused(
        "    Thing:\n      type: integer\n",
        "    Thing:",
        "Thing: a notification type must be an object, a string enum or a `oneOf` of objects",
    );
}

#[test]
fn an_inline_enum() {
    assert_refused(
        "    Thing:\n      type: object\n      properties:\n        state: {type: string, enum: [a, b]}\n",
        "        state: {type: string, enum: [a, b]}",
        "Thing.state: an enum must be a component of its own, referred to with `$ref`, so that it is evolvable",
    );
}

#[test]
fn an_enum_member_that_cannot_be_a_variant() {
    assert_refused(
        "    Thing:\n      type: string\n      enum: [ok, 3d]\n",
        "      enum: [ok, 3d]",
        "Thing: the member `3d` cannot become a Rust variant: it needs a letter first, and letters or digits",
    );
}

#[test]
fn an_enum_member_named_like_the_catch_all() {
    assert_refused(
        "    Thing:\n      type: string\n      enum: [ok, other]\n",
        "      enum: [ok, other]",
        "Thing: the member `other` would become `Other`, the variant that keeps values this crate does not know",
    );
}

#[test]
fn two_enum_members_that_become_one_variant() {
    assert_refused(
        "    Thing:\n      type: string\n      enum: [fooBar, foo_bar]\n",
        "      enum: [fooBar, foo_bar]",
        "Thing: the member `foo_bar` becomes the variant `FooBar`, as `fooBar` does",
    );
}

#[test]
fn a_property_named_like_the_extra_map() {
    assert_refused(
        "    Thing:\n      type: object\n      properties:\n        extra: {type: string}\n",
        "        extra: {type: string}",
        "Thing.extra: becomes the field `extra`, which holds the properties the schema does not name",
    );
}

#[test]
fn two_properties_that_become_one_field() {
    assert_refused(
        "    Thing:\n      type: object\n      properties:\n        subCode: {type: string}\n        sub_code: {type: string}\n",
        "        sub_code: {type: string}",
        "Thing.sub_code: becomes the field `sub_code`, as `subCode` does",
    );
}

#[test]
fn a_required_property_that_is_not_declared() {
    assert_refused(
        "    Thing:\n      type: object\n      required: [id]\n      properties:\n        name: {type: string}\n",
        "      required: [id]",
        "Thing: `id` is required but not among the properties",
    );
}

const WIDGET: &str =
    "    Widget:\n      type: object\n      properties:\n        id: {type: string}\n";

#[test]
fn a_one_of_without_discriminator() {
    assert_refused(
        &format!(
            "    Thing:\n      oneOf:\n        - $ref: '#/components/schemas/Widget'\n{WIDGET}"
        ),
        "      oneOf:",
        "Thing: a `oneOf` needs a `discriminator` on `@odata.type` to tell its members apart",
    );
}

#[test]
fn a_discriminator_on_another_property() {
    assert_refused(
        &format!("    Thing:\n      oneOf:\n        - $ref: '#/components/schemas/Widget'\n      discriminator:\n        propertyName: kind\n{WIDGET}"),
        "        propertyName: kind",
        "Thing: the discriminator must be `@odata.type`, not `kind`",
    );
}

#[test]
fn a_mapping_to_a_component_outside_the_one_of() {
    assert_refused(
        &format!("    Thing:\n      oneOf:\n        - $ref: '#/components/schemas/Widget'\n      discriminator:\n        propertyName: '@odata.type'\n        mapping:\n          '#x.widget': '#/components/schemas/Widget'\n          '#x.gadget': '#/components/schemas/Gadget'\n{WIDGET}    Gadget: {{type: object}}\n"),
        "          '#x.gadget': '#/components/schemas/Gadget'",
        "Thing: the mapping of `#x.gadget` names `#/components/schemas/Gadget`, which is not a `$ref` member of the `oneOf`",
    );
}

#[test]
fn a_member_no_odata_type_chooses() {
    assert_refused(
        &format!("    Thing:\n      oneOf:\n        - $ref: '#/components/schemas/Widget'\n      discriminator:\n        propertyName: '@odata.type'\n        mapping: {{}}\n{WIDGET}"),
        "        mapping: {}",
        "Thing: no `@odata.type` in the discriminator's mapping chooses `Widget`",
    );
}

#[test]
fn a_mapping_key_with_two_stars() {
    assert_refused(
        &format!("    Thing:\n      oneOf:\n        - $ref: '#/components/schemas/Widget'\n      discriminator:\n        propertyName: '@odata.type'\n        mapping:\n          '#x.*Widget*': '#/components/schemas/Widget'\n{WIDGET}"),
        "          '#x.*Widget*': '#/components/schemas/Widget'",
        "Thing: the mapping key `#x.*Widget*` may hold at most one `*`, and not be empty",
    );
}

#[test]
fn a_one_of_member_that_is_an_inline_object() {
    assert_refused(
        "    Thing:\n      oneOf:\n        - type: object\n      discriminator:\n        propertyName: '@odata.type'\n",
        "      oneOf:",
        "Thing: every member must be a `$ref` to an object component, or an array of them",
    );
}

#[test]
fn a_one_of_with_two_array_members() {
    assert_refused(
        &format!("    Thing:\n      oneOf:\n        - $ref: '#/components/schemas/Widget'\n        - {{type: array, items: {{$ref: '#/components/schemas/Widget'}}}}\n        - {{type: array, items: {{type: string}}}}\n      discriminator:\n        propertyName: '@odata.type'\n{WIDGET}"),
        "      oneOf:",
        "Thing: a `oneOf` may have one array member, not two",
    );
}

#[test]
fn a_variant_rename_of_a_component_outside_the_one_of() {
    assert_refused(
        &format!("    Thing:\n      oneOf:\n        - $ref: '#/components/schemas/Widget'\n      discriminator:\n        propertyName: '@odata.type'\n        mapping:\n          '#x.widget': '#/components/schemas/Widget'\n      x-rust-variants:\n        Gadget: Thing\n{WIDGET}"),
        "      x-rust-variants:",
        "Thing: `x-rust-variants` names `Gadget`, which is not a member of the `oneOf`",
    );
}

#[test]
fn a_variant_rename_that_is_not_a_type_name() {
    assert_refused(
        &format!("    Thing:\n      oneOf:\n        - $ref: '#/components/schemas/Widget'\n      discriminator:\n        propertyName: '@odata.type'\n        mapping:\n          '#x.widget': '#/components/schemas/Widget'\n      x-rust-variants:\n        Widget: not-a-name\n{WIDGET}"),
        "      x-rust-variants:",
        "Thing: `x-rust-variants.Widget` must be a Rust type name such as `Operation`",
    );
}

#[test]
fn a_variant_that_takes_the_name_of_the_enums_own() {
    assert_refused(
        &format!("    Thing:\n      oneOf:\n        - $ref: '#/components/schemas/Widget'\n      discriminator:\n        propertyName: '@odata.type'\n        mapping:\n          '#x.widget': '#/components/schemas/Widget'\n      x-rust-variants:\n        Widget: Many\n{WIDGET}"),
        "      x-rust-variants:",
        "Thing: two variants would be named `Many` (`Many` and `Other` are the enum's own); rename one with `x-rust-variants`",
    );
}

#[test]
fn problems_in_several_components_are_reported_together() {
    let text = spec_with("    Thing:\n      type: object\n      properties:\n        e: {$ref: '#/components/schemas/E'}\n        extra: {type: string}\n    E:\n      type: string\n      enum: [other]\n");
    let problems = model_problems(&text);
    assert_eq!(problems.len(), 2, "{problems:?}");
}

#[test]
fn problems_in_both_inputs_are_reported_together() {
    let problems = generate_from(
        "openapi: [\n",
        FILE,
        "code,subcode,category,source,seen_at,reason_en\n200,x,normal_end,graph-call-delete,,A.\n",
        "schema/termination-codes.csv",
    )
    .unwrap_err();
    let text: Vec<_> = problems.iter().map(ToString::to_string).collect();
    assert_eq!(text.len(), 2, "{text:?}");
    assert!(text[0].starts_with("schema/openapi.yaml:"), "{text:?}");
    assert_eq!(
        text[1],
        "schema/termination-codes.csv:2: subcode `x` is not an integer (32-bit)"
    );
}

#[test]
fn a_component_that_cannot_be_a_type_name() {
    assert_refused(
        "    Thing:\n      type: object\n      properties:\n        model: {$ref: '#/components/schemas/3dModel'}\n    3dModel: {type: object}\n",
        "    3dModel: {type: object}",
        "3dModel: cannot become a Rust type name: it needs a letter first, and letters or digits",
    );
}

#[test]
fn a_component_that_would_shadow_a_std_type() {
    assert_refused(
        "    Thing:\n      type: object\n      properties:\n        text: {$ref: '#/components/schemas/string'}\n    string: {type: object}\n",
        "    string: {type: object}",
        "string: would become `String`, a name the generated code uses for Rust's own type",
    );
}

#[test]
fn two_components_that_become_one_type() {
    assert_refused(
        "    Thing:\n      type: object\n      properties:\n        a: {$ref: '#/components/schemas/call_state'}\n        b: {$ref: '#/components/schemas/CallState'}\n    call_state: {type: object}\n    CallState: {type: object}\n",
        "    CallState: {type: object}",
        "CallState: becomes the type `CallState`, as `call_state` does",
    );
}

#[test]
fn a_property_that_cannot_be_a_field_name() {
    assert_refused(
        "    Thing:\n      type: object\n      properties:\n        \"@\": {type: string}\n",
        "        \"@\": {type: string}",
        "Thing.@: cannot become a Rust field name: it has no letter or digit",
    );
}

#[test]
fn a_one_of_without_a_reference_member() {
    assert_refused(
        "    Thing:\n      oneOf:\n        - {type: array, items: {type: string}}\n      discriminator:\n        propertyName: '@odata.type'\n",
        "      oneOf:",
        "Thing: a `oneOf` needs at least one `$ref` member to tell apart",
    );
}

#[test]
fn a_dangling_reference_is_found_at_its_own_line_not_a_longer_name() {
    assert_refused(
        "    Thing:\n      type: object\n      properties:\n        state: {$ref: '#/components/schemas/CallState'}\n        call: {$ref: '#/components/schemas/Call'}\n    CallState: {type: string, enum: [a]}\n",
        "        call: {$ref: '#/components/schemas/Call'}",
        "`$ref: #/components/schemas/Call` points at nothing; define it under components or fix the name",
    );
}

#[test]
fn keeps_problems_that_is_not_a_boolean() {
    assert_refused(
        "    Thing:\n      type: object\n      x-keeps-problems: yes please\n      properties:\n        id: {type: string}\n",
        "      x-keeps-problems: yes please",
        "Thing: `x-keeps-problems` must be `true` or `false`",
    );
}

#[test]
fn keeps_problems_beside_a_property_named_problems() {
    assert_refused(
        "    Thing:\n      type: object\n      x-keeps-problems: true\n      properties:\n        problems: {type: string}\n",
        "      x-keeps-problems: true",
        "Thing: the property `problems` becomes the field `problems`, which `x-keeps-problems` needs for itself",
    );
}

#[test]
fn an_array_of_arrays_of_objects() {
    assert_refused(
        "    Thing:\n      type: object\n      properties:\n        grid:\n          type: array\n          items: {type: array, items: {$ref: '#/components/schemas/Cell'}}\n    Cell:\n      type: object\n",
        "        grid:",
        "Thing.grid: an array of arrays of objects or enums is not supported",
    );
}

/// A spec with one operation whose extra lines (indented as operation keys) are `extensions`.
fn spec_with_operation(extensions: &str) -> String {
    // What completes it, unless the test says.
    let completion = if extensions.contains("x-completion") {
        ""
    } else {
        "      x-completion: response\n"
    };
    format!(
        "openapi: 3.0.4
info: {{title: t, version: v1.0}}
paths:
  /communications/calls/{{call-id}}:
    delete:
      operationId: communication_DeleteCall
{extensions}{completion}      parameters:
        - {{name: call-id, in: path, required: true, schema: {{type: string}}}}
      responses:
        \"204\": {{description: No Content}}
  /communications/calls/{{call-id}}/keepAlive:
    post:
      operationId: call_keepAlive
      x-rust-name: keep_alive
      x-idempotent: true
      x-completion: response
      parameters:
        - {{name: call-id, in: path, required: true, schema: {{type: string}}}}
      responses:
        \"200\": {{description: OK}}
components:
  schemas:
    CommsNotifications:
      type: object
      properties:
        id: {{type: string}}
"
    )
}

/// Generates from a spec with one operation and asserts one problem: `message` at the line of
/// the text that reads exactly `at`.
#[track_caller]
fn assert_operation_refused(extensions: &str, at: &str, message: &str) {
    let text = spec_with_operation(extensions);
    let problems =
        msgraph_calls_codegen::generate_api(&text, FILE).expect_err("this input must be refused");
    assert_one_problem(&text, &problems, at, message);
}

#[test]
fn an_operation_without_a_method_name() {
    assert_operation_refused(
        "      x-idempotent: true\n",
        "      operationId: communication_DeleteCall",
        "DELETE /communications/calls/{call-id}: needs `x-rust-name`, the method's name (`answer`, `list_participants`)",
    );
}

#[test]
fn an_operation_named_what_rust_cannot_call() {
    assert_operation_refused(
        "      x-rust-name: DeleteCall\n      x-idempotent: true\n",
        "      x-rust-name: DeleteCall",
        "DELETE /communications/calls/{call-id}: `DeleteCall` is not a method name this crate can use (snake case, not one of builder, base_url, hang_up, api, token_provider, inner, block_on)",
    );
    assert_operation_refused(
        "      x-rust-name: hang_up\n      x-idempotent: true\n",
        "      x-rust-name: hang_up",
        "DELETE /communications/calls/{call-id}: `hang_up` is not a method name this crate can use (snake case, not one of builder, base_url, hang_up, api, token_provider, inner, block_on)",
    );
}

#[test]
fn two_operations_with_one_method_name() {
    let text = spec_with_operation("      x-rust-name: keep_alive\n      x-idempotent: true\n");
    let problems: Vec<String> = msgraph_calls_codegen::generate_api(&text, FILE)
        .unwrap_err()
        .iter()
        .map(ToString::to_string)
        .collect();
    // The second operation to take the name is the one named.
    let line = text
        .lines()
        .enumerate()
        .filter(|(_, l)| *l == "      x-rust-name: keep_alive")
        .nth(1)
        .unwrap()
        .0
        + 1;
    assert_eq!(
        problems,
        [format!("{FILE}:{line}: POST /communications/calls/{{call-id}}/keepAlive: another operation is named `keep_alive` already")]
    );
}

#[test]
fn an_operation_without_its_retry_class() {
    assert_operation_refused(
        "      x-rust-name: delete_call\n",
        "      operationId: communication_DeleteCall",
        "DELETE /communications/calls/{call-id}: needs `x-idempotent: true` or `false`: whether sending it twice does what sending it once does",
    );
}

#[test]
fn a_one_of_member_that_keeps_its_problems() {
    assert_refused(
        "    Thing:\n      oneOf:\n        - $ref: '#/components/schemas/Part'\n      discriminator:\n        propertyName: '@odata.type'\n        mapping:\n          '#x.part': '#/components/schemas/Part'\n    Part:\n      type: object\n      x-keeps-problems: true\n",
        "      oneOf:",
        "Thing: the member `Part` has `x-keeps-problems`, which a `oneOf` member cannot have: its problems would lose their path",
    );
}

#[test]
fn an_operation_on_a_call_that_does_not_say_what_completes_it() {
    assert_operation_refused(
        "      x-rust-name: delete_call\n      x-idempotent: true\n      x-completion: soon\n",
        "      x-completion: soon",
        "DELETE /communications/calls/{call-id}: needs `x-completion: notification`, `response` or `incoming` (what completes it, for call sessions); found `soon`",
    );
}

#[test]
fn an_operation_completed_by_a_notification_returns_an_operation() {
    assert_operation_refused(
        "      x-rust-name: delete_call\n      x-idempotent: true\n      x-completion: notification\n",
        "      responses:",
        "DELETE /communications/calls/{call-id}: `x-completion: notification` needs a success response read as `CommsOperation`, not `()`",
    );
}
