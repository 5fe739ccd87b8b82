//! Bulk operations: `bulkOperationRunQuery`, polling, the JSONL result and the
//! `bulk_operations/finish` webhook.
//!
//! A run checks the inner query as Shopify does (parses; at least one connection, at most 5,
//! at most 2 levels of nesting, no top-level `node`/`nodes`), then executes it through the
//! same schema with `BulkMode`, so `first`/cursors are ignored and every object comes back.
//! The response is flattened to JSON Lines: each node on its own line without its nested
//! connections; the nodes of a nested connection follow their parent with `"__parentId"`.
//! Files are served at `/_sim/bulk/<key>.jsonl`. From API version 2026-01 (and `unstable`) up
//! to 5 runs at once, earlier versions one. The run costs no points; the mutation does.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::Ordering;
use std::sync::Arc;

use async_graphql::parser::types::{OperationType, Selection, SelectionSet};
use async_graphql::{Enum, Object, SimpleObject, ID};
use bytes::Bytes;
use chrono::Utc;
use serde_json::{json, Map, Value};

use super::cost::TypeInfo;
use super::paging::BulkMode;
use super::scalars::{DateTime, UnsignedInt64};
use super::schema::parse_gid;
use crate::store::rest::gid;
use crate::webhooks::{lock, Event};
use crate::Shared;

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum BulkOperationStatus {
    Canceled,
    Canceling,
    Completed,
    Created,
    Expired,
    Failed,
    Running,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum BulkOperationErrorCode {
    AccessDenied,
    InternalServerError,
    Timeout,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum BulkOperationType {
    Mutation,
    Query,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum BulkOperationUserErrorCode {
    Invalid,
    LimitReached,
    OperationInProgress,
}

/// Runs at once per shop before API version 2026-01.
pub const LEGACY_CONCURRENCY: usize = 1;
/// Runs at once per shop from API version 2026-01.
pub const CONCURRENCY: usize = 5;

/// A bulk operation as polled.
#[derive(Debug, Clone)]
pub struct BulkOperation {
    pub id: u64,
    pub status: BulkOperationStatus,
    pub error_code: Option<BulkOperationErrorCode>,
    pub created_at: chrono::DateTime<Utc>,
    pub completed_at: Option<chrono::DateTime<Utc>>,
    pub object_count: u64,
    pub root_object_count: u64,
    pub file_size: Option<u64>,
    pub url: Option<String>,
    pub partial_data_url: Option<String>,
    pub query: String,
}

#[Object]
impl BulkOperation {
    pub async fn id(&self) -> ID {
        ID(gid("BulkOperation", self.id))
    }
    async fn status(&self) -> BulkOperationStatus {
        self.status
    }
    async fn error_code(&self) -> Option<BulkOperationErrorCode> {
        self.error_code
    }
    async fn created_at(&self) -> DateTime {
        DateTime(self.created_at)
    }
    async fn completed_at(&self) -> Option<DateTime> {
        self.completed_at.map(DateTime)
    }
    async fn object_count(&self) -> UnsignedInt64 {
        UnsignedInt64(self.object_count)
    }
    async fn root_object_count(&self) -> UnsignedInt64 {
        UnsignedInt64(self.root_object_count)
    }
    async fn file_size(&self) -> Option<UnsignedInt64> {
        self.file_size.map(UnsignedInt64)
    }
    async fn url(&self) -> Option<&str> {
        self.url.as_deref()
    }
    async fn partial_data_url(&self) -> Option<&str> {
        self.partial_data_url.as_deref()
    }
    async fn query(&self) -> &str {
        &self.query
    }
    async fn r#type(&self) -> BulkOperationType {
        BulkOperationType::Query
    }
}

/// `BulkOperationUserError`.
#[derive(Debug, Clone, SimpleObject)]
pub struct BulkOperationUserError {
    pub field: Option<Vec<String>>,
    pub message: String,
    pub code: Option<BulkOperationUserErrorCode>,
}

/// `BulkOperationRunQueryPayload`.
#[derive(Debug, Clone, SimpleObject)]
pub struct BulkOperationRunQueryPayload {
    pub bulk_operation: Option<BulkOperation>,
    pub user_errors: Vec<BulkOperationUserError>,
}

/// `BulkOperationCancelPayload`.
#[derive(Debug, Clone, SimpleObject)]
pub struct BulkOperationCancelPayload {
    pub bulk_operation: Option<BulkOperation>,
    pub user_errors: Vec<BulkOperationUserError>,
}

/// The shop's bulk operations and their result files.
#[derive(Debug, Default)]
pub struct BulkRegistry {
    ops: BTreeMap<u64, BulkOperation>,
    files: HashMap<String, Bytes>,
    next_id: u64,
}

impl BulkRegistry {
    /// A result file by key.
    pub fn file(&self, key: &str) -> Option<Bytes> {
        self.files.get(key).cloned()
    }
    /// An operation by numeric id.
    pub fn get(&self, id: u64) -> Option<BulkOperation> {
        self.ops.get(&id).cloned()
    }
    /// The most recent operation (what `currentBulkOperation` answers).
    pub fn current(&self, _ty: BulkOperationType) -> Option<BulkOperation> {
        self.ops.values().next_back().cloned()
    }
    fn running(&self) -> Vec<u64> {
        self.ops
            .values()
            .filter(|o| {
                matches!(
                    o.status,
                    BulkOperationStatus::Created | BulkOperationStatus::Running
                )
            })
            .map(|o| o.id)
            .collect()
    }
}

fn user_error(code: BulkOperationUserErrorCode, message: String) -> BulkOperationRunQueryPayload {
    BulkOperationRunQueryPayload {
        bulk_operation: None,
        user_errors: vec![BulkOperationUserError {
            field: Some(vec!["query".into()]),
            message,
            code: Some(code),
        }],
    }
}

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
    let Some((ty, set)) = super::cost::operation(&doc, None) else {
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

/// `bulkOperationRunQuery`: checks, registers and starts a run.
pub fn start(shared: &Arc<Shared>, query: &str, version: &str) -> BulkOperationRunQueryPayload {
    if let Err(message) = validate(&shared.graphql.types, query) {
        return user_error(BulkOperationUserErrorCode::Invalid, message);
    }
    let op = {
        let mut reg = lock(&shared.bulk);
        let running = reg.running();
        let limit = concurrency_for(version);
        if running.len() >= limit {
            return if limit == 1 {
                user_error(
                    BulkOperationUserErrorCode::OperationInProgress,
                    format!(
                        "A bulk query operation for this app and shop is already in progress: {}.",
                        gid("BulkOperation", running[0])
                    ),
                )
            } else {
                user_error(BulkOperationUserErrorCode::LimitReached, format!("A maximum of {limit} bulk queries can run at the same time for this app and shop."))
            };
        }
        reg.next_id += 1;
        let op = BulkOperation {
            id: 4_000_000 + reg.next_id,
            status: BulkOperationStatus::Created,
            error_code: None,
            created_at: crate::store::whole_seconds(Utc::now()),
            completed_at: None,
            object_count: 0,
            root_object_count: 0,
            file_size: None,
            url: None,
            partial_data_url: None,
            query: query.to_string(),
        };
        reg.ops.insert(op.id, op.clone());
        op
    };
    tokio::spawn(run(shared.clone(), op.id, query.to_string()));
    BulkOperationRunQueryPayload {
        bulk_operation: Some(op),
        user_errors: vec![],
    }
}

/// `bulkOperationCancel`.
pub fn cancel(shared: &Arc<Shared>, id: &str) -> BulkOperationCancelPayload {
    let mut reg = lock(&shared.bulk);
    let op = parse_gid(id)
        .filter(|(t, _)| *t == "BulkOperation")
        .and_then(|(_, n)| reg.ops.get_mut(&n));
    match op {
        Some(op)
            if matches!(
                op.status,
                BulkOperationStatus::Created | BulkOperationStatus::Running
            ) =>
        {
            op.status = BulkOperationStatus::Canceling;
            BulkOperationCancelPayload {
                bulk_operation: Some(op.clone()),
                user_errors: vec![],
            }
        }
        Some(op) => BulkOperationCancelPayload {
            bulk_operation: Some(op.clone()),
            user_errors: vec![BulkOperationUserError {
                field: None,
                message: format!(
                    "A bulk operation cannot be canceled when it is {:?}",
                    op.status
                )
                .to_lowercase(),
                code: None,
            }],
        },
        None => BulkOperationCancelPayload {
            bulk_operation: None,
            user_errors: vec![BulkOperationUserError {
                field: Some(vec!["id".into()]),
                message: "Bulk operation does not exist".into(),
                code: None,
            }],
        },
    }
}

/// Flattens a bulk response's `data` into JSON Lines; returns (lines, root objects).
pub fn flatten(data: &Value) -> (Vec<String>, u64) {
    let mut lines = Vec::new();
    let mut roots = 0;
    if let Value::Object(top) = data {
        for conn in top.values() {
            for node in connection_nodes(conn) {
                roots += 1;
                emit(node, None, &mut lines);
            }
        }
    }
    (lines, roots)
}

fn connection_nodes(v: &Value) -> Vec<&Value> {
    let mut out = Vec::new();
    if let Some(Value::Array(edges)) = v.get("edges") {
        out.extend(edges.iter().filter_map(|e| e.get("node")));
    }
    if let Some(Value::Array(nodes)) = v.get("nodes") {
        out.extend(nodes.iter());
    }
    out
}

fn is_connection_value(v: &Value) -> bool {
    v.get("edges").is_some_and(Value::is_array) || v.get("nodes").is_some_and(Value::is_array)
}

fn emit(node: &Value, parent: Option<&str>, lines: &mut Vec<String>) {
    let Value::Object(fields) = node else { return };
    let mut own = Map::new();
    let mut children = Vec::new();
    for (k, v) in fields {
        if is_connection_value(v) {
            children.extend(connection_nodes(v));
        } else {
            own.insert(k.clone(), v.clone());
        }
    }
    if let Some(p) = parent {
        own.insert("__parentId".into(), Value::String(p.to_string()));
    }
    let id = own.get("id").and_then(Value::as_str).map(str::to_string);
    lines.push(Value::Object(own).to_string());
    for child in children {
        emit(child, id.as_deref(), lines);
    }
}

async fn run(shared: Arc<Shared>, id: u64, query: String) {
    let update = |f: &dyn Fn(&mut BulkOperation)| {
        if let Some(op) = lock(&shared.bulk).ops.get_mut(&id) {
            f(op);
        }
    };
    update(&|op| op.status = BulkOperationStatus::Running);
    let request = async_graphql::Request::new(query)
        .data(shared.clone())
        .data(BulkMode);
    let response = shared.graphql.schema.execute(request).await;
    let data = serde_json::to_value(&response.data).unwrap_or(Value::Null);
    let (lines, roots) = flatten(&data);
    let fail = !response.errors.is_empty() || shared.fail_next_bulk.swap(false, Ordering::SeqCst);
    let canceled = lock(&shared.bulk)
        .ops
        .get(&id)
        .is_some_and(|o| o.status == BulkOperationStatus::Canceling);
    let keep = if fail { lines.len() / 2 } else { lines.len() };
    let mut body = String::new();
    for l in &lines[..keep] {
        body.push_str(l);
        body.push('\n');
    }
    let key = format!("bulk-{id}-{}", uuid::Uuid::new_v4().simple());
    let url = (!body.is_empty()).then(|| format!("{}/_sim/bulk/{key}.jsonl", shared.base_url));
    let size = body.len() as u64;
    {
        let mut reg = lock(&shared.bulk);
        if !body.is_empty() {
            reg.files.insert(key, Bytes::from(body));
        }
        if let Some(op) = reg.ops.get_mut(&id) {
            op.completed_at = Some(crate::store::next_stamp(op.created_at, Utc::now()));
            op.object_count = keep as u64;
            op.root_object_count = if fail { 0 } else { roots };
            op.file_size = url.as_ref().map(|_| size);
            if canceled {
                op.status = BulkOperationStatus::Canceled;
            } else if fail {
                op.status = BulkOperationStatus::Failed;
                op.error_code = Some(BulkOperationErrorCode::InternalServerError);
                op.partial_data_url = url;
            } else {
                op.status = BulkOperationStatus::Completed;
                op.url = url;
            }
        }
    }
    let Some(op) = lock(&shared.bulk).get(id) else {
        return;
    };
    tracing::info!(bulk_operation = id, status = ?op.status, objects = op.object_count, "bulk operation finished");
    let body = json!({
        "admin_graphql_api_id": gid("BulkOperation", id),
        "completed_at": op.completed_at.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
        "created_at": op.created_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "error_code": op.error_code.map(|c| match c {
            BulkOperationErrorCode::AccessDenied => "access_denied",
            BulkOperationErrorCode::InternalServerError => "internal_server_error",
            BulkOperationErrorCode::Timeout => "timeout",
        }),
        "status": format!("{:?}", op.status).to_lowercase(),
        "type": "query",
    });
    shared
        .webhooks
        .emit(Event::new("bulk_operations/finish", &body));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flatten_puts_children_after_parents() {
        let data = json!({"products": {"edges": [
            {"node": {"id": "gid://shopify/Product/1", "title": "A", "variants": {"edges": [{"node": {"id": "gid://shopify/ProductVariant/11"}}]}}},
            {"node": {"id": "gid://shopify/Product/2", "title": "B", "variants": {"nodes": []}}}
        ]}});
        let (lines, roots) = flatten(&data);
        assert_eq!(roots, 2);
        assert_eq!(
            lines,
            vec![
                r#"{"id":"gid://shopify/Product/1","title":"A"}"#,
                r#"{"__parentId":"gid://shopify/Product/1","id":"gid://shopify/ProductVariant/11"}"#,
                r#"{"id":"gid://shopify/Product/2","title":"B"}"#,
            ]
        );
    }

    #[test]
    fn versions_decide_concurrency() {
        assert_eq!(concurrency_for("2025-07"), 1);
        assert_eq!(concurrency_for("2026-01"), 5);
        assert_eq!(concurrency_for("unstable"), 5);
    }

    #[test]
    fn shape_rules() {
        let info = TypeInfo::from_sdl(&super::super::schema::build().sdl());
        assert!(validate(
            &info,
            "{ products { edges { node { id variants { edges { node { id } } } } } } }"
        )
        .is_ok());
        assert!(validate(&info, "{ shop { name } }")
            .unwrap_err()
            .contains("at least one connection"));
        assert!(validate(&info, "{ node(id: \"x\") { id } }")
            .unwrap_err()
            .contains("top level"));
        assert!(validate(&info, "{ orders { nodes { id refunds { id transactions { nodes { id } } } lineItems { nodes { id product { variants { nodes { id } } } } } } } }")
            .unwrap_err()
            .contains("nesting"));
        assert!(validate(&info, "{ products {")
            .unwrap_err()
            .starts_with("Invalid bulk query"));
    }
}
