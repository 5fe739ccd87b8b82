//! `Mutation`: bulk operations (start and cancel, run by `graphql/bulk/run.rs`) and webhook
//! subscriptions (create, update, delete, kept by `webhooks.rs`).

use async_graphql::{Context, Object, ID};

use crate::graphql::bulk::operation::{BulkOperationCancelPayload, BulkOperationRunQueryPayload};
use crate::graphql::bulk::run as bulk;
use crate::graphql::context::{shared, ApiVersion};
use crate::graphql::subscriptions::{
    subscription_url, SubscriptionOutcome, UserError, WebhookSubscriptionCreatePayload,
    WebhookSubscriptionDeletePayload, WebhookSubscriptionInput, WebhookSubscriptionNode,
    WebhookSubscriptionTopic, WebhookSubscriptionUpdatePayload,
};
use crate::store::rest::parse_gid;
use crate::webhooks::lock;

/// `Mutation`.
pub struct Mutation;

#[Object]
impl Mutation {
    async fn bulk_operation_run_query(
        &self,
        ctx: &Context<'_>,
        query: String,
        // `Boolean!` whose default is true up to 2025-10 and false from 2026-01 (Shopify's
        // introspection of each version); the schema shows the current default, and an
        // omitted argument takes the default of the version asked for.
        #[graphql(default = false)] group_objects: bool,
    ) -> Option<BulkOperationRunQueryPayload> {
        let version = ctx
            .data_opt::<ApiVersion>()
            .map(|v| v.0.clone())
            .unwrap_or_default();
        let given = ctx
            .field()
            .arguments()
            .is_ok_and(|args| args.iter().any(|(name, _)| name.as_str() == "groupObjects"));
        let grouped = if given {
            group_objects
        } else {
            !xeno_shopify::versions::at_least(&version, "2026-01")
        };
        Some(bulk::start(shared(ctx), &query, &version, grouped))
    }

    async fn bulk_operation_cancel(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> Option<BulkOperationCancelPayload> {
        Some(bulk::cancel(shared(ctx), &id))
    }

    async fn webhook_subscription_create(
        &self,
        ctx: &Context<'_>,
        topic: WebhookSubscriptionTopic,
        webhook_subscription: WebhookSubscriptionInput,
    ) -> Option<WebhookSubscriptionCreatePayload> {
        let create = || -> SubscriptionOutcome {
            let url = subscription_url(&webhook_subscription)?;
            let mut subs = lock(shared(ctx).webhooks.subscriptions());
            if subs
                .list()
                .iter()
                .any(|s| s.api_managed && s.topic == topic.rest() && s.callback_url == url)
            {
                return Err(UserError {
                    field: Some(vec!["webhookSubscription".into(), "callbackUrl".into()]),
                    message: "Address for this topic has already been taken".into(),
                });
            }
            Ok(WebhookSubscriptionNode(subs.create(
                topic.rest(),
                &url,
                true,
            )))
        };
        Some(create().into())
    }

    async fn webhook_subscription_update(
        &self,
        ctx: &Context<'_>,
        id: ID,
        webhook_subscription: WebhookSubscriptionInput,
    ) -> Option<WebhookSubscriptionUpdatePayload> {
        let update = || -> SubscriptionOutcome {
            let not_found = || UserError {
                field: Some(vec!["id".into()]),
                message: "Webhook subscription does not exist".into(),
            };
            let (_, num) = parse_gid(&id)
                .filter(|(t, _)| *t == "WebhookSubscription")
                .ok_or_else(not_found)?;
            let url = subscription_url(&webhook_subscription)?;
            lock(shared(ctx).webhooks.subscriptions())
                .update(num, &url)
                .map(WebhookSubscriptionNode)
                .ok_or_else(not_found)
        };
        Some(update().into())
    }

    async fn webhook_subscription_delete(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> Option<WebhookSubscriptionDeletePayload> {
        let deleted = parse_gid(&id)
            .filter(|(t, _)| *t == "WebhookSubscription")
            .is_some_and(|(_, num)| lock(shared(ctx).webhooks.subscriptions()).delete(num));
        Some(if deleted {
            WebhookSubscriptionDeletePayload {
                deleted_webhook_subscription_id: Some(id),
                user_errors: vec![],
            }
        } else {
            WebhookSubscriptionDeletePayload {
                deleted_webhook_subscription_id: None,
                user_errors: vec![UserError {
                    field: Some(vec!["id".into()]),
                    message: "Webhook subscription does not exist".into(),
                }],
            }
        })
    }
}
