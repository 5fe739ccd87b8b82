//! Products, with their variants: the spec, and the parsers from a REST webhook body
//! (`products/*`) and from a GraphQL `Product` node. A variant's `product_id` is always the
//! enclosing product's.

use serde_json::Value;

use super::spec::{Listing, Nested, ResourceSpec};
use crate::error::PayloadError;
use crate::fields::{each, money_or_scalar, node_id, Fields};
use crate::model::{ProductRow, VariantRow};
use crate::topic::Topic;

type Result<T> = std::result::Result<T, PayloadError>;

/// Products: `products/*`, the `Product` node with `variants` nested.
pub static SPEC: ResourceSpec = ResourceSpec {
    name: "products",
    graphql_type: "Product",
    count_field: "productsCount",
    read_scope: "read_products",
    topics: &[
        Topic::ProductsCreate,
        Topic::ProductsUpdate,
        Topic::ProductsDelete,
    ],
    update_topic: Topic::ProductsUpdate,
    delete_topic: Topic::ProductsDelete,
    node_fields: "id legacyResourceId title handle vendor productType status tags createdAt \
        publishedAt updatedAt",
    nested: Some(Nested {
        field: "variants",
        fields: "id legacyResourceId title sku price compareAtPrice position inventoryQuantity \
        createdAt updatedAt",
    }),
    inline_connections: &[],
    appended: None,
    node_cost: 13.0,
    listing: Listing::BY_UPDATED_AT,
};

/// A product webhook body or REST product, with its variants. A variant's `product_id` is
/// always the enclosing product's (a mismatching child field is ignored).
pub fn product_from_rest(v: &Value) -> Result<ProductRow> {
    let f = Fields::new("product", v)?;
    let id = f.req_id("id")?;
    let updated_at = f.req_time("updated_at")?;
    let mut variants = Vec::new();
    for (i, item) in f.array("variants")?.iter().enumerate() {
        let row = rest_variant(item, id).map_err(|e| e.within(&format!("variants[{i}]")))?;
        variants.push(row);
    }
    Ok(ProductRow {
        id,
        title: f.str("title")?,
        handle: f.str("handle")?,
        vendor: f.str("vendor")?,
        product_type: f.str("product_type")?,
        status: f.str("status")?,
        tags: f.tags("tags")?,
        created_at: f.time("created_at")?,
        published_at: f.time("published_at")?,
        updated_at,
        variants,
    })
}

fn rest_variant(v: &Value, product_id: i64) -> Result<VariantRow> {
    let f = Fields::new("product", v)?;
    Ok(VariantRow {
        id: f.req_id("id")?,
        product_id,
        title: f.str("title")?,
        sku: f.str("sku")?,
        price: f.decimal("price")?,
        compare_at_price: f.decimal("compare_at_price")?,
        currency: None,
        position: f.i32("position")?,
        inventory_quantity: f.i32("inventory_quantity")?,
        created_at: f.time("created_at")?,
        updated_at: f.time("updated_at")?,
    })
}

/// A `Product` node with its variants.
pub fn product_from_graphql(v: &Value) -> Result<ProductRow> {
    let f = Fields::new("product", v)?;
    let id = node_id(&f)?;
    let updated_at = f.req_time("updatedAt")?;
    let variants = each(&f, "variants", |v| graphql_variant(v, id))?;
    Ok(ProductRow {
        id,
        title: f.str("title")?,
        handle: f.str("handle")?,
        vendor: f.str("vendor")?,
        product_type: f.str("productType")?,
        status: f.lower("status")?,
        tags: f.tags("tags")?,
        created_at: f.time("createdAt")?,
        published_at: f.time("publishedAt")?,
        updated_at,
        variants,
    })
}

fn graphql_variant(v: &Value, product_id: i64) -> Result<VariantRow> {
    let f = Fields::new("product", v)?;
    let (price, currency) = money_or_scalar(&f, "price")?;
    let (compare_at_price, _) = money_or_scalar(&f, "compareAtPrice")?;
    Ok(VariantRow {
        id: node_id(&f)?,
        product_id,
        title: f.str("title")?,
        sku: f.str("sku")?,
        price,
        compare_at_price,
        currency,
        position: f.i32("position")?,
        inventory_quantity: f.i32("inventoryQuantity")?,
        created_at: f.time("createdAt")?,
        updated_at: f.time("updatedAt")?,
    })
}
