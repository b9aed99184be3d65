//! Reading a JWT before any key is chosen: the bearer scheme, the header (`alg`, `kid`, no
//! `crit`), the claims the checks need, and what a rejection may repeat of them.

use base64::Engine as _;
use serde::Deserialize;

use super::rejection::Rejection;

pub(super) use super::MAX_TOKEN_LEN;

/// The longest header read, base64url: 2 KiB, about 1.5 KB of JSON. Graph's are about 150
/// bytes (`typ`, `alg`, `x5t`, `kid`); a longer one is refused unread, so a forged token cannot
/// make the check parse kilobytes of nested JSON before any key is chosen.
const MAX_HEADER_LEN: usize = 2048;

/// The part of a JWT header read before any key is chosen. Whatever else the header says
/// (`jku`, `x5u`, `jwk`, `x5c`: keys or places to fetch one) is ignored: the key is always one of
/// Graph's, chosen by `kid`.
pub(super) struct RawHeader {
    pub(super) alg: String,
    pub(super) kid: Option<String>,
}

/// A compact JWS cut in its parts, its header read.
pub(super) struct Parts<'a> {
    pub(super) header: RawHeader,
    /// `header.claims`, the text the signature is over.
    pub(super) signed: &'a str,
    /// The claims, base64url.
    pub(super) claims: &'a str,
    /// The signature, base64url.
    pub(super) signature: &'a str,
}

/// The claims the checks and `VerifiedClaims` need. A claim of the wrong type, or one named
/// twice, makes the token malformed.
#[derive(Deserialize)]
pub(super) struct Claims {
    // Optional here so that a missing one is reported as missing, by name.
    #[serde(default)]
    pub(super) iss: Option<String>,
    #[serde(default)]
    pub(super) aud: Option<Audience>,
    #[serde(default)]
    pub(super) exp: Option<u64>,
    #[serde(default)]
    pub(super) nbf: Option<u64>,
    #[serde(default)]
    pub(super) iat: Option<u64>,
    #[serde(default)]
    pub(super) tid: Option<String>,
    #[serde(default)]
    pub(super) appid: Option<String>,
    #[serde(default)]
    pub(super) azp: Option<String>,
}

/// `aud`: one audience or several (RFC 7519 section 4.1.3).
#[derive(Deserialize)]
#[serde(untagged)]
pub(super) enum Audience {
    One(String),
    Many(Vec<String>),
}

impl Audience {
    pub(super) fn contains(&self, audience: &str) -> bool {
        match self {
            Audience::One(one) => one == audience,
            Audience::Many(many) => many.iter().any(|one| one == audience),
        }
    }
}

/// `Bearer <token>`: the scheme in any letter case (RFC 7235), one or more spaces, a token.
pub(super) fn bearer_token(value: &[u8]) -> Option<&str> {
    let value = std::str::from_utf8(value).ok()?.trim();
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim_start();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

pub(super) fn split(token: &str) -> Result<Parts<'_>, Rejection> {
    if token.len() > MAX_TOKEN_LEN {
        return Err(Rejection::Malformed);
    }
    let (signed, signature) = token.rsplit_once('.').ok_or(Rejection::Malformed)?;
    let (header, claims) = signed.split_once('.').ok_or(Rejection::Malformed)?;
    if header.is_empty() || claims.is_empty() || claims.contains('.') {
        return Err(Rejection::Malformed);
    }
    if header.len() > MAX_HEADER_LEN {
        return Err(Rejection::Malformed);
    }
    Ok(Parts {
        header: read_header(header)?,
        signed,
        claims,
        signature,
    })
}

/// The header as read: the three members the checks need, each at most once; every other
/// member is skipped unread (no value of it is kept).
#[derive(Deserialize)]
struct HeaderFields {
    #[serde(default)]
    alg: Option<HeaderText>,
    /// `None` when absent; `Some(None)` for `"kid": null`, which is no key id either, and
    /// malformed.
    #[serde(default, deserialize_with = "present")]
    kid: Option<Option<String>>,
    /// Whether the member is there at all, whatever its value (`"crit": null` included).
    #[serde(default, deserialize_with = "there")]
    crit: bool,
}

/// A member that is present, its value read as `T` (`null` included, as `None`).
fn present<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(
    deserializer: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(deserializer).map(Some)
}

/// A member that is present, its value skipped.
fn there<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    serde::de::IgnoredAny::deserialize(deserializer).map(|_| true)
}

/// `alg`, which must be a string; any other JSON type reads as no algorithm known.
#[derive(Deserialize)]
#[serde(untagged)]
enum HeaderText {
    Text(String),
    Other(serde::de::IgnoredAny),
}

fn read_header(header: &str) -> Result<RawHeader, Rejection> {
    let bytes = decode(header)?;
    // A JSON object: a struct would also take an array, by position.
    if bytes.trim_ascii_start().first() != Some(&b'{') {
        return Err(Rejection::Malformed);
    }
    // A member named twice (`alg`, `kid` or `crit`) is refused: which one would the signer
    // have meant?
    let header: HeaderFields = serde_json::from_slice(&bytes).map_err(|_| Rejection::Malformed)?;
    // Extensions the sender marks as critical must be understood (RFC 7515, 4.1.11); none is.
    if header.crit {
        return Err(Rejection::Malformed);
    }
    let alg = match header.alg {
        Some(HeaderText::Text(alg)) => alg,
        _ => String::new(),
    };
    let kid = match header.kid {
        None => None,
        Some(Some(kid)) => Some(kid),
        Some(None) => return Err(Rejection::Malformed),
    };
    Ok(RawHeader { alg, kid })
}

/// The claims of a token whose signature held.
pub(super) fn read_claims(claims: &str) -> Result<Claims, Rejection> {
    let bytes = decode(claims)?;
    // A JSON object (RFC 7519 section 7.2): a struct would also take an array, by position.
    if bytes.trim_ascii_start().first() != Some(&b'{') {
        return Err(Rejection::Malformed);
    }
    serde_json::from_slice(&bytes).map_err(|_| Rejection::Malformed)
}

/// A base64url part (no padding, RFC 7515 section 2).
pub(super) fn decode(part: &str) -> Result<Vec<u8>, Rejection> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|_| Rejection::Malformed)
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
        assert!(split("a.b").is_err());
        assert!(split("a.b.c.d").is_err());
        assert!(split(".e30.").is_err());
        // `[]` and `"x"` in base64url: JSON, but not objects.
        assert!(split("W10.e30.x").is_err());
        assert!(split("Ingi.e30.x").is_err());
        let parts = split("eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.e30.x").unwrap();
        assert_eq!(parts.header.alg, "RS256");
        assert_eq!(parts.header.kid.as_deref(), Some("k1"));
        assert_eq!(parts.signed, "eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.e30");
        assert_eq!((parts.claims, parts.signature), ("e30", "x"));
        assert!(split(&"a".repeat(MAX_TOKEN_LEN + 1)).is_err());
        let crit = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(br#"{"alg":"RS256","kid":"k1","crit":["exp"]}"#);
        assert!(split(&format!("{crit}.e30.x")).is_err());
        // Padding is not base64url as JWS writes it.
        assert!(split("eyJhbGciOiJSUzI1NiJ9=.e30.x").is_err());
    }

    #[test]
    fn header_members_named_twice_are_malformed() {
        let encode = |json: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json);
        for twice in [
            r#"{"alg":"none","alg":"RS256","kid":"k1"}"#,
            r#"{"alg":"RS256","alg":"RS256","kid":"k1"}"#,
            r#"{"alg":"RS256","kid":"k0","kid":"k1"}"#,
            r#"{"alg":"RS256","kid":"k1","kid":"k1"}"#,
        ] {
            assert!(
                split(&format!("{}.e30.x", encode(twice))).is_err(),
                "{twice}"
            );
        }
        // Other members are skipped, whatever they hold; a `kid` that is not text is malformed.
        let other =
            encode(r#"{"alg":"RS256","kid":"k1","x5u":{"a":[1,2,{"b":null}]},"typ":"JWT"}"#);
        assert_eq!(
            split(&format!("{other}.e30.x"))
                .unwrap()
                .header
                .kid
                .as_deref(),
            Some("k1")
        );
        assert!(split(&format!("{}.e30.x", encode(r#"{"alg":"RS256","kid":7}"#))).is_err());
        assert!(split(&format!(
            "{}.e30.x",
            encode(r#"{"alg":"RS256","kid":null}"#)
        ))
        .is_err());
        // `crit` refuses the token whatever its value, `null` too.
        for crit in ["null", "[]", "[\"exp\"]", "{}"] {
            let header = format!(r#"{{"alg":"RS256","kid":"k1","crit":{crit}}}"#);
            assert!(
                split(&format!("{}.e30.x", encode(&header))).is_err(),
                "{crit}"
            );
        }
        let token = format!("{}.e30.x", encode(r#"{"alg":7,"kid":"k1"}"#));
        assert_eq!(split(&token).unwrap().header.alg, "");
    }

    #[test]
    fn a_header_longer_than_graphs_ever_are_is_refused_unread() {
        let encode = |json: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json);
        // Nested arrays in a member no check reads, within the token's own cap.
        let nested = format!("{}{}", "[".repeat(100), "]".repeat(100));
        let header = format!(
            r#"{{"alg":"RS256","kid":"k1","x":[{}]}}"#,
            vec![nested; 57].join(",")
        );
        let token = format!("{}.e30.x", encode(&header));
        assert!(token.len() < MAX_TOKEN_LEN);
        assert!(matches!(split(&token), Err(Rejection::Malformed)));
        // Graph's own kind of header, with room to spare, is read.
        let graph = r#"{"typ":"JWT","alg":"RS256","x5t":"nOo3ZDrODXEK1jKWhXslHR_KXEg","kid":"nOo3ZDrODXEK1jKWhXslHR_KXEg"}"#;
        let padded = format!(r#"{{"pad":"{}",{}"#, "p".repeat(1200), &graph[1..]);
        assert!(encode(&padded).len() <= MAX_HEADER_LEN);
        assert_eq!(
            split(&format!("{}.e30.x", encode(&padded)))
                .unwrap()
                .header
                .kid
                .as_deref(),
            Some("nOo3ZDrODXEK1jKWhXslHR_KXEg")
        );
    }

    #[test]
    fn claims_of_the_wrong_type_or_named_twice_are_malformed() {
        let encode = |json: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json);
        let claims = read_claims(&encode(r#"{"aud":["a","b"],"exp":1,"x":{}}"#)).unwrap();
        assert!(claims.aud.unwrap().contains("b"));
        assert!(read_claims(&encode(r#"{"aud":"a"}"#))
            .unwrap()
            .aud
            .unwrap()
            .contains("a"));
        for bad in [
            r#"{"exp":1.5}"#,
            r#"{"exp":"1"}"#,
            r#"{"nbf":-1}"#,
            r#"{"aud":7}"#,
            r#"{"iss":["a"]}"#,
            r#"{"exp":1,"exp":2}"#,
            "[]",
        ] {
            assert!(read_claims(&encode(bad)).is_err(), "{bad}");
        }
    }
}
