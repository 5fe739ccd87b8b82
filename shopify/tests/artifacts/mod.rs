//! Where Shopify's artifacts are installed: `XENO_SHOPIFY_ARTIFACTS`, else
//! `shopify/artifacts/node_modules` (`scripts/shopify-artifacts.sh` installs them). A missing
//! file fails the test, naming the script: never a silent skip.

use std::path::{Path, PathBuf};

pub fn dir() -> PathBuf {
    match std::env::var_os("XENO_SHOPIFY_ARTIFACTS") {
        Some(d) => PathBuf::from(d),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("artifacts/node_modules"),
    }
}

pub fn read_to_string(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| {
        panic!(
            "Shopify's artifact {} cannot be read ({e}): run scripts/shopify-artifacts.sh \
             (or set XENO_SHOPIFY_ARTIFACTS to its node_modules)",
            path.display()
        )
    })
}
