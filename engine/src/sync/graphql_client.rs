//! The Admin GraphQL client of one shop: cost-aware, patient with transient failures, and
//! clear about permanent ones.
//!
//! Before each request it waits until the mirrored [`Bucket`] holds the query's expected cost
//! (the requested cost Shopify reported for the same query last time). On an answer it takes
//! `extensions.cost.throttleStatus` as the new bucket. Then:
//! - `THROTTLED` → wait for the points and retry;
//! - HTTP 429 → wait `Retry-After` (plus jitter) and retry;
//! - 5xx, time-outs, connection errors → exponential backoff with jitter, retried forever;
//! - 401, 402, 403, 404, 423 (bad token, shop frozen, uninstalled, locked) →
//!   [`ClientError::Permanent`], which stops the sync with that reason in the log;
//! - `MAX_COST_EXCEEDED` → [`ClientError::MaxCost`], so the caller shrinks its page.
//!
//! The access token goes only into the `X-Shopify-Access-Token` header, never into a log.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rand::Rng;
use reqwest::{StatusCode, Url};
use serde_json::{json, Value};
use thiserror::Error;
use xeno_shopify::headers;
use xeno_shopify::throttle::QueryCost;

use super::bucket::Bucket;
use crate::config::{Secret, ShopConfig};
use crate::metrics::{Metrics, ShopLabels};

/// The longest `Retry-After` honoured: Shopify asks for a second or two; a larger value is a
/// broken proxy, and past ~1.8e19 it would not even fit a `Duration`.
const MAX_RETRY_AFTER_SECS: f64 = 60.0;

/// Why a query gave no data. Transient failures never surface: they are retried.
#[derive(Debug, Error, Clone)]
pub enum ClientError {
    /// Retrying cannot help (401 bad token, app uninstalled, shop frozen or gone).
    #[error("permanent Admin API error: {0}")]
    Permanent(String),
    /// The query's requested cost is above Shopify's single-query maximum.
    #[error("query cost {cost} exceeds the single-query maximum {max}")]
    MaxCost { cost: f64, max: f64 },
    /// Shopify answered with GraphQL errors (a query this engine got wrong).
    #[error("GraphQL errors: {0}")]
    Graphql(String),
}

/// Cumulative counters of one client; a sync run reports the difference since it started.
#[derive(Debug, Default)]
pub struct ClientStats {
    pub requests: AtomicU64,
    /// Thousandths of the points queries actually cost.
    pub points_milli: AtomicU64,
    /// Answers that said THROTTLED or 429.
    pub throttled: AtomicU64,
    /// Waits made before a request because the bucket was short.
    pub throttle_waits: AtomicU64,
    /// Microseconds spent in those waits.
    pub throttle_wait_micros: AtomicU64,
    /// Transient failures retried (5xx, network, 429).
    pub errors: AtomicU64,
    pub last_error: Mutex<Option<String>>,
}

impl ClientStats {
    fn error(&self, message: String) {
        self.errors.fetch_add(1, Ordering::Relaxed);
        *self.last_error.lock().expect("stats lock") = Some(message);
    }
}

/// Exponential backoff with "equal jitter": half the step fixed, half random, so retries from
/// many shops spread out yet never retry at once.
#[derive(Debug, Clone)]
pub struct Backoff {
    attempt: u32,
    base: Duration,
    max: Duration,
}

impl Backoff {
    pub fn new(base: Duration, max: Duration) -> Backoff {
        Backoff {
            attempt: 0,
            base,
            max,
        }
    }

    /// The next delay: base × 2^attempt capped at `max`, jittered between half and all of it.
    pub fn next_delay(&mut self) -> Duration {
        let step = self
            .base
            .saturating_mul(1u32 << self.attempt.min(16))
            .min(self.max);
        self.attempt = self.attempt.saturating_add(1);
        let half = step / 2;
        half + Duration::from_secs_f64(rand::thread_rng().gen_range(0.0..=half.as_secs_f64()))
    }

    pub fn reset(&mut self) {
        self.attempt = 0;
    }
}

/// What one request came to.
enum Attempt {
    /// The answer, or a failure retrying cannot fix.
    Done(Result<Value, ClientError>),
    /// Try again (any wait already slept).
    Retry,
}

/// One shop's GraphQL endpoint, token and mirrored bucket.
pub struct GraphqlClient {
    http: reqwest::Client,
    endpoint: Url,
    token: Option<Secret>,
    shop: String,
    bucket: Mutex<Bucket>,
    /// Requested cost Shopify reported per query name, the expected cost of the next one.
    expected: Mutex<HashMap<String, f64>>,
    metrics: Arc<Metrics>,
    pub stats: ClientStats,
}

impl GraphqlClient {
    pub fn new(shop: &ShopConfig, metrics: Arc<Metrics>) -> Result<GraphqlClient, ClientError> {
        let endpoint = shop
            .admin_url
            .join(&format!("admin/api/{}/graphql.json", shop.api_version))
            .map_err(|e| ClientError::Permanent(format!("bad admin_url: {e}")))?;
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(60))
            .build()
            .map_err(|e| ClientError::Permanent(format!("cannot build an HTTP client: {e}")))?;
        Ok(GraphqlClient {
            http,
            endpoint,
            token: shop.access_token.clone(),
            shop: shop.domain.clone(),
            bucket: Mutex::new(Bucket::default()),
            expected: Mutex::new(HashMap::new()),
            metrics,
            stats: ClientStats::default(),
        })
    }

    /// A plain HTTP client for downloads (bulk results), sharing the connection pool.
    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    pub fn shop(&self) -> &str {
        &self.shop
    }

    /// The mirrored bucket now: (available, maximum, restore rate).
    pub fn bucket(&self) -> Option<(f64, f64, f64)> {
        let b = self.bucket.lock().expect("bucket lock");
        Some((b.available()?, b.maximum()?, b.restore_rate()))
    }

    fn labels(&self) -> ShopLabels {
        ShopLabels {
            shop: self.shop.clone(),
        }
    }

    /// Runs `query` (named `name` for cost bookkeeping) and returns its `data`.
    pub async fn query(
        &self,
        name: &str,
        query: &str,
        variables: Value,
    ) -> Result<Value, ClientError> {
        let Some(token) = &self.token else {
            return Err(ClientError::Permanent(format!(
                "shop {} has no access_token_env configured",
                self.shop
            )));
        };
        let body = json!({ "query": query, "variables": variables });
        let mut backoff = Backoff::new(Duration::from_millis(250), Duration::from_secs(30));
        loop {
            self.wait_for_budget(name).await;
            self.stats.requests.fetch_add(1, Ordering::Relaxed);
            let answer = match self.send(token, &body, &mut backoff).await {
                Attempt::Done(Ok(answer)) => answer,
                Attempt::Done(Err(e)) => return Err(e),
                Attempt::Retry => continue,
            };
            match self.read_answer(name, answer, &mut backoff).await {
                Attempt::Done(result) => return result,
                Attempt::Retry => continue,
            }
        }
    }

    /// Sends the request once and reads the JSON answer. Transport errors, 429 (after its
    /// `Retry-After`, with jitter) and other non-2xx statuses are waited out and retried; the
    /// statuses that say the shop cannot be served are permanent.
    async fn send(&self, token: &Secret, body: &Value, backoff: &mut Backoff) -> Attempt {
        let sent = self
            .http
            .post(self.endpoint.clone())
            .header(headers::ACCESS_TOKEN, token.expose())
            .json(body)
            .send()
            .await;
        let response = match sent {
            Ok(r) => r,
            Err(e) => {
                return self
                    .retry(format!("request failed: {e}"), backoff.next_delay())
                    .await
            }
        };
        let status = response.status();
        if status == StatusCode::TOO_MANY_REQUESTS {
            let retry_after = response
                .headers()
                .get(headers::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<f64>().ok())
                .filter(|s| s.is_finite() && *s >= 0.0)
                .unwrap_or(1.0)
                .min(MAX_RETRY_AFTER_SECS);
            self.stats.throttled.fetch_add(1, Ordering::Relaxed);
            let jitter = rand::thread_rng().gen_range(0.0..=0.2) * retry_after.max(0.5);
            let wait = Duration::from_secs_f64(retry_after + jitter);
            return self.retry("HTTP 429 Too Many Requests".into(), wait).await;
        }
        if matches!(status.as_u16(), 401 | 402 | 403 | 404 | 423) {
            let text = response.text().await.unwrap_or_default();
            let reason = match status.as_u16() {
                401 => "access token rejected (app uninstalled or token revoked)",
                402 => "shop frozen (payment required)",
                403 => "access denied (missing scope)",
                404 => "shop not found",
                _ => "shop locked",
            };
            return Attempt::Done(Err(ClientError::Permanent(format!(
                "HTTP {}: {reason}: {}",
                status.as_u16(),
                truncate(&text, 200)
            ))));
        }
        if !status.is_success() {
            let wait = backoff.next_delay();
            return self.retry(format!("HTTP {}", status.as_u16()), wait).await;
        }
        match response.json().await {
            Ok(v) => Attempt::Done(Ok(v)),
            Err(e) => {
                self.retry(format!("unreadable answer: {e}"), backoff.next_delay())
                    .await
            }
        }
    }

    /// Reads a GraphQL answer: records its cost, waits out `THROTTLED` (the bucket now says
    /// how short we are) and `INTERNAL_SERVER_ERROR`, and returns `data` or the error.
    async fn read_answer(&self, name: &str, value: Value, backoff: &mut Backoff) -> Attempt {
        let cost = QueryCost::from_response(&value);
        if let Some(cost) = &cost {
            self.observe(name, cost);
        }
        let Some(errors) = value.get("errors").filter(|e| !e.is_null()) else {
            return Attempt::Done(Ok(value.get("data").cloned().unwrap_or(Value::Null)));
        };
        let code = |c: &str| {
            errors.as_array().is_some_and(|list| {
                list.iter()
                    .any(|e| e.pointer("/extensions/code").and_then(Value::as_str) == Some(c))
            })
        };
        if code("THROTTLED") {
            self.stats.throttled.fetch_add(1, Ordering::Relaxed);
            tracing::debug!(shop = %self.shop, query = name, "throttled; waiting for the bucket");
            // The bucket now says how short we are; wait_for_budget sleeps that long.
            if cost.is_none() {
                tokio::time::sleep(backoff.next_delay()).await;
            }
            return Attempt::Retry;
        }
        if code("MAX_COST_EXCEEDED") {
            let first = errors.get(0);
            let num = |k: &str| {
                first
                    .and_then(|e| e.pointer(&format!("/extensions/{k}")))
                    .and_then(Value::as_f64)
            };
            return Attempt::Done(Err(ClientError::MaxCost {
                cost: num("cost").unwrap_or(f64::INFINITY),
                max: num("maxCost").unwrap_or(1000.0),
            }));
        }
        if code("INTERNAL_SERVER_ERROR") {
            let wait = backoff.next_delay();
            return self
                .retry("GraphQL INTERNAL_SERVER_ERROR".into(), wait)
                .await;
        }
        Attempt::Done(Err(ClientError::Graphql(truncate(
            &errors.to_string(),
            500,
        ))))
    }

    /// Counts a transient failure, sleeps `wait`, and says to try again.
    async fn retry(&self, message: String, wait: Duration) -> Attempt {
        self.transient(message, wait);
        tokio::time::sleep(wait).await;
        Attempt::Retry
    }

    fn transient(&self, message: String, wait: Duration) {
        tracing::warn!(shop = %self.shop, error = %message, retry_in_ms = wait.as_millis() as u64, "Admin API call failed; retrying");
        self.stats.error(message);
    }

    async fn wait_for_budget(&self, name: &str) {
        let expected = self
            .expected
            .lock()
            .expect("expected lock")
            .get(name)
            .copied()
            .unwrap_or(0.0);
        let wait = self.bucket.lock().expect("bucket lock").wait_for(expected);
        if !wait.is_zero() {
            self.stats.throttle_waits.fetch_add(1, Ordering::Relaxed);
            self.stats
                .throttle_wait_micros
                .fetch_add(wait.as_micros() as u64, Ordering::Relaxed);
            self.metrics
                .sync_throttle_wait_seconds
                .get_or_create(&self.labels())
                .inc_by(wait.as_secs_f64());
            tokio::time::sleep(wait).await;
        }
        self.bucket.lock().expect("bucket lock").take(expected);
    }

    fn observe(&self, name: &str, cost: &QueryCost) {
        let status = cost.throttle_status;
        if let Some(actual) = cost.actual_query_cost {
            self.stats
                .points_milli
                .fetch_add((actual.max(0.0) * 1000.0) as u64, Ordering::Relaxed);
        }
        self.bucket.lock().expect("bucket lock").observe(&status);
        self.expected
            .lock()
            .expect("expected lock")
            .insert(name.to_string(), cost.requested_query_cost);
        let labels = self.labels();
        self.metrics
            .bucket_available
            .get_or_create(&labels)
            .set(status.currently_available);
        self.metrics
            .bucket_maximum
            .get_or_create(&labels)
            .set(status.maximum_available);
    }

    /// The requested cost Shopify reported for `name` last time.
    pub fn last_cost(&self, name: &str) -> Option<f64> {
        self.expected
            .lock()
            .expect("expected lock")
            .get(name)
            .copied()
    }

    /// Sets the expected cost of `name` (its page size changed).
    pub fn expect_cost(&self, name: &str, cost: f64) {
        self.expected
            .lock()
            .expect("expected lock")
            .insert(name.to_string(), cost);
    }
}

fn truncate(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

#[cfg(test)]
mod answer_tests;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_with_jitter_and_caps() {
        let mut b = Backoff::new(Duration::from_millis(100), Duration::from_secs(1));
        let first = b.next_delay();
        assert!(first >= Duration::from_millis(50) && first <= Duration::from_millis(100));
        let second = b.next_delay();
        assert!(second >= Duration::from_millis(100) && second <= Duration::from_millis(200));
        // 400 ms and 800 ms steps, then capped at 1 s.
        b.next_delay();
        b.next_delay();
        for _ in 0..20 {
            let d = b.next_delay();
            assert!(
                d >= Duration::from_millis(500) && d <= Duration::from_secs(1),
                "{d:?}"
            );
        }
        b.reset();
        assert!(b.next_delay() <= Duration::from_millis(100));
    }

    #[test]
    fn truncation_respects_char_boundaries() {
        assert_eq!(truncate("héllo", 2), "h…");
        assert_eq!(truncate("abc", 10), "abc");
    }
}
