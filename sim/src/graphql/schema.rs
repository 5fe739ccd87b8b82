//! The Admin GraphQL schema (async-graphql): the part of Shopify's `QueryRoot` and `Mutation`
//! the engine reads, with Shopify's type, field and enum names. The roots are in
//! [`super::query_root`] and [`super::mutation_root`], the object types one module per
//! resource in [`super::types`], `Node` in [`super::node`], bulk operations in
//! [`super::bulk`] and webhook subscriptions in [`super::subscriptions`].
//!
//! Resolvers read the store through `Arc<Shared>` in the context ([`super::context`]), page on
//! ids first and clone only the page, and never hold a lock across an await. Deleted objects
//! are simply absent. Scalars and money are in [`super::scalars`], paging in [`super::paging`].

use async_graphql::{EmptySubscription, Schema};

use crate::graphql::context::ApiVersion;
use crate::graphql::mutation_root::Mutation;
use crate::graphql::query_root::QueryRoot;

/// The schema type.
pub type SimSchema = Schema<QueryRoot, Mutation, EmptySubscription>;

/// Builds the schema.
pub fn build() -> SimSchema {
    Schema::build(QueryRoot, Mutation, EmptySubscription)
        .limit_depth(30)
        .finish()
}

/// The introspection query a client sends for the whole schema, asking for everything
/// `xeno_shopify::schema::introspection_to_sdl` reads.
const INTROSPECTION: &str = "query { __schema { queryType { name } mutationType { name } \
    types { ...T } } } \
    fragment T on __Type { kind name \
      fields(includeDeprecated: true) { name args { ...V } type { ...R } isDeprecated deprecationReason } \
      inputFields { ...V } interfaces { ...R } \
      enumValues(includeDeprecated: true) { name isDeprecated deprecationReason } \
      possibleTypes { ...R } } \
    fragment V on __InputValue { name type { ...R } defaultValue } \
    fragment R on __Type { kind name ofType { kind name ofType { kind name ofType { kind name \
      ofType { kind name ofType { kind name } } } } } }";

/// The schema a client of API `version` sees, as SDL: what its introspection answers (fields
/// a version lacks are hidden, `graphql/context.rs`), the way Shopify's own schema of a version
/// is published. `cli/tests/sim_schema_diff.rs` compares the two.
pub async fn sdl_for(version: &str) -> Result<String, String> {
    let request = async_graphql::Request::new(INTROSPECTION).data(ApiVersion(version.to_string()));
    let response = build().execute(request).await;
    if !response.errors.is_empty() {
        return Err(format!("introspection failed: {:?}", response.errors));
    }
    let data = response.data.into_json().map_err(|e| e.to_string())?;
    xeno_shopify::schema::introspection_to_sdl(&data).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graphql::cost::{operation_cost, TypeInfo};
    use crate::graphql::scalars::money;
    use crate::store::rest::parse_gid;
    use async_graphql::Variables;

    #[test]
    fn schema_speaks_shopify_names() {
        let sdl = build().sdl();
        for needle in [
            "currentBulkOperation(type: BulkOperationType): BulkOperation",
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
            money(rust_decimal::Decimal::new(1999, 1), "USD")
                .amount
                .0
                .to_string(),
            "199.90"
        );
    }

    fn cost(q: &str) -> u64 {
        let info = TypeInfo::from_sdl(&build().sdl());
        let doc = async_graphql::parser::parse_query(q).unwrap();
        operation_cost(&info, &doc, None, &Variables::default(), None)
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
        let info = TypeInfo::from_sdl(&build().sdl());
        assert!(crate::graphql::bulk::shape::validate(
            &info,
            "{ products { edges { node { id variants { edges { node { id } } } } } } }"
        )
        .is_ok());
        assert!(
            crate::graphql::bulk::shape::validate(&info, "{ shop { name } }")
                .unwrap_err()
                .contains("at least one connection")
        );
        assert!(
            crate::graphql::bulk::shape::validate(&info, "{ node(id: \"x\") { id } }")
                .unwrap_err()
                .contains("top level")
        );
        assert!(crate::graphql::bulk::shape::validate(&info, "{ orders { nodes { id refunds { id transactions { nodes { id } } } lineItems { nodes { id product { variants { nodes { id } } } } } } } }")
            .unwrap_err()
            .contains("nesting"));
        assert_eq!(
            crate::graphql::bulk::shape::validate(
                &info,
                "{ products { edges { node { id colour } } } }"
            )
            .unwrap_err(),
            "Invalid bulk query: Field 'colour' doesn't exist on type 'Product'"
        );
        assert_eq!(
            crate::graphql::bulk::shape::validate(
                &info,
                "{ products(colour: RED) { edges { node { id } } } }"
            )
            .unwrap_err(),
            "Invalid bulk query: Field 'products' doesn't accept argument 'colour'"
        );
        assert!(crate::graphql::bulk::shape::validate(
            &info,
            "fragment F on Product { id ... on Product { title } } { products { nodes { ...F } } }"
        )
        .is_ok());
        assert!(crate::graphql::bulk::shape::validate(&info, "{ products {")
            .unwrap_err()
            .starts_with("Invalid bulk query"));
    }
}
