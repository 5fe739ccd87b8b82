//! REST JSON of store objects: the bodies of webhooks, of `/_sim/export` lines and of the REST
//! Admin API. Shapes follow Shopify's JSON Schema of each webhook topic (every required field,
//! its JSON type; `sim/tests/webhook_schemas.rs` checks) and the engine parses them in
//! `shopify/src/resource/`: snake_case keys, numeric `id` plus `admin_graphql_api_id`, money
//! as strings with the currency's decimals (`"199.00"`) and `*_set` objects with `shop_money` /
//! `presentment_money`, where Shopify has numbers (`rate`, `weight`, a refund line's
//! `subtotal`) numbers.

use chrono::{DateTime, SecondsFormat, Utc};
use chrono_tz::Tz;
use rust_decimal::Decimal;
use serde_json::{json, Value};

use super::customer::{Address, Customer};
use super::location::Location;
use super::order::{Fulfillment, LineItem, Order, Refund, Transaction};
use super::product::Product;
use super::units::round_money;
use super::{Kind, ShopInfo, Store};

/// `gid://shopify/<Type>/<id>`.
pub fn gid(type_name: &str, id: u64) -> String {
    format!("gid://shopify/{type_name}/{id}")
}

/// Parses `gid://shopify/<Type>/<id>`.
pub fn parse_gid(id: &str) -> Option<(&str, u64)> {
    let rest = id.strip_prefix("gid://shopify/")?;
    let (ty, num) = rest.split_once('/')?;
    let num = num.split('?').next()?;
    Some((ty, num.parse().ok()?))
}

/// Shopify's REST timestamp: the shop's wall clock with its offset at that instant
/// (`2024-01-02T03:04:05-05:00` for a shop in New York), as REST bodies and webhooks carry it.
pub fn time(t: DateTime<Utc>, zone: Tz) -> String {
    t.with_timezone(&zone)
        .to_rfc3339_opts(SecondsFormat::Secs, false)
}

/// How one shop renders values REST-style: money in the shop's currency (within an order, its
/// `*_set` objects also in the currency the order is presented in) and times on the shop's
/// clock.
#[derive(Clone, Copy)]
pub struct Render<'a> {
    pub currency: &'a str,
    /// The shop's time zone (`ShopInfo::iana_timezone`).
    pub zone: Tz,
    /// The presentment currency and its units per shop unit; `None` outside an order or when
    /// the order is presented in the shop's currency.
    presentment: Option<(&'a str, Decimal)>,
}

impl<'a> Render<'a> {
    /// Rendering for `shop`: its currency, presented in the same, and its time zone.
    pub fn for_shop(shop: &'a ShopInfo) -> Self {
        Render {
            currency: &shop.currency,
            zone: crate::shop_time::zone(&shop.iana_timezone),
            presentment: None,
        }
    }
    /// The same, for the amounts of `o`: presented in its presentment currency.
    pub fn presenting(self, o: &'a Order) -> Self {
        Render {
            currency: self.currency,
            zone: self.zone,
            presentment: (o.presentment_currency != self.currency)
                .then_some((o.presentment_currency.as_str(), o.presentment_rate)),
        }
    }
    /// A time on the shop's clock (see [`time`]).
    pub fn time(&self, t: DateTime<Utc>) -> String {
        time(t, self.zone)
    }
    fn opt_time(&self, t: Option<DateTime<Utc>>) -> Value {
        t.map(|t| Value::String(self.time(t)))
            .unwrap_or(Value::Null)
    }
    /// `"199.00"`.
    pub fn s(&self, amount: Decimal) -> String {
        round_money(amount, self.currency).to_string()
    }
    /// `{"shop_money":{…},"presentment_money":{…}}`: the presentment amount is the shop amount
    /// at the order's rate, rounded to the presentment currency's minor unit.
    pub fn set(&self, amount: Decimal) -> Value {
        let shop = json!({"amount": self.s(amount), "currency_code": self.currency});
        let presentment = match self.presentment {
            Some((currency, rate)) => json!({
                "amount": round_money(amount * rate, currency).to_string(),
                "currency_code": currency,
            }),
            None => shop.clone(),
        };
        json!({"shop_money": shop, "presentment_money": presentment})
    }
}

/// An address as embedded in customers and orders.
pub fn address(a: &Address) -> Value {
    json!({
        "id": a.id,
        "customer_id": a.customer_id,
        "first_name": a.first_name,
        "last_name": a.last_name,
        "company": a.company,
        "address1": a.address1,
        "address2": a.address2,
        "city": a.city,
        "province": a.province,
        "country": a.country,
        "zip": a.zip,
        "phone": a.phone,
        "name": format!("{} {}", a.first_name, a.last_name),
        "province_code": a.province_code,
        "country_code": a.country_code,
        "country_name": a.country,
        "default": a.default,
    })
}

fn order_address(a: &Address) -> Value {
    let mut v = address(a);
    if let Some(o) = v.as_object_mut() {
        o.remove("id");
        o.remove("customer_id");
        o.remove("default");
        o.remove("country_name");
        o.insert("latitude".into(), Value::Null);
        o.insert("longitude".into(), Value::Null);
    }
    v
}

/// A customer (`customers/create|update`, `customers.json`).
pub fn customer(c: &Customer, m: &Render) -> Value {
    json!({
        "id": c.id,
        "email": c.email,
        "accepts_marketing": c.accepts_marketing,
        "created_at": m.time(c.created_at),
        "updated_at": m.time(c.updated_at),
        "first_name": c.first_name,
        "last_name": c.last_name,
        "orders_count": c.orders_count,
        "state": c.state,
        "total_spent": m.s(c.total_spent),
        "last_order_id": c.last_order_id,
        "note": c.note,
        "verified_email": c.verified_email,
        "multipass_identifier": null,
        "tax_exempt": false,
        "tags": c.tags.join(", "),
        "last_order_name": c.last_order_name,
        "currency": m.currency,
        "phone": c.phone,
        "addresses": c.addresses.iter().map(address).collect::<Vec<_>>(),
        "tax_exemptions": [],
        "admin_graphql_api_id": gid("Customer", c.id),
        "default_address": c.default_address().map(address),
    })
}

/// The body of `customers/delete`.
pub fn customer_deleted(id: u64) -> Value {
    json!({"id": id, "phone": null, "addresses": [], "tax_exemptions": [], "admin_graphql_api_id": gid("Customer", id)})
}

/// A product with variants, options and images.
pub fn product(p: &Product, m: &Render) -> Value {
    let variants: Vec<Value> = p
        .variants
        .iter()
        .map(|v| {
            json!({
                "id": v.id,
                "product_id": p.id,
                "title": v.title,
                "price": m.s(v.price),
                "sku": v.sku,
                "position": v.position,
                "inventory_policy": "deny",
                "compare_at_price": v.compare_at_price.map(|d| m.s(d)),
                "fulfillment_service": "manual",
                "inventory_management": "shopify",
                "option1": v.title,
                "option2": null,
                "option3": null,
                "created_at": m.time(v.created_at),
                "updated_at": m.time(v.updated_at),
                "taxable": v.taxable,
                "barcode": null,
                "grams": v.grams,
                "weight": number(Decimal::from(v.grams) / Decimal::from(1000)),
                "weight_unit": "kg",
                "inventory_item_id": v.inventory_item_id,
                "inventory_quantity": v.inventory_quantity,
                "old_inventory_quantity": v.inventory_quantity,
                "image_id": null,
                "requires_shipping": true,
                "admin_graphql_api_id": gid("ProductVariant", v.id),
            })
        })
        .collect();
    let images: Vec<Value> = p
        .images
        .iter()
        .map(|i| {
            json!({
                "id": i.id,
                "product_id": p.id,
                "position": i.position,
                "created_at": m.time(i.created_at),
                "updated_at": m.time(i.updated_at),
                "alt": i.alt,
                "width": i.width,
                "height": i.height,
                "src": i.src,
                "variant_ids": [],
                "admin_graphql_api_id": gid("ProductImage", i.id),
            })
        })
        .collect();
    json!({
        "id": p.id,
        "title": p.title,
        "body_html": p.body_html,
        "vendor": p.vendor,
        "product_type": p.product_type,
        "created_at": m.time(p.created_at),
        "handle": p.handle,
        "updated_at": m.time(p.updated_at),
        "published_at": m.opt_time(p.published_at),
        "template_suffix": null,
        "published_scope": "web",
        "tags": p.tags.join(", "),
        "status": p.status,
        "admin_graphql_api_id": gid("Product", p.id),
        "variants": variants,
        "options": [{
            "id": p.option_id,
            "product_id": p.id,
            "name": p.option_name,
            "position": 1,
            "values": p.variants.iter().map(|v| v.title.clone()).collect::<Vec<_>>(),
        }],
        "images": images.clone(),
        "image": images.first().cloned(),
        "media": [],
        "variant_gids": p.variants.iter().map(|v| json!({
            "admin_graphql_api_id": gid("ProductVariant", v.id),
            "updated_at": v.updated_at.to_rfc3339_opts(SecondsFormat::Millis, true),
        })).collect::<Vec<_>>(),
        "has_variants_that_requires_components": false,
        "category": null,
    })
}

/// A transaction (`order_with_transaction.json` shape).
pub fn transaction(t: &Transaction, m: &Render) -> Value {
    json!({
        "id": t.id,
        "order_id": t.order_id,
        "kind": t.kind,
        "gateway": t.gateway,
        "status": t.status,
        "message": null,
        "created_at": m.time(t.created_at),
        "test": false,
        "authorization": format!("auth-{}", t.id),
        "location_id": null,
        "user_id": null,
        "parent_id": t.parent_id,
        "processed_at": m.time(t.created_at),
        "device_id": null,
        "error_code": null,
        "source_name": "web",
        "payment_details": {
            "credit_card_bin": null,
            "avs_result_code": null,
            "cvv_result_code": null,
            "credit_card_number": format!("\u{2022}\u{2022}\u{2022}\u{2022} \u{2022}\u{2022}\u{2022}\u{2022} \u{2022}\u{2022}\u{2022}\u{2022} {:04}", t.id % 10_000),
            "credit_card_company": "Visa",
            "buyer_action_info": null,
            "credit_card_name": null,
            "credit_card_wallet": null,
            "credit_card_expiration_month": null,
            "credit_card_expiration_year": null,
            "payment_method_name": "visa",
        },
        "receipt": {},
        "amount": m.s(t.amount),
        "currency": m.currency,
        "payment_id": format!("#{}.{}", t.order_id, t.id),
        "manual_payment_gateway": false,
        "amount_rounding": null,
        "total_unsettled_set": {
            "shop_money": {"amount": "0.0", "currency": m.currency},
            "presentment_money": {"amount": "0.0", "currency": m.currency},
        },
        "admin_graphql_api_id": gid("OrderTransaction", t.id),
    })
}

/// A tax line; Shopify sends its `rate` as a JSON number (`0.06`).
fn tax_line(title: &str, price: Decimal, rate: Decimal, m: &Render) -> Value {
    json!({
        "title": title,
        "price": m.s(price),
        "rate": number(rate),
        "price_set": m.set(price),
        "channel_liable": false,
    })
}

/// A decimal as a JSON number, where Shopify's payloads have numbers (`subtotal`, `weight`).
fn number(d: Decimal) -> Value {
    serde_json::Number::from_f64(f64::try_from(d).unwrap_or(0.0))
        .map(Value::Number)
        .unwrap_or(Value::Null)
}

fn line_item(l: &LineItem, m: &Render) -> Value {
    json!({
        "id": l.id,
        "admin_graphql_api_id": gid("LineItem", l.id),
        "fulfillable_quantity": l.quantity - l.fulfilled_quantity,
        "fulfillment_service": "manual",
        "fulfillment_status": if l.fulfilled_quantity == 0 { Value::Null } else if l.fulfilled_quantity >= l.quantity { json!("fulfilled") } else { json!("partial") },
        "gift_card": false,
        "grams": l.grams,
        "name": l.name(),
        "price": m.s(l.price),
        "price_set": m.set(l.price),
        "product_exists": l.product_id.is_some(),
        "product_id": l.product_id,
        "properties": [],
        "quantity": l.quantity,
        "requires_shipping": l.requires_shipping,
        "sku": l.sku,
        "taxable": true,
        "title": l.title,
        "total_discount": m.s(l.total_discount),
        "total_discount_set": m.set(l.total_discount),
        "variant_id": l.variant_id,
        "variant_inventory_management": l.variant_id.map(|_| "shopify"),
        "variant_title": l.variant_title,
        "vendor": l.vendor,
        "tax_lines": l.tax_lines.iter().map(|t| tax_line(&t.title, t.price, t.rate, m)).collect::<Vec<_>>(),
        "attributed_staffs": [],
        "current_quantity": l.quantity,
        "discount_allocations": [],
        "duties": [],
    })
}

/// A refund (`refunds/create`, and inside orders).
pub fn refund(r: &Refund, o: &Order, m: &Render) -> Value {
    let m = &m.presenting(o);
    json!({
        "id": r.id,
        "order_id": r.order_id,
        "created_at": m.time(r.created_at),
        "note": r.note,
        "user_id": null,
        "processed_at": m.time(r.processed_at),
        "restock": r.restock,
        "admin_graphql_api_id": gid("Refund", r.id),
        "refund_line_items": r.refund_line_items.iter().map(|rl| json!({
            "id": rl.id,
            "quantity": rl.quantity,
            "line_item_id": rl.line_item_id,
            "location_id": null,
            "restock_type": if r.restock { "return" } else { "no_restock" },
            "subtotal": number(rl.subtotal),
            "subtotal_set": m.set(rl.subtotal),
            "total_tax": number(rl.total_tax),
            "total_tax_set": m.set(rl.total_tax),
            "line_item": o.line_items.iter().find(|l| l.id == rl.line_item_id).map(|l| line_item(l, m)),
        })).collect::<Vec<_>>(),
        "transactions": r.transactions.iter().map(|t| transaction(t, m)).collect::<Vec<_>>(),
        "order_adjustments": [],
        "duties": [],
        "total_duties_set": m.set(Decimal::ZERO),
        "refund_shipping_lines": [],
        "return": null,
    })
}

/// The simulated shop's one location, where every fulfillment ships from.
const LOCATION_ID: u64 = 69_000_000_001;
/// Shopify's Online Store sales channel, the app behind every simulated order.
const ONLINE_STORE_APP_ID: u64 = 580_111;
/// The simulated shop's one business entity.
const MERCHANT_BUSINESS_ENTITY_ID: &str = "MTU0ODM4MDAwOQ";

fn tracking_url(number: &str) -> String {
    format!("https://www.ups.com/WebTracking?loc=en_US&requester=ST&trackNums={number}")
}

fn fulfillment(f: &Fulfillment, o: &Order, m: &Render) -> Value {
    json!({
        "id": f.id,
        "order_id": f.order_id,
        "status": f.status,
        "created_at": m.time(f.created_at),
        "updated_at": m.time(f.created_at),
        "service": "manual",
        "tracking_company": f.tracking_company,
        "tracking_number": f.tracking_number,
        "tracking_numbers": [f.tracking_number],
        "tracking_url": tracking_url(&f.tracking_number),
        "tracking_urls": [tracking_url(&f.tracking_number)],
        "shipment_status": null,
        "location_id": LOCATION_ID,
        "name": format!("{}.{}", o.name, o.fulfillments.iter().position(|x| x.id == f.id).unwrap_or(0) + 1),
        "origin_address": {},
        "receipt": {},
        "admin_graphql_api_id": gid("Fulfillment", f.id),
        "line_items": f.lines.iter().filter_map(|(id, qty)| {
            let l = o.line_items.iter().find(|l| l.id == *id)?;
            let mut v = line_item(l, m);
            v["quantity"] = json!(qty);
            Some(v)
        }).collect::<Vec<_>>(),
    })
}

/// An order with its customer, lines, taxes, shipping, discounts, refunds and fulfillments.
pub fn order(o: &Order, m: &Render) -> Value {
    let m = &m.presenting(o);
    let total_tax = o.total_tax();
    let mut v = json!({
        "id": o.id,
        "admin_graphql_api_id": gid("Order", o.id),
        "buyer_accepts_marketing": o.customer.as_ref().map(|c| c.accepts_marketing).unwrap_or(false),
        "cancel_reason": o.cancel_reason,
        "cancelled_at": m.opt_time(o.cancelled_at),
        "closed_at": m.opt_time(o.closed_at),
        "confirmed": true,
        "contact_email": o.email,
        "created_at": m.time(o.created_at),
        "currency": m.currency,
        "current_subtotal_price": m.s(o.subtotal_price()),
        "current_total_discounts": m.s(o.total_discounts),
        "current_total_price": m.s(o.total_price() - o.total_refunded()),
        "current_total_tax": m.s(total_tax),
        "customer_locale": "en",
        "discount_codes": o.discount_codes.iter().map(|d| json!({"code": d.code, "amount": m.s(d.amount), "type": d.kind})).collect::<Vec<_>>(),
        "email": o.email,
        "financial_status": o.financial_status,
        "fulfillment_status": o.fulfillment_status(),
        "gateway": o.gateway,
        "payment_gateway_names": [o.gateway],
        "name": o.name,
        "note": o.note,
        "number": o.number - 1000,
        "order_number": o.number,
        "presentment_currency": o.presentment_currency,
        "processed_at": m.time(o.processed_at),
        "source_name": "web",
        "subtotal_price": m.s(o.subtotal_price()),
        "subtotal_price_set": m.set(o.subtotal_price()),
        "tags": o.tags.join(", "),
        "tax_lines": [tax_line("State Tax", total_tax, o.tax_rate, m)],
        "taxes_included": false,
        "test": false,
        "total_discounts": m.s(o.total_discounts),
        "total_discounts_set": m.set(o.total_discounts),
        "total_line_items_price": m.s(o.total_line_items_price()),
        "total_line_items_price_set": m.set(o.total_line_items_price()),
        "total_price": m.s(o.total_price()),
        "total_price_set": m.set(o.total_price()),
        "total_shipping_price_set": m.set(o.total_shipping()),
        "total_tax": m.s(total_tax),
        "total_tax_set": m.set(total_tax),
        "total_weight": o.line_items.iter().map(|l| l.grams * l.quantity).sum::<u32>(),
        "updated_at": m.time(o.updated_at),
        "billing_address": o.billing_address.as_ref().map(order_address),
        "shipping_address": o.shipping_address.as_ref().map(order_address),
        "customer": o.customer.as_ref().map(|c| {
            let mut v = customer(c, m);
            if let Some(obj) = v.as_object_mut() {
                obj.remove("addresses");
            }
            v
        }),
        "line_items": o.line_items.iter().map(|l| line_item(l, m)).collect::<Vec<_>>(),
        "shipping_lines": o.shipping_lines.iter().map(|s| json!({
            "id": s.id,
            "title": s.title,
            "code": s.code,
            "source": "shopify",
            "price": m.s(s.price),
            "price_set": m.set(s.price),
            "discounted_price": m.s(s.price),
            "discounted_price_set": m.set(s.price),
            "current_discounted_price_set": m.set(s.price),
            "carrier_identifier": null,
            "requested_fulfillment_service_id": null,
            "phone": null,
            "is_removed": false,
            "discount_allocations": [],
            "tax_lines": [],
        })).collect::<Vec<_>>(),
        "fulfillments": o.fulfillments.iter().map(|f| fulfillment(f, o, m)).collect::<Vec<_>>(),
        "refunds": o.refunds.iter().map(|r| refund(r, o, m)).collect::<Vec<_>>(),
    });
    if let Some(obj) = v.as_object_mut() {
        obj.extend(order_context(o, m));
    }
    v
}

/// What Shopify's order payload carries about the checkout and the current (after refunds and
/// edits) totals, none of which the simulated store models beyond its totals.
fn order_context(o: &Order, m: &Render) -> serde_json::Map<String, Value> {
    let current_total = o.total_price() - o.total_refunded();
    let outstanding = if o.financial_status == "pending" || o.financial_status == "authorized" {
        o.total_price()
    } else {
        Decimal::ZERO
    };
    let token = format!(
        "{:032x}",
        u128::from(o.id).wrapping_mul(0x9e37_79b9_7f4a_7c15)
    );
    let confirmation = format!("{:X}", o.id.wrapping_mul(0x2545_f491) % 36u64.pow(9))
        .chars()
        .take(9)
        .collect::<String>();
    let json = json!({
        "app_id": ONLINE_STORE_APP_ID,
        "browser_ip": null,
        "cart_token": null,
        "checkout_token": null,
        "client_details": null,
        "confirmation_number": confirmation,
        "current_shipping_price_set": m.set(o.total_shipping()),
        "current_subtotal_price_set": m.set(o.subtotal_price()),
        "current_total_discounts_set": m.set(o.total_discounts),
        "current_total_price_set": m.set(current_total),
        "current_total_tax_set": m.set(o.total_tax()),
        "current_total_additional_fees_set": null,
        "current_total_duties_set": null,
        "original_total_additional_fees_set": null,
        "original_total_duties_set": null,
        "device_id": null,
        "discount_applications": o.discount_codes.iter().map(|d| json!({
            "type": "discount_code",
            "code": d.code,
            "value": d.nominal_text(|n| m.s(n)),
            "value_type": d.kind,
            "allocation_method": "across",
            "target_selection": "all",
            "target_type": "line_item",
        })).collect::<Vec<_>>(),
        "duties_included": false,
        "estimated_taxes": false,
        "landing_site": null,
        "landing_site_ref": null,
        "line_item_groups": [],
        "location_id": null,
        "merchant_business_entity_id": MERCHANT_BUSINESS_ENTITY_ID,
        "merchant_of_record_app_id": null,
        "note_attributes": o.note_attributes.iter().map(|(name, value)| json!({"name": name, "value": value})).collect::<Vec<_>>(),
        "order_status_url": format!("https://shopify.com/{}/orders/{token}/authenticate?key={token}", o.id / 1000),
        "payment_terms": null,
        "phone": null,
        "po_number": null,
        "reference": null,
        "referring_site": null,
        "returns": [],
        "source_identifier": null,
        "source_url": null,
        "tax_exempt": false,
        "token": token,
        "total_cash_rounding_payment_adjustment_set": m.set(Decimal::ZERO),
        "total_cash_rounding_refund_adjustment_set": m.set(Decimal::ZERO),
        "total_outstanding": m.s(outstanding),
        "total_tip_received": m.s(Decimal::ZERO),
        "user_id": null,
    });
    match json {
        Value::Object(map) => map,
        _ => serde_json::Map::new(),
    }
}

/// A location (`locations/create|update|activate|deactivate`, `locations.json`): `country`
/// is the code, `country_name` the name, as Shopify's REST spells them.
pub fn location(l: &Location, m: &Render) -> Value {
    json!({
        "id": l.id,
        "name": l.name,
        "address1": l.address1,
        "address2": l.address2,
        "city": l.city,
        "zip": l.zip,
        "province": l.province,
        "country": l.country_code,
        "phone": l.phone,
        "created_at": m.time(l.created_at),
        "updated_at": m.time(l.updated_at),
        "country_code": l.country_code,
        "country_name": l.country,
        "province_code": l.province_code,
        "legacy": l.legacy,
        "active": l.active,
        "admin_graphql_api_id": gid("Location", l.id),
    })
}

/// The REST JSON of a live object, or `None` when it does not exist (anymore).
pub fn live_object(store: &Store, kind: Kind, id: u64) -> Option<Value> {
    let m = Render::for_shop(&store.shop);
    match kind {
        Kind::Customer => store.customers.get(&id).map(|c| customer(c, &m)),
        Kind::Product => store.products.get(&id).map(|p| product(p, &m)),
        Kind::Order => store.orders.get(&id).map(|o| order(o, &m)),
        Kind::Location => store.locations.get(&id).map(|l| location(l, &m)),
    }
}

/// What is known of a deleted object: the body of its delete webhook.
pub fn deleted_object(kind: Kind, id: u64) -> Value {
    match kind {
        Kind::Customer => customer_deleted(id),
        Kind::Product | Kind::Order | Kind::Location => json!({"id": id}),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn times_are_on_the_shops_clock_with_its_offset_of_that_day() {
        let zone = crate::shop_time::zone("America/New_York");
        let winter = Utc.with_ymd_and_hms(2024, 1, 2, 8, 4, 5).unwrap();
        let summer = Utc.with_ymd_and_hms(2024, 7, 2, 8, 4, 5).unwrap();
        assert_eq!(time(winter, zone), "2024-01-02T03:04:05-05:00");
        assert_eq!(time(summer, zone), "2024-07-02T04:04:05-04:00");
        assert_eq!(
            time(winter, chrono_tz::Tz::UTC),
            "2024-01-02T08:04:05+00:00"
        );
    }
}
