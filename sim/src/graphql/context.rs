//! What every resolver reads from the request context: the simulator's state ([`shared`],
//! [`read_store`]) and the API version of the path ([`ApiVersion`]); and the paging helpers
//! the roots and object types share.

use std::sync::Arc;

use async_graphql::{Context, Error, ErrorExtensions};

use crate::graphql::paging::{paginate, Page, PageArgs};
use crate::state::Shared;
use crate::store::Store;

/// The API version of the request path, visible to resolvers.
#[derive(Debug, Clone)]
pub struct ApiVersion(pub String);

/// Whether the request's API version has what Shopify added in version `since`. A run without a
/// version (a bulk run's own execution, the SDL) sees everything.
pub fn version_at_least(ctx: &Context<'_>, since: &str) -> bool {
    ctx.data_opt::<ApiVersion>()
        .is_none_or(|v| xeno_shopify::versions::at_least(&v.0, since))
}

/// Visibility of what Shopify added in 2026-01 (`bulkOperation`, `bulkOperations`).
pub fn since_2026_01(ctx: &Context<'_>) -> bool {
    version_at_least(ctx, "2026-01")
}

/// Visibility of what only `unstable` has so far.
pub fn unstable_only(ctx: &Context<'_>) -> bool {
    version_at_least(ctx, "unstable")
}

/// The error Shopify answers for a field the request's version lacks, as its validation words
/// it (`graphql/validation.rs`).
pub fn not_in_version(type_name: &str, field: &str) -> Error {
    Error::new(format!(
        "Field '{field}' doesn't exist on type '{type_name}'"
    ))
    .extend_with(|_, e| {
        e.set("code", "undefinedField");
        e.set("typeName", type_name);
        e.set("fieldName", field);
    })
}

/// The simulator's state.
pub fn shared<'a>(ctx: &Context<'a>) -> &'a Arc<Shared> {
    ctx.data_unchecked::<Arc<Shared>>()
}

/// A read lock on the store (a poisoned lock is taken over: the store is never left half-changed).
pub fn read_store<'a>(ctx: &Context<'a>) -> std::sync::RwLockReadGuard<'a, Store> {
    shared(ctx).store.read().unwrap_or_else(|e| e.into_inner())
}

/// The paging arguments of a connection field.
pub fn page_args(
    first: Option<i32>,
    after: Option<String>,
    last: Option<i32>,
    before: Option<String>,
    reverse: Option<bool>,
) -> PageArgs {
    PageArgs {
        first,
        after,
        last,
        before,
        reverse: reverse.unwrap_or(false),
    }
}

/// Turns a page of ids into a page of nodes, cloning only what the page holds.
pub fn materialize<N>(
    ctx: &Context<'_>,
    page: Page<u64>,
    make: impl Fn(&Store, u64) -> Option<N>,
) -> Page<N> {
    let s = read_store(ctx);
    Page {
        items: page
            .items
            .into_iter()
            .filter_map(|(cursor, id)| make(&s, id).map(|n| (cursor, n)))
            .collect(),
        page_info: page.page_info,
    }
}

/// Pages a nested list kept in its natural order (positions as keys).
pub fn nested<T>(
    ctx: &Context<'_>,
    items: Vec<(u64, T)>,
    args: PageArgs,
) -> Result<Page<T>, Error> {
    paginate(
        ctx,
        items
            .into_iter()
            .enumerate()
            .map(|(i, (id, t))| ((i as i64, id), t))
            .collect(),
        args,
    )
}
