//! A webhook receiver the tests run (alerts, feed webhooks): takes HTTP/1.1 POSTs on a free
//! port, refuses the first few with 503 (to prove retries), records the rest.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// One POST the receiver took: its headers (lower-case names) and body.
#[derive(Debug, Clone)]
pub struct Received {
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }
}

/// A webhook receiver on a free port: refuses its first `refuse` requests with 503, then
/// records and answers 200.
pub struct Receiver {
    pub url: String,
    taken: Arc<Mutex<Vec<Received>>>,
    refused: Arc<Mutex<usize>>,
}

impl Receiver {
    pub async fn start(refuse: usize) -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hooks/ops", listener.local_addr().unwrap());
        let taken = Arc::new(Mutex::new(Vec::new()));
        let refused = Arc::new(Mutex::new(0));
        let (t, r) = (taken.clone(), refused.clone());
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (t, r) = (t.clone(), r.clone());
                tokio::spawn(async move {
                    let (read, mut write) = stream.into_split();
                    let mut read = BufReader::new(read);
                    // One request after another on a kept-alive connection.
                    while let Some(request) = read_request(&mut read).await {
                        let refuse_this = {
                            let mut n = r.lock().unwrap();
                            let refuse_this = *n < refuse;
                            if refuse_this {
                                *n += 1;
                            }
                            refuse_this
                        };
                        let answer: &[u8] = if refuse_this {
                            b"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\n\r\n"
                        } else {
                            t.lock().unwrap().push(request);
                            b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok"
                        };
                        if write.write_all(answer).await.is_err() {
                            break;
                        }
                    }
                });
            }
        });
        Receiver {
            url,
            taken,
            refused,
        }
    }

    pub fn taken(&self) -> Vec<Received> {
        self.taken.lock().unwrap().clone()
    }

    /// Requests refused so far.
    pub fn refused(&self) -> usize {
        *self.refused.lock().unwrap()
    }
}

async fn read_request<R: tokio::io::AsyncRead + Unpin>(
    read: &mut BufReader<R>,
) -> Option<Received> {
    let mut line = String::new();
    if read.read_line(&mut line).await.ok()? == 0 {
        return None;
    }
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        read.read_line(&mut h).await.ok()?;
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        let (k, v) = h.split_once(':')?;
        headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
    }
    let length: usize = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    read.read_exact(&mut body).await.ok()?;
    Some(Received { headers, body })
}

impl Receiver {
    /// Waits until the receiver holds `n` messages.
    pub async fn wait_taken(&self, n: usize, secs: u64) -> Vec<Received> {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            let taken = self.taken();
            if taken.len() >= n {
                return taken;
            }
            assert!(
                Instant::now() < deadline,
                "the receiver holds {} message(s), not {n}: {:?}",
                taken.len(),
                taken.iter().map(Received::json).collect::<Vec<_>>()
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}
