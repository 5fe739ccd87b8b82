//! The engine's dashboard, compiled to wasm32 and served by the engine at `/`.
use yew::prelude::*;

#[function_component(App)]
fn app() -> Html {
    html! { <main><h1>{ "xeno" }</h1></main> }
}

fn main() {
    yew::Renderer::<App>::new().render();
}
