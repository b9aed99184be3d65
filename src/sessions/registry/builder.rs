//! [`CallsBuilder`]: the registry's settings.

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::mpsc;

use super::{ByCall, Calls, Forgotten, Inner, SHARDS};
use crate::sessions::store::{CallStore, MemoryStore};
use crate::Client;

/// Builds [`Calls`]: the store, the keepAlive schedule, timeouts and bounds.
///
/// ```no_run
/// use std::time::Duration;
/// use msgraph_calls::sessions::{Calls, MemoryStore};
///
/// # fn demo(client: msgraph_calls::Client) {
/// let calls = Calls::builder(client)
///     .store(MemoryStore::new())
///     .keep_alive_every(Some(Duration::from_secs(15 * 60)))
///     .operation_timeout("record_response", Duration::from_secs(180))
///     .build();
/// # }
/// ```
#[derive(Debug)]
pub struct CallsBuilder {
    pub(super) client: Client,
    pub(super) store: Option<Arc<dyn CallStore>>,
    pub(super) config: Config,
}

impl fmt::Debug for dyn CallStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CallStore")
    }
}

/// What the builder sets.
#[derive(Debug, Clone)]
pub(crate) struct Config {
    pub(super) keep_alive: Option<Duration>,
    pub(super) check_silent_after: Option<Duration>,
    pub(super) timeout: Duration,
    pub(super) timeouts: HashMap<String, Duration>,
    pub(super) linger: Duration,
    pub(super) event_capacity: usize,
    pub(super) incoming_capacity: usize,
    pub(super) lease: Duration,
    pub(crate) instance: String,
}

impl Config {
    /// How long `operation` is awaited.
    pub(crate) fn timeout_of(&self, operation: &str) -> Duration {
        self.timeouts
            .get(operation)
            .copied()
            .unwrap_or(self.timeout)
    }
}

impl CallsBuilder {
    /// Where calls are kept; [`MemoryStore`] when not set.
    ///
    /// ```no_run
    /// # fn demo(client: msgraph_calls::Client) {
    /// let calls = msgraph_calls::sessions::Calls::builder(client)
    ///     .store(msgraph_calls::sessions::MemoryStore::new())
    ///     .build();
    /// # }
    /// ```
    pub fn store(mut self, store: impl CallStore) -> CallsBuilder {
        self.store = Some(Arc::new(store));
        self
    }

    /// How often an established call is kept alive; `None` for never. Default 15 minutes:
    /// Graph ends a call without a keepAlive for 45 minutes, and asks for one every 15 to 45
    /// (call-keepalive.md). A keepAlive answered `404` ends the session
    /// ([`EndedBy::KeepAliveNotFound`](crate::sessions::EndedBy::KeepAliveNotFound)).
    ///
    /// ```no_run
    /// # fn demo(client: msgraph_calls::Client) {
    /// let calls = msgraph_calls::sessions::Calls::builder(client).keep_alive_every(None).build();
    /// # }
    /// ```
    pub fn keep_alive_every(mut self, every: Option<Duration>) -> CallsBuilder {
        self.config.keep_alive = every.map(bounded);
        self
    }

    /// Checks an established call with `get_call` when no notification about it came for
    /// `after`: a `404` ends the session ([`EndedBy::NotFound`](crate::sessions::EndedBy::NotFound)), an answer is applied as a
    /// snapshot. Off by default.
    ///
    /// ```no_run
    /// # fn demo(client: msgraph_calls::Client) {
    /// let calls = msgraph_calls::sessions::Calls::builder(client)
    ///     .check_silent_calls_after(Some(std::time::Duration::from_secs(600)))
    ///     .build();
    /// # }
    /// ```
    pub fn check_silent_calls_after(mut self, after: Option<Duration>) -> CallsBuilder {
        self.config.check_silent_after = after.map(bounded);
        self
    }

    /// How long an operation is awaited when nothing else is said: default 5 minutes.
    ///
    /// ```no_run
    /// # fn demo(client: msgraph_calls::Client) {
    /// let calls = msgraph_calls::sessions::Calls::builder(client)
    ///     .default_operation_timeout(std::time::Duration::from_secs(60))
    ///     .build();
    /// # }
    /// ```
    pub fn default_operation_timeout(mut self, timeout: Duration) -> CallsBuilder {
        self.config.timeout = timeout;
        self
    }

    /// How long the operation `name` (a session method: `play_prompt`, `record_response`) is
    /// awaited.
    ///
    /// ```no_run
    /// # fn demo(client: msgraph_calls::Client) {
    /// let calls = msgraph_calls::sessions::Calls::builder(client)
    ///     .operation_timeout("record_response", std::time::Duration::from_secs(180))
    ///     .build();
    /// # }
    /// ```
    pub fn operation_timeout(mut self, name: &str, timeout: Duration) -> CallsBuilder {
        self.config.timeouts.insert(name.to_owned(), timeout);
        self
    }

    /// How long an ended call stays in memory and in the store, for late readers: default
    /// 2 minutes. A store shared by several instances keeps it until it expires
    /// (`RedisStore`'s `ended_ttl`).
    ///
    /// ```no_run
    /// # fn demo(client: msgraph_calls::Client) {
    /// let calls = msgraph_calls::sessions::Calls::builder(client)
    ///     .linger(std::time::Duration::from_secs(30))
    ///     .build();
    /// # }
    /// ```
    pub fn linger(mut self, linger: Duration) -> CallsBuilder {
        self.config.linger = bounded(linger);
        self
    }

    /// On a store shared by several instances: how long the instance that keeps a call alive
    /// holds it (it renews every third of it). When it stops, another instance takes the call
    /// over at most a lease and a fifth after its last renewal (every instance looks for lapsed
    /// leases every fifth of it), and sends a keepAlive at once. Default one minute.
    ///
    /// ```no_run
    /// # fn demo(client: msgraph_calls::Client) {
    /// let calls = msgraph_calls::sessions::Calls::builder(client)
    ///     .keep_alive_lease(std::time::Duration::from_secs(30))
    ///     .build();
    /// # }
    /// ```
    pub fn keep_alive_lease(mut self, lease: Duration) -> CallsBuilder {
        self.config.lease = bounded(lease).max(Duration::from_millis(50));
        self
    }

    /// How many events a subscriber may fall behind by before it misses some: default 64.
    ///
    /// ```no_run
    /// # fn demo(client: msgraph_calls::Client) {
    /// let calls = msgraph_calls::sessions::Calls::builder(client).event_capacity(256).build();
    /// # }
    /// ```
    pub fn event_capacity(mut self, capacity: usize) -> CallsBuilder {
        self.config.event_capacity = capacity.max(1);
        self
    }

    /// How many incoming calls wait to be taken from [`Calls::incoming`] before more are
    /// refused (logged; Graph drops a call not answered in 15 seconds): default 64.
    ///
    /// ```no_run
    /// # fn demo(client: msgraph_calls::Client) {
    /// let calls = msgraph_calls::sessions::Calls::builder(client).incoming_capacity(16).build();
    /// # }
    /// ```
    pub fn incoming_capacity(mut self, capacity: usize) -> CallsBuilder {
        self.config.incoming_capacity = capacity.max(1);
        self
    }

    /// The registry.
    ///
    /// ```no_run
    /// # fn demo(client: msgraph_calls::Client) {
    /// let calls = msgraph_calls::sessions::Calls::builder(client).build();
    /// # }
    /// ```
    pub fn build(self) -> Calls {
        let (incoming, incoming_rx) = mpsc::channel(self.config.incoming_capacity);
        let store = self.store.unwrap_or_else(|| Arc::new(MemoryStore::new()));
        let feed = store.feed();
        let calls = Calls {
            inner: Arc::new(Inner {
                client: self.client,
                shared: feed.is_some(),
                feed: Mutex::new(feed),
                reconciling: AtomicBool::new(false),
                store,
                config: self.config,
                locals: (0..SHARDS).map(|_| Mutex::new(ByCall::default())).collect(),
                incoming,
                incoming_rx: Arc::new(tokio::sync::Mutex::new(incoming_rx)),
                forgotten: Mutex::new(Forgotten::default()),
            }),
        };
        // Within a runtime, the registry listens at once; else at its first use.
        if tokio::runtime::Handle::try_current().is_ok() {
            calls.inner.listen();
        }
        calls
    }
}

/// A period the registry's timers can hold: at least 10 ms (so that a schedule never spins),
/// at most a year (so that adding it to now never overflows).
pub(super) fn bounded(period: Duration) -> Duration {
    period.clamp(
        Duration::from_millis(10),
        Duration::from_secs(365 * 24 * 3600),
    )
}
