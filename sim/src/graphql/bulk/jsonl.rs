//! A bulk response flattened to JSON Lines: each node on its own line without its nested
//! connections; the nodes of a nested connection follow their parent with `"__parentId"`.

use serde_json::{Map, Value};

/// Flattens a bulk response's `data` into JSON Lines; returns (lines, root objects).
pub fn flatten(data: &Value) -> (Vec<String>, u64) {
    let mut lines = Vec::new();
    let mut roots = 0;
    if let Value::Object(top) = data {
        for conn in top.values() {
            for node in connection_nodes(conn) {
                roots += 1;
                emit(node, None, &mut lines);
            }
        }
    }
    (lines, roots)
}

fn connection_nodes(v: &Value) -> Vec<&Value> {
    let mut out = Vec::new();
    if let Some(Value::Array(edges)) = v.get("edges") {
        out.extend(edges.iter().filter_map(|e| e.get("node")));
    }
    if let Some(Value::Array(nodes)) = v.get("nodes") {
        out.extend(nodes.iter());
    }
    out
}

fn is_connection_value(v: &Value) -> bool {
    v.get("edges").is_some_and(Value::is_array) || v.get("nodes").is_some_and(Value::is_array)
}

fn emit(node: &Value, parent: Option<&str>, lines: &mut Vec<String>) {
    let Value::Object(fields) = node else { return };
    let mut own = Map::new();
    let mut children = Vec::new();
    for (k, v) in fields {
        if is_connection_value(v) {
            children.extend(connection_nodes(v));
        } else {
            own.insert(k.clone(), v.clone());
        }
    }
    if let Some(p) = parent {
        own.insert("__parentId".into(), Value::String(p.to_string()));
    }
    let id = own.get("id").and_then(Value::as_str).map(str::to_string);
    lines.push(Value::Object(own).to_string());
    for child in children {
        emit(child, id.as_deref(), lines);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn flatten_puts_children_after_parents() {
        let data = json!({"products": {"edges": [
            {"node": {"id": "gid://shopify/Product/1", "title": "A", "variants": {"edges": [{"node": {"id": "gid://shopify/ProductVariant/11"}}]}}},
            {"node": {"id": "gid://shopify/Product/2", "title": "B", "variants": {"nodes": []}}}
        ]}});
        let (lines, roots) = flatten(&data);
        assert_eq!(roots, 2);
        assert_eq!(
            lines,
            vec![
                r#"{"id":"gid://shopify/Product/1","title":"A"}"#,
                r#"{"__parentId":"gid://shopify/Product/1","id":"gid://shopify/ProductVariant/11"}"#,
                r#"{"id":"gid://shopify/Product/2","title":"B"}"#,
            ]
        );
    }
}
