//! HTTP/1.1 by hand over a TCP socket, for what a well-behaved client cannot do: trickle a
//! request byte by byte, announce a body it never sends, send a megabyte header, or open a
//! connection and say nothing. Used by the bad-input and security tests.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;

/// A request head: the request line, `headers` and `Content-Length` when `content_length`
/// is given, ending with the blank line.
pub fn head(
    method: &str,
    path: &str,
    headers: &[(String, String)],
    content_length: Option<u64>,
) -> String {
    let mut text = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    for (k, v) in headers {
        text.push_str(&format!("{k}: {v}\r\n"));
    }
    if let Some(len) = content_length {
        text.push_str(&format!("Content-Length: {len}\r\n"));
    }
    text.push_str("\r\n");
    text
}

pub async fn connect(addr: SocketAddr) -> TcpStream {
    TcpStream::connect(addr)
        .await
        .expect("connect to the engine")
}

/// How a connection ended from the client's side.
#[derive(Debug, PartialEq, Eq)]
pub enum Ending {
    /// A response arrived: its status and everything read after the head (possibly partial).
    Response { status: u16, text: String },
    /// The server closed (or reset) the connection without a response.
    Closed,
    /// Nothing happened within the time given.
    Silent,
}

/// Reads from `stream` until a whole response head (and what follows of it within a short
/// grace), the connection's end, or `within` passes.
pub async fn read_ending<R: AsyncRead + Unpin>(stream: &mut R, within: Duration) -> Ending {
    let deadline = Instant::now() + within;
    let mut got = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let read = match tokio::time::timeout(left, stream.read(&mut buf)).await {
            Err(_) => return parse(&got).unwrap_or(Ending::Silent),
            Ok(r) => r,
        };
        match read {
            Ok(0) | Err(_) => return parse(&got).unwrap_or(Ending::Closed),
            Ok(n) => got.extend_from_slice(&buf[..n]),
        }
        if let Some(end) = find(&got, b"\r\n\r\n") {
            // The head is in; give the body a moment, then answer with what arrived.
            let grace = Instant::now() + Duration::from_millis(300);
            while got.len() < end + 4 + 4096 {
                let left = grace.saturating_duration_since(Instant::now());
                match tokio::time::timeout(left, stream.read(&mut buf)).await {
                    Ok(Ok(n)) if n > 0 => got.extend_from_slice(&buf[..n]),
                    _ => break,
                }
            }
            return parse(&got).unwrap_or(Ending::Closed);
        }
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn parse(got: &[u8]) -> Option<Ending> {
    let text = String::from_utf8_lossy(got);
    let status = text
        .strip_prefix("HTTP/1.1 ")
        .or_else(|| text.strip_prefix("HTTP/1.0 "))?
        .get(..3)?
        .parse()
        .ok()?;
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or("");
    Some(Ending::Response {
        status,
        text: body.to_string(),
    })
}

/// Writes `bytes` one at a time, `gap` apart, until all are written or the server stops
/// reading (the write fails). Returns how many were written.
pub async fn trickle<W: AsyncWrite + Unpin>(stream: &mut W, bytes: &[u8], gap: Duration) -> usize {
    for (i, b) in bytes.iter().enumerate() {
        if stream.write_all(&[*b]).await.is_err() {
            return i;
        }
        tokio::time::sleep(gap).await;
    }
    bytes.len()
}
