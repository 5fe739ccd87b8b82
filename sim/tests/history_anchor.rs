//! The anchored history (`generate::generate_ending`): ends at the anchor, spans a year with a
//! weekly rhythm, growth and a sale week, the same for a seed and an anchor; and the default
//! history (no anchor) is the one every other test was written against, byte for byte.

use sha2::{Digest, Sha256};

fn shop() -> xeno_sim::store::ShopInfo {
    xeno_sim::generate::default_shop("a-shop.myshopify.com", "USD", xeno_sim::Plan::Standard)
}

const SIZES: xeno_sim::generate::Sizes = xeno_sim::generate::Sizes {
    customers: 60,
    products: 20,
    orders: 300,
};

fn export_hash(store: &xeno_sim::store::Store) -> String {
    let mut h = Sha256::new();
    for line in xeno_sim::server::export_lines(store) {
        h.update(line.as_bytes());
        h.update(b"\n");
    }
    format!("{:x}", h.finalize())
}

#[test]
fn the_default_history_is_unchanged() {
    let (store, _) = xeno_sim::generate::generate(shop(), 42, SIZES);
    assert_eq!(
        export_hash(&store),
        "43326d7814fe1c1bf73b1ae6d15c2f08694a7f4ce7b02c75a48bb68a498fd85a"
    );
}

#[test]
fn an_anchored_history_ends_at_the_anchor_with_rhythm_growth_and_a_sale_week() {
    use chrono::{Datelike, Duration, NaiveDate, Weekday};
    use xeno_sim::generate::{anchor_at, calendar::OrderCalendar, generate_ending, Sizes};

    let day = NaiveDate::from_ymd_opt(2026, 12, 3).unwrap();
    let anchor = anchor_at(day);
    let sizes = Sizes {
        customers: 300,
        products: 40,
        orders: 3000,
    };
    let (store, _) = generate_ending(shop(), 42, sizes, anchor);
    let (again, _) = generate_ending(shop(), 42, sizes, anchor);
    assert_eq!(
        export_hash(&store),
        export_hash(&again),
        "not deterministic"
    );
    let (moved, _) = generate_ending(shop(), 42, SIZES, anchor + Duration::days(1));
    let (small, _) = generate_ending(shop(), 42, SIZES, anchor);
    assert_ne!(export_hash(&small), export_hash(&moved));

    let mut created: Vec<_> = store.orders.values().map(|o| o.created_at).collect();
    created.sort();
    let (first, last) = (created[0], *created.last().unwrap());
    assert!(
        last <= anchor && last > anchor - Duration::days(1),
        "last order {last}"
    );
    assert!(
        first >= anchor - Duration::days(365) && first < anchor - Duration::days(320),
        "first order {first}"
    );
    for o in store.orders.values() {
        // Steps stop at the anchor; `updated_at` moves forward a second per change past it.
        assert!(
            o.updated_at <= anchor + Duration::minutes(1),
            "order {} updated {}",
            o.id,
            o.updated_at
        );
        if let Some(c) = &o.customer {
            assert!(store.customers[&c.id].created_at <= o.created_at);
        }
        for p in o.line_items.iter().filter_map(|l| l.product_id) {
            assert!(store.products[&p].created_at <= o.created_at);
        }
    }

    // The sale week holds clearly more than an average week.
    let calendar = OrderCalendar::new(anchor - Duration::days(335), anchor);
    let sale = calendar.sale_start();
    assert_eq!(sale, NaiveDate::from_ymd_opt(2026, 11, 27).unwrap());
    let in_sale = created
        .iter()
        .filter(|t| t.date_naive() >= sale && t.date_naive() < sale + Duration::days(7))
        .count();
    let average_week = created.len() as f64 / (335.0 / 7.0);
    assert!(
        in_sale as f64 > 2.0 * average_week,
        "sale week {in_sale} vs average {average_week:.0}"
    );
    // Weekends are busier, and the year grows.
    let on = |w: Weekday| created.iter().filter(|t| t.weekday() == w).count();
    assert!(
        on(Weekday::Sat) as f64 > 1.3 * on(Weekday::Tue) as f64,
        "Saturdays {} vs Tuesdays {}",
        on(Weekday::Sat),
        on(Weekday::Tue)
    );
    let quarter = |q: i64| {
        let from = anchor - Duration::days(335) + Duration::days(q * 70);
        created
            .iter()
            .filter(|t| **t >= from && **t < from + Duration::days(70))
            .count()
    };
    assert!(
        quarter(3) as f64 > 1.5 * quarter(0) as f64,
        "first {} vs last {}",
        quarter(0),
        quarter(3)
    );
    let summary: Vec<_> = [0, 1, 2, 3].map(quarter).to_vec();
    println!(
        "orders {} first {first} last {last} sale week {in_sale} average week {average_week:.0} Sat {} Tue {} by 70 days {summary:?}",
        created.len(),
        on(Weekday::Sat),
        on(Weekday::Tue)
    );
}

#[test]
fn the_default_anchor_is_the_default_history() {
    let (a, _) = xeno_sim::generate::generate_ending(
        shop(),
        42,
        SIZES,
        xeno_sim::generate::default_anchor(),
    );
    let (b, _) = xeno_sim::generate::generate(shop(), 42, SIZES);
    assert_eq!(export_hash(&a), export_hash(&b));
}
