//! A real `redis-server` for tests, started on a free loopback port and stopped on drop.

use std::fmt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A `redis-server` (Debian's package `redis-server`) of the test's own: on 127.0.0.1, a free
/// port, a fresh directory, with the append-only file written at every change
/// (`appendonly yes`, `appendfsync always`), so that a restart loses nothing acknowledged.
/// Stopped, and its directory removed, on drop.
///
/// ```no_run
/// use msgraph_calls::testing::RedisServer;
///
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// let mut redis = RedisServer::start().await?;
/// let store = msgraph_calls::sessions::RedisStore::builder(redis.url()).connect().await?;
/// redis.restart().await?; // killed, then started again on its port and its files
/// # Ok(()) }
/// ```
pub struct RedisServer {
    child: Option<Child>,
    port: u16,
    dir: PathBuf,
}

/// Why a [`RedisServer`] did not start.
///
/// ```
/// use msgraph_calls::testing::RedisServerError;
///
/// let e = RedisServerError::NotInstalled;
/// assert!(e.to_string().contains("apt-get install redis-server"));
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum RedisServerError {
    /// `redis-server` is not on `PATH`.
    NotInstalled,
    /// It was found but did not start, or did not answer `PING`.
    Failed(String),
}

impl fmt::Display for RedisServerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RedisServerError::NotInstalled => f.write_str(
                "redis-server is not on PATH: install Debian's package (`apt-get install redis-server`)",
            ),
            RedisServerError::Failed(why) => write!(f, "redis-server did not start: {why}"),
        }
    }
}

impl std::error::Error for RedisServerError {}

impl RedisServer {
    /// Starts one, and waits until it answers `PING`.
    ///
    /// # Errors
    /// [`RedisServerError::NotInstalled`] when `redis-server` is not on `PATH`, else
    /// [`RedisServerError::Failed`] saying what went wrong.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), msgraph_calls::testing::RedisServerError> {
    /// let redis = msgraph_calls::testing::RedisServer::start().await?;
    /// println!("{}", redis.url());
    /// # Ok(()) }
    /// ```
    pub async fn start() -> Result<RedisServer, RedisServerError> {
        let dir = std::env::temp_dir().join(format!(
            "msgraph-calls-redis-{}-{}",
            std::process::id(),
            fastrand::u64(..)
        ));
        std::fs::create_dir_all(&dir)
            .map_err(|e| RedisServerError::Failed(format!("{}: {e}", dir.display())))?;
        let mut server = RedisServer {
            child: None,
            port: 0,
            dir,
        };
        // A port found free may be taken before the server binds it: a few tries.
        let mut last = RedisServerError::Failed("no free port".to_owned());
        for _ in 0..5 {
            server.port = free_port()?;
            match server.resume().await {
                Ok(()) => return Ok(server),
                Err(RedisServerError::NotInstalled) => return Err(RedisServerError::NotInstalled),
                Err(e) => last = e,
            }
        }
        Err(last)
    }

    /// Where it listens: `redis://127.0.0.1:<port>/`.
    ///
    /// ```no_run
    /// # async fn demo(redis: msgraph_calls::testing::RedisServer) {
    /// assert!(redis.url().starts_with("redis://127.0.0.1:"));
    /// # }
    /// ```
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    /// Its port.
    ///
    /// ```no_run
    /// # async fn demo(redis: msgraph_calls::testing::RedisServer) {
    /// assert!(redis.port() > 0);
    /// # }
    /// ```
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Kills it (`SIGKILL`: no chance to save anything more): Redis is unreachable until
    /// [`resume`](RedisServer::resume).
    ///
    /// ```no_run
    /// # async fn demo(mut redis: msgraph_calls::testing::RedisServer) {
    /// redis.stop();
    /// # }
    /// ```
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts it again on the same port and the same files, and waits until it answers.
    ///
    /// # Errors
    /// As [`start`](RedisServer::start).
    ///
    /// ```no_run
    /// # async fn demo(mut redis: msgraph_calls::testing::RedisServer) -> Result<(), msgraph_calls::testing::RedisServerError> {
    /// redis.stop();
    /// redis.resume().await?;
    /// # Ok(()) }
    /// ```
    pub async fn resume(&mut self) -> Result<(), RedisServerError> {
        self.stop();
        let child = Command::new("redis-server")
            .args(["--bind", "127.0.0.1", "--port"])
            .arg(self.port.to_string())
            .arg("--dir")
            .arg(&self.dir)
            .args([
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
                "--save",
                "",
            ])
            .args(["--daemonize", "no", "--logfile", "redis.log"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::NotFound => RedisServerError::NotInstalled,
                _ => RedisServerError::Failed(format!("spawning redis-server: {e}")),
            })?;
        self.child = Some(child);
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            if self.answers().await {
                return Ok(());
            }
            if let Some(child) = self.child.as_mut() {
                if let Ok(Some(status)) = child.try_wait() {
                    self.child = None;
                    let log =
                        std::fs::read_to_string(self.dir.join("redis.log")).unwrap_or_default();
                    let last = log.lines().last().unwrap_or("").to_owned();
                    return Err(RedisServerError::Failed(format!(
                        "it exited ({status}) on port {}: {last}",
                        self.port
                    )));
                }
            }
            if tokio::time::Instant::now() > deadline {
                self.stop();
                return Err(RedisServerError::Failed(format!(
                    "no answer to PING on port {} within 10 s",
                    self.port
                )));
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Kills it and starts it again, as [`stop`](RedisServer::stop) then
    /// [`resume`](RedisServer::resume).
    ///
    /// # Errors
    /// As [`start`](RedisServer::start).
    ///
    /// ```no_run
    /// # async fn demo(mut redis: msgraph_calls::testing::RedisServer) -> Result<(), msgraph_calls::testing::RedisServerError> {
    /// redis.restart().await?;
    /// # Ok(()) }
    /// ```
    pub async fn restart(&mut self) -> Result<(), RedisServerError> {
        self.resume().await
    }

    /// Whether it answers `PING` with `PONG` (not `LOADING` while it reads its files).
    async fn answers(&self) -> bool {
        let Ok(Ok(mut stream)) = tokio::time::timeout(
            Duration::from_millis(500),
            tokio::net::TcpStream::connect(("127.0.0.1", self.port)),
        )
        .await
        else {
            return false;
        };
        if stream.write_all(b"PING\r\n").await.is_err() {
            return false;
        }
        let mut reply = [0u8; 7];
        matches!(
            tokio::time::timeout(Duration::from_millis(500), stream.read(&mut reply)).await,
            Ok(Ok(n)) if reply[..n].starts_with(b"+PONG")
        )
    }
}

/// A port free on loopback now.
fn free_port() -> Result<u16, RedisServerError> {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .map_err(|e| RedisServerError::Failed(format!("finding a free port: {e}")))
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl fmt::Debug for RedisServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisServer")
            .field("port", &self.port)
            .field("running", &self.child.is_some())
            .finish()
    }
}
