//! Webhook signatures: base64 of HMAC-SHA256 over the raw body, keyed with the app's client
//! secret (`X-Shopify-Hmac-Sha256`). The simulator signs with [`sign`]; the engine checks
//! with [`verify`], which accepts any of several secrets so a rotation window (Shopify may
//! sign with the old secret for up to an hour) loses nothing.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

type HmacSha256 = Hmac<Sha256>;

/// The raw 32-byte MAC of `body` under `secret`.
pub fn mac(secret: &[u8], body: &[u8]) -> [u8; 32] {
    let mut m = HmacSha256::new_from_slice(secret).expect("HMAC accepts any key length");
    m.update(body);
    m.finalize().into_bytes().into()
}

/// The `X-Shopify-Hmac-Sha256` header value for `body`.
pub fn sign(secret: &[u8], body: &[u8]) -> String {
    STANDARD.encode(mac(secret, body))
}

/// True when `header` is a valid signature of `body` under one of `secrets`.
///
/// An empty body, an undecodable header or a MAC of the wrong length never verifies. Every
/// secret is tried (no early exit) and each comparison is constant-time, so timing tells an
/// attacker nothing about which bytes matched.
pub fn verify<S: AsRef<[u8]>>(secrets: &[S], body: &[u8], header: &str) -> bool {
    if body.is_empty() {
        return false;
    }
    let Ok(given) = STANDARD.decode(header.trim()) else {
        return false;
    };
    if given.len() != 32 {
        return false;
    }
    let mut ok = subtle::Choice::from(0u8);
    for secret in secrets {
        ok |= mac(secret.as_ref(), body).ct_eq(&given[..]);
    }
    ok.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The vector from Shopify's documentation.
    #[test]
    fn matches_shopify_vector() {
        let body = br#""my secret message""#;
        assert_eq!(body.len(), 19);
        assert_eq!(
            sign(b"hush", body),
            "hMTq0K2x7oyOjoBwGYeTj5oxfnaVYXzbanUG9aajpKI="
        );
        assert!(verify(
            &[b"hush"],
            body,
            "hMTq0K2x7oyOjoBwGYeTj5oxfnaVYXzbanUG9aajpKI="
        ));
    }

    #[test]
    fn rejects_wrong_secret_truncated_and_empty() {
        let body = b"{\"id\":1}";
        let good = sign(b"s1", body);
        assert!(!verify(&[b"s2"], body, &good));
        assert!(!verify(&[b"s1"], body, &good[..good.len() - 4]));
        assert!(!verify(&[b"s1"], b"", &sign(b"s1", b"")));
        assert!(!verify(&[b"s1"], body, "not base64!"));
    }

    #[test]
    fn accepts_any_secret_of_a_rotation() {
        let body = b"{\"id\":1}";
        let old = sign(b"old", body);
        assert!(verify(&[b"new".as_slice(), b"old".as_slice()], body, &old));
    }
}
