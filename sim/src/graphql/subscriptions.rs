//! Webhook subscriptions in the schema: `WebhookSubscription`, its topic enum (with the
//! REST spelling the sender routes by), the create/update input and the payloads. The
//! mutations themselves are in [`super::mutation_root`].

use async_graphql::{Enum, Error, InputObject, Object, SimpleObject, Union, ID};

use super::scalars::{dt, DateTime, UnsignedInt64, Url};
use crate::graphql::paging::connection;
use crate::store::rest::gid;
use crate::webhooks::Subscription;

// ---------- webhook subscriptions ----------

/// `WebhookSubscriptionTopic` (the topics the simulator can send).
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum WebhookSubscriptionTopic {
    OrdersCreate,
    OrdersUpdated,
    OrdersPaid,
    OrdersCancelled,
    OrdersFulfilled,
    OrdersPartiallyFulfilled,
    OrdersEdited,
    OrdersDelete,
    RefundsCreate,
    CustomersCreate,
    CustomersUpdate,
    CustomersDelete,
    ProductsCreate,
    ProductsUpdate,
    ProductsDelete,
    AppUninstalled,
    BulkOperationsFinish,
}

impl WebhookSubscriptionTopic {
    /// All topics with their REST spelling.
    pub const ALL: [(WebhookSubscriptionTopic, &'static str); 17] = [
        (Self::OrdersCreate, "orders/create"),
        (Self::OrdersUpdated, "orders/updated"),
        (Self::OrdersPaid, "orders/paid"),
        (Self::OrdersCancelled, "orders/cancelled"),
        (Self::OrdersFulfilled, "orders/fulfilled"),
        (Self::OrdersPartiallyFulfilled, "orders/partially_fulfilled"),
        (Self::OrdersEdited, "orders/edited"),
        (Self::OrdersDelete, "orders/delete"),
        (Self::RefundsCreate, "refunds/create"),
        (Self::CustomersCreate, "customers/create"),
        (Self::CustomersUpdate, "customers/update"),
        (Self::CustomersDelete, "customers/delete"),
        (Self::ProductsCreate, "products/create"),
        (Self::ProductsUpdate, "products/update"),
        (Self::ProductsDelete, "products/delete"),
        (Self::AppUninstalled, "app/uninstalled"),
        (Self::BulkOperationsFinish, "bulk_operations/finish"),
    ];
    /// `orders/create` for `ORDERS_CREATE`.
    pub fn rest(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(t, _)| *t == self)
            .map(|(_, s)| *s)
            .unwrap_or("orders/create")
    }
    fn from_rest(s: &str) -> Option<Self> {
        Self::ALL.iter().find(|(_, r)| *r == s).map(|(t, _)| *t)
    }
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug, Default)]
pub enum WebhookSubscriptionFormat {
    #[default]
    Json,
    Xml,
}

/// `WebhookHttpEndpoint`.
#[derive(Clone, SimpleObject)]
pub struct WebhookHttpEndpoint {
    pub callback_url: Url,
}

/// `WebhookSubscriptionEndpoint`.
#[derive(Clone, Union)]
pub enum WebhookSubscriptionEndpoint {
    WebhookHttpEndpoint(WebhookHttpEndpoint),
}

/// `WebhookSubscription`.
#[derive(Clone)]
pub struct WebhookSubscriptionNode(pub Subscription);

#[Object(name = "WebhookSubscription")]
impl WebhookSubscriptionNode {
    pub async fn id(&self) -> ID {
        ID(gid("WebhookSubscription", self.0.id))
    }
    async fn legacy_resource_id(&self) -> UnsignedInt64 {
        UnsignedInt64(self.0.id)
    }
    /// Every subscription the API shows has a topic: the simulator's catch-all
    /// (`--webhook-url`) subscription, which has none, is never listed nor found by id.
    async fn topic(&self) -> Result<WebhookSubscriptionTopic, Error> {
        WebhookSubscriptionTopic::from_rest(&self.0.topic).ok_or_else(|| {
            Error::new(format!(
                "Webhook subscription {} has no topic the API knows",
                self.0.id
            ))
        })
    }
    async fn format(&self) -> WebhookSubscriptionFormat {
        WebhookSubscriptionFormat::Json
    }
    #[graphql(deprecation = "Use `uri` instead.")]
    async fn callback_url(&self) -> Url {
        Url(self.0.callback_url.clone())
    }
    async fn uri(&self) -> &str {
        &self.0.callback_url
    }
    #[graphql(deprecation = "Use `uri` instead.")]
    async fn endpoint(&self) -> WebhookSubscriptionEndpoint {
        WebhookSubscriptionEndpoint::WebhookHttpEndpoint(WebhookHttpEndpoint {
            callback_url: Url(self.0.callback_url.clone()),
        })
    }
    async fn created_at(&self) -> DateTime {
        dt(self.0.created_at)
    }
    async fn updated_at(&self) -> DateTime {
        dt(self.0.updated_at)
    }
}

/// `WebhookSubscriptionInput`.
#[derive(InputObject)]
pub struct WebhookSubscriptionInput {
    pub callback_url: Option<String>,
    pub uri: Option<String>,
    pub format: Option<WebhookSubscriptionFormat>,
}

/// `UserError`.
#[derive(Debug, Clone, SimpleObject)]
pub struct UserError {
    pub field: Option<Vec<String>>,
    pub message: String,
}

/// `WebhookSubscriptionCreatePayload`.
#[derive(Clone, SimpleObject)]
pub struct WebhookSubscriptionCreatePayload {
    pub webhook_subscription: Option<WebhookSubscriptionNode>,
    pub user_errors: Vec<UserError>,
}

/// `WebhookSubscriptionUpdatePayload`.
#[derive(Clone, SimpleObject)]
pub struct WebhookSubscriptionUpdatePayload {
    pub webhook_subscription: Option<WebhookSubscriptionNode>,
    pub user_errors: Vec<UserError>,
}

/// What a create or an update did: the subscription, or why not.
pub type SubscriptionOutcome = Result<WebhookSubscriptionNode, UserError>;

impl From<SubscriptionOutcome> for WebhookSubscriptionCreatePayload {
    fn from(outcome: SubscriptionOutcome) -> Self {
        let (webhook_subscription, user_errors) = split(outcome);
        WebhookSubscriptionCreatePayload {
            webhook_subscription,
            user_errors,
        }
    }
}

impl From<SubscriptionOutcome> for WebhookSubscriptionUpdatePayload {
    fn from(outcome: SubscriptionOutcome) -> Self {
        let (webhook_subscription, user_errors) = split(outcome);
        WebhookSubscriptionUpdatePayload {
            webhook_subscription,
            user_errors,
        }
    }
}

fn split(outcome: SubscriptionOutcome) -> (Option<WebhookSubscriptionNode>, Vec<UserError>) {
    match outcome {
        Ok(sub) => (Some(sub), vec![]),
        Err(e) => (None, vec![e]),
    }
}

/// `WebhookSubscriptionSortKeys` (default `CREATED_AT`).
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug, Default)]
pub enum WebhookSubscriptionSortKeys {
    #[default]
    CreatedAt,
    Id,
}

/// The filters of `webhookSubscriptions` besides paging.
#[derive(Debug, Default)]
pub struct SubscriptionFilter {
    pub topics: Option<Vec<WebhookSubscriptionTopic>>,
    /// `callbackUrl` or `uri`: the address must be this one.
    pub addresses: Vec<String>,
    pub format: Option<WebhookSubscriptionFormat>,
    /// Shopify's search syntax over `created_at`, `updated_at` and `id` (`graphql/paging.rs`).
    pub query: Option<String>,
}

impl SubscriptionFilter {
    /// Whether the API shows `sub` under this filter (only subscriptions made through the API
    /// are shown, as Shopify shows an app only its own).
    pub fn matches(&self, sub: &Subscription) -> bool {
        let search = crate::graphql::paging::SearchFilter::parse(self.query.as_deref());
        sub.api_managed
            && self
                .topics
                .as_ref()
                .is_none_or(|t| t.iter().any(|t| t.rest() == sub.topic))
            && self.addresses.iter().all(|a| *a == sub.callback_url)
            && self
                .format
                .is_none_or(|f| f == WebhookSubscriptionFormat::Json)
            && search.matches(sub.id, sub.created_at, sub.updated_at)
    }
}

/// `WebhookSubscriptionDeletePayload`.
#[derive(Clone, SimpleObject)]
pub struct WebhookSubscriptionDeletePayload {
    pub deleted_webhook_subscription_id: Option<ID>,
    pub user_errors: Vec<UserError>,
}

pub fn subscription_url(input: &WebhookSubscriptionInput) -> Result<String, UserError> {
    let url = input
        .callback_url
        .clone()
        .or_else(|| input.uri.clone())
        .unwrap_or_default();
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        return Err(UserError {
            field: Some(vec!["webhookSubscription".into(), "callbackUrl".into()]),
            message: "Address is invalid".into(),
        });
    }
    if input.format == Some(WebhookSubscriptionFormat::Xml) {
        return Err(UserError {
            field: Some(vec!["webhookSubscription".into(), "format".into()]),
            message: "Format is not supported by the simulator (use JSON)".into(),
        });
    }
    Ok(url)
}

connection!(
    WebhookSubscriptionConnection,
    WebhookSubscriptionEdge,
    WebhookSubscriptionNode
);
