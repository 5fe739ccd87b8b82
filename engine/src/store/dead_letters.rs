//! The dead-letter store: messages that could not be applied, with their reason and the raw
//! bytes exactly as they travelled, so an operator can see them (dashboard, API) and replay
//! them (CLI) once the cause is fixed. The UpsertWriter inserts; replay marks them done.

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
