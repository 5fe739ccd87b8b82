//! Orders in the generator: a new order (pending payment) for a random customer or a guest,
//! an edit of an unpaid order, and deletion. Orders carry the nulls real shops have, at the
//! rates of the constants below: guest orders (some without an email), custom line items
//! without product, variant, SKU or vendor, digital orders without shipping address or
//! shipping lines, and orders presented in another currency than the shop's. Payment, fulfillment, refunds and cancellation are
//! in `generate/payments.rs`. The initial history (`generate/mod.rs`) and the live activity
//! (`activity.rs`) both call these.

use chrono::{DateTime, Utc};
use rand::seq::SliceRandom;
use rand::Rng;
use rust_decimal::Decimal;

use super::names;
use crate::store::customer::{Address, Customer};
use crate::store::order::{DiscountCode, LineItem, Order, ShippingLine, TaxLine};
use crate::store::units::{next_stamp, round_money, whole_seconds};
use crate::store::{Change, Kind, SimRng, Store, Tombstone};

/// Sales tax rates an order is charged: `(mantissa, scale)` of a decimal.
const TAX_RATES: [(i64, u32); 4] = [(6, 2), (725, 4), (8, 2), (1025, 4)];

/// Share of orders placed by a guest (no customer account): guest checkout is on by default
/// and a sizeable minority of real buyers use it.
pub const GUEST_RATE: f64 = 0.1;
/// Share of guest orders without an email: point-of-sale sales and draft orders completed by
/// the merchant need none (Shopify's `Order.email` is nullable). They have no address either.
pub const GUEST_NO_EMAIL_RATE: f64 = 0.3;
/// Share of lines that are custom line items (gift wrap, engraving, a fee typed in by the
/// merchant): no product, variant, SKU or vendor behind them.
pub const CUSTOM_LINE_RATE: f64 = 0.05;
/// Share of orders of digital goods only: no line requires shipping, so Shopify leaves the
/// shipping address `null` and the shipping lines empty.
pub const DIGITAL_RATE: f64 = 0.1;
/// Share of orders the buyer paid in another currency than the shop's (Shopify Markets):
/// `presentment_money` differs from `shop_money` by the rate of `names::PRESENTMENT`.
pub const PRESENTMENT_RATE: f64 = 0.15;

/// One order in [`NOTE_ATTRIBUTES_EVERY`] carries note attributes (a gift message and how the
/// buyer heard of the shop), chosen from its id so the random draws of the rest of the store
/// stay as they were.
pub const NOTE_ATTRIBUTES_EVERY: u64 = 4;

/// The note attributes of a new order `id` (see [`NOTE_ATTRIBUTES_EVERY`]).
fn note_attributes(id: u64) -> Vec<(String, String)> {
    if !id.is_multiple_of(NOTE_ATTRIBUTES_EVERY) {
        return Vec::new();
    }
    let note = names::NOTES[(id / NOTE_ATTRIBUTES_EVERY) as usize % names::NOTES.len()];
    vec![
        ("gift_message".to_string(), note.to_string()),
        ("referral".to_string(), format!("ref-{}", id % 1000)),
    ]
}

impl Store {
    /// A line of a random product's random variant, or, at [`CUSTOM_LINE_RATE`], a custom
    /// line item.
    fn make_line_item(
        &mut self,
        rng: &mut SimRng,
        tax_rate: Decimal,
        requires_shipping: bool,
    ) -> Option<LineItem> {
        let product_ids: Vec<u64> = self.products.keys().copied().collect();
        let pid = *product_ids.choose(rng)?;
        let custom = rng.gen_bool(CUSTOM_LINE_RATE);
        let (product_id, variant_id, title, variant_title, sku, vendor, price, grams) = if custom {
            let (title, price) = *names::CUSTOM_ITEMS.choose(rng).expect("custom items");
            let price = self.money(Decimal::new(price, 2));
            (None, None, title.to_string(), None, None, None, price, 0)
        } else {
            let p = &self.products[&pid];
            let v = p.variants.choose(rng)?.clone();
            (
                Some(pid),
                Some(v.id),
                p.title.clone(),
                Some(v.title.clone()),
                Some(v.sku.clone()),
                Some(p.vendor.clone()),
                v.price,
                v.grams,
            )
        };
        let id = self.new_id(rng);
        let quantity = rng.gen_range(1..=3);
        let tax = self.money(price * Decimal::from(quantity) * tax_rate);
        Some(LineItem {
            id,
            product_id,
            variant_id,
            title,
            variant_title,
            sku,
            vendor,
            requires_shipping,
            quantity,
            price,
            grams,
            total_discount: self.money(Decimal::ZERO),
            tax_lines: vec![TaxLine {
                title: "State Tax".into(),
                rate: tax_rate,
                price: tax,
            }],
            fulfilled_quantity: 0,
        })
    }

    /// A shipping line at one of the shop's rates.
    fn make_shipping_line(&mut self, rng: &mut SimRng) -> ShippingLine {
        let (ship_title, ship_price) = *names::SHIPPING.choose(rng).expect("shipping");
        ShippingLine {
            id: self.new_id(rng),
            title: ship_title.to_string(),
            code: ship_title.to_string(),
            price: self.money(Decimal::new(ship_price, 2)),
        }
    }

    /// The email and address an order `id` is placed with: its customer's, or a guest's
    /// (some guests leave neither).
    fn buyer(
        &mut self,
        rng: &mut SimRng,
        id: u64,
        customer: Option<&Customer>,
    ) -> (Option<String>, Option<Address>) {
        match customer {
            Some(c) => (c.email.clone(), c.default_address().cloned()),
            None if rng.gen_bool(GUEST_NO_EMAIL_RATE) => (None, None),
            None => {
                let first = names::FIRST_NAMES.choose(rng).expect("names");
                let last = names::LAST_NAMES.choose(rng).expect("names");
                let address = self.make_address(rng, 0, first, last);
                (
                    Some(format!("guest{}@example.com", id % 100_000)),
                    Some(address),
                )
            }
        }
    }

    /// Places a new order (pending payment) for a random customer, or a guest.
    pub fn create_order(&mut self, rng: &mut SimRng, at: DateTime<Utc>) -> Option<Change> {
        if self.products.is_empty() {
            return None;
        }
        let at = whole_seconds(at);
        let id = self.new_id(rng);
        let tax_rate = *TAX_RATES.choose(rng).expect("rates");
        let tax_rate = Decimal::new(tax_rate.0, tax_rate.1);
        let digital = rng.gen_bool(DIGITAL_RATE);
        let mut line_items = Vec::new();
        for _ in 0..rng.gen_range(1..=5) {
            line_items.extend(self.make_line_item(rng, tax_rate, !digital));
        }
        let customer_ids: Vec<u64> = self.customers.keys().copied().collect();
        let customer_id = if rng.gen_bool(1.0 - GUEST_RATE) {
            customer_ids.choose(rng).copied()
        } else {
            None
        };
        let number = self.take_order_number();
        let name = format!("#{number}");
        let (discount_codes, total_discounts) = self.maybe_discount(rng, &mut line_items, tax_rate);
        let shipping_lines = if digital {
            Vec::new()
        } else {
            vec![self.make_shipping_line(rng)]
        };
        let customer = customer_id
            .and_then(|cid| self.customers.get(&cid))
            .cloned();
        let (email, address) = self.buyer(rng, id, customer.as_ref());
        let (presentment_currency, presentment_rate) = self.presentment(rng);
        let order = Order {
            id,
            number,
            name: name.clone(),
            email,
            customer,
            shipping_address: if digital { None } else { address.clone() },
            billing_address: address,
            line_items,
            shipping_lines,
            presentment_currency,
            presentment_rate,
            discount_codes,
            tax_rate,
            total_discounts,
            financial_status: "pending",
            transactions: Vec::new(),
            refunds: Vec::new(),
            fulfillments: Vec::new(),
            cancelled_at: None,
            cancel_reason: None,
            closed_at: None,
            gateway: names::GATEWAYS.choose(rng).expect("gateways").to_string(),
            note: rng
                .gen_bool(0.1)
                .then(|| names::NOTES.choose(rng).expect("notes").to_string()),
            note_attributes: note_attributes(id),
            tags: Vec::new(),
            created_at: at,
            processed_at: at,
            updated_at: at,
        };
        let total = order.total_price();
        self.orders.insert(id, order);
        let mut topics = vec!["orders/create"];
        if let Some(cid) = customer_id {
            if self.credit_customer(cid, id, name, total, at) {
                topics.push("customers/update");
            }
        }
        Some(Change {
            kind: Kind::Order,
            id,
            topics,
            refund_id: None,
            transaction_ids: Vec::new(),
        })
    }

    /// The currency an order is presented in and its rate per shop unit: the shop's own at
    /// rate 1, or at [`PRESENTMENT_RATE`] another of `names::PRESENTMENT` (its rate per US
    /// dollar taken per unit of the shop's currency, whatever that is).
    fn presentment(&self, rng: &mut SimRng) -> (String, Decimal) {
        if rng.gen_bool(PRESENTMENT_RATE) {
            let others: Vec<_> = names::PRESENTMENT
                .iter()
                .filter(|(code, _)| *code != self.shop.currency)
                .collect();
            if let Some((code, (mantissa, scale))) = others.choose(rng) {
                return (code.to_string(), Decimal::new(*mantissa, *scale));
            }
        }
        (self.shop.currency.clone(), Decimal::ONE)
    }

    /// One order in four uses a discount code: spreads it over the lines (the last takes the
    /// rounding rest) and taxes what is left. Returns the codes and the total discount.
    fn maybe_discount(
        &self,
        rng: &mut SimRng,
        line_items: &mut [LineItem],
        tax_rate: Decimal,
    ) -> (Vec<DiscountCode>, Decimal) {
        let mut discount_codes = Vec::new();
        let mut total_discounts = self.money(Decimal::ZERO);
        let lines_total: Decimal = line_items
            .iter()
            .map(|l| l.price * Decimal::from(l.quantity))
            .sum();
        if rng.gen_bool(0.25) {
            let (code, kind, amount) = *names::DISCOUNTS.choose(rng).expect("discounts");
            let amount = Decimal::new(amount, 0);
            let value = if kind == "percentage" {
                lines_total * amount / Decimal::ONE_HUNDRED
            } else {
                amount.min(lines_total)
            };
            total_discounts = self.money(value);
            discount_codes.push(DiscountCode {
                code: code.to_string(),
                kind,
                amount: self.money(value),
                nominal: amount,
            });
            let mut left = total_discounts;
            let n = line_items.len();
            for (i, l) in line_items.iter_mut().enumerate() {
                let line_total = l.price * Decimal::from(l.quantity);
                let share = if i + 1 == n {
                    left
                } else {
                    round_money(
                        total_discounts * line_total / lines_total,
                        &self.shop.currency,
                    )
                };
                left -= share;
                l.total_discount = share;
                l.tax_lines[0].price =
                    round_money((line_total - share) * tax_rate, &self.shop.currency);
            }
        }
        (discount_codes, total_discounts)
    }

    /// Counts a new order on its customer and embeds the updated customer in the order; false
    /// when the customer is gone.
    fn credit_customer(
        &mut self,
        customer_id: u64,
        order_id: u64,
        name: String,
        total: Decimal,
        at: DateTime<Utc>,
    ) -> bool {
        let Some(c) = self.customers.get_mut(&customer_id) else {
            return false;
        };
        c.orders_count += 1;
        c.total_spent += total;
        c.last_order_id = Some(order_id);
        c.last_order_name = Some(name);
        c.updated_at = next_stamp(c.updated_at, at);
        let snapshot = c.clone();
        if let Some(o) = self.orders.get_mut(&order_id) {
            o.customer = Some(snapshot);
        }
        true
    }

    /// Edits an unpaid-or-paid, unfulfilled, uncancelled order: adds a line or changes a quantity.
    pub fn edit_order(&mut self, rng: &mut SimRng, id: u64, at: DateTime<Utc>) -> Option<Change> {
        let o = self.orders.get(&id)?;
        if o.cancelled_at.is_some()
            || o.fulfillment_status().is_some()
            || !o.refunds.is_empty()
            || o.financial_status != "pending"
        {
            return None;
        }
        let tax_rate = o.tax_rate;
        let requires_shipping = o.line_items.iter().any(|l| l.requires_shipping);
        let new_line = if rng.gen_bool(0.5) {
            self.make_line_item(rng, tax_rate, requires_shipping)
        } else {
            None
        };
        let currency = self.shop.currency.clone();
        let o = self.orders.get_mut(&id)?;
        match new_line {
            Some(l) => o.line_items.push(l),
            None => {
                let l = o.line_items.choose_mut(rng)?;
                l.quantity += 1;
                l.tax_lines[0].price = round_money(
                    (l.price * Decimal::from(l.quantity) - l.total_discount) * tax_rate,
                    &currency,
                );
            }
        }
        o.updated_at = next_stamp(o.updated_at, at);
        Some(Change {
            kind: Kind::Order,
            id,
            topics: vec!["orders/edited", "orders/updated"],
            refund_id: None,
            transaction_ids: Vec::new(),
        })
    }

    /// Deletes an order.
    pub fn delete_order(&mut self, id: u64, at: DateTime<Utc>) -> Option<Change> {
        let o = self.orders.remove(&id)?;
        let deleted_at = next_stamp(o.updated_at, at);
        self.deleted
            .insert((Kind::Order, id), Tombstone { id, deleted_at });
        Some(Change {
            kind: Kind::Order,
            id,
            topics: vec!["orders/delete"],
            refund_id: None,
            transaction_ids: Vec::new(),
        })
    }
}
