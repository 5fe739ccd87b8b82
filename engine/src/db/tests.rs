//! Tests of `db.rs` against the test PostgreSQL, kept in their own file so that `db.rs` does not
//! import the testkit (which builds its databases with `db.rs`).

use crate::testkit::TestDb;

/// An applied migration whose file changed is refused, not silently re-run or ignored.
#[tokio::test]
async fn a_changed_applied_migration_is_refused() {
    let db = TestDb::new().await;
    // Running again on an up-to-date database is a no-op.
    super::migrate(&db.pool).await.expect("idempotent");
    let client = db.pool.get().await.unwrap();
    client
        .execute(
            "UPDATE refinery_schema_history SET checksum = '1' WHERE version = 1",
            &[],
        )
        .await
        .unwrap();
    let err = super::migrate(&db.pool)
        .await
        .expect_err("divergent history refused");
    assert!(err.to_string().contains("migration"), "{err}");
}
