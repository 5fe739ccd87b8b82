//! The seeded generator: the same seed gives the same store, byte for byte, with every state.

use std::collections::HashSet;

use sha2::Sha256;

mod common;

#[test]
fn same_seed_same_store_and_every_state() {
    let shop = || {
        xeno_sim::generate::default_shop("a-shop.myshopify.com", "USD", xeno_sim::Plan::Standard)
    };
    let sizes = xeno_sim::generate::Sizes {
        customers: 60,
        products: 20,
        orders: 300,
    };
    let (a, _) = xeno_sim::generate::generate(shop(), 42, sizes);
    let (b, _) = xeno_sim::generate::generate(shop(), 42, sizes);
    let (c, _) = xeno_sim::generate::generate(shop(), 43, sizes);
    let lines = |s| {
        xeno_sim::server::export_lines(s)
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(lines(&a), lines(&b));
    assert_ne!(lines(&a), lines(&c));
    let statuses: HashSet<&str> = a.orders.values().map(|o| o.financial_status).collect();
    for s in [
        "pending",
        "authorized",
        "paid",
        "partially_refunded",
        "refunded",
        "voided",
    ] {
        assert!(statuses.contains(s), "no {s} order in {statuses:?}");
    }
    assert!(a.orders.values().any(|o| o.cancelled_at.is_some()));
    assert!(a
        .orders
        .values()
        .any(|o| o.fulfillment_status() == Some("fulfilled")));
    assert!(a.orders.values().any(|o| !o.discount_codes.is_empty()));
    assert!(a
        .orders
        .values()
        .any(|o| o.refunds.iter().any(|r| !r.transactions.is_empty())));
    // Money adds up exactly.
    for o in a.orders.values() {
        assert_eq!(
            o.total_price(),
            o.subtotal_price() + o.total_tax() + o.total_shipping()
        );
        assert!(o.total_refunded() <= o.total_price());
        if o.financial_status == "refunded" {
            assert_eq!(o.total_refunded(), o.total_price());
        }
    }
}

/// The export and the continued random stream of one seed, fixed: a change to the generator
/// that moves a single draw shows here (benchmarks and engine tests rely on seeded stores).
#[test]
fn generated_store_is_byte_identical_to_the_recorded_one() {
    use rand::Rng;
    use sha2::Digest;
    let sizes = xeno_sim::generate::Sizes {
        customers: 300,
        products: 80,
        orders: 2000,
    };
    let shop = xeno_sim::generate::default_shop(
        "golden-shop.myshopify.com",
        "USD",
        xeno_sim::Plan::Standard,
    );
    let (store, mut rng) = xeno_sim::generate::generate(shop, 7, sizes);
    let mut hash = Sha256::new();
    for line in xeno_sim::server::export_lines(&store) {
        hash.update(line.as_bytes());
        hash.update(b"\n");
    }
    let digest: String = hash.finalize().iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(
        digest,
        "bfb0b657d282ef8f06e9c9b1dbba153a182df699daae3a674309f87606f23863"
    );
    assert_eq!(rng.gen::<u64>(), 13044223282019846328);
}
