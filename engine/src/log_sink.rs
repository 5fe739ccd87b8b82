//! The live log: every actor's structured `tracing` events at INFO and above become
//! [`LogEvent`]s, broadcast at once to live-stream subscribers (the dashboard's terminal) and
//! persisted in batches into `event_log` by the [`LogSink`] actor.
//!
//! Neighbours: [`LogLayer`] is installed in the tracing subscriber by `main`; the HTTP API
//! reads [`LogHub`] for `/api/events/stream` and the recent-events feed.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use chrono::{DateTime, Utc};
use deadpool_postgres::Pool;
use ractor::{Actor, ActorProcessingErr, ActorRef};
use tokio::sync::{broadcast, mpsc};
use tracing::field::{Field, Visit};
use tracing::{Level, Subscriber};
use tracing_subscriber::layer::Context;
use tracing_subscriber::Layer;

/// One line of the live log: the same type the live stream serialises and the dashboard
/// decodes (`api-types/src/live.rs`), so the three can never disagree.
pub type LogEvent = xeno_api_types::live::LiveEvent;

/// Fan-out of live events plus a bounded window of the most recent ones.
#[derive(Clone)]
pub struct LogHub {
    inner: Arc<HubInner>,
}

struct HubInner {
    live: broadcast::Sender<LogEvent>,
    recent: Mutex<VecDeque<LogEvent>>,
    to_sink: mpsc::Sender<LogEvent>,
    from_sink: Mutex<Option<mpsc::Receiver<LogEvent>>>,
    seq: std::sync::atomic::AtomicU64,
    dropped: std::sync::atomic::AtomicU64,
}

/// How many events `recent()` keeps for the dashboard's first paint.
const RECENT: usize = 500;
/// Events waiting for the database; beyond this they are counted as dropped, never blocking.
const SINK_BACKLOG: usize = 20_000;

impl Default for LogHub {
    fn default() -> Self {
        Self::new()
    }
}

impl LogHub {
    pub fn new() -> LogHub {
        let (live, _) = broadcast::channel(4096);
        let (to_sink, from_sink) = mpsc::channel(SINK_BACKLOG);
        LogHub {
            inner: Arc::new(HubInner {
                live,
                recent: Mutex::new(VecDeque::with_capacity(RECENT)),
                to_sink,
                from_sink: Mutex::new(Some(from_sink)),
                seq: 0.into(),
                dropped: 0.into(),
            }),
        }
    }

    /// Publishes an event to live subscribers, the recent window and the database queue.
    pub fn emit(&self, mut event: LogEvent) {
        use std::sync::atomic::Ordering;
        event.seq = self.inner.seq.fetch_add(1, Ordering::Relaxed) + 1;
        {
            let mut recent = self.inner.recent.lock().expect("log window lock");
            if recent.len() == RECENT {
                recent.pop_front();
            }
            recent.push_back(event.clone());
        }
        let _ = self.inner.live.send(event.clone());
        if self.inner.to_sink.try_send(event).is_err() {
            self.inner.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<LogEvent> {
        self.inner.live.subscribe()
    }

    /// The most recent events, oldest first.
    pub fn recent(&self) -> Vec<LogEvent> {
        self.inner
            .recent
            .lock()
            .expect("log window lock")
            .iter()
            .cloned()
            .collect()
    }

    /// Events that could not be queued for the database.
    pub fn dropped(&self) -> u64 {
        self.inner
            .dropped
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    fn take_receiver(&self) -> Option<mpsc::Receiver<LogEvent>> {
        self.inner.from_sink.lock().expect("sink lock").take()
    }

    fn give_back_receiver(&self, rx: mpsc::Receiver<LogEvent>) {
        *self.inner.from_sink.lock().expect("sink lock") = Some(rx);
    }
}

/// The process-wide hub the tracing layer writes to. Set once by [`LogLayer::new`]; engines
/// started in the same process (tests) share it.
static GLOBAL_HUB: OnceLock<LogHub> = OnceLock::new();

/// The hub the tracing layer feeds (created on first use).
pub fn global_hub() -> LogHub {
    GLOBAL_HUB.get_or_init(LogHub::new).clone()
}

/// A `tracing` layer that turns this crate's INFO+ events into [`LogEvent`]s.
pub struct LogLayer {
    hub: LogHub,
}

impl Default for LogLayer {
    fn default() -> Self {
        Self::new()
    }
}

impl LogLayer {
    pub fn new() -> LogLayer {
        LogLayer { hub: global_hub() }
    }
}

impl<S: Subscriber> Layer<S> for LogLayer {
    fn on_event(&self, event: &tracing::Event<'_>, _ctx: Context<'_, S>) {
        let meta = event.metadata();
        if *meta.level() > Level::INFO || !meta.target().starts_with("xeno_engine") {
            return;
        }
        let mut visitor = FieldVisitor::default();
        event.record(&mut visitor);
        let source = meta
            .target()
            .split("::")
            .nth(1)
            .unwrap_or("engine")
            .to_string();
        let shop = visitor
            .fields
            .remove("shop")
            .and_then(|v| v.as_str().map(str::to_string));
        self.hub.emit(LogEvent {
            seq: 0,
            at: Utc::now(),
            level: meta.level().as_str().to_string(),
            shop,
            source,
            message: visitor.message,
            fields: visitor.fields,
        });
    }
}

#[derive(Default)]
struct FieldVisitor {
    message: String,
    fields: serde_json::Map<String, serde_json::Value>,
}

impl Visit for FieldVisitor {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message = value.to_string();
        } else {
            self.fields.insert(field.name().into(), value.into());
        }
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.fields.insert(field.name().into(), value.into());
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.fields.insert(field.name().into(), value.into());
    }
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.fields.insert(field.name().into(), value.into());
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.fields.insert(field.name().into(), value.into());
    }
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let text = format!("{value:?}");
        if field.name() == "message" {
            self.message = text;
        } else {
            self.fields.insert(field.name().into(), text.into());
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The actor that persists the log.

/// Persists live-log events into `event_log` in batches.
pub struct LogSink;

pub enum LogSinkMsg {
    /// Write what has queued up (sent by the actor's own timer).
    Flush,
}

pub struct LogSinkArgs {
    pub pool: Pool,
    pub hub: LogHub,
    pub flush_every: Duration,
}

pub struct LogSinkState {
    pool: Pool,
    hub: LogHub,
    rx: Option<mpsc::Receiver<LogEvent>>,
    /// Events taken from the queue but not yet written (kept across a failed flush).
    pending: Vec<LogEvent>,
    timer: Option<tokio::task::JoinHandle<()>>,
}

/// Largest batch written in one INSERT.
const MAX_BATCH: usize = 1000;
/// Events held while PostgreSQL is down before the oldest are discarded.
const MAX_PENDING: usize = 50_000;

impl Actor for LogSink {
    type Msg = LogSinkMsg;
    type State = LogSinkState;
    type Arguments = LogSinkArgs;

    async fn pre_start(
        &self,
        myself: ActorRef<Self::Msg>,
        args: Self::Arguments,
    ) -> Result<Self::State, ActorProcessingErr> {
        let rx = args.hub.take_receiver();
        let timer = myself.send_interval(args.flush_every, || LogSinkMsg::Flush);
        Ok(LogSinkState {
            pool: args.pool,
            hub: args.hub,
            rx,
            pending: Vec::new(),
            timer: Some(timer),
        })
    }

    async fn handle(
        &self,
        _myself: ActorRef<Self::Msg>,
        msg: Self::Msg,
        state: &mut Self::State,
    ) -> Result<(), ActorProcessingErr> {
        match msg {
            LogSinkMsg::Flush => state.flush().await,
        }
        Ok(())
    }

    async fn post_stop(
        &self,
        _myself: ActorRef<Self::Msg>,
        state: &mut Self::State,
    ) -> Result<(), ActorProcessingErr> {
        if let Some(t) = state.timer.take() {
            t.abort();
        }
        state.flush().await;
        // A restarted sink picks up the queue where this one left it.
        if let Some(rx) = state.rx.take() {
            state.hub.give_back_receiver(rx);
        }
        Ok(())
    }
}

impl LogSinkState {
    async fn flush(&mut self) {
        if let Some(rx) = self.rx.as_mut() {
            while self.pending.len() < MAX_PENDING {
                match rx.try_recv() {
                    Ok(e) => self.pending.push(e),
                    Err(_) => break,
                }
            }
        }
        while !self.pending.is_empty() {
            let n = self.pending.len().min(MAX_BATCH);
            match write_batch(&self.pool, &self.pending[..n]).await {
                Ok(()) => {
                    self.pending.drain(..n);
                }
                Err(e) => {
                    // PostgreSQL is away: keep the events (bounded) and try on the next tick.
                    // Logged at DEBUG so the failure does not feed itself into the live log.
                    tracing::debug!(error = %e, "event_log write failed; will retry");
                    if self.pending.len() > MAX_PENDING {
                        let excess = self.pending.len() - MAX_PENDING;
                        self.pending.drain(..excess);
                    }
                    return;
                }
            }
        }
    }
}

async fn write_batch(pool: &Pool, events: &[LogEvent]) -> Result<(), anyhow::Error> {
    let client = pool.get().await?;
    let stmt = client
        .prepare_cached(
            "INSERT INTO event_log (at, level, shop_domain, source, message, fields)
             SELECT * FROM UNNEST($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::text[], $6::jsonb[])",
        )
        .await?;
    let at: Vec<DateTime<Utc>> = events.iter().map(|e| e.at).collect();
    let level: Vec<&str> = events.iter().map(|e| e.level.as_str()).collect();
    let shop: Vec<Option<&str>> = events.iter().map(|e| e.shop.as_deref()).collect();
    let source: Vec<&str> = events.iter().map(|e| e.source.as_str()).collect();
    let message: Vec<&str> = events.iter().map(|e| e.message.as_str()).collect();
    let fields: Vec<serde_json::Value> = events
        .iter()
        .map(|e| serde_json::Value::Object(e.fields.clone()))
        .collect();
    client
        .execute(&stmt, &[&at, &level, &shop, &source, &message, &fields])
        .await?;
    Ok(())
}
