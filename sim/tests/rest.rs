//! The REST Admin API on `127.0.0.1:0`: paging by `Link` (which names the shop's domain, as
//! Shopify's do; a client follows it to the simulator as Shopify's Node library does, by its
//! path and query), time filters read in the shop's zone, `order=`, and the call limit.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::Value;
use xeno_sim::{Sim, SimHandle};

mod common;
use common::*;

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
        match link.as_deref().and_then(|l| next_link(&sim, l)) {
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

/// The `rel="next"` URL of a `Link` header, which must name the shop's domain over https,
/// moved to the simulator's address.
fn next_link(sim: &SimHandle, link: &str) -> Option<String> {
    let part = link.split(", ").find(|p| p.ends_with("rel=\"next\""))?;
    let url = &part[1..part.find('>').unwrap()];
    let path = url
        .strip_prefix("https://xeno-sim.myshopify.com")
        .unwrap_or_else(|| panic!("Link names the shop's domain: {url}"));
    Some(format!("{}{path}", sim.base_url()))
}

/// Every object of `resource` the listing at `query` shows, following `Link`s, in order, as
/// `(id, created_at, updated_at)`.
async fn list_all(sim: &SimHandle, resource: &str, query: &str) -> Vec<(u64, String, String)> {
    let client = reqwest::Client::new();
    let mut url = format!(
        "{}/admin/api/2026-07/{resource}.json?{query}",
        sim.base_url()
    );
    let mut out = Vec::new();
    loop {
        let resp = client
            .get(&url)
            .header("X-Shopify-Access-Token", TOKEN)
            .send()
            .await
            .unwrap();
        if resp.status() == 429 {
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
            continue;
        }
        assert_eq!(resp.status(), 200, "{url}");
        let link = resp
            .headers()
            .get("Link")
            .map(|v| v.to_str().unwrap().to_string());
        let body: Value = resp.json().await.unwrap();
        for o in body[resource].as_array().unwrap() {
            out.push((
                o["id"].as_u64().unwrap(),
                o["created_at"].as_str().unwrap().to_string(),
                o["updated_at"].as_str().unwrap().to_string(),
            ));
        }
        match link.as_deref().and_then(|l| next_link(sim, l)) {
            Some(n) => url = n,
            None => return out,
        }
    }
}

/// The test store on the plan with the largest REST leak rate (40 requests a second).
fn enterprise() -> xeno_sim::SimConfig {
    xeno_sim::SimConfig {
        plan: xeno_sim::config::Plan::Enterprise,
        ..config()
    }
}

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

#[tokio::test]
async fn rest_orders_by_updated_at_and_created_at_both_ways() {
    let sim = Sim::start(enterprise()).await.unwrap();
    let by_id = list_all(&sim, "orders", "status=any&limit=250").await;
    let asc = list_all(&sim, "orders", "status=any&limit=7&order=updated_at%20asc").await;
    assert_eq!(asc.len(), by_id.len());
    let key = |o: &(u64, String, String)| (utc(&o.2), o.0);
    assert!(asc.windows(2).all(|w| key(&w[0]) < key(&w[1])), "{asc:?}");
    let desc = list_all(&sim, "orders", "status=any&limit=7&order=updated_at+desc").await;
    assert_eq!(desc, asc.iter().rev().cloned().collect::<Vec<_>>());
    let created = list_all(&sim, "orders", "status=any&limit=9&order=created_at+desc").await;
    assert_eq!(created.len(), by_id.len());
    assert!(created
        .windows(2)
        .all(|w| (utc(&w[0].1), w[0].0) > (utc(&w[1].1), w[1].0)));
    let ids_desc = list_all(&sim, "customers", "limit=250&order=id+desc").await;
    assert!(ids_desc.windows(2).all(|w| w[0].0 > w[1].0));
    for bad in ["title+asc", "updated_at+sideways", "updated_at+asc+id"] {
        let resp = reqwest::Client::new()
            .get(format!(
                "{}/admin/api/2026-07/orders.json?order={bad}",
                sim.base_url()
            ))
            .header("X-Shopify-Access-Token", TOKEN)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 400, "{bad}");
        let body: Value = resp.json().await.unwrap();
        assert!(body["errors"]["order"].is_string(), "{body}");
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn rest_times_without_an_offset_are_read_in_the_shops_zone() {
    let sim = Sim::start(enterprise()).await.unwrap();
    let shop: Value = reqwest::Client::new()
        .get(format!("{}/admin/api/2026-07/shop.json", sim.base_url()))
        .header("X-Shopify-Access-Token", TOKEN)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let zone: chrono_tz::Tz = shop["shop"]["iana_timezone"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_ne!(zone, chrono_tz::UTC, "the shop has a zone of its own");
    let all = list_all(&sim, "orders", "status=any&limit=250").await;
    let mut times: Vec<DateTime<Utc>> = all.iter().map(|o| utc(&o.2)).collect();
    times.sort();
    let pivot = times[times.len() / 2];
    let since = |t: DateTime<Utc>| all.iter().filter(|o| utc(&o.2) >= t).count();
    let wall = pivot.with_timezone(&zone).naive_local();
    // The same instant written four ways: with an offset, in UTC, and on the shop's clock.
    let forms = [
        pivot.to_rfc3339_opts(SecondsFormat::Secs, true),
        pivot
            .with_timezone(&zone)
            .to_rfc3339_opts(SecondsFormat::Secs, false),
        wall.format("%Y-%m-%dT%H:%M:%S").to_string(),
        wall.format("%Y-%m-%d %H:%M:%S").to_string(),
    ];
    for form in forms {
        let q = format!(
            "status=any&limit=250&updated_at_min={}",
            form.replace('+', "%2B")
        );
        assert_eq!(
            list_all(&sim, "orders", &q).await.len(),
            since(pivot),
            "{form}"
        );
    }
    // A date is midnight on the shop's clock.
    let day = wall.date();
    let midnight = day
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_local_timezone(zone)
        .earliest()
        .unwrap()
        .with_timezone(&Utc);
    let q = format!("status=any&limit=250&updated_at_max={day}");
    let until = all.iter().filter(|o| utc(&o.2) <= midnight).count();
    assert_eq!(list_all(&sim, "orders", &q).await.len(), until);
    let q = format!("status=any&created_at_min={day}");
    let counted: Value = reqwest::Client::new()
        .get(format!(
            "{}/admin/api/2026-07/orders/count.json?{q}",
            sim.base_url()
        ))
        .header("X-Shopify-Access-Token", TOKEN)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let created = all.iter().filter(|o| utc(&o.1) >= midnight).count();
    assert_eq!(counted["count"], created);
    for bad in ["yesterday", "2024-13-01", "2024-12-04T25:00:00"] {
        let resp = reqwest::Client::new()
            .get(format!(
                "{}/admin/api/2026-07/orders.json?updated_at_min={bad}",
                sim.base_url()
            ))
            .header("X-Shopify-Access-Token", TOKEN)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 400, "{bad}");
        let body: Value = resp.json().await.unwrap();
        assert!(
            body["errors"]["updated_at_min"]
                .as_str()
                .unwrap()
                .contains(bad),
            "{body}"
        );
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn events_list_the_destroyed_orders_and_products() {
    let sim = Sim::start(xeno_sim::SimConfig {
        customers: 150,
        products: 60,
        orders: 200,
        ..enterprise()
    })
    .await
    .unwrap();
    let client = reqwest::Client::new();
    let events = |q: &str| {
        let req = client
            .get(format!(
                "{}/admin/api/2026-07/events.json?{q}",
                sim.base_url()
            ))
            .header("X-Shopify-Access-Token", TOKEN)
            .send();
        async move {
            let resp = req.await.unwrap();
            assert_eq!(resp.status(), 200);
            let body: Value = resp.json().await.unwrap();
            body["events"].as_array().unwrap().clone()
        }
    };
    // The live activity deletes now and then: run it until it has deleted both kinds.
    for _ in 0..500 {
        let d = sim.summary().deleted;
        if d.orders > 0 && d.products > 0 {
            break;
        }
        sim.trigger(20);
    }
    let deleted = sim.summary().deleted;
    assert!(deleted.orders > 0 && deleted.products > 0, "{deleted:?}");
    let all = events("filter=Order,Product&verb=destroy&limit=250").await;
    assert_eq!(all.len(), deleted.orders + deleted.products);
    let export = export(&sim).await;
    for e in &all {
        for key in [
            "id",
            "subject_id",
            "created_at",
            "subject_type",
            "verb",
            "arguments",
            "body",
            "message",
            "author",
            "description",
            "path",
        ] {
            assert!(e.get(key).is_some(), "{key} in {e}");
        }
        assert_eq!(e["verb"], "destroy");
        let kind = e["subject_type"].as_str().unwrap().to_lowercase();
        assert!(
            export.iter().any(|l| l["type"] == kind
                && l["deleted"] == true
                && l["data"]["id"] == e["subject_id"]),
            "{e}"
        );
    }
    let orders = events("filter=Order&verb=destroy&limit=250").await;
    assert_eq!(orders.len(), deleted.orders);
    assert!(orders.iter().all(|e| e["subject_type"] == "Order"));
    assert!(
        events("filter=Customer").await.is_empty(),
        "customers emit no events"
    );
    assert!(events("verb=create").await.is_empty());
    // Ascending by id; since_id and created_at_min narrow the list.
    assert!(all
        .windows(2)
        .all(|w| w[0]["id"].as_u64() < w[1]["id"].as_u64()));
    let after = events(&format!("limit=250&since_id={}", all[0]["id"])).await;
    assert_eq!(after.len(), all.len() - 1);
    let latest = all
        .iter()
        .map(|e| utc(e["created_at"].as_str().unwrap()))
        .max()
        .unwrap();
    let at = latest.to_rfc3339_opts(SecondsFormat::Secs, true);
    let at_latest = all
        .iter()
        .filter(|e| utc(e["created_at"].as_str().unwrap()) == latest)
        .count();
    assert_eq!(
        events(&format!("created_at_min={at}")).await.len(),
        at_latest
    );
    let resp = client
        .get(format!(
            "{}/admin/api/2026-07/events.json?created_at_min=soon",
            sim.base_url()
        ))
        .header("X-Shopify-Access-Token", TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    // A delete by the live activity is an event at once.
    let before = all.len();
    let mut tries = 0;
    while sim.summary().deleted.orders + sim.summary().deleted.products == before && tries < 500 {
        sim.trigger(20);
        tries += 1;
    }
    let now = sim.summary().deleted;
    assert_eq!(
        events("filter=Order,Product&limit=250").await.len(),
        now.orders + now.products
    );
    sim.shutdown().await;
}
