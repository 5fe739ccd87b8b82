//! Configuration of the simulator: the `xeno sim` flags ([`SimArgs`]) and the plain
//! [`SimConfig`] that in-process users (the engine's integration tests) fill in directly.
//! [`SimArgs::into_config`] turns flags into a config, reading secrets from the environment
//! variables the flags name.

use std::net::SocketAddr;
use std::time::Duration;

use thiserror::Error;

/// The shop's Shopify plan: decides the GraphQL restore rate and the REST leak rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Plan {
    Standard,
    Advanced,
    Plus,
    Enterprise,
}

impl Plan {
    /// GraphQL points restored per second.
    pub fn restore_rate(self) -> f64 {
        match self {
            Plan::Standard => 100.0,
            Plan::Advanced => 200.0,
            Plan::Plus => 1000.0,
            Plan::Enterprise => 2000.0,
        }
    }
    /// REST requests leaked per second from the bucket of 40.
    pub fn rest_leak_rate(self) -> f64 {
        match self {
            Plan::Standard => 2.0,
            Plan::Advanced => 4.0,
            Plan::Plus => 20.0,
            Plan::Enterprise => 40.0,
        }
    }
    /// `shop { plan { displayName } }`.
    pub fn display_name(self) -> &'static str {
        match self {
            Plan::Standard => "Basic",
            Plan::Advanced => "Advanced",
            Plan::Plus => "Shopify Plus",
            Plan::Enterprise => "Enterprise",
        }
    }
}

/// Faults of the webhook sender.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WebhookFaults {
    /// Share of deliveries sent twice with the same webhook id.
    pub duplicate_rate: f64,
    /// Share of deliveries held back and sent after later ones.
    pub reorder_rate: f64,
    /// Share of deliveries never sent.
    pub drop_rate: f64,
}

impl Default for WebhookFaults {
    fn default() -> Self {
        WebhookFaults {
            duplicate_rate: 0.0,
            reorder_rate: 0.0,
            drop_rate: 0.0,
        }
    }
}

/// Faults of the Admin API (GraphQL and REST).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ApiFaults {
    /// Share of requests answered 429 with `Retry-After`.
    pub rate_429: f64,
    /// Share of requests answered 500/502/503.
    pub rate_5xx: f64,
    /// Delay added to every API response.
    pub slow: Duration,
    /// Makes the next bulk operation fail (FAILED, with a partial data URL).
    pub fail_bulk: bool,
}

/// The scopes a token gets unless `--scopes` says otherwise: everything the engine reads,
/// orders of any age included (`read_all_orders`), and its webhook subscriptions.
pub const DEFAULT_SCOPES: [&str; 6] = [
    "read_orders",
    "read_all_orders",
    "read_customers",
    "read_products",
    "read_locations",
    "write_webhooks",
];
/// How long bulk operations take and how long their result URLs stay valid. Shopify's run for
/// seconds, longer as they grow; the test suite shortens them, never below
/// [`BulkTiming::FLOOR`], so a client's polling is always exercised.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BulkTiming {
    /// The least time from `bulkOperationRunQuery` to COMPLETED.
    pub min_duration: Duration,
    /// Result lines (objects) written per second while RUNNING.
    pub objects_per_second: f64,
    /// How long a result URL is valid (Shopify's: 7 days).
    pub url_lifetime: Duration,
}

impl BulkTiming {
    /// No operation completes faster than this, whatever the config says.
    pub const FLOOR: Duration = Duration::from_millis(200);

    /// How long an operation stays CREATED before it runs: a fifth of the minimum.
    pub fn created_for(&self) -> Duration {
        self.min_duration.max(Self::FLOOR) / 5
    }

    /// How long an operation writing `objects` lines stays RUNNING.
    pub fn running_for(&self, objects: u64) -> Duration {
        let least = self.min_duration.max(Self::FLOOR) - self.created_for();
        let writing = Duration::from_secs_f64(objects as f64 / self.objects_per_second.max(1.0));
        least.max(writing)
    }
}

impl Default for BulkTiming {
    fn default() -> Self {
        BulkTiming {
            min_duration: Duration::from_secs(1),
            objects_per_second: 2_000.0,
            url_lifetime: Duration::from_secs(7 * 24 * 3600),
        }
    }
}

/// Everything the simulator needs, secrets as values (redacted from `Debug`).
#[derive(Clone)]
pub struct SimConfig {
    /// Where the HTTP server listens (`127.0.0.1:0` picks a free port).
    pub listen: SocketAddr,
    /// `<name>.myshopify.com`.
    pub shop: String,
    /// Signs webhooks (the app's client secret).
    pub webhook_secret: String,
    /// The Admin API access token clients must send in `X-Shopify-Access-Token`.
    pub access_token: String,
    /// Seed of the generator and the activity.
    pub seed: u64,
    pub customers: usize,
    pub products: usize,
    pub orders: usize,
    /// Live changes per second (0 = still).
    pub rate: f64,
    /// Changes come in bursts of this many (1 = evenly spaced).
    pub burst: u32,
    /// When set, every topic is delivered here (a subscription that is never removed).
    pub webhook_url: Option<String>,
    pub plan: Plan,
    pub currency: String,
    /// `X-Shopify-API-Version` of webhooks.
    pub api_version: String,
    pub webhook_faults: WebhookFaults,
    /// Multiplies Shopify's retry schedule (8 retries over 4 hours); 0.001 makes it ~14 s.
    pub retry_scale: f64,
    /// Webhook deliveries in flight at once.
    pub webhook_concurrency: usize,
    pub api_faults: ApiFaults,
    /// The access scopes the token holds (`access_scopes.json`, `accessScopes`); a request
    /// for a resource outside them is refused as Shopify does (`access.rs`), and without
    /// `read_all_orders` orders older than 60 days are invisible (`store/visibility.rs`).
    pub scopes: Vec<String>,
    pub bulk: BulkTiming,
    /// The day (UTC midnight) the generated history ends; `None` is the default history,
    /// 2024 (`generate::default_anchor`), which every test's store was written against.
    pub history_ends: Option<chrono::NaiveDate>,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            shop: "xeno-sim.myshopify.com".to_string(),
            webhook_secret: "sim-secret".to_string(),
            access_token: "shpat_sim".to_string(),
            seed: 1,
            customers: 50,
            products: 20,
            orders: 100,
            rate: 0.0,
            burst: 1,
            webhook_url: None,
            plan: Plan::Standard,
            currency: "USD".to_string(),
            api_version: xeno_shopify::versions::LATEST_STABLE.to_string(),
            webhook_faults: WebhookFaults::default(),
            retry_scale: 1.0,
            webhook_concurrency: 32,
            api_faults: ApiFaults::default(),
            scopes: DEFAULT_SCOPES.iter().map(|s| s.to_string()).collect(),
            bulk: BulkTiming::default(),
            history_ends: None,
        }
    }
}

impl std::fmt::Debug for SimConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimConfig")
            .field("listen", &self.listen)
            .field("shop", &self.shop)
            .field("webhook_secret", &"<redacted>")
            .field("access_token", &"<redacted>")
            .field("seed", &self.seed)
            .field("customers", &self.customers)
            .field("products", &self.products)
            .field("orders", &self.orders)
            .field("rate", &self.rate)
            .field("burst", &self.burst)
            .field("webhook_url", &self.webhook_url)
            .field("plan", &self.plan)
            .field("currency", &self.currency)
            .field("api_version", &self.api_version)
            .field("webhook_faults", &self.webhook_faults)
            .field("retry_scale", &self.retry_scale)
            .field("webhook_concurrency", &self.webhook_concurrency)
            .field("api_faults", &self.api_faults)
            .field("scopes", &self.scopes)
            .field("bulk", &self.bulk)
            .field("history_ends", &self.history_ends)
            .finish()
    }
}

/// A problem with the flags.
#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("environment variable {0} (named by --{1}) is not set")]
    MissingEnv(String, &'static str),
    #[error("--shop {0:?} is not a <name>.myshopify.com domain")]
    BadShop(String),
    #[error("--currency {0:?} is not a three-letter ISO 4217 code")]
    BadCurrency(String),
    #[error("--scopes {0:?} is not an access scope handle like read_orders")]
    BadScope(String),
}

fn rate_0_to_1(s: &str) -> Result<f64, String> {
    let v: f64 = s.parse().map_err(|e| format!("{e}"))?;
    if (0.0..=1.0).contains(&v) {
        Ok(v)
    } else {
        Err(format!("{v} is not between 0 and 1"))
    }
}

fn non_negative(s: &str) -> Result<f64, String> {
    let v: f64 = s.parse().map_err(|e| format!("{e}"))?;
    if v >= 0.0 && v.is_finite() {
        Ok(v)
    } else {
        Err(format!("{v} is not a non-negative number"))
    }
}

/// `--history-ends`: a date `YYYY-MM-DD`, or `today` (UTC).
pub fn history_end_date(s: &str) -> Result<chrono::NaiveDate, String> {
    if s == "today" {
        return Ok(chrono::Utc::now().date_naive());
    }
    let day = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|e| format!("{s:?} is not a date like 2026-12-03 or `today` ({e})"))?;
    let first = chrono::NaiveDate::from_ymd_opt(2000, 1, 1).expect("constant date");
    let last = chrono::NaiveDate::from_ymd_opt(2999, 12, 31).expect("constant date");
    if day < first || day > last {
        return Err(format!("{s} is not between 2000-01-01 and 2999-12-31"));
    }
    Ok(day)
}

/// The flags of `xeno sim`.
#[derive(Debug, Clone, clap::Args)]
pub struct SimArgs {
    /// Address of the simulator's HTTP server (Admin API, `/_sim/*`).
    #[arg(long, default_value = "127.0.0.1:8090")]
    pub listen: SocketAddr,
    /// The simulated shop's domain.
    #[arg(long, default_value = "xeno-sim.myshopify.com")]
    pub shop: String,
    /// Environment variable holding the webhook signing secret.
    #[arg(long, default_value = "SHOPIFY_WEBHOOK_SECRET")]
    pub secret_env: String,
    /// Environment variable holding the Admin API access token.
    #[arg(long, default_value = "SHOPIFY_ACCESS_TOKEN")]
    pub token_env: String,
    /// Seed: the same seed gives the same store.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    #[arg(long, default_value_t = 500)]
    pub customers: usize,
    #[arg(long, default_value_t = 200)]
    pub products: usize,
    #[arg(long, default_value_t = 2000)]
    pub orders: usize,
    /// Live store changes per second (0 = still).
    #[arg(long, default_value_t = 1.0, value_parser = non_negative)]
    pub rate: f64,
    /// Deliver every topic to this URL.
    #[arg(long)]
    pub webhook_url: Option<String>,
    #[arg(long, value_enum, default_value = "standard")]
    pub plan: Plan,
    #[arg(long, default_value = "USD")]
    pub currency: String,
    /// API version announced in webhooks (Shopify's latest stable by default).
    #[arg(long, default_value = xeno_shopify::versions::LATEST_STABLE)]
    pub api_version: String,
    /// Share of webhooks delivered twice (same webhook id).
    #[arg(long, default_value_t = 0.0, value_parser = rate_0_to_1)]
    pub duplicate_rate: f64,
    /// Share of webhooks held back and delivered after later ones.
    #[arg(long, default_value_t = 0.0, value_parser = rate_0_to_1)]
    pub reorder_rate: f64,
    /// Share of webhooks never delivered.
    #[arg(long, default_value_t = 0.0, value_parser = rate_0_to_1)]
    pub drop_rate: f64,
    /// Store changes come in bursts of N.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    pub burst: u32,
    /// Scale of Shopify's webhook retry schedule (8 retries over 4 h); 0.001 for tests.
    #[arg(long, default_value_t = 1.0, value_parser = non_negative)]
    pub retry_scale: f64,
    /// Share of Admin API requests answered 429.
    #[arg(long, default_value_t = 0.0, value_parser = rate_0_to_1)]
    pub fault_429_rate: f64,
    /// Share of Admin API requests answered 5xx.
    #[arg(long, default_value_t = 0.0, value_parser = rate_0_to_1)]
    pub fault_5xx_rate: f64,
    /// Milliseconds added to every Admin API response.
    #[arg(long, default_value_t = 0)]
    pub slow_ms: u64,
    /// Make the first bulk operation fail (FAILED with a partial data URL).
    #[arg(long)]
    pub fail_bulk: bool,
    /// The access scopes the token holds, comma-separated (default: every scope the engine
    /// needs, `read_all_orders` included).
    #[arg(long, value_delimiter = ',', default_values_t = DEFAULT_SCOPES.map(String::from))]
    pub scopes: Vec<String>,
    /// Least milliseconds a bulk operation takes (never below 200).
    #[arg(long, default_value_t = 1000)]
    pub bulk_min_ms: u64,
    /// Objects a bulk operation writes per second: larger ones run longer.
    #[arg(long, default_value_t = 2000.0, value_parser = non_negative)]
    pub bulk_objects_per_second: f64,
    /// The day the generated history ends (`YYYY-MM-DD` or `today`, UTC midnight): it then
    /// spans the year before, with a weekly rhythm, growth and a sale week. Without it the
    /// history is 2024's, the same as ever.
    #[arg(long, value_parser = history_end_date)]
    pub history_ends: Option<chrono::NaiveDate>,
}

impl SimArgs {
    /// Reads the secrets the flags name and builds the config.
    pub fn into_config(self) -> Result<SimConfig, ConfigError> {
        let env = |name: &str, flag: &'static str| {
            std::env::var(name).map_err(|_| ConfigError::MissingEnv(name.to_string(), flag))
        };
        if !valid_shop_domain(&self.shop) {
            return Err(ConfigError::BadShop(self.shop));
        }
        if self.currency.len() != 3 || !self.currency.chars().all(|c| c.is_ascii_uppercase()) {
            return Err(ConfigError::BadCurrency(self.currency));
        }
        if let Some(bad) = self.scopes.iter().find(|s| !valid_scope_handle(s)) {
            return Err(ConfigError::BadScope(bad.clone()));
        }
        Ok(SimConfig {
            listen: self.listen,
            webhook_secret: env(&self.secret_env, "secret-env")?,
            access_token: env(&self.token_env, "token-env")?,
            shop: self.shop,
            seed: self.seed,
            customers: self.customers,
            products: self.products,
            orders: self.orders,
            rate: self.rate,
            burst: self.burst,
            webhook_url: self.webhook_url,
            plan: self.plan,
            currency: self.currency,
            api_version: self.api_version,
            webhook_faults: WebhookFaults {
                duplicate_rate: self.duplicate_rate,
                reorder_rate: self.reorder_rate,
                drop_rate: self.drop_rate,
            },
            retry_scale: self.retry_scale,
            webhook_concurrency: 32,
            api_faults: ApiFaults {
                rate_429: self.fault_429_rate,
                rate_5xx: self.fault_5xx_rate,
                slow: Duration::from_millis(self.slow_ms),
                fail_bulk: self.fail_bulk,
            },
            scopes: self.scopes,
            bulk: BulkTiming {
                min_duration: Duration::from_millis(self.bulk_min_ms),
                objects_per_second: self.bulk_objects_per_second,
                ..BulkTiming::default()
            },
            history_ends: self.history_ends,
        })
    }
}

/// A scope handle as Shopify spells them: lowercase words joined by `_` (`read_all_orders`).
fn valid_scope_handle(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with('_')
        && !s.ends_with('_')
        && s.chars().all(|c| c.is_ascii_lowercase() || c == '_')
}

/// Shopify's own check: `^[a-zA-Z0-9][a-zA-Z0-9-]*\.myshopify\.com$`.
pub fn valid_shop_domain(domain: &str) -> bool {
    let Some(name) = domain.strip_suffix(".myshopify.com") else {
        return false;
    };
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphanumeric())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(flatten)]
        sim: SimArgs,
    }

    #[test]
    fn flags_parse_and_bad_ones_are_explained() {
        let cli = Cli::try_parse_from([
            "sim",
            "--plan",
            "plus",
            "--duplicate-rate",
            "0.3",
            "--burst",
            "5",
            "--retry-scale",
            "0.001",
        ])
        .unwrap();
        assert_eq!(cli.sim.plan, Plan::Plus);
        assert_eq!(cli.sim.duplicate_rate, 0.3);
        assert_eq!(cli.sim.plan.restore_rate(), 1000.0);
        assert_eq!(cli.sim.scopes, DEFAULT_SCOPES.map(String::from));
        let cli = Cli::try_parse_from(["sim", "--scopes", "read_orders,read_products"]).unwrap();
        assert_eq!(cli.sim.scopes, ["read_orders", "read_products"]);
        let err = Cli::try_parse_from(["sim", "--plan", "gold"])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("possible values: standard, advanced, plus, enterprise"),
            "{err}"
        );
        let err = Cli::try_parse_from(["sim", "--drop-rate", "2"])
            .unwrap_err()
            .to_string();
        assert!(err.contains("not between 0 and 1"), "{err}");
        let err = Cli::try_parse_from(["sim", "--burst", "0"])
            .unwrap_err()
            .to_string();
        assert!(err.contains("--burst"), "{err}");
        let cli = Cli::try_parse_from(["sim", "--history-ends", "2026-12-03"]).unwrap();
        assert_eq!(
            cli.sim.history_ends,
            chrono::NaiveDate::from_ymd_opt(2026, 12, 3)
        );
        let err = Cli::try_parse_from(["sim", "--history-ends", "2026-13-03"])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("--history-ends") && err.contains("not a date like"),
            "{err}"
        );
        let err = Cli::try_parse_from(["sim", "--history-ends", "1999-12-31"])
            .unwrap_err()
            .to_string();
        assert!(err.contains("not between 2000-01-01"), "{err}");
    }

    #[test]
    fn bulk_operations_take_longer_as_they_grow_and_never_milliseconds() {
        let t = BulkTiming::default();
        assert_eq!(t.created_for() + t.running_for(10), Duration::from_secs(1));
        assert_eq!(t.running_for(20_000), Duration::from_secs(10));
        let fast = BulkTiming {
            min_duration: Duration::ZERO,
            objects_per_second: 1e9,
            ..t
        };
        assert_eq!(
            fast.created_for() + fast.running_for(1_000),
            BulkTiming::FLOOR
        );
    }

    #[test]
    fn config_needs_the_named_secrets_and_a_real_shop_domain() {
        let cli =
            Cli::try_parse_from(["sim", "--secret-env", "XENO_SIM_TEST_SURELY_UNSET"]).unwrap();
        let err = cli.sim.into_config().unwrap_err().to_string();
        assert!(
            err.contains("XENO_SIM_TEST_SURELY_UNSET") && err.contains("--secret-env"),
            "{err}"
        );
        assert!(valid_shop_domain("my-shop.myshopify.com"));
        assert!(!valid_shop_domain("-shop.myshopify.com"));
        assert!(!valid_shop_domain("shop.example.com"));
        assert!(valid_scope_handle("read_all_orders"));
        assert!(!valid_scope_handle("read orders"));
        assert!(!valid_scope_handle(""));
    }
}
