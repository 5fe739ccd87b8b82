//! `QueryRoot`: the entry points the engine reads (`orders`, `customers`, `products` with
//! Shopify's paging, sort keys and search filter; single objects; `node`/`nodes`; `shop`;
//! `currentAppInstallation`; bulk operations; webhook subscriptions). The object types are in
//! `graphql/types/`.

use async_graphql::{Context, Enum, Error, Object, ID};
use chrono::Utc;

use crate::access::ACCESS_SCOPES;
use crate::graphql::bulk::operation::{BulkOperation, BulkOperationType};
use crate::graphql::context::{materialize, page_args, read_store, shared};
use crate::graphql::node::{node_by_gid, Node};
use crate::graphql::paging::{paginate, SearchFilter};
use crate::graphql::scalars::dt;
use crate::graphql::subscriptions::{
    WebhookSubscriptionConnection, WebhookSubscriptionNode, WebhookSubscriptionTopic,
};
use crate::graphql::types::customer::{CustomerConnection, CustomerNode};
use crate::graphql::types::order::{OrderConnection, OrderNode};
use crate::graphql::types::product::{ProductConnection, ProductNode};
use crate::graphql::types::shop::{AccessScope, AppInstallation, Shop, ShopPlan};
use crate::store::rest::{gid, parse_gid};
use crate::webhooks::lock;

macro_rules! sort_keys {
    ($name:ident) => {
        /// Sort keys of the connection.
        #[derive(Enum, Copy, Clone, Eq, PartialEq, Debug, Default)]
        pub enum $name {
            CreatedAt,
            UpdatedAt,
            #[default]
            Id,
        }
    };
}
sort_keys!(OrderSortKeys);
sort_keys!(CustomerSortKeys);
sort_keys!(ProductSortKeys);

fn sort_value(
    key: (bool, bool),
    id: u64,
    created: chrono::DateTime<Utc>,
    updated: chrono::DateTime<Utc>,
) -> (i64, u64) {
    match key {
        (true, _) => (created.timestamp(), id),
        (_, true) => (updated.timestamp(), id),
        _ => (id as i64, id),
    }
}

macro_rules! key_flags {
    ($k:expr, $t:ident) => {
        match $k {
            $t::CreatedAt => (true, false),
            $t::UpdatedAt => (false, true),
            $t::Id => (false, false),
        }
    };
}

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
    ) -> Result<OrderConnection, Error> {
        let filter = SearchFilter::parse(query.as_deref());
        let key = key_flags!(sort_key.unwrap_or_default(), OrderSortKeys);
        let items = {
            let s = read_store(ctx);
            s.orders
                .values()
                .filter(|o| filter.matches(o.id, o.created_at, o.updated_at))
                .map(|o| (sort_value(key, o.id, o.created_at, o.updated_at), o.id))
                .collect()
        };
        let page = paginate(ctx, items, page_args(first, after, last, before, reverse))?;
        Ok(materialize(ctx, page, |s, id| {
            s.orders
                .get(&id)
                .map(|x| OrderNode::new(x, &s.shop.currency))
        })
        .into())
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
        let filter = SearchFilter::parse(query.as_deref());
        let key = key_flags!(sort_key.unwrap_or_default(), CustomerSortKeys);
        let items = {
            let s = read_store(ctx);
            s.customers
                .values()
                .filter(|c| filter.matches(c.id, c.created_at, c.updated_at))
                .map(|c| (sort_value(key, c.id, c.created_at, c.updated_at), c.id))
                .collect()
        };
        let page = paginate(ctx, items, page_args(first, after, last, before, reverse))?;
        Ok(materialize(ctx, page, |s, id| {
            s.customers
                .get(&id)
                .map(|x| CustomerNode::new(x, &s.shop.currency))
        })
        .into())
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
    ) -> Result<ProductConnection, Error> {
        let filter = SearchFilter::parse(query.as_deref());
        let key = key_flags!(sort_key.unwrap_or_default(), ProductSortKeys);
        let items = {
            let s = read_store(ctx);
            s.products
                .values()
                .filter(|p| filter.matches(p.id, p.created_at, p.updated_at))
                .map(|p| (sort_value(key, p.id, p.created_at, p.updated_at), p.id))
                .collect()
        };
        let page = paginate(ctx, items, page_args(first, after, last, before, reverse))?;
        Ok(materialize(ctx, page, |s, id| {
            s.products
                .get(&id)
                .map(|x| ProductNode::new(x, &s.shop.currency))
        })
        .into())
    }

    async fn order(&self, ctx: &Context<'_>, id: ID) -> Option<OrderNode> {
        let (_, num) = parse_gid(&id).filter(|(t, _)| *t == "Order")?;
        let s = read_store(ctx);
        s.orders
            .get(&num)
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
            currency_code: shop.currency.clone(),
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

    async fn current_app_installation(&self) -> AppInstallation {
        AppInstallation {
            id: ID(gid("AppInstallation", 1)),
            access_scopes: ACCESS_SCOPES
                .iter()
                .map(|h| AccessScope {
                    handle: h.to_string(),
                })
                .collect(),
        }
    }

    async fn bulk_operation(&self, ctx: &Context<'_>, id: ID) -> Option<BulkOperation> {
        let (_, num) = parse_gid(&id).filter(|(t, _)| *t == "BulkOperation")?;
        lock(&shared(ctx).bulk).get(num)
    }

    async fn current_bulk_operation(
        &self,
        ctx: &Context<'_>,
        r#type: Option<BulkOperationType>,
    ) -> Option<BulkOperation> {
        lock(&shared(ctx).bulk).current(r#type.unwrap_or(BulkOperationType::Query))
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
    ) -> Result<WebhookSubscriptionConnection, Error> {
        let items = lock(shared(ctx).webhooks.subscriptions())
            .list()
            .iter()
            .filter(|s| s.api_managed)
            .filter(|s| {
                topics
                    .as_ref()
                    .is_none_or(|t| t.iter().any(|t| t.rest() == s.topic))
            })
            .map(|s| ((s.id as i64, s.id), WebhookSubscriptionNode(s.clone())))
            .collect();
        Ok(paginate(ctx, items, page_args(first, after, last, before, reverse))?.into())
    }
}
