//! What every Admin API request passes first, GraphQL (`graphql/handler.rs`) and REST
//! (`rest.rs`) alike: injected faults (slow, 429, 5xx) and the access token; and the access
//! scopes the token holds (`SimConfig::scopes`), enforced as Shopify does:
//!
//! - GraphQL: a root field reading a resource outside the scopes (`orders`, `order`,
//!   `customers`, `products`, …) answers `null` with an `ACCESS_DENIED` error naming the scope;
//!   the other root fields of the request run as usual ([`denied_root_fields`], [`strip`],
//!   [`report_denied`]). A bulk query reading such a resource fails with the operation's
//!   `errorCode: ACCESS_DENIED` (`graphql/bulk/run.rs`, [`bulk_query_denied`]).
//! - REST: `403` with Shopify's body ([`rest_denied`]).
//!
//! Which orders a token sees by age (`read_all_orders`) is the store's rule:
//! `store/visibility.rs`.

use std::collections::HashSet;

use async_graphql::parser::types::{
    Directive, DocumentOperations, ExecutableDocument, OperationDefinition, OperationType,
    Selection, SelectionSet,
};
use async_graphql::parser::{Pos, Positioned};
use async_graphql::{Name, Value as GqlValue};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use rand::Rng;
use serde_json::{json, Value};
use xeno_shopify::headers;

use crate::graphql::cost;
use crate::state::Shared;
use crate::webhooks::lock;

/// Where Shopify's access-denied errors point.
const SCOPES_DOCUMENTATION: &str = "https://shopify.dev/api/usage/access-scopes";

/// The scope a query root field needs, `None` for fields every token may read.
pub fn scope_for_root_field(field: &str) -> Option<&'static str> {
    match field {
        "orders" | "order" | "ordersCount" | "orderByIdentifier" => Some("read_orders"),
        "customers" | "customer" | "customersCount" | "customerByIdentifier" => {
            Some("read_customers")
        }
        "products"
        | "product"
        | "productsCount"
        | "productVariants"
        | "productVariant"
        | "productByIdentifier" => Some("read_products"),
        "locations" | "location" | "locationsCount" => Some("read_locations"),
        _ => None,
    }
}

/// The scope a REST resource (`orders.json`, `customers/1.json`) needs.
pub fn scope_for_rest_resource(resource: &str) -> Option<&'static str> {
    let name = resource.trim_end_matches(".json");
    scope_for_root_field(name)
}

/// A query root field the token may not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Denied {
    /// Its key in `data` (the alias, else the name).
    pub response_key: String,
    pub field: String,
    pub scope: &'static str,
    pub pos: Pos,
}

/// The root fields of the request's query operation that need a scope the token lacks
/// (fields inside root fragments included). Mutations and unknown operations read nothing.
pub fn denied_root_fields(
    scopes: &[String],
    doc: &ExecutableDocument,
    operation_name: Option<&str>,
) -> Vec<Denied> {
    let Some((OperationType::Query, set)) = cost::operation(doc, operation_name) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    collect_denied(scopes, doc, set, &mut out);
    out
}

fn collect_denied(
    scopes: &[String],
    doc: &ExecutableDocument,
    set: &SelectionSet,
    out: &mut Vec<Denied>,
) {
    for sel in &set.items {
        match &sel.node {
            Selection::Field(f) => {
                let field = f.node.name.node.as_str();
                if let Some(scope) = scope_for_root_field(field) {
                    if !scopes.iter().any(|s| s == scope) {
                        out.push(Denied {
                            response_key: f.node.response_key().node.to_string(),
                            field: field.to_string(),
                            scope,
                            pos: f.pos,
                        });
                    }
                }
            }
            Selection::InlineFragment(inline) => {
                collect_denied(scopes, doc, &inline.node.selection_set.node, out)
            }
            Selection::FragmentSpread(spread) => {
                if let Some(frag) = doc.fragments.get(&spread.node.fragment_name.node) {
                    collect_denied(scopes, doc, &frag.node.selection_set.node, out);
                }
            }
        }
    }
}

/// The request with every denied root field marked `@skip(if: true)`, so the rest of it
/// runs (its arguments stay, so no variable goes unused); unchanged when nothing is denied.
pub fn strip(
    mut request: async_graphql::Request,
    doc: &ExecutableDocument,
    denied: &[Denied],
) -> async_graphql::Request {
    if denied.is_empty() {
        return request;
    }
    let at: HashSet<Pos> = denied.iter().map(|d| d.pos).collect();
    let mut doc = doc.clone();
    let operations: Vec<&mut OperationDefinition> = match &mut doc.operations {
        DocumentOperations::Single(op) => vec![&mut op.node],
        DocumentOperations::Multiple(ops) => ops.values_mut().map(|op| &mut op.node).collect(),
    };
    for op in operations {
        skip_denied(&mut op.selection_set.node, &at);
    }
    for frag in doc.fragments.values_mut() {
        skip_denied(&mut frag.node.selection_set.node, &at);
    }
    request.set_parsed_query(doc);
    request
}

fn skip_denied(set: &mut SelectionSet, at: &HashSet<Pos>) {
    for sel in &mut set.items {
        match &mut sel.node {
            Selection::Field(f) if at.contains(&f.pos) => {
                let pos = f.pos;
                f.node.directives.push(Positioned::new(
                    Directive {
                        name: Positioned::new(Name::new("skip"), pos),
                        arguments: vec![(
                            Positioned::new(Name::new("if"), pos),
                            Positioned::new(GqlValue::Boolean(true).into_value(), pos),
                        )],
                    },
                    pos,
                ));
            }
            Selection::InlineFragment(inline) => {
                skip_denied(&mut inline.node.selection_set.node, at)
            }
            _ => {}
        }
    }
}

/// Shopify's message for a field the token may not read.
fn denied_message(field: &str, scope: &str) -> String {
    format!("Access denied for {field} field. Required access: `{scope}` access scope.")
}

/// Puts each denied field into the answer as Shopify does: `null` in `data` and an
/// `ACCESS_DENIED` error with its location, path and required access.
pub fn report_denied(out: &mut Value, denied: &[Denied]) {
    if denied.is_empty() {
        return;
    }
    let Some(obj) = out.as_object_mut() else {
        return;
    };
    let data = obj.entry("data").or_insert_with(|| json!({}));
    if data.is_null() {
        *data = json!({});
    }
    if let Some(data) = data.as_object_mut() {
        for d in denied {
            data.insert(d.response_key.clone(), Value::Null);
        }
    }
    let errors = obj.entry("errors").or_insert_with(|| json!([]));
    if let Some(errors) = errors.as_array_mut() {
        for d in denied {
            errors.push(json!({
                "message": denied_message(&d.field, d.scope),
                "locations": [{"line": d.pos.line, "column": d.pos.column}],
                "path": [d.response_key],
                "extensions": {
                    "code": "ACCESS_DENIED",
                    "documentation": SCOPES_DOCUMENTATION,
                    "requiredAccess": format!("`{}` access scope.", d.scope),
                },
            }));
        }
    }
}

/// The first scope a bulk query needs and the token lacks (the operation then fails with
/// `ACCESS_DENIED`); `None` when it may run or does not parse (validation reports that).
pub fn bulk_query_denied(scopes: &[String], query: &str) -> Option<&'static str> {
    let doc = async_graphql::parser::parse_query(query).ok()?;
    denied_root_fields(scopes, &doc, None)
        .first()
        .map(|d| d.scope)
}

/// The REST answer to a resource the token may not read: `403` with Shopify's body.
pub fn rest_denied(scope: &str) -> Response {
    (
        StatusCode::FORBIDDEN,
        Json(json!({
            "errors": format!("[API] This action requires merchant approval for {scope} scope.")
        })),
    )
        .into_response()
}

/// `401` body Shopify sends for a missing or wrong token.
pub const INVALID_TOKEN: &str =
    "[API] Invalid API key or access token (unrecognized login or wrong password)";

/// Injected API faults: a slow answer, then maybe 429 or 5xx. `None` means go on.
pub async fn injected_fault(shared: &Shared) -> Option<Response> {
    let faults = shared.config.api_faults;
    if !faults.slow.is_zero() {
        tokio::time::sleep(faults.slow).await;
    }
    let (throttle, fail, code) = {
        let mut rng = lock(&shared.fault_rng);
        (
            rng.gen_bool(faults.rate_429),
            rng.gen_bool(faults.rate_5xx),
            [500u16, 502, 503][rng.gen_range(0..3)],
        )
    };
    if throttle {
        return Some(
            (StatusCode::TOO_MANY_REQUESTS, [("Retry-After", "2.0")], Json(json!({"errors": "Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service."})))
                .into_response(),
        );
    }
    if fail {
        let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        return Some((status, Json(json!({"errors": "Internal Server Error"}))).into_response());
    }
    None
}

/// True when the request carries the shop's access token.
pub fn authorized(shared: &Shared, headers: &HeaderMap) -> bool {
    headers
        .get(headers::ACCESS_TOKEN)
        .and_then(|v| v.to_str().ok())
        == Some(shared.config.access_token.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scopes(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn root_fields_outside_the_scopes_are_denied_fragments_included() {
        let doc = async_graphql::parser::parse_query(
            "{ shop { name } o: orders(first: 1) { nodes { id } } ... on QueryRoot { customers(first: 1) { nodes { id } } } ...P }\n fragment P on QueryRoot { products(first: 1) { nodes { id } } }",
        )
        .unwrap();
        let denied = denied_root_fields(&scopes(&["read_products"]), &doc, None);
        let got: Vec<(&str, &str)> = denied
            .iter()
            .map(|d| (d.response_key.as_str(), d.scope))
            .collect();
        assert_eq!(got, [("o", "read_orders"), ("customers", "read_customers")]);
        let mut out = json!({"data": {"shop": {"name": "x"}}});
        report_denied(&mut out, &denied);
        assert_eq!(out["data"]["o"], Value::Null);
        assert_eq!(out["errors"][0]["extensions"]["code"], "ACCESS_DENIED");
        assert_eq!(
            out["errors"][0]["message"],
            "Access denied for orders field. Required access: `read_orders` access scope."
        );
        assert_eq!(out["errors"][1]["path"][0], "customers");
    }

    #[test]
    fn mutations_and_allowed_reads_pass() {
        let doc = async_graphql::parser::parse_query(
            "mutation { bulkOperationRunQuery(query: \"{ orders { edges { node { id } } } }\") { userErrors { message } } }",
        )
        .unwrap();
        assert!(denied_root_fields(&scopes(&[]), &doc, None).is_empty());
        assert_eq!(
            bulk_query_denied(
                &scopes(&["read_customers"]),
                "{ orders { edges { node { id } } } }"
            ),
            Some("read_orders")
        );
        assert_eq!(
            bulk_query_denied(
                &scopes(&["read_orders"]),
                "{ orders { edges { node { id } } } }"
            ),
            None
        );
    }
}
