//! The schema a client of an API version sees, as SDL: what its introspection answers, the
//! way Shopify's own schema of a version is published. The schemas are Shopify's
//! (`graphql/admin/`); `cli/tests/sim_schema_diff.rs` compares this SDL with Shopify's, so a
//! change in how the simulator builds them cannot drift from Shopify unnoticed.

use std::sync::Arc;

use crate::graphql::admin::builder::AdminBuilder;
use crate::graphql::admin::introspection::artifacts_dir;
use crate::graphql::executor::{Api, VersionApi};
use crate::graphql::roots;

/// The introspection query a client sends for the whole schema, asking for everything
/// `xeno_shopify::schema::introspection_to_sdl` reads.
const INTROSPECTION: &str = "query { __schema { queryType { name } mutationType { name } \
    types { ...T } } } \
    fragment T on __Type { kind name \
      fields(includeDeprecated: true) { name args(includeDeprecated: true) { ...V } type { ...R } isDeprecated deprecationReason } \
      inputFields(includeDeprecated: true) { ...V } interfaces { ...R } \
      enumValues(includeDeprecated: true) { name isDeprecated deprecationReason } \
      possibleTypes { ...R } } \
    fragment V on __InputValue { name type { ...R } defaultValue isDeprecated deprecationReason } \
    fragment R on __Type { kind name ofType { kind name ofType { kind name ofType { kind name \
      ofType { kind name ofType { kind name } } } } } }";

/// The schema of `version` from the artifacts the simulator reads.
pub fn version(version: &str) -> Result<Arc<VersionApi>, String> {
    let builder = AdminBuilder::new(artifacts_dir(), roots::table());
    Api::new(Arc::new(builder)).version(version)
}

/// The SDL of what a client of API `version` sees through introspection.
pub async fn sdl_for(version: &str) -> Result<String, String> {
    let api = self::version(version)?;
    let response = api.schema.execute(INTROSPECTION).await;
    if !response.errors.is_empty() {
        return Err(format!("introspection failed: {:?}", response.errors));
    }
    let data = response.data.into_json().map_err(|e| e.to_string())?;
    xeno_shopify::schema::introspection_to_sdl(&data).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graphql::cost::operation_cost;
    use crate::graphql::project::money;
    use crate::store::rest::parse_gid;
    use async_graphql::Variables;

    fn latest() -> Arc<VersionApi> {
        version(xeno_shopify::versions::LATEST_STABLE).expect("Shopify's artifacts")
    }

    #[test]
    fn schema_speaks_shopify_names() {
        let sdl = latest().schema.sdl();
        for needle in [
            "currentBulkOperation(type: BulkOperationType = QUERY): BulkOperation",
            "type QueryRoot",
            "displayFinancialStatus: OrderDisplayFinancialStatus",
            "legacyResourceId: UnsignedInt64!",
            "totalPriceSet: MoneyBag!",
            "webhookSubscriptionCreate(topic: WebhookSubscriptionTopic!, webhookSubscription: WebhookSubscriptionInput!)",
            "interface Node",
        ] {
            assert!(sdl.contains(needle), "{needle} missing from\n{sdl}");
        }
    }

    #[test]
    fn gids_parse() {
        assert_eq!(parse_gid("gid://shopify/Order/123"), Some(("Order", 123)));
        assert_eq!(
            parse_gid("gid://shopify/MailingAddress/9?model_name=CustomerAddress"),
            Some(("MailingAddress", 9))
        );
        assert_eq!(parse_gid("Order/123"), None);
    }

    #[test]
    fn currency_helper_formats() {
        assert_eq!(
            money(rust_decimal::Decimal::new(1999, 1), "USD")["amount"],
            "199.90"
        );
    }

    fn cost(q: &str) -> u64 {
        let api = latest();
        let info = &api.types;
        let doc = async_graphql::parser::parse_query(q).unwrap();
        operation_cost(info, &doc, None, &Variables::default(), None)
    }

    #[test]
    fn connections_cost_by_first() {
        assert_eq!(
            cost("{ products(first: 10) { edges { node { title } } } }"),
            12
        );
        assert_eq!(cost("{ shop { name currencyCode } }"), 1);
        assert_eq!(cost("{ orders(first: 5) { nodes { id totalPriceSet { shopMoney { amount } } } pageInfo { hasNextPage } } }"), 2 + 5 * 3);
        assert_eq!(
            cost("{ orders(first: 10) { nodes { id lineItems(first: 5) { nodes { sku } } } } }"),
            2 + 10 * (1 + 2 + 5)
        );
        assert_eq!(cost("mutation { webhookSubscriptionDelete(id: \"gid://shopify/WebhookSubscription/1\") { userErrors { message } } }"), 10);
        assert_eq!(
            cost("query Q($n: Int) { customers(first: $n) { nodes { id } } }"),
            2
        );
        assert_eq!(cost("fragment F on Customer { defaultAddress { city } } { customers(first: 4) { nodes { ...F } } }"), 2 + 4 * 2);
        // A plain list is priced as one object, whatever its `first`.
        assert_eq!(
            cost("{ customers(first: 2) { nodes { addresses(first: 250) { city } } } }"),
            2 + 2 * (1 + 1)
        );
        assert_eq!(
            cost("{ orders(first: 3) { nodes { refunds(first: 10) { transactions(first: 4) { nodes { id } } } } } }"),
            2 + 3 * (1 + 1 + (2 + 4))
        );
    }

    #[test]
    fn shape_rules() {
        let api = latest();
        let info = &api.types;
        assert!(crate::graphql::bulk::shape::validate(
            info,
            "{ products { edges { node { id variants { edges { node { id } } } } } } }"
        )
        .is_ok());
        assert!(
            crate::graphql::bulk::shape::validate(info, "{ shop { name } }")
                .unwrap_err()
                .contains("at least one connection")
        );
        assert!(
            crate::graphql::bulk::shape::validate(info, "{ node(id: \"x\") { id } }")
                .unwrap_err()
                .contains("top level")
        );
        assert!(crate::graphql::bulk::shape::validate(info, "{ orders { nodes { id refunds { id transactions { nodes { id } } } lineItems { nodes { id product { variants { nodes { id } } } } } } } }")
            .unwrap_err()
            .contains("nesting"));
        assert_eq!(
            crate::graphql::bulk::shape::validate(
                info,
                "{ products { edges { node { id colour } } } }"
            )
            .unwrap_err(),
            "Invalid bulk query: Field 'colour' doesn't exist on type 'Product'"
        );
        assert_eq!(
            crate::graphql::bulk::shape::validate(
                info,
                "{ products(colour: RED) { edges { node { id } } } }"
            )
            .unwrap_err(),
            "Invalid bulk query: Field 'products' doesn't accept argument 'colour'"
        );
        assert!(crate::graphql::bulk::shape::validate(
            info,
            "fragment F on Product { id ... on Product { title } } { products { nodes { ...F } } }"
        )
        .is_ok());
        assert!(crate::graphql::bulk::shape::validate(info, "{ products {")
            .unwrap_err()
            .starts_with("Invalid bulk query"));
    }
}
