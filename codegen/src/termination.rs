//! `termination-codes.csv` -> `termination.rs`: the call end reason table as a static slice
//! sorted by `(code, subcode)` with a `match` from pair to row, the `Lang` enum with one variant
//! per reason column, and the `Category` enum from [`CATEGORIES`].
//!
//! The CSV has the header `code,subcode,category,reason_en[,reason_<lang>...]` and one row per
//! `(code, subcode)` pair. Every problem is reported with its line; all are reported together.

use std::collections::BTreeMap;

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use crate::output::{render, Diagnostic, GeneratedFile};
use crate::{csv, names};

/// A category of `termination::Category`: its name in the CSV, its variant, and its docs.
pub struct CategoryDef {
    /// The name rows use in the `category` column (`normal_end`).
    pub name: &'static str,
    /// The Rust variant (`NormalEnd`).
    pub variant: &'static str,
    /// The variant's docs: what the ending is, and what a program may do about it.
    pub doc: &'static str,
}

/// The categories a row may name, in the order of the generated `Category` enum. This list is
/// the one source of `msgraph_calls::termination::Category`; [`UNKNOWN`] follows them.
pub const CATEGORIES: &[CategoryDef] = &[
    CategoryDef {
        name: "normal_end",
        variant: "NormalEnd",
        doc: "The call ended as calls do: someone hung up, left, was removed, or the call was transferred. Nothing to do.",
    },
    CategoryDef {
        name: "timeout",
        variant: "Timeout",
        doc: "Something did not answer in time (keep-alive, call acceptance, signaling, lobby). Calling again may work.",
    },
    CategoryDef {
        name: "media_failure",
        variant: "MediaFailure",
        doc: "Media could not flow: check the bot's media connectivity to Microsoft.",
    },
    CategoryDef {
        name: "unreachable",
        variant: "Unreachable",
        doc: "The callee could not be reached, or the call was rejected or could not be routed.",
    },
    CategoryDef {
        name: "service_error",
        variant: "ServiceError",
        doc: "Graph or the calling service failed. Retry later; report it if it persists.",
    },
];

/// The category of a code outside every known class; no row may name it.
pub const UNKNOWN: CategoryDef = CategoryDef {
    name: "unknown",
    variant: "Unknown",
    doc: "A code outside every known class (0, 1xx, 3xx, ...): look at the message.",
};

/// Where the crate defines the row type the table is made of.
const REASON_TYPE: &str = "crate::termination::TerminationReason";

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

/// Reads the CSV and generates `termination.rs`: `Lang`, `Category` and the table.
pub fn generate(text: &str, file: &str) -> Result<GeneratedFile, Vec<Diagnostic>> {
    let table = parse(text, file)?;
    let contents = render(emit(&table), file).map_err(|d| vec![d])?;
    Ok(GeneratedFile {
        name: "termination.rs",
        contents,
    })
}

fn variant_of_category(name: &str) -> proc_macro2::Ident {
    let variant = CATEGORIES
        .iter()
        .find(|c| c.name == name)
        .map_or(UNKNOWN.variant, |c| c.variant);
    format_ident!("{}", variant)
}

/// `Category`: one variant per entry of [`CATEGORIES`], then [`UNKNOWN`], with `as_str`.
fn emit_category() -> TokenStream {
    let all: Vec<&CategoryDef> = CATEGORIES.iter().chain([&UNKNOWN]).collect();
    let variants: Vec<_> = all.iter().map(|c| format_ident!("{}", c.variant)).collect();
    let docs = all.iter().map(|c| format!(" {}", c.doc));
    let names = all.iter().map(|c| c.name);
    quote! {
        /// What kind of ending a `(code, subcode)` pair is, for a program to act on.
        ///
        /// Rows of the table carry the category chosen for them in the CSV; any other pair gets
        /// the category of its code class ([`Category::from_code`]).
        ///
        /// ```
        /// use msgraph_calls::termination::Category;
        ///
        /// assert_eq!(Category::of(408, 1106), Category::Timeout);
        /// assert_eq!(Category::of(404, 1), Category::Unreachable);
        /// assert_eq!(Category::of(0, 7015).as_str(), "unknown");
        /// ```
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum Category {
            #(#[doc = #docs] #variants,)*
        }

        impl Category {
            /// The name used in `schema/termination-codes.csv` (`normal_end`, `timeout`, ...).
            ///
            /// ```
            /// assert_eq!(msgraph_calls::termination::Category::MediaFailure.as_str(), "media_failure");
            /// ```
            pub fn as_str(self) -> &'static str {
                match self {
                    #(Category::#variants => #names,)*
                }
            }
        }
    }
}

fn emit(table: &Table) -> TokenStream {
    let lang_count = table.langs.len();
    let row_count = table.rows.len();
    let variants: Vec<_> = table.langs.iter().map(|l| names::type_ident(l)).collect();
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
    let reason = crate::graph::path(REASON_TYPE);
    let category = emit_category();
    quote! {
        use #reason;

        #category

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
