//! Hang up one call with graph-rs-sdk 3.0.1 (default features), for the build-cost comparison.

#[tokio::main]
async fn main() {
    let call_id = std::env::args().nth(1).unwrap_or_else(|| "57dab8b1-894c-409a-b240-bd8beae78896".into());
    let token = std::env::var("GRAPH_TOKEN").unwrap_or_default();
    let client = graph_rs_sdk::GraphClient::new(token);
    match client.communications().call(call_id).delete_calls().send().await {
        Ok(response) => println!("{}", response.status()),
        Err(e) => eprintln!("hang-up failed: {e}"),
    }
}
