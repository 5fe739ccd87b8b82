//! The SyncSupervisor: one [`SyncActor`] per configured shop that has an access token,
//! linked to this supervisor, which is itself a child of the root supervisor.
//!
//! Restart policy: one-for-one per shop. A failed SyncActor is respawned (it resumes its
//! run from the checkpoints once it holds the lease again); a shop whose actor fails more
//! than [`RESTART_BUDGET`] times within [`crate::supervision::RESTART_WINDOW`] is left stopped with an ERROR,
//! without stopping the other shops or the engine. Stopping the supervisor stops every
//! SyncActor, which interrupts its run and releases its lease.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use deadpool_postgres::Pool;
use ractor::{Actor, ActorId, ActorProcessingErr, ActorRef, SupervisionEvent};

use super::shop_sync::{group_name, SyncActor, SyncArgs};
use crate::bus::BridgeHandle;
use crate::config::Config;
use crate::metrics::{ActorLabels, Metrics};
use crate::supervision::{ended, RestartBudget, RESTART_BUDGET};

pub struct SyncSupervisor;

pub struct SyncSupervisorArgs {
    pub config: Arc<Config>,
    pub pool: Pool,
    pub bridge: BridgeHandle,
    pub metrics: Arc<Metrics>,
    /// `[nats] stream`: names the process groups the API wakes.
    pub stream: String,
}

pub struct SyncSupervisorState {
    args: SyncSupervisorArgs,
    /// Child actor → index into `config.shops`.
    children: HashMap<ActorId, usize>,
    restarts: HashMap<usize, RestartBudget>,
}

impl Actor for SyncSupervisor {
    type Msg = ();
    type State = SyncSupervisorState;
    type Arguments = SyncSupervisorArgs;

    async fn pre_start(
        &self,
        myself: ActorRef<Self::Msg>,
        args: Self::Arguments,
    ) -> Result<Self::State, ActorProcessingErr> {
        let mut state = SyncSupervisorState {
            args,
            children: HashMap::new(),
            restarts: HashMap::new(),
        };
        let config = state.args.config.clone();
        for (i, shop) in config.shops.iter().enumerate() {
            if shop.access_token.is_none() {
                tracing::info!(shop = %shop.domain, "no access_token_env for this shop: webhooks only, no Admin API sync");
                continue;
            }
            state.spawn(i, &myself).await?;
        }
        Ok(state)
    }

    async fn post_stop(
        &self,
        myself: ActorRef<Self::Msg>,
        state: &mut Self::State,
    ) -> Result<(), ActorProcessingErr> {
        state.children.clear();
        for child in myself.get_children() {
            let _ = child
                .stop_and_wait(Some("shutdown".into()), Some(Duration::from_secs(10)))
                .await;
        }
        Ok(())
    }

    async fn handle_supervisor_evt(
        &self,
        myself: ActorRef<Self::Msg>,
        event: SupervisionEvent,
        state: &mut Self::State,
    ) -> Result<(), ActorProcessingErr> {
        let Some((cell, reason)) = ended(event) else {
            return Ok(());
        };
        let Some(index) = state.children.remove(&cell.get_id()) else {
            return Ok(());
        };
        let shop = state.args.config.shops[index].domain.clone();
        if !state
            .restarts
            .entry(index)
            .or_default()
            .try_restart(Instant::now())
        {
            tracing::error!(shop = %shop, reason = %reason, restarts = RESTART_BUDGET, "SyncActor keeps failing; leaving this shop's sync stopped");
            return Ok(());
        }
        state
            .args
            .metrics
            .actor_restarts
            .get_or_create(&ActorLabels {
                actor: format!("sync_actor:{shop}"),
            })
            .inc();
        tracing::warn!(shop = %shop, reason = %reason, "SyncActor restarted by its supervisor");
        state.spawn(index, &myself).await
    }
}

impl SyncSupervisorState {
    async fn spawn(&mut self, index: usize, me: &ActorRef<()>) -> Result<(), ActorProcessingErr> {
        let shop = self.args.config.shops[index].clone();
        let group = group_name(&self.args.stream, &shop.domain);
        let (actor, _) = Actor::spawn_linked(
            None,
            SyncActor,
            SyncArgs {
                shop,
                config: self.args.config.clone(),
                pool: self.args.pool.clone(),
                bridge: self.args.bridge.clone(),
                metrics: self.args.metrics.clone(),
                group,
            },
            me.get_cell(),
        )
        .await?;
        self.children.insert(actor.get_id(), index);
        Ok(())
    }
}
