//! The seeded generator: the same seed gives the same store, byte for byte, with every state.

use std::collections::HashSet;

use sha2::Sha256;

mod common;

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

/// The export and the continued random stream of one seed, fixed: a change to the generator
/// that moves a single draw shows here (benchmarks and engine tests rely on seeded stores).
/// Locations draw from a stream of their own (`generate/mod.rs`): without their lines the
/// export hashes as it did before the simulator kept them.
#[test]
fn generated_store_is_byte_identical_to_the_recorded_one() {
    use rand::Rng;
    use sha2::Digest;
    let sizes = xeno_sim::generate::Sizes {
        customers: 300,
        products: 80,
        orders: 2000,
    };
    let shop = xeno_sim::generate::default_shop(
        "golden-shop.myshopify.com",
        "USD",
        xeno_sim::Plan::Standard,
    );
    let (store, mut rng) = xeno_sim::generate::generate(shop, 7, sizes);
    let mut hash = Sha256::new();
    for line in xeno_sim::server::export_lines(&store) {
        hash.update(line.as_bytes());
        hash.update(b"\n");
    }
    let digest: String = hash.finalize().iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(
        digest,
        "aff880858d9833e2bf808bf9edeee76f77b887cefe18c4941d069f6241a16258"
    );
    assert_eq!(rng.gen::<u64>(), 4390923040353656548);
}

/// Every null Shopify allows appears, near the rate its constant documents, and renders as
/// Shopify renders it: `null` in REST where Shopify's field is nullable, `""` where its
/// GraphQL type is `String!` (a product's vendor and type).
#[test]
fn generated_store_has_every_null_shopify_allows() {
    use serde_json::Value;
    use xeno_sim::generate::{customers, orders, products};
    let shop =
        xeno_sim::generate::default_shop("nulls.myshopify.com", "USD", xeno_sim::Plan::Standard);
    let sizes = xeno_sim::generate::Sizes {
        customers: 2_000,
        products: 400,
        orders: 4_000,
    };
    let (store, _) = xeno_sim::generate::generate(shop, 11, sizes);
    let rendered: Vec<Value> = xeno_sim::server::export_lines(&store)
        .map(|l| serde_json::from_str::<Value>(&l).unwrap())
        .filter(|v| v["deleted"] == Value::Bool(false))
        .collect();
    let of = |kind: &str| -> Vec<&Value> {
        rendered
            .iter()
            .filter(|v| v["type"] == kind)
            .map(|v| &v["data"])
            .collect()
    };
    let (customers_json, orders_json, products_json) = (of("customer"), of("order"), of("product"));
    let lines: Vec<&Value> = orders_json
        .iter()
        .flat_map(|o| o["line_items"].as_array().unwrap())
        .collect();
    let addresses: Vec<&Value> = customers_json
        .iter()
        .flat_map(|c| c["addresses"].as_array().unwrap())
        .collect();

    let share = |n: usize, of: usize| n as f64 / of as f64;
    let near = |what: &str, got: f64, want: f64| {
        assert!(
            (got - want).abs() <= want * 0.5,
            "{what}: {got:.3}, documented {want}"
        );
    };
    let no_email = customers_json
        .iter()
        .filter(|c| c["email"].is_null())
        .count();
    let no_phone = customers_json
        .iter()
        .filter(|c| c["phone"].is_null())
        .count();
    let neither = customers_json
        .iter()
        .filter(|c| c["email"].is_null() && c["phone"].is_null())
        .count();
    near(
        "customers without email",
        share(no_email, customers_json.len()),
        customers::NO_EMAIL_RATE,
    );
    near(
        "customers without phone",
        share(no_phone, customers_json.len()),
        customers::NO_PHONE_RATE,
    );
    assert!(neither > 0, "no customer without both email and phone");

    let guests: Vec<_> = orders_json
        .iter()
        .filter(|o| o["customer"].is_null())
        .collect();
    near(
        "guest orders",
        share(guests.len(), orders_json.len()),
        orders::GUEST_RATE,
    );
    let guests_no_email = guests.iter().filter(|o| o["email"].is_null()).count();
    near(
        "guest orders without email",
        share(guests_no_email, guests.len()),
        orders::GUEST_NO_EMAIL_RATE,
    );
    assert!(orders_json
        .iter()
        .all(|o| o["customer"].is_null() || o["customer"]["id"].is_u64()));

    let custom: Vec<_> = lines.iter().filter(|l| l["product_id"].is_null()).collect();
    near(
        "custom line items",
        share(custom.len(), lines.len()),
        orders::CUSTOM_LINE_RATE,
    );
    for l in &custom {
        for field in ["variant_id", "sku", "vendor", "variant_title"] {
            assert!(l[field].is_null(), "custom line with {field}: {l}");
        }
        assert_eq!(l["product_exists"], false);
    }

    let digital: Vec<_> = orders_json
        .iter()
        .filter(|o| o["shipping_lines"].as_array().unwrap().is_empty())
        .collect();
    near(
        "digital orders",
        share(digital.len(), orders_json.len()),
        orders::DIGITAL_RATE,
    );
    for o in &digital {
        assert!(
            o["shipping_address"].is_null(),
            "digital order shipped: {o}"
        );
        assert_eq!(
            o["total_shipping_price_set"]["shop_money"]["amount"],
            "0.00"
        );
        for l in o["line_items"].as_array().unwrap() {
            assert_eq!(l["requires_shipping"], false);
        }
    }

    let presented: Vec<_> = orders_json
        .iter()
        .filter(|o| o["presentment_currency"] != o["currency"])
        .collect();
    near(
        "orders in another currency",
        share(presented.len(), orders_json.len()),
        orders::PRESENTMENT_RATE,
    );
    for o in &presented {
        let total = &o["total_price_set"];
        assert_eq!(total["shop_money"]["currency_code"], o["currency"]);
        assert_eq!(
            total["presentment_money"]["currency_code"],
            o["presentment_currency"]
        );
        assert_eq!(total["shop_money"]["amount"], o["total_price"]);
    }

    for (field, want) in [
        ("address2", 0.8),
        ("company", 0.8),
        ("province", customers::ABROAD_RATE / 2.0),
        ("zip", customers::ABROAD_RATE / 2.0),
    ] {
        let n = addresses.iter().filter(|a| a[field].is_null()).count();
        near(
            &format!("addresses without {field}"),
            share(n, addresses.len()),
            want,
        );
    }
    assert!(addresses
        .iter()
        .filter(|a| a["province"].is_null())
        .all(|a| a["province_code"].is_null()));

    let no_vendor = products_json.iter().filter(|p| p["vendor"] == "").count();
    let no_type = products_json
        .iter()
        .filter(|p| p["product_type"] == "")
        .count();
    near(
        "products without vendor",
        share(no_vendor, products_json.len()),
        products::NO_VENDOR_RATE,
    );
    near(
        "products without type",
        share(no_type, products_json.len()),
        products::NO_PRODUCT_TYPE_RATE,
    );
    assert!(products_json
        .iter()
        .all(|p| p["vendor"].is_string() && p["product_type"].is_string()));
}
