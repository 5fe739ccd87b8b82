//! Names derived from the configured stream, so deployments and test runs never collide.
//!
//! Subjects: `{stream}.webhook.{shop}` and `{stream}.sync.{shop}` (the writers' work queue,
//! stream `{stream}`), and `{stream}.changes.{shop}.{resource}` (the change feed, stream
//! `{stream}_changes`, `docs/change-feed.md`), where `{shop}` is the shop domain with `.`
//! replaced by `_` (a valid domain never holds `_`, so this is lossless).

use crate::envelope::Source;

#[derive(Debug, Clone)]
pub struct Names {
    pub stream: String,
}

impl Names {
    pub fn new(stream: &str) -> Names {
        Names {
            stream: stream.to_string(),
        }
    }

    /// Every subject the writers' stream captures: webhooks and sync records, not the change
    /// feed (a separate stream, so the writers never consume their own changes).
    pub fn stream_subjects(&self) -> Vec<String> {
        [Source::Webhook, Source::Sync]
            .iter()
            .map(|source| format!("{}.{}.>", self.stream, source.as_str()))
            .collect()
    }

    /// The change feed's stream.
    pub fn changes_stream(&self) -> String {
        format!("{}_changes", self.stream)
    }

    /// Every subject the change feed's stream captures.
    pub fn changes_subjects(&self) -> String {
        format!("{}.changes.>", self.stream)
    }

    /// The subject of a change of `resource` in `shop_domain`.
    pub fn change_subject(&self, shop_domain: &str, resource: &str) -> String {
        format!(
            "{}.changes.{}.{}",
            self.stream,
            shop_domain.replace('.', "_"),
            resource
        )
    }

    pub fn subject(&self, source: Source, shop_domain: &str) -> String {
        format!(
            "{}.{}.{}",
            self.stream,
            source.as_str(),
            shop_domain.replace('.', "_")
        )
    }

    /// The writers' durable pull consumer, shared by every engine process.
    pub fn writer_consumer(&self) -> String {
        format!("{}_writer", self.stream)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_are_single_tokens_per_shop() {
        let n = Names::new("XENO");
        assert_eq!(
            n.subject(Source::Webhook, "acme.myshopify.com"),
            "XENO.webhook.acme_myshopify_com"
        );
        assert_eq!(n.stream_subjects(), ["XENO.webhook.>", "XENO.sync.>"]);
        assert_eq!(
            n.change_subject("acme.myshopify.com", "orders"),
            "XENO.changes.acme_myshopify_com.orders"
        );
        assert_eq!(n.changes_stream(), "XENO_changes");
        assert_eq!(n.changes_subjects(), "XENO.changes.>");
        assert_eq!(n.writer_consumer(), "XENO_writer");
    }
}
