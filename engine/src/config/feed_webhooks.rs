//! `[[feed_webhooks]]`: systems that take the change feed as signed webhooks instead of
//! reading JetStream (`engine/src/feed/webhooks.rs`). Each names the resources it wants; its
//! URL and signing key come from the environment, like every secret.

use std::collections::BTreeMap;

use xeno_shopify::Resource;

use super::raw::RawFeedWebhook;
use super::types::FeedWebhook;
use super::validator::Validator;

type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

/// Attempts per change unless `max_attempts` says otherwise (about 2 minutes of back-off).
pub const DEFAULT_MAX_ATTEMPTS: u32 = 8;

pub(super) fn feed_webhooks(
    v: &mut Validator,
    raw: Vec<RawFeedWebhook>,
    env: Env<'_>,
) -> Vec<FeedWebhook> {
    let mut seen = BTreeMap::new();
    raw.into_iter()
        .enumerate()
        .filter_map(|(i, t)| {
            let p = |k: &str| format!("feed_webhooks[{i}].{k}");
            let name = t.name.unwrap_or_else(|| format!("hook{i}"));
            if name.is_empty()
                || !name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            {
                v.issue(
                    &p("name"),
                    format!("`{name}` must be letters, digits, `-` or `_` (it names a JetStream consumer)"),
                );
            }
            v.unique_name(&mut seen, "feed_webhooks", i, &name);
            let url = v.secret_url(&p("url_env"), &t.url_env, env);
            let secret = v.secret_env(&p("secret_env"), &t.secret_env, env);
            let resources = t.resources.map(|names| {
                names
                    .iter()
                    .enumerate()
                    .filter_map(|(j, n)| {
                        let r = Resource::from_name(n);
                        if r.is_none() {
                            v.issue(
                                &format!("feed_webhooks[{i}].resources[{j}]"),
                                format!(
                                    "`{n}` is not a resource; the resources are {}",
                                    Resource::ALL.map(|r| r.as_str()).join(", ")
                                ),
                            );
                        }
                        r
                    })
                    .collect()
            });
            let max_attempts = match t.max_attempts {
                Some(0) => {
                    v.issue(&p("max_attempts"), "must be at least 1");
                    DEFAULT_MAX_ATTEMPTS
                }
                Some(n) => n,
                None => DEFAULT_MAX_ATTEMPTS,
            };
            Some(FeedWebhook {
                name,
                url: url?,
                secret: secret?,
                resources,
                max_attempts,
            })
        })
        .collect()
}
