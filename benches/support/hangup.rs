//! The two hang-ups the overhead benchmarks compare, set up once for both
//! (`delete_call.rs` times them, `delete_call_count.rs` counts their instructions), so that the
//! plain reqwest request stays exactly the same request in both.

use std::time::Duration;

use msgraph_calls::auth::StaticToken;
use msgraph_calls::client::http_client_builder;
use msgraph_calls::testing::{Reply, StandIn};
use msgraph_calls::Client;
use reqwest::header::{ACCEPT, AUTHORIZATION, USER_AGENT};

pub const CALL_ID: &str = "57dab8b1-894c-409a-b240-bd8beae78896";
const TOKEN: &str = "eyJ0eXAi.bench.sig";

/// A loopback server answering 204, the crate's client and a plain reqwest client with the same
/// TLS builder. One current-thread runtime drives client and server: no cross-thread wake-ups,
/// which would dominate the time and its noise.
pub struct Hangups {
    runtime: tokio::runtime::Runtime,
    base: String,
    client: Client,
    plain: reqwest::Client,
    _graph: StandIn,
}

impl Hangups {
    pub fn new() -> Hangups {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let graph = runtime.block_on(StandIn::start_unrecorded(|_| Reply::status(204)));
        let base = graph.base_url();
        let client = Client::builder()
            .base_url(base.clone())
            .token(StaticToken::new(TOKEN))
            .http_client(http_client_builder().unwrap().build().unwrap())
            .build()
            .unwrap();
        let plain = http_client_builder().unwrap().build().unwrap();
        Hangups {
            runtime,
            base,
            client,
            plain,
            _graph: graph,
        }
    }

    /// `Client::delete_call`.
    pub fn with_crate(&self) {
        self.runtime
            .block_on(self.client.delete_call(CALL_ID))
            .unwrap()
    }

    /// The same request with plain reqwest: the same headers (bearer token, a fresh
    /// client-request-id, user agent, accept) and per-request timeout; the URL and the
    /// `Authorization` value formatted per call, as any caller must.
    pub fn with_plain_reqwest(&self) {
        self.runtime.block_on(async {
            let response = self
                .plain
                .delete(format!("{}/communications/calls/{CALL_ID}", self.base))
                .header(AUTHORIZATION, format!("Bearer {TOKEN}"))
                .header(ACCEPT, "application/json")
                .header(USER_AGENT, "msgraph-calls/0.1.0")
                .header("client-request-id", fastrand::u128(..).to_string())
                .timeout(Duration::from_secs(30))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 204);
        })
    }
}
