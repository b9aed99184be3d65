//! HTTP/1.1 as the stand-ins speak it on 127.0.0.1: one request after another on a
//! connection, bodies by `Content-Length`, and the failures a test asks for (a reply cut short,
//! a connection dropped once the request was read, a body that never ends). Test code: no
//! chunked requests, and a request announcing a body over 16 MiB is closed unread.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

use super::server::{Recorded, Reply};

/// The longest request body the server reads; a request announcing more is closed unread.
const MAX_REQUEST_BODY: usize = 16 * 1024 * 1024;

/// What answers each request.
pub(super) type Responder = dyn Fn(&Recorded) -> Reply + Send + Sync;

pub(super) async fn serve(
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

pub(super) async fn read_request(stream: &mut BufReader<TcpStream>) -> Option<Recorded> {
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

pub(super) fn reason(status: u16) -> &'static str {
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
