//! Shopify's search syntax, as far as the simulator filters by it: the `query:` argument of
//! the `orders`, `customers` and `products` connections (`graphql/roots/query.rs`).
//!
//! A query is terms separated by whitespace, optionally joined by `AND`; a term is
//! `name:value` with a comparator `:`, `:<`, `:<=`, `:>`, `:>=` before the value, and a value
//! may be quoted in single or double quotes (Shopify's grammar: dates must be), so
//! `updated_at:<'2024-12-04 23:59:59+00:00'` and `updated_at:>="2024-12-04T00:00:00Z"` are
//! one term each. Terms on `updated_at`, `created_at` and `id` filter; other terms, and values
//! that do not parse, are ignored, as Shopify ignores what it cannot search by. Times are read
//! by `shop_time.rs`; one without an offset is read in the shop's time zone, as Shopify reads it.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::shop_time;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Op {
    Gt,
    Ge,
    Lt,
    Le,
    Eq,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Field {
    UpdatedAt,
    CreatedAt,
    Id,
}

/// A parsed `query:` argument.
#[derive(Debug, Clone, Default)]
pub struct SearchFilter {
    terms: Vec<(Field, Op, i64)>,
}

/// Splits a query into terms at whitespace outside quotes; the quotes stay in the term.
fn terms(query: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut term = String::new();
    let mut quote: Option<char> = None;
    for c in query.chars() {
        match (quote, c) {
            (None, '\'' | '"') => {
                quote = Some(c);
                term.push(c);
            }
            (Some(q), _) if c == q => {
                quote = None;
                term.push(c);
            }
            (None, _) if c.is_whitespace() => {
                if !term.is_empty() {
                    out.push(std::mem::take(&mut term));
                }
            }
            _ => term.push(c),
        }
    }
    if !term.is_empty() {
        out.push(term);
    }
    out
}

/// The value of a term without its surrounding quotes.
fn unquote(value: &str) -> &str {
    for q in ['\'', '"'] {
        if let Some(inner) = value.strip_prefix(q).and_then(|v| v.strip_suffix(q)) {
            return inner;
        }
    }
    value
}

impl SearchFilter {
    /// Parses Shopify's search syntax (see the module header), times in UTC.
    pub fn parse(query: Option<&str>) -> SearchFilter {
        SearchFilter::parse_in(query, Tz::UTC)
    }

    /// Parses Shopify's search syntax, reading a time without an offset in `zone`.
    pub fn parse_in(query: Option<&str>, zone: Tz) -> SearchFilter {
        let mut filter = SearchFilter::default();
        for term in terms(query.unwrap_or_default()) {
            let Some((name, rest)) = term.split_once(':') else {
                continue;
            };
            let field = match name {
                "updated_at" => Field::UpdatedAt,
                "created_at" => Field::CreatedAt,
                "id" => Field::Id,
                _ => continue,
            };
            let (op, value) = [(">=", Op::Ge), ("<=", Op::Le), (">", Op::Gt), ("<", Op::Lt)]
                .into_iter()
                .find_map(|(prefix, op)| rest.strip_prefix(prefix).map(|v| (op, v)))
                .unwrap_or((Op::Eq, rest));
            let value = unquote(value);
            let parsed = match field {
                Field::Id => value.parse().ok(),
                _ => shop_time::parse(value, zone).ok().map(|t| t.timestamp()),
            };
            if let Some(v) = parsed {
                filter.terms.push((field, op, v));
            }
        }
        filter
    }

    /// Whether an object passes every term.
    pub fn matches(&self, id: u64, created_at: DateTime<Utc>, updated_at: DateTime<Utc>) -> bool {
        self.terms.iter().all(|(field, op, v)| {
            let x = match field {
                Field::UpdatedAt => updated_at.timestamp(),
                Field::CreatedAt => created_at.timestamp(),
                Field::Id => id as i64,
            };
            match op {
                Op::Gt => x > *v,
                Op::Ge => x >= *v,
                Op::Lt => x < *v,
                Op::Le => x <= *v,
                Op::Eq => x == *v,
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn filter_parses_shopify_syntax() {
        let f = SearchFilter::parse(Some("updated_at:>'2024-01-01T00:00:00Z'"));
        assert!(f.matches(1, t("2020-01-01T00:00:00Z"), t("2024-01-01T00:00:01Z")));
        assert!(!f.matches(1, t("2020-01-01T00:00:00Z"), t("2024-01-01T00:00:00Z")));
        let f = SearchFilter::parse(Some(
            "updated_at:>='2024-01-01T00:00:00Z' AND created_at:<2023-01-01 status:any",
        ));
        assert!(f.matches(1, t("2022-01-01T00:00:00Z"), t("2024-01-01T00:00:00Z")));
        assert!(!f.matches(1, t("2023-01-02T00:00:00Z"), t("2024-01-01T00:00:00Z")));
    }

    #[test]
    fn quoted_values_with_spaces_are_one_term() {
        let f = SearchFilter::parse(Some("updated_at:<'2024-12-04 23:59:59+00:00'"));
        let created = t("2020-01-01T00:00:00Z");
        assert!(f.matches(1, created, t("2024-12-04T23:59:58Z")));
        assert!(!f.matches(1, created, t("2024-12-04T23:59:59Z")));
        let f = SearchFilter::parse(Some(
            r#"updated_at:>="2024-12-04T00:00:00Z" AND updated_at:<='2024-12-04 12:00:00-05:00'"#,
        ));
        assert!(f.matches(1, created, t("2024-12-04T00:00:00Z")));
        assert!(f.matches(1, created, t("2024-12-04T17:00:00Z")));
        assert!(!f.matches(1, created, t("2024-12-03T23:59:59Z")));
        assert!(!f.matches(1, created, t("2024-12-04T17:00:01Z")));
        assert_eq!(
            terms(r#"a:'x y' b:"p 'q' r"  c"#),
            vec!["a:'x y'", r#"b:"p 'q' r""#, "c"]
        );
    }

    #[test]
    fn unknown_terms_and_bad_values_are_ignored() {
        let zoned = SearchFilter::parse_in(
            Some("updated_at:>'2024-12-04 10:00:00'"),
            crate::shop_time::zone("America/New_York"),
        );
        let t = |s: &str| {
            chrono::DateTime::parse_from_rfc3339(s)
                .unwrap()
                .with_timezone(&Utc)
        };
        assert!(!zoned.matches(1, t("2024-12-04T14:30:00Z"), t("2024-12-04T14:30:00Z")));
        assert!(zoned.matches(1, t("2024-12-04T15:30:00Z"), t("2024-12-04T15:30:00Z")));
        let f = SearchFilter::parse(Some("title:'big shoe' updated_at:>'not a date' id:>5"));
        assert!(f.matches(6, t("2020-01-01T00:00:00Z"), t("2020-01-01T00:00:00Z")));
        assert!(!f.matches(5, t("2020-01-01T00:00:00Z"), t("2020-01-01T00:00:00Z")));
    }
}
