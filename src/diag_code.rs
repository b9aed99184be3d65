//! [`DiagCode`]: the `DiagCode: <code>#<subcode>` Graph writes into some result messages, in
//! every spelling seen in Graph's bodies and bots' reports.

use crate::termination::{self, Category, Explanation, TerminationReason};

/// A `DiagCode: <code>#<subcode>` that Graph appends to some result messages, such as
/// `"Server Internal Error. DiagCode: 500#7106.@"`. It can disagree with `code`/`subcode`;
/// both stay available.
///
/// Read in every spelling seen: with or without the trailing `.@`, `DiagCode` in any letter
/// case, with or without spaces around the `:`, a first part that is not an HTTP-like status
/// (`0#7015`, `560486#...`), a negative number, and several in one message ([`DiagCode::all`]).
///
/// ```
/// use msgraph_calls::notifications::DiagCode;
///
/// let diag = DiagCode::parse("Server Internal Error. DiagCode: 500#7106.@").unwrap();
/// assert_eq!((diag.code, diag.subcode), (500, 7106));
/// assert_eq!(diag.category(), msgraph_calls::termination::Category::ServiceError);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DiagCode {
    /// The code before `#`.
    pub code: i32,
    /// The subcode after `#`.
    pub subcode: i32,
}

impl DiagCode {
    /// The last `DiagCode` of `message`: the one Graph appended last, the closest to the end.
    ///
    /// ```
    /// use msgraph_calls::notifications::DiagCode;
    ///
    /// let diag = DiagCode::parse("Call failed. diagcode: 404#10199").unwrap();
    /// assert_eq!((diag.code, diag.subcode), (404, 10199));
    /// assert_eq!(DiagCode::parse("no code here"), None);
    /// ```
    pub fn parse(message: &str) -> Option<DiagCode> {
        DiagCode::all(message).pop()
    }

    /// Every `DiagCode` of `message`, in order.
    ///
    /// ```
    /// use msgraph_calls::notifications::DiagCode;
    ///
    /// let all = DiagCode::all("Transfer failed. DiagCode: 480#1203.@ (DiagCode:560480#10021)");
    /// let pairs: Vec<_> = all.iter().map(|d| (d.code, d.subcode)).collect();
    /// assert_eq!(pairs, [(480, 1203), (560480, 10021)]);
    /// ```
    pub fn all(message: &str) -> Vec<DiagCode> {
        const WORD: &[u8] = b"diagcode";
        let bytes = message.as_bytes();
        let mut found = Vec::new();
        let mut at = 0;
        while let Some(offset) = bytes[at..]
            .windows(WORD.len())
            .position(|w| w.eq_ignore_ascii_case(WORD))
        {
            let start = at + offset + WORD.len();
            at = start;
            let mut rest = Reader { bytes, at: start };
            rest.spaces();
            if !rest.eat(b':') {
                continue;
            }
            rest.spaces();
            let Some(code) = rest.integer() else {
                continue;
            };
            if !rest.eat(b'#') {
                continue;
            }
            let Some(subcode) = rest.integer() else {
                continue;
            };
            found.push(DiagCode { code, subcode });
            at = rest.at;
        }
        found
    }

    /// The catalog's row for this pair, when a source names it.
    ///
    /// ```
    /// # use msgraph_calls::notifications::DiagCode;
    /// assert!(DiagCode { code: 200, subcode: 5001 }.reason().is_some());
    /// ```
    pub fn reason(&self) -> Option<&'static TerminationReason> {
        termination::lookup(self.code, self.subcode)
    }

    /// A reason for this pair, from the catalog or its rules.
    ///
    /// ```
    /// # use msgraph_calls::notifications::DiagCode;
    /// let why = DiagCode { code: 600, subcode: 560600 }.explain();
    /// assert_eq!(why.message(), "The SBC answered SIP 600 (Busy Everywhere).");
    /// ```
    pub fn explain(&self) -> Explanation {
        termination::explain(self.code, self.subcode)
    }

    /// The category of this pair, known or not.
    ///
    /// ```
    /// # use msgraph_calls::notifications::DiagCode;
    /// let diag = DiagCode { code: 408, subcode: 1 };
    /// assert_eq!(diag.category(), msgraph_calls::termination::Category::Timeout);
    /// ```
    pub fn category(&self) -> Category {
        Category::of(self.code, self.subcode)
    }
}

/// A cursor over a message's bytes.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn spaces(&mut self) {
        while self.bytes.get(self.at).is_some_and(u8::is_ascii_whitespace) {
            self.at += 1;
        }
    }

    fn eat(&mut self, byte: u8) -> bool {
        let matched = self.bytes.get(self.at) == Some(&byte);
        self.at += usize::from(matched);
        matched
    }

    /// An optionally negative decimal integer that fits an `i32`.
    fn integer(&mut self) -> Option<i32> {
        let start = self.at;
        self.eat(b'-');
        let digits = self.at;
        while self.bytes.get(self.at).is_some_and(u8::is_ascii_digit) {
            self.at += 1;
        }
        if self.at == digits {
            self.at = start;
            return None;
        }
        std::str::from_utf8(&self.bytes[start..self.at])
            .ok()?
            .parse()
            .ok()
    }
}
