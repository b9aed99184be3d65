//! Why a call ended: the call end reason table of Graph's "Delete call" page, in every
//! language of `schema/termination-codes.csv`, with a [`Category`] a program can act on.
//!
//! The table is compiled from the CSV at build time into a static slice sorted by
//! `(code, subcode)` and a generated `match` from pair to row; [`lookup`] is that `match`
//! (measured against a binary search in `benches/termination.rs`: BENCHMARKS.md). Graph calls these "some of the
//! common" codes (DC api/call-delete.md): real notifications carry pairs outside the table, so
//! an unknown pair is normal input. [`category`] gives a category for any pair.
//!
//! ```
//! use msgraph_calls::termination::{self, Category, Lang};
//!
//! let reason = termination::lookup(200, 5001).expect("a documented pair");
//! assert_eq!(reason.message(), "The conversation has ended.");
//! assert_eq!(reason.message_in(Lang::Fr), "La conversation est terminée.");
//! assert_eq!(reason.category, Category::NormalEnd);
//!
//! // 500/7106 is not in Graph's table, yet a 500 is a service error.
//! assert!(termination::lookup(500, 7106).is_none());
//! assert_eq!(termination::category(500, 7106), Category::ServiceError);
//! ```

use std::fmt;

use crate::generated::termination::{position, LANG_COUNT, TABLE};
pub use crate::generated::termination::{Category, Lang};

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
    /// One message per [`Lang`], in column order; built by the generated table only.
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

    /// The reason in `lang`.
    ///
    /// ```
    /// use msgraph_calls::termination::{lookup, Lang};
    ///
    /// let reason = lookup(410, 301005).unwrap();
    /// assert_eq!(reason.message_in(Lang::Fr), "Échec de connectivité du média.");
    /// ```
    pub fn message_in(&self, lang: Lang) -> &'static str {
        self.messages[lang as usize]
    }
}

impl fmt::Display for TerminationReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}/{} ({}): {}",
            self.code,
            self.subcode,
            self.category,
            self.message()
        )
    }
}

// `Category` itself (its variants, their docs and `as_str`) is generated from the category
// list of msgraph-calls-codegen (`codegen/src/termination.rs`), the names the CSV uses.
impl Category {
    /// The category of any pair: the table's when the pair is in it, else the code class's.
    ///
    /// ```
    /// use msgraph_calls::termination::Category;
    /// assert_eq!(Category::of(500, 1005), Category::MediaFailure); // from the table
    /// assert_eq!(Category::of(500, 7106), Category::ServiceError); // from the class
    /// ```
    pub fn of(code: i32, subcode: i32) -> Category {
        lookup(code, subcode).map_or_else(|| Category::from_code(code), |reason| reason.category)
    }

    /// The category of a code class: 2xx normal end, 408 timeout, 410 media failure,
    /// other 4xx unreachable, 5xx service error, anything else unknown.
    ///
    /// ```
    /// use msgraph_calls::termination::Category;
    /// assert_eq!(Category::from_code(503), Category::ServiceError);
    /// ```
    pub fn from_code(code: i32) -> Category {
        match code {
            200..=299 => Category::NormalEnd,
            408 => Category::Timeout,
            410 => Category::MediaFailure,
            400..=499 => Category::Unreachable,
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

/// The table's row for `(code, subcode)`, if Graph documents that pair.
///
/// ```
/// use msgraph_calls::termination::lookup;
///
/// assert_eq!(lookup(200, 540000).unwrap().message(), "Call ended by the PSTN User.");
/// assert!(lookup(200, 0).is_none());
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

/// Every row of the table, sorted by `(code, subcode)`.
///
/// ```
/// let rows = msgraph_calls::termination::all();
/// assert!(rows.windows(2).all(|w| (w[0].code, w[0].subcode) < (w[1].code, w[1].subcode)));
/// ```
pub fn all() -> &'static [TerminationReason] {
    &TABLE
}
