//! Process roles, black box: an `edge` process (a real `xeno run --roles edge`) and a
//! `writer,sync,api` process (in-process) on one PostgreSQL database and one stream. A
//! webhook the edge takes is written by the other process; each process serves only the
//! routes of its roles; `/api/health` lists both processes from the registry; the gauges
//! the `XenoRoleMissing` alert reads are exported; an unknown role is refused by name.

mod common;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use common::process::{engine_command, metric, EngineProcess, ScratchDir};
use common::*;

fn order_fixture() -> Vec<u8> {
    let order = unwrap_resource(&fixture("rest/shopify_python_api/order.json"), "order");
    serde_json::to_vec(&order).unwrap()
}

async fn status_of(req: reqwest::RequestBuilder) -> u16 {
    req.bearer_auth(API_TOKEN)
        .send()
        .await
        .expect("request")
        .status()
        .as_u16()
}

/// Polls `series` of `addr`'s `/metrics` until it is `want` (the registry's heartbeat comes
/// every 2 s), or fails after 20 s.
async fn wait_metric(h: &Harness, addr: SocketAddr, series: &str, want: f64) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let got = metric(&h.http, addr, series).await;
        if got == want {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{series} is {got}, expected {want}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn edge_and_writer_sync_api_processes_share_the_work() {
    let h = Harness::new().await;
    let dir = ScratchDir::new("xeno-roles");
    let edge_addr: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().unwrap();
    let config = dir.write(
        "edge.toml",
        &h.config_text(
            &xeno_engine::testkit::nats_url(),
            &edge_addr.to_string(),
            "",
        ),
    );
    let mut command = engine_command(&config);
    command.args(["--roles", "edge"]);
    let edge = EngineProcess::from_command(command, edge_addr);
    let rest = h
        .engine("[server]\nroles = [\"writer\", \"sync\", \"api\"]")
        .await;
    h.wait_ready(edge.addr).await;
    let started = Instant::now();

    // A webhook taken by the edge is written by the other process.
    let (status, text) = h
        .post(edge.addr, "orders/create", &uid(), &order_fixture())
        .await;
    assert_eq!(status, 200, "{text}");
    h.wait_count("SELECT count(*) FROM orders WHERE id = 450789469", 1, 20)
        .await;
    println!("edge -> writer: landed in {:?}", started.elapsed());

    // Each process serves only its roles' routes; the probes are always served.
    let edge_shops = h.http.get(format!("http://{}/api/shops", edge.addr));
    assert_eq!(status_of(edge_shops).await, 404);
    let edge_ui = h.http.get(format!("http://{}/", edge.addr));
    assert_eq!(status_of(edge_ui).await, 404);
    let api_webhook = h
        .http
        .post(format!("http://{}/api/webhooks", rest.addr()))
        .body(order_fixture());
    assert_eq!(status_of(api_webhook).await, 404);
    let api_shops = h.http.get(format!("http://{}/api/shops", rest.addr()));
    assert_eq!(status_of(api_shops).await, 200);
    let ready: serde_json::Value = h
        .http
        .get(format!("http://{}/readyz", edge.addr))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ready["roles"], serde_json::json!(["edge"]), "{ready}");

    // Each process says which roles it runs; the registry lists both.
    let health = h.api_get(rest.addr(), "/api/health").await;
    assert_eq!(
        health["roles"],
        serde_json::json!(["writer", "sync", "api"]),
        "{health}"
    );
    let processes = health["processes"].as_array().expect("processes");
    let mut roles: Vec<String> = processes
        .iter()
        .map(|p| {
            p["roles"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r.as_str().unwrap())
                .collect::<Vec<_>>()
                .join(",")
        })
        .collect();
    roles.sort();
    assert_eq!(roles, vec!["edge", "writer,sync,api"], "{health}");
    let edge_row = processes
        .iter()
        .find(|p| p["roles"] == serde_json::json!(["edge"]))
        .unwrap();
    assert_eq!(edge_row["pid"], i64::from(edge.pid()), "{health}");

    // The gauges: this process's own roles, and every role seen alive in the registry.
    let m = |addr: SocketAddr, series: String| {
        let http = h.http.clone();
        async move { metric(&http, addr, &series).await }
    };
    assert_eq!(
        m(edge.addr, "xeno_process_roles{role=\"edge\"}".to_string()).await,
        1.0
    );
    assert_eq!(
        m(edge.addr, "xeno_process_roles{role=\"writer\"}".to_string()).await,
        0.0
    );
    assert_eq!(
        m(rest.addr(), "xeno_process_roles{role=\"edge\"}".to_string()).await,
        0.0
    );
    assert_eq!(
        m(rest.addr(), "xeno_process_roles{role=\"api\"}".to_string()).await,
        1.0
    );
    for role in ["edge", "writer", "sync", "api"] {
        let series = format!("xeno_roles_seen{{role=\"{role}\"}}");
        wait_metric(&h, rest.addr(), &series, 1.0).await;
    }

    // A stopped edge leaves the registry, and the edge role is then seen nowhere.
    edge.terminate();
    let stopped = Instant::now();
    wait_metric(&h, rest.addr(), "xeno_roles_seen{role=\"edge\"}", 0.0).await;
    println!("edge stopped -> roles_seen 0 in {:?}", stopped.elapsed());
    let health = h.api_get(rest.addr(), "/api/health").await;
    assert_eq!(health["processes"].as_array().unwrap().len(), 1, "{health}");
    rest.shutdown().await;
    assert_eq!(h.query_i64("SELECT count(*) FROM processes").await, 0);
}

#[tokio::test]
async fn an_unknown_role_is_refused_naming_it() {
    let h = Harness::new().await;
    let dir = ScratchDir::new("xeno-roles-bad");
    let config = dir.write(
        "xeno.toml",
        &h.config_text(&xeno_engine::testkit::nats_url(), "127.0.0.1:0", ""),
    );
    let mut command = engine_command(&config);
    let out = command
        .args(["--roles", "edge,reader"])
        .output()
        .expect("xeno runs");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("`reader`"), "{stderr}");
    assert!(stderr.contains("edge, writer, sync, api"), "{stderr}");

    let config = dir.write(
        "bad.toml",
        &h.config_text(
            &xeno_engine::testkit::nats_url(),
            "127.0.0.1:0",
            "[server]\nroles = [\"edge\", \"frontend\"]",
        ),
    );
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_xeno"))
        .args(["check-config", "--config"])
        .arg(&config)
        .env("SECRET", SECRET)
        .env("TOKEN", "shpat_test")
        .env("API_TOKEN", API_TOKEN)
        .output()
        .expect("xeno runs");
    assert!(!out.status.success());
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("server.roles"), "{text}");
    assert!(text.contains("`frontend`"), "{text}");
}
