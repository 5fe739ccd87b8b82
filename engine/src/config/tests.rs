//! Config tests: defaults, environment overrides, unknown keys, every problem listed with its
//! key path, and the example configs in `config/` loading.

use super::*;
use std::collections::HashMap;

fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    move |k| map.get(k).cloned()
}

const GOOD: &str = r#"
    [server]
    listen = "127.0.0.1:4000"
    [postgres]
    url = "postgres://postgres@127.0.0.1:5432/xeno"
    [nats]
    url = "nats://127.0.0.1:4222"
    stream = "XENO"
    [[shops]]
    domain = "acme.myshopify.com"
    webhook_secret_env = "ACME_WEBHOOK_SECRET"
    access_token_env = "ACME_ACCESS_TOKEN"
    admin_url = "http://127.0.0.1:4100"
"#;

#[test]
fn good_config_loads_with_defaults() {
    let env = env_of(&[
        ("ACME_WEBHOOK_SECRET", "s3cret"),
        ("ACME_ACCESS_TOKEN", "tok"),
    ]);
    let c = Config::from_toml(GOOD, "t.toml", &env).unwrap();
    assert_eq!(c.shops[0].domain, "acme.myshopify.com");
    assert_eq!(c.shops[0].webhook_secrets[0].expose(), "s3cret");
    assert_eq!(c.server.listen.port(), 4000);
    assert_eq!(c.writer.workers, 4);
    assert!(!format!("{c:?}").contains("s3cret"), "secrets never print");
}

#[test]
fn api_version_defaults_to_the_latest_stable_and_must_be_supported() {
    let env = env_of(&[("ACME_WEBHOOK_SECRET", "s"), ("ACME_ACCESS_TOKEN", "t")]);
    let c = Config::from_toml(GOOD, "t.toml", &env).unwrap();
    assert_eq!(
        c.shops[0].api_version,
        xeno_shopify::versions::LATEST_STABLE
    );
    for ok in ["2026-10", "unstable", "2025-10", "2026-07"] {
        let text = format!("{GOOD}    api_version = \"{ok}\"\n");
        let c = Config::from_toml(&text, "t.toml", &env).unwrap();
        assert_eq!(c.shops[0].api_version, ok);
    }
    for (bad, why) in [
        ("2025-07", "is retired by Shopify"),
        ("2031-01", "is not released by Shopify"),
        ("2026-02", "is not an API version"),
    ] {
        let text = format!("{GOOD}    api_version = \"{bad}\"\n");
        let err = Config::from_toml(&text, "t.toml", &env)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains(&format!("shops[0].api_version: `{bad}` {why}")),
            "{err}"
        );
        assert!(
            err.contains("2025-10"),
            "names the supported versions: {err}"
        );
    }
}

#[test]
fn environment_overrides_win() {
    let env = env_of(&[
        ("ACME_WEBHOOK_SECRET", "s"),
        ("ACME_ACCESS_TOKEN", "t"),
        ("XENO_LISTEN", "0.0.0.0:9999"),
        ("XENO_NATS_URL", "nats://10.0.0.1:4222"),
        ("XENO_POSTGRES_URL", "postgres://u@h/db"),
    ]);
    let c = Config::from_toml(GOOD, "t.toml", &env).unwrap();
    assert_eq!(c.server.listen.port(), 9999);
    assert_eq!(c.nats.url, "nats://10.0.0.1:4222");
    assert_eq!(c.postgres.url, "postgres://u@h/db");
}

#[test]
fn nats_url_may_list_every_node_of_a_cluster() {
    let with_url = |url: &str| {
        env_of(&[
            ("ACME_WEBHOOK_SECRET", "s"),
            ("ACME_ACCESS_TOKEN", "t"),
            ("XENO_NATS_URL", url),
        ])
    };
    let c = Config::from_toml(
        GOOD,
        "t.toml",
        &with_url("nats://10.0.0.1:4222, nats://10.0.0.2:4222"),
    )
    .unwrap();
    assert_eq!(
        c.nats.servers(),
        ["nats://10.0.0.1:4222", "nats://10.0.0.2:4222"]
    );
    let err = Config::from_toml(
        GOOD,
        "t.toml",
        &with_url("nats://10.0.0.1:4222,nats://b:port"),
    )
    .unwrap_err();
    assert!(
        err.issues()
            .iter()
            .any(|i| i.starts_with("XENO_NATS_URL") && i.contains("nats://b:port")),
        "{err}"
    );
}

#[test]
fn unknown_keys_are_errors_naming_the_key() {
    let err = Config::from_toml(
        "[server]\nlisten = \"127.0.0.1:1\"\nlistne = 1\n",
        "t.toml",
        &env_of(&[]),
    )
    .unwrap_err();
    assert!(err.to_string().contains("listne"), "{err}");
}

#[test]
fn every_problem_is_listed_with_its_path() {
    let text = r#"
        [server]
        listen = "nowhere"
        [nats]
        stream = "bad stream"
        [[shops]]
        domain = "evil.com"
        webhook_secret_env = "A"
        [[shops]]
        domain = "acme.myshopify.com"
        webhook_secret_env = "MISSING"
        [[shops]]
        domain = "ACME.myshopify.com."
        webhook_secret_env = "A"
        reconcile_every = "often"
    "#;
    let err = Config::from_toml(text, "t.toml", &env_of(&[("A", "x")])).unwrap_err();
    let issues = err.issues().join("\n");
    for needle in [
        "server.listen",
        "nats.stream",
        "shops[0].domain",
        "shops[1].webhook_secret_env: environment variable MISSING is not set",
        "shops[2].domain: `acme.myshopify.com` is configured twice",
        "shops[2].reconcile_every",
    ] {
        assert!(issues.contains(needle), "missing {needle:?} in:\n{issues}");
    }
}

#[test]
fn example_configs_parse() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../config");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("toml") {
            continue;
        }
        seen += 1;
        let text = std::fs::read_to_string(&path).unwrap();
        // Every variable the example names is set, so only real mistakes fail.
        let overrides = ["XENO_LISTEN", "XENO_POSTGRES_URL", "XENO_NATS_URL"];
        let env = |k: &str| {
            (!overrides.contains(&k)).then(|| match k.strip_suffix("_URL") {
                Some(name) => format!("https://hooks.example.com/{name}"),
                None => format!("value-of-{k}-long-enough"),
            })
        };
        if let Err(e) = Config::from_toml(&text, &path.display().to_string(), &env) {
            panic!("{} does not load: {e}", path.display());
        }
    }
    assert!(
        seen >= 2,
        "config/ holds the demo and the multi-shop example"
    );
}

#[test]
fn resources_backfill_since_and_lookback_are_typed_with_defaults() {
    let env = env_of(&[("ACME_WEBHOOK_SECRET", "s"), ("ACME_ACCESS_TOKEN", "t")]);
    let c = Config::from_toml(GOOD, "t.toml", &env).unwrap();
    assert_eq!(c.shops[0].resources, ResourceChoice::Granted);
    assert_eq!(c.shops[0].backfill_since, None);
    assert_eq!(c.shops[0].reconcile_lookback, DEFAULT_RECONCILE_LOOKBACK);

    let text = format!(
        "{GOOD}    resources = [\"orders\", \"products\"]\n    backfill_since = \"2024-01-01\"\n    reconcile_lookback = \"2h\"\n"
    );
    let c = Config::from_toml(&text, "t.toml", &env).unwrap();
    use xeno_shopify::Resource;
    assert_eq!(
        c.shops[0].resources,
        ResourceChoice::Listed(vec![Resource::Orders, Resource::Products])
    );
    assert_eq!(
        c.shops[0].backfill_since.unwrap().to_rfc3339(),
        "2024-01-01T00:00:00+00:00"
    );
    assert_eq!(c.shops[0].reconcile_lookback.as_secs(), 7200);

    let text = format!("{GOOD}    backfill_since = \"2024-03-01T12:00:00-05:00\"\n");
    let c = Config::from_toml(&text, "t.toml", &env).unwrap();
    assert_eq!(
        c.shops[0].backfill_since.unwrap().to_rfc3339(),
        "2024-03-01T17:00:00+00:00"
    );
}

#[test]
fn bad_resources_and_backfill_since_name_the_problem() {
    let env = env_of(&[("ACME_WEBHOOK_SECRET", "s"), ("ACME_ACCESS_TOKEN", "t")]);
    for (extra, expected) in [
        (
            "resources = [\"orders\", \"invoices\"]",
            "shops[0].resources[1]: `invoices` is not a resource; the resources are customers, ",
        ),
        (
            "resources = [\"orders\", \"orders\"]",
            "shops[0].resources[1]: `orders` is listed twice",
        ),
        ("resources = []", "shops[0].resources: lists no resource"),
        (
            "backfill_since = \"last year\"",
            "shops[0].backfill_since: `last year` is neither a date",
        ),
        (
            "backfill_since = \"2999-01-01\"",
            "shops[0].backfill_since: `2999-01-01` is in the future",
        ),
        (
            "reconcile_lookback = \"soon\"",
            "shops[0].reconcile_lookback: `soon` is not a duration",
        ),
    ] {
        let text = format!("{GOOD}    {extra}\n");
        let err = Config::from_toml(&text, "t.toml", &env)
            .unwrap_err()
            .to_string();
        assert!(err.contains(expected), "{extra}: {err}");
    }
}

#[test]
fn alert_targets_are_typed_and_their_problems_named() {
    let env = env_of(&[
        ("ACME_WEBHOOK_SECRET", "s3cret"),
        ("ACME_ACCESS_TOKEN", "tok"),
        ("OPS_URL", "https://hooks.example.com/services/T0/B0/xyz"),
        ("OPS_KEY", "signing-key"),
        ("NOT_A_URL", "hooks.example.com/secret-path"),
    ]);
    let good = format!(
        "{GOOD}\n[alerting]\nevery = \"5s\"\n[alerting.hold]\nXenoDeadLettersOpen = \"0s\"\n\
         [[alerts]]\nname = \"ops\"\nurl_env = \"OPS_URL\"\nsecret_env = \"OPS_KEY\"\n\
         only = [\"XenoSyncFailing\"]\n"
    );
    let c = Config::from_toml(&good, "t.toml", &env).unwrap();
    assert_eq!(c.alerting.every, std::time::Duration::from_secs(5));
    assert_eq!(
        c.alerting.hold.get("XenoDeadLettersOpen"),
        Some(&std::time::Duration::ZERO)
    );
    let t = &c.alerting.targets[0];
    assert_eq!(t.name, "ops");
    assert!(t.wants("XenoSyncFailing") && !t.wants("XenoNatsDown"));
    assert!(!format!("{c:?}").contains("xyz"), "the URL never prints");
    let defaults = Config::from_toml(GOOD, "t.toml", &env).unwrap();
    assert_eq!(defaults.alerting.every, alerting::DEFAULT_EVERY);
    assert!(defaults.alerting.targets.is_empty());

    let bad = format!(
        "{GOOD}\n[alerting.hold]\nXenoNope = \"1m\"\nXenoNatsDown = \"soon\"\n\
         [[alerts]]\nname = \"a\"\nurl_env = \"NOT_A_URL\"\nonly = [\"XenoSyncFailing\", \"Bogus\"]\n\
         [[alerts]]\nname = \"a\"\nurl_env = \"MISSING\"\nsecret_env = \"\"\n"
    );
    let err = Config::from_toml(&bad, "t.toml", &env).unwrap_err();
    let issues = err.issues().join("\n");
    for needle in [
        "alerting.hold.XenoNope: `XenoNope` is not an alert; the alerts are XenoWebhooksUnavailable",
        "alerting.hold.XenoNatsDown: `soon` is not a duration",
        "alerts[0].url_env: $NOT_A_URL does not hold an http(s) URL",
        "alerts[0].only[1]: `Bogus` is not an alert",
        "alerts[1].name: `a` is also the name of alerts[0]",
        "alerts[1].url_env: environment variable MISSING is not set",
        "alerts[1].secret_env: names no environment variable",
    ] {
        assert!(issues.contains(needle), "missing {needle:?} in:\n{issues}");
    }
    assert!(
        !issues.contains("secret-path"),
        "a URL is never echoed: {issues}"
    );
}

#[test]
fn feed_webhooks_are_typed_and_their_problems_named() {
    let env = env_of(&[
        ("ACME_WEBHOOK_SECRET", "s3cret"),
        ("ACME_ACCESS_TOKEN", "tok"),
        ("HOOK_URL", "https://warehouse.example.com/xeno"),
        ("HOOK_KEY", "k"),
    ]);
    let good = format!(
        "{GOOD}\n[[feed_webhooks]]\nname = \"warehouse\"\nurl_env = \"HOOK_URL\"\n\
         secret_env = \"HOOK_KEY\"\nresources = [\"orders\"]\n"
    );
    let c = Config::from_toml(&good, "t.toml", &env).unwrap();
    let t = &c.feed_webhooks[0];
    assert!(t.wants("orders") && !t.wants("customers"));
    assert_eq!(t.max_attempts, feed_webhooks::DEFAULT_MAX_ATTEMPTS);

    let bad = format!(
        "{GOOD}\n[[feed_webhooks]]\nname = \"bad name\"\nurl_env = \"HOOK_URL\"\n\
         secret_env = \"NOPE\"\nresources = [\"carts\"]\nmax_attempts = 0\n"
    );
    let issues = Config::from_toml(&bad, "t.toml", &env)
        .unwrap_err()
        .issues()
        .join("\n");
    for needle in [
        "feed_webhooks[0].name: `bad name` must be letters, digits, `-` or `_`",
        "feed_webhooks[0].secret_env: environment variable NOPE is not set",
        "feed_webhooks[0].resources[0]: `carts` is not a resource; the resources are customers, products, orders, locations",
        "feed_webhooks[0].max_attempts: must be at least 1",
    ] {
        assert!(issues.contains(needle), "missing {needle:?} in:\n{issues}");
    }
}

#[test]
fn server_roles_default_to_all_and_are_typed() {
    let env = env_of(&[
        ("ACME_WEBHOOK_SECRET", "s3cret"),
        ("ACME_ACCESS_TOKEN", "tok"),
    ]);
    let c = Config::from_toml(GOOD, "t.toml", &env).unwrap();
    assert_eq!(c.server.roles, Roles::default());
    let text = GOOD.replace(
        "listen = \"127.0.0.1:4000\"",
        "listen = \"127.0.0.1:4000\"\nroles = [\"writer\", \"edge\"]",
    );
    let c = Config::from_toml(&text, "t.toml", &env).unwrap();
    assert_eq!(c.server.roles.names(), vec!["edge", "writer"]);
    assert!(!c.server.roles.has(Role::Api));
}

#[test]
fn an_unknown_or_empty_server_role_is_refused_under_its_path() {
    let env = env_of(&[
        ("ACME_WEBHOOK_SECRET", "s3cret"),
        ("ACME_ACCESS_TOKEN", "tok"),
    ]);
    for (roles, needle) in [
        ("[\"edge\", \"reader\"]", "`reader`"),
        ("[]", "at least one"),
    ] {
        let text = GOOD.replace(
            "listen = \"127.0.0.1:4000\"",
            &format!("listen = \"127.0.0.1:4000\"\nroles = {roles}"),
        );
        let err = Config::from_toml(&text, "t.toml", &env)
            .unwrap_err()
            .to_string();
        assert!(err.contains("server.roles"), "{err}");
        assert!(err.contains(needle), "{err}");
        assert!(err.contains("edge, writer, sync, api"), "{err}");
    }
}
