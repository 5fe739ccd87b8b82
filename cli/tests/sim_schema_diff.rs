//! The simulator's GraphQL schema against Shopify's published Admin schema, for every
//! supported version (the simulator serves each as itself, `sim/src/server.rs`, from Shopify's
//! introspection of that version, `sim/src/graphql/admin/`): what a client's introspection of
//! the simulator answers must be Shopify's schema: the same types, and for every type other
//! than the roots the same definition (fields with their arguments, types and nullability,
//! enum values, input fields, interfaces, union members). Any difference fails; there is no
//! allow-list.
//!
//! The roots are the exception, by design: `QueryRoot` and `Mutation` serve the entry points
//! of what the simulator keeps (orders, customers, products, bulk operations, webhook
//! subscriptions…), each with Shopify's signature; the others (most of Shopify's products:
//! discounts, markets, themes…) are unknown fields, as a version lacking them would answer.
//! Their count is printed, and the engine's own documents must not use one of them.

use apollo_compiler::schema::ExtendedType;
use xeno_engine::sync::api_check;
use xeno_shopify::schema::AdminSchema;
use xeno_shopify::versions::SUPPORTED;

/// The types the simulator keeps data behind: each must be served, with every field.
const MODELED: &[&str] = &[
    "Order",
    "Customer",
    "Product",
    "ProductVariant",
    "LineItem",
    "MailingAddress",
    "Refund",
    "RefundLineItem",
    "OrderTransaction",
    "Fulfillment",
    "ShippingLine",
    "TaxLine",
    "Location",
    "LocationAddress",
    "BulkOperation",
    "WebhookSubscription",
    "Shop",
    "AppInstallation",
];

#[tokio::test]
async fn the_simulator_serves_its_types_as_shopify_types_them() {
    let dir = xeno_shopify::artifacts::dir_from_env();
    let mut failing = Vec::new();
    for version in SUPPORTED {
        let shopify = api_check::load_schema(&dir, version).unwrap_or_else(|e| panic!("{e}"));
        let sdl = xeno_sim::graphql::schema::sdl_for(version)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let sim = AdminSchema::from_sdl(&sdl).expect("the simulator's SDL");
        let ours = &sim.schema().types;
        let theirs = &shopify.schema().types;
        // Types only the unserved root fields reach are not served (async-graphql keeps the
        // types reachable from the roots); the ones the simulator models must be.
        let unreached = theirs.keys().filter(|n| !ours.contains_key(*n)).count();
        println!("{version}: {unreached} of Shopify's types are reached only from unserved roots");
        for name in MODELED {
            if !ours.contains_key(*name) {
                failing.push(format!("{version}: type {name} is not served"));
            }
        }
        let roots = ["QueryRoot", "Mutation"];
        let mut used = std::collections::BTreeSet::new();
        for d in api_check::documents(version) {
            used.extend(shopify.fields_used(&d.text));
        }
        for (name, ty) in ours.iter().filter(|(n, _)| !n.starts_with("__")) {
            let Some(shopify_ty) = theirs.get(name) else {
                failing.push(format!("{version}: type {name} is not in Shopify's schema"));
                continue;
            };
            if !roots.contains(&name.as_str()) {
                let (a, b) = (ty.to_string(), shopify_ty.to_string());
                // async-graphql's introspection answers `interfaces: null` for an interface
                // type (its executable schema knows them: fragments validate), so an
                // interface's `implements` clause is the one thing it cannot show.
                let b = match shopify_ty {
                    ExtendedType::Interface(_) => {
                        let head = b.lines().next().unwrap_or_default();
                        let bare = head.split(" implements ").next().unwrap_or(head);
                        b.replacen(head, &format!("{} {{", bare.trim_end_matches(" {")), 1)
                    }
                    _ => b,
                };
                if a != b {
                    let only = |x: &str, y: &str| -> Vec<String> {
                        let other: std::collections::BTreeSet<&str> = y.lines().collect();
                        x.lines()
                            .filter(|l| !other.contains(l))
                            .map(str::to_string)
                            .collect()
                    };
                    failing.push(format!(
                        "{version}: {name} differs: simulator {:?}, Shopify {:?}",
                        only(&a, &b),
                        only(&b, &a)
                    ));
                }
                continue;
            }
            let served = sim.fields_of(name).unwrap_or_default();
            let published = shopify.fields_of(name).unwrap_or_default();
            for (field, sig) in &served {
                match published.get(field) {
                    Some(s) if s == sig => {}
                    Some(s) => failing.push(format!(
                        "{version}: {name}.{field}: simulator {sig}, Shopify {s}"
                    )),
                    None => failing.push(format!(
                        "{version}: {name}.{field}: not in Shopify's schema"
                    )),
                }
            }
            let unserved: Vec<&String> = published
                .keys()
                .filter(|f| !served.contains_key(*f))
                .collect();
            for field in &unserved {
                if used.contains(&(name.to_string(), field.to_string())) {
                    failing.push(format!(
                        "{version}: {name}.{field}: used by the engine, not served"
                    ));
                }
            }
            println!(
                "{version}: {name} serves {} of Shopify's {} fields",
                served.len(),
                published.len()
            );
        }
    }
    assert!(
        failing.is_empty(),
        "the simulator's schema differs from Shopify's:\n{}",
        failing.join("\n")
    );
}
