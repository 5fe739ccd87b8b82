//! Order transactions (authorizations, sales, captures, refunds, voids): the parsers from an
//! `order_transactions/create` body and from the GraphQL `OrderTransaction`s of an `Order`
//! node. They belong to the orders resource (its spec lists the topic and selects
//! `transactions` on every order node), and are kept as rows of their own
//! (`order_transactions`, `sql/V6__order_transactions.sql`).
//!
//! Shopify never changes a transaction: a capture or a refund is a new one pointing at its
//! `parent_id`. So a transaction is written once and read the same from either format:
//! kinds and statuses in REST's lowercase spelling (GraphQL enums lowercased), the amount in
//! `currency` as REST states it (`amount`, `currency`) or GraphQL's `amountSet.shopMoney`.

use serde_json::Value;

use crate::error::PayloadError;
use crate::fields::{node_id, ref_id, Fields};
use crate::model::TransactionRow;

type Result<T> = std::result::Result<T, PayloadError>;

/// An `order_transactions/create` body (or a REST transaction).
pub fn transaction_from_rest(v: &Value) -> Result<TransactionRow> {
    let f = Fields::new("transaction", v)?;
    Ok(TransactionRow {
        id: f.req_id("id")?,
        order_id: f.req_id("order_id")?,
        parent_id: f.id("parent_id")?,
        kind: f.str("kind")?,
        status: f.str("status")?,
        gateway: f.str("gateway")?,
        amount: f.decimal("amount")?,
        currency: f.str("currency")?,
        error_code: f.str("error_code")?,
        test: f.bool("test")?.unwrap_or(false),
        created_at: f.time("created_at")?,
        processed_at: f.time("processed_at")?,
        raw: v.clone(),
    })
}

/// One `OrderTransaction` of the order `order_id` (errors are reported as the order's).
pub fn transaction_from_graphql(v: &Value, order_id: i64) -> Result<TransactionRow> {
    let f = Fields::new("order", v)?;
    let (amount, currency) = match f.money("amountSet")? {
        Some((amount, currency)) => (Some(amount), currency),
        None => (None, None),
    };
    Ok(TransactionRow {
        id: node_id(&f)?,
        order_id,
        parent_id: ref_id(&f, "parentTransaction")?,
        kind: f.lower("kind")?,
        status: f.lower("status")?,
        gateway: f.str("gateway")?,
        amount,
        currency,
        error_code: f.lower("errorCode")?,
        test: f.bool("test")?.unwrap_or(false),
        created_at: f.time("createdAt")?,
        processed_at: f.time("processedAt")?,
        raw: v.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn both_formats_give_the_same_row() {
        let rest = json!({
            "id": 120560818172775265_i64, "order_id": 820982911946154508_i64, "kind": "capture",
            "gateway": "visa", "status": "success", "created_at": "2021-12-31T19:00:00-05:00",
            "test": false, "parent_id": 7, "processed_at": "2021-12-31T19:00:00-05:00",
            "error_code": null, "amount": "419.95", "currency": "USD",
        });
        let graphql = json!({
            "id": "gid://shopify/OrderTransaction/120560818172775265", "kind": "CAPTURE",
            "status": "SUCCESS", "gateway": "visa", "test": false, "errorCode": null,
            "createdAt": "2022-01-01T00:00:00Z", "processedAt": "2022-01-01T00:00:00Z",
            "amountSet": {"shopMoney": {"amount": "419.95", "currencyCode": "USD"}},
            "parentTransaction": {"id": "gid://shopify/OrderTransaction/7"},
        });
        let a = transaction_from_rest(&rest).unwrap();
        let b = transaction_from_graphql(&graphql, 820982911946154508).unwrap();
        assert_eq!(
            TransactionRow {
                raw: Value::Null,
                ..a
            },
            TransactionRow {
                raw: Value::Null,
                ..b
            }
        );
    }

    #[test]
    fn a_transaction_without_its_order_is_refused() {
        let e = transaction_from_rest(&json!({"id": 1, "kind": "sale"})).unwrap_err();
        assert!(e.to_string().contains("order_id"), "{e}");
    }
}
