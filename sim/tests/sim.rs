//! Black-box tests of the simulator on `127.0.0.1:0`: determinism, GraphQL against the export,
//! bulk operations, the cost model's errors, and webhook signatures and fault rates.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;
use xeno_sim::config::WebhookFaults;
use xeno_sim::{Sim, SimConfig, SimHandle};

const TOKEN: &str = "shpat_test";
const SECRET: &str = "whsec_test";

fn config() -> SimConfig {
    SimConfig {
        access_token: TOKEN.into(),
        webhook_secret: SECRET.into(),
        customers: 40,
        products: 15,
        orders: 120,
        seed: 7,
        ..SimConfig::default()
    }
}

async fn gql(
    sim: &SimHandle,
    version: &str,
    token: &str,
    query: &str,
    variables: Value,
) -> (StatusCode, Value) {
    let resp = reqwest::Client::new()
        .post(format!(
            "{}/admin/api/{version}/graphql.json",
            sim.base_url()
        ))
        .header("X-Shopify-Access-Token", token)
        .json(&json!({"query": query, "variables": variables}))
        .send()
        .await
        .unwrap();
    let status = resp.status();
    (
        StatusCode::from_u16(status.as_u16()).unwrap(),
        resp.json().await.unwrap(),
    )
}

async fn export(sim: &SimHandle) -> Vec<Value> {
    let text = reqwest::get(format!("{}/_sim/export", sim.base_url()))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn ts(s: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(s).unwrap().timestamp()
}

#[test]
fn same_seed_same_store_and_every_state() {
    let shop = || {
        xeno_sim::generate::default_shop("a-shop.myshopify.com", "USD", xeno_sim::Plan::Standard)
    };
    let sizes = xeno_sim::generate::Sizes {
        customers: 60,
        products: 20,
        orders: 300,
    };
    let (a, _) = xeno_sim::generate::generate(shop(), 42, sizes);
    let (b, _) = xeno_sim::generate::generate(shop(), 42, sizes);
    let (c, _) = xeno_sim::generate::generate(shop(), 43, sizes);
    let lines = |s| {
        xeno_sim::server::export_lines(s)
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(lines(&a), lines(&b));
    assert_ne!(lines(&a), lines(&c));
    let statuses: HashSet<&str> = a.orders.values().map(|o| o.financial_status).collect();
    for s in [
        "pending",
        "authorized",
        "paid",
        "partially_refunded",
        "refunded",
        "voided",
    ] {
        assert!(statuses.contains(s), "no {s} order in {statuses:?}");
    }
    assert!(a.orders.values().any(|o| o.cancelled_at.is_some()));
    assert!(a
        .orders
        .values()
        .any(|o| o.fulfillment_status() == Some("fulfilled")));
    assert!(a.orders.values().any(|o| !o.discount_codes.is_empty()));
    assert!(a
        .orders
        .values()
        .any(|o| o.refunds.iter().any(|r| !r.transactions.is_empty())));
    // Money adds up exactly.
    for o in a.orders.values() {
        assert_eq!(
            o.total_price(),
            o.subtotal_price() + o.total_tax() + o.total_shipping()
        );
        assert!(o.total_refunded() <= o.total_price());
        if o.financial_status == "refunded" {
            assert_eq!(o.total_refunded(), o.total_price());
        }
    }
}

#[tokio::test]
async fn bad_token_is_401_and_bad_query_has_locations() {
    let sim = Sim::start(config()).await.unwrap();
    let (status, body) = gql(&sim, "2025-07", "wrong", "{ shop { name } }", json!({})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        body,
        json!({"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"})
    );
    let (status, body) = gql(&sim, "2025-07", TOKEN, "{ shop { name ", json!({})).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body["errors"][0]["locations"][0]["line"].is_number(),
        "{body}"
    );
    let (_, body) = gql(&sim, "unstable", TOKEN, "{ shop { nope } }", json!({})).await;
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("nope"),
        "{body}"
    );
    assert!(body["extensions"]["cost"]["requestedQueryCost"].is_number());
    let (_, body) = gql(&sim, "2026-01", TOKEN, "{ shop { name currencyCode myshopifyDomain plan { displayName } } currentAppInstallation { accessScopes { handle } } }", json!({})).await;
    assert_eq!(body["data"]["shop"]["currencyCode"], "USD");
    assert_eq!(
        body["data"]["shop"]["myshopifyDomain"],
        "xeno-sim.myshopify.com"
    );
    assert_eq!(
        body["extensions"]["cost"]["throttleStatus"]["maximumAvailable"],
        2000.0
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn max_cost_and_throttled() {
    let sim = Sim::start(config()).await.unwrap();
    let q = "{ orders(first: 250) { nodes { id lineItems(first: 10) { nodes { sku } } } } }";
    let (_, body) = gql(&sim, "2025-07", TOKEN, q, json!({})).await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "MAX_COST_EXCEEDED",
        "{body}"
    );
    assert_eq!(body["errors"][0]["extensions"]["cost"], 2 + 250 * 13);
    assert!(body["errors"][0]["message"]
        .as_str()
        .unwrap()
        .starts_with("Query cost is 3252, which exceeds the single query max cost limit (1000)."));
    // Drain the bucket, then a query is throttled with a null actual cost.
    {
        let mut bucket = sim.shared().graphql_bucket.lock().unwrap();
        let now = tokio::time::Instant::now();
        let available = bucket.level(now).currently_available;
        bucket.try_take(now, available).unwrap();
    }
    let (_, body) = gql(
        &sim,
        "2025-07",
        TOKEN,
        "{ customers(first: 50) { nodes { id } } }",
        json!({}),
    )
    .await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "THROTTLED",
        "{body}"
    );
    assert!(body["extensions"]["cost"]["actualQueryCost"].is_null());
    assert_eq!(body["extensions"]["cost"]["requestedQueryCost"], 52);
    sim.shutdown().await;
}

/// Reads a connection to the end, `first` at a time, sorted by UPDATED_AT.
async fn read_all(sim: &SimHandle, field: &str, selection: &str) -> Vec<Value> {
    let mut after: Option<String> = None;
    let mut out = Vec::new();
    loop {
        let q = format!(
            "query($after: String) {{ {field}(first: 40, after: $after, sortKey: UPDATED_AT) {{ edges {{ cursor node {{ {selection} }} }} pageInfo {{ hasNextPage endCursor }} }} }}"
        );
        let (_, body) = gql(sim, "2025-07", TOKEN, &q, json!({"after": after})).await;
        if body["errors"][0]["extensions"]["code"] == "THROTTLED" {
            // Wait as a polite client does: until the bucket holds the requested cost.
            let cost = &body["extensions"]["cost"];
            let short = cost["requestedQueryCost"].as_f64().unwrap()
                - cost["throttleStatus"]["currentlyAvailable"]
                    .as_f64()
                    .unwrap();
            tokio::time::sleep(Duration::from_secs_f64(
                short / cost["throttleStatus"]["restoreRate"].as_f64().unwrap() + 0.05,
            ))
            .await;
            continue;
        }
        let conn = &body["data"][field];
        assert!(conn.is_object(), "{body}");
        let cost = &body["extensions"]["cost"];
        assert!(
            cost["actualQueryCost"].as_u64().unwrap()
                <= cost["requestedQueryCost"].as_u64().unwrap()
        );
        out.extend(
            conn["edges"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["node"].clone()),
        );
        if !conn["pageInfo"]["hasNextPage"].as_bool().unwrap() {
            return out;
        }
        after = conn["pageInfo"]["endCursor"].as_str().map(str::to_string);
    }
}

#[tokio::test]
async fn paged_graphql_read_equals_export() {
    let sim = Sim::start(config()).await.unwrap();
    assert!(sim.trigger(200) > 150);
    let exported = export(&sim).await;
    let summary = sim.summary();
    assert!(
        summary.deleted.customers + summary.deleted.orders + summary.deleted.products > 0,
        "{summary:?}"
    );
    let live = |t: &str| -> BTreeMap<String, Value> {
        exported
            .iter()
            .filter(|l| l["type"] == t && l["deleted"] == false)
            .map(|l| {
                (
                    l["data"]["admin_graphql_api_id"]
                        .as_str()
                        .unwrap()
                        .to_string(),
                    l["data"].clone(),
                )
            })
            .collect()
    };
    let orders = read_all(&sim, "orders", "id legacyResourceId updatedAt totalPriceSet { shopMoney { amount currencyCode } } totalRefundedSet { shopMoney { amount } } displayFinancialStatus lineItems(first: 5) { nodes { sku quantity } } customer { id }").await;
    let want = live("order");
    assert_eq!(orders.len(), want.len());
    assert_eq!(orders.len(), summary.orders);
    let mut total = rust_decimal::Decimal::ZERO;
    let mut last = 0;
    for o in &orders {
        let rest = &want[o["id"].as_str().unwrap()];
        assert_eq!(
            o["legacyResourceId"].as_str().unwrap(),
            rest["id"].to_string()
        );
        assert_eq!(
            ts(o["updatedAt"].as_str().unwrap()),
            ts(rest["updated_at"].as_str().unwrap())
        );
        assert!(
            ts(o["updatedAt"].as_str().unwrap()) >= last,
            "sorted by UPDATED_AT"
        );
        last = ts(o["updatedAt"].as_str().unwrap());
        assert_eq!(
            o["totalPriceSet"]["shopMoney"]["amount"],
            rest["total_price"]
        );
        assert_eq!(
            o["displayFinancialStatus"].as_str().unwrap().to_lowercase(),
            rest["financial_status"].as_str().unwrap()
        );
        assert_eq!(
            o["lineItems"]["nodes"].as_array().unwrap().len(),
            rest["line_items"].as_array().unwrap().len().min(5)
        );
        total += o["totalPriceSet"]["shopMoney"]["amount"]
            .as_str()
            .unwrap()
            .parse::<rust_decimal::Decimal>()
            .unwrap();
    }
    assert_eq!(summary.order_totals["USD"], total.to_string());
    for (field, t) in [("customers", "customer"), ("products", "product")] {
        let got = read_all(&sim, field, "id updatedAt").await;
        let want = live(t);
        let got: BTreeMap<String, i64> = got
            .iter()
            .map(|n| {
                (
                    n["id"].as_str().unwrap().to_string(),
                    ts(n["updatedAt"].as_str().unwrap()),
                )
            })
            .collect();
        let want: BTreeMap<String, i64> = want
            .iter()
            .map(|(k, v)| (k.clone(), ts(v["updated_at"].as_str().unwrap())))
            .collect();
        assert_eq!(got, want, "{field}");
    }
    // Incremental read: only what changed after a point.
    let cut = exported
        .iter()
        .filter(|l| l["type"] == "order" && l["deleted"] == false)
        .map(|l| ts(l["data"]["updated_at"].as_str().unwrap()))
        .max()
        .unwrap()
        - 1;
    let cut_s = chrono::DateTime::from_timestamp(cut, 0)
        .unwrap()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let q = format!(
        "{{ orders(first: 250, query: \"updated_at:>'{cut_s}'\") {{ nodes {{ updatedAt }} }} }}"
    );
    // The paged reads above may have emptied the bucket: wait out THROTTLED like a client.
    let mut body = json!(null);
    for _ in 0..30 {
        body = gql(&sim, "2025-07", TOKEN, &q, json!({})).await.1;
        if body["errors"][0]["extensions"]["code"] != "THROTTLED" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
    let nodes = body["data"]["orders"]["nodes"]
        .as_array()
        .unwrap_or_else(|| panic!("incremental read failed: {body}"));
    assert!(
        !nodes.is_empty()
            && nodes
                .iter()
                .all(|n| ts(n["updatedAt"].as_str().unwrap()) > cut)
    );
    // A deleted object is gone from queries.
    let gone = exported.iter().find(|l| l["deleted"] == true).unwrap();
    let gid = format!(
        "gid://shopify/{}/{}",
        match gone["type"].as_str().unwrap() {
            "order" => "Order",
            "customer" => "Customer",
            _ => "Product",
        },
        gone["data"]["id"]
    );
    let (_, body) = gql(
        &sim,
        "2025-07",
        TOKEN,
        "query($id: ID!) { node(id: $id) { id } }",
        json!({"id": gid}),
    )
    .await;
    assert!(body["data"]["node"].is_null(), "{body}");
    sim.shutdown().await;
}

async fn wait_bulk(sim: &SimHandle, id: &str) -> Value {
    for _ in 0..200 {
        let (_, body) = gql(sim, "2026-01", TOKEN, "query($id: ID!) { bulkOperation(id: $id) { id status errorCode objectCount rootObjectCount fileSize url partialDataUrl type completedAt } }", json!({"id": id})).await;
        let op = body["data"]["bulkOperation"].clone();
        if matches!(
            op["status"].as_str(),
            Some("COMPLETED" | "FAILED" | "CANCELED")
        ) {
            return op;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("bulk operation {id} did not finish");
}

#[tokio::test]
async fn bulk_jsonl_reassembles_to_the_store() {
    let (receiver, seen) = receiver(StatusCode::OK).await;
    let mut cfg = config();
    cfg.webhook_url = Some(receiver);
    let sim = Sim::start(cfg).await.unwrap();
    let run = "mutation($q: String!) { bulkOperationRunQuery(query: $q) { bulkOperation { id status } userErrors { field message code } } }";
    let q =
        "{ products { edges { node { id title variants { edges { node { id sku price } } } } } } }";
    let (_, body) = gql(&sim, "2026-01", TOKEN, run, json!({"q": q})).await;
    assert_eq!(body["extensions"]["cost"]["requestedQueryCost"], 10);
    let id = body["data"]["bulkOperationRunQuery"]["bulkOperation"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let op = wait_bulk(&sim, &id).await;
    assert_eq!(op["status"], "COMPLETED");
    let text = reqwest::get(op["url"].as_str().unwrap())
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(op["fileSize"], text.len().to_string());
    assert_eq!(op["objectCount"], text.lines().count().to_string());
    // Reassemble: children follow their parent.
    let mut products: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut current = String::new();
    for line in text.lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        match v.get("__parentId").and_then(Value::as_str) {
            None => {
                current = v["id"].as_str().unwrap().to_string();
                products.insert(current.clone(), vec![]);
            }
            Some(p) => {
                assert_eq!(p, current);
                products
                    .get_mut(p)
                    .unwrap()
                    .push(v["id"].as_str().unwrap().to_string());
            }
        }
    }
    let want: BTreeMap<String, Vec<String>> = export(&sim)
        .await
        .iter()
        .filter(|l| l["type"] == "product" && l["deleted"] == false)
        .map(|l| {
            let d = &l["data"];
            let vs = d["variants"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v["admin_graphql_api_id"].as_str().unwrap().to_string())
                .collect();
            (d["admin_graphql_api_id"].as_str().unwrap().to_string(), vs)
        })
        .collect();
    assert_eq!(products, want);
    assert_eq!(op["rootObjectCount"], want.len().to_string());
    // The finish webhook went out.
    assert!(sim.webhooks_idle(Duration::from_secs(5)).await);
    let finish = seen
        .lock()
        .unwrap()
        .iter()
        .find(|d| d.topic == "bulk_operations/finish")
        .map(|d| d.body.clone())
        .expect("finish webhook");
    assert_eq!(finish["status"], "completed");
    assert_eq!(finish["admin_graphql_api_id"], id);
    // Old versions: one at a time; invalid queries are user errors.
    let (_, body) = gql(
        &sim,
        "2025-07",
        TOKEN,
        run,
        json!({"q": "{ shop { name } }"}),
    )
    .await;
    assert_eq!(
        body["data"]["bulkOperationRunQuery"]["userErrors"][0]["code"],
        "INVALID"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn fail_bulk_gives_partial_data() {
    let mut cfg = config();
    cfg.api_faults.fail_bulk = true;
    let sim = Sim::start(cfg).await.unwrap();
    let run = "mutation($q: String!) { bulkOperationRunQuery(query: $q) { bulkOperation { id } userErrors { code } } }";
    let (_, body) = gql(
        &sim,
        "2026-01",
        TOKEN,
        run,
        json!({"q": "{ customers { nodes { id email } } }"}),
    )
    .await;
    let id = body["data"]["bulkOperationRunQuery"]["bulkOperation"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let op = wait_bulk(&sim, &id).await;
    assert_eq!(op["status"], "FAILED");
    assert_eq!(op["errorCode"], "INTERNAL_SERVER_ERROR");
    assert!(op["url"].is_null());
    let partial = reqwest::get(op["partialDataUrl"].as_str().unwrap())
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(partial.lines().count(), 20);
    sim.shutdown().await;
}

#[derive(Clone, Debug)]
struct Seen {
    triggered_at: String,
    topic: String,
    webhook_id: String,
    body: Value,
}

/// A tiny receiver that verifies each delivery's HMAC independently and records it.
async fn receiver(status: StatusCode) -> (String, Arc<Mutex<Vec<Seen>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    async fn hook(
        State((seen, status)): State<(Arc<Mutex<Vec<Seen>>>, StatusCode)>,
        headers: HeaderMap,
        body: axum::body::Bytes,
    ) -> StatusCode {
        let h = |n: &str| {
            headers
                .get(n)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string()
        };
        let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
        mac.update(&body);
        let expected =
            base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
        assert_eq!(h("x-shopify-hmac-sha256"), expected);
        assert_eq!(h("x-shopify-shop-domain"), "xeno-sim.myshopify.com");
        assert_eq!(h("content-type"), "application/json");
        assert!(!h("x-shopify-event-id").is_empty() && !h("x-shopify-api-version").is_empty());
        let triggered = h("x-shopify-triggered-at");
        assert!(
            triggered.ends_with('Z') && triggered.len() == "2025-07-10T16:15:47.000000Z".len(),
            "{triggered}"
        );
        seen.lock().unwrap().push(Seen {
            triggered_at: triggered,
            topic: h("x-shopify-topic"),
            webhook_id: h("x-shopify-webhook-id"),
            body: serde_json::from_slice(&body).unwrap(),
        });
        status
    }
    let app = Router::new()
        .route("/hook", post(hook))
        .with_state((seen.clone(), status));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, seen)
}

#[tokio::test]
async fn webhooks_are_signed_and_faults_hold_their_rates() {
    let (url, seen) = receiver(StatusCode::OK).await;
    let mut cfg = config();
    cfg.webhook_url = Some(url);
    cfg.webhook_faults = WebhookFaults {
        duplicate_rate: 0.3,
        reorder_rate: 0.3,
        drop_rate: 0.1,
    };
    let sim = Sim::start(cfg).await.unwrap();
    sim.trigger(800);
    assert!(sim.webhooks_idle(Duration::from_secs(20)).await);
    let stats = sim.webhook_stats();
    let seen = seen.lock().unwrap().clone();
    assert!(stats.deliveries >= 1000, "{stats:?}");
    let rate = |n: u64| n as f64 / stats.deliveries as f64;
    assert!((rate(stats.dropped) - 0.1).abs() < 0.03, "{stats:?}");
    let sent = stats.deliveries - stats.dropped;
    assert!(
        (stats.duplicated as f64 / sent as f64 - 0.3).abs() < 0.05,
        "{stats:?}"
    );
    assert!(
        (stats.reordered as f64 / sent as f64 - 0.3).abs() < 0.05,
        "{stats:?}"
    );
    assert_eq!(seen.len() as u64, stats.delivered);
    assert_eq!(stats.delivered, sent + stats.duplicated);
    let mut per_id: HashMap<&str, u32> = HashMap::new();
    for s in &seen {
        *per_id.entry(&s.webhook_id).or_default() += 1;
    }
    assert_eq!(per_id.len() as u64, sent);
    assert_eq!(
        per_id.values().filter(|&&n| n == 2).count() as u64,
        stats.duplicated
    );
    // Held-back deliveries really arrive after later events.
    let mut latest = String::new();
    let mut late = 0;
    for s in &seen {
        if s.triggered_at < latest {
            late += 1;
        }
        latest = latest.max(s.triggered_at.clone());
    }
    assert!(
        late as u64 >= stats.reordered / 2,
        "{late} late of {stats:?}"
    );
    // Topics and bodies look like Shopify's.
    let topics: HashSet<&str> = seen.iter().map(|s| s.topic.as_str()).collect();
    for t in [
        "orders/create",
        "orders/updated",
        "orders/paid",
        "customers/create",
        "customers/update",
        "products/update",
        "refunds/create",
    ] {
        assert!(topics.contains(t), "no {t} in {topics:?}");
    }
    for s in &seen {
        match s.topic.as_str() {
            "orders/delete" | "products/delete" => assert_eq!(s.body.as_object().unwrap().len(), 1),
            "customers/delete" => assert_eq!(s.body["addresses"], json!([])),
            "refunds/create" => {
                assert!(s.body["order_id"].is_u64() && s.body["transactions"].is_array())
            }
            "orders/create" => {
                assert!(s.body["admin_graphql_api_id"]
                    .as_str()
                    .unwrap()
                    .starts_with("gid://shopify/Order/"));
                assert!(s.body["total_price_set"]["shop_money"]["amount"].is_string());
            }
            _ => {}
        }
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn failed_deliveries_retry_with_the_same_id_and_subscriptions_work() {
    let (flag_url, flag_seen) = receiver(StatusCode::INTERNAL_SERVER_ERROR).await;
    let (bad_url, bad_seen) = receiver(StatusCode::SERVICE_UNAVAILABLE).await;
    let (good_url, good_seen) = receiver(StatusCode::OK).await;
    let mut cfg = config();
    cfg.retry_scale = 0.00002; // the 4-hour schedule in ~0.3 s
    cfg.webhook_url = Some(flag_url);
    let sim = Sim::start(cfg).await.unwrap();
    let create = "mutation($t: WebhookSubscriptionTopic!, $u: String!) { webhookSubscriptionCreate(topic: $t, webhookSubscription: {callbackUrl: $u, format: JSON}) { webhookSubscription { id topic } userErrors { field message } } }";
    for (topic, url) in [("CUSTOMERS_CREATE", &bad_url), ("ORDERS_CREATE", &good_url)] {
        let (_, body) = gql(
            &sim,
            "2025-07",
            TOKEN,
            create,
            json!({"t": topic, "u": url}),
        )
        .await;
        assert_eq!(
            body["data"]["webhookSubscriptionCreate"]["webhookSubscription"]["topic"], topic,
            "{body}"
        );
    }
    let (_, body) = gql(
        &sim,
        "2025-07",
        TOKEN,
        "{ webhookSubscriptions(first: 10) { nodes { id topic callbackUrl } } }",
        json!({}),
    )
    .await;
    assert_eq!(
        body["data"]["webhookSubscriptions"]["nodes"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    sim.trigger(40);
    assert!(sim.webhooks_idle(Duration::from_secs(10)).await);
    // The flag's subscription is never removed: every delivery is tried 1 + 8 times, one id.
    let flag = flag_seen.lock().unwrap().clone();
    let mut per_id: HashMap<&str, u32> = HashMap::new();
    for s in &flag {
        *per_id.entry(&s.webhook_id).or_default() += 1;
    }
    assert!(
        !per_id.is_empty() && per_id.values().all(|&n| n == 9),
        "{per_id:?}"
    );
    // An API subscription that keeps failing is removed after 8 failed attempts in a row.
    let bad = bad_seen.lock().unwrap().clone();
    assert!(bad.len() >= 8 && bad.iter().all(|s| s.topic == "customers/create"));
    let (_, body) = gql(
        &sim,
        "2025-07",
        TOKEN,
        "{ webhookSubscriptions(first: 10) { nodes { topic } } }",
        json!({}),
    )
    .await;
    assert_eq!(
        body["data"]["webhookSubscriptions"]["nodes"],
        json!([{"topic": "ORDERS_CREATE"}])
    );
    let good = good_seen.lock().unwrap().clone();
    assert!(!good.is_empty() && good.iter().all(|s| s.topic == "orders/create"));
    assert_eq!(
        good.len(),
        flag.iter().filter(|s| s.topic == "orders/create").count() / 9
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn rest_pages_by_link_and_limits_calls() {
    let sim = Sim::start(config()).await.unwrap();
    let client = reqwest::Client::new();
    let get = |url: String| {
        client
            .get(url)
            .header("X-Shopify-Access-Token", TOKEN)
            .send()
    };
    let resp = client
        .get(format!("{}/admin/api/2024-10/shop.json", sim.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    let mut url = format!(
        "{}/admin/api/2024-10/orders.json?status=any&limit=50",
        sim.base_url()
    );
    let mut ids = Vec::new();
    loop {
        let resp = get(url.clone()).await.unwrap();
        assert_eq!(resp.status(), 200);
        assert!(resp.headers()["X-Shopify-Shop-Api-Call-Limit"]
            .to_str()
            .unwrap()
            .ends_with("/40"));
        let link = resp
            .headers()
            .get("Link")
            .map(|v| v.to_str().unwrap().to_string());
        let body: Value = resp.json().await.unwrap();
        ids.extend(
            body["orders"]
                .as_array()
                .unwrap()
                .iter()
                .map(|o| o["id"].as_u64().unwrap()),
        );
        let next = link.and_then(|l| {
            l.split(", ")
                .find(|p| p.ends_with("rel=\"next\""))
                .map(|p| p[1..p.find('>').unwrap()].to_string())
        });
        match next {
            Some(n) => url = n,
            None => break,
        }
    }
    assert_eq!(ids.len(), sim.summary().orders);
    assert!(ids.windows(2).all(|w| w[0] < w[1]));
    let body: Value = get(format!(
        "{}/admin/api/2024-10/orders/count.json?status=any",
        sim.base_url()
    ))
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(body["count"], ids.len());
    let body: Value = get(format!(
        "{}/admin/api/2024-10/orders/{}.json?fields=id,total_price",
        sim.base_url(),
        ids[0]
    ))
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(body["order"].as_object().unwrap().len(), 2, "{body}");
    // Standard plan: 40 requests, leaking 2/s; a quick burst overflows.
    let mut throttled = None;
    for _ in 0..45 {
        let resp = get(format!(
            "{}/admin/api/2024-10/customers/count.json",
            sim.base_url()
        ))
        .await
        .unwrap();
        if resp.status() == 429 {
            throttled = Some(resp.headers()["Retry-After"].to_str().unwrap().to_string());
            break;
        }
    }
    assert!(throttled.is_some());
    sim.shutdown().await;
}

#[tokio::test]
async fn load_reaches_its_rate_and_reports_percentiles() {
    let (url, seen) = receiver(StatusCode::OK).await;
    let args = xeno_sim::load::LoadArgs {
        webhook_url: url,
        rate: 300,
        duration: Duration::from_secs(1),
        concurrency: 16,
        shop: "xeno-sim.myshopify.com".into(),
        secret_env: "UNUSED".into(),
        api_version: "2025-07".into(),
        unique_orders: false,
        json: false,
    };
    let report = xeno_sim::load::run_with_secret(&args, SECRET)
        .await
        .unwrap();
    assert_eq!(report.sent, 300);
    assert_eq!(report.ok, 300);
    assert_eq!(seen.lock().unwrap().len(), 300);
    // No timing assertion (the machine is shared); benchmarks measure speed.
    assert!(
        report.achieved_rate > 0.0 && report.duration_secs >= 0.99,
        "{report:?}"
    );
    assert!(report.latency_ms.p50 > 0.0 && report.latency_ms.p50 <= report.latency_ms.max);
    assert!((3000..=5000).contains(&report.body_bytes));
    let json = serde_json::to_value(&report).unwrap();
    assert!(json["latency_ms"]["p999"].is_number());
}

#[tokio::test]
async fn activity_runs_at_its_rate_and_pauses() {
    let (url, seen) = receiver(StatusCode::OK).await;
    let mut cfg = config();
    cfg.rate = 40.0;
    cfg.burst = 4;
    cfg.webhook_url = Some(url);
    let sim = Sim::start(cfg).await.unwrap();
    tokio::time::sleep(Duration::from_millis(600)).await;
    sim.pause_activity();
    tokio::time::sleep(Duration::from_millis(150)).await;
    assert!(sim.webhooks_idle(Duration::from_secs(5)).await);
    let events = sim.webhook_stats().events;
    assert!(events >= 8, "{events}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(sim.webhook_stats().events, events, "paused");
    assert_eq!(seen.lock().unwrap().len() as u64, events);
    sim.resume_activity();
    sim.shutdown().await;
}

#[tokio::test]
async fn api_faults_answer_429_and_5xx() {
    let mut cfg = config();
    cfg.api_faults.rate_429 = 1.0;
    let sim = Sim::start(cfg).await.unwrap();
    let resp = reqwest::Client::new()
        .post(format!("{}/admin/api/2025-07/graphql.json", sim.base_url()))
        .header("X-Shopify-Access-Token", TOKEN)
        .json(&json!({"query": "{ shop { name } }"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 429);
    assert!(resp.headers().contains_key("Retry-After"));
    sim.shutdown().await;
    let mut cfg = config();
    cfg.api_faults.rate_5xx = 1.0;
    let sim = Sim::start(cfg).await.unwrap();
    let (status, _) = gql(&sim, "2025-07", TOKEN, "{ shop { name } }", json!({})).await;
    assert!(status.is_server_error());
    sim.shutdown().await;
}

#[tokio::test]
async fn bulk_polls_by_node_and_current() {
    let sim = Sim::start(config()).await.unwrap();
    let run = "mutation($q: String!) { bulkOperationRunQuery(query: $q) { bulkOperation { id } userErrors { code } } }";
    let q = "{ orders { edges { node { id name lineItems { edges { node { id sku } } } } } } }";
    let (_, body) = gql(&sim, "2025-07", TOKEN, run, json!({"q": q})).await;
    let id = body["data"]["bulkOperationRunQuery"]["bulkOperation"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    // Before 2026-01 only one runs at a time (it may already be done: then this one starts).
    let (_, second) = gql(&sim, "2025-07", TOKEN, run, json!({"q": q})).await;
    let errors = &second["data"]["bulkOperationRunQuery"]["userErrors"];
    assert!(
        errors.as_array().unwrap().is_empty() || errors[0]["code"] == "OPERATION_IN_PROGRESS",
        "{second}"
    );
    let op = wait_bulk(&sim, &id).await;
    assert_eq!(op["status"], "COMPLETED");
    let (_, body) = gql(
        &sim,
        "2025-07",
        TOKEN,
        "query($id: ID!) { node(id: $id) { id ... on BulkOperation { status url objectCount } } }",
        json!({"id": id}),
    )
    .await;
    assert_eq!(body["data"]["node"]["status"], "COMPLETED", "{body}");
    let text = reqwest::get(body["data"]["node"]["url"].as_str().unwrap())
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let orders = text.lines().filter(|l| !l.contains("__parentId")).count();
    assert_eq!(orders, sim.summary().orders);
    let (_, body) = gql(
        &sim,
        "2025-07",
        TOKEN,
        "{ currentBulkOperation(type: QUERY) { id status } }",
        json!({}),
    )
    .await;
    assert!(
        body["data"]["currentBulkOperation"]["id"].is_string(),
        "{body}"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn backward_paging_and_reverse_agree_with_forward() {
    let sim = Sim::start(config()).await.unwrap();
    let ids = |v: &Value| -> Vec<String> {
        v["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["id"].as_str().unwrap().to_string())
            .collect()
    };
    let (_, all) = gql(
        &sim,
        "2025-07",
        TOKEN,
        "{ customers(first: 250, sortKey: CREATED_AT) { nodes { id } } }",
        json!({}),
    )
    .await;
    let forward = ids(&all["data"]["customers"]);
    assert_eq!(forward.len(), 40);
    let (_, rev) = gql(
        &sim,
        "2025-07",
        TOKEN,
        "{ customers(first: 250, sortKey: CREATED_AT, reverse: true) { nodes { id } } }",
        json!({}),
    )
    .await;
    let mut reversed = ids(&rev["data"]["customers"]);
    reversed.reverse();
    assert_eq!(reversed, forward);
    // Walk backwards with last/before.
    let mut before: Option<String> = None;
    let mut back = Vec::new();
    loop {
        let (_, body) = gql(&sim, "2025-07", TOKEN, "query($b: String) { customers(last: 15, before: $b, sortKey: CREATED_AT) { nodes { id } pageInfo { hasPreviousPage startCursor } } }", json!({"b": before})).await;
        let conn = &body["data"]["customers"];
        let mut page = ids(conn);
        page.extend(back);
        back = page;
        if !conn["pageInfo"]["hasPreviousPage"].as_bool().unwrap() {
            break;
        }
        before = conn["pageInfo"]["startCursor"].as_str().map(str::to_string);
    }
    assert_eq!(back, forward);
    let (_, body) = gql(
        &sim,
        "2025-07",
        TOKEN,
        "{ customers { nodes { id } } }",
        json!({}),
    )
    .await;
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("first or last"),
        "{body}"
    );
    sim.shutdown().await;
}
