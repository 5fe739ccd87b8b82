//! When the orders of an anchored history ([`super::generate_ending`]) were placed: a weighted
//! choice of days instead of uniform times, so charts over the history show what a real shop's
//! do. Three factors make a day's weight:
//! - **weekly rhythm**: weekends are busier (Saturday ×1.5, Sunday ×1.3, Friday ×1.15);
//! - **growth**: the last day weighs about three times the first (linear);
//! - **a sale week**: the seven days from the window's Black Friday (the day after the fourth
//!   Thursday of November) weigh ×3; when that Friday to Cyber Monday falls outside the order
//!   window, the week starting at three quarters of it does.
//!
//! Days are UTC days; every draw comes from the generator's one stream, so a seed and an
//! anchor give the same times.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc, Weekday};
use rand::Rng;

use crate::store::SimRng;

/// How much busier the sale week is than its neighbours.
pub const SALE_FACTOR: f64 = 3.0;

/// Day weights of the order window `[from, to)` (whole UTC days from `from`).
pub struct OrderCalendar {
    from: DateTime<Utc>,
    /// Running sum of the day weights: day `i` spans `cumulative[i-1]..cumulative[i]`.
    cumulative: Vec<f64>,
    sale_start: NaiveDate,
}

impl OrderCalendar {
    /// The calendar of the days from `from` up to `to` (at least one day).
    pub fn new(from: DateTime<Utc>, to: DateTime<Utc>) -> Self {
        let days = (to - from).num_days().max(1);
        let first = from.date_naive();
        let sale_start = black_friday_within(first, days)
            .unwrap_or_else(|| first + Duration::days(days * 3 / 4));
        let mut total = 0.0;
        let cumulative = (0..days)
            .map(|i| {
                let day = first + Duration::days(i);
                total += weight(day, i as f64 / days as f64, sale_start);
                total
            })
            .collect();
        OrderCalendar {
            from,
            cumulative,
            sale_start,
        }
    }

    /// The first day of the sale week.
    pub fn sale_start(&self) -> NaiveDate {
        self.sale_start
    }

    /// `n` order times, sorted, drawn by day weight and uniform within the day.
    pub fn sorted_times(&self, rng: &mut SimRng, n: usize) -> Vec<DateTime<Utc>> {
        let total = self.cumulative.last().copied().unwrap_or(0.0);
        let mut times: Vec<DateTime<Utc>> = (0..n)
            .map(|_| {
                let x = rng.gen_range(0.0..total);
                let day = self.cumulative.partition_point(|&c| c <= x);
                let day = day.min(self.cumulative.len() - 1) as i64;
                self.from + Duration::days(day) + Duration::seconds(rng.gen_range(0..24 * 3600))
            })
            .collect();
        times.sort_unstable();
        times
    }
}

fn weight(day: NaiveDate, progress: f64, sale_start: NaiveDate) -> f64 {
    let weekly = match day.weekday() {
        Weekday::Sat => 1.5,
        Weekday::Sun => 1.3,
        Weekday::Fri => 1.15,
        _ => 1.0,
    };
    let growth = 1.0 + 2.0 * progress;
    let in_sale = day >= sale_start && day < sale_start + Duration::days(7);
    weekly * growth * if in_sale { SALE_FACTOR } else { 1.0 }
}

/// The Black Friday within `days` days from `first` whose weekend and Cyber Monday are in the
/// window too (the rest of its week may run past the window's end), if any.
fn black_friday_within(first: NaiveDate, days: i64) -> Option<NaiveDate> {
    let last = first + Duration::days(days - 4);
    (first.year()..=last.year())
        .filter_map(|y| {
            let thursday = NaiveDate::from_weekday_of_month_opt(y, 11, Weekday::Thu, 4)?;
            Some(thursday + Duration::days(1))
        })
        .find(|d| *d >= first && *d <= last)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn black_friday_is_the_day_after_the_fourth_thursday_of_november() {
        let first = NaiveDate::from_ymd_opt(2025, 12, 3).unwrap();
        assert_eq!(
            black_friday_within(first, 365),
            NaiveDate::from_ymd_opt(2026, 11, 27)
        );
        assert_eq!(black_friday_within(first, 300), None);
        let first = NaiveDate::from_ymd_opt(2026, 1, 2).unwrap();
        assert_eq!(
            black_friday_within(first, 335),
            NaiveDate::from_ymd_opt(2026, 11, 27)
        );
    }
}
