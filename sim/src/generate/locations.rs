//! Locations in the generator: a shop's warehouses and stores (one of them, sometimes, a
//! fulfillment service's), renamed or moved, deactivated and activated again, and deleted
//! only when deactivated (Shopify refuses to delete an active location). The initial history
//! (`generate/mod.rs`) and the live activity (`activity.rs`) both call these.

use chrono::{DateTime, Utc};
use rand::seq::SliceRandom;
use rand::Rng;

use super::{names, phone};
use crate::store::location::Location;
use crate::store::units::{next_stamp, whole_seconds};
use crate::store::{Change, Kind, SimRng, Store, Tombstone};

/// What a location is called after its city.
const KINDS: [&str; 4] = ["Warehouse", "Store", "Depot", "Outlet"];

fn change(id: u64, topic: &'static str) -> Change {
    Change {
        kind: Kind::Location,
        id,
        topics: vec![topic],
        refund_id: None,
        transaction_ids: Vec::new(),
    }
}

impl Store {
    /// Adds an active location in one of the generator's cities.
    pub fn create_location(&mut self, rng: &mut SimRng, at: DateTime<Utc>) -> Change {
        let at = whole_seconds(at);
        let id = self.new_id(rng);
        let legacy = rng.gen_bool(0.1);
        let mut location = Location {
            id,
            name: String::new(),
            address1: String::new(),
            address2: String::new(),
            city: String::new(),
            province: String::new(),
            province_code: String::new(),
            country: String::new(),
            country_code: String::new(),
            zip: String::new(),
            phone: phone(rng),
            active: true,
            legacy,
            created_at: at,
            updated_at: at,
        };
        move_to_random_city(&mut location, rng);
        self.locations.insert(id, location);
        change(id, "locations/create")
    }

    /// Renames a location or moves it to another address.
    pub fn update_location(
        &mut self,
        rng: &mut SimRng,
        id: u64,
        at: DateTime<Utc>,
    ) -> Option<Change> {
        let l = self.locations.get_mut(&id)?;
        if rng.gen_bool(0.5) {
            move_to_random_city(l, rng);
        } else {
            l.phone = phone(rng);
        }
        l.updated_at = next_stamp(l.updated_at, at);
        Some(change(id, "locations/update"))
    }

    /// Deactivates an active location, activates an inactive one.
    pub fn toggle_location(&mut self, id: u64, at: DateTime<Utc>) -> Option<Change> {
        let l = self.locations.get_mut(&id)?;
        l.active = !l.active;
        l.updated_at = next_stamp(l.updated_at, at);
        let topic = if l.active {
            "locations/activate"
        } else {
            "locations/deactivate"
        };
        Some(change(id, topic))
    }

    /// Deletes a deactivated location; an active one cannot be deleted (`None`).
    pub fn delete_location(&mut self, id: u64, at: DateTime<Utc>) -> Option<Change> {
        if self.locations.get(&id)?.active {
            return None;
        }
        let l = self.locations.remove(&id)?;
        let deleted_at = next_stamp(l.updated_at, at);
        self.deleted
            .insert((Kind::Location, id), Tombstone { id, deleted_at });
        Some(change(id, "locations/delete"))
    }
}

/// Gives `l` a name and a full address in one of the generator's US cities.
fn move_to_random_city(l: &mut Location, rng: &mut SimRng) {
    let place = names::CITIES.choose(rng).expect("cities");
    let (province, code) = place.province.unwrap_or(("", ""));
    let kind = KINDS.choose(rng).expect("kinds");
    l.name = format!("{} {kind} {}", place.city, l.id % 1000);
    l.address1 = format!(
        "{} {}",
        rng.gen_range(1..2000),
        names::STREETS.choose(rng).expect("streets")
    );
    l.address2 = format!("Unit {}", rng.gen_range(1..50));
    l.city = place.city.to_string();
    l.province = province.to_string();
    l.province_code = code.to_string();
    l.country = place.country.to_string();
    l.country_code = place.country_code.to_string();
    l.zip = place.zip.unwrap_or_default().to_string();
}
