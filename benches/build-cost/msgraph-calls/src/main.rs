//! Hang up one call with msgraph-calls, for the build-cost comparison.

use msgraph_calls::{auth::StaticToken, Client};

#[tokio::main]
async fn main() {
    #[cfg(feature = "callbacks")]
    if let Ok(authorization) = std::env::var("CALLBACK_AUTHORIZATION") {
        println!("{}", check_callback(&authorization, b"{}").await);
        return;
    }
    let call_id = std::env::args().nth(1).unwrap_or_else(|| "57dab8b1-894c-409a-b240-bd8beae78896".into());
    let token = std::env::var("GRAPH_TOKEN").unwrap_or_default();
    let result = match Client::builder().token(StaticToken::new(token)).build() {
        Ok(client) => client.hang_up(&call_id).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(outcome) => println!("{outcome:?}"),
        Err(e) => eprintln!("hang-up failed: {e}"),
    }
}

/// With `--features callbacks`: also check the token of a callback given on the command line.
#[cfg(feature = "callbacks")]
async fn check_callback(authorization: &str, body: &[u8]) -> u16 {
    use msgraph_calls::inbound::{Receiver, Validator};
    let Ok(validator) = Validator::builder("bot app id").build() else {
        return 500;
    };
    let mut headers = http::HeaderMap::new();
    if let Ok(value) = authorization.parse() {
        headers.insert(http::header::AUTHORIZATION, value);
    }
    Receiver::new(validator).receive(&headers, body).await.status().as_u16()
}
