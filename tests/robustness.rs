//! Random and mutated bodies: `from_slice` never panics, and every body it accepts writes back
//! as the same JSON. Bounded (a few hundred cases each) so that it runs in seconds.

use msgraph_calls::notifications;
use proptest::prelude::*;
use serde_json::Value;

const FIXTURES: &[&str] = &[
    include_str!("fixtures/notifications/call-delete-terminated.json"),
    include_str!("fixtures/notifications/call-answer-incoming.json"),
    include_str!("fixtures/notifications/participant-invite-roster.json"),
    include_str!("fixtures/notifications/call-playprompt-completed.json"),
];

/// Decodes `body`; when accepted, asserts the round trip is lossless.
fn check(body: &[u8]) -> Result<(), TestCaseError> {
    if let Ok(batch) = notifications::from_slice(body) {
        let original: Value =
            serde_json::from_slice(body).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(serde_json::to_value(&batch).unwrap(), original);
    }
    Ok(())
}

/// Any JSON value, with the strings Graph bodies are made of among the random ones.
fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        prop_oneof![
            Just("#microsoft.graph.call".to_owned()),
            Just("#Microsoft.Graph.Participant".to_owned()),
            Just("#microsoft.graph.recordOperation".to_owned()),
            Just("Terminated".to_owned()),
            Just("200".to_owned()),
            ".{0,12}",
        ]
        .prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec(
                (
                    prop_oneof![
                        Just("@odata.type".to_owned()),
                        Just("state".to_owned()),
                        Just("code".to_owned()),
                        Just("subCode".to_owned()),
                        Just("resultInfo".to_owned()),
                        Just("id".to_owned()),
                        "[a-zA-Z@.]{1,10}",
                    ],
                    inner
                ),
                0..6
            )
            .prop_map(|entries| Value::Object(entries.into_iter().collect())),
        ]
    })
}

/// Every node of `value`, as a path of keys and indices.
fn paths(value: &Value, prefix: Vec<Step>, out: &mut Vec<Vec<Step>>) {
    out.push(prefix.clone());
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let mut path = prefix.clone();
                path.push(Step::Key(key.clone()));
                paths(child, path, out);
            }
        }
        Value::Array(items) => {
            for (index, child) in items.iter().enumerate() {
                let mut path = prefix.clone();
                path.push(Step::Index(index));
                paths(child, path, out);
            }
        }
        _ => {}
    }
}

#[derive(Clone, Debug)]
enum Step {
    Key(String),
    Index(usize),
}

fn node_at<'a>(value: &'a mut Value, path: &[Step]) -> &'a mut Value {
    path.iter().fold(value, |node, step| match step {
        Step::Key(key) => &mut node[key.as_str()],
        Step::Index(index) => &mut node[*index],
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, .. ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(body in prop::collection::vec(any::<u8>(), 0..512)) {
        check(&body)?;
    }

    #[test]
    fn random_json_never_panics_and_round_trips(value in json()) {
        check(&serde_json::to_vec(&value).unwrap())?;
        let wrapped = serde_json::json!({"value": [{"changeType": "updated", "resourceUrl": "/x", "resourceData": value}]});
        check(&serde_json::to_vec(&wrapped).unwrap())?;
    }

    #[test]
    fn a_fixture_with_one_node_replaced_never_panics_and_round_trips(
        fixture in 0..FIXTURES.len(),
        pick in any::<prop::sample::Index>(),
        replacement in json(),
    ) {
        let mut body: Value = serde_json::from_str(FIXTURES[fixture]).unwrap();
        let mut all = Vec::new();
        paths(&body, Vec::new(), &mut all);
        let path = pick.get(&all).clone();
        *node_at(&mut body, &path) = replacement;
        check(&serde_json::to_vec(&body).unwrap())?;
    }

    #[test]
    fn a_fixture_with_bytes_changed_never_panics(
        fixture in 0..FIXTURES.len(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
    ) {
        let mut body = FIXTURES[fixture].as_bytes().to_vec();
        for (at, byte) in edits {
            let index = at.index(body.len());
            body[index] = byte;
        }
        check(&body)?;
    }
}

#[test]
fn a_body_of_several_megabytes_is_fine() {
    let roster: Value = serde_json::from_str(FIXTURES[2]).unwrap();
    let participant = roster["value"][0]["resourceData"][0].clone();
    let mut body = roster.clone();
    body["value"][0]["resourceData"] = Value::Array(vec![participant; 9000]);
    let bytes = serde_json::to_vec(&body).unwrap();
    assert!(bytes.len() > 4_000_000, "{}", bytes.len());
    let batch = notifications::from_slice(&bytes).unwrap();
    assert_eq!(batch.notifications()[0].participants().count(), 9000);
}

/// Every fixture of `tests/fixtures/notifications/`, with its name.
fn all_fixtures() -> Vec<(String, Value)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/notifications");
    let mut fixtures: Vec<(String, Value)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "json"))
        .map(|path| {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let body = std::fs::read(&path).unwrap();
            (name, serde_json::from_slice(&body).unwrap())
        })
        .collect();
    fixtures.sort_by(|a, b| a.0.cmp(&b.0));
    fixtures
}

/// A path as `Problem::path` writes it (the fixtures' keys are plain identifiers or
/// `@`-annotations).
fn display(path: &[Step]) -> String {
    let mut out = String::new();
    for step in path {
        match step {
            Step::Index(index) => out.push_str(&format!("[{index}]")),
            Step::Key(key) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
        }
    }
    out
}

/// One value of each JSON type.
fn one_of_each_type() -> [Value; 6] {
    [
        Value::Null,
        Value::Bool(true),
        Value::from(7),
        Value::from("seven"),
        serde_json::json!([1, "two"]),
        serde_json::json!({"mutated": true}),
    ]
}

fn same_type(a: &Value, b: &Value) -> bool {
    std::mem::discriminant(a) == std::mem::discriminant(b)
}

/// Typed string and boolean properties of the model that appear in the fixtures: given a value
/// of another JSON type, the problem list must name them.
const TYPED_SCALARS: &[(&str, &str)] = &[
    ("changeType", "string"),
    ("resourceUrl", "string"),
    ("state", "string"),
    ("status", "string"),
    ("direction", "string"),
    ("callbackUri", "string"),
    ("isMuted", "boolean"),
    ("isInLobby", "boolean"),
];

/// Issue 12's property test: the JSON type of every property of every fixture is changed in
/// turn, to each other type. The batch always decodes, writes back as the changed body, and
/// its problems are all at the changed path (no other value is lost); a typed string or
/// boolean property given another type is listed there.
#[test]
fn every_property_of_every_fixture_changed_to_every_other_type() {
    let mut mutations = 0;
    let mut listed = 0;
    for (name, fixture) in all_fixtures() {
        let mut all = Vec::new();
        paths(&fixture, Vec::new(), &mut all);
        for path in all
            .iter()
            .filter(|p| matches!(p.last(), Some(Step::Key(_))))
        {
            let original = {
                let mut copy = fixture.clone();
                node_at(&mut copy, path).clone()
            };
            for replacement in one_of_each_type() {
                if same_type(&original, &replacement) {
                    continue;
                }
                mutations += 1;
                let mut body = fixture.clone();
                *node_at(&mut body, path) = replacement.clone();
                let at = display(path);
                let case = format!("{name}: {at} = {replacement}");
                let batch = notifications::from_slice(&serde_json::to_vec(&body).unwrap())
                    .unwrap_or_else(|e| panic!("{case}: refused: {e}"));
                assert_eq!(
                    serde_json::to_value(&batch).unwrap(),
                    body,
                    "{case}: not lossless"
                );
                let problems: Vec<String> = batch.all_problems().map(|p| p.path()).collect();
                for problem in &problems {
                    let under = problem == &at
                        || problem.starts_with(&format!("{at}."))
                        || problem.starts_with(&format!("{at}["));
                    assert!(under, "{case}: a problem elsewhere: {problems:?}");
                }
                let Some(Step::Key(key)) = path.last() else {
                    unreachable!()
                };
                let typed = TYPED_SCALARS.iter().any(|(k, kind)| {
                    k == key
                        && ((*kind == "string" && original.is_string())
                            || (*kind == "boolean" && original.is_boolean()))
                });
                if typed && !replacement.is_null() {
                    assert!(problems.contains(&at), "{case}: not listed: {problems:?}");
                }
                listed += usize::from(problems.contains(&at));
            }
        }
    }
    eprintln!("{listed} of {mutations} mutations listed a problem at the changed path");
    assert!(mutations > 1000, "{mutations} mutations");
    assert!(listed > mutations / 4, "{listed} of {mutations} listed");
}
