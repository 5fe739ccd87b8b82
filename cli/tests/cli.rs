//! The `xeno` binary's own surface: help for newcomers, and `check-config` listing every
//! problem of a config at once with a non-zero exit.

use std::process::Command;

fn xeno() -> Command {
    Command::new(env!("CARGO_BIN_EXE_xeno"))
}

#[test]
fn help_names_every_subcommand() {
    let out = xeno().arg("--help").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for cmd in ["run", "check-config", "check-api", "demo", "sim"] {
        assert!(text.contains(cmd), "--help lacks {cmd}:\n{text}");
    }
}

#[test]
fn check_config_lists_every_problem_and_fails() {
    let dir = std::env::temp_dir().join(format!("xeno-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("bad.toml");
    std::fs::write(
        &path,
        r#"
[server]
listen = "not an address"
[[shops]]
domain = "shop.example.com"
webhook_secret_env = "XENO_CLI_TEST_UNSET_SECRET"
[[shops]]
domain = "fine.myshopify.com"
webhook_secret_env = "XENO_CLI_TEST_UNSET_SECRET"
api_version = "2025-07"
"#,
    )
    .unwrap();
    let out = xeno()
        .args(["check-config", "--config"])
        .arg(&path)
        .env_remove("XENO_CLI_TEST_UNSET_SECRET")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    for needle in [
        "server.listen",
        "shops[0].domain",
        "shops[1].webhook_secret_env: environment variable XENO_CLI_TEST_UNSET_SECRET is not set",
        "shops[1].api_version: `2025-07` is retired by Shopify; Shopify supports unstable, 2026-10, 2026-07",
    ] {
        assert!(err.contains(needle), "missing {needle:?} in:\n{err}");
    }
}

#[test]
fn check_config_accepts_the_example_with_its_variables_set() {
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/../config/xeno.example.toml");
    let mut cmd = xeno();
    cmd.args(["check-config", "--config", example]);
    for var in [
        "ACME_WEBHOOK_SECRET",
        "ACME_PREVIOUS_WEBHOOK_SECRET",
        "ACME_ACCESS_TOKEN",
        "GLOBEX_WEBHOOK_SECRET",
        "GLOBEX_ACCESS_TOKEN",
        "XENO_OPS_TOKEN",
        "ACME_ANALYST_TOKEN",
        "XENO_ALERTS_SECRET",
    ] {
        cmd.env(var, "a-long-enough-secret-value");
    }
    cmd.env(
        "XENO_ALERTS_SLACK_URL",
        "https://hooks.slack.com/services/T000/B000/XXXX",
    );
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("2 shop(s)"));
}
