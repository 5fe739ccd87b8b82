//! Which resources a shop's runs keep: its `resources` choice (`ResourceChoice` in
//! `engine/src/config/types.rs`) narrowed by the access scopes the token holds (`scopes.rs`).
//!
//! By default every resource whose read scope is granted is on and the others are off, which
//! each run logs (INFO) and `xeno doctor` reports as a warning. A resource the config lists
//! but whose scope is missing is off too (Shopify would only answer `ACCESS_DENIED`), logged
//! as an ERROR and reported by the doctor as an error. When the scopes cannot be read, the
//! configured choice stands and Shopify's answers decide.
//!
//! A resource turned on later has no watermark yet, so the next run backfills just that one
//! (`run.rs`). The webhook topics subscribed follow the selection (`subscriptions.rs`).

use xeno_shopify::Resource;

use super::context::SyncContext;
use super::mode::SyncMode;
use super::scopes;
use crate::config::ResourceChoice;

/// The resources one run keeps, and why the others are off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selection {
    /// In `Resource::ALL` order (orders refer to customers and products).
    pub on: Vec<Resource>,
    pub off: Vec<Off>,
}

/// A resource a run does not keep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Off {
    pub resource: Resource,
    pub reason: OffReason,
}

/// Why a resource is off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OffReason {
    /// The shop's `resources` list leaves it out.
    NotListed,
    /// Its read scope is not granted; `listed` when the config asks for it explicitly.
    MissingScope { scope: &'static str, listed: bool },
}

/// The selection for `choice` given the granted scopes (`None`: unknown, the choice stands).
pub fn select(choice: &ResourceChoice, granted: Option<&[String]>) -> Selection {
    let mut selection = Selection {
        on: Vec::new(),
        off: Vec::new(),
    };
    for resource in Resource::ALL {
        let scope = resource.spec().read_scope;
        let reason = if !choice.includes(resource) {
            Some(OffReason::NotListed)
        } else if granted.is_some_and(|g| !scopes::grants(g, scope)) {
            let listed = matches!(choice, ResourceChoice::Listed(_));
            Some(OffReason::MissingScope { scope, listed })
        } else {
            None
        };
        match reason {
            None => selection.on.push(resource),
            Some(reason) => selection.off.push(Off { resource, reason }),
        }
    }
    selection
}

/// The selection for this run's shop: reads the granted scopes (one REST call, the run's only
/// one) and logs the resources that are off for lack of one. A full run keeping orders without
/// `read_all_orders` is warned about once here: Shopify hides orders older than 60 days from
/// such a token, so the backfill completes without them and without an error (`xeno doctor`
/// reports the same).
pub async fn resolve(ctx: &SyncContext) -> Selection {
    let granted = match scopes::granted(ctx.client.http(), &ctx.shop).await {
        Ok(granted) => Some(granted),
        Err(e) => {
            tracing::debug!(shop = %ctx.shop.domain, error = %e, "cannot read the granted access scopes; syncing the configured resources");
            None
        }
    };
    let selection = select(&ctx.shop.resources, granted.as_deref());
    for off in &selection.off {
        if let OffReason::MissingScope { scope, listed } = off.reason {
            if listed {
                tracing::error!(shop = %ctx.shop.domain, resource = off.resource.as_str(), scope, "resource listed in the config but its scope is not granted: not synced");
            } else {
                tracing::info!(shop = %ctx.shop.domain, resource = off.resource.as_str(), scope, "resource off: its scope is not granted");
            }
        }
    }
    let backfills_orders = ctx.mode == SyncMode::Full && selection.on.contains(&Resource::Orders);
    if backfills_orders
        && granted
            .as_deref()
            .is_some_and(|g| !scopes::reads_all_orders(g))
    {
        tracing::warn!(shop = %ctx.shop.domain, run_id = %ctx.run_id, "read_all_orders is not granted: the backfill returns only the last 60 days of orders");
    }
    selection
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scopes(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn by_default_every_granted_resource_is_on() {
        let granted = scopes(&["read_orders", "write_products"]);
        let s = select(&ResourceChoice::Granted, Some(&granted));
        assert!(s.on.contains(&Resource::Orders) && s.on.contains(&Resource::Products));
        assert!(!s.on.contains(&Resource::Customers));
        assert!(s.off.contains(&Off {
            resource: Resource::Customers,
            reason: OffReason::MissingScope {
                scope: "read_customers",
                listed: false
            }
        }));
    }

    #[test]
    fn a_list_keeps_only_what_it_names_and_says_when_a_scope_is_missing() {
        let choice = ResourceChoice::Listed(vec![Resource::Orders, Resource::Customers]);
        let granted = scopes(&["read_orders", "read_products"]);
        let s = select(&choice, Some(&granted));
        assert_eq!(s.on, [Resource::Orders]);
        assert!(s.off.contains(&Off {
            resource: Resource::Products,
            reason: OffReason::NotListed
        }));
        assert!(s.off.contains(&Off {
            resource: Resource::Customers,
            reason: OffReason::MissingScope {
                scope: "read_customers",
                listed: true
            }
        }));
    }

    #[test]
    fn unknown_scopes_leave_the_choice_as_configured() {
        let s = select(&ResourceChoice::Granted, None);
        assert_eq!(s.on, Resource::ALL);
        assert!(s.off.is_empty());
    }
}
