//! `Mutation`: bulk operations (start and cancel, run by `graphql/bulk/run.rs`) and webhook
//! subscriptions (create, update, delete, kept by `webhooks.rs`). Each answers Shopify's
//! payload: the object, or `userErrors` saying what is wrong.

use async_graphql::dynamic::ResolverContext;
use serde_json::{json, Value};

use crate::graphql::admin::catalog::Catalog;
use crate::graphql::admin::resolve::{arg_bool, arg_enum, arg_str, object, shared};
use crate::graphql::admin::table::{Answer, Table};
use crate::graphql::bulk::run as bulk;
use crate::graphql::project::app;
use crate::graphql::subscriptions::{subscription_url, UserError};
use crate::store::rest::parse_gid;
use crate::webhooks::{lock, Subscription};

fn user_errors(errors: &[UserError]) -> Vec<Value> {
    errors
        .iter()
        .map(|e| {
            json!({
                "__typename": e.type_name,
                "field": e.field,
                "message": e.message,
                "code": e.code,
            })
        })
        .collect()
}

fn payload<'a>(catalog: &Catalog, ty: &str, mut body: Value, errors: &[UserError]) -> Answer<'a> {
    body["__typename"] = json!(ty);
    body["userErrors"] = json!(user_errors(errors));
    Ok(Some(object(catalog, ty, body)))
}

/// A create or update payload: the subscription, or the user error saying why not.
fn subscription_payload<'a>(
    catalog: &Catalog,
    ty: &str,
    outcome: Result<Subscription, UserError>,
) -> Answer<'a> {
    match outcome {
        Ok(sub) => {
            let body = json!({"webhookSubscription": app::subscription(&sub)});
            payload(catalog, ty, body, &[])
        }
        Err(e) => payload(catalog, ty, json!({"webhookSubscription": null}), &[e]),
    }
}

fn bulk_operation_run_query<'a>(ctx: &ResolverContext<'a>, catalog: &Catalog) -> Answer<'a> {
    let query = arg_str(ctx, "query").unwrap_or_default();
    // `groupObjects` defaults to Shopify's default of the version (true up to 2025-10, false
    // from 2026-01), which the schema of the version carries.
    let grouped = arg_bool(ctx, "groupObjects")
        .unwrap_or_else(|| !xeno_shopify::versions::at_least(&catalog.version, "2026-01"));
    let (op, errors) = bulk::start(shared(ctx), &query, &catalog.version, grouped);
    let body = json!({"bulkOperation": op.map(|op| app::bulk_operation(&op))});
    payload(catalog, "BulkOperationRunQueryPayload", body, &errors)
}

fn bulk_operation_cancel<'a>(ctx: &ResolverContext<'a>, catalog: &Catalog) -> Answer<'a> {
    let id = arg_str(ctx, "id").unwrap_or_default();
    let (op, errors) = bulk::cancel(shared(ctx), &id);
    let body = json!({"bulkOperation": op.map(|op| app::bulk_operation(&op))});
    payload(catalog, "BulkOperationCancelPayload", body, &errors)
}

/// The `webhookSubscription` input's address (`callbackUrl` or `uri`) and format.
fn input(ctx: &ResolverContext<'_>) -> Result<String, UserError> {
    let field = |name: &str| {
        ctx.args
            .get("webhookSubscription")
            .and_then(|v| v.object().ok())
            .and_then(|o| {
                o.get(name).and_then(|v| {
                    v.string()
                        .ok()
                        .map(str::to_string)
                        .or_else(|| v.enum_name().ok().map(str::to_string))
                })
            })
    };
    subscription_url(
        field("callbackUrl").or_else(|| field("uri")),
        field("format"),
    )
}

fn webhook_subscription_create<'a>(ctx: &ResolverContext<'a>, catalog: &Catalog) -> Answer<'a> {
    let topic = app::topic_rest(&arg_enum(ctx, "topic").unwrap_or_default());
    let created = input(ctx).and_then(|url| {
        let mut subs = lock(shared(ctx).webhooks.subscriptions());
        if subs
            .list()
            .iter()
            .any(|s| s.api_managed && s.topic == topic && s.callback_url == url)
        {
            return Err(UserError::new(
                &["webhookSubscription", "callbackUrl"],
                "Address for this topic has already been taken",
            ));
        }
        Ok(subs.create(&topic, &url, true))
    });
    subscription_payload(catalog, "WebhookSubscriptionCreatePayload", created)
}

fn webhook_subscription_update<'a>(ctx: &ResolverContext<'a>, catalog: &Catalog) -> Answer<'a> {
    let not_found = || UserError::new(&["id"], "Webhook subscription does not exist");
    let id = arg_str(ctx, "id").unwrap_or_default();
    let updated = parse_gid(&id)
        .filter(|(t, _)| *t == "WebhookSubscription")
        .ok_or_else(not_found)
        .and_then(|(_, num)| {
            let url = input(ctx)?;
            lock(shared(ctx).webhooks.subscriptions())
                .update(num, &url)
                .ok_or_else(not_found)
        });
    subscription_payload(catalog, "WebhookSubscriptionUpdatePayload", updated)
}

fn webhook_subscription_delete<'a>(ctx: &ResolverContext<'a>, catalog: &Catalog) -> Answer<'a> {
    let id = arg_str(ctx, "id").unwrap_or_default();
    let deleted = parse_gid(&id)
        .filter(|(t, _)| *t == "WebhookSubscription")
        .is_some_and(|(_, num)| lock(shared(ctx).webhooks.subscriptions()).delete(num));
    let ty = "WebhookSubscriptionDeletePayload";
    if deleted {
        payload(
            catalog,
            ty,
            json!({"deletedWebhookSubscriptionId": id}),
            &[],
        )
    } else {
        let e = UserError::new(&["id"], "Webhook subscription does not exist");
        payload(
            catalog,
            ty,
            json!({"deletedWebhookSubscriptionId": null}),
            &[e],
        )
    }
}

/// Registers the `Mutation` resolvers.
pub fn register(t: &mut Table) {
    let m = "Mutation";
    t.insert((m, "bulkOperationRunQuery"), bulk_operation_run_query);
    t.insert((m, "bulkOperationCancel"), bulk_operation_cancel);
    t.insert(
        (m, "webhookSubscriptionCreate"),
        webhook_subscription_create,
    );
    t.insert(
        (m, "webhookSubscriptionUpdate"),
        webhook_subscription_update,
    );
    t.insert(
        (m, "webhookSubscriptionDelete"),
        webhook_subscription_delete,
    );
}
