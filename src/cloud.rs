//! The national clouds Graph runs in, and where each one's API lives.
//!
//! Source: microsoft-graph-docs-contrib `concepts/deployments.md` (roots and token
//! authorities) and `api-reference/v1.0/api/call-delete.md` (the clouds that offer the API).

use std::fmt;

/// A Microsoft Graph deployment. Tokens of one cloud do not work in another.
///
/// ```
/// use msgraph_calls::Cloud;
///
/// assert_eq!(Cloud::Global.api_base(), "https://graph.microsoft.com/v1.0");
/// assert_eq!(Cloud::UsGovL5Dod.graph_root(), "https://dod-graph.microsoft.us");
/// assert!(!Cloud::China.offers_calls());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Cloud {
    /// The global service, `https://graph.microsoft.com`.
    Global,
    /// US Government L4 (GCC High), `https://graph.microsoft.us`.
    UsGovL4,
    /// US Government L5 (DOD), `https://dod-graph.microsoft.us`.
    UsGovL5Dod,
    /// China operated by 21Vianet, `https://microsoftgraph.chinacloudapi.cn`. Graph's calling
    /// APIs are not offered there.
    China,
}

impl Cloud {
    /// The root of Graph in this cloud, without a version segment.
    pub fn graph_root(self) -> &'static str {
        match self {
            Cloud::Global => "https://graph.microsoft.com",
            Cloud::UsGovL4 => "https://graph.microsoft.us",
            Cloud::UsGovL5Dod => "https://dod-graph.microsoft.us",
            Cloud::China => "https://microsoftgraph.chinacloudapi.cn",
        }
    }

    /// The authority that issues tokens for this cloud.
    ///
    /// ```
    /// assert_eq!(msgraph_calls::Cloud::UsGovL4.token_authority(), "https://login.microsoftonline.us");
    /// ```
    pub fn token_authority(self) -> &'static str {
        match self {
            Cloud::Global => "https://login.microsoftonline.com",
            Cloud::UsGovL4 | Cloud::UsGovL5Dod => "https://login.microsoftonline.us",
            Cloud::China => "https://login.chinacloudapi.cn",
        }
    }

    /// The API base the client sends requests to: the root and `/v1.0`.
    pub fn api_base(self) -> String {
        format!("{}/v1.0", self.graph_root())
    }

    /// The scope to ask a token for, for app-only access: `<graph root>/.default`.
    ///
    /// ```
    /// assert_eq!(msgraph_calls::Cloud::Global.default_scope(), "https://graph.microsoft.com/.default");
    /// ```
    pub fn default_scope(self) -> String {
        format!("{}/.default", self.graph_root())
    }

    /// Whether Graph offers the calling APIs (and so the hang-up) in this cloud: the global
    /// service and US Government L4 and L5 do, China does not (concepts/deployments.md).
    pub fn offers_calls(self) -> bool {
        !matches!(self, Cloud::China)
    }
}

impl fmt::Display for Cloud {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Cloud::Global => "global",
            Cloud::UsGovL4 => "US Government L4",
            Cloud::UsGovL5Dod => "US Government L5 (DOD)",
            Cloud::China => "China (21Vianet)",
        })
    }
}
