//! [`StandIn`]: a real HTTP/1.1 server on 127.0.0.1 that records every request and answers
//! with what the test tells it to, down to the failures Graph's network can have (a reply cut
//! short, a connection dropped once the request was sent, a body that never ends).

use std::fmt;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::net::TcpListener;
use tokio::task::AbortHandle;

use super::http1::{serve, Responder};

/// A request as the server received it.
///
/// ```no_run
/// # async fn demo(graph: msgraph_calls::testing::StandIn) {
/// for request in graph.requests() {
///     println!("{} {} ({} bytes)", request.method, request.target, request.body.len());
/// }
/// # }
/// ```
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Recorded {
    /// `GET`, `POST`, `DELETE`, ...
    pub method: String,
    /// The request target exactly as sent (path and query, still percent-encoded).
    pub target: String,
    /// Header names in lower case, in the order received.
    pub headers: Vec<(String, String)>,
    /// The body, as sent.
    pub body: Vec<u8>,
    /// When the request had been read.
    pub at: Instant,
}

impl fmt::Debug for Recorded {
    /// Every field, the `Authorization` header's value shown as `<redacted>`: a test's failure
    /// message must not print a token.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(name, value)| match name.as_str() {
                "authorization" => (name.as_str(), "<redacted>"),
                _ => (name.as_str(), value.as_str()),
            })
            .collect();
        f.debug_struct("Recorded")
            .field("method", &self.method)
            .field("target", &self.target)
            .field("headers", &headers)
            .field("body", &String::from_utf8_lossy(&self.body))
            .field("at", &self.at)
            .finish()
    }
}

impl Recorded {
    /// The first value of the header `name` (any letter case).
    ///
    /// ```no_run
    /// # fn demo(request: msgraph_calls::testing::Recorded) {
    /// let authorization = request.header("Authorization");
    /// # }
    /// ```
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// What the server answers.
///
/// ```
/// use msgraph_calls::testing::Reply;
///
/// let throttled = Reply::json(429, r#"{"error":{"code":"TooManyRequests","message":"Slow down."}}"#)
///     .header("retry-after", "1");
/// assert_eq!(throttled.status, 429);
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Reply {
    /// The status code.
    pub status: u16,
    /// Headers, beside `content-length`, which the server writes.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
    /// Wait this long before answering.
    pub delay: Duration,
    /// Send the status line and half the headers, then close the connection.
    pub cut_short: bool,
    /// Close the connection once the request is read, answering nothing.
    pub drop_connection: bool,
    /// After the headers, send `x` until the client stops reading (`content-length` says 1 TB).
    pub endless_body: bool,
}

impl Reply {
    /// `status`, no header, no body.
    ///
    /// ```
    /// assert_eq!(msgraph_calls::testing::Reply::status(204).body, b"");
    /// ```
    pub fn status(status: u16) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            body: Vec::new(),
            delay: Duration::ZERO,
            cut_short: false,
            drop_connection: false,
            endless_body: false,
        }
    }

    /// The same reply, sent `delay` after the request was read: a slow Graph.
    ///
    /// ```
    /// # use std::time::Duration;
    /// let slow = msgraph_calls::testing::Reply::status(204).after(Duration::from_secs(5));
    /// ```
    pub fn after(mut self, delay: Duration) -> Reply {
        self.delay = delay;
        self
    }

    /// A response that stops in the middle of its headers: the connection closes.
    ///
    /// ```
    /// assert!(msgraph_calls::testing::Reply::cut_short().cut_short);
    /// ```
    pub fn cut_short() -> Reply {
        Reply {
            cut_short: true,
            ..Reply::status(200)
        }
    }

    /// No response at all: the connection closes once the request has been read, as when a
    /// connection is reset after the request was sent.
    ///
    /// ```
    /// assert!(msgraph_calls::testing::Reply::drop_connection().drop_connection);
    /// ```
    pub fn drop_connection() -> Reply {
        Reply {
            drop_connection: true,
            ..Reply::status(200)
        }
    }

    /// A body that never ends: `x` after `x`, for as long as the client reads.
    ///
    /// ```
    /// let endless = msgraph_calls::testing::Reply::status(500).endless_body();
    /// ```
    pub fn endless_body(mut self) -> Reply {
        self.endless_body = true;
        self
    }

    /// `status` with a JSON `body` (and its content type).
    ///
    /// ```
    /// let found = msgraph_calls::testing::Reply::json(200, r#"{"id":"1"}"#);
    /// assert_eq!(found.headers[0], ("content-type".to_owned(), "application/json".to_owned()));
    /// ```
    pub fn json(status: u16, body: &str) -> Reply {
        Reply::status(status)
            .header("content-type", "application/json")
            .body(body)
    }

    /// The same reply with one more header.
    ///
    /// ```
    /// let reply = msgraph_calls::testing::Reply::status(503).header("retry-after", "2");
    /// ```
    pub fn header(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// The same reply with `body`.
    ///
    /// ```
    /// let reply = msgraph_calls::testing::Reply::status(400).body("not JSON");
    /// ```
    pub fn body(mut self, body: &str) -> Reply {
        self.body = body.as_bytes().to_vec();
        self
    }
}

/// A scripted HTTP server on 127.0.0.1, answering each request as a function of it; it stops
/// when dropped. Point a [`Client`](crate::Client) at [`StandIn::base_url`] to test how a bot
/// meets Graph's failures; [`Graph`](super::Graph) is the stand-in that answers as Graph does.
///
/// ```no_run
/// use msgraph_calls::testing::{Reply, StandIn};
///
/// # async fn demo() -> Result<(), msgraph_calls::Error> {
/// // Throttled once, then the hang-up succeeds.
/// let graph = StandIn::script(vec![
///     Reply::status(429).header("retry-after", "0"),
///     Reply::status(204),
/// ])
/// .await;
/// let client = msgraph_calls::Client::builder()
///     .base_url(graph.base_url())
///     .token(msgraph_calls::auth::StaticToken::new("test-token"))
///     .build()?;
/// client.delete_call("57dab8b1-894c-409a-b240-bd8beae78896").await?;
/// assert_eq!(graph.requests().len(), 2);
/// # Ok(()) }
/// ```
pub struct StandIn {
    addr: SocketAddr,
    requests: Arc<Mutex<Vec<Recorded>>>,
    task: tokio::task::JoinHandle<()>,
    /// The open connections' tasks: dropped with the server, so that nothing it answers (nor
    /// what its responder holds) outlives it.
    connections: Arc<Mutex<Vec<AbortHandle>>>,
}

impl StandIn {
    /// Answers each request with the next reply of `replies`, and the last one ever after
    /// (`500` if there is none).
    ///
    /// ```no_run
    /// # async fn demo() {
    /// let graph = msgraph_calls::testing::StandIn::script(vec![msgraph_calls::testing::Reply::status(204)]).await;
    /// # }
    /// ```
    pub async fn script(replies: Vec<Reply>) -> StandIn {
        let next = std::sync::atomic::AtomicUsize::new(0);
        StandIn::start(move |_| {
            let index = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            match replies.get(index.min(replies.len().saturating_sub(1))) {
                Some(reply) => reply.clone(),
                None => Reply::status(500),
            }
        })
        .await
    }

    /// Starts a server on an ephemeral port of 127.0.0.1 that answers each request with what
    /// `responder` returns for it. Call it within a tokio runtime.
    ///
    /// # Panics
    ///
    /// When no port of 127.0.0.1 can be bound.
    ///
    /// ```no_run
    /// # async fn demo() {
    /// use msgraph_calls::testing::{Reply, StandIn};
    ///
    /// let graph = StandIn::start(|request| match request.method.as_str() {
    ///     "DELETE" => Reply::status(204),
    ///     _ => Reply::status(404),
    /// })
    /// .await;
    /// # }
    /// ```
    pub async fn start(responder: impl Fn(&Recorded) -> Reply + Send + Sync + 'static) -> StandIn {
        StandIn::launch(Arc::new(responder), true).await
    }

    /// The same server, keeping no record of requests: for benchmarks.
    ///
    /// ```no_run
    /// # async fn demo() {
    /// let graph = msgraph_calls::testing::StandIn::start_unrecorded(|_| msgraph_calls::testing::Reply::status(204)).await;
    /// # }
    /// ```
    pub async fn start_unrecorded(
        responder: impl Fn(&Recorded) -> Reply + Send + Sync + 'static,
    ) -> StandIn {
        StandIn::launch(Arc::new(responder), false).await
    }

    async fn launch(responder: Arc<Responder>, record: bool) -> StandIn {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1");
        let addr = listener.local_addr().expect("local address");
        let requests = Arc::new(Mutex::new(Vec::new()));
        let recorded = record.then(|| requests.clone());
        let connections = Arc::new(Mutex::new(Vec::<AbortHandle>::new()));
        let open = connections.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let connection = tokio::spawn(serve(stream, responder.clone(), recorded.clone()));
                let mut open = open.lock().unwrap_or_else(|e| e.into_inner());
                open.retain(|handle| !handle.is_finished());
                open.push(connection.abort_handle());
            }
        });
        StandIn {
            addr,
            requests,
            task,
            connections,
        }
    }

    /// The API root with its version segment, as a client is given it:
    /// `http://127.0.0.1:<port>/v1.0`.
    ///
    /// ```no_run
    /// # fn demo(graph: msgraph_calls::testing::StandIn) {
    /// assert!(graph.base_url().ends_with("/v1.0"));
    /// # }
    /// ```
    pub fn base_url(&self) -> String {
        format!("http://{}/v1.0", self.addr)
    }

    /// The server's origin, `http://127.0.0.1:<port>`.
    ///
    /// ```no_run
    /// # fn demo(graph: msgraph_calls::testing::StandIn) {
    /// assert!(graph.origin().starts_with("http://127.0.0.1:"));
    /// # }
    /// ```
    pub fn origin(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Every request received so far, in order.
    ///
    /// ```no_run
    /// # fn demo(graph: msgraph_calls::testing::StandIn) {
    /// let hang_ups = graph.requests().iter().filter(|r| r.method == "DELETE").count();
    /// # }
    /// ```
    pub fn requests(&self) -> Vec<Recorded> {
        self.requests
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

impl Drop for StandIn {
    fn drop(&mut self) {
        self.task.abort();
        let open = self.connections.lock().unwrap_or_else(|e| e.into_inner());
        for connection in open.iter() {
            connection.abort();
        }
    }
}
