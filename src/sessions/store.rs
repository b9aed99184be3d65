//! Where call sessions keep their calls: the [`CallStore`] trait, shaped for a store that is
//! remote and shared by several instances of a bot, and [`MemoryStore`], the in-process one.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

use super::record::CallRecord;

/// What a store's methods return: a boxed future, so that a store can be a trait object.
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 'a>>;

/// A change to one call's record. The store runs it atomically against the record as stored
/// (a default one when it has none), and writes the record when it returns `true`. A remote
/// store may run it more than once (again after another instance wrote first), so it changes
/// nothing but the record it is given.
pub type Change<'a> = &'a mut (dyn FnMut(&mut CallRecord) -> bool + Send);

/// Where call sessions keep their calls, by call id (in [normal form](super::normal_id)).
///
/// Designed for a store that is remote and shared by every instance of a bot: one change to
/// one call is atomic ([`update`](CallStore::update): a script, or compare-and-swap on
/// [`CallRecord::version`]); something about a call is held by one instance at a time
/// ([`claim`](CallStore::claim), a lease with an expiry: the registry claims each incoming
/// call with it, so that one instance offers it); an ended call's record goes
/// ([`remove`](CallStore::remove), called by the registry once the call's linger time is
/// over). [`MemoryStore`] is the reference implementation, for one instance: its registry
/// keeps the waiters, the state watch and keepAlive in that instance.
///
/// A store shared by several instances of a bot (`RedisStore` with the
/// `redis` feature) also gives a [`feed`](CallStore::feed): the registry then puts each
/// change's events on the record ([`CallRecord::take_news`]) for the store to send with its
/// write, hears every instance's changes from the feed (so that events, states and awaited
/// operations reach every instance), keeps each call alive from one instance under a lease
/// (the claim `<call>/keepalive`), and takes over the calls whose lease ran out
/// ([`orphans`](CallStore::orphans)). Such a store also lets each record expire on its own:
/// the instance that would remove it may die.
///
/// ```
/// use std::sync::Arc;
/// use msgraph_calls::sessions::{CallStore, MemoryStore};
///
/// # async fn demo() -> Result<(), msgraph_calls::sessions::StoreError> {
/// let store: Arc<dyn CallStore> = Arc::new(MemoryStore::new());
/// store.update("call-1", &mut |record| { let _ = record; true }).await?;
/// assert!(store.load("call-1").await?.is_some());
/// # Ok(()) }
/// ```
pub trait CallStore: Send + Sync + 'static {
    /// Runs `change` on the record of `call`, atomically: no other change of that call is
    /// applied between its read and its write. The version is counted by the caller.
    ///
    /// ```
    /// use msgraph_calls::sessions::{CallStore, MemoryStore};
    ///
    /// # async fn demo() -> Result<(), msgraph_calls::sessions::StoreError> {
    /// let store = MemoryStore::new();
    /// // A change that writes nothing leaves no record behind.
    /// store.update("call-1", &mut |_record| false).await?;
    /// assert!(store.load("call-1").await?.is_none());
    /// # Ok(()) }
    /// ```
    fn update<'a>(&'a self, call: &'a str, change: Change<'a>) -> StoreFuture<'a, ()>;

    /// The record of `call`, when the store has one.
    ///
    /// ```
    /// use msgraph_calls::sessions::{CallStore, MemoryStore};
    ///
    /// # async fn demo() -> Result<(), msgraph_calls::sessions::StoreError> {
    /// assert!(MemoryStore::new().load("call-1").await?.is_none());
    /// # Ok(()) }
    /// ```
    fn load<'a>(&'a self, call: &'a str) -> StoreFuture<'a, Option<CallRecord>>;

    /// Claims `what` (`<call>/incoming` for an incoming call) for `holder` for `ttl`: `true` when
    /// it was free, its lease had run out, or `holder` held it already (the lease is then
    /// renewed); `false` while another holder's lease runs.
    ///
    /// ```
    /// use std::time::Duration;
    /// use msgraph_calls::sessions::{CallStore, MemoryStore};
    ///
    /// # async fn demo() -> Result<(), msgraph_calls::sessions::StoreError> {
    /// let store = MemoryStore::new();
    /// assert!(store.claim("call-1/incoming", "instance-a", Duration::from_secs(60)).await?);
    /// assert!(!store.claim("call-1/incoming", "instance-b", Duration::from_secs(60)).await?);
    /// # Ok(()) }
    /// ```
    fn claim<'a>(&'a self, what: &'a str, holder: &'a str, ttl: Duration) -> StoreFuture<'a, bool>;

    /// Forgets `call`: its record and its claims.
    ///
    /// ```
    /// use msgraph_calls::sessions::{CallStore, MemoryStore};
    ///
    /// # async fn demo() -> Result<(), msgraph_calls::sessions::StoreError> {
    /// let store = MemoryStore::new();
    /// store.update("call-1", &mut |_record| true).await?;
    /// store.remove("call-1").await?;
    /// assert!(store.is_empty());
    /// # Ok(()) }
    /// ```
    fn remove<'a>(&'a self, call: &'a str) -> StoreFuture<'a, ()>;

    /// What every instance sharing this store changed, from now on, this instance's own
    /// changes included; `None` (the default) for a store no other instance shares.
    ///
    /// ```
    /// use msgraph_calls::sessions::{CallStore, MemoryStore};
    ///
    /// assert!(MemoryStore::new().feed().is_none());
    /// ```
    fn feed(&self) -> Option<Feed> {
        None
    }

    /// Claims for `holder`, for `ttl`, up to `most` calls whose keepAlive lease (the claim
    /// `<call>/keepalive`) ran out while the call went on: the calls of an instance that
    /// stopped. None by default: a store no other instance shares has no such call.
    ///
    /// ```
    /// use std::time::Duration;
    /// use msgraph_calls::sessions::{CallStore, MemoryStore};
    ///
    /// # async fn demo() -> Result<(), msgraph_calls::sessions::StoreError> {
    /// let store = MemoryStore::new();
    /// assert!(store.orphans("instance-a", Duration::from_secs(60), 100).await?.is_empty());
    /// # Ok(()) }
    /// ```
    fn orphans<'a>(
        &'a self,
        holder: &'a str,
        ttl: Duration,
        most: usize,
    ) -> StoreFuture<'a, Vec<String>> {
        let _ = (holder, ttl, most);
        Box::pin(std::future::ready(Ok(Vec::new())))
    }
}

/// One change to a call, as a shared store tells every instance of it.
///
/// ```
/// let news = msgraph_calls::sessions::News {
///     call: "57dab8b1894c409ab240bd8beae78896".into(),
///     version: 3,
///     events: r#"[{"stateChanged":{"from":"establishing","to":"established"}}]"#.into(),
/// };
/// assert_eq!(news.events().unwrap().len(), 1);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct News {
    /// The call, in [normal form](super::normal_id).
    pub call: String,
    /// The record's version once changed: an instance applies news in this order.
    pub version: u64,
    /// What the change did: a JSON array of [`Event`](super::Event)s (`""` or `[]`: nothing to
    /// tell).
    pub events: String,
}

impl News {
    /// The events, read.
    ///
    /// # Errors
    /// The JSON error, with its line and column, when the events do not read.
    ///
    /// ```
    /// let news = msgraph_calls::sessions::News { call: "a".into(), version: 1, events: String::new() };
    /// assert!(news.events().unwrap().is_empty());
    /// ```
    pub fn events(&self) -> Result<Vec<super::Event>, serde_json::Error> {
        if self.events.is_empty() {
            return Ok(Vec::new());
        }
        serde_json::from_str(&self.events)
    }
}

/// What a shared store's [`Feed`] hears.
///
/// ```
/// use msgraph_calls::sessions::Heard;
///
/// fn missed_some(heard: &Heard) -> bool {
///     matches!(heard, Heard::Resumed)
/// }
/// assert!(missed_some(&Heard::Resumed));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Heard {
    /// An instance (this one too) changed a call.
    News(News),
    /// The feed was cut (the store could not be reached, or this instance fell behind) and
    /// goes on: news may have been missed meanwhile.
    Resumed,
}

/// The changes every instance sharing a store made, as the store hears them
/// ([`CallStore::feed`]).
///
/// ```
/// # async fn demo() {
/// let (sender, receiver) = tokio::sync::broadcast::channel(16);
/// let mut feed = msgraph_calls::sessions::Feed::new(receiver);
/// sender.send(msgraph_calls::sessions::Heard::Resumed).unwrap();
/// assert_eq!(feed.next().await, Some(msgraph_calls::sessions::Heard::Resumed));
/// # }
/// ```
#[derive(Debug)]
pub struct Feed {
    receiver: tokio::sync::broadcast::Receiver<Heard>,
}

impl Feed {
    /// A feed of what `receiver` is sent.
    ///
    /// ```
    /// let (_sender, receiver) = tokio::sync::broadcast::channel(16);
    /// let _feed = msgraph_calls::sessions::Feed::new(receiver);
    /// ```
    pub fn new(receiver: tokio::sync::broadcast::Receiver<Heard>) -> Feed {
        Feed { receiver }
    }

    /// What was heard next; [`Heard::Resumed`] after this feed fell behind and lost some;
    /// `None` once the store is gone.
    ///
    /// ```
    /// # async fn demo(mut feed: msgraph_calls::sessions::Feed) {
    /// while let Some(heard) = feed.next().await { let _ = heard; }
    /// # }
    /// ```
    pub async fn next(&mut self) -> Option<Heard> {
        use tokio::sync::broadcast::error::RecvError;
        match self.receiver.recv().await {
            Ok(heard) => Some(heard),
            Err(RecvError::Lagged(_)) => Some(Heard::Resumed),
            Err(RecvError::Closed) => None,
        }
    }
}

/// A store could not be read or written: sessions report it rather than act as if stored.
///
/// ```
/// let e = msgraph_calls::sessions::StoreError::new("redis: connection refused");
/// assert_eq!(e.to_string(), "call store: redis: connection refused");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreError {
    reason: String,
}

impl StoreError {
    /// A store error saying `reason`.
    ///
    /// ```
    /// let _ = msgraph_calls::sessions::StoreError::new("timed out");
    /// ```
    pub fn new(reason: impl Into<String>) -> StoreError {
        StoreError {
            reason: reason.into(),
        }
    }
}

impl StoreError {
    /// What to answer Graph's callback with when its batch could not be stored: `503 Service
    /// Unavailable`, so that the callback is not acknowledged as if stored.
    ///
    /// ```
    /// let e = msgraph_calls::sessions::StoreError::new("Redis cannot be reached");
    /// assert_eq!(e.status(), http::StatusCode::SERVICE_UNAVAILABLE);
    /// ```
    pub fn status(&self) -> http::StatusCode {
        http::StatusCode::SERVICE_UNAVAILABLE
    }
}

/// With the `axum` feature, a handler returns a store's error as it is: `503`, with
/// `Retry-After: 1` and what failed as the body.
///
/// ```
/// # #[cfg(feature = "axum")] {
/// use axum::response::IntoResponse;
///
/// let e = msgraph_calls::sessions::StoreError::new("writing call abc: Redis cannot be reached");
/// let response = e.into_response();
/// assert_eq!(response.status(), 503);
/// assert_eq!(response.headers()["retry-after"], "1");
/// # }
/// ```
#[cfg(feature = "axum")]
impl axum::response::IntoResponse for StoreError {
    fn into_response(self) -> axum::response::Response {
        tracing::warn!(error = %self, "a callback was answered 503: its batch could not be stored");
        let mut response = (self.status(), self.to_string()).into_response();
        response.headers_mut().insert(
            http::header::RETRY_AFTER,
            http::HeaderValue::from_static("1"),
        );
        response
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "call store: {}", self.reason)
    }
}

impl std::error::Error for StoreError {}

/// A fast hash over a key's bytes, eight at a time (the multiply-and-rotate of rustc's own
/// hash maps): the calls' maps are keyed by ids from verified callbacks and responses of Graph,
/// short and not chosen to collide, where SipHash's defence costs more than it guards.
#[derive(Clone, Copy, Default)]
pub(crate) struct KeyHash(u64);

impl KeyHash {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl std::hash::Hasher for KeyHash {
    fn write(&mut self, bytes: &[u8]) {
        let mut words = bytes.chunks_exact(8);
        for word in &mut words {
            let mut eight = [0u8; 8];
            eight.copy_from_slice(word);
            self.add(u64::from_le_bytes(eight));
        }
        for byte in words.remainder() {
            self.add(u64::from(*byte));
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// A map keyed by call id, hashed with [`KeyHash`].
pub(crate) type ByCall<V> = HashMap<String, V, std::hash::BuildHasherDefault<KeyHash>>;

/// The shard of `key` among `shards`: the same key always lands in the same shard.
pub(crate) fn shard_of(key: &str, shards: usize) -> usize {
    use std::hash::Hasher;
    let mut hash = KeyHash::default();
    hash.write(key.as_bytes());
    // The high half: the multiply mixes upward, so the low bits are the weakest.
    usize::try_from((hash.finish() >> 32) % shards as u64).unwrap_or(0)
}

/// How many locks [`MemoryStore`] spreads its calls over: calls in different shards are
/// changed in parallel.
const SHARDS: usize = 16;

/// The in-process [`CallStore`]: records in memory, each change made in place under the lock of
/// its shard, claims with their expiry. For one instance of a bot; calls are lost with it.
///
/// ```
/// let store = msgraph_calls::sessions::MemoryStore::new();
/// assert_eq!(store.len(), 0);
/// ```
pub struct MemoryStore {
    shards: Vec<Mutex<Shard>>,
}

#[derive(Default)]
struct Shard {
    records: ByCall<CallRecord>,
    claims: ByCall<(String, Instant)>,
}

impl MemoryStore {
    /// An empty store.
    ///
    /// ```
    /// let _ = msgraph_calls::sessions::MemoryStore::new();
    /// ```
    pub fn new() -> MemoryStore {
        MemoryStore {
            shards: (0..SHARDS).map(|_| Mutex::new(Shard::default())).collect(),
        }
    }

    /// How many calls it holds.
    ///
    /// ```
    /// assert!(msgraph_calls::sessions::MemoryStore::new().is_empty());
    /// ```
    pub fn len(&self) -> usize {
        self.shards
            .iter()
            .map(|s| s.lock().map(|s| s.records.len()).unwrap_or(0))
            .sum()
    }

    /// Whether it holds no call.
    ///
    /// ```
    /// assert!(msgraph_calls::sessions::MemoryStore::new().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn shard(&self, key: &str) -> Result<std::sync::MutexGuard<'_, Shard>, StoreError> {
        // A claim (`<call>/incoming`) lives in its call's shard, so that `remove` finds it.
        let key = key.split('/').next().unwrap_or(key);
        let index = shard_of(key, SHARDS);
        self.shards[index]
            .lock()
            .map_err(|_| StoreError::new("a change to a call panicked while the store was locked"))
    }
}

impl Default for MemoryStore {
    fn default() -> Self {
        MemoryStore::new()
    }
}

impl fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryStore")
            .field("calls", &self.len())
            .finish()
    }
}

impl CallStore for MemoryStore {
    fn update<'a>(&'a self, call: &'a str, change: Change<'a>) -> StoreFuture<'a, ()> {
        let result = self
            .shard(call)
            .map(|mut shard| match shard.records.get_mut(call) {
                Some(record) => {
                    change(record);
                }
                None => {
                    let mut record = CallRecord::default();
                    if change(&mut record) {
                        shard.records.insert(call.to_owned(), record);
                    }
                }
            });
        Box::pin(std::future::ready(result))
    }

    fn load<'a>(&'a self, call: &'a str) -> StoreFuture<'a, Option<CallRecord>> {
        let result = self
            .shard(call)
            .map(|shard| shard.records.get(call).cloned());
        Box::pin(std::future::ready(result))
    }

    fn claim<'a>(&'a self, what: &'a str, holder: &'a str, ttl: Duration) -> StoreFuture<'a, bool> {
        let now = Instant::now();
        let result = self.shard(what).map(|mut shard| {
            // Claims that ran out go, so that the store does not grow with them.
            shard.claims.retain(|_, (_, until)| *until > now);
            let free = match shard.claims.get(what) {
                None => true,
                Some((held_by, until)) => held_by == holder || *until <= now,
            };
            if free {
                // A year at most: adding it to now never overflows.
                let ttl = ttl.min(Duration::from_secs(365 * 24 * 3600));
                shard
                    .claims
                    .insert(what.to_owned(), (holder.to_owned(), now + ttl));
            }
            free
        });
        Box::pin(std::future::ready(result))
    }

    fn remove<'a>(&'a self, call: &'a str) -> StoreFuture<'a, ()> {
        let result = self.shard(call).map(|mut shard| {
            shard.records.remove(call);
            let prefix = format!("{call}/");
            shard
                .claims
                .retain(|what, _| what != call && !what.starts_with(&prefix));
        });
        Box::pin(std::future::ready(result))
    }
}
