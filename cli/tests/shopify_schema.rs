//! Every GraphQL document the engine can send is valid against Shopify's real Admin schema of
//! every supported version (`xeno_shopify::versions::SUPPORTED`), and uses nothing deprecated
//! on the default version. The schema is Shopify's published introspection
//! (`scripts/shopify-artifacts.sh` installs it; `XENO_SHOPIFY_ARTIFACTS` may point elsewhere):
//! missing artifacts fail the test.

use std::path::PathBuf;

use xeno_engine::sync::api_check;
use xeno_shopify::versions;

fn artifacts() -> PathBuf {
    xeno_shopify::artifacts::dir_from_env()
}

#[test]
fn every_document_is_valid_on_every_supported_version_and_not_deprecated_on_the_default() {
    let dir = artifacts();
    let mut problems = Vec::new();
    for version in versions::SUPPORTED {
        let schema = api_check::load_schema(&dir, version).unwrap_or_else(|e| panic!("{e}"));
        for f in api_check::check(&schema, version) {
            for e in &f.report.errors {
                problems.push(format!("{version} {}: invalid: {e}", f.document.name));
            }
            if *version == versions::LATEST_STABLE {
                for d in &f.report.deprecated {
                    problems.push(format!("{version} {}: deprecated: {d}", f.document.name));
                }
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
