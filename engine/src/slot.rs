//! A [`Slot`] holds the current `ActorRef` of a supervised actor. Handles given to HTTP
//! handlers and other actors read the slot on every use, so after a restart they reach the
//! new actor instead of a dead one; the supervisor fills the slot when it (re)spawns.

use std::sync::{Arc, RwLock};

use ractor::ActorRef;

pub struct Slot<M: Send + 'static> {
    inner: Arc<RwLock<Option<ActorRef<M>>>>,
}

impl<M: Send + 'static> Clone for Slot<M> {
    fn clone(&self) -> Self {
        Slot {
            inner: self.inner.clone(),
        }
    }
}

impl<M: Send + 'static> Default for Slot<M> {
    fn default() -> Self {
        Slot {
            inner: Arc::new(RwLock::new(None)),
        }
    }
}

impl<M: Send + 'static> Slot<M> {
    pub fn set(&self, actor: ActorRef<M>) {
        *self.inner.write().expect("slot lock") = Some(actor);
    }

    pub fn clear(&self) {
        *self.inner.write().expect("slot lock") = None;
    }

    pub fn get(&self) -> Option<ActorRef<M>> {
        self.inner.read().expect("slot lock").clone()
    }
}
