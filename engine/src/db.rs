//! PostgreSQL access: the connection pool every actor shares and the migrations in `sql/`,
//! applied at start-up with refinery's checksummed history (a changed applied migration is
//! refused, not re-run). The tables, and the rule for adding a migration: `sql/README.md`.

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use thiserror::Error;
use tokio_postgres::NoTls;

mod embedded {
    refinery::embed_migrations!("../sql");
}

#[derive(Debug, Error)]
pub enum DbError {
    #[error("invalid PostgreSQL url: {0}")]
    Url(#[source] tokio_postgres::Error),
    #[error("cannot build the PostgreSQL pool: {0}")]
    Pool(String),
    #[error("cannot get a PostgreSQL connection: {0}")]
    Connect(#[from] deadpool_postgres::PoolError),
    #[error("migration failed: {0}")]
    Migration(#[from] refinery::Error),
    #[error(transparent)]
    Postgres(#[from] tokio_postgres::Error),
}

/// Builds a pool of at most `max_size` connections. Nothing connects until first use, so an
/// engine can start (and answer `/readyz` with 503) while PostgreSQL is down.
pub fn pool(url: &str, max_size: usize) -> Result<Pool, DbError> {
    let pg_config: tokio_postgres::Config = url.parse().map_err(DbError::Url)?;
    let manager = Manager::from_config(
        pg_config,
        NoTls,
        ManagerConfig {
            recycling_method: RecyclingMethod::Fast,
        },
    );
    Pool::builder(manager)
        .max_size(max_size)
        .runtime(deadpool_postgres::Runtime::Tokio1)
        .wait_timeout(Some(std::time::Duration::from_secs(5)))
        .create_timeout(Some(std::time::Duration::from_secs(5)))
        .recycle_timeout(Some(std::time::Duration::from_secs(5)))
        .build()
        .map_err(|e| DbError::Pool(e.to_string()))
}

/// Applies every migration in `sql/` that has not run yet. Serialised across engine processes
/// by an advisory lock so two engines starting together do not race.
pub async fn migrate(pool: &Pool) -> Result<(), DbError> {
    let mut client = pool.get().await?;
    client
        .batch_execute("SELECT pg_advisory_lock(7294823)")
        .await?;
    let result = embedded::migrations::runner()
        .run_async(&mut **client)
        .await;
    client
        .batch_execute("SELECT pg_advisory_unlock(7294823)")
        .await?;
    result?;
    Ok(())
}

#[cfg(test)]
mod tests;
