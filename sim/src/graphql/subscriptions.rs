//! Webhook subscriptions as the Admin API manages them: the filter of `webhookSubscriptions`,
//! the check of a create/update input, and the user errors the mutations answer
//! (`graphql/roots/mutation.rs`). The subscriptions themselves are kept by `webhooks.rs`.

use crate::webhooks::Subscription;

/// A user error of a mutation payload (`UserError`, or the payload's own error type).
#[derive(Debug, Clone)]
pub struct UserError {
    /// The GraphQL type of the error (`UserError`, `BulkOperationUserError`).
    pub type_name: &'static str,
    pub field: Option<Vec<String>>,
    pub message: String,
    /// The error's code, for types that have one.
    pub code: Option<String>,
}

impl UserError {
    /// A `UserError` on the input path `field` (none when empty).
    pub fn new(field: &[&str], message: &str) -> UserError {
        UserError {
            type_name: "UserError",
            field: (!field.is_empty()).then(|| field.iter().map(|f| f.to_string()).collect()),
            message: message.to_string(),
            code: None,
        }
    }
}

/// The filters of `webhookSubscriptions` besides paging.
#[derive(Debug, Default)]
pub struct SubscriptionFilter {
    /// REST spellings of the topics asked for.
    pub topics: Option<Vec<String>>,
    /// `callbackUrl` or `uri`: the address must be this one.
    pub addresses: Vec<String>,
    /// Whether the format asked for is JSON (the only one the simulator sends).
    pub json_only: bool,
    /// Shopify's search syntax over `created_at`, `updated_at` and `id` (`search.rs`).
    pub query: Option<String>,
}

impl SubscriptionFilter {
    /// Whether the API shows `sub` under this filter (only subscriptions made through the API
    /// are shown, as Shopify shows an app only its own).
    pub fn matches(&self, sub: &Subscription) -> bool {
        let search = crate::search::SearchFilter::parse(self.query.as_deref());
        sub.api_managed
            && self.topics.as_ref().is_none_or(|t| t.contains(&sub.topic))
            && self.addresses.iter().all(|a| *a == sub.callback_url)
            && self.json_only
            && search.matches(sub.id, sub.created_at, sub.updated_at)
    }
}

/// The address of a create/update input, or why it cannot be used.
pub fn subscription_url(url: Option<String>, format: Option<String>) -> Result<String, UserError> {
    let url = url.unwrap_or_default();
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        return Err(UserError::new(
            &["webhookSubscription", "callbackUrl"],
            "Address is invalid",
        ));
    }
    if format.as_deref() == Some("XML") {
        return Err(UserError::new(
            &["webhookSubscription", "format"],
            "Format is not supported by the simulator (use JSON)",
        ));
    }
    Ok(url)
}
