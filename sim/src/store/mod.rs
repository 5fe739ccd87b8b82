//! The simulated store: customers, products and orders held in memory, and every change the
//! simulator can make to them.
//!
//! The generator (`generate.rs`) and the live activity (`activity.rs`) both change the store only
//! through the methods here, so a generated history and a live one follow the same rules:
//! every change moves the object's `updated_at` strictly forward, money is exact
//! (`rust_decimal`) in the shop's currency, and deletions leave a [`Tombstone`]. The REST JSON
//! shapes live in [`rest`]; the GraphQL views read the same structs.

pub mod rest;

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, DurationRound, Utc};
use rand::seq::SliceRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rust_decimal::Decimal;

use crate::generate::names;

/// The random source of every store change: seeded, so a seed names one store.
pub type SimRng = ChaCha8Rng;

/// The three kinds of object the store holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    Customer,
    Product,
    Order,
}

impl Kind {
    /// The name used in `/_sim/export` lines and in `/_sim/summary`.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Customer => "customer",
            Kind::Product => "product",
            Kind::Order => "order",
        }
    }
}

/// The shop itself: what `shop { … }` and `shop.json` answer.
#[derive(Debug, Clone)]
pub struct ShopInfo {
    pub id: u64,
    pub name: String,
    /// `<shop>.myshopify.com`.
    pub domain: String,
    pub email: String,
    /// ISO 4217 code of every amount in the store.
    pub currency: String,
    pub plan: crate::config::Plan,
    pub iana_timezone: String,
    pub created_at: DateTime<Utc>,
}

/// A postal address of a customer (also copied into orders as billing/shipping address).
#[derive(Debug, Clone)]
pub struct Address {
    pub id: u64,
    pub customer_id: u64,
    pub first_name: String,
    pub last_name: String,
    pub company: Option<String>,
    pub address1: String,
    pub address2: String,
    pub city: String,
    pub province: String,
    pub province_code: String,
    pub country: String,
    pub country_code: String,
    pub zip: String,
    pub phone: Option<String>,
    pub default: bool,
}

/// A customer account.
#[derive(Debug, Clone)]
pub struct Customer {
    pub id: u64,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub phone: Option<String>,
    /// `enabled`, `disabled`, `invited` or `declined`.
    pub state: &'static str,
    pub verified_email: bool,
    pub accepts_marketing: bool,
    pub tags: Vec<String>,
    pub note: Option<String>,
    pub orders_count: u64,
    pub total_spent: Decimal,
    pub last_order_id: Option<u64>,
    pub last_order_name: Option<String>,
    pub addresses: Vec<Address>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Customer {
    /// The address marked default, if any.
    pub fn default_address(&self) -> Option<&Address> {
        self.addresses.iter().find(|a| a.default)
    }
}

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

/// A tax charged on a line item (and summed on the order).
#[derive(Debug, Clone)]
pub struct TaxLine {
    pub title: String,
    pub rate: Decimal,
    pub price: Decimal,
}

/// One line of an order.
#[derive(Debug, Clone)]
pub struct LineItem {
    pub id: u64,
    pub product_id: u64,
    pub variant_id: u64,
    pub title: String,
    pub variant_title: String,
    pub sku: String,
    pub vendor: String,
    pub quantity: u32,
    pub price: Decimal,
    pub grams: u32,
    pub total_discount: Decimal,
    pub tax_lines: Vec<TaxLine>,
    /// Units already fulfilled.
    pub fulfilled_quantity: u32,
}

/// A shipping line of an order.
#[derive(Debug, Clone)]
pub struct ShippingLine {
    pub id: u64,
    pub title: String,
    pub code: String,
    pub price: Decimal,
}

/// A discount code used on an order.
#[derive(Debug, Clone)]
pub struct DiscountCode {
    pub code: String,
    /// `percentage` or `fixed_amount`.
    pub kind: &'static str,
    pub amount: Decimal,
}

/// A money movement of an order.
#[derive(Debug, Clone)]
pub struct Transaction {
    pub id: u64,
    pub order_id: u64,
    /// `authorization`, `capture`, `sale`, `void` or `refund`.
    pub kind: &'static str,
    pub status: &'static str,
    pub amount: Decimal,
    pub gateway: String,
    pub parent_id: Option<u64>,
    pub created_at: DateTime<Utc>,
}

/// One refunded line of a refund.
#[derive(Debug, Clone)]
pub struct RefundLineItem {
    pub id: u64,
    pub line_item_id: u64,
    pub quantity: u32,
    pub subtotal: Decimal,
    pub total_tax: Decimal,
}

/// A refund of (part of) an order.
#[derive(Debug, Clone)]
pub struct Refund {
    pub id: u64,
    pub order_id: u64,
    pub note: Option<String>,
    pub restock: bool,
    pub refund_line_items: Vec<RefundLineItem>,
    pub transactions: Vec<Transaction>,
    pub created_at: DateTime<Utc>,
    pub processed_at: DateTime<Utc>,
}

impl Refund {
    /// Money given back by this refund.
    pub fn amount(&self) -> Decimal {
        self.transactions.iter().map(|t| t.amount).sum()
    }
}

/// A shipment of some units of an order.
#[derive(Debug, Clone)]
pub struct Fulfillment {
    pub id: u64,
    pub order_id: u64,
    pub status: &'static str,
    pub tracking_company: String,
    pub tracking_number: String,
    /// `(line_item_id, quantity)` shipped.
    pub lines: Vec<(u64, u32)>,
    pub created_at: DateTime<Utc>,
}

/// An order with everything Shopify embeds in it.
#[derive(Debug, Clone)]
pub struct Order {
    pub id: u64,
    pub number: u64,
    pub name: String,
    pub email: Option<String>,
    /// The customer as it was when the order last changed (what Shopify embeds).
    pub customer: Option<Customer>,
    pub billing_address: Option<Address>,
    pub shipping_address: Option<Address>,
    pub line_items: Vec<LineItem>,
    pub shipping_lines: Vec<ShippingLine>,
    pub discount_codes: Vec<DiscountCode>,
    pub tax_rate: Decimal,
    pub total_discounts: Decimal,
    /// `pending`, `authorized`, `paid`, `partially_refunded`, `refunded` or `voided`.
    pub financial_status: &'static str,
    pub transactions: Vec<Transaction>,
    pub refunds: Vec<Refund>,
    pub fulfillments: Vec<Fulfillment>,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub cancel_reason: Option<&'static str>,
    pub closed_at: Option<DateTime<Utc>>,
    pub gateway: String,
    pub note: Option<String>,
    pub tags: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub processed_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Order {
    /// Sum of price × quantity over the lines.
    pub fn total_line_items_price(&self) -> Decimal {
        self.line_items
            .iter()
            .map(|l| l.price * Decimal::from(l.quantity))
            .sum()
    }
    /// Line items less discounts.
    pub fn subtotal_price(&self) -> Decimal {
        self.total_line_items_price() - self.total_discounts
    }
    /// Sum of the line items' taxes.
    pub fn total_tax(&self) -> Decimal {
        self.line_items
            .iter()
            .flat_map(|l| &l.tax_lines)
            .map(|t| t.price)
            .sum()
    }
    /// Sum of the shipping lines.
    pub fn total_shipping(&self) -> Decimal {
        self.shipping_lines.iter().map(|s| s.price).sum()
    }
    /// What the customer was charged: subtotal + tax + shipping.
    pub fn total_price(&self) -> Decimal {
        self.subtotal_price() + self.total_tax() + self.total_shipping()
    }
    /// Money given back by all refunds.
    pub fn total_refunded(&self) -> Decimal {
        self.refunds.iter().map(Refund::amount).sum()
    }
    /// Units of a line already refunded.
    pub fn refunded_quantity(&self, line_item_id: u64) -> u32 {
        self.refunds
            .iter()
            .flat_map(|r| &r.refund_line_items)
            .filter(|r| r.line_item_id == line_item_id)
            .map(|r| r.quantity)
            .sum()
    }
    /// `null`, `partial` or `fulfilled` (REST spelling; `None` is unfulfilled).
    pub fn fulfillment_status(&self) -> Option<&'static str> {
        let ordered: u32 = self.line_items.iter().map(|l| l.quantity).sum();
        let shipped: u32 = self.line_items.iter().map(|l| l.fulfilled_quantity).sum();
        if shipped == 0 {
            None
        } else if shipped >= ordered {
            Some("fulfilled")
        } else {
            Some("partial")
        }
    }
}

/// What is left of a deleted object: its id and when it went (its delete webhook body is
/// rendered from the id, see [`rest::deleted_object`]).
#[derive(Debug, Clone)]
pub struct Tombstone {
    pub id: u64,
    pub deleted_at: DateTime<Utc>,
}

/// A change the store made, named by the webhook topics it should emit (in order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub kind: Kind,
    pub id: u64,
    pub topics: Vec<&'static str>,
    /// The refund created by a `refunds/create` change.
    pub refund_id: Option<u64>,
}

/// The whole simulated store.
#[derive(Debug, Clone)]
pub struct Store {
    pub shop: ShopInfo,
    pub customers: BTreeMap<u64, Customer>,
    pub products: BTreeMap<u64, Product>,
    pub orders: BTreeMap<u64, Order>,
    pub deleted: BTreeMap<(Kind, u64), Tombstone>,
    /// Next numeric id handed out (all kinds share one sequence, like Shopify's ids look).
    next_id: u64,
    next_order_number: u64,
}

/// Rounds a time down to whole seconds (Shopify's timestamps have second precision).
pub fn whole_seconds(t: DateTime<Utc>) -> DateTime<Utc> {
    t.duration_trunc(Duration::seconds(1)).unwrap_or(t)
}

/// The time of a change of an object last changed at `previous`: `at`, but always at least one
/// second after `previous`, so each object's `updated_at` strictly increases.
pub fn next_stamp(previous: DateTime<Utc>, at: DateTime<Utc>) -> DateTime<Utc> {
    let at = whole_seconds(at);
    if at > previous {
        at
    } else {
        previous + Duration::seconds(1)
    }
}

/// Rounds an amount to the currency's minor unit.
pub fn round_money(amount: Decimal, currency: &str) -> Decimal {
    let dp = currency_decimals(currency);
    let mut d = amount.round_dp(dp);
    d.rescale(dp);
    d
}

/// Decimal places of a currency's minor unit.
pub fn currency_decimals(currency: &str) -> u32 {
    match currency {
        "JPY" | "KRW" | "VND" | "CLP" | "ISK" => 0,
        _ => 2,
    }
}

const CANCEL_REASONS: [&str; 5] = ["customer", "fraud", "inventory", "declined", "other"];

impl Store {
    /// An empty store for `shop`; ids start at `first_id`.
    pub fn new(shop: ShopInfo, first_id: u64) -> Self {
        Store {
            shop,
            customers: BTreeMap::new(),
            products: BTreeMap::new(),
            orders: BTreeMap::new(),
            deleted: BTreeMap::new(),
            next_id: first_id,
            next_order_number: 1001,
        }
    }

    fn new_id(&mut self, rng: &mut SimRng) -> u64 {
        self.next_id += rng.gen_range(1..=64);
        self.next_id
    }

    fn money(&self, amount: Decimal) -> Decimal {
        round_money(amount, &self.shop.currency)
    }

    fn make_address(
        &mut self,
        rng: &mut SimRng,
        customer_id: u64,
        first: &str,
        last: &str,
    ) -> Address {
        let (city, province, province_code, zip) = *names::CITIES.choose(rng).expect("cities");
        Address {
            id: self.new_id(rng),
            customer_id,
            first_name: first.to_string(),
            last_name: last.to_string(),
            company: rng
                .gen_bool(0.2)
                .then(|| names::COMPANIES.choose(rng).expect("companies").to_string()),
            address1: format!(
                "{} {}",
                rng.gen_range(1..2000),
                names::STREETS.choose(rng).expect("streets")
            ),
            address2: if rng.gen_bool(0.2) {
                format!("Apt {}", rng.gen_range(1..300))
            } else {
                String::new()
            },
            city: city.to_string(),
            province: province.to_string(),
            province_code: province_code.to_string(),
            country: "United States".to_string(),
            country_code: "US".to_string(),
            zip: zip.to_string(),
            phone: rng.gen_bool(0.5).then(|| phone(rng)),
            default: false,
        }
    }

    /// Adds a new customer with one to three addresses.
    pub fn create_customer(&mut self, rng: &mut SimRng, at: DateTime<Utc>) -> Change {
        let at = whole_seconds(at);
        let id = self.new_id(rng);
        let first = names::FIRST_NAMES.choose(rng).expect("names").to_string();
        let last = names::LAST_NAMES.choose(rng).expect("names").to_string();
        let email = format!(
            "{}.{}{}@{}",
            first.to_lowercase(),
            last.to_lowercase(),
            id % 100_000,
            names::MAIL_DOMAINS.choose(rng).expect("domains")
        );
        let mut addresses = Vec::new();
        for _ in 0..rng.gen_range(1..=3) {
            let a = self.make_address(rng, id, &first, &last);
            addresses.push(a);
        }
        addresses[0].default = true;
        let n_tags = rng.gen_range(0..=2);
        let tags = names::CUSTOMER_TAGS
            .choose_multiple(rng, n_tags)
            .map(|s| s.to_string())
            .collect();
        let customer = Customer {
            id,
            email,
            first_name: first,
            last_name: last,
            phone: rng.gen_bool(0.6).then(|| phone(rng)),
            state: if rng.gen_bool(0.7) {
                "enabled"
            } else {
                "disabled"
            },
            verified_email: rng.gen_bool(0.9),
            accepts_marketing: rng.gen_bool(0.4),
            tags,
            note: None,
            orders_count: 0,
            total_spent: self.money(Decimal::ZERO),
            last_order_id: None,
            last_order_name: None,
            addresses,
            created_at: at,
            updated_at: at,
        };
        self.customers.insert(id, customer);
        Change {
            kind: Kind::Customer,
            id,
            topics: vec!["customers/create"],
            refund_id: None,
        }
    }

    /// Changes a customer's tags, note, phone, marketing consent or addresses.
    pub fn update_customer(
        &mut self,
        rng: &mut SimRng,
        id: u64,
        at: DateTime<Utc>,
    ) -> Option<Change> {
        let choice = rng.gen_range(0..4);
        let new_address = if choice == 3 {
            let c = self.customers.get(&id)?;
            let (f, l) = (c.first_name.clone(), c.last_name.clone());
            Some(self.make_address(rng, id, &f, &l))
        } else {
            None
        };
        let c = self.customers.get_mut(&id)?;
        match choice {
            0 => {
                let tag = names::CUSTOMER_TAGS.choose(rng).expect("tags").to_string();
                if !c.tags.contains(&tag) {
                    c.tags.push(tag);
                } else {
                    c.tags.retain(|t| *t != tag);
                }
            }
            1 => c.note = Some(names::NOTES.choose(rng).expect("notes").to_string()),
            2 => {
                c.accepts_marketing = !c.accepts_marketing;
                c.phone = Some(phone(rng));
            }
            _ => {
                if let Some(a) = new_address {
                    c.addresses.push(a);
                }
            }
        }
        c.updated_at = next_stamp(c.updated_at, at);
        Some(Change {
            kind: Kind::Customer,
            id,
            topics: vec!["customers/update"],
            refund_id: None,
        })
    }

    /// Deletes a customer (its orders keep their embedded copy).
    pub fn delete_customer(&mut self, id: u64, at: DateTime<Utc>) -> Option<Change> {
        let c = self.customers.remove(&id)?;
        let deleted_at = next_stamp(c.updated_at, at);
        self.deleted
            .insert((Kind::Customer, id), Tombstone { id, deleted_at });
        Some(Change {
            kind: Kind::Customer,
            id,
            topics: vec!["customers/delete"],
            refund_id: None,
        })
    }

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
                alt: Some(title.clone()),
                created_at: at,
                updated_at: at,
            });
        }
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
        let product = Product {
            id,
            body_html: format!(
                "<p>{} {}.</p>",
                names::BLURBS.choose(rng).expect("blurbs"),
                title.to_lowercase()
            ),
            title,
            handle,
            vendor: names::VENDORS.choose(rng).expect("vendors").to_string(),
            product_type: noun.to_string(),
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
        }
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
        })
    }

    fn make_line_item(&mut self, rng: &mut SimRng, tax_rate: Decimal) -> Option<LineItem> {
        let product_ids: Vec<u64> = self.products.keys().copied().collect();
        let pid = *product_ids.choose(rng)?;
        let p = &self.products[&pid];
        let v = p.variants.choose(rng)?.clone();
        let (title, vendor) = (p.title.clone(), p.vendor.clone());
        let id = self.new_id(rng);
        let quantity = rng.gen_range(1..=3);
        let tax = self.money(v.price * Decimal::from(quantity) * tax_rate);
        Some(LineItem {
            id,
            product_id: pid,
            variant_id: v.id,
            title,
            variant_title: v.title.clone(),
            sku: v.sku.clone(),
            vendor,
            quantity,
            price: v.price,
            grams: v.grams,
            total_discount: self.money(Decimal::ZERO),
            tax_lines: vec![TaxLine {
                title: "State Tax".into(),
                rate: tax_rate,
                price: tax,
            }],
            fulfilled_quantity: 0,
        })
    }

    /// Places a new order (pending payment) for a random customer, or a guest.
    pub fn create_order(&mut self, rng: &mut SimRng, at: DateTime<Utc>) -> Option<Change> {
        if self.products.is_empty() {
            return None;
        }
        let at = whole_seconds(at);
        let id = self.new_id(rng);
        let tax_rate = *[
            Decimal::new(6, 2),
            Decimal::new(725, 4),
            Decimal::new(8, 2),
            Decimal::new(1025, 4),
        ]
        .choose(rng)
        .expect("rates");
        let mut line_items = Vec::new();
        for _ in 0..rng.gen_range(1..=5) {
            line_items.extend(self.make_line_item(rng, tax_rate));
        }
        let customer_ids: Vec<u64> = self.customers.keys().copied().collect();
        let customer_id = if rng.gen_bool(0.9) {
            customer_ids.choose(rng).copied()
        } else {
            None
        };
        let number = self.next_order_number;
        self.next_order_number += 1;
        let name = format!("#{number}");
        let mut discount_codes = Vec::new();
        let mut total_discounts = self.money(Decimal::ZERO);
        let lines_total: Decimal = line_items
            .iter()
            .map(|l| l.price * Decimal::from(l.quantity))
            .sum();
        if rng.gen_bool(0.25) {
            let (code, kind, amount) = *names::DISCOUNTS.choose(rng).expect("discounts");
            let amount = Decimal::new(amount, 0);
            let value = if kind == "percentage" {
                lines_total * amount / Decimal::ONE_HUNDRED
            } else {
                amount.min(lines_total)
            };
            total_discounts = self.money(value);
            discount_codes.push(DiscountCode {
                code: code.to_string(),
                kind,
                amount: self.money(value),
            });
            // Spread the discount over the lines (the last takes the rounding rest) and tax what is left.
            let mut left = total_discounts;
            let n = line_items.len();
            for (i, l) in line_items.iter_mut().enumerate() {
                let line_total = l.price * Decimal::from(l.quantity);
                let share = if i + 1 == n {
                    left
                } else {
                    round_money(
                        total_discounts * line_total / lines_total,
                        &self.shop.currency,
                    )
                };
                left -= share;
                l.total_discount = share;
                l.tax_lines[0].price =
                    round_money((line_total - share) * tax_rate, &self.shop.currency);
            }
        }
        let (ship_title, ship_price) = *names::SHIPPING.choose(rng).expect("shipping");
        let shipping_lines = vec![ShippingLine {
            id: self.new_id(rng),
            title: ship_title.to_string(),
            code: ship_title.to_string(),
            price: self.money(Decimal::new(ship_price, 2)),
        }];
        let customer = customer_id
            .and_then(|cid| self.customers.get(&cid))
            .cloned();
        let address = customer.as_ref().and_then(|c| c.default_address().cloned());
        let order = Order {
            id,
            number,
            name: name.clone(),
            email: customer
                .as_ref()
                .map(|c| c.email.clone())
                .or_else(|| Some(format!("guest{}@example.com", id % 100_000))),
            customer,
            billing_address: address.clone(),
            shipping_address: address,
            line_items,
            shipping_lines,
            discount_codes,
            tax_rate,
            total_discounts,
            financial_status: "pending",
            transactions: Vec::new(),
            refunds: Vec::new(),
            fulfillments: Vec::new(),
            cancelled_at: None,
            cancel_reason: None,
            closed_at: None,
            gateway: names::GATEWAYS.choose(rng).expect("gateways").to_string(),
            note: rng
                .gen_bool(0.1)
                .then(|| names::NOTES.choose(rng).expect("notes").to_string()),
            tags: Vec::new(),
            created_at: at,
            processed_at: at,
            updated_at: at,
        };
        let total = order.total_price();
        self.orders.insert(id, order);
        let mut topics = vec!["orders/create"];
        if let Some(cid) = customer_id {
            if let Some(c) = self.customers.get_mut(&cid) {
                c.orders_count += 1;
                c.total_spent += total;
                c.last_order_id = Some(id);
                c.last_order_name = Some(name);
                c.updated_at = next_stamp(c.updated_at, at);
                topics.push("customers/update");
                let snapshot = c.clone();
                if let Some(o) = self.orders.get_mut(&id) {
                    o.customer = Some(snapshot);
                }
            }
        }
        Some(Change {
            kind: Kind::Order,
            id,
            topics,
            refund_id: None,
        })
    }

    /// Captures payment of a pending or authorized order.
    pub fn pay_order(&mut self, rng: &mut SimRng, id: u64, at: DateTime<Utc>) -> Option<Change> {
        let tx_id = self.new_id(rng);
        let o = self.orders.get_mut(&id)?;
        if !matches!(o.financial_status, "pending" | "authorized") || o.cancelled_at.is_some() {
            return None;
        }
        let stamp = next_stamp(o.updated_at, at);
        let parent = o
            .transactions
            .iter()
            .find(|t| t.kind == "authorization")
            .map(|t| t.id);
        o.transactions.push(Transaction {
            id: tx_id,
            order_id: id,
            kind: if parent.is_some() { "capture" } else { "sale" },
            status: "success",
            amount: o.total_price(),
            gateway: o.gateway.clone(),
            parent_id: parent,
            created_at: stamp,
        });
        o.financial_status = "paid";
        o.updated_at = stamp;
        Some(Change {
            kind: Kind::Order,
            id,
            topics: vec!["orders/paid", "orders/updated"],
            refund_id: None,
        })
    }

    /// Authorizes payment of a pending order (captured later by [`Store::pay_order`]).
    pub fn authorize_order(
        &mut self,
        rng: &mut SimRng,
        id: u64,
        at: DateTime<Utc>,
    ) -> Option<Change> {
        let tx_id = self.new_id(rng);
        let o = self.orders.get_mut(&id)?;
        if o.financial_status != "pending" || o.cancelled_at.is_some() {
            return None;
        }
        let stamp = next_stamp(o.updated_at, at);
        o.transactions.push(Transaction {
            id: tx_id,
            order_id: id,
            kind: "authorization",
            status: "success",
            amount: o.total_price(),
            gateway: o.gateway.clone(),
            parent_id: None,
            created_at: stamp,
        });
        o.financial_status = "authorized";
        o.updated_at = stamp;
        Some(Change {
            kind: Kind::Order,
            id,
            topics: vec!["orders/updated"],
            refund_id: None,
        })
    }

    /// Ships all (or, one time in four, part) of what is left to ship of a paid order.
    pub fn fulfill_order(
        &mut self,
        rng: &mut SimRng,
        id: u64,
        at: DateTime<Utc>,
    ) -> Option<Change> {
        let fid = self.new_id(rng);
        let o = self.orders.get_mut(&id)?;
        if o.cancelled_at.is_some()
            || !matches!(o.financial_status, "paid" | "partially_refunded")
            || o.fulfillment_status() == Some("fulfilled")
        {
            return None;
        }
        let stamp = next_stamp(o.updated_at, at);
        let partial = rng.gen_bool(0.25);
        let mut lines = Vec::new();
        let open: Vec<usize> = (0..o.line_items.len())
            .filter(|&i| o.line_items[i].fulfilled_quantity < o.line_items[i].quantity)
            .collect();
        for (k, &i) in open.iter().enumerate() {
            if partial && k > 0 {
                break;
            }
            let l = &mut o.line_items[i];
            let qty = if partial && open.len() == 1 {
                1
            } else {
                l.quantity - l.fulfilled_quantity
            };
            l.fulfilled_quantity += qty;
            lines.push((l.id, qty));
        }
        o.fulfillments.push(Fulfillment {
            id: fid,
            order_id: id,
            status: "success",
            tracking_company: names::CARRIERS.choose(rng).expect("carriers").to_string(),
            tracking_number: format!("1Z{:016}", rng.gen_range(0..10_000_000_000_000_000u64)),
            lines,
            created_at: stamp,
        });
        o.updated_at = stamp;
        let topic = if o.fulfillment_status() == Some("fulfilled") {
            o.closed_at = Some(stamp);
            "orders/fulfilled"
        } else {
            "orders/partially_fulfilled"
        };
        Some(Change {
            kind: Kind::Order,
            id,
            topics: vec![topic, "orders/updated"],
            refund_id: None,
        })
    }

    /// Refunds some units of a paid order, with a refund transaction.
    pub fn refund_order(&mut self, rng: &mut SimRng, id: u64, at: DateTime<Utc>) -> Option<Change> {
        let currency = self.shop.currency.clone();
        let (refund_id, tx_id) = (self.new_id(rng), self.new_id(rng));
        let mut rli_ids: Vec<u64> = (0..8).map(|_| 0).collect();
        for slot in rli_ids.iter_mut() {
            *slot = self.new_id(rng);
        }
        let o = self.orders.get_mut(&id)?;
        if !matches!(o.financial_status, "paid" | "partially_refunded") {
            return None;
        }
        let stamp = next_stamp(o.updated_at, at);
        let refundable: Vec<(u64, u32)> = o
            .line_items
            .iter()
            .map(|l| (l.id, l.quantity - o.refunded_quantity(l.id)))
            .filter(|(_, q)| *q > 0)
            .collect();
        if refundable.is_empty() {
            return None;
        }
        let everything = rng.gen_bool(0.3) || o.cancelled_at.is_some();
        let take = if everything {
            refundable.len()
        } else {
            rng.gen_range(1..=refundable.len())
        };
        let mut refund_line_items = Vec::new();
        let mut amount = Decimal::ZERO;
        for (k, (line_id, left)) in refundable.iter().take(take.min(rli_ids.len())).enumerate() {
            let l = o
                .line_items
                .iter()
                .find(|l| l.id == *line_id)
                .expect("line exists");
            let qty = if everything {
                *left
            } else {
                rng.gen_range(1..=*left)
            };
            let share = Decimal::from(qty) / Decimal::from(l.quantity);
            let subtotal = round_money(
                (l.price * Decimal::from(l.quantity) - l.total_discount) * share,
                &currency,
            );
            let total_tax = round_money(
                l.tax_lines.iter().map(|t| t.price).sum::<Decimal>() * share,
                &currency,
            );
            amount += subtotal + total_tax;
            refund_line_items.push(RefundLineItem {
                id: rli_ids[k],
                line_item_id: *line_id,
                quantity: qty,
                subtotal,
                total_tax,
            });
        }
        let lines_left_after: u32 = o
            .line_items
            .iter()
            .map(|l| l.quantity - o.refunded_quantity(l.id))
            .sum::<u32>()
            - refund_line_items.iter().map(|r| r.quantity).sum::<u32>();
        if lines_left_after == 0 {
            // The last refund gives back shipping and any rounding rest: the order is whole again.
            amount = o.total_price() - o.total_refunded();
        }
        let parent = o
            .transactions
            .iter()
            .find(|t| matches!(t.kind, "sale" | "capture"))
            .map(|t| t.id);
        let refund = Refund {
            id: refund_id,
            order_id: id,
            note: rng
                .gen_bool(0.5)
                .then(|| names::REFUND_NOTES.choose(rng).expect("notes").to_string()),
            restock: rng.gen_bool(0.5),
            refund_line_items,
            transactions: vec![Transaction {
                id: tx_id,
                order_id: id,
                kind: "refund",
                status: "success",
                amount: round_money(amount, &currency),
                gateway: o.gateway.clone(),
                parent_id: parent,
                created_at: stamp,
            }],
            created_at: stamp,
            processed_at: stamp,
        };
        o.transactions.push(refund.transactions[0].clone());
        o.refunds.push(refund);
        let all_refunded = o
            .line_items
            .iter()
            .all(|l| o.refunded_quantity(l.id) >= l.quantity);
        o.financial_status = if all_refunded {
            "refunded"
        } else {
            "partially_refunded"
        };
        o.updated_at = stamp;
        Some(Change {
            kind: Kind::Order,
            id,
            topics: vec!["refunds/create", "orders/updated"],
            refund_id: Some(refund_id),
        })
    }

    /// Cancels an unfulfilled order: voids an authorization, refunds a payment.
    pub fn cancel_order(&mut self, rng: &mut SimRng, id: u64, at: DateTime<Utc>) -> Option<Change> {
        let o = self.orders.get(&id)?;
        if o.cancelled_at.is_some()
            || o.fulfillment_status().is_some()
            || o.financial_status == "refunded"
        {
            return None;
        }
        let paid = matches!(o.financial_status, "paid" | "partially_refunded");
        let mut topics = vec!["orders/cancelled"];
        let mut refund_id = None;
        if paid {
            let o = self.orders.get_mut(&id)?;
            o.cancelled_at = Some(next_stamp(o.updated_at, at));
            let change = self.refund_order(rng, id, at)?;
            refund_id = change.refund_id;
            topics.push("refunds/create");
        }
        let void_id = self.new_id(rng);
        let o = self.orders.get_mut(&id)?;
        let stamp = next_stamp(o.updated_at, at);
        if o.financial_status == "authorized" {
            let parent = o
                .transactions
                .iter()
                .find(|t| t.kind == "authorization")
                .map(|t| t.id);
            o.transactions.push(Transaction {
                id: void_id,
                order_id: id,
                kind: "void",
                status: "success",
                amount: o.total_price(),
                gateway: o.gateway.clone(),
                parent_id: parent,
                created_at: stamp,
            });
        }
        if matches!(o.financial_status, "pending" | "authorized") {
            o.financial_status = "voided";
        }
        o.cancelled_at = Some(o.cancelled_at.unwrap_or(stamp));
        o.cancel_reason = Some(CANCEL_REASONS.choose(rng).expect("reasons"));
        o.closed_at = Some(stamp);
        o.updated_at = stamp;
        topics.push("orders/updated");
        Some(Change {
            kind: Kind::Order,
            id,
            topics,
            refund_id,
        })
    }

    /// Edits an unpaid-or-paid, unfulfilled, uncancelled order: adds a line or changes a quantity.
    pub fn edit_order(&mut self, rng: &mut SimRng, id: u64, at: DateTime<Utc>) -> Option<Change> {
        let o = self.orders.get(&id)?;
        if o.cancelled_at.is_some()
            || o.fulfillment_status().is_some()
            || !o.refunds.is_empty()
            || o.financial_status != "pending"
        {
            return None;
        }
        let tax_rate = o.tax_rate;
        let new_line = if rng.gen_bool(0.5) {
            self.make_line_item(rng, tax_rate)
        } else {
            None
        };
        let currency = self.shop.currency.clone();
        let o = self.orders.get_mut(&id)?;
        match new_line {
            Some(l) => o.line_items.push(l),
            None => {
                let l = o.line_items.choose_mut(rng)?;
                l.quantity += 1;
                l.tax_lines[0].price = round_money(
                    (l.price * Decimal::from(l.quantity) - l.total_discount) * tax_rate,
                    &currency,
                );
            }
        }
        o.updated_at = next_stamp(o.updated_at, at);
        Some(Change {
            kind: Kind::Order,
            id,
            topics: vec!["orders/edited", "orders/updated"],
            refund_id: None,
        })
    }

    /// Deletes an order.
    pub fn delete_order(&mut self, id: u64, at: DateTime<Utc>) -> Option<Change> {
        let o = self.orders.remove(&id)?;
        let deleted_at = next_stamp(o.updated_at, at);
        self.deleted
            .insert((Kind::Order, id), Tombstone { id, deleted_at });
        Some(Change {
            kind: Kind::Order,
            id,
            topics: vec!["orders/delete"],
            refund_id: None,
        })
    }
}

fn phone(rng: &mut SimRng) -> String {
    format!(
        "+1{}{:03}{:04}",
        rng.gen_range(201..990),
        rng.gen_range(200..999),
        rng.gen_range(0..10_000)
    )
}
