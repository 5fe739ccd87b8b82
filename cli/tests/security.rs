//! Secrets stay secret, browsers from other origins get no access, and oversized headers
//! are refused — checked on the real `xeno` binary.
//!
//! The engine runs as a child process logging at `trace` with stdout and stderr captured,
//! syncs a simulated shop (Admin access token), takes signed and badly signed webhooks, and
//! answers API calls with the right, wrong and query-string tokens and a range of errors.
//! Then no webhook secret, access token or API token may appear in the captured output or
//! in any response body.

mod common;

use std::fs::File;
use std::net::SocketAddr;
use std::process::{Child, Stdio};
use std::time::Duration;

use common::process::{engine_command, ScratchDir};
use common::raw_http::{self, Ending};
use common::sim_store::{config_text_for, sim_config, wait_run_completed, ACCESS_TOKEN};
use common::*;
use tokio::io::AsyncWriteExt;
use xeno_sim::Sim;

/// Every secret the engine holds.
const SECRETS: [&str; 3] = [SECRET, ACCESS_TOKEN, API_TOKEN];

/// The engine child, killed when dropped (also when the test fails).
struct Logged(Child);

impl Drop for Logged {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Response bodies seen, to search for secrets at the end.
#[derive(Default)]
struct Seen(Vec<String>);

impl Seen {
    async fn call(&mut self, req: reqwest::RequestBuilder) -> (u16, reqwest::header::HeaderMap) {
        let r = req.send().await.expect("request");
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        self.0.push(r.text().await.unwrap_or_default());
        (status, headers)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn no_secret_reaches_the_log_or_a_response_and_other_origins_get_no_cors() {
    let h = Harness::new().await;
    let sim = Sim::start(sim_config(5, 3, 5)).await.unwrap();
    let addr: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().unwrap();
    let dir = ScratchDir::new("xeno-security");
    let config = config_text_for(&h, &sim, &addr.to_string(), None, "");
    let path = dir.write("engine.toml", &config);
    let (out_path, err_path) = (dir.path().join("stdout"), dir.path().join("stderr"));
    let child = engine_command(&path)
        .env("XENO_LOG", "trace")
        .stdout(Stdio::from(File::create(&out_path).unwrap()))
        .stderr(Stdio::from(File::create(&err_path).unwrap()))
        .spawn()
        .expect("xeno runs");
    let engine = Logged(child);
    h.wait_ready(addr).await;
    let base = format!("http://{addr}");
    let mut seen = Seen::default();

    sync_twice(&h, &base, &mut seen).await;
    send_signed_and_badly_signed_webhooks(&h, &base, &mut seen).await;
    call_the_api_right_and_wrong(&h, &base, &mut seen).await;
    read_the_live_stream(&h, &base, &mut seen).await;
    assert_other_origins_get_no_cors(&h, &base, &mut seen).await;
    assert_a_huge_header_is_refused(addr).await;

    drop(engine);
    sim.shutdown().await;
    let output = [out_path, err_path]
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap_or_default())
        .collect::<String>();
    assert!(
        output.contains("TRACE") || output.contains("\"trace\""),
        "the engine logged at trace ({} bytes)",
        output.len()
    );
    assert_no_secret_in(&output, &seen);
}

/// The start-up backfill uses the Admin access token; then a sync asked for by API.
async fn sync_twice(h: &Harness, base: &str, seen: &mut Seen) {
    wait_run_completed(h, "full", 120).await;
    let (s, _) = seen
        .call(
            h.http
                .post(format!("{base}/api/sync"))
                .bearer_auth(API_TOKEN)
                .json(&serde_json::json!({"shop": SHOP, "mode": "incremental"})),
        )
        .await;
    assert_eq!(s, 202);
    wait_run_completed(h, "incremental", 120).await;
}

async fn send_signed_and_badly_signed_webhooks(h: &Harness, base: &str, seen: &mut Seen) {
    let body = br#"{"id":9100001,"updated_at":"2025-01-01T00:00:00Z","line_items":[]}"#;
    for (sig, want) in [
        (xeno_shopify::signature::sign(SECRET.as_bytes(), body), 200),
        (xeno_shopify::signature::sign(b"wrong", body), 401),
    ] {
        let mut req = h
            .http
            .post(format!("{base}/api/webhooks"))
            .body(body.to_vec());
        for (k, v) in webhook_headers("orders/create", &uid(), &sig) {
            req = req.header(k, v);
        }
        assert_eq!(seen.call(req).await.0, want);
    }
}

/// API calls with the right token, wrong ones, and errors: none is a 5xx.
async fn call_the_api_right_and_wrong(h: &Harness, base: &str, seen: &mut Seen) {
    for path in [
        "/api/stats",
        "/api/shops",
        "/api/sync-status",
        "/api/health",
        "/api/dead-letters",
    ] {
        let (s, _) = seen
            .call(h.http.get(format!("{base}{path}")).bearer_auth(API_TOKEN))
            .await;
        assert_eq!(s, 200, "{path}");
        let (s, _) = seen
            .call(h.http.get(format!("{base}{path}")).bearer_auth(SECRET))
            .await;
        assert_eq!(s, 401, "{path} with the webhook secret as a token");
    }
    for req in [
        h.http
            .get(format!("{base}/api/stats?from=nonsense"))
            .bearer_auth(API_TOKEN),
        h.http
            .get(format!("{base}/api/stats?access_token={API_TOKEN}")),
        h.http.get(format!(
            "{base}/api/events/stream?access_token=not-the-token"
        )),
        h.http
            .post(format!("{base}/api/sync"))
            .bearer_auth(API_TOKEN)
            .body("{"),
        h.http.get(format!("{base}/metrics")),
        h.http.get(format!("{base}/readyz")),
    ] {
        let (s, _) = seen.call(req).await;
        assert!(s < 500, "{s}");
    }
}

/// The live stream with its query-string token: reads its first events.
async fn read_the_live_stream(h: &Harness, base: &str, seen: &mut Seen) {
    let mut stream = h
        .http
        .get(format!(
            "{base}/api/events/stream?access_token={API_TOKEN}&level=debug"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), 200);
    let mut events = String::new();
    while let Ok(Ok(Some(chunk))) =
        tokio::time::timeout(Duration::from_secs(2), stream.chunk()).await
    {
        events.push_str(&String::from_utf8_lossy(&chunk));
    }
    drop(stream);
    seen.0.push(events);
}

/// No configured origins means no CORS headers, for a preflight or a real call.
async fn assert_other_origins_get_no_cors(h: &Harness, base: &str, seen: &mut Seen) {
    let (_, headers) = seen
        .call(
            h.http
                .request(reqwest::Method::OPTIONS, format!("{base}/api/stats"))
                .header("Origin", "https://evil.example")
                .header("Access-Control-Request-Method", "GET")
                .header("Access-Control-Request-Headers", "authorization"),
        )
        .await;
    assert!(
        !headers.contains_key("access-control-allow-origin"),
        "preflight: {headers:?}"
    );
    let (s, headers) = seen
        .call(
            h.http
                .get(format!("{base}/api/stats"))
                .header("Origin", "https://evil.example")
                .bearer_auth(API_TOKEN),
        )
        .await;
    assert_eq!(s, 200);
    assert!(
        !headers.contains_key("access-control-allow-origin")
            && !headers.contains_key("access-control-allow-credentials"),
        "GET: {headers:?}"
    );
}

/// A 1 MB header is refused (431) or the connection closed, promptly.
async fn assert_a_huge_header_is_refused(addr: SocketAddr) {
    let mut socket = raw_http::connect(addr).await;
    let big = vec![("X-Padding".to_string(), "a".repeat(1024 * 1024))];
    let head = raw_http::head("GET", "/api/stats", &big, None);
    let _ = socket.write_all(head.as_bytes()).await;
    let ending = raw_http::read_ending(&mut socket, Duration::from_secs(10)).await;
    assert!(
        matches!(
            ending,
            Ending::Closed | Ending::Response { status: 431, .. }
        ),
        "{ending:?}"
    );
}

/// No secret is in the engine's output or in any response it gave.
fn assert_no_secret_in(output: &str, seen: &Seen) {
    for secret in SECRETS {
        if let Some(at) = output.find(secret) {
            let from = output[..at].rfind('\n').map_or(0, |i| i + 1);
            let to = output[at..].find('\n').map_or(output.len(), |i| at + i);
            panic!(
                "`{secret}` is in the engine's output: {}",
                &output[from..to]
            );
        }
        for body in &seen.0 {
            assert!(!body.contains(secret), "`{secret}` in a response: {body}");
        }
    }
    eprintln!(
        "{} bytes of trace output, {} responses searched",
        output.len(),
        seen.0.len()
    );
}
