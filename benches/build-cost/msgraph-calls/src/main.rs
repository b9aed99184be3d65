//! Hang up one call with msgraph-calls, for the build-cost comparison.

#[tokio::main]
async fn main() {
    let call_id = std::env::args().nth(1).unwrap_or_else(|| "57dab8b1-894c-409a-b240-bd8beae78896".into());
    let token = std::env::var("GRAPH_TOKEN").unwrap_or_default();
    let result = match msgraph_calls::Client::new("https://graph.microsoft.com/v1.0", token) {
        Ok(client) => client.delete_call(&call_id).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => println!("204"),
        Err(e) => eprintln!("hang-up failed: {e}"),
    }
}
