//! Every order, customer, product and refund in `shared/fixtures/shopify/` parsed into the
//! values the files state, plus wrong-type cases and property tests that arbitrary JSON never
//! panics a parser.

use chrono::{DateTime, Utc};
use proptest::prelude::*;
use rust_decimal::Decimal;
use serde_json::{json, Value};

use super::*;
use crate::model::{OrderRow, ProductRow, RefundRow};

fn fixture(path: &str) -> Value {
    let full = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/fixtures/shopify")
        .join(path);
    let bytes = std::fs::read(&full).unwrap_or_else(|e| panic!("read {}: {e}", full.display()));
    serde_json::from_slice(&bytes).expect("fixture is JSON")
}

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn some_dec(s: &str) -> Option<Decimal> {
    Some(dec(s))
}

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

/// The GraphQL snapshot's document for one collection.
fn snapshot(collection: &str) -> Value {
    let all = fixture("graphql/estuary_source_shopify_native_capture_snapshot.json");
    all.as_array()
        .unwrap()
        .iter()
        .find(|pair| pair[0] == collection)
        .map(|pair| pair[1].clone())
        .unwrap_or_else(|| panic!("no {collection} in snapshot"))
}

/// Replaces the connector's `"updatedAt": "redacted"` with a real time (see the module docs
/// of `parse`: a redacted `updatedAt` is rejected).
fn unredact(mut v: Value, at: &str) -> Value {
    assert_eq!(v["updatedAt"], "redacted");
    v["updatedAt"] = json!(at);
    v
}

// ---------- REST orders ----------

#[test]
fn python_api_order_450789469() {
    let o = order_from_rest(&fixture("rest/shopify_python_api/order.json")["order"]).unwrap();
    assert_eq!(o.id, 450789469);
    assert_eq!(o.name.as_deref(), Some("#1001"));
    assert_eq!(o.order_number, Some(1001));
    assert_eq!(o.email.as_deref(), Some("bob.norman@hostmail.com"));
    assert_eq!(o.customer_id, Some(207119551));
    assert_eq!(o.currency.as_deref(), Some("USD"));
    assert_eq!(o.total_price, some_dec("409.94"));
    assert_eq!(o.subtotal_price, some_dec("398.00"));
    assert_eq!(o.total_tax, some_dec("11.94"));
    assert_eq!(o.total_discounts, some_dec("0.00"));
    assert_eq!(o.total_shipping, some_dec("0.00"), "sum of shipping_lines");
    assert_eq!(o.total_refunded, Decimal::ZERO);
    assert_eq!(o.financial_status.as_deref(), Some("authorized"));
    assert_eq!(o.fulfillment_status, None);
    assert!(!o.test);
    assert_eq!(o.created_at, Some(t("2008-01-10T16:00:00Z")));
    assert_eq!(o.updated_at, t("2008-01-10T16:00:00Z"));
    assert_eq!(o.processed_at, None);
    let ids: Vec<i64> = o.line_items.iter().map(|l| l.id).collect();
    assert_eq!(ids, [466157049, 518995019, 703073504]);
    let green = &o.line_items[0];
    assert_eq!(green.order_id, 450789469);
    assert_eq!(green.product_id, Some(632910392));
    assert_eq!(green.variant_id, Some(39072856));
    assert_eq!(green.sku.as_deref(), Some("IPOD2008GREEN"));
    assert_eq!(green.title.as_deref(), Some("IPod Nano - 8gb"));
    assert_eq!(green.variant_title.as_deref(), Some("green"));
    assert_eq!(green.vendor, None);
    assert_eq!(green.quantity, 1);
    assert_eq!(green.price, some_dec("199.00"));
    assert_eq!(green.total_discount, None);
    assert_eq!(green.currency.as_deref(), Some("USD"));
    assert!(o.refunds.is_empty());
}

#[test]
fn python_api_orders_list() {
    let list = fixture("rest/shopify_python_api/orders.json");
    let orders: Vec<OrderRow> = list["orders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| order_from_rest(o).unwrap())
        .collect();
    assert_eq!(orders.len(), 1);
    let o = &orders[0];
    assert_eq!(o.id, 450789469);
    assert_eq!(o.total_price, some_dec("598.94"));
    assert_eq!(o.subtotal_price, some_dec("597.00"));
    assert_eq!(o.total_tax, some_dec("11.94"));
    assert_eq!(o.total_discounts, some_dec("10.00"));
    assert_eq!(
        o.total_shipping,
        some_dec("0.00"),
        "total_shipping_price_set"
    );
    assert_eq!(o.financial_status.as_deref(), Some("partially_refunded"));
    assert_eq!(o.processed_at, Some(t("2008-01-10T16:00:00Z")));
    assert_eq!(o.customer_id, Some(207119551));
    assert!(o.line_items.is_empty());
}

fn assert_go_order(o: &OrderRow) {
    assert_eq!(o.id, 123456);
    assert_eq!(o.name.as_deref(), Some("#9999"));
    assert_eq!(o.order_number, Some(1234));
    assert_eq!(o.email.as_deref(), Some("jon@doe.ca"));
    assert_eq!(o.customer_id, None, "the embedded customer has id null");
    assert_eq!(o.total_price, some_dec("10.00"));
    assert_eq!(o.subtotal_price, some_dec("0.00"));
    assert_eq!(o.total_tax, None);
    assert_eq!(o.total_discounts, some_dec("5.00"));
    assert_eq!(o.total_shipping, some_dec("10.00"));
    assert_eq!(o.financial_status.as_deref(), Some("voided"));
    assert_eq!(o.fulfillment_status.as_deref(), Some("pending"));
    assert_eq!(o.cancel_reason.as_deref(), Some("customer"));
    assert!(o.test);
    // `-00:00` is RFC 3339's "UTC, local offset unknown".
    assert_eq!(o.created_at, Some(t("2016-05-17T04:14:36Z")));
    assert_eq!(o.cancelled_at, Some(t("2016-05-17T08:14:36Z")));
    assert_eq!(o.updated_at, t("2016-05-17T08:14:36Z"));
    assert_eq!(o.line_items.len(), 2);
    let soda = &o.line_items[0];
    assert_eq!(
        (soda.id, soda.product_id, soda.variant_id),
        (254721536, Some(111475476), None)
    );
    assert_eq!(soda.sku.as_deref(), Some(""));
    assert_eq!(soda.price, some_dec("0.00"));
    let beer = &o.line_items[1];
    assert_eq!((beer.id, beer.product_id), (5, Some(5410685889)));
    assert_eq!(beer.title.as_deref(), Some("Another Beer For Good Times"));
    assert_eq!(beer.price, some_dec("5.00"));
    assert_eq!(beer.total_discount, some_dec("5.00"));
    assert_eq!(o.total_refunded, Decimal::ZERO);
}

#[test]
fn go_shopify_orders() {
    assert_go_order(&order_from_rest(&fixture("rest/go_shopify/order.json")["order"]).unwrap());
    assert_go_order(
        &order_from_rest(&fixture("rest/go_shopify/order_with_transaction.json")["order"]).unwrap(),
    );
    let list = fixture("rest/go_shopify/orders.json");
    let orders = list["orders"].as_array().unwrap();
    assert_eq!(orders.len(), 1);
    assert_go_order(&order_from_rest(&orders[0]).unwrap());
}

#[test]
fn go_shopify_line_item_and_shipping_line_inside_an_order() {
    let order = json!({
        "id": 1, "updated_at": "2024-01-01T00:00:00Z", "currency": "CAD",
        "line_items": [fixture("rest/go_shopify/orderlineitems_valid.json")],
        "shipping_lines": [fixture("rest/go_shopify/shippinglines_valid.json"), {"price": 1.5}],
    });
    let o = order_from_rest(&order).unwrap();
    let li = &o.line_items[0];
    assert_eq!(li.id, 254721536);
    assert_eq!(li.variant_id, Some(1234));
    assert_eq!(li.sku.as_deref(), Some("sku-123"));
    assert_eq!(li.title.as_deref(), Some("Soda Title"));
    assert_eq!(li.variant_title.as_deref(), Some("Test Variant"));
    assert_eq!(li.vendor.as_deref(), Some("Test Vendor"));
    assert_eq!(li.price, some_dec("12.34"));
    assert_eq!(li.total_discount, some_dec("1.23"));
    assert_eq!(li.currency.as_deref(), Some("CAD"));
    // 4.00 from shop_money (not the EUR presentment 3.17) + a numeric 1.5.
    assert_eq!(o.total_shipping, some_dec("5.50"));
}

#[test]
fn embedded_refunds_add_up_to_total_refunded() {
    let mut order = fixture("rest/shopify_python_api/order.json")["order"].clone();
    let refund = fixture("rest/shopify_python_api/refund.json")["refund"].clone();
    let mut second = refund.clone();
    second["id"] = json!(1);
    second["transactions"][0]["amount"] = json!(0.06);
    order["refunds"] = json!([refund, second]);
    let o = order_from_rest(&order).unwrap();
    assert_eq!(o.refunds.len(), 2);
    assert_eq!(o.total_refunded, dec("209.06"));
}

// ---------- REST refunds ----------

#[test]
fn python_api_refund_509562969() {
    let body = fixture("rest/shopify_python_api/refund.json")["refund"].clone();
    let r = refund_from_rest(&body).unwrap();
    assert_eq!(r.id, 509562969);
    assert_eq!(r.order_id, 450789469);
    assert_eq!(r.amount, dec("209.00"), "the successful refund transaction");
    assert_eq!(r.currency.as_deref(), Some("USD"));
    assert_eq!(r.note.as_deref(), Some("it broke during shipping"));
    assert_eq!(r.created_at, Some(t("2016-06-20T17:35:06Z")));
    assert_eq!(r.raw, body);
}

#[test]
fn refund_without_successful_transactions_uses_line_item_subtotals() {
    let mut body = fixture("rest/shopify_python_api/refund.json")["refund"].clone();
    body["transactions"][0]["status"] = json!("failure");
    body["refund_line_items"][0]["subtotal"] = json!("195.67");
    body["refund_line_items"][1]["subtotal_set"] =
        json!({"shop_money": {"amount": "4.33", "currency_code": "USD"}});
    let r = refund_from_rest(&body).unwrap();
    assert_eq!(r.amount, dec("200.00"));
    assert_eq!(r.currency.as_deref(), Some("USD"));

    body["refund_line_items"] = json!([]);
    assert_eq!(refund_from_rest(&body).unwrap().amount, Decimal::ZERO);
}

#[test]
fn refund_calculate_response_is_not_a_refund() {
    // The calculate endpoint's suggestion has no id: it is not a refund record.
    let body = fixture("rest/shopify_python_api/refund_calculate.json")["refund"].clone();
    let err = refund_from_rest(&body).unwrap_err();
    assert_eq!(err.to_string(), "refund: `id` missing");
}

// ---------- REST customers ----------

#[test]
fn python_api_customer_207119551() {
    let c =
        customer_from_rest(&fixture("rest/shopify_python_api/customer.json")["customer"]).unwrap();
    assert_eq!(c.id, 207119551);
    assert_eq!(c.email.as_deref(), Some("bob.norman@hostmail.com"));
    assert_eq!(c.phone, None);
    assert_eq!(c.first_name.as_deref(), Some("Bob"));
    assert_eq!(c.last_name.as_deref(), Some("Norman"));
    assert_eq!(c.state.as_deref(), Some("disabled"));
    assert_eq!(c.verified_email, Some(true));
    assert_eq!(c.tags.as_deref(), Some(""));
    assert_eq!(c.orders_count, Some(1));
    assert_eq!(c.total_spent, some_dec("41.94"));
    assert_eq!(c.default_city.as_deref(), Some("Louisville"));
    assert_eq!(c.default_province.as_deref(), Some("Kentucky"));
    assert_eq!(c.default_country.as_deref(), Some("United States"));
    assert_eq!(c.created_at, Some(t("2015-05-27T22:11:24Z")));
    assert_eq!(c.updated_at, t("2015-05-27T22:11:24Z"));
}

#[test]
fn python_api_customers_search() {
    let list = fixture("rest/shopify_python_api/customers_search.json");
    let customers = list["customers"].as_array().unwrap();
    assert_eq!(customers.len(), 1);
    let c = customer_from_rest(&customers[0]).unwrap();
    assert_eq!(c.id, 207119551);
    assert_eq!(c.orders_count, Some(0));
    assert_eq!(c.total_spent, some_dec("0.00"));
    assert_eq!(c.updated_at, t("2014-01-20T22:25:18Z"));
}

#[test]
fn go_shopify_customer_1() {
    let c = customer_from_rest(&fixture("rest/go_shopify/customer.json")["customer"]).unwrap();
    assert_eq!(c.id, 1);
    assert_eq!(c.email.as_deref(), Some("test@example.com"));
    assert_eq!(c.state.as_deref(), Some("enabled"));
    assert_eq!(c.tags.as_deref(), Some("tag1,tag2"));
    assert_eq!(c.orders_count, Some(4));
    assert_eq!(c.total_spent, some_dec("278.60"));
    assert_eq!(c.default_city.as_deref(), Some("BRISBANE"));
    assert_eq!(c.default_province.as_deref(), Some("Queensland"));
    assert_eq!(c.default_country.as_deref(), Some("Australia"));
    assert_eq!(c.updated_at, t("2017-09-23T18:15:47Z"));
}

// ---------- REST products ----------

#[test]
fn python_api_product_632910392() {
    let p = product_from_rest(&fixture("rest/shopify_python_api/product.json")["product"]).unwrap();
    assert_eq!(p.id, 632910392);
    assert_eq!(p.title.as_deref(), Some("IPod Nano - 8GB"));
    assert_eq!(p.handle.as_deref(), Some("ipod-nano"));
    assert_eq!(p.vendor.as_deref(), Some("Apple"));
    assert_eq!(p.product_type.as_deref(), Some("Cult Products"));
    assert_eq!(p.status, None);
    assert_eq!(p.tags.as_deref(), Some("Emotive, Flash Memory, MP3, Music"));
    assert_eq!(p.published_at, Some(t("2008-01-01T00:00:00Z")));
    assert_eq!(p.updated_at, t("2011-10-20T18:05:13Z"));
    let v: Vec<(i64, &str, i32)> = p
        .variants
        .iter()
        .map(|v| {
            (
                v.id,
                v.sku.as_deref().unwrap(),
                v.inventory_quantity.unwrap(),
            )
        })
        .collect();
    assert_eq!(
        v,
        [
            (808950810, "IPOD2008PINK", 10),
            (49148385, "IPOD2008RED", 20),
            (39072856, "IPOD2008GREEN", 30),
            (457924702, "IPOD2008BLACK", 40)
        ]
    );
    let pink = &p.variants[0];
    assert_eq!(pink.product_id, 632910392);
    assert_eq!(pink.title.as_deref(), Some("Pink"));
    assert_eq!(pink.price, some_dec("199.00"));
    assert_eq!(pink.compare_at_price, None);
    assert_eq!(pink.position, Some(1));
    assert_eq!(pink.updated_at, Some(t("2011-10-20T18:05:13Z")));
}

#[test]
fn python_api_products_bare_array() {
    let list = fixture("rest/shopify_python_api/products.json");
    let products: Vec<ProductRow> = list
        .as_array()
        .expect("products.json is a bare array")
        .iter()
        .map(|p| product_from_rest(p).unwrap())
        .collect();
    let ids: Vec<i64> = products.iter().map(|p| p.id).collect();
    assert_eq!(ids, [1, 2, 3, 4]);
    for p in &products {
        assert_eq!(p.variants.len(), 1);
        assert_eq!(p.variants[0].id, 808950810);
        assert_eq!(p.variants[0].price, some_dec("199.00"));
        // Product 3's variant says `product_id: 2`; the enclosing product wins.
        assert_eq!(p.variants[0].product_id, p.id);
    }
}

#[test]
fn python_api_variant_inside_a_product() {
    let product = json!({"id": 632910392, "updated_at": "2011-10-20T14:05:13-04:00",
        "variants": [fixture("rest/shopify_python_api/variant.json")["variant"]]});
    let p = product_from_rest(&product).unwrap();
    assert_eq!(p.variants[0].id, 808950810);
    assert_eq!(p.variants[0].product_id, 632910392);
    assert_eq!(p.variants[0].inventory_quantity, Some(10));
}

#[test]
fn go_shopify_product_1071559748() {
    let p = product_from_rest(&fixture("rest/go_shopify/product.json")["product"]).unwrap();
    assert_eq!(p.id, 1071559748);
    assert_eq!(p.title.as_deref(), Some("Burton Custom Freestyle 151"));
    assert_eq!(p.vendor.as_deref(), Some("Burton"));
    assert_eq!(p.product_type.as_deref(), Some("Snowboard"));
    assert_eq!(p.handle.as_deref(), Some("burton-custom-freestyle-151"));
    assert_eq!(
        p.tags.as_deref(),
        Some("\"Big Air\", Barnes & Noble, John's Fav")
    );
    assert_eq!(p.updated_at, t("2017-09-22T18:48:44Z"));
    assert_eq!(p.variants.len(), 1);
    let v = &p.variants[0];
    assert_eq!(v.id, 1070325219);
    assert_eq!(v.title.as_deref(), Some("Default Title"));
    assert_eq!(v.price, some_dec("0.00"));
    assert_eq!(v.inventory_quantity, Some(1));
}

// ---------- GraphQL (estuary snapshot) ----------

#[test]
fn graphql_redacted_updated_at_is_rejected() {
    let err = order_from_graphql(&snapshot("acmeCo/orders")).unwrap_err();
    assert_eq!(err.field, "updatedAt");
    assert!(err.to_string().contains("redacted"), "{err}");
    assert!(product_from_graphql(&snapshot("acmeCo/products")).is_err());
}

#[test]
fn graphql_order_18697849798701() {
    let node = unredact(snapshot("acmeCo/orders"), "2026-08-18T17:51:39Z");
    let o = order_from_graphql(&node).unwrap();
    assert_eq!(o.id, 18697849798701);
    assert_eq!(o.name.as_deref(), Some("#1007"));
    assert_eq!(o.order_number, Some(1007));
    assert_eq!(o.email.as_deref(), Some("test@example.com"));
    assert_eq!(o.customer_id, Some(30911737757741));
    assert_eq!(o.currency.as_deref(), Some("USD"));
    assert_eq!(o.total_price, some_dec("1341615.95"));
    assert_eq!(o.subtotal_price, some_dec("1341615.95"));
    assert_eq!(o.total_tax, some_dec("0.0"));
    assert_eq!(o.total_discounts, some_dec("0.0"));
    assert_eq!(o.total_shipping, some_dec("0.0"));
    assert_eq!(o.total_refunded, Decimal::ZERO, "no refunds in this node");
    assert_eq!(o.financial_status.as_deref(), Some("partially_refunded"));
    assert_eq!(o.fulfillment_status.as_deref(), Some("fulfilled"));
    assert_eq!(o.cancel_reason, None);
    assert!(!o.test);
    assert_eq!(o.created_at, Some(t("2026-06-11T17:33:51Z")));
    assert_eq!(o.processed_at, Some(t("2026-06-11T17:33:51Z")));
    assert_eq!(o.closed_at, Some(t("2026-08-18T17:51:39Z")));
    assert_eq!(o.line_items.len(), 11);
    let first = &o.line_items[0];
    assert_eq!(first.id, 50297223512109);
    assert_eq!(first.order_id, 18697849798701);
    assert_eq!(first.product_id, Some(8086708453421));
    assert_eq!(first.variant_id, Some(43217824284717));
    assert_eq!(first.sku.as_deref(), Some("123456789"));
    assert_eq!(first.vendor.as_deref(), Some("estuary-alex-testing"));
    assert_eq!(first.quantity, 200);
    assert_eq!(first.price, some_dec("43.0"));
    assert_eq!(first.total_discount, some_dec("0.0"));
    assert_eq!(first.currency.as_deref(), Some("USD"));
    let last = &o.line_items[10];
    assert_eq!((last.id, last.quantity), (50353178017837, 1));
    assert_eq!(last.price, some_dec("885.95"));
    assert_eq!(last.sku, None);
}

#[test]
fn graphql_order_refunds() {
    let node = snapshot("acmeCo/order_refunds");
    let refunds: Vec<RefundRow> = node["refunds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| refund_from_graphql(r).unwrap())
        .collect();
    let got: Vec<(i64, i64, Decimal)> = refunds
        .iter()
        .map(|r| (r.id, r.order_id, r.amount))
        .collect();
    assert_eq!(
        got,
        [
            (1094845169709, 18697849798701, dec("670365.0")),
            (1094845497389, 18697849798701, dec("33518.25")),
            (1100817530925, 18697849798701, dec("32632.3")),
        ]
    );
    assert_eq!(refunds[0].currency.as_deref(), Some("USD"));
    assert_eq!(refunds[0].note.as_deref(), Some(""));
    assert_eq!(refunds[2].note, None);
    assert_eq!(refunds[0].created_at, Some(t("2026-06-11T17:35:45Z")));

    // The same node as an order with its refunds (bulk children rebuilt into an array).
    let mut order = node.clone();
    order["updatedAt"] = json!("2026-06-15T13:21:45Z");
    let o = order_from_graphql(&order).unwrap();
    assert_eq!(o.refunds.len(), 3);
    assert_eq!(o.total_refunded, dec("736515.55"));
    assert_eq!(o.financial_status.as_deref(), Some("partially_refunded"));

    // Without totalRefundedSet, the refund line items' subtotals count.
    let mut bare = node["refunds"][2].clone();
    bare.as_object_mut().unwrap().remove("totalRefundedSet");
    assert_eq!(refund_from_graphql(&bare).unwrap().amount, dec("33518.25"));
}

#[test]
fn graphql_product_and_variants() {
    let p = product_from_graphql(&unredact(
        snapshot("acmeCo/products"),
        "2025-08-29T12:12:00Z",
    ))
    .unwrap();
    assert_eq!(p.id, 8086707830829);
    assert_eq!(p.title.as_deref(), Some("Gift Card"));
    assert_eq!(p.handle.as_deref(), Some("gift-card"));
    assert_eq!(p.vendor.as_deref(), Some("Snowboard Vendor"));
    assert_eq!(p.product_type.as_deref(), Some("giftcard"));
    assert_eq!(p.status.as_deref(), Some("active"));
    assert_eq!(p.tags.as_deref(), Some(""));
    assert_eq!(p.created_at, Some(t("2025-01-14T15:10:14Z")));
    assert_eq!(p.published_at, Some(t("2025-01-14T15:10:15Z")));
    assert!(p.variants.is_empty());

    let node = unredact(snapshot("acmeCo/product_variants"), "2025-08-29T12:12:00Z");
    let p = product_from_graphql(&node).unwrap();
    assert_eq!(p.id, 8086707830829);
    let v: Vec<(i64, Decimal, i32, i32)> = p
        .variants
        .iter()
        .map(|v| {
            (
                v.id,
                v.price.unwrap(),
                v.position.unwrap(),
                v.inventory_quantity.unwrap(),
            )
        })
        .collect();
    assert_eq!(
        v,
        [
            (43217823334445, dec("10.00"), 1, 0),
            (43217823367213, dec("25.00"), 2, -1),
            (43217823399981, dec("50.00"), 3, -1),
            (43217823432749, dec("100.00"), 4, 0),
        ]
    );
    assert_eq!(p.variants[0].title.as_deref(), Some("$10"));
    assert_eq!(p.variants[0].sku, None);
    assert_eq!(p.variants[0].updated_at, Some(t("2025-08-29T12:12:00Z")));
    assert!(p.variants.iter().all(|v| v.product_id == 8086707830829));

    // The same children as a connection, both shapes.
    let mut edges = node.clone();
    edges["variants"] = json!({"edges": node["variants"].as_array().unwrap().iter()
        .map(|n| json!({"node": n})).collect::<Vec<_>>()});
    assert_eq!(product_from_graphql(&edges).unwrap().variants, p.variants);
    let mut nodes = node.clone();
    nodes["variants"] = json!({"nodes": node["variants"]});
    assert_eq!(product_from_graphql(&nodes).unwrap().variants, p.variants);
}

#[test]
fn graphql_customer_and_gid_fallback() {
    let node = json!({
        "id": "gid://shopify/Customer/30911737757741",
        "firstName": "Test", "lastName": "McTesterson",
        "defaultEmailAddress": {"emailAddress": "test@example.com"},
        "defaultPhoneNumber": null,
        "state": "ENABLED", "verifiedEmail": true, "tags": ["vip", "b2b"],
        "numberOfOrders": "3",
        "amountSpent": {"amount": "1341615.95", "currencyCode": "USD"},
        "defaultAddress": {"city": "Ottawa", "province": "Ontario", "country": "Canada"},
        "createdAt": "2026-06-11T17:33:51Z", "updatedAt": "2026-06-11T17:35:45Z"
    });
    let c = customer_from_graphql(&node).unwrap();
    assert_eq!(c.id, 30911737757741);
    assert_eq!(c.email.as_deref(), Some("test@example.com"));
    assert_eq!(c.state.as_deref(), Some("enabled"));
    assert_eq!(c.tags.as_deref(), Some("vip, b2b"));
    assert_eq!(c.orders_count, Some(3));
    assert_eq!(c.total_spent, some_dec("1341615.95"));
    assert_eq!(c.currency.as_deref(), Some("USD"));
    assert_eq!(c.default_city.as_deref(), Some("Ottawa"));
}

// ---------- small bodies ----------

#[test]
fn delete_ids_and_compliance_bodies() {
    assert_eq!(
        id_from_delete(&json!({"id": 450789469})).unwrap(),
        450789469
    );
    assert_eq!(
        id_from_delete(&json!({"id": "gid://shopify/Customer/706405506930370084",
            "tax_exemptions": []}))
        .unwrap(),
        706405506930370084
    );
    assert!(id_from_delete(&json!({"name": 1})).is_err());

    let redact = customer_request(
        &json!({"shop_id": 954889, "shop_domain": "snowdevil.myshopify.com",
        "customer": {"id": 191167, "email": "john@example.com", "phone": "555-625-1199"},
        "orders_to_redact": [299938, 280263, 220458]}),
    )
    .unwrap();
    assert_eq!(redact.customer_id, Some(191167));
    assert_eq!(redact.email.as_deref(), Some("john@example.com"));
    assert_eq!(redact.order_ids, [299938, 280263, 220458]);
    let request = customer_request(
        &json!({"shop_id": 954889, "shop_domain": "snowdevil.myshopify.com",
        "orders_requested": [299938], "customer": {"id": 191167, "email": "john@example.com"},
        "data_request": {"id": 9999}}),
    )
    .unwrap();
    assert_eq!(request.data_request_id, Some(9999));
    assert_eq!(request.order_ids, [299938]);
    assert!(customer_request(&json!({"customer": {}})).is_err());

    let shop = shop_request(&json!({"shop_id": 954889, "shop_domain": "snowdevil.myshopify.com"}))
        .unwrap();
    assert_eq!(shop.shop_id, Some(954889));

    let bulk =
        bulk_operation_finish(&fixture("bulk/bulk_operations_finish_guide_example.json")).unwrap();
    assert_eq!(
        bulk.admin_graphql_api_id,
        "gid://shopify/BulkOperation/720918"
    );
    assert_eq!(bulk.status, "completed");
    assert_eq!(bulk.error_code, None);
    assert_eq!(bulk.operation_type.as_deref(), Some("query"));
    assert_eq!(bulk.completed_at, Some(t("2024-08-29T17:23:25Z")));
}

// ---------- errors ----------

#[test]
fn errors_name_the_field() {
    let base = || json!({"id": 1, "updated_at": "2024-01-01T00:00:00Z"});
    let err = |v: Value| order_from_rest(&v).unwrap_err().to_string();

    let mut v = base();
    v.as_object_mut().unwrap().remove("updated_at");
    assert_eq!(err(v), "order: `updated_at` missing");
    let mut v = base();
    v["total_price"] = json!("abc");
    assert_eq!(err(v), "order: `total_price` not a decimal: \"abc\"");
    let mut v = base();
    v["total_price"] = json!(true);
    assert_eq!(err(v), "order: `total_price` not a decimal but a boolean");
    let mut v = base();
    v["id"] = json!(1e30);
    assert!(err(v).starts_with("order: `id` not an integer id"));
    let mut v = base();
    v["line_items"] = json!([{"id": 1}, {"id": 2, "quantity": 1_000_000_000_000i64}]);
    assert_eq!(
        err(v),
        "order: `line_items[1].quantity` out of range: 1000000000000"
    );
    let mut v = base();
    v["line_items"] = json!({"id": 1});
    assert_eq!(err(v), "order: `line_items` not an array but an object");
    let mut v = base();
    v["customer"] = json!({"id": "x"});
    assert_eq!(err(v), "order: `customer.id` not an id: \"x\"");
    let mut v = base();
    v["total_shipping_price_set"] = json!({"shop_money": {}});
    assert_eq!(
        err(v),
        "order: `total_shipping_price_set.shop_money.amount` missing"
    );
    let mut v = base();
    v["refunds"] = json!([{"id": 1, "transactions": [{"kind": "refund", "status": "success",
        "amount": "79228162514264337593543950335"}, {"kind": "refund", "status": "success",
        "amount": "1"}]}]);
    assert_eq!(
        err(v),
        "order: `refunds[0].transactions` sum overflows a decimal"
    );
    assert_eq!(
        order_from_rest(&json!([1])).unwrap_err().to_string(),
        "order: `(body)` is not a JSON object but an array"
    );
    assert_eq!(
        customer_from_rest(&json!({"id": 1, "updated_at": "yesterday"}))
            .unwrap_err()
            .to_string(),
        "customer: `updated_at` not an RFC 3339 timestamp: \"yesterday\""
    );
}

// ---------- property tests: arbitrary JSON never panics ----------

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<u64>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| json!(f)),
        "[0-9.eE+-]{0,40}".prop_map(Value::String),
        "gid://shopify/[A-Za-z]{0,8}/[0-9]{0,25}".prop_map(Value::String),
        "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]{0,12}[Z+-]?[0-9:]{0,5}".prop_map(Value::String),
        ".{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(key(), inner, 0..8)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Keys the parsers read, so random objects reach deep code paths.
fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "id",
            "updated_at",
            "updatedAt",
            "created_at",
            "createdAt",
            "legacyResourceId",
            "line_items",
            "lineItems",
            "refunds",
            "variants",
            "transactions",
            "kind",
            "status",
            "amount",
            "refund_line_items",
            "refundLineItems",
            "subtotal",
            "subtotal_set",
            "subtotalSet",
            "shop_money",
            "shopMoney",
            "currency_code",
            "currencyCode",
            "total_price",
            "totalPriceSet",
            "total_shipping_price_set",
            "shipping_lines",
            "shippingLines",
            "price",
            "price_set",
            "quantity",
            "customer",
            "order",
            "order_id",
            "edges",
            "node",
            "nodes",
            "tags",
            "default_address",
            "defaultAddress",
            "totalRefundedSet",
            "amountSet",
            "email",
            "orders_to_redact",
            "data_request",
            "admin_graphql_api_id",
            "numberOfOrders",
            "amountSpent",
            "position",
        ])
        .prop_map(str::to_string),
        "[a-z_]{1,6}",
    ]
}

fn run_all(v: &Value) {
    let _ = order_from_rest(v);
    let _ = customer_from_rest(v);
    let _ = product_from_rest(v);
    let _ = refund_from_rest(v);
    let _ = order_from_graphql(v);
    let _ = customer_from_graphql(v);
    let _ = product_from_graphql(v);
    let _ = refund_from_graphql(v);
    let _ = id_from_delete(v);
    let _ = customer_request(v);
    let _ = shop_request(v);
    let _ = bulk_operation_finish(v);
}

/// Bytes that look a little like JSON (mostly the characters JSON is made of), so that
/// random mutations parse often and reach the parsers with odd numbers and strings.
fn jsonish_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..256),
        proptest::collection::vec(
            prop::sample::select(b"{}[]\":,0123456789.eE+-truefalsnl \\u\xff\x00".to_vec()),
            0..256,
        ),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn arbitrary_json_never_panics(v in arb_json()) {
        run_all(&v);
    }

    /// The writer's path from a body: bytes, then JSON, then a parser.
    #[test]
    fn arbitrary_bytes_never_panic(bytes in jsonish_bytes()) {
        if let Ok(v) = serde_json::from_slice::<Value>(&bytes) {
            run_all(&v);
        }
    }

    #[test]
    fn mutated_fixtures_never_panic(
        which in 0usize..4,
        field in key(),
        value in arb_json(),
    ) {
        let mut v = match which {
            0 => fixture("rest/shopify_python_api/order.json")["order"].clone(),
            1 => fixture("rest/shopify_python_api/refund.json")["refund"].clone(),
            2 => fixture("rest/shopify_python_api/product.json")["product"].clone(),
            _ => snapshot("acmeCo/orders"),
        };
        v.as_object_mut().unwrap().insert(field.clone(), value.clone());
        if let Some(items) = v.get_mut("line_items").and_then(Value::as_array_mut) {
            if let Some(first) = items.first_mut().and_then(Value::as_object_mut) {
                first.insert(field, value);
            }
        }
        run_all(&v);
    }
}
