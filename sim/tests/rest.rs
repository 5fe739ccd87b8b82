//! The REST Admin API on `127.0.0.1:0`: paging by `Link` and the call limit.

use serde_json::Value;
use xeno_sim::Sim;

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
