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
/// `(city, province, province code, zip)`.
pub const CITIES: [(&str, &str, &str, &str); 6] = [
    ("Louisville", "Kentucky", "KY", "40202"),
    ("Ottawa", "Kansas", "KS", "66067"),
    ("Austin", "Texas", "TX", "78701"),
    ("Portland", "Oregon", "OR", "97201"),
    ("Brooklyn", "New York", "NY", "11201"),
    ("Denver", "Colorado", "CO", "80202"),
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
pub const GATEWAYS: [&str; 3] = ["shopify_payments", "paypal", "manual"];
pub const CARRIERS: [&str; 3] = ["UPS", "USPS", "FedEx"];
pub const REFUND_NOTES: [&str; 3] = [
    "it broke during shipping",
    "wrong size",
    "customer changed their mind",
];
