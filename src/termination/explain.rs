//! [`explain`]: a reason for every `(code, subcode)` pair, from the catalog's row when one names
//! the pair, else from the first rule of `schema/termination-rules.csv` that matches it.

use std::borrow::Cow;
use std::fmt;

use super::{lookup, Category, Lang, TerminationReason};
use crate::generated::termination_rules::{rule, sip_reason, RULES};

/// Which number of a pair is the SIP response code a rule speaks of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SipFrom {
    /// The rule names no SIP code.
    None,
    /// The code is the SIP code (`480`).
    Code,
    /// The subcode less this number is (`560486` less `560000`).
    SubcodeLess(i32),
}

/// A rule of `schema/termination-rules.csv`, as generated.
#[derive(Debug)]
pub(crate) struct Rule {
    pub(crate) sip: SipFrom,
    /// `None`: the category of the SIP code's class.
    pub(crate) category: Option<Category>,
    /// `(language code, template)` of the languages the rule has; English always among them.
    pub(crate) reasons: &'static [(&'static str, &'static str)],
}

/// Why a call ended, for any pair: [`explain`]'s answer.
///
/// ```
/// use msgraph_calls::termination::{self, Basis, Category};
///
/// let why = termination::explain(600, 560600);
/// assert_eq!(why.message(), "The SBC answered SIP 600 (Busy Everywhere).");
/// assert_eq!(why.category, Category::Unreachable);
/// assert!(matches!(why.basis, Basis::Rule { sip: Some(600), .. }));
/// assert_eq!(
///     why.to_string(),
///     "600/560600 (unreachable): The SBC answered SIP 600 (Busy Everywhere)."
/// );
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Explanation {
    /// `resultInfo.code`.
    pub code: i32,
    /// `resultInfo.subcode`.
    pub subcode: i32,
    /// What a program may do about it.
    pub category: Category,
    /// Where the explanation comes from.
    pub basis: Basis,
}

/// Where an [`Explanation`] comes from.
///
/// ```
/// use msgraph_calls::termination::{self, Basis};
///
/// assert!(matches!(termination::explain(200, 5001).basis, Basis::Row(_)));
/// assert!(matches!(termination::explain(480, 1).basis, Basis::Rule { .. }));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Basis {
    /// A row of the catalog names the pair.
    Row(&'static TerminationReason),
    /// No row names it; a rule of `schema/termination-rules.csv` explains it.
    Rule {
        /// The rule's position in the file (0 for the first rule); the number of rules when
        /// none matched (the file's last rule matches every pair, so only a file without it
        /// leaves a pair to the code's class).
        index: usize,
        /// The SIP response code the rule read from the pair, when it reads one.
        sip: Option<i32>,
    },
}

/// A reason for any `(code, subcode)` pair: the catalog's row when one names it, else the first
/// rule that matches (a subcode `560xxx` is the SBC's SIP answer `xxx`; a 4xx/5xx/6xx code is a
/// SIP response; 0 and 2xx are successes), saying which in [`Explanation::basis`].
///
/// ```
/// use msgraph_calls::termination::{self, Category, Lang};
///
/// assert_eq!(termination::explain(200, 5001).message(), "The conversation has ended.");
/// let why = termination::explain(503, 424242);
/// assert_eq!(why.category, Category::ServiceError);
/// assert_eq!(why.message(), "SIP 503 (Service Unavailable); subcode 424242 is not in the catalog.");
/// assert!(why.message_in(Lang::Fr).starts_with("SIP 503 (Service Unavailable)"));
/// ```
pub fn explain(code: i32, subcode: i32) -> Explanation {
    if let Some(row) = lookup(code, subcode) {
        return Explanation {
            code,
            subcode,
            category: row.category,
            basis: Basis::Row(row),
        };
    }
    // The rules end with one that matches every pair; the fallback is for a file without it.
    let Some(index) = rule(code, subcode) else {
        return Explanation {
            code,
            subcode,
            category: Category::from_code(code),
            basis: Basis::Rule {
                index: RULES.len(),
                sip: None,
            },
        };
    };
    let sip = match RULES[index].sip {
        SipFrom::None => None,
        SipFrom::Code => Some(code),
        SipFrom::SubcodeLess(offset) => subcode.checked_sub(offset),
    };
    let category = RULES[index]
        .category
        .unwrap_or_else(|| Category::from_code(sip.unwrap_or(code)));
    Explanation {
        code,
        subcode,
        category,
        basis: Basis::Rule { index, sip },
    }
}

impl Explanation {
    /// The reason in English: the row's, or the rule's text filled in.
    ///
    /// ```
    /// let why = msgraph_calls::termination::explain(0, 424242);
    /// assert_eq!(why.message(), "Graph reports success; subcode 424242 says what completed.");
    /// ```
    pub fn message(&self) -> Cow<'static, str> {
        self.message_in(Lang::En)
    }

    /// The reason in `lang`, in English where neither the row nor the rule has it in `lang`.
    ///
    /// ```
    /// use msgraph_calls::termination::{explain, Lang};
    /// assert_eq!(explain(200, 5001).message_in(Lang::Fr), "La conversation est terminée.");
    /// assert_eq!(explain(600, 560600).message_in(Lang::Fr), "Le SBC a répondu SIP 600 (Busy Everywhere).");
    /// ```
    pub fn message_in(&self, lang: Lang) -> Cow<'static, str> {
        match self.basis {
            Basis::Row(row) => Cow::Borrowed(row.message_in(lang)),
            Basis::Rule { index, sip } => {
                let Some(rule) = RULES.get(index) else {
                    return Cow::Owned(format!("{}/{}", self.code, self.subcode));
                };
                let template = rule
                    .reasons
                    .iter()
                    .find(|(code, _)| *code == lang.code())
                    .or_else(|| rule.reasons.iter().find(|(code, _)| *code == "en"))
                    .map_or("", |(_, text)| *text);
                Cow::Owned(fill(template, self.code, self.subcode, sip))
            }
        }
    }

    /// Whether a row of the catalog names the pair (not a rule).
    ///
    /// ```
    /// assert!(msgraph_calls::termination::explain(200, 5001).is_from_catalog());
    /// ```
    pub fn is_from_catalog(&self) -> bool {
        matches!(self.basis, Basis::Row(_))
    }
}

impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        super::display_pair(f, self.code, self.subcode, self.category, &self.message())
    }
}

/// A rule's text with its placeholders filled in.
fn fill(template: &str, code: i32, subcode: i32, sip: Option<i32>) -> String {
    let sip_text = sip.map(|s| s.to_string()).unwrap_or_default();
    let phrase = sip
        .and_then(sip_reason)
        .unwrap_or("no reason phrase registered");
    template
        .replace("{code}", &code.to_string())
        .replace("{subcode}", &subcode.to_string())
        .replace("{sip_reason}", phrase)
        .replace("{sip}", &sip_text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_filled_and_unknown_sip_codes_say_so() {
        assert_eq!(
            fill(
                "{code}/{subcode}: SIP {sip} ({sip_reason})",
                499,
                1,
                Some(499)
            ),
            "499/1: SIP 499 (no reason phrase registered)"
        );
        assert_eq!(fill("{sip_reason}", 0, 0, Some(603)), "Decline");
    }

    #[test]
    fn every_pair_has_an_explanation_without_panicking() {
        for (code, subcode) in [
            (i32::MIN, i32::MIN),
            (i32::MAX, i32::MAX),
            (-1, 560486),
            (0, 0),
            (700, 1),
            (199, 5),
        ] {
            let why = explain(code, subcode);
            assert!(!why.message().is_empty(), "{code}/{subcode}");
        }
    }
}
