//! Why a call ended: a catalog of `(code, subcode)` pairs, each with its reason in every
//! language of `schema/termination-codes.csv`, a [`Category`] a program can act on, and its
//! [`Source`]: the table of Graph's "Delete call" page, Graph's own example bodies, the
//! Microsoft and SIP response codes of Teams Direct Routing, the call end codes of Azure
//! Communication Services, and pairs reported in public issues (with where they were seen).
//!
//! The catalog is compiled from the CSV at build time into a static slice sorted by
//! `(code, subcode)` and a generated `match` from pair to row; [`lookup`] is that `match`
//! (measured against a binary search in `benches/termination.rs`: BENCHMARKS.md). Real
//! notifications carry pairs no source lists, so an unknown pair is normal input: [`explain`]
//! gives a reason for any pair, from its row or from the rules of
//! `schema/termination-rules.csv` (a subcode `560xxx` is the SBC's SIP answer `xxx`, with its
//! reason phrase from `schema/sip-responses.csv`), and [`category`] a category.
//!
//! ```
//! use msgraph_calls::termination::{self, Category, Lang};
//!
//! let reason = termination::lookup(200, 5001).expect("a documented pair");
//! assert_eq!(reason.message(), "The conversation has ended.");
//! assert_eq!(reason.message_in(Lang::Fr), "La conversation est terminée.");
//! assert_eq!(reason.category, Category::NormalEnd);
//!
//! // 500/424242 is in no source, yet a 500 is a service error.
//! assert!(termination::lookup(500, 424242).is_none());
//! assert_eq!(termination::category(500, 424242), Category::ServiceError);
//! assert_eq!(
//!     termination::explain(500, 424242).message(),
//!     "SIP 500 (Server Internal Error); subcode 424242 is not in the catalog."
//! );
//! ```

use std::fmt;

mod explain;

pub use explain::{explain, Basis, Explanation};
pub(crate) use explain::{Rule, SipFrom};

use crate::generated::termination::{position, LANG_COUNT, TABLE};
pub use crate::generated::termination::{Category, Lang, Source};

/// One row of the table: a `(code, subcode)` pair, why the call ended, and its category.
///
/// ```
/// let reason = msgraph_calls::termination::lookup(480, 10076).unwrap();
/// assert_eq!((reason.code, reason.subcode), (480, 10076));
/// assert_eq!(reason.to_string(), "480/10076 (unreachable): Callee could not be reached.");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TerminationReason {
    /// `resultInfo.code`, an HTTP-like status class (200, 408, 480, 500, ...).
    pub code: i32,
    /// `resultInfo.subcode`, the specific reason.
    pub subcode: i32,
    /// What a program may do about it.
    pub category: Category,
    /// Where the pair was read: Graph's table, Graph's examples, Direct Routing's code table,
    /// Azure Communication Services' call end codes, or a public report.
    pub source: Source,
    /// Where the pair was seen: a doc page (and line), `owner/repo#number`, or a URL; `None`
    /// for the rows of Graph's "Delete call" table.
    pub seen_at: Option<&'static str>,
    /// One message per [`Lang`], in column order, empty where no source gives one; built by the
    /// generated table only.
    pub(crate) messages: [&'static str; LANG_COUNT],
}

impl TerminationReason {
    /// The reason in English, exactly as Graph's doc prints it; the text Graph sends in
    /// `resultInfo.message`.
    ///
    /// ```
    /// let reason = msgraph_calls::termination::lookup(408, 8537).unwrap();
    /// assert_eq!(reason.message(), "Keep Alive timeout, cleaned up inactive call.");
    /// ```
    pub fn message(&self) -> &'static str {
        self.message_in(Lang::En)
    }

    /// The reason in `lang`, or in English when no source gives it in `lang` (see
    /// [`has_message_in`](Self::has_message_in)).
    ///
    /// ```
    /// use msgraph_calls::termination::{lookup, Lang};
    ///
    /// let reason = lookup(410, 301005).unwrap();
    /// assert_eq!(reason.message_in(Lang::Fr), "Échec de connectivité du média.");
    /// ```
    pub fn message_in(&self, lang: Lang) -> &'static str {
        match self.messages[lang as usize] {
            "" => self.messages[Lang::En as usize],
            message => message,
        }
    }

    /// Whether the reason exists in `lang` itself, not only in English.
    ///
    /// ```
    /// use msgraph_calls::termination::{lookup, Lang};
    ///
    /// assert!(lookup(200, 5001).unwrap().has_message_in(Lang::Fr));
    /// ```
    pub fn has_message_in(&self, lang: Lang) -> bool {
        !self.messages[lang as usize].is_empty()
    }

    /// Whether Microsoft documents the pair (Graph's pages, Direct Routing's table, Azure
    /// Communication Services' codes), rather than it being seen in the wild only.
    ///
    /// ```
    /// assert!(msgraph_calls::termination::lookup(200, 5001).unwrap().is_documented());
    /// ```
    pub fn is_documented(&self) -> bool {
        self.source.is_documented()
    }
}

impl fmt::Display for TerminationReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        display_pair(f, self.code, self.subcode, self.category, self.message())
    }
}

/// `code/subcode (category): message`, how a reason and an explanation are displayed.
pub(crate) fn display_pair(
    f: &mut fmt::Formatter<'_>,
    code: i32,
    subcode: i32,
    category: Category,
    message: &str,
) -> fmt::Result {
    write!(f, "{code}/{subcode} ({category}): {message}")
}

// `Category` itself (its variants, their docs and `as_str`) is generated from the category
// list of msgraph-calls-codegen (`codegen/src/termination/kinds.rs`), the names the CSV uses.
impl Category {
    /// The category of any pair: the table's when the pair is in it, else the code class's.
    ///
    /// ```
    /// use msgraph_calls::termination::Category;
    /// assert_eq!(Category::of(500, 1005), Category::MediaFailure); // from the table
    /// assert_eq!(Category::of(500, 424242), Category::ServiceError); // from the class
    /// ```
    pub fn of(code: i32, subcode: i32) -> Category {
        lookup(code, subcode).map_or_else(|| Category::from_code(code), |reason| reason.category)
    }

    /// The category of a code class: 0 (Graph's success) and 2xx normal end, 408 timeout,
    /// 410 media failure, other 4xx and 6xx (SIP's global failures: busy everywhere, decline)
    /// unreachable, 5xx service error, anything else unknown.
    ///
    /// ```
    /// use msgraph_calls::termination::Category;
    /// assert_eq!(Category::from_code(503), Category::ServiceError);
    /// assert_eq!(Category::from_code(603), Category::Unreachable);
    /// assert_eq!(Category::from_code(0), Category::NormalEnd);
    /// ```
    pub fn from_code(code: i32) -> Category {
        match code {
            0 | 200..=299 => Category::NormalEnd,
            408 => Category::Timeout,
            410 => Category::MediaFailure,
            400..=499 | 600..=699 => Category::Unreachable,
            500..=599 => Category::ServiceError,
            _ => Category::Unknown,
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The catalog's row for `(code, subcode)`, if a source names that pair; [`explain`] answers
/// for any pair.
///
/// ```
/// use msgraph_calls::termination::lookup;
///
/// assert_eq!(lookup(200, 540000).unwrap().message(), "Call ended by the PSTN User.");
/// assert!(lookup(200, 424242).is_none());
/// ```
pub fn lookup(code: i32, subcode: i32) -> Option<&'static TerminationReason> {
    position(code, subcode).map(|index| &TABLE[index])
}

/// The category of any `(code, subcode)` pair; the same as [`Category::of`].
///
/// ```
/// use msgraph_calls::termination::{category, Category};
/// assert_eq!(category(480, 99999), Category::Unreachable);
/// ```
pub fn category(code: i32, subcode: i32) -> Category {
    Category::of(code, subcode)
}

/// Every row of the catalog, sorted by `(code, subcode)`.
///
/// ```
/// let rows = msgraph_calls::termination::all();
/// assert!(rows.windows(2).all(|w| (w[0].code, w[0].subcode) < (w[1].code, w[1].subcode)));
/// ```
pub fn all() -> &'static [TerminationReason] {
    &TABLE
}
