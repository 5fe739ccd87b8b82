//! The webhook edge: [`receiver::WebhookReceiver`] owns the HTTP listener; the handler that
//! turns a Shopify delivery into a durable JetStream message before answering 200 is
//! `engine/src/api/webhook.rs`, routed by `engine/src/http/router.rs`.

pub mod receiver;
