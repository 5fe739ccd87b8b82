//! The dashboard's files, embedded at build time by `engine/build.rs` (the built
//! `dashboard/dist/`, or a page saying how to build it), served at `/` and `/assets/…`.

use axum::extract::Path;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// One embedded file.
pub struct Asset {
    pub path: &'static str,
    pub content_type: &'static str,
    pub bytes: &'static [u8],
}

include!(concat!(env!("OUT_DIR"), "/dashboard_assets.rs"));

/// The page's own scripts, wasm and styles only: no inline script, no third-party origin.
const CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
                   style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; \
                   frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

fn serve(path: &str) -> Response {
    let Some(asset) = ASSETS.iter().find(|a| a.path == path) else {
        return (StatusCode::NOT_FOUND, "not found\n").into_response();
    };
    let mut response = asset.bytes.into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(asset.content_type),
    );
    // File names are not content-hashed: revalidate every time (cheap, and never stale).
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    if asset.content_type.starts_with("text/html") {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        );
    }
    response
}

/// `GET /`
#[utoipa::path(
    get,
    path = "/",
    tag = "dashboard",
    summary = "The dashboard page",
    responses(
        (status = 200, description = "The embedded dashboard (or a page saying how to build it).", content_type = "text/html", body = String),
        (status = 408, description = "Not answered within `server.request_timeout` (empty body)."),
    ),
)]
pub async fn index() -> Response {
    serve("index.html")
}

/// `GET /assets/{*path}`
#[utoipa::path(
    get,
    path = "/assets/{path}",
    tag = "dashboard",
    summary = "One of the dashboard's files",
    params(
        ("path" = String, Path, description = "A file of the built dashboard (scripts, wasm, styles)."),
    ),
    responses(
        (status = 200, description = "The file, with the content type of its extension (`engine/build.rs`).", content(
            (String = "text/html"),
            (String = "text/javascript"),
            (String = "text/css"),
            (Vec<u8> = "application/wasm"),
            (String = "image/svg+xml"),
            (Object = "application/json"),
            (Vec<u8> = "image/x-icon"),
            (Vec<u8> = "image/png"),
            (Vec<u8> = "application/octet-stream"),
        )), (status = 404, description = "No such file.", content_type = "text/plain", body = String),
        (status = 408, description = "Not answered within `server.request_timeout` (empty body)."),
    ),
)]
pub async fn asset(Path(path): Path<String>) -> Response {
    serve(&path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_is_always_embedded() {
        assert!(ASSETS.iter().any(|a| a.path == "index.html"));
        let r = serve("index.html");
        assert_eq!(r.status(), StatusCode::OK);
        assert!(r.headers().contains_key(header::CONTENT_SECURITY_POLICY));
        assert_eq!(serve("nope.js").status(), StatusCode::NOT_FOUND);
        let _ = DASHBOARD_BUILT;
    }
}
