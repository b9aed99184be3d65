//! The termination table's generator: what it makes of a good CSV, and one named test per
//! refusal, each asserting its `file:line` message.

use msgraph_calls_codegen::termination::{generate, parse, CATEGORIES, UNKNOWN};

const FILE: &str = "schema/termination-codes.csv";
const HEADER: &str = "code,subcode,category,source,seen_at,reason_en,reason_fr\n";

#[track_caller]
fn errors(text: &str) -> Vec<String> {
    parse(text, FILE)
        .expect_err("this input must be refused")
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[track_caller]
fn assert_one_error(text: &str, expected: &str) {
    let errs = errors(text);
    assert_eq!(errs.len(), 1, "{errs:#?}");
    assert!(
        errs[0].contains(expected),
        "expected `{expected}` in `{}`",
        errs[0]
    );
}

#[test]
fn a_good_table_is_sorted_by_pair() {
    let table = parse(
        &format!("{HEADER}480,10037,unreachable,graph-call-delete,,No callee.,Aucun.\n200,5001,normal_end,graph-call-delete,,\"Ended, really.\",Fini.\n"),
        FILE,
    )
    .unwrap();
    assert_eq!(table.langs, ["en", "fr"]);
    let pairs: Vec<_> = table
        .rows
        .iter()
        .map(|r| (r.code, r.subcode, r.line))
        .collect();
    assert_eq!(pairs, [(200, 5001, 3), (480, 10037, 2)]);
    assert_eq!(table.rows[0].reasons, ["Ended, really.", "Fini."]);
}

#[test]
fn duplicate_pair_names_both_lines() {
    assert_one_error(
        &format!("{HEADER}200,5001,normal_end,graph-call-delete,,A.,A.\n200,5002,normal_end,graph-call-delete,,B.,B.\n200,5001,normal_end,graph-call-delete,,C.,C.\n"),
        "schema/termination-codes.csv:4: duplicate pair 200/5001 (first at line 2)",
    );
}

#[test]
fn code_that_is_not_an_integer() {
    assert_one_error(
        &format!("{HEADER}2OO,5001,normal_end,graph-call-delete,,A.,A.\n"),
        "schema/termination-codes.csv:2: code `2OO` is not an integer",
    );
}

#[test]
fn subcode_that_is_not_an_integer_suggests_splitting_a_doc_row() {
    assert_one_error(
        &format!("{HEADER}200,540000/560000,normal_end,graph-call-delete,,A.,A.\n"),
        "schema/termination-codes.csv:2: subcode `540000/560000` is not an integer (32-bit); a doc row such as `540000/560000` covers two pairs",
    );
}

#[test]
fn code_out_of_i32_range() {
    assert_one_error(
        &format!("{HEADER}200,99999999999,normal_end,graph-call-delete,,A.,A.\n"),
        ":2: subcode `99999999999` is not an integer",
    );
}

#[test]
fn wrong_column_count() {
    assert_one_error(
        &format!("{HEADER}200,5001,normal_end,graph-call-delete,,A, comma unquoted.,A.\n"),
        "schema/termination-codes.csv:2: 8 columns, expected 7 (code,subcode,category,source,seen_at,reason_en,reason_fr)",
    );
    assert_one_error(
        &format!("{HEADER}200,5001,normal_end,graph-call-delete,,A.\n"),
        ":2: 6 columns, expected 7",
    );
}

#[test]
fn empty_reason() {
    // Another language may be empty: no source gives it, English stands in.
    let table = parse(
        &format!("{HEADER}200,5001,normal_end,graph-call-delete,,A.,\n"),
        FILE,
    )
    .unwrap();
    assert_eq!(table.rows[0].reasons, ["A.", ""]);
    // English may not.
    assert_one_error(
        &format!("{HEADER}200,5001,normal_end,graph-call-delete,,\"  \",B.\n"),
        ":2: empty reason in column `reason_en`",
    );
}

#[test]
fn reason_with_stray_white_space() {
    assert_one_error(
        &format!("{HEADER}200,5001,normal_end,graph-call-delete,,A. ,B.\n"),
        ":2: reason in column `reason_en` starts or ends",
    );
}

#[test]
fn unknown_source_lists_the_known_ones() {
    assert_one_error(
        &format!("{HEADER}200,5001,normal_end,blog,,A.,B.\n"),
        "schema/termination-codes.csv:2: unknown source `blog`; use one of: graph-call-delete, graph-docs-example, direct-routing, acs-docs, observed",
    );
}

#[test]
fn a_row_seen_somewhere_must_say_where() {
    for source in [
        "observed",
        "graph-docs-example",
        "direct-routing",
        "acs-docs",
    ] {
        assert_one_error(
            &format!("{HEADER}500,7106,service_error,{source}, ,A.,\n"),
            &format!("schema/termination-codes.csv:2: a `{source}` row needs `seen_at`: the page, `owner/repo#number` or URL where the pair was seen"),
        );
    }
    let table = parse(
        &format!("{HEADER}500,7106,service_error,observed,microsoftgraph/microsoft-graph-comms-samples#433,Server Internal Error.,\n"),
        FILE,
    )
    .unwrap();
    assert_eq!(
        table.rows[0].seen_at.as_deref(),
        Some("microsoftgraph/microsoft-graph-comms-samples#433")
    );
}

#[test]
fn unknown_category_lists_the_known_ones() {
    assert_one_error(
        &format!("{HEADER}200,5001,fine,graph-call-delete,,A.,B.\n"),
        "schema/termination-codes.csv:2: unknown category `fine`; use one of: normal_end, timeout, media_failure, unreachable, service_error",
    );
}

#[test]
fn every_problem_is_reported_at_once() {
    let errs = errors(&format!(
        "{HEADER}x,5001,normal_end,graph-call-delete,,A.,B.\n200,y,bad,graph-call-delete,,,B.\n200,5001,timeout,graph-call-delete,,A.,B.\n"
    ));
    assert_eq!(
        errs,
        [
            "schema/termination-codes.csv:2: code `x` is not an integer (32-bit)",
            "schema/termination-codes.csv:3: subcode `y` is not an integer (32-bit)",
            "schema/termination-codes.csv:3: unknown category `bad`; use one of: normal_end, timeout, media_failure, unreachable, service_error",
            "schema/termination-codes.csv:3: empty reason in column `reason_en`",
        ]
    );
}

#[test]
fn header_problems() {
    assert_one_error("", "schema/termination-codes.csv: is empty");
    assert_one_error(
        "code,sub,category,reason_en\n",
        ":1: header is `code,sub,category,reason_en`",
    );
    assert_one_error(
        "code,subcode,category,source,seen_at,reason_fr\n",
        ":1: header has no `reason_en` column",
    );
    assert_one_error(
        "code,subcode,category,source,seen_at,reason_en,reason_EN\n",
        ":1: header column `reason_EN` is not",
    );
    assert_one_error(
        "code,subcode,category,source,seen_at,reason_en,notes\n",
        ":1: header column `notes` is not",
    );
    assert_one_error(
        "code,subcode,category,source,seen_at,reason_en,reason_en\n",
        ":1: header names `reason_en` twice",
    );
    assert_one_error(
        "code,subcode,category,source,seen_at,reason_en\n",
        "has a header but no rows",
    );
}

#[test]
fn malformed_quoting_names_the_line() {
    assert_one_error(
        &format!("{HEADER}200,5001,normal_end,graph-call-delete,,\"A.,B.\n"),
        "schema/termination-codes.csv:2: field 6 opens a quote that is not closed on this line",
    );
}

#[test]
fn more_languages_become_more_variants() {
    let table = parse(
        "code,subcode,category,source,seen_at,reason_en,reason_fr,reason_pt_br\n200,5001,normal_end,graph-call-delete,,A.,B.,C.\n",
        FILE,
    )
    .unwrap();
    assert_eq!(table.langs, ["en", "fr", "pt_br"]);
    let code = generate(
        "code,subcode,category,source,seen_at,reason_en,reason_fr,reason_pt_br\n200,5001,normal_end,graph-call-delete,,A.,B.,C.\n",
        FILE,
    )
    .unwrap()
    .contents;
    assert!(code.contains("PtBr"), "{code}");
    assert!(code.contains("LANG_COUNT: usize = 3usize"), "{code}");
}

#[test]
fn every_category_has_a_distinct_variant() {
    let mut variants: Vec<_> = CATEGORIES
        .iter()
        .chain([&UNKNOWN])
        .map(|c| c.variant)
        .collect();
    let mut names: Vec<_> = CATEGORIES
        .iter()
        .chain([&UNKNOWN])
        .map(|c| c.name)
        .collect();
    variants.sort_unstable();
    variants.dedup();
    names.sort_unstable();
    names.dedup();
    assert_eq!(variants.len(), CATEGORIES.len() + 1);
    assert_eq!(names.len(), CATEGORIES.len() + 1);
}
