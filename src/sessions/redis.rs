//! [`RedisStore`]: the sessions' store on Redis, shared by every instance of a bot (feature
//! `redis`).

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use tokio::sync::broadcast;

mod news;
mod scripts;

use super::record::CallRecord;
use super::store::{ByCall, CallStore, Change, Feed, Heard, StoreError, StoreFuture};
use news::{listen, Listening, FEED_CAPACITY};
use scripts::{CLAIM, LAPSED, RELEASE, WRITE};

/// How many times a change is run again after other instances wrote first, before
/// [`update`](CallStore::update) gives up.
const ATTEMPTS: usize = 32;

/// After this many writes lost to other instances, an instance takes the call's lock, so that
/// one that keeps losing (another writes the same call back to back) gets its turn.
const LOCK_AFTER: usize = 2;

/// How long a call's lock is held at most: an instance that dies holding it blocks the call's
/// writes no longer.
const LOCK_FOR: Duration = Duration::from_secs(1);

/// The longest expiry set on a key: a year (Redis refuses one past its clock's range).
const LONGEST_TTL: Duration = Duration::from_secs(365 * 24 * 3600);

/// How many calls an instance keeps its copy of; past that, the copies of ended calls go, then
/// all of them (each is read again when needed).
const COPIES: usize = 10_000;

/// The sessions' [`CallStore`] on Redis: one call's record changed atomically by any instance
/// of a bot, claims held under a lease, every key expiring on its own.
///
/// Cheap to clone: clones share one connection, which reconnects by itself; while Redis cannot
/// be reached, each method fails with a [`StoreError`] within the
/// [timeout](RedisStoreBuilder::timeout), so that a callback is not acknowledged as if stored.
///
/// # Keys
///
/// Each call has three keys, each with the call id between braces; one lease index and one
/// channel serve every call (`<prefix>` is `msgraph-calls:` unless
/// [`RedisStoreBuilder::prefix`] says otherwise). Scripts touch a call's keys and the index
/// together: Redis Cluster is not supported.
///
/// | key | type | holds |
/// |---|---|---|
/// | `<prefix>call:{<call id>}` | hash | `v`: the record's version, counted by Redis; `r`: the [`CallRecord`] as JSON; `e`: `1` once the call ended |
/// | `<prefix>claims:{<call id>}` | hash | one field per claim (`incoming`, `keepalive`, `reconcile`): its holder and when its lease ends |
/// | `<prefix>lock:{<call id>}` | string | the instance taking its turn to write the call, for a second at most |
/// | `<prefix>leases` | sorted set | the calls going on that an instance keeps alive, scored by when its lease ends (milliseconds, Redis's clock) |
/// | `<prefix>news` | channel | every change: `<version>\n<call id>\n<events as JSON>\n<record as JSON>` |
///
/// Call ids are in [normal form](super::normal_id). Every write sets the record's expiry: a
/// call that has ended expires [`ended_ttl`](RedisStoreBuilder::ended_ttl) after its last
/// change (one hour by default), a call going on [`live_ttl`](RedisStoreBuilder::live_ttl)
/// after it (a day). The claims' key expires with its longest lease. Nothing of a call is kept
/// without an expiry, so an instance that dies before it removes an ended call leaves nothing
/// for ever. The lease index holds calls going on only: a call leaves it when its end is
/// written, when it is removed, or when an instance finds its record gone or ended.
///
/// # One change, atomically
///
/// [`update`](CallStore::update) reads the record (from this instance's copy of it when it has
/// one, else with one `HMGET`), runs the change, and writes the result with a script that
/// compares the version first: when another instance wrote in between, the script answers
/// with the record as it is now, and the change runs again on that. A change of a call whose
/// copy is current costs one round trip; a duplicate notification, none. The news of a change
/// carries the record as written, and the copies of the instances that hold one take it: a
/// change made after another instance's costs one round trip too, once the news has arrived
/// (two when it comes before: the script answers with the record as it is). An instance that
/// keeps losing to others (one writing the same call back to back) takes the call's lock for
/// its next write, so that it gets its turn.
///
/// # Shared by instances
///
/// The write script publishes what the change did (the events, as the registry gave them with
/// [`CallRecord::take_news`]) on `<prefix>news`, with the new version: every instance hears it
/// ([`CallStore::feed`]) and tells the calls it follows in version order, so an operation
/// awaited on one instance finishes with a notification another received. Claims are fields of
/// a call's claims hash: `incoming` (the instance that offers an incoming call), `keepalive`
/// (the instance that keeps the call alive, also put in `<prefix>leases` by when its lease
/// ends, so that [`orphans`](CallStore::orphans) finds the calls of an instance that died) and
/// `reconcile` (the instance that reads the call again from Graph after Redis was down).
///
/// # What Redis must offer
///
/// Redis 6.2 or newer (Lua scripts with `EVALSHA`), reachable from every instance. A callback
/// is acknowledged once its change is written: for that write to survive a restart of Redis,
/// run it with the append-only file (`appendonly yes`; `appendfsync always` loses nothing,
/// `everysec`, Redis's default, up to a second). The crate's tests run it with
/// `appendonly yes` and `appendfsync always`. TLS (`rediss://`) is not supported yet.
///
/// ```no_run
/// use msgraph_calls::sessions::{Calls, RedisStore};
///
/// # async fn demo(client: msgraph_calls::Client) -> Result<(), Box<dyn std::error::Error>> {
/// let store = RedisStore::builder("redis://127.0.0.1:6379/")
///     .prefix("ivr-bot:")
///     .connect()
///     .await?;
/// let calls = Calls::builder(client).store(store).build();
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct RedisStore {
    inner: Arc<Inner>,
}

struct Inner {
    connection: ConnectionManager,
    /// What this instance hears on the news channel, for the registries on this store.
    feed: broadcast::Sender<Heard>,
    /// The task that listens to the news channel.
    listener: tokio::task::AbortHandle,
    prefix: String,
    ended_ttl: Duration,
    live_ttl: Duration,
    write: redis::Script,
    release: redis::Script,
    claim: redis::Script,
    lapsed: redis::Script,
    /// This instance's id, as the holder of a call's lock.
    id: String,
    /// This instance's copy of the calls it changed or read last, with their versions.
    copies: Arc<Mutex<ByCall<(u64, CallRecord)>>>,
}

/// Settings of a [`RedisStore`], from [`RedisStore::builder`].
///
/// ```
/// use std::time::Duration;
///
/// let builder = msgraph_calls::sessions::RedisStore::builder("redis://127.0.0.1:6379/")
///     .prefix("bot-a:")
///     .ended_ttl(Duration::from_secs(600))
///     .timeout(Duration::from_secs(1));
/// ```
pub struct RedisStoreBuilder {
    url: String,
    prefix: String,
    ended_ttl: Duration,
    live_ttl: Duration,
    timeout: Duration,
}

impl fmt::Debug for RedisStoreBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The URL may hold a password: only where it points is shown.
        f.debug_struct("RedisStoreBuilder")
            .field("url", &redacted(&self.url))
            .field("prefix", &self.prefix)
            .field("ended_ttl", &self.ended_ttl)
            .field("live_ttl", &self.live_ttl)
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// A Redis URL without its user and password: `redis://:secret@host:6379/0` gives
/// `redis://host:6379/0`.
fn redacted(url: &str) -> String {
    let Ok(mut parsed) = reqwest::Url::parse(url) else {
        return "(a URL that does not read, not shown)".to_owned();
    };
    // A URL that cannot hold a user or password has none to hide; its query might.
    let _ = parsed.set_username("");
    let _ = parsed.set_password(None);
    parsed.set_query(None);
    parsed.set_fragment(None);
    parsed.to_string()
}

impl RedisStoreBuilder {
    /// What every key of this store starts with (`msgraph-calls:` by default): bots that share
    /// one Redis each take their own.
    ///
    /// ```
    /// let _ = msgraph_calls::sessions::RedisStore::builder("redis://127.0.0.1/").prefix("bot-b:");
    /// ```
    pub fn prefix(mut self, prefix: impl Into<String>) -> RedisStoreBuilder {
        self.prefix = prefix.into();
        self
    }

    /// How long the record of an ended call stays after its last change (one hour by default):
    /// late copies of its notifications still find it meanwhile.
    ///
    /// ```
    /// # use std::time::Duration;
    /// let _ = msgraph_calls::sessions::RedisStore::builder("redis://127.0.0.1/")
    ///     .ended_ttl(Duration::from_secs(15 * 60));
    /// ```
    pub fn ended_ttl(mut self, ttl: Duration) -> RedisStoreBuilder {
        self.ended_ttl = ttl.min(LONGEST_TTL);
        self
    }

    /// How long the record of a call going on stays after its last change (a day by default):
    /// the bound for a call whose end no instance heard of.
    ///
    /// ```
    /// # use std::time::Duration;
    /// let _ = msgraph_calls::sessions::RedisStore::builder("redis://127.0.0.1/")
    ///     .live_ttl(Duration::from_secs(12 * 3600));
    /// ```
    pub fn live_ttl(mut self, ttl: Duration) -> RedisStoreBuilder {
        self.live_ttl = ttl.min(LONGEST_TTL);
        self
    }

    /// How long one command, or connecting, may take before the store reports an error (two
    /// seconds by default): under Graph's wait for a callback's answer.
    ///
    /// ```
    /// # use std::time::Duration;
    /// let _ = msgraph_calls::sessions::RedisStore::builder("redis://127.0.0.1/")
    ///     .timeout(Duration::from_millis(500));
    /// ```
    pub fn timeout(mut self, timeout: Duration) -> RedisStoreBuilder {
        self.timeout = timeout;
        self
    }

    /// Connects, and checks that Redis answers.
    ///
    /// # Errors
    /// A [`StoreError`] when the URL does not read or Redis cannot be reached.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), msgraph_calls::sessions::StoreError> {
    /// let store = msgraph_calls::sessions::RedisStore::builder("redis://127.0.0.1:6379/")
    ///     .connect()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub async fn connect(self) -> Result<RedisStore, StoreError> {
        let client = redis::Client::open(self.url.as_str()).map_err(|e| {
            StoreError::new(format!(
                "the Redis URL {} does not read: {}",
                redacted(&self.url),
                e.category()
            ))
        })?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(self.timeout))
            .set_response_timeout(Some(self.timeout))
            .set_number_of_retries(2)
            .set_max_delay(self.timeout);
        let connection = ConnectionManager::new_with_config(client.clone(), config)
            .await
            .map_err(|e| failed(&format!("connecting to {}", redacted(&self.url)), &e))?;
        let (feed, _) = broadcast::channel(FEED_CAPACITY);
        let channel = format!("{}news", self.prefix);
        let copies = Arc::new(Mutex::new(ByCall::default()));
        let (subscribed, first) = tokio::sync::oneshot::channel();
        let listening = Listening {
            client,
            channel,
            feed: feed.clone(),
            timeout: self.timeout,
            copies: copies.clone(),
        };
        let listener = tokio::spawn(listen(listening, subscribed));
        // No change made through this store may go unheard: it returns once subscribed.
        if !matches!(tokio::time::timeout(self.timeout, first).await, Ok(Ok(()))) {
            listener.abort();
            return Err(StoreError::new(format!(
                "subscribing to the news channel of {}: timed out",
                redacted(&self.url)
            )));
        }
        Ok(RedisStore {
            inner: Arc::new(Inner {
                connection,
                feed,
                listener: listener.abort_handle(),
                prefix: self.prefix,
                ended_ttl: self.ended_ttl,
                live_ttl: self.live_ttl,
                write: redis::Script::new(WRITE),
                release: redis::Script::new(RELEASE),
                claim: redis::Script::new(CLAIM),
                lapsed: redis::Script::new(LAPSED),
                id: format!("{:016x}", fastrand::u64(..)),
                copies,
            }),
        })
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        self.listener.abort();
    }
}

/// A store error for a Redis error met while `doing`.
fn failed(doing: &str, error: &redis::RedisError) -> StoreError {
    let what = if error.is_timeout() {
        "timed out".to_owned()
    } else if error.is_connection_refusal() || error.is_connection_dropped() || error.is_io_error()
    {
        format!("Redis cannot be reached ({})", error.category())
    } else {
        match error.code() {
            Some(code) => format!("Redis answered {code} ({})", error.category()),
            None => format!("the exchange with Redis failed ({})", error.category()),
        }
    };
    StoreError::new(format!("{doing}: {what}"))
}

/// Milliseconds, at least one (Redis refuses an expiry of zero).
fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX).max(1)
}

impl RedisStore {
    /// Settings for a store on the Redis at `url` (`redis://[:password@]host[:port][/db]`).
    ///
    /// ```
    /// let builder = msgraph_calls::sessions::RedisStore::builder("redis://:secret@10.0.0.5:6379/0");
    /// // The password never shows.
    /// assert!(!format!("{builder:?}").contains("secret"));
    /// ```
    pub fn builder(url: impl Into<String>) -> RedisStoreBuilder {
        RedisStoreBuilder {
            url: url.into(),
            prefix: "msgraph-calls:".to_owned(),
            ended_ttl: Duration::from_secs(3600),
            live_ttl: Duration::from_secs(24 * 3600),
            timeout: Duration::from_secs(2),
        }
    }

    /// The key of a call's record.
    ///
    /// ```no_run
    /// # async fn demo(store: msgraph_calls::sessions::RedisStore) {
    /// assert_eq!(store.record_key("abc"), "msgraph-calls:call:{abc}");
    /// # }
    /// ```
    pub fn record_key(&self, call: &str) -> String {
        format!("{}call:{{{call}}}", self.inner.prefix)
    }

    /// The key of a call's claims.
    ///
    /// ```no_run
    /// # async fn demo(store: msgraph_calls::sessions::RedisStore) {
    /// assert_eq!(store.claims_key("abc"), "msgraph-calls:claims:{abc}");
    /// # }
    /// ```
    pub fn claims_key(&self, call: &str) -> String {
        format!("{}claims:{{{call}}}", self.inner.prefix)
    }

    /// The key of the lease index: a sorted set of the calls kept alive, by when their lease
    /// ends.
    ///
    /// ```no_run
    /// # async fn demo(store: msgraph_calls::sessions::RedisStore) {
    /// assert_eq!(store.leases_key(), "msgraph-calls:leases");
    /// # }
    /// ```
    pub fn leases_key(&self) -> String {
        format!("{}leases", self.inner.prefix)
    }

    /// The channel every change is published on.
    ///
    /// ```no_run
    /// # async fn demo(store: msgraph_calls::sessions::RedisStore) {
    /// assert_eq!(store.news_channel(), "msgraph-calls:news");
    /// # }
    /// ```
    pub fn news_channel(&self) -> String {
        format!("{}news", self.inner.prefix)
    }

    /// The key of a call's lock, held only while an instance that lost writes makes its own.
    fn lock_key(&self, call: &str) -> String {
        format!("{}lock:{{{call}}}", self.inner.prefix)
    }

    /// Takes the call's lock when it is free: `true` when this instance holds it.
    async fn lock(&self, call: &str) -> Result<bool, StoreError> {
        let taken: Option<String> = redis::cmd("SET")
            .arg(self.lock_key(call))
            .arg(&self.inner.id)
            .arg("NX")
            .arg("PX")
            .arg(millis(LOCK_FOR))
            .query_async(&mut self.connection())
            .await
            .map_err(|e| failed(&format!("locking call {call}"), &e))?;
        Ok(taken.is_some())
    }

    /// Releases the call's lock, if this instance holds it.
    async fn unlock(&self, call: &str) -> Result<(), StoreError> {
        let _: u8 = self
            .inner
            .release
            .key(self.lock_key(call))
            .arg(&self.inner.id)
            .invoke_async(&mut self.connection())
            .await
            .map_err(|e| failed(&format!("unlocking call {call}"), &e))?;
        Ok(())
    }

    fn connection(&self) -> ConnectionManager {
        self.inner.connection.clone()
    }

    /// This instance's copy of a call, when it has one.
    fn copy_of(&self, call: &str) -> Option<(u64, CallRecord)> {
        self.inner.copies.lock().ok()?.get(call).cloned()
    }

    fn keep_copy(&self, call: &str, version: u64, record: CallRecord) {
        let Ok(mut copies) = self.inner.copies.lock() else {
            return;
        };
        if copies.len() >= COPIES && !copies.contains_key(call) {
            copies.retain(|_, (_, r)| r.termination().is_none());
            if copies.len() >= COPIES {
                copies.clear();
            }
        }
        copies.insert(call.to_owned(), (version, record));
    }

    fn drop_copy(&self, call: &str) {
        if let Ok(mut copies) = self.inner.copies.lock() {
            copies.remove(call);
        }
    }

    /// The record of `call` as Redis has it, with its version (0 and an empty record when it
    /// has none).
    async fn read(&self, call: &str) -> Result<(u64, CallRecord), StoreError> {
        let query = redis::cmd("HMGET")
            .arg(self.record_key(call))
            .arg("v")
            .arg("r")
            .clone();
        let mut answer = query.query_async(&mut self.connection()).await;
        if let Err(e) = &answer {
            // A connection lost since the last command (Redis restarted) is made again by
            // this first failure: a read is tried once more.
            if e.is_connection_dropped() || e.is_io_error() {
                answer = query.query_async(&mut self.connection()).await;
            }
        }
        let (version, json): (Option<u64>, Option<String>) =
            answer.map_err(|e| failed(&format!("reading call {call}"), &e))?;
        decode(call, version.unwrap_or(0), json.as_deref())
    }
}

/// A record as Redis holds it: an empty one when it holds none.
fn decode(call: &str, version: u64, json: Option<&str>) -> Result<(u64, CallRecord), StoreError> {
    match json {
        None | Some("") => Ok((version, CallRecord::default())),
        Some(json) => serde_json::from_str(json)
            .map(|record| (version, record))
            .map_err(|e| {
                StoreError::new(format!(
                    "the record of call {call} in Redis does not read, at line {} column {}: {}",
                    e.line(),
                    e.column(),
                    e
                ))
            }),
    }
}

impl fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisStore")
            .field("prefix", &self.inner.prefix)
            .field("ended_ttl", &self.inner.ended_ttl)
            .field("live_ttl", &self.inner.live_ttl)
            .finish_non_exhaustive()
    }
}

impl CallStore for RedisStore {
    fn update<'a>(&'a self, call: &'a str, change: Change<'a>) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let (mut version, mut record) = match self.copy_of(call) {
                Some(copy) => copy,
                None => self.read(call).await?,
            };
            let mut lost = 0;
            let mut locked = false;
            for attempt in 0..ATTEMPTS {
                if attempt > 0 {
                    // A random pause, growing, so that instances do not meet again in lockstep.
                    let most = 100 * (attempt as u64);
                    tokio::time::sleep(Duration::from_micros(fastrand::u64(0..most))).await;
                }
                if lost >= LOCK_AFTER && !locked {
                    locked = self.lock(call).await?;
                }
                // A record moves only forward: what a copy that is behind leaves unchanged
                // (a duplicate, a late copy), the record as it is now leaves unchanged too.
                record.set_version(version);
                if !change(&mut record) {
                    if locked {
                        self.unlock(call).await?;
                    }
                    self.keep_copy(call, version, record);
                    return Ok(());
                }
                let news = record.take_news().unwrap_or_default();
                let json = serde_json::to_string(&record).map_err(|e| {
                    StoreError::new(format!("the record of call {call} does not write: {e}"))
                })?;
                let ended = record.termination().is_some();
                let ttl = if ended {
                    self.inner.ended_ttl
                } else {
                    self.inner.live_ttl
                };
                let mut invocation = self.inner.write.prepare_invoke();
                invocation
                    .key(self.record_key(call))
                    .key(self.lock_key(call))
                    .key(self.leases_key())
                    .arg(version)
                    .arg(json)
                    .arg(millis(ttl))
                    .arg(&self.inner.id)
                    .arg(self.news_channel())
                    .arg(call)
                    .arg(news)
                    .arg(if ended { "1" } else { "0" });
                let mut answer = invocation.invoke_async(&mut self.connection()).await;
                if let Err(e) = &answer {
                    // A connection lost since the last command (Redis restarted): tried once
                    // more. Safe: if the first try was written, the version no longer matches
                    // and the change runs again on the record as it is.
                    if e.is_connection_dropped() || e.is_io_error() {
                        answer = invocation.invoke_async(&mut self.connection()).await;
                    }
                }
                let answer: (u8, u64, Option<String>) = answer.map_err(|e| {
                    // The write may have been made: this copy can no longer be trusted.
                    self.drop_copy(call);
                    failed(&format!("writing call {call}"), &e)
                })?;
                match answer {
                    (1, written, _) => {
                        self.keep_copy(call, written, record);
                        return Ok(());
                    }
                    // Another instance holds the lock: the change runs again on the record as
                    // it is then (this one was changed already).
                    (2, _, _) => (version, record) = self.read(call).await?,
                    (_, now, json) => {
                        lost += 1;
                        (version, record) = decode(call, now, json.as_deref())?;
                    }
                }
            }
            self.drop_copy(call);
            if locked {
                self.unlock(call).await?;
            }
            Err(StoreError::new(format!(
                "call {call} was changed by other instances {ATTEMPTS} times in a row while this one tried"
            )))
        })
    }

    fn load<'a>(&'a self, call: &'a str) -> StoreFuture<'a, Option<CallRecord>> {
        Box::pin(async move {
            let (version, record) = self.read(call).await?;
            if version == 0 {
                return Ok(None);
            }
            self.keep_copy(call, version, record.clone());
            Ok(Some(record))
        })
    }

    fn claim<'a>(&'a self, what: &'a str, holder: &'a str, ttl: Duration) -> StoreFuture<'a, bool> {
        Box::pin(async move {
            // `<call>/incoming`: the field `incoming` of the call's claims.
            let (call, field) = what.split_once('/').unwrap_or((what, ""));
            let mut invocation = self.inner.claim.prepare_invoke();
            invocation
                .key(self.claims_key(call))
                .key(self.leases_key())
                .key(self.record_key(call))
                .arg(field)
                .arg(holder)
                .arg(millis(ttl))
                .arg(call)
                .arg(millis(self.inner.live_ttl));
            let mut claimed = invocation.invoke_async(&mut self.connection()).await;
            // A claim made again by the same holder is the same claim: tried once more when
            // the connection was lost (Redis restarted).
            if let Err(e) = &claimed {
                if e.is_connection_dropped() || e.is_io_error() {
                    claimed = invocation.invoke_async(&mut self.connection()).await;
                }
            }
            let claimed: u8 = claimed.map_err(|e| failed(&format!("claiming {what}"), &e))?;
            Ok(claimed == 1)
        })
    }

    fn remove<'a>(&'a self, call: &'a str) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            self.drop_copy(call);
            let _: (u64, u64) = redis::pipe()
                .cmd("DEL")
                .arg(self.record_key(call))
                .arg(self.claims_key(call))
                .arg(self.lock_key(call))
                .cmd("ZREM")
                .arg(self.leases_key())
                .arg(call)
                .query_async(&mut self.connection())
                .await
                .map_err(|e| failed(&format!("removing call {call}"), &e))?;
            Ok(())
        })
    }

    fn feed(&self) -> Option<Feed> {
        Some(Feed::new(self.inner.feed.subscribe()))
    }

    fn orphans<'a>(
        &'a self,
        holder: &'a str,
        ttl: Duration,
        most: usize,
    ) -> StoreFuture<'a, Vec<String>> {
        Box::pin(async move {
            let lapsed: Vec<String> = self
                .inner
                .lapsed
                .key(self.leases_key())
                .arg(most)
                .invoke_async(&mut self.connection())
                .await
                .map_err(|e| failed("looking for lapsed keepAlive leases", &e))?;
            let mut taken = Vec::new();
            for call in lapsed {
                // Another instance may take it first: the claim decides.
                if self
                    .claim(&format!("{call}/keepalive"), holder, ttl)
                    .await?
                {
                    taken.push(call);
                }
            }
            Ok(taken)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::redacted;

    #[test]
    fn urls_lose_their_password() {
        assert_eq!(
            redacted("redis://:secret@10.0.0.5:6379/0"),
            "redis://10.0.0.5:6379/0"
        );
        assert_eq!(
            redacted("rediss://user:p%40ss@cache.example:6380"),
            "rediss://cache.example:6380"
        );
        // A password with a slash does not read as a URL: none of it is shown.
        assert!(!redacted("redis://:pa/ss@host:6379/0").contains("pa"));
        assert!(!redacted("redis+unix:///run/redis.sock?pass=secret").contains("secret"));
        assert_eq!(redacted("redis://127.0.0.1/"), "redis://127.0.0.1/");
        assert!(!redacted("secret").contains("secret"));
    }
}
