//! `Shop` and `AppInstallation`: the shop itself and the scopes the simulated app holds.

use async_graphql::{SimpleObject, ID};

use crate::graphql::codes::CurrencyCode;
use crate::graphql::scalars::DateTime;

/// `ShopPlan`.
#[derive(Clone, SimpleObject)]
pub struct ShopPlan {
    pub display_name: String,
    pub partner_development: bool,
    pub shopify_plus: bool,
}

/// `Shop`.
#[derive(Clone, SimpleObject)]
pub struct Shop {
    pub id: ID,
    pub name: String,
    pub email: String,
    pub currency_code: CurrencyCode,
    pub iana_timezone: String,
    pub myshopify_domain: String,
    pub plan: ShopPlan,
    pub created_at: DateTime,
}

/// `AccessScope`.
#[derive(Clone, SimpleObject)]
pub struct AccessScope {
    pub handle: String,
}

/// `AppInstallation`.
#[derive(Clone, SimpleObject)]
pub struct AppInstallation {
    pub id: ID,
    pub access_scopes: Vec<AccessScope>,
}
