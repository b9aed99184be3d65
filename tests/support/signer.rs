//! Graph's side of callback authentication, for tests and the example: RSA keys generated on
//! the spot (no key material is committed), the OpenID configuration and JWKS that publish
//! them, and callback tokens signed with them.
//!
//! The claims are those of the token Graph's docs show for a callback (TEAMS
//! `bots/calls-and-meetings/call-notifications.md`): `aud`, `iss`, `iat`, `nbf`, `exp`, `tid`.

#![allow(dead_code)]

use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use ring::signature::{RsaEncoding, RsaKeyPair};
use rsa::pkcs1::{EncodeRsaPrivateKey, EncodeRsaPublicKey};
use rsa::traits::PublicKeyParts;
use serde_json::{json, Value};

use super::stand_in::{Recorded, Reply};

/// Where the stand-in publishes its OpenID configuration and keys.
pub const OPENID_PATH: &str = "/v1/.well-known/OpenIdConfiguration";
pub const JWKS_PATH: &str = "/v1/keys";

/// A signing key of Graph's stand-in.
pub struct GraphKey {
    pub kid: String,
    pair: RsaKeyPair,
    n: String,
    e: String,
    private_der: Vec<u8>,
    public_der: Vec<u8>,
}

impl GraphKey {
    /// A new 2048-bit RSA key, as Graph's.
    pub fn generate(kid: &str) -> GraphKey {
        let mut rng = rsa::rand_core::OsRng;
        let private = rsa::RsaPrivateKey::new(&mut rng, 2048).expect("an RSA key");
        let private_der = private
            .to_pkcs1_der()
            .expect("PKCS#1 DER")
            .as_bytes()
            .to_vec();
        let public = private.to_public_key();
        let public_der = public.to_pkcs1_der().expect("PKCS#1 DER").into_vec();
        GraphKey {
            kid: kid.to_owned(),
            pair: RsaKeyPair::from_der(&private_der).expect("a key ring reads"),
            n: b64(&public.n().to_bytes_be()),
            e: b64(&public.e().to_bytes_be()),
            private_der,
            public_der,
        }
    }

    /// The key as a JWKS entry.
    pub fn jwk(&self) -> Value {
        json!({"kty": "RSA", "use": "sig", "kid": self.kid, "n": self.n, "e": self.e})
    }

    /// A token for `claims`, RS256, with this key's `kid`.
    pub fn sign(&self, claims: &Value) -> String {
        self.sign_with(Some(&self.kid), Alg::RS256, claims)
    }

    /// A token signed with this key, naming `kid` (or none) and `alg` in its header.
    pub fn sign_with(&self, kid: Option<&str>, alg: Alg, claims: &Value) -> String {
        let mut header = json!({"alg": alg.name(), "typ": "JWT"});
        if let Some(kid) = kid {
            header["kid"] = json!(kid);
        }
        self.sign_header(&header, alg, claims)
    }

    /// A token whose header is `header`, whatever it says, signed with this key by `alg`.
    pub fn sign_header(&self, header: &Value, alg: Alg, claims: &Value) -> String {
        let signed = format!(
            "{}.{}",
            b64(header.to_string().as_bytes()),
            b64(claims.to_string().as_bytes())
        );
        let mut signature = vec![0; self.pair.public().modulus_len()];
        self.pair
            .sign(
                alg.encoding(),
                &ring::rand::SystemRandom::new(),
                signed.as_bytes(),
                &mut signature,
            )
            .expect("a signature");
        format!("{signed}.{}", b64(&signature))
    }

    /// Every encoding of the key, for tests that check none of it leaks: the modulus, and the
    /// private and public keys in base64.
    pub fn material(&self) -> Vec<String> {
        vec![
            self.n.clone(),
            b64(&self.private_der),
            base64::engine::general_purpose::STANDARD.encode(&self.private_der),
            base64::engine::general_purpose::STANDARD.encode(&self.public_der),
        ]
    }

    /// The public key as PKCS#1 DER: what a key-confusion forger would use as an HMAC secret.
    pub fn public_der(&self) -> &[u8] {
        &self.public_der
    }
}

/// The RSA signatures the tests sign with: Graph's, and two a forger might try.
#[derive(Clone, Copy)]
pub enum Alg {
    RS256,
    RS384,
    PS256,
}

impl Alg {
    pub fn name(self) -> &'static str {
        match self {
            Alg::RS256 => "RS256",
            Alg::RS384 => "RS384",
            Alg::PS256 => "PS256",
        }
    }

    fn encoding(self) -> &'static dyn RsaEncoding {
        match self {
            Alg::RS256 => &ring::signature::RSA_PKCS1_SHA256,
            Alg::RS384 => &ring::signature::RSA_PKCS1_SHA384,
            Alg::PS256 => &ring::signature::RSA_PSS_SHA256,
        }
    }
}

/// An HS256 token for `header` and `claims`, keyed with `secret`.
pub fn hs256(secret: &[u8], header: &Value, claims: &Value) -> String {
    let signed = format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(claims.to_string().as_bytes())
    );
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret);
    format!(
        "{signed}.{}",
        b64(ring::hmac::sign(&key, signed.as_bytes()).as_ref())
    )
}

/// A JWKS document publishing `keys`.
pub fn jwks(keys: &[&GraphKey]) -> String {
    json!({"keys": keys.iter().map(|k| k.jwk()).collect::<Vec<_>>()}).to_string()
}

/// The OpenID configuration of a stand-in at `origin` (`http://127.0.0.1:port`).
pub fn openid_configuration(origin: &str) -> String {
    json!({
        "issuer": "https://api.botframework.com",
        "jwks_uri": format!("{origin}{JWKS_PATH}"),
        "id_token_signing_alg_values_supported": ["RS256"],
        "token_endpoint_auth_methods_supported": ["private_key_jwt"],
    })
    .to_string()
}

/// Graph's key endpoint: the answer to a request for the OpenID configuration or for the JWKS
/// (`jwks`), or `None` for any other path. The configuration names the JWKS at the address the
/// request was sent to (its `Host`).
pub fn publish(request: &Recorded, jwks: &str) -> Option<Reply> {
    match request.target.as_str() {
        OPENID_PATH => {
            let host = request.header("host").unwrap_or_default();
            Some(Reply::json(
                200,
                &openid_configuration(&format!("http://{host}")),
            ))
        }
        JWKS_PATH => Some(Reply::json(200, jwks)),
        _ => None,
    }
}

/// The claims of a callback token for the bot `app_id` in `tenant`, valid for an hour from now.
pub fn claims(app_id: &str, tenant: &str) -> Value {
    let now = now();
    json!({
        "aud": app_id,
        "iss": "https://graph.microsoft.com",
        "iat": now,
        "nbf": now,
        "exp": now + 3600,
        "tid": tenant,
    })
}

pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("a clock after 1970")
        .as_secs()
}

pub fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}
