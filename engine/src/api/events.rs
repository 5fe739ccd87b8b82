//! The live log as Server-Sent Events: `GET /api/events/stream?level=&shop=`.
//!
//! Each event is `event: log`, `id: <seq>`, `data: <LogEvent JSON>`. A new connection first
//! gets the recent window (from [`crate::log_sink::LogHub::recent`], after the `Last-Event-ID`
//! the browser sends when it reconnects), then live events. A subscriber that falls behind the
//! broadcast gets `event: lagged` with the number of events it missed, never a stalled engine.
//!
//! A token sees only its shops' lines; lines without a shop (engine-wide) only with `["*"]`.
//! Streams end after [`MAX_STREAM_LIFETIME`]; `EventSource` reconnects on its own and resumes
//! from the last id, and an engine shutting down is never held up for long by open streams.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::stream::{self, Stream, StreamExt};
use tokio::sync::broadcast::error::RecvError;

use super::auth::Access;
use super::error::{ApiError, ApiResult};
use super::params::Params;
use crate::http::state::AppState;
use crate::log_sink::LogEvent;

/// How long one stream stays open before the client is asked to reconnect.
pub const MAX_STREAM_LIFETIME: Duration = Duration::from_secs(300);
/// Lines of the recent window sent on connect.
const BACKLOG: usize = 200;

/// Which live-log lines one subscriber gets.
#[derive(Debug, Clone)]
pub struct EventFilter {
    pub access: Access,
    /// Only this shop's lines (already checked against the token).
    pub shop: Option<String>,
    /// The least severe level shown (`info` shows info, warn and error).
    pub min_level: u8,
}

/// Severity rank of a level name (higher is more severe); `None` for an unknown name.
pub fn level_rank(level: &str) -> Option<u8> {
    match level.to_ascii_lowercase().as_str() {
        "trace" => Some(0),
        "debug" => Some(1),
        "info" => Some(2),
        "warn" | "warning" => Some(3),
        "error" => Some(4),
        _ => None,
    }
}

impl EventFilter {
    pub fn from_params(
        access: Access,
        params: &Params,
        state: &AppState,
    ) -> Result<Self, ApiError> {
        let shop = match params.get("shop") {
            Some(s) => access
                .select_shops(&state.config, Some(s))?
                .into_iter()
                .next(),
            None => None,
        };
        let min_level = match params.get("level") {
            None => 0,
            Some(l) => level_rank(l).ok_or_else(|| {
                ApiError::bad_parameter(
                    "level",
                    format!("`{l}` must be error, warn, info or debug"),
                )
            })?,
        };
        Ok(EventFilter {
            access,
            shop,
            min_level,
        })
    }

    pub fn admits(&self, event: &LogEvent) -> bool {
        if level_rank(&event.level).unwrap_or(2) < self.min_level {
            return false;
        }
        if let Some(shop) = &self.shop {
            return event.shop.as_deref() == Some(shop.as_str());
        }
        self.access.may_see_record(event.shop.as_deref())
    }
}

fn sse_event(event: &LogEvent) -> Event {
    Event::default()
        .event("log")
        .id(event.seq.to_string())
        .json_data(event)
        .unwrap_or_else(|_| Event::default().event("log").data("{}"))
}

/// `GET /api/events/stream`
#[utoipa::path(
    get,
    path = "/api/events/stream",
    tag = "api",
    summary = "The live log as Server-Sent Events",
    params(
        ("shop" = Option<String>, Query, description = "Only this shop (its `*.myshopify.com` domain); default: every line the token sees."),
        ("level" = Option<String>, Query, description = "The least severe level shown: `error`, `warn`, `info`, `debug` or `trace` (default: all)."),
        ("Last-Event-ID" = Option<u64>, Header, description = "Resume after this event id (browsers send it when they reconnect)."),
    ),
    responses(
        (status = 200, description = "`event: log` events whose `data` is a `LiveEvent` and whose `id` is its `seq`; `event: lagged` with `{\"missed\": n}` when this client fell behind. The stream ends after 5 minutes; reconnect with `Last-Event-ID`.", content_type = "text/event-stream", body = xeno_api_types::live::LiveEvent),
        (status = 400, description = "A malformed `shop` or an unknown `level`.", body = xeno_api_types::error::ErrorBody),
        (status = 401, description = "Missing or unknown API token.", body = xeno_api_types::error::ErrorBody),
        (status = 403, description = "The token may not see that shop.", body = xeno_api_types::error::ErrorBody),
        (status = 404, description = "`shop` is not a configured shop.", body = xeno_api_types::error::ErrorBody),
        (status = 503, description = "PostgreSQL (or JetStream) unreachable; retry shortly.", body = xeno_api_types::error::ErrorBody),
    ),
    security(("bearer" = []), ("access_token" = []))
)]
pub async fn stream(
    State(state): State<AppState>,
    access: Access,
    params: Params,
    headers: HeaderMap,
) -> ApiResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    let filter = EventFilter::from_params(access, &params, &state)?;
    let resume_after: u64 = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);

    // Subscribe before reading the window so nothing falls between the two.
    let live = state.log.subscribe();
    let mut backlog: Vec<LogEvent> = state
        .log
        .recent()
        .into_iter()
        .filter(|e| e.seq > resume_after && filter.admits(e))
        .collect();
    if backlog.len() > BACKLOG {
        backlog.drain(..backlog.len() - BACKLOG);
    }
    let last_sent = backlog.last().map(|e| e.seq).unwrap_or(resume_after);
    let backlog = stream::iter(backlog.iter().map(sse_event).map(Ok).collect::<Vec<_>>());

    let live = stream::unfold(
        (live, filter, last_sent),
        |(mut rx, filter, mut last_sent)| async move {
            loop {
                match rx.recv().await {
                    Ok(event) => {
                        if event.seq <= last_sent || !filter.admits(&event) {
                            continue;
                        }
                        last_sent = event.seq;
                        return Some((Ok(sse_event(&event)), (rx, filter, last_sent)));
                    }
                    Err(RecvError::Lagged(missed)) => {
                        let event = Event::default()
                            .event("lagged")
                            .data(format!("{{\"missed\":{missed}}}"));
                        return Some((Ok(event), (rx, filter, last_sent)));
                    }
                    Err(RecvError::Closed) => return None,
                }
            }
        },
    );
    let deadline = tokio::time::sleep(MAX_STREAM_LIFETIME);
    let events = backlog.chain(live).take_until(deadline);
    Ok(Sse::new(events).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(level: &str, shop: Option<&str>) -> LogEvent {
        LogEvent {
            seq: 1,
            at: chrono::Utc::now(),
            level: level.into(),
            shop: shop.map(str::to_string),
            source: "webhook".into(),
            message: "m".into(),
            fields: Default::default(),
        }
    }

    #[test]
    fn scoped_tokens_see_only_their_shops() {
        let scoped = EventFilter {
            access: Access::new("a", Some(vec!["a.myshopify.com".into()])),
            shop: None,
            min_level: 0,
        };
        assert!(scoped.admits(&event("INFO", Some("a.myshopify.com"))));
        assert!(!scoped.admits(&event("INFO", Some("b.myshopify.com"))));
        assert!(!scoped.admits(&event("INFO", None)));

        let all = EventFilter {
            access: Access::new("all", None),
            shop: None,
            min_level: level_rank("warn").unwrap(),
        };
        assert!(all.admits(&event("ERROR", None)));
        assert!(all.admits(&event("WARN", Some("b.myshopify.com"))));
        assert!(!all.admits(&event("INFO", None)));
    }
}
