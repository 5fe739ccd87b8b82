//! `bulkOperationRunQuery` and `bulkOperationCancel`, and the run (a query reading a resource
//! outside the token's scopes fails with `ACCESS_DENIED`, `access.rs`): the query goes through the
//! same schema in `BulkMode` (so `first`/cursors are ignored and every object comes back), in
//! chunks of the root connection ([`crate::graphql::paging::BulkWindow`]) so memory stays
//! flat whatever the store's size, the result is written as JSON Lines ([`super::jsonl`]) served from a signed URL
//! (`storage.rs`), and `bulk_operations/finish` is sent. The run costs no points; the mutation
//! does.
//!
//! An operation takes time as Shopify's do (`SimConfig::bulk`, `config.rs`): CREATED for a
//! moment, then RUNNING while `objectCount` grows at the configured objects per second (at
//! least the configured minimum), then COMPLETED with `objectCount`, `rootObjectCount`,
//! `fileSize` and `url` (null when nothing matched), or FAILED with `partialDataUrl`, or
//! CANCELED when cancelled meanwhile. With `groupObjects: true` each child line follows its
//! parent, and the run takes twice as long (Shopify: grouping is costly); with `false` (the
//! default from 2026-01) parents come first and children after them, which Shopify allows
//! since it no longer groups them.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use chrono::Utc;
use serde_json::{json, Value};

use crate::access;
use crate::graphql::bulk::jsonl::flatten;
use crate::graphql::bulk::operation::{
    BulkOperation, BulkOperationErrorCode, BulkOperationStatus, BulkOperationUserErrorCode,
};
use crate::graphql::bulk::shape::{concurrency_for, validate};
use crate::graphql::executor::VersionApi;
use crate::graphql::paging::{BulkMode, BulkWindow};
use crate::graphql::subscriptions::UserError;
use crate::state::Shared;
use crate::storage::signed_url;
use crate::store::rest::{gid, parse_gid};
use crate::store::units::{next_stamp, whole_seconds};
use crate::webhooks::{lock, Event};

/// What a mutation did: the operation, and the user errors.
pub type Outcome = (Option<BulkOperation>, Vec<UserError>);

fn user_error(code: BulkOperationUserErrorCode, message: String) -> Outcome {
    let error = UserError {
        type_name: "BulkOperationUserError",
        field: Some(vec!["query".into()]),
        message,
        code: Some(crate::graphql::project::app::screaming(&format!(
            "{code:?}"
        ))),
    };
    (None, vec![error])
}

/// `bulkOperationRunQuery`: checks, registers and starts a run.
pub fn start(shared: &Arc<Shared>, query: &str, version: &str, group_objects: bool) -> Outcome {
    let api = match shared.graphql.version(version) {
        Ok(api) => api,
        Err(e) => return user_error(BulkOperationUserErrorCode::Invalid, e),
    };
    if let Err(message) = validate(&api.types, query) {
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
    tokio::spawn(run(
        shared.clone(),
        op.id,
        query.to_string(),
        api,
        group_objects,
    ));
    (Some(op), vec![])
}

/// `bulkOperationCancel`.
pub fn cancel(shared: &Arc<Shared>, id: &str) -> Outcome {
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
            (Some(op.clone()), vec![])
        }
        Some(op) => {
            let message = format!(
                "A bulk operation cannot be canceled when it is {:?}",
                op.status
            )
            .to_lowercase();
            (Some(op.clone()), vec![UserError::new(&[], &message)])
        }
        None => (
            None,
            vec![UserError::new(&["id"], "Bulk operation does not exist")],
        ),
    }
}

/// Parents first, then children: an order Shopify may write when it does not group objects.
fn ungroup(lines: Vec<String>) -> Vec<String> {
    let (mut parents, children): (Vec<String>, Vec<String>) = lines
        .into_iter()
        .partition(|l| !l.contains("\"__parentId\""));
    parents.extend(children);
    parents
}

fn is_canceling(shared: &Shared, id: u64) -> bool {
    lock(&shared.bulk)
        .ops
        .get(&id)
        .is_some_and(|o| o.status == BulkOperationStatus::Canceling)
}

/// Waits while RUNNING for as long as writing `work` lines takes, counting `objects` up as
/// it goes; `false` when the operation was cancelled meanwhile.
async fn write_out(shared: &Shared, id: u64, objects: u64, work: u64) -> bool {
    let timing = shared.config.bulk;
    let running_for = timing.running_for(work);
    let started = tokio::time::Instant::now();
    loop {
        if is_canceling(shared, id) {
            return false;
        }
        let elapsed = started.elapsed();
        if elapsed >= running_for {
            return true;
        }
        let written = (objects as f64 * elapsed.as_secs_f64() / running_for.as_secs_f64()) as u64;
        if let Some(op) = lock(&shared.bulk).ops.get_mut(&id) {
            op.object_count = written.min(objects);
        }
        tokio::time::sleep((running_for - elapsed).min(Duration::from_millis(100))).await;
    }
}

/// Root objects resolved per execution of a bulk query.
const CHUNK: usize = 500;

/// Runs a bulk query over the root connection [`CHUNK`] objects at a time and returns its
/// JSONL lines (grouped), the number of root objects, and whether any chunk had errors.
/// Chunks keep memory flat (one execution holds every object it resolves, projected and
/// answered, until it ends); they run on a blocking thread because a chunk resolves without
/// once waiting, and on the server's worker threads it would starve the requests beside it.
async fn execute_in_chunks(
    shared: &Arc<Shared>,
    api: &Arc<VersionApi>,
    query: &str,
) -> (Vec<String>, u64, bool) {
    let (shared, api, query) = (shared.clone(), api.clone(), query.to_string());
    let handle = tokio::runtime::Handle::current();
    let chunks = tokio::task::spawn_blocking(move || {
        let (mut lines, mut roots, mut errors) = (Vec::new(), 0u64, false);
        let mut after = None;
        loop {
            let window = BulkWindow {
                after,
                take: CHUNK,
                ..BulkWindow::default()
            };
            let last = window.last.clone();
            let request = async_graphql::Request::new(query.clone())
                .data(shared.clone())
                .data(BulkMode)
                .data(window);
            let response = handle.block_on(api.schema.execute(request));
            errors |= !response.errors.is_empty();
            let data = serde_json::to_value(&response.data).unwrap_or(Value::Null);
            let (chunk, chunk_roots) = flatten(&data);
            lines.extend(chunk);
            roots += chunk_roots;
            // A root that is not a windowed connection answers whole in the first chunk.
            after = *last.lock().unwrap_or_else(|e| e.into_inner());
            if errors || (chunk_roots as usize) < CHUNK || after.is_none() {
                break;
            }
        }
        (lines, roots, errors)
    })
    .await;
    chunks.unwrap_or_else(|e| {
        tracing::error!(error = %e, "bulk query stopped");
        (Vec::new(), 0, true)
    })
}

async fn run(
    shared: Arc<Shared>,
    id: u64,
    query: String,
    api: Arc<VersionApi>,
    group_objects: bool,
) {
    let update = |f: &dyn Fn(&mut BulkOperation)| {
        if let Some(op) = lock(&shared.bulk).ops.get_mut(&id) {
            f(op);
        }
    };
    tokio::time::sleep(shared.config.bulk.created_for()).await;
    if !is_canceling(&shared, id) {
        update(&|op| op.status = BulkOperationStatus::Running);
    }
    let denied = access::bulk_query_denied(&shared.config.scopes, &query).is_some();
    let (lines, roots, errors) = if denied {
        (Vec::new(), 0, false)
    } else {
        execute_in_chunks(&shared, &api, &query).await
    };
    let lines = if group_objects { lines } else { ungroup(lines) };
    let fail = denied || errors || shared.fail_next_bulk.swap(false, Ordering::SeqCst);
    let keep = if fail { lines.len() / 2 } else { lines.len() };
    // Grouping is costly (Shopify's description of `groupObjects`): half the speed.
    let work = if group_objects { 2 * keep } else { keep };
    let canceled = !write_out(&shared, id, keep as u64, work as u64).await;
    let mut body = String::new();
    for l in &lines[..keep] {
        body.push_str(l);
        body.push('\n');
    }
    let object = format!("{}-final", uuid::Uuid::new_v4().simple());
    let now = Utc::now();
    let url = (!body.is_empty() && !canceled).then(|| signed_url(&shared, &object, id, now));
    let size = body.len() as u64;
    {
        let mut reg = lock(&shared.bulk);
        if url.is_some() {
            reg.files.insert(object, Bytes::from(body));
        }
        if let Some(op) = reg.ops.get_mut(&id) {
            op.completed_at = Some(next_stamp(op.created_at, now));
            if canceled {
                op.status = BulkOperationStatus::Canceled;
            } else if fail {
                op.object_count = keep as u64;
                op.file_size = url.as_ref().map(|_| size);
                op.status = BulkOperationStatus::Failed;
                op.error_code = Some(if denied {
                    BulkOperationErrorCode::AccessDenied
                } else {
                    BulkOperationErrorCode::InternalServerError
                });
                op.partial_data_url = url;
            } else {
                op.object_count = keep as u64;
                op.root_object_count = roots;
                op.file_size = url.as_ref().map(|_| size);
                op.status = BulkOperationStatus::Completed;
                op.url = url;
            }
        }
    }
    finished(&shared, id);
}

/// Logs the operation's end and sends `bulk_operations/finish`.
fn finished(shared: &Shared, id: u64) {
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
