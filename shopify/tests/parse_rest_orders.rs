//! REST orders and refunds from `shared/fixtures/shopify/` parsed into the values the files
//! state.

mod common;

use rust_decimal::Decimal;
use serde_json::json;
use xeno_shopify::parse::*;
use xeno_shopify::OrderRow;

use common::*;

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

/// A guest order paid in another currency, with a custom line item: every null lands as
/// `None`, money stays the shop's and the presentment side is kept apart.
#[test]
fn guest_order_in_another_currency_with_a_custom_line() {
    let body = json!({
        "id": 5001, "updated_at": "2026-01-02T03:04:05Z", "email": null, "customer": null,
        "currency": "USD", "presentment_currency": "EUR", "total_price": "10.00",
        "total_price_set": {
            "shop_money": {"amount": "10.00", "currency_code": "USD"},
            "presentment_money": {"amount": "9.20", "currency_code": "EUR"}
        },
        "shipping_address": null, "shipping_lines": [],
        "line_items": [{
            "id": 7, "product_id": null, "variant_id": null, "sku": null, "vendor": null,
            "variant_title": null, "title": "Gift wrapping", "quantity": 1, "price": "5.00"
        }]
    });
    let o = order_from_rest(&body).unwrap();
    assert_eq!((o.email, o.customer_id), (None, None));
    assert_eq!(o.total_price, some_dec("10.00"));
    assert_eq!(o.currency.as_deref(), Some("USD"));
    assert_eq!(o.presentment_currency.as_deref(), Some("EUR"));
    assert_eq!(o.presentment_total_price, some_dec("9.20"));
    assert_eq!(
        o.total_shipping,
        some_dec("0"),
        "no shipping lines: nothing charged"
    );
    let l = &o.line_items[0];
    assert_eq!((l.product_id, l.variant_id), (None, None));
    assert_eq!((&l.sku, &l.vendor, &l.variant_title), (&None, &None, &None));
    assert_eq!(l.title.as_deref(), Some("Gift wrapping"));

    let graphql = order_from_graphql(&json!({
        "id": "gid://shopify/Order/5001", "updatedAt": "2026-01-02T03:04:05Z",
        "email": null, "customer": null, "currencyCode": "USD",
        "totalPriceSet": {
            "shopMoney": {"amount": "10.00", "currencyCode": "USD"},
            "presentmentMoney": {"amount": "9.20", "currencyCode": "EUR"}
        },
        "lineItems": {"edges": [{"node": {
            "id": "gid://shopify/LineItem/7", "title": "Gift wrapping", "sku": null,
            "vendor": null, "variantTitle": null, "product": null, "variant": null,
            "quantity": 1
        }}]}
    }))
    .unwrap();
    assert_eq!(graphql.presentment_currency.as_deref(), Some("EUR"));
    assert_eq!(graphql.presentment_total_price, some_dec("9.20"));
    assert_eq!(graphql.customer_id, None);
    assert_eq!(graphql.line_items[0].product_id, None);

    let broken = json!({"id": 1, "updated_at": "2026-01-02T03:04:05Z",
        "total_price_set": {"shop_money": {"amount": "1.00", "currency_code": "USD"},
                            "presentment_money": {"currency_code": "EUR"}}});
    let err = order_from_rest(&broken).unwrap_err().to_string();
    assert!(
        err.contains("total_price_set.presentment_money.amount"),
        "{err}"
    );
}
