//! Locations as Shopify serves them: `locations` lists active, merchant-managed locations
//! unless `includeInactive` / `includeLegacy` say otherwise, `locationsCount` counts every
//! location the shop keeps, `location(id)` reads one, REST `locations.json` lists them all
//! with `active`, and a deleted location is gone from all of them. A token without
//! `read_locations` is refused.

use chrono::Utc;
use serde_json::{json, Value};
use xeno_sim::{Sim, SimConfig, SimHandle};

mod common;
use common::*;

fn ids(nodes: &Value) -> Vec<String> {
    let mut ids: Vec<String> = nodes
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    ids
}

async fn rest(sim: &SimHandle, path: &str) -> (u16, Value) {
    let resp = reqwest::Client::new()
        .get(format!("{}/admin/api/2026-07/{path}", sim.base_url()))
        .header("X-Shopify-Access-Token", TOKEN)
        .send()
        .await
        .unwrap();
    (resp.status().as_u16(), resp.json().await.unwrap())
}

#[tokio::test]
async fn locations_are_listed_counted_and_read_as_shopify_does() {
    let sim = Sim::start(SimConfig {
        rate: 0.0,
        ..config()
    })
    .await
    .unwrap();
    // One location deactivated, one deactivated and deleted, the others active.
    let (inactive, deleted, total) = {
        let mut store = sim.shared().store.write().unwrap();
        store.create_location(&mut xeno_sim_rng(), Utc::now());
        let all: Vec<u64> = store.locations.keys().copied().collect();
        let (inactive, deleted) = (all[0], all[1]);
        for id in [inactive, deleted] {
            if store.locations[&id].active {
                store.toggle_location(id, Utc::now()).unwrap();
            }
        }
        assert!(store.delete_location(deleted, Utc::now()).is_some());
        assert!(
            store.delete_location(all[2], Utc::now()).is_none(),
            "active: kept"
        );
        (inactive, deleted, store.locations.len())
    };
    let gid = |id: u64| format!("gid://shopify/Location/{id}");
    let q = "{ active: locations(first: 50) { nodes { id isActive } }
               all: locations(first: 50, includeInactive: true, includeLegacy: true) {
                 nodes { id name isActive address { countryCode country } updatedAt } }
               locationsCount(limit: null) { count precision } }";
    let (_, body) = gql(&sim, "2026-07", TOKEN, q, json!({})).await;
    let data = &body["data"];
    let all = ids(&data["all"]["nodes"]);
    assert_eq!(all.len(), total, "{body}");
    assert!(all.contains(&gid(inactive)) && !all.contains(&gid(deleted)));
    let active = ids(&data["active"]["nodes"]);
    assert!(!active.contains(&gid(inactive)), "{body}");
    assert!(data["active"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .all(|n| n["isActive"] == true));
    assert_eq!(data["locationsCount"]["count"], total);
    assert_eq!(data["locationsCount"]["precision"], "EXACT");

    let q = "query($id: ID!) { location(id: $id) { id isActive deactivatable address { countryCode } } }";
    let (_, body) = gql(&sim, "2026-07", TOKEN, q, json!({"id": gid(inactive)})).await;
    assert_eq!(body["data"]["location"]["isActive"], false, "{body}");
    assert_eq!(body["data"]["location"]["deactivatable"], false);
    assert_eq!(body["data"]["location"]["address"]["countryCode"], "US");
    let (_, body) = gql(&sim, "2026-07", TOKEN, q, json!({"id": gid(deleted)})).await;
    assert_eq!(body["data"]["location"], Value::Null, "{body}");

    // REST: every location, `country` as the code and `country_name` as the name.
    let (status, body) = rest(&sim, "locations.json").await;
    assert_eq!(status, 200);
    let listed = body["locations"].as_array().unwrap();
    assert_eq!(listed.len(), total);
    let one = listed.iter().find(|l| l["id"] == inactive).unwrap();
    assert_eq!(
        (one["active"].clone(), one["country"].clone()),
        (json!(false), json!("US"))
    );
    assert_eq!(one["country_name"], "United States");
    let (_, body) = rest(&sim, "locations/count.json").await;
    assert_eq!(body["count"], total);
    let (status, _) = rest(&sim, &format!("locations/{deleted}.json")).await;
    assert_eq!(status, 404);

    // The export: live locations, then the deleted one.
    let exported = export(&sim).await;
    let live = exported
        .iter()
        .filter(|l| l["type"] == "location" && l["deleted"] == false)
        .count();
    assert_eq!(live, total);
    assert!(exported
        .iter()
        .any(|l| l["type"] == "location" && l["deleted"] == true && l["data"]["id"] == deleted));
    sim.shutdown().await;
}

#[tokio::test]
async fn locations_need_read_locations() {
    let sim = Sim::start(SimConfig {
        scopes: vec!["read_orders".into(), "read_products".into()],
        rate: 0.0,
        ..config()
    })
    .await
    .unwrap();
    let (_, body) = gql(
        &sim,
        "2026-07",
        TOKEN,
        "{ locations(first: 5) { nodes { id } } }",
        json!({}),
    )
    .await;
    assert_eq!(body["data"]["locations"], Value::Null, "{body}");
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "ACCESS_DENIED",
        "{body}"
    );
    let (status, _) = rest(&sim, "locations.json").await;
    assert_eq!(status, 403);
    sim.shutdown().await;
}

/// A random source for changes made by hand in a test.
fn xeno_sim_rng() -> xeno_sim::store::SimRng {
    use rand::SeedableRng;
    xeno_sim::store::SimRng::seed_from_u64(1)
}
