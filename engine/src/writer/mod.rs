//! The write side: [`consumer::IngestConsumer`] pulls from JetStream and feeds the
//! [`upsert_writer::UpsertWriter`] pool (a ractor factory), which applies batches through
//! [`crate::store`] and acks after commit.

pub mod activity;
pub mod consumer;
pub mod upsert_writer;

use ractor::factory::{queues, routing, Factory, FactoryArguments, FactoryMessage};
use ractor::{Actor, ActorCell, ActorRef, SpawnErr};

use upsert_writer::{UpsertWriter, WriteBatch, WriterArgs};

/// The writer factory's concrete type.
pub type WriterFactory = Factory<
    (),
    WriteBatch,
    WriterArgs,
    UpsertWriter,
    routing::QueuerRouting<(), WriteBatch>,
    queues::DefaultQueue<(), WriteBatch>,
>;

/// Spawns the pool of `workers` UpsertWriters under `supervisor`. A crashed worker is replaced
/// by the factory itself; the batch it held stays unacked and JetStream redelivers it.
pub async fn spawn_pool(
    name: String,
    workers: usize,
    make_args: impl Fn() -> WriterArgs + Send + Sync + 'static,
    supervisor: ActorCell,
) -> Result<ActorRef<FactoryMessage<(), WriteBatch>>, SpawnErr> {
    let args = FactoryArguments::builder()
        .worker_builder(Box::new(ractor::factory::worker_builder(move |_wid| {
            (UpsertWriter, make_args())
        })))
        .queue(Default::default())
        .router(Default::default())
        .num_initial_workers(workers)
        .build();
    let (actor, _) =
        Actor::spawn_linked(Some(name), WriterFactory::default(), args, supervisor).await?;
    Ok(actor)
}
