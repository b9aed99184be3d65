//! Tokens from an Azure SDK `TokenCredential` (feature `azure-identity`).
#![cfg(feature = "azure-identity")]

mod support;

use std::sync::{Arc, Mutex};

use azure_core::credentials::{AccessToken, TokenCredential, TokenRequestOptions};
use azure_core::time::{Duration, OffsetDateTime};
use msgraph_calls::auth::AzureCredential;
use msgraph_calls::testing::{Reply, StandIn};
use msgraph_calls::{Client, Cloud, Error};

/// A credential that records the scopes it is asked for.
#[derive(Debug, Default)]
struct FakeCredential {
    scopes: Mutex<Vec<String>>,
    fail: bool,
}

#[async_trait::async_trait]
impl TokenCredential for FakeCredential {
    async fn get_token(
        &self,
        scopes: &[&str],
        _: Option<TokenRequestOptions<'_>>,
    ) -> azure_core::Result<AccessToken> {
        self.scopes
            .lock()
            .unwrap()
            .extend(scopes.iter().map(|s| s.to_string()));
        if self.fail {
            return Err(azure_core::Error::with_message(
                azure_core::error::ErrorKind::Credential,
                "no identity",
            ));
        }
        Ok(AccessToken::new(
            "azure-token-51e2",
            OffsetDateTime::now_utc() + Duration::hours(1),
        ))
    }
}

#[tokio::test]
async fn the_credential_is_asked_for_the_clouds_default_scope() {
    let graph = StandIn::start(|_| Reply::status(204)).await;
    let credential = Arc::new(FakeCredential::default());
    let provider = AzureCredential::new(credential.clone(), Cloud::UsGovL4);
    assert_eq!(provider.scope(), "https://graph.microsoft.us/.default");
    assert!(!format!("{provider:?}").contains("azure-token"));
    let client = Client::builder()
        .base_url(graph.base_url())
        .token(provider)
        .build()
        .unwrap();
    client.delete_call("call-1").await.unwrap();

    assert_eq!(
        *credential.scopes.lock().unwrap(),
        ["https://graph.microsoft.us/.default"]
    );
    assert_eq!(
        graph.requests()[0].header("authorization"),
        Some("Bearer azure-token-51e2")
    );
}

#[tokio::test]
async fn a_credential_failure_is_a_token_error() {
    let graph = StandIn::start(|_| Reply::status(204)).await;
    let credential = Arc::new(FakeCredential {
        fail: true,
        ..FakeCredential::default()
    });
    let client = Client::builder()
        .base_url(graph.base_url())
        .token(AzureCredential::new(credential, Cloud::Global))
        .build()
        .unwrap();
    let err = client.delete_call("call-1").await.unwrap_err();
    assert!(matches!(&err, Error::Token(_)), "{err:?}");
    assert!(
        err.to_string()
            .contains("https://graph.microsoft.com/.default"),
        "{err}"
    );
    assert!(graph.requests().is_empty());
}
