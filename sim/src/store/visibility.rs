//! Which orders a token may see. Shopify hides orders created more than 60 days ago from an
//! app without `read_all_orders` (besides `read_orders`): they are simply absent, from lists,
//! counts, single reads and bulk results alike (Shopify's access-scope documentation).
//! The rule lives here once; every reader of orders asks it: GraphQL (`graphql/roots/query.rs`
//! for `orders`, `ordersCount` and bulk runs, `graphql/project/mod.rs` for `order(id)` and
//! `node`/`nodes`) and REST (`rest.rs`).

use chrono::{DateTime, Duration, Utc};

use crate::config::SimConfig;

/// How far back an app without `read_all_orders` sees orders.
pub const ORDER_WINDOW_DAYS: i64 = 60;

/// The scope that lifts the window.
pub const READ_ALL_ORDERS: &str = "read_all_orders";

/// The oldest creation time a token may see, fixed at one instant (one request).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrderVisibility {
    /// `None`: every order (`read_all_orders` granted).
    oldest: Option<DateTime<Utc>>,
}

impl OrderVisibility {
    /// The window of a token holding `scopes`, as of `now`.
    pub fn new(scopes: &[String], now: DateTime<Utc>) -> Self {
        let all = scopes.iter().any(|s| s == READ_ALL_ORDERS);
        OrderVisibility {
            oldest: (!all).then(|| now - Duration::days(ORDER_WINDOW_DAYS)),
        }
    }

    /// The window of the simulator's token, now.
    pub fn of(config: &SimConfig) -> Self {
        Self::new(&config.scopes, Utc::now())
    }

    /// Whether an order created at `created_at` is visible.
    pub fn shows(&self, created_at: DateTime<Utc>) -> bool {
        self.oldest.is_none_or(|oldest| created_at >= oldest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_read_all_orders_only_the_last_60_days_show() {
        let now = Utc::now();
        let some = OrderVisibility::new(&["read_orders".to_string()], now);
        assert!(some.shows(now - Duration::days(59)));
        assert!(!some.shows(now - Duration::days(61)));
        let all = OrderVisibility::new(
            &["read_orders".to_string(), READ_ALL_ORDERS.to_string()],
            now,
        );
        assert!(all.shows(now - Duration::days(3650)));
    }
}
