//! Reading GraphQL answers: node ids (`legacyResourceId` or the gid) and connection cursors.

use serde_json::Value;

/// The cursor of the next page of a GraphQL connection, or `None` on its last page.
pub(crate) fn next_cursor(conn: &Value) -> Option<Value> {
    let has_next = conn
        .pointer("/pageInfo/hasNextPage")
        .and_then(Value::as_bool)
        == Some(true);
    let cursor = conn.pointer("/pageInfo/endCursor").cloned()?;
    (has_next && !cursor.is_null()).then_some(cursor)
}

/// The numeric id of a node: `legacyResourceId`, else the gid's suffix.
pub fn node_id(node: &Value) -> Option<i64> {
    if let Some(id) = node.get("legacyResourceId") {
        match id {
            Value::String(s) => return s.parse().ok(),
            Value::Number(n) => return n.as_i64(),
            _ => {}
        }
    }
    gid_number(node.get("id")?.as_str()?)
}

/// `gid://shopify/Order/123` → 123.
pub fn gid_number(gid: &str) -> Option<i64> {
    gid.rsplit('/').next()?.split('?').next()?.parse().ok()
}

/// `gid://shopify/LineItem/1` → `LineItem`.
pub fn gid_type(gid: &str) -> Option<&str> {
    let rest = gid.strip_prefix("gid://shopify/")?;
    rest.split('/').next()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gids_and_node_ids() {
        assert_eq!(gid_number("gid://shopify/Order/123"), Some(123));
        assert_eq!(
            gid_number("gid://shopify/MailingAddress/9?model_name=CustomerAddress"),
            Some(9)
        );
        assert_eq!(
            gid_type("gid://shopify/ProductVariant/1"),
            Some("ProductVariant")
        );
        assert_eq!(
            node_id(&serde_json::json!({"id": "gid://shopify/Order/5", "legacyResourceId": "7"})),
            Some(7)
        );
        assert_eq!(
            node_id(&serde_json::json!({"id": "gid://shopify/Order/5"})),
            Some(5)
        );
    }
}
