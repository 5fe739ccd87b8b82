//! Shopify's units: timestamps of whole seconds that move strictly forward per object, and
//! money rounded to the currency's minor unit. Every store change and every rendering uses
//! these, so generated, live and rendered values agree.

use chrono::{DateTime, Duration, DurationRound, Utc};
use rust_decimal::Decimal;

/// Rounds a time down to whole seconds (Shopify's timestamps have second precision).
pub fn whole_seconds(t: DateTime<Utc>) -> DateTime<Utc> {
    t.duration_trunc(Duration::seconds(1)).unwrap_or(t)
}

/// The time of a change of an object last changed at `previous`: `at`, but always at least one
/// second after `previous`, so each object's `updated_at` strictly increases.
pub fn next_stamp(previous: DateTime<Utc>, at: DateTime<Utc>) -> DateTime<Utc> {
    let at = whole_seconds(at);
    if at > previous {
        at
    } else {
        previous + Duration::seconds(1)
    }
}

/// Rounds an amount to the currency's minor unit.
pub fn round_money(amount: Decimal, currency: &str) -> Decimal {
    let dp = currency_decimals(currency);
    let mut d = amount.round_dp(dp);
    d.rescale(dp);
    d
}

/// Decimal places of a currency's minor unit.
pub fn currency_decimals(currency: &str) -> u32 {
    match currency {
        "JPY" | "KRW" | "VND" | "CLP" | "ISK" => 0,
        _ => 2,
    }
}
