//! Test a bot with no Microsoft account and no network (feature `testing`).
//!
//! - [`Graph`]: a stand-in for Graph on 127.0.0.1 that answers every operation of the crate as
//!   its Graph doc page does, refuses bodies that do not read with Graph's error body, and POSTs
//!   the notifications Graph would to the bot's callback, signed with a key it publishes.
//! - [`StandIn`]: a server that answers what the test scripts, down to the network's failures
//!   (throttling, a connection dropped after the request was sent, a reply cut short).
//! - [`signer`]: signing keys, JWKS documents and callback tokens, as Graph makes them.
//! - [`RedisServer`]: a real `redis-server` on a free loopback port, for a fleet's shared store,
//!   and [`Balancer`], a load balancer in front of the fleet's instances.
//!
//! A whole round trip: the bot's callback receives an incoming call, answers it, and hears
//! that the call is established.
//!
//! ```no_run
//! use msgraph_calls::inbound::Receiver;
//! use msgraph_calls::resources::Modality;
//! use msgraph_calls::testing::Graph;
//! use msgraph_calls::types::{AnswerRequest, MediaConfig};
//!
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let call_id = "57dab8b1-894c-409a-b240-bd8beae78896";
//! // The bot's callback, here a bare listener the test reads from.
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! let callback = format!("http://{}/api/calls", listener.local_addr()?);
//! let graph = Graph::start("bot-app-id", "tenant-id", &callback).await?;
//! let receiver = Receiver::new(graph.validator().build()?);
//! // ... serve `receiver` at `callback` with any HTTP framework, then:
//! graph.incoming_call(call_id, "+12345678901").await?;
//! let client = msgraph_calls::Client::builder()
//!     .base_url(graph.base_url())
//!     .token(msgraph_calls::auth::StaticToken::new("test-token"))
//!     .build()?;
//! let answer = AnswerRequest::new([Modality::Audio], MediaConfig::service_hosted())
//!     .with_callback_uri(callback);
//! client.answer(call_id, &answer).await?;
//! assert!(graph.requests().iter().any(|r| r.target.ends_with("/answer")));
//! # Ok(()) }
//! ```
//!
//! Key generation uses the `rsa` crate, which is slow unoptimized: in the profile your tests
//! build with, set `[profile.dev.package.num-bigint-dig] opt-level = 3` (and the same for
//! `rsa`), or each key takes seconds.

mod balancer;
mod graph;
mod http1;
mod redis;
mod server;
pub mod signer;

pub use balancer::{Balancer, Spread};
pub use graph::{Graph, Knobs, NotifyError};
pub use redis::{RedisServer, RedisServerError};
pub use server::{Recorded, Reply, StandIn};

/// Makes `validator`'s last fetch of the keys look `by` older, as if that time had passed: a
/// test of key rotation need not sleep out the least gap between fetches
/// ([`MIN_REFRESH_GAP`](crate::inbound::MIN_REFRESH_GAP) or more).
///
/// ```
/// # use msgraph_calls::inbound::Validator;
/// # let validator = Validator::builder("app").build().unwrap();
/// msgraph_calls::testing::age_keys(&validator, std::time::Duration::from_secs(10 * 60));
/// ```
pub fn age_keys(validator: &crate::inbound::Validator, by: std::time::Duration) {
    validator.keys().age(by);
}

/// Reads a request body as an operation's request type, or says where it does not.
pub(crate) type ReadBody = fn(&[u8]) -> Result<(), String>;

/// One operation as the stand-in answers it: a row of the generated `STAND_IN_ROUTES`.
pub(crate) struct Route {
    /// The operation's method name (`x-rust-name`).
    pub(crate) name: &'static str,
    /// `GET`, `POST`, `DELETE`.
    pub(crate) method: &'static str,
    /// The path template, `{..}` for each id.
    pub(crate) path: &'static str,
    /// The success status of its doc page.
    pub(crate) status: u16,
    /// The doc page's example response, when the success response has a body.
    pub(crate) example: Option<&'static str>,
    /// Reads a request body as the operation's request type, or says where it does not.
    pub(crate) reads: Option<ReadBody>,
}

impl Route {
    /// The ids of `path` (`/communications/calls/abc/answer`) when it is this operation's,
    /// each with its name in the template.
    pub(crate) fn matches(&self, method: &str, path: &str) -> Option<Vec<(&'static str, String)>> {
        if method != self.method {
            return None;
        }
        let mut template = self.path.split('/');
        let mut actual = path.split('/');
        let mut ids = Vec::new();
        loop {
            match (template.next(), actual.next()) {
                (None, None) => return Some(ids),
                (Some(t), Some(a)) => match t.strip_prefix('{').and_then(|t| t.strip_suffix('}')) {
                    Some(name) if !a.is_empty() => ids.push((name, a.to_owned())),
                    Some(_) => return None,
                    None if t == a => {}
                    None => return None,
                },
                _ => return None,
            }
        }
    }
}

/// Reads `body` as a `T`, or names the JSON path where it does not.
pub(crate) fn reads<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<(), String> {
    let mut json = serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize::<_, T>(&mut json)
        .map(drop)
        .map_err(|e| {
            let path = e.path().to_string();
            format!("at {path}: {}", e.into_inner())
        })
}
