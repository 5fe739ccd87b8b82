//! The simulated store: customers, products, orders and locations held in memory.
//!
//! The objects live in [`customer`], [`product`], [`order`] and [`location`]; [`units`] holds the time and
//! money rules every change follows; [`rest`] renders the REST JSON that webhooks, the export
//! and the REST API share (the GraphQL projections in `graphql/project/` read the same structs);
//! [`visibility`] says which orders the token may see (the 60-day window of `read_all_orders`).
//! The changes themselves (create, update, delete, an order's lifecycle) are made by the
//! seeded generator, one module per resource in `generate/`, which both the initial history
//! and the live activity (`activity.rs`) go through, so both follow the same rules: every
//! change moves the object's `updated_at` strictly forward, money is exact (`rust_decimal`)
//! in the shop's currency, and deletions leave a [`Tombstone`].

pub mod customer;
pub mod location;
pub mod order;
pub mod product;
pub mod rest;
pub mod units;
pub mod visibility;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rust_decimal::Decimal;

pub use customer::{Address, Customer};
pub use location::Location;
pub use order::{
    DiscountCode, Fulfillment, LineItem, Order, Refund, RefundLineItem, ShippingLine, TaxLine,
    Transaction,
};
pub use product::{Image, Product, Variant};
pub use units::{currency_decimals, next_stamp, round_money, whole_seconds};

/// The random source of every store change: seeded, so a seed names one store.
pub type SimRng = ChaCha8Rng;

/// The kinds of object the store holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    Customer,
    Product,
    Order,
    Location,
}

impl Kind {
    /// The name used in `/_sim/export` lines and in `/_sim/summary`.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Customer => "customer",
            Kind::Product => "product",
            Kind::Order => "order",
            Kind::Location => "location",
        }
    }
}

/// The shop itself: what `shop { … }` and `shop.json` answer.
#[derive(Debug, Clone)]
pub struct ShopInfo {
    pub id: u64,
    pub name: String,
    /// `<shop>.myshopify.com`.
    pub domain: String,
    pub email: String,
    /// ISO 4217 code of every amount in the store.
    pub currency: String,
    pub plan: crate::config::Plan,
    pub iana_timezone: String,
    pub created_at: DateTime<Utc>,
}

/// What is left of a deleted object: its id and when it went (its delete webhook body is
/// rendered from the id, see [`rest::deleted_object`]).
#[derive(Debug, Clone)]
pub struct Tombstone {
    pub id: u64,
    pub deleted_at: DateTime<Utc>,
}

/// A change the store made, named by the webhook topics it should emit (in order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub kind: Kind,
    pub id: u64,
    pub topics: Vec<&'static str>,
    /// The refund created by a `refunds/create` change.
    pub refund_id: Option<u64>,
    /// The transactions the change created: one `order_transactions/create` each, in order.
    pub transaction_ids: Vec<u64>,
}

/// The whole simulated store.
#[derive(Debug, Clone)]
pub struct Store {
    pub shop: ShopInfo,
    pub customers: BTreeMap<u64, Customer>,
    pub products: BTreeMap<u64, Product>,
    pub orders: BTreeMap<u64, Order>,
    pub locations: BTreeMap<u64, Location>,
    pub deleted: BTreeMap<(Kind, u64), Tombstone>,
    /// Next numeric id handed out (all kinds share one sequence, like Shopify's ids look).
    next_id: u64,
    next_order_number: u64,
}

impl Store {
    /// An empty store for `shop`; ids start at `first_id`.
    pub fn new(shop: ShopInfo, first_id: u64) -> Self {
        Store {
            shop,
            customers: BTreeMap::new(),
            products: BTreeMap::new(),
            orders: BTreeMap::new(),
            locations: BTreeMap::new(),
            deleted: BTreeMap::new(),
            next_id: first_id,
            next_order_number: 1001,
        }
    }

    /// A fresh id: ids of all kinds share one increasing sequence with random gaps.
    pub(crate) fn new_id(&mut self, rng: &mut SimRng) -> u64 {
        self.next_id += rng.gen_range(1..=64);
        self.next_id
    }

    /// `amount` rounded to the shop currency's minor unit.
    pub(crate) fn money(&self, amount: Decimal) -> Decimal {
        round_money(amount, &self.shop.currency)
    }

    /// The next order number (`#1001`, `#1002`, …).
    pub(crate) fn take_order_number(&mut self) -> u64 {
        let number = self.next_order_number;
        self.next_order_number += 1;
        number
    }
}
