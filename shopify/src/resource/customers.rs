//! Customers: the spec, and the parsers from a REST webhook body (`customers/*`) and from a
//! GraphQL `Customer` node.

use serde_json::Value;

use super::spec::{Listing, ResourceSpec};
use crate::error::PayloadError;
use crate::fields::{node_id, Fields};
use crate::model::CustomerRow;
use crate::topic::Topic;

type Result<T> = std::result::Result<T, PayloadError>;

/// Customers: `customers/*` (the compliance topics are not records), the `Customer` node.
pub static SPEC: ResourceSpec = ResourceSpec {
    name: "customers",
    graphql_type: "Customer",
    count_field: "customersCount",
    read_scope: "read_customers",
    topics: &[
        Topic::CustomersCreate,
        Topic::CustomersUpdate,
        Topic::CustomersDelete,
        Topic::CustomersEnable,
        Topic::CustomersDisable,
        Topic::CustomersMerge,
    ],
    update_topic: Topic::CustomersUpdate,
    delete_topic: Topic::CustomersDelete,
    node_fields: "id legacyResourceId defaultEmailAddress { emailAddress } \
        defaultPhoneNumber { phoneNumber } firstName lastName state verifiedEmail tags \
        numberOfOrders amountSpent { amount currencyCode } defaultAddress { city province \
        country } createdAt updatedAt",
    nested: None,
    inline_connections: &[],
    appended: None,
    node_cost: 5.0,
    listing: Listing::BY_UPDATED_AT,
};

/// A customer webhook body or REST customer.
pub fn customer_from_rest(v: &Value) -> Result<CustomerRow> {
    let f = Fields::new("customer", v)?;
    let id = f.req_id("id")?;
    let updated_at = f.req_time("updated_at")?;
    let (default_city, default_province, default_country) = match f.object("default_address")? {
        Some(a) => (a.str("city")?, a.str("province")?, a.str("country")?),
        None => (None, None, None),
    };
    Ok(CustomerRow {
        id,
        email: f.str("email")?,
        phone: f.str("phone")?,
        first_name: f.str("first_name")?,
        last_name: f.str("last_name")?,
        state: f.str("state")?,
        verified_email: f.bool("verified_email")?,
        tags: f.tags("tags")?,
        currency: f.str("currency")?,
        orders_count: f.i32("orders_count")?,
        total_spent: f.decimal("total_spent")?,
        default_city,
        default_province,
        default_country,
        created_at: f.time("created_at")?,
        updated_at,
    })
}

/// A `Customer` node.
pub fn customer_from_graphql(v: &Value) -> Result<CustomerRow> {
    let f = Fields::new("customer", v)?;
    let id = node_id(&f)?;
    let updated_at = f.req_time("updatedAt")?;
    let email = match f.str("email")? {
        Some(e) => Some(e),
        None => match f.object("defaultEmailAddress")? {
            Some(d) => d.str("emailAddress")?,
            None => None,
        },
    };
    let phone = match f.str("phone")? {
        Some(p) => Some(p),
        None => match f.object("defaultPhoneNumber")? {
            Some(d) => d.str("phoneNumber")?,
            None => None,
        },
    };
    let (total_spent, currency) = match f.money("amountSpent")? {
        Some((amount, currency)) => (Some(amount), currency),
        None => match f.money("totalSpentV2")? {
            Some((amount, currency)) => (Some(amount), currency),
            None => (None, None),
        },
    };
    let orders_count = match f.i32("numberOfOrders")? {
        Some(n) => Some(n),
        None => f.i32("ordersCount")?,
    };
    let (default_city, default_province, default_country) = match f.object("defaultAddress")? {
        Some(a) => (a.str("city")?, a.str("province")?, a.str("country")?),
        None => (None, None, None),
    };
    Ok(CustomerRow {
        id,
        email,
        phone,
        first_name: f.str("firstName")?,
        last_name: f.str("lastName")?,
        state: f.lower("state")?,
        verified_email: f.bool("verifiedEmail")?,
        tags: f.tags("tags")?,
        currency,
        orders_count,
        total_spent,
        default_city,
        default_province,
        default_country,
        created_at: f.time("createdAt")?,
        updated_at,
    })
}
