//! The REST `events.json` list, as far as the simulator has events: the `destroy` events of
//! deleted orders and products. Shopify's Event resource is emitted by articles, blogs,
//! collections, comments, orders, pages, price rules and products; customers and locations
//! emit none, so a deleted customer or location is found by its delete webhook or by its
//! absence from a listing, not here.
//!
//! Each event is the tombstone the store recorded when the object was deleted
//! (`store::Tombstone`, written by `generate/` for the history and the live activity alike),
//! so every deletion has its event and the event outlives the object. The fields are
//! Shopify's (`id`, `subject_id`, `created_at`, `subject_type`, `verb`, `arguments`, `body`,
//! `message`, `author`, `description`, `path`); an event's id is derived from its subject's,
//! so it is stable across requests. The list filters by `filter=Order,Product` (subject
//! types), `verb=`, `since_id`, `created_at_min/max` (read as `rest.rs` reads times) and
//! `limit`, ascending by id; `rest.rs` routes here.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use crate::shop_time;
use crate::store::rest::time;
use crate::store::{Kind, Store, Tombstone};

/// One destroy event, before rendering.
struct Destroyed<'a> {
    id: u64,
    subject_type: &'static str,
    tombstone: &'a Tombstone,
}

/// The REST `subject_type` of the kinds that emit events.
fn subject_type(kind: Kind) -> Option<&'static str> {
    match kind {
        Kind::Order => Some("Order"),
        Kind::Product => Some("Product"),
        Kind::Customer | Kind::Location => None,
    }
}

/// A destroy event's id: its subject's id, tagged with the kind (ids of all kinds share one
/// sequence, so this never collides).
fn event_id(kind: Kind, subject_id: u64) -> u64 {
    subject_id * 4 + kind as u64
}

fn render(e: &Destroyed, zone: chrono_tz::Tz) -> Value {
    let noun = e.subject_type;
    let at = time(e.tombstone.deleted_at, zone);
    json!({
        "id": e.id,
        "subject_id": e.tombstone.id,
        "created_at": at,
        "subject_type": noun,
        "verb": "destroy",
        "arguments": [],
        "body": null,
        "message": format!("{noun} was deleted."),
        "author": "Shopify",
        "description": format!("{noun} was deleted."),
        "path": format!("/admin/{}s", noun.to_lowercase()),
    })
}

/// Why an events request is refused: the parameter and what is wrong with it.
pub type BadParam = (&'static str, String);

/// The filters of an events request; times are already read.
#[derive(Debug, Default)]
pub struct EventFilters {
    pub subject_types: Option<Vec<String>>,
    pub verb: Option<String>,
    pub since_id: Option<u64>,
    pub created_at_min: Option<DateTime<Utc>>,
    pub created_at_max: Option<DateTime<Utc>>,
}

impl EventFilters {
    /// `filter`, `verb` and `since_id` from the query; the times are the caller's.
    pub fn from_params(params: &HashMap<String, String>) -> Result<EventFilters, BadParam> {
        let since_id = match params.get("since_id") {
            None => None,
            Some(v) => Some(
                v.parse()
                    .map_err(|_| ("since_id", format!("{v} is not an integer")))?,
            ),
        };
        Ok(EventFilters {
            subject_types: params.get("filter").map(|f| {
                f.split(',')
                    .map(|t| t.trim().to_string())
                    .filter(|t| !t.is_empty())
                    .collect()
            }),
            verb: params.get("verb").cloned(),
            since_id,
            ..EventFilters::default()
        })
    }
}

/// The events of `store` matching `f`, ascending by id, at most `limit`.
pub fn list(store: &Store, f: &EventFilters, limit: usize) -> Vec<Value> {
    let mut events: Vec<Destroyed> = store
        .deleted
        .iter()
        .filter_map(|((kind, id), tombstone)| {
            Some(Destroyed {
                id: event_id(*kind, *id),
                subject_type: subject_type(*kind)?,
                tombstone,
            })
        })
        .filter(|e| {
            f.subject_types
                .as_ref()
                .is_none_or(|types| types.iter().any(|t| t == e.subject_type))
                && f.verb.as_deref().is_none_or(|v| v == "destroy")
                && f.since_id.is_none_or(|s| e.id > s)
                && f.created_at_min.is_none_or(|t| e.tombstone.deleted_at >= t)
                && f.created_at_max.is_none_or(|t| e.tombstone.deleted_at <= t)
        })
        .collect();
    events.sort_by_key(|e| e.id);
    let zone = shop_time::zone(&store.shop.iana_timezone);
    events.iter().take(limit).map(|e| render(e, zone)).collect()
}
