//! `bulkOperationRunQuery` and `bulkOperationCancel`, and the run: the query goes through the
//! same schema in `BulkMode` (so `first`/cursors are ignored and every object comes back), the
//! result is written as JSON Lines ([`super::jsonl`]) served at `/_sim/bulk/<key>.jsonl`
//! (`server.rs`), and `bulk_operations/finish` is sent. The run costs no points; the mutation
//! does.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use bytes::Bytes;
use chrono::Utc;
use serde_json::{json, Value};

use crate::graphql::bulk::jsonl::flatten;
use crate::graphql::bulk::operation::{
    BulkOperation, BulkOperationCancelPayload, BulkOperationErrorCode,
    BulkOperationRunQueryPayload, BulkOperationStatus, BulkOperationUserError,
    BulkOperationUserErrorCode,
};
use crate::graphql::bulk::shape::{concurrency_for, validate};
use crate::graphql::paging::BulkMode;
use crate::graphql::subscriptions::UserError;
use crate::state::Shared;
use crate::store::rest::{gid, parse_gid};
use crate::store::units::{next_stamp, whole_seconds};
use crate::webhooks::{lock, Event};

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
            created_at: whole_seconds(Utc::now()),
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
            user_errors: vec![UserError {
                field: None,
                message: format!(
                    "A bulk operation cannot be canceled when it is {:?}",
                    op.status
                )
                .to_lowercase(),
            }],
        },
        None => BulkOperationCancelPayload {
            bulk_operation: None,
            user_errors: vec![UserError {
                field: Some(vec!["id".into()]),
                message: "Bulk operation does not exist".into(),
            }],
        },
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
    let response = shared.graphql.execute(request).await;
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
            op.completed_at = Some(next_stamp(op.created_at, Utc::now()));
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
