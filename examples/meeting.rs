//! A bot that joins a Teams meeting by its join link, follows the meeting's roster (who joins,
//! who leaves), and leaves once the last person has gone: a call session, on the stand-in for
//! Graph, with no Microsoft account.
//!
//! Run it with `cargo run --example meeting` (from the published package, add
//! `--features axum,testing,sessions`). Nothing leaves the machine.

use std::time::Duration;

use axum::extract::{FromRef, State};
use axum::http::StatusCode;
use axum::routing::post;
use axum::Router;
use msgraph_calls::auth::StaticToken;
use msgraph_calls::inbound::axum::Callback;
use msgraph_calls::inbound::Receiver;
use msgraph_calls::join_url;
use msgraph_calls::resources::{CallState, Modality, Participant};
use msgraph_calls::sessions::{Calls, Event};
use msgraph_calls::testing::{Graph, Knobs};
use msgraph_calls::types::{CreateCallRequest, MediaConfig};
use msgraph_calls::Client;

const BOT_APP_ID: &str = "0efc74f7-41c3-47a4-8775-7259bfef4241";
const TENANT: &str = "1fdd12d0-4620-44ed-baec-459b611f84b2";
/// A classic join link (the shape of application-post-calls.md's meeting example).
const LINK: &str = "https://teams.microsoft.com/l/meetup-join/19%3ameeting_Y2FkNjM0NjAtZTY4Zi00ZmY4LWFlNjktZmE4YjAxYjE4NWRj%40thread.v2/0?context=%7b%22Tid%22%3a%221fdd12d0-4620-44ed-baec-459b611f84b2%22%2c%22Oid%22%3a%22112f7296-5fa4-42ca-bae8-6a692b15d4b8%22%7d";
/// Who comes to the meeting: Entra object ids and names.
const PEOPLE: [(&str, &str); 2] = [
    ("112f7296-5fa4-42ca-bae8-6a692b15d4b8", "Alex"),
    ("c2b5b4a4-2e3a-4bb5-9c6e-4f2d6a2b1a9e", "Sam"),
];
const WAIT: Duration = Duration::from_secs(10);

type Result<T> = std::result::Result<T, Box<dyn std::error::Error + Send + Sync>>;

#[tokio::main]
async fn main() -> Result<()> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let callback = format!("http://{}/api/calls", listener.local_addr()?);
    let graph = Graph::start(BOT_APP_ID, TENANT, &callback).await?;
    // Rosters as Graph's examples send them: people without ids, and old rosters late.
    graph.set_knobs(
        Knobs::default()
            .null_roster_ids(true)
            .stale_rosters(true)
            .duplicate(true),
    );
    let validator = graph.validator().build()?;
    validator.refresh_keys().await?;
    let client = Client::builder()
        .base_url(graph.base_url())
        .token(StaticToken::new("stand-in-token"))
        .build()?;
    let calls = Calls::builder(client).build();
    let app = Router::new()
        .route("/api/calls", post(on_callback))
        .with_state(Bot {
            receiver: Receiver::new(validator),
            calls: calls.clone(),
        });
    tokio::spawn(async move { axum::serve(listener, app).await });

    // Join the meeting by its link.
    let meeting = join_url::parse(LINK)?;
    let mut join = CreateCallRequest::new(callback.clone(), MediaConfig::service_hosted())
        .with_requested_modalities([Modality::Audio])
        .with_meeting_info(meeting.meeting_info());
    if let Some(chat) = meeting.chat_info() {
        join = join.with_chat_info(chat);
    }
    let session = calls.create_call(&join).await?;
    let mut events = session.events();
    session.wait_for(CallState::Established, WAIT).await?;
    println!("bot: joined the meeting (call {})", session.id());

    // People come and go (the stand-in plays them).
    for (id, name) in PEOPLE {
        graph.join(session.id(), id, name);
    }
    let mut everyone_came = false;
    while let Some(event) = tokio::time::timeout(WAIT, events.next()).await? {
        match event? {
            Event::ParticipantJoined(p) if is_person(&p) => {
                println!("roster: {} joined", name(&p));
                let here = people(&session.roster().await?);
                if here == PEOPLE.len() && !everyone_came {
                    everyone_came = true;
                    // Everyone is here; now they leave, one by one.
                    for (id, _) in PEOPLE {
                        graph.leave(session.id(), id);
                    }
                }
            }
            Event::ParticipantLeft(p) if is_person(&p) => {
                println!("roster: {} left", name(&p));
                if people(&session.roster().await?) == 0 {
                    println!("bot: the last person left: leaving the meeting");
                    session.delete_call().await?;
                }
            }
            Event::Terminated(why) => println!("{why}"),
            _ => {}
        }
    }
    Ok(())
}

/// Whether the participant is a person (a Teams user), not a bot or an application.
fn is_person(p: &Participant) -> bool {
    p.info
        .as_ref()
        .and_then(|i| i.identity.as_ref())
        .is_some_and(|i| i.user.is_some())
}

fn people(roster: &[Participant]) -> usize {
    roster.iter().filter(|p| is_person(p)).count()
}

fn name(p: &Participant) -> String {
    p.info
        .as_ref()
        .and_then(|i| i.identity.as_ref())
        .and_then(|i| i.user.as_ref())
        .and_then(|u| u.display_name.clone())
        .unwrap_or_else(|| "someone".to_owned())
}

#[derive(Clone)]
struct Bot {
    receiver: Receiver,
    calls: Calls,
}

impl FromRef<Bot> for Receiver {
    fn from_ref(bot: &Bot) -> Receiver {
        bot.receiver.clone()
    }
}

async fn on_callback(State(bot): State<Bot>, callback: Callback) -> StatusCode {
    match bot.calls.apply(callback.batch).await {
        Ok(_) => StatusCode::ACCEPTED,
        Err(_) => StatusCode::SERVICE_UNAVAILABLE,
    }
}
