//! A product with its variants and images, as the store holds them. Created and changed by
//! `generate/products.rs`; rendered by `store/rest.rs` and `graphql/project/product.rs`.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

/// One purchasable variant of a product.
#[derive(Debug, Clone)]
pub struct Variant {
    pub id: u64,
    pub product_id: u64,
    pub title: String,
    pub sku: String,
    pub price: Decimal,
    pub compare_at_price: Option<Decimal>,
    pub position: u32,
    pub inventory_quantity: i64,
    pub inventory_item_id: u64,
    pub grams: u32,
    pub taxable: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A product image.
#[derive(Debug, Clone)]
pub struct Image {
    pub id: u64,
    pub product_id: u64,
    pub position: u32,
    pub src: String,
    pub width: u32,
    pub height: u32,
    pub alt: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A product with its variants and images.
#[derive(Debug, Clone)]
pub struct Product {
    pub id: u64,
    pub title: String,
    pub handle: String,
    pub body_html: String,
    pub vendor: String,
    pub product_type: String,
    /// `active`, `draft` or `archived`.
    pub status: &'static str,
    pub tags: Vec<String>,
    pub option_id: u64,
    pub option_name: String,
    pub variants: Vec<Variant>,
    pub images: Vec<Image>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
}
