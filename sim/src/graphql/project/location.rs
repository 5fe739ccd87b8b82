//! `Location` and its `LocationAddress` from `store/location.rs`. The simulator keeps no
//! inventory, pickup settings or fulfillment service behind a location: those fields are
//! answered from their type (`admin/synth.rs`) or null.

use serde_json::{json, Value};

use super::values::ts;
use crate::store::location::Location;
use crate::store::rest::gid;

/// `LocationAddress`.
fn address(l: &Location) -> Value {
    let area = format!("{} {} {}", l.city, l.province_code, l.zip);
    json!({
        "__typename": "LocationAddress",
        "address1": l.address1,
        "address2": l.address2,
        "city": l.city,
        "province": l.province,
        "provinceCode": l.province_code,
        "country": l.country,
        "countryCode": l.country_code,
        "zip": l.zip,
        "phone": l.phone,
        "formatted": [l.address1.as_str(), l.address2.as_str(), area.trim(), l.country.as_str()],
        "latitude": null,
        "longitude": null,
    })
}

/// `Location`.
pub fn location(l: &Location) -> Value {
    json!({
        "__typename": "Location",
        "id": gid("Location", l.id),
        "legacyResourceId": l.id.to_string(),
        "name": l.name,
        "isActive": l.active,
        "isFulfillmentService": l.legacy,
        "fulfillsOnlineOrders": l.active,
        "shipsInventory": l.active,
        "hasActiveInventory": false,
        "hasUnfulfilledOrders": false,
        "activatable": !l.active,
        "deactivatable": l.active,
        "deletable": !l.active,
        "addressVerified": true,
        "address": address(l),
        "suggestedAddresses": [],
        "deactivatedAt": (!l.active).then(|| ts(l.updated_at)),
        "createdAt": ts(l.created_at),
        "updatedAt": ts(l.updated_at),
    })
}
