//! A blocking client, for programs without an async runtime (feature `blocking`): every
//! operation method of [`crate::Client`] (generated with it), and `hang_up`. The lists' `_all`
//! methods, `send_raw` and `for_tenant` are the async client's only.
//!
//! It runs the async [`Client`](crate::Client) on a runtime of its own, so every behaviour
//! (tokens, retries, errors) is the same.

use crate::client::{Client as AsyncClient, ClientBuilder, HangUp};
use crate::error::Error;

/// The blocking form of [`crate::Client`].
///
/// ```no_run
/// use msgraph_calls::{auth::StaticToken, Client};
///
/// let client = Client::builder().token(StaticToken::new("token")).build_blocking()?;
/// client.delete_call("57dab8b1-894c-409a-b240-bd8beae78896")?;
/// # Ok::<(), msgraph_calls::Error>(())
/// ```
#[derive(Debug)]
pub struct Client {
    inner: AsyncClient,
    runtime: tokio::runtime::Runtime,
}

impl ClientBuilder {
    /// Builds a [`blocking::Client`](Client). Fails, rather than panicking later, when called
    /// inside an async runtime: use the async client there.
    pub fn build_blocking(self) -> Result<Client, Error> {
        refuse_inside_a_runtime()?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Error::Config {
                reason: format!("the blocking client's runtime cannot start: {e}"),
            })?;
        // The HTTP client's connection pool belongs to the runtime it is built in.
        let inner = runtime.block_on(async { self.build() })?;
        Ok(Client { inner, runtime })
    }
}

impl Client {
    /// The API root requests go to.
    pub fn base_url(&self) -> &str {
        self.inner.base_url()
    }

    /// Blocks on [`crate::Client::hang_up`].
    pub fn hang_up(&self, call_id: &str) -> Result<HangUp, Error> {
        self.block_on(self.inner.hang_up(call_id))
    }

    /// The async client, for the generated operation methods (`OUT_DIR/operations.rs`).
    pub(crate) fn inner(&self) -> &AsyncClient {
        &self.inner
    }

    /// Runs `operation` on the client's runtime; refused inside another runtime.
    pub(crate) fn block_on<T>(
        &self,
        operation: impl std::future::Future<Output = Result<T, Error>>,
    ) -> Result<T, Error> {
        refuse_inside_a_runtime()?;
        self.runtime.block_on(operation)
    }
}

fn refuse_inside_a_runtime() -> Result<(), Error> {
    if tokio::runtime::Handle::try_current().is_ok() {
        return Err(Error::Config {
            reason: "the blocking client cannot run inside an async runtime; use msgraph_calls::Client there".into(),
        });
    }
    Ok(())
}
