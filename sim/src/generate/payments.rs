//! An order's lifecycle in the generator: authorize, pay (capture or sale), fulfill (all or
//! part), refund (some units, or the rest) and cancel (void or refund). Each step checks the
//! order's state first and answers `None` when it does not apply. New orders are in
//! `generate/orders.rs`.

use chrono::{DateTime, Utc};
use rand::seq::SliceRandom;
use rand::Rng;
use rust_decimal::Decimal;

use super::names;
use crate::store::order::{Fulfillment, Order, Refund, RefundLineItem, Transaction};
use crate::store::units::{next_stamp, round_money};
use crate::store::{Change, Kind, SimRng, Store};

const CANCEL_REASONS: [&str; 5] = ["customer", "fraud", "inventory", "declined", "other"];

impl Store {
    pub fn pay_order(&mut self, rng: &mut SimRng, id: u64, at: DateTime<Utc>) -> Option<Change> {
        let tx_id = self.new_id(rng);
        let o = self.orders.get_mut(&id)?;
        if !matches!(o.financial_status, "pending" | "authorized") || o.cancelled_at.is_some() {
            return None;
        }
        let stamp = next_stamp(o.updated_at, at);
        let parent = o
            .transactions
            .iter()
            .find(|t| t.kind == "authorization")
            .map(|t| t.id);
        o.transactions.push(Transaction {
            id: tx_id,
            order_id: id,
            kind: if parent.is_some() { "capture" } else { "sale" },
            status: "success",
            amount: o.total_price(),
            gateway: o.gateway.clone(),
            parent_id: parent,
            created_at: stamp,
        });
        o.financial_status = "paid";
        o.updated_at = stamp;
        Some(Change {
            kind: Kind::Order,
            id,
            topics: vec!["order_transactions/create", "orders/paid", "orders/updated"],
            refund_id: None,
            transaction_ids: vec![tx_id],
        })
    }

    /// Authorizes payment of a pending order (captured later by [`Store::pay_order`]).
    pub fn authorize_order(
        &mut self,
        rng: &mut SimRng,
        id: u64,
        at: DateTime<Utc>,
    ) -> Option<Change> {
        let tx_id = self.new_id(rng);
        let o = self.orders.get_mut(&id)?;
        if o.financial_status != "pending" || o.cancelled_at.is_some() {
            return None;
        }
        let stamp = next_stamp(o.updated_at, at);
        o.transactions.push(Transaction {
            id: tx_id,
            order_id: id,
            kind: "authorization",
            status: "success",
            amount: o.total_price(),
            gateway: o.gateway.clone(),
            parent_id: None,
            created_at: stamp,
        });
        o.financial_status = "authorized";
        o.updated_at = stamp;
        Some(Change {
            kind: Kind::Order,
            id,
            topics: vec!["order_transactions/create", "orders/updated"],
            refund_id: None,
            transaction_ids: vec![tx_id],
        })
    }

    /// Ships all (or, one time in four, part) of what is left to ship of a paid order.
    pub fn fulfill_order(
        &mut self,
        rng: &mut SimRng,
        id: u64,
        at: DateTime<Utc>,
    ) -> Option<Change> {
        let fid = self.new_id(rng);
        let o = self.orders.get_mut(&id)?;
        if o.cancelled_at.is_some()
            || !matches!(o.financial_status, "paid" | "partially_refunded")
            || o.fulfillment_status() == Some("fulfilled")
        {
            return None;
        }
        let stamp = next_stamp(o.updated_at, at);
        let partial = rng.gen_bool(0.25);
        let mut lines = Vec::new();
        let open: Vec<usize> = (0..o.line_items.len())
            .filter(|&i| o.line_items[i].fulfilled_quantity < o.line_items[i].quantity)
            .collect();
        for (k, &i) in open.iter().enumerate() {
            if partial && k > 0 {
                break;
            }
            let l = &mut o.line_items[i];
            let qty = if partial && open.len() == 1 {
                1
            } else {
                l.quantity - l.fulfilled_quantity
            };
            l.fulfilled_quantity += qty;
            lines.push((l.id, qty));
        }
        o.fulfillments.push(Fulfillment {
            id: fid,
            order_id: id,
            status: "success",
            tracking_company: names::CARRIERS.choose(rng).expect("carriers").to_string(),
            tracking_number: format!("1Z{:016}", rng.gen_range(0..10_000_000_000_000_000u64)),
            lines,
            created_at: stamp,
        });
        o.updated_at = stamp;
        let topic = if o.fulfillment_status() == Some("fulfilled") {
            o.closed_at = Some(stamp);
            "orders/fulfilled"
        } else {
            "orders/partially_fulfilled"
        };
        Some(Change {
            kind: Kind::Order,
            id,
            topics: vec![topic, "orders/updated"],
            refund_id: None,
            transaction_ids: Vec::new(),
        })
    }

    /// Refunds some units of a paid order, with a refund transaction.
    pub fn refund_order(&mut self, rng: &mut SimRng, id: u64, at: DateTime<Utc>) -> Option<Change> {
        let currency = self.shop.currency.clone();
        let (refund_id, tx_id) = (self.new_id(rng), self.new_id(rng));
        let mut rli_ids: Vec<u64> = (0..8).map(|_| 0).collect();
        for slot in rli_ids.iter_mut() {
            *slot = self.new_id(rng);
        }
        let o = self.orders.get_mut(&id)?;
        if !matches!(o.financial_status, "paid" | "partially_refunded") {
            return None;
        }
        let stamp = next_stamp(o.updated_at, at);
        let refundable: Vec<(u64, u32)> = o
            .line_items
            .iter()
            .map(|l| (l.id, l.quantity - o.refunded_quantity(l.id)))
            .filter(|(_, q)| *q > 0)
            .collect();
        if refundable.is_empty() {
            return None;
        }
        let everything = rng.gen_bool(0.3) || o.cancelled_at.is_some();
        let take = if everything {
            refundable.len()
        } else {
            rng.gen_range(1..=refundable.len())
        };
        let (refund_line_items, mut amount) = refund_lines(
            rng,
            o,
            &refundable[..take.min(rli_ids.len())],
            &rli_ids,
            everything,
            &currency,
        );
        let lines_left_after: u32 = o
            .line_items
            .iter()
            .map(|l| l.quantity - o.refunded_quantity(l.id))
            .sum::<u32>()
            - refund_line_items.iter().map(|r| r.quantity).sum::<u32>();
        if lines_left_after == 0 {
            // The last refund gives back shipping and any rounding rest: the order is whole again.
            amount = o.total_price() - o.total_refunded();
        }
        let parent = o
            .transactions
            .iter()
            .find(|t| matches!(t.kind, "sale" | "capture"))
            .map(|t| t.id);
        let refund = Refund {
            id: refund_id,
            order_id: id,
            note: rng
                .gen_bool(0.5)
                .then(|| names::REFUND_NOTES.choose(rng).expect("notes").to_string()),
            restock: rng.gen_bool(0.5),
            refund_line_items,
            transactions: vec![Transaction {
                id: tx_id,
                order_id: id,
                kind: "refund",
                status: "success",
                amount: round_money(amount, &currency),
                gateway: o.gateway.clone(),
                parent_id: parent,
                created_at: stamp,
            }],
            created_at: stamp,
            processed_at: stamp,
        };
        record_refund(o, refund, stamp);
        Some(Change {
            kind: Kind::Order,
            id,
            topics: vec![
                "order_transactions/create",
                "refunds/create",
                "orders/updated",
            ],
            refund_id: Some(refund_id),
            transaction_ids: vec![tx_id],
        })
    }

    /// Cancels an unfulfilled order: voids an authorization, refunds a payment.
    pub fn cancel_order(&mut self, rng: &mut SimRng, id: u64, at: DateTime<Utc>) -> Option<Change> {
        let o = self.orders.get(&id)?;
        if o.cancelled_at.is_some()
            || o.fulfillment_status().is_some()
            || o.financial_status == "refunded"
        {
            return None;
        }
        let paid = matches!(o.financial_status, "paid" | "partially_refunded");
        let mut topics = vec!["orders/cancelled"];
        let mut refund_id = None;
        let mut transaction_ids = Vec::new();
        if paid {
            let o = self.orders.get_mut(&id)?;
            o.cancelled_at = Some(next_stamp(o.updated_at, at));
            let change = self.refund_order(rng, id, at)?;
            refund_id = change.refund_id;
            transaction_ids = change.transaction_ids;
            topics.push("refunds/create");
        }
        let void_id = self.new_id(rng);
        let o = self.orders.get_mut(&id)?;
        let stamp = next_stamp(o.updated_at, at);
        if o.financial_status == "authorized" {
            let parent = o
                .transactions
                .iter()
                .find(|t| t.kind == "authorization")
                .map(|t| t.id);
            transaction_ids.push(void_id);
            o.transactions.push(Transaction {
                id: void_id,
                order_id: id,
                kind: "void",
                status: "success",
                amount: o.total_price(),
                gateway: o.gateway.clone(),
                parent_id: parent,
                created_at: stamp,
            });
        }
        if matches!(o.financial_status, "pending" | "authorized") {
            o.financial_status = "voided";
        }
        o.cancelled_at = Some(o.cancelled_at.unwrap_or(stamp));
        o.cancel_reason = Some(CANCEL_REASONS.choose(rng).expect("reasons"));
        o.closed_at = Some(stamp);
        o.updated_at = stamp;
        if !transaction_ids.is_empty() {
            topics.insert(0, "order_transactions/create");
        }
        topics.push("orders/updated");
        Some(Change {
            kind: Kind::Order,
            id,
            topics,
            refund_id,
            transaction_ids,
        })
    }
}

/// The refunded lines of a refund of `o`: every unit left of each line in `lines` when
/// `everything`, else a random number of them. Returns the lines and the money they give back.
fn refund_lines(
    rng: &mut SimRng,
    o: &Order,
    lines: &[(u64, u32)],
    ids: &[u64],
    everything: bool,
    currency: &str,
) -> (Vec<RefundLineItem>, Decimal) {
    let mut refund_line_items = Vec::new();
    let mut amount = Decimal::ZERO;
    for (k, (line_id, left)) in lines.iter().enumerate() {
        let l = o
            .line_items
            .iter()
            .find(|l| l.id == *line_id)
            .expect("line exists");
        let qty = if everything {
            *left
        } else {
            rng.gen_range(1..=*left)
        };
        let share = Decimal::from(qty) / Decimal::from(l.quantity);
        let subtotal = round_money(
            (l.price * Decimal::from(l.quantity) - l.total_discount) * share,
            currency,
        );
        let total_tax = round_money(
            l.tax_lines.iter().map(|t| t.price).sum::<Decimal>() * share,
            currency,
        );
        amount += subtotal + total_tax;
        refund_line_items.push(RefundLineItem {
            id: ids[k],
            line_item_id: *line_id,
            quantity: qty,
            subtotal,
            total_tax,
        });
    }
    (refund_line_items, amount)
}

/// Adds a refund and its transaction to the order, and moves its financial status.
fn record_refund(o: &mut Order, refund: Refund, stamp: DateTime<Utc>) {
    o.transactions.push(refund.transactions[0].clone());
    o.refunds.push(refund);
    let all_refunded = o
        .line_items
        .iter()
        .all(|l| o.refunded_quantity(l.id) >= l.quantity);
    o.financial_status = if all_refunded {
        "refunded"
    } else {
        "partially_refunded"
    };
    o.updated_at = stamp;
}
