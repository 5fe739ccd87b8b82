//! The API contract (`engine/src/api/openapi.rs`), black box:
//! - the document `xeno openapi` prints validates as OpenAPI 3.1, by `openapi-spec-validator`
//!   (PyPI, pinned, installed by `scripts/openapi-validator.sh`) and by the OAS 3.1 meta-schema
//!   that package ships, applied with the `jsonschema` crate; every component schema is a valid
//!   JSON Schema 2020-12;
//! - every route of `engine/src/http/router.rs` is in the document, and nothing else is;
//! - a running engine with real data (PostgreSQL and NATS real, own database and stream)
//!   answers every route, with successes and each error it can give, and every answer's
//!   status and content type are documented for its path and method, and its JSON body
//!   validates against the documented schema (formats checked too).

mod common;

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use common::tcp_proxy::TcpProxy;
use common::*;
use serde_json::{json, Value};
use xeno_engine::config::Config;
use xeno_engine::engine::Engine;
use xeno_engine::log_sink::LogEvent;
use xeno_engine::testkit;

/// A token that sees only [`SHOP`], for the 403 answers.
const SCOPED_TOKEN: &str = "scoped-api-token-0123456789";

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The document as `xeno openapi` prints it.
fn document() -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_xeno"))
        .arg("openapi")
        .output()
        .expect("xeno openapi runs");
    assert!(out.status.success(), "xeno openapi: {out:?}");
    serde_json::from_slice(&out.stdout).expect("xeno openapi prints JSON")
}

/// The validator's command and the OAS 3.1 meta-schema's path, from the install script.
fn validator() -> (PathBuf, PathBuf) {
    let out = Command::new("bash")
        .arg(repo().join("scripts/openapi-validator.sh"))
        .output()
        .expect("scripts/openapi-validator.sh runs");
    assert!(
        out.status.success(),
        "scripts/openapi-validator.sh failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let mut lines = text.lines();
    let command = PathBuf::from(lines.next().expect("validator path"));
    let schema = PathBuf::from(lines.next().expect("meta-schema path"));
    (command, schema)
}

/// Runs `openapi-spec-validator` on `doc`: `Err` with what it said unless it is valid 3.1.
fn spec_validator(command: &Path, doc: &Value) -> Result<(), String> {
    let file = std::env::temp_dir().join(format!("xeno-openapi-{}.json", uid()));
    std::fs::write(&file, serde_json::to_vec_pretty(doc).unwrap()).unwrap();
    let out = Command::new(command)
        .args(["--schema", "3.1", "--errors", "all"])
        .arg(&file)
        .output()
        .expect("openapi-spec-validator runs");
    let _ = std::fs::remove_file(&file);
    let said =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    if out.status.success() && said.contains(": OK") {
        Ok(())
    } else {
        Err(said)
    }
}

#[test]
fn the_document_validates_as_openapi_3_1() {
    let doc = document();
    assert_eq!(doc["openapi"].as_str().map(|v| &v[..4]), Some("3.1."));
    let (command, meta_schema) = validator();

    let meta: Value = serde_json::from_slice(&std::fs::read(&meta_schema).unwrap()).unwrap();
    let meta = jsonschema::options()
        .build(&meta)
        .expect("the OAS 3.1 meta-schema compiles");
    let oas_errors = |doc: &Value| -> Vec<String> {
        meta.iter_errors(doc)
            .map(|e| format!("{}: {e}", e.instance_path()))
            .collect()
    };
    if let Err(said) = spec_validator(&command, &doc) {
        panic!("openapi-spec-validator: {said}");
    }
    let errors = oas_errors(&doc);
    assert!(errors.is_empty(), "not OAS 3.1: {errors:#?}");

    // Both validators refuse a broken copy (a response without its description).
    let mut broken = doc.clone();
    broken["paths"]["/api/shops"]["get"]["responses"]["200"]
        .as_object_mut()
        .unwrap()
        .remove("description");
    assert!(spec_validator(&command, &broken).is_err());
    assert!(!oas_errors(&broken).is_empty());

    // The meta-schema leaves schemas open; each must be valid JSON Schema 2020-12 too.
    let schemas = doc["components"]["schemas"].as_object().expect("schemas");
    assert!(schemas.contains_key("ErrorBody") && schemas.contains_key("HealthResponse"));
    for (name, schema) in schemas {
        if let Err(e) = jsonschema::draft202012::meta::validate(schema) {
            panic!("components.schemas.{name} is not JSON Schema 2020-12: {e}");
        }
    }
    // Auth: the bearer token, the stream's query token, and the webhook's signature.
    let schemes = &doc["components"]["securitySchemes"];
    assert_eq!(schemes["bearer"]["scheme"], "bearer");
    assert_eq!(schemes["access_token"]["in"], "query");
    assert_eq!(schemes["shopify_hmac"]["name"], "X-Shopify-Hmac-Sha256");
    assert_eq!(schemes["shopify_hmac"]["in"], "header");
}

/// The value of `pub const NAME: &str = "...";` in the engine's API modules.
fn engine_const(name: &str) -> String {
    let dir = repo().join("engine/src/api");
    for entry in std::fs::read_dir(&dir).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        let marker = format!("pub const {name}: &str = \"");
        if let Some(start) = text.find(&marker) {
            let rest = &text[start + marker.len()..];
            return rest[..rest.find('"').unwrap()].to_string();
        }
    }
    panic!("no `pub const {name}: &str` in {}", dir.display());
}

/// Every `METHOD path` routed in `router.rs`, with axum's `{*rest}` written as OpenAPI's
/// `{rest}`: each `.route(PATH, get(h).post(h)...)` call, PATH a literal or a constant.
fn routed(source: &str) -> BTreeSet<String> {
    let mut routes = BTreeSet::new();
    let mut rest = source;
    while let Some(at) = rest.find(".route(") {
        let call = &rest[at + ".route(".len()..];
        // The call's text up to its closing parenthesis.
        let mut depth = 1;
        let end = call
            .char_indices()
            .find_map(|(i, c)| {
                match c {
                    '(' => depth += 1,
                    ')' => depth -= 1,
                    _ => {}
                }
                (depth == 0).then_some(i)
            })
            .expect("balanced .route(...)");
        let args = &call[..end];
        let (path, handlers) = args.split_once(',').expect(".route(path, handler)");
        let path = path.trim();
        let path = match path.strip_prefix('"') {
            Some(p) => p.trim_end_matches('"').to_string(),
            None => engine_const(path),
        };
        let path = path.replace("{*", "{");
        let mut found = false;
        for method in ["get", "post", "put", "patch", "delete"] {
            let h = handlers.trim_start();
            if h.starts_with(&format!("{method}(")) || handlers.contains(&format!(".{method}(")) {
                routes.insert(format!("{} {path}", method.to_uppercase()));
                found = true;
            }
        }
        assert!(found, "no method in .route({args})");
        rest = &call[end..];
    }
    routes
}

fn documented(doc: &Value) -> BTreeSet<String> {
    let mut routes = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in item.as_object().unwrap().keys() {
            routes.insert(format!("{} {path}", method.to_uppercase()));
        }
    }
    routes
}

#[test]
fn every_route_is_in_the_document() {
    let source = std::fs::read_to_string(repo().join("engine/src/http/router.rs")).unwrap();
    let routed = routed(&source);
    assert!(routed.contains("GET /api/events/stream") && routed.contains("GET /assets/{path}"));
    assert!(routed.len() >= 19, "{routed:?}");
    let documented = documented(&document());
    let missing: Vec<_> = routed.difference(&documented).collect();
    assert!(
        missing.is_empty(),
        "routes of engine/src/http/router.rs missing from the OpenAPI document (annotate the \
         handler with #[utoipa::path] and list it in engine/src/api/openapi.rs): {missing:?}"
    );
    let extra: Vec<_> = documented.difference(&routed).collect();
    assert!(extra.is_empty(), "documented but not routed: {extra:?}");
}

/// Checks one real answer against the document: its status is documented for `template`
/// and `method`, its content type is one documented for that status (none for an empty
/// body), and a JSON body validates against the documented schema.
fn check(doc: &Value, method: &str, template: &str, status: u16, content_type: &str, body: &[u8]) {
    let what = format!("{method} {template} answered {status}");
    let operation = &doc["paths"][template][method.to_lowercase()];
    assert!(
        operation.is_object(),
        "{what}: no such operation documented"
    );
    let response = &operation["responses"][status.to_string()];
    assert!(
        response.is_object(),
        "{what}: status not documented (documented: {:?})",
        operation["responses"]
            .as_object()
            .map(|r| r.keys().collect::<Vec<_>>())
    );
    let media = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let Some(content) = response["content"].as_object() else {
        assert!(
            body.is_empty(),
            "{what}: documented without a body, but sent {content_type}: {}",
            String::from_utf8_lossy(body)
        );
        return;
    };
    let schema = content
        .iter()
        .find(|(declared, _)| declared.split(';').next().unwrap().trim() == media)
        .map(|(_, c)| &c["schema"])
        .unwrap_or_else(|| {
            panic!(
                "{what}: content type `{content_type}` not documented (documented: {:?})",
                content.keys().collect::<Vec<_>>()
            )
        });
    if media == "application/json" {
        let value: Value = serde_json::from_slice(body)
            .unwrap_or_else(|e| panic!("{what}: body is not JSON: {e}"));
        validate(doc, &what, schema, &value);
    }
}

/// Validates `value` against `schema`, whose `$ref`s point into the document's components.
fn validate(doc: &Value, what: &str, schema: &Value, value: &Value) {
    if let Err(errors) = schema_errors(doc, schema, value) {
        panic!("{what}: the body does not match the documented schema:\n{errors}\nbody: {value:#}");
    }
}

/// Every way `value` breaks `schema` (formats such as `date-time` checked too).
fn schema_errors(doc: &Value, schema: &Value, value: &Value) -> Result<(), String> {
    let mut root = schema.clone();
    let root_object = root.as_object_mut().expect("schema is an object");
    root_object.insert("components".into(), doc["components"].clone());
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(true)
        .build(&root)
        .map_err(|e| format!("the documented schema does not compile: {e}"))?;
    let errors: Vec<String> = validator
        .iter_errors(value)
        .map(|e| format!("at `{}`: {e}", e.instance_path()))
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors.join("\n"))
    }
}

/// The checks above catch what they are for: an unknown field, a wrong type, a time that is
/// not RFC 3339, an undocumented status.
#[test]
fn the_response_check_catches_mismatches() {
    let doc = document();
    let error = json!({"$ref": "#/components/schemas/ErrorBody"});
    assert!(schema_errors(&doc, &error, &json!({"error": "bad", "parameter": "from"})).is_ok());
    assert!(schema_errors(&doc, &error, &json!({"error": "bad", "extra": 1})).is_err());
    assert!(schema_errors(&doc, &error, &json!({"error": 400})).is_err());
    let letter = json!({"$ref": "#/components/schemas/DeadLetterView"});
    let mut view = json!({
        "id": 1, "shop": null, "topic": null, "msg_id": null, "subject": "s", "reason": "r",
        "deliveries": 1, "created_at": "2025-07-01T00:00:00Z", "replayed_at": null,
        "payload_bytes": 3, "payload_preview": "abc"
    });
    assert!(schema_errors(&doc, &letter, &view).is_ok());
    view["created_at"] = json!("yesterday");
    assert!(schema_errors(&doc, &letter, &view).is_err());
    let undocumented = std::panic::catch_unwind(|| {
        check(&doc, "GET", "/api/shops", 418, "application/json", b"{}")
    });
    assert!(undocumented.is_err(), "an undocumented status passes");
}

/// Orders, a customer, dead letters (one on the stream's own subject, so its replay
/// succeeds), sync checkpoints with every column set, completeness counts and log lines: so
/// the answers carry values in every nested type, not only empty lists.
async fn seed(h: &Harness) {
    let subject = format!("{}.webhook.{}", h.stream, SHOP.replace('.', "_"));
    let statements = format!(
        "INSERT INTO customers (shop_domain, id, first_name, last_name, email, created_at, updated_at)
         VALUES ('{SHOP}', 10, 'Ada', 'Lovelace', 'ada@example.com', '2025-07-01T09:00:00Z', now());
         INSERT INTO orders (shop_domain, id, customer_id, currency, total_price, created_at, updated_at)
         VALUES ('{SHOP}', 1, 10, 'USD', 100.00, '2025-07-01T10:00:00Z', now()),
                ('{SHOP}', 2, 10, 'EUR', 12.50, '2025-07-02T10:00:00Z', now());
         INSERT INTO dead_letters (shop_domain, msg_id, subject, topic, headers, payload, reason, deliveries)
         VALUES ('{SHOP}', 'wh-1', '{subject}', 'customers/update',
                 '{{\"X-Shopify-Topic\": \"customers/update\"}}', 'not json', 'bad payload', 5),
                (NULL, NULL, 'X.webhook.unknown', NULL, '{{}}', 'c', 'undecodable', 1),
                ('{SHOP}', 'wh-2', 'X.webhook.elsewhere', 'orders/create', '{{}}', 'x', 'bad', 2);
         INSERT INTO sync_state (shop_domain, resource, mode, status, cursor, bulk_operation_id,
                                 updated_at_watermark, objects_done, started_at, completed_at,
                                 last_reconciled_at, last_error, run_id)
         VALUES ('{SHOP}', 'orders', 'full', 'running', 'c1', 'gid://shopify/BulkOperation/1',
                 now() - interval '1 hour', 40, now() - interval '10 seconds', NULL,
                 now() - interval '1 day', 'throttled once', gen_random_uuid()),
                ('{SHOP}', 'customers', NULL, 'idle', NULL, NULL, NULL, 0, NULL, NULL, NULL,
                 NULL, NULL);
         INSERT INTO resource_counts (shop_domain, resource, shopify_count, precision,
                                      stored_count, compared_at)
         VALUES ('{SHOP}', 'orders', 3, 'EXACT', 2, now());
         INSERT INTO event_log (at, level, shop_domain, source, message, fields)
         VALUES (now(), 'INFO', '{SHOP}', 'test', 'acme line', '{{\"n\": 1}}'),
                (now(), 'WARN', NULL, 'test', 'engine line', '{{}}');"
    );
    h.db.pool
        .get()
        .await
        .unwrap()
        .batch_execute(&statements)
        .await
        .unwrap();
}

/// One request of the test: method, the path's template in the document, the concrete path
/// and query, the token (if any), a JSON body (if any), and the status it must answer.
struct Call<'a> {
    method: &'a str,
    template: &'a str,
    path: String,
    token: Option<&'a str>,
    body: Option<Value>,
    status: u16,
}

fn call<'a>(method: &'a str, template: &'a str, path: impl Into<String>, status: u16) -> Call<'a> {
    Call {
        method,
        template,
        path: path.into(),
        token: Some(API_TOKEN),
        body: None,
        status,
    }
}

impl Call<'_> {
    fn token(mut self, token: Option<&'static str>) -> Self {
        self.token = token;
        self
    }

    fn body(mut self, body: Value) -> Self {
        self.body = Some(body);
        self
    }
}

async fn send(h: &Harness, addr: SocketAddr, doc: &Value, c: &Call<'_>) -> Vec<u8> {
    let url = format!("http://{addr}{}", c.path);
    let mut req = match c.method {
        "POST" => h.http.post(url),
        _ => h.http.get(url),
    };
    if let Some(t) = c.token {
        req = req.bearer_auth(t);
    }
    if let Some(b) = &c.body {
        req = req
            .header("content-type", "application/json")
            .body(b.to_string());
    }
    let r = req.send().await.expect("request");
    let status = r.status().as_u16();
    let content_type = r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let body = r.bytes().await.unwrap_or_default().to_vec();
    assert_eq!(
        status,
        c.status,
        "{} {}: {}",
        c.method,
        c.path,
        String::from_utf8_lossy(&body)
    );
    check(doc, c.method, c.template, status, &content_type, &body);
    body
}

/// An `event: log` of the live stream (taking the token from the query), checked against the documented
/// schema of the stream's events; the stream itself must be documented as
/// `text/event-stream`.
async fn check_stream(h: &Harness, engine: &Engine, doc: &Value) {
    let addr = engine.addr();
    let template = "/api/events/stream";
    let mut stream = h
        .http
        .get(format!("http://{addr}{template}?access_token={API_TOKEN}"))
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), 200);
    let content_type = stream.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_string();
    check(doc, "GET", template, 200, &content_type, b"");
    let schema = doc["paths"][template]["get"]["responses"]["200"]["content"]["text/event-stream"]
        ["schema"]
        .clone();
    engine.state().log.emit(LogEvent {
        seq: 0,
        at: chrono::Utc::now(),
        level: "INFO".into(),
        shop: Some(SHOP.into()),
        source: "openapi".into(),
        message: "contract line".into(),
        fields: [("n".to_string(), Value::from(1))].into_iter().collect(),
    });
    let mut seen = String::new();
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if let Some(data) = seen
            .split("\n\n")
            .filter(|block| block.contains("event: log") && block.contains("contract line"))
            .find_map(|block| block.lines().find_map(|l| l.strip_prefix("data: ")))
        {
            let value: Value = serde_json::from_str(data).expect("SSE data is JSON");
            validate(doc, "GET /api/events/stream event: log", &schema, &value);
            return;
        }
        match tokio::time::timeout(Duration::from_millis(200), stream.chunk()).await {
            Ok(Ok(Some(bytes))) => seen.push_str(&String::from_utf8_lossy(&bytes)),
            Ok(_) => break,
            Err(_) => {}
        }
    }
    panic!("no live event arrived: {seen}");
}

/// The engine with a second token that sees only [`SHOP`], a second configured shop it may
/// not see and without an Admin API token (for 403 and 409), and webhook bodies limited to
/// 1 KiB (for 413).
async fn engine(h: &Harness) -> Engine {
    let extra = format!(
        r#"
[[shops]]
domain = "other.myshopify.com"
webhook_secret_env = "SECRET"
[[api_tokens]]
token_env = "SCOPED_TOKEN"
shops = ["{SHOP}"]
"#
    );
    let small_bodies = "[server]\nmax_body_bytes = 1024";
    let text = h.config_text(&testkit::nats_url(), "127.0.0.1:0", small_bodies);
    let text = format!("{text}\n{extra}");
    let env = |k: &str| match k {
        "SCOPED_TOKEN" => Some(SCOPED_TOKEN.to_string()),
        k => Harness::env(k),
    };
    let config = Config::from_toml(&text, "test", &env).expect("test config");
    let engine = Engine::start(config).await.expect("engine starts");
    h.wait_ready(engine.addr()).await;
    engine
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn real_answers_match_their_schemas() {
    let doc = document();
    let h = Harness::new().await;
    seed(&h).await;
    let engine = engine(&h).await;
    let addr = engine.addr();

    // The webhook: accepted, refused unsigned, refused without its topic, refused too large.
    let order = br#"{"id": 501, "email": "a@example.com", "currency": "USD", "total_price": "5.00", "created_at": "2025-07-03T10:00:00Z", "updated_at": "2025-07-03T10:00:00Z"}"#;
    let large = format!("{{\"note\": \"{}\"}}", "x".repeat(2048)).into_bytes();
    let (webhook, document_path) = ("POST", "/api/webhooks");
    let sig = xeno_shopify::signature::sign(SECRET.as_bytes(), order);
    let large_sig = xeno_shopify::signature::sign(SECRET.as_bytes(), &large);
    let send_webhook = |headers: Vec<(String, String)>, body: &[u8]| {
        let mut req = h
            .http
            .post(format!("http://{addr}{document_path}"))
            .body(body.to_vec());
        for (k, v) in headers {
            req = req.header(k, v);
        }
        req.send()
    };
    let headers = webhook_headers("orders/create", &uid(), &sig);
    let unsigned = webhook_headers("orders/create", &uid(), "bm90IGEgc2lnbmF0dXJl");
    let untopical: Vec<_> = webhook_headers("orders/create", &uid(), &sig)
        .into_iter()
        .filter(|(k, _)| k != "X-Shopify-Topic")
        .collect();
    let too_large = webhook_headers("orders/create", &uid(), &large_sig);
    for (headers, body, want) in [
        (headers, &order[..], 200),
        (unsigned, &order[..], 401),
        (untopical, &order[..], 400),
        (too_large, &large[..], 413),
    ] {
        let r = send_webhook(headers, body).await.unwrap();
        let status = r.status().as_u16();
        let content_type = r.headers()["content-type"].to_str().unwrap().to_string();
        let body = r.bytes().await.unwrap();
        assert_eq!(status, want, "{}", String::from_utf8_lossy(&body));
        check(&doc, webhook, document_path, status, &content_type, &body);
    }
    h.wait_count("SELECT count(*) FROM orders WHERE id = 501", 1, 20)
        .await;

    let period = "from=2025-07-01T00:00:00Z&to=2025-07-08T00:00:00Z";
    let other = "shop=other.myshopify.com";
    let unknown = "shop=nowhere.myshopify.com";
    let calls = vec![
        call("GET", "/healthz", "/healthz", 200).token(None),
        call("GET", "/readyz", "/readyz", 200).token(None),
        call("GET", "/metrics", "/metrics", 200).token(None),
        call("GET", "/", "/", 200).token(None),
        call("GET", "/assets/{path}", "/assets/index.html", 200).token(None),
        call("GET", "/assets/{path}", "/assets/no-such-file.js", 404).token(None),
        call("GET", "/api/shops", "/api/shops", 200),
        call("GET", "/api/shops", "/api/shops", 401).token(None),
        call("GET", "/api/shops", "/api/shops", 401).token(Some("not-a-token")),
        call("GET", "/api/sync-status", "/api/sync-status", 200),
        call(
            "GET",
            "/api/sync-status",
            format!("/api/sync-status?shop={SHOP}&events=5"),
            200,
        ),
        call("GET", "/api/sync-status", "/api/sync-status?events=0", 400),
        call(
            "GET",
            "/api/sync-status",
            "/api/sync-status?shop=not%20a%20shop",
            400,
        ),
        call(
            "GET",
            "/api/sync-status",
            format!("/api/sync-status?{other}"),
            403,
        )
        .token(Some(SCOPED_TOKEN)),
        call(
            "GET",
            "/api/sync-status",
            format!("/api/sync-status?{unknown}"),
            404,
        ),
        call("GET", "/api/stats", format!("/api/stats?{period}"), 200),
        call(
            "GET",
            "/api/stats",
            format!("/api/stats?{period}&shop={SHOP}"),
            200,
        )
        .token(Some(SCOPED_TOKEN)),
        call("GET", "/api/stats", "/api/stats?from=yesterday", 400),
        call(
            "GET",
            "/api/stats",
            "/api/stats?from=2025-07-08T00:00:00Z&to=2025-07-01T00:00:00Z",
            400,
        ),
        call(
            "GET",
            "/api/revenue-series",
            format!("/api/revenue-series?{period}&bucket=hour"),
            200,
        ),
        call(
            "GET",
            "/api/revenue-series",
            format!("/api/revenue-series?{period}&bucket=day"),
            200,
        ),
        call(
            "GET",
            "/api/revenue-series",
            format!("/api/revenue-series?{period}&bucket=week"),
            200,
        ),
        call(
            "GET",
            "/api/revenue-series",
            "/api/revenue-series?bucket=month",
            400,
        ),
        call(
            "GET",
            "/api/top-customers",
            "/api/top-customers?limit=10",
            200,
        ),
        call(
            "GET",
            "/api/top-customers",
            "/api/top-customers?currency=usd",
            200,
        ),
        call(
            "GET",
            "/api/top-customers",
            "/api/top-customers?currency=dollars",
            400,
        ),
        call(
            "GET",
            "/api/top-customers",
            format!("/api/top-customers?{other}"),
            403,
        )
        .token(Some(SCOPED_TOKEN)),
        call("GET", "/api/health", "/api/health", 200),
        call("GET", "/api/health", "/api/health", 200).token(Some(SCOPED_TOKEN)),
        call("GET", "/api/completeness", "/api/completeness", 200),
        call(
            "GET",
            "/api/completeness",
            format!("/api/completeness?{unknown}"),
            404,
        ),
        call("GET", "/api/dead-letters", "/api/dead-letters", 200),
        call(
            "GET",
            "/api/dead-letters",
            "/api/dead-letters?replayed=true&limit=2",
            200,
        ),
        call("GET", "/api/dead-letters", "/api/dead-letters?limit=0", 400),
        call(
            "GET",
            "/api/dead-letters",
            "/api/dead-letters?replayed=maybe",
            400,
        ),
        call(
            "GET",
            "/api/events/stream",
            "/api/events/stream?level=loud",
            400,
        ),
        call("GET", "/api/events/stream", "/api/events/stream", 401).token(None),
        call("GET", "/api/openapi.json", "/api/openapi.json", 200).token(None),
        call(
            "POST",
            "/api/dead-letters/{id}/replay",
            "/api/dead-letters/abc/replay",
            400,
        ),
        call(
            "POST",
            "/api/dead-letters/{id}/replay",
            "/api/dead-letters/999999/replay",
            404,
        ),
        call(
            "POST",
            "/api/dead-letters/replay",
            format!("/api/dead-letters/replay?{unknown}"),
            404,
        ),
        call("POST", "/api/sync", "/api/sync", 400).body(json!({"mode": "full"})),
        call("POST", "/api/sync", "/api/sync", 400)
            .body(json!({"shop": SHOP, "mode": "sometimes"})),
        call("POST", "/api/sync", "/api/sync", 404).body(json!({"shop": "nowhere.myshopify.com"})),
        call("POST", "/api/sync", "/api/sync", 403)
            .body(json!({"shop": "other.myshopify.com"}))
            .token(Some(SCOPED_TOKEN)),
        call("POST", "/api/sync", "/api/sync", 409).body(json!({"shop": "other.myshopify.com"})),
        call("POST", "/api/sync", "/api/sync", 401)
            .body(json!({"shop": SHOP}))
            .token(None),
        call("POST", "/api/sync", "/api/sync", 202)
            .body(json!({"shop": SHOP, "mode": "incremental"})),
    ];
    let mut statuses = BTreeSet::new();
    let mut sync_id = None;
    for c in &calls {
        let body = send(&h, addr, &doc, c).await;
        statuses.insert(c.status);
        if c.template == "/api/openapi.json" {
            let served: Value = serde_json::from_slice(&body).unwrap();
            assert_eq!(served, doc, "the route serves what `xeno openapi` prints");
        }
        if c.status == 202 {
            let queued: Value = serde_json::from_slice(&body).unwrap();
            sync_id = queued["sync_id"].as_str().map(str::to_string);
        }
    }

    // The queued run, a malformed id, and an id no run has.
    let run = "/api/sync/{id}";
    let sync_id = sync_id.expect("POST /api/sync queued a run");
    let path = format!("/api/sync/{sync_id}");
    let body = send(&h, addr, &doc, &call("GET", run, path, 200)).await;
    let status: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(status["sync_id"], sync_id.as_str());
    send(
        &h,
        addr,
        &doc,
        &call("GET", run, "/api/sync/not-a-uuid", 400),
    )
    .await;
    let nobody = format!("/api/sync/{}", uid());
    send(&h, addr, &doc, &call("GET", run, nobody, 404)).await;

    // Replays: the one on the stream's subject succeeds, then is a conflict; "replay all"
    // republishes what it can and reports the rest.
    let listed: Value = h.api_get(addr, "/api/dead-letters").await;
    let id = listed["dead_letters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["msg_id"] == "wh-1")
        .expect("the seeded dead letter")["id"]
        .as_i64()
        .unwrap();
    let one = format!("/api/dead-letters/{id}/replay");
    let template = "/api/dead-letters/{id}/replay";
    send(&h, addr, &doc, &call("POST", template, one.clone(), 200)).await;
    send(&h, addr, &doc, &call("POST", template, one, 409)).await;
    let all = call(
        "POST",
        "/api/dead-letters/replay",
        "/api/dead-letters/replay",
        200,
    );
    let replayed: Value = serde_json::from_slice(&send(&h, addr, &doc, &all).await).unwrap();
    assert!(
        !replayed["failed"].as_array().unwrap().is_empty(),
        "the letters on foreign subjects fail to publish: {replayed}"
    );

    check_stream(&h, &engine, &doc).await;
    assert_eq!(
        statuses,
        BTreeSet::from([200, 202, 400, 401, 403, 404, 409]),
        "every kind of answer was checked (and 413 above)"
    );
    engine.shutdown().await;
}

/// With PostgreSQL cut off (a proxy between the engine and the database), the answers that
/// say so are documented too: `/readyz` 503 with its `Readiness` body, a JSON route 503 with
/// `ErrorBody`, and `/api/health` 200 `degraded`.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn outage_answers_match_their_schemas() {
    let doc = document();
    let h = Harness::new().await;
    let proxy = TcpProxy::start("127.0.0.1:5432".parse().unwrap()).await;
    let text = h
        .config_text(&testkit::nats_url(), "127.0.0.1:0", "")
        .replace(
            "@127.0.0.1:5432/",
            &format!("@127.0.0.1:{}/", proxy.addr.port()),
        );
    assert!(text.contains(&proxy.addr.to_string()), "through the proxy");
    let config = Config::from_toml(&text, "test", &Harness::env).expect("test config");
    let engine = Engine::start(config).await.expect("engine starts");
    let addr = engine.addr();
    h.wait_ready(addr).await;
    proxy.cut();

    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let r = h.http.get(format!("http://{addr}/readyz")).send().await;
        if r.is_ok_and(|r| r.status() == 503) {
            break;
        }
        assert!(Instant::now() < deadline, "/readyz never said 503");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let readyz = call("GET", "/readyz", "/readyz", 503).token(None);
    let body: Value = serde_json::from_slice(&send(&h, addr, &doc, &readyz).await).unwrap();
    assert!(
        body["postgres"].as_str().unwrap().starts_with("down"),
        "{body}"
    );
    send(
        &h,
        addr,
        &doc,
        &call("GET", "/api/shops", "/api/shops", 503),
    )
    .await;
    let health = call("GET", "/api/health", "/api/health", 200);
    let body: Value = serde_json::from_slice(&send(&h, addr, &doc, &health).await).unwrap();
    assert_eq!(body["status"], "degraded", "{body}");
    proxy.restore();
    engine.shutdown().await;
}
