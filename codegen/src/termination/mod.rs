//! `termination-codes.csv` -> `termination.rs`: the call end reason table as a static slice
//! sorted by `(code, subcode)` with a `match` from pair to row, the `Lang` enum with one variant
//! per reason column, and the `Category` enum from [`CATEGORIES`].
//!
//! The CSV has the header `code,subcode,category,source,seen_at,reason_en[,reason_<lang>...]`
//! and one row per `(code, subcode)` pair: where the pair was read ([`SOURCES`]), the place
//! (page, issue or URL) it was seen at, and its reason in English (required: the text Graph
//! sends, or the documented meaning) and in other languages (empty when no source gives one).
//! Every problem is reported with its line; all are reported together.

use std::collections::BTreeMap;

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use crate::output::{render, Diagnostic, GeneratedFile};
use crate::{csv, names};

mod kinds;

use kinds::{emit_category, emit_source, variant_of_category, variant_of_source};
pub use kinds::{CategoryDef, SourceDef, CATEGORIES, SOURCES, UNKNOWN};

/// Where the crate defines the row type the table is made of.
const REASON_TYPE: &str = "crate::termination::TerminationReason";

const FIXED_COLUMNS: [&str; 5] = ["code", "subcode", "category", "source", "seen_at"];
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
    /// The source as written in the CSV (`observed`).
    pub source: String,
    /// Where the pair was seen (a page, `owner/repo#number`, a URL), when the row says.
    pub seen_at: Option<String>,
    /// One reason per language, in the order of [`Table::langs`]; empty where no source gives
    /// one (never for English).
    pub reasons: Vec<String>,
}

/// Reads the CSV text. `file` names it in diagnostics (`schema/termination-codes.csv`).
pub fn parse(text: &str, file: &str) -> Result<Table, Vec<Diagnostic>> {
    let records =
        csv::records(text).map_err(|(line, msg)| vec![Diagnostic::at(file, line, msg)])?;
    let Some((header, body)) = records.split_first() else {
        return Err(vec![Diagnostic::in_file(
            file,
            "is empty; it needs the header `code,subcode,category,source,seen_at,reason_en` and one row per pair",
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
    reason_columns(fields, &FIXED_COLUMNS)
}

/// The languages of a header that is `fixed` then one `reason_<lang>` column or more, `en`
/// among them: the rule of the catalog and of `termination-rules.csv` alike.
pub(crate) fn reason_columns(fields: &[String], fixed: &[&str]) -> Result<Vec<String>, String> {
    let expected = format!(
        "expected `{},reason_en` and optionally more `reason_<lang>` columns",
        fixed.join(",")
    );
    let named = fields.len() > fixed.len() && fields.iter().zip(fixed).all(|(f, n)| f == n);
    if !named {
        return Err(format!("header is `{}`; {expected}", fields.join(",")));
    }
    let mut langs: Vec<String> = Vec::new();
    for column in &fields[fixed.len()..] {
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
            "{} columns, expected {want} (code,subcode,category,source,seen_at,{}); quote a value that holds a comma",
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
    if !CATEGORIES.iter().any(|c| c.name == category) {
        problems.push(format!(
            "unknown category `{category}`; use one of: {}",
            CATEGORIES
                .iter()
                .map(|c| c.name)
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let source = &record.fields[3];
    let seen_at = record.fields[4].trim();
    match SOURCES.iter().find(|s| s.name == source) {
        None => problems.push(format!(
            "unknown source `{source}`; use one of: {}",
            SOURCES
                .iter()
                .map(|s| s.name)
                .collect::<Vec<_>>()
                .join(", ")
        )),
        Some(def) if def.needs_seen_at && seen_at.is_empty() => problems.push(format!(
            "a `{source}` row needs `seen_at`: the page, `owner/repo#number` or URL where the pair was seen"
        )),
        Some(_) => {}
    }
    let reasons: Vec<String> = record.fields[FIXED_COLUMNS.len()..].to_vec();
    for (lang, reason) in langs.iter().zip(&reasons) {
        if reason.is_empty() && lang != "en" {
            // No source gives the reason in this language: the English one stands in.
        } else if reason.trim().is_empty() {
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
            source: source.clone(),
            seen_at: (!seen_at.is_empty()).then(|| seen_at.to_owned()),
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

/// Reads the CSV and generates `termination.rs`: `Lang`, `Category` and the table.
pub fn generate(text: &str, file: &str) -> Result<GeneratedFile, Vec<Diagnostic>> {
    let table = parse(text, file)?;
    let contents = render(emit(&table), file).map_err(|d| vec![d])?;
    Ok(GeneratedFile {
        name: "termination.rs",
        contents,
    })
}

fn emit(table: &Table) -> TokenStream {
    let lang_count = table.langs.len();
    let row_count = table.rows.len();
    let variants: Vec<_> = table.langs.iter().map(|l| names::type_ident(l)).collect();
    let lang_docs = table.langs.iter().map(|l| {
        if l == "en" {
            "English (column `reason_en`): the text Graph sends in `resultInfo.message`, or the documented meaning.".to_owned()
        } else {
            format!("The reasons of column `reason_{l}`, where a source gives them.")
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
        let source = variant_of_source(&row.source);
        let seen_at = match &row.seen_at {
            Some(at) => quote!(Some(#at)),
            None => quote!(None),
        };
        let reasons = row.reasons.iter().map(|r| Literal::string(r));
        quote! {
            TerminationReason {
                code: #code,
                subcode: #subcode,
                category: Category::#category,
                source: Source::#source,
                seen_at: #seen_at,
                messages: [#(#reasons),*],
            },
        }
    });
    let reason = crate::graph::path(REASON_TYPE);
    let category = emit_category();
    let source = emit_source();
    quote! {
        use #reason;

        #category

        #source

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
