//! Typed, path-aware reads from a JSON object: the one place that decides how loosely a
//! Shopify value may be typed (ids as numbers, numeric strings or gids; money as strings or
//! numbers) and how an error names its field. Shared by every resource module and by
//! `notices.rs`, together with the GraphQL node helpers at the end (ids of nodes and of
//! referenced nodes, children of a connection, prices as scalar or `MoneyV2`).

use std::str::FromStr;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde_json::{Map, Value};

use crate::error::PayloadError;

type Result<T> = std::result::Result<T, PayloadError>;

/// A JSON object being read as one record of `resource`; `prefix` is the path of the object
/// inside its record (`default_address`), empty at the top.
#[derive(Clone, Copy)]
pub(crate) struct Fields<'a> {
    pub resource: &'static str,
    obj: &'a Map<String, Value>,
    prefix: &'a str,
}

impl<'a> Fields<'a> {
    /// Starts reading `v`, which must be a JSON object.
    pub fn new(resource: &'static str, v: &'a Value) -> Result<Self> {
        match v {
            Value::Object(obj) => Ok(Fields {
                resource,
                obj,
                prefix: "",
            }),
            other => Err(PayloadError::invalid(
                resource,
                "(body)",
                format!("is not a JSON object but {}", kind(other)),
            )),
        }
    }

    /// The full path of `key` for error messages.
    pub fn path(&self, key: &str) -> String {
        if self.prefix.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.prefix)
        }
    }

    pub(crate) fn bad(&self, key: &str, problem: String) -> PayloadError {
        PayloadError::invalid(self.resource, self.path(key), problem)
    }

    /// The value under `key`, `None` when absent or `null`.
    pub fn get(&self, key: &str) -> Option<&'a Value> {
        match self.obj.get(key) {
            None | Some(Value::Null) => None,
            Some(v) => Some(v),
        }
    }

    /// True when the key is present (even as `null`).
    pub fn has(&self, key: &str) -> bool {
        self.obj.contains_key(key)
    }

    /// A nested object, `None` when absent or `null`.
    pub fn object(&self, key: &'a str) -> Result<Option<Fields<'a>>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Object(obj)) => Ok(Some(Fields {
                resource: self.resource,
                obj,
                prefix: key,
            })),
            Some(other) => Err(self.bad(key, format!("not an object but {}", kind(other)))),
        }
    }

    /// An array, empty when absent or `null`.
    pub fn array(&self, key: &str) -> Result<&'a [Value]> {
        match self.get(key) {
            None => Ok(&[]),
            Some(Value::Array(items)) => Ok(items),
            Some(other) => Err(self.bad(key, format!("not an array but {}", kind(other)))),
        }
    }

    pub fn str(&self, key: &str) -> Result<Option<String>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(self.bad(key, format!("not a string but {}", kind(other)))),
        }
    }

    /// A string lowercased (GraphQL enums such as `PARTIALLY_REFUNDED` → REST spelling).
    pub fn lower(&self, key: &str) -> Result<Option<String>> {
        Ok(self.str(key)?.map(|s| s.to_ascii_lowercase()))
    }

    pub fn bool(&self, key: &str) -> Result<Option<bool>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(other) => Err(self.bad(key, format!("not a boolean but {}", kind(other)))),
        }
    }

    /// An id: a JSON integer, a string of digits, or a `gid://shopify/Type/123` gid.
    pub fn id(&self, key: &str) -> Result<Option<i64>> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => id_value(v).map(Some).map_err(|p| self.bad(key, p)),
        }
    }

    pub fn req_id(&self, key: &str) -> Result<i64> {
        self.id(key)?
            .ok_or_else(|| PayloadError::missing(self.resource, self.path(key)))
    }

    /// An integer (JSON number or numeric string, as GraphQL's `UnsignedInt64`).
    pub fn i64(&self, key: &str) -> Result<Option<i64>> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => int_value(v).map(Some).map_err(|p| self.bad(key, p)),
        }
    }

    pub fn i32(&self, key: &str) -> Result<Option<i32>> {
        match self.i64(key)? {
            None => Ok(None),
            Some(n) => i32::try_from(n)
                .map(Some)
                .map_err(|_| self.bad(key, format!("out of range: {n}"))),
        }
    }

    pub fn decimal(&self, key: &str) -> Result<Option<Decimal>> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => decimal_value(v).map(Some).map_err(|p| self.bad(key, p)),
        }
    }

    pub fn time(&self, key: &str) -> Result<Option<DateTime<Utc>>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => DateTime::parse_from_rfc3339(s.trim())
                .map(|t| Some(t.with_timezone(&Utc)))
                .map_err(|_| self.bad(key, format!("not an RFC 3339 timestamp: {s:?}"))),
            Some(other) => Err(self.bad(key, format!("not a timestamp but {}", kind(other)))),
        }
    }

    pub fn req_time(&self, key: &str) -> Result<DateTime<Utc>> {
        self.time(key)?
            .ok_or_else(|| PayloadError::missing(self.resource, self.path(key)))
    }

    /// A money bag: REST `{shop_money:{amount,currency_code}}` or GraphQL
    /// `{shopMoney:{amount,currencyCode}}`, or a GraphQL `MoneyV2` `{amount,currencyCode}`.
    /// Returns the shop-currency amount and its currency.
    pub fn money(&self, key: &'a str) -> Result<Option<(Decimal, Option<String>)>> {
        let Some(bag) = self.object(key)? else {
            return Ok(None);
        };
        let shop = match bag.object("shop_money")? {
            Some(shop) => Some(shop),
            None => bag.object("shopMoney")?,
        };
        let money = shop.unwrap_or(bag);
        let Some(amount) = money.decimal("amount")? else {
            return Err(PayloadError::missing(
                self.resource,
                self.path(&format!(
                    "{key}.{}amount",
                    if shop.is_some() { "shop_money." } else { "" }
                )),
            ));
        };
        let currency = match money.str("currency_code")? {
            Some(c) => Some(c),
            None => money.str("currencyCode")?,
        };
        Ok(Some((amount, currency)))
    }

    /// The presentment side of a money bag: REST `{presentment_money:{amount,currency_code}}`
    /// or GraphQL `{presentmentMoney:{amount,currencyCode}}`; `None` when the bag or its
    /// presentment side is absent.
    pub fn presentment_money(&self, key: &'a str) -> Result<Option<(Decimal, Option<String>)>> {
        let Some(bag) = self.object(key)? else {
            return Ok(None);
        };
        let money = match bag.object("presentment_money")? {
            Some(m) => m,
            None => match bag.object("presentmentMoney")? {
                Some(m) => m,
                None => return Ok(None),
            },
        };
        let Some(amount) = money.decimal("amount")? else {
            return Err(PayloadError::missing(
                self.resource,
                self.path(&format!("{key}.{}.amount", money.prefix)),
            ));
        };
        let currency = match money.str("currency_code")? {
            Some(c) => Some(c),
            None => money.str("currencyCode")?,
        };
        Ok(Some((amount, currency)))
    }

    /// The amount of [`Fields::money`], else the plain decimal under `fallback`.
    pub fn money_or(&self, key: &'a str, fallback: &str) -> Result<Option<Decimal>> {
        match self.money(key)? {
            Some((amount, _)) => Ok(Some(amount)),
            None => self.decimal(fallback),
        }
    }

    /// Tags as REST spells them: a comma-separated string; a GraphQL array is joined with
    /// `", "`.
    pub fn tags(&self, key: &str) -> Result<Option<String>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(Value::Array(items)) => {
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    match item {
                        Value::String(s) => out.push(s.as_str()),
                        other => {
                            return Err(self.bad(
                                &format!("{key}[{i}]"),
                                format!("not a string but {}", kind(other)),
                            ))
                        }
                    }
                }
                Ok(Some(out.join(", ")))
            }
            Some(other) => Err(self.bad(key, format!("not a string or array but {}", kind(other)))),
        }
    }
}

/// The JSON type of a value, for error messages.
pub(crate) fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Shortens a user-supplied value for an error message.
fn snippet(s: &str) -> String {
    let mut out: String = s.chars().take(40).collect();
    if out.len() < s.len() {
        out.push('…');
    }
    format!("{out:?}")
}

/// Parses an id from a JSON integer, a digit string or a gid (`gid://shopify/Order/1?x=y`).
pub(crate) fn id_value(v: &Value) -> std::result::Result<i64, String> {
    match v {
        Value::Number(n) => n
            .as_i64()
            .ok_or_else(|| format!("not an integer id that fits 64 bits: {n}")),
        Value::String(s) => {
            let digits = match s.strip_prefix("gid://shopify/") {
                Some(rest) => {
                    let rest = rest.split('?').next().unwrap_or(rest);
                    rest.rsplit('/').next().unwrap_or(rest)
                }
                None => s.as_str(),
            };
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(format!("not an id: {}", snippet(s)));
            }
            digits
                .parse::<i64>()
                .map_err(|_| format!("id out of range: {}", snippet(s)))
        }
        other => Err(format!("not an id but {}", kind(other))),
    }
}

fn int_value(v: &Value) -> std::result::Result<i64, String> {
    match v {
        Value::Number(n) => n
            .as_i64()
            .ok_or_else(|| format!("not an integer that fits 64 bits: {n}")),
        Value::String(s) => s
            .trim()
            .parse::<i64>()
            .map_err(|_| format!("not an integer: {}", snippet(s))),
        other => Err(format!("not an integer but {}", kind(other))),
    }
}

/// Parses money exactly from a string or a JSON number's own text.
pub(crate) fn decimal_value(v: &Value) -> std::result::Result<Decimal, String> {
    let text = match v {
        Value::String(s) => s.trim().to_string(),
        Value::Number(n) => n.to_string(),
        other => return Err(format!("not a decimal but {}", kind(other))),
    };
    let parsed = if text.contains(['e', 'E']) {
        Decimal::from_scientific(&text)
    } else {
        Decimal::from_str(&text)
    };
    parsed.map_err(|_| format!("not a decimal: {}", snippet(&text)))
}

/// Adds exactly, reporting an overflow instead of panicking.
pub(crate) fn checked_sum(
    resource: &'static str,
    field: &str,
    values: impl IntoIterator<Item = Decimal>,
) -> std::result::Result<Decimal, PayloadError> {
    values.into_iter().try_fold(Decimal::ZERO, |acc, v| {
        acc.checked_add(v)
            .ok_or_else(|| PayloadError::invalid(resource, field, "sum overflows a decimal"))
    })
}

/// Children of a GraphQL (or REST) node: a plain array, a connection `{edges:[{node}]}`, or
/// `{nodes:[…]}`. Absent or `null` is empty.
pub(crate) fn children<'a>(f: &Fields<'a>, key: &str) -> Result<Vec<&'a Value>> {
    match f.get(key) {
        None => Ok(Vec::new()),
        Some(Value::Array(items)) => Ok(items.iter().collect()),
        Some(Value::Object(conn)) => {
            if let Some(nodes) = conn.get("nodes") {
                match nodes {
                    Value::Array(items) => return Ok(items.iter().collect()),
                    Value::Null => return Ok(Vec::new()),
                    other => {
                        return Err(f.bad(
                            &format!("{key}.nodes"),
                            format!("not an array but {}", kind(other)),
                        ))
                    }
                }
            }
            match conn.get("edges") {
                None | Some(Value::Null) => Ok(Vec::new()),
                Some(Value::Array(edges)) => edges
                    .iter()
                    .enumerate()
                    .map(|(i, edge)| match edge.get("node") {
                        Some(node) if node.is_object() => Ok(node),
                        _ => Err(PayloadError::missing(
                            f.resource,
                            f.path(&format!("{key}.edges[{i}].node")),
                        )),
                    })
                    .collect(),
                Some(other) => Err(f.bad(
                    &format!("{key}.edges"),
                    format!("not an array but {}", kind(other)),
                )),
            }
        }
        Some(other) => Err(f.bad(
            key,
            format!("not an array or connection but {}", kind(other)),
        )),
    }
}

/// The numeric id of a GraphQL node: `legacyResourceId`, else the suffix of the gid in `id`.
pub(crate) fn node_id(f: &Fields<'_>) -> Result<i64> {
    match f.id("legacyResourceId")? {
        Some(id) => Ok(id),
        None => f.req_id("id"),
    }
}

/// The numeric id of a referenced node (`customer: {id, legacyResourceId}`).
pub(crate) fn ref_id<'a>(f: &Fields<'a>, key: &'a str) -> Result<Option<i64>> {
    match f.object(key)? {
        Some(r) => match r.id("legacyResourceId")? {
            Some(id) => Ok(Some(id)),
            None => r.id("id"),
        },
        None => Ok(None),
    }
}

/// Runs `parse` on each child under `key`, prefixing errors with the child's path.
pub(crate) fn each<'a, T>(
    f: &Fields<'a>,
    key: &str,
    mut parse: impl FnMut(&'a Value) -> Result<T>,
) -> Result<Vec<T>> {
    children(f, key)?
        .into_iter()
        .enumerate()
        .map(|(i, v)| parse(v).map_err(|e| e.within(&format!("{key}[{i}]"))))
        .collect()
}

/// A GraphQL price: the `Money` scalar (`"10.00"`) or, in older versions, `MoneyV2`.
pub(crate) fn money_or_scalar(
    f: &Fields<'_>,
    key: &'static str,
) -> Result<(Option<Decimal>, Option<String>)> {
    match f.get(key) {
        Some(Value::Object(_)) => Ok(match f.money(key)? {
            Some((amount, currency)) => (Some(amount), currency),
            None => (None, None),
        }),
        _ => Ok((f.decimal(key)?, None)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ids_from_numbers_strings_and_gids() {
        assert_eq!(id_value(&json!(450789469)), Ok(450789469));
        assert_eq!(id_value(&json!("8086707830829")), Ok(8086707830829));
        assert_eq!(
            id_value(&json!("gid://shopify/Order/18697849798701")),
            Ok(18697849798701)
        );
        assert_eq!(
            id_value(&json!(
                "gid://shopify/MailingAddress/40831289622573?model_name=Address"
            )),
            Ok(40831289622573)
        );
        assert!(id_value(&json!(1.5)).is_err());
        assert!(id_value(&json!(u64::MAX)).is_err());
        assert!(id_value(&json!("99999999999999999999")).is_err());
        assert!(id_value(&json!("gid://shopify/Order/")).is_err());
        assert!(id_value(&json!(true)).is_err());
    }

    #[test]
    fn decimals_exact_from_strings_and_numbers() {
        assert_eq!(
            decimal_value(&json!("598.94")).unwrap().to_string(),
            "598.94"
        );
        assert_eq!(decimal_value(&json!(598.94)).unwrap().to_string(), "598.94");
        assert_eq!(decimal_value(&json!(10)).unwrap().to_string(), "10");
        assert_eq!(decimal_value(&json!(1e3)).unwrap(), Decimal::from(1000));
        assert!(decimal_value(&json!("abc")).is_err());
        assert!(decimal_value(&json!(1e300)).is_err());
        assert!(decimal_value(&json!("1e300")).is_err());
        assert!(decimal_value(&json!([])).is_err());
    }

    #[test]
    fn sums_report_overflow() {
        let max = Decimal::MAX;
        assert!(checked_sum("order", "refunds", [max, max]).is_err());
        assert_eq!(
            checked_sum("order", "refunds", [Decimal::ONE, Decimal::TWO]).unwrap(),
            Decimal::from(3)
        );
    }
}
