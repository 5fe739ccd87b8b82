//! The checks a bulk query passes before it runs (as Shopify's: parses; names only fields and
//! arguments the schema has; at least one connection, at most 5, at most 2 levels of nesting,
//! no top-level `node`/`nodes`) and how many runs an API version allows at once. Each failure
//! is answered at submit as a `userErrors` entry of `bulkOperationRunQuery`, never as a run
//! that fails later.

use std::collections::HashMap;

use async_graphql::parser::types::{FragmentDefinition, OperationType, Selection, SelectionSet};
use async_graphql::parser::Positioned;
use async_graphql::Name;

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
    unknown_names(info, &doc.fragments, set, "QueryRoot")
        .map_or(Ok(()), |e| Err(format!("Invalid bulk query: {e}")))?;
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

/// The first field or argument of `set` (on `type_name`, fragments followed) that the schema
/// lacks, in Shopify's words.
fn unknown_names(
    info: &TypeInfo,
    fragments: &HashMap<Name, Positioned<FragmentDefinition>>,
    set: &SelectionSet,
    type_name: &str,
) -> Option<String> {
    for sel in &set.items {
        let (sub, on) = match &sel.node {
            Selection::Field(f) => {
                let name = f.node.name.node.as_str();
                if name == "__typename" {
                    continue;
                }
                let Some((ty, _)) = info.field_type(type_name, name) else {
                    return Some(format!(
                        "Field '{name}' doesn't exist on type '{type_name}'"
                    ));
                };
                if let Some((arg, _)) = f
                    .node
                    .arguments
                    .iter()
                    .find(|(arg, _)| !info.takes_argument(type_name, name, arg.node.as_str()))
                {
                    return Some(format!(
                        "Field '{name}' doesn't accept argument '{}'",
                        arg.node
                    ));
                }
                (&f.node.selection_set.node, ty.to_string())
            }
            Selection::InlineFragment(i) => (
                &i.node.selection_set.node,
                i.node
                    .type_condition
                    .as_ref()
                    .map(|c| c.node.on.node.to_string())
                    .unwrap_or_else(|| type_name.to_string()),
            ),
            Selection::FragmentSpread(spread) => {
                let name = &spread.node.fragment_name.node;
                let Some(frag) = fragments.get(name) else {
                    return Some(format!("Fragment {name} was used, but not defined"));
                };
                (
                    &frag.node.selection_set.node,
                    frag.node.type_condition.node.on.node.to_string(),
                )
            }
        };
        if !info.has_type(&on) {
            return Some(format!(
                "No such type {on}, so it can't be a fragment condition"
            ));
        }
        if let Some(e) = unknown_names(info, fragments, sub, &on) {
            return Some(e);
        }
    }
    None
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
