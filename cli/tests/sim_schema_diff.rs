//! The simulator's GraphQL schema against Shopify's published Admin schema, for every
//! supported version (the simulator serves each as itself, `sim/src/server.rs`, and its
//! introspection of a version hides what that version lacks): every type
//! the simulator serves must exist in Shopify's schema, and every field it serves must have
//! Shopify's name, arguments, type and nullability. Any difference fails; there is no
//! allow-list.
//!
//! The simulator does not serve every field of the types it models yet (the roots included:
//! most of `QueryRoot` and `Mutation` is Shopify's other products): the fields Shopify has
//! that it lacks are counted and listed, and the test fails when a version's count grows past
//! its figure in [`MISSING_AT_MOST`] (a ratchet: lower the figure when the count shrinks) or
//! when one the engine's own documents select is among them.

use std::path::PathBuf;

use xeno_engine::sync::api_check::{self, ARTIFACTS_ENV};
use xeno_shopify::schema::AdminSchema;
use xeno_shopify::versions::SUPPORTED;

/// Per version, how many fields of the simulator's object types Shopify's schema has and the
/// simulator does not serve. A ratchet: the test fails above it, and for a supported version
/// not listed.
const MISSING_AT_MOST: &[(&str, usize)] = &[
    ("2025-10", 1180),
    ("2026-01", 1186),
    ("2026-04", 1218),
    ("2026-07", 1253),
    ("2026-10", 1262),
    ("unstable", 1323),
];

#[tokio::test]
async fn the_simulator_serves_its_types_as_shopify_types_them() {
    let dir = std::env::var_os(ARTIFACTS_ENV)
        .map(PathBuf::from)
        .unwrap_or_else(api_check::default_artifacts);
    let mut failing = Vec::new();
    let mut missing_counts = Vec::new();
    for version in SUPPORTED {
        let shopify = api_check::load_schema(&dir, version).unwrap_or_else(|e| panic!("{e}"));
        let sdl = xeno_sim::graphql::schema::sdl_for(version)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let sim = AdminSchema::from_sdl(&sdl).expect("the simulator's SDL");
        let served: Vec<String> = sim
            .schema()
            .types
            .keys()
            .map(|name| name.to_string())
            .filter(|name| !name.starts_with("__"))
            .collect();
        let mut used = std::collections::BTreeSet::new();
        for d in api_check::documents(version) {
            used.extend(shopify.fields_used(&d.text));
        }
        let mut missing = Vec::new();
        for ty in &served {
            if !shopify.schema().types.contains_key(ty.as_str()) {
                failing.push(format!("{version}: type {ty} is not in Shopify's schema"));
                continue;
            }
            let Some(ours) = sim.fields_of(ty) else {
                continue;
            };
            let theirs = shopify.fields_of(ty).unwrap_or_default();
            for (field, sig) in &ours {
                match theirs.get(field) {
                    None => failing.push(format!(
                        "{version}: {ty}.{field}{sig}: not in Shopify's schema"
                    )),
                    Some(s) if s == sig => {}
                    Some(s) => failing.push(format!(
                        "{version}: {ty}.{field}: simulator {sig}, Shopify {s}"
                    )),
                }
            }
            for (field, sig) in &theirs {
                if ours.contains_key(field) {
                    continue;
                }
                if used.contains(&(ty.clone(), field.clone())) {
                    failing.push(format!(
                        "{version}: {ty}.{field}: used by the engine, not served"
                    ));
                }
                missing.push(format!("{ty}.{field}{sig}"));
            }
        }
        println!(
            "{version}: {} fields of the simulator's types not served:\n  {}",
            missing.len(),
            missing.join("\n  ")
        );
        missing_counts.push((version, missing.len()));
    }
    for (version, count) in missing_counts {
        match MISSING_AT_MOST.iter().find(|(v, _)| v == version) {
            None => failing.push(format!(
                "{version}: {count} fields not served; add the version to MISSING_AT_MOST"
            )),
            Some((_, most)) if count > *most => failing.push(format!(
                "{version}: {count} fields not served, more than {most}"
            )),
            Some(_) => {}
        }
    }
    assert!(
        failing.is_empty(),
        "the simulator's schema differs from Shopify's:\n{}",
        failing.join("\n")
    );
}
