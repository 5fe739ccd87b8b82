//! Test support shared by unit and black-box tests: a private database per test run, dropped
//! when the guard goes out of scope, so runs never collide on the machine's PostgreSQL.
//!
//! Not part of the production library: compiled for this crate's own tests and behind the
//! `testkit` feature for `cli/tests/` and `bench/xeno-bench`. Builds its databases with
//! [`crate::db`]; `db.rs` never imports it back (its tests live in `db/tests.rs`).

use deadpool_postgres::Pool;
use tokio_postgres::NoTls;

/// The server every test database is created on. `XENO_TEST_POSTGRES` overrides it.
pub fn admin_url() -> String {
    std::env::var("XENO_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_string())
}

/// The NATS server tests use. `XENO_TEST_NATS` overrides it.
pub fn nats_url() -> String {
    std::env::var("XENO_TEST_NATS").unwrap_or_else(|_| "nats://127.0.0.1:4222".to_string())
}

/// A fresh, migrated database; dropped (with `FORCE`) when the guard is dropped.
pub struct TestDb {
    pub name: String,
    pub url: String,
    pub pool: Pool,
}

impl TestDb {
    pub async fn new() -> TestDb {
        let name = format!("xeno_test_{}", uuid::Uuid::new_v4().simple());
        let (client, conn) = tokio_postgres::connect(&admin_url(), NoTls)
            .await
            .expect("connect to the test PostgreSQL (is it running on 127.0.0.1:5432?)");
        tokio::spawn(conn);
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .expect("create test database");
        let url = replace_db(&admin_url(), &name);
        let pool = crate::db::pool(&url, 8).expect("pool");
        crate::db::migrate(&pool).await.expect("migrate");
        TestDb { name, url, pool }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let name = self.name.clone();
        let admin = admin_url();
        // Drop runs outside any runtime guarantee; use a short-lived thread with its own runtime.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async move {
                if let Ok((client, conn)) = tokio_postgres::connect(&admin, NoTls).await {
                    tokio::spawn(conn);
                    let _ = client
                        .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .await;
                }
            });
        })
        .join();
    }
}

/// A stream name no other test run uses.
pub fn unique_stream() -> String {
    format!("XENOTEST{}", uuid::Uuid::new_v4().simple()).to_uppercase()
}

fn replace_db(url: &str, db: &str) -> String {
    match url.rfind('/') {
        Some(i) if url[..i].contains("://") && i > url.find("://").unwrap() + 2 => {
            let (base, rest) = url.split_at(i);
            let query = rest.find('?').map(|q| &rest[q..]).unwrap_or("");
            format!("{base}/{db}{query}")
        }
        _ => format!("{url}/{db}"),
    }
}
