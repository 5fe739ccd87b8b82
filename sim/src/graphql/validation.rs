//! Validation errors in Shopify's words. The schema ([`super::schema`]) rejects a field or an
//! argument it does not have before anything runs, as Shopify does; this module rewrites
//! async-graphql's wording of those two errors into the one Shopify's GraphQL server
//! (graphql-ruby) answers with, so a client that reads `extensions.code` sees what it would
//! see from Shopify:
//!
//! - `Field 'colour' doesn't exist on type 'Product'`, code `undefinedField`, with `typeName`
//!   and `fieldName`;
//! - `Field 'orders' doesn't accept argument 'colour'`, code `argumentNotAccepted`, with
//!   `name`, `typeName: "Field"` and `argumentName`;
//!
//! each with its `locations` and a `path` from the operation (`"query"`, `"query Name"`,
//! `"mutation"`, `"fragment Name"`) down to the offending field or argument. Other errors pass
//! unchanged. Called by [`super::handler`] on every answer.

use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, OperationType, Selection, SelectionSet,
};
use async_graphql::Pos;
use serde_json::{json, Value};

/// Rewrites the validation errors of `out` (a serialized response) that name an unknown field
/// or argument of `doc`.
pub fn shopify_errors(doc: &ExecutableDocument, out: &mut Value) {
    let Some(errors) = out.get_mut("errors").and_then(Value::as_array_mut) else {
        return;
    };
    for error in errors {
        let Some(message) = error.get("message").and_then(Value::as_str) else {
            continue;
        };
        let quoted: Vec<&str> = message.split('"').skip(1).step_by(2).collect();
        let (message, extensions) = if message.starts_with("Unknown field \"") {
            let [field, type_name, ..] = quoted[..] else {
                continue;
            };
            (
                format!("Field '{field}' doesn't exist on type '{type_name}'"),
                json!({"code": "undefinedField", "typeName": type_name, "fieldName": field}),
            )
        } else if message.starts_with("Unknown argument \"") && message.contains("\" on field \"") {
            let [argument, field, ..] = quoted[..] else {
                continue;
            };
            (
                format!("Field '{field}' doesn't accept argument '{argument}'"),
                json!({"code": "argumentNotAccepted", "name": field, "typeName": "Field", "argumentName": argument}),
            )
        } else {
            continue;
        };
        let path = error
            .pointer("/locations/0")
            .and_then(|l| Some((l.get("line")?.as_u64()?, l.get("column")?.as_u64()?)))
            .and_then(|(line, column)| {
                path_to(
                    doc,
                    Pos {
                        line: line as usize,
                        column: column as usize,
                    },
                )
            });
        let mut rewritten = json!({"message": message});
        if let Some(locations) = error.get("locations") {
            rewritten["locations"] = locations.clone();
        }
        if let Some(path) = path {
            rewritten["path"] = json!(path);
        }
        rewritten["extensions"] = extensions;
        *error = rewritten;
    }
}

/// The path from an operation or fragment down to the field or argument at `pos`.
fn path_to(doc: &ExecutableDocument, pos: Pos) -> Option<Vec<String>> {
    let operations: Vec<(String, &SelectionSet)> = match &doc.operations {
        DocumentOperations::Single(op) => {
            vec![(root(op.node.ty, None), &op.node.selection_set.node)]
        }
        DocumentOperations::Multiple(ops) => ops
            .iter()
            .map(|(name, op)| {
                (
                    root(op.node.ty, Some(name.as_str())),
                    &op.node.selection_set.node,
                )
            })
            .collect(),
    };
    let fragments = doc.fragments.iter().map(|(name, fragment)| {
        (
            format!("fragment {name}"),
            &fragment.node.selection_set.node,
        )
    });
    for (label, set) in operations.into_iter().chain(fragments) {
        let mut path = vec![label];
        if find(set, pos, &mut path) {
            return Some(path);
        }
    }
    None
}

fn root(ty: OperationType, name: Option<&str>) -> String {
    let ty = match ty {
        OperationType::Query => "query",
        OperationType::Mutation => "mutation",
        OperationType::Subscription => "subscription",
    };
    name.map_or(ty.to_string(), |name| format!("{ty} {name}"))
}

/// Whether the field or argument at `pos` is inside `set`; `path` then leads to it.
fn find(set: &SelectionSet, pos: Pos, path: &mut Vec<String>) -> bool {
    for selection in &set.items {
        let (label, sub) = match &selection.node {
            Selection::Field(f) => {
                let key = f
                    .node
                    .alias
                    .as_ref()
                    .unwrap_or(&f.node.name)
                    .node
                    .to_string();
                path.push(key);
                if f.pos == pos || f.node.name.pos == pos {
                    return true;
                }
                if let Some((arg, _)) = f.node.arguments.iter().find(|(arg, _)| arg.pos == pos) {
                    path.push(arg.node.to_string());
                    return true;
                }
                if find(&f.node.selection_set.node, pos, path) {
                    return true;
                }
                path.pop();
                continue;
            }
            Selection::InlineFragment(i) => (
                i.node
                    .type_condition
                    .as_ref()
                    .map_or("...".to_string(), |c| format!("... on {}", c.node.on.node)),
                &i.node.selection_set.node,
            ),
            Selection::FragmentSpread(_) => continue,
        };
        path.push(label);
        if find(sub, pos, path) {
            return true;
        }
        path.pop();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reshaped(query: &str, message: &str, line: u64, column: u64) -> Value {
        let doc = async_graphql::parser::parse_query(query).unwrap();
        let mut out = json!({"errors": [{"message": message, "locations": [{"line": line, "column": column}]}]});
        shopify_errors(&doc, &mut out);
        out["errors"][0].clone()
    }

    #[test]
    fn an_unknown_field_reads_as_shopify_says_it() {
        let e = reshaped(
            "query Q {\n  shop { colour }\n}",
            "Unknown field \"colour\" on type \"Shop\". Did you mean \"name\"?",
            2,
            10,
        );
        assert_eq!(
            e,
            json!({
                "message": "Field 'colour' doesn't exist on type 'Shop'",
                "locations": [{"line": 2, "column": 10}],
                "path": ["query Q", "shop", "colour"],
                "extensions": {"code": "undefinedField", "typeName": "Shop", "fieldName": "colour"},
            })
        );
    }

    #[test]
    fn an_unknown_argument_reads_as_shopify_says_it() {
        let e = reshaped(
            "{ orders(first: 1, colour: 2) { nodes { id } } }",
            "Unknown argument \"colour\" on field \"orders\" of type \"QueryRoot\".",
            1,
            20,
        );
        assert_eq!(
            e["message"],
            "Field 'orders' doesn't accept argument 'colour'"
        );
        assert_eq!(e["path"], json!(["query", "orders", "colour"]));
        assert_eq!(
            e["extensions"],
            json!({"code": "argumentNotAccepted", "name": "orders", "typeName": "Field", "argumentName": "colour"})
        );
    }

    #[test]
    fn other_errors_pass_unchanged() {
        let e = reshaped("{ shop { name } }", "Throttled", 1, 1);
        assert_eq!(
            e,
            json!({"message": "Throttled", "locations": [{"line": 1, "column": 1}]})
        );
    }
}
