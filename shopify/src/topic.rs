//! Webhook topics the engine understands, parsed once at the edge (the webhook receiver, the
//! bus decoding a message) so everything after matches on an enum instead of strings.
//! Anything else is kept verbatim as [`Topic::Unknown`]: the engine records and acknowledges
//! it rather than failing (Shopify adds topics over time).
//!
//! Topics that carry a resource's records map to it through [`Topic::resource`] (defined with
//! the resources, in `resource/mod.rs`, from each resource's list of topics); the others (app,
//! bulk operations, compliance) are handled by name.

use std::fmt;

macro_rules! topics {
    ($($variant:ident => $name:literal;)*) => {
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
            /// Every known topic.
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
        }
    };
}

topics! {
    OrdersCreate => "orders/create";
    OrdersUpdated => "orders/updated";
    OrdersPaid => "orders/paid";
    OrdersCancelled => "orders/cancelled";
    OrdersFulfilled => "orders/fulfilled";
    OrdersPartiallyFulfilled => "orders/partially_fulfilled";
    OrdersEdited => "orders/edited";
    OrdersDelete => "orders/delete";
    RefundsCreate => "refunds/create";
    OrderTransactionsCreate => "order_transactions/create";
    CustomersCreate => "customers/create";
    CustomersUpdate => "customers/update";
    CustomersDelete => "customers/delete";
    CustomersEnable => "customers/enable";
    CustomersDisable => "customers/disable";
    CustomersMerge => "customers/merge";
    ProductsCreate => "products/create";
    ProductsUpdate => "products/update";
    ProductsDelete => "products/delete";
    LocationsCreate => "locations/create";
    LocationsUpdate => "locations/update";
    LocationsDelete => "locations/delete";
    LocationsActivate => "locations/activate";
    LocationsDeactivate => "locations/deactivate";
    AppUninstalled => "app/uninstalled";
    BulkOperationsFinish => "bulk_operations/finish";
    CustomersDataRequest => "customers/data_request";
    CustomersRedact => "customers/redact";
    ShopRedact => "shop/redact";
}

impl Topic {
    /// The topic as GraphQL's `WebhookSubscriptionTopic` spells it (`orders/create` →
    /// `ORDERS_CREATE`, `order_transactions/create` → `ORDER_TRANSACTIONS_CREATE`).
    pub fn subscription_name(&self) -> String {
        self.as_str().to_ascii_uppercase().replace('/', "_")
    }

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
            Topic::OrdersDelete
                | Topic::CustomersDelete
                | Topic::ProductsDelete
                | Topic::LocationsDelete
        )
    }
}

impl From<&str> for Topic {
    fn from(s: &str) -> Topic {
        Topic::parse(s)
    }
}

impl PartialEq<str> for Topic {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Topic {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
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
        assert_eq!(Topic::ALL.len(), 29);
        for t in Topic::ALL {
            assert_eq!(&Topic::parse(t.as_str()), t);
            let prefix = t.as_str().split('/').next().unwrap();
            match t.resource() {
                Some(r) if matches!(prefix, "refunds" | "order_transactions") => {
                    assert_eq!(r.as_str(), "orders", "{t}")
                }
                Some(r) => assert_eq!(r.as_str(), prefix, "{t}"),
                None => assert!(
                    t.is_compliance() || matches!(prefix, "app" | "bulk_operations"),
                    "{t}"
                ),
            }
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
    }

    #[test]
    fn converts_from_and_compares_with_wire_strings() {
        assert_eq!(Topic::from("orders/create"), Topic::OrdersCreate);
        assert_eq!(
            Topic::OrderTransactionsCreate.subscription_name(),
            "ORDER_TRANSACTIONS_CREATE"
        );
        assert_eq!(Topic::AppUninstalled.subscription_name(), "APP_UNINSTALLED");
        assert!(Topic::OrdersCreate == "orders/create");
        assert_eq!(Topic::from("x/y"), Topic::Unknown("x/y".into()));
        assert!(Topic::Unknown("x/y".into()) == "x/y");
        assert!(Topic::OrdersCreate != "orders/updated");
    }
}
