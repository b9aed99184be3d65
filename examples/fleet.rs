//! A fleet of three bot instances sharing their calls through Redis, with no Microsoft account:
//! a real `redis-server` on loopback, three instances (each on a runtime of its own, as three
//! processes), a round-robin balancer in front of them, and the stand-in for Graph sending
//! every callback to the balancer. Each call is answered by the instance that claimed it,
//! played a menu (awaited there, whichever instance its completion reaches), and transferred
//! (tone 1) or hung up (tone 2). Midway, instance 0 is stopped: its calls are kept alive and
//! finished by the others. Each call ends with why.
//!
//! Run it with `cargo run --example fleet` (from the published package, add
//! `--features axum,testing,sessions,redis`). It needs `redis-server` on PATH (Debian:
//! `apt-get install redis-server`). Nothing leaves the machine.

use std::collections::HashMap;
use std::time::Duration;

use axum::extract::{FromRef, State};
use axum::http::StatusCode;
use axum::routing::post;
use axum::Router;
use msgraph_calls::auth::StaticToken;
use msgraph_calls::inbound::axum::Callback;
use msgraph_calls::inbound::Receiver;
use msgraph_calls::resources::{CallState, IdentitySet, InvitationParticipantInfo, Modality};
use msgraph_calls::sessions::{normal_id, CallSession, Calls, Event, RedisStore, StoreError};
use msgraph_calls::termination::Lang;
use msgraph_calls::testing::{Balancer, Graph, RedisServer, Spread};
use msgraph_calls::types::{
    AnswerRequest, ClientContextRequest, MediaConfig, PlayPromptRequest, Prompt, TransferRequest,
};
use msgraph_calls::Client;
use tokio::sync::mpsc;

const BOT_APP_ID: &str = "0efc74f7-41c3-47a4-8775-7259bfef4241";
const TENANT: &str = "1fdd12d0-4620-44ed-baec-459b611f84b2";
const AGENT: &str = "550fae72-d251-43ec-868c-373732c2704f";
const CALLS: usize = 6;
const WAIT: Duration = Duration::from_secs(30);

type Result<T> = std::result::Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// What the instances tell the console.
enum Said {
    Prompted(String, usize),
    TakenOver,
    Ended(String),
}

#[tokio::main]
async fn main() -> Result<()> {
    let redis = RedisServer::start().await?;
    println!(
        "redis-server on {} (appendonly, appendfsync always)",
        redis.url()
    );
    let listeners: Vec<std::net::TcpListener> = (0..3)
        .map(|_| std::net::TcpListener::bind("127.0.0.1:0"))
        .collect::<std::io::Result<_>>()?;
    let origins = listeners
        .iter()
        .map(|l| Ok(format!("http://{}", l.local_addr()?)))
        .collect::<std::io::Result<Vec<_>>>()?;
    let balancer = Balancer::start(origins, Spread::RoundRobin).await?;
    let callback = format!("{}/api/calls", balancer.origin());
    let graph = std::sync::Arc::new(Graph::start(BOT_APP_ID, TENANT, &callback).await?);
    println!(
        "Graph stand-in at {}; its callbacks go to {callback}\n",
        graph.base_url()
    );

    let (say, mut said) = mpsc::unbounded_channel();
    let mut instances = Vec::new();
    for (n, listener) in listeners.into_iter().enumerate() {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()?;
        let setup = (graph.base_url(), redis.url(), graph.validator());
        let (callback, say) = (callback.clone(), say.clone());
        let calls = runtime
            .spawn(async move { start_instance(n, listener, setup, callback, say).await })
            .await??;
        instances.push((Some(runtime), calls));
    }

    let ids: Vec<String> = (0..CALLS)
        .map(|n| format!("{n:08x}-5a1e-4000-8000-00000000f1ee"))
        .collect();
    for id in &ids {
        graph.incoming_call(id, "+12345678901").await?;
    }
    let mut answered_by = HashMap::new();
    while answered_by.len() < CALLS {
        match tokio::time::timeout(WAIT, said.recv())
            .await?
            .ok_or("no instance")?
        {
            Said::Prompted(id, n) => answered_by.insert(id, n),
            Said::TakenOver => None,
            Said::Ended(id) => return Err(format!("call {id} ended early").into()),
        };
    }

    println!("\n*** instance 0 stops (its runtime shut down, as a process that dies) ***\n");
    if let Some(runtime) = instances[0].0.take() {
        runtime.shutdown_background();
    }
    let orphans: Vec<&String> = answered_by
        .iter()
        .filter(|(_, &n)| n == 0)
        .map(|(id, _)| id)
        .collect();
    for (k, id) in orphans.iter().enumerate() {
        let n = 1 + k % 2;
        let (calls, id, say) = (instances[n].1.clone(), (*id).clone(), say.clone());
        if let Some(runtime) = &instances[n].0 {
            runtime.spawn(async move {
                match calls.session(&id).await {
                    Ok(Some(session)) => {
                        println!("[instance {n}] takes call {id} over from the store");
                        let events = session.events();
                        let _ = say.send(Said::TakenOver);
                        finish(session, events, n, say).await;
                    }
                    other => println!("[instance {n}] call {id} not found: {other:?}"),
                }
            });
        }
    }
    // The callers press once every call has a bot listening again.
    let mut taken = 0;
    while taken < orphans.len() {
        if let Said::TakenOver = tokio::time::timeout(WAIT, said.recv())
            .await?
            .ok_or("none")?
        {
            taken += 1;
        }
    }
    for (n, id) in ids.iter().enumerate() {
        let tone = if n % 2 == 0 { "tone1" } else { "tone2" };
        println!("caller of {id}: presses {}", &tone[4..]);
        graph.press_tone(id, tone).await?;
    }
    let mut ended = 0;
    while ended < CALLS {
        if let Said::Ended(_) = tokio::time::timeout(WAIT, said.recv())
            .await?
            .ok_or("none")?
        {
            ended += 1;
        }
    }
    println!(
        "\nall {CALLS} calls ended; callbacks each instance served: {:?}",
        balancer.forwarded()
    );
    for (runtime, _) in &mut instances {
        if let Some(runtime) = runtime.take() {
            runtime.shutdown_background();
        }
    }
    Ok(())
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

/// Every instance's callback: the batch goes to the shared sessions; if Redis cannot store
/// it, Graph is answered 503 with why.
async fn on_callback(
    State(bot): State<Bot>,
    callback: Callback,
) -> std::result::Result<StatusCode, StoreError> {
    bot.calls.apply(callback.batch).await?;
    Ok(StatusCode::ACCEPTED)
}

/// One instance: its registry on the shared Redis, its callback server, its bot.
async fn start_instance(
    n: usize,
    listener: std::net::TcpListener,
    (base, redis, validator): (String, String, msgraph_calls::inbound::ValidatorBuilder),
    callback: String,
    say: mpsc::UnboundedSender<Said>,
) -> Result<Calls> {
    let client = Client::builder()
        .base_url(base)
        .token(StaticToken::new("stand-in-token"))
        .build()?;
    let store = RedisStore::builder(redis)
        .prefix("fleet-demo:")
        .connect()
        .await?;
    // keepAlive every second and a two-second lease, for the demo (Graph asks for one every
    // 15 to 45 minutes).
    let calls = Calls::builder(client)
        .store(store)
        .keep_alive_every(Some(Duration::from_secs(1)))
        .keep_alive_lease(Duration::from_secs(2))
        .build();
    let validator = validator.build()?;
    validator.refresh_keys().await?;
    let app = Router::new()
        .route("/api/calls", post(on_callback))
        .with_state(Bot {
            receiver: Receiver::new(validator),
            calls: calls.clone(),
        });
    listener.set_nonblocking(true)?;
    let listener = tokio::net::TcpListener::from_std(listener)?;
    println!(
        "[instance {n}] listening at http://{}",
        listener.local_addr()?
    );
    tokio::spawn(async move { axum::serve(listener, app).await });
    let registry = calls.clone();
    tokio::spawn(async move {
        let mut incoming = registry.incoming();
        while let Some(call) = incoming.next().await {
            let (callback, say) = (callback.clone(), say.clone());
            tokio::spawn(async move {
                let id = normal_id(call.session().id()).into_owned();
                let answer = AnswerRequest::new([Modality::Audio], MediaConfig::service_hosted())
                    .with_callback_uri(callback);
                let session = match call.answer(&answer).await {
                    Ok(session) => session,
                    Err(e) => return println!("[instance {n}] call {id}: answer failed: {e}"),
                };
                let events = session.events();
                match prompt(&session).await {
                    Ok(()) => {
                        println!("[instance {n}] call {id}: answered, menu played");
                        let _ = say.send(Said::Prompted(id, n));
                        finish(session, events, n, say).await;
                    }
                    Err(e) => println!("[instance {n}] call {id}: {e}"),
                }
            });
        }
    });
    Ok(calls)
}

/// Waits until the call is up, subscribes to tones and plays the menu, awaited to its end on
/// this instance whichever instance Graph's completion reaches.
async fn prompt(session: &CallSession) -> Result<()> {
    session.wait_for(CallState::Established, WAIT).await?;
    session
        .subscribe_to_tone(&ClientContextRequest::new())
        .await?
        .finished()
        .await?;
    let menu = PlayPromptRequest::new([Prompt::media("https://cdn.contoso.com/menu.wav")]);
    session.play_prompt(&menu).await?.finished().await?;
    Ok(())
}

/// Reacts to the caller's tone, then says why the call ended.
async fn finish(
    session: CallSession,
    mut events: msgraph_calls::sessions::Events,
    n: usize,
    say: mpsc::UnboundedSender<Said>,
) {
    let id = normal_id(session.id()).into_owned();
    while let Some(Ok(event)) = events.next().await {
        match event {
            Event::ToneReceived(tone)
                if tone.tone.as_ref().map(|t| t.as_str()) == Some("tone1") =>
            {
                let to = InvitationParticipantInfo::to(IdentitySet::user(AGENT));
                match session.transfer(&TransferRequest::new(to)).await {
                    Ok(_) => {
                        println!("[instance {n}] call {id}: 1 pressed, transferred to the agent")
                    }
                    Err(e) => println!("[instance {n}] call {id}: transfer failed: {e}"),
                }
            }
            Event::ToneReceived(_) => match session.delete_call().await {
                Ok(_) => println!("[instance {n}] call {id}: hung up"),
                Err(e) => println!("[instance {n}] call {id}: hang up failed: {e}"),
            },
            Event::Terminated(why) => {
                println!("[instance {n}] call {id}: {why}");
                if let Some(explained) = why.explain() {
                    println!("[instance {n}]   fr: {}", explained.message_in(Lang::Fr));
                }
                let _ = say.send(Said::Ended(id));
                return;
            }
            _ => {}
        }
    }
}
