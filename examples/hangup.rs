//! The crate's main job, end to end, with no Microsoft account: hang up a call, receive the
//! notifications Graph signs and sends back, check that Graph signed them, and explain why the
//! call ended.
//!
//! Everything runs on 127.0.0.1:
//! - a local stand-in for Graph answers `DELETE /v1.0/communications/calls/{id}` as Graph does
//!   (`204 No Content` for a live call, `404` with Graph's error body for one that has ended),
//!   publishes an OpenID configuration and the key it generated at start, and after the hang-up
//!   POSTs the two notifications Graph sends (terminating, then terminated; the bodies of
//!   Graph's "Delete call" page) to the bot's callback, each with a bearer token it signed;
//! - the bot is an axum application whose callback route takes
//!   [`msgraph_calls::inbound::axum::Callback`]: the token is checked against the stand-in's
//!   keys before the body is read; the handler prints why the call ended, in every language of
//!   the termination table.
//!
//! A callback signed with any other key is answered 401, as the example shows at the end.
//!
//! Run it with `cargo run --example hangup` in the repository (from the published package:
//! `cargo run --example hangup --features axum,testing`). Nothing leaves the machine.

use std::fmt::Write as _;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{FromRef, State};
use axum::http::StatusCode;
use axum::routing::post;
use axum::Router;
use msgraph_calls::auth::StaticToken;
use msgraph_calls::inbound::axum::Callback;
use msgraph_calls::inbound::{Receiver, Validator};
use msgraph_calls::notifications::CommsNotifications;
use msgraph_calls::termination::Lang;
use msgraph_calls::testing::signer::{self, GraphKey};
use msgraph_calls::testing::{Reply, StandIn};
use msgraph_calls::{Client, Error};
use tokio::sync::mpsc;

const CALL_ID: &str = "57dab8b1-894c-409a-b240-bd8beae78896";
/// The bot's application id and its tenant, as in the callback token of Graph's docs (TEAMS
/// bots/calls-and-meetings/call-notifications.md).
const BOT_APP_ID: &str = "0efc74f7-41c3-47a4-8775-7259bfef4241";
const TENANT: &str = "1fdd12d0-4620-44ed-baec-459b611f84b2";
/// The notifications Graph POSTs to the bot after the hang-up (DC api/call-delete.md).
const NOTIFICATIONS: [&[u8]; 2] = [
    include_bytes!("../tests/fixtures/notifications/call-delete-terminating.json"),
    include_bytes!("../tests/fixtures/notifications/call-delete-terminated.json"),
];

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

#[tokio::main]
async fn main() -> Result<()> {
    // The bot's callback address is known first: Graph is told it when the call is set up.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let callback_url = format!("http://{}/api/calls", listener.local_addr()?);

    let graph_key = Arc::new(GraphKey::generate("stand-in-signing-key"));
    let (posted, mut answers) = mpsc::unbounded_channel();
    let graph = start_graph_stand_in(graph_key.clone(), callback_url.clone(), posted).await;
    println!("Graph stand-in listening at {}", graph.origin());

    // The bot: a validator that trusts the stand-in's keys, behind an axum route.
    let validator = Validator::builder(BOT_APP_ID)
        .allowed_tenants([TENANT])
        .openid_configuration_url(format!("{}{}", graph.origin(), signer::OPENID_PATH))
        .build()?;
    let keys = validator.refresh_keys().await?;
    println!("bot: fetched {keys} signing key(s) from the stand-in's OpenID configuration");
    let (explained, mut explanations) = mpsc::unbounded_channel();
    let bot = Bot {
        receiver: Receiver::new(validator),
        explained,
    };
    let app = Router::new()
        .route("/api/calls", post(on_callback))
        .with_state(bot);
    tokio::spawn(async move { axum::serve(listener, app).await });
    println!("bot: callback receiver listening at {callback_url}");

    let client = Client::builder()
        .base_url(graph.base_url())
        .token(StaticToken::new("stand-in-token"))
        .build()?;
    client.delete_call(CALL_ID).await?;
    println!("DELETE /communications/calls/{CALL_ID} -> 204 No Content: the bot left the call");

    for _ in NOTIFICATIONS {
        let (status, explanation) = tokio::time::timeout(Duration::from_secs(10), async {
            (answers.recv().await, explanations.recv().await)
        })
        .await
        .map_err(|_| "the stand-in's notifications did not arrive within 10 s")?;
        let status = status.ok_or("the stand-in stopped")?;
        println!();
        println!("Graph stand-in: POST {callback_url} (signed) -> {status}");
        print!("{}", explanation.ok_or("the bot stopped")?);
    }

    println!();
    let forger = GraphKey::generate("stand-in-signing-key");
    let status = post_notification(&forger, &callback_url, NOTIFICATIONS[1]).await?;
    println!("a forged callback (same kid, another key) -> {status}: refused, not read");

    match client.delete_call(CALL_ID).await {
        Err(Error::NotFound(e)) => println!(
            "DELETE again -> 404 {}: {} (the call has already ended)",
            e.code().unwrap_or_default(),
            e.message().unwrap_or_default()
        ),
        other => return Err(format!("a second hang-up should find no call, got {other:?}").into()),
    }
    println!("hang_up again -> {:?}", client.hang_up(CALL_ID).await?);
    Ok(())
}

/// The bot's state: its receiver, and where the callback handler reports what it read.
#[derive(Clone)]
struct Bot {
    receiver: Receiver,
    explained: mpsc::UnboundedSender<String>,
}

impl FromRef<Bot> for Receiver {
    fn from_ref(bot: &Bot) -> Receiver {
        bot.receiver.clone()
    }
}

/// Reached only for a callback signed by Graph (here, its stand-in) whose body reads.
async fn on_callback(State(bot): State<Bot>, callback: Callback) -> StatusCode {
    let mut text = format!(
        "bot: callback from tenant {}, signed by {}\n",
        callback.claims.tenant_id, callback.claims.issuer
    );
    explain(&callback.batch, &mut text);
    let _ = bot.explained.send(text);
    StatusCode::ACCEPTED
}

/// Answers like Graph: 204 for the first hang-up of a call, then 404 with Graph's error body;
/// after a hang-up, POSTs the terminating and terminated notifications to `callback_url`,
/// signed with `key`, and reports each answer on `posted`. Publishes its OpenID configuration
/// and key as Graph does.
async fn start_graph_stand_in(
    key: Arc<GraphKey>,
    callback_url: String,
    posted: mpsc::UnboundedSender<String>,
) -> StandIn {
    let ended = Arc::new(Mutex::new(Vec::<String>::new()));
    StandIn::start(move |request| {
        if let Some(reply) = signer::publish(request, &signer::jwks(&[&key])) {
            return reply;
        }
        let Some(id) = request.target.strip_prefix("/v1.0/communications/calls/") else {
            return Reply::status(404);
        };
        if request.method != "DELETE" || request.header("authorization").is_none() {
            return Reply::status(401);
        }
        let mut ended = ended.lock().unwrap();
        if ended.iter().any(|e| e == id) {
            return Reply::json(
                404,
                r#"{"error":{"code":"itemNotFound","message":"Call not found.","innerError":{"request-id":"00000000-0000-0000-0000-000000000001","date":"2026-11-26T10:00:00"}}}"#,
            )
            .header("request-id", "00000000-0000-0000-0000-000000000001");
        }
        ended.push(id.to_owned());
        let (key, url, posted) = (key.clone(), callback_url.clone(), posted.clone());
        tokio::spawn(async move {
            for body in NOTIFICATIONS {
                let status = match post_notification(&key, &url, body).await {
                    Ok(status) => status,
                    Err(e) => format!("failed: {e}"),
                };
                let _ = posted.send(status);
            }
        });
        Reply::status(204)
    })
    .await
}

/// POSTs `body` to the callback with a fresh token signed by `key`, as Graph does; the answer's
/// status.
async fn post_notification(key: &GraphKey, url: &str, body: &[u8]) -> Result<String> {
    let token = key.sign(&signer::claims(BOT_APP_ID, TENANT));
    let response = msgraph_calls::client::http_client_builder()?
        .build()?
        .post(url)
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/json")
        .body(body.to_vec())
        .send()
        .await?;
    Ok(response.status().to_string())
}

fn explain(batch: &CommsNotifications, out: &mut String) {
    for notification in batch.notifications() {
        let Some(call) = notification.call() else {
            let _ = writeln!(
                out,
                "notification about {} (not a call)",
                notification.resource_url.as_deref().unwrap_or("?")
            );
            continue;
        };
        let state = call
            .state
            .as_ref()
            .map(|s| s.to_string())
            .unwrap_or_else(|| "unknown".into());
        let _ = writeln!(
            out,
            "notification: {} {}, call state {state}",
            notification.resource_url.as_deref().unwrap_or("?"),
            notification
                .change_type
                .as_ref()
                .map_or("(no change type)", |c| c.as_str())
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
        let _ = writeln!(
            out,
            "  resultInfo {code}/{subcode}: {}",
            info.message.as_deref().unwrap_or("")
        );
        match info.reason() {
            Some(reason) => {
                let _ = writeln!(out, "  why the call ended ({}):", reason.category);
                for lang in Lang::ALL {
                    let _ = writeln!(out, "    {}: {}", lang.code(), reason.message_in(lang));
                }
            }
            None => {
                let category = info
                    .category()
                    .map(|c| c.to_string())
                    .unwrap_or_else(|| "unknown".into());
                let _ = writeln!(out, "  a pair Graph does not document; category {category}");
            }
        }
    }
}
