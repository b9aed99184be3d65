//! Call sessions against the stand-in for Graph on loopback: a bot whose callback (axum, the
//! token checked) hands every batch to `Calls::apply`, and the stand-in's knobs for what Graph
//! does to notifications (duplicates, order, spelling, drops, early and late completions,
//! silent ends).

use std::collections::HashSet;
use std::time::Duration;

use axum::extract::{FromRef, State};
use axum::http::StatusCode;
use axum::routing::post;
use axum::Router;
use msgraph_calls::auth::StaticToken;
use msgraph_calls::inbound::axum::Callback;
use msgraph_calls::inbound::Receiver;
use msgraph_calls::resources::{CallState, Modality, OperationStatus};
use msgraph_calls::resources::{IdentitySet, InvitationParticipantInfo};
use msgraph_calls::sessions::{
    CallSession, CallStore, Calls, CallsBuilder, EndedBy, Event, MemoryStore, OperationError,
};
use msgraph_calls::testing::{Graph, Knobs};
use msgraph_calls::types::{
    AnswerRequest, ClientContextRequest, InviteParticipantsRequest, MediaConfig, PlayPromptRequest,
    Prompt,
};
use msgraph_calls::Client;
use serde_json::json;

const APP_ID: &str = "0efc74f7-41c3-47a4-8775-7259bfef4241";
const TENANT: &str = "1fdd12d0-4620-44ed-baec-459b611f84b2";
const WAIT: Duration = Duration::from_secs(10);

/// A bot on sessions: its callback applies every verified batch; 503 when the store fails.
struct Bot {
    graph: Graph,
    calls: Calls,
    callback: String,
}

#[derive(Clone)]
struct App {
    receiver: Receiver,
    calls: Calls,
}

impl FromRef<App> for Receiver {
    fn from_ref(app: &App) -> Receiver {
        app.receiver.clone()
    }
}

async fn on_callback(State(app): State<App>, callback: Callback) -> StatusCode {
    match app.calls.apply(callback.batch).await {
        Ok(_) => StatusCode::ACCEPTED,
        Err(_) => StatusCode::SERVICE_UNAVAILABLE,
    }
}

async fn bot_with(knobs: Knobs, configure: impl FnOnce(CallsBuilder) -> CallsBuilder) -> Bot {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let callback = format!("http://{}/api/calls", listener.local_addr().unwrap());
    let graph = Graph::start(APP_ID, TENANT, &callback).await.unwrap();
    graph.set_knobs(knobs);
    let validator = graph.validator().build().unwrap();
    validator.refresh_keys().await.unwrap();
    let client = Client::builder()
        .base_url(graph.base_url())
        .token(StaticToken::new("stand-in-token"))
        .build()
        .unwrap();
    let calls = configure(Calls::builder(client)).build();
    let app = Router::new()
        .route("/api/calls", post(on_callback))
        .with_state(App {
            receiver: Receiver::new(validator),
            calls: calls.clone(),
        });
    tokio::spawn(async move { axum::serve(listener, app).await });
    Bot {
        graph,
        calls,
        callback,
    }
}

async fn bot() -> Bot {
    bot_with(Knobs::default(), |b| b).await
}

impl Bot {
    /// A call comes in and is answered; the session, once established.
    async fn answered(&self, call_id: &str) -> CallSession {
        let mut incoming = self.calls.incoming();
        self.graph
            .incoming_call(call_id, "+12345678901")
            .await
            .unwrap();
        let call = tokio::time::timeout(WAIT, incoming.next())
            .await
            .expect("an incoming call in time")
            .expect("the registry is alive");
        assert_eq!(call.session().state(), Some(CallState::Incoming));
        let answer = AnswerRequest::new([Modality::Audio], MediaConfig::service_hosted())
            .with_callback_uri(self.callback.clone());
        let session = call.answer(&answer).await.unwrap();
        session
            .wait_for(CallState::Established, WAIT)
            .await
            .unwrap();
        // The roster that follows (the bot and the caller), so that tests start after it.
        for _ in 0..500 {
            if session.roster().await.unwrap().len() >= 2 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        session
    }
}

fn call_id() -> String {
    // A fresh GUID, as Graph gives each call.
    let hex = format!("{:032x}", fastrand::u128(..));
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

fn prompt() -> PlayPromptRequest {
    PlayPromptRequest::new([Prompt::media("https://cdn.contoso.com/menu.wav")])
}

/// Every event until the call ends (or `WAIT` passes).
async fn all_events(events: &mut msgraph_calls::sessions::Events) -> Vec<Event> {
    let mut seen = Vec::new();
    while let Ok(Some(event)) = tokio::time::timeout(WAIT, events.next()).await {
        seen.push(event.expect("no event missed"));
    }
    seen
}

#[tokio::test]
async fn an_incoming_call_is_answered_followed_and_its_roster_built() {
    let bot = bot().await;
    let id = call_id();
    let session = bot.answered(&id).await;
    assert_eq!(session.id(), id);
    let snapshot = session.snapshot().await.unwrap();
    assert_eq!(snapshot.state, Some(CallState::Established));
    assert_eq!(
        snapshot.direction.as_ref().map(|d| d.as_str()),
        Some("incoming")
    );
    // The roster: the caller, and the bot once it answered.
    for _ in 0..100 {
        if session.roster().await.unwrap().len() == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(session.roster().await.unwrap().len(), 2);
    // Any spelling of the id finds the same session.
    let upper = id.replace('-', "").to_uppercase();
    let found = bot.calls.session(&upper).await.unwrap().expect("found");
    assert_eq!(found.id(), id);
}

#[tokio::test]
async fn an_operation_is_awaited_to_its_completion_by_a_client_context_it_was_given() {
    let bot = bot().await;
    let session = bot.answered(&call_id()).await;
    let first = session.play_prompt(&prompt()).await.unwrap();
    let second = session.play_prompt(&prompt()).await.unwrap();
    assert_ne!(first.client_context(), second.client_context());
    assert_eq!(first.response().status, Some(OperationStatus::Running));
    let context = first.client_context().to_owned();
    let done = first.finished().await.unwrap();
    assert_eq!(done.status, Some(OperationStatus::Completed));
    assert_eq!(done.client_context.as_deref(), Some(context.as_str()));
    let code = done
        .result_info
        .as_ref()
        .and_then(|r| r.code.as_ref())
        .and_then(|c| c.get());
    assert_eq!(code, Some(200));
    second.finished().await.unwrap();
    // The caller's own clientContext is kept.
    let named = session
        .play_prompt(&prompt().with_client_context("menu-1"))
        .await
        .unwrap();
    assert_eq!(named.client_context(), "menu-1");
    assert_eq!(
        named.finished().await.unwrap().client_context.as_deref(),
        Some("menu-1")
    );
}

#[tokio::test]
async fn a_completion_that_comes_before_the_response_is_not_missed() {
    let bot = bot_with(
        Knobs::default()
            .completions_before_response(true)
            .graph_spelling(true),
        |b| b,
    )
    .await;
    let session = bot.answered(&call_id()).await;
    let started = std::time::Instant::now();
    let pending = session.play_prompt(&prompt()).await.unwrap();
    // The stand-in held its response 200 ms after it had POSTed the completion.
    assert!(started.elapsed() >= Duration::from_millis(200));
    let done = tokio::time::timeout(Duration::from_secs(1), pending.finished())
        .await
        .expect("resolved at once")
        .unwrap();
    assert_eq!(done.status, Some(OperationStatus::Completed));
}

#[tokio::test]
async fn a_response_that_says_completed_resolves_at_once_without_a_notification() {
    let bot = bot().await;
    let session = bot.answered(&call_id()).await;
    let mut events = session.events();
    // subscribeToTone's doc response says "completed" (call-subscribetotone.md).
    let pending = session
        .subscribe_to_tone(&ClientContextRequest::new())
        .await
        .unwrap();
    let done = tokio::time::timeout(Duration::from_millis(50), pending.finished())
        .await
        .expect("at once")
        .unwrap();
    assert_eq!(done.status, Some(OperationStatus::Completed));
    let first = tokio::time::timeout(WAIT, events.next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert!(
        matches!(first, Event::OperationFinished { ref started_by, .. } if started_by.as_deref() == Some("subscribe_to_tone")),
        "{first:?}"
    );
    // Graph sends no completion for it: nothing else comes.
    let next = tokio::time::timeout(Duration::from_millis(300), events.next()).await;
    assert!(next.is_err(), "{next:?}");
}

#[tokio::test]
async fn a_late_completion_times_its_waiter_out_and_is_still_an_event() {
    let bot = bot_with(
        Knobs::default().late_completions(Some(Duration::from_millis(400))),
        |b| b,
    )
    .await;
    let session = bot.answered(&call_id()).await;
    let mut events = session.events();
    let pending = session.play_prompt(&prompt()).await.unwrap();
    let context = pending.client_context().to_owned();
    match pending.finished_within(Duration::from_millis(50)).await {
        Err(OperationError::TimedOut {
            operation,
            client_context,
            ..
        }) => {
            assert_eq!(operation, "play_prompt");
            assert_eq!(client_context, context);
        }
        other => panic!("{other:?}"),
    }
    loop {
        let event = tokio::time::timeout(WAIT, events.next())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        if let Event::OperationFinished {
            late,
            client_context,
            operation,
            ..
        } = event
        {
            assert!(late);
            assert_eq!(client_context.as_deref(), Some(context.as_str()));
            assert_eq!(operation.status, Some(OperationStatus::Completed));
            break;
        }
    }
}

#[tokio::test]
async fn a_waiter_whose_call_ends_first_is_told_so() {
    let bot = bot_with(
        Knobs::default().late_completions(Some(Duration::from_secs(5))),
        |b| b,
    )
    .await;
    let session = bot.answered(&call_id()).await;
    let pending = session.play_prompt(&prompt()).await.unwrap();
    session.delete_call().await.unwrap();
    match tokio::time::timeout(WAIT, pending.finished())
        .await
        .unwrap()
    {
        Err(OperationError::CallEnded {
            operation,
            termination,
        }) => {
            assert_eq!(operation, "play_prompt");
            assert_eq!(termination.cause, EndedBy::Notification);
            let why = termination.explain().unwrap();
            assert_eq!(why.message(), "The conversation has ended.");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn duplicated_and_swapped_notifications_yield_each_event_once_in_order() {
    let knobs = Knobs::default()
        .duplicate(true)
        .swap_establishing(true)
        .graph_spelling(true);
    let bot = bot_with(knobs, |b| b).await;
    let id = call_id();
    let mut incoming = bot.calls.incoming();
    bot.graph.incoming_call(&id, "+12345678901").await.unwrap();
    let call = tokio::time::timeout(WAIT, incoming.next())
        .await
        .unwrap()
        .unwrap();
    let mut events = call.session().events();
    let answer = AnswerRequest::new([Modality::Audio], MediaConfig::service_hosted())
        .with_callback_uri(bot.callback.clone());
    let session = call.answer(&answer).await.unwrap();
    session
        .wait_for(CallState::Established, WAIT)
        .await
        .unwrap();
    session
        .play_prompt(&prompt())
        .await
        .unwrap()
        .finished()
        .await
        .unwrap();
    bot.graph.press_tone(&id, "tone1").await.unwrap();
    session.delete_call().await.unwrap();
    let seen = all_events(&mut events).await;
    let states: Vec<&str> = seen
        .iter()
        .filter_map(|e| match e {
            Event::StateChanged { to, .. } => Some(to.as_str()),
            _ => None,
        })
        .collect();
    // established came first: establishing after it does not move the state back.
    assert_eq!(states, ["established", "terminated"]);
    let tones = seen
        .iter()
        .filter(|e| matches!(e, Event::ToneReceived(_)))
        .count();
    let finished = seen
        .iter()
        .filter(|e| matches!(e, Event::OperationFinished { .. }))
        .count();
    let terminated = seen
        .iter()
        .filter(|e| matches!(e, Event::Terminated(_)))
        .count();
    assert_eq!((tones, finished, terminated), (1, 1, 1), "{seen:#?}");
    let unique: HashSet<String> = seen.iter().map(|e| format!("{e:?}")).collect();
    assert_eq!(unique.len(), seen.len(), "an event twice: {seen:#?}");
    // Nothing after terminated; the last event is the ending, explained.
    match seen.last() {
        Some(Event::Terminated(why)) => assert_eq!(
            why.explain().unwrap().message(),
            "The conversation has ended."
        ),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn rosters_without_ids_and_stale_rosters_keep_the_roster_right() {
    let knobs = Knobs::default().null_roster_ids(true).stale_rosters(true);
    let bot = bot_with(knobs, |b| b).await;
    let session = bot.answered(&call_id()).await;
    let mut events = session.events();
    let invite = InviteParticipantsRequest::new([
        InvitationParticipantInfo::to(IdentitySet::user("112f7296-5fa4-42ca-bae8-6a692b15d4b8")),
        InvitationParticipantInfo::to(IdentitySet::user("c2b5b4a4-2e3a-4bb5-9c6e-4f2d6a2b1a9e")),
    ]);
    session
        .invite_participants(&invite)
        .await
        .unwrap()
        .finished()
        .await
        .unwrap();
    let mut joined = 0;
    while joined < 2 {
        match tokio::time::timeout(WAIT, events.next())
            .await
            .unwrap()
            .unwrap()
            .unwrap()
        {
            Event::ParticipantJoined(p) => {
                let invited = p
                    .info
                    .as_ref()
                    .and_then(|i| i.identity.as_ref())
                    .is_some_and(|i| i.user.is_some());
                if invited {
                    assert!(p.id.is_none(), "the stand-in sent \"id\": null");
                    joined += 1;
                }
            }
            Event::ParticipantLeft(p) => panic!("a stale roster removed {p:?}"),
            _ => {}
        }
    }
    // What follows (the invitation's completion, the stale roster sent again): no one leaves.
    while let Ok(Some(event)) =
        tokio::time::timeout(Duration::from_millis(300), events.next()).await
    {
        let event = event.unwrap();
        assert!(!matches!(event, Event::ParticipantLeft(_)), "{event:?}");
    }
    // The bot, the caller, the two invited: the stale roster (one fewer) did not undo it.
    assert_eq!(session.roster().await.unwrap().len(), 4);
}

#[tokio::test]
async fn mute_changes_a_participant_and_resolves_from_its_response() {
    let bot = bot().await;
    let session = bot.answered(&call_id()).await;
    let mut events = session.events();
    let done = session
        .mute(&ClientContextRequest::new())
        .await
        .unwrap()
        .finished()
        .await
        .unwrap();
    assert_eq!(done.status, Some(OperationStatus::Completed));
    loop {
        let event = tokio::time::timeout(WAIT, events.next())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        if let Event::ParticipantChanged { before, after } = event {
            assert_eq!((before.is_muted, after.is_muted), (Some(false), Some(true)));
            break;
        }
    }
}

#[tokio::test]
async fn a_call_that_ended_silently_is_ended_by_its_keep_alive() {
    let bot = bot_with(Knobs::default(), |b| {
        b.keep_alive_every(Some(Duration::from_millis(150)))
    })
    .await;
    let id = call_id();
    let session = bot.answered(&id).await;
    let mut events = session.events();
    bot.graph.end_silently(&id);
    let seen = all_events(&mut events).await;
    match seen.last() {
        Some(Event::Terminated(why)) => {
            assert_eq!(why.cause, EndedBy::KeepAliveNotFound);
            assert!(why.to_string().contains("keepAlive answered 404"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(session.state(), Some(CallState::Terminated));
    let kept_alive = bot
        .graph
        .requests()
        .iter()
        .filter(|r| r.target.ends_with("/keepAlive"))
        .count();
    assert!(kept_alive >= 1);
}

#[tokio::test]
async fn a_silent_call_is_checked_with_get_call() {
    // The 2nd notification after the incoming call (established) never comes.
    let bot = bot_with(Knobs::default().drop_nth(Some(2)), |b| {
        b.keep_alive_every(None)
            .check_silent_calls_after(Some(Duration::from_millis(200)))
    })
    .await;
    let mut incoming = bot.calls.incoming();
    let id = call_id();
    bot.graph.incoming_call(&id, "+12345678901").await.unwrap();
    let call = tokio::time::timeout(WAIT, incoming.next())
        .await
        .unwrap()
        .unwrap();
    let answer = AnswerRequest::new([Modality::Audio], MediaConfig::service_hosted())
        .with_callback_uri(bot.callback.clone());
    let session = call.answer(&answer).await.unwrap();
    // establishing arrived; established did not: the check finds it.
    session
        .wait_for(CallState::Established, WAIT)
        .await
        .unwrap();
    assert!(bot
        .graph
        .requests()
        .iter()
        .any(|r| r.method == "GET" && r.target.ends_with(&id)));
}

#[tokio::test]
async fn an_ended_call_leaves_memory_and_the_store_after_its_linger_time() {
    let store = std::sync::Arc::new(MemoryStore::new());
    let shared = SharedStore(store.clone());
    let bot = bot_with(Knobs::default(), |b| {
        b.store(shared).linger(Duration::from_millis(100))
    })
    .await;
    let session = bot.answered(&call_id()).await;
    assert_eq!(bot.calls.tracked(), 1);
    assert_eq!(store.len(), 1);
    session.delete_call().await.unwrap();
    session.wait_for(CallState::Terminated, WAIT).await.unwrap();
    for _ in 0..100 {
        if bot.calls.tracked() == 0 && store.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!((bot.calls.tracked(), store.len()), (0, 0));
}

/// A store the test can look into while the registry uses it.
struct SharedStore(std::sync::Arc<MemoryStore>);

impl CallStore for SharedStore {
    fn update<'a>(
        &'a self,
        call: &'a str,
        change: msgraph_calls::sessions::Change<'a>,
    ) -> msgraph_calls::sessions::StoreFuture<'a, ()> {
        self.0.update(call, change)
    }
    fn load<'a>(
        &'a self,
        call: &'a str,
    ) -> msgraph_calls::sessions::StoreFuture<'a, Option<msgraph_calls::sessions::CallRecord>> {
        self.0.load(call)
    }
    fn claim<'a>(
        &'a self,
        what: &'a str,
        holder: &'a str,
        ttl: Duration,
    ) -> msgraph_calls::sessions::StoreFuture<'a, bool> {
        self.0.claim(what, holder, ttl)
    }
    fn remove<'a>(&'a self, call: &'a str) -> msgraph_calls::sessions::StoreFuture<'a, ()> {
        self.0.remove(call)
    }
}

#[tokio::test]
async fn a_subscriber_that_falls_behind_is_told_how_many_events_it_missed() {
    let bot = bot_with(Knobs::default(), |b| b.event_capacity(2)).await;
    let id = call_id();
    let session = bot.answered(&id).await;
    let mut events = session.events();
    for tone in 0..6 {
        bot.graph
            .press_tone(&id, &format!("tone{tone}"))
            .await
            .unwrap();
    }
    match tokio::time::timeout(WAIT, events.next())
        .await
        .unwrap()
        .unwrap()
    {
        Err(missed) => assert_eq!(missed.0, 4),
        Ok(event) => panic!("{event:?}"),
    }
}

#[tokio::test]
async fn a_notification_about_an_unknown_call_starts_following_it() {
    let bot = bot().await;
    let id = call_id();
    let batch = json!({"value": [{
        "changeType": "updated",
        "resourceUrl": format!("/communications/calls/{}", id.replace('-', "").to_uppercase()),
        "resourceData": {"@odata.type": "#microsoft.graph.call", "state": "established"}
    }, {
        "changeType": "updated",
        "resourceUrl": "/communications/onlineMeetings/1",
        "resourceData": {"@odata.type": "#microsoft.graph.onlineMeeting"}
    }]});
    let batch = msgraph_calls::notifications::from_slice(batch.to_string().as_bytes()).unwrap();
    let applied = bot.calls.apply(batch).await.unwrap();
    assert_eq!(applied.applied, 1);
    assert_eq!(applied.unrouted.len(), 1);
    let session = bot.calls.session(&id).await.unwrap().expect("followed");
    assert_eq!(session.state(), Some(CallState::Established));
}

#[tokio::test]
async fn a_client_context_over_256_characters_is_refused_before_anything_is_sent() {
    let bot = bot().await;
    let session = bot.answered(&call_id()).await;
    let before = bot.graph.requests().len();
    let long = prompt().with_client_context("x".repeat(257));
    match session.play_prompt(&long).await {
        Err(msgraph_calls::Error::InvalidBody { field, reason }) => {
            assert_eq!(field, "clientContext");
            assert!(reason.contains("256"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(bot.graph.requests().len(), before);
    // A context already awaited on the call is refused too.
    let late = Knobs::default().late_completions(Some(Duration::from_secs(3)));
    bot.graph.set_knobs(late);
    let _first = session
        .play_prompt(&prompt().with_client_context("same"))
        .await
        .unwrap();
    assert!(matches!(
        session
            .play_prompt(&prompt().with_client_context("same"))
            .await,
        Err(msgraph_calls::Error::InvalidBody { .. })
    ));
}

#[tokio::test]
async fn an_operation_answered_404_ends_the_session() {
    let bot = bot().await;
    let id = call_id();
    let session = bot.answered(&id).await;
    bot.graph.end_silently(&id);
    let err = session.play_prompt(&prompt()).await.unwrap_err();
    assert!(matches!(err, msgraph_calls::Error::NotFound(_)), "{err}");
    session.wait_for(CallState::Terminated, WAIT).await.unwrap();
    let why = session.termination().await.unwrap().unwrap();
    assert_eq!(
        why.cause,
        EndedBy::NotFound {
            operation: "play_prompt".into()
        }
    );
}

#[tokio::test]
async fn claims_are_held_by_one_holder_until_they_run_out() {
    let store = MemoryStore::new();
    let ttl = Duration::from_millis(100);
    assert!(store.claim("c/incoming", "a", ttl).await.unwrap());
    assert!(!store.claim("c/incoming", "b", ttl).await.unwrap());
    assert!(
        store.claim("c/incoming", "a", ttl).await.unwrap(),
        "renewed by its holder"
    );
    tokio::time::sleep(ttl * 2).await;
    assert!(
        store.claim("c/incoming", "b", ttl).await.unwrap(),
        "free once run out"
    );
    store.remove("c").await.unwrap();
    assert!(
        store.claim("c/incoming", "a", ttl).await.unwrap(),
        "removed with its call"
    );
}

#[tokio::test]
async fn a_placed_call_is_followed_from_its_response_on() {
    let bot = bot().await;
    let body = msgraph_calls::types::CreateCallRequest::new(
        bot.callback.clone(),
        MediaConfig::service_hosted(),
    )
    .with_requested_modalities([Modality::Audio])
    .with_targets([InvitationParticipantInfo::to(IdentitySet::user(
        "112f7296-5fa4-42ca-bae8-6a692b15d4b8",
    ))]);
    let session = bot.calls.create_call(&body).await.unwrap();
    // The stand-in's fresh id, not its doc page's example.
    assert_ne!(session.id(), "2e1a0b00-2db4-4022-9570-243709c565ab");
    session
        .wait_for(CallState::Established, WAIT)
        .await
        .unwrap();
    let found = bot.calls.session(session.id()).await.unwrap().unwrap();
    assert_eq!(found.id(), session.id());
    let snapshot = session.snapshot().await.unwrap();
    assert_eq!(snapshot.id.as_deref(), Some(session.id()));
    assert_eq!(
        snapshot.direction.as_ref().map(|d| d.as_str()),
        Some("outgoing")
    );
    session.delete_call().await.unwrap();
    session.wait_for(CallState::Terminated, WAIT).await.unwrap();
}

#[tokio::test]
async fn a_completion_without_its_client_context_is_found_by_its_id_in_either_spelling() {
    let knobs = Knobs::default()
        .completions_without_context(true)
        .graph_spelling(true);
    let bot = bot_with(knobs, |b| b).await;
    let session = bot.answered(&call_id()).await;
    let pending = session.play_prompt(&prompt()).await.unwrap();
    // Graph's response spells the id with dashes; the completion's URL without, upper case.
    assert!(pending.response().id.as_deref().unwrap().contains('-'));
    let done = tokio::time::timeout(WAIT, pending.finished())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(done.status, Some(OperationStatus::Completed));
    assert!(done.client_context.is_none(), "found by its id alone");
}

#[tokio::test]
async fn a_client_context_used_again_awaits_its_new_operation() {
    let bot = bot().await;
    let session = bot.answered(&call_id()).await;
    for _ in 0..3 {
        let pending = session
            .play_prompt(&prompt().with_client_context("menu"))
            .await
            .unwrap();
        let done = tokio::time::timeout(WAIT, pending.finished())
            .await
            .expect("each one finishes")
            .unwrap();
        assert_eq!(done.client_context.as_deref(), Some("menu"));
    }
    // A response that says completed, with a fixed context, each time.
    for _ in 0..2 {
        let tones = ClientContextRequest::new().with_client_context("tones");
        let pending = session.subscribe_to_tone(&tones).await.unwrap();
        tokio::time::timeout(Duration::from_millis(100), pending.finished())
            .await
            .expect("at once")
            .unwrap();
    }
}

#[tokio::test]
async fn a_404_for_a_participant_who_left_does_not_end_the_call() {
    let bot = bot().await;
    let session = bot.answered(&call_id()).await;
    let user = "112f7296-5fa4-42ca-bae8-6a692b15d4b8";
    let mut events = session.events();
    bot.graph.join(session.id(), user, "Alex");
    let participant = loop {
        let event = tokio::time::timeout(WAIT, events.next())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        if let Event::ParticipantJoined(p) = event {
            break p.id.clone().unwrap();
        }
    };
    bot.graph.leave(session.id(), user);
    let err = session
        .mute_participant(&participant, &ClientContextRequest::new())
        .await
        .unwrap_err();
    assert!(matches!(err, msgraph_calls::Error::NotFound(_)), "{err}");
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(session.state(), Some(CallState::Established));
    assert!(session.termination().await.unwrap().is_none());
}

#[tokio::test]
async fn a_late_copy_about_a_forgotten_call_is_handed_back() {
    let bot = bot_with(Knobs::default(), |b| b.linger(Duration::from_millis(50))).await;
    let id = call_id();
    let session = bot.answered(&id).await;
    session.delete_call().await.unwrap();
    session.wait_for(CallState::Terminated, WAIT).await.unwrap();
    for _ in 0..100 {
        if bot.calls.tracked() == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(bot.calls.tracked(), 0);
    let late = json!({"value": [{
        "changeType": "deleted",
        "resourceUrl": format!("/communications/calls/{id}"),
        "resourceData": {"@odata.type": "#microsoft.graph.call", "state": "terminated"}
    }]});
    let batch = msgraph_calls::notifications::from_slice(late.to_string().as_bytes()).unwrap();
    let applied = bot.calls.apply(batch).await.unwrap();
    assert_eq!((applied.applied, applied.late.len()), (0, 1));
    assert_eq!(bot.calls.tracked(), 0, "not followed as a new call");
}

/// A store whose changes to one call take `delay`: what the registry does while a remote
/// store is slow.
struct SlowFor {
    inner: MemoryStore,
    slow_call: String,
    delay: Duration,
}

impl CallStore for SlowFor {
    fn update<'a>(
        &'a self,
        call: &'a str,
        change: msgraph_calls::sessions::Change<'a>,
    ) -> msgraph_calls::sessions::StoreFuture<'a, ()> {
        let delay = if call == self.slow_call {
            self.delay
        } else {
            Duration::ZERO
        };
        Box::pin(async move {
            tokio::time::sleep(delay).await;
            self.inner.update(call, change).await
        })
    }
    fn load<'a>(
        &'a self,
        call: &'a str,
    ) -> msgraph_calls::sessions::StoreFuture<'a, Option<msgraph_calls::sessions::CallRecord>> {
        self.inner.load(call)
    }
    fn claim<'a>(
        &'a self,
        what: &'a str,
        holder: &'a str,
        ttl: Duration,
    ) -> msgraph_calls::sessions::StoreFuture<'a, bool> {
        self.inner.claim(what, holder, ttl)
    }
    fn remove<'a>(&'a self, call: &'a str) -> msgraph_calls::sessions::StoreFuture<'a, ()> {
        self.inner.remove(call)
    }
}

/// Two calls' notifications are applied in parallel; one call's, one at a time in the order
/// they arrived, whatever each waits for.
#[tokio::test]
async fn one_calls_notifications_in_arrival_order_other_calls_in_parallel() {
    let slow = "5d6c6b2a000040008000000000000001";
    let client = Client::builder()
        .base_url("http://127.0.0.1:9/v1.0")
        .token(StaticToken::new("t"))
        .build()
        .unwrap();
    let calls = Calls::builder(client)
        .keep_alive_every(None)
        .store(SlowFor {
            inner: MemoryStore::new(),
            slow_call: slow.into(),
            delay: Duration::from_millis(300),
        })
        .build();
    let tone = |call: &str, sequence: u32| {
        let body = json!({"value": [{"changeType": "updated",
            "resourceUrl": format!("/communications/calls/{call}"),
            "resourceData": {"@odata.type": "#microsoft.graph.call", "state": "established",
                             "toneInfo": {"sequenceId": sequence, "tone": format!("tone{sequence}")}}}]});
        msgraph_calls::notifications::from_slice(body.to_string().as_bytes()).unwrap()
    };
    // The slow call is followed, and a subscriber listens.
    calls.apply(tone(slow, 0)).await.unwrap();
    let mut events = calls.session(slow).await.unwrap().unwrap().events();
    let started = std::time::Instant::now();
    let mut slow_ones = Vec::new();
    for sequence in 1..=3 {
        let calls = calls.clone();
        slow_ones.push(tokio::spawn(async move {
            calls.apply(tone(slow, sequence)).await
        }));
        // Each arrives after the one before it has started waiting for its turn.
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Another call is not held up by the slow one.
    calls
        .apply(tone("5d6c6b2a000040008000000000000002", 1))
        .await
        .unwrap();
    assert!(
        started.elapsed() < Duration::from_millis(250),
        "{:?}",
        started.elapsed()
    );
    for one in slow_ones {
        one.await.unwrap().unwrap();
    }
    // One at a time: three changes of 300 ms each, back to back.
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "{:?}",
        started.elapsed()
    );
    let mut tones = Vec::new();
    while tones.len() < 3 {
        let event = tokio::time::timeout(WAIT, events.next())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        if let Event::ToneReceived(tone) = event {
            tones.push(tone.sequence_id.unwrap().get().unwrap());
        }
    }
    assert_eq!(tones, [1, 2, 3]);
}
