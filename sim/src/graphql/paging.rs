//! Connection paging and search filters shared by every connection of the schema.
//!
//! Cursors are opaque base64 of `<sort value>:<id>`; `after`/`before` are positions in the
//! sorted list, so a page boundary survives objects being added or changed in between (a
//! changed object can move past the cursor, as on Shopify). In bulk mode (`BulkMode` in the
//! context) `first`, `last` and cursors are ignored and everything is returned.
//! The `query:` filter is Shopify's search syntax, parsed in `search.rs`.

use async_graphql::{Context, Error};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};

pub use crate::search::SearchFilter;

/// Marks an execution as a bulk operation's: connections return everything.
pub struct BulkMode;

/// The slice of the root connection's objects one execution of a bulk query resolves
/// (`graphql/bulk/run.rs` runs the query chunk by chunk, so a store of any size is never
/// held in memory whole): up to `take` objects whose sort key follows `after`. The root
/// writes the key of the last object it resolved into `last`, where the next chunk starts;
/// keys, not positions, so objects deleted or added meanwhile never shift a chunk.
#[derive(Debug, Clone, Default)]
pub struct BulkWindow {
    pub after: Option<(i64, u64)>,
    pub take: usize,
    pub last: std::sync::Arc<std::sync::Mutex<Option<(i64, u64)>>>,
}

/// Largest page Shopify serves.
pub const MAX_PAGE: i32 = 250;

/// `pageInfo`.
#[derive(Debug, Clone)]
pub struct PageInfo {
    pub has_next_page: bool,
    pub has_previous_page: bool,
    pub start_cursor: Option<String>,
    pub end_cursor: Option<String>,
}

/// Paging arguments of a connection field.
#[derive(Debug, Default, Clone)]
pub struct PageArgs {
    pub first: Option<i32>,
    pub after: Option<String>,
    pub last: Option<i32>,
    pub before: Option<String>,
    pub reverse: bool,
}

/// One page: items with their cursors.
pub struct Page<T> {
    pub items: Vec<(String, T)>,
    pub page_info: PageInfo,
}

fn encode(key: (i64, u64)) -> String {
    URL_SAFE_NO_PAD.encode(format!("{}:{}", key.0, key.1))
}

fn decode(cursor: &str) -> Result<(i64, u64), Error> {
    let bad = || {
        Error::new(format!(
            "Invalid cursor for current pagination sort: {cursor}"
        ))
    };
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| bad())?;
    let text = String::from_utf8(bytes).map_err(|_| bad())?;
    let (a, b) = text.split_once(':').ok_or_else(bad)?;
    Ok((a.parse().map_err(|_| bad())?, b.parse().map_err(|_| bad())?))
}

/// Sorts `items` by their `(sort value, id)` key and cuts the page the arguments ask for.
pub fn paginate<T>(
    ctx: &Context<'_>,
    mut items: Vec<((i64, u64), T)>,
    args: PageArgs,
) -> Result<Page<T>, Error> {
    items.sort_by_key(|(k, _)| *k);
    if args.reverse {
        items.reverse();
    }
    let bulk = ctx.data_opt::<BulkMode>().is_some();
    let total = items.len();
    let (mut start, mut end) = (0, total);
    if !bulk {
        match (args.first, args.last) {
            (None, None) => return Err(Error::new("you must provide one of first or last")),
            (Some(n), _) | (None, Some(n)) if !(0..=MAX_PAGE).contains(&n) => {
                return Err(Error::new(format!(
                    "The value of `first`/`last` must be between 0 and {MAX_PAGE}, got {n}"
                )))
            }
            _ => {}
        }
        let after_key = |key: (i64, u64), cursor: (i64, u64)| {
            if args.reverse {
                key < cursor
            } else {
                key > cursor
            }
        };
        if let Some(c) = &args.after {
            let c = decode(c)?;
            start = items
                .iter()
                .position(|(k, _)| after_key(*k, c))
                .unwrap_or(total);
        }
        if let Some(c) = &args.before {
            let c = decode(c)?;
            end = items
                .iter()
                .position(|(k, _)| !after_key(c, *k))
                .unwrap_or(total)
                .max(start);
        }
        if let Some(n) = args.first {
            end = end.min(start + n as usize);
        }
        if let Some(n) = args.last {
            start = start.max(end.saturating_sub(n as usize));
        }
    }
    let has_previous_page = start > 0;
    let has_next_page = end < total;
    let items: Vec<(String, T)> = items
        .into_iter()
        .skip(start)
        .take(end - start)
        .map(|(k, t)| (encode(k), t))
        .collect();
    let page_info = PageInfo {
        has_next_page,
        has_previous_page,
        start_cursor: items.first().map(|(c, _)| c.clone()),
        end_cursor: items.last().map(|(c, _)| c.clone()),
    };
    Ok(Page { items, page_info })
}

/// The sort position of an object under a sort key's flags (the id breaks ties).
pub fn sort_value(
    key: (bool, bool),
    id: u64,
    created: DateTime<Utc>,
    updated: DateTime<Utc>,
) -> (i64, u64) {
    match key {
        (true, _) => (created.timestamp(), id),
        (_, true) => (updated.timestamp(), id),
        _ => (id as i64, id),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip() {
        assert_eq!(
            decode(&encode((1_700_000_000, 42))).unwrap(),
            (1_700_000_000, 42)
        );
        assert!(decode("not a cursor").is_err());
    }
}
