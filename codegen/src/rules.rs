//! `termination-rules.csv` and `sip-responses.csv` -> `termination_rules.rs`: how the crate
//! explains a `(code, subcode)` pair that no row of the catalog names.
//!
//! `sip-responses.csv` (`code,reason,defined_in`) is the SIP reason phrase of each response
//! code; it becomes a `match` (`sip_reason`). `termination-rules.csv`
//! (`code_from,code_to,subcode_from,subcode_to,sip,category,reason_en[,reason_<lang>...]`) is a
//! list of rules, the first that matches wins; it becomes a `match` on ranges (`rule`) and the
//! static `RULES`. A range left empty (both bounds) matches any value. `sip` says which number is the SIP code
//! the rule speaks of: `none`, `code`, or `subcode-<n>` (the subcode less `n`: `subcode-560000`
//! reads 560486 as SIP 486). `category` is a category of the catalog, `unknown`, or `sip-class`
//! (the category of the SIP code's class). The reasons may hold `{code}`, `{subcode}`, `{sip}`
//! and `{sip_reason}`.

use std::collections::BTreeMap;

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use crate::csv;
use crate::output::{render, Diagnostic, GeneratedFile};
use crate::termination::{CATEGORIES, UNKNOWN};

const RULE_COLUMNS: [&str; 6] = [
    "code_from",
    "code_to",
    "subcode_from",
    "subcode_to",
    "sip",
    "category",
];
const SIP_HEADER: [&str; 3] = ["code", "reason", "defined_in"];
const PLACEHOLDERS: [&str; 4] = ["{code}", "{subcode}", "{sip}", "{sip_reason}"];

/// Which number of the pair is the SIP code a rule speaks of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sip {
    None,
    Code,
    SubcodeLess(i32),
}

struct Rule {
    code: (Option<i32>, Option<i32>),
    subcode: (Option<i32>, Option<i32>),
    sip: Sip,
    /// `None` for `sip-class`.
    category: Option<&'static str>,
    /// `(lang, reason)`, non-empty reasons only.
    reasons: Vec<(String, String)>,
}

/// Generates `termination_rules.rs` from the texts of both files, or every problem of both.
pub fn generate(
    rules: &str,
    rules_file: &str,
    sip: &str,
    sip_file: &str,
) -> Result<GeneratedFile, Vec<Diagnostic>> {
    let (sip, rules) =
        crate::output::both(parse_sip(sip, sip_file), parse_rules(rules, rules_file))?;
    let contents = render(emit(&sip, &rules), rules_file).map_err(|d| vec![d])?;
    Ok(GeneratedFile {
        name: "termination_rules.rs",
        contents,
    })
}

fn parse_sip(text: &str, file: &str) -> Result<BTreeMap<i32, String>, Vec<Diagnostic>> {
    let records = csv::records(text).map_err(|(line, m)| vec![Diagnostic::at(file, line, m)])?;
    let Some((header, body)) = records.split_first() else {
        return Err(vec![Diagnostic::in_file(
            file,
            "is empty; it needs the header `code,reason,defined_in`",
        )]);
    };
    if header.fields != SIP_HEADER {
        return Err(vec![Diagnostic::at(
            file,
            header.line,
            format!(
                "header is `{}`; expected `code,reason,defined_in`",
                header.fields.join(",")
            ),
        )]);
    }
    let mut problems = Vec::new();
    let mut phrases: BTreeMap<i32, (String, usize)> = BTreeMap::new();
    for record in body {
        let at = |m: String| Diagnostic::at(file, record.line, m);
        let [code, reason, defined_in] = record.fields.as_slice() else {
            problems.push(at(format!(
                "{} columns, expected 3 (code,reason,defined_in)",
                record.fields.len()
            )));
            continue;
        };
        let Some(code) = code.parse::<i32>().ok().filter(|c| (100..=699).contains(c)) else {
            problems.push(at(format!(
                "code `{code}` is not a SIP response code (100 to 699)"
            )));
            continue;
        };
        if reason.trim().is_empty() || defined_in.trim().is_empty() {
            problems.push(at(format!(
                "SIP {code} needs its reason phrase and where it is defined"
            )));
        } else if let Some((_, first)) = phrases.get(&code) {
            problems.push(at(format!(
                "duplicate SIP code {code} (first at line {first})"
            )));
        } else {
            phrases.insert(code, (reason.clone(), record.line));
        }
    }
    if problems.is_empty() {
        Ok(phrases.into_iter().map(|(c, (r, _))| (c, r)).collect())
    } else {
        Err(problems)
    }
}

fn parse_rules(text: &str, file: &str) -> Result<Vec<Rule>, Vec<Diagnostic>> {
    let records = csv::records(text).map_err(|(line, m)| vec![Diagnostic::at(file, line, m)])?;
    let Some((header, body)) = records.split_first() else {
        return Err(vec![Diagnostic::in_file(
            file,
            "is empty; it needs a header and one row per rule",
        )]);
    };
    let langs = crate::termination::reason_columns(&header.fields, &RULE_COLUMNS)
        .map_err(|message| vec![Diagnostic::at(file, header.line, message)])?;
    let mut problems = Vec::new();
    let mut rules = Vec::new();
    for record in body {
        match parse_rule(&record.fields, &langs) {
            Ok(rule) => rules.push(rule),
            Err(messages) => problems.extend(
                messages
                    .into_iter()
                    .map(|m| Diagnostic::at(file, record.line, m)),
            ),
        }
    }
    if problems.is_empty() {
        Ok(rules)
    } else {
        Err(problems)
    }
}

fn parse_rule(fields: &[String], langs: &[String]) -> Result<Rule, Vec<String>> {
    let want = RULE_COLUMNS.len() + langs.len();
    if fields.len() != want {
        return Err(vec![format!(
            "{} columns, expected {want}; quote a value that holds a comma",
            fields.len()
        )]);
    }
    let mut problems = Vec::new();
    let bound = |value: &str, column: &str| -> Result<Option<i32>, String> {
        if value.is_empty() {
            return Ok(None);
        }
        value
            .parse::<i32>()
            .map(Some)
            .map_err(|_| format!("{column} `{value}` is not an integer (32-bit) nor empty (any)"))
    };
    let mut range = |columns: [&str; 2], name: &str| -> (Option<i32>, Option<i32>) {
        let from = bound(columns[0], &format!("{name}_from"));
        let to = bound(columns[1], &format!("{name}_to"));
        match (from, to) {
            (Ok(Some(from)), Ok(Some(to))) if from > to => {
                problems.push(format!("{name}_from {from} is above {name}_to {to}"))
            }
            (Ok(Some(_)), Ok(None)) | (Ok(None), Ok(Some(_))) => problems.push(format!(
                "{name}_from and {name}_to are both set or both empty (any {name})"
            )),
            (Ok(from), Ok(to)) => return (from, to),
            (from, to) => problems.extend([from.err(), to.err()].into_iter().flatten()),
        }
        (None, None)
    };
    let code = range([&fields[0], &fields[1]], "code");
    let subcode = range([&fields[2], &fields[3]], "subcode");
    let sip = match fields[4].as_str() {
        "none" => Sip::None,
        "code" => Sip::Code,
        other => match other.strip_prefix("subcode-").and_then(|n| n.parse().ok()) {
            Some(offset) => Sip::SubcodeLess(offset),
            None => {
                problems.push(format!(
                    "sip `{other}` is not `none`, `code` or `subcode-<n>`"
                ));
                Sip::None
            }
        },
    };
    let category = match fields[5].as_str() {
        "sip-class" if sip == Sip::None => {
            problems.push("category `sip-class` needs a SIP code: set `sip`".into());
            None
        }
        "sip-class" => None,
        name => match CATEGORIES.iter().chain([&UNKNOWN]).find(|c| c.name == name) {
            Some(def) => Some(def.variant),
            None => {
                problems.push(format!("unknown category `{name}`"));
                None
            }
        },
    };
    let mut reasons = Vec::new();
    for (lang, reason) in langs.iter().zip(&fields[RULE_COLUMNS.len()..]) {
        if reason.is_empty() && lang != "en" {
            continue;
        }
        if reason.trim().is_empty() {
            problems.push(format!("empty reason in column `reason_{lang}`"));
            continue;
        }
        let mut rest = reason.as_str();
        while let Some(start) = rest.find('{') {
            let end = rest[start..]
                .find('}')
                .map_or(rest.len(), |e| start + e + 1);
            let placeholder = &rest[start..end];
            if !PLACEHOLDERS.contains(&placeholder) {
                problems.push(format!(
                    "`reason_{lang}` holds `{placeholder}`; the placeholders are {}",
                    PLACEHOLDERS.join(", ")
                ));
            } else if placeholder.starts_with("{sip") && sip == Sip::None {
                problems.push(format!("`reason_{lang}` holds `{placeholder}` but the rule names no SIP code (`sip` is `none`)"));
            }
            rest = &rest[end..];
        }
        reasons.push((lang.clone(), reason.clone()));
    }
    if problems.is_empty() {
        Ok(Rule {
            code,
            subcode,
            sip,
            category,
            reasons,
        })
    } else {
        Err(problems)
    }
}

fn range((from, to): (Option<i32>, Option<i32>)) -> TokenStream {
    match (from, to) {
        (Some(from), Some(to)) if from == to => {
            let v = Literal::i32_unsuffixed(from);
            quote!(#v)
        }
        (Some(from), Some(to)) => {
            let (from, to) = (Literal::i32_unsuffixed(from), Literal::i32_unsuffixed(to));
            quote!(#from..=#to)
        }
        _ => quote!(_),
    }
}

fn emit(sip: &BTreeMap<i32, String>, rules: &[Rule]) -> TokenStream {
    let sip_arms = sip.iter().map(|(code, reason)| {
        let code = Literal::i32_unsuffixed(*code);
        quote!(#code => Some(#reason),)
    });
    let rule_arms = rules.iter().enumerate().map(|(index, rule)| {
        let (code, subcode) = (range(rule.code), range(rule.subcode));
        let index = Literal::usize_unsuffixed(index);
        quote!((#code, #subcode) => Some(#index),)
    });
    let rows = rules.iter().map(|rule| {
        let sip = match rule.sip {
            Sip::None => quote!(crate::termination::SipFrom::None),
            Sip::Code => quote!(crate::termination::SipFrom::Code),
            Sip::SubcodeLess(n) => {
                let n = Literal::i32_unsuffixed(n);
                quote!(crate::termination::SipFrom::SubcodeLess(#n))
            }
        };
        let category = match rule.category {
            Some(variant) => {
                let variant = format_ident!("{}", variant);
                quote!(Some(crate::termination::Category::#variant))
            }
            None => quote!(None),
        };
        let reasons = rule
            .reasons
            .iter()
            .map(|(lang, reason)| quote!((#lang, #reason)));
        quote! {
            crate::termination::Rule { sip: #sip, category: #category, reasons: &[#(#reasons),*] },
        }
    });
    let count = rules.len();
    quote! {
        /// The reason phrase of a SIP response code (`schema/sip-responses.csv`).
        pub(crate) fn sip_reason(code: i32) -> Option<&'static str> {
            match code {
                #(#sip_arms)*
                _ => None,
            }
        }

        /// The rules of `schema/termination-rules.csv`, in order.
        pub(crate) static RULES: [crate::termination::Rule; #count] = [#(#rows)*];

        /// The first rule that matches `(code, subcode)`.
        #[allow(unreachable_patterns)]
        pub(crate) fn rule(code: i32, subcode: i32) -> Option<usize> {
            match (code, subcode) {
                #(#rule_arms)*
                _ => None,
            }
        }
    }
}
