//! Shared pieces: the session context, the polling hook, number and time formatting.

use std::cell::Cell;
use std::rc::Rc;

use gloo_timers::callback::Interval;
use serde::de::DeserializeOwned;
use xeno_api_types::chrono::{DateTime, Utc};
use yew::prelude::*;

use crate::api::{self, CallError};

/// What every page needs: the token, and how to report trouble upwards.
#[derive(Clone, PartialEq)]
pub struct Session {
    pub token: Rc<str>,
    /// The token was refused: back to the login screen.
    pub logout: Callback<()>,
    /// Whether the last call reached the engine (drives the "unreachable" banner).
    pub reachable: Callback<bool>,
}

impl Session {
    /// Reports a call's outcome (banner, logout) and passes it on.
    pub fn note<T>(&self, result: &Result<T, CallError>) {
        match result {
            Ok(_) | Err(CallError::Status(..)) => self.reachable.emit(true),
            Err(CallError::Unreachable) => self.reachable.emit(false),
            Err(CallError::Unauthorized) => self.logout.emit(()),
        }
    }
}

/// The latest answer of a polled route, kept while later polls fail.
pub struct Polled<T> {
    pub data: Option<Rc<T>>,
    pub error: Option<CallError>,
}

impl<T> Default for Polled<T> {
    fn default() -> Self {
        Polled {
            data: None,
            error: None,
        }
    }
}

impl<T: 'static> Reducible for Polled<T> {
    type Action = Result<T, CallError>;

    fn reduce(self: Rc<Self>, action: Self::Action) -> Rc<Self> {
        Rc::new(match action {
            Ok(data) => Polled {
                data: Some(Rc::new(data)),
                error: None,
            },
            Err(error) => Polled {
                data: self.data.clone(),
                error: Some(error),
            },
        })
    }
}

/// Fetches `path` now, again every `every_ms`, and whenever `path` or `refresh` changes
/// (nothing while `path` is empty).
#[hook]
pub fn use_poll<T>(path: String, every_ms: u32, refresh: u32) -> UseReducerHandle<Polled<T>>
where
    T: DeserializeOwned + 'static,
{
    let session = use_context::<Session>().expect("session context");
    let state = use_reducer(Polled::<T>::default);
    {
        let dispatcher = state.dispatcher();
        use_effect_with((path, refresh), move |(path, _)| {
            let alive = Rc::new(Cell::new(!path.is_empty()));
            let fetch = {
                let path = path.clone();
                let alive = alive.clone();
                move || {
                    let path = path.clone();
                    let alive = alive.clone();
                    let session = session.clone();
                    let dispatcher = dispatcher.clone();
                    wasm_bindgen_futures::spawn_local(async move {
                        let result = api::get::<T>(&path, &session.token).await;
                        if alive.get() {
                            session.note(&result);
                            dispatcher.dispatch(result);
                        }
                    });
                }
            };
            if alive.get() {
                fetch();
            }
            let interval = alive.get().then(|| Interval::new(every_ms, fetch));
            move || {
                alive.set(false);
                drop(interval);
            }
        });
    }
    state
}

/// `12345.6` → `12,345.60`-style grouping of an exact decimal string (digits untouched).
pub fn group_digits(amount: &str) -> String {
    let (sign, rest) = match amount.strip_prefix('-') {
        Some(r) => ("-", r),
        None => ("", amount),
    };
    let (int, frac) = match rest.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (rest, None),
    };
    let mut grouped = String::new();
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    match frac {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

/// An amount with its currency: `12,345.60 USD`.
pub fn money(amount: &str, currency: &str) -> String {
    format!("{} {currency}", group_digits(amount))
}

/// A decimal string as a float, for charts and percentages only (never for display).
pub fn approx(amount: &str) -> f64 {
    amount.parse().unwrap_or(0.0)
}

/// Change from `previous` to `current` in percent; `None` when there was nothing before.
pub fn change(current: f64, previous: f64) -> Option<f64> {
    (previous != 0.0).then(|| (current - previous) / previous.abs() * 100.0)
}

/// A compact number for axes: 950, 1.2k, 3.4M.
pub fn compact(value: f64) -> String {
    let a = value.abs();
    if a >= 1e9 {
        format!("{:.1}B", value / 1e9)
    } else if a >= 1e6 {
        format!("{:.1}M", value / 1e6)
    } else if a >= 1e4 {
        format!("{:.0}k", value / 1e3)
    } else if a >= 1e3 {
        format!("{:.1}k", value / 1e3)
    } else if a >= 10.0 || a == 0.0 {
        format!("{value:.0}")
    } else {
        format!("{value:.1}")
    }
}

/// `2025-07-10T16:15:47.123Z` → `2025-07-10 16:15:47` (UTC, as the engine sends times).
pub fn short_time(t: &DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%S").to_string()
}

/// Seconds since `t`, by the browser's clock.
pub fn age_seconds(t: &DateTime<Utc>) -> f64 {
    (js_sys::Date::now() - t.timestamp_millis() as f64) / 1000.0
}

/// `95` → `1m 35s`, `7300` → `2h 1m`.
pub fn duration(secs: f64) -> String {
    let s = secs.max(0.0) as u64;
    match s {
        0..=59 => format!("{s}s"),
        60..=3599 => format!("{}m {}s", s / 60, s % 60),
        3600..=86399 => format!("{}h {}m", s / 3600, (s % 3600) / 60),
        _ => format!("{}d {}h", s / 86400, (s % 86400) / 3600),
    }
}

/// "3m 5s ago", or "never".
pub fn ago(t: Option<&DateTime<Utc>>) -> String {
    match t.map(age_seconds) {
        Some(s) => format!("{} ago", duration(s)),
        None => "never".into(),
    }
}
