//! Proxy variables around a loopback base URL, in a test binary of its own: the environment is
//! the process's, and no other test may see these variables.
//!
//! reqwest alone sends every request through `HTTP_PROXY`/`ALL_PROXY`, loopback included: a
//! plain-http request to a stand-in on 127.0.0.1, with its bearer token, and a loopback key
//! endpoint's keys, would cross the proxy in clear text. The crate's HTTP clients send only
//! `https` to a proxy, end to end encrypted, and never to loopback.

use std::sync::{Arc, Mutex};

use msgraph_calls::auth::StaticToken;
use msgraph_calls::inbound::Validator;
use msgraph_calls::testing::signer::{self, GraphKey, OPENID_PATH};
use msgraph_calls::testing::{Reply, StandIn};
use msgraph_calls::Client;
use tokio::io::AsyncReadExt;

const APP_ID: &str = "0efc74f7-41c3-47a4-8775-7259bfef4241";
const TENANT: &str = "1fdd12d0-4620-44ed-baec-459b611f84b2";
const TOKEN: &str = "eyJ0eXAi.proxy-test-token.sig";

/// A "proxy" on loopback that records the first bytes of each connection and answers nothing.
async fn recording_proxy() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let recorded = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut connection, _)) = listener.accept().await {
            let mut buffer = vec![0u8; 4096];
            let read = connection.read(&mut buffer).await.unwrap_or(0);
            recorded
                .lock()
                .unwrap()
                .push(String::from_utf8_lossy(&buffer[..read]).into_owned());
        }
    });
    (url, seen)
}

/// One hang-up, no retry, through a client built now (it reads the environment then).
async fn hang_up_on(base_url: &str) -> Result<(), msgraph_calls::Error> {
    Client::builder()
        .base_url(base_url)
        .token(StaticToken::new(TOKEN))
        .retry(msgraph_calls::RetryPolicy::none())
        .build()?
        .delete_call("57dab8b1-894c-409a-b240-bd8beae78896")
        .await
}

#[test]
fn proxy_variables_never_carry_plain_http_or_loopback_requests() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (proxy, seen) = runtime.block_on(recording_proxy());
    // Set before any client is built, while no other thread reads the environment.
    for name in [
        "HTTP_PROXY",
        "http_proxy",
        "ALL_PROXY",
        "all_proxy",
        "HTTPS_PROXY",
        "https_proxy",
    ] {
        std::env::set_var(name, &proxy);
    }
    std::env::remove_var("NO_PROXY");
    std::env::remove_var("no_proxy");

    runtime.block_on(async {
        // The hang-up client against a stand-in on 127.0.0.1: straight to it.
        let graph = StandIn::start(|_| Reply::status(204)).await;
        let client = Client::builder()
            .base_url(graph.base_url())
            .token(StaticToken::new(TOKEN))
            .build()
            .unwrap();
        client
            .delete_call("57dab8b1-894c-409a-b240-bd8beae78896")
            .await
            .unwrap();
        assert_eq!(graph.requests().len(), 1);
        assert_eq!(
            graph.requests()[0].header("authorization"),
            Some(format!("Bearer {TOKEN}").as_str())
        );

        // The callback check's key fetch from a loopback key endpoint: straight to it too.
        let key = GraphKey::generate("proxy-test");
        let jwks = signer::jwks(&[&key]);
        let keys = StandIn::start(move |request| {
            signer::publish(request, &jwks).unwrap_or_else(|| Reply::status(404))
        })
        .await;
        let validator = Validator::builder(APP_ID)
            .openid_configuration_url(format!("{}{OPENID_PATH}", keys.origin()))
            .build()
            .unwrap();
        let token = key.sign(&signer::claims(APP_ID, TENANT));
        let mut headers = http::HeaderMap::new();
        headers.insert(
            http::header::AUTHORIZATION,
            format!("Bearer {token}").parse().unwrap(),
        );
        validator.validate(&headers).await.unwrap();
        assert_eq!(keys.requests().len(), 2, "OpenID configuration and JWKS");

        assert!(
            seen.lock().unwrap().is_empty(),
            "the proxy saw {:?}",
            seen.lock().unwrap()
        );

        // An https Graph elsewhere does take the https proxy, as a tunnel: the proxy sees the
        // host to connect to, never the request or its token.
        assert!(hang_up_on("https://graph.proxy-test.invalid/v1.0")
            .await
            .is_err());
        {
            let seen = seen.lock().unwrap();
            assert_eq!(seen.len(), 1, "{seen:?}");
            assert!(
                seen[0].starts_with("CONNECT graph.proxy-test.invalid:443 "),
                "{seen:?}"
            );
            assert!(!seen[0].contains(TOKEN));
        }
    });

    // A host NO_PROXY lists goes direct (and, being made up, fails to resolve): the proxy sees
    // nothing more. Clients read the environment when they are built.
    std::env::set_var("NO_PROXY", "direct.proxy-test.invalid");
    runtime.block_on(async {
        assert!(hang_up_on("https://direct.proxy-test.invalid/v1.0")
            .await
            .is_err());
        let seen = seen.lock().unwrap();
        assert_eq!(seen.len(), 1, "the proxy saw {seen:?}");
    });
}
