//! [`StandIn`]: a real HTTP/1.1 server on 127.0.0.1 that records every request and answers
//! with what the test tells it to, down to the failures Graph's network can have (a reply cut
//! short, a connection dropped once the request was sent, a body that never ends).

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// The longest request body the server reads; a request announcing more is closed unread.
const MAX_REQUEST_BODY: usize = 16 * 1024 * 1024;

/// A request as the server received it.
///
/// ```no_run
/// # async fn demo(graph: msgraph_calls::testing::StandIn) {
/// for request in graph.requests() {
///     println!("{} {} ({} bytes)", request.method, request.target, request.body.len());
/// }
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
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

type Responder = dyn Fn(&Recorded) -> Reply + Send + Sync;

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
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve(stream, responder.clone(), recorded.clone()));
            }
        });
        StandIn {
            addr,
            requests,
            task,
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
    }
}

async fn serve(
    stream: TcpStream,
    responder: Arc<Responder>,
    recorded: Option<Arc<Mutex<Vec<Recorded>>>>,
) {
    let mut stream = BufReader::new(stream);
    // One request after another on the same connection, until the client closes it.
    while let Some(request) = read_request(&mut stream).await {
        let reply = responder(&request);
        if let Some(recorded) = &recorded {
            recorded
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(request);
        }
        if !reply.delay.is_zero() {
            tokio::time::sleep(reply.delay).await;
        }
        if reply.drop_connection {
            return;
        }
        if reply.cut_short {
            let _ = stream
                .get_mut()
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-le")
                .await;
            return;
        }
        let length = if reply.endless_body {
            1 << 40
        } else {
            reply.body.len()
        };
        let mut head = format!(
            "HTTP/1.1 {} {}\r\ncontent-length: {length}\r\n",
            reply.status,
            reason(reply.status),
        );
        for (name, value) in &reply.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        let inner = stream.get_mut();
        if reply.endless_body {
            let chunk = vec![b'x'; 64 * 1024];
            let _ = inner.write_all(head.as_bytes()).await;
            while inner.write_all(&chunk).await.is_ok() {}
            return;
        }
        if inner.write_all(head.as_bytes()).await.is_err()
            || inner.write_all(&reply.body).await.is_err()
        {
            return;
        }
    }
}

async fn read_request(stream: &mut BufReader<TcpStream>) -> Option<Recorded> {
    let mut line = String::new();
    if stream.read_line(&mut line).await.ok()? == 0 {
        return None;
    }
    let mut parts = line.trim_end().splitn(3, ' ');
    let method = parts.next()?.to_owned();
    let target = parts.next()?.to_owned();
    let mut headers = Vec::new();
    loop {
        line.clear();
        if stream.read_line(&mut line).await.ok()? == 0 {
            return None;
        }
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        let (name, value) = header.split_once(':')?;
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
    }
    let length = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .unwrap_or(0);
    // A test's requests are small: a larger length is a broken request, not a reason to
    // allocate it.
    if length > MAX_REQUEST_BODY {
        return None;
    }
    let mut body = vec![0; length];
    stream.read_exact(&mut body).await.ok()?;
    Some(Recorded {
        method,
        target,
        headers,
        body,
        at: Instant::now(),
    })
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        202 => "Accepted",
        204 => "No Content",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Status",
    }
}
