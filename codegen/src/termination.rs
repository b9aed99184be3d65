//! `termination-codes.csv` -> `termination_table.rs`: the call end reason table as a static
//! slice sorted by `(code, subcode)`, and the `Lang` enum with one variant per reason column.
//!
//! The CSV has the header `code,subcode,category,reason_en[,reason_<lang>...]` and one row per
//! `(code, subcode)` pair. Every problem is reported with its line; all are reported together.

use std::collections::BTreeMap;

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use crate::csv;
use crate::{Diagnostic, GeneratedFile};

/// The categories a row may name, as written in the CSV, with the `Category` variant each
/// becomes in `msgraph_calls::termination`.
pub const CATEGORIES: &[(&str, &str)] = &[
    ("normal_end", "NormalEnd"),
    ("timeout", "Timeout"),
    ("media_failure", "MediaFailure"),
    ("unreachable", "Unreachable"),
    ("service_error", "ServiceError"),
];

const FIXED_COLUMNS: [&str; 3] = ["code", "subcode", "category"];
const REASON_PREFIX: &str = "reason_";

/// The table as read from the CSV, sorted by `(code, subcode)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// Language codes, in column order (`["en", "fr"]`).
    pub langs: Vec<String>,
    /// The rows, sorted by `(code, subcode)`.
    pub rows: Vec<Row>,
}

/// One row of the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The 1-based line of the CSV the row comes from.
    pub line: usize,
    /// `resultInfo.code`.
    pub code: i32,
    /// `resultInfo.subcode`.
    pub subcode: i32,
    /// The category as written in the CSV (`normal_end`).
    pub category: String,
    /// One reason per language, in the order of [`Table::langs`].
    pub reasons: Vec<String>,
}

/// Reads the CSV text. `file` names it in diagnostics (`schema/termination-codes.csv`).
pub fn parse(text: &str, file: &str) -> Result<Table, Vec<Diagnostic>> {
    let records =
        csv::records(text).map_err(|(line, msg)| vec![Diagnostic::at(file, line, msg)])?;
    let Some((header, body)) = records.split_first() else {
        return Err(vec![Diagnostic::in_file(
            file,
            "is empty; it needs the header `code,subcode,category,reason_en` and one row per pair",
        )]);
    };
    let langs =
        parse_header(&header.fields).map_err(|msg| vec![Diagnostic::at(file, header.line, msg)])?;

    let mut problems = Vec::new();
    let mut first_seen: BTreeMap<(i32, i32), usize> = BTreeMap::new();
    let mut rows = Vec::new();
    for record in body {
        match parse_row(record, &langs) {
            Ok(row) => match first_seen.get(&(row.code, row.subcode)) {
                Some(first) => problems.push(Diagnostic::at(
                    file,
                    row.line,
                    format!(
                        "duplicate pair {}/{} (first at line {first}); keep one row per pair",
                        row.code, row.subcode
                    ),
                )),
                None => {
                    first_seen.insert((row.code, row.subcode), row.line);
                    rows.push(row);
                }
            },
            Err(messages) => problems.extend(
                messages
                    .into_iter()
                    .map(|m| Diagnostic::at(file, record.line, m)),
            ),
        }
    }
    if rows.is_empty() && problems.is_empty() {
        problems.push(Diagnostic::in_file(file, "has a header but no rows"));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    rows.sort_by_key(|row| (row.code, row.subcode));
    Ok(Table { langs, rows })
}

fn parse_header(fields: &[String]) -> Result<Vec<String>, String> {
    let expected =
        "expected `code,subcode,category,reason_en` and optionally more `reason_<lang>` columns";
    if fields.len() < FIXED_COLUMNS.len() + 1 || fields[..3] != FIXED_COLUMNS {
        return Err(format!("header is `{}`; {expected}", fields.join(",")));
    }
    let mut langs: Vec<String> = Vec::new();
    for column in &fields[3..] {
        let lang = column
            .strip_prefix(REASON_PREFIX)
            .filter(|lang| valid_lang(lang))
            .ok_or_else(|| {
                format!("header column `{column}` is not `reason_<lang>` with a lowercase language code such as `fr` or `pt_br`")
            })?;
        if langs.iter().any(|l| l == lang) {
            return Err(format!("header names `{column}` twice"));
        }
        langs.push(lang.to_owned());
    }
    if !langs.iter().any(|l| l == "en") {
        return Err(format!(
            "header has no `reason_en` column; English is the text Graph sends and is required ({expected})"
        ));
    }
    Ok(langs)
}

fn valid_lang(lang: &str) -> bool {
    let mut parts = lang.split('_');
    let primary_ok = parts
        .next()
        .is_some_and(|p| (2..=3).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_lowercase()));
    primary_ok
        && parts.all(|p| {
            (2..=4).contains(&p.len())
                && p.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

fn parse_row(record: &csv::Record, langs: &[String]) -> Result<Row, Vec<String>> {
    let want = FIXED_COLUMNS.len() + langs.len();
    if record.fields.len() != want {
        return Err(vec![format!(
            "{} columns, expected {want} (code,subcode,category,{}); quote a value that holds a comma",
            record.fields.len(),
            langs.iter().map(|l| format!("{REASON_PREFIX}{l}")).collect::<Vec<_>>().join(",")
        )]);
    }
    let mut problems = Vec::new();
    let code = integer(&record.fields[0], "code")
        .map_err(|e| problems.push(e))
        .ok();
    let subcode = integer(&record.fields[1], "subcode")
        .map_err(|e| problems.push(e))
        .ok();
    let category = &record.fields[2];
    if !CATEGORIES.iter().any(|(name, _)| name == category) {
        problems.push(format!(
            "unknown category `{category}`; use one of: {}",
            CATEGORIES
                .iter()
                .map(|(name, _)| *name)
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let reasons: Vec<String> = record.fields[3..].to_vec();
    for (lang, reason) in langs.iter().zip(&reasons) {
        if reason.trim().is_empty() {
            problems.push(format!("empty reason in column `{REASON_PREFIX}{lang}`"));
        } else if reason.trim() != reason {
            problems.push(format!(
                "reason in column `{REASON_PREFIX}{lang}` starts or ends with white space; write it exactly as the doc prints it"
            ));
        }
    }
    match (code, subcode) {
        (Some(code), Some(subcode)) if problems.is_empty() => Ok(Row {
            line: record.line,
            code,
            subcode,
            category: category.clone(),
            reasons,
        }),
        _ => Err(problems),
    }
}

fn integer(value: &str, column: &str) -> Result<i32, String> {
    value.parse::<i32>().map_err(|_| {
        let hint = if value.contains('/') {
            "; a doc row such as `540000/560000` covers two pairs: write one row for each"
        } else {
            ""
        };
        format!("{column} `{value}` is not an integer (32-bit){hint}")
    })
}

/// Reads the CSV and generates `termination_table.rs`.
pub fn generate(text: &str, file: &str) -> Result<GeneratedFile, Vec<Diagnostic>> {
    let table = parse(text, file)?;
    let contents = crate::render(emit(&table), file).map_err(|d| vec![d])?;
    Ok(GeneratedFile {
        name: "termination_table.rs",
        contents,
    })
}

fn variant_of_category(name: &str) -> proc_macro2::Ident {
    let (_, variant) = CATEGORIES
        .iter()
        .find(|(csv_name, _)| *csv_name == name)
        .expect("categories are checked while parsing");
    format_ident!("{}", variant)
}

fn lang_variant(lang: &str) -> proc_macro2::Ident {
    let name: String = lang
        .split('_')
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect();
    format_ident!("{}", name)
}

fn emit(table: &Table) -> TokenStream {
    let lang_count = table.langs.len();
    let row_count = table.rows.len();
    let variants: Vec<_> = table.langs.iter().map(|l| lang_variant(l)).collect();
    let lang_docs = table.langs.iter().map(|l| {
        if l == "en" {
            "English (column `reason_en`): the text Graph sends in `resultInfo.message`.".to_owned()
        } else {
            format!("The reasons of column `reason_{l}`.")
        }
    });
    let codes = table.langs.iter();
    let arms = table.rows.iter().enumerate().map(|(index, row)| {
        let code = Literal::i32_unsuffixed(row.code);
        let subcode = Literal::i32_unsuffixed(row.subcode);
        quote! { (#code, #subcode) => Some(#index), }
    });
    let rows = table.rows.iter().map(|row| {
        let code = Literal::i32_unsuffixed(row.code);
        let subcode = Literal::i32_unsuffixed(row.subcode);
        let category = variant_of_category(&row.category);
        let reasons = row.reasons.iter().map(|r| Literal::string(r));
        quote! {
            TerminationReason {
                code: #code,
                subcode: #subcode,
                category: Category::#category,
                messages: [#(#reasons),*],
            },
        }
    });
    quote! {
        /// A language of the termination table: one variant per `reason_<lang>` column of
        /// `schema/termination-codes.csv`.
        ///
        /// ```
        /// use msgraph_calls::termination::{self, Lang};
        ///
        /// let reason = termination::lookup(200, 5001).unwrap();
        /// for lang in Lang::ALL {
        ///     assert!(!reason.message_in(lang).is_empty(), "{}", lang.code());
        /// }
        /// ```
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum Lang {
            #(#[doc = #lang_docs] #variants,)*
        }

        impl Lang {
            /// Every language of the table, in column order.
            pub const ALL: [Lang; #lang_count] = [#(Lang::#variants),*];

            /// The language code, as in the column name (`reason_fr` gives `"fr"`).
            pub const fn code(self) -> &'static str {
                match self {
                    #(Lang::#variants => #codes,)*
                }
            }
        }

        /// How many languages the table has.
        pub(crate) const LANG_COUNT: usize = #lang_count;

        /// The rows, sorted by `(code, subcode)`.
        pub(crate) static TABLE: [TerminationReason; #row_count] = [
            #(#rows)*
        ];

        /// The index of `(code, subcode)` in `TABLE`. A `match` compiles to a decision tree
        /// that beats a binary search over the slice (`benches/termination.rs`, BENCHMARKS.md).
        pub(crate) fn position(code: i32, subcode: i32) -> Option<usize> {
            match (code, subcode) {
                #(#arms)*
                _ => None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "schema/termination-codes.csv";
    const HEADER: &str = "code,subcode,category,reason_en,reason_fr\n";

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
            &format!("{HEADER}480,10037,unreachable,No callee.,Aucun.\n200,5001,normal_end,\"Ended, really.\",Fini.\n"),
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
            &format!("{HEADER}200,5001,normal_end,A.,A.\n200,5002,normal_end,B.,B.\n200,5001,normal_end,C.,C.\n"),
            "schema/termination-codes.csv:4: duplicate pair 200/5001 (first at line 2)",
        );
    }

    #[test]
    fn code_that_is_not_an_integer() {
        assert_one_error(
            &format!("{HEADER}2OO,5001,normal_end,A.,A.\n"),
            "schema/termination-codes.csv:2: code `2OO` is not an integer",
        );
    }

    #[test]
    fn subcode_that_is_not_an_integer_suggests_splitting_a_doc_row() {
        assert_one_error(
            &format!("{HEADER}200,540000/560000,normal_end,A.,A.\n"),
            "schema/termination-codes.csv:2: subcode `540000/560000` is not an integer (32-bit); a doc row such as `540000/560000` covers two pairs",
        );
    }

    #[test]
    fn code_out_of_i32_range() {
        assert_one_error(
            &format!("{HEADER}200,99999999999,normal_end,A.,A.\n"),
            ":2: subcode `99999999999` is not an integer",
        );
    }

    #[test]
    fn wrong_column_count() {
        assert_one_error(
            &format!("{HEADER}200,5001,normal_end,A, comma unquoted.,A.\n"),
            "schema/termination-codes.csv:2: 6 columns, expected 5 (code,subcode,category,reason_en,reason_fr)",
        );
        assert_one_error(
            &format!("{HEADER}200,5001,normal_end,A.\n"),
            ":2: 4 columns, expected 5",
        );
    }

    #[test]
    fn empty_reason() {
        assert_one_error(
            &format!("{HEADER}200,5001,normal_end,A.,\n"),
            "schema/termination-codes.csv:2: empty reason in column `reason_fr`",
        );
        assert_one_error(
            &format!("{HEADER}200,5001,normal_end,\"  \",B.\n"),
            ":2: empty reason in column `reason_en`",
        );
    }

    #[test]
    fn reason_with_stray_white_space() {
        assert_one_error(
            &format!("{HEADER}200,5001,normal_end,A. ,B.\n"),
            ":2: reason in column `reason_en` starts or ends",
        );
    }

    #[test]
    fn unknown_category_lists_the_known_ones() {
        assert_one_error(
            &format!("{HEADER}200,5001,fine,A.,B.\n"),
            "schema/termination-codes.csv:2: unknown category `fine`; use one of: normal_end, timeout, media_failure, unreachable, service_error",
        );
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let errs = errors(&format!(
            "{HEADER}x,5001,normal_end,A.,B.\n200,y,bad,,B.\n200,5001,timeout,A.,B.\n"
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
            "code,subcode,category,reason_fr\n",
            ":1: header has no `reason_en` column",
        );
        assert_one_error(
            "code,subcode,category,reason_en,reason_EN\n",
            ":1: header column `reason_EN` is not",
        );
        assert_one_error(
            "code,subcode,category,reason_en,notes\n",
            ":1: header column `notes` is not",
        );
        assert_one_error(
            "code,subcode,category,reason_en,reason_en\n",
            ":1: header names `reason_en` twice",
        );
        assert_one_error(
            "code,subcode,category,reason_en\n",
            "has a header but no rows",
        );
    }

    #[test]
    fn malformed_quoting_names_the_line() {
        assert_one_error(
            &format!("{HEADER}200,5001,normal_end,\"A.,B.\n"),
            "schema/termination-codes.csv:2: field 4 opens a quote that is not closed on this line",
        );
    }

    #[test]
    fn more_languages_become_more_variants() {
        let table = parse(
            "code,subcode,category,reason_en,reason_fr,reason_pt_br\n200,5001,normal_end,A.,B.,C.\n",
            FILE,
        )
        .unwrap();
        assert_eq!(table.langs, ["en", "fr", "pt_br"]);
        let code = emit(&table).to_string();
        assert!(code.contains("PtBr"), "{code}");
        assert!(code.contains("LANG_COUNT : usize = 3usize"), "{code}");
    }

    #[test]
    fn every_category_has_a_distinct_variant() {
        let mut variants: Vec<_> = CATEGORIES.iter().map(|(_, v)| *v).collect();
        variants.sort_unstable();
        variants.dedup();
        assert_eq!(variants.len(), CATEGORIES.len());
    }
}
