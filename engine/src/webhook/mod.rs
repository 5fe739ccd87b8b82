//! The webhook edge: [`receiver::WebhookReceiver`] owns the HTTP listener; [`handler`] turns a
//! Shopify delivery into a durable JetStream message before answering 200.

pub mod handler;
pub mod receiver;
