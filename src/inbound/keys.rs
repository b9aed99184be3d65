//! Graph's signing keys: fetched from the OpenID configuration's `jwks_uri`, kept, fetched again
//! on a schedule (in the background) and on an unknown `kid` (no more often than the minimum
//! gap), and kept when a fetch fails.

use std::collections::HashMap;
use std::fmt;
#[cfg(feature = "testing")]
use std::sync::atomic::AtomicU64;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

pub(crate) use super::jwks::parse_jwks;
use super::key_source::KeyFetchError;
pub(crate) use super::key_source::KeySource;
use super::rejection::Rejection;
use super::rs256::RsaKey;
use super::MAX_FETCH_WAITERS;

/// While there are no keys at all, a fetch is tried again at least this often.
const NO_KEYS_RETRY: Duration = Duration::from_secs(10);

/// What a request turned away from a busy fetch is told to wait before it tries again.
const BUSY_RETRY: Duration = Duration::from_secs(1);

/// The usable keys by `kid`.
pub(super) type Keys = HashMap<String, Arc<RsaKey>>;

/// The keys in use and when they were fetched.
struct State {
    keys: Arc<Keys>,
    fetched_at: Option<Instant>,
    last_attempt: Option<Instant>,
    /// Fetches tried so far: a request that waited for another's fetch does not fetch again.
    attempts: u64,
}

/// The keys a validator checks signatures with.
pub(crate) struct KeyCache {
    source: Option<KeySource>,
    state: RwLock<State>,
    /// One fetch at a time.
    fetching: tokio::sync::Mutex<()>,
    /// A background fetch has been started and has not ended.
    background: AtomicBool,
    /// Requests waiting for a fetch another request started; at most [`MAX_FETCH_WAITERS`].
    waiters: AtomicUsize,
    /// Time a test made pass (`testing::age_keys`), in milliseconds, added to every elapsed
    /// time: an `Instant` cannot be moved back before the machine started.
    #[cfg(feature = "testing")]
    aged_ms: AtomicU64,
    refresh_interval: Duration,
    min_gap: Duration,
}

impl KeyCache {
    pub(crate) fn online(source: KeySource, refresh_interval: Duration, min_gap: Duration) -> Self {
        KeyCache::new(Some(source), Keys::new(), refresh_interval, min_gap)
    }

    pub(crate) fn offline((keys, _skipped): (Keys, usize)) -> Self {
        KeyCache::new(None, keys, Duration::MAX, Duration::MAX)
    }

    fn new(
        source: Option<KeySource>,
        keys: Keys,
        refresh_interval: Duration,
        min_gap: Duration,
    ) -> Self {
        KeyCache {
            source,
            state: RwLock::new(State {
                keys: Arc::new(keys),
                fetched_at: None,
                last_attempt: None,
                attempts: 0,
            }),
            fetching: tokio::sync::Mutex::new(()),
            background: AtomicBool::new(false),
            waiters: AtomicUsize::new(0),
            #[cfg(feature = "testing")]
            aged_ms: AtomicU64::new(0),
            refresh_interval,
            min_gap,
        }
    }

    /// The key named `kid`. An unknown `kid` makes it fetch the keys first, when the minimum
    /// gap since the last fetch has passed; keys that are merely due are fetched again in the
    /// background while the cached key answers.
    ///
    /// An unknown `kid` while the gap holds fetches back is [`Rejection::KeysRefreshing`] with
    /// the time left, not [`Rejection::UnknownKeyId`]: a forged token's made-up `kid` may have
    /// spent the last fetch just before Graph started signing with a new key, and Graph's
    /// genuine callbacks are then asked to come back, not refused. While a fetch is under way,
    /// at most [`MAX_FETCH_WAITERS`] requests wait for it; the others are answered at once.
    pub(crate) async fn key(self: &Arc<Self>, kid: &str) -> Result<Arc<RsaKey>, Rejection> {
        let Some(source) = &self.source else {
            let key = self.read().keys.get(kid).cloned();
            return key.ok_or(Rejection::UnknownKeyId);
        };
        let (key, stale, gap_left, attempts, empty) = {
            let state = self.read();
            let stale = state
                .fetched_at
                .is_none_or(|at| self.since(at) >= self.refresh_interval);
            (
                state.keys.get(kid).cloned(),
                stale,
                self.gap_left(&state),
                state.attempts,
                state.keys.is_empty(),
            )
        };
        if let Some(key) = key {
            if stale && gap_left.is_none() {
                self.refresh_in_background(attempts);
            }
            return Ok(key);
        }
        match gap_left {
            Some(_) if empty => return Err(Rejection::KeysUnavailable),
            Some(left) => {
                return Err(Rejection::KeysRefreshing {
                    retry_after: whole_seconds(left),
                })
            }
            None => {}
        }
        match self.fetching.try_lock() {
            // This request fetches, holding the lock it took: any other that comes now waits.
            Ok(one_at_a_time) => {
                let _ = self
                    .refresh_locked(one_at_a_time, source, Some(attempts))
                    .await;
            }
            // Another request's fetch is under way: wait for it, if there is room.
            Err(_) => {
                if self.waiters.fetch_add(1, Ordering::AcqRel) >= MAX_FETCH_WAITERS {
                    self.waiters.fetch_sub(1, Ordering::AcqRel);
                    return Err(Rejection::KeysRefreshing {
                        retry_after: BUSY_RETRY,
                    });
                }
                let _waiting = Waiting(&self.waiters);
                let _ = self.refresh(source, Some(attempts)).await;
            }
        }
        let state = self.read();
        match state.keys.get(kid) {
            Some(key) => Ok(key.clone()),
            None if state.keys.is_empty() => Err(Rejection::KeysUnavailable),
            None => Err(Rejection::UnknownKeyId),
        }
    }

    /// Makes `by` more time look passed since the last fetch (until the next one).
    #[cfg(feature = "testing")]
    pub(crate) fn age(&self, by: Duration) {
        let ms = u64::try_from(by.as_millis()).unwrap_or(u64::MAX);
        let _ = self
            .aged_ms
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |aged| {
                Some(aged.saturating_add(ms))
            });
    }

    /// The time since `at`, and any a test made pass.
    fn since(&self, at: Instant) -> Duration {
        #[cfg(feature = "testing")]
        {
            let aged = Duration::from_millis(self.aged_ms.load(Ordering::Acquire));
            at.elapsed().saturating_add(aged)
        }
        #[cfg(not(feature = "testing"))]
        {
            at.elapsed()
        }
    }

    /// Starts a fetch on the current tokio runtime, unless one started this way is under way.
    fn refresh_in_background(self: &Arc<Self>, seen_attempts: u64) {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        if self.background.swap(true, Ordering::AcqRel) {
            return;
        }
        let cache = Arc::clone(self);
        runtime.spawn(async move {
            // Cleared however the task ends, even dropped with its runtime.
            let _done = ClearOnDrop(&cache.background);
            if let Some(source) = &cache.source {
                let _ = cache.refresh(source, Some(seen_attempts)).await;
            }
        });
    }

    /// Fetches now, whatever the schedule.
    pub(crate) async fn refresh_now(&self) -> Result<usize, KeyFetchError> {
        match &self.source {
            Some(source) => self.refresh(source, None).await,
            None => Ok(self.read().keys.len()),
        }
    }

    /// Fetches the keys, unless `seen_attempts` is given and another fetch has happened since
    /// (or the gap has not passed): then the keys that fetch left are used.
    async fn refresh(
        &self,
        source: &KeySource,
        seen_attempts: Option<u64>,
    ) -> Result<usize, KeyFetchError> {
        let one_at_a_time = self.fetching.lock().await;
        self.refresh_locked(one_at_a_time, source, seen_attempts)
            .await
    }

    /// [`KeyCache::refresh`], the fetch lock already held.
    async fn refresh_locked(
        &self,
        _one_at_a_time: tokio::sync::MutexGuard<'_, ()>,
        source: &KeySource,
        seen_attempts: Option<u64>,
    ) -> Result<usize, KeyFetchError> {
        if let Some(seen) = seen_attempts {
            let state = self.read();
            if state.attempts != seen || self.gap_left(&state).is_some() {
                return Ok(state.keys.len());
            }
        }
        let result = source.fetch().await;
        let mut state = self.state.write().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        #[cfg(feature = "testing")]
        self.aged_ms.store(0, Ordering::Release);
        state.attempts += 1;
        state.last_attempt = Some(now);
        match result {
            Ok(keys) => {
                state.keys = Arc::new(keys);
                state.fetched_at = Some(now);
                Ok(state.keys.len())
            }
            Err(e) => {
                tracing::warn!(
                    error = %e,
                    keys_kept = state.keys.len(),
                    "Graph's signing keys could not be fetched; the last good keys stay in use"
                );
                Err(e)
            }
        }
    }

    /// How long the gap still holds fetches back; `None` once a fetch may start.
    fn gap_left(&self, state: &State) -> Option<Duration> {
        let gap = if state.keys.is_empty() {
            self.min_gap.min(NO_KEYS_RETRY)
        } else {
            self.min_gap
        };
        let since = self.since(state.last_attempt?);
        gap.checked_sub(since).filter(|left| !left.is_zero())
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, State> {
        // A panic elsewhere cannot leave the state half-written: every write is one assignment
        // of whole values.
        self.state.read().unwrap_or_else(|e| e.into_inner())
    }
}

/// `duration` rounded up to whole seconds, at least one: what `Retry-After` can say.
fn whole_seconds(duration: Duration) -> Duration {
    let seconds = duration.as_secs() + u64::from(duration.subsec_nanos() > 0);
    Duration::from_secs(seconds.max(1))
}

/// One request counted among a fetch's waiters, until it is dropped.
struct Waiting<'a>(&'a AtomicUsize);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

struct ClearOnDrop<'a>(&'a AtomicBool);

impl Drop for ClearOnDrop<'_> {
    fn drop(&mut self) {
        self.0.store(false, Ordering::Release);
    }
}

impl fmt::Debug for KeyCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.read();
        f.debug_struct("Keys")
            .field(
                "source",
                &self
                    .source
                    .as_ref()
                    .map(|s| crate::wire::RedactedText(s.openid_configuration.as_str())),
            )
            .field("count", &state.keys.len())
            .field("fetched_at", &state.fetched_at)
            .finish_non_exhaustive()
    }
}
