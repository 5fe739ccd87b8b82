//! Webhook topics the engine understands, parsed once at the edge so the writer matches on an
//! enum instead of strings. Anything else is kept as [`Topic::Unknown`]: the engine records
//! and acknowledges it rather than failing (Shopify adds topics over time).

use std::fmt;

/// The kind of record a topic is about; sync records use the same names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Resource {
    /// `orders/*`.
    Orders,
    /// `refunds/create`.
    Refunds,
    /// `customers/*`, including the customer compliance topics.
    Customers,
    /// `products/*`.
    Products,
    /// The app's installation on the shop (`app/uninstalled`).
    App,
    /// `bulk_operations/finish`.
    BulkOperations,
    /// The whole shop (`shop/redact`).
    Shop,
}

impl Resource {
    /// The plural name used in topics, tables and `sync_state.resource`.
    pub fn as_str(self) -> &'static str {
        match self {
            Resource::Orders => "orders",
            Resource::Refunds => "refunds",
            Resource::Customers => "customers",
            Resource::Products => "products",
            Resource::App => "app",
            Resource::BulkOperations => "bulk_operations",
            Resource::Shop => "shop",
        }
    }
}

macro_rules! topics {
    ($($variant:ident => $name:literal, $resource:ident;)*) => {
        /// A Shopify webhook topic (`X-Shopify-Topic`).
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum Topic {
            $(
                #[doc = concat!("`", $name, "`")]
                $variant,
            )*
            /// A topic this engine does not handle; kept verbatim.
            Unknown(String),
        }

        impl Topic {
            /// Every known topic, in the order of SHOPIFY.md.
            pub const ALL: &'static [Topic] = &[$(Topic::$variant),*];

            /// Parses a topic exactly as Shopify spells it; never fails.
            pub fn parse(s: &str) -> Topic {
                match s {
                    $($name => Topic::$variant,)*
                    other => Topic::Unknown(other.to_string()),
                }
            }

            /// The wire spelling (`orders/create`).
            pub fn as_str(&self) -> &str {
                match self {
                    $(Topic::$variant => $name,)*
                    Topic::Unknown(s) => s,
                }
            }

            /// The resource the topic is about; `None` for unknown topics.
            pub fn resource(&self) -> Option<Resource> {
                match self {
                    $(Topic::$variant => Some(Resource::$resource),)*
                    Topic::Unknown(_) => None,
                }
            }
        }
    };
}

topics! {
    OrdersCreate => "orders/create", Orders;
    OrdersUpdated => "orders/updated", Orders;
    OrdersPaid => "orders/paid", Orders;
    OrdersCancelled => "orders/cancelled", Orders;
    OrdersFulfilled => "orders/fulfilled", Orders;
    OrdersPartiallyFulfilled => "orders/partially_fulfilled", Orders;
    OrdersEdited => "orders/edited", Orders;
    OrdersDelete => "orders/delete", Orders;
    RefundsCreate => "refunds/create", Refunds;
    CustomersCreate => "customers/create", Customers;
    CustomersUpdate => "customers/update", Customers;
    CustomersDelete => "customers/delete", Customers;
    CustomersEnable => "customers/enable", Customers;
    CustomersDisable => "customers/disable", Customers;
    CustomersMerge => "customers/merge", Customers;
    ProductsCreate => "products/create", Products;
    ProductsUpdate => "products/update", Products;
    ProductsDelete => "products/delete", Products;
    AppUninstalled => "app/uninstalled", App;
    BulkOperationsFinish => "bulk_operations/finish", BulkOperations;
    CustomersDataRequest => "customers/data_request", Customers;
    CustomersRedact => "customers/redact", Customers;
    ShopRedact => "shop/redact", Shop;
}

impl Topic {
    /// True for the three mandatory compliance topics.
    pub fn is_compliance(&self) -> bool {
        matches!(
            self,
            Topic::CustomersDataRequest | Topic::CustomersRedact | Topic::ShopRedact
        )
    }

    /// True for topics whose body carries only the deleted record's id.
    pub fn is_delete(&self) -> bool {
        matches!(
            self,
            Topic::OrdersDelete | Topic::CustomersDelete | Topic::ProductsDelete
        )
    }
}

impl fmt::Display for Topic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_known_topic() {
        assert_eq!(Topic::ALL.len(), 23);
        for t in Topic::ALL {
            assert_eq!(&Topic::parse(t.as_str()), t);
            let prefix = t.as_str().split('/').next().unwrap();
            assert_eq!(t.resource().unwrap().as_str(), prefix, "{t}");
        }
    }

    #[test]
    fn keeps_unknown_topics_verbatim() {
        let t = Topic::parse("orders/risk_assessment_changed");
        assert_eq!(t, Topic::Unknown("orders/risk_assessment_changed".into()));
        assert_eq!(t.as_str(), "orders/risk_assessment_changed");
        assert_eq!(t.resource(), None);
        assert_eq!(
            Topic::parse("Orders/Create"),
            Topic::Unknown("Orders/Create".into())
        );
    }

    #[test]
    fn classifies() {
        assert!(Topic::ShopRedact.is_compliance());
        assert!(!Topic::OrdersDelete.is_compliance());
        assert!(Topic::ProductsDelete.is_delete());
        assert_eq!(Topic::RefundsCreate.resource(), Some(Resource::Refunds));
    }
}
