//! What the registry does on a store shared by several instances: news of every instance's
//! changes told in version order, the calls of a stopped instance taken over, calls reconciled
//! after the store could not be reached.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use super::{Inner, Local};
use crate::resources::CallState;
use crate::sessions::record::{Event, EventList};
use crate::sessions::store::Heard;

/// How long news that came before the one it follows waits for it, on a shared store, before
/// it is told anyway (and the call read again from the store).
const GAP_WAIT: Duration = Duration::from_secs(1);

/// How long an instance's claim to reconcile a call with Graph lasts: one instance asks.
const RECONCILE_CLAIM: Duration = Duration::from_secs(10);

/// How many calls whose keepAlive lease ran out an instance takes over at each look.
const ORPHANS_AT_ONCE: usize = 100;

/// The versions of a call told on this instance.
#[derive(Default)]
pub(super) struct Delivery {
    told: Option<u64>,
    held: std::collections::BTreeMap<u64, EventList>,
    flushing: bool,
}

/// The events of a change, as news for the other instances: a JSON array.
pub(super) fn news_of(events: &EventList) -> String {
    let events: Vec<&Event> = events.iter().collect();
    serde_json::to_string(&events).unwrap_or_else(|e| {
        tracing::warn!(error = %e, "the events of a change could not be written as news");
        "[]".to_owned()
    })
}

impl Inner {
    /// Tells this instance what a change of version `version` did: on a shared store, in the
    /// order of the versions, each once, whether this instance or another made it.
    pub(super) fn deliver(
        self: &Arc<Self>,
        local: &Arc<Local>,
        version: Option<u64>,
        events: EventList,
    ) {
        let Some(version) = version.filter(|_| self.shared) else {
            self.dispatch(local, events);
            return;
        };
        let mut delivery = local.delivery.lock().unwrap_or_else(|p| p.into_inner());
        match delivery.told {
            Some(told) if version <= told => return,
            Some(told) if version > told + 1 => {
                delivery.held.insert(version, events);
                if !delivery.flushing {
                    delivery.flushing = true;
                    self.flush_later(local);
                }
                return;
            }
            _ => {}
        }
        delivery.told = Some(version);
        self.dispatch(local, events);
        while let Some(told) = delivery.told {
            let Some(next) = delivery.held.remove(&(told + 1)) else {
                break;
            };
            delivery.told = Some(told + 1);
            self.dispatch(local, next);
        }
    }

    /// News held for one that never came are told after [`GAP_WAIT`], and the call read again.
    pub(super) fn flush_later(self: &Arc<Self>, local: &Arc<Local>) {
        let registry = Arc::downgrade(self);
        let call = Arc::downgrade(local);
        tokio::spawn(async move {
            tokio::time::sleep(GAP_WAIT).await;
            let (Some(registry), Some(local)) = (registry.upgrade(), call.upgrade()) else {
                return;
            };
            {
                let mut delivery = local.delivery.lock().unwrap_or_else(|p| p.into_inner());
                delivery.flushing = false;
                let held = std::mem::take(&mut delivery.held);
                if let Some((first, _)) = held.first_key_value() {
                    tracing::debug!(call = %local.id, from = ?delivery.told, to = first, "news of a call missed; reading it again");
                }
                for (version, events) in held {
                    delivery.told = Some(version);
                    registry.dispatch(&local, events);
                }
            }
            registry.resync(&local).await;
        });
    }

    /// Reads the call from the store, and tells what this instance missed of its state.
    pub(super) async fn resync(self: &Arc<Self>, local: &Arc<Local>) {
        let record = match self.store.load(&local.key).await {
            Ok(Some(record)) => record,
            Ok(None) => return,
            Err(e) => {
                tracing::debug!(call = %local.id, error = %e, "a call could not be read again");
                return;
            }
        };
        let mut delivery = local.delivery.lock().unwrap_or_else(|p| p.into_inner());
        if delivery.told.is_none_or(|told| told < record.version()) {
            delivery.told = Some(record.version());
            delivery
                .held
                .retain(|version, _| *version > record.version());
        }
        // The state is compared whatever the versions: news of a version missed is lost.
        let mut events = EventList::default();
        let now = local.state.get();
        match (record.termination(), record.state()) {
            (Some(termination), _) if !local.is_over() => {
                events.push(Event::StateChanged {
                    from: now,
                    to: CallState::Terminated,
                });
                events.push(Event::Terminated(Box::new(termination.clone())))
            }
            (None, Some(state)) if now.as_ref() != Some(state) => {
                events.push(Event::StateChanged {
                    from: now,
                    to: state.clone(),
                })
            }
            _ => {}
        }
        self.dispatch(local, events);
    }

    /// Follows the store's feed (a shared store): news of every instance's changes, told to
    /// the calls this instance follows; after a cut, every call is reconciled. Also looks for
    /// calls whose keepAlive lease ran out. Once.
    pub(crate) fn listen(self: &Arc<Self>) {
        let Some(mut feed) = self.feed.lock().ok().and_then(|mut f| f.take()) else {
            return;
        };
        let registry = Arc::downgrade(self);
        tokio::spawn(async move {
            while let Some(heard) = feed.next().await {
                let Some(registry) = registry.upgrade() else {
                    return;
                };
                match heard {
                    Heard::News(news) => {
                        let Some(local) = registry.known(&news.call) else {
                            continue;
                        };
                        match news.events() {
                            Ok(events) => {
                                let mut list = EventList::default();
                                events.into_iter().for_each(|e| list.push(e));
                                registry.deliver(&local, Some(news.version), list);
                            }
                            Err(e) => {
                                tracing::warn!(call = %local.id, error = %e, "news of a call does not read; reading the call again");
                                tokio::spawn(async move { registry.resync(&local).await });
                            }
                        }
                    }
                    // One reconciliation at a time: cuts that come while one runs are covered by it.
                    Heard::Resumed if !registry.reconciling.swap(true, Ordering::SeqCst) => {
                        let registry = registry.clone();
                        tokio::spawn(async move {
                            registry.reconcile_all().await;
                            registry.reconciling.store(false, Ordering::SeqCst);
                        });
                    }
                    Heard::Resumed => {}
                }
            }
        });
        let registry = Arc::downgrade(self);
        let lease = self.config.lease;
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(lease / 5).await;
                let Some(registry) = registry.upgrade() else {
                    return;
                };
                registry.take_over_orphans().await;
            }
        });
    }

    /// Takes over the calls whose keepAlive lease ran out: the calls of an instance that
    /// stopped.
    pub(super) async fn take_over_orphans(self: &Arc<Self>) {
        let lease = self.config.lease;
        let taken = match self
            .store
            .orphans(&self.config.instance, lease, ORPHANS_AT_ONCE)
            .await
        {
            Ok(taken) => taken,
            Err(e) => {
                tracing::debug!(error = %e, "calls whose keepAlive lease ran out could not be looked for");
                return;
            }
        };
        for key in taken {
            let record = match self.store.load(&key).await {
                Ok(Some(record)) if record.termination().is_none() => record,
                Ok(_) => continue,
                Err(e) => {
                    tracing::warn!(call = %key, error = %e, "a call to take over could not be read");
                    continue;
                }
            };
            let id = record.call().id.clone().unwrap_or_else(|| key.clone());
            tracing::info!(call = %id, "taking over a call whose keepAlive lease ran out");
            let local = self.local(&id);
            local.state.set_if_unknown(record.state());
            local.read_at(record.version());
            self.keep_alive(&local, false);
            // A task that lost the lease before: it holds it now.
            local.lease_taken.notify_one();
        }
    }

    /// Reconciles every call this instance follows that has not ended.
    pub(super) async fn reconcile_all(self: &Arc<Self>) {
        let live: Vec<Arc<Local>> = self
            .locals
            .iter()
            .flat_map(|shard| {
                shard
                    .lock()
                    .map(|s| s.values().cloned().collect::<Vec<_>>())
                    .unwrap_or_default()
            })
            .filter(|local| !local.is_over())
            .collect();
        for local in live {
            self.reconcile(&local).await;
        }
    }

    /// Reads the call again, from the store and, by one instance, from Graph (`get_call`):
    /// after the store could not be reached, notifications about it may have been lost.
    pub(super) async fn reconcile(self: &Arc<Self>, local: &Arc<Local>) {
        self.resync(local).await;
        if local.is_over() {
            return;
        }
        let claim = format!("{}/reconcile", local.key);
        match self
            .store
            .claim(&claim, &self.config.instance, RECONCILE_CLAIM)
            .await
        {
            Ok(true) => {
                self.check(local).await;
            }
            Ok(false) => {}
            Err(e) => {
                tracing::debug!(call = %local.id, error = %e, "a call could not be reconciled")
            }
        }
    }

    /// Once the store answers again, reconciles the call whose notification it failed to
    /// store.
    pub(super) fn reconcile_later(self: &Arc<Self>, local: &Arc<Local>) {
        if local.reconciling.swap(true, Ordering::SeqCst) {
            return;
        }
        let registry = Arc::downgrade(self);
        let call = Arc::downgrade(local);
        tokio::spawn(async move {
            let mut pause = Duration::from_millis(250);
            loop {
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(Duration::from_secs(5));
                let (Some(registry), Some(local)) = (registry.upgrade(), call.upgrade()) else {
                    return;
                };
                if local.is_over() {
                    break;
                }
                if registry.store.load(&local.key).await.is_ok() {
                    registry.reconcile(&local).await;
                    local.reconciling.store(false, Ordering::SeqCst);
                    return;
                }
            }
            if let Some(local) = call.upgrade() {
                local.reconciling.store(false, Ordering::SeqCst);
            }
        });
    }
}

impl Local {
    /// The call was read from the store at `version`: news older than it is not told.
    pub(super) fn read_at(&self, version: u64) {
        let mut delivery = self.delivery.lock().unwrap_or_else(|p| p.into_inner());
        if delivery.told.is_none() {
            delivery.told = Some(version);
        }
    }
}
