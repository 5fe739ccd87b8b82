//! Products in the generator: a new product with one to four variants and one to three
//! images, a random edit (price, stock, title, tags, status) and deletion. The initial history
//! (`generate/mod.rs`) and the live activity (`activity.rs`) both call these. Some products
//! have no vendor or no product type, at the rates below.

use chrono::{DateTime, Utc};
use rand::seq::SliceRandom;
use rand::Rng;
use rust_decimal::Decimal;

use super::names;
use crate::store::product::{Image, Product, Variant};
use crate::store::units::{next_stamp, round_money, whole_seconds};
use crate::store::{Change, Kind, SimRng, Store, Tombstone};

/// Share of products without a vendor. Shopify's `Product.vendor` is `String!`, so "none" is
/// the empty string in GraphQL and REST alike; shops importing a catalogue often leave it so.
pub const NO_VENDOR_RATE: f64 = 0.05;
/// Share of products without a product type (`Product.productType` is `String!`: empty); many
/// shops never fill it in.
pub const NO_PRODUCT_TYPE_RATE: f64 = 0.15;

impl Store {
    /// Adds a product with one to four variants and one to three images.
    pub fn create_product(&mut self, rng: &mut SimRng, at: DateTime<Utc>) -> Change {
        let at = whole_seconds(at);
        let id = self.new_id(rng);
        let adjective = names::ADJECTIVES.choose(rng).expect("adjectives");
        let noun = names::NOUNS.choose(rng).expect("nouns");
        let title = format!("{adjective} {noun}");
        let handle = format!("{}-{}", title.to_lowercase().replace(' ', "-"), id % 10_000);
        let (option_name, values): (&str, &[&str]) = if rng.gen_bool(0.5) {
            ("Size", &names::SIZES)
        } else {
            ("Color", &names::COLORS)
        };
        let variants = self.make_variants(rng, id, noun, values, at);
        let images = self.make_images(rng, id, &handle, &title, at);
        let status = match rng.gen_range(0..10) {
            0 => "draft",
            1 => "archived",
            _ => "active",
        };
        let option_id = self.new_id(rng);
        let n_tags = rng.gen_range(0..=3);
        let tags = names::PRODUCT_TAGS
            .choose_multiple(rng, n_tags)
            .map(|s| s.to_string())
            .collect();
        let vendor = if rng.gen_bool(NO_VENDOR_RATE) {
            String::new()
        } else {
            names::VENDORS.choose(rng).expect("vendors").to_string()
        };
        let product_type = if rng.gen_bool(NO_PRODUCT_TYPE_RATE) {
            String::new()
        } else {
            noun.to_string()
        };
        let product = Product {
            id,
            body_html: format!(
                "<p>{} {}.</p>",
                names::BLURBS.choose(rng).expect("blurbs"),
                title.to_lowercase()
            ),
            title,
            handle,
            vendor,
            product_type,
            status,
            tags,
            option_id,
            option_name: option_name.to_string(),
            variants,
            images,
            created_at: at,
            updated_at: at,
            published_at: (status == "active").then_some(at),
        };
        self.products.insert(id, product);
        Change {
            kind: Kind::Product,
            id,
            topics: vec!["products/create"],
            refund_id: None,
            transaction_ids: Vec::new(),
        }
    }

    /// One to four variants, one per option value, priced around a random base price.
    fn make_variants(
        &mut self,
        rng: &mut SimRng,
        id: u64,
        noun: &str,
        values: &[&str],
        at: DateTime<Utc>,
    ) -> Vec<Variant> {
        let n_variants = rng.gen_range(1..=4);
        let base_price = Decimal::new(rng.gen_range(500..=25_000), 2);
        let base_price = self.money(base_price);
        let sku_base: String = noun
            .chars()
            .filter(|c| c.is_ascii_alphabetic())
            .take(4)
            .collect::<String>()
            .to_uppercase();
        let mut variants = Vec::new();
        for (i, value) in values.choose_multiple(rng, n_variants).enumerate() {
            let vid = self.new_id(rng);
            let price = self.money(base_price + Decimal::new(rng.gen_range(0..=5) * 500, 2));
            variants.push(Variant {
                id: vid,
                product_id: id,
                title: value.to_string(),
                sku: format!("{sku_base}-{}-{}", id % 100_000, value.to_uppercase()),
                price,
                compare_at_price: rng
                    .gen_bool(0.3)
                    .then(|| self.money(price * Decimal::new(125, 2))),
                position: i as u32 + 1,
                inventory_quantity: rng.gen_range(0..500),
                inventory_item_id: vid + 1,
                grams: rng.gen_range(50..3000),
                taxable: true,
                created_at: at,
                updated_at: at,
            });
        }
        variants
    }

    /// One to three images named after the product's handle.
    fn make_images(
        &mut self,
        rng: &mut SimRng,
        id: u64,
        handle: &str,
        title: &str,
        at: DateTime<Utc>,
    ) -> Vec<Image> {
        let mut images = Vec::new();
        for i in 0..rng.gen_range(1..=3) {
            let iid = self.new_id(rng);
            images.push(Image {
                id: iid,
                product_id: id,
                position: i + 1,
                src: format!(
                    "https://cdn.shopify.com/s/files/1/0000/0001/products/{handle}-{}.jpg?v={}",
                    i + 1,
                    at.timestamp()
                ),
                width: 1200,
                height: 1200,
                alt: Some(title.to_string()),
                created_at: at,
                updated_at: at,
            });
        }
        images
    }

    /// Changes a product's price, stock, title, tags or status.
    pub fn update_product(
        &mut self,
        rng: &mut SimRng,
        id: u64,
        at: DateTime<Utc>,
    ) -> Option<Change> {
        let currency = self.shop.currency.clone();
        let p = self.products.get_mut(&id)?;
        let stamp = next_stamp(p.updated_at, at);
        match rng.gen_range(0..5) {
            0 => {
                let v = p.variants.choose_mut(rng).expect("a product has variants");
                let factor = Decimal::new(rng.gen_range(80..=120), 2);
                v.price = round_money(v.price * factor, &currency).max(Decimal::ONE);
                v.updated_at = next_stamp(v.updated_at, stamp);
            }
            1 => {
                let v = p.variants.choose_mut(rng).expect("a product has variants");
                v.inventory_quantity = (v.inventory_quantity + rng.gen_range(-20..=50)).max(0);
                v.updated_at = next_stamp(v.updated_at, stamp);
            }
            2 => {
                let suffix = names::TITLE_SUFFIXES.choose(rng).expect("suffixes");
                let base = p.title.split(" - ").next().unwrap_or_default().to_string();
                p.title = format!("{base} - {suffix}");
            }
            3 => {
                let tag = names::PRODUCT_TAGS.choose(rng).expect("tags").to_string();
                if p.tags.contains(&tag) {
                    p.tags.retain(|t| *t != tag);
                } else {
                    p.tags.push(tag);
                }
            }
            _ => {
                p.status = match p.status {
                    "active" => "archived",
                    _ => "active",
                };
                if p.status == "active" && p.published_at.is_none() {
                    p.published_at = Some(stamp);
                }
            }
        }
        p.updated_at = stamp;
        Some(Change {
            kind: Kind::Product,
            id,
            topics: vec!["products/update"],
            refund_id: None,
            transaction_ids: Vec::new(),
        })
    }

    /// Deletes a product (order lines keep their product and variant ids).
    pub fn delete_product(&mut self, id: u64, at: DateTime<Utc>) -> Option<Change> {
        let p = self.products.remove(&id)?;
        let deleted_at = next_stamp(p.updated_at, at);
        self.deleted
            .insert((Kind::Product, id), Tombstone { id, deleted_at });
        Some(Change {
            kind: Kind::Product,
            id,
            topics: vec!["products/delete"],
            refund_id: None,
            transaction_ids: Vec::new(),
        })
    }
}
