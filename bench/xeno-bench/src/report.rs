//! The suite's results: one JSON document (`latest.json`) and the Markdown tables people read
//! (`latest.md`), with the goals checked against the figures of the same run.

use std::collections::BTreeMap;
use std::fmt::Write;

use serde::Serialize;

use crate::backfill::Backfill;
use crate::dashboard::Dashboard;
use crate::e2e::EndToEnd;
use crate::ingest::IngestFigures;
use crate::writer::WriterFigures;

#[derive(Debug, Clone, Default, Serialize)]
pub struct Results {
    pub started_at: String,
    pub machine: String,
    pub commit: String,
    pub wall_secs: f64,
    pub ingest: Option<IngestFigures>,
    pub writer: Option<WriterFigures>,
    pub end_to_end: Option<EndToEnd>,
    /// Every resource kept.
    pub backfill: Option<Backfill>,
    /// The same store with the shop keeping orders alone.
    pub backfill_orders_only: Option<Backfill>,
    pub dashboard: Option<Dashboard>,
    pub goals: Vec<Goal>,
    /// Phases that failed, with their error.
    pub errors: BTreeMap<String, String>,
}

/// One of the suite's goals (the table in BENCHMARKS.md), evaluated.
#[derive(Debug, Clone, Serialize)]
pub struct Goal {
    pub name: String,
    pub target: String,
    pub measured: String,
    pub pass: bool,
}

fn goal(name: &str, target: &str, measured: String, pass: bool) -> Goal {
    Goal {
        name: name.to_string(),
        target: target.to_string(),
        measured,
        pass,
    }
}

impl Results {
    /// Checks every goal whose figures were measured.
    pub fn evaluate(&mut self) {
        let mut goals = Vec::new();
        let mut rss: Vec<f64> = Vec::new();
        if let Some(i) = &self.ingest {
            ingest_goals(&mut goals, i);
            rss.push(i.engine_peak_rss_mb);
        }
        if let Some(w) = &self.writer {
            goals.push(writer_goal(w));
            rss.push(w.unique.engine_peak_rss_mb);
            rss.push(w.mixed.engine_peak_rss_mb);
        }
        if let Some(e) = &self.end_to_end {
            goals.push(end_to_end_goal(e));
            rss.push(e.engine_peak_rss_mb);
        }
        if let Some(b) = &self.backfill {
            goals.push(backfill_goal(b));
            rss.push(b.engine_peak_rss_mb);
            if let Some(alone) = &self.backfill_orders_only {
                goals.extend(model_goals(b, alone));
                rss.push(alone.engine_peak_rss_mb);
            }
        }
        if let Some(d) = &self.dashboard {
            goals.push(dashboard_goal(d));
            rss.push(d.engine_peak_rss_mb);
        }
        if !rss.is_empty() {
            let peak = rss.iter().copied().fold(0.0, f64::max);
            goals.push(goal(
                "engine peak RSS (worst phase)",
                "< 150 MB",
                format!("{peak:.0} MB"),
                peak < 150.0,
            ));
        }
        self.goals = goals;
    }

    /// The Markdown report: the goals, then a section per phase that ran.
    pub fn markdown(&self) -> String {
        let mut m = String::new();
        let _ = writeln!(m, "# xeno benchmark results\n");
        let _ = writeln!(
            m,
            "Run {} on {} (commit {}), {:.0} s.\n",
            self.started_at, self.machine, self.commit, self.wall_secs
        );
        if !self.goals.is_empty() {
            let _ = writeln!(
                m,
                "## Goals\n\n| goal | target | measured | |\n|---|---|---|---|"
            );
            for g in &self.goals {
                let mark = if g.pass { "pass" } else { "FAIL" };
                let _ = writeln!(m, "| {} | {} | {} | {mark} |", g.name, g.target, g.measured);
            }
            let _ = writeln!(m);
        }
        if let Some(i) = &self.ingest {
            ingest_section(&mut m, i);
        }
        if let Some(e) = &self.end_to_end {
            end_to_end_section(&mut m, e);
        }
        if let Some(w) = &self.writer {
            writer_section(&mut m, w);
        }
        let backfills: Vec<&Backfill> = [&self.backfill_orders_only, &self.backfill]
            .into_iter()
            .flatten()
            .collect();
        if !backfills.is_empty() {
            backfill_section(&mut m, &backfills);
        }
        if let Some(d) = &self.dashboard {
            dashboard_section(&mut m, d);
        }
        if !self.errors.is_empty() {
            let _ = writeln!(m, "## Phases that failed\n");
            for (phase, e) in &self.errors {
                let _ = writeln!(m, "- {phase}: {}", e.replace('\n', " "));
            }
        }
        m
    }
}

/// Section 1: webhook acknowledgement per connection count.
fn ingest_section(m: &mut String, i: &IngestFigures) {
    let _ = writeln!(
        m,
        "## 1. Webhook acknowledgement\n\n{:.0} s per level, {} B orders, answered 2xx per second; latency in ms (p50 / p99 / p99.9).\n\n\
         | connections | engine /s | engine latency | Node.js peer /s | peer latency | raw JetStream /s | JetStream latency | engine/peer | engine/JetStream |\n\
         |---|---|---|---|---|---|---|---|---|",
        i.duration_secs, i.body_bytes
    );
    let lat =
        |r: &crate::stats::Rate| format!("{:.2} / {:.2} / {:.2}", r.p50_ms, r.p99_ms, r.p999_ms);
    for l in &i.levels {
        let _ = writeln!(
            m,
            "| {} | {:.0} | {} | {:.0} | {} | {:.0} | {} | {:.1}x | {:.0}% |",
            l.concurrency,
            l.engine.per_sec,
            lat(&l.engine),
            l.peer.per_sec,
            lat(&l.peer),
            l.jetstream.per_sec,
            lat(&l.jetstream),
            l.engine_over_peer,
            l.engine_over_jetstream * 100.0
        );
    }
    let failed: u64 = i
        .levels
        .iter()
        .map(|l| l.engine.failed + l.peer.failed + l.jetstream.failed)
        .sum();
    let _ = writeln!(
        m,
        "\nNon-2xx or failed: {failed}. Peak RSS: engine {:.0} MB, peer {:.0} MB.\n",
        i.engine_peak_rss_mb, i.peer_peak_rss_mb
    );
}

/// Section 2: webhook 200 to row committed.
fn end_to_end_section(m: &mut String, e: &EndToEnd) {
    let _ = writeln!(
        m,
        "## 2. End to end (webhook 200 to row committed)\n\n\
         | rate | acknowledged | committed | p50 | p99 | max | ack p99 | engine RSS |\n|---|---|---|---|---|---|---|---|\n\
         | {}/s for {:.0} s | {} | {} | {:.1} ms | {:.1} ms | {:.1} ms | {:.2} ms | {:.0} MB |\n\n\
         Committed = first seen by a poller every {:.0} ms (latency overstated by up to that).\n",
        e.target_rate,
        e.duration_secs,
        e.ack.ok,
        e.committed,
        e.p50_ms,
        e.p99_ms,
        e.max_ms,
        e.ack.p99_ms,
        e.engine_peak_rss_mb,
        e.poll_interval_ms
    );
}

/// Section 3: the writers against binary COPY.
fn writer_section(m: &mut String, w: &WriterFigures) {
    let _ = writeln!(
        m,
        "## 3. Writer (orders with line items)\n\n\
         | run | messages | orders | line items | seconds | per second | vs COPY | engine RSS |\n|---|---|---|---|---|---|---|---|\n\
         | PostgreSQL binary COPY (ceiling) | {} | {} | {} | {:.2} | {:.0} | 100% | |",
        w.copy.orders, w.copy.orders, w.copy.line_items, w.copy.secs, w.copy.orders_per_sec
    );
    for (name, d, r) in [
        ("engine, unique orders", &w.unique, w.unique_over_copy),
        (
            "engine, 30% duplicates + out-of-order",
            &w.mixed,
            w.mixed_over_copy,
        ),
    ] {
        let _ = writeln!(
            m,
            "| {name} | {} | {} | {} | {:.2} | {:.0} | {:.0}% | {:.0} MB |",
            d.messages,
            d.orders,
            d.line_items,
            d.secs,
            d.upserts_per_sec,
            r * 100.0,
            d.engine_peak_rss_mb
        );
    }
    let _ = writeln!(m);
}

/// Section 4: the bulk-operation backfill, orders alone and every resource.
fn backfill_section(m: &mut String, runs: &[&Backfill]) {
    let _ = writeln!(
        m,
        "## 4. Backfill (bulk operations)\n\n\
         | resources | orders | rows | wall to last row | orders/s | sync run | requests | points | bucket minimum | engine RSS |\n|---|---|---|---|---|---|---|---|---|---|"
    );
    for b in runs {
        let _ = writeln!(
            m,
            "| {} | {} | {} | {:.1} s | {:.0} | {:.1} s | {} | {} | {:.1} s | {:.0} MB |",
            b.resources,
            b.orders,
            b.rows,
            b.wall_secs,
            b.orders_per_sec,
            b.sync_secs,
            b.requests,
            b.points,
            b.bucket_minimum_secs,
            b.engine_peak_rss_mb
        );
    }
    let _ = writeln!(m);
}

/// Section 5: the dashboard API's latency per endpoint.
fn dashboard_section(m: &mut String, d: &Dashboard) {
    let _ = writeln!(
        m,
        "## 5. Dashboard API\n\n{} orders, {} customers, {} shops (rows inserted in {:.1} s, rollups rebuilt in {:.1} s). Sequential requests, rotating shops.\n\n\
         | request | requests | p50 | p99 | p99.9 |\n|---|---|---|---|---|",
        d.orders, d.customers, d.shops, d.insert_secs, d.rollup_rebuild_secs
    );
    for e in &d.endpoints {
        let _ = writeln!(
            m,
            "| `{}` | {} | {:.2} ms | {:.2} ms | {:.2} ms |",
            e.path.replace('|', "\\|"),
            e.latency.ok,
            e.latency.p50_ms,
            e.latency.p99_ms,
            e.latency.p999_ms
        );
    }
    let _ = writeln!(m, "\nEngine peak RSS: {:.0} MB.\n", d.engine_peak_rss_mb);
}

/// The acknowledgement goals, at 64 connections (if that level ran).
fn ingest_goals(goals: &mut Vec<Goal>, i: &IngestFigures) {
    let Some(level) = i.levels.iter().find(|l| l.concurrency == 64) else {
        return;
    };
    let r = level.engine_over_peer;
    goals.push(goal(
        "webhook ack vs Node.js peer, 64 connections",
        ">= 10x",
        format!("{r:.1}x"),
        r >= 10.0,
    ));
    let p99 = level.engine.p99_ms;
    goals.push(goal(
        "webhook ack p99, 64 connections",
        "< 10 ms",
        format!("{p99:.2} ms"),
        p99 < 10.0,
    ));
    let j = level.engine_over_jetstream;
    goals.push(goal(
        "webhook ack vs raw JetStream publish, 64 connections",
        ">= 50%",
        format!("{:.0}%", j * 100.0),
        j >= 0.5,
    ));
}

/// The writers against binary COPY, unique and mixed.
fn writer_goal(w: &WriterFigures) -> Goal {
    goal(
        "writer upserts vs COPY ceiling",
        ">= 30%",
        format!(
            "{:.0}% ({:.0}% with {:.0}% duplicates/out-of-order)",
            w.unique_over_copy * 100.0,
            w.mixed_over_copy * 100.0,
            w.mixed_share * 100.0
        ),
        w.unique_over_copy >= 0.3 && w.mixed_over_copy >= 0.3,
    )
}

/// Webhook 200 to row committed, with nothing lost.
fn end_to_end_goal(e: &EndToEnd) -> Goal {
    goal(
        "end-to-end p99 (200 to row committed)",
        "< 250 ms",
        format!("{:.1} ms at {}/s", e.p99_ms, e.target_rate),
        e.p99_ms < 250.0 && e.committed == e.ack.ok && e.ack.ok > 0,
    )
}

/// The backfill's wall time against the rate-limit bucket's minimum.
fn backfill_goal(b: &Backfill) -> Goal {
    // The bucket minimum is 0 when bulk operations never exhaust the bucket; the goal
    // then cannot hold literally, and the figure says what bounds the wall time.
    let floor = b.bucket_minimum_secs;
    let r = if floor > 0.0 {
        b.wall_secs / floor
    } else {
        f64::INFINITY
    };
    goal(
        "backfill wall time vs bucket minimum",
        "<= 1.1x",
        format!(
            "{:.1} s to the last row (sync run {:.1} s) vs {:.1} s minimum",
            b.wall_secs, b.sync_secs, b.bucket_minimum_secs
        ),
        r <= 1.1,
    )
}

/// Every resource against orders alone, same store, same run: the time ratio, and the RSS.
fn model_goals(all: &Backfill, alone: &Backfill) -> [Goal; 2] {
    let r = all.wall_secs / alone.wall_secs.max(1e-9);
    [
        goal(
            "backfill, every resource vs orders alone",
            "<= 2x",
            format!(
                "{r:.2}x ({:.1} s vs {:.1} s; {} vs {} rows)",
                all.wall_secs, alone.wall_secs, all.rows, alone.rows
            ),
            r <= 2.0,
        ),
        goal(
            "engine RSS, backfill of every resource",
            "< 150 MB",
            format!("{:.0} MB", all.engine_peak_rss_mb),
            all.engine_peak_rss_mb < 150.0,
        ),
    ]
}

/// The slowest dashboard endpoint's p99.
fn dashboard_goal(d: &Dashboard) -> Goal {
    let worst = d
        .endpoints
        .iter()
        .map(|e| e.latency.p99_ms)
        .fold(0.0, f64::max);
    goal(
        "dashboard API p99 (worst endpoint), 1M orders",
        "< 20 ms",
        format!("{worst:.2} ms"),
        worst < 20.0,
    )
}
