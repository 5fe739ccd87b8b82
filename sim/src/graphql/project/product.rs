//! `Product` and `ProductVariant` from `store/product.rs`.

use serde_json::{json, Value};

use super::values::{reference, ts};
use crate::store::product::{Product, Variant};
use crate::store::rest::gid;
use crate::store::round_money;

/// `ProductVariant` of product `p`.
pub fn variant(v: &Variant, p: &Product, currency: &str) -> Value {
    let title = if v.title.is_empty() {
        "Default Title"
    } else {
        v.title.as_str()
    };
    json!({
        "__typename": "ProductVariant",
        "id": gid("ProductVariant", v.id),
        "legacyResourceId": v.id.to_string(),
        "title": title,
        "displayName": format!("{} - {title}", p.title),
        "sku": v.sku,
        "price": round_money(v.price, currency).to_string(),
        "compareAtPrice": v.compare_at_price.map(|c| round_money(c, currency).to_string()),
        "position": v.position,
        "inventoryQuantity": v.inventory_quantity,
        "sellableOnlineQuantity": v.inventory_quantity.max(0),
        "availableForSale": v.inventory_quantity > 0,
        "inventoryPolicy": "DENY",
        "taxable": v.taxable,
        "selectedOptions": [{"__typename": "SelectedOption", "name": p.option_name, "value": title}],
        "inventoryItem": {
            "__typename": "InventoryItem",
            "id": gid("InventoryItem", v.inventory_item_id),
            "legacyResourceId": v.inventory_item_id.to_string(),
            "sku": v.sku,
            "tracked": true,
            "requiresShipping": true,
            "createdAt": ts(v.created_at),
            "updatedAt": ts(v.updated_at),
        },
        "product": reference("Product", p.id),
        "createdAt": ts(v.created_at),
        "updatedAt": ts(v.updated_at),
    })
}

/// `Product`.
pub fn product(p: &Product, currency: &str) -> Value {
    let variants: Vec<Value> = p.variants.iter().map(|v| variant(v, p, currency)).collect();
    let prices: Vec<_> = p.variants.iter().map(|v| v.price).collect();
    let min = prices.iter().min().copied().unwrap_or_default();
    let max = prices.iter().max().copied().unwrap_or_default();
    let description = strip_tags(&p.body_html);
    json!({
        "__typename": "Product",
        "id": gid("Product", p.id),
        "legacyResourceId": p.id.to_string(),
        "title": p.title,
        "handle": p.handle,
        "descriptionHtml": p.body_html,
        "description": description,
        "vendor": p.vendor,
        "productType": p.product_type,
        "status": p.status.to_ascii_uppercase(),
        "tags": p.tags,
        "totalInventory": p.variants.iter().map(|v| v.inventory_quantity).sum::<i64>(),
        "tracksInventory": true,
        "hasOnlyDefaultVariant": p.variants.len() == 1,
        "hasOutOfStockVariants": p.variants.iter().any(|v| v.inventory_quantity <= 0),
        "variants": variants,
        "variantsCount": {"__typename": "Count", "count": p.variants.len(), "precision": "EXACT"},
        "options": [{
            "__typename": "ProductOption",
            "id": gid("ProductOption", p.option_id),
            "name": p.option_name,
            "position": 1,
            "values": p.variants.iter().map(|v| v.title.clone()).collect::<Vec<_>>(),
        }],
        "priceRangeV2": {
            "__typename": "ProductPriceRangeV2",
            "minVariantPrice": super::values::money(min, currency),
            "maxVariantPrice": super::values::money(max, currency),
        },
        "seo": {"__typename": "SEO", "title": null, "description": null},
        "onlineStoreUrl": p.published_at.map(|_| format!("https://example.com/products/{}", p.handle)),
        "createdAt": ts(p.created_at),
        "updatedAt": ts(p.updated_at),
        "publishedAt": p.published_at.map(ts),
    })
}

/// The text of an HTML description.
fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for ch in html.chars() {
        match ch {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}
