//! JetStream side of the suite: the raw publish-with-ack ceiling (a minimal async-nats client
//! at the load generator's concurrency, same bodies, same stream set-up as the engine), and
//! waiting until the engine's writers have drained its stream.

use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use async_nats::header::{HeaderMap, NATS_MESSAGE_ID};
use async_nats::jetstream;
use bytes::Bytes;
use xeno_engine::bus::names::Names;
use xeno_engine::config::Config;

use crate::stats::{micros_histogram, Rate};

/// Creates the engine's stream and writer consumer exactly as the engine's bridge does.
pub async fn ensure_engine_stream(js: &jetstream::Context, config: &Config) -> anyhow::Result<()> {
    xeno_engine::bus::bridge::ensure_stream_and_consumer(
        js,
        &Names::new(&config.nats.stream),
        &config.nats,
        &config.writer,
    )
    .await
    .map_err(|e| anyhow::anyhow!("create stream {}: {e}", config.nats.stream))
}

/// Publish-with-ack throughput of `concurrency` publishers sharing one connection, each
/// awaiting its PubAck before the next publish (what a webhook handler does per request).
pub async fn publish_ceiling(
    nats_url: &str,
    config: &Config,
    concurrency: usize,
    duration: Duration,
    bodies: &[Bytes],
) -> anyhow::Result<Rate> {
    let client = async_nats::connect(nats_url).await?;
    let js = xeno_engine::bus::bridge::context(&client, Duration::from_secs(5));
    ensure_engine_stream(&js, config).await?;
    let subject = Names::new(&config.nats.stream)
        .subject(xeno_engine::envelope::Source::Webhook, crate::procs::SHOP);
    let start = Instant::now();
    let end = start + duration;
    let mut tasks = tokio::task::JoinSet::new();
    for worker in 0..concurrency {
        let (js, subject) = (js.clone(), subject.clone());
        let bodies = bodies.to_vec();
        tasks.spawn(async move {
            let mut h = micros_histogram();
            let (mut ok, mut failed, mut i) = (0u64, 0u64, worker);
            while Instant::now() < end {
                let mut headers = HeaderMap::new();
                headers.insert(NATS_MESSAGE_ID, uuid::Uuid::new_v4().to_string().as_str());
                let body = bodies[i % bodies.len()].clone();
                i += 1;
                let t0 = Instant::now();
                let acked = match js
                    .publish_with_headers(subject.clone(), headers, body)
                    .await
                {
                    Ok(ack) => ack.await.is_ok(),
                    Err(_) => false,
                };
                if acked {
                    ok += 1;
                    let _ = h.record(t0.elapsed().as_micros().max(1) as u64);
                } else {
                    failed += 1;
                }
            }
            (h, ok, failed)
        });
    }
    let mut h = micros_histogram();
    let (mut ok, mut failed) = (0, 0);
    while let Some(done) = tasks.join_next().await {
        let (th, tok, tfailed) = done?;
        h.add(th)?;
        ok += tok;
        failed += tfailed;
    }
    Ok(Rate::from_histogram(
        &h,
        ok,
        failed,
        start.elapsed().as_secs_f64(),
    ))
}

/// Waits until the writers' consumer has nothing pending or unacknowledged; returns the
/// number of messages the stream received in total.
pub async fn wait_drained(
    js: &jetstream::Context,
    stream: &str,
    timeout: Duration,
) -> anyhow::Result<u64> {
    let consumer = Names::new(stream).writer_consumer();
    let deadline = Instant::now() + timeout;
    let mut s = js.get_stream(stream).await.context("get stream")?;
    loop {
        let info = s.consumer_info(&consumer).await.context("consumer info")?;
        if info.num_pending == 0 && info.num_ack_pending == 0 {
            return Ok(s.info().await?.state.last_sequence);
        }
        if Instant::now() > deadline {
            bail!(
                "stream {stream} not drained within {timeout:?}: {} pending, {} unacked",
                info.num_pending,
                info.num_ack_pending
            );
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
