//! `GET /api/stats`, `GET /api/revenue-series`, `GET /api/top-customers`. Money amounts are
//! exact decimal strings with at least two decimals (`"12.30"`), always per currency.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};

/// Amounts per currency code.
pub type Money = BTreeMap<String, String>;

/// The KPIs of one period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Figures {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// Counted orders created in the period (all currencies).
    pub orders_count: i64,
    /// Customers created in the period (new customers), not deleted.
    pub customers_count: i64,
    /// Products that existed at the end of the period.
    pub products_count: i64,
    /// Gross sales per currency.
    #[cfg_attr(feature = "openapi", schema(value_type = BTreeMap<String, String>))]
    pub revenue: Money,
    /// Refunded per currency (refunds dated in the period).
    #[cfg_attr(feature = "openapi", schema(value_type = BTreeMap<String, String>))]
    pub refunds: Money,
    pub refunds_count: i64,
    /// `revenue − refunds` per currency.
    #[cfg_attr(feature = "openapi", schema(value_type = BTreeMap<String, String>))]
    pub net_revenue: Money,
    /// `revenue / orders` per currency, rounded to the currency amounts' decimals.
    #[cfg_attr(feature = "openapi", schema(value_type = BTreeMap<String, String>))]
    pub average_order_value: Money,
    pub orders_by_currency: BTreeMap<String, i64>,
}

/// `GET /api/stats`: the period's figures at the top level, the period before in `previous`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatsResponse {
    pub shops: Vec<String>,
    #[serde(flatten)]
    pub current: Figures,
    /// The period of equal length just before (for "+12% vs last period").
    pub previous: Figures,
}

/// Bucket widths of the revenue series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Bucket {
    Hour,
    Day,
    Week,
}

impl Bucket {
    /// The name used in `?bucket=` and in answers.
    pub fn as_str(self) -> &'static str {
        match self {
            Bucket::Hour => "hour",
            Bucket::Day => "day",
            Bucket::Week => "week",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SeriesPoint {
    /// Bucket start, wall-clock time in the shop's time zone (no offset).
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = String, example = "2025-07-01T00:00:00")
    )]
    pub start: NaiveDateTime,
    pub orders_count: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = BTreeMap<String, String>))]
    pub revenue: Money,
    #[cfg_attr(feature = "openapi", schema(value_type = BTreeMap<String, String>))]
    pub refunds: Money,
}

/// `GET /api/revenue-series`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SeriesResponse {
    pub shops: Vec<String>,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub bucket: Bucket,
    /// The zone bucket starts are in: the shops' zone when they share one, else `"shop local"`.
    pub time_zone: String,
    pub currencies: Vec<String>,
    pub points: Vec<SeriesPoint>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TopCustomer {
    pub shop: String,
    pub customer_id: i64,
    /// First and last name, or `null` when unknown or redacted.
    pub name: Option<String>,
    pub email: Option<String>,
    pub orders_count: i64,
    /// Net spend: counted orders' totals minus their refunds.
    pub spent: String,
    pub last_order_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CurrencyRanking {
    pub currency: String,
    pub customers: Vec<TopCustomer>,
}

/// `GET /api/top-customers`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TopCustomersResponse {
    pub shops: Vec<String>,
    /// One ranking per currency (amounts in different currencies are never compared).
    pub by_currency: Vec<CurrencyRanking>,
}
