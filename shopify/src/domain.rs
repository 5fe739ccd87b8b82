//! Shop domains: the one identity every table, config entry and webhook header shares.
//!
//! Shopify's security guidance accepts a shop only when it matches
//! `^[a-zA-Z0-9][a-zA-Z0-9-]*\.myshopify\.com$`. Config loading, the webhook receiver and the
//! simulator all go through [`normalize_shop_domain`] so `Acme.myshopify.com.` and
//! `acme.myshopify.com` are the same shop everywhere.

use thiserror::Error;

/// The suffix every shop domain carries.
const SUFFIX: &str = ".myshopify.com";

/// Why a string is not a shop domain.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DomainError {
    /// Nothing left after trimming.
    #[error("shop domain is empty")]
    Empty,
    /// The domain does not end in `.myshopify.com` (custom domains are not shop ids).
    #[error("shop domain `{0}` does not end in `.myshopify.com`")]
    NotMyshopify(String),
    /// Nothing before `.myshopify.com`.
    #[error("shop domain `{0}` has no shop name before `.myshopify.com`")]
    MissingName(String),
    /// The shop name starts with a hyphen.
    #[error("shop domain `{0}` must start with a letter or digit")]
    BadStart(String),
    /// The shop name holds something other than ASCII letters, digits and hyphens.
    #[error("shop domain `{domain}` contains `{ch}`; only letters, digits and `-` are allowed")]
    BadChar {
        /// The normalised domain that was checked.
        domain: String,
        /// The first character that is not allowed.
        ch: char,
    },
}

/// Trims, lowercases and strips one trailing dot, then applies Shopify's check.
///
/// Returns the canonical form (`acme.myshopify.com`) used as the `shop_domain` key.
pub fn normalize_shop_domain(input: &str) -> Result<String, DomainError> {
    let trimmed = input.trim();
    let trimmed = trimmed.strip_suffix('.').unwrap_or(trimmed);
    if trimmed.is_empty() {
        return Err(DomainError::Empty);
    }
    let domain = trimmed.to_ascii_lowercase();
    let Some(name) = domain.strip_suffix(SUFFIX) else {
        return Err(DomainError::NotMyshopify(domain));
    };
    let Some(first) = name.chars().next() else {
        return Err(DomainError::MissingName(domain));
    };
    if !first.is_ascii_alphanumeric() {
        return Err(DomainError::BadStart(domain));
    }
    if let Some(ch) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '-'))
    {
        return Err(DomainError::BadChar { domain, ch });
    }
    Ok(domain)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_and_normalises() {
        assert_eq!(
            normalize_shop_domain("  Acme-1.MyShopify.com. ").unwrap(),
            "acme-1.myshopify.com"
        );
        assert_eq!(
            normalize_shop_domain("9lives.myshopify.com").unwrap(),
            "9lives.myshopify.com"
        );
    }

    #[test]
    fn rejects_with_a_reason() {
        assert_eq!(normalize_shop_domain("  "), Err(DomainError::Empty));
        assert_eq!(normalize_shop_domain("."), Err(DomainError::Empty));
        assert!(matches!(
            normalize_shop_domain("acme.com"),
            Err(DomainError::NotMyshopify(_))
        ));
        assert!(matches!(
            normalize_shop_domain(".myshopify.com"),
            Err(DomainError::MissingName(_))
        ));
        assert!(matches!(
            normalize_shop_domain("-acme.myshopify.com"),
            Err(DomainError::BadStart(_))
        ));
        assert!(matches!(
            normalize_shop_domain("evil.com/x.myshopify.com"),
            Err(DomainError::BadChar { ch: '.', .. })
        ));
        assert!(matches!(
            normalize_shop_domain("acme.myshopify.com.."),
            Err(DomainError::NotMyshopify(_))
        ));
        assert!(matches!(
            normalize_shop_domain("a_b.myshopify.com"),
            Err(DomainError::BadChar { ch: '_', .. })
        ));
        assert!(matches!(
            normalize_shop_domain("café.myshopify.com"),
            Err(DomainError::BadChar { ch: 'é', .. })
        ));
        let msg = normalize_shop_domain("acme.com").unwrap_err().to_string();
        assert!(msg.contains("myshopify.com"), "{msg}");
    }
}
