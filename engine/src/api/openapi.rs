//! The API's contract: an OpenAPI 3.1 document generated from the code, served at
//! `GET /api/openapi.json` and printed by `xeno openapi`.
//!
//! Each handler in `engine/src/api/` carries its own `#[utoipa::path]` (method, path, query
//! and path parameters, request body, every status it answers, its auth); the bodies are the
//! `xeno-api-types` structs, which derive `utoipa::ToSchema` behind that crate's `openapi`
//! feature (enabled by the engine only, so the dashboard's wasm32 build stays light). This
//! module lists the handlers once and adds the security schemes. A route added to
//! `engine/src/http/router.rs` must be listed in [`ApiDoc`] too: `cli/tests/openapi.rs`
//! compares the router's routes with the document's paths, validates the document, and checks
//! real answers against their schemas.
//!
//! The document needs no token: it describes the API, not any shop's data.

use std::sync::LazyLock;

use axum::http::header;
use axum::response::{IntoResponse, Response};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::{
    analytics, assets, completeness, dead_letters, events, health, probes, shops, sync,
    sync_status, webhook,
};

/// The document: every route of `engine/src/http/router.rs`.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "xeno engine API",
        description = "Shopify webhooks in, a PostgreSQL copy of each store, and the JSON API \
                       the dashboard and the `xeno` operator commands read. Error answers of \
                       the JSON API are `{\"error\": \"...\", \"parameter\": \"...\"}`; \
                       every request is bounded by `server.request_timeout` (408, empty body).",
        license(name = "MIT", identifier = "MIT"),
    ),
    paths(
        webhook::receive,
        probes::healthz,
        probes::readyz,
        probes::metrics,
        shops::shops,
        sync_status::sync_status,
        sync::start_sync,
        sync::run_status,
        analytics::stats,
        analytics::revenue_series,
        analytics::top_customers,
        events::stream,
        health::health,
        completeness::completeness,
        dead_letters::list,
        dead_letters::replay_all,
        dead_letters::replay_one,
        openapi_json,
        assets::index,
        assets::asset,
    ),
    modifiers(&SecuritySchemes),
    tags(
        (name = "webhooks", description = "Shopify's deliveries, signed with the shop's webhook secret."),
        (name = "probes", description = "Liveness, readiness and Prometheus metrics; no token."),
        (name = "api", description = "The JSON API: a bearer token from `[[api_tokens]]`, which sees only its shops."),
        (name = "dead-letters", description = "Messages the writers gave up on: list and replay."),
        (name = "dashboard", description = "The embedded dashboard's files."),
    )
)]
pub struct ApiDoc;

/// The security schemes the paths name: `bearer` (an `[[api_tokens]]` token),
/// `access_token` (the same token in the query, for the live stream only: a browser's
/// `EventSource` cannot set headers) and `shopify_hmac` (the webhook's signature).
struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A token of the config's `[[api_tokens]]`; it sees only its `shops`.",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "access_token",
            SecurityScheme::ApiKey(ApiKey::Query(ApiKeyValue::with_description(
                "access_token",
                "The bearer token in the query string, accepted by the live stream only.",
            ))),
        );
        components.add_security_scheme(
            "shopify_hmac",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "X-Shopify-Hmac-Sha256",
                "Base64 HMAC-SHA256 of the raw body with one of the shop's webhook secrets.",
            ))),
        );
    }
}

/// The document as pretty JSON (for `xeno openapi` and the route), built once.
pub fn document_json() -> &'static str {
    static DOCUMENT: LazyLock<String> = LazyLock::new(|| {
        ApiDoc::openapi().to_pretty_json().unwrap_or_else(|e| {
            format!("{{\"error\": \"cannot encode the OpenAPI document: {e}\"}}")
        })
    });
    &DOCUMENT
}

/// `GET /api/openapi.json`: the contract, without a token (it holds no shop's data).
#[utoipa::path(
    get,
    path = "/api/openapi.json",
    tag = "api",
    responses(
        (status = 200, description = "This OpenAPI 3.1 document.", content_type = "application/json", body = Object),
    )
)]
pub async fn openapi_json() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        document_json(),
    )
        .into_response()
}
