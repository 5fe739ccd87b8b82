//! The state every part of a running simulator shares: the store, the random streams, the
//! webhook sender, the rate-limit buckets, the bulk registry and the GraphQL schema. It sits
//! below its users (`server.rs`, `rest.rs`, `graphql/`, `activity.rs`), which reach it as
//! `Arc<Shared>`; it is built by `Sim::start` (`handle.rs`).

use std::sync::atomic::AtomicBool;
use std::sync::{Mutex, RwLock};

use crate::bucket::Bucket;
use crate::config::SimConfig;
use crate::graphql::bulk::operation::BulkRegistry;
use crate::graphql::executor::Api;
use crate::store::{SimRng, Store};
use crate::webhooks::WebhookSender;

/// State shared by the server, the activity and the webhook sender.
pub struct Shared {
    pub config: SimConfig,
    /// `http://<addr>`: the base of download URLs.
    pub base_url: String,
    pub store: RwLock<Store>,
    /// Drives live activity (continues the generator's stream, so runs are repeatable).
    pub activity_rng: Mutex<SimRng>,
    /// Drives API fault injection.
    pub fault_rng: Mutex<SimRng>,
    pub webhooks: WebhookSender,
    pub graphql_bucket: Mutex<Bucket>,
    pub rest_bucket: Mutex<Bucket>,
    pub bulk: Mutex<BulkRegistry>,
    /// The GraphQL schema and its cost table.
    pub graphql: Api,
    /// True while activity is paused. A tick holds this lock from its check through its
    /// last emitted webhook, so once `pause_activity` has taken it no tick is half done.
    pub paused: Mutex<bool>,
    /// True until a bulk operation has been failed on purpose (`--fail-bulk`).
    pub fail_next_bulk: AtomicBool,
}
