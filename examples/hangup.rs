//! The crate's main job, end to end, with no Microsoft account: hang up a call and explain why
//! it ended.
//!
//! A local stand-in for Graph listens on 127.0.0.1 and answers `DELETE
//! /v1.0/communications/calls/{id}` as Graph does (`204 No Content` for a live call, `404` with
//! Graph's error body for one that has already ended). The example hangs up a call through
//! [`msgraph_calls::Client`], then reads the two notifications Graph sends after a hang-up
//! (terminating, then terminated; the bodies of Graph's "Delete call" page) and prints why the
//! call ended, in every language of the termination table.
//!
//! Run it with `cargo run --example hangup`. Nothing leaves the machine.

#[path = "../tests/support/stand_in.rs"]
mod stand_in;

use std::sync::{Arc, Mutex};

use msgraph_calls::auth::StaticToken;
use msgraph_calls::notifications::{self, CommsNotifications};
use msgraph_calls::termination::Lang;
use msgraph_calls::{Client, Error};
use stand_in::{Reply, StandIn};

const CALL_ID: &str = "57dab8b1-894c-409a-b240-bd8beae78896";
/// The notifications Graph POSTs to the bot after the hang-up (DC api/call-delete.md).
const NOTIFICATIONS: [&[u8]; 2] = [
    include_bytes!("../tests/fixtures/notifications/call-delete-terminating.json"),
    include_bytes!("../tests/fixtures/notifications/call-delete-terminated.json"),
];

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let graph = start_graph_stand_in().await;
    println!("Graph stand-in listening at {}", graph.base_url());

    let client = Client::builder()
        .base_url(graph.base_url())
        .token(StaticToken::new("stand-in-token"))
        .build()?;
    client.delete_call(CALL_ID).await?;
    println!("DELETE /communications/calls/{CALL_ID} -> 204 No Content: the bot left the call");

    match client.delete_call(CALL_ID).await {
        Err(Error::NotFound(e)) => println!(
            "DELETE again -> 404 {}: {} (the call has already ended)",
            e.code().unwrap_or_default(),
            e.message().unwrap_or_default()
        ),
        other => return Err(format!("a second hang-up should find no call, got {other:?}").into()),
    }
    println!("hang_up again -> {:?}", client.hang_up(CALL_ID).await?);

    println!();
    for body in NOTIFICATIONS {
        let batch = notifications::from_slice(body)?;
        explain(&batch);
    }
    Ok(())
}

/// Answers like Graph: 204 for the first hang-up of a call, then 404 with Graph's error body.
async fn start_graph_stand_in() -> StandIn {
    let ended = Arc::new(Mutex::new(Vec::<String>::new()));
    StandIn::start(move |request| {
        let Some(id) = request.target.strip_prefix("/v1.0/communications/calls/") else {
            return Reply::status(404);
        };
        if request.method != "DELETE" || request.header("authorization").is_none() {
            return Reply::status(401);
        }
        let mut ended = ended.lock().unwrap();
        if ended.iter().any(|e| e == id) {
            Reply::json(
                404,
                r#"{"error":{"code":"itemNotFound","message":"Call not found.","innerError":{"request-id":"00000000-0000-0000-0000-000000000001","date":"2026-11-26T10:00:00"}}}"#,
            )
            .header("request-id", "00000000-0000-0000-0000-000000000001")
        } else {
            ended.push(id.to_owned());
            Reply::status(204)
        }
    })
    .await
}

fn explain(batch: &CommsNotifications) {
    for notification in batch.notifications() {
        let Some(call) = notification.call() else {
            println!(
                "notification about {} (not a call)",
                notification.resource_url
            );
            continue;
        };
        let state = call
            .state
            .as_ref()
            .map(|s| s.to_string())
            .unwrap_or_else(|| "unknown".into());
        println!(
            "notification: {} {:?}, call state {state}",
            notification.resource_url, notification.change_type
        );
        let Some(info) = &call.result_info else {
            continue;
        };
        let code = info.code.as_ref().map(|c| c.as_raw()).unwrap_or_default();
        let subcode = info
            .subcode
            .as_ref()
            .map(|c| c.as_raw())
            .unwrap_or_default();
        println!(
            "  resultInfo {code}/{subcode}: {}",
            info.message.as_deref().unwrap_or("")
        );
        match info.reason() {
            Some(reason) => {
                println!("  why the call ended ({}):", reason.category);
                for lang in Lang::ALL {
                    println!("    {}: {}", lang.code(), reason.message_in(lang));
                }
            }
            None => {
                let category = info
                    .category()
                    .map(|c| c.to_string())
                    .unwrap_or_else(|| "unknown".into());
                println!("  a pair Graph does not document; category {category}");
            }
        }
    }
}
