//! Figures shared by every phase: a throughput with latency percentiles, and the helpers
//! that build one from an HDR histogram or from a `xeno sim load` report.

use hdrhistogram::Histogram;
use serde::Serialize;
use xeno_sim::load::LoadReport;

/// Throughput and latency of one measured run.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Rate {
    /// Successful operations per second over the run.
    pub per_sec: f64,
    pub ok: u64,
    /// Non-2xx answers and requests without an answer.
    pub failed: u64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub p999_ms: f64,
}

impl Rate {
    pub fn from_load(r: &LoadReport) -> Rate {
        Rate {
            per_sec: r.ok as f64 / r.duration_secs.max(1e-9),
            ok: r.ok,
            failed: r.by_status.values().sum::<u64>() + r.errors,
            p50_ms: r.latency_ms.p50,
            p99_ms: r.latency_ms.p99,
            p999_ms: r.latency_ms.p999,
        }
    }

    /// From a histogram of microseconds.
    pub fn from_histogram(h: &Histogram<u64>, ok: u64, failed: u64, secs: f64) -> Rate {
        let ms = |q: f64| {
            if h.is_empty() {
                0.0
            } else {
                h.value_at_quantile(q) as f64 / 1000.0
            }
        };
        Rate {
            per_sec: ok as f64 / secs.max(1e-9),
            ok,
            failed,
            p50_ms: ms(0.5),
            p99_ms: ms(0.99),
            p999_ms: ms(0.999),
        }
    }
}

/// A histogram of microseconds from 1 µs to 10 minutes.
pub fn micros_histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 600_000_000, 3).expect("valid histogram bounds")
}

/// `a / b`, 0 when `b` is 0.
pub fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 {
        a / b
    } else {
        0.0
    }
}
