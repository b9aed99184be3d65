//! Reading Graph's JWKS document: each RS256 signing key decoded and bounded once, every other
//! key left out with its reason logged.

use std::sync::Arc;

use serde::Deserialize;

use super::keys::Keys;
use super::rs256::RsaKey;

/// The RS256 signing keys of a JWKS document, each read once here, and how many other keys it
/// held. A key that is not an RSA signing key of 2048 to 4096 bits with a small odd exponent,
/// or that has no `kid`, is left out, and logged at debug level with the reason; a document that
/// is not `{"keys": [...]}` is an error.
pub(crate) fn parse_jwks(document: &[u8]) -> Result<(Keys, usize), String> {
    #[derive(Deserialize)]
    struct Jwks {
        keys: Vec<serde_json::Value>,
    }
    #[derive(Deserialize)]
    struct Jwk {
        kty: String,
        kid: String,
        #[serde(rename = "use", default)]
        use_: Option<String>,
        #[serde(default)]
        alg: Option<String>,
        n: String,
        e: String,
    }
    let jwks: Jwks = serde_json::from_slice(document)
        .map_err(|e| format!("not a JWKS document ({{\"keys\": [...]}}): {e}"))?;
    let total = jwks.keys.len();
    let mut keys = Keys::new();
    for (index, value) in jwks.keys.into_iter().enumerate() {
        let named = value
            .get("kid")
            .and_then(|kid| kid.as_str())
            .map(str::to_owned);
        let key = serde_json::from_value::<Jwk>(value)
            .map_err(|_| "not an RSA key with a kid, n and e".to_owned())
            .and_then(|jwk| {
                if jwk.kty != "RSA" {
                    return Err(format!("its kty is {:?}", jwk.kty));
                }
                if jwk.use_.as_deref().is_some_and(|u| u != "sig") {
                    return Err("it is not a signing key".into());
                }
                if jwk.alg.as_deref().is_some_and(|a| a != "RS256") {
                    return Err("it is not an RS256 key".into());
                }
                Ok((jwk.kid, RsaKey::from_jwk(&jwk.n, &jwk.e)?))
            });
        let reason = match key {
            Ok((kid, _)) if keys.contains_key(&kid) => "another key has its kid".to_owned(),
            Ok((kid, key)) => {
                keys.insert(kid, Arc::new(key));
                continue;
            }
            Err(reason) => reason,
        };
        // The kid as the document gives it, cut short: the log says which key, not more.
        let kid = named.map(|kid| kid.chars().take(64).collect::<String>());
        tracing::debug!(index, kid = ?kid, reason = %reason, "a key of Graph's JWKS is not used");
    }
    let skipped = total - keys.len();
    Ok((keys, skipped))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b64(bytes: &[u8]) -> String {
        use base64::Engine as _;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    }

    #[test]
    fn only_rsa_signing_keys_of_2048_to_4096_bits_are_kept() {
        let n2048 = b64(&[0xc5; 256]);
        let n1024 = b64(&[0xc5; 128]);
        let n8192 = b64(&[0xc5; 1024]);
        let padded = b64(&[[0u8].as_slice(), &[0xc5; 255]].concat());
        let doc = serde_json::json!({"keys": [
            {"kty": "RSA", "kid": "good", "use": "sig", "n": n2048, "e": "AQAB"},
            {"kty": "RSA", "kid": "no-use", "n": n2048, "e": "AQAB"},
            {"kty": "RSA", "kid": "short", "n": n1024, "e": "AQAB"},
            {"kty": "RSA", "kid": "long", "n": n8192, "e": "AQAB"},
            {"kty": "RSA", "kid": "huge-e", "n": n2048, "e": b64(&[0xff; 256])},
            {"kty": "RSA", "kid": "zero-led", "n": padded, "e": "AQAB"},
            {"kty": "RSA", "kid": "enc", "use": "enc", "n": n2048, "e": "AQAB"},
            {"kty": "RSA", "kid": "ps", "alg": "PS256", "n": n2048, "e": "AQAB"},
            {"kty": "EC", "kid": "ec", "crv": "P-256", "x": "AA", "y": "AA"},
            {"kty": "RSA", "n": n2048, "e": "AQAB"},
            {"kty": "RSA", "kid": 7, "n": n2048, "e": "AQAB"},
            "not an object"
        ]});
        let (keys, skipped) = parse_jwks(doc.to_string().as_bytes()).unwrap();
        let mut kids: Vec<_> = keys.keys().map(String::as_str).collect();
        kids.sort();
        assert_eq!(kids, ["good", "no-use"]);
        assert_eq!(skipped, 10);
    }

    #[test]
    fn a_document_that_is_not_a_jwks_is_an_error() {
        assert!(parse_jwks(b"[]").unwrap_err().contains("not a JWKS"));
        assert!(parse_jwks(br#"{"keys": {}}"#).is_err());
        assert!(parse_jwks(b"").is_err());
        assert_eq!(parse_jwks(br#"{"keys": []}"#).unwrap().0.len(), 0);
    }
}
