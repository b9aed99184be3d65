//! [`Balancer`]: a load balancer on 127.0.0.1 in front of a fleet of bot instances, to test
//! that any instance serves any call.

use std::fmt;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::AbortHandle;

use super::http1::{read_request, reason};
use super::server::Recorded;

/// How a [`Balancer`] spreads requests over its instances.
///
/// ```
/// use msgraph_calls::testing::Spread;
///
/// // Each request to one instance picked at random; one in five to a second one as well.
/// let spread = Spread::Random { twice_in: 5 };
/// assert_ne!(spread, Spread::RoundRobin);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Spread {
    /// Each request to the next instance in turn.
    RoundRobin,
    /// Each request to an instance picked at random, and one in `twice_in` (when not 0) to a
    /// second one as well, as a balancer that retries a request it thinks lost does.
    Random {
        /// One request in this many goes to two instances; 0 for none.
        twice_in: u32,
    },
}

/// A load balancer on an ephemeral port of 127.0.0.1: each request goes to one of its
/// instances (`http://127.0.0.1:<port>`, the request's path appended), as [`Spread`] says; an
/// instance that cannot be reached (stopped) is skipped for the next, as a balancer's health
/// check would. The answer is the first instance's.
///
/// ```no_run
/// use msgraph_calls::testing::{Balancer, Spread};
///
/// # async fn demo() -> Result<(), msgraph_calls::Error> {
/// let instances = vec!["http://127.0.0.1:3978".to_owned(), "http://127.0.0.1:3979".to_owned()];
/// let balancer = Balancer::start(instances, Spread::RoundRobin).await?;
/// // Graph's callbacks go to the balancer.
/// let callback = format!("{}/api/calls", balancer.origin());
/// # Ok(()) }
/// ```
pub struct Balancer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    task: AbortHandle,
    connections: Arc<Mutex<Vec<AbortHandle>>>,
}

struct Shared {
    instances: Vec<String>,
    spread: Spread,
    http: reqwest::Client,
    next: AtomicUsize,
    forwarded: Mutex<Vec<usize>>,
}

impl fmt::Debug for Balancer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Balancer")
            .field("addr", &self.addr)
            .field("instances", &self.shared.instances)
            .field("spread", &self.shared.spread)
            .finish_non_exhaustive()
    }
}

impl Balancer {
    /// Starts a balancer in front of `instances` (origins: `http://127.0.0.1:<port>`). Call it
    /// within a tokio runtime.
    ///
    /// # Errors
    /// [`Error::Config`](crate::Error::Config) when no port of 127.0.0.1 can be bound or its
    /// HTTP client cannot be built.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), msgraph_calls::Error> {
    /// let balancer = msgraph_calls::testing::Balancer::start(
    ///     vec!["http://127.0.0.1:3978".to_owned()],
    ///     msgraph_calls::testing::Spread::Random { twice_in: 0 },
    /// )
    /// .await?;
    /// # Ok(()) }
    /// ```
    pub async fn start(instances: Vec<String>, spread: Spread) -> Result<Balancer, crate::Error> {
        let config = |reason: String| crate::Error::Config { reason };
        let http = crate::client::http_client_builder()?
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| config(format!("the balancer's HTTP client: {e}")))?;
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|e| config(format!("the balancer's port on 127.0.0.1: {e}")))?;
        let addr = listener
            .local_addr()
            .map_err(|e| config(format!("the balancer's port on 127.0.0.1: {e}")))?;
        let shared = Arc::new(Shared {
            forwarded: Mutex::new(vec![0; instances.len()]),
            instances,
            spread,
            http,
            next: AtomicUsize::new(0),
        });
        let connections = Arc::new(Mutex::new(Vec::<AbortHandle>::new()));
        let (serving, open) = (shared.clone(), connections.clone());
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let connection = tokio::spawn(serve(stream, serving.clone()));
                let mut open = open.lock().unwrap_or_else(|e| e.into_inner());
                open.retain(|handle| !handle.is_finished());
                open.push(connection.abort_handle());
            }
        });
        Ok(Balancer {
            addr,
            shared,
            task: task.abort_handle(),
            connections,
        })
    }

    /// The balancer's origin, `http://127.0.0.1:<port>`.
    ///
    /// ```no_run
    /// # fn demo(balancer: msgraph_calls::testing::Balancer) {
    /// assert!(balancer.origin().starts_with("http://127.0.0.1:"));
    /// # }
    /// ```
    pub fn origin(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// How many requests each instance was sent (and answered), in the order of the instances.
    ///
    /// ```no_run
    /// # fn demo(balancer: msgraph_calls::testing::Balancer) {
    /// let total: usize = balancer.forwarded().iter().sum();
    /// # }
    /// ```
    pub fn forwarded(&self) -> Vec<usize> {
        self.shared
            .forwarded
            .lock()
            .map(|f| f.clone())
            .unwrap_or_default()
    }
}

impl Drop for Balancer {
    fn drop(&mut self) {
        self.task.abort();
        if let Ok(open) = self.connections.lock() {
            open.iter().for_each(AbortHandle::abort);
        }
    }
}

/// What an instance answered: status, content type, body.
type Answer = (u16, Option<String>, Vec<u8>);

async fn serve(stream: TcpStream, shared: Arc<Shared>) {
    let mut stream = BufReader::new(stream);
    while let Some(request) = read_request(&mut stream).await {
        let (status, content_type, body) = shared.forward(&request).await;
        let mut head = format!(
            "HTTP/1.1 {status} {}\r\ncontent-length: {}\r\n",
            reason(status),
            body.len()
        );
        if let Some(content_type) = content_type {
            head.push_str(&format!("content-type: {content_type}\r\n"));
        }
        head.push_str("\r\n");
        let inner = stream.get_mut();
        if inner.write_all(head.as_bytes()).await.is_err() || inner.write_all(&body).await.is_err()
        {
            return;
        }
    }
}

impl Shared {
    /// Sends `request` as the spread says; the answer of the first instance reached.
    async fn forward(self: &Arc<Self>, request: &Recorded) -> Answer {
        let count = self.instances.len();
        if count == 0 {
            return (502, None, b"no instance".to_vec());
        }
        let (first, twice) = match self.spread {
            Spread::RoundRobin => (self.next.fetch_add(1, Ordering::SeqCst) % count, false),
            Spread::Random { twice_in } => (
                fastrand::usize(..count),
                twice_in > 0 && count > 1 && fastrand::u32(..twice_in) == 0,
            ),
        };
        // The second copy goes to another instance at the same time; what it answers is not
        // Graph's to see.
        let second = twice.then(|| {
            let other = (first + 1 + fastrand::usize(..count - 1)) % count;
            let (shared, copy) = (self.clone(), request.clone());
            tokio::spawn(async move {
                let _ = shared.send(other, &copy).await;
            })
        });
        // Tried in turn from the one picked: a stopped instance is skipped.
        let mut answer = None;
        for step in 0..count {
            if let Some(got) = self.send((first + step) % count, request).await {
                answer = Some(got);
                break;
            }
        }
        if let Some(second) = second {
            let _ = second.await;
        }
        answer.unwrap_or((502, None, b"no instance answered".to_vec()))
    }

    async fn send(&self, at: usize, request: &Recorded) -> Option<Answer> {
        let url = format!("{}{}", self.instances[at], request.target);
        let method = reqwest::Method::from_bytes(request.method.as_bytes()).ok()?;
        let mut outgoing = self.http.request(method, url).body(request.body.clone());
        for (name, value) in &request.headers {
            if matches!(name.as_str(), "authorization" | "content-type") {
                outgoing = outgoing.header(name, value);
            }
        }
        let response = outgoing.send().await.ok()?;
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = response.bytes().await.ok()?.to_vec();
        if let Ok(mut forwarded) = self.forwarded.lock() {
            forwarded[at] += 1;
        }
        Some((status, content_type, body))
    }
}
