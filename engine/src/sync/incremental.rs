//! Paged reads of what changed: `query: "updated_at:>='W'"` with `sortKey: UPDATED_AT`, where
//! `W` is the resource's watermark minus an overlap, so a change on the boundary second (or
//! one committed late on Shopify's side) is read again rather than missed. An object changed
//! while the pages are read moves behind the cursor and is read again on a later page.
//!
//! Used for reconciliation (incremental runs) and as the fallback of a failed or unavailable
//! bulk operation (no watermark: every object). The page size starts at `[sync] page_size`
//! and adapts to the requested cost Shopify reports so one page stays under the 1000-point
//! single-query maximum; a `MAX_COST_EXCEEDED` answer shrinks it at once.

use std::collections::HashSet;

use chrono::{DateTime, Duration as ChronoDuration, Utc};
use serde_json::{json, Value};

use super::graphql_client::ClientError;
use xeno_shopify::resource::documents::updated_since;
use xeno_shopify::Resource;

use super::checkpoint;
use super::context::SyncContext;
use super::error::SyncError;
use super::node::{next_cursor, node_id};
use crate::store::stored_copy;

/// How far before the watermark each incremental read starts.
pub const OVERLAP: ChronoDuration = ChronoDuration::seconds(60);
/// Shopify's single-query maximum, and the share of it a page aims for.
const MAX_QUERY_COST: f64 = 1000.0;
const TARGET_COST: f64 = 950.0;

/// What one paged pass saw.
#[derive(Debug, Default)]
pub struct PassResult {
    /// The latest `updatedAt` seen (the next watermark).
    pub max_updated: Option<DateTime<Utc>>,
    /// Ids of every object seen, when asked for (a full pass feeds the deletion sweep).
    pub ids: Option<HashSet<i64>>,
}

/// Options of a pass.
pub struct Pass<'a> {
    pub resource: Resource,
    /// Read objects changed at or after this time; `None` reads everything.
    pub since: Option<DateTime<Utc>>,
    /// Resume after this cursor (from the checkpoint).
    pub cursor: Option<String>,
    /// Publish only objects the database lacks or holds an older version of (reconciliation);
    /// the rest would be no-ops.
    pub only_changed: bool,
    pub collect_ids: bool,
    /// Objects already done before `cursor` (for the checkpoint's count).
    pub done_before: i64,
    pub ctx: &'a SyncContext,
}

/// Runs one paged pass, checkpointing `page:<cursor>` after each page is acknowledged.
pub async fn pass(p: Pass<'_>) -> Result<PassResult, SyncError> {
    let ctx = p.ctx;
    let resource = p.resource;
    // Reconciling since a watermark: list ids and times first, fetch only what differs.
    let light = p.only_changed && p.since.is_some();
    let spec = resource.spec();
    let (name, document) = if light {
        (format!("changed:{resource}"), spec.changed_query())
    } else {
        (format!("page:{resource}"), spec.page_query())
    };
    let name = name.as_str();
    // A root that cannot filter on `updated_at` is listed whole (`Listing::by_updated_at`).
    let search = p
        .since
        .filter(|_| spec.listing.by_updated_at)
        .map(|t| updated_since(t - OVERLAP));
    let mut cursor = p.cursor.clone();
    let mut page_size = if light {
        250
    } else {
        ctx.page_size.clamp(1, 250)
    };
    let mut done = p.done_before;
    let mut result = PassResult {
        max_updated: None,
        ids: p.collect_ids.then(HashSet::new),
    };
    loop {
        let mut variables = json!({ "first": page_size, "after": cursor });
        if spec.listing.by_updated_at {
            variables["query"] = json!(search);
        }
        let data = match ctx.client.query(name, &document, variables).await {
            Ok(d) => d,
            Err(ClientError::MaxCost { cost, max }) => {
                let smaller = ((page_size as f64) * max / cost * 0.9).floor().max(1.0) as u32;
                tracing::info!(shop = %ctx.shop.domain, resource = resource.as_str(), cost, page_size, smaller, "page over the single-query maximum; shrinking it");
                let per_node = ((cost - 2.0) / page_size as f64).max(1.0);
                page_size = smaller.min(page_size.saturating_sub(1)).max(1);
                // The refused query was not charged; the smaller one will cost about this.
                ctx.client
                    .expect_cost(name, 2.0 + per_node * page_size as f64);
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        let connection = data.get(resource.as_str()).cloned().unwrap_or(Value::Null);
        let mut nodes = page_nodes(resource, &data, &connection)?;
        complete_and_note(ctx, resource, &mut nodes, &mut result).await?;
        let seen = publish_page(ctx, &p, light, nodes).await?;
        ctx.progress.add_done(seen);
        done += seen as i64;

        let (has_next, end) = page_info(&connection);
        if end.is_some() {
            cursor = end;
        }
        let saved = cursor.as_ref().map(|c| format!("page:{c}"));
        checkpoint::save_cursor(
            &ctx.pool,
            &ctx.shop.domain,
            resource,
            saved.as_deref(),
            done,
        )
        .await?;
        if !has_next {
            return Ok(result);
        }
        if !light {
            page_size = adapt_page_size(ctx, name, page_size);
        }
    }
}

/// The nodes of a page; an answer without them fails the run.
fn page_nodes(
    resource: Resource,
    data: &Value,
    connection: &Value,
) -> Result<Vec<Value>, SyncError> {
    match connection.get("nodes") {
        Some(Value::Array(nodes)) => Ok(nodes.clone()),
        _ => Err(SyncError::Failed(format!(
            "{} page without nodes: {}",
            resource.as_str(),
            truncate_json(data)
        ))),
    }
}

/// Completes each node's children and notes its `updatedAt` and id in `result`.
async fn complete_and_note(
    ctx: &SyncContext,
    resource: Resource,
    nodes: &mut [Value],
    result: &mut PassResult,
) -> Result<(), SyncError> {
    for node in nodes.iter_mut() {
        complete_children(ctx, resource, node).await?;
        if let Some(t) = node
            .get("updatedAt")
            .and_then(Value::as_str)
            .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        {
            let t = t.with_timezone(&Utc);
            result.max_updated = Some(result.max_updated.map_or(t, |m| m.max(t)));
        }
        if let (Some(ids), Some(id)) = (result.ids.as_mut(), node_id(node)) {
            ids.insert(id);
        }
    }
    Ok(())
}

/// Publishes a page's nodes (when reconciling, only those the database lacks or holds an
/// older version of, fetched whole when the page was light) and returns how many were seen.
async fn publish_page(
    ctx: &SyncContext,
    p: &Pass<'_>,
    light: bool,
    nodes: Vec<Value>,
) -> Result<u64, SyncError> {
    let resource = p.resource;
    let seen = nodes.len() as u64;
    let to_publish = if p.only_changed {
        let stale = changed_only(ctx, resource, nodes).await?;
        if light {
            fetch_nodes(ctx, resource, &stale).await?
        } else {
            stale
        }
    } else {
        nodes
    };
    if p.only_changed {
        ctx.progress.add_fixed(to_publish.len() as u64);
        ctx.count_repaired(resource, to_publish.len() as u64);
    }
    let envelopes = to_publish.iter().map(|n| ctx.record(resource, n)).collect();
    ctx.publish_all(envelopes).await;
    Ok(seen)
}

/// A connection's `pageInfo`: whether there is a next page, and the cursor it ends at.
fn page_info(connection: &Value) -> (bool, Option<String>) {
    let info = connection.get("pageInfo").cloned().unwrap_or(Value::Null);
    let has_next = info.get("hasNextPage").and_then(Value::as_bool) == Some(true);
    let end = info
        .get("endCursor")
        .and_then(Value::as_str)
        .map(str::to_string);
    (has_next, end)
}

/// The page size whose requested cost fits the target, given what the last page cost.
fn adapt_page_size(ctx: &SyncContext, name: &str, page_size: u32) -> u32 {
    let Some(cost) = ctx.client.last_cost(name) else {
        return page_size;
    };
    if cost <= 0.0 {
        return page_size;
    }
    let per_node = ((cost - 2.0) / page_size as f64).max(1.0);
    let fit = ((TARGET_COST.min(MAX_QUERY_COST) - 2.0) / per_node).floor() as u32;
    let next = fit.clamp(1, ctx.page_size.clamp(1, 250));
    if next != page_size {
        ctx.client.expect_cost(name, 2.0 + per_node * next as f64);
    }
    next
}

/// Fetches whole nodes for the listed (light) ones, in chunks whose requested cost fits the
/// single-query maximum; objects deleted meanwhile come back null and are left out.
async fn fetch_nodes(
    ctx: &SyncContext,
    resource: Resource,
    listed: &[Value],
) -> Result<Vec<Value>, SyncError> {
    let ids: Vec<Value> = listed.iter().filter_map(|n| n.get("id").cloned()).collect();
    let document = resource.spec().nodes_query();
    let name = format!("nodes:{resource}");
    let name = name.as_str();
    let per_node = resource.spec().node_cost;
    let mut chunk =
        ((TARGET_COST / per_node).floor() as usize).clamp(1, ctx.page_size.clamp(1, 250) as usize);
    let mut out = Vec::with_capacity(ids.len());
    let mut start = 0;
    while start < ids.len() {
        let end = (start + chunk).min(ids.len());
        ctx.client
            .expect_cost(name, per_node * (end - start) as f64);
        let data = match ctx
            .client
            .query(name, &document, json!({ "ids": &ids[start..end] }))
            .await
        {
            Ok(d) => d,
            Err(ClientError::MaxCost { .. }) if chunk > 1 => {
                chunk /= 2;
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        for node in data
            .get("nodes")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if node.get("id").is_some() {
                let mut node = node.clone();
                complete_children(ctx, resource, &mut node).await?;
                out.push(node);
            }
        }
        start = end;
    }
    Ok(out)
}

/// Fetches the rest of a node's children when its nested connection has more pages.
async fn complete_children(
    ctx: &SyncContext,
    resource: Resource,
    node: &mut Value,
) -> Result<(), SyncError> {
    let Some(field) = resource.spec().nested.map(|n| n.field) else {
        return Ok(());
    };
    let more = |n: &Value| {
        n.pointer(&format!("/{field}/pageInfo/hasNextPage"))
            .and_then(Value::as_bool)
            == Some(true)
    };
    if !more(node) {
        return Ok(());
    }
    let Some(document) = resource.spec().children_query() else {
        return Ok(());
    };
    let id = node.get("id").cloned().unwrap_or(Value::Null);
    let mut after = node
        .pointer(&format!("/{field}/pageInfo/endCursor"))
        .cloned()
        .unwrap_or(Value::Null);
    loop {
        let data = ctx
            .client
            .query("children", &document, json!({ "id": id, "after": after }))
            .await?;
        let page = data
            .pointer(&format!("/node/{field}"))
            .cloned()
            .unwrap_or(Value::Null);
        let extra = page
            .get("nodes")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        if let Some(Value::Array(list)) = node.pointer_mut(&format!("/{field}/nodes")) {
            list.extend(extra);
        }
        let has_next = page
            .pointer("/pageInfo/hasNextPage")
            .and_then(Value::as_bool)
            == Some(true);
        after = page
            .pointer("/pageInfo/endCursor")
            .cloned()
            .unwrap_or(Value::Null);
        if !has_next || after.is_null() {
            break;
        }
    }
    if let Some(info) = node.pointer_mut(&format!("/{field}/pageInfo")) {
        *info = json!({ "hasNextPage": false, "endCursor": Value::Null });
    }
    Ok(())
}

/// Keeps the nodes the database lacks, holds an older live version of, or holds with fewer
/// append-only children (`ResourceSpec::appended`) than Shopify lists.
async fn changed_only(
    ctx: &SyncContext,
    resource: Resource,
    nodes: Vec<Value>,
) -> Result<Vec<Value>, SyncError> {
    let ids: Vec<i64> = nodes.iter().filter_map(node_id).collect();
    let client = ctx.pool.get().await?;
    let shop = &ctx.shop.domain;
    let stored = stored_copy::versions(&client, shop, resource, &ids).await?;
    let children = match &resource.spec().appended {
        Some(a) => Some((
            a.field,
            stored_copy::child_counts(&client, shop, a, &ids).await?,
        )),
        None => None,
    };
    Ok(nodes
        .into_iter()
        .filter(|n| {
            let Some(id) = node_id(n) else {
                return true;
            };
            let updated = n
                .get("updatedAt")
                .and_then(Value::as_str)
                .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
                .map(|t| t.with_timezone(&Utc));
            let newer = match stored.get(&id) {
                None => true,
                Some((_, true)) => return false,
                Some((at, false)) => updated.is_none_or(|u| u > *at),
            };
            // Append-only children the stored copy lacks (their webhook was lost).
            let missing_children = children.as_ref().is_some_and(|(field, counts)| {
                let listed = n.get(*field).and_then(Value::as_array).map_or(0, Vec::len);
                listed as i64 > counts.get(&id).copied().unwrap_or(0)
            });
            newer || missing_children
        })
        .collect())
}

/// Lists every live id of `resource` page by page (the deletion sweep without bulk).
pub async fn all_ids(ctx: &SyncContext, resource: Resource) -> Result<HashSet<i64>, SyncError> {
    let document = resource.spec().ids_page_query();
    let name = format!("ids:{resource}");
    let mut ids = HashSet::new();
    let mut after = Value::Null;
    loop {
        let data = ctx
            .client
            .query(&name, &document, json!({ "first": 250, "after": after }))
            .await?;
        let conn = data.get(resource.as_str()).cloned().unwrap_or(Value::Null);
        for node in conn
            .get("nodes")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(id) = node_id(node) {
                ids.insert(id);
            }
        }
        match next_cursor(&conn) {
            Some(cursor) => after = cursor,
            None => return Ok(ids),
        }
    }
}

fn truncate_json(v: &Value) -> String {
    let s = v.to_string();
    s.chars().take(300).collect()
}
