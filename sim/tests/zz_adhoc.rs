use serde_json::{json, Value};
#[tokio::test]
async fn adhoc() {
    let cfg = xeno_sim::SimConfig { access_token: "t".into(), customers: 5, products: 3, orders: 8, ..Default::default() };
    let sim = xeno_sim::Sim::start(cfg).await.unwrap();
    let q = r#"{ orders(first: 2, reverse: true, sortKey: CREATED_AT) { edges { cursor node { id legacyResourceId name email createdAt updatedAt processedAt cancelledAt cancelReason displayFinancialStatus displayFulfillmentStatus currencyCode totalPriceSet { shopMoney { amount currencyCode } presentmentMoney { amount } } totalRefundedSet { shopMoney { amount } } customer { id firstName amountSpent { amount } numberOfOrders defaultAddress { city } } lineItems(first: 3) { nodes { quantity sku title variantTitle vendor originalUnitPriceSet { shopMoney { amount } } product { id } variant { id } } } refunds { id transactions(first: 2) { nodes { kind amountSet { shopMoney { amount } } } } } transactions { kind status } } } pageInfo { hasNextPage endCursor hasPreviousPage startCursor } }
      products(first: 1) { nodes { id title handle vendor productType status tags createdAt publishedAt updatedAt variants(first: 2) { nodes { id title sku price compareAtPrice position inventoryQuantity createdAt updatedAt } } } }
      customers(first: 1) { nodes { id firstName lastName email phone state verifiedEmail tags numberOfOrders amountSpent { amount currencyCode } defaultAddress { address1 city zip countryCodeV2 } createdAt updatedAt } } }"#;
    let resp: Value = reqwest::Client::new().post(format!("{}/admin/api/2025-07/graphql.json", sim.base_url())).header("X-Shopify-Access-Token", "t").json(&json!({"query": q})).send().await.unwrap().json().await.unwrap();
    println!("{}", serde_json::to_string_pretty(&resp).unwrap());
    let r: Value = reqwest::get(format!("{}/_sim/summary", sim.base_url())).await.unwrap().json().await.unwrap();
    println!("{r}");
    let e = reqwest::get(format!("{}/_sim/export", sim.base_url())).await.unwrap().text().await.unwrap();
    println!("{}", e.lines().last().unwrap());
}
