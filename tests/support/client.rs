//! The client as the tests build it: against a stand-in, with a static token, and retries quick
//! enough that a test of the retry loop takes milliseconds.

#![allow(dead_code)]

use std::time::Duration;

use msgraph_calls::auth::StaticToken;
use msgraph_calls::{Client, RetryPolicy};

use msgraph_calls::testing::StandIn;

/// Three attempts, waits from 20 ms, at most 200 ms each, all within 10 s.
pub fn fast_retries() -> RetryPolicy {
    RetryPolicy::default()
        .max_attempts(3)
        .base_delay(Duration::from_millis(20))
        .max_delay(Duration::from_millis(200))
        .deadline(Duration::from_secs(10))
}

/// A client of `graph` sending `token`, retrying as `retry` says.
pub fn client(graph: &StandIn, token: &str, retry: RetryPolicy) -> Client {
    builder(graph, token, retry).build().unwrap()
}

/// The builder of [`client`], for a test that sets more.
pub fn builder(
    graph: &StandIn,
    token: &str,
    retry: RetryPolicy,
) -> msgraph_calls::client::ClientBuilder {
    Client::builder()
        .base_url(graph.base_url())
        .token(StaticToken::new(token))
        .retry(retry)
}
