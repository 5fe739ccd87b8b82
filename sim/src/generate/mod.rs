//! The deterministic generator: builds the initial store from a seed, and makes every random
//! change of the store, one module per Shopify resource ([`customers`], [`products`],
//! [`orders`] and the order lifecycle in [`payments`], [`locations`]); [`names`] holds the word lists.
//! A new resource joins the simulator as one module here plus its GraphQL projection in
//! `graphql/project/`.
//!
//! One ChaCha stream drives every choice and the clock is simulated (the history runs from
//! [`HISTORY_START`] for a year), so the same seed and sizes give a byte-identical store and
//! export on any machine. [`generate_ending`] moves the history to end at an anchor (the demo
//! anchors at today) and shapes its orders by [`calendar`]: a weekly rhythm, growth and a
//! sale week; at the default anchor ([`default_anchor`]) it is [`generate`], byte for byte. Orders are walked through the same lifecycle the live activity uses
//! (`Store::{pay,fulfill,refund,cancel}_order` in [`payments`]), so the history holds every financial
//! and fulfillment state, refunds with transactions, and cancelled orders.

pub mod calendar;
pub mod customers;
pub mod locations;
pub mod names;
pub mod orders;
pub mod payments;
pub mod products;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use rand::{Rng, SeedableRng};

use crate::store::{ShopInfo, SimRng, Store};

/// Start of the generated history.
pub const HISTORY_START: DateTime<Utc> =
    DateTime::from_timestamp(1_704_067_200, 0).expect("2024-01-01T00:00:00Z");

/// Where the default history ends: a year after [`HISTORY_START`] (2024-12-31).
pub fn default_anchor() -> DateTime<Utc> {
    HISTORY_START + Duration::days(365)
}

/// Midnight UTC of `day`: the anchor of a history ending that day.
pub fn anchor_at(day: NaiveDate) -> DateTime<Utc> {
    day.and_time(chrono::NaiveTime::MIN).and_utc()
}

/// How many days before an anchored history's first order the catalogue opens.
const OPENING_DAYS: i64 = 30;

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
        walk_order_history(&mut store, &mut rng, id, t, None);
    }
    generate_locations(&mut store, seed, HISTORY_START);
    (store, rng)
}

/// Builds the store for `seed` with a history that ends at `anchor` and spans the 365 days
/// before it: the catalogue (products and a fifth of the customers) opens in the first
/// [`OPENING_DAYS`] days, then orders and the other customers follow the day weights of
/// [`calendar::OrderCalendar`], created in time order so every order's customer and products
/// exist before it. No lifecycle step is dated after the anchor. At [`default_anchor`] this is
/// [`generate`], so every store generated before anchors existed stays byte-identical.
pub fn generate_ending(
    shop: ShopInfo,
    seed: u64,
    sizes: Sizes,
    anchor: DateTime<Utc>,
) -> (Store, SimRng) {
    if anchor == default_anchor() {
        return generate(shop, seed, sizes);
    }
    #[derive(PartialEq, Eq, PartialOrd, Ord)]
    enum Made {
        Product,
        Customer,
        Order,
    }
    let start = anchor - Duration::days(365);
    let opened = start + Duration::days(OPENING_DAYS);
    let mut rng = SimRng::seed_from_u64(seed);
    let mut store = Store::new(shop, 7_000_000_000_000 + rng.gen_range(0..1_000_000_000));
    let calendar = calendar::OrderCalendar::new(opened, anchor);
    let opening = OPENING_DAYS * 24 * 3600;
    let early_customers = sizes.customers.div_ceil(5);
    let mut events: Vec<(DateTime<Utc>, Made)> = Vec::new();
    events.extend(times_from(&mut rng, start, sizes.products, opening).map(|t| (t, Made::Product)));
    events
        .extend(times_from(&mut rng, start, early_customers, opening).map(|t| (t, Made::Customer)));
    let later_customers = calendar.sorted_times(&mut rng, sizes.customers - early_customers);
    events.extend(later_customers.into_iter().map(|t| (t, Made::Customer)));
    let orders = calendar.sorted_times(&mut rng, sizes.orders);
    events.extend(orders.into_iter().map(|t| (t, Made::Order)));
    events.sort();
    let mut ids = Vec::with_capacity(sizes.orders);
    for (t, made) in events {
        match made {
            Made::Product => {
                store.create_product(&mut rng, t);
            }
            Made::Customer => {
                store.create_customer(&mut rng, t);
            }
            Made::Order => {
                if let Some(change) = store.create_order(&mut rng, t) {
                    ids.push((change.id, t));
                }
            }
        }
    }
    for (id, t) in ids {
        walk_order_history(&mut store, &mut rng, id, t, Some(anchor));
    }
    generate_locations(&mut store, seed, start);
    (store, rng)
}

/// `n` times in `[start, start + span_s)` seconds.
fn times_from(
    rng: &mut SimRng,
    start: DateTime<Utc>,
    n: usize,
    span_s: i64,
) -> impl Iterator<Item = DateTime<Utc>> {
    let offsets: Vec<i64> = (0..n).map(|_| rng.gen_range(0..span_s)).collect();
    offsets
        .into_iter()
        .map(move |s| start + Duration::seconds(s))
}

/// The shop's locations: two to four, made when the shop opened, one of them sometimes
/// deactivated later. They draw from a stream of their own (seeded from `seed`), so the
/// customers, products and orders of a seed, and the stream the live activity continues, are
/// the ones they were before the simulator kept locations.
fn generate_locations(store: &mut Store, seed: u64, start: DateTime<Utc>) {
    let mut rng = SimRng::seed_from_u64(seed ^ 0x6c6f_6361_7469_6f6e);
    for _ in 0..rng.gen_range(2..=4) {
        store.create_location(&mut rng, start);
    }
    if rng.gen_bool(0.5) {
        if let Some(id) = store.locations.keys().last().copied() {
            let t = start + Duration::days(rng.gen_range(30..300));
            store.toggle_location(id, t);
        }
    }
}

/// Walks a generated order through a random part of its lifecycle: left pending, authorized,
/// cancelled, or paid and then maybe cancelled, fulfilled and refunded. With `until`, no step
/// is dated after it (an anchored history's steps stop at its anchor, never in the future).
fn walk_order_history(
    store: &mut Store,
    rng: &mut SimRng,
    id: u64,
    t: DateTime<Utc>,
    until: Option<DateTime<Utc>>,
) {
    let later = |rng: &mut SimRng, t: DateTime<Utc>| {
        let next = t + Duration::seconds(rng.gen_range(60..3 * 24 * 3600));
        match until {
            Some(until) => next.min(until.max(t)),
            None => next,
        }
    };
    let roll = rng.gen_range(0..100);
    let t1 = later(rng, t);
    match roll {
        0..=7 => {}
        8..=12 => {
            store.authorize_order(rng, id, t1);
        }
        13..=17 => {
            store.cancel_order(rng, id, t1);
        }
        _ => {
            if rng.gen_bool(0.2) {
                store.authorize_order(rng, id, t1);
            }
            let t2 = later(rng, t1);
            store.pay_order(rng, id, t2);
            let t3 = later(rng, t2);
            match roll {
                18..=22 => {
                    store.cancel_order(rng, id, t3);
                }
                23..=40 => {}
                _ => {
                    store.fulfill_order(rng, id, t3);
                    if roll > 85 {
                        let t4 = later(rng, t3);
                        store.refund_order(rng, id, t4);
                    }
                }
            }
        }
    }
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
        iana_timezone: "America/New_York".to_string(),
        created_at: Utc
            .with_ymd_and_hms(2023, 6, 1, 0, 0, 0)
            .single()
            .unwrap_or(HISTORY_START),
    }
}

/// A US phone number.
pub(crate) fn phone(rng: &mut SimRng) -> String {
    format!(
        "+1{}{:03}{:04}",
        rng.gen_range(201..990),
        rng.gen_range(200..999),
        rng.gen_range(0..10_000)
    )
}
