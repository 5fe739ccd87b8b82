//! An order's lists kept beside its totals (`orders.tax_lines`, `shipping_lines`,
//! `note_attributes`, `discount_applications`, `sql/V8__order_detail_lists.sql`): the parsers from a REST order body
//! and from a GraphQL `Order` node into [`OrderDetails`], spelled the same from either.
//! Called by `orders.rs` for every order it reads.
//!
//! Reading rules:
//! - Money is the shop's (`price_set.shop_money`, `…Set.shopMoney`), else REST's plain
//!   `price`; its currency is the bag's, else the order's.
//! - A tax line's `rate` is a fraction (`0.06`), read exactly from the JSON number.
//! - GraphQL `customAttributes` `{key, value}` become REST's `{name, value}`; a value that is
//!   not a string keeps its JSON text.
//! - Discount applications keep REST's lowercase enums and `type` (GraphQL's `__typename`
//!   mapped: `DiscountCodeApplication` → `discount_code`, …); `value` is the percentage or
//!   the fixed amount, as `value_type` says; only manual discounts keep a description.
//! - Shipping lines come as a connection (paged queries), a plain array (bulk, rebuilt from
//!   its JSONL lines) or REST's array; an absent list is empty.

use serde_json::Value;

use crate::error::PayloadError;
use crate::fields::{each, Fields};
use crate::model::{DiscountApplication, NoteAttribute, OrderDetails, ShippingLine, TaxLine};

type Result<T> = std::result::Result<T, PayloadError>;

/// The lists of a REST order body (`orders/*`); `currency` is the order's.
pub(crate) fn details_from_rest(f: &Fields<'_>, currency: Option<&str>) -> Result<OrderDetails> {
    Ok(OrderDetails {
        tax_lines: each(f, "tax_lines", |v| {
            tax_line(v, "price_set", "price", currency)
        })?,
        shipping_lines: each(f, "shipping_lines", |v| {
            shipping_line(v, &REST_SHIPPING, currency)
        })?,
        note_attributes: each(f, "note_attributes", |v| attribute(v, "name"))?,
        discount_applications: each(f, "discount_applications", rest_discount)?,
    })
}

/// The lists of a GraphQL `Order` node; `currency` is the order's.
pub(crate) fn details_from_graphql(f: &Fields<'_>, currency: Option<&str>) -> Result<OrderDetails> {
    Ok(OrderDetails {
        tax_lines: each(f, "taxLines", |v| {
            tax_line(v, "priceSet", "price", currency)
        })?,
        shipping_lines: each(f, "shippingLines", |v| {
            shipping_line(v, &GRAPHQL_SHIPPING, currency)
        })?,
        note_attributes: each(f, "customAttributes", |v| attribute(v, "key"))?,
        discount_applications: each(f, "discountApplications", graphql_discount)?,
    })
}

/// How a format spells a shipping line's money and removal flag: (money bag, plain amount) of
/// the price and of the discounted price, then the flag.
struct ShippingKeys {
    price: (&'static str, &'static str),
    discounted: (&'static str, &'static str),
    removed: &'static str,
}

const REST_SHIPPING: ShippingKeys = ShippingKeys {
    price: ("price_set", "price"),
    discounted: ("discounted_price_set", "discounted_price"),
    removed: "is_removed",
};

const GRAPHQL_SHIPPING: ShippingKeys = ShippingKeys {
    price: ("originalPriceSet", "originalPrice"),
    discounted: ("discountedPriceSet", "discountedPrice"),
    removed: "isRemoved",
};

/// A shipping line of either format; `currency` is the order's, for a line without its own.
fn shipping_line(v: &Value, keys: &ShippingKeys, currency: Option<&str>) -> Result<ShippingLine> {
    let lf = Fields::new("order", v)?;
    let (price, price_currency) = money(&lf, keys.price.0, keys.price.1)?;
    let (discounted, _) = money(&lf, keys.discounted.0, keys.discounted.1)?;
    Ok(ShippingLine {
        id: lf.id("id")?,
        title: lf.str("title")?,
        code: lf.str("code")?,
        source: lf.str("source")?,
        price,
        discounted_price: discounted,
        currency: price_currency.or_else(|| currency.map(str::to_string)),
        is_removed: lf.bool(keys.removed)?.unwrap_or(false),
    })
}

/// A REST discount application.
fn rest_discount(v: &Value) -> Result<DiscountApplication> {
    let f = Fields::new("order", v)?;
    let kind = f.str("type")?;
    Ok(DiscountApplication {
        code: f.str("code")?,
        title: f.str("title")?,
        description: manual_description(kind.as_deref(), &f)?,
        kind,
        value: f.decimal("value")?,
        value_type: f.str("value_type")?,
        allocation_method: f.str("allocation_method")?,
        target_selection: f.str("target_selection")?,
        target_type: f.str("target_type")?,
    })
}

/// A GraphQL `DiscountApplication` (its `__typename` says which kind).
fn graphql_discount(v: &Value) -> Result<DiscountApplication> {
    let f = Fields::new("order", v)?;
    let kind = f.str("__typename")?.map(|t| {
        match t.as_str() {
            "DiscountCodeApplication" => "discount_code",
            "AutomaticDiscountApplication" => "automatic",
            "ManualDiscountApplication" => "manual",
            "ScriptDiscountApplication" => "script",
            _ => "other",
        }
        .to_string()
    });
    let (value, value_type) = match f.object("value")? {
        Some(p) if p.has("percentage") => (p.decimal("percentage")?, Some("percentage")),
        Some(m) => (m.decimal("amount")?, Some("fixed_amount")),
        None => (None, None),
    };
    Ok(DiscountApplication {
        code: f.str("code")?,
        title: f.str("title")?,
        description: manual_description(kind.as_deref(), &f)?,
        kind,
        value,
        value_type: value_type.map(str::to_string),
        allocation_method: f.lower("allocationMethod")?,
        target_selection: f.lower("targetSelection")?,
        target_type: f.lower("targetType")?,
    })
}

/// The description of a manual discount; other kinds keep none (a script's is deprecated in
/// GraphQL, so it could not be read the same from both formats).
fn manual_description(kind: Option<&str>, f: &Fields<'_>) -> Result<Option<String>> {
    match kind {
        Some("manual") => f.str("description"),
        _ => Ok(None),
    }
}

/// A money bag under `set` (shop money), else the plain amount under `plain`.
fn money(
    f: &Fields<'_>,
    set: &'static str,
    plain: &str,
) -> Result<(Option<rust_decimal::Decimal>, Option<String>)> {
    match f.money(set)? {
        Some((amount, currency)) => Ok((Some(amount), currency)),
        None => Ok((f.decimal(plain)?, None)),
    }
}

fn tax_line(v: &Value, set: &'static str, plain: &str, currency: Option<&str>) -> Result<TaxLine> {
    let f = Fields::new("order", v)?;
    let (price, price_currency) = money(&f, set, plain)?;
    Ok(TaxLine {
        title: f.str("title")?,
        rate: f.decimal("rate")?,
        price,
        currency: price_currency.or_else(|| currency.map(str::to_string)),
    })
}

/// A note attribute whose name is under `name_key` (`name` in REST, `key` in GraphQL).
fn attribute(v: &Value, name_key: &str) -> Result<NoteAttribute> {
    let f = Fields::new("order", v)?;
    let name = f
        .str(name_key)?
        .ok_or_else(|| PayloadError::missing("order", name_key))?;
    let value = match f.get("value") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(other) => Some(other.to_string()),
    };
    Ok(NoteAttribute { name, value })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rest() -> Value {
        json!({
            "tax_lines": [{"title": "State Tax", "rate": 0.06, "price": "5.40",
                "price_set": {"shop_money": {"amount": "5.40", "currency_code": "USD"},
                    "presentment_money": {"amount": "4.97", "currency_code": "EUR"}}}],
            "shipping_lines": [{"id": 271878346596884015_i64, "title": "Generic Shipping",
                "code": null, "source": "shopify", "price": "10.00", "is_removed": true,
                "price_set": {"shop_money": {"amount": "10.00", "currency_code": "USD"}},
                "discounted_price": "8.00",
                "discounted_price_set": {"shop_money": {"amount": "8.00", "currency_code": "USD"}}}],
            "note_attributes": [{"name": "gift_message", "value": "Happy birthday"},
                {"name": "colour", "value": 3}],
            "discount_applications": [{"type": "discount_code", "code": "SUMMER10",
                "value": "10.0", "value_type": "percentage", "allocation_method": "across",
                "target_selection": "all", "target_type": "line_item"},
                {"type": "manual", "title": "Loyalty", "description": "Thanks",
                "value": "5.00", "value_type": "fixed_amount", "allocation_method": "one",
                "target_selection": "explicit", "target_type": "shipping_line"}],
        })
    }

    fn graphql() -> Value {
        json!({
            "taxLines": [{"title": "State Tax", "rate": 0.06,
                "priceSet": {"shopMoney": {"amount": "5.40", "currencyCode": "USD"}}}],
            "shippingLines": {"edges": [{"node": {
                "id": "gid://shopify/ShippingLine/271878346596884015", "title": "Generic Shipping",
                "code": null, "source": "shopify", "isRemoved": true,
                "originalPriceSet": {"shopMoney": {"amount": "10.00", "currencyCode": "USD"}},
                "discountedPriceSet": {"shopMoney": {"amount": "8.00", "currencyCode": "USD"}}}}]},
            "customAttributes": [{"key": "gift_message", "value": "Happy birthday"},
                {"key": "colour", "value": "3"}],
            "discountApplications": {"edges": [
                {"node": {"__typename": "DiscountCodeApplication", "code": "SUMMER10",
                    "allocationMethod": "ACROSS", "targetSelection": "ALL",
                    "targetType": "LINE_ITEM",
                    "value": {"__typename": "PricingPercentageValue", "percentage": 10.0}}},
                {"node": {"__typename": "ManualDiscountApplication", "title": "Loyalty",
                    "description": "Thanks", "allocationMethod": "ONE",
                    "targetSelection": "EXPLICIT", "targetType": "SHIPPING_LINE",
                    "value": {"__typename": "MoneyV2", "amount": "5.00", "currencyCode": "USD"}}}]},
        })
    }

    #[test]
    fn both_formats_give_the_same_lists() {
        let r = rest();
        let g = graphql();
        let a = details_from_rest(&Fields::new("order", &r).unwrap(), Some("USD")).unwrap();
        let b = details_from_graphql(&Fields::new("order", &g).unwrap(), Some("USD")).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.tax_lines[0].rate, Some("0.06".parse().unwrap()));
        assert_eq!(a.shipping_lines[0].id, Some(271878346596884015));
        assert_eq!(
            a.shipping_lines[0].discounted_price,
            Some("8.00".parse().unwrap())
        );
        assert_eq!(a.note_attributes[1].value.as_deref(), Some("3"));
        assert!(a.shipping_lines[0].is_removed);
        let stored = serde_json::to_value(&a.tax_lines).unwrap();
        assert_eq!(
            stored,
            json!([{"title": "State Tax", "rate": "0.06", "price": "5.40", "currency": "USD"}])
        );
    }

    #[test]
    fn absent_lists_are_empty_and_plain_prices_take_the_order_currency() {
        let v = json!({"tax_lines": [{"title": "GST", "rate": 0.1, "price": "1.00"}]});
        let d = details_from_rest(&Fields::new("order", &v).unwrap(), Some("AUD")).unwrap();
        assert_eq!(d.tax_lines[0].currency.as_deref(), Some("AUD"));
        assert!(d.shipping_lines.is_empty() && d.note_attributes.is_empty());
    }

    #[test]
    fn an_attribute_without_a_name_is_refused() {
        let v = json!({"note_attributes": [{"value": "x"}]});
        let e = details_from_rest(&Fields::new("order", &v).unwrap(), None).unwrap_err();
        assert!(e.to_string().contains("note_attributes[0]"), "{e}");
    }
}
