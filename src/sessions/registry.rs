//! [`Calls`]: the registry of calls, fed with every verified callback batch.

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{broadcast, mpsc, oneshot, Notify};
use tokio::task::AbortHandle;
use tokio::time::Instant;

use super::ids::{self, normal_id, Target};
use super::record::{CallRecord, EndedBy, Event, EventList, Outcome};
use super::session::{CallSession, Finish, IncomingCall};
mod builder;
mod fleet;

pub use builder::CallsBuilder;
pub(crate) use builder::Config;

use super::store::{shard_of, ByCall, CallStore, Feed, StoreError};
use crate::notifications::{CommsNotification, CommsNotifications};
use crate::resources::{CallState, CommsOperation};
use crate::types::CreateCallRequest;
use crate::{Client, Error};
use fleet::{news_of, Delivery};

/// How long an instance's claim on an incoming call lasts: past Graph's 15 seconds to answer.
const INCOMING_CLAIM: Duration = Duration::from_secs(60);

/// How many shards the registry spreads its calls over.
const SHARDS: usize = 16;

/// How long a call whose keepAlive answered 404 waits for Graph's notification of its end
/// before the session ends it as [`EndedBy::KeepAliveNotFound`].
const NOT_FOUND_GRACE: Duration = Duration::from_secs(2);

/// The registry of calls: feed it every verified callback batch ([`apply`](Calls::apply)), take
/// incoming calls from [`incoming`](Calls::incoming), place calls with
/// [`create_call`](Calls::create_call); each call is a [`CallSession`].
///
/// Notifications of one call are applied one at a time, in the order they arrived; different
/// calls in parallel. Cheap to clone; every clone is the same registry.
///
/// ```no_run
/// use msgraph_calls::sessions::Calls;
///
/// # async fn demo(client: msgraph_calls::Client, body: &[u8]) -> Result<(), Box<dyn std::error::Error>> {
/// let calls = Calls::builder(client).build();
/// // In the callback handler, once the token is checked:
/// let batch = msgraph_calls::notifications::from_slice(body)?;
/// calls.apply(batch).await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Calls {
    inner: Arc<Inner>,
}

impl fmt::Debug for Calls {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Calls")
            .field("instance", &self.inner.config.instance)
            .field("tracked", &self.tracked())
            .finish_non_exhaustive()
    }
}

/// What [`Calls::apply`] did with a batch.
///
/// ```no_run
/// # async fn demo(calls: msgraph_calls::sessions::Calls, batch: msgraph_calls::notifications::CommsNotifications) -> Result<(), msgraph_calls::sessions::StoreError> {
/// let applied = calls.apply(batch).await?;
/// for odd in &applied.unrouted {
///     println!("not about a call: {:?}", odd.resource_url);
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Default)]
#[non_exhaustive]
pub struct Applied {
    /// How many notifications were applied to a call.
    pub applied: usize,
    /// Notifications whose `resourceUrl` names no call, handed back whole.
    pub unrouted: Vec<CommsNotification>,
    /// Notifications about a call that ended and was forgotten after its linger time (a late
    /// copy), handed back whole rather than followed as a new call.
    pub late: Vec<CommsNotification>,
}

/// The registry's state, shared by its clones and its sessions.
pub(crate) struct Inner {
    pub(crate) client: Client,
    pub(crate) store: Arc<dyn CallStore>,
    /// The store is shared by other instances: its feed is followed, keepAlive is leased.
    shared: bool,
    /// The store's feed, until the registry listens to it.
    feed: Mutex<Option<Feed>>,
    /// Every followed call is being reconciled.
    reconciling: AtomicBool,
    pub(crate) config: Config,
    locals: Vec<Mutex<ByCall<Arc<Local>>>>,
    incoming: mpsc::Sender<Offered>,
    incoming_rx: Arc<tokio::sync::Mutex<mpsc::Receiver<Offered>>>,
    /// Calls forgotten after their linger time, and when: a late copy of one of their
    /// notifications is handed back rather than followed as a new call.
    forgotten: Mutex<Forgotten>,
}

/// An incoming call waiting to be taken: no handle on the registry, so that a queue the bot
/// never reads does not keep the registry alive.
pub(crate) struct Offered {
    local: Arc<Local>,
    call: Box<crate::resources::Call>,
}

/// How many forgotten calls are remembered, and for how long.
const FORGOTTEN_KEPT: usize = 10_000;
const FORGOTTEN_FOR: Duration = Duration::from_secs(30 * 60);

/// The calls forgotten lately, oldest first, bounded in count and age.
#[derive(Default)]
struct Forgotten {
    keys: ByCall<Instant>,
    order: std::collections::VecDeque<String>,
}

impl Forgotten {
    fn add(&mut self, key: String) {
        self.trim();
        if self.order.len() == FORGOTTEN_KEPT {
            if let Some(oldest) = self.order.pop_front() {
                self.keys.remove(&oldest);
            }
        }
        self.keys.insert(key.clone(), Instant::now());
        self.order.push_back(key);
    }

    fn contains(&mut self, key: &str) -> bool {
        self.trim();
        self.keys.contains_key(key)
    }

    fn trim(&mut self) {
        while let Some(oldest) = self.order.front() {
            match self.keys.get(oldest) {
                Some(at) if at.elapsed() < FORGOTTEN_FOR => break,
                _ => {
                    if let Some(oldest) = self.order.pop_front() {
                        self.keys.remove(&oldest);
                    }
                }
            }
        }
    }
}

/// What this instance holds of one call: the turn to apply its notifications, its event
/// channel, its state, the waiters of its operations.
pub(crate) struct Local {
    pub(crate) key: String,
    pub(crate) id: String,
    order: tokio::sync::Mutex<()>,
    /// The call's event channel, made when the first subscriber comes: a call nobody listens
    /// to holds no buffer. Each event is shared by its subscribers, copied only for a second
    /// one that reads it.
    events: Mutex<Option<broadcast::Sender<Arc<Event>>>>,
    event_capacity: usize,
    pub(crate) state: StateCell,
    waiters: Mutex<HashMap<String, oneshot::Sender<Finish>>>,
    kept_alive: AtomicBool,
    /// Offered on this instance's `incoming` already.
    offered: AtomicBool,
    tasks: Mutex<Vec<AbortHandle>>,
    heard: Mutex<Instant>,
    /// On a shared store: which version of the call this instance told last, and news that
    /// came before the one it follows.
    delivery: Mutex<Delivery>,
    /// A task reconciles the call once the store answers again.
    reconciling: AtomicBool,
    /// Wakes the call's keepAlive task: this instance took its lease over.
    lease_taken: Arc<Notify>,
}

/// A call's state as this instance applied it, and a wake-up for those who wait for it (one
/// `Notify`: waking nobody costs next to nothing, where a watch channel wakes its eight lists).
#[derive(Default)]
pub(crate) struct StateCell {
    value: Mutex<Option<CallState>>,
    changed: Notify,
}

impl StateCell {
    pub(crate) fn get(&self) -> Option<CallState> {
        self.value.lock().map(|v| v.clone()).unwrap_or_default()
    }

    fn set(&self, state: Option<CallState>) {
        if let Ok(mut value) = self.value.lock() {
            *value = state;
        }
        self.changed.notify_waiters();
    }

    /// Sets `state` where none was applied here: never back over a newer one.
    fn set_if_unknown(&self, state: Option<&CallState>) {
        let set = match self.value.lock() {
            Ok(mut value) if value.is_none() && state.is_some() => {
                *value = state.cloned();
                true
            }
            _ => false,
        };
        if set {
            self.changed.notify_waiters();
        }
    }

    /// Waits until `check` says something of the state, checked now and after each change.
    pub(crate) async fn wait_until<T>(
        &self,
        mut check: impl FnMut(Option<&CallState>) -> Option<T>,
    ) -> T {
        loop {
            let mut changed = std::pin::pin!(self.changed.notified());
            // Registered before the state is read, so that no change between is missed.
            changed.as_mut().enable();
            let now = self.get();
            if let Some(found) = check(now.as_ref()) {
                return found;
            }
            changed.await;
        }
    }
}

impl Local {
    /// Registers the waiter of `context`; `false` when one is registered already.
    pub(crate) fn wait(&self, context: &str, sender: oneshot::Sender<Finish>) -> bool {
        let Ok(mut waiters) = self.waiters.lock() else {
            return false;
        };
        if waiters.contains_key(context) {
            return false;
        }
        waiters.insert(context.to_owned(), sender);
        true
    }

    /// Drops the waiter of `context`.
    pub(crate) fn unwait(&self, context: &str) {
        if let Ok(mut waiters) = self.waiters.lock() {
            waiters.remove(context);
        }
    }

    fn resolve(&self, context: &str, finish: Finish) {
        let waiter = self.waiters.lock().ok().and_then(|mut w| w.remove(context));
        if let Some(waiter) = waiter {
            let _ = waiter.send(finish);
        }
    }

    /// A receiver of the call's events from now on.
    pub(crate) fn subscribe(&self) -> broadcast::Receiver<Arc<Event>> {
        let mut events = self.events.lock().unwrap_or_else(|p| p.into_inner());
        events
            .get_or_insert_with(|| broadcast::channel(self.event_capacity).0)
            .subscribe()
    }

    /// Sends `event` to the call's subscribers, if it has any.
    fn publish(&self, event: Event) {
        let events = self.events.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(sender) = events.as_ref() {
            // No subscriber is no error: the events are the session's to read or not.
            let _ = sender.send(Arc::new(event));
        }
    }

    fn is_over(&self) -> bool {
        matches!(self.state.get(), Some(CallState::Terminated))
    }
}

impl Drop for Local {
    fn drop(&mut self) {
        if let Ok(tasks) = self.tasks.lock() {
            tasks.iter().for_each(AbortHandle::abort);
        }
    }
}

impl Inner {
    fn shard(&self, key: &str) -> &Mutex<ByCall<Arc<Local>>> {
        &self.locals[shard_of(key, SHARDS)]
    }

    /// This instance's part of the call `id`, made when it has none.
    fn local(&self, id: &str) -> Arc<Local> {
        let mut buf = [0u8; 32];
        let key = ids::normal_key(id, &mut buf);
        let mut shard = match self.shard(key).lock() {
            Ok(shard) => shard,
            Err(poisoned) => poisoned.into_inner(),
        };
        if let Some(local) = shard.get(key) {
            return local.clone();
        }
        let local = Arc::new(Local {
            key: key.to_owned(),
            id: id.to_owned(),
            order: tokio::sync::Mutex::new(()),
            events: Mutex::new(None),
            event_capacity: self.config.event_capacity,
            state: StateCell::default(),
            waiters: Mutex::new(HashMap::new()),
            kept_alive: AtomicBool::new(false),
            offered: AtomicBool::new(false),
            tasks: Mutex::new(Vec::new()),
            heard: Mutex::new(Instant::now()),
            delivery: Mutex::new(Delivery::default()),
            reconciling: AtomicBool::new(false),
            lease_taken: Arc::new(Notify::new()),
        });
        shard.insert(key.to_owned(), local.clone());
        local
    }

    /// Whether the call `id` ended and was forgotten lately (and no session follows it now).
    fn was_forgotten(&self, id: &str) -> bool {
        let Ok(mut forgotten) = self.forgotten.lock() else {
            return false;
        };
        if forgotten.keys.is_empty() {
            return false;
        }
        let mut buf = [0u8; 32];
        let key = ids::normal_key(id, &mut buf);
        forgotten.contains(key) && self.known(id).is_none()
    }

    fn known(&self, id: &str) -> Option<Arc<Local>> {
        let key = normal_id(id);
        let shard = self.shard(&key).lock().ok()?;
        shard.get(key.as_ref()).cloned()
    }

    /// Runs `change` on the call's record, atomically, and hands back what it found. On a
    /// shared store, every change that tells something is written, with its events as news.
    async fn change(
        &self,
        local: &Local,
        mut change: impl FnMut(&mut CallRecord, &mut Outcome) + Send,
    ) -> Result<Outcome, StoreError> {
        let mut outcome = Outcome::default();
        let shared = self.shared;
        self.store
            .update(&local.key, &mut |record| {
                outcome = Outcome::default();
                change(record, &mut outcome);
                let write = outcome.changed || (shared && !outcome.events.is_empty());
                if write {
                    record.bump();
                    outcome.version = Some(record.version());
                    if shared {
                        record.set_news(Some(news_of(&outcome.events)));
                    }
                }
                write
            })
            .await?;
        Ok(outcome)
    }

    /// Tells this instance what happened to the call: state, waiters, keepAlive, subscribers.
    fn dispatch(self: &Arc<Self>, local: &Arc<Local>, events: EventList) {
        for event in events {
            match &event {
                Event::StateChanged { to, .. } => {
                    local.state.set(Some(to.clone()));
                    // From establishing on, a silent call is checked; keepAlive once it is up.
                    if !matches!(
                        to,
                        CallState::Incoming | CallState::Terminating | CallState::Terminated
                    ) {
                        self.keep_alive(local, true);
                    }
                }
                Event::OperationFinished {
                    operation,
                    client_context: Some(context),
                    ..
                } => local.resolve(context, Ok((**operation).clone())),
                Event::Terminated(termination) => {
                    let waiters: Vec<_> = local
                        .waiters
                        .lock()
                        .map(|mut w| w.drain().collect())
                        .unwrap_or_default();
                    for (_, waiter) in waiters {
                        let _ = waiter.send(Err((**termination).clone()));
                    }
                    if let Ok(tasks) = local.tasks.lock() {
                        tasks.iter().for_each(AbortHandle::abort);
                    }
                    self.forget_later(local);
                }
                _ => {}
            }
            local.publish(event);
        }
    }

    /// Applies one notification to its call, in its turn.
    async fn apply_one(
        self: &Arc<Self>,
        local: &Arc<Local>,
        notification: &CommsNotification,
        target: Target<'_>,
    ) -> Result<(), StoreError> {
        let _turn = local.order.lock().await;
        let outcome = self
            .change(local, |record, out| {
                *out = record.apply(notification, target);
            })
            .await?;
        if self.config.check_silent_after.is_some() {
            if let Ok(mut heard) = local.heard.lock() {
                *heard = Instant::now();
            }
        }
        let incoming = outcome.incoming;
        self.deliver(local, outcome.version, outcome.events);
        if incoming {
            self.offer_incoming(local, notification).await?;
        }
        Ok(())
    }

    /// An incoming call: claimed by one instance, whose `incoming` stream yields it, once. A
    /// claim the store could not make fails the batch, and Graph's next copy offers it again.
    async fn offer_incoming(
        self: &Arc<Self>,
        local: &Arc<Local>,
        notification: &CommsNotification,
    ) -> Result<(), StoreError> {
        if local.offered.load(Ordering::SeqCst) {
            return Ok(());
        }
        let claim = format!("{}/incoming", local.key);
        if !self
            .store
            .claim(&claim, &self.config.instance, INCOMING_CLAIM)
            .await?
        {
            return Ok(());
        }
        let call = match &notification.resource_data {
            Some(crate::notifications::ResourceData::Call(call)) => call.clone(),
            _ => Box::default(),
        };
        if local.offered.swap(true, Ordering::SeqCst) {
            return Ok(());
        }
        let offered = Offered {
            local: local.clone(),
            call,
        };
        if self.incoming.try_send(offered).is_err() {
            tracing::warn!(
                call = %local.id,
                "an incoming call was not offered: {} waiting already, none taken (Calls::incoming)",
                self.config.incoming_capacity
            );
        }
        Ok(())
    }

    /// Ends the call as `cause` says, unless it has ended.
    pub(crate) async fn end(self: &Arc<Self>, local: &Arc<Local>, cause: EndedBy) {
        let _turn = local.order.lock().await;
        match self
            .change(local, |record, out| record.end(None, cause.clone(), out))
            .await
        {
            Ok(outcome) => self.deliver(local, outcome.version, outcome.events),
            Err(e) => {
                tracing::warn!(call = %local.id, error = %e, "the end of a call could not be stored")
            }
        }
    }

    /// Graph answered an awaited operation's request.
    pub(crate) async fn answered(
        self: &Arc<Self>,
        local: &Arc<Local>,
        name: &str,
        context: &str,
        response: &CommsOperation,
    ) {
        let _turn = local.order.lock().await;
        let mut early = None;
        let result = self
            .change(local, |record, out| {
                early = record.answered(context, name, response, out);
            })
            .await;
        match result {
            Ok(outcome) => self.deliver(local, outcome.version, outcome.events),
            Err(e) => {
                // The waiter still works on this instance; the store does not know it waits.
                tracing::warn!(call = %local.id, operation = name, error = %e, "an awaited operation could not be stored")
            }
        }
        if let Some(operation) = early {
            local.resolve(context, Ok(operation));
        }
    }

    /// The request of an awaited operation failed.
    pub(crate) async fn unexpect(self: &Arc<Self>, local: &Arc<Local>, context: &str) {
        let _turn = local.order.lock().await;
        if let Err(e) = self
            .change(local, |record, out| record.unexpect(context, out))
            .await
        {
            tracing::debug!(call = %local.id, error = %e, "a failed operation could not be forgotten");
        }
    }

    /// The waiter of an operation gave up.
    pub(crate) async fn abandon(self: &Arc<Self>, local: &Arc<Local>, context: &str) {
        let _turn = local.order.lock().await;
        if let Err(e) = self
            .change(local, |record, out| record.abandon(context, out))
            .await
        {
            tracing::debug!(call = %local.id, error = %e, "an abandoned wait could not be stored");
        }
    }

    /// Keeps the call alive on the schedule, and checks it when silent, until it ends. On a
    /// shared store, only the instance holding the call's keepAlive lease sends them, renewing
    /// it every third of the lease; the others wait until the registry takes the lease over
    /// ([`take_over_orphans`](Inner::take_over_orphans)) and then send one at once, unless the
    /// call just came up here (`fresh`).
    fn keep_alive(self: &Arc<Self>, local: &Arc<Local>, fresh: bool) {
        let (every, silent) = (self.config.keep_alive, self.config.check_silent_after);
        if every.is_none() && silent.is_none() {
            return;
        }
        if local.kept_alive.swap(true, Ordering::SeqCst) {
            return;
        }
        let lease = (self.shared && every.is_some()).then_some(self.config.lease);
        let registry = Arc::downgrade(self);
        let call = Arc::downgrade(local);
        let taken = local.lease_taken.clone();
        let task = tokio::spawn(async move {
            let mut next_keep_alive = every.map(|every| Instant::now() + every);
            // Without a shared store, this instance is the only one.
            let mut holder = lease.is_none();
            let mut next_claim = lease.map(|_| Instant::now());
            let mut first = true;
            loop {
                let check =
                    silent.and_then(|after| Some(*call.upgrade()?.heard.lock().ok()? + after));
                let Some(wake) = [next_keep_alive, check, next_claim]
                    .into_iter()
                    .flatten()
                    .min()
                else {
                    return;
                };
                if tokio::time::timeout_at(wake, taken.notified())
                    .await
                    .is_ok()
                {
                    next_claim = Some(Instant::now());
                }
                let (Some(registry), Some(local)) = (registry.upgrade(), call.upgrade()) else {
                    return;
                };
                if local.is_over() {
                    return;
                }
                if let (Some(due), Some(lease)) = (next_claim, lease) {
                    if Instant::now() >= due {
                        next_claim = Some(Instant::now() + lease / 3);
                        let what = format!("{}/keepalive", local.key);
                        match registry
                            .store
                            .claim(&what, &registry.config.instance, lease)
                            .await
                        {
                            Ok(true) if !holder => {
                                holder = true;
                                if !(first && fresh) {
                                    // Taken over: when the last keepAlive went is not known.
                                    next_keep_alive = Some(Instant::now());
                                }
                            }
                            Ok(true) => {}
                            Ok(false) => {
                                holder = false;
                                next_claim = None;
                            }
                            // The store may be down: the holder goes on sending keepAlive
                            // (sending one twice does no harm; missing them ends the call).
                            Err(e) => {
                                tracing::debug!(call = %local.id, error = %e, "the keepAlive lease could not be renewed")
                            }
                        }
                        first = false;
                    }
                }
                let up = !matches!(local.state.get(), Some(CallState::Establishing));
                if let (Some(due), Some(every)) = (next_keep_alive, every) {
                    if Instant::now() >= due && up && holder {
                        next_keep_alive = Some(Instant::now().max(due) + every);
                        match registry.client.keep_alive(&local.id).await {
                            Ok(()) => {}
                            Err(Error::NotFound(_)) => {
                                // Graph's own notification of the end (a hang-up or transfer
                                // just made) may be on its way: it says more than a 404.
                                drop(local);
                                tokio::time::sleep(NOT_FOUND_GRACE).await;
                                if let Some(local) = call.upgrade() {
                                    registry.end(&local, EndedBy::KeepAliveNotFound).await;
                                }
                                return;
                            }
                            Err(e) => tracing::warn!(
                                call = %local.id, error = %e,
                                "keepAlive failed; tried again at the next turn"
                            ),
                        }
                    } else if Instant::now() >= due {
                        // Not up yet, or kept alive by another instance: one period later.
                        next_keep_alive = Some(due + every);
                    }
                }
                if registry.silent_too_long(&local) && !registry.check(&local).await {
                    return;
                }
            }
        });
        if let Ok(mut tasks) = local.tasks.lock() {
            tasks.push(task.abort_handle());
        }
    }

    fn silent_too_long(&self, local: &Local) -> bool {
        let Some(after) = self.config.check_silent_after else {
            return false;
        };
        local
            .heard
            .lock()
            .map(|heard| heard.elapsed() >= after)
            .unwrap_or(false)
    }

    /// Asks Graph for the call: `false` once it turned out to have ended.
    async fn check(self: &Arc<Self>, local: &Arc<Local>) -> bool {
        if let Ok(mut heard) = local.heard.lock() {
            *heard = Instant::now();
        }
        match self.client.get_call(&local.id).await {
            Ok(call) => {
                let _turn = local.order.lock().await;
                match self
                    .change(local, |record, out| record.refresh(&call, out))
                    .await
                {
                    Ok(outcome) => self.deliver(local, outcome.version, outcome.events),
                    Err(e) => {
                        tracing::warn!(call = %local.id, error = %e, "a checked call could not be stored")
                    }
                }
                !local.is_over()
            }
            Err(Error::NotFound(_)) => {
                self.end(
                    local,
                    EndedBy::NotFound {
                        operation: "get_call".to_owned(),
                    },
                )
                .await;
                false
            }
            Err(e) => {
                tracing::warn!(call = %local.id, error = %e, "checking a silent call failed");
                true
            }
        }
    }

    /// Forgets an ended call after the linger time, here and in the store.
    fn forget_later(self: &Arc<Self>, local: &Arc<Local>) {
        let registry = Arc::downgrade(self);
        let key = local.key.clone();
        let linger = self.config.linger;
        tokio::spawn(async move {
            tokio::time::sleep(linger).await;
            let Some(registry) = registry.upgrade() else {
                return;
            };
            if let Ok(mut shard) = registry.shard(&key).lock() {
                shard.remove(&key);
            }
            if let Ok(mut forgotten) = registry.forgotten.lock() {
                forgotten.add(key.clone());
            }
            // A shared store keeps the record until it expires, so that a late copy reaching
            // an instance that has not forgotten the call still finds it ended.
            if registry.shared {
                return;
            }
            if let Err(e) = registry.store.remove(&key).await {
                tracing::warn!(call = %key, error = %e, "an ended call could not be removed from the store");
            }
        });
    }

    fn session(self: &Arc<Self>, local: Arc<Local>) -> CallSession {
        CallSession {
            inner: self.clone(),
            local,
        }
    }
}

/// Incoming calls, each yielded once (to one instance of a bot fleet, and on it to one of
/// the handles that wait).
///
/// ```no_run
/// # async fn demo(calls: msgraph_calls::sessions::Calls) {
/// let mut incoming = calls.incoming();
/// while let Some(call) = incoming.next().await {
///     println!("call from {:?}", call.call().source);
/// }
/// # }
/// ```
pub struct Incoming {
    inner: std::sync::Weak<Inner>,
    receiver: Arc<tokio::sync::Mutex<mpsc::Receiver<Offered>>>,
}

impl fmt::Debug for Incoming {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Incoming").finish_non_exhaustive()
    }
}

impl Incoming {
    /// The next incoming call; `None` once the registry is dropped.
    ///
    /// ```no_run
    /// # async fn demo(mut incoming: msgraph_calls::sessions::Incoming) {
    /// if let Some(call) = incoming.next().await { let _ = call; }
    /// # }
    /// ```
    pub async fn next(&mut self) -> Option<IncomingCall> {
        let Offered { local, call } = self.receiver.lock().await.recv().await?;
        let inner = self.inner.upgrade()?;
        Some(IncomingCall {
            session: CallSession { inner, local },
            call,
        })
    }
}

impl Calls {
    /// A registry over `client`, to configure.
    ///
    /// ```no_run
    /// # fn demo(client: msgraph_calls::Client) {
    /// let calls = msgraph_calls::sessions::Calls::builder(client).build();
    /// # }
    /// ```
    pub fn builder(client: Client) -> CallsBuilder {
        CallsBuilder {
            client,
            store: None,
            config: Config {
                keep_alive: Some(Duration::from_secs(15 * 60)),
                check_silent_after: None,
                timeout: Duration::from_secs(5 * 60),
                timeouts: HashMap::new(),
                linger: Duration::from_secs(2 * 60),
                event_capacity: 64,
                incoming_capacity: 64,
                lease: Duration::from_secs(60),
                instance: crate::ids::new_client_request_id(),
            },
        }
    }

    /// Applies a verified callback batch: each notification to its call, one call's in
    /// arrival order. A notification about a call no session follows yet starts following
    /// it ([`session`](Calls::session) finds it), so that nothing Graph says of a call is
    /// lost: an incoming call (`created`, state `incoming`) is offered on
    /// [`incoming`](Calls::incoming), any other is followed from what it says (a call placed
    /// before a restart, its response not seen yet). A notification whose `resourceUrl` names
    /// no call is handed back in [`Applied::unrouted`].
    ///
    /// A store that fails stops the batch with its error: answer Graph with an error status
    /// (`503`) so that it sends the batch again; applying it twice does no harm.
    ///
    /// ```no_run
    /// # async fn demo(calls: msgraph_calls::sessions::Calls, batch: msgraph_calls::notifications::CommsNotifications) -> Result<(), msgraph_calls::sessions::StoreError> {
    /// let applied = calls.apply(batch).await?;
    /// println!("{} applied", applied.applied);
    /// # Ok(()) }
    /// ```
    pub async fn apply(&self, batch: CommsNotifications) -> Result<Applied, StoreError> {
        self.inner.listen();
        let mut applied = Applied::default();
        for notification in batch.value.unwrap_or_default() {
            let routed = notification.resource_url.as_deref().and_then(ids::target);
            let Some((call, target)) = routed else {
                applied.unrouted.push(notification);
                continue;
            };
            if self.inner.was_forgotten(call) {
                applied.late.push(notification);
                continue;
            }
            let local = self.inner.local(call);
            if let Err(e) = self.inner.apply_one(&local, &notification, target).await {
                // Graph may not send it again: once the store answers, the call is read again.
                self.inner.reconcile_later(&local);
                return Err(e);
            }
            applied.applied += 1;
        }
        Ok(applied)
    }

    /// Incoming calls claimed by this instance, each yielded once. Every handle draws from
    /// the same queue.
    ///
    /// ```no_run
    /// # async fn demo(calls: msgraph_calls::sessions::Calls) {
    /// let mut incoming = calls.incoming();
    /// # }
    /// ```
    pub fn incoming(&self) -> Incoming {
        Incoming {
            inner: Arc::downgrade(&self.inner),
            receiver: self.inner.incoming_rx.clone(),
        }
    }

    /// Places a call or joins a meeting ([`Client::create_call`]; for a meeting, its
    /// `chatInfo` and `meetingInfo` from [`crate::join_url::parse`]), followed by a session.
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use msgraph_calls::join_url;
    /// use msgraph_calls::resources::{CallState, Modality};
    /// use msgraph_calls::types::{CreateCallRequest, MediaConfig};
    ///
    /// # async fn demo(calls: msgraph_calls::sessions::Calls, link: &str) -> Result<(), Box<dyn std::error::Error>> {
    /// let meeting = join_url::parse(link)?;
    /// let mut join = CreateCallRequest::new("https://bot.contoso.com/api/calls", MediaConfig::service_hosted())
    ///     .with_requested_modalities([Modality::Audio])
    ///     .with_meeting_info(meeting.meeting_info());
    /// if let Some(chat) = meeting.chat_info() {
    ///     join = join.with_chat_info(chat);
    /// }
    /// let session = calls.create_call(&join).await?;
    /// session.wait_for(CallState::Established, Duration::from_secs(30)).await?;
    /// # Ok(()) }
    /// ```
    pub async fn create_call(&self, body: &CreateCallRequest) -> Result<CallSession, Error> {
        self.inner.listen();
        let call = self.inner.client.create_call(body).await?;
        let Some(id) = call
            .id
            .clone()
            .filter(|id| crate::ids::check_path_id("call-id", id).is_ok())
        else {
            return Err(Error::UnexpectedResponse(Box::new(crate::ErrorResponse {
                status: 201,
                graph: None,
                body: "the created call has no usable id".to_owned(),
                request_id: None,
                client_request_id: String::new(),
                date_header: None,
                retry_after: None,
                attempts: 1,
                outcome_unknown: true,
            })));
        };
        let local = self.inner.local(&id);
        {
            let _turn = local.order.lock().await;
            let outcome = self
                .inner
                .change(&local, |record, out| record.refresh(&call, out))
                .await;
            match outcome {
                Ok(outcome) => self.inner.deliver(&local, outcome.version, outcome.events),
                Err(e) => {
                    tracing::warn!(call = %id, error = %e, "a placed call could not be stored")
                }
            }
        }
        Ok(self.inner.session(local))
    }

    /// The session of the call `id` (in any spelling), when this instance or the store knows
    /// the call.
    ///
    /// ```no_run
    /// # async fn demo(calls: msgraph_calls::sessions::Calls) -> Result<(), msgraph_calls::sessions::StoreError> {
    /// if let Some(session) = calls.session("57DAB8B1894C409AB240BD8BEAE78896").await? {
    ///     println!("{:?}", session.state());
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn session(&self, id: &str) -> Result<Option<CallSession>, StoreError> {
        self.inner.listen();
        if let Some(local) = self.inner.known(id) {
            return Ok(Some(self.inner.session(local)));
        }
        let key = normal_id(id);
        let Some(record) = self.inner.store.load(&key).await? else {
            return Ok(None);
        };
        let local = self.inner.local(id);
        // Only where nothing was applied here meanwhile: never back over a newer state.
        local.state.set_if_unknown(record.state());
        local.read_at(record.version());
        if record.termination().is_some() {
            self.inner.forget_later(&local);
        }
        if !matches!(
            record.state(),
            None | Some(CallState::Incoming | CallState::Terminating | CallState::Terminated)
        ) {
            self.inner.keep_alive(&local, false);
        }
        Ok(Some(self.inner.session(local)))
    }

    /// How many calls this instance follows (ended ones until their linger time is over).
    ///
    /// ```no_run
    /// # fn demo(calls: msgraph_calls::sessions::Calls) {
    /// println!("{} calls", calls.tracked());
    /// # }
    /// ```
    pub fn tracked(&self) -> usize {
        self.inner
            .locals
            .iter()
            .map(|shard| shard.lock().map(|s| s.len()).unwrap_or(0))
            .sum()
    }
}

impl fmt::Debug for Inner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Inner").finish_non_exhaustive()
    }
}
