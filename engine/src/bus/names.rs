//! Names derived from the configured stream, so deployments and test runs never collide.
//!
//! Subjects: `{stream}.webhook.{shop}` and `{stream}.sync.{shop}`, where `{shop}` is the
//! shop domain with `.` replaced by `_` (a valid domain never holds `_`, so this is lossless).

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

    /// Every subject the stream captures.
    pub fn stream_subjects(&self) -> String {
        format!("{}.>", self.stream)
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
        assert_eq!(n.stream_subjects(), "XENO.>");
        assert_eq!(n.writer_consumer(), "XENO_writer");
    }
}
