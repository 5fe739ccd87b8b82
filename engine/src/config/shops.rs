//! The `[[shops]]` and `[[api_tokens]]` entries: each shop's normalised domain (once only),
//! its webhook secrets (current, then previous during a rotation), access token, Admin API
//! URL and version; each API token's secret and the configured shops it may see. Called by
//! `Config::from_raw` (`mod.rs`) after the other sections (`sections.rs`).

use std::collections::HashSet;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use reqwest::Url;
use xeno_shopify::Resource;

use super::raw::{RawApiToken, RawShop};
use super::secret::Secret;
use super::types::{ApiTokenConfig, ResourceChoice, ShopConfig, DEFAULT_API_VERSION};
use super::validator::{check_api_version, parse_http_url, Validator};

type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

/// Every valid shop, and the set of configured domains (bad entries included once their
/// domain parses) that API tokens are checked against.
pub(super) fn shops(
    v: &mut Validator,
    raw: Vec<RawShop>,
    default_reconcile: Duration,
    env: Env<'_>,
) -> (Vec<ShopConfig>, HashSet<String>) {
    let mut shops = Vec::new();
    let mut seen = HashSet::new();
    if raw.is_empty() {
        v.issue("shops", "at least one [[shops]] entry is required");
    }
    for (i, s) in raw.into_iter().enumerate() {
        if let Some(shop) = shop(v, i, s, &mut seen, default_reconcile, env) {
            shops.push(shop);
        }
    }
    (shops, seen)
}

fn shop(
    v: &mut Validator,
    i: usize,
    s: RawShop,
    seen: &mut HashSet<String>,
    default_reconcile: Duration,
    env: Env<'_>,
) -> Option<ShopConfig> {
    let p = |k: &str| format!("shops[{i}].{k}");
    let domain = match xeno_shopify::domain::normalize_shop_domain(&s.domain) {
        Ok(d) => d,
        Err(e) => {
            v.issue(&p("domain"), format!("`{}`: {e}", s.domain));
            return None;
        }
    };
    if !seen.insert(domain.clone()) {
        v.issue(&p("domain"), format!("`{domain}` is configured twice"));
    }
    let webhook_secrets = webhook_secrets(v, i, &s, env);
    let access_token = s
        .access_token_env
        .as_deref()
        .and_then(|var| v.secret_env(&p("access_token_env"), var, env));
    let admin_url = match &s.admin_url {
        Some(u) => v.check(&p("admin_url"), parse_http_url(u)),
        None => Url::parse(&format!("https://{domain}")).ok(),
    };
    let api_version = s
        .api_version
        .unwrap_or_else(|| DEFAULT_API_VERSION.to_string());
    if let Err(problem) = check_api_version(&api_version) {
        v.issue(&p("api_version"), problem);
    }
    let reconcile_every = match s.reconcile_every.as_deref() {
        Some(text) => v.duration(&p("reconcile_every"), Some(text), default_reconcile),
        None => default_reconcile,
    };
    let reconcile_lookback = v.duration(
        &p("reconcile_lookback"),
        s.reconcile_lookback.as_deref(),
        DEFAULT_RECONCILE_LOOKBACK,
    );
    let resources = resources(v, i, s.resources.as_deref());
    let backfill_since = s
        .backfill_since
        .as_deref()
        .and_then(|text| v.check(&p("backfill_since"), backfill_since(text, Utc::now())));
    Some(ShopConfig {
        domain,
        webhook_secrets,
        access_token,
        admin_url: admin_url?,
        api_version,
        reconcile_every,
        reconcile_lookback,
        resources,
        backfill_since,
    })
}

/// The default `reconcile_lookback`: an hour of changes listed again at each reconciliation.
pub const DEFAULT_RECONCILE_LOOKBACK: Duration = Duration::from_secs(3600);

/// `resources = [...]`: known names, each once, at least one; absent means every resource the
/// token's scopes allow.
fn resources(v: &mut Validator, i: usize, listed: Option<&[String]>) -> ResourceChoice {
    let Some(listed) = listed else {
        return ResourceChoice::Granted;
    };
    if listed.is_empty() {
        v.issue(
            &format!("shops[{i}].resources"),
            "lists no resource: name at least one, or remove the key to keep every resource the token's scopes allow",
        );
    }
    let mut chosen = Vec::new();
    for (j, name) in listed.iter().enumerate() {
        let path = format!("shops[{i}].resources[{j}]");
        match Resource::from_name(name) {
            Some(r) if chosen.contains(&r) => v.issue(&path, format!("`{name}` is listed twice")),
            Some(r) => chosen.push(r),
            None => v.issue(
                &path,
                format!(
                    "`{name}` is not a resource; the resources are {}",
                    Resource::ALL.map(|r| r.as_str()).join(", ")
                ),
            ),
        }
    }
    ResourceChoice::Listed(chosen)
}

/// `backfill_since`: a date (`2024-01-01`, midnight UTC) or an RFC 3339 time, not in the
/// future (a backfill from the future would keep nothing).
fn backfill_since(text: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
    let since = match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        Ok(day) => day.and_hms_opt(0, 0, 0).map(|t| t.and_utc()),
        Err(_) => DateTime::parse_from_rfc3339(text)
            .ok()
            .map(|t| t.with_timezone(&Utc)),
    }
    .ok_or_else(|| {
        format!("`{text}` is neither a date like \"2024-01-01\" nor a time like \"2024-01-01T00:00:00Z\"")
    })?;
    if since > now {
        return Err(format!(
            "`{text}` is in the future: a backfill from then would keep nothing"
        ));
    }
    Ok(since)
}

/// The current secret (required), then the previous one when a rotation is under way.
fn webhook_secrets(v: &mut Validator, i: usize, s: &RawShop, env: Env<'_>) -> Vec<Secret> {
    let p = |k: &str| format!("shops[{i}].{k}");
    let mut secrets = Vec::new();
    match &s.webhook_secret_env {
        None => v.issue(
            &p("webhook_secret_env"),
            "required: the environment variable holding the app's client secret",
        ),
        Some(var) => {
            if let Some(secret) = v.secret_env(&p("webhook_secret_env"), var, env) {
                secrets.push(secret);
            }
        }
    }
    if let Some(var) = &s.previous_webhook_secret_env {
        if let Some(secret) = v.secret_env(&p("previous_webhook_secret_env"), var, env) {
            secrets.push(secret);
        }
    }
    secrets
}

/// Every API token whose secret could be read; `configured` is the set of shop domains.
pub(super) fn api_tokens(
    v: &mut Validator,
    raw: Vec<RawApiToken>,
    configured: &HashSet<String>,
    env: Env<'_>,
) -> Vec<ApiTokenConfig> {
    let mut tokens = Vec::new();
    for (i, t) in raw.into_iter().enumerate() {
        let p = |k: &str| format!("api_tokens[{i}].{k}");
        let token = v.secret_env(&p("token_env"), &t.token_env, env);
        if let Some(tok) = &token {
            if tok.expose().len() < 16 {
                v.issue(
                    &p("token_env"),
                    format!(
                        "the token in ${} is shorter than 16 characters",
                        t.token_env
                    ),
                );
            }
        }
        let shops = allowed_shops(v, i, &t.shops, configured);
        if let Some(token) = token {
            tokens.push(ApiTokenConfig {
                name: t.name.unwrap_or_else(|| format!("token{i}")),
                token,
                shops,
            });
        }
    }
    tokens
}

/// The shops token `i` may see: `None` for every shop (`["*"]`), else its configured ones.
fn allowed_shops(
    v: &mut Validator,
    i: usize,
    listed: &[String],
    configured: &HashSet<String>,
) -> Option<Vec<String>> {
    if listed.iter().any(|s| s == "*") {
        return None;
    }
    let mut allowed = Vec::new();
    for (j, s) in listed.iter().enumerate() {
        let path = format!("api_tokens[{i}].shops[{j}]");
        match xeno_shopify::domain::normalize_shop_domain(s) {
            Ok(d) if configured.contains(&d) => allowed.push(d),
            Ok(d) => v.issue(&path, format!("`{d}` is not a configured shop")),
            Err(e) => v.issue(&path, format!("`{s}`: {e}")),
        }
    }
    if listed.is_empty() {
        v.issue(
            &format!("api_tokens[{i}].shops"),
            "list the shops this token may see, or [\"*\"] for all",
        );
    }
    Some(allowed)
}
