//! The GraphQL Admin API's cost report (`extensions.cost`): the SyncActor mirrors Shopify's
//! leaky bucket from it, and the simulator emits it. Field names follow the wire (camelCase).

use serde::{Deserialize, Serialize};

/// The shop's bucket after a query.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ThrottleStatus {
    /// Bucket size in points (e.g. 2000 on a standard plan).
    pub maximum_available: f64,
    /// Points left now.
    pub currently_available: f64,
    /// Points restored per second.
    pub restore_rate: f64,
}

/// `extensions.cost` of one GraphQL response.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueryCost {
    /// What the query was charged up front.
    pub requested_query_cost: f64,
    /// What it really cost (the difference is refunded); null when throttled.
    #[serde(default)]
    pub actual_query_cost: Option<f64>,
    /// The bucket after the charge.
    pub throttle_status: ThrottleStatus,
}

impl QueryCost {
    /// Reads `extensions.cost` from a whole GraphQL response; `None` when absent or malformed.
    pub fn from_response(response: &serde_json::Value) -> Option<QueryCost> {
        let cost = response.get("extensions")?.get("cost")?;
        serde_json::from_value(cost.clone()).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> serde_json::Value {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../shared/fixtures/shopify/bulk")
            .join(name);
        serde_json::from_slice(&std::fs::read(&path).expect("read fixture")).expect("json")
    }

    #[test]
    fn reads_the_documented_cost_extensions() {
        let cost = QueryCost::from_response(&fixture("node_bulkoperation_url_response.json"))
            .expect("cost");
        assert_eq!(cost.requested_query_cost, 1.0);
        assert_eq!(cost.actual_query_cost, Some(1.0));
        assert_eq!(
            cost.throttle_status,
            ThrottleStatus {
                maximum_available: 1000.0,
                currently_available: 999.0,
                restore_rate: 50.0
            }
        );
        let cost = QueryCost::from_response(&fixture("webhookSubscriptionCreate_response.json"))
            .expect("cost");
        assert_eq!(cost.requested_query_cost, 10.0);
        assert_eq!(cost.throttle_status.currently_available, 990.0);
    }

    #[test]
    fn throttled_response_has_null_actual_cost_and_round_trips() {
        let v = serde_json::json!({"extensions":{"cost":{"requestedQueryCost":752,
            "actualQueryCost":null,"throttleStatus":{"maximumAvailable":2000,
            "currentlyAvailable":12,"restoreRate":100}}}});
        let cost = QueryCost::from_response(&v).expect("cost");
        assert_eq!(cost.actual_query_cost, None);
        let back = serde_json::to_value(cost).unwrap();
        assert_eq!(back["throttleStatus"]["restoreRate"], 100.0);
        assert_eq!(
            QueryCost::from_response(&serde_json::json!({"data":{}})),
            None
        );
    }
}
