//! The committed list of supported versions (`shopify/src/versions.rs`) is Shopify's: the one
//! in the installed `@shopify/dev-mcp` (`scripts/shopify-artifacts.sh`).

mod artifacts;

use xeno_shopify::versions::SupportedVersions;

#[test]
fn committed_versions_are_shopifys() {
    let path = artifacts::dir().join("@shopify/dev-mcp/dist/data/supported-versions-schema.json");
    let text = artifacts::read_to_string(&path);
    let installed = SupportedVersions::from_json(&text).expect("Shopify's versions file");
    assert_eq!(
        SupportedVersions::committed(),
        installed,
        "shopify/src/versions.rs differs from {}: update it to Shopify's list",
        path.display()
    );
}
