//! REST customers and products (with variants) from `shared/fixtures/shopify/` parsed into
//! the values the files state.

mod common;

use serde_json::json;
use xeno_shopify::parse::*;
use xeno_shopify::ProductRow;

use common::*;

// ---------- REST customers ----------

#[test]
fn python_api_customer_207119551() {
    let c =
        customer_from_rest(&fixture("rest/shopify_python_api/customer.json")["customer"]).unwrap();
    assert_eq!(c.id, 207119551);
    assert_eq!(c.email.as_deref(), Some("bob.norman@hostmail.com"));
    assert_eq!(c.phone, None);
    assert_eq!(c.first_name.as_deref(), Some("Bob"));
    assert_eq!(c.last_name.as_deref(), Some("Norman"));
    assert_eq!(c.state.as_deref(), Some("disabled"));
    assert_eq!(c.verified_email, Some(true));
    assert_eq!(c.tags.as_deref(), Some(""));
    assert_eq!(c.orders_count, Some(1));
    assert_eq!(c.total_spent, some_dec("41.94"));
    assert_eq!(c.default_city.as_deref(), Some("Louisville"));
    assert_eq!(c.default_province.as_deref(), Some("Kentucky"));
    assert_eq!(c.default_country.as_deref(), Some("United States"));
    assert_eq!(c.created_at, Some(t("2015-05-27T22:11:24Z")));
    assert_eq!(c.updated_at, t("2015-05-27T22:11:24Z"));
}

#[test]
fn python_api_customers_search() {
    let list = fixture("rest/shopify_python_api/customers_search.json");
    let customers = list["customers"].as_array().unwrap();
    assert_eq!(customers.len(), 1);
    let c = customer_from_rest(&customers[0]).unwrap();
    assert_eq!(c.id, 207119551);
    assert_eq!(c.orders_count, Some(0));
    assert_eq!(c.total_spent, some_dec("0.00"));
    assert_eq!(c.updated_at, t("2014-01-20T22:25:18Z"));
}

#[test]
fn go_shopify_customer_1() {
    let c = customer_from_rest(&fixture("rest/go_shopify/customer.json")["customer"]).unwrap();
    assert_eq!(c.id, 1);
    assert_eq!(c.email.as_deref(), Some("test@example.com"));
    assert_eq!(c.state.as_deref(), Some("enabled"));
    assert_eq!(c.tags.as_deref(), Some("tag1,tag2"));
    assert_eq!(c.orders_count, Some(4));
    assert_eq!(c.total_spent, some_dec("278.60"));
    assert_eq!(c.default_city.as_deref(), Some("BRISBANE"));
    assert_eq!(c.default_province.as_deref(), Some("Queensland"));
    assert_eq!(c.default_country.as_deref(), Some("Australia"));
    assert_eq!(c.updated_at, t("2017-09-23T18:15:47Z"));
}

// ---------- REST products ----------

#[test]
fn python_api_product_632910392() {
    let p = product_from_rest(&fixture("rest/shopify_python_api/product.json")["product"]).unwrap();
    assert_eq!(p.id, 632910392);
    assert_eq!(p.title.as_deref(), Some("IPod Nano - 8GB"));
    assert_eq!(p.handle.as_deref(), Some("ipod-nano"));
    assert_eq!(p.vendor.as_deref(), Some("Apple"));
    assert_eq!(p.product_type.as_deref(), Some("Cult Products"));
    assert_eq!(p.status, None);
    assert_eq!(p.tags.as_deref(), Some("Emotive, Flash Memory, MP3, Music"));
    assert_eq!(p.published_at, Some(t("2008-01-01T00:00:00Z")));
    assert_eq!(p.updated_at, t("2011-10-20T18:05:13Z"));
    let v: Vec<(i64, &str, i32)> = p
        .variants
        .iter()
        .map(|v| {
            (
                v.id,
                v.sku.as_deref().unwrap(),
                v.inventory_quantity.unwrap(),
            )
        })
        .collect();
    assert_eq!(
        v,
        [
            (808950810, "IPOD2008PINK", 10),
            (49148385, "IPOD2008RED", 20),
            (39072856, "IPOD2008GREEN", 30),
            (457924702, "IPOD2008BLACK", 40)
        ]
    );
    let pink = &p.variants[0];
    assert_eq!(pink.product_id, 632910392);
    assert_eq!(pink.title.as_deref(), Some("Pink"));
    assert_eq!(pink.price, some_dec("199.00"));
    assert_eq!(pink.compare_at_price, None);
    assert_eq!(pink.position, Some(1));
    assert_eq!(pink.updated_at, Some(t("2011-10-20T18:05:13Z")));
}

#[test]
fn python_api_products_bare_array() {
    let list = fixture("rest/shopify_python_api/products.json");
    let products: Vec<ProductRow> = list
        .as_array()
        .expect("products.json is a bare array")
        .iter()
        .map(|p| product_from_rest(p).unwrap())
        .collect();
    let ids: Vec<i64> = products.iter().map(|p| p.id).collect();
    assert_eq!(ids, [1, 2, 3, 4]);
    for p in &products {
        assert_eq!(p.variants.len(), 1);
        assert_eq!(p.variants[0].id, 808950810);
        assert_eq!(p.variants[0].price, some_dec("199.00"));
        // Product 3's variant says `product_id: 2`; the enclosing product wins.
        assert_eq!(p.variants[0].product_id, p.id);
    }
}

#[test]
fn python_api_variant_inside_a_product() {
    let product = json!({"id": 632910392, "updated_at": "2011-10-20T14:05:13-04:00",
        "variants": [fixture("rest/shopify_python_api/variant.json")["variant"]]});
    let p = product_from_rest(&product).unwrap();
    assert_eq!(p.variants[0].id, 808950810);
    assert_eq!(p.variants[0].product_id, 632910392);
    assert_eq!(p.variants[0].inventory_quantity, Some(10));
}

#[test]
fn go_shopify_product_1071559748() {
    let p = product_from_rest(&fixture("rest/go_shopify/product.json")["product"]).unwrap();
    assert_eq!(p.id, 1071559748);
    assert_eq!(p.title.as_deref(), Some("Burton Custom Freestyle 151"));
    assert_eq!(p.vendor.as_deref(), Some("Burton"));
    assert_eq!(p.product_type.as_deref(), Some("Snowboard"));
    assert_eq!(p.handle.as_deref(), Some("burton-custom-freestyle-151"));
    assert_eq!(
        p.tags.as_deref(),
        Some("\"Big Air\", Barnes & Noble, John's Fav")
    );
    assert_eq!(p.updated_at, t("2017-09-22T18:48:44Z"));
    assert_eq!(p.variants.len(), 1);
    let v = &p.variants[0];
    assert_eq!(v.id, 1070325219);
    assert_eq!(v.title.as_deref(), Some("Default Title"));
    assert_eq!(v.price, some_dec("0.00"));
    assert_eq!(v.inventory_quantity, Some(1));
}
