//! The two closed lists of the catalog, `Category` and `Source`: their names in the CSV, their
//! variants and docs, and the enums generated from them.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

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

/// A source of `termination::Source`: its name in the CSV, its variant, its docs, and whether a
/// row of it must say where it was seen.
pub struct SourceDef {
    /// The name rows use in the `source` column (`graph-call-delete`).
    pub name: &'static str,
    /// The Rust variant (`GraphCallDelete`).
    pub variant: &'static str,
    /// The variant's docs: what the source is, and how a row of it can be checked.
    pub doc: &'static str,
    /// Whether a row of this source needs `seen_at`.
    pub needs_seen_at: bool,
    /// Whether the source is Microsoft's own documentation.
    pub documented: bool,
}

/// The sources a row may name, in the order of the generated `Source` enum.
pub const SOURCES: &[SourceDef] = &[
    SourceDef {
        name: "graph-call-delete",
        variant: "GraphCallDelete",
        doc: "The call end reason table of Graph's \"Delete call\" page (api-reference/v1.0/api/call-delete.md), the text verbatim.",
        needs_seen_at: false,
        documented: true,
    },
    SourceDef {
        name: "graph-docs-example",
        variant: "GraphDocsExample",
        doc: "A `resultInfo` in one of Graph's own example bodies; `seen_at` names the page and line.",
        needs_seen_at: true,
        documented: true,
    },
    SourceDef {
        name: "direct-routing",
        variant: "DirectRouting",
        doc: "The Microsoft and SIP response code table of Teams Direct Routing's troubleshooting page; `seen_at` names it.",
        needs_seen_at: true,
        documented: true,
    },
    SourceDef {
        name: "acs-docs",
        variant: "AcsDocs",
        doc: "The call end codes of Azure Communication Services' troubleshooting page, which documents the same Microsoft calling platform (Graph does not say it reports them alike); `seen_at` names the page.",
        needs_seen_at: true,
        documented: true,
    },
    SourceDef {
        name: "observed",
        variant: "Observed",
        doc: "Reported in a public issue or thread, not documented by Microsoft; `seen_at` names where (`owner/repo#number` or a URL).",
        needs_seen_at: true,
        documented: false,
    },
];

/// The category of a code outside every known class; no row may name it.
pub const UNKNOWN: CategoryDef = CategoryDef {
    name: "unknown",
    variant: "Unknown",
    doc: "A code outside every known class (1xx, 3xx, 7xx and above, negative, ...): look at the message.",
};

pub(super) fn variant_of_category(name: &str) -> proc_macro2::Ident {
    let variant = CATEGORIES
        .iter()
        .find(|c| c.name == name)
        .map_or(UNKNOWN.variant, |c| c.variant);
    format_ident!("{}", variant)
}

pub(super) fn variant_of_source(name: &str) -> proc_macro2::Ident {
    let variant = SOURCES
        .iter()
        .find(|s| s.name == name)
        .map_or("Observed", |s| s.variant);
    format_ident!("{}", variant)
}

/// `Source`: one variant per entry of [`SOURCES`], with `as_str` and `is_documented`.
pub(super) fn emit_source() -> TokenStream {
    let variants: Vec<_> = SOURCES
        .iter()
        .map(|s| format_ident!("{}", s.variant))
        .collect();
    let docs = SOURCES.iter().map(|s| format!(" {}", s.doc));
    let names = SOURCES.iter().map(|s| s.name);
    let documented = SOURCES.iter().map(|s| s.documented);
    quote! {
        /// Where a row of the catalog was read: the column `source` of
        /// `schema/termination-codes.csv`.
        ///
        /// ```
        /// use msgraph_calls::termination::{self, Source};
        ///
        /// assert_eq!(termination::lookup(200, 5001).unwrap().source, Source::GraphCallDelete);
        /// assert_eq!(Source::Observed.as_str(), "observed");
        /// ```
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum Source {
            #(#[doc = #docs] #variants,)*
        }

        impl Source {
            /// The name used in the CSV (`graph-call-delete`, `observed`, ...).
            ///
            /// ```
            /// assert_eq!(msgraph_calls::termination::Source::DirectRouting.as_str(), "direct-routing");
            /// ```
            pub fn as_str(self) -> &'static str {
                match self {
                    #(Source::#variants => #names,)*
                }
            }

            /// Whether the source is Microsoft's own documentation (not a report seen in the
            /// wild).
            ///
            /// ```
            /// assert!(!msgraph_calls::termination::Source::Observed.is_documented());
            /// ```
            pub fn is_documented(self) -> bool {
                match self {
                    #(Source::#variants => #documented,)*
                }
            }
        }
    }
}

/// `Category`: one variant per entry of [`CATEGORIES`], then [`UNKNOWN`], with `as_str`.
pub(super) fn emit_category() -> TokenStream {
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
        /// assert_eq!(Category::of(700, 1).as_str(), "unknown");
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
