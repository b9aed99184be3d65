//! Run by `.ci/run` in a new project that depends on the unpacked `.crate` files of
//! msgraph-calls and msgraph-calls-codegen: the packages build from what they ship, and the
//! hang-up works against the stand-in of the `testing` feature.

use msgraph_calls::testing::{Reply, StandIn};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let graph = StandIn::script(vec![Reply::status(204)]).await;
    let client = msgraph_calls::Client::builder()
        .base_url(graph.base_url())
        .token(msgraph_calls::auth::StaticToken::new("packaged-crate-token"))
        .build()?;
    let outcome = client
        .hang_up("57dab8b1-894c-409a-b240-bd8beae78896")
        .await?;
    println!("hang-up on the packaged crate: {outcome:?}");
    println!(
        "why: {}",
        msgraph_calls::termination::explain(200, 5001).message()
    );
    Ok(())
}
