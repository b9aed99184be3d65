//! The sessions' store on a real `redis-server` (Debian's package), started by each test on a
//! free loopback port: atomic changes from several instances, claims, expiry, prefixes, Redis
//! down and restarted, and two registries sharing calls.
//!
//! Where `redis-server` is not on PATH and `CI` is not set, each test says loudly that it did
//! not run and passes; with `CI` set, a missing `redis-server` fails it.

use std::collections::HashMap;
use std::time::Duration;

use msgraph_calls::auth::StaticToken;
use msgraph_calls::notifications::CommsNotifications;
use msgraph_calls::resources::CallState;
use msgraph_calls::sessions::{normal_id, CallRecord, CallStore, Calls, Event, RedisStore};
use msgraph_calls::testing::{RedisServer, RedisServerError};
use msgraph_calls::Client;
use serde_json::json;

/// A Redis of the test's own, or `None` (said loudly) where `redis-server` is missing and CI
/// is not set.
async fn redis() -> Option<RedisServer> {
    match RedisServer::start().await {
        Ok(server) => Some(server),
        Err(RedisServerError::NotInstalled) if std::env::var_os("CI").is_none() => {
            // Written to the process's stderr, past the test harness's capture: seen even
            // when the test passes.
            use std::io::Write;
            let _ = writeln!(
                std::io::stderr(),
                "\n*** NOT RUN: the Redis tests need redis-server on PATH (Debian: \
                 `apt-get install redis-server`); `.ci/run` installs it. ***\n"
            );
            None
        }
        Err(e) => panic!("{e}"),
    }
}

macro_rules! redis_or_skip {
    () => {
        match redis().await {
            Some(server) => server,
            None => return,
        }
    };
}

async fn store(server: &RedisServer) -> RedisStore {
    RedisStore::builder(server.url())
        .timeout(Duration::from_millis(500))
        .connect()
        .await
        .unwrap()
}

/// A raw connection, to look at the keys as Redis holds them.
async fn raw(server: &RedisServer) -> redis::aio::MultiplexedConnection {
    redis::Client::open(server.url())
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap()
}

/// A change that counts: the record's version plus one (through its JSON, the only way to
/// write a record outside the registry).
fn count(record: &mut CallRecord) -> bool {
    let mut value = serde_json::to_value(&*record).unwrap();
    let next = value["version"].as_u64().unwrap() + 1;
    value["version"] = json!(next);
    *record = serde_json::from_value(value).unwrap();
    true
}

/// A registry with no Graph behind it (nothing here sends a request).
fn registry(store: RedisStore) -> Calls {
    let client = Client::builder()
        .base_url("http://127.0.0.1:9/v1.0/")
        .token(StaticToken::new("unused"))
        .build()
        .unwrap();
    // No keepAlive, and leases looked for hourly: the tests count what the store does.
    Calls::builder(client)
        .store(store)
        .keep_alive_every(None)
        .keep_alive_lease(Duration::from_secs(3600))
        .build()
}

fn batch(value: serde_json::Value) -> CommsNotifications {
    msgraph_calls::notifications::from_slice(value.to_string().as_bytes()).unwrap()
}

fn fixture(name: &str) -> CommsNotifications {
    let path = format!(
        "{}/tests/fixtures/notifications/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    msgraph_calls::notifications::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// The call id of Graph's doc examples (call-answer.md, call-delete.md).
const DOC_CALL: &str = "57dab8b1-894c-409a-b240-bd8beae78896";

#[tokio::test]
async fn three_instances_changing_one_call_at_once_lose_no_change() {
    let server = redis_or_skip!();
    let (a, b, c) = (
        store(&server).await,
        store(&server).await,
        store(&server).await,
    );
    // Each instance changes the call one notification at a time, as its registry does, back to
    // back; the three at once.
    let run = |store: RedisStore| async move {
        for _ in 0..100 {
            store.update("call-1", &mut count).await.unwrap();
        }
    };
    tokio::join!(run(a.clone()), run(b), run(c));
    let record = a.load("call-1").await.unwrap().unwrap();
    assert_eq!(record.version(), 300, "every change of every instance kept");
    // The version Redis counts agrees: one write per change.
    let version: u64 = redis::cmd("HGET")
        .arg(a.record_key("call-1"))
        .arg("v")
        .query_async(&mut raw(&server).await)
        .await
        .unwrap();
    assert_eq!(version, 300);
}

#[tokio::test]
async fn a_change_that_writes_nothing_leaves_no_key() {
    let server = redis_or_skip!();
    let a = store(&server).await;
    a.update("call-2", &mut |_| false).await.unwrap();
    assert!(a.load("call-2").await.unwrap().is_none());
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg("*")
        .query_async(&mut raw(&server).await)
        .await
        .unwrap();
    assert!(keys.is_empty(), "{keys:?}");
}

#[tokio::test]
async fn a_claim_is_held_by_one_instance_until_its_lease_runs_out() {
    let server = redis_or_skip!();
    let (a, b) = (store(&server).await, store(&server).await);
    let lease = Duration::from_millis(300);
    assert!(a
        .claim("call-3/incoming", "instance a", lease)
        .await
        .unwrap());
    assert!(!b
        .claim("call-3/incoming", "instance b", lease)
        .await
        .unwrap());
    // Its holder renews it.
    assert!(a
        .claim("call-3/incoming", "instance a", lease)
        .await
        .unwrap());
    // Another claim of the same call is free.
    assert!(b
        .claim("call-3/keepalive", "instance b", lease)
        .await
        .unwrap());
    tokio::time::sleep(lease + Duration::from_millis(100)).await;
    assert!(b
        .claim("call-3/incoming", "instance b", lease)
        .await
        .unwrap());
    assert!(!a
        .claim("call-3/incoming", "instance a", lease)
        .await
        .unwrap());
    // The claims' key goes with its longest lease.
    let ttl: i64 = redis::cmd("PTTL")
        .arg(a.claims_key("call-3"))
        .query_async(&mut raw(&server).await)
        .await
        .unwrap();
    assert!((1..=300).contains(&ttl), "{ttl}");
}

#[tokio::test]
async fn every_key_expires_and_an_ended_call_sooner() {
    let server = redis_or_skip!();
    let store = RedisStore::builder(server.url())
        .ended_ttl(Duration::from_secs(90))
        .live_ttl(Duration::from_secs(5000))
        .connect()
        .await
        .unwrap();
    let calls = registry(store.clone());
    calls
        .apply(fixture("call-delete-terminating.json"))
        .await
        .unwrap();
    let mut redis = raw(&server).await;
    let key = store.record_key(&normal_id(DOC_CALL));
    let ttl: i64 = redis::cmd("PTTL")
        .arg(&key)
        .query_async(&mut redis)
        .await
        .unwrap();
    assert!((4_000_000..=5_000_000).contains(&ttl), "live: {ttl} ms");
    calls
        .apply(fixture("call-delete-terminated.json"))
        .await
        .unwrap();
    let ttl: i64 = redis::cmd("PTTL")
        .arg(&key)
        .query_async(&mut redis)
        .await
        .unwrap();
    assert!((80_000..=90_000).contains(&ttl), "ended: {ttl} ms");
    // Every key the store made has an expiry.
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg("*")
        .query_async(&mut redis)
        .await
        .unwrap();
    assert!(!keys.is_empty());
    for key in keys {
        let ttl: i64 = redis::cmd("PTTL")
            .arg(&key)
            .query_async(&mut redis)
            .await
            .unwrap();
        assert!(ttl > 0, "{key} has no expiry ({ttl})");
    }
}

#[tokio::test]
async fn bots_with_their_own_prefix_share_one_redis_apart() {
    let server = redis_or_skip!();
    let a = RedisStore::builder(server.url())
        .prefix("bot-a:")
        .connect()
        .await
        .unwrap();
    let b = RedisStore::builder(server.url())
        .prefix("bot-b:")
        .connect()
        .await
        .unwrap();
    a.update("call-4", &mut count).await.unwrap();
    assert!(b.load("call-4").await.unwrap().is_none());
    assert!(a
        .claim("call-4/incoming", "a", Duration::from_secs(5))
        .await
        .unwrap());
    assert!(b
        .claim("call-4/incoming", "b", Duration::from_secs(5))
        .await
        .unwrap());
    let mut keys: Vec<String> = redis::cmd("KEYS")
        .arg("*")
        .query_async(&mut raw(&server).await)
        .await
        .unwrap();
    keys.sort();
    assert_eq!(
        keys,
        [
            "bot-a:call:{call-4}",
            "bot-a:claims:{call-4}",
            "bot-b:claims:{call-4}"
        ]
    );
    a.remove("call-4").await.unwrap();
    assert!(a.load("call-4").await.unwrap().is_none());
    assert!(b
        .claim("call-4/incoming", "b", Duration::from_secs(5))
        .await
        .unwrap());
}

#[tokio::test]
async fn with_redis_down_a_batch_fails_and_is_applied_once_redis_is_back() {
    let mut server = redis_or_skip!();
    let store = store(&server).await;
    let calls = registry(store.clone());
    calls
        .apply(fixture("call-answer-establishing.json"))
        .await
        .unwrap();
    server.stop();
    let started = std::time::Instant::now();
    let error = calls
        .apply(fixture("call-delete-terminated.json"))
        .await
        .expect_err("not acknowledged as if stored");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "within the timeout"
    );
    let said = error.to_string();
    assert!(said.starts_with("call store: "), "{said}");
    assert!(said.contains(normal_id(DOC_CALL).as_ref()), "{said}");
    server.resume().await.unwrap();
    // Graph sends the batch again: it is applied.
    let mut applied = None;
    for _ in 0..50 {
        match calls.apply(fixture("call-delete-terminated.json")).await {
            Ok(done) => {
                applied = Some(done);
                break;
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
    assert_eq!(applied.expect("applied once Redis is back").applied, 1);
    let record = store.load(&normal_id(DOC_CALL)).await.unwrap().unwrap();
    assert_eq!(record.state(), Some(&CallState::Terminated));
}

#[tokio::test]
async fn a_restart_of_redis_loses_no_call_that_was_stored() {
    let mut server = redis_or_skip!();
    let store = store(&server).await;
    let calls = registry(store.clone());
    calls
        .apply(fixture("call-answer-establishing.json"))
        .await
        .unwrap();
    // Killed (SIGKILL) right after the write was acknowledged, then started on its files.
    server.restart().await.unwrap();
    let fresh = self::store(&server).await;
    let record = fresh
        .load(&normal_id(DOC_CALL))
        .await
        .unwrap()
        .expect("kept");
    assert_eq!(record.state(), Some(&CallState::Establishing));
}

/// Two instances of a bot on one Redis, each given the same batches (a balancer that sends a
/// callback to both): what each call did is told once on each instance.
#[tokio::test]
async fn two_instances_given_the_same_notifications_tell_each_once() {
    let server = redis_or_skip!();
    let (a, b) = (
        registry(store(&server).await),
        registry(store(&server).await),
    );
    // An incoming call reaches both: one offers it.
    let incoming = fixture("call-answer-incoming.json");
    let (ra, rb) = tokio::join!(a.apply(incoming.clone()), b.apply(incoming));
    ra.unwrap();
    rb.unwrap();
    let (mut ia, mut ib) = (a.incoming(), b.incoming());
    let (oa, ob) = tokio::join!(offered(&mut ia), offered(&mut ib));
    assert_eq!(
        u8::from(oa) + u8::from(ob),
        1,
        "offered by one instance only"
    );

    // Thirty operations finish, each completion sent to both at once: each is told once.
    let (sa, sb) = (
        a.session(DOC_CALL).await.unwrap().unwrap(),
        b.session(DOC_CALL).await.unwrap().unwrap(),
    );
    let (mut ea, mut eb) = (sa.events(), sb.events());
    let completion = |n: usize| {
        batch(json!({"value": [{
            "changeType": "deleted",
            "resourceUrl": format!("/communications/calls/{DOC_CALL}/operations/op-{n}"),
            "resourceData": {
                "@odata.type": "#microsoft.graph.playPromptOperation",
                "id": format!("op-{n}"),
                "status": "completed",
                "clientContext": format!("context-{n}")
            }
        }]}))
    };
    let sends = (0..30).map(|n| {
        let (a, b) = (a.clone(), b.clone());
        async move {
            let (ra, rb) = tokio::join!(a.apply(completion(n)), b.apply(completion(n)));
            ra.unwrap();
            rb.unwrap();
        }
    });
    futures_join_all(sends).await;
    // Each instance's subscriber hears of each completion once, whichever instance applied it.
    for (instance, events) in [("a", &mut ea), ("b", &mut eb)] {
        let mut told: HashMap<String, usize> = HashMap::new();
        // Until all thirty are heard (a loaded machine is slow), then a moment more for a
        // second copy.
        let mut quiet = Duration::from_secs(10);
        while let Ok(Some(Ok(event))) = tokio::time::timeout(quiet, events.next()).await {
            if told.len() == 30 {
                quiet = Duration::from_millis(300);
            }
            if let Event::OperationFinished { operation, .. } = &event {
                *told
                    .entry(operation.id.clone().unwrap_or_default())
                    .or_default() += 1;
            }
            if told.len() == 30 {
                quiet = Duration::from_millis(300);
            }
        }
        assert_eq!(told.len(), 30, "instance {instance}: {told:?}");
        assert!(
            told.values().all(|&n| n == 1),
            "instance {instance}: {told:?}"
        );
    }
}

/// Whether the stream offers a call within a moment.
async fn offered(incoming: &mut msgraph_calls::sessions::Incoming) -> bool {
    tokio::time::timeout(Duration::from_millis(300), incoming.next())
        .await
        .ok()
        .flatten()
        .is_some()
}

/// Runs futures together (the tests have no `futures` crate).
async fn futures_join_all<F: std::future::Future<Output = ()> + Send + 'static>(
    futures: impl Iterator<Item = F>,
) {
    let tasks: Vec<_> = futures.map(tokio::spawn).collect();
    for task in tasks {
        task.await.unwrap();
    }
}

#[tokio::test]
async fn the_store_hides_redis_passwords() {
    let server = redis_or_skip!();
    let store = store(&server).await;
    let builder = RedisStore::builder("redis://:hunter2@127.0.0.1:1/");
    assert!(!format!("{builder:?}").contains("hunter2"));
    // A Redis that cannot be reached: the error names where, never the password.
    let error = builder
        .timeout(Duration::from_millis(200))
        .connect()
        .await
        .expect_err("nothing listens on port 1");
    let said = error.to_string();
    assert!(said.contains("127.0.0.1:1"), "{said}");
    assert!(!said.contains("hunter2"), "{said}");
    // A store that reached its Redis says only its settings.
    assert!(format!("{store:?}").starts_with("RedisStore { prefix: \"msgraph-calls:\""));
}

/// A call-state notification about Graph's example call (call-answer.md), in `state`.
fn state(state: &str) -> CommsNotifications {
    let mut body: serde_json::Value = serde_json::from_slice(
        &std::fs::read(format!(
            "{}/tests/fixtures/notifications/call-answer-establishing.json",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap(),
    )
    .unwrap();
    body["value"][0]["resourceData"]["state"] = json!(state);
    batch(body)
}

/// Redis's own count of each command since the last `CONFIG RESETSTAT` (`INFO commandstats`).
async fn commandstats(raw: &mut redis::aio::MultiplexedConnection) -> HashMap<String, u64> {
    let info: String = redis::cmd("INFO")
        .arg("commandstats")
        .query_async(raw)
        .await
        .unwrap();
    // `cmdstat_evalsha:calls=100,usec=...`
    info.lines()
        .filter_map(|line| {
            let (name, rest) = line.strip_prefix("cmdstat_")?.split_once(':')?;
            let count = rest
                .strip_prefix("calls=")?
                .split(',')
                .next()?
                .parse()
                .ok()?;
            Some((name.to_owned(), count))
        })
        .collect()
}

async fn reset_stats(raw: &mut redis::aio::MultiplexedConnection) {
    let () = redis::cmd("CONFIG")
        .arg("RESETSTAT")
        .query_async(raw)
        .await
        .unwrap();
}

/// Goal: one round trip per notification. Counted with Redis's own `INFO commandstats`: 100
/// call-state notifications applied by one instance (another listening to the news) are 100
/// `EVALSHA`, and the commands the script runs; no read of the instance's own.
#[tokio::test]
async fn a_notification_costs_one_round_trip_counted_by_redis() {
    let server = redis_or_skip!();
    let calls = registry(store(&server).await);
    let _listening = registry(store(&server).await);
    calls.apply(state("establishing")).await.unwrap();
    let mut raw = raw(&server).await;
    reset_stats(&mut raw).await;
    const N: u64 = 100;
    for n in 0..N {
        let next = if n % 2 == 0 { "established" } else { "hold" };
        calls.apply(state(next)).await.unwrap();
    }
    let calls_of = commandstats(&mut raw).await;
    eprintln!("commands for {N} notifications: {calls_of:?}");
    assert_eq!(calls_of.get("evalsha"), Some(&N), "{calls_of:?}");
    // The script's own HMGET, once each: the instance read nothing beside it.
    assert_eq!(calls_of.get("hmget"), Some(&N), "{calls_of:?}");
    assert_eq!(calls_of.get("publish"), Some(&N), "{calls_of:?}");
    let others: Vec<&String> = calls_of
        .keys()
        .filter(|name| {
            let script = ["evalsha", "hmget", "hset", "pexpire", "publish", "get"];
            !script.contains(&name.as_str()) && !name.starts_with("config")
        })
        .collect();
    assert!(others.is_empty(), "{calls_of:?}");
}

/// Two instances taking turns on one call, each change made after the other's, a few
/// milliseconds apart (Graph's notifications of one call are further apart): the news of each
/// change carries the record, so the other's copy is current and a notification still costs one
/// round trip; two at most when the news comes late (the script answers with the record as it
/// is, and the change is written again).
#[tokio::test]
async fn instances_taking_turns_on_one_call_cost_one_round_trip_once_the_news_is_in() {
    let server = redis_or_skip!();
    let (a, b) = (
        registry(store(&server).await),
        registry(store(&server).await),
    );
    a.apply(state("establishing")).await.unwrap();
    let mut raw = raw(&server).await;
    reset_stats(&mut raw).await;
    const N: u64 = 100;
    for n in 0..N {
        let next = if n % 2 == 0 { "established" } else { "hold" };
        let instance = if n % 2 == 0 { &b } else { &a };
        instance.apply(state(next)).await.unwrap();
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let calls_of = commandstats(&mut raw).await;
    let writes = calls_of.get("evalsha").copied().unwrap_or(0);
    // Reads of their own: HMGETs beyond the one each script run makes.
    let reads = calls_of.get("hmget").copied().unwrap_or(0) - writes;
    eprintln!(
        "{N} notifications, instances taking turns: {writes} EVALSHA, {reads} HMGET of their own"
    );
    assert!(writes >= N, "{calls_of:?}");
    assert!(writes + reads <= 2 * N, "{calls_of:?}");
}
