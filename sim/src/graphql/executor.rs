//! The schema behind a handle the state can hold: resolvers read the state (`state.rs`), and the
//! state holds the schema (bulk runs execute it), so the schema's type is erased here rather
//! than named by the state. Built once per simulator from `schema::build()` (`handle.rs`).

use std::future::Future;
use std::pin::Pin;

use async_graphql::{ObjectType, Request, Response, Schema, SubscriptionType};

use crate::graphql::cost::TypeInfo;

type Execute = dyn Fn(Request) -> Pin<Box<dyn Future<Output = Response> + Send>> + Send + Sync;

/// The schema and its type table.
pub struct Api {
    execute: Box<Execute>,
    /// Field types of the schema, read by the cost model and the bulk query checks.
    pub types: TypeInfo,
}

impl Api {
    /// Wraps a schema and reads its types.
    pub fn new<Q, M, S>(schema: Schema<Q, M, S>) -> Api
    where
        Q: ObjectType + 'static,
        M: ObjectType + 'static,
        S: SubscriptionType + 'static,
    {
        let types = TypeInfo::from_sdl(&schema.sdl());
        Api {
            execute: Box::new(move |request| {
                let schema = schema.clone();
                Box::pin(async move { schema.execute(request).await })
            }),
            types,
        }
    }

    /// Executes a request.
    pub async fn execute(&self, request: Request) -> Response {
        (self.execute)(request).await
    }
}
