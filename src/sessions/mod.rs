//! Calls that follow themselves (feature `sessions`): a registry of calls fed with every
//! verified callback batch, incoming calls as a stream, and for each call a session with its
//! latest snapshot, its state, its roster, a stream of typed events, and every operation on it
//! as a method whose end can be awaited.
//!
//! What Graph does to notifications is handled here, not in the bot:
//! - **Duplicates** (no notification carries an id): a notification applied twice yields its
//!   events once.
//! - **Order**: "call establishing/established notifications may arrive out of order"
//!   (call-answer.md): a state never moves back, and nothing moves a terminated call. A full
//!   roster older than the one applied (by `rosterSequenceNumber`) is ignored.
//! - **Operations**: the waiter exists before the request is sent, keyed by the operation's
//!   `clientContext` (filled in when the caller gives none) and by its id, compared in
//!   [normal form](normal_id) (Graph spells one id `0fe0623f-d628-...` and `0FE0623FD628...`).
//!   A completion that arrives before Graph's response is not missed; a response that says
//!   `completed` or `failed` resolves at once (no notification follows it:
//!   resources/commsoperation.md); a completion after its waiter gave up is still an event.
//! - **Rosters**: an `updated` roster is the whole roster, diffed against the last one; a
//!   `deleted` one lists who left; participants without an id (`"id": null` in Graph's own
//!   examples) are keyed by identity.
//! - **Stale calls**: an established call is kept alive every 15 minutes (Graph ends a call
//!   without keepAlive for 45: call-keepalive.md); a keepAlive answered `404`, or any operation
//!   on the call answered `404`, ends the session with a reason that says so; optionally a
//!   silent call is checked with `get_call`.
//! - **Unknown calls**: a notification about a call no session follows starts following it: an
//!   incoming call is offered on [`Calls::incoming`], any other is followed from what it says
//!   (a call placed before a restart), and [`Calls::session`] finds it. A late copy about a
//!   call that ended and was forgotten (within 30 minutes of it) is handed back in
//!   [`Applied::late`] instead.
//! - **Versions**: a call notification whose `@odata.etag` is older than one applied is a late
//!   copy and changes nothing; without one, a call moves between its up states (established,
//!   hold) as its notifications say, in the order they come.
//! - **Bounds**: an ended call leaves memory and the store after a set time; event streams are
//!   bounded, and a subscriber that falls behind is told how many events it missed.
//!
//! Each call's state is kept in a [`CallStore`] ([`MemoryStore`] by default), a trait shaped for
//! a store that is remote and shared by several instances of a bot: with the `redis` feature,
//! `RedisStore` lets any instance of a fleet serve any call (events, awaits and keepAlive
//! across instances; its docs say how).
//!
//! Not here: media (audio and video frames of app-hosted media), and Graph's beta (delta
//! rosters' `sequenceNumber` among them).
//!
//! A bot on sessions (its callback, not shown, hands each verified batch to
//! [`Calls::apply`]; `examples/ivr.rs` runs one on the crate's stand-in for Graph). Each call
//! gets a task of its own, so that the next caller is answered within Graph's 15 seconds:
//!
//! ```no_run
//! use std::time::Duration;
//! use msgraph_calls::resources::{CallState, Modality};
//! use msgraph_calls::sessions::{Calls, Event};
//! use msgraph_calls::types::{AnswerRequest, MediaConfig, PlayPromptRequest, Prompt};
//!
//! # async fn demo(client: msgraph_calls::Client) -> Result<(), Box<dyn std::error::Error>> {
//! let calls = Calls::builder(client).build();
//! // The callback handler hands every verified batch to `calls.apply(batch)`.
//! let mut incoming = calls.incoming();
//! while let Some(call) = incoming.next().await {
//!     tokio::spawn(async move {
//!         let answer = AnswerRequest::new([Modality::Audio], MediaConfig::service_hosted());
//!         let session = call.answer(&answer).await?;
//!         let mut events = session.events();
//!         session.wait_for(CallState::Established, Duration::from_secs(30)).await?;
//!         let menu = PlayPromptRequest::new([Prompt::media("https://cdn.contoso.com/menu.wav")]);
//!         session.play_prompt(&menu).await?.finished().await?;
//!         while let Some(Ok(event)) = events.next().await {
//!             if let Event::Terminated(why) = event {
//!                 println!("{why}");
//!             }
//!         }
//!         Ok::<(), Box<dyn std::error::Error + Send + Sync>>(())
//!     });
//! }
//! # Ok(()) }
//! ```

mod ids;
mod record;
#[cfg(feature = "redis")]
mod redis;
mod registry;
mod session;
mod store;

pub use ids::normal_id;
pub use record::{CallRecord, EndedBy, Event, Termination};
#[cfg(feature = "redis")]
pub use redis::{RedisStore, RedisStoreBuilder};
pub use registry::{Applied, Calls, CallsBuilder, Incoming};
pub use session::{CallSession, Events, IncomingCall, Missed, OperationError, Pending, WaitError};
pub use store::{CallStore, Change, Feed, Heard, MemoryStore, News, StoreError, StoreFuture};
