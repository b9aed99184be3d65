//! An IVR bot end to end, with no Microsoft account: an incoming call is answered, a prompt
//! played, a DTMF tone collected, and the call transferred (tone 1) or hung up (any other), each
//! notification Graph sends printed with what it means.
//!
//! Everything runs on 127.0.0.1:
//! - [`msgraph_calls::testing::Graph`], the crate's stand-in for Graph (feature `testing`),
//!   answers the operations as Graph's doc pages say (answer and transfer `202`, playPrompt and
//!   subscribeToTone `200` with the operation, the hang-up `204`) and POSTs the notifications
//!   Graph would (the call established, the operations completed, the call terminated), each
//!   signed with a key it publishes; the example plays the caller, whose call comes in and who
//!   presses a key once the menu has been played;
//! - the bot is an axum application whose callback route takes
//!   [`msgraph_calls::inbound::axum::Callback`] (the token is checked before the body is read)
//!   and hands each notification to the bot's logic, which calls Graph through `Client`.
//!
//! Run it with `cargo run --example ivr` (from the published package, add
//! `--features axum,testing`); `cargo run --example ivr -- 2` presses 2 instead of 1
//! (the call is then hung up). Nothing leaves the machine.

use std::time::Duration;

use axum::extract::{FromRef, State};
use axum::http::StatusCode;
use axum::routing::post;
use axum::Router;
use msgraph_calls::auth::StaticToken;
use msgraph_calls::inbound::axum::Callback;
use msgraph_calls::inbound::Receiver;
use msgraph_calls::notifications::{
    CallState, CommsNotification, IdentitySet, InvitationParticipantInfo, Modality,
    OperationStatus, ResourceData,
};
use msgraph_calls::termination::Lang;
use msgraph_calls::testing::Graph;
use msgraph_calls::types::{
    AnswerRequest, ClientContextRequest, MediaConfig, PlayPromptRequest, Prompt, TransferRequest,
};
use msgraph_calls::Client;
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

    let graph = Graph::start(BOT_APP_ID, TENANT, &callback_url).await?;
    println!("Graph stand-in listening at {}", graph.base_url());

    let validator = graph.validator().build()?;
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
    graph.incoming_call(CALL_ID, "+12345678901").await?;
    loop {
        let notification = tokio::time::timeout(Duration::from_secs(10), notifications.recv())
            .await
            .map_err(|_| "no notification within 10 s")?
            .ok_or("the bot stopped")?;
        println!("notification: {}", meaning(&notification));
        if prompt_played(&notification) {
            // The caller heard the menu and presses a key.
            println!("  caller: presses {pressed}");
            graph.press_tone(CALL_ID, &format!("tone{pressed}")).await?;
        }
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
                        &AnswerRequest::new([Modality::Audio], MediaConfig::service_hosted()),
                    )
                    .await?;
                println!("  bot: answer -> 202 Accepted");
            }
            Some(CallState::Established) => {
                let tones = ClientContextRequest::new().with_client_context("menu-tones");
                let operation = client.subscribe_to_tone(call_id, &tones).await?;
                println!("  bot: subscribeToTone -> operation {:?}", operation.status);
                let menu =
                    PlayPromptRequest::new([Prompt::media("https://cdn.contoso.com/menu.wav")])
                        .with_client_context("menu");
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
        let to_agent =
            TransferRequest::new(InvitationParticipantInfo::to(IdentitySet::user(AGENT)));
        client.transfer(call_id, &to_agent).await?;
        println!("  bot: 1 pressed: transfer to the agent -> 202 Accepted");
    } else {
        client.delete_call(call_id).await?;
        println!("  bot: {tone} pressed: hang up -> 204 No Content");
    }
    Ok(())
}

/// Whether the notification says the menu prompt has been played.
fn prompt_played(notification: &CommsNotification) -> bool {
    matches!(&notification.resource_data, Some(ResourceData::Operation(operation))
        if operation.status == Some(OperationStatus::Completed)
            && operation.odata_type.as_deref() == Some("#microsoft.graph.playPromptOperation"))
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
            format!(
                "operation {} {status}{} (client context {:?})",
                operation.odata_type.as_deref().unwrap_or("?"),
                if prompt_played(notification) {
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
