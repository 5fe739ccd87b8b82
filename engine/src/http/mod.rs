//! The HTTP surface on hyper (axum's router on hyper-util's connection builder, so header
//! read time-outs and graceful shutdown are ours to set).
//!
//! Dependencies point one way: [`router`] lists every route and names the handlers in
//! `engine/src/api/`; the handlers reach the engine through [`state::AppState`], which imports
//! no route; [`server`] serves whatever router it is given. The WebhookReceiver actor
//! (`engine/src/webhook/receiver.rs`) builds the router and runs the server.

pub mod router;
pub mod server;
pub mod state;
