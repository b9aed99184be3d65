//! How names in `schema/` become names in Rust, in one place: component references, type and
//! variant names (`callState` -> `CallState`, `pt_br` -> `PtBr`), field names
//! (`@odata.type` -> `odata_type`).

use proc_macro2::Ident;
use quote::format_ident;

/// Where a local reference to a schema component points: `#/components/schemas/<name>`.
pub const SCHEMA_REF_PREFIX: &str = "#/components/schemas/";

/// The component a `$ref` names, when it is a local schema reference.
///
/// ```
/// use msgraph_calls_codegen::names::component_of;
/// assert_eq!(component_of("#/components/schemas/CallState"), Some("CallState"));
/// assert_eq!(component_of("other.yaml#/CallState"), None);
/// ```
pub fn component_of(reference: &str) -> Option<&str> {
    reference
        .strip_prefix(SCHEMA_REF_PREFIX)
        .filter(|name| !name.is_empty())
}

/// A Rust type or variant name: each run of letters and digits with its first letter upper
/// case, the separators dropped. Inner letter case is kept, so `callState` gives `CallState`
/// and `pt_br` gives `PtBr`.
///
/// ```
/// use msgraph_calls_codegen::names::pascal_case;
/// assert_eq!(pascal_case("callState"), "CallState");
/// assert_eq!(pascal_case("pt_br"), "PtBr");
/// assert_eq!(pascal_case("media-failure"), "MediaFailure");
/// ```
pub fn pascal_case(name: &str) -> String {
    name.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// Whether `name` can be a Rust type or variant name as it is (`Self` cannot).
pub fn is_rust_type_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_uppercase())
        && name.chars().all(|c| c.is_ascii_alphanumeric())
        && name != "Self"
}

/// Type names the generated model uses unqualified (and `Partial`, the reader's own struct): a
/// component named so would shadow them.
pub const RESERVED_TYPE_NAMES: &[&str] = &["String", "Option", "Vec", "Box", "Result", "Partial"];

/// The Rust identifier of a type or variant name made by [`pascal_case`].
pub fn type_ident(name: &str) -> Ident {
    format_ident!("{}", pascal_case(name))
}

/// A Rust field name: snake case, separators as `_`, a leading digit or a keyword escaped by
/// an underscore (`@odata.type` -> `odata_type`, `type` -> `type_`).
///
/// ```
/// use msgraph_calls_codegen::names::snake_case;
/// assert_eq!(snake_case("resultInfo"), "result_info");
/// assert_eq!(snake_case("@odata.type"), "odata_type");
/// assert_eq!(snake_case("type"), "type_");
/// assert_eq!(snake_case("3d"), "_3d");
/// ```
pub fn snake_case(property: &str) -> String {
    let mut out = String::new();
    let mut previous_lower = false;
    for c in property.chars() {
        if c.is_ascii_uppercase() {
            if previous_lower {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
            previous_lower = false;
        } else if c.is_ascii_alphanumeric() {
            out.push(c);
            previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        } else {
            if !out.is_empty() && !out.ends_with('_') {
                out.push('_');
            }
            previous_lower = false;
        }
    }
    let out = out.trim_matches('_').to_owned();
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        format!("_{out}")
    } else if is_keyword(&out) {
        format!("{out}_")
    } else {
        out
    }
}

/// The field identifier of a property, from [`snake_case`].
pub fn field_ident(property: &str) -> Ident {
    format_ident!("{}", snake_case(property))
}

/// `with_<field>`, the setter of a field: a keyword's escape (`type_`) is dropped, as the
/// prefix makes the name an identifier already (`with_type`).
pub(crate) fn setter_ident(field: &str) -> Ident {
    let base = field
        .strip_suffix('_')
        .filter(|word| is_keyword(word))
        .unwrap_or(field);
    format_ident!("with_{base}")
}

fn is_keyword(word: &str) -> bool {
    matches!(
        word,
        "type"
            | "match"
            | "ref"
            | "self"
            | "super"
            | "crate"
            | "mod"
            | "fn"
            | "impl"
            | "in"
            | "as"
            | "use"
            | "where"
            | "loop"
            | "move"
            | "static"
            | "const"
            | "enum"
            | "struct"
            | "trait"
            | "pub"
            | "mut"
            | "let"
            | "if"
            | "else"
            | "for"
            | "while"
            | "return"
            | "break"
            | "continue"
            | "true"
            | "false"
            | "async"
            | "await"
            | "dyn"
            | "box"
            | "extern"
            | "unsafe"
            | "override"
            | "priv"
            | "final"
            | "macro"
            | "virtual"
            | "yield"
            | "try"
            | "abstract"
            | "become"
            | "do"
            | "typeof"
            | "unsized"
            | "gen"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_setter_drops_a_keywords_escape_only() {
        assert_eq!(setter_ident("type_").to_string(), "with_type");
        assert_eq!(setter_ident("thread_id").to_string(), "with_thread_id");
        // Not a keyword's escape: kept as it is.
        assert_eq!(setter_ident("count_").to_string(), "with_count_");
    }

    #[test]
    fn type_names_keep_inner_case_and_drop_separators() {
        assert_eq!(pascal_case("CommsNotifications"), "CommsNotifications");
        assert_eq!(pascal_case("notYetKnown"), "NotYetKnown");
        assert_eq!(pascal_case("en"), "En");
        assert_eq!(pascal_case("_"), "");
        assert!(is_rust_type_name("CallState"));
        assert!(!is_rust_type_name("3d"));
        assert!(!is_rust_type_name(""));
    }

    #[test]
    fn field_names_are_snake_case_and_never_keywords() {
        assert_eq!(snake_case("callChainId"), "call_chain_id");
        assert_eq!(snake_case("isInLobby"), "is_in_lobby");
        assert_eq!(snake_case("subCode"), "sub_code");
        assert_eq!(snake_case("match"), "match_");
        assert_eq!(snake_case("a-b"), "a_b");
    }

    #[test]
    fn only_local_schema_references_name_a_component() {
        assert_eq!(component_of("#/components/schemas/"), None);
        assert_eq!(component_of("#/components/responses/X"), None);
    }
}
