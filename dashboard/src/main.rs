//! The engine's dashboard, compiled to wasm32 and served by the engine at `/`.
//!
//! - [`api`]: the session token, calls to the JSON API, the answers' shapes.
//! - [`util`]: the session context, the polling hook, formatting.
//! - [`overview`] (KPIs, revenue chart, top customers), [`chart`] (the SVG chart),
//!   [`live`] (the live log terminal), [`health`] (components, queue, dead letters, shops,
//!   sync controls).
//!
//! The token is asked once and kept in sessionStorage; `/#token=…` logs in directly.

mod api;
mod chart;
mod completeness;
mod health;
mod live;
mod overview;
mod util;

use std::rc::Rc;

use web_sys::HtmlInputElement;
use yew::prelude::*;

use util::Session;

#[derive(Clone, Copy, PartialEq)]
enum Tab {
    Overview,
    Live,
    Health,
}

#[function_component(App)]
fn app() -> Html {
    let token = use_state(|| {
        api::take_token_from_fragment()
            .inspect(|t| api::store_token(t))
            .or_else(api::stored_token)
    });
    let reachable = use_state(|| true);
    let tab = use_state(|| Tab::Overview);

    let Some(current) = (*token).clone() else {
        let on_login = {
            let token = token.clone();
            Callback::from(move |t: String| {
                api::store_token(&t);
                token.set(Some(t));
            })
        };
        return html! { <Login {on_login} /> };
    };

    let logout = {
        let token = token.clone();
        Callback::from(move |_| {
            api::forget_token();
            token.set(None);
        })
    };
    let session = Session {
        token: Rc::from(current.as_str()),
        logout: logout.clone(),
        reachable: {
            let reachable = reachable.clone();
            Callback::from(move |ok: bool| {
                if *reachable != ok {
                    reachable.set(ok);
                }
            })
        },
    };
    let tab_button = |t: Tab, label: &str| {
        let tab = tab.clone();
        let class = classes!("tab", (*tab == t).then_some("active"));
        html! { <button {class} onclick={move |_| tab.set(t)}>{ label.to_string() }</button> }
    };
    html! {
        <ContextProvider<Session> context={session}>
            <header class="top">
                <span class="brand">{ "xeno" }</span>
                <nav>
                    { tab_button(Tab::Overview, "Overview") }
                    { tab_button(Tab::Live, "Live log") }
                    { tab_button(Tab::Health, "System health") }
                </nav>
                <button class="ghost" onclick={move |_| logout.emit(())}>{ "Sign out" }</button>
            </header>
            if !*reachable {
                <div class="banner" role="status">{ "Engine unreachable — retrying…" }</div>
            }
            <main>
                { match *tab {
                    Tab::Overview => html! { <overview::Overview /> },
                    Tab::Live => html! { <live::LiveLog /> },
                    Tab::Health => html! { <health::SystemHealth /> },
                } }
            </main>
        </ContextProvider<Session>>
    }
}

#[derive(Properties, PartialEq)]
struct LoginProps {
    on_login: Callback<String>,
}

/// Asks for a token and checks it against `/api/shops` before keeping it.
#[function_component(Login)]
fn login(props: &LoginProps) -> Html {
    let input = use_node_ref();
    let error = use_state(|| None::<String>);
    let busy = use_state(|| false);
    let onsubmit = {
        let input = input.clone();
        let error = error.clone();
        let busy = busy.clone();
        let on_login = props.on_login.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(field) = input.cast::<HtmlInputElement>() else {
                return;
            };
            let token = field.value().trim().to_string();
            if token.is_empty() {
                error.set(Some("Enter the API token.".into()));
                return;
            }
            let error = error.clone();
            let busy = busy.clone();
            let on_login = on_login.clone();
            busy.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                let result =
                    api::get::<xeno_api_types::shops::ShopsResponse>("/api/shops", &token).await;
                busy.set(false);
                match result {
                    Ok(_) => on_login.emit(token),
                    Err(api::CallError::Unauthorized) => {
                        error.set(Some("That token is not accepted.".into()))
                    }
                    Err(e) => error.set(Some(e.describe())),
                }
            });
        })
    };
    html! {
        <div class="login">
            <form class="card" {onsubmit}>
                <h1>{ "xeno" }</h1>
                <p class="muted">{ "Sign in with an API token from the engine's config (" }
                    <code>{ "[[api_tokens]]" }</code>{ ")." }</p>
                <label for="token">{ "API token" }</label>
                <input id="token" ref={input} type="password" autocomplete="off" autofocus=true />
                if let Some(e) = &*error {
                    <p class="error">{ e }</p>
                }
                <button type="submit" disabled={*busy}>{ if *busy { "Checking…" } else { "Sign in" } }</button>
                <p class="muted small">{ "Kept for this browser tab only." }</p>
            </form>
        </div>
    }
}

fn main() {
    yew::Renderer::<App>::new().render();
}
