//! `GET /_sim/summary` (`server.rs`) and `SimHandle::summary` (`handle.rs`): what the store
//! holds, counted, with the exact sum of live orders.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::store::units::round_money;
use crate::store::{Kind, Store};

/// Counts of deleted objects.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct DeletedCounts {
    pub customers: usize,
    pub orders: usize,
    pub products: usize,
    #[serde(default)]
    pub locations: usize,
}

/// `GET /_sim/summary`: live objects, the sum of live orders' `total_price` per currency (exact
/// decimal strings), and deleted objects.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Summary {
    pub customers: usize,
    pub orders: usize,
    pub products: usize,
    /// Locations, active or not.
    #[serde(default)]
    pub locations: usize,
    pub order_totals: BTreeMap<String, String>,
    pub deleted: DeletedCounts,
}

impl Summary {
    /// The summary of a store.
    pub fn of(store: &Store) -> Summary {
        let total: rust_decimal::Decimal = store.orders.values().map(|o| o.total_price()).sum();
        let currency = store.shop.currency.clone();
        let deleted = |k| store.deleted.keys().filter(|(kind, _)| *kind == k).count();
        Summary {
            customers: store.customers.len(),
            orders: store.orders.len(),
            products: store.products.len(),
            locations: store.locations.len(),
            order_totals: BTreeMap::from([(
                currency.clone(),
                round_money(total, &currency).to_string(),
            )]),
            deleted: DeletedCounts {
                customers: deleted(Kind::Customer),
                orders: deleted(Kind::Order),
                products: deleted(Kind::Product),
                locations: deleted(Kind::Location),
            },
        }
    }
}
