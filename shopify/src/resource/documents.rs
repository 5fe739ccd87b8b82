//! The GraphQL documents the sync sends for a resource, built from its [`ResourceSpec`].
//!
//! Paged queries take `$first`, `$after` and `$query` (Shopify search syntax on `updated_at`)
//! with `sortKey: UPDATED_AT`; nested children are connections with their own `pageInfo` so
//! a node with more children than one page is completed by [`ResourceSpec::children_query`].
//! Bulk queries use the same fields without paging arguments.

use chrono::{DateTime, SecondsFormat, Utc};

use super::spec::ResourceSpec;

/// Shopify's search term for objects updated at or after `t`
/// (`updated_at:>='2024-01-01T00:00:00Z'`): the `query:` of incremental pages, of a backfill
/// limited by `backfill_since`, and of the count compared with it.
pub fn updated_since(t: DateTime<Utc>) -> String {
    format!(
        "updated_at:>='{}'",
        t.to_rfc3339_opts(SecondsFormat::Secs, true)
    )
}

/// Children asked for inside one node of a page; more are fetched separately.
pub const NESTED_PAGE: u32 = 10;

impl ResourceSpec {
    /// A node's nested connection, first page, with `pageInfo` to complete it.
    fn children_page(&self) -> String {
        match self.nested {
            Some(n) => format!(
                "{field}(first: {NESTED_PAGE}) {{ nodes {{ {fields} }} pageInfo {{ hasNextPage endCursor }} }}",
                field = n.field,
                fields = n.fields,
            ),
            None => String::new(),
        }
    }

    /// The variables a paged query declares and the arguments its root takes: `$query` and
    /// `sortKey: UPDATED_AT` where the root sorts by it, and the listing's own arguments.
    fn paged_root(&self) -> (&'static str, String) {
        let l = self.listing;
        let mut args = String::from("first: $first, after: $after");
        if l.by_updated_at {
            args.push_str(", query: $query, sortKey: UPDATED_AT");
        }
        if !l.args.is_empty() {
            args.push_str(", ");
            args.push_str(l.args);
        }
        let vars = if l.by_updated_at {
            "$first: Int!, $after: String, $query: String"
        } else {
            "$first: Int!, $after: String"
        };
        (vars, format!("{}({args})", self.name))
    }

    /// The root as a bulk query names it: with the listing's arguments, no paging.
    /// With a search (`updated_since`) where the root can filter on `updated_at`; a root that
    /// cannot is listed whole.
    fn bulk_root(&self, search: Option<&str>) -> String {
        let mut args: Vec<String> = Vec::new();
        if let Some(q) = search.filter(|_| self.listing.by_updated_at) {
            args.push(format!(
                "query: {}",
                serde_json::Value::String(q.to_string())
            ));
        }
        if !self.listing.args.is_empty() {
            args.push(self.listing.args.to_string());
        }
        match args.is_empty() {
            true => self.name.to_string(),
            false => format!("{}({})", self.name, args.join(", ")),
        }
    }

    /// A page of the resource updated since a time, oldest change first (every object, in the
    /// root's order, where it cannot sort by `UPDATED_AT`: [`super::spec::Listing`]).
    pub fn page_query(&self) -> String {
        let (vars, root) = self.paged_root();
        format!(
            "query SyncPage({vars}) {{ {root} {{ \
                 nodes {{ {fields} {children} }} \
                 pageInfo {{ hasNextPage endCursor }} }} }}",
            fields = self.node_fields,
            children = self.children_page(),
        )
    }

    /// A page of ids and `updatedAt` only: what reconciliation compares with the stored copy
    /// before fetching the few objects that differ (one point per object instead of dozens).
    /// With append-only children ([`ResourceSpec::appended`]), their ids too.
    pub fn changed_query(&self) -> String {
        let appended = match self.appended {
            Some(a) => format!(" {} {{ id }}", a.field),
            None => String::new(),
        };
        let (vars, root) = self.paged_root();
        format!(
            "query SyncChanged({vars}) {{ {root} {{ \
                 nodes {{ id updatedAt{appended} }} pageInfo {{ hasNextPage endCursor }} }} }}"
        )
    }

    /// Whole nodes by id (the node query reconciliation uses for stale or missing objects).
    pub fn nodes_query(&self) -> String {
        format!(
            "query SyncNodes($ids: [ID!]!) {{ nodes(ids: $ids) {{ ... on {ty} {{ {fields} {children} }} }} }}",
            ty = self.graphql_type,
            fields = self.node_fields,
            children = self.children_page(),
        )
    }

    /// The rest of one node's children after `$after`; `None` for a resource without any.
    pub fn children_query(&self) -> Option<String> {
        let n = self.nested?;
        Some(format!(
            "query SyncChildren($id: ID!, $after: String) {{ node(id: $id) {{ ... on {ty} {{ \
               {field}(first: 250, after: $after) {{ nodes {{ {fields} }} pageInfo {{ hasNextPage endCursor }} }} }} }} }}",
            ty = self.graphql_type,
            field = n.field,
            fields = n.fields,
        ))
    }

    /// Every object with its children, for `bulkOperationRunQuery`.
    pub fn bulk_query(&self) -> String {
        self.bulk_query_matching(None)
    }

    /// The objects matching a search (`updated_since`), or every one, with their children.
    /// The search is a literal argument: a bulk query takes no variables.
    pub fn bulk_query_matching(&self, search: Option<&str>) -> String {
        let children = match self.nested {
            Some(n) => format!("{} {{ edges {{ node {{ {} }} }} }}", n.field, n.fields),
            None => String::new(),
        };
        format!(
            "{{ {root} {{ edges {{ node {{ {fields} {children} }} }} }} }}",
            root = self.bulk_root(search),
            fields = self.node_fields,
        )
    }

    /// Only the ids of every live object: the deletion sweep.
    pub fn bulk_ids_query(&self) -> String {
        format!(
            "{{ {} {{ edges {{ node {{ id }} }} }} }}",
            self.bulk_root(None)
        )
    }

    /// Shopify's own count of the resource (`ordersCount`) matching `$query` (none: every
    /// object), exact: `limit: null` lifts the default bound of 10 000 past which Shopify
    /// answers `AT_LEAST`. The completeness check (`engine/src/sync/completeness.rs`)
    /// compares it with the stored rows under the same filter.
    pub fn count_query(&self) -> String {
        format!(
            "query SyncCount($query: String) {{ {}(query: $query, limit: null) {{ count precision }} }}",
            self.count_field
        )
    }

    /// A page of ids, when bulk operations are unavailable.
    pub fn ids_page_query(&self) -> String {
        let args = match self.listing.args {
            "" => String::new(),
            args => format!(", {args}"),
        };
        format!(
            "query SyncIds($first: Int!, $after: String) {{ {}(first: $first, after: $after{args}) {{ \
               nodes {{ id }} pageInfo {{ hasNextPage endCursor }} }} }}",
            self.name
        )
    }
}

#[cfg(test)]
mod tests {
    use super::updated_since;
    use crate::resource::Resource;

    #[test]
    fn documents_name_the_resource_and_its_children() {
        let orders = Resource::Orders.spec();
        assert!(orders
            .page_query()
            .contains("orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT)"));
        assert!(orders.page_query().contains("lineItems(first: 10)"));
        assert!(orders.nodes_query().contains("... on Order {"));
        assert!(orders
            .changed_query()
            .contains("nodes { id updatedAt transactions { id } }"));
        assert!(Resource::Customers
            .spec()
            .changed_query()
            .contains("nodes { id updatedAt }"));
        assert!(orders.bulk_query().contains("lineItems { edges { node {"));
        assert!(Resource::Customers.spec().children_query().is_none());
        assert!(Resource::Products
            .spec()
            .children_query()
            .unwrap()
            .contains("variants(first: 250, after: $after)"));
        assert_eq!(
            Resource::Customers.spec().count_query(),
            "query SyncCount($query: String) { customersCount(query: $query, limit: null) { count precision } }"
        );
        assert_eq!(
            Resource::Products.spec().bulk_ids_query(),
            "{ products { edges { node { id } } } }"
        );
    }

    #[test]
    fn a_limited_backfill_searches_by_update_time() {
        let since = chrono::DateTime::parse_from_rfc3339("2024-01-01T00:00:00Z")
            .unwrap()
            .with_timezone(&chrono::Utc);
        assert_eq!(updated_since(since), "updated_at:>='2024-01-01T00:00:00Z'");
        let q = Resource::Orders
            .spec()
            .bulk_query_matching(Some(&updated_since(since)));
        assert!(
            q.starts_with("{ orders(query: \"updated_at:>='2024-01-01T00:00:00Z'\") { edges"),
            "{q}"
        );
        // Locations cannot filter on `updated_at`: listed whole whatever the search.
        assert!(Resource::Locations
            .spec()
            .bulk_query_matching(Some(&updated_since(since)))
            .starts_with("{ locations(includeInactive: true, includeLegacy: true) { edges"));
    }

    #[test]
    fn a_root_without_updated_at_order_is_listed_whole_with_its_arguments() {
        let locations = Resource::Locations.spec();
        let page = locations.page_query();
        assert!(page.starts_with("query SyncPage($first: Int!, $after: String) {"));
        assert!(page.contains(
            "locations(first: $first, after: $after, includeInactive: true, includeLegacy: true)"
        ));
        assert!(!page.contains("sortKey") && !page.contains("$query"));
        assert!(locations
            .changed_query()
            .contains("includeLegacy: true) { nodes { id updatedAt }"));
        assert!(locations
            .bulk_query()
            .starts_with("{ locations(includeInactive: true, includeLegacy: true) { edges"));
        assert_eq!(
            locations.bulk_ids_query(),
            "{ locations(includeInactive: true, includeLegacy: true) { edges { node { id } } } }"
        );
        assert!(locations
            .ids_page_query()
            .contains("locations(first: $first, after: $after, includeInactive: true"));
    }
}
