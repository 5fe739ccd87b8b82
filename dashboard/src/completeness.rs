//! The completeness card of the health view: per shop and resource, the rows stored next to
//! Shopify's own count at the sync's last comparison (`GET /api/completeness`), so silent loss
//! shows as a red difference instead of a number that merely looks low.

use yew::prelude::*;

use xeno_api_types::completeness::{CompletenessResponse, ResourceCount};

use crate::util::{ago, use_poll};

fn difference_pill(c: &ResourceCount) -> Html {
    let (class, text) = match c.difference {
        0 if c.precision == "EXACT" => ("ok", "complete".to_string()),
        0 => ("warn", format!("at least {}", c.shopify)),
        d if d > 0 => ("bad", format!("{d} missing")),
        d => ("warn", format!("{} extra", -d)),
    };
    html! { <span class={classes!("pill", class)}>{ text }</span> }
}

#[function_component(CompletenessCard)]
pub fn completeness_card() -> Html {
    let counts = use_poll::<CompletenessResponse>("/api/completeness".into(), 10_000, 0);
    let body = match &counts.data {
        None => html! { <p class="small muted">{ "Loading…" }</p> },
        Some(c) if c.resources.is_empty() => html! {
            <p class="small muted">{ "No sync has compared counts yet: they are compared after every sync run." }</p>
        },
        Some(c) => html! {
            <table>
                <thead><tr><th>{ "Shop" }</th><th>{ "Resource" }</th><th class="num">{ "Stored" }</th><th class="num">{ "Shopify" }</th><th>{ "Difference" }</th><th>{ "Compared" }</th></tr></thead>
                <tbody>
                    { for c.resources.iter().map(|r| html! {
                        <tr>
                            <td>{ r.shop.clone() }</td>
                            <td>
                                { r.resource.clone() }
                                if let Some(f) = &r.filter {
                                    <div class="small muted" title="both counts cover only these objects (backfill_since)">{ f.clone() }</div>
                                }
                            </td>
                            <td class="num">{ r.stored }</td>
                            <td class="num">{ r.shopify }</td>
                            <td>{ difference_pill(r) }</td>
                            <td class="small muted">{ ago(Some(&r.compared_at)) }</td>
                        </tr>
                    }) }
                </tbody>
            </table>
        },
    };
    html! {
        <div class="card">
            <h2>{ "Completeness" }</h2>
            { body }
        </div>
    }
}
