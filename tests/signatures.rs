//! The signature check beyond the forged-token table of `tests/inbound.rs`: algorithms that
//! use Graph's own key in another way, headers that point at a forger's key, keys in the JWKS
//! too large to be worth checking, and the token size cap to the byte.

mod support;

use std::sync::LazyLock;

use msgraph_calls::inbound::{Rejection, Validator, MAX_TOKEN_LEN};
use msgraph_calls::testing::signer::{self, b64, Alg, GraphKey};
use serde_json::{json, Value};

const APP_ID: &str = "0efc74f7-41c3-47a4-8775-7259bfef4241";
const TENANT: &str = "1fdd12d0-4620-44ed-baec-459b611f84b2";

/// Graph's key, and a forger's under another `kid`.
static KEYS: LazyLock<(GraphKey, GraphKey)> = LazyLock::new(|| {
    (
        GraphKey::generate("graph-2026-11"),
        GraphKey::generate("forger-1"),
    )
});

fn graph() -> &'static GraphKey {
    &KEYS.0
}

fn forger() -> &'static GraphKey {
    &KEYS.1
}

/// An offline validator that knows Graph's key, and `more` JWKS entries.
fn validator(more: &[Value]) -> Validator {
    let mut keys = vec![graph().jwk()];
    keys.extend_from_slice(more);
    Validator::builder(APP_ID)
        .build_offline(json!({ "keys": keys }).to_string().as_bytes())
        .unwrap()
}

fn claims() -> Value {
    signer::claims(APP_ID, TENANT)
}

#[tokio::test]
async fn ps256_with_graphs_own_key_is_refused_by_its_name() {
    let token = graph().sign_with(Some(graph().kid()), Alg::PS256, &claims());
    assert_eq!(
        validator(&[]).validate_token(&token).await,
        Err(Rejection::UnsupportedAlgorithm { alg: "PS256" })
    );
    // The same PSS signature under a header that says RS256 does not verify as PKCS#1 v1.5.
    let relabelled = {
        let pss: Vec<&str> = token.split('.').collect();
        let rs256 = graph().sign(&claims());
        let header = rs256.split('.').next().unwrap().to_owned();
        format!("{header}.{}.{}", pss[1], pss[2])
    };
    assert_eq!(
        validator(&[]).validate_token(&relabelled).await,
        Err(Rejection::BadSignature)
    );
}

/// `jku`, `x5u`, `jwk` and `x5c` name or carry a key; the validator reads none of them: the
/// key is Graph's, chosen by `kid`, whatever the header offers.
#[tokio::test]
async fn headers_that_offer_a_key_are_ignored() {
    let attacker = "https://keys.attacker.example/jwks.json";
    let offers = [
        ("jku", json!(attacker)),
        ("x5u", json!(attacker)),
        ("jwk", forger().jwk()),
        ("x5c", json!([b64(forger().public_der())])),
    ];
    let validator = validator(&[]);
    for (name, offer) in offers {
        // Signed by the forger, under Graph's kid: Graph's key does not verify it.
        let header = json!({"alg": "RS256", "kid": graph().kid(), name: offer.clone()});
        let forged = forger().sign_header(&header, Alg::RS256, &claims());
        assert_eq!(
            validator.validate_token(&forged).await,
            Err(Rejection::BadSignature),
            "{name} under Graph's kid"
        );
        // Signed by the forger, under the forger's kid, the key in the header: still unknown.
        let header = json!({"alg": "RS256", "kid": forger().kid(), name: offer.clone()});
        let forged = forger().sign_header(&header, Alg::RS256, &claims());
        assert_eq!(
            validator.validate_token(&forged).await,
            Err(Rejection::UnknownKeyId),
            "{name} under the forger's kid"
        );
        // Graph's own token with the same header field is accepted: the field is ignored, not
        // a reason to refuse.
        let header = json!({"alg": "RS256", "kid": graph().kid(), name: offer});
        let genuine = graph().sign_header(&header, Alg::RS256, &claims());
        assert!(validator.validate_token(&genuine).await.is_ok(), "{name}");
    }
}

/// A key too long, or with an exponent too large, would make every check (forged tokens'
/// included) dearer: it is left out when the JWKS is read, so a token naming it is refused as
/// naming an unknown key, before any arithmetic.
#[tokio::test]
async fn keys_too_costly_to_check_are_left_out_when_the_jwks_is_read() {
    let modulus = |bits: usize| {
        let mut n = vec![0xc5u8; bits.div_ceil(8)];
        n[0] = 1 << ((bits - 1) % 8);
        b64(&n)
    };
    let graph_n = graph().jwk()["n"].clone();
    let more = [
        json!({"kty": "RSA", "use": "sig", "kid": "4097-bits", "n": modulus(4097), "e": "AQAB"}),
        json!({"kty": "RSA", "use": "sig", "kid": "8192-bits", "n": modulus(8192), "e": "AQAB"}),
        json!({"kty": "RSA", "use": "sig", "kid": "huge-e", "n": graph_n, "e": b64(&[0xff; 256])}),
        json!({"kty": "RSA", "use": "sig", "kid": "4096-bits", "n": modulus(4096), "e": "AQAB"}),
    ];
    let validator = validator(&more);
    for kid in ["4097-bits", "8192-bits", "huge-e"] {
        let token = graph().sign_with(Some(kid), Alg::RS256, &claims());
        assert_eq!(
            validator.validate_token(&token).await,
            Err(Rejection::UnknownKeyId),
            "{kid}"
        );
    }
    // A 4096-bit key is kept: a token naming it is checked, and this one is not its signature.
    let token = graph().sign_with(Some("4096-bits"), Alg::RS256, &claims());
    assert_eq!(
        validator.validate_token(&token).await,
        Err(Rejection::BadSignature)
    );
}

/// A valid token of exactly `len` bytes: a `pad` claim and a header field grow it to size.
fn token_of_len(len: usize) -> String {
    let signature_len = graph().sign(&claims()).rsplit('.').next().unwrap().len();
    let b64_len = |json: &Value| {
        json.to_string().len().div_ceil(3) * 4 - (3 - json.to_string().len() % 3) % 3
    };
    for header_pad in 0..3 {
        let header = json!({"alg": "RS256", "kid": graph().kid(), "x": "h".repeat(header_pad)});
        let fixed = b64_len(&header) + 2 + signature_len;
        let mut claims = claims();
        claims["pad"] = json!("");
        let base = b64_len(&claims);
        let wanted = len.checked_sub(fixed).unwrap();
        // Each byte of padding is 4/3 of a character: try the lengths around the right one.
        let guess = (wanted.saturating_sub(base)) * 3 / 4;
        for pad in guess.saturating_sub(3)..guess + 3 {
            claims["pad"] = json!("p".repeat(pad));
            if fixed + b64_len(&claims) == len {
                let token = graph().sign_header(&header, Alg::RS256, &claims);
                assert_eq!(token.len(), len);
                return token;
            }
        }
    }
    panic!("no token of {len} bytes");
}

#[tokio::test]
async fn the_size_cap_holds_to_the_byte() {
    let validator = validator(&[]);
    let at_cap = token_of_len(MAX_TOKEN_LEN);
    assert!(validator.validate_token(&at_cap).await.is_ok());
    let over = token_of_len(MAX_TOKEN_LEN + 1);
    assert_eq!(
        validator.validate_token(&over).await,
        Err(Rejection::Malformed)
    );
    // Through the header too: the cap is on the token, not the header's value.
    let header = http::HeaderValue::from_str(&format!("Bearer {at_cap}")).unwrap();
    let mut headers = http::HeaderMap::new();
    headers.insert(http::header::AUTHORIZATION, header);
    assert!(validator.validate(&headers).await.is_ok());
}
