//! A customer account and its addresses, as the store holds them. Created and changed by
//! `generate/customers.rs`; rendered by `store/rest.rs` and `graphql/project/customer.rs`.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

/// A postal address of a customer (also copied into orders as billing/shipping address).
///
/// The optional parts are those Shopify leaves `null` (REST) and its Admin schema declares
/// nullable (`MailingAddress.address2`, `company`, `province`, `provinceCode`, `zip`,
/// `phone`): a second line or a company most addresses lack, a province or a postcode where
/// the country has none (`generate/names.rs`, `CITIES`).
#[derive(Debug, Clone)]
pub struct Address {
    pub id: u64,
    pub customer_id: u64,
    pub first_name: String,
    pub last_name: String,
    pub company: Option<String>,
    pub address1: String,
    pub address2: Option<String>,
    pub city: String,
    pub province: Option<String>,
    pub province_code: Option<String>,
    pub country: String,
    pub country_code: String,
    pub zip: Option<String>,
    pub phone: Option<String>,
    pub default: bool,
}

/// A customer account.
#[derive(Debug, Clone)]
pub struct Customer {
    pub id: u64,
    /// `None` for a customer known only by phone or name (a point-of-sale or SMS sign-up):
    /// Shopify's `Customer.email` is nullable and REST sends `null`.
    pub email: Option<String>,
    pub first_name: String,
    pub last_name: String,
    pub phone: Option<String>,
    /// `enabled`, `disabled`, `invited` or `declined`.
    pub state: &'static str,
    pub verified_email: bool,
    pub accepts_marketing: bool,
    pub tags: Vec<String>,
    pub note: Option<String>,
    pub orders_count: u64,
    pub total_spent: Decimal,
    pub last_order_id: Option<u64>,
    pub last_order_name: Option<String>,
    pub addresses: Vec<Address>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Customer {
    /// The address marked default, if any.
    pub fn default_address(&self) -> Option<&Address> {
        self.addresses.iter().find(|a| a.default)
    }
}
