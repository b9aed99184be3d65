//! Bearer tokens for Graph: where the client gets them.
//!
//! The client asks its [`TokenProvider`] for a token before every request, so a provider that
//! caches and refreshes (as the Azure SDK's credentials do) keeps the client working past a
//! token's expiry. A multi-tenant bot serves every tenant from one client: its per-tenant
//! views ([`Client::for_tenant`](crate::Client::for_tenant)) ask
//! [`TokenProvider::token_for_tenant`] instead, naming the tenant. A token is held as an
//! [`AccessToken`], which never shows its value in `Debug` and has no `Display`.

use std::fmt;
use std::future::Future;
use std::pin::Pin;

/// A bearer token. Its `Debug` output is `AccessToken(<redacted>)`.
///
/// ```
/// let token = msgraph_calls::auth::AccessToken::new("eyJ0eXAi...");
/// assert_eq!(format!("{token:?}"), "AccessToken(<redacted>)");
/// assert_eq!(token.secret(), "eyJ0eXAi...");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct AccessToken(String);

impl AccessToken {
    /// Wraps a token string.
    pub fn new(token: impl Into<String>) -> AccessToken {
        AccessToken(token.into())
    }

    /// The token itself, for the `Authorization` header. Do not log it.
    pub fn secret(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccessToken(<redacted>)")
    }
}

/// Why a token could not be had. Its text comes from the provider and must not hold the token.
///
/// ```
/// let err = msgraph_calls::auth::TokenError::new("managed identity endpoint unreachable");
/// assert_eq!(err.to_string(), "no token: managed identity endpoint unreachable");
/// ```
#[derive(Debug)]
pub struct TokenError {
    message: String,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl TokenError {
    /// An error with a message.
    pub fn new(message: impl Into<String>) -> TokenError {
        TokenError {
            message: message.into(),
            source: None,
        }
    }

    /// An error caused by another one.
    pub fn with_source(
        message: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> TokenError {
        TokenError {
            message: message.into(),
            source: Some(Box::new(source)),
        }
    }
}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "no token: {}", self.message)
    }
}

impl std::error::Error for TokenError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// Gives the client a bearer token for Graph, on every request.
///
/// Implement [`token`](TokenProvider::token) with an `async fn`:
///
/// ```
/// use msgraph_calls::auth::{AccessToken, TokenError, TokenProvider};
///
/// struct FromVault;
///
/// impl TokenProvider for FromVault {
///     async fn token(&self) -> Result<AccessToken, TokenError> {
///         // Fetch or refresh here; return a token valid for at least the next minute.
///         Ok(AccessToken::new("eyJ0eXAi..."))
///     }
/// }
///
/// let client = msgraph_calls::Client::builder()
///     .base_url("http://127.0.0.1:8080/v1.0")
///     .token(FromVault)
///     .build()
///     .unwrap();
/// ```
///
/// A bot that several tenants installed (a multi-tenant app registration) needs a token of
/// each call's tenant: the tenant in the call's notifications (`tenantId`) and in the token
/// Graph signs each callback with. It implements
/// [`token_for_tenant`](TokenProvider::token_for_tenant) too, and uses one client's per-tenant
/// views ([`Client::for_tenant`](crate::Client::for_tenant)), as Microsoft's .NET calling SDK
/// hands the tenant to its `AuthenticateOutboundRequestAsync`:
///
/// ```
/// use msgraph_calls::auth::{AccessToken, TokenError, TokenProvider};
///
/// struct PerTenant;
///
/// impl TokenProvider for PerTenant {
///     async fn token(&self) -> Result<AccessToken, TokenError> {
///         self.token_for_tenant("contoso.onmicrosoft.com").await // the app's home tenant
///     }
///     async fn token_for_tenant(&self, tenant: &str) -> Result<AccessToken, TokenError> {
///         // Ask https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token, cached per tenant.
///         Ok(AccessToken::new(format!("token of {tenant}")))
///     }
/// }
///
/// let client = msgraph_calls::Client::builder()
///     .base_url("http://127.0.0.1:8080/v1.0")
///     .token(PerTenant)
///     .build()
///     .unwrap();
/// let fabrikam = client.for_tenant("b2f1c6a4-3a4e-4d43-8c4e-1f0c0f7c9b7e").unwrap();
/// assert_eq!(fabrikam.tenant(), Some("b2f1c6a4-3a4e-4d43-8c4e-1f0c0f7c9b7e"));
/// ```
pub trait TokenProvider: Send + Sync + 'static {
    /// A token valid for Graph in the client's cloud, for the app's own tenant: what a client
    /// that is no tenant's view ([`Client::for_tenant`](crate::Client::for_tenant)) sends.
    fn token(&self) -> impl Future<Output = Result<AccessToken, TokenError>> + Send;

    /// A token valid for Graph in the client's cloud, for `tenant` (a tenant id or one of its
    /// domain names, as given to [`Client::for_tenant`](crate::Client::for_tenant)): what the
    /// client's per-tenant views send.
    ///
    /// The default refuses with a [`TokenError`] that says so: a token of the app's own tenant
    /// sent for another tenant's call would only earn a 401 or 403 from Graph.
    fn token_for_tenant(
        &self,
        tenant: &str,
    ) -> impl Future<Output = Result<AccessToken, TokenError>> + Send {
        let message = format!(
            "this token provider gives tokens of one tenant only; implement \
             TokenProvider::token_for_tenant to serve tenant {tenant}"
        );
        async move { Err(TokenError::new(message)) }
    }
}

/// A token that never changes: for tests, scripts and tokens managed elsewhere.
///
/// ```
/// let client = msgraph_calls::Client::builder()
///     .token(msgraph_calls::auth::StaticToken::new("eyJ0eXAi..."))
///     .build()
///     .unwrap();
/// assert!(!format!("{client:?}").contains("eyJ0eXAi"));
/// ```
#[derive(Clone)]
pub struct StaticToken(AccessToken);

impl StaticToken {
    /// A provider that always gives `token`.
    pub fn new(token: impl Into<String>) -> StaticToken {
        StaticToken(AccessToken::new(token))
    }
}

impl fmt::Debug for StaticToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("StaticToken").field(&self.0).finish()
    }
}

impl TokenProvider for StaticToken {
    async fn token(&self) -> Result<AccessToken, TokenError> {
        Ok(self.0.clone())
    }
}

type TokenFuture<'a> = Pin<Box<dyn Future<Output = Result<AccessToken, TokenError>> + Send + 'a>>;

/// The object-safe form of [`TokenProvider`] the client stores.
pub(crate) trait DynTokenProvider: Send + Sync {
    fn token_boxed<'a>(&'a self, tenant: Option<&'a str>) -> TokenFuture<'a>;
}

impl<T: TokenProvider> DynTokenProvider for T {
    fn token_boxed<'a>(&'a self, tenant: Option<&'a str>) -> TokenFuture<'a> {
        match tenant {
            None => Box::pin(self.token()),
            Some(tenant) => Box::pin(self.token_for_tenant(tenant)),
        }
    }
}

/// Where one request's token comes from: the client's provider, and the tenant of the view
/// that sends it.
#[derive(Clone, Copy)]
pub(crate) struct TokenSource<'a> {
    pub(crate) provider: &'a dyn DynTokenProvider,
    pub(crate) tenant: Option<&'a str>,
}

impl TokenSource<'_> {
    pub(crate) async fn token(self) -> Result<AccessToken, TokenError> {
        self.provider.token_boxed(self.tenant).await
    }
}

#[cfg(feature = "azure-identity")]
pub use azure::AzureCredential;

#[cfg(feature = "azure-identity")]
mod azure {
    use std::fmt;
    use std::sync::Arc;

    use azure_core::credentials::TokenCredential;

    use super::{AccessToken, TokenError, TokenProvider};
    use crate::cloud::Cloud;

    /// Tokens from the Azure SDK for Rust: any `azure_core` [`TokenCredential`] (a managed
    /// identity, a client secret, the developer's Azure CLI login, ...), asked for the app-only
    /// scope `<graph root>/.default` of the client's cloud. It serves the credential's own
    /// tenant: per-tenant views ([`Client::for_tenant`](crate::Client::for_tenant)) need a
    /// [`TokenProvider`] holding a credential per tenant.
    ///
    /// ```no_run
    /// # fn demo(credential: std::sync::Arc<dyn azure_core::credentials::TokenCredential>) {
    /// use msgraph_calls::{auth::AzureCredential, Client, Cloud};
    ///
    /// let client = Client::builder()
    ///     .cloud(Cloud::UsGovL4)
    ///     .token(AzureCredential::new(credential, Cloud::UsGovL4))
    ///     .build()
    ///     .unwrap();
    /// # }
    /// ```
    #[derive(Clone)]
    pub struct AzureCredential {
        credential: Arc<dyn TokenCredential>,
        scope: String,
    }

    impl AzureCredential {
        /// Asks `credential` for tokens of `cloud`'s Graph.
        pub fn new(credential: Arc<dyn TokenCredential>, cloud: Cloud) -> AzureCredential {
            AzureCredential {
                credential,
                scope: cloud.default_scope(),
            }
        }

        /// The scope tokens are asked for.
        pub fn scope(&self) -> &str {
            &self.scope
        }
    }

    impl fmt::Debug for AzureCredential {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.debug_struct("AzureCredential")
                .field("scope", &self.scope)
                .finish_non_exhaustive()
        }
    }

    impl TokenProvider for AzureCredential {
        async fn token(&self) -> Result<AccessToken, TokenError> {
            let token = self
                .credential
                .get_token(&[self.scope.as_str()], None)
                .await
                .map_err(|e| {
                    TokenError::with_source(format!("Azure credential for {}", self.scope), e)
                })?;
            Ok(AccessToken::new(token.token.secret()))
        }
    }
}
