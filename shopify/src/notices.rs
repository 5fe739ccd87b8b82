//! Webhook bodies that are not resource records: the id of a delete, the customer and shop
//! compliance requests, and `bulk_operations/finish`.

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::error::PayloadError;
use crate::fields::{id_value, Fields};

type Result<T> = std::result::Result<T, PayloadError>;

/// The id in a delete webhook body (`{"id": 123}`; a gid is accepted too).
pub fn id_from_delete(v: &Value) -> Result<i64> {
    let f = Fields::new("deleted record", v)?;
    match f.id("id")? {
        Some(id) => Ok(id),
        None => f.req_id("admin_graphql_api_id"),
    }
}

/// A `customers/redact` or `customers/data_request` body.
#[derive(Debug, Clone, PartialEq)]
pub struct CustomerRequest {
    pub shop_id: Option<i64>,
    pub shop_domain: Option<String>,
    pub customer_id: Option<i64>,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// `orders_to_redact` (redact) or `orders_requested` (data request).
    pub order_ids: Vec<i64>,
    /// `data_request.id`, data requests only.
    pub data_request_id: Option<i64>,
}

/// Parses a customer compliance body. The customer must be identified by an id or an email.
pub fn customer_request(v: &Value) -> Result<CustomerRequest> {
    let f = Fields::new("compliance request", v)?;
    let customer = f
        .object("customer")?
        .ok_or_else(|| PayloadError::missing(f.resource, "customer"))?;
    let customer_id = customer.id("id")?;
    let email = customer.str("email")?;
    if customer_id.is_none() && email.is_none() {
        return Err(PayloadError::missing(f.resource, "customer.id"));
    }
    let list = if f.has("orders_to_redact") {
        "orders_to_redact"
    } else {
        "orders_requested"
    };
    let mut order_ids = Vec::new();
    for (i, item) in f.array(list)?.iter().enumerate() {
        let id = id_value(item)
            .map_err(|p| PayloadError::invalid(f.resource, format!("{list}[{i}]"), p))?;
        order_ids.push(id);
    }
    let data_request_id = match f.object("data_request")? {
        Some(d) => d.id("id")?,
        None => None,
    };
    Ok(CustomerRequest {
        shop_id: f.id("shop_id")?,
        shop_domain: f.str("shop_domain")?,
        customer_id,
        email,
        phone: customer.str("phone")?,
        order_ids,
        data_request_id,
    })
}

/// A `shop/redact` body.
#[derive(Debug, Clone, PartialEq)]
pub struct ShopRequest {
    pub shop_id: Option<i64>,
    pub shop_domain: Option<String>,
}

/// Parses a `shop/redact` body.
pub fn shop_request(v: &Value) -> Result<ShopRequest> {
    let f = Fields::new("shop redact", v)?;
    Ok(ShopRequest {
        shop_id: f.id("shop_id")?,
        shop_domain: f.str("shop_domain")?,
    })
}

/// A `bulk_operations/finish` body; status and error code are lowercase on the wire.
#[derive(Debug, Clone, PartialEq)]
pub struct BulkOperationFinished {
    /// `gid://shopify/BulkOperation/…`, the id the sync polls and checkpoints.
    pub admin_graphql_api_id: String,
    pub status: String,
    pub error_code: Option<String>,
    /// `query` or `mutation`.
    pub operation_type: Option<String>,
    pub created_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
}

/// Parses a `bulk_operations/finish` body.
pub fn bulk_operation_finish(v: &Value) -> Result<BulkOperationFinished> {
    let f = Fields::new("bulk operation", v)?;
    Ok(BulkOperationFinished {
        admin_graphql_api_id: f
            .str("admin_graphql_api_id")?
            .ok_or_else(|| PayloadError::missing(f.resource, "admin_graphql_api_id"))?,
        status: f
            .str("status")?
            .ok_or_else(|| PayloadError::missing(f.resource, "status"))?,
        error_code: f.str("error_code")?,
        operation_type: f.str("type")?,
        created_at: f.time("created_at")?,
        completed_at: f.time("completed_at")?,
    })
}
