//! The revenue chart: hand-made SVG bars with axes, gridlines and a hover tooltip. Scales
//! with its container (viewBox), so it reads on a phone as on a laptop.

use std::rc::Rc;

use yew::prelude::*;

use crate::util::{approx, compact, money};
use xeno_api_types::analytics::{Bucket, SeriesPoint};
use xeno_api_types::chrono::NaiveDateTime;

const W: f64 = 800.0;
const H: f64 = 280.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 14.0;
const BOTTOM: f64 = 30.0;

#[derive(Properties, PartialEq)]
pub struct ChartProps {
    pub points: Rc<Vec<SeriesPoint>>,
    pub currency: String,
    /// How bucket starts are labelled.
    pub bucket: Bucket,
}

/// A "nice" step (1, 2, 2.5 or 5 × 10ⁿ) giving about `ticks` intervals up to `max`.
pub fn nice_step(max: f64, ticks: f64) -> f64 {
    if max <= 0.0 {
        return 1.0;
    }
    let raw = max / ticks;
    let magnitude = 10f64.powf(raw.log10().floor());
    let residual = raw / magnitude;
    let nice = if residual <= 1.0 {
        1.0
    } else if residual <= 2.0 {
        2.0
    } else if residual <= 2.5 {
        2.5
    } else if residual <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * magnitude
}

fn label(start: &NaiveDateTime, bucket: Bucket) -> String {
    match bucket {
        Bucket::Hour => start.format("%m-%d %H:%M").to_string(),
        Bucket::Day | Bucket::Week => start.format("%m-%d").to_string(),
    }
}

/// The hover box of one point, `left` percent from the chart's left edge.
fn tooltip(p: &SeriesPoint, left: f64, currency: &str) -> Html {
    let zero = "0.00".to_string();
    let revenue = p.revenue.get(currency).unwrap_or(&zero);
    let refunds = p.refunds.get(currency).unwrap_or(&zero);
    let style = format!("left: {left:.2}%");
    let class = classes!("tooltip", (left > 60.0).then_some("flip"));
    html! {
        <div {class} {style}>
            <strong>{ p.start.format("%Y-%m-%d %H:%M:%S").to_string() }</strong>
            <div>{ format!("Revenue {}", money(revenue, currency)) }</div>
            <div>{ format!("Refunds {}", money(refunds, currency)) }</div>
            <div>{ format!("{} orders", p.orders_count) }</div>
        </div>
    }
}

#[function_component(RevenueChart)]
pub fn revenue_chart(props: &ChartProps) -> Html {
    let hover = use_state(|| None::<usize>);
    let points = &props.points;
    if points.is_empty() {
        return html! { <div class="chart empty">{ "No data for this period." }</div> };
    }
    let values: Vec<f64> = points
        .iter()
        .map(|p| {
            p.revenue
                .get(&props.currency)
                .map(|v| approx(v))
                .unwrap_or(0.0)
        })
        .collect();
    let max = values.iter().cloned().fold(0.0, f64::max);
    let step = nice_step(max, 4.0);
    let top = (max / step).ceil().max(1.0) * step;
    let plot_w = W - LEFT - RIGHT;
    let plot_h = H - TOP - BOTTOM;
    let n = points.len() as f64;
    let slot = plot_w / n;
    let bar = (slot * 0.78).max(1.0);
    let y = |v: f64| TOP + plot_h - (v / top) * plot_h;

    let mut grid = Vec::new();
    let mut tick = 0.0;
    while tick <= top + step / 2.0 {
        let ty = y(tick);
        grid.push(html! {
            <g>
                <line class="grid" x1={LEFT.to_string()} x2={(W - RIGHT).to_string()} y1={ty.to_string()} y2={ty.to_string()} />
                <text class="axis" x={(LEFT - 6.0).to_string()} y={(ty + 4.0).to_string()} text-anchor="end">{ compact(tick) }</text>
            </g>
        });
        tick += step;
    }
    let every = ((n / 7.0).ceil() as usize).max(1);
    let x_labels = points.iter().enumerate().filter(|(i, _)| i % every == 0).map(|(i, p)| {
        let x = LEFT + slot * (i as f64 + 0.5);
        html! { <text class="axis" x={x.to_string()} y={(H - 10.0).to_string()} text-anchor="middle">{ label(&p.start, props.bucket) }</text> }
    });
    let bars = values.iter().enumerate().map(|(i, v)| {
        let x = LEFT + slot * i as f64 + (slot - bar) / 2.0;
        let top_y = y(*v);
        let onmouseenter = {
            let hover = hover.clone();
            Callback::from(move |_| hover.set(Some(i)))
        };
        let class = classes!("bar", (*hover == Some(i)).then_some("hot"));
        html! {
            <g {onmouseenter}>
                <rect class="hit" x={(LEFT + slot * i as f64).to_string()} y={TOP.to_string()} width={slot.to_string()} height={plot_h.to_string()} />
                <rect {class} x={x.to_string()} y={top_y.to_string()} width={bar.to_string()} height={(TOP + plot_h - top_y).max(0.0).to_string()} rx="2" />
            </g>
        }
    });
    let onmouseleave = {
        let hover = hover.clone();
        Callback::from(move |_| hover.set(None))
    };
    let tooltip = hover
        .and_then(|i| points.get(i).map(|p| (i, p)))
        .map(|(i, p)| {
            tooltip(
                p,
                (LEFT + slot * (i as f64 + 0.5)) / W * 100.0,
                &props.currency,
            )
        });
    html! {
        <div class="chart" {onmouseleave}>
            <svg viewBox={format!("0 0 {W} {H}")} role="img" aria-label={format!("Revenue in {} per {}", props.currency, props.bucket.as_str())}>
                { for grid }
                <line class="axis-line" x1={LEFT.to_string()} x2={(W - RIGHT).to_string()} y1={(TOP + plot_h).to_string()} y2={(TOP + plot_h).to_string()} />
                { for bars }
                { for x_labels }
            </svg>
            { tooltip.unwrap_or_default() }
        </div>
    }
}
