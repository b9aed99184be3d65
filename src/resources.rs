//! Graph's call resources: the [`Call`], its [`Participant`]s, the [`CommsOperation`]s that
//! operations return, and what they hold ([`ResultInfo`], [`IdentitySet`], [`CallState`]...),
//! as the client's operations return them and notifications carry them
//! ([`crate::notifications`] reads the batches).
//!
//! The types are generated from `schema/openapi.yaml` by build.rs (`OUT_DIR/model.rs`), every
//! one re-exported here (the batch types, [`CommsNotifications`] and its parts, too). Every
//! Graph type is open and every Graph enum evolvable: properties the schema does not name are
//! kept in `extra`, values an enum does not know yet in its `Other` variant, so a resource read
//! and written again with `serde_json` is the JSON it was. With the `sessions` feature,
//! `Call::merge` and its kin take a partial resource (what a notification says) over a whole
//! one, as call sessions do.
//!
//! ```
//! use msgraph_calls::resources::{Call, CallState};
//!
//! let call: Call = serde_json::from_str(r#"{"state": "established", "subject": "Support", "new": 1}"#).unwrap();
//! assert_eq!(call.state, Some(CallState::Established));
//! assert_eq!(call.subject.as_deref(), Some("Support"));
//! assert_eq!(serde_json::to_string(&call).unwrap(), r#"{"state":"established","subject":"Support","new":1}"#);
//! ```

pub use crate::generated::model::*;
use crate::graph_int::GraphInt32;
use crate::notifications::DiagCode;
use crate::termination::{self, Category, TerminationReason};

impl ResultInfo {
    /// The `DiagCode` at the end of `message`, when there is one.
    ///
    /// ```
    /// let info: msgraph_calls::resources::ResultInfo = serde_json::from_str(
    ///     r#"{"code": 500, "subcode": 0, "message": "Server Internal Error. DiagCode: 500#1005.@"}"#,
    /// ).unwrap();
    /// assert_eq!(info.diag_code().unwrap().subcode, 1005);
    /// ```
    pub fn diag_code(&self) -> Option<DiagCode> {
        DiagCode::parse(self.message.as_deref()?)
    }

    /// The catalog's row for this result's `(code, subcode)`, when both are integers and a
    /// source names the pair.
    ///
    /// ```
    /// let info: msgraph_calls::resources::ResultInfo =
    ///     serde_json::from_str(r#"{"code": "200", "subcode": 5001}"#).unwrap();
    /// assert_eq!(info.reason().unwrap().message(), "The conversation has ended.");
    /// ```
    pub fn reason(&self) -> Option<&'static TerminationReason> {
        let (code, subcode) = self.pair()?;
        termination::lookup(code, subcode)
    }

    /// A reason for this result's `(code, subcode)`, from the catalog or its rules
    /// ([`termination::explain`]); `None` when either is missing or not an integer.
    ///
    /// ```
    /// let info: msgraph_calls::resources::ResultInfo =
    ///     serde_json::from_str(r#"{"code": 600, "subcode": 560600}"#).unwrap();
    /// assert_eq!(info.explain().unwrap().message(), "The SBC answered SIP 600 (Busy Everywhere).");
    /// ```
    pub fn explain(&self) -> Option<termination::Explanation> {
        let (code, subcode) = self.pair()?;
        Some(termination::explain(code, subcode))
    }

    /// The category of this result, known pair or not; `None` when `code` is missing or not
    /// an integer.
    ///
    /// ```
    /// use msgraph_calls::termination::Category;
    /// let info: msgraph_calls::resources::ResultInfo =
    ///     serde_json::from_str(r#"{"code": 500, "subcode": 7106}"#).unwrap();
    /// assert_eq!(info.category(), Some(Category::ServiceError));
    /// ```
    pub fn category(&self) -> Option<Category> {
        let code = self.code.as_ref()?.get()?;
        Some(match self.subcode_value() {
            Some(subcode) => Category::of(code, subcode),
            None => Category::from_code(code),
        })
    }

    /// The subcode as an integer: `subcode`, or `subCode` as one of Graph's doc examples
    /// spells it (kept in `extra`).
    ///
    /// ```
    /// let info: msgraph_calls::resources::ResultInfo =
    ///     serde_json::from_str(r#"{"code": 200, "subCode": "5001"}"#).unwrap();
    /// assert_eq!(info.subcode_value(), Some(5001));
    /// assert_eq!(info.reason().unwrap().message(), "The conversation has ended.");
    /// ```
    pub fn subcode_value(&self) -> Option<i32> {
        match &self.subcode {
            Some(subcode) => subcode.get(),
            None => self
                .extra
                .get("subCode")
                .and_then(|v| serde_json::from_value::<GraphInt32>(v.clone()).ok())
                .and_then(|v| v.get()),
        }
    }

    fn pair(&self) -> Option<(i32, i32)> {
        Some((self.code.as_ref()?.get()?, self.subcode_value()?))
    }
}
