//! The deterministic generator: builds the initial store from a seed.
//!
//! One ChaCha stream drives every choice and the clock is simulated (the history runs from
//! [`HISTORY_START`] for a year), so the same seed and sizes give a byte-identical store and
//! export on any machine. Orders are walked through the same lifecycle the live activity uses
//! (`store::Store::{pay,fulfill,refund,cancel}_order`), so the history holds every financial
//! and fulfillment state, refunds with transactions, and cancelled orders.

use chrono::{DateTime, Duration, TimeZone, Utc};
use rand::{Rng, SeedableRng};

use crate::store::{ShopInfo, SimRng, Store};

/// Start of the generated history.
pub const HISTORY_START: DateTime<Utc> =
    DateTime::from_timestamp(1_704_067_200, 0).expect("2024-01-01T00:00:00Z");

/// How big a store to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sizes {
    pub customers: usize,
    pub products: usize,
    pub orders: usize,
}

/// Builds the store for `seed`. The returned rng continues the same stream for live activity.
pub fn generate(shop: ShopInfo, seed: u64, sizes: Sizes) -> (Store, SimRng) {
    let mut rng = SimRng::seed_from_u64(seed);
    let mut store = Store::new(shop, 7_000_000_000_000 + rng.gen_range(0..1_000_000_000));
    let span = 365 * 24 * 3600;
    let product_times = sorted_times(&mut rng, sizes.products, 0, span / 4);
    for t in product_times {
        store.create_product(&mut rng, t);
    }
    let customer_times = sorted_times(&mut rng, sizes.customers, 0, span / 2);
    for t in customer_times {
        store.create_customer(&mut rng, t);
    }
    let order_times = sorted_times(&mut rng, sizes.orders, span / 2, span);
    let mut ids = Vec::with_capacity(sizes.orders);
    for t in order_times {
        if let Some(change) = store.create_order(&mut rng, t) {
            ids.push((change.id, t));
        }
    }
    for (id, t) in ids {
        let later = |rng: &mut SimRng, t: DateTime<Utc>| {
            t + Duration::seconds(rng.gen_range(60..3 * 24 * 3600))
        };
        let roll = rng.gen_range(0..100);
        let t1 = later(&mut rng, t);
        match roll {
            0..=7 => {}
            8..=12 => {
                store.authorize_order(&mut rng, id, t1);
            }
            13..=17 => {
                store.cancel_order(&mut rng, id, t1);
            }
            _ => {
                if rng.gen_bool(0.2) {
                    store.authorize_order(&mut rng, id, t1);
                }
                let t2 = later(&mut rng, t1);
                store.pay_order(&mut rng, id, t2);
                let t3 = later(&mut rng, t2);
                match roll {
                    18..=22 => {
                        store.cancel_order(&mut rng, id, t3);
                    }
                    23..=40 => {}
                    _ => {
                        store.fulfill_order(&mut rng, id, t3);
                        if roll > 85 {
                            let t4 = later(&mut rng, t3);
                            store.refund_order(&mut rng, id, t4);
                        }
                    }
                }
            }
        }
    }
    (store, rng)
}

fn sorted_times(rng: &mut SimRng, n: usize, from_s: i64, to_s: i64) -> Vec<DateTime<Utc>> {
    let mut offsets: Vec<i64> = (0..n).map(|_| rng.gen_range(from_s..to_s)).collect();
    offsets.sort_unstable();
    offsets
        .into_iter()
        .map(|s| HISTORY_START + Duration::seconds(s))
        .collect()
}

/// A shop for tests and defaults.
pub fn default_shop(domain: &str, currency: &str, plan: crate::config::Plan) -> ShopInfo {
    let name = domain.split('.').next().unwrap_or(domain).replace('-', " ");
    ShopInfo {
        id: 60_000_000_000 + domain.bytes().map(u64::from).sum::<u64>(),
        name,
        domain: domain.to_string(),
        email: format!("owner@{domain}"),
        currency: currency.to_string(),
        plan,
        iana_timezone: "Etc/UTC".to_string(),
        created_at: Utc
            .with_ymd_and_hms(2023, 6, 1, 0, 0, 0)
            .single()
            .unwrap_or(HISTORY_START),
    }
}

/// Word lists the generator draws from.
pub mod names {
    pub const FIRST_NAMES: [&str; 24] = [
        "Olivia", "Liam", "Emma", "Noah", "Ava", "Elijah", "Sophia", "James", "Isabella", "Lucas",
        "Mia", "Mateo", "Amelia", "Benjamin", "Harper", "Levi", "Aiko", "Ravi", "Zoé", "Björn",
        "Chloé", "Diego", "Fatima", "Kenji",
    ];
    pub const LAST_NAMES: [&str; 20] = [
        "Smith",
        "Johnson",
        "Williams",
        "Brown",
        "Jones",
        "Garcia",
        "Miller",
        "Davis",
        "Rodriguez",
        "Martinez",
        "Hernandez",
        "Lopez",
        "Gonzalez",
        "Wilson",
        "Anderson",
        "Thomas",
        "Taylor",
        "Moore",
        "Nakamura",
        "O'Brien",
    ];
    pub const MAIL_DOMAINS: [&str; 4] = [
        "example.com",
        "example.org",
        "mail.example.net",
        "shop.example",
    ];
    pub const STREETS: [&str; 8] = [
        "Chestnut Street",
        "Main St",
        "Oak Avenue",
        "Maple Drive",
        "Elm Road",
        "Pine Lane",
        "Cedar Court",
        "2nd Ave",
    ];
    /// `(city, province, province code, zip)`.
    pub const CITIES: [(&str, &str, &str, &str); 6] = [
        ("Louisville", "Kentucky", "KY", "40202"),
        ("Ottawa", "Kansas", "KS", "66067"),
        ("Austin", "Texas", "TX", "78701"),
        ("Portland", "Oregon", "OR", "97201"),
        ("Brooklyn", "New York", "NY", "11201"),
        ("Denver", "Colorado", "CO", "80202"),
    ];
    pub const COMPANIES: [&str; 4] = ["Acme Corp", "Globex", "Initech", "Umbrella LLC"];
    pub const CUSTOMER_TAGS: [&str; 6] = [
        "vip",
        "wholesale",
        "newsletter",
        "returning",
        "b2b",
        "loyalty",
    ];
    pub const NOTES: [&str; 4] = [
        "Leave at the door",
        "Gift wrap please",
        "Call before delivery",
        "Prefers email",
    ];
    pub const ADJECTIVES: [&str; 10] = [
        "Classic",
        "Organic",
        "Vintage",
        "Ergonomic",
        "Handmade",
        "Rustic",
        "Sleek",
        "Cozy",
        "Bold",
        "Tiny",
    ];
    pub const NOUNS: [&str; 10] = [
        "T-Shirt", "Mug", "Backpack", "Sneakers", "Candle", "Notebook", "Hoodie", "Lamp", "Scarf",
        "Watch",
    ];
    pub const SIZES: [&str; 5] = ["XS", "S", "M", "L", "XL"];
    pub const COLORS: [&str; 5] = ["Black", "White", "Green", "Navy", "Red"];
    pub const VENDORS: [&str; 4] = ["Xeno Goods", "Northwind", "Contoso", "Fabrikam"];
    pub const PRODUCT_TAGS: [&str; 6] = ["new", "sale", "summer", "gift", "eco", "bestseller"];
    pub const BLURBS: [&str; 3] = ["A well made", "Everyone loves this", "Our best"];
    pub const TITLE_SUFFIXES: [&str; 4] = ["2025 Edition", "Limited", "Refresh", "Deluxe"];
    /// `(code, type, amount)`: percent for `percentage`, currency units for `fixed_amount`.
    pub const DISCOUNTS: [(&str, &str, i64); 3] = [
        ("WELCOME10", "percentage", 10),
        ("SUMMER15", "percentage", 15),
        ("FIVEOFF", "fixed_amount", 5),
    ];
    /// `(title, price in hundredths)`.
    pub const SHIPPING: [(&str, i64); 3] =
        [("Standard", 500), ("Express", 1500), ("Free Shipping", 0)];
    pub const GATEWAYS: [&str; 3] = ["shopify_payments", "paypal", "manual"];
    pub const CARRIERS: [&str; 3] = ["UPS", "USPS", "FedEx"];
    pub const REFUND_NOTES: [&str; 3] = [
        "it broke during shipping",
        "wrong size",
        "customer changed their mind",
    ];
}
