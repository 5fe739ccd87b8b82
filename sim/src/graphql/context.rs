//! What every resolver reads from the request context: the simulator's state ([`shared`],
//! [`read_store`]) and the API version of the path ([`ApiVersion`]); and the paging helpers
//! the roots and object types share.

use std::sync::Arc;

use async_graphql::{Context, Error};

use crate::graphql::paging::{paginate, Page, PageArgs};
use crate::state::Shared;
use crate::store::Store;

/// The API version of the request path, visible to resolvers.
#[derive(Debug, Clone)]
pub struct ApiVersion(pub String);

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
