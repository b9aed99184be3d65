//! A fleet of bot instances on one real `redis-server`, behind a load balancer on loopback, in
//! front of the stand-in for Graph: awaits across instances, keepAlive under a lease taken over
//! when its holder dies, a callback answered 503 while Redis is down and the call reconciled
//! once it is back, and 200 calls through three instances with one killed and Redis restarted.
//!
//! Each instance runs on a Tokio runtime of its own: killing it shuts that runtime down, with
//! every task of the instance, as a process that dies. Where `redis-server` is not on PATH and
//! `CI` is not set, each test says loudly that it did not run and passes.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{FromRef, State};
use axum::http::StatusCode;
use axum::routing::post;
use axum::Router;
use msgraph_calls::auth::StaticToken;
use msgraph_calls::inbound::axum::Callback;
use msgraph_calls::inbound::Receiver;
use msgraph_calls::resources::{
    CallState, IdentitySet, InvitationParticipantInfo, Modality, OperationStatus,
};
use msgraph_calls::sessions::{
    normal_id, CallSession, Calls, EndedBy, Event, Events, IncomingCall, RedisStore, StoreError,
};
use msgraph_calls::testing::{
    signer, Balancer, Graph, Recorded, RedisServer, RedisServerError, Spread,
};
use msgraph_calls::types::{
    AnswerRequest, ClientContextRequest, MediaConfig, PlayPromptRequest, Prompt, TransferRequest,
};
use msgraph_calls::Client;
use tokio::sync::mpsc;

const BOT_APP_ID: &str = "0efc74f7-41c3-47a4-8775-7259bfef4241";
const TENANT: &str = "1fdd12d0-4620-44ed-baec-459b611f84b2";
const AGENT: &str = "550fae72-d251-43ec-868c-373732c2704f";
const WAIT: Duration = Duration::from_secs(30);

/// A Redis of the test's own, or `None` (said loudly) where `redis-server` is missing and CI
/// is not set.
async fn redis() -> Option<RedisServer> {
    match RedisServer::start().await {
        Ok(server) => Some(server),
        Err(RedisServerError::NotInstalled) if std::env::var_os("CI").is_none() => {
            use std::io::Write;
            let _ = writeln!(
                std::io::stderr(),
                "\n*** NOT RUN: the fleet tests need redis-server on PATH (Debian: \
                 `apt-get install redis-server`); `.ci/run` installs it. ***\n"
            );
            None
        }
        Err(e) => panic!("{e}"),
    }
}

/// One bot instance: its own runtime, its registry, its callback server.
struct Instance {
    runtime: Option<tokio::runtime::Runtime>,
    calls: Option<Calls>,
}

impl Instance {
    /// Shuts the instance down at once, as a process that dies: no task of it runs again.
    fn kill(&mut self) {
        self.calls = None;
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Redis, the stand-in for Graph, a balancer, and the instances behind it.
struct Fleet {
    redis: RedisServer,
    graph: Arc<Graph>,
    balancer: Balancer,
    callback: String,
    instances: Vec<Instance>,
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

/// The instances' callback: a batch that could not be stored is answered 503, saying why.
async fn on_callback(State(bot): State<Bot>, callback: Callback) -> Result<StatusCode, StoreError> {
    bot.calls.apply(callback.batch).await?;
    Ok(StatusCode::ACCEPTED)
}

/// How an instance keeps calls alive.
#[derive(Clone, Copy)]
struct KeepAlive {
    every: Duration,
    lease: Duration,
}

impl Fleet {
    /// `count` instances; the balancer spreads Graph's callbacks over those of `behind`.
    async fn start(
        count: usize,
        behind: &[usize],
        spread: Spread,
        keep: KeepAlive,
    ) -> Option<Fleet> {
        let redis = redis().await?;
        let listeners: Vec<std::net::TcpListener> = (0..count)
            .map(|_| {
                let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
                listener.set_nonblocking(true).unwrap();
                listener
            })
            .collect();
        let origins: Vec<String> = listeners
            .iter()
            .map(|l| format!("http://{}", l.local_addr().unwrap()))
            .collect();
        let balanced = behind.iter().map(|&i| origins[i].clone()).collect();
        let balancer = Balancer::start(balanced, spread).await.unwrap();
        let callback = format!("{}/api/calls", balancer.origin());
        let graph = Arc::new(Graph::start(BOT_APP_ID, TENANT, &callback).await.unwrap());
        let mut instances = Vec::new();
        for (n, listener) in listeners.into_iter().enumerate() {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .enable_all()
                .build()
                .unwrap();
            let (base, url, validator) = (graph.base_url(), redis.url(), graph.validator());
            let calls = runtime
                .spawn(async move {
                    // Each instance names itself in its token: the stand-in's requests say who
                    // sent them.
                    let client = Client::builder()
                        .base_url(base)
                        .token(StaticToken::new(format!("instance-{n}")))
                        .build()
                        .unwrap();
                    let store = RedisStore::builder(url)
                        .timeout(Duration::from_millis(500))
                        .connect()
                        .await
                        .unwrap();
                    let calls = Calls::builder(client)
                        .store(store)
                        .keep_alive_every(Some(keep.every))
                        .keep_alive_lease(keep.lease)
                        .build();
                    let validator = validator.build().unwrap();
                    validator.refresh_keys().await.unwrap();
                    let bot = Bot {
                        receiver: Receiver::new(validator),
                        calls: calls.clone(),
                    };
                    let app = Router::new()
                        .route("/api/calls", post(on_callback))
                        .with_state(bot);
                    let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                    tokio::spawn(async move { axum::serve(listener, app).await });
                    calls
                })
                .await
                .unwrap();
            instances.push(Instance {
                runtime: Some(runtime),
                calls: Some(calls),
            });
        }
        Some(Fleet {
            redis,
            graph,
            balancer,
            callback,
            instances,
        })
    }

    fn calls(&self, n: usize) -> Calls {
        self.instances[n].calls.clone().expect("a live instance")
    }

    /// Runs `task` on instance `n`.
    async fn on<T: Send + 'static>(
        &self,
        n: usize,
        task: impl std::future::Future<Output = T> + Send + 'static,
    ) -> T {
        let runtime = self.instances[n].runtime.as_ref().expect("a live instance");
        runtime.spawn(task).await.expect("the instance's task")
    }

    fn spawn_on(&self, n: usize, task: impl std::future::Future<Output = ()> + Send + 'static) {
        let runtime = self.instances[n].runtime.as_ref().expect("a live instance");
        runtime.spawn(task);
    }
}

/// Which instance sent a request to the stand-in.
fn sender(request: &Recorded) -> Option<usize> {
    request
        .header("authorization")?
        .strip_prefix("Bearer instance-")?
        .parse()
        .ok()
}

/// The keepAlive requests for `call` (the id in any spelling) among `requests`: when, and
/// from which instance.
fn keep_alives(requests: &[Recorded], call: &str) -> Vec<(Instant, usize)> {
    let call = normal_id(call);
    requests
        .iter()
        .filter(|r| {
            let Some(path) = r.target.strip_suffix("/keepAlive") else {
                return false;
            };
            let id = path.rsplit('/').next().unwrap_or_default();
            r.method == "POST" && normal_id(id) == call
        })
        .filter_map(|r| Some((r.at, sender(r)?)))
        .collect()
}

fn answer(callback: &str) -> AnswerRequest {
    AnswerRequest::new([Modality::Audio], MediaConfig::service_hosted()).with_callback_uri(callback)
}

/// Answers the next incoming call on this instance (none: waits for ever) and waits until it
/// is up.
async fn answer_next(calls: Calls, callback: String) -> CallSession {
    let Some(call) = calls.incoming().next().await else {
        return std::future::pending().await;
    };
    let session = call.answer(&answer(&callback)).await.unwrap();
    session
        .wait_for(CallState::Established, WAIT)
        .await
        .unwrap();
    session
}

/// The next event that `pick` takes, within the wait.
async fn next_event<T>(events: &mut Events, mut pick: impl FnMut(Event) -> Option<T>) -> T {
    tokio::time::timeout(WAIT, async {
        while let Some(event) = events.next().await {
            if let Some(found) = pick(event.expect("no event missed")) {
                return found;
            }
        }
        panic!("the events ended first")
    })
    .await
    .expect("the event within the wait")
}

/// Point 2: an operation started on instance 0 is awaited to its end there while every
/// notification of the call reaches instance 1 only; instance 0's subscribers hear all of it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operation_started_on_one_instance_finishes_with_a_notification_another_received() {
    let keep = KeepAlive {
        every: Duration::from_secs(60),
        lease: Duration::from_secs(10),
    };
    let Some(fleet) = Fleet::start(2, &[1], Spread::RoundRobin, keep).await else {
        return;
    };
    let call_id = "57dab8b1-894c-409a-b240-bd8beae78896";
    fleet
        .graph
        .incoming_call(call_id, "+12345678901")
        .await
        .unwrap();
    let (b, callback) = (fleet.calls(1), fleet.callback.clone());
    let answered = fleet.on(1, answer_next(b, callback)).await;
    let mut heard_on_b = answered.events();

    let (a, graph) = (fleet.calls(0), fleet.graph.clone());
    let (status, state, tone) = fleet
        .on(0, async move {
            let session = a.session(call_id).await.unwrap().expect("in the store");
            let mut events = session.events();
            let menu = PlayPromptRequest::new([Prompt::media("https://cdn.contoso.com/menu.wav")]);
            let played = session.play_prompt(&menu).await.unwrap().finished().await;
            let status = played.expect("finished on instance 0").status;
            graph.press_tone(call_id, "tone5").await.unwrap();
            let tone = next_event(&mut events, |e| match e {
                Event::ToneReceived(tone) => tone.tone.map(|t| t.as_str().to_owned()),
                _ => None,
            })
            .await;
            (status, session.state(), tone)
        })
        .await;
    assert_eq!(status, Some(OperationStatus::Completed));
    // Instance 0 applied no notification: what it knows came through Redis.
    assert_eq!(state, Some(CallState::Established));
    assert_eq!(tone, "tone5");
    // Instance 1's subscriber heard the prompt finish once, though instance 0 awaited it.
    let finished = next_event(&mut heard_on_b, |e| match e {
        Event::OperationFinished { started_by, .. } => Some(started_by),
        _ => None,
    })
    .await;
    assert_eq!(finished.as_deref(), Some("play_prompt"));
}

/// Point 5: one instance keeps a call alive; when it dies, the other takes the call over
/// within a lease and a fifth of its last renewal, and sends a keepAlive at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_instance_keeps_a_call_alive_and_another_takes_over_when_it_dies() {
    let keep = KeepAlive {
        every: Duration::from_millis(300),
        lease: Duration::from_millis(600),
    };
    let Some(mut fleet) = Fleet::start(2, &[0, 1], Spread::RoundRobin, keep).await else {
        return;
    };
    let call_id = "2e1a0b00-2db4-4022-9570-243709c565ab";
    fleet
        .graph
        .incoming_call(call_id, "+12345678901")
        .await
        .unwrap();
    // Whichever instance claimed the call answers it.
    let (answered, mut up) = mpsc::unbounded_channel();
    for n in 0..2 {
        let (calls, callback, answered) =
            (fleet.calls(n), fleet.callback.clone(), answered.clone());
        fleet.spawn_on(n, async move {
            let session = answer_next(calls, callback).await;
            let _ = answered.send(session.id().to_owned());
            // The session lives as long as the instance.
            std::future::pending::<()>().await;
        });
    }
    tokio::time::timeout(WAIT, up.recv())
        .await
        .unwrap()
        .unwrap();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let before = keep_alives(&fleet.graph.requests(), call_id);
    let holders: HashSet<usize> = before.iter().map(|(_, by)| *by).collect();
    assert!(before.len() >= 3, "kept alive: {before:?}");
    assert_eq!(
        holders.len(),
        1,
        "one instance keeps the call alive: {before:?}"
    );
    let holder = *holders.iter().next().unwrap();
    // The lease index expires too, renewed with the leases.
    let mut raw = redis::Client::open(fleet.redis.url())
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap();
    let ttl: i64 = redis::cmd("PTTL")
        .arg("msgraph-calls:leases")
        .query_async(&mut raw)
        .await
        .unwrap();
    assert!(ttl > 0, "the lease index has an expiry: {ttl}");

    let killed = Instant::now();
    fleet.instances[holder].kill();
    tokio::time::sleep(Duration::from_millis(2000)).await;
    let after: Vec<(Instant, usize)> = keep_alives(&fleet.graph.requests(), call_id)
        .into_iter()
        .filter(|(at, _)| *at > killed)
        .collect();
    // Past a request it had on the wire when it died, nothing from the dead instance.
    let in_flight = killed + Duration::from_millis(300);
    assert!(
        after
            .iter()
            .all(|(at, by)| *by != holder || *at < in_flight),
        "nothing from the dead instance: {after:?}"
    );
    let took_over = after
        .iter()
        .find(|(_, by)| *by != holder)
        .expect("kept alive by the other instance")
        .0
        - killed;
    // A lease and a fifth, and a margin for a loaded machine.
    assert!(
        took_over <= keep.lease * 6 / 5 + Duration::from_secs(1),
        "taken over after {took_over:?}"
    );
    assert!(after.len() >= 3, "kept alive on schedule: {after:?}");
}

/// Point 7: with Redis down, a callback is answered 503 with what failed; once Redis is back,
/// the call whose notification was lost is reconciled with a GET.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_redis_down_a_callback_is_refused_and_the_call_reconciled_once_it_is_back() {
    let keep = KeepAlive {
        every: Duration::from_secs(60),
        lease: Duration::from_secs(10),
    };
    let Some(mut fleet) = Fleet::start(1, &[0], Spread::RoundRobin, keep).await else {
        return;
    };
    let call_id = "491f0b00-ffff-4bc9-a43e-b226498ec22a";
    fleet
        .graph
        .incoming_call(call_id, "+12345678901")
        .await
        .unwrap();
    let (a, callback) = (fleet.calls(0), fleet.callback.clone());
    let session = fleet.on(0, answer_next(a, callback)).await;
    let mut events = session.events();

    fleet.redis.stop();
    // Graph says the call ended; the instance cannot store it.
    let token = fleet.graph.key().sign(&signer::claims(BOT_APP_ID, TENANT));
    let ended = serde_json::json!({"value": [{
        "@odata.type": "#microsoft.graph.commsNotification",
        "changeType": "deleted",
        "resourceUrl": format!("/communications/calls/{call_id}"),
        "resourceData": {"@odata.type": "#microsoft.graph.call", "state": "terminated"}
    }]});
    let response = msgraph_calls::client::http_client_builder()
        .unwrap()
        .build()
        .unwrap()
        .post(&fleet.callback)
        .bearer_auth(token)
        .json(&ended)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 503);
    let said = response.text().await.unwrap();
    assert!(said.starts_with("call store: "), "{said}");
    assert!(said.contains(&*normal_id(call_id)), "{said}");
    // Graph does not send it again; the call is gone on Graph's side.
    fleet.graph.end_silently(call_id);
    assert_eq!(session.state(), Some(CallState::Established));

    let back = Instant::now();
    fleet.redis.resume().await.unwrap();
    let why = next_event(&mut events, |e| match e {
        Event::Terminated(why) => Some(why),
        _ => None,
    })
    .await;
    assert_eq!(
        why.cause,
        EndedBy::NotFound {
            operation: "get_call".to_owned()
        }
    );
    let path = format!("/communications/calls/{call_id}");
    assert!(fleet
        .graph
        .requests()
        .iter()
        .any(|r| r.method == "GET" && r.target.ends_with(&path) && r.at > back));
}

/// What an instance's bot says of a call.
#[derive(Debug)]
enum Report {
    Answered(String, usize),
    Prompted(String, usize),
    Adopted(String, usize),
    Ended {
        call: String,
        by: usize,
        explained: bool,
        why: String,
        tones: usize,
    },
    Failed(String, usize, String),
}

/// Answers every call this instance is offered, prompts it (awaited here, wherever its
/// completion lands), and then waits for the caller's tone.
async fn serve_incoming(
    calls: Calls,
    n: usize,
    callback: String,
    report: mpsc::UnboundedSender<Report>,
) {
    let mut incoming = calls.incoming();
    while let Some(call) = incoming.next().await {
        let (callback, report) = (callback.clone(), report.clone());
        tokio::spawn(async move {
            let id = normal_id(call.session().id()).into_owned();
            if let Err(e) = drive(call, n, &callback, &report).await {
                let _ = report.send(Report::Failed(id, n, e.to_string()));
            }
        });
    }
}

type Failure = Box<dyn std::error::Error + Send + Sync>;

async fn drive(
    call: IncomingCall,
    n: usize,
    callback: &str,
    report: &mpsc::UnboundedSender<Report>,
) -> Result<(), Failure> {
    let id = normal_id(call.session().id()).into_owned();
    let session = call.answer(&answer(callback)).await?;
    report.send(Report::Answered(id.clone(), n))?;
    let events = session.events();
    session.wait_for(CallState::Established, WAIT).await?;
    session
        .subscribe_to_tone(&ClientContextRequest::new())
        .await?
        .finished()
        .await?;
    let menu = PlayPromptRequest::new([Prompt::media("https://cdn.contoso.com/menu.wav")]);
    let played = session.play_prompt(&menu).await?.finished().await?;
    if played.status != Some(OperationStatus::Completed) {
        return Err(format!("prompt {:?}", played.status).into());
    }
    report.send(Report::Prompted(id, n))?;
    finish(session, events, n, report).await
}

/// Waits for the caller's tone: 1 transfers to the agent, any other hangs up; then for the end.
async fn finish(
    session: CallSession,
    mut events: Events,
    n: usize,
    report: &mpsc::UnboundedSender<Report>,
) -> Result<(), Failure> {
    let id = normal_id(session.id()).into_owned();
    let mut tones = 0;
    while let Some(event) = events.next().await {
        match event? {
            Event::ToneReceived(tone) => {
                tones += 1;
                if tone.tone.map(|t| t.as_str().to_owned()).as_deref() == Some("tone1") {
                    let to = InvitationParticipantInfo::to(IdentitySet::user(AGENT));
                    session.transfer(&TransferRequest::new(to)).await?;
                } else {
                    session.delete_call().await?;
                }
            }
            Event::Terminated(why) => {
                report.send(Report::Ended {
                    call: id,
                    by: n,
                    explained: why.explain().is_some(),
                    why: why.to_string(),
                    tones,
                })?;
                return Ok(());
            }
            _ => {}
        }
    }
    Err("the events ended before the call".into())
}

/// Takes over the rest of a call whose instance died: the session from the store.
async fn adopt(calls: Calls, id: String, n: usize, report: mpsc::UnboundedSender<Report>) {
    // Redis may have just restarted: the bot tries again, as it would for any store error.
    let mut found = calls.session(&id).await;
    for _ in 0..20 {
        if found.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        found = calls.session(&id).await;
    }
    let session = match found {
        Ok(Some(session)) => session,
        other => {
            let _ = report.send(Report::Failed(id, n, format!("not adopted: {other:?}")));
            return;
        }
    };
    let events = session.events();
    let _ = report.send(Report::Adopted(id.clone(), n));
    if let Err(e) = finish(session, events, n, &report).await {
        let _ = report.send(Report::Failed(id, n, e.to_string()));
    }
}

/// Reports until `done` says so, within `within`.
async fn collect(
    reports: &mut mpsc::UnboundedReceiver<Report>,
    within: Duration,
    mut take: impl FnMut(Report) -> bool,
) {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        match tokio::time::timeout_at(deadline, reports.recv()).await {
            Ok(Some(Report::Failed(id, n, e))) => panic!("call {id} on instance {n}: {e}"),
            Ok(Some(report)) => {
                if take(report) {
                    return;
                }
            }
            Ok(None) => panic!("no instance reports"),
            Err(_) => panic!("not done within {within:?}"),
        }
    }
}

/// The acceptance run: 200 calls through three instances behind a balancer that sends each
/// callback to a random instance and one in five to two; each answered, prompted (awaited on
/// the instance that answered, wherever its completion lands), toned, and transferred or hung
/// up. Instance 0 is killed once every call is prompted, Redis is restarted, instance 0's
/// calls are kept alive by the others and finished by them. Nothing lost, nothing twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_calls_through_three_instances_one_killed_and_redis_restarted() {
    const CALLS: usize = 200;
    let keep = KeepAlive {
        every: Duration::from_secs(2),
        lease: Duration::from_secs(3),
    };
    let spread = Spread::Random { twice_in: 5 };
    let Some(mut fleet) = Fleet::start(3, &[0, 1, 2], spread, keep).await else {
        return;
    };
    let (sender, mut reports) = mpsc::unbounded_channel();
    for n in 0..3 {
        let (calls, callback) = (fleet.calls(n), fleet.callback.clone());
        fleet.spawn_on(n, serve_incoming(calls, n, callback, sender.clone()));
    }
    let ids: Vec<String> = (0..CALLS)
        .map(|n| format!("{n:08x}-0000-4000-8000-00000000cafe"))
        .collect();
    let started = Instant::now();
    for id in &ids {
        assert_eq!(
            fleet.graph.incoming_call(id, "+12345678901").await.unwrap(),
            202
        );
    }
    let mut answered: HashMap<String, usize> = HashMap::new();
    let mut prompted = HashSet::new();
    collect(&mut reports, Duration::from_secs(240), |report| {
        match report {
            Report::Answered(id, n) => {
                assert!(
                    answered.insert(id.clone(), n).is_none(),
                    "{id} answered twice"
                );
            }
            Report::Prompted(id, n) => {
                // Awaited on the instance that answered, wherever its completion landed.
                assert_eq!(answered.get(&id), Some(&n), "{id}");
                assert!(prompted.insert(id.clone()), "{id} prompted twice");
            }
            other => panic!("{other:?}"),
        }
        prompted.len() == CALLS
    })
    .await;
    let by_instance: Vec<usize> = (0..3)
        .map(|n| answered.values().filter(|&&by| by == n).count())
        .collect();
    eprintln!(
        "answered by instance: {by_instance:?}; prompted in {:?}",
        started.elapsed()
    );
    assert!(by_instance.iter().all(|&n| n > 0), "{by_instance:?}");

    // Instance 0 dies with its calls in the middle; then Redis restarts.
    let killed = Instant::now();
    fleet.instances[0].kill();
    fleet.redis.restart().await.unwrap();
    let restarted = Instant::now();
    let orphans: Vec<String> = answered
        .iter()
        .filter(|(_, &by)| by == 0)
        .map(|(id, _)| id.clone())
        .collect();
    for (k, id) in orphans.iter().enumerate() {
        let n = 1 + k % 2;
        let (calls, report) = (fleet.calls(n), sender.clone());
        fleet.spawn_on(n, adopt(calls, id.clone(), n, report));
    }
    let mut adopted = HashSet::new();
    if !orphans.is_empty() {
        collect(&mut reports, WAIT, |report| match report {
            Report::Adopted(id, n) => {
                assert_ne!(n, 0);
                assert!(adopted.insert(id), "adopted twice");
                adopted.len() == orphans.len()
            }
            other => panic!("{other:?}"),
        })
        .await;
    }
    // Every call is kept alive by a live instance after the kill: a keepAlive period, the
    // lease and a fifth, and a margin for a loaded machine.
    let bound = keep.every + keep.lease * 6 / 5 + Duration::from_secs(3);
    tokio::time::sleep_until((restarted + bound).into()).await;
    let requests = fleet.graph.requests();
    for id in &ids {
        let after: Vec<usize> = keep_alives(&requests, id)
            .into_iter()
            .filter(|(at, _)| *at > killed && *at <= restarted + bound)
            .map(|(_, by)| by)
            .collect();
        assert!(!after.is_empty(), "{id} not kept alive after the kill");
        assert!(!after.contains(&0), "{id} kept alive by the dead instance");
    }

    // Each caller presses: even calls 1 (transfer), odd ones 2 (hang up).
    for (n, id) in ids.iter().enumerate() {
        let tone = if n % 2 == 0 { "tone1" } else { "tone2" };
        assert_eq!(fleet.graph.press_tone(id, tone).await.unwrap(), 202);
    }
    let mut ended = HashSet::new();
    collect(&mut reports, Duration::from_secs(240), |report| {
        match report {
            Report::Ended {
                call,
                by,
                explained,
                why,
                tones,
            } => {
                assert_ne!(by, 0, "{call} ended on the dead instance");
                assert!(explained, "{call} ended without an explanation: {why}");
                assert_eq!(tones, 1, "{call} heard {tones} tones");
                assert!(ended.insert(call.clone()), "{call} ended twice");
            }
            other => panic!("{other:?}"),
        }
        ended.len() == CALLS
    })
    .await;
    eprintln!(
        "{CALLS} calls ended in {:?}; callbacks per instance: {:?}",
        started.elapsed(),
        fleet.balancer.forwarded()
    );

    // Graph was asked each thing once per call.
    let requests = fleet.graph.requests();
    for (n, id) in ids.iter().enumerate() {
        let call = normal_id(id);
        let on = |suffix: &str, method: &str| {
            requests
                .iter()
                .filter(|r| {
                    let Some((_, rest)) = r.target.split_once("/communications/calls/") else {
                        return false;
                    };
                    let (named, after) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
                    r.method == method && after == suffix && normal_id(named) == call
                })
                .count()
        };
        assert_eq!(on("/answer", "POST"), 1, "{id}");
        assert_eq!(on("/playPrompt", "POST"), 1, "{id}");
        if n % 2 == 0 {
            assert_eq!((on("/transfer", "POST"), on("", "DELETE")), (1, 0), "{id}");
        } else {
            assert_eq!((on("/transfer", "POST"), on("", "DELETE")), (0, 1), "{id}");
        }
    }
}
