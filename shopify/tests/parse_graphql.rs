//! GraphQL nodes from the connector snapshot in `shared/fixtures/shopify/graphql/` parsed into
//! the same rows as their REST counterparts.

mod common;

use rust_decimal::Decimal;
use serde_json::json;
use xeno_shopify::parse::*;
use xeno_shopify::RefundRow;

use common::*;

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
