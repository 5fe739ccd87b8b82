//! The embedded dashboard in headless Chromium, driven over WebDriver (Debian's chromium and
//! chromium-driver, through fantoccini): the `/#token=` link logs in, the KPI cards show
//! exactly what `/api/stats` says, a webhook's line appears in the live log while the page
//! is open, and the "Sync now" button starts a sync that runs to completion.
//!
//! Skipped (passes) when chromium/chromedriver are missing or the dashboard is not built
//! into this binary, unless `XENO_REQUIRE_BROWSER` is set (scripts/test.sh sets it after
//! installing both and building the dashboard, so there it can never be skipped).

mod common;

use std::net::SocketAddr;
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::*;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use xeno_engine::config::Config;
use xeno_engine::engine::Engine;
use xeno_engine::log_sink::LogLayer;
use xeno_engine::testkit;
use xeno_sim::{Sim, SimConfig, SimHandle};

fn installed(program: &str) -> bool {
    std::process::Command::new(program)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// chromedriver on a free port, in its own process group: dropping it kills the group, so the
/// browsers it started go too, even when the test fails before closing its session.
struct Driver {
    child: tokio::process::Child,
    port: u16,
}

impl Driver {
    async fn start() -> Driver {
        let port = free_port();
        let child = tokio::process::Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .kill_on_drop(true)
            .spawn()
            .expect("start chromedriver");
        let deadline = Instant::now() + Duration::from_secs(20);
        while tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_err()
        {
            assert!(Instant::now() < deadline, "chromedriver never listened");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Driver { child, port }
    }

    /// A headless Chromium session with the flags this closed network needs (no background
    /// requests to Google's hosts) and a phone-to-laptop sized window.
    async fn session(&self) -> Client {
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": "/usr/bin/chromium",
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--disable-quic", "--no-first-run", "--disable-background-networking",
                         "--disable-component-update", "--disable-sync", "--window-size=1280,900"],
            }),
        );
        ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{}", self.port))
            .await
            .expect("WebDriver session")
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        if let Some(pid) = self.child.id() {
            let _ = std::process::Command::new("kill")
                .args(["-KILL", "--", &format!("-{pid}")])
                .status();
        }
        let _ = self.child.start_kill();
    }
}

/// Polls the page's HTML until `check` accepts it; fails with the page after `secs`.
async fn wait_page(client: &Client, what: &str, secs: u64, check: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        let page = client.source().await.expect("page source");
        if check(&page) {
            return page;
        }
        assert!(Instant::now() < deadline, "{what} never showed: {page}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn click_button(client: &Client, label: &str) {
    client
        .find(Locator::XPath(&format!(
            "//button[normalize-space()='{label}']"
        )))
        .await
        .unwrap_or_else(|e| panic!("button {label}: {e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("click {label}: {e}"));
}

/// `1234567.80` → `1,234,567.80 USD`, as the KPI card formats it.
fn grouped(amount: &str, currency: &str) -> String {
    let (int, frac) = amount.split_once('.').unwrap_or((amount, "00"));
    let mut g = String::new();
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            g.push(',');
        }
        g.push(ch);
    }
    format!("{g}.{frac} {currency}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn dashboard_logs_in_shows_figures_streams_the_log_and_starts_a_sync() {
    if !(installed("chromium")
        && installed("chromedriver")
        && xeno_engine::api::assets::DASHBOARD_BUILT)
    {
        assert!(
            std::env::var_os("XENO_REQUIRE_BROWSER").is_none(),
            "XENO_REQUIRE_BROWSER is set but chromium, chromedriver or the built dashboard is missing"
        );
        eprintln!("skipped: needs chromium, chromedriver and a built dashboard");
        return;
    }
    // The engine runs in this process: its log reaches the live stream through the same
    // tracing layer `xeno run` installs.
    let _ = tracing_subscriber::registry()
        .with(LogLayer::new())
        .try_init();

    let h = Harness::new().await;
    let (_sim, engine) = start_backfilled_engine(&h).await;
    let base = format!("http://{}", engine.addr());
    let driver = Driver::start().await;
    let client = driver.session().await;
    client
        .goto(&format!("{base}/#token={API_TOKEN}"))
        .await
        .expect("open the dashboard");

    assert_logged_in_with_the_api_figures(&h, &client, &base).await;
    assert_a_webhook_reaches_the_live_log(&h, &client, engine.addr()).await;
    assert_sync_now_completes(&h, &client).await;

    client.close().await.unwrap();
    engine.shutdown().await;
}

/// A simulated store, and an engine whose start-up backfill of it has completed (so the
/// figures hold still), plus recent orders (inside the dashboard's default period) with known
/// totals.
async fn start_backfilled_engine(h: &Harness) -> (SimHandle, Engine) {
    let sim = Sim::start(SimConfig {
        shop: SHOP.to_string(),
        webhook_secret: SECRET.to_string(),
        access_token: "shpat_test".to_string(),
        customers: 30,
        products: 10,
        orders: 60,
        ..SimConfig::default()
    })
    .await
    .expect("simulator starts");
    let text = h
        .config_text(
            &testkit::nats_url(),
            "127.0.0.1:0",
            "[sync]\nreconcile_every = \"1h\"\n",
        )
        .replace(
            "admin_url = \"http://127.0.0.1:9\"",
            &format!("admin_url = \"{}\"", sim.base_url()),
        );
    let engine = Engine::start(Config::from_toml(&text, "test", &Harness::env).expect("config"))
        .await
        .expect("engine starts");
    h.wait_ready(engine.addr()).await;
    h.wait_count(
        "SELECT count(*)::bigint FROM sync_runs WHERE state = 'completed'",
        1,
        120,
    )
    .await;

    h.db.pool
        .get()
        .await
        .unwrap()
        .batch_execute(
            "INSERT INTO orders (shop_domain, id, customer_id, currency, total_price, created_at, updated_at)
             SELECT 'acme.myshopify.com', 9000000 + g, g % 7, 'USD', 1000 + g * 3.17,
                    now() - g * interval '5 hours', now()
             FROM generate_series(1, 120) g",
        )
        .await
        .unwrap();
    (sim, engine)
}

/// Logged in by the link, the KPIs equal `/api/stats`, and the token left page and address.
async fn assert_logged_in_with_the_api_figures(h: &Harness, client: &Client, base: &str) {
    let stats: Value = h
        .http
        .get(format!("{base}/api/stats"))
        .bearer_auth(API_TOKEN)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let currency = stats["revenue"]
        .as_object()
        .unwrap()
        .keys()
        .next()
        .unwrap()
        .clone();
    let revenue = grouped(stats["revenue"][&currency].as_str().unwrap(), &currency);
    let orders = format!("<div class=\"kpi-value\">{}</div>", stats["orders_count"]);
    let page = wait_page(client, "the KPI cards", 30, |p| {
        p.contains(&revenue) && p.contains(&orders)
    })
    .await;
    assert!(
        !page.contains(API_TOKEN),
        "the token must not stay in the page"
    );
    let url = client.current_url().await.unwrap();
    assert!(
        !url.as_str().contains(API_TOKEN),
        "the token must leave the address bar: {url}"
    );
}

/// The live log: a webhook posted now shows up as a line while the page is open.
async fn assert_a_webhook_reaches_the_live_log(h: &Harness, client: &Client, addr: SocketAddr) {
    click_button(client, "Live log").await;
    wait_page(client, "the live terminal", 20, |p| {
        p.contains("class=\"terminal\"")
    })
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await; // let the EventSource connect
    let webhook_id = format!("browser-{}", uid());
    let body = json!({"id": 990001, "email": "live@example.com", "created_at": "2025-07-01T10:00:00Z",
                      "updated_at": "2025-07-01T10:00:00Z", "first_name": "Live", "last_name": "Line"});
    let (status, reason) = h
        .post(
            addr,
            "customers/create",
            &webhook_id,
            body.to_string().as_bytes(),
        )
        .await;
    assert_eq!(status, 200, "{reason}");
    wait_page(client, "the webhook's live log line", 30, |p| {
        p.contains(&webhook_id)
    })
    .await;
}

/// "Sync now" on the health page starts an incremental sync that completes.
async fn assert_sync_now_completes(h: &Harness, client: &Client) {
    click_button(client, "System health").await;
    wait_page(client, "the shop card", 20, |p| p.contains("Sync now")).await;
    click_button(client, "Sync now").await;
    h.wait_count(
        "SELECT count(*)::bigint FROM sync_runs WHERE mode = 'incremental' AND trigger = 'api' AND state = 'completed'",
        1,
        120,
    )
    .await;
    wait_page(client, "the requested sync's confirmation", 20, |p| {
        p.contains("sync of acme.myshopify.com requested")
    })
    .await;
}
