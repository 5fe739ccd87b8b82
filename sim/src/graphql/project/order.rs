//! `Order` with its `LineItem`s, `Refund`s (`RefundLineItem`), `OrderTransaction`s,
//! `ShippingLine`, `TaxLine`s, addresses, customer and `Fulfillment`s, from
//! `store/order.rs`. Every `MoneyBag` carries the shop's amount and the amount in the order's
//! presentment currency at its rate.

use rust_decimal::Decimal;
use serde_json::{json, Value};

use super::customer::{address, customer};
use super::values::{money, present, reference, ts};
use crate::store::order::{
    DiscountCode, Fulfillment, LineItem, Order, Refund, ShippingLine, TaxLine, Transaction,
};
use crate::store::rest::gid;

/// Money of one order: shop amounts, presented in the order's currency.
struct Bags<'a> {
    shop: &'a str,
    presentment: Option<(&'a str, Decimal)>,
}

impl Bags<'_> {
    fn of<'a>(o: &'a Order, shop: &'a str) -> Bags<'a> {
        Bags {
            shop,
            presentment: (o.presentment_currency != shop)
                .then_some((o.presentment_currency.as_str(), o.presentment_rate)),
        }
    }
    fn bag(&self, amount: Decimal) -> Value {
        super::values::bag(amount, self.shop, self.presentment)
    }
}

fn tax_line(t: &TaxLine, m: &Bags) -> Value {
    json!({
        "__typename": "TaxLine",
        "title": t.title,
        "rate": t.rate.to_string().parse::<f64>().ok(),
        "ratePercentage": (t.rate * Decimal::from(100)).to_string().parse::<f64>().ok(),
        "priceSet": m.bag(t.price),
        "channelLiable": false,
    })
}

/// Whether an authorization is still open for capture.
pub fn is_capturable(t: &Transaction, all: &[Transaction]) -> bool {
    t.kind == "authorization"
        && t.status == "success"
        && !all.iter().any(|c| {
            c.parent_id == Some(t.id)
                && c.status == "success"
                && (c.kind == "capture" || c.kind == "void")
        })
}

fn transaction(t: &Transaction, all: &[Transaction], m: &Bags) -> Value {
    json!({
        "__typename": "OrderTransaction",
        "id": gid("OrderTransaction", t.id),
        "kind": t.kind.to_ascii_uppercase(),
        "status": match t.status { "success" => "SUCCESS", "pending" => "PENDING", "error" => "ERROR", _ => "FAILURE" },
        "gateway": present(&t.gateway),
        "formattedGateway": present(&t.gateway),
        "test": false,
        "manualPaymentGateway": t.gateway == "manual",
        "manuallyCapturable": is_capturable(t, all),
        "multiCapturable": false,
        "amountSet": m.bag(t.amount),
        "parentTransaction": t.parent_id.and_then(|p| all.iter().find(|x| x.id == p)).map(|p| transaction(p, &[], m)),
        "order": reference("Order", t.order_id),
        "createdAt": ts(t.created_at),
        "processedAt": ts(t.created_at),
        "__capturable": is_capturable(t, all),
        "__manuallyResolvable": t.status == "pending",
    })
}

fn line_item(l: &LineItem, o: &Order, m: &Bags) -> Value {
    let refunded = o.refunded_quantity(l.id);
    let quantity = Decimal::from(l.quantity);
    let original_total = l.price * quantity;
    let discounted_total = original_total - l.total_discount;
    let unfulfilled = l.quantity.saturating_sub(l.fulfilled_quantity);
    json!({
        "__typename": "LineItem",
        "id": gid("LineItem", l.id),
        "name": l.name(),
        "title": l.title,
        "variantTitle": l.variant_title,
        "sku": l.sku,
        "vendor": l.vendor,
        "quantity": l.quantity,
        "currentQuantity": l.quantity - refunded,
        "refundableQuantity": l.quantity - refunded,
        "unfulfilledQuantity": unfulfilled,
        "nonFulfillableQuantity": 0,
        "requiresShipping": l.requires_shipping,
        "taxable": !l.tax_lines.is_empty(),
        "isGiftCard": false,
        "merchantEditable": true,
        "restockable": l.product_id.is_some(),
        "originalUnitPriceSet": m.bag(l.price),
        "originalTotalSet": m.bag(original_total),
        "discountedUnitPriceSet": m.bag(if l.quantity == 0 { l.price } else { discounted_total / quantity }),
        "discountedUnitPriceAfterAllDiscountsSet": m.bag(if l.quantity == 0 { l.price } else { discounted_total / quantity }),
        "discountedTotalSet": m.bag(discounted_total),
        "priceAfterAllDiscountsBeforeTaxesSet": m.bag(discounted_total),
        "totalDiscountSet": m.bag(l.total_discount),
        "unfulfilledOriginalTotalSet": m.bag(l.price * Decimal::from(unfulfilled)),
        "unfulfilledDiscountedTotalSet": m.bag(if l.quantity == 0 { Decimal::ZERO } else { discounted_total * Decimal::from(unfulfilled) / quantity }),
        "taxLines": l.tax_lines.iter().map(|t| tax_line(t, m)).collect::<Vec<_>>(),
        "weight": {"__typename": "Weight", "unit": "GRAMS", "value": f64::from(l.grams)},
        "product": l.product_id.map(|id| reference("Product", id)),
        "variant": l.variant_id.map(|id| reference("ProductVariant", id)),
    })
}

fn refund(r: &Refund, o: &Order, m: &Bags) -> Value {
    let lines: Vec<Value> = r
        .refund_line_items
        .iter()
        .map(|rl| {
            let line = o.line_items.iter().find(|l| l.id == rl.line_item_id);
            json!({
                "__typename": "RefundLineItem",
                "id": gid("RefundLineItem", rl.id),
                "quantity": rl.quantity,
                "restockType": if r.restock { "RETURN" } else { "NO_RESTOCK" },
                "restocked": r.restock,
                "priceSet": m.bag(line.map(|l| l.price).unwrap_or_default()),
                "subtotalSet": m.bag(rl.subtotal),
                "totalTaxSet": m.bag(rl.total_tax),
                "lineItem": line.map(|l| line_item(l, o, m)),
            })
        })
        .collect();
    json!({
        "__typename": "Refund",
        "id": gid("Refund", r.id),
        "legacyResourceId": r.id.to_string(),
        "note": r.note,
        "createdAt": ts(r.created_at),
        "processedAt": ts(r.processed_at),
        "updatedAt": ts(r.processed_at),
        "totalRefundedSet": m.bag(r.amount()),
        "refundLineItems": lines,
        "transactions": r.transactions.iter().map(|t| transaction(t, &r.transactions, m)).collect::<Vec<_>>(),
        "order": reference("Order", o.id),
    })
}

fn financial_status(s: &str) -> &'static str {
    match s {
        "authorized" => "AUTHORIZED",
        "paid" => "PAID",
        "partially_paid" => "PARTIALLY_PAID",
        "partially_refunded" => "PARTIALLY_REFUNDED",
        "refunded" => "REFUNDED",
        "voided" => "VOIDED",
        _ => "PENDING",
    }
}

/// `Order`.
pub fn order(o: &Order, currency: &str) -> Value {
    let m = Bags::of(o, currency);
    let refunded = o.total_refunded();
    let current_total = o.total_price() - refunded;
    let quantity: u32 = o.line_items.iter().map(|l| l.quantity).sum();
    let refunded_quantity: u32 = o.line_items.iter().map(|l| o.refunded_quantity(l.id)).sum();
    let paid: Decimal = o
        .transactions
        .iter()
        .filter(|t| t.status == "success" && matches!(t.kind, "sale" | "capture"))
        .map(|t| t.amount)
        .sum();
    let fulfillment_status = match o.fulfillment_status() {
        Some("fulfilled") => "FULFILLED",
        Some(_) => "PARTIALLY_FULFILLED",
        None => "UNFULFILLED",
    };
    let tax = o.total_tax();
    let order_tax = TaxLine {
        title: "State Tax".into(),
        rate: o.tax_rate,
        price: tax,
    };
    let tax_lines = vec![tax_line(&order_tax, &m)];
    let shipping_lines: Vec<Value> = o
        .shipping_lines
        .iter()
        .map(|s| shipping_line(s, &m))
        .collect();
    let fulfillments: Vec<Value> = o.fulfillments.iter().map(|f| fulfillment(f, o)).collect();
    json!({
        "__typename": "Order",
        "id": gid("Order", o.id),
        "legacyResourceId": o.id.to_string(),
        "name": o.name,
        "number": o.number,
        "email": o.email,
        "phone": o.customer.as_ref().and_then(|c| c.phone.clone()),
        "note": o.note,
        "tags": o.tags,
        "test": false,
        "confirmed": true,
        "closed": o.closed_at.is_some(),
        "cancellable": o.cancelled_at.is_none(),
        "unpaid": paid.is_zero(),
        "fullyPaid": paid >= o.total_price(),
        "refundable": o.total_price() > refunded,
        "restockable": true,
        "requiresShipping": o.line_items.iter().any(|l| l.requires_shipping),
        "fulfillable": fulfillment_status != "FULFILLED",
        "edited": false,
        "taxExempt": false,
        "taxesIncluded": false,
        "dutiesIncluded": false,
        "estimatedTaxes": false,
        "capturable": o.transactions.iter().any(|t| is_capturable(t, &o.transactions)),
        "canMarkAsPaid": paid.is_zero(),
        "canNotifyCustomer": o.email.is_some(),
        "customerAcceptsMarketing": o.customer.as_ref().is_some_and(|c| c.accepts_marketing),
        "sourceName": "web",
        "currencyCode": currency,
        "presentmentCurrencyCode": o.presentment_currency,
        "displayFinancialStatus": financial_status(o.financial_status),
        "displayFulfillmentStatus": fulfillment_status,
        "cancelReason": o.cancel_reason.map(str::to_ascii_uppercase),
        "discountCode": o.discount_codes.first().map(|d| d.code.clone()),
        "discountCodes": o.discount_codes.iter().map(|d| d.code.clone()).collect::<Vec<_>>(),
        "paymentGatewayNames": [o.gateway],
        "subtotalLineItemsQuantity": quantity,
        "currentSubtotalLineItemsQuantity": quantity - refunded_quantity,
        "totalWeight": o.line_items.iter().map(|l| u64::from(l.grams) * u64::from(l.quantity)).sum::<u64>().to_string(),
        "totalPriceSet": m.bag(o.total_price()),
        "currentTotalPriceSet": m.bag(current_total),
        "originalTotalPriceSet": m.bag(o.total_price()),
        "subtotalPriceSet": m.bag(o.subtotal_price()),
        "currentSubtotalPriceSet": m.bag(o.subtotal_price()),
        "totalTaxSet": m.bag(tax),
        "currentTotalTaxSet": m.bag(tax),
        "totalDiscountsSet": m.bag(o.total_discounts),
        "currentTotalDiscountsSet": m.bag(o.total_discounts),
        "cartDiscountAmountSet": m.bag(o.total_discounts),
        "totalShippingPriceSet": m.bag(o.total_shipping()),
        "currentShippingPriceSet": m.bag(o.total_shipping()),
        "totalRefundedSet": m.bag(refunded),
        "totalRefundedShippingSet": m.bag(Decimal::ZERO),
        "totalReceivedSet": m.bag(paid),
        "netPaymentSet": m.bag(paid - refunded),
        "totalOutstandingSet": m.bag((o.total_price() - paid).max(Decimal::ZERO)),
        "totalCapturableSet": m.bag(Decimal::ZERO),
        "totalTipReceivedSet": m.bag(Decimal::ZERO),
        "originalTotalAdditionalFeesSet": null,
        "taxLines": tax_lines,
        "currentTaxLines": tax_lines,
        "shippingLine": shipping_lines.first(),
        "shippingLines": shipping_lines,
        "discountApplications": o.discount_codes.iter().enumerate().map(|(i, d)| discount_application(i, d, currency)).collect::<Vec<_>>(),
        "customAttributes": o.note_attributes.iter().map(|(key, value)| json!({"__typename": "Attribute", "key": key, "value": value})).collect::<Vec<_>>(),
        "billingAddress": o.billing_address.as_ref().map(address),
        "shippingAddress": o.shipping_address.as_ref().map(address),
        "displayAddress": o.billing_address.as_ref().map(address),
        "billingAddressMatchesShippingAddress": o.billing_address.as_ref().map(|a| a.address1.clone()) == o.shipping_address.as_ref().map(|a| a.address1.clone()),
        "customer": o.customer.as_ref().map(|c| customer(c, currency)),
        "lineItems": o.line_items.iter().map(|l| line_item(l, o, &m)).collect::<Vec<_>>(),
        "refunds": o.refunds.iter().map(|r| refund(r, o, &m)).collect::<Vec<_>>(),
        "transactions": o.transactions.iter().map(|t| transaction(t, &o.transactions, &m)).collect::<Vec<_>>(),
        "transactionsCount": {"__typename": "Count", "count": o.transactions.len(), "precision": "EXACT"},
        "fulfillments": fulfillments,
        "fulfillmentsCount": {"__typename": "Count", "count": o.fulfillments.len(), "precision": "EXACT"},
        "createdAt": ts(o.created_at),
        "updatedAt": ts(o.updated_at),
        "processedAt": ts(o.processed_at),
        "closedAt": o.closed_at.map(ts),
        "cancelledAt": o.cancelled_at.map(ts),
    })
}

/// `DiscountCodeApplication` of the order's `index`th code.
fn discount_application(index: usize, d: &DiscountCode, currency: &str) -> Value {
    let value = if d.kind == "percentage" {
        json!({"__typename": "PricingPercentageValue", "percentage": d.nominal.to_string().parse::<f64>().ok()})
    } else {
        money(d.nominal, currency)
    };
    json!({
        "__typename": "DiscountCodeApplication",
        "code": d.code,
        "index": index,
        "allocationMethod": "ACROSS",
        "targetSelection": "ALL",
        "targetType": "LINE_ITEM",
        "value": value,
    })
}

/// `ShippingLine`.
fn shipping_line(s: &ShippingLine, m: &Bags) -> Value {
    json!({
        "__typename": "ShippingLine",
        "id": gid("ShippingLine", s.id),
        "title": s.title,
        "code": present(&s.code),
        "source": "shopify",
        "custom": false,
        "isRemoved": false,
        "originalPriceSet": m.bag(s.price),
        "discountedPriceSet": m.bag(s.price),
        "currentDiscountedPriceSet": m.bag(s.price),
    })
}

/// `Fulfillment` of `o`.
fn fulfillment(f: &Fulfillment, o: &Order) -> Value {
    json!({
        "__typename": "Fulfillment",
        "id": gid("Fulfillment", f.id),
        "legacyResourceId": f.id.to_string(),
        "name": format!("{}-F{}", o.name, f.id % 100),
        "status": f.status.to_ascii_uppercase(),
        "displayStatus": if f.status == "success" { "FULFILLED" } else { "CANCELED" },
        "trackingInfo": [{"__typename": "FulfillmentTrackingInfo", "company": f.tracking_company, "number": f.tracking_number, "url": null}],
        "totalQuantity": f.lines.iter().map(|(_, q)| *q).sum::<u32>(),
        "requiresShipping": true,
        "order": reference("Order", o.id),
        "createdAt": ts(f.created_at),
        "updatedAt": ts(f.created_at),
    })
}
