//! Graph's side of callback authentication: RSA keys generated on the spot (no key material is
//! committed anywhere), the OpenID configuration and JWKS that publish them, and callback tokens
//! signed with them, so that a bot's [`Validator`](crate::inbound::Validator) checks real
//! signatures in tests.
//!
//! The claims are those of the token Graph's docs show for a callback (TEAMS
//! `bots/calls-and-meetings/call-notifications.md`): `aud`, `iss`, `iat`, `nbf`, `exp`, `tid`.
//!
//! ```no_run
//! use msgraph_calls::testing::signer::{self, GraphKey};
//!
//! let key = GraphKey::generate("test-key");
//! let jwks = signer::jwks(&[&key]);
//! let validator = msgraph_calls::inbound::Validator::builder("bot-app-id")
//!     .build_offline(jwks.as_bytes())
//!     .unwrap();
//! let token = key.sign(&signer::claims("bot-app-id", "tenant-id"));
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! assert!(validator.validate_token(&token).await.is_ok());
//! # });
//! ```

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use ring::signature::{RsaEncoding, RsaKeyPair};
use rsa::pkcs1::{EncodeRsaPrivateKey, EncodeRsaPublicKey};
use rsa::traits::PublicKeyParts;
use serde_json::{json, Value};

use super::server::{Recorded, Reply};

/// Where [`publish`] serves the OpenID configuration.
pub const OPENID_PATH: &str = "/v1/.well-known/OpenIdConfiguration";
/// Where [`publish`] serves the JWKS.
pub const JWKS_PATH: &str = "/v1/keys";

/// A signing key as Graph's: RSA, 2048 bits, named by its `kid`. Generating and signing panic
/// only when the operating system gives no randomness, which a test cannot go on without.
///
/// Generating one takes about a tenth of a second with the `rsa` and `num-bigint-dig` crates
/// optimized, seconds without: in a test profile, set
/// `[profile.dev.package.num-bigint-dig] opt-level = 3` (and the same for `rsa`).
///
/// ```no_run
/// let key = msgraph_calls::testing::signer::GraphKey::generate("test-key");
/// assert_eq!(key.kid(), "test-key");
/// ```
pub struct GraphKey {
    kid: String,
    pair: RsaKeyPair,
    n: String,
    e: String,
    private_der: Vec<u8>,
    public_der: Vec<u8>,
}

impl GraphKey {
    /// A new 2048-bit RSA key, named `kid`.
    ///
    /// # Panics
    ///
    /// When the operating system gives no randomness: a test cannot go on without it.
    ///
    /// ```no_run
    /// let key = msgraph_calls::testing::signer::GraphKey::generate("k1");
    /// ```
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

    /// The key's name, the `kid` of its tokens and of its JWKS entry.
    ///
    /// ```no_run
    /// # let key = msgraph_calls::testing::signer::GraphKey::generate("k1");
    /// assert_eq!(key.kid(), "k1");
    /// ```
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The public key as a JWKS entry.
    ///
    /// ```no_run
    /// # let key = msgraph_calls::testing::signer::GraphKey::generate("k1");
    /// assert_eq!(key.jwk()["kty"], "RSA");
    /// ```
    pub fn jwk(&self) -> Value {
        json!({"kty": "RSA", "use": "sig", "kid": self.kid, "n": self.n, "e": self.e})
    }

    /// A token for `claims`, RS256, with this key's `kid`: what Graph sends.
    ///
    /// ```no_run
    /// # use msgraph_calls::testing::signer::{self, GraphKey};
    /// # let key = GraphKey::generate("k1");
    /// let token = key.sign(&signer::claims("bot-app-id", "tenant-id"));
    /// assert_eq!(token.split('.').count(), 3);
    /// ```
    pub fn sign(&self, claims: &Value) -> String {
        self.sign_with(Some(&self.kid), Alg::RS256, claims)
    }

    /// A token signed with this key by `alg`, naming `kid` (or none) in its header: to check
    /// what a bot does with tokens Graph would not send.
    ///
    /// ```no_run
    /// # use msgraph_calls::testing::signer::{self, Alg, GraphKey};
    /// # let key = GraphKey::generate("k1");
    /// let no_kid = key.sign_with(None, Alg::RS256, &signer::claims("bot-app-id", "tenant-id"));
    /// ```
    pub fn sign_with(&self, kid: Option<&str>, alg: Alg, claims: &Value) -> String {
        let mut header = json!({"alg": alg.name(), "typ": "JWT"});
        if let Some(kid) = kid {
            header["kid"] = json!(kid);
        }
        self.sign_header(&header, alg, claims)
    }

    /// A token whose header is `header`, whatever it says, signed with this key by `alg`.
    ///
    /// ```no_run
    /// # use msgraph_calls::testing::signer::{self, Alg, GraphKey};
    /// # let key = GraphKey::generate("k1");
    /// let header = serde_json::json!({"alg": "RS256", "kid": "k1", "jku": "https://attacker.example"});
    /// let token = key.sign_header(&header, Alg::RS256, &signer::claims("bot", "tenant"));
    /// ```
    pub fn sign_header(&self, header: &Value, alg: Alg, claims: &Value) -> String {
        let signed = signing_input(header, claims);
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

    /// Every encoding of the key a log could leak (the modulus, the private and public keys in
    /// base64), for tests that check none shows.
    ///
    /// ```no_run
    /// # let key = msgraph_calls::testing::signer::GraphKey::generate("k1");
    /// let log = String::new();
    /// assert!(key.material().iter().all(|m| !log.contains(m.as_str())));
    /// ```
    pub fn material(&self) -> Vec<String> {
        vec![
            self.n.clone(),
            b64(&self.private_der),
            base64::engine::general_purpose::STANDARD.encode(&self.private_der),
            base64::engine::general_purpose::STANDARD.encode(&self.public_der),
        ]
    }

    /// The public key as PKCS#1 DER: what a key-confusion forger uses as an HMAC secret
    /// (see [`hs256`]).
    ///
    /// ```no_run
    /// # let key = msgraph_calls::testing::signer::GraphKey::generate("k1");
    /// assert!(key.public_der().len() > 256);
    /// ```
    pub fn public_der(&self) -> &[u8] {
        &self.public_der
    }
}

impl fmt::Debug for GraphKey {
    /// The `kid` only: never the key.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GraphKey")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

/// The RSA signatures a [`GraphKey`] makes: Graph's, and two a forger might try.
///
/// ```
/// assert_eq!(msgraph_calls::testing::signer::Alg::PS256.name(), "PS256");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Alg {
    /// RSASSA-PKCS1-v1_5 with SHA-256: Graph's.
    RS256,
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    RS384,
    /// RSASSA-PSS with SHA-256.
    PS256,
}

impl Alg {
    /// The JWS name (RFC 7518), as a token's header writes it.
    ///
    /// ```
    /// assert_eq!(msgraph_calls::testing::signer::Alg::RS256.name(), "RS256");
    /// ```
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

/// An HS256 token for `header` and `claims`, keyed with `secret`: the key-confusion forgery,
/// when `secret` is Graph's public key.
///
/// ```
/// use msgraph_calls::testing::signer;
///
/// let token = signer::hs256(b"secret", &serde_json::json!({"alg": "HS256"}), &serde_json::json!({}));
/// assert!(token.starts_with("eyJhbGciOiJIUzI1NiJ9.e30."));
/// ```
pub fn hs256(secret: &[u8], header: &Value, claims: &Value) -> String {
    let signed = signing_input(header, claims);
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret);
    format!(
        "{signed}.{}",
        b64(ring::hmac::sign(&key, signed.as_bytes()).as_ref())
    )
}

/// `header.claims` in base64url: the text a JWS signature is over (RFC 7515 section 5.1).
fn signing_input(header: &Value, claims: &Value) -> String {
    format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(claims.to_string().as_bytes())
    )
}

/// A JWKS document publishing `keys`.
///
/// ```no_run
/// # use msgraph_calls::testing::signer::{self, GraphKey};
/// let jwks = signer::jwks(&[&GraphKey::generate("k1")]);
/// assert!(jwks.contains("\"kid\":\"k1\""));
/// ```
pub fn jwks(keys: &[&GraphKey]) -> String {
    json!({"keys": keys.iter().map(|k| k.jwk()).collect::<Vec<_>>()}).to_string()
}

/// The OpenID configuration of a key endpoint at `origin` (`http://127.0.0.1:port`), naming its
/// JWKS at [`JWKS_PATH`].
///
/// ```
/// let config = msgraph_calls::testing::signer::openid_configuration("http://127.0.0.1:8080");
/// assert!(config.contains("http://127.0.0.1:8080/v1/keys"));
/// ```
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
///
/// ```no_run
/// # async fn demo() {
/// use msgraph_calls::testing::{signer, Reply, StandIn};
///
/// let jwks = signer::jwks(&[&signer::GraphKey::generate("k1")]);
/// let keys = StandIn::start(move |request| {
///     signer::publish(request, &jwks).unwrap_or_else(|| Reply::status(404))
/// })
/// .await;
/// let openid = format!("{}{}", keys.origin(), signer::OPENID_PATH);
/// # }
/// ```
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

/// The claims of a callback token for the bot `app_id` in `tenant`, issued by Graph, valid for
/// an hour from now.
///
/// ```
/// let claims = msgraph_calls::testing::signer::claims("bot-app-id", "tenant-id");
/// assert_eq!(claims["aud"], "bot-app-id");
/// assert_eq!(claims["iss"], "https://graph.microsoft.com");
/// ```
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

/// Seconds since the Unix epoch, as JWT claims count time; 0 on a clock before 1970.
///
/// ```
/// assert!(msgraph_calls::testing::signer::now() > 1_700_000_000);
/// ```
pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_secs())
}

/// `bytes` in base64url without padding, as JWS writes its parts.
///
/// ```
/// assert_eq!(msgraph_calls::testing::signer::b64(b"{}"), "e30");
/// ```
pub fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}
