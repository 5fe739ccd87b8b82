//! Word lists the generator draws from (names, places, products, discounts, carriers).

pub const FIRST_NAMES: [&str; 24] = [
    "Olivia", "Liam", "Emma", "Noah", "Ava", "Elijah", "Sophia", "James", "Isabella", "Lucas",
    "Mia", "Mateo", "Amelia", "Benjamin", "Harper", "Levi", "Aiko", "Ravi", "Zoé", "Björn",
    "Chloé", "Diego", "Fatima", "Kenji",
];
pub const LAST_NAMES: [&str; 20] = [
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Nakamura",
    "O'Brien",
];
pub const MAIL_DOMAINS: [&str; 4] = [
    "example.com",
    "example.org",
    "mail.example.net",
    "shop.example",
];
pub const STREETS: [&str; 8] = [
    "Chestnut Street",
    "Main St",
    "Oak Avenue",
    "Maple Drive",
    "Elm Road",
    "Pine Lane",
    "Cedar Court",
    "2nd Ave",
];
/// A place an address can be in; `None` where the country has no such part (Shopify then
/// sends `null`).
pub struct City {
    pub city: &'static str,
    pub province: Option<(&'static str, &'static str)>,
    pub zip: Option<&'static str>,
    pub country: &'static str,
    pub country_code: &'static str,
}

const fn us(
    city: &'static str,
    province: &'static str,
    code: &'static str,
    zip: &'static str,
) -> City {
    City {
        city,
        province: Some((province, code)),
        zip: Some(zip),
        country: "United States",
        country_code: "US",
    }
}

/// Where addresses are: mostly the US, and abroad where a country has no provinces (the
/// United Kingdom, Singapore) or no postcodes (Hong Kong, the United Arab Emirates).
pub const CITIES: [City; 6] = [
    us("Louisville", "Kentucky", "KY", "40202"),
    us("Austin", "Texas", "TX", "78701"),
    us("Portland", "Oregon", "OR", "97201"),
    us("Brooklyn", "New York", "NY", "11201"),
    us("Denver", "Colorado", "CO", "80202"),
    us("Ottawa", "Kansas", "KS", "66067"),
];
/// Addresses abroad, with the parts their country lacks left out.
pub const ABROAD: [City; 4] = [
    City {
        city: "London",
        province: None,
        zip: Some("SW1A 1AA"),
        country: "United Kingdom",
        country_code: "GB",
    },
    City {
        city: "Singapore",
        province: None,
        zip: Some("018956"),
        country: "Singapore",
        country_code: "SG",
    },
    City {
        city: "Kowloon",
        province: Some(("Kowloon", "KL")),
        zip: None,
        country: "Hong Kong SAR",
        country_code: "HK",
    },
    City {
        city: "Dubai",
        province: Some(("Dubai", "DU")),
        zip: None,
        country: "United Arab Emirates",
        country_code: "AE",
    },
];
pub const COMPANIES: [&str; 4] = ["Acme Corp", "Globex", "Initech", "Umbrella LLC"];
pub const CUSTOMER_TAGS: [&str; 6] = [
    "vip",
    "wholesale",
    "newsletter",
    "returning",
    "b2b",
    "loyalty",
];
pub const NOTES: [&str; 4] = [
    "Leave at the door",
    "Gift wrap please",
    "Call before delivery",
    "Prefers email",
];
pub const ADJECTIVES: [&str; 10] = [
    "Classic",
    "Organic",
    "Vintage",
    "Ergonomic",
    "Handmade",
    "Rustic",
    "Sleek",
    "Cozy",
    "Bold",
    "Tiny",
];
pub const NOUNS: [&str; 10] = [
    "T-Shirt", "Mug", "Backpack", "Sneakers", "Candle", "Notebook", "Hoodie", "Lamp", "Scarf",
    "Watch",
];
pub const SIZES: [&str; 5] = ["XS", "S", "M", "L", "XL"];
pub const COLORS: [&str; 5] = ["Black", "White", "Green", "Navy", "Red"];
pub const VENDORS: [&str; 4] = ["Xeno Goods", "Northwind", "Contoso", "Fabrikam"];
pub const PRODUCT_TAGS: [&str; 6] = ["new", "sale", "summer", "gift", "eco", "bestseller"];
pub const BLURBS: [&str; 3] = ["A well made", "Everyone loves this", "Our best"];
pub const TITLE_SUFFIXES: [&str; 4] = ["2025 Edition", "Limited", "Refresh", "Deluxe"];
/// `(code, type, amount)`: percent for `percentage`, currency units for `fixed_amount`.
pub const DISCOUNTS: [(&str, &str, i64); 3] = [
    ("WELCOME10", "percentage", 10),
    ("SUMMER15", "percentage", 15),
    ("FIVEOFF", "fixed_amount", 5),
];
/// `(title, price in hundredths)`.
pub const SHIPPING: [(&str, i64); 3] = [("Standard", 500), ("Express", 1500), ("Free Shipping", 0)];
/// `(title, price in hundredths)` of custom line items: charges a merchant types into an
/// order, with no product behind them.
pub const CUSTOM_ITEMS: [(&str, i64); 3] = [
    ("Gift wrapping", 500),
    ("Engraving", 1200),
    ("Rush handling", 900),
];
/// `(currency, presentment units per US dollar as (mantissa, scale))` of buyers paying in
/// their own currency.
pub const PRESENTMENT: [(&str, (i64, u32)); 4] = [
    ("EUR", (92, 2)),
    ("GBP", (79, 2)),
    ("CAD", (137, 2)),
    ("JPY", (15120, 2)),
];
pub const GATEWAYS: [&str; 3] = ["shopify_payments", "paypal", "manual"];
pub const CARRIERS: [&str; 3] = ["UPS", "USPS", "FedEx"];
pub const REFUND_NOTES: [&str; 3] = [
    "it broke during shipping",
    "wrong size",
    "customer changed their mind",
];
