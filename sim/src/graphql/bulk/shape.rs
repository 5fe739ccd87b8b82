//! The checks a bulk query passes before it runs (as Shopify's: parses; at least one
//! connection, at most 5, at most 2 levels of nesting, no top-level `node`/`nodes`) and how many
//! runs an API version allows at once.

use async_graphql::parser::types::{OperationType, Selection, SelectionSet};

use crate::graphql::cost::{self, TypeInfo};

/// Runs at once per shop before API version 2026-01.
pub const LEGACY_CONCURRENCY: usize = 1;
/// Runs at once per shop from API version 2026-01.
pub const CONCURRENCY: usize = 5;

/// Whether an API version allows 5 concurrent bulk queries.
pub fn concurrency_for(version: &str) -> usize {
    if version == "unstable" || version.as_bytes() >= b"2026-01".as_slice() {
        CONCURRENCY
    } else {
        LEGACY_CONCURRENCY
    }
}

/// Checks a bulk query's shape; the message is Shopify-like.
pub fn validate(info: &TypeInfo, query: &str) -> Result<(), String> {
    let doc = async_graphql::parser::parse_query(query)
        .map_err(|e| format!("Invalid bulk query: {e}"))?;
    let Some((ty, set)) = cost::operation(&doc, None) else {
        return Err("Invalid bulk query: a bulk query must contain exactly one operation".into());
    };
    if ty != OperationType::Query {
        return Err("Invalid bulk query: use bulkOperationRunMutation for mutations".into());
    }
    for sel in &set.items {
        if let Selection::Field(f) = &sel.node {
            let name = f.node.name.node.as_str();
            if name == "node" || name == "nodes" {
                return Err(format!(
                    "Bulk queries cannot contain a top level `{name}` field."
                ));
            }
        }
    }
    let mut count = 0;
    let mut depth = 0;
    walk_connections(info, set, "QueryRoot", 0, &mut count, &mut depth);
    if count == 0 {
        return Err("Bulk queries must contain at least one connection.".into());
    }
    if count > 5 {
        return Err(format!(
            "Bulk queries cannot contain more than 5 connections (found {count})."
        ));
    }
    if depth > 2 {
        return Err(
            "Bulk queries cannot contain connections with a nesting depth greater than 2.".into(),
        );
    }
    Ok(())
}

fn walk_connections(
    info: &TypeInfo,
    set: &SelectionSet,
    type_name: &str,
    level: usize,
    count: &mut usize,
    depth: &mut usize,
) {
    for sel in &set.items {
        let (sub, on) = match &sel.node {
            Selection::Field(f) => {
                let Some((ty, _)) = info.field_type(type_name, f.node.name.node.as_str()) else {
                    continue;
                };
                let mut level = level;
                if TypeInfo::is_connection(ty) {
                    *count += 1;
                    level += 1;
                    *depth = (*depth).max(level);
                }
                walk_connections(info, &f.node.selection_set.node, ty, level, count, depth);
                continue;
            }
            Selection::InlineFragment(i) => (
                &i.node.selection_set.node,
                i.node
                    .type_condition
                    .as_ref()
                    .map(|c| c.node.on.node.to_string())
                    .unwrap_or_else(|| type_name.to_string()),
            ),
            Selection::FragmentSpread(_) => continue,
        };
        walk_connections(info, sub, &on, level, count, depth);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_decide_concurrency() {
        assert_eq!(concurrency_for("2025-07"), 1);
        assert_eq!(concurrency_for("2026-01"), 5);
        assert_eq!(concurrency_for("unstable"), 5);
    }
}
