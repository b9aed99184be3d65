//! An IVR bot on call sessions, with no Microsoft account: three calls come in at once; each is
//! answered, subscribed to tones, played a menu (awaited to its end), and transferred to an
//! agent (tone 1) or hung up (any other tone); a third caller's call is lost by Graph without a
//! notification, and the bot's keepAlive finds it. Each call ends with why.
//!
//! The stand-in for Graph ([`msgraph_calls::testing::Graph`], feature `testing`) does all it
//! can to the notifications, as Graph may: each sent twice, `established` before
//! `establishing`, completions before the operation's response and late, ids in Graph's two
//! spellings, roster entries with `"id": null`, and each roster followed by the one before it.
//! The bot has no code of its own for any of that: its callback hands every verified batch to
//! [`msgraph_calls::sessions::Calls`], and its logic reads sessions.
//!
//! Run it with `cargo run --example ivr` (from the published package, add
//! `--features axum,testing,sessions`); `cargo run --example ivr -- 2` presses 2 instead of 1
//! on the first call. Nothing leaves the machine.

use std::time::Duration;

use axum::extract::{FromRef, State};
use axum::http::StatusCode;
use axum::routing::post;
use axum::Router;
use msgraph_calls::auth::StaticToken;
use msgraph_calls::inbound::axum::Callback;
use msgraph_calls::inbound::Receiver;
use msgraph_calls::resources::{CallState, IdentitySet, InvitationParticipantInfo, Modality};
use msgraph_calls::sessions::{normal_id, CallSession, Calls, Event, IncomingCall};
use msgraph_calls::termination::Lang;
use msgraph_calls::testing::{Graph, Knobs};
use msgraph_calls::types::{
    AnswerRequest, ClientContextRequest, MediaConfig, PlayPromptRequest, Prompt, TransferRequest,
};
use msgraph_calls::Client;

/// The bot's application id and its tenant, as in the callback token of Graph's docs.
const BOT_APP_ID: &str = "0efc74f7-41c3-47a4-8775-7259bfef4241";
const TENANT: &str = "1fdd12d0-4620-44ed-baec-459b611f84b2";
/// Who tone 1 transfers to (the user of call-transfer.md's example).
const AGENT: &str = "550fae72-d251-43ec-868c-373732c2704f";
/// The three callers: the call ids and what each presses (the first as the command line says).
const CALLS: [(&str, &str); 3] = [
    ("57dab8b1-894c-409a-b240-bd8beae78896", "1"),
    ("2e1a0b00-2db4-4022-9570-243709c565ab", "2"),
    ("491f0b00-ffff-4bc9-a43e-b226498ec22a", "lost"),
];
const WAIT: Duration = Duration::from_secs(10);

type Result<T> = std::result::Result<T, Box<dyn std::error::Error + Send + Sync>>;

#[tokio::main]
async fn main() -> Result<()> {
    let first_press = std::env::args().nth(1).unwrap_or_else(|| "1".to_owned());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let callback = format!("http://{}/api/calls", listener.local_addr()?);

    let graph = std::sync::Arc::new(Graph::start(BOT_APP_ID, TENANT, &callback).await?);
    graph.set_knobs(
        Knobs::default()
            .duplicate(true)
            .swap_establishing(true)
            .completions_before_response(true)
            .late_completions(Some(Duration::from_millis(300)))
            .graph_spelling(true)
            .null_roster_ids(true)
            .stale_rosters(true),
    );
    println!("Graph stand-in listening at {}", graph.base_url());

    let validator = graph.validator().build()?;
    validator.refresh_keys().await?;
    let client = Client::builder()
        .base_url(graph.base_url())
        .token(StaticToken::new("stand-in-token"))
        .build()?;
    // keepAlive every second, for the demo; Graph asks for one every 15 to 45 minutes.
    let calls = Calls::builder(client)
        .keep_alive_every(Some(Duration::from_secs(1)))
        .build();
    let app = Router::new()
        .route("/api/calls", post(on_callback))
        .with_state(Bot {
            receiver: Receiver::new(validator),
            calls: calls.clone(),
        });
    tokio::spawn(async move { axum::serve(listener, app).await });
    println!("bot: callback receiver listening at {callback}\n");

    let mut incoming = calls.incoming();
    for (id, _) in CALLS {
        graph.incoming_call(id, "+12345678901").await?;
    }
    let mut bots = Vec::new();
    for _ in CALLS {
        let call = tokio::time::timeout(WAIT, incoming.next())
            .await?
            .ok_or("no call")?;
        let (index, press) = CALLS
            .iter()
            .enumerate()
            .find(|(_, (id, _))| normal_id(id) == normal_id(call.session().id()))
            .map(|(i, (_, press))| (i, if i == 0 { first_press.as_str() } else { press }))
            .ok_or("a call the bot did not expect")?;
        let (graph, callback, press) = (graph.clone(), callback.clone(), press.to_owned());
        bots.push(tokio::spawn(async move {
            serve(call, &callback, &graph, index, &press).await
        }));
    }
    for bot in bots {
        bot.await??;
    }
    Ok(())
}

/// One call, from its answer to its end.
async fn serve(
    call: IncomingCall,
    callback: &str,
    graph: &Graph,
    n: usize,
    press: &str,
) -> Result<()> {
    let say = |text: String| println!("[call {n}] {text}");
    let answer = AnswerRequest::new([Modality::Audio], MediaConfig::service_hosted())
        .with_callback_uri(callback);
    let session = call.answer(&answer).await?;
    say("bot: answer -> 202 Accepted".into());
    let mut events = session.events();
    session.wait_for(CallState::Established, WAIT).await?;
    say("the call is established".into());
    if press == "lost" {
        // Graph loses the call and says nothing; the session's keepAlive finds out.
        graph.end_silently(session.id());
        say("Graph stand-in: the call is lost, without a notification".into());
    } else {
        session
            .subscribe_to_tone(&ClientContextRequest::new())
            .await?
            .finished()
            .await?;
        let menu = PlayPromptRequest::new([Prompt::media("https://cdn.contoso.com/menu.wav")]);
        let played = session.play_prompt(&menu).await?.finished().await?;
        say(format!("the prompt has been played ({:?})", played.status));
        say(format!("caller: presses {press}"));
        graph
            .press_tone(session.id(), &format!("tone{press}"))
            .await?;
    }
    while let Some(event) = events.next().await {
        match event? {
            Event::ToneReceived(tone) => {
                let tone = tone.tone.as_ref().map_or("?", |t| t.as_str()).to_owned();
                react(&session, &tone, &say).await?;
            }
            Event::ParticipantJoined(p) => say(format!("roster: {} joined", who(&p))),
            Event::ParticipantLeft(p) => say(format!("roster: {} left", who(&p))),
            Event::StateChanged { to, .. } => say(format!("state {to}")),
            Event::Terminated(why) => {
                say(format!("{why}"));
                if let Some(explained) = why.explain() {
                    say(format!("  fr: {}", explained.message_in(Lang::Fr)));
                }
            }
            _ => {}
        }
    }
    say(format!(
        "roster at the end: {} people",
        session.roster().await?.len()
    ));
    Ok(())
}

/// What the bot does about a tone.
async fn react(session: &CallSession, tone: &str, say: &impl Fn(String)) -> Result<()> {
    if tone == "tone1" {
        let to_agent =
            TransferRequest::new(InvitationParticipantInfo::to(IdentitySet::user(AGENT)));
        session.transfer(&to_agent).await?;
        say("bot: 1 pressed: transfer to the agent -> 202 Accepted".into());
    } else {
        session.delete_call().await?;
        say(format!("bot: {tone} pressed: hang up -> 204 No Content"));
    }
    Ok(())
}

/// Who a participant is, for the log.
fn who(p: &msgraph_calls::resources::Participant) -> String {
    let identity = p.info.as_ref().and_then(|i| i.identity.as_ref());
    let named = identity.and_then(|i| {
        let (kind, who) = [
            ("phone", &i.phone),
            ("user", &i.user),
            ("application", &i.application),
        ]
        .into_iter()
        .find(|(_, w)| w.is_some())?;
        Some(format!("{kind} {}", who.as_ref()?.id.as_deref()?))
    });
    named.unwrap_or_else(|| "someone".to_owned())
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

/// Reached only for a callback signed by Graph (here, its stand-in) whose body reads: the
/// batch goes to the sessions; a store that fails asks Graph to send it again.
async fn on_callback(State(bot): State<Bot>, callback: Callback) -> StatusCode {
    match bot.calls.apply(callback.batch).await {
        Ok(_) => StatusCode::ACCEPTED,
        Err(_) => StatusCode::SERVICE_UNAVAILABLE,
    }
}
