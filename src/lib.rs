#![doc = include_str!("../README.md")]
#![warn(missing_docs)]
#![forbid(unsafe_code)]
// On docs.rs (`--cfg docsrs`), each feature-gated item is marked with its feature.
#![cfg_attr(docsrs, feature(doc_cfg))]
// The modules, by what they are about:
// - generated: what build.rs made from schema/ (the one place it is included);
// - client, transport, http, ids, retry, error, auth, cloud, blocking, bodies, join_url, raw,
//   pages: calling Graph;
// - notifications, resources, wire, odata_type, graph_int: reading what Graph POSTs to the
//   bot, and the call resources it and the operations carry;
// - termination, diag_code: why a call ended;
// - inbound: who sent a callback;
// - sessions: calls that follow their notifications;
// - testing: a stand-in for Graph and a token signer, for tests.

pub mod auth;
#[cfg(feature = "blocking")]
pub mod blocking;
pub mod bodies;
pub mod client;
mod cloud;
mod diag_code;
pub mod error;
mod generated;
mod graph_int;
mod http;
mod ids;
#[cfg(feature = "inbound")]
pub mod inbound;
pub mod join_url;
pub mod notifications;
mod odata_type;
pub mod pages;
pub mod raw;
pub mod resources;
mod retry;
#[cfg(feature = "sessions")]
pub mod sessions;
pub mod termination;
#[cfg(feature = "testing")]
pub mod testing;
mod transport;
mod wire;

pub use client::Client;
pub use cloud::Cloud;
pub use error::{Error, ErrorResponse};
pub use generated::types;
pub use graph_int::{GraphInt, GraphInt32, GraphInt64, Width};
pub use retry::RetryPolicy;
