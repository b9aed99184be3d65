//! Hang up one call with msgraph-calls, for the build-cost comparison.

use msgraph_calls::{auth::StaticToken, Client};

#[tokio::main]
async fn main() {
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
