//! Embeds the dashboard into the engine library (which serves it), and so into the `xeno`
//! binary that `cli/` builds from it.
//!
//! When `dashboard/dist/` holds a build (`scripts/build-dashboard.sh` makes it), every file
//! in it is embedded; otherwise a small page explaining how to build the dashboard is, so
//! the engine always compiles and its tests pass without a wasm toolchain.
//!
//! Also re-runs when `sql/` changes: the migrations are embedded by refinery's macro, and a
//! new migration file must rebuild the engine.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets it"));
    let dashboard = manifest.join("../dashboard");
    let dist = dashboard.join("dist");
    let sql = manifest.join("../sql");

    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed={}", sql.display());
    // Watching an existing directory: a missing path would re-run this script on every build.
    if dist.join("index.html").is_file() {
        println!("cargo:rerun-if-changed={}", dist.display());
    } else if dashboard.is_dir() {
        println!("cargo:rerun-if-changed={}", dashboard.display());
    }

    let mut files: Vec<(String, PathBuf)> = Vec::new();
    let built = dist.join("index.html").is_file();
    if built {
        collect(&dist, &dist, &mut files);
    } else {
        let page = out.join("dashboard-fallback.html");
        std::fs::write(&page, FALLBACK).expect("write fallback page");
        files.push(("index.html".to_string(), page));
    }
    files.sort();

    let mut code = String::new();
    writeln!(
        code,
        "/// Whether the real dashboard was embedded (else the fallback page)."
    )
    .unwrap();
    writeln!(code, "pub const DASHBOARD_BUILT: bool = {built};").unwrap();
    writeln!(
        code,
        "/// Every embedded file, by path relative to `dashboard/dist/`."
    )
    .unwrap();
    writeln!(code, "pub static ASSETS: &[Asset] = &[").unwrap();
    for (rel, path) in &files {
        writeln!(
            code,
            "    Asset {{ path: {rel:?}, content_type: {ct:?}, bytes: include_bytes!({abs:?}) }},",
            ct = content_type(rel),
            abs = path
                .canonicalize()
                .unwrap_or(path.clone())
                .display()
                .to_string(),
        )
        .unwrap();
    }
    writeln!(code, "];").unwrap();
    std::fs::write(out.join("dashboard_assets.rs"), code).expect("write dashboard_assets.rs");
}

fn list_files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default();
    v.sort();
    v
}

fn collect(root: &Path, dir: &Path, files: &mut Vec<(String, PathBuf)>) {
    for path in list_files(dir) {
        if path.is_dir() {
            collect(root, &path, files);
        } else if let Ok(rel) = path.strip_prefix(root) {
            let rel = rel.to_string_lossy().replace('\\', "/");
            if !rel.starts_with('.') {
                files.push((rel, path));
            }
        }
    }
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "wasm" => "application/wasm",
        "svg" => "image/svg+xml",
        "json" => "application/json",
        "ico" => "image/x-icon",
        "png" => "image/png",
        _ => "application/octet-stream",
    }
}

const FALLBACK: &str = r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>xeno: dashboard not built</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:42rem;margin:4rem auto;padding:0 1rem;color:#1f2937}
code,pre{background:#f3f4f6;border-radius:4px;padding:.1rem .3rem}pre{padding:.8rem}</style></head>
<body><h1>The dashboard is not built into this binary</h1>
<p>The engine and its API are running; only the web dashboard is missing. Build it, then rebuild the binary:</p>
<pre>scripts/build-dashboard.sh
cargo build --release -p xeno</pre>
<p>The script installs what it needs (the <code>wasm32-unknown-unknown</code> target and the pinned
<code>wasm-bindgen-cli</code>) and writes <code>dashboard/dist/</code>, which the engine embeds.</p>
<p>The JSON API works meanwhile, e.g. <code>curl -H "Authorization: Bearer $TOKEN" /api/stats</code>.</p>
</body></html>
"#;
