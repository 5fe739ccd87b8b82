//! Nested fields whose arguments filter or sort: `Order.transactions(capturable:,
//! manuallyResolvable:)` and `Product.variants(sortKey:)`.

use async_graphql::dynamic::{ResolverContext, TypeRef};
use serde_json::Value;

use crate::graphql::admin::catalog::Catalog;
use crate::graphql::admin::resolve::{
    arg_bool, arg_enum, connection, first_cut, nested_page, object, parent_json,
};
use crate::graphql::admin::table::{Answer, Table};

/// `Order.transactions`: `capturable` keeps (or drops) the authorizations still open for
/// capture, `manuallyResolvable` the transactions still pending at the gateway.
fn order_transactions<'a>(ctx: &ResolverContext<'a>, catalog: &Catalog) -> Answer<'a> {
    let parent = parent_json(ctx)?;
    let capturable = arg_bool(ctx, "capturable");
    let resolvable = arg_bool(ctx, "manuallyResolvable");
    let n = first_cut(ctx);
    let flag = |t: &Value, key: &str| t.get(key).and_then(Value::as_bool).unwrap_or(false);
    let items: Vec<Value> = parent
        .get("transactions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|t| capturable.is_none_or(|want| flag(t, "__capturable") == want))
        .filter(|t| resolvable.is_none_or(|want| flag(t, "__manuallyResolvable") == want))
        .take(n)
        .cloned()
        .collect();
    let ty = TypeRef::named_nn_list_nn("OrderTransaction");
    crate::graphql::admin::resolve::value_of(
        ctx,
        catalog,
        &ty,
        std::borrow::Cow::Owned(Value::Array(items)),
        parent,
    )
}

/// `Product.variants(sortKey:)`, by position unless asked otherwise.
fn product_variants<'a>(ctx: &ResolverContext<'a>, catalog: &Catalog) -> Answer<'a> {
    let parent = parent_json(ctx)?;
    let mut variants: Vec<Value> = parent
        .get("variants")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let key = arg_enum(ctx, "sortKey").unwrap_or_else(|| "POSITION".into());
    let text = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    let int = |v: &Value, k: &str| v.get(k).and_then(Value::as_i64).unwrap_or(0);
    let id = |v: &Value| {
        text(v, "legacyResourceId")
            .parse::<u64>()
            .unwrap_or_default()
    };
    variants.sort_by(|a, b| {
        let by_key = match key.as_str() {
            "ID" => id(a).cmp(&id(b)),
            "SKU" => text(a, "sku").cmp(&text(b, "sku")),
            "TITLE" => text(a, "title").cmp(&text(b, "title")),
            "FULL_TITLE" | "NAME" => text(a, "displayName").cmp(&text(b, "displayName")),
            "INVENTORY_QUANTITY" | "INVENTORY_LEVELS_AVAILABLE" => {
                int(a, "inventoryQuantity").cmp(&int(b, "inventoryQuantity"))
            }
            _ => std::cmp::Ordering::Equal,
        };
        by_key
            .then(int(a, "position").cmp(&int(b, "position")))
            .then(id(a).cmp(&id(b)))
    });
    let page = nested_page(ctx, variants)?;
    let conn = "ProductVariantConnection";
    Ok(Some(object(catalog, conn, connection(catalog, conn, page))))
}

/// Registers the nested resolvers.
pub fn register(t: &mut Table) {
    t.insert(("Order", "transactions"), order_transactions);
    t.insert(("Product", "variants"), product_variants);
}
