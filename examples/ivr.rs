//! An IVR bot end to end, with no Microsoft account: an incoming call is answered, a prompt
//! played, a DTMF tone collected, and the call transferred (tone 1) or hung up (any other), each
//! notification Graph sends printed with what it means.
//!
//! Everything runs on 127.0.0.1:
//! - a local stand-in for Graph answers the operations as Graph's doc pages say (answer and
//!   transfer `202`, playPrompt and subscribeToTone `200` with the operation, the hang-up `204`)
//!   and POSTs the notifications Graph would (the call incoming, established, the prompt's
//!   operation completed, the tone, the call terminated), each signed with a key it publishes;
//! - the bot is an axum application whose callback route takes
//!   [`msgraph_calls::inbound::axum::Callback`] (the token is checked before the body is read)
//!   and hands each notification to the bot's logic, which calls Graph through `Client`.
//!
//! Run it with `cargo run --example ivr`; `cargo run --example ivr -- 2` presses 2 instead of 1
//! (the call is then hung up). Nothing leaves the machine.

#[path = "../tests/support/signer.rs"]
mod signer;
#[path = "../tests/support/stand_in.rs"]
mod stand_in;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{FromRef, State};
use axum::http::StatusCode;
use axum::routing::post;
use axum::Router;
use msgraph_calls::auth::StaticToken;
use msgraph_calls::inbound::axum::Callback;
use msgraph_calls::inbound::{Receiver, Validator};
use msgraph_calls::notifications::{
    CallState, CommsNotification, IdentitySet, InvitationParticipantInfo, Modality,
    OperationStatus, ResourceData,
};
use msgraph_calls::termination::Lang;
use msgraph_calls::types::{
    AnswerRequest, ClientContextRequest, MediaConfig, PlayPromptRequest, Prompt, TransferRequest,
};
use msgraph_calls::Client;
use serde_json::json;
use signer::GraphKey;
use stand_in::{Recorded, Reply, StandIn};
use tokio::sync::mpsc;

const CALL_ID: &str = "57dab8b1-894c-409a-b240-bd8beae78896";
/// The bot's application id and its tenant, as in the callback token of Graph's docs.
const BOT_APP_ID: &str = "0efc74f7-41c3-47a4-8775-7259bfef4241";
const TENANT: &str = "1fdd12d0-4620-44ed-baec-459b611f84b2";
/// Who tone 1 transfers to (the user of call-transfer.md's example).
const AGENT: &str = "550fae72-d251-43ec-868c-373732c2704f";

type Result<T> = std::result::Result<T, Box<dyn std::error::Error + Send + Sync>>;

#[tokio::main]
async fn main() -> Result<()> {
    let pressed = std::env::args().nth(1).unwrap_or_else(|| "1".to_owned());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let callback_url = format!("http://{}/api/calls", listener.local_addr()?);

    let key = Arc::new(GraphKey::generate("stand-in-signing-key"));
    let graph = start_graph_stand_in(key.clone(), callback_url.clone(), pressed).await;
    println!("Graph stand-in listening at {}", graph.origin());

    let validator = Validator::builder(BOT_APP_ID)
        .allowed_tenants([TENANT])
        .openid_configuration_url(format!("{}{}", graph.origin(), signer::OPENID_PATH))
        .build()?;
    validator.refresh_keys().await?;
    let (notified, mut notifications) = mpsc::unbounded_channel();
    let app = Router::new()
        .route("/api/calls", post(on_callback))
        .with_state(Bot {
            receiver: Receiver::new(validator),
            notified,
        });
    tokio::spawn(async move { axum::serve(listener, app).await });
    println!("bot: callback receiver listening at {callback_url}\n");

    let client = Client::builder()
        .base_url(graph.base_url())
        .token(StaticToken::new("stand-in-token"))
        .build()?;

    // A call comes in: Graph POSTs it to the bot's callback.
    post_notification(&key, &callback_url, &incoming()).await?;
    loop {
        let notification = tokio::time::timeout(Duration::from_secs(10), notifications.recv())
            .await
            .map_err(|_| "no notification within 10 s")?
            .ok_or("the bot stopped")?;
        println!("notification: {}", meaning(&notification));
        if react(&client, &notification).await? {
            break;
        }
    }
    Ok(())
}

/// What the bot does about one notification; `true` once the call is over.
async fn react(client: &Client, notification: &CommsNotification) -> Result<bool> {
    let call_id = notification
        .call_id()
        .ok_or("a notification without a call id")?;
    if let Some(call) = notification.call() {
        if let Some(tone) = call.tone_info.as_ref().and_then(|t| t.tone.as_ref()) {
            return react_to_tone(client, call_id, tone.as_str())
                .await
                .map(|_| false);
        }
        match call.state {
            Some(CallState::Incoming) => {
                client
                    .answer(
                        call_id,
                        &AnswerRequest {
                            accepted_modalities: vec![Modality::Audio],
                            media_config: MediaConfig::service_hosted(),
                            callback_uri: None,
                            participant_capacity: None,
                            extra: Default::default(),
                        },
                    )
                    .await?;
                println!("  bot: answer -> 202 Accepted");
            }
            Some(CallState::Established) => {
                let tones = ClientContextRequest {
                    client_context: Some("menu-tones".into()),
                    extra: Default::default(),
                };
                let operation = client.subscribe_to_tone(call_id, &tones).await?;
                println!("  bot: subscribeToTone -> operation {:?}", operation.status);
                let menu = PlayPromptRequest {
                    prompts: vec![Prompt::media("https://cdn.contoso.com/menu.wav")],
                    client_context: Some("menu".into()),
                    extra: Default::default(),
                };
                let operation = client.play_prompt(call_id, &menu).await?;
                println!("  bot: playPrompt -> operation {:?}", operation.status);
            }
            Some(CallState::Terminated) => return Ok(true),
            _ => {}
        }
    }
    Ok(false)
}

async fn react_to_tone(client: &Client, call_id: &str, tone: &str) -> Result<()> {
    if tone == "tone1" {
        let to_agent = TransferRequest {
            transfer_target: InvitationParticipantInfo::to(IdentitySet::user(AGENT)),
            transferee: None,
            extra: Default::default(),
        };
        client.transfer(call_id, &to_agent).await?;
        println!("  bot: 1 pressed: transfer to the agent -> 202 Accepted");
    } else {
        client.delete_call(call_id).await?;
        println!("  bot: {tone} pressed: hang up -> 204 No Content");
    }
    Ok(())
}

/// One line on what a notification says.
fn meaning(notification: &CommsNotification) -> String {
    let change = notification
        .change_type
        .as_ref()
        .map_or("?", |c| c.as_str());
    match &notification.resource_data {
        Some(ResourceData::Call(call)) => {
            let state = call.state.as_ref().map_or("?", |s| s.as_str());
            let mut text = format!("call {change}, state {state}");
            if let Some(tone) = call.tone_info.as_ref().and_then(|t| t.tone.as_ref()) {
                text.push_str(&format!(", tone {} received", tone.as_str()));
            }
            if let Some(info) = &call.result_info {
                let why = info
                    .reason()
                    .map(|r| format!("{} / {}", r.message(), r.message_in(Lang::Fr)))
                    .unwrap_or_else(|| info.message.clone().unwrap_or_default());
                text.push_str(&format!(", why: {why} (category {:?})", info.category()));
            }
            text
        }
        Some(ResourceData::Operation(operation)) => {
            let status = operation.status.as_ref().map_or("?", |s| s.as_str());
            let done = matches!(operation.status, Some(OperationStatus::Completed));
            format!(
                "operation {} {status}{} (client context {:?})",
                operation.odata_type.as_deref().unwrap_or("?"),
                if done {
                    ", the prompt has been played"
                } else {
                    ""
                },
                operation.client_context.as_deref().unwrap_or_default()
            )
        }
        other => format!("{change}: {other:?}"),
    }
}

#[derive(Clone)]
struct Bot {
    receiver: Receiver,
    notified: mpsc::UnboundedSender<CommsNotification>,
}

impl FromRef<Bot> for Receiver {
    fn from_ref(bot: &Bot) -> Receiver {
        bot.receiver.clone()
    }
}

/// Reached only for a callback signed by Graph (here, its stand-in) whose body reads.
async fn on_callback(State(bot): State<Bot>, callback: Callback) -> StatusCode {
    for notification in callback.batch.notifications() {
        let _ = bot.notified.send(notification.clone());
    }
    StatusCode::ACCEPTED
}

/// Answers the operations as Graph's doc pages do, and POSTs what Graph would then send.
async fn start_graph_stand_in(
    key: Arc<GraphKey>,
    callback_url: String,
    pressed: String,
) -> StandIn {
    StandIn::start(move |request: &Recorded| {
        if let Some(reply) = signer::publish(request, &signer::jwks(&[&key])) {
            return reply;
        }
        if request.header("authorization").is_none() {
            return Reply::status(401);
        }
        let path = request.target.trim_start_matches("/v1.0");
        let (reply, then): (Reply, Vec<serde_json::Value>) = match (request.method.as_str(), path) {
            ("POST", p) if p.ends_with("/answer") => (
                Reply::status(202),
                vec![call_update("updated", json!({"state": "established"}))],
            ),
            ("POST", p) if p.ends_with("/subscribeToTone") => {
                (operation_reply("subscribeToToneOperation", "menu-tones"), Vec::new())
            }
            ("POST", p) if p.ends_with("/playPrompt") => (
                operation_reply("playPromptOperation", "menu"),
                vec![
                    prompt_completed(),
                    call_update(
                        "updated",
                        json!({"state": "established", "toneInfo": {
                            "@odata.type": "#microsoft.graph.toneInfo",
                            "sequenceId": 1,
                            "tone": format!("tone{pressed}")
                        }}),
                    ),
                ],
            ),
            ("POST", p) if p.ends_with("/transfer") => (
                Reply::status(202),
                vec![
                    call_update("updated", json!({"state": "transferring"})),
                    terminated(0, 7015, "GracefulTransferCompleted"),
                ],
            ),
            ("DELETE", _) => (
                Reply::status(204),
                vec![terminated(200, 5001, "The conversation has ended.")],
            ),
            _ => (
                Reply::json(
                    400,
                    r#"{"error":{"code":"BadRequest","message":"Not an operation of this stand-in."}}"#,
                ),
                Vec::new(),
            ),
        };
        let (key, url) = (key.clone(), callback_url.clone());
        tokio::spawn(async move {
            // Graph answers first, then notifies.
            tokio::time::sleep(Duration::from_millis(20)).await;
            for body in then {
                let _ = post_notification(&key, &url, &body).await;
            }
        });
        reply
    })
    .await
}

fn batch(
    change: &str,
    resource_url: String,
    resource_data: serde_json::Value,
) -> serde_json::Value {
    json!({
        "@odata.type": "#microsoft.graph.commsNotifications",
        "value": [{
            "@odata.type": "#microsoft.graph.commsNotification",
            "changeType": change,
            "resourceUrl": resource_url,
            "resourceData": resource_data
        }]
    })
}

/// A call coming in (the shape of call-answer.md's incoming notification).
fn incoming() -> serde_json::Value {
    call_update(
        "created",
        json!({
            "state": "incoming",
            "direction": "incoming",
            "callbackUri": "https://bot.contoso.com/api/calls",
            "source": {"@odata.type": "#microsoft.graph.participantInfo", "identity": {
                "@odata.type": "#microsoft.graph.identitySet",
                "phone": {"@odata.type": "#microsoft.graph.identity", "id": "+12345678901"}
            }},
            "requestedModalities": ["audio"]
        }),
    )
}

fn call_update(change: &str, mut call: serde_json::Value) -> serde_json::Value {
    call["@odata.type"] = json!("#microsoft.graph.call");
    batch(change, format!("/communications/calls/{CALL_ID}"), call)
}

fn terminated(code: i32, subcode: i32, message: &str) -> serde_json::Value {
    call_update(
        "deleted",
        json!({"state": "terminated", "resultInfo": {
            "@odata.type": "#microsoft.graph.resultInfo",
            "code": code, "subcode": subcode, "message": message
        }}),
    )
}

fn prompt_completed() -> serde_json::Value {
    batch(
        "deleted",
        format!("/communications/calls/{CALL_ID}/operations/0fe0623f-d628-42ed-b4bd-8ac290072cc5"),
        json!({
            "@odata.type": "#microsoft.graph.playPromptOperation",
            "clientContext": "menu",
            "status": "completed",
            "resultInfo": {"@odata.type": "#microsoft.graph.resultInfo", "code": 200, "subcode": 0,
                           "message": "Action completed successfully."}
        }),
    )
}

/// An operation's `200 OK` (playPrompt, subscribeToTone: call-playprompt.md's response shape).
fn operation_reply(kind: &str, client_context: &str) -> Reply {
    let body = json!({
        "@odata.type": format!("#microsoft.graph.{kind}"),
        "id": "0fe0623f-d628-42ed-b4bd-8ac290072cc5",
        "status": "running",
        "clientContext": client_context
    });
    Reply::json(200, &body.to_string())
}

/// POSTs `body` to the callback with a fresh token signed by `key`, as Graph does.
async fn post_notification(key: &GraphKey, url: &str, body: &serde_json::Value) -> Result<()> {
    let token = key.sign(&signer::claims(BOT_APP_ID, TENANT));
    let response = msgraph_calls::client::http_client_builder()?
        .build()?
        .post(url)
        .header("authorization", format!("Bearer {token}"))
        .json(body)
        .send()
        .await?;
    if response.status() != 202 {
        return Err(format!("the bot answered {}", response.status()).into());
    }
    Ok(())
}
