//! Customers in the generator: a new customer with one to three addresses, a random edit
//! (tags, note, phone and marketing consent, a new address) and deletion. Some customers
//! lack an email, a phone or both, and some addresses lack the parts their country has no use
//! for, at the rates of the constants below. The initial history
//! (`generate/mod.rs`) and the live activity (`activity.rs`) both call these.

use chrono::{DateTime, Utc};
use rand::seq::SliceRandom;
use rand::Rng;
use rust_decimal::Decimal;

use super::{names, phone};
use crate::store::customer::{Address, Customer};
use crate::store::units::{next_stamp, whole_seconds};
use crate::store::{Change, Kind, SimRng, Store, Tombstone};

/// Share of customers without an email: sign-ups at a point of sale or by SMS give only a
/// phone or a name. Shopify's `Customer.email` is nullable; a few percent of a real shop's
/// customers lack one.
pub const NO_EMAIL_RATE: f64 = 0.08;
/// Share of customers without a phone: most online buyers never give one. Independent of
/// the email, so about `NO_EMAIL_RATE × NO_PHONE_RATE` (3%) have neither, known by name only.
pub const NO_PHONE_RATE: f64 = 0.4;
/// Share of addresses abroad, in a country without provinces or without postcodes, where
/// Shopify sends `province`/`province_code` or `zip` as `null`.
pub const ABROAD_RATE: f64 = 0.15;

impl Store {
    pub(super) fn make_address(
        &mut self,
        rng: &mut SimRng,
        customer_id: u64,
        first: &str,
        last: &str,
    ) -> Address {
        let place = if rng.gen_bool(ABROAD_RATE) {
            names::ABROAD.choose(rng).expect("abroad")
        } else {
            names::CITIES.choose(rng).expect("cities")
        };
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
            address2: rng
                .gen_bool(0.2)
                .then(|| format!("Apt {}", rng.gen_range(1..300))),
            city: place.city.to_string(),
            province: place.province.map(|(name, _)| name.to_string()),
            province_code: place.province.map(|(_, code)| code.to_string()),
            country: place.country.to_string(),
            country_code: place.country_code.to_string(),
            zip: place.zip.map(str::to_string),
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
        let email = (!rng.gen_bool(NO_EMAIL_RATE)).then(|| {
            format!(
                "{}.{}{}@{}",
                ascii_fold(&first.to_lowercase()),
                ascii_fold(&last.to_lowercase()),
                id % 100_000,
                names::MAIL_DOMAINS.choose(rng).expect("domains")
            )
        });
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
            phone: (!rng.gen_bool(NO_PHONE_RATE)).then(|| phone(rng)),
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
            transaction_ids: Vec::new(),
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
            transaction_ids: Vec::new(),
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
            transaction_ids: Vec::new(),
        })
    }
}

/// Letters without their accents (`zoé` → `zoe`): mailboxes are ASCII, as Shopify's schema
/// of a customer's `email` (format `email`) requires.
fn ascii_fold(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'á' | 'à' | 'â' | 'ä' | 'ã' | 'å' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'í' | 'ì' | 'î' | 'ï' => 'i',
            'ó' | 'ò' | 'ô' | 'ö' | 'õ' | 'ø' => 'o',
            'ú' | 'ù' | 'û' | 'ü' => 'u',
            'ñ' => 'n',
            'ç' => 'c',
            c if c.is_ascii_alphanumeric() || c == '-' => c,
            _ => '-',
        })
        .collect()
}
