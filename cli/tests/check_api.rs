//! `xeno check-api --version V`: the engine's documents judged by Shopify's published schema
//! of V (`scripts/shopify-artifacts.sh` installs it): clean on the default version, a
//! retired version refused naming the supported ones, missing artifacts named with the script
//! that installs them, and an invalid document a non-zero exit.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output};

fn xeno(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xeno"))
        .args(args)
        .output()
        .unwrap()
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn the_default_version_is_clean() {
    let version = xeno_shopify::versions::LATEST_STABLE;
    let out = xeno(&["check-api", "--version", version]);
    let t = text(&out);
    assert!(out.status.success(), "{t}");
    assert!(t.contains("0 invalid, 0 deprecated"), "{t}");
    assert!(t.contains("ok          customers page"), "{t}");
}

#[test]
fn every_supported_version_is_valid() {
    for version in xeno_shopify::versions::SUPPORTED {
        let out = xeno(&["check-api", "--version", version]);
        assert!(out.status.success(), "{version}: {}", text(&out));
    }
}

#[test]
fn a_retired_version_is_refused_naming_the_supported_ones() {
    let out = xeno(&["check-api", "--version", "2025-07"]);
    let t = text(&out);
    assert!(!out.status.success(), "{t}");
    assert!(
        t.contains("`2025-07` is retired by Shopify; Shopify supports"),
        "{t}"
    );
    assert!(t.contains("2026-07"), "{t}");
}

#[test]
fn missing_artifacts_name_the_install_script() {
    let out = xeno(&[
        "check-api",
        "--version",
        "2026-07",
        "--artifacts",
        "/nonexistent/xeno",
    ]);
    let t = text(&out);
    assert!(!out.status.success(), "{t}");
    assert!(t.contains("scripts/shopify-artifacts.sh"), "{t}");
}

#[test]
fn an_invalid_document_fails_the_check() {
    // A schema of one version in which nothing the engine asks for exists.
    let dir = std::env::temp_dir().join(format!("xeno-check-api-{}", std::process::id()));
    let data: PathBuf = dir.join("@shopify/dev-mcp/dist/data");
    std::fs::create_dir_all(&data).unwrap();
    let introspection = r#"{"data":{"__schema":{"queryType":{"name":"QueryRoot"},
        "mutationType":null,"types":[{"kind":"OBJECT","name":"QueryRoot","interfaces":[],
        "fields":[{"name":"shop","args":[],"type":{"kind":"SCALAR","name":"String"}}]}]}}}"#;
    let file = std::fs::File::create(data.join("admin_2026-07.json.gz")).unwrap();
    let mut gz = flate2::write::GzEncoder::new(file, flate2::Compression::fast());
    gz.write_all(introspection.as_bytes()).unwrap();
    gz.finish().unwrap();
    let out = xeno(&[
        "check-api",
        "--version",
        "2026-07",
        "--artifacts",
        dir.to_str().unwrap(),
    ]);
    let t = text(&out);
    assert_eq!(out.status.code(), Some(1), "{t}");
    assert!(t.contains("INVALID     orders page"), "{t}");
    std::fs::remove_dir_all(&dir).ok();
}
