//! Reading a JWT before any key is chosen: the bearer scheme, the header (`alg`, `kid`, no
//! `crit`), the claims the checks need, and what a rejection may repeat of them.

use base64::Engine as _;
use serde::Deserialize;

use super::rejection::Rejection;

/// Tokens longer than this are refused unread (Graph's are about 1 KB).
pub(super) const MAX_TOKEN_LEN: usize = 16 * 1024;

/// The part of a JWT header read before any key is chosen.
pub(super) struct RawHeader {
    pub(super) alg: String,
    pub(super) kid: Option<String>,
}

/// The claims the checks and `VerifiedClaims` need.
#[derive(Deserialize)]
pub(super) struct Claims {
    // Optional here so that a missing one is reported as missing by the library's check.
    #[serde(default)]
    pub(super) iss: Option<String>,
    #[serde(default)]
    pub(super) exp: Option<u64>,
    #[serde(default)]
    pub(super) iat: Option<u64>,
    #[serde(default)]
    pub(super) tid: Option<String>,
    #[serde(default)]
    pub(super) appid: Option<String>,
    #[serde(default)]
    pub(super) azp: Option<String>,
}

/// `Bearer <token>`: the scheme in any letter case (RFC 7235), one or more spaces, a token.
pub(super) fn bearer_token(value: &[u8]) -> Option<&str> {
    let value = std::str::from_utf8(value).ok()?.trim();
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim_start();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

pub(super) fn read_header(token: &str) -> Result<RawHeader, Rejection> {
    if token.len() > MAX_TOKEN_LEN {
        return Err(Rejection::Malformed);
    }
    let mut parts = token.split('.');
    let (Some(header), Some(claims), Some(_signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(Rejection::Malformed);
    };
    if header.is_empty() || claims.is_empty() {
        return Err(Rejection::Malformed);
    }
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(header)
        .map_err(|_| Rejection::Malformed)?;
    // A JSON object, read as a map: a struct would also take an array, by position.
    let mut header: serde_json::Map<String, serde_json::Value> =
        serde_json::from_slice(&bytes).map_err(|_| Rejection::Malformed)?;
    // Extensions the sender marks as critical must be understood (RFC 7515, 4.1.11); none is.
    if header.contains_key("crit") {
        return Err(Rejection::Malformed);
    }
    let alg = match header.remove("alg") {
        Some(serde_json::Value::String(alg)) => alg,
        _ => String::new(),
    };
    let kid = match header.remove("kid") {
        Some(serde_json::Value::String(kid)) => Some(kid),
        None => None,
        Some(_) => return Err(Rejection::Malformed),
    };
    Ok(RawHeader { alg, kid })
}

/// The registered JWS algorithm names (RFC 7518 section 3.1), so a rejection can name the
/// algorithm without repeating whatever else a forged header holds.
pub(super) fn known_algorithm(alg: &str) -> &'static str {
    const NAMES: [&str; 14] = [
        "none", "HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "ES256", "ES384", "ES512",
        "PS256", "PS384", "PS512", "EdDSA",
    ];
    NAMES
        .iter()
        .find(|name| **name == alg)
        .copied()
        .unwrap_or("unrecognised")
}

/// The issuer of a token whose signature has been verified, for the rejection's message.
pub(super) fn signed_issuer(token: &str) -> String {
    #[derive(Deserialize)]
    struct Issuer {
        #[serde(default)]
        iss: String,
    }
    jsonwebtoken::dangerous::insecure_decode::<Issuer>(token)
        .map(|data| shorten(&data.claims.iss))
        .unwrap_or_default()
}

pub(super) fn shorten(value: &str) -> String {
    value.chars().take(100).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_scheme_is_case_insensitive_and_needs_a_token() {
        assert_eq!(bearer_token(b"Bearer abc"), Some("abc"));
        assert_eq!(bearer_token(b"bearer   abc "), Some("abc"));
        assert_eq!(bearer_token(b"BEARER abc"), Some("abc"));
        assert_eq!(bearer_token(b"Bearer "), None);
        assert_eq!(bearer_token(b"Bearer"), None);
        assert_eq!(bearer_token(b"Basic abc"), None);
        assert_eq!(bearer_token(b"Bearerabc"), None);
        assert_eq!(bearer_token(b"Bearer \xff"), None);
    }

    #[test]
    fn only_registered_algorithm_names_are_repeated() {
        assert_eq!(known_algorithm("HS256"), "HS256");
        assert_eq!(known_algorithm("none"), "none");
        assert_eq!(known_algorithm("hs256"), "unrecognised");
        assert_eq!(known_algorithm("<script>"), "unrecognised");
    }

    #[test]
    fn headers_that_are_not_json_objects_are_malformed() {
        assert!(read_header("a.b").is_err());
        assert!(read_header("a.b.c.d").is_err());
        assert!(read_header(".e30.").is_err());
        // `[]` and `"x"` in base64url: JSON, but not objects.
        assert!(read_header("W10.e30.x").is_err());
        assert!(read_header("Ingi.e30.x").is_err());
        let header = read_header("eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.e30.x").unwrap();
        assert_eq!(header.alg, "RS256");
        assert_eq!(header.kid.as_deref(), Some("k1"));
        assert!(read_header(&"a".repeat(MAX_TOKEN_LEN + 1)).is_err());
        let crit = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(br#"{"alg":"RS256","kid":"k1","crit":["exp"]}"#);
        assert!(read_header(&format!("{crit}.e30.x")).is_err());
    }
}
