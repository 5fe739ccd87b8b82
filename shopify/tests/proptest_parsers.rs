//! Property tests of what the engine parses from strangers, through the crate's public API:
//! money and ids at the edges of their types, generated orders that must round-trip their
//! key fields, shop domains and topics from headers, and signature verification. (Arbitrary
//! JSON and bytes through every parser are in `parse_never_panics.rs`.)
//! Case counts are bounded so the whole file runs in a few seconds.

use chrono::{DateTime, TimeZone, Utc};
use proptest::prelude::*;
use rust_decimal::Decimal;
use serde_json::{json, Value};
use xeno_shopify::parse::order_from_rest;
use xeno_shopify::signature::{sign, verify};
use xeno_shopify::{normalize_shop_domain, Topic};

/// Number-like text at the edges of `Decimal` and `i64`: long digit runs, huge and tiny
/// exponents, signs, stray dots.
fn edge_number_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[-+]?[0-9]{0,40}(\\.[0-9]{0,40})?([eE][-+]?[0-9]{1,12})?",
        Just("1e400".to_string()),
        Just("-1e-400".to_string()),
        Just("79228162514264337593543950336".to_string()),
        Just("1180591620717411303424".to_string()),
        Just("9223372036854775808".to_string()),
        Just("1e9223372036854775807".to_string()),
        Just(".".to_string()),
        Just("NaN".to_string()),
    ]
}

fn money_keys() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "total_price",
        "subtotal_price",
        "total_tax",
        "total_discounts",
        "id",
        "order_number",
    ])
}

/// A REST order built from generated key fields, and what parsing it must give back.
#[derive(Debug, Clone)]
struct GeneratedOrder {
    id: i64,
    name: String,
    email: String,
    currency: String,
    customer_id: i64,
    total_cents: i64,
    updated_at: DateTime<Utc>,
    items: Vec<(i64, i32, i64)>,
    money_as_numbers: bool,
}

fn generated_order() -> impl Strategy<Value = GeneratedOrder> {
    (
        1..i64::MAX,
        "#[0-9]{1,8}",
        "[a-z0-9.]{1,20}@[a-z]{1,10}\\.example",
        prop::sample::select(vec!["USD", "EUR", "JPY", "CAD"]),
        1..i64::MAX,
        0..100_000_000_000_i64,
        0..4_102_444_800i64,
        proptest::collection::vec((1..i64::MAX, 0..10_000i32, 0..10_000_000i64), 0..5),
        any::<bool>(),
    )
        .prop_map(
            |(id, name, email, currency, customer_id, total_cents, secs, items, numbers)| {
                GeneratedOrder {
                    id,
                    name,
                    email,
                    currency: currency.to_string(),
                    customer_id,
                    total_cents,
                    updated_at: Utc.timestamp_opt(secs, 0).single().expect("in range"),
                    items,
                    money_as_numbers: numbers,
                }
            },
        )
}

impl GeneratedOrder {
    fn money(&self, cents: i64) -> Value {
        let d = Decimal::new(cents, 2);
        if self.money_as_numbers {
            // A JSON number with two decimals, exactly as Shopify's REST numbers look.
            serde_json::from_str(&d.to_string()).expect("decimal text is a JSON number")
        } else {
            json!(d.to_string())
        }
    }

    fn to_json(&self) -> Value {
        let items: Vec<Value> = self
            .items
            .iter()
            .map(|(id, quantity, cents)| {
                json!({"id": id, "quantity": quantity, "price": self.money(*cents),
                       "title": "Thing", "sku": null})
            })
            .collect();
        json!({
            "id": self.id,
            "name": self.name,
            "email": self.email,
            "currency": self.currency,
            "total_price": self.money(self.total_cents),
            "updated_at": self.updated_at.to_rfc3339(),
            "customer": {"id": self.customer_id},
            "line_items": items,
        })
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    /// Header text (topic, shop domain) of any kind is classified, never a panic.
    #[test]
    fn arbitrary_header_text_never_panics(text in any::<String>()) {
        let _ = Topic::parse(&text);
        if let Ok(domain) = normalize_shop_domain(&text) {
            prop_assert_eq!(normalize_shop_domain(&domain), Ok(domain.clone()), "idempotent");
        }
    }

    /// Money and ids at the edges of their types are an error naming the field, or a value,
    /// never a panic; a value read from a string is exactly the string's decimal.
    #[test]
    fn edge_numbers_in_known_fields_never_panic(
        key in money_keys(),
        text in edge_number_text(),
        as_number in any::<bool>(),
    ) {
        let mut order = json!({"id": 1, "updated_at": "2025-01-01T00:00:00Z",
                               "line_items": [{"id": 2, "price": "1.00"}]});
        let value = if as_number {
            match serde_json::from_str::<Value>(&text) {
                Ok(v) => v,
                Err(_) => return Ok(()),
            }
        } else {
            json!(text)
        };
        order[key] = value.clone();
        order["line_items"][0]["price"] = value;
        match order_from_rest(&order) {
            Ok(row) => {
                if key == "total_price" && !as_number {
                    let t = text.trim();
                    let exact = if t.contains(['e', 'E']) {
                        Decimal::from_scientific(t)
                    } else {
                        t.parse::<Decimal>()
                    };
                    prop_assert_eq!(row.total_price, exact.ok());
                }
            }
            Err(e) => prop_assert!(!e.field.is_empty() && !e.problem.is_empty(), "{e:?}"),
        }
    }

    /// A well-formed order gives back exactly the key fields it was built from, with money
    /// exact whether sent as strings or as JSON numbers.
    #[test]
    fn generated_orders_round_trip_their_key_fields(o in generated_order()) {
        let bytes = serde_json::to_vec(&o.to_json()).unwrap();
        let v: Value = serde_json::from_slice(&bytes).unwrap();
        let row = order_from_rest(&v).expect("a well-formed order parses");
        prop_assert_eq!(row.id, o.id);
        prop_assert_eq!(row.name.as_deref(), Some(o.name.as_str()));
        prop_assert_eq!(row.email.as_deref(), Some(o.email.as_str()));
        prop_assert_eq!(row.currency.as_deref(), Some(o.currency.as_str()));
        prop_assert_eq!(row.customer_id, Some(o.customer_id));
        prop_assert_eq!(row.total_price, Some(Decimal::new(o.total_cents, 2)));
        prop_assert_eq!(row.updated_at, o.updated_at);
        prop_assert_eq!(row.line_items.len(), o.items.len());
        for (got, (id, quantity, cents)) in row.line_items.iter().zip(&o.items) {
            prop_assert_eq!(got.id, *id);
            prop_assert_eq!(got.order_id, o.id);
            prop_assert_eq!(got.quantity, *quantity);
            prop_assert_eq!(got.price, Some(Decimal::new(*cents, 2)));
            prop_assert_eq!(got.currency.as_deref(), Some(o.currency.as_str()));
        }
    }

    /// Only the MAC of these exact bytes under one of the secrets verifies: a flipped bit in
    /// the body or the MAC, another secret, or a truncated header does not.
    #[test]
    fn only_the_right_mac_verifies(
        secret in proptest::collection::vec(any::<u8>(), 0..64),
        other in proptest::collection::vec(any::<u8>(), 0..64),
        body in proptest::collection::vec(any::<u8>(), 1..512),
        flip in any::<prop::sample::Index>(),
        bit in 0u8..8,
        cut in 1usize..44,
    ) {
        let good = sign(&secret, &body);
        prop_assert!(verify(&[&secret], &body, &good));
        prop_assert!(verify(&[other.as_slice(), secret.as_slice()], &body, &good),
            "any secret of a rotation verifies");
        if other != secret {
            prop_assert!(!verify(&[&other], &body, &good));
        }
        let mut changed = body.clone();
        changed[flip.index(body.len())] ^= 1 << bit;
        prop_assert!(!verify(&[&secret], &changed, &good));

        let mut mac = xeno_shopify::signature::mac(&secret, &body);
        mac[flip.index(mac.len())] ^= 1 << bit;
        use base64::Engine as _;
        let wrong = base64::engine::general_purpose::STANDARD.encode(mac);
        prop_assert!(!verify(&[&secret], &body, &wrong));
        prop_assert!(!verify(&[&secret], &body, &good[..good.len() - cut.min(good.len())]));
    }

    /// Any header text, for any body, is answered true or false without panicking, and text
    /// that is not the MAC never verifies.
    #[test]
    fn arbitrary_signature_headers_never_panic(
        header in ".{0,100}",
        body in proptest::collection::vec(any::<u8>(), 0..128),
    ) {
        let secret = b"hush";
        let ok = verify(&[secret], &body, &header);
        prop_assert_eq!(ok, !body.is_empty() && header.trim() == sign(secret, &body));
    }
}
