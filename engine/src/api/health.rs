//! `GET /api/health`: is ingestion healthy? Components (each supervised actor, PostgreSQL,
//! JetStream), stream depth and consumer lag, webhook ack and writer rates, dead letters, and
//! each shop's last webhook and rate-limit bucket, and the doctor's latest findings
//! (`engine/src/doctor/`, run by the engine at start and every few minutes).
//!
//! Counters come from [`crate::metrics::Metrics`] (the same ones `/metrics` exports). Rates are
//! the difference between this call's counters and a sample kept from an earlier call (at
//! least a second and at most a minute old), so polling dashboards see current throughput
//! without a background task.
//!
//! Scoping: a token for some shops gets its shops' figures, its shops' messages in the stream,
//! and the components' up/down state; the engine-wide counters (consumer lag, throughput) are
//! `null` for it, since they count every shop's traffic.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::Json;
use chrono::Utc;
use futures::StreamExt;
use xeno_api_types::health::{Dependency, HealthResponse, QueueHealth, ShopHealth, Throughput};

use super::auth::Access;
use super::error::ApiResult;
use super::probes::{check_jetstream, check_postgres};
use crate::http::state::AppState;
use crate::metrics::{Metrics, ShopLabels};
use crate::process_registry;
use crate::store::dead_letters::{self, Visible};

/// Writer outcomes that count as a handled message.
const WRITER_OUTCOMES: &[&str] = &[
    "applied",
    "stale",
    "deleted",
    "duplicate",
    "unknown_topic",
    "ignored",
    "uninstalled",
    "compliance",
    "bulk_finished",
    "dead_lettered",
];

/// Counter samples of earlier calls, for rates.
#[derive(Clone, Default)]
pub struct RateSampler {
    samples: Arc<Mutex<VecDeque<Sample>>>,
}

#[derive(Clone, Copy, Debug)]
struct Sample {
    at: Instant,
    acked: u64,
    written: u64,
}

impl RateSampler {
    /// Records `now` and returns per-second rates against the oldest sample that is at least a
    /// second old (samples older than a minute are forgotten).
    fn rates(&self, now: Sample) -> (Option<f64>, Option<f64>) {
        let mut samples = self.samples.lock().expect("rate samples lock");
        while samples
            .front()
            .is_some_and(|s| now.at.duration_since(s.at) > Duration::from_secs(60))
        {
            samples.pop_front();
        }
        let base = samples
            .iter()
            .find(|s| now.at.duration_since(s.at) >= Duration::from_secs(1))
            .copied();
        if samples
            .back()
            .is_none_or(|s| now.at.duration_since(s.at) >= Duration::from_secs(1))
        {
            samples.push_back(now);
        }
        match base {
            Some(b) => {
                let secs = now.at.duration_since(b.at).as_secs_f64();
                (
                    Some(now.acked.saturating_sub(b.acked) as f64 / secs),
                    Some(now.written.saturating_sub(b.written) as f64 / secs),
                )
            }
            None => (None, None),
        }
    }
}

fn shop_gauge(
    family: &prometheus_client::metrics::family::Family<
        ShopLabels,
        prometheus_client::metrics::gauge::Gauge<f64, std::sync::atomic::AtomicU64>,
    >,
    shop: &str,
) -> Option<f64> {
    let labels = ShopLabels {
        shop: shop.to_string(),
    };
    family.get(&labels).map(|g| g.get())
}

async fn queue_health(state: &AppState, access: &Access, shops: &[String]) -> QueueHealth {
    let probe = async {
        let stream = state.js.get_stream(&state.names.stream).await.ok()?;
        let mut q = QueueHealth::default();
        if access.all_shops() {
            q.stream_messages = stream.get_info().await.ok().map(|i| i.state.messages);
            if let Ok(c) = stream.consumer_info(state.names.writer_consumer()).await {
                q.consumer_pending = Some(c.num_pending);
                q.consumer_ack_pending = Some(c.num_ack_pending as u64);
                q.consumer_redelivered = Some(c.num_redelivered as u64);
            }
        } else {
            let mut total = 0u64;
            for shop in shops {
                let filter = format!("{}.*.{}", state.names.stream, shop.replace('.', "_"));
                if let Ok(mut subjects) = stream.info_with_subjects(filter).await {
                    while let Some(Ok((_, n))) = subjects.next().await {
                        total += n as u64;
                    }
                }
            }
            q.stream_messages = Some(total);
        }
        Some(q)
    };
    tokio::time::timeout(Duration::from_secs(2), probe)
        .await
        .ok()
        .flatten()
        .unwrap_or_default()
}

/// Open dead letters of the visible shops: the total, and per shop.
async fn open_dead_letters(
    state: &AppState,
    shops: &[String],
    engine_wide: bool,
) -> ApiResult<(i64, BTreeMap<String, i64>)> {
    let client = state.pool.get().await?;
    let visible = Visible { shops, engine_wide };
    let mut total = 0;
    let mut by_shop = BTreeMap::new();
    for (shop, n) in dead_letters::open_by_shop(&**client, visible).await? {
        total += n;
        if let Some(shop) = shop {
            by_shop.insert(shop, n);
        }
    }
    Ok((total, by_shop))
}

/// Engine-wide counters since start, and their rates against an earlier call's sample.
fn throughput(state: &AppState, sampler: &RateSampler) -> Throughput {
    let m: &Metrics = &state.metrics;
    let acked = Metrics::outcome_count(&m.webhooks, "accepted");
    let written: u64 = WRITER_OUTCOMES
        .iter()
        .map(|o| Metrics::outcome_count(&m.writer_messages, o))
        .sum();
    let (acked_rate, written_rate) = sampler.rates(Sample {
        at: Instant::now(),
        acked,
        written,
    });
    Throughput {
        webhooks_acked: acked,
        webhooks_acked_per_second: acked_rate,
        writer_messages: written,
        writer_messages_per_second: written_rate,
        writer_batches: m.writer_batches.get(),
        published: m.published.get(),
        publish_failures: m.publish_failures.get(),
        log_events_dropped: m.log_events_dropped.get() + state.log.dropped(),
    }
}

/// Each shop's last webhook (in this process), webhook count, bucket and open dead letters.
fn shop_health(
    state: &AppState,
    shops: Vec<String>,
    open_by_shop: &BTreeMap<String, i64>,
) -> Vec<ShopHealth> {
    let m: &Metrics = &state.metrics;
    let last_webhook = state
        .last_webhook
        .lock()
        .expect("last_webhook lock")
        .clone();
    shops
        .into_iter()
        .map(|shop| {
            let labels = ShopLabels { shop: shop.clone() };
            ShopHealth {
                last_webhook_at: last_webhook.get(&shop).copied(),
                webhooks_accepted: m
                    .webhooks_by_shop
                    .get(&labels)
                    .map(|c| c.get())
                    .unwrap_or(0),
                bucket_available: shop_gauge(&m.bucket_available, &shop),
                bucket_maximum: shop_gauge(&m.bucket_maximum, &shop),
                dead_letters_open: open_by_shop.get(&shop).copied().unwrap_or(0),
                shop,
            }
        })
        .collect()
}

fn dependency(probe: Result<(), String>) -> Dependency {
    Dependency {
        up: probe.is_ok(),
        error: probe.err(),
    }
}

/// `GET /api/health`
#[utoipa::path(
    get,
    path = "/api/health",
    tag = "api",
    summary = "Ingestion health",
    responses(
        (status = 200, description = "Components, dependencies, queue, throughput, dead letters, shops and the doctor's findings (`status` says `ok` or `degraded`).", body = xeno_api_types::health::HealthResponse),
        (status = 401, description = "Missing or unknown API token.", body = xeno_api_types::error::ErrorBody),
        (status = 408, description = "Not answered within `server.request_timeout` (empty body)."),
        (status = 500, description = "A query failed (logged with its cause).", body = xeno_api_types::error::ErrorBody),
        (status = 503, description = "PostgreSQL (or JetStream) unreachable; retry shortly.", body = xeno_api_types::error::ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn health(
    State(state): State<AppState>,
    access: Access,
    sampler: axum::Extension<RateSampler>,
) -> ApiResult<Json<HealthResponse>> {
    let shops = access.visible_shops(&state.config);
    let engine_wide = access.all_shops();
    let (pg, js, queue) = tokio::join!(
        check_postgres(&state),
        check_jetstream(&state),
        queue_health(&state, &access, &shops)
    );
    let (dead_letters_open, open_by_shop) = if pg.is_ok() {
        open_dead_letters(&state, &shops, engine_wide).await?
    } else {
        (0, BTreeMap::new())
    };
    let throughput = engine_wide.then(|| throughput(&state, &sampler));
    let shops = shop_health(&state, shops, &open_by_shop);
    let doctor = state.doctor.get().map(|mut report| {
        report
            .findings
            .retain(|f| shops.iter().any(|s| s.shop == f.shop));
        report
    });
    let alerts = state
        .alerts
        .get()
        .into_iter()
        .filter(|a| {
            a.labels
                .get("shop")
                .is_none_or(|shop| shops.iter().any(|s| &s.shop == shop))
        })
        .collect();
    let processes = if pg.is_ok() {
        process_registry::alive(&state.pool)
            .await
            .unwrap_or_else(|e| {
                tracing::warn!(error = %e, "could not read the process registry");
                Vec::new()
            })
    } else {
        Vec::new()
    };
    let components = state.components.snapshot();
    let all_up = pg.is_ok() && js.is_ok() && components.values().all(|c| c.up);
    Ok(Json(HealthResponse {
        status: if all_up { "ok" } else { "degraded" }.to_string(),
        started_at: state.started_at,
        uptime_seconds: (Utc::now() - state.started_at).num_seconds(),
        components,
        postgres: dependency(pg),
        jetstream: dependency(js),
        queue,
        throughput,
        dead_letters_open,
        shops,
        doctor,
        alerts,
        roles: state.config.server.roles.names(),
        processes,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_need_a_sample_a_second_old() {
        let sampler = RateSampler::default();
        let t0 = Instant::now();
        let s = |secs: u64, acked, written| Sample {
            at: t0 + Duration::from_secs(secs),
            acked,
            written,
        };
        assert_eq!(sampler.rates(s(0, 0, 0)), (None, None));
        assert_eq!(sampler.rates(s(2, 10, 40)), (Some(5.0), Some(20.0)));
        // Samples older than a minute are dropped; the 2 s one is the base now.
        assert_eq!(sampler.rates(s(62, 70, 40)), (Some(1.0), Some(0.0)));
    }
}
