//! `QueryRoot`: the entry points the engine reads (`orders`, `customers`, `products` with
//! Shopify's paging, sort keys and search filter; single objects; `node`/`nodes`; `shop`;
//! `currentAppInstallation`; bulk operations; webhook subscriptions). The object types are in
//! `graphql/types/`.

use async_graphql::{Context, Error, Object, ID};

use crate::graphql::bulk::operation::{
    BulkOperation, BulkOperationConnection, BulkOperationType, BulkOperationsSortKeys,
};
use crate::graphql::codes::CurrencyCode;
use crate::graphql::context::{not_in_version, page_args, read_store, shared, since_2026_01};
use crate::graphql::node::{node_by_gid, Node};
use crate::graphql::paging::{paginate, sort_value};
use crate::graphql::scalars::dt;
use crate::graphql::scalars::Url;
use crate::graphql::subscriptions::{
    SubscriptionFilter, WebhookSubscriptionConnection, WebhookSubscriptionFormat,
    WebhookSubscriptionNode, WebhookSubscriptionSortKeys, WebhookSubscriptionTopic,
};
use crate::graphql::types::customer::{self, CustomerConnection, CustomerNode, CustomerSortKeys};
use crate::graphql::types::order::{self, OrderConnection, OrderNode, OrderSortKeys};
use crate::graphql::types::product::{self, ProductConnection, ProductNode, ProductSortKeys};
use crate::graphql::types::shop::{AccessScope, AppInstallation, Shop, ShopPlan};
use crate::store::rest::{gid, parse_gid};
use crate::store::visibility::OrderVisibility;
use crate::webhooks::lock;

/// `QueryRoot`.
pub struct QueryRoot;

#[Object]
impl QueryRoot {
    #[allow(clippy::too_many_arguments)]
    async fn orders(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        reverse: Option<bool>,
        sort_key: Option<OrderSortKeys>,
        query: Option<String>,
        saved_search_id: Option<ID>,
    ) -> Result<OrderConnection, Error> {
        no_saved_searches(saved_search_id)?;
        let args = page_args(first, after, last, before, reverse);
        order::connection(ctx, args, sort_key.unwrap_or_default(), query.as_deref())
    }

    #[allow(clippy::too_many_arguments)]
    async fn customers(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        reverse: Option<bool>,
        sort_key: Option<CustomerSortKeys>,
        query: Option<String>,
    ) -> Result<CustomerConnection, Error> {
        let args = page_args(first, after, last, before, reverse);
        customer::connection(ctx, args, sort_key.unwrap_or_default(), query.as_deref())
    }

    #[allow(clippy::too_many_arguments)]
    async fn products(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        reverse: Option<bool>,
        sort_key: Option<ProductSortKeys>,
        query: Option<String>,
        saved_search_id: Option<ID>,
    ) -> Result<ProductConnection, Error> {
        no_saved_searches(saved_search_id)?;
        let args = page_args(first, after, last, before, reverse);
        product::connection(ctx, args, sort_key.unwrap_or_default(), query.as_deref())
    }

    async fn order(&self, ctx: &Context<'_>, id: ID) -> Option<OrderNode> {
        let (_, num) = parse_gid(&id).filter(|(t, _)| *t == "Order")?;
        let visible = OrderVisibility::of(&shared(ctx).config);
        let s = read_store(ctx);
        s.orders
            .get(&num)
            .filter(|o| visible.shows(o.created_at))
            .map(|o| OrderNode::new(o, &s.shop.currency))
    }

    async fn customer(&self, ctx: &Context<'_>, id: ID) -> Option<CustomerNode> {
        let (_, num) = parse_gid(&id).filter(|(t, _)| *t == "Customer")?;
        let s = read_store(ctx);
        s.customers
            .get(&num)
            .map(|c| CustomerNode::new(c, &s.shop.currency))
    }

    async fn product(&self, ctx: &Context<'_>, id: ID) -> Option<ProductNode> {
        let (_, num) = parse_gid(&id).filter(|(t, _)| *t == "Product")?;
        let s = read_store(ctx);
        s.products
            .get(&num)
            .map(|p| ProductNode::new(p, &s.shop.currency))
    }

    async fn node(&self, ctx: &Context<'_>, id: ID) -> Option<Node> {
        node_by_gid(ctx, &id)
    }

    async fn nodes(&self, ctx: &Context<'_>, ids: Vec<ID>) -> Result<Vec<Option<Node>>, Error> {
        if ids.len() > 250 {
            return Err(Error::new(
                "The input array size of 251 is greater than the maximum allowed of 250.",
            ));
        }
        Ok(ids.iter().map(|id| node_by_gid(ctx, id)).collect())
    }

    async fn shop(&self, ctx: &Context<'_>) -> Shop {
        let s = read_store(ctx);
        let shop = &s.shop;
        Shop {
            id: ID(gid("Shop", shop.id)),
            name: shop.name.clone(),
            email: shop.email.clone(),
            currency_code: CurrencyCode::of(&shop.currency),
            iana_timezone: shop.iana_timezone.clone(),
            myshopify_domain: shop.domain.clone(),
            plan: ShopPlan {
                display_name: shop.plan.display_name().to_string(),
                partner_development: false,
                shopify_plus: matches!(
                    shop.plan,
                    crate::config::Plan::Plus | crate::config::Plan::Enterprise
                ),
            },
            created_at: dt(shop.created_at),
        }
    }

    async fn current_app_installation(&self, ctx: &Context<'_>) -> AppInstallation {
        AppInstallation {
            id: ID(gid("AppInstallation", 1)),
            access_scopes: shared(ctx)
                .config
                .scopes
                .iter()
                .map(|h| AccessScope {
                    handle: h.to_string(),
                })
                .collect(),
        }
    }

    /// From 2026-01 (hidden before, as Shopify's schema has it).
    #[graphql(visible = "since_2026_01")]
    async fn bulk_operation(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> Result<Option<BulkOperation>, Error> {
        if !since_2026_01(ctx) {
            return Err(not_in_version("QueryRoot", "bulkOperation"));
        }
        let Some((_, num)) = parse_gid(&id).filter(|(t, _)| *t == "BulkOperation") else {
            return Ok(None);
        };
        Ok(lock(&shared(ctx).bulk).get(num))
    }

    #[graphql(deprecation = "Use `bulkOperations` with status filter instead.")]
    async fn current_bulk_operation(
        &self,
        ctx: &Context<'_>,
        r#type: Option<BulkOperationType>,
    ) -> Option<BulkOperation> {
        lock(&shared(ctx).bulk).current(r#type.unwrap_or(BulkOperationType::Query))
    }

    /// The app's bulk operations, newest first unless `reverse` (Shopify's default order).
    /// From 2026-01 (hidden before, as Shopify's schema has it).
    #[allow(clippy::too_many_arguments)]
    #[graphql(visible = "since_2026_01")]
    async fn bulk_operations(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        reverse: Option<bool>,
        sort_key: Option<BulkOperationsSortKeys>,
        query: Option<String>,
    ) -> Result<BulkOperationConnection, Error> {
        if !since_2026_01(ctx) {
            return Err(not_in_version("QueryRoot", "bulkOperations"));
        }
        let items = lock(&shared(ctx).bulk).list(sort_key.unwrap_or_default(), query.as_deref());
        Ok(paginate(ctx, items, page_args(first, after, last, before, reverse))?.into())
    }

    #[allow(clippy::too_many_arguments)]
    async fn webhook_subscriptions(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        reverse: Option<bool>,
        topics: Option<Vec<WebhookSubscriptionTopic>>,
        callback_url: Option<Url>,
        uri: Option<String>,
        format: Option<WebhookSubscriptionFormat>,
        query: Option<String>,
        sort_key: Option<WebhookSubscriptionSortKeys>,
    ) -> Result<WebhookSubscriptionConnection, Error> {
        let filter = SubscriptionFilter {
            topics,
            addresses: callback_url.map(|u| u.0).into_iter().chain(uri).collect(),
            format,
            query,
        };
        let by_created = sort_key.unwrap_or_default() == WebhookSubscriptionSortKeys::CreatedAt;
        let items = lock(shared(ctx).webhooks.subscriptions())
            .list()
            .iter()
            .filter(|s| filter.matches(s))
            .map(|s| {
                let key = sort_value((by_created, false), s.id, s.created_at, s.updated_at);
                (key, WebhookSubscriptionNode(s.clone()))
            })
            .collect();
        Ok(paginate(ctx, items, page_args(first, after, last, before, reverse))?.into())
    }
}

/// `savedSearchId`: the simulated shop has no saved searches, so any id names none.
fn no_saved_searches(id: Option<ID>) -> Result<(), Error> {
    match id {
        None => Ok(()),
        Some(id) => Err(Error::new(format!(
            "Saved search {} does not exist",
            id.as_str()
        ))),
    }
}
