//! The webhook sender: turns store changes into signed HTTP deliveries, like Shopify does.
//!
//! [`WebhookSender::emit`] takes one event (topic + REST body) and creates one delivery per
//! matching subscription ([`Subscriptions`]), each with its own `X-Shopify-Webhook-Id` (kept
//! by its retries) and the event's shared `X-Shopify-Event-Id`. Faults are decided per
//! delivery with a seeded rng: dropped (never sent), duplicated (sent twice with the same
//! webhook id), reordered (held back until 1–3 later deliveries went, or 2 s passed).
//! Deliveries run on tokio tasks behind a semaphore; a failure (anything but 2xx, a connect
//! over 1 s, a request over 5 s) is retried 8 times on an exponential schedule totalling four
//! hours times `retry_scale`. An API-made subscription is removed after 8 consecutive failed
//! attempts. [`WebhookStats`] counts everything; `outstanding` says when the sender is idle.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use xeno_shopify::headers;

use bytes::Bytes;
use chrono::{DateTime, SecondsFormat, Utc};
use rand::{Rng, SeedableRng};
use serde::Serialize;
use tokio::sync::Semaphore;
use tokio::time::Instant;
use uuid::Uuid;

use crate::config::WebhookFaults;
use crate::store::SimRng;

/// Retries after the first attempt.
pub const RETRIES: u32 = 8;
/// Length of the whole retry schedule at `retry_scale` 1.
pub const RETRY_WINDOW: Duration = Duration::from_secs(4 * 3600);
/// Consecutive failed attempts after which an API-made subscription is removed.
pub const MAX_CONSECUTIVE_FAILURES: u32 = 8;
/// Longest a reordered delivery is held back.
const MAX_HOLD: Duration = Duration::from_secs(2);

/// Delay before retry `n` (1-based): doubling steps that add up to [`RETRY_WINDOW`] × `scale`.
pub fn retry_delay(n: u32, scale: f64) -> Duration {
    let unit = RETRY_WINDOW.as_secs_f64() / f64::from((1u32 << RETRIES) - 1);
    Duration::from_secs_f64(unit * f64::from(1u32 << (n - 1)) * scale)
}

/// `2025-07-10T16:15:47.000000Z`.
pub fn triggered_at(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// One webhook event: a topic and its body, shared by every delivery of it.
#[derive(Debug, Clone)]
pub struct Event {
    pub topic: String,
    pub body: Bytes,
    pub event_id: Uuid,
    pub triggered_at: DateTime<Utc>,
}

impl Event {
    /// An event for `topic` with a JSON body, triggered now.
    pub fn new(topic: &str, body: &serde_json::Value) -> Self {
        Event {
            topic: topic.to_string(),
            body: Bytes::from(serde_json::to_vec(body).expect("JSON values serialize")),
            event_id: Uuid::new_v4(),
            triggered_at: Utc::now(),
        }
    }
}

/// A webhook subscription (`webhookSubscriptionCreate`, or the `--webhook-url` flag).
#[derive(Debug, Clone, Serialize)]
pub struct Subscription {
    pub id: u64,
    /// REST spelling (`orders/create`), or `*` for every topic.
    pub topic: String,
    pub callback_url: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Failed attempts in a row; a 2xx resets it.
    pub consecutive_failures: u32,
    /// Made through the Admin API (removed after too many failures), not by the flag.
    pub api_managed: bool,
}

/// The store's webhook subscriptions.
#[derive(Debug, Default)]
pub struct Subscriptions {
    list: Vec<Subscription>,
    next_id: u64,
}

impl Subscriptions {
    /// All subscriptions, oldest first.
    pub fn list(&self) -> &[Subscription] {
        &self.list
    }
    /// Adds a subscription and returns it.
    pub fn create(&mut self, topic: &str, callback_url: &str, api_managed: bool) -> Subscription {
        self.next_id += 1;
        let now = crate::store::whole_seconds(Utc::now());
        let sub = Subscription {
            id: 1_000_000 + self.next_id,
            topic: topic.to_string(),
            callback_url: callback_url.to_string(),
            created_at: now,
            updated_at: now,
            consecutive_failures: 0,
            api_managed,
        };
        self.list.push(sub.clone());
        sub
    }
    /// Changes a subscription's URL.
    pub fn update(&mut self, id: u64, callback_url: &str) -> Option<Subscription> {
        let s = self.list.iter_mut().find(|s| s.id == id)?;
        s.callback_url = callback_url.to_string();
        s.updated_at = crate::store::next_stamp(s.updated_at, Utc::now());
        Some(s.clone())
    }
    /// Removes a subscription; true when it existed.
    pub fn delete(&mut self, id: u64) -> bool {
        let before = self.list.len();
        self.list.retain(|s| s.id != id);
        self.list.len() != before
    }
    /// Replaces the flag's catch-all subscription.
    pub fn set_flag_url(&mut self, url: Option<&str>) {
        self.list.retain(|s| s.api_managed);
        if let Some(url) = url {
            self.create("*", url, false);
        }
    }
    fn matching(&self, topic: &str) -> Vec<(u64, String)> {
        self.list
            .iter()
            .filter(|s| s.topic == "*" || s.topic == topic)
            .map(|s| (s.id, s.callback_url.clone()))
            .collect()
    }
    fn record(&mut self, id: u64, ok: bool) {
        let Some(s) = self.list.iter_mut().find(|s| s.id == id) else {
            return;
        };
        if ok {
            s.consecutive_failures = 0;
            return;
        }
        s.consecutive_failures += 1;
        if s.api_managed && s.consecutive_failures >= MAX_CONSECUTIVE_FAILURES {
            tracing::warn!(subscription = id, topic = %s.topic, "webhook subscription removed after consecutive failures");
            self.list.retain(|s| s.id != id);
        }
    }
}

/// Counters of the sender (a snapshot).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct WebhookStats {
    /// Events emitted (before fan-out to subscriptions).
    pub events: u64,
    /// Deliveries created (one per event and subscription).
    pub deliveries: u64,
    /// HTTP attempts made (first tries, retries and duplicates).
    pub sent: u64,
    /// Attempts answered 2xx.
    pub delivered: u64,
    /// Attempts that failed (non-2xx, timeout, connection error).
    pub failed: u64,
    /// Retries among `sent`.
    pub retried: u64,
    /// Deliveries whose every retry failed.
    pub abandoned: u64,
    /// Deliveries sent a second time with the same webhook id.
    pub duplicated: u64,
    /// Deliveries never sent on purpose.
    pub dropped: u64,
    /// Deliveries held back and sent after later ones.
    pub reordered: u64,
    /// Deliveries not finished yet (held, in flight or waiting for a retry).
    pub outstanding: u64,
}

#[derive(Default)]
struct Counters {
    events: AtomicU64,
    deliveries: AtomicU64,
    sent: AtomicU64,
    delivered: AtomicU64,
    failed: AtomicU64,
    retried: AtomicU64,
    abandoned: AtomicU64,
    duplicated: AtomicU64,
    dropped: AtomicU64,
    reordered: AtomicU64,
    outstanding: AtomicU64,
}

#[derive(Debug, Clone)]
struct Delivery {
    subscription_id: u64,
    url: String,
    webhook_id: Uuid,
    event: Arc<Event>,
}

struct Held {
    delivery: Delivery,
    after: u32,
    since: Instant,
}

/// Who we are, for the headers. Not `Debug`: it holds the signing secret.
#[derive(Clone)]
pub struct SenderIdentity {
    pub shop_domain: String,
    pub secret: String,
    pub api_version: String,
}

/// Sends webhooks; cheap to clone.
#[derive(Clone)]
pub struct WebhookSender {
    inner: Arc<Inner>,
}

struct Inner {
    identity: SenderIdentity,
    faults: WebhookFaults,
    retry_scale: f64,
    client: reqwest::Client,
    permits: Semaphore,
    rng: Mutex<SimRng>,
    held: Mutex<VecDeque<Held>>,
    counters: Counters,
    subscriptions: Arc<Mutex<Subscriptions>>,
    /// Set by [`WebhookSender::close`]: no new deliveries, pending retries end.
    stop: tokio::sync::watch::Sender<bool>,
}

impl WebhookSender {
    /// A sender with `concurrency` deliveries in flight at most; the fault rng is seeded.
    pub fn new(
        identity: SenderIdentity,
        faults: WebhookFaults,
        retry_scale: f64,
        concurrency: usize,
        seed: u64,
        subscriptions: Arc<Mutex<Subscriptions>>,
    ) -> Self {
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(1))
            .timeout(Duration::from_secs(5))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("a reqwest client with rustls builds");
        WebhookSender {
            inner: Arc::new(Inner {
                identity,
                faults,
                retry_scale,
                client,
                permits: Semaphore::new(concurrency.max(1)),
                rng: Mutex::new(SimRng::seed_from_u64(seed ^ 0x5EED_F00D)),
                held: Mutex::new(VecDeque::new()),
                counters: Counters::default(),
                subscriptions,
                stop: tokio::sync::watch::Sender::new(false),
            }),
        }
    }

    /// The subscriptions deliveries are routed by.
    pub fn subscriptions(&self) -> &Arc<Mutex<Subscriptions>> {
        &self.inner.subscriptions
    }

    /// A snapshot of the counters.
    pub fn stats(&self) -> WebhookStats {
        let c = &self.inner.counters;
        let l = |a: &AtomicU64| a.load(Ordering::Relaxed);
        WebhookStats {
            events: l(&c.events),
            deliveries: l(&c.deliveries),
            sent: l(&c.sent),
            delivered: l(&c.delivered),
            failed: l(&c.failed),
            retried: l(&c.retried),
            abandoned: l(&c.abandoned),
            duplicated: l(&c.duplicated),
            dropped: l(&c.dropped),
            reordered: l(&c.reordered),
            outstanding: l(&c.outstanding),
        }
    }

    /// Stops the sender: later events are ignored and waiting retries end (at shutdown).
    pub fn close(&self) {
        self.inner.stop.send_replace(true);
    }

    /// Fans `event` out to the subscriptions of its topic, applying faults.
    pub fn emit(&self, event: Event) {
        let inner = &self.inner;
        if *inner.stop.borrow() {
            return;
        }
        inner.counters.events.fetch_add(1, Ordering::Relaxed);
        let targets = lock(&inner.subscriptions).matching(&event.topic);
        let event = Arc::new(event);
        for (subscription_id, url) in targets {
            inner.counters.deliveries.fetch_add(1, Ordering::Relaxed);
            let delivery = Delivery {
                subscription_id,
                url,
                webhook_id: Uuid::new_v4(),
                event: event.clone(),
            };
            let (drop, dup, hold, after) = {
                let mut rng = lock(&inner.rng);
                let f = inner.faults;
                (
                    rng.gen_bool(f.drop_rate),
                    rng.gen_bool(f.duplicate_rate),
                    rng.gen_bool(f.reorder_rate),
                    rng.gen_range(1..=3),
                )
            };
            if drop {
                inner.counters.dropped.fetch_add(1, Ordering::Relaxed);
                tracing::debug!(topic = %event.topic, webhook_id = %delivery.webhook_id, "webhook dropped (fault)");
                continue;
            }
            if dup {
                inner.counters.duplicated.fetch_add(1, Ordering::Relaxed);
                self.dispatch(delivery.clone());
            }
            if hold {
                inner.counters.reordered.fetch_add(1, Ordering::Relaxed);
                inner.counters.outstanding.fetch_add(1, Ordering::Relaxed);
                lock(&inner.held).push_back(Held {
                    delivery,
                    after,
                    since: Instant::now(),
                });
                continue;
            }
            self.dispatch(delivery);
            self.release_held(true);
        }
    }

    /// Sends held deliveries that waited long enough (called by a ticker and after each send).
    pub fn release_held(&self, one_sent: bool) {
        let ready: Vec<Delivery> = {
            let mut held = lock(&self.inner.held);
            let mut ready = Vec::new();
            let mut keep = VecDeque::with_capacity(held.len());
            for mut h in held.drain(..) {
                if one_sent {
                    h.after = h.after.saturating_sub(1);
                }
                if h.after == 0 || h.since.elapsed() >= MAX_HOLD {
                    ready.push(h.delivery);
                } else {
                    keep.push_back(h);
                }
            }
            *held = keep;
            ready
        };
        for d in ready {
            // Counted in flight before it stops counting as held, so `outstanding` never
            // reads 0 while this delivery is still to be sent.
            self.dispatch(d);
            self.inner
                .counters
                .outstanding
                .fetch_sub(1, Ordering::Relaxed);
        }
    }

    fn dispatch(&self, delivery: Delivery) {
        self.inner
            .counters
            .outstanding
            .fetch_add(1, Ordering::Relaxed);
        let this = self.clone();
        tokio::spawn(async move {
            this.deliver(delivery).await;
            this.inner
                .counters
                .outstanding
                .fetch_sub(1, Ordering::Relaxed);
        });
    }

    async fn deliver(&self, delivery: Delivery) {
        let inner = &self.inner;
        for attempt in 0..=RETRIES {
            if attempt > 0 {
                let mut stop = inner.stop.subscribe();
                tokio::select! {
                    _ = tokio::time::sleep(retry_delay(attempt, inner.retry_scale)) => {}
                    _ = stop.wait_for(|stopped| *stopped) => return,
                }
                if !lock(&inner.subscriptions)
                    .list
                    .iter()
                    .any(|s| s.id == delivery.subscription_id)
                {
                    tracing::debug!(webhook_id = %delivery.webhook_id, "subscription gone; retries stop");
                    return;
                }
                inner.counters.retried.fetch_add(1, Ordering::Relaxed);
            }
            let ok = {
                let _permit = inner
                    .permits
                    .acquire()
                    .await
                    .expect("the semaphore is never closed");
                self.attempt(&delivery).await
            };
            lock(&inner.subscriptions).record(delivery.subscription_id, ok);
            if ok {
                return;
            }
        }
        inner.counters.abandoned.fetch_add(1, Ordering::Relaxed);
        tracing::warn!(topic = %delivery.event.topic, webhook_id = %delivery.webhook_id, "webhook abandoned after all retries");
    }

    async fn attempt(&self, d: &Delivery) -> bool {
        let inner = &self.inner;
        let id = &inner.identity;
        inner.counters.sent.fetch_add(1, Ordering::Relaxed);
        let result = inner
            .client
            .post(&d.url)
            .header("Content-Type", "application/json")
            .header(headers::TOPIC, &d.event.topic)
            .header(
                headers::HMAC_SHA256,
                xeno_shopify::signature::sign(id.secret.as_bytes(), &d.event.body),
            )
            .header(headers::SHOP_DOMAIN, &id.shop_domain)
            .header(headers::API_VERSION, &id.api_version)
            .header(headers::WEBHOOK_ID, d.webhook_id.to_string())
            .header(headers::EVENT_ID, d.event.event_id.to_string())
            .header(headers::TRIGGERED_AT, triggered_at(d.event.triggered_at))
            .body(d.event.body.clone())
            .send()
            .await;
        match result {
            Ok(resp) if resp.status().is_success() => {
                inner.counters.delivered.fetch_add(1, Ordering::Relaxed);
                true
            }
            Ok(resp) => {
                inner.counters.failed.fetch_add(1, Ordering::Relaxed);
                tracing::debug!(topic = %d.event.topic, webhook_id = %d.webhook_id, status = resp.status().as_u16(), "webhook rejected");
                false
            }
            Err(e) => {
                inner.counters.failed.fetch_add(1, Ordering::Relaxed);
                tracing::debug!(topic = %d.event.topic, webhook_id = %d.webhook_id, error = %e, "webhook not delivered");
                false
            }
        }
    }
}

/// Locks a mutex, ignoring poisoning (the guarded data stays consistent: no panics inside).
pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_schedule_totals_four_hours() {
        let total: f64 = (1..=RETRIES)
            .map(|n| retry_delay(n, 1.0).as_secs_f64())
            .sum();
        assert!((total - 14_400.0).abs() < 1e-6, "{total}");
        assert!(retry_delay(2, 1.0) > retry_delay(1, 1.0));
        let scaled: f64 = (1..=RETRIES)
            .map(|n| retry_delay(n, 0.001).as_secs_f64())
            .sum();
        assert!((scaled - 14.4).abs() < 1e-6);
    }

    #[test]
    fn triggered_at_has_shopify_format() {
        let t = DateTime::parse_from_rfc3339("2025-07-10T16:15:47Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(triggered_at(t), "2025-07-10T16:15:47.000000Z");
    }
}
