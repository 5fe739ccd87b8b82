//! The simulator's GraphQL schema against Shopify's published Admin schema of the default
//! version, for the types it models: every field it serves that Shopify lacks, or types
//! (name, arguments, type, nullability) unlike Shopify, is printed. The test fails only for
//! the fields the engine's own documents use, so those cannot regress; the rest is the
//! simulator's known distance from Shopify (with the engine's fields listed in [`KNOWN`]).

use std::path::PathBuf;

use xeno_engine::sync::api_check::{self, ARTIFACTS_ENV};
use xeno_shopify::schema::AdminSchema;
use xeno_shopify::versions::LATEST_STABLE;

const MODELLED: &[&str] = &[
    "QueryRoot",
    "Mutation",
    "Order",
    "Customer",
    "Product",
    "ProductVariant",
    "LineItem",
    "MailingAddress",
    "Refund",
    "OrderTransaction",
    "BulkOperation",
    "WebhookSubscription",
    "MoneyV2",
    "MoneyBag",
    "CustomerEmailAddress",
    "CustomerPhoneNumber",
    "PageInfo",
];

/// Fields the engine uses that the simulator still types unlike Shopify (missing arguments,
/// non-null webhook payloads, `String` for the `CurrencyCode` enum, the invented
/// `WebhookSubscriptionPayload`, a nullable `topic` for the catch-all subscription). A field
/// leaves this list when fixed; no field may join it.
const KNOWN: &[&str] = &[
    "QueryRoot.webhookSubscriptions",
    "Mutation.webhookSubscriptionCreate",
    "Mutation.webhookSubscriptionUpdate",
    "Order.currencyCode",
    "Product.variants",
    "WebhookSubscription.topic",
    "MoneyV2.currencyCode",
];

#[test]
fn the_simulator_serves_the_engines_fields_as_shopify_types_them() {
    let dir = std::env::var_os(ARTIFACTS_ENV)
        .map(PathBuf::from)
        .unwrap_or_else(api_check::default_artifacts);
    let shopify = api_check::load_schema(&dir, LATEST_STABLE).unwrap_or_else(|e| panic!("{e}"));
    let sim = AdminSchema::from_sdl(&xeno_sim::graphql::schema::build().sdl())
        .expect("the simulator's SDL");
    let mut used = std::collections::BTreeSet::new();
    for d in api_check::documents(LATEST_STABLE) {
        used.extend(shopify.fields_used(&d.text));
    }
    let (mut differences, mut failing) = (Vec::new(), Vec::new());
    for ty in MODELLED {
        let ours = sim.fields_of(ty).unwrap_or_default();
        let theirs = shopify.fields_of(ty).unwrap_or_default();
        for (field, sig) in &ours {
            let line = match theirs.get(field) {
                None => format!("{ty}.{field}{sig}: not in Shopify's schema"),
                Some(s) if s == sig => continue,
                Some(s) => format!("{ty}.{field}: simulator {sig}, Shopify {s}"),
            };
            let key = format!("{ty}.{field}");
            if used.contains(&(ty.to_string(), field.clone())) && !KNOWN.contains(&key.as_str()) {
                failing.push(line.clone());
            }
            differences.push(line);
        }
        for field in theirs.keys() {
            if used.contains(&(ty.to_string(), field.clone())) && !ours.contains_key(field) {
                failing.push(format!("{ty}.{field}: used by the engine, not served"));
            }
        }
    }
    println!(
        "{} differences:\n{}",
        differences.len(),
        differences.join("\n")
    );
    assert!(
        failing.is_empty(),
        "the engine's fields differ:\n{}",
        failing.join("\n")
    );
}
