//! Shopify's scalars and money types as the schema renders them: `DateTime` as
//! `2024-01-02T03:04:05Z`, `Decimal` and `UnsignedInt64` as strings, and
//! `MoneyBag { shopMoney presentmentMoney }` of `MoneyV2 { amount currencyCode }`.

use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, SimpleObject, Value};
use chrono::Utc;

use crate::graphql::codes::CurrencyCode;
use crate::store;

// ---------- scalars ----------

/// `DateTime`: ISO 8601 in UTC with a `Z`.
#[derive(Debug, Clone, Copy)]
pub struct DateTime(pub chrono::DateTime<Utc>);

#[Scalar(name = "DateTime")]
impl ScalarType for DateTime {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) => chrono::DateTime::parse_from_rfc3339(s)
                .map(|t| DateTime(t.with_timezone(&Utc)))
                .map_err(|_| InputValueError::expected_type(value)),
            _ => Err(InputValueError::expected_type(value)),
        }
    }
    fn to_value(&self) -> Value {
        Value::String(self.0.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
    }
}

pub fn dt(t: chrono::DateTime<Utc>) -> DateTime {
    DateTime(t)
}

/// `Decimal`: an exact amount as a string (`"199.00"`).
#[derive(Debug, Clone, Copy)]
pub struct Decimal(pub rust_decimal::Decimal);

#[Scalar(name = "Decimal")]
impl ScalarType for Decimal {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) => s
                .parse()
                .map(Decimal)
                .map_err(|_| InputValueError::expected_type(value)),
            _ => Err(InputValueError::expected_type(value)),
        }
    }
    fn to_value(&self) -> Value {
        Value::String(self.0.to_string())
    }
}

/// `Money`: an amount as a string (`"199.00"`), what Shopify types `ProductVariant.price` as.
#[derive(Debug, Clone, Copy)]
pub struct Money(pub rust_decimal::Decimal);

#[Scalar(name = "Money")]
impl ScalarType for Money {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) => s
                .parse()
                .map(Money)
                .map_err(|_| InputValueError::expected_type(value)),
            _ => Err(InputValueError::expected_type(value)),
        }
    }
    fn to_value(&self) -> Value {
        Value::String(self.0.to_string())
    }
}

/// `URL`: an absolute URL, as a string.
#[derive(Debug, Clone)]
pub struct Url(pub String);

#[Scalar(name = "URL")]
impl ScalarType for Url {
    fn parse(value: Value) -> InputValueResult<Self> {
        match value {
            Value::String(s) => Ok(Url(s)),
            other => Err(InputValueError::expected_type(other)),
        }
    }
    fn to_value(&self) -> Value {
        Value::String(self.0.clone())
    }
}

/// `HTML`: a text of HTML markup, as a string.
#[derive(Debug, Clone)]
pub struct Html(pub String);

#[Scalar(name = "HTML")]
impl ScalarType for Html {
    fn parse(value: Value) -> InputValueResult<Self> {
        match value {
            Value::String(s) => Ok(Html(s)),
            other => Err(InputValueError::expected_type(other)),
        }
    }
    fn to_value(&self) -> Value {
        Value::String(self.0.clone())
    }
}

/// `UnsignedInt64`: a 64-bit count or id, as a string.
#[derive(Debug, Clone, Copy)]
pub struct UnsignedInt64(pub u64);

#[Scalar(name = "UnsignedInt64")]
impl ScalarType for UnsignedInt64 {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) => s
                .parse()
                .map(UnsignedInt64)
                .map_err(|_| InputValueError::expected_type(value)),
            Value::Number(n) => n
                .as_u64()
                .map(UnsignedInt64)
                .ok_or_else(|| InputValueError::expected_type(value)),
            _ => Err(InputValueError::expected_type(value)),
        }
    }
    fn to_value(&self) -> Value {
        Value::String(self.0.to_string())
    }
}

// ---------- money ----------

/// `MoneyV2`.
#[derive(Debug, Clone, SimpleObject)]
pub struct MoneyV2 {
    pub amount: Decimal,
    pub currency_code: CurrencyCode,
}

/// `MoneyBag`: the same amount in shop and presentment currency.
#[derive(Debug, Clone, SimpleObject)]
pub struct MoneyBag {
    pub shop_money: MoneyV2,
    pub presentment_money: MoneyV2,
}

pub fn money(amount: rust_decimal::Decimal, currency: &str) -> MoneyV2 {
    MoneyV2 {
        amount: Decimal(store::round_money(amount, currency)),
        currency_code: CurrencyCode::of(currency),
    }
}

pub fn bag(amount: rust_decimal::Decimal, currency: &str) -> MoneyBag {
    MoneyBag {
        shop_money: money(amount, currency),
        presentment_money: money(amount, currency),
    }
}
