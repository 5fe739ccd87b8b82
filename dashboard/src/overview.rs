//! Overview: KPI cards with the change against the previous period, the revenue chart and the
//! top customers, for a chosen shop (or every shop the token sees) and period.

use std::rc::Rc;

use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use xeno_api_types::analytics::{
    Figures, Money, SeriesResponse, StatsResponse, TopCustomersResponse,
};
use xeno_api_types::shops::{ShopInfo, ShopsResponse};

use crate::api;
use crate::chart::RevenueChart;
use crate::util::{approx, change, money, short_time, use_poll};

/// The reporting period: the last N days, or two dates (UTC midnights).
#[derive(Clone, PartialEq)]
enum Range {
    Days(u32),
    Custom,
}

const PRESETS: &[(u32, &str)] = &[
    (1, "Last 24 hours"),
    (7, "Last 7 days"),
    (30, "Last 30 days"),
    (90, "Last 90 days"),
    (365, "Last 12 months"),
];

fn iso(ms: f64) -> String {
    js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms))
        .to_iso_string()
        .as_string()
        .unwrap_or_default()
}

/// `from`, `to` and the bucket for the chart. `to` is the next whole minute, so the query
/// (and so the polling path) stays the same for a minute.
fn period(
    range: &Range,
    custom_from: &str,
    custom_to: &str,
) -> Option<(String, String, &'static str)> {
    let (from_ms, to_ms) = match range {
        Range::Days(days) => {
            let minute = 60_000.0;
            let to = (js_sys::Date::now() / minute).ceil() * minute;
            (to - *days as f64 * 86_400_000.0, to)
        }
        Range::Custom => {
            let parse = |d: &str| {
                let t = js_sys::Date::parse(&format!("{d}T00:00:00Z"));
                (!t.is_nan()).then_some(t)
            };
            let from = parse(custom_from)?;
            let to = parse(custom_to)? + 86_400_000.0;
            if from >= to {
                return None;
            }
            (from, to)
        }
    };
    let days = (to_ms - from_ms) / 86_400_000.0;
    let bucket = if days <= 2.0 {
        "hour"
    } else if days <= 120.0 {
        "day"
    } else {
        "week"
    };
    Some((iso(from_ms), iso(to_ms), bucket))
}

#[derive(Properties, PartialEq)]
struct KpiProps {
    title: AttrValue,
    value: String,
    current: f64,
    previous: f64,
    /// A rise is bad news (refunds).
    #[prop_or_default]
    invert: bool,
}

#[function_component(Kpi)]
fn kpi(props: &KpiProps) -> Html {
    let delta = change(props.current, props.previous);
    let (text, class) = match delta {
        None if props.current == 0.0 => ("—".to_string(), "flat"),
        None => ("new".to_string(), if props.invert { "down" } else { "up" }),
        Some(d) => {
            let good = (d >= 0.0) != props.invert;
            let arrow = if d > 0.05 {
                "▲"
            } else if d < -0.05 {
                "▼"
            } else {
                "■"
            };
            (
                format!("{arrow} {:.1}%", d.abs()),
                if d.abs() < 0.05 {
                    "flat"
                } else if good {
                    "up"
                } else {
                    "down"
                },
            )
        }
    };
    html! {
        <div class="card kpi">
            <div class="kpi-title">{ props.title.clone() }</div>
            <div class="kpi-value">{ props.value.clone() }</div>
            <div class={classes!("kpi-change", class)}>{ text }<span class="muted">{ " vs previous period" }</span></div>
        </div>
    }
}

fn amount(m: &Money, currency: &str) -> String {
    m.get(currency).cloned().unwrap_or_else(|| "0.00".into())
}

fn kpis(stats: &StatsResponse, currency: &str) -> Html {
    let (c, p): (&Figures, &Figures) = (&stats.current, &stats.previous);
    let cell = |title: &'static str, m: fn(&Figures) -> &Money, invert: bool| {
        let now = amount(m(c), currency);
        let before = amount(m(p), currency);
        html! { <Kpi title={title} value={money(&now, currency)} current={approx(&now)} previous={approx(&before)} {invert} /> }
    };
    let count = |title: &'static str, now: i64, before: i64| {
        html! { <Kpi title={title} value={now.to_string()} current={now as f64} previous={before as f64} /> }
    };
    html! {
        <div class="kpis">
            { cell("Revenue", |f| &f.revenue, false) }
            { cell("Net revenue", |f| &f.net_revenue, false) }
            { count("Orders", c.orders_count, p.orders_count) }
            { cell("Average order", |f| &f.average_order_value, false) }
            { cell("Refunds", |f| &f.refunds, true) }
            { count("New customers", c.customers_count, p.customers_count) }
            { count("Products", c.products_count, p.products_count) }
        </div>
    }
}

fn select_value(e: &Event) -> String {
    e.target_unchecked_into::<HtmlSelectElement>().value()
}

/// The stats and series paths of the chosen period and shop, and the series' bucket.
fn query_paths(
    window: Option<&(String, String, &'static str)>,
    shop_q: &str,
) -> (String, String, &'static str) {
    match window {
        Some((from, to, bucket)) => (
            format!(
                "/api/stats?from={}&to={}{shop_q}",
                api::enc(from),
                api::enc(to)
            ),
            format!(
                "/api/revenue-series?from={}&to={}&bucket={bucket}{shop_q}",
                api::enc(from),
                api::enc(to)
            ),
            bucket,
        ),
        None => (String::new(), String::new(), "day"),
    }
}

/// Currencies seen in the period (the series', else the stats').
fn currencies_of(series: Option<&SeriesResponse>, stats: Option<&StatsResponse>) -> Vec<String> {
    series
        .map(|s| s.currencies.clone())
        .filter(|c| !c.is_empty())
        .or_else(|| stats.map(|s| s.current.revenue.keys().cloned().collect()))
        .unwrap_or_default()
}

/// The chosen currency, else the one with most revenue, else the first seen, else the shops'.
fn pick_currency(
    chosen: Option<&String>,
    currencies: &[String],
    stats: Option<&StatsResponse>,
    shops: Option<&ShopsResponse>,
) -> String {
    chosen
        .filter(|c| currencies.contains(c))
        .cloned()
        .or_else(|| {
            stats.and_then(|s| {
                s.current
                    .revenue
                    .iter()
                    .max_by(|a, b| approx(a.1).total_cmp(&approx(b.1)))
                    .map(|(c, _)| c.clone())
            })
        })
        .or_else(|| currencies.first().cloned())
        .unwrap_or_else(|| {
            shops
                .and_then(|s| s.shops.iter().find_map(|s| s.currency.clone()))
                .unwrap_or_else(|| "USD".into())
        })
}

fn revenue_card(series: Option<&SeriesResponse>, currency: &str, bucket: &str) -> Html {
    html! {
        <div class="card">
            <div class="card-head">
                <h2>{ format!("Revenue per {bucket}") }</h2>
                <span class="muted small">{ series.map(|s| format!("{} · {}", currency, s.time_zone)).unwrap_or_default() }</span>
            </div>
            { match series {
                Some(s) => html! { <RevenueChart points={Rc::new(s.points.clone())} currency={currency.to_string()} bucket={s.bucket} /> },
                None => html! { <div class="chart empty">{ "Loading…" }</div> },
            } }
        </div>
    }
}

fn shop_select(shops: &[ShopInfo], shop: &str, on_shop: Callback<Event>, many: bool) -> Html {
    html! {
        <label>{ "Shop " }
            <select onchange={on_shop}>
                <option value="" selected={shop.is_empty()}>{ if many { "All shops" } else { "Every shop" } }</option>
                { for shops.iter().map(|s| html! {
                    <option value={s.shop.clone()} selected={shop == s.shop}>{ s.shop.clone() }</option>
                }) }
            </select>
        </label>
    }
}

fn currency_select(currencies: &[String], currency: &str, on_currency: Callback<Event>) -> Html {
    html! {
        <label>{ "Currency " }
            <select onchange={on_currency}>
                { for currencies.iter().map(|c| html! {
                    <option value={c.clone()} selected={c == currency}>{ c.clone() }</option>
                }) }
            </select>
        </label>
    }
}

/// The period presets, and the two date inputs of a custom period.
fn period_select(
    range: UseStateHandle<Range>,
    custom_from: UseStateHandle<String>,
    custom_to: UseStateHandle<String>,
) -> Html {
    let date_input = |state: UseStateHandle<String>| {
        Callback::from(move |e: Event| {
            state.set(e.target_unchecked_into::<HtmlInputElement>().value())
        })
    };
    let on_range = {
        let range = range.clone();
        Callback::from(move |e: Event| {
            let v = select_value(&e);
            range.set(v.parse().map(Range::Days).unwrap_or(Range::Custom));
        })
    };
    html! {
        <>
            <label>{ "Period " }
                <select onchange={on_range}>
                    { for PRESETS.iter().map(|(d, l)| html! {
                        <option value={d.to_string()} selected={*range == Range::Days(*d)}>{ *l }</option>
                    }) }
                    <option value="custom" selected={*range == Range::Custom}>{ "Custom dates" }</option>
                </select>
            </label>
            if *range == Range::Custom {
                <label>{ "From " }<input type="date" value={(*custom_from).clone()} onchange={date_input(custom_from.clone())} /></label>
                <label>{ "To " }<input type="date" value={(*custom_to).clone()} onchange={date_input(custom_to.clone())} /></label>
            }
        </>
    }
}

#[function_component(Overview)]
pub fn overview() -> Html {
    let shops = use_poll::<ShopsResponse>("/api/shops".into(), 60_000, 0);
    let shop = use_state(String::new);
    let range = use_state(|| Range::Days(30));
    let custom_from = use_state(String::new);
    let custom_to = use_state(String::new);
    let chosen_currency = use_state(|| None::<String>);

    let window = period(&range, &custom_from, &custom_to);
    let shop_q = if shop.is_empty() {
        String::new()
    } else {
        format!("&shop={}", api::enc(&shop))
    };
    let (stats_path, series_path, bucket) = query_paths(window.as_ref(), &shop_q);
    let stats = use_poll::<StatsResponse>(stats_path, 10_000, 0);
    let series = use_poll::<SeriesResponse>(series_path, 10_000, 0);
    let top =
        use_poll::<TopCustomersResponse>(format!("/api/top-customers?limit=10{shop_q}"), 30_000, 0);

    let currencies = currencies_of(series.data.as_deref(), stats.data.as_deref());
    let currency = pick_currency(
        chosen_currency.as_ref(),
        &currencies,
        stats.data.as_deref(),
        shops.data.as_deref(),
    );

    let on_shop = {
        let shop = shop.clone();
        Callback::from(move |e: Event| shop.set(select_value(&e)))
    };
    let on_currency = {
        let chosen = chosen_currency.clone();
        Callback::from(move |e: Event| chosen.set(Some(select_value(&e))))
    };
    let shop_options = shops
        .data
        .as_ref()
        .map(|s| s.shops.clone())
        .unwrap_or_default();
    let many_shops = shop_options.len() > 1;
    html! {
        <section class="overview">
            <div class="controls">
                { shop_select(&shop_options, &shop, on_shop, many_shops) }
                { period_select(range.clone(), custom_from.clone(), custom_to.clone()) }
                if currencies.len() > 1 {
                    { currency_select(&currencies, &currency, on_currency) }
                }
            </div>
            if window.is_none() {
                <p class="muted">{ "Pick a start and an end date." }</p>
            }
            if let Some(e) = stats.error.as_ref().filter(|e| **e != api::CallError::Unreachable) {
                <p class="error">{ e.describe() }</p>
            }
            { match &stats.data {
                Some(s) => kpis(s, &currency),
                None => html! { <div class="kpis"><div class="card kpi loading">{ "Loading…" }</div></div> },
            } }
            { revenue_card(series.data.as_deref(), &currency, bucket) }
            <div class="card">
                <div class="card-head"><h2>{ "Top customers" }</h2><span class="muted small">{ format!("by net spend, all time, {currency}") }</span></div>
                { top_table(top.data.as_deref(), &currency, many_shops && shop.is_empty()) }
            </div>
        </section>
    }
}

fn top_table(top: Option<&TopCustomersResponse>, currency: &str, show_shop: bool) -> Html {
    let Some(top) = top else {
        return html! { <p class="muted">{ "Loading…" }</p> };
    };
    let Some(ranking) = top.by_currency.iter().find(|r| r.currency == currency) else {
        return html! { <p class="muted">{ "No customers with orders yet." }</p> };
    };
    html! {
        <div class="table-wrap">
            <table>
                <thead><tr>
                    <th>{ "#" }</th><th>{ "Customer" }</th>
                    if show_shop { <th>{ "Shop" }</th> }
                    <th class="num">{ "Orders" }</th><th class="num">{ "Spent" }</th><th>{ "Last order" }</th>
                </tr></thead>
                <tbody>
                    { for ranking.customers.iter().enumerate().map(|(i, c)| html! {
                        <tr>
                            <td>{ i + 1 }</td>
                            <td>
                                <div>{ c.name.clone().unwrap_or_else(|| format!("Customer #{}", c.customer_id)) }</div>
                                <div class="muted small">{ c.email.clone().unwrap_or_default() }</div>
                            </td>
                            if show_shop { <td class="small">{ c.shop.clone() }</td> }
                            <td class="num">{ c.orders_count }</td>
                            <td class="num">{ money(&c.spent, currency) }</td>
                            <td class="small">{ c.last_order_at.as_ref().map(short_time).unwrap_or_default() }</td>
                        </tr>
                    }) }
                </tbody>
            </table>
        </div>
    }
}
