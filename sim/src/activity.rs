//! Live store activity: random merchant and customer actions at `--rate` per second, each
//! applied to the store and announced by the webhooks Shopify would send.
//!
//! [`apply_random_changes`] is also what `SimHandle::trigger` calls. The mix leans on new and
//! progressing orders (paid, fulfilled, refunded, cancelled, edited) with some customer and
//! product churn, deletes included. Topics and bodies come from the [`Change`] the store
//! reports, rendered after the change (so `updated_at` is the new one).

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use rand::seq::IteratorRandom;
use rand::Rng;
use serde_json::json;

use crate::state::Shared;
use crate::store::rest::{self, Render};
use crate::store::{Change, Kind, SimRng, Store};
use crate::webhooks::Event;

/// Applies `n` random changes now and emits their webhooks; returns how many changes took.
pub fn apply_random_changes(shared: &Shared, n: usize) -> usize {
    let mut events = Vec::new();
    let mut applied = 0;
    {
        let mut store = shared.store.write().unwrap_or_else(|e| e.into_inner());
        let mut rng = crate::webhooks::lock(&shared.activity_rng);
        for _ in 0..n {
            // A draw can hit an object whose state does not allow the action: try again.
            for _ in 0..20 {
                if let Some(change) = random_change(&mut store, &mut rng) {
                    events.extend(events_for(&store, &change));
                    applied += 1;
                    break;
                }
            }
        }
    }
    for e in events {
        shared.webhooks.emit(e);
    }
    applied
}

fn random_id<T>(rng: &mut SimRng, map: &std::collections::BTreeMap<u64, T>) -> Option<u64> {
    map.keys().copied().choose(rng)
}

fn random_change(store: &mut Store, rng: &mut SimRng) -> Option<Change> {
    let now = Utc::now();
    let roll = rng.gen_range(0..106);
    match roll {
        0..=24 => store.create_order(rng, now),
        25..=36 => random_id(rng, &store.orders).and_then(|id| store.pay_order(rng, id, now)),
        37..=46 => random_id(rng, &store.orders).and_then(|id| store.fulfill_order(rng, id, now)),
        47..=51 => random_id(rng, &store.orders).and_then(|id| store.refund_order(rng, id, now)),
        52..=55 => random_id(rng, &store.orders).and_then(|id| store.cancel_order(rng, id, now)),
        56..=59 => random_id(rng, &store.orders).and_then(|id| store.edit_order(rng, id, now)),
        60..=61 => random_id(rng, &store.orders).and_then(|id| store.authorize_order(rng, id, now)),
        62 => random_id(rng, &store.orders).and_then(|id| store.delete_order(id, now)),
        63..=72 => Some(store.create_customer(rng, now)),
        73..=82 => {
            random_id(rng, &store.customers).and_then(|id| store.update_customer(rng, id, now))
        }
        83 => random_id(rng, &store.customers).and_then(|id| store.delete_customer(id, now)),
        84..=85 => Some(store.create_product(rng, now)),
        86..=98 => {
            random_id(rng, &store.products).and_then(|id| store.update_product(rng, id, now))
        }
        99 => random_id(rng, &store.products).and_then(|id| store.delete_product(id, now)),
        100..=102 => {
            random_id(rng, &store.locations).and_then(|id| store.update_location(rng, id, now))
        }
        _ => location_lifecycle(store, rng, now),
    }
}

/// A location opens, closes (deactivated), reopens or, once closed, goes for good.
fn location_lifecycle(
    store: &mut Store,
    rng: &mut SimRng,
    now: chrono::DateTime<Utc>,
) -> Option<Change> {
    if store.locations.len() < 2 || rng.gen_bool(0.25) {
        return Some(store.create_location(rng, now));
    }
    let id = random_id(rng, &store.locations)?;
    if rng.gen_bool(0.5) {
        if let Some(change) = store.delete_location(id, now) {
            return Some(change);
        }
    }
    store.toggle_location(id, now)
}

/// The webhook events of a change, in the order Shopify would send them.
pub fn events_for(store: &Store, change: &Change) -> Vec<Event> {
    let m = Render::for_shop(&store.shop);
    let mut out = Vec::new();
    for topic in &change.topics {
        if *topic == "order_transactions/create" {
            // One event per transaction the change made, not one per change.
            out.extend(transaction_events(store, change, &m));
            continue;
        }
        let body = match *topic {
            "customers/update" if change.kind == Kind::Order => {
                let Some(cid) = store
                    .orders
                    .get(&change.id)
                    .and_then(|o| o.customer.as_ref())
                    .map(|c| c.id)
                else {
                    continue;
                };
                let Some(c) = store.customers.get(&cid) else {
                    continue;
                };
                rest::customer(c, &m)
            }
            "refunds/create" => {
                let Some(o) = store.orders.get(&change.id) else {
                    continue;
                };
                let Some(r) = o.refunds.iter().find(|r| Some(r.id) == change.refund_id) else {
                    continue;
                };
                rest::refund(r, o, &m)
            }
            "orders/edited" => {
                let Some(o) = store.orders.get(&change.id) else {
                    continue;
                };
                json!({"order_edit": {
                    "id": o.updated_at.timestamp() as u64 * 1000 + o.id % 1000,
                    "app_id": null,
                    "created_at": m.time(o.updated_at),
                    "committed_at": m.time(o.updated_at),
                    "notify_customer": false,
                    "order_id": o.id,
                    "staff_note": "",
                    "user_id": null,
                    "line_items": {"additions": [], "removals": []},
                    "discounts": {"line_item": {"additions": [], "removals": []}},
                    "shipping_lines": {"additions": [], "removals": []},
                }})
            }
            t if t.ends_with("/delete") => rest::deleted_object(change.kind, change.id),
            _ => match rest::live_object(store, change.kind, change.id) {
                Some(v) => v,
                None => continue,
            },
        };
        out.push(Event::new(topic, &body));
    }
    out
}

/// The `order_transactions/create` events of `change`: one per transaction it created.
fn transaction_events(store: &Store, change: &Change, m: &Render) -> Vec<Event> {
    let Some(o) = store.orders.get(&change.id) else {
        return Vec::new();
    };
    change
        .transaction_ids
        .iter()
        .filter_map(|id| o.transactions.iter().find(|t| t.id == *id))
        .map(|t| Event::new("order_transactions/create", &rest::transaction(t, m)))
        .collect()
}

/// Runs changes at `rate` per second, `burst` at a time, until shutdown; honours pausing.
pub async fn run(
    shared: Arc<Shared>,
    rate: f64,
    burst: u32,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) {
    if rate <= 0.0 {
        return;
    }
    let period = Duration::from_secs_f64(f64::from(burst) / rate);
    let mut ticker = tokio::time::interval(period);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = ticker.tick() => {}
            _ = shutdown.changed() => return,
        }
        let n = {
            let paused = crate::webhooks::lock(&shared.paused);
            if *paused {
                continue;
            }
            apply_random_changes(&shared, burst as usize)
        };
        tracing::trace!(changes = n, "activity tick");
    }
}
