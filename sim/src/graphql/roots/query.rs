//! `QueryRoot`: the entry points the simulator keeps data behind: `orders`, `customers`,
//! `products` (Shopify's paging, sort keys and search filter), `locations` and their counts; single
//! objects; `node`/`nodes`; `shop`; `currentAppInstallation`; bulk operations; webhook
//! subscriptions. Orders older than 60 days are invisible without `read_all_orders`
//! (`store/visibility.rs`).

use async_graphql::dynamic::{FieldValue, ResolverContext};
use async_graphql::Error;
use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use crate::graphql::admin::catalog::Catalog;
use crate::graphql::admin::resolve::{arg_enum, arg_str, connection, object, page_args, shared};
use crate::graphql::admin::table::{Answer, Table};
use crate::graphql::bulk::operation::BulkOperationsSortKeys;
use crate::graphql::paging::{paginate, sort_value, BulkWindow, Page, SearchFilter};
use crate::graphql::project::{self, app, lookup};
use crate::graphql::subscriptions::SubscriptionFilter;
use crate::shop_time;
use crate::state::Shared;
use crate::store::rest::{gid, parse_gid};
use crate::store::visibility::OrderVisibility;
use crate::store::Store;
use crate::webhooks::lock;

/// The `query:` argument, its times read in the shop's zone.
fn search(ctx: &ResolverContext<'_>) -> SearchFilter {
    let zone = shop_time::zone(&store(shared(ctx)).shop.iana_timezone);
    SearchFilter::parse_in(arg_str(ctx, "query").as_deref(), zone)
}

fn store(shared: &Shared) -> std::sync::RwLockReadGuard<'_, Store> {
    shared.store.read().unwrap_or_else(|e| e.into_inner())
}

/// `(by created, by updated)` of a sort key (`PROCESSED_AT` reads as created: the simulator
/// processes orders as they are made); anything else sorts by id.
fn sort_flags(ctx: &ResolverContext<'_>) -> (bool, bool) {
    match arg_enum(ctx, "sortKey").as_deref() {
        Some("CREATED_AT" | "PROCESSED_AT") => (true, false),
        Some("UPDATED_AT") => (false, true),
        _ => (false, false),
    }
}

/// `savedSearchId`: the simulated shop has no saved searches, so any id names none.
fn no_saved_searches(ctx: &ResolverContext<'_>) -> Result<(), Error> {
    match arg_str(ctx, "savedSearchId") {
        None => Ok(()),
        Some(id) => Err(Error::new(format!("Saved search {id} does not exist"))),
    }
}

/// The page `ids` asks for, each made into its object.
fn page_of<'a>(
    ctx: &ResolverContext<'a>,
    catalog: &Catalog,
    conn: &str,
    ids: Vec<((i64, u64), u64)>,
    make: impl Fn(&Store, u64) -> Option<Value>,
) -> Answer<'a> {
    let ids = match ctx.ctx.data_opt::<BulkWindow>() {
        Some(w) => window(ids, w),
        None => ids,
    };
    let page = paginate(ctx.ctx, ids, page_args(ctx))?;
    let page = {
        let s = store(shared(ctx));
        Page {
            items: page
                .items
                .into_iter()
                .filter_map(|(cursor, id)| make(&s, id).map(|v| (cursor, v)))
                .collect(),
            page_info: page.page_info,
        }
    };
    Ok(Some(object(catalog, conn, connection(catalog, conn, page))))
}

/// The ids of a bulk query's chunk (see [`BulkWindow`]), noting where the next one starts.
fn window(mut ids: Vec<((i64, u64), u64)>, w: &BulkWindow) -> Vec<((i64, u64), u64)> {
    ids.sort_by_key(|(k, _)| *k);
    let ids: Vec<_> = ids
        .into_iter()
        .filter(|(k, _)| w.after.is_none_or(|a| *k > a))
        .take(w.take)
        .collect();
    *w.last.lock().unwrap_or_else(|e| e.into_inner()) = ids.last().map(|(k, _)| *k);
    ids
}

/// The `(key, id)` of every object matching the filter.
fn keyed<'s, T: 's>(
    all: impl Iterator<Item = &'s T>,
    filter: &SearchFilter,
    key: (bool, bool),
    times: impl Fn(&T) -> (u64, DateTime<Utc>, DateTime<Utc>),
) -> Vec<((i64, u64), u64)> {
    all.map(times)
        .filter(|(id, c, u)| filter.matches(*id, *c, *u))
        .map(|(id, c, u)| (sort_value(key, id, c, u), id))
        .collect()
}

/// The `(sort key, id)` of every order the token may see that matches `query:`.
fn order_ids(ctx: &ResolverContext<'_>) -> Vec<((i64, u64), u64)> {
    let filter = search(ctx);
    let visible = OrderVisibility::of(&shared(ctx).config);
    keyed(
        store(shared(ctx))
            .orders
            .values()
            .filter(|o| visible.shows(o.created_at)),
        &filter,
        sort_flags(ctx),
        |o| (o.id, o.created_at, o.updated_at),
    )
}

/// The `(sort key, id)` of every customer that matches `query:`.
fn customer_ids(ctx: &ResolverContext<'_>) -> Vec<((i64, u64), u64)> {
    let filter = search(ctx);
    keyed(
        store(shared(ctx)).customers.values(),
        &filter,
        sort_flags(ctx),
        |c| (c.id, c.created_at, c.updated_at),
    )
}

/// The `(sort key, id)` of every product that matches `query:`.
fn product_ids(ctx: &ResolverContext<'_>) -> Vec<((i64, u64), u64)> {
    let filter = search(ctx);
    keyed(
        store(shared(ctx)).products.values(),
        &filter,
        sort_flags(ctx),
        |p| (p.id, p.created_at, p.updated_at),
    )
}

/// The `(sort key, id)` of every location `locations` lists: active ones unless
/// `includeInactive`, merchant-managed ones unless `includeLegacy` (Shopify's defaults), by
/// `ID` or, Shopify's default, `NAME` (the simulator orders names by id: the cursor is a
/// number). `query:` filters by id and times like the other roots.
fn location_ids(ctx: &ResolverContext<'_>) -> Vec<((i64, u64), u64)> {
    let filter = search(ctx);
    let flag = |name: &str| ctx.args.get(name).and_then(|v| v.boolean().ok()) == Some(true);
    let (inactive, legacy) = (flag("includeInactive"), flag("includeLegacy"));
    keyed(
        store(shared(ctx))
            .locations
            .values()
            .filter(|l| (inactive || l.active) && (legacy || !l.legacy)),
        &filter,
        (false, false),
        |l| (l.id, l.created_at, l.updated_at),
    )
}

fn locations<'a>(ctx: &ResolverContext<'a>, catalog: &Catalog) -> Answer<'a> {
    page_of(
        ctx,
        catalog,
        "LocationConnection",
        location_ids(ctx),
        |s, id| s.locations.get(&id).map(project::location::location),
    )
}

/// `locationsCount` takes no `includeInactive`: the simulator counts every location the shop
/// keeps, active or not (what the engine stores and compares).
fn locations_count<'a>(ctx: &ResolverContext<'a>, catalog: &Catalog) -> Answer<'a> {
    let filter = search(ctx);
    let n = keyed(
        store(shared(ctx)).locations.values(),
        &filter,
        (false, false),
        |l| (l.id, l.created_at, l.updated_at),
    )
    .len();
    counted(ctx, catalog, n)
}

fn location<'a>(ctx: &ResolverContext<'a>, catalog: &Catalog) -> Answer<'a> {
    one_of(ctx, catalog, "Location")
}

fn orders<'a>(ctx: &ResolverContext<'a>, catalog: &Catalog) -> Answer<'a> {
    no_saved_searches(ctx)?;
    page_of(ctx, catalog, "OrderConnection", order_ids(ctx), |s, id| {
        s.orders
            .get(&id)
            .map(|o| project::order::order(o, &s.shop.currency))
    })
}

fn customers<'a>(ctx: &ResolverContext<'a>, catalog: &Catalog) -> Answer<'a> {
    page_of(
        ctx,
        catalog,
        "CustomerConnection",
        customer_ids(ctx),
        |s, id| {
            s.customers
                .get(&id)
                .map(|c| project::customer::customer(c, &s.shop.currency))
        },
    )
}

fn products<'a>(ctx: &ResolverContext<'a>, catalog: &Catalog) -> Answer<'a> {
    no_saved_searches(ctx)?;
    page_of(
        ctx,
        catalog,
        "ProductConnection",
        product_ids(ctx),
        |s, id| {
            s.products
                .get(&id)
                .map(|p| project::product::product(p, &s.shop.currency))
        },
    )
}

/// `Count` of `n` matching objects, `AT_LEAST` past `limit` (Shopify's default 10 000;
/// `limit: null` counts without a bound).
fn counted<'a>(ctx: &ResolverContext<'a>, catalog: &Catalog, n: usize) -> Answer<'a> {
    let limit = match ctx.args.get("limit") {
        Some(v) if v.is_null() => usize::MAX,
        Some(v) => v.i64().unwrap_or(10_000).max(0) as usize,
        None => 10_000,
    };
    let count = json!({
        "__typename": "Count",
        "count": n.min(limit),
        "precision": if n > limit { "AT_LEAST" } else { "EXACT" },
    });
    Ok(Some(object(catalog, "Count", count)))
}

fn orders_count<'a>(ctx: &ResolverContext<'a>, catalog: &Catalog) -> Answer<'a> {
    counted(ctx, catalog, order_ids(ctx).len())
}

fn customers_count<'a>(ctx: &ResolverContext<'a>, catalog: &Catalog) -> Answer<'a> {
    counted(ctx, catalog, customer_ids(ctx).len())
}

fn products_count<'a>(ctx: &ResolverContext<'a>, catalog: &Catalog) -> Answer<'a> {
    counted(ctx, catalog, product_ids(ctx).len())
}

/// The object `id` names when it is of type `ty`.
fn one_of<'a>(ctx: &ResolverContext<'a>, catalog: &Catalog, ty: &str) -> Answer<'a> {
    let id = arg_str(ctx, "id").unwrap_or_default();
    if parse_gid(&id).is_none_or(|(t, _)| t != ty) {
        return Ok(None);
    }
    Ok(lookup::by_gid(shared(ctx), &id).map(|v| object(catalog, ty, v)))
}

fn order<'a>(ctx: &ResolverContext<'a>, catalog: &Catalog) -> Answer<'a> {
    one_of(ctx, catalog, "Order")
}

fn customer<'a>(ctx: &ResolverContext<'a>, catalog: &Catalog) -> Answer<'a> {
    one_of(ctx, catalog, "Customer")
}

fn product<'a>(ctx: &ResolverContext<'a>, catalog: &Catalog) -> Answer<'a> {
    one_of(ctx, catalog, "Product")
}

fn product_variant<'a>(ctx: &ResolverContext<'a>, catalog: &Catalog) -> Answer<'a> {
    one_of(ctx, catalog, "ProductVariant")
}

fn bulk_operation<'a>(ctx: &ResolverContext<'a>, catalog: &Catalog) -> Answer<'a> {
    one_of(ctx, catalog, "BulkOperation")
}

fn webhook_subscription<'a>(ctx: &ResolverContext<'a>, catalog: &Catalog) -> Answer<'a> {
    one_of(ctx, catalog, "WebhookSubscription")
}

fn node<'a>(ctx: &ResolverContext<'a>, catalog: &Catalog) -> Answer<'a> {
    let id = arg_str(ctx, "id").unwrap_or_default();
    Ok(lookup::by_gid(shared(ctx), &id).map(|v| object(catalog, "Node", v)))
}

fn nodes<'a>(ctx: &ResolverContext<'a>, catalog: &Catalog) -> Answer<'a> {
    let ids: Vec<String> = match ctx.args.get("ids") {
        Some(list) => list
            .list()?
            .iter()
            .filter_map(|v| v.string().ok().map(str::to_string))
            .collect(),
        None => Vec::new(),
    };
    if ids.len() > 250 {
        return Err(Error::new(format!(
            "The input array size of {} is greater than the maximum allowed of 250.",
            ids.len()
        )));
    }
    let items: Vec<FieldValue<'a>> = ids
        .iter()
        .map(|id| {
            lookup::by_gid(shared(ctx), id)
                .map(|v| object(catalog, "Node", v))
                .unwrap_or(FieldValue::NULL)
        })
        .collect();
    Ok(Some(FieldValue::list(items)))
}

fn shop<'a>(ctx: &ResolverContext<'a>, catalog: &Catalog) -> Answer<'a> {
    let v = app::shop(&store(shared(ctx)).shop);
    Ok(Some(object(catalog, "Shop", v)))
}

fn current_app_installation<'a>(ctx: &ResolverContext<'a>, catalog: &Catalog) -> Answer<'a> {
    let scopes: Vec<Value> = shared(ctx)
        .config
        .scopes
        .iter()
        .map(|h| json!({"__typename": "AccessScope", "handle": h, "description": ""}))
        .collect();
    let v = json!({
        "__typename": "AppInstallation",
        "id": gid("AppInstallation", 1),
        "accessScopes": scopes,
        "launchUrl": format!("https://{}/admin/apps/xeno", store(shared(ctx)).shop.domain),
    });
    Ok(Some(object(catalog, "AppInstallation", v)))
}

fn current_bulk_operation<'a>(ctx: &ResolverContext<'a>, catalog: &Catalog) -> Answer<'a> {
    let op = lock(&shared(ctx).bulk).current();
    Ok(op.map(|op| object(catalog, "BulkOperation", app::bulk_operation(&op))))
}

/// The app's bulk operations, newest first unless `reverse` (Shopify's default order).
fn bulk_operations<'a>(ctx: &ResolverContext<'a>, catalog: &Catalog) -> Answer<'a> {
    let key = match arg_enum(ctx, "sortKey").as_deref() {
        Some("COMPLETED_AT") => BulkOperationsSortKeys::CompletedAt,
        _ => BulkOperationsSortKeys::CreatedAt,
    };
    let items = lock(&shared(ctx).bulk).list(key, arg_str(ctx, "query").as_deref());
    let items = items
        .into_iter()
        .map(|(k, op)| (k, app::bulk_operation(&op)))
        .collect();
    let page = paginate(ctx.ctx, items, page_args(ctx))?;
    let conn = "BulkOperationConnection";
    Ok(Some(object(catalog, conn, connection(catalog, conn, page))))
}

fn webhook_subscriptions<'a>(ctx: &ResolverContext<'a>, catalog: &Catalog) -> Answer<'a> {
    let topics = match ctx.args.get("topics") {
        Some(list) if !list.is_null() => Some(
            list.list()?
                .iter()
                .filter_map(|v| v.enum_name().ok().map(app::topic_rest))
                .collect(),
        ),
        _ => None,
    };
    let filter = SubscriptionFilter {
        topics,
        addresses: arg_str(ctx, "callbackUrl")
            .into_iter()
            .chain(arg_str(ctx, "uri"))
            .collect(),
        json_only: arg_enum(ctx, "format").is_none_or(|f| f == "JSON"),
        query: arg_str(ctx, "query"),
    };
    let by_created = arg_enum(ctx, "sortKey").is_none_or(|k| k == "CREATED_AT");
    let items = lock(shared(ctx).webhooks.subscriptions())
        .list()
        .iter()
        .filter(|s| filter.matches(s))
        .map(|s| {
            let key = sort_value((by_created, false), s.id, s.created_at, s.updated_at);
            (key, app::subscription(s))
        })
        .collect();
    let page = paginate(ctx.ctx, items, page_args(ctx))?;
    let conn = "WebhookSubscriptionConnection";
    Ok(Some(object(catalog, conn, connection(catalog, conn, page))))
}

/// Registers the `QueryRoot` resolvers.
pub fn register(t: &mut Table) {
    let q = "QueryRoot";
    t.insert((q, "orders"), orders);
    t.insert((q, "customers"), customers);
    t.insert((q, "products"), products);
    t.insert((q, "ordersCount"), orders_count);
    t.insert((q, "customersCount"), customers_count);
    t.insert((q, "productsCount"), products_count);
    t.insert((q, "locations"), locations);
    t.insert((q, "locationsCount"), locations_count);
    t.insert((q, "location"), location);
    t.insert((q, "order"), order);
    t.insert((q, "customer"), customer);
    t.insert((q, "product"), product);
    t.insert((q, "productVariant"), product_variant);
    t.insert((q, "node"), node);
    t.insert((q, "nodes"), nodes);
    t.insert((q, "shop"), shop);
    t.insert((q, "currentAppInstallation"), current_app_installation);
    t.insert((q, "bulkOperation"), bulk_operation);
    t.insert((q, "currentBulkOperation"), current_bulk_operation);
    t.insert((q, "bulkOperations"), bulk_operations);
    t.insert((q, "webhookSubscription"), webhook_subscription);
    t.insert((q, "webhookSubscriptions"), webhook_subscriptions);
}
