//! The live log terminal: `EventSource` on `/api/events/stream` (the token travels as
//! `?access_token=`, since `EventSource` cannot set headers), coloured by level, filtered by
//! level and shop on the server, pausable, and bounded to the last [`WINDOW`] lines so it
//! stays responsive at thousands of lines a minute (renders are batched, not one per line).

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use futures::StreamExt;
use gloo_net::eventsource::futures::EventSource;
use gloo_net::eventsource::State;
use gloo_timers::callback::Interval;
use web_sys::HtmlSelectElement;
use yew::prelude::*;

use xeno_api_types::live::LiveEvent;
use xeno_api_types::shops::ShopsResponse;

use crate::api;
use crate::util::{short_time, use_poll, Session};

/// Lines kept on screen.
pub const WINDOW: usize = 1000;

/// Lines received, shared between the stream task and the view.
#[derive(Default)]
struct Buffer {
    lines: VecDeque<LiveEvent>,
    /// Bumped on every change; the view re-renders when it moved.
    version: u64,
    connected: bool,
}

type SharedBuffer = Rc<RefCell<Buffer>>;

/// Opens the stream for one filter choice into a cleared `buffer`; the returned closure
/// closes it.
fn open_stream(buffer: SharedBuffer, token: &str, level: &str, shop: &str) -> impl FnOnce() {
    let mut url = format!(
        "/api/events/stream?access_token={}&level={}",
        api::enc(token),
        api::enc(level)
    );
    if !shop.is_empty() {
        url.push_str(&format!("&shop={}", api::enc(shop)));
    }
    {
        let mut b = buffer.borrow_mut();
        b.lines.clear();
        b.version += 1;
    }
    let source = Rc::new(RefCell::new(EventSource::new(&url).ok()));
    if let Some(es) = source.borrow_mut().as_mut() {
        if let Ok(events) = es.subscribe("log") {
            spawn_reader(events, buffer.clone());
        }
    }
    let watcher = connection_watcher(source.clone(), buffer);
    move || {
        drop(watcher);
        if let Some(es) = source.borrow_mut().take() {
            es.close();
        }
    }
}

/// Appends every `log` event to `buffer`, keeping the last [`WINDOW`] lines.
fn spawn_reader(
    mut events: gloo_net::eventsource::futures::EventSourceSubscription,
    buffer: SharedBuffer,
) {
    wasm_bindgen_futures::spawn_local(async move {
        while let Some(item) = events.next().await {
            let Ok((_, message)) = item else { continue };
            let Some(text) = message.data().as_string() else {
                continue;
            };
            let Ok(line) = serde_json::from_str::<LiveEvent>(&text) else {
                continue;
            };
            let mut b = buffer.borrow_mut();
            if b.lines.len() == WINDOW {
                b.lines.pop_front();
            }
            b.lines.push_back(line);
            b.version += 1;
        }
    });
}

/// Checks once a second whether the stream is open, for the "live" pill.
fn connection_watcher(source: Rc<RefCell<Option<EventSource>>>, buffer: SharedBuffer) -> Interval {
    Interval::new(1000, move || {
        let open = source
            .borrow()
            .as_ref()
            .is_some_and(|es| es.state() == State::Open);
        let mut b = buffer.borrow_mut();
        if b.connected != open {
            b.connected = open;
            b.version += 1;
        }
    })
}

/// Sets `state` to the value a `<select>` changed to.
fn select_setter(state: UseStateHandle<String>) -> Callback<Event> {
    Callback::from(move |e: Event| {
        state.set(e.target_unchecked_into::<HtmlSelectElement>().value())
    })
}

/// Pauses (freezing the lines shown) or resumes.
fn pause_toggle(
    paused: UseStateHandle<bool>,
    frozen: UseStateHandle<Vec<LiveEvent>>,
    buffer: SharedBuffer,
) -> Callback<MouseEvent> {
    Callback::from(move |_| {
        if !*paused {
            frozen.set(buffer.borrow().lines.iter().cloned().collect());
        }
        paused.set(!*paused);
    })
}

fn level_select(level: &str, on_level: Callback<Event>) -> Html {
    const LEVELS: [(&str, &str); 4] = [
        ("debug", "Everything"),
        ("info", "Info and up"),
        ("warn", "Warnings and errors"),
        ("error", "Errors only"),
    ];
    html! {
        <label>{ "Level " }
            <select onchange={on_level}>
                { for LEVELS.iter().map(|(v, l)| html! {
                    <option value={*v} selected={level == *v}>{ *l }</option>
                }) }
            </select>
        </label>
    }
}

#[function_component(LiveLog)]
pub fn live_log() -> Html {
    let session = use_context::<Session>().expect("session context");
    let shops = use_poll::<ShopsResponse>("/api/shops".into(), 60_000, 0);
    let level = use_state(|| "info".to_string());
    let shop = use_state(String::new);
    let paused = use_state(|| false);
    let buffer = use_mut_ref(Buffer::default);
    let shown = use_state(|| 0u64);
    let frozen = use_state(Vec::<LiveEvent>::new);

    // One stream per filter choice; dropping the EventSource closes it.
    {
        let buffer = buffer.clone();
        let token = session.token.clone();
        use_effect_with(((*level).clone(), (*shop).clone()), move |(level, shop)| {
            open_stream(buffer, &token, level, shop)
        });
    }

    // Batch renders: at most four a second, whatever the line rate.
    {
        let buffer = buffer.clone();
        let shown = shown.clone();
        use_effect_with((), move |_| {
            let tick = Interval::new(250, move || {
                let v = buffer.borrow().version;
                if *shown != v {
                    shown.set(v);
                }
            });
            move || drop(tick)
        });
    }

    let on_level = select_setter(level.clone());
    let on_shop = select_setter(shop.clone());
    let on_pause = pause_toggle(paused.clone(), frozen.clone(), buffer.clone());
    let on_clear = {
        let buffer = buffer.clone();
        Callback::from(move |_| {
            let mut b = buffer.borrow_mut();
            b.lines.clear();
            b.version += 1;
        })
    };

    let b = buffer.borrow();
    let lines: Vec<LiveEvent> = if *paused {
        (*frozen).clone()
    } else {
        b.lines.iter().cloned().collect()
    };
    let waiting = b.lines.len().saturating_sub(lines.len());
    let connected = b.connected;
    drop(b);
    let shop_options = shops
        .data
        .as_ref()
        .map(|s| s.shops.clone())
        .unwrap_or_default();
    html! {
        <section class="live">
            <div class="controls">
                { level_select(&level, on_level) }
                <label>{ "Shop " }
                    <select onchange={on_shop}>
                        <option value="" selected={shop.is_empty()}>{ "All" }</option>
                        { for shop_options.iter().map(|s| html! {
                            <option value={s.shop.clone()} selected={*shop == s.shop}>{ s.shop.clone() }</option>
                        }) }
                    </select>
                </label>
                <button onclick={on_pause}>{ if *paused { "Resume" } else { "Pause" } }</button>
                <button class="ghost" onclick={on_clear}>{ "Clear" }</button>
                <span class={classes!("pill", if connected { "ok" } else { "bad" })}>
                    { if connected { "live" } else { "reconnecting…" } }
                </span>
                if *paused && waiting > 0 {
                    <span class="muted small">{ format!("{waiting} newer lines waiting") }</span>
                }
            </div>
            <div class="terminal" role="log" aria-live="polite">
                if lines.is_empty() {
                    <div class="muted">{ "Waiting for events…" }</div>
                }
                { for lines.iter().rev().map(line_view) }
            </div>
        </section>
    }
}

fn line_view(line: &LiveEvent) -> Html {
    let level = line.level.to_ascii_lowercase();
    let fields = line
        .fields
        .iter()
        .map(|(k, v)| match v {
            serde_json::Value::String(s) => format!("{k}={s}"),
            other => format!("{k}={other}"),
        })
        .collect::<Vec<_>>()
        .join(" ");
    html! {
        <div class={classes!("line", level.clone())} key={line.seq.to_string()}>
            <span class="t">{ short_time(&line.at) }</span>
            <span class="lvl">{ level.to_uppercase() }</span>
            <span class="src">{ line.source.clone() }</span>
            if let Some(shop) = &line.shop { <span class="shop">{ shop.clone() }</span> }
            <span class="msg">{ line.message.clone() }</span>
            if !fields.is_empty() { <span class="fields">{ fields }</span> }
        </div>
    }
}
