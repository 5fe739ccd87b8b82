//! The dead-letter store: messages that could not be applied, with their reason and the raw
//! bytes exactly as they travelled, so an operator can see them (dashboard, API) and replay
//! them once the cause is fixed. The only SQL of the `dead_letters` table: the UpsertWriter
//! (`engine/src/writer/upsert_writer.rs`) inserts; the API (`engine/src/api/dead_letters.rs`)
//! lists, counts, locks and marks them replayed; the operations probe (`engine/src/ops_probe.rs`)
//! counts the open ones for `/metrics`.

use chrono::{DateTime, Utc};
use serde_json::Value;
use tokio_postgres::{Error, GenericClient, Row};

/// A message to park: everything needed to publish it again.
#[derive(Debug, Clone, PartialEq)]
pub struct DeadLetter {
    pub shop_domain: Option<String>,
    /// The JetStream message id (the webhook id for webhooks).
    pub msg_id: Option<String>,
    /// The NATS subject it was delivered on.
    pub subject: String,
    pub topic: Option<String>,
    /// The NATS headers as a JSON object.
    pub headers: Value,
    /// The payload bytes, untouched.
    pub payload: Vec<u8>,
    /// Why it failed (the last error).
    pub reason: String,
    /// How many deliveries were attempted.
    pub deliveries: i32,
}

/// A stored dead letter.
#[derive(Debug, Clone, PartialEq)]
pub struct DeadLetterRow {
    pub id: i64,
    pub created_at: DateTime<Utc>,
    /// Set once the message was published again.
    pub replayed_at: Option<DateTime<Utc>>,
    pub letter: DeadLetter,
}

const COLUMNS: &str = "id, created_at, replayed_at, shop_domain, msg_id, subject, topic, headers,
                       payload, reason, deliveries";

fn from_row(row: &Row) -> DeadLetterRow {
    DeadLetterRow {
        id: row.get(0),
        created_at: row.get(1),
        replayed_at: row.get(2),
        letter: DeadLetter {
            shop_domain: row.get(3),
            msg_id: row.get(4),
            subject: row.get(5),
            topic: row.get(6),
            headers: row.get(7),
            payload: row.get(8),
            reason: row.get(9),
            deliveries: row.get(10),
        },
    }
}

/// Stores a dead letter; returns its id.
pub async fn insert<C: GenericClient + Sync>(client: &C, dl: &DeadLetter) -> Result<i64, Error> {
    let row = client
        .query_one(
            "INSERT INTO dead_letters (shop_domain, msg_id, subject, topic, headers, payload,
                                       reason, deliveries)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             RETURNING id",
            &[
                &dl.shop_domain,
                &dl.msg_id,
                &dl.subject,
                &dl.topic,
                &dl.headers,
                &dl.payload,
                &dl.reason,
                &dl.deliveries,
            ],
        )
        .await?;
    Ok(row.get(0))
}

/// Dead letters not yet replayed, newest first, limited to `shops` when given (the shops a
/// dashboard token may see).
pub async fn list<C: GenericClient + Sync>(
    client: &C,
    shops: Option<&[String]>,
    limit: i64,
) -> Result<Vec<DeadLetterRow>, Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM dead_letters
         WHERE replayed_at IS NULL AND ($1::text[] IS NULL OR shop_domain = ANY($1::text[]))
         ORDER BY id DESC LIMIT $2"
    );
    let rows = client.query(&sql, &[&shops, &limit.max(0)]).await?;
    Ok(rows.iter().map(from_row).collect())
}

/// One dead letter by id, replayed or not.
pub async fn get<C: GenericClient + Sync>(
    client: &C,
    id: i64,
) -> Result<Option<DeadLetterRow>, Error> {
    let sql = format!("SELECT {COLUMNS} FROM dead_letters WHERE id = $1");
    Ok(client.query_opt(&sql, &[&id]).await?.as_ref().map(from_row))
}

/// Marks a dead letter replayed; false when it does not exist or already was.
pub async fn mark_replayed<C: GenericClient + Sync>(client: &C, id: i64) -> Result<bool, Error> {
    let n = client
        .execute(
            "UPDATE dead_letters SET replayed_at = now() WHERE id = $1 AND replayed_at IS NULL",
            &[&id],
        )
        .await?;
    Ok(n == 1)
}

/// Which dead letters a caller sees: those of `shops`, and those without a shop when
/// `engine_wide` (tokens for every shop, asking about every shop).
#[derive(Debug, Clone, Copy)]
pub struct Visible<'a> {
    pub shops: &'a [String],
    pub engine_wide: bool,
}

const VISIBLE: &str = "(shop_domain = ANY($1) OR ($2 AND shop_domain IS NULL))";

/// A dead letter as listed: everything but the payload, of which only a preview.
#[derive(Debug, Clone, PartialEq)]
pub struct DeadLetterSummary {
    pub id: i64,
    pub shop_domain: Option<String>,
    pub topic: Option<String>,
    pub msg_id: Option<String>,
    pub subject: String,
    pub reason: String,
    pub deliveries: i32,
    pub created_at: DateTime<Utc>,
    pub replayed_at: Option<DateTime<Utc>>,
    pub payload_bytes: i32,
    /// The payload's first 512 bytes.
    pub payload_head: Vec<u8>,
}

/// The visible dead letters, newest first: open ones only unless `include_replayed`.
pub async fn list_visible<C: GenericClient + Sync>(
    client: &C,
    visible: Visible<'_>,
    include_replayed: bool,
    limit: i64,
) -> Result<Vec<DeadLetterSummary>, Error> {
    let sql = format!(
        "SELECT id, shop_domain, topic, msg_id, subject, reason, deliveries, created_at,
                replayed_at, length(payload), substring(payload FROM 1 FOR 512)
         FROM dead_letters WHERE {VISIBLE} AND ($3 OR replayed_at IS NULL)
         ORDER BY id DESC LIMIT $4"
    );
    let rows = client
        .query(
            &sql,
            &[
                &visible.shops,
                &visible.engine_wide,
                &include_replayed,
                &limit,
            ],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| DeadLetterSummary {
            id: r.get(0),
            shop_domain: r.get(1),
            topic: r.get(2),
            msg_id: r.get(3),
            subject: r.get(4),
            reason: r.get(5),
            deliveries: r.get(6),
            created_at: r.get(7),
            replayed_at: r.get(8),
            payload_bytes: r.get(9),
            payload_head: r.get(10),
        })
        .collect())
}

/// How many visible dead letters are open (not replayed).
pub async fn count_open<C: GenericClient + Sync>(
    client: &C,
    visible: Visible<'_>,
) -> Result<i64, Error> {
    let sql = format!("SELECT count(*) FROM dead_letters WHERE {VISIBLE} AND replayed_at IS NULL");
    Ok(client
        .query_one(&sql, &[&visible.shops, &visible.engine_wide])
        .await?
        .get(0))
}

/// Every open (not replayed) dead letter, of any shop or none: what the alert on dead letters
/// counts, whatever the API's callers may see.
pub async fn count_all_open<C: GenericClient + Sync>(client: &C) -> Result<i64, Error> {
    Ok(client
        .query_one(
            "SELECT count(*) FROM dead_letters WHERE replayed_at IS NULL",
            &[],
        )
        .await?
        .get(0))
}

/// Open dead letters per shop (`None`: engine-wide ones), for the visible ones.
pub async fn open_by_shop<C: GenericClient + Sync>(
    client: &C,
    visible: Visible<'_>,
) -> Result<Vec<(Option<String>, i64)>, Error> {
    let sql = format!(
        "SELECT shop_domain, count(*) FROM dead_letters
         WHERE replayed_at IS NULL AND {VISIBLE} GROUP BY shop_domain"
    );
    let rows = client
        .query(&sql, &[&visible.shops, &visible.engine_wide])
        .await?;
    Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
}

/// Whether visible dead letter `id` was replayed; `None` when it is not visible or absent.
pub async fn replayed<C: GenericClient + Sync>(
    client: &C,
    visible: Visible<'_>,
    id: i64,
) -> Result<Option<bool>, Error> {
    let sql =
        format!("SELECT replayed_at IS NOT NULL FROM dead_letters WHERE id = $3 AND {VISIBLE}");
    Ok(client
        .query_opt(&sql, &[&visible.shops, &visible.engine_wide, &id])
        .await?
        .map(|r| r.get(0)))
}

/// The oldest `limit` open visible dead letters' ids.
pub async fn open_ids<C: GenericClient + Sync>(
    client: &C,
    visible: Visible<'_>,
    limit: i64,
) -> Result<Vec<i64>, Error> {
    let sql = format!(
        "SELECT id FROM dead_letters WHERE {VISIBLE} AND replayed_at IS NULL ORDER BY id LIMIT $3"
    );
    Ok(client
        .query(&sql, &[&visible.shops, &visible.engine_wide, &limit])
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect())
}

/// What a replay publishes again.
#[derive(Debug, Clone, PartialEq)]
pub struct Replayable {
    pub subject: String,
    /// The NATS headers as a JSON object.
    pub headers: Value,
    pub payload: Vec<u8>,
    pub msg_id: Option<String>,
}

/// Locks open dead letter `id` for a replay in the caller's transaction; `None` when it was
/// replayed or another replay holds it (`SKIP LOCKED`), so two replays never both publish.
pub async fn lock_open<C: GenericClient + Sync>(
    tx: &C,
    id: i64,
) -> Result<Option<Replayable>, Error> {
    let row = tx
        .query_opt(
            "SELECT subject, headers, payload, msg_id FROM dead_letters
             WHERE id = $1 AND replayed_at IS NULL FOR UPDATE SKIP LOCKED",
            &[&id],
        )
        .await?;
    Ok(row.map(|r| Replayable {
        subject: r.get(0),
        headers: r.get(1),
        payload: r.get(2),
        msg_id: r.get(3),
    }))
}
