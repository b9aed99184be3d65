//! Authenticating Graph's callbacks: every forged token refused with its reason, keys fetched,
//! rotated, rate limited and kept through failures, and the receiver's answers. Keys are
//! generated here; none is committed.

mod support;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, LazyLock, Mutex};
use std::time::Duration;

use http::{HeaderMap, HeaderValue, StatusCode};
use msgraph_calls::inbound::{
    Received, Receiver, Rejection, Validator, VerifiedClaims, DEFAULT_MIN_REFRESH_GAP,
    MAX_FETCH_WAITERS, MAX_KEY_FETCH_TIMEOUT, MIN_REFRESH_GAP,
};
use msgraph_calls::testing::signer::{self, b64, Alg, GraphKey, JWKS_PATH, OPENID_PATH};
use msgraph_calls::testing::{age_keys, Recorded, Reply, StandIn};
use msgraph_calls::Cloud;
use serde_json::{json, Value};

/// The bot and tenant of the callback token in Graph's docs (TEAMS call-notifications.md).
const APP_ID: &str = "0efc74f7-41c3-47a4-8775-7259bfef4241";
const TENANT: &str = "1fdd12d0-4620-44ed-baec-459b611f84b2";

struct Keys {
    /// Graph's key, published.
    graph: GraphKey,
    /// The key Graph rotates to.
    next: GraphKey,
    /// A forger's key, which claims to be Graph's (same `kid`).
    forger: GraphKey,
}

static KEYS: LazyLock<Keys> = LazyLock::new(|| Keys {
    graph: GraphKey::generate("graph-2026-11"),
    next: GraphKey::generate("graph-2027-01"),
    forger: GraphKey::generate("graph-2026-11"),
});

fn offline() -> Validator {
    Validator::builder(APP_ID)
        .allowed_tenants([TENANT])
        .build_offline(signer::jwks(&[&KEYS.graph]).as_bytes())
        .unwrap()
}

fn valid_claims() -> Value {
    signer::claims(APP_ID, TENANT)
}

fn with(mut claims: Value, changes: Value) -> Value {
    for (name, value) in changes.as_object().unwrap() {
        if value.is_null() {
            claims.as_object_mut().unwrap().remove(name);
        } else {
            claims[name] = value.clone();
        }
    }
    claims
}

fn bearer(token: &str) -> HeaderMap {
    authorization(&format!("Bearer {token}"))
}

fn authorization(value: &str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(
        http::header::AUTHORIZATION,
        HeaderValue::from_str(value).unwrap(),
    );
    headers
}

/// A token whose header is `header` (JSON), with the claims and signature of a valid token.
fn with_raw_header(header: &Value, signature: &str) -> String {
    let valid = KEYS.graph.sign(&valid_claims());
    let claims = valid.split('.').nth(1).unwrap();
    format!(
        "{}.{claims}.{signature}",
        b64(header.to_string().as_bytes())
    )
}

/// Every way a callback's token can be wrong, each with the reason it must be refused for.
fn forged_requests() -> Vec<(&'static str, HeaderMap, Rejection)> {
    let keys = &*KEYS;
    let now = signer::now();
    let sign = |claims: Value| keys.graph.sign(&claims);
    let hs256_with_public_key = signer::hs256(
        keys.graph.public_der(),
        &json!({"alg": "HS256", "typ": "JWT", "kid": keys.graph.kid()}),
        &valid_claims(),
    );
    let tampered = {
        let valid = sign(valid_claims());
        let parts: Vec<&str> = valid.split('.').collect();
        let other = with(valid_claims(), json!({"tid": "another-tenant"}));
        format!(
            "{}.{}.{}",
            parts[0],
            b64(other.to_string().as_bytes()),
            parts[2]
        )
    };
    let valid = sign(valid_claims());
    let mut two_headers = bearer(&valid);
    two_headers.append(
        http::header::AUTHORIZATION,
        HeaderValue::from_str(&format!("Bearer {valid}")).unwrap(),
    );
    vec![
        (
            "wrong issuer",
            bearer(&sign(with(
                valid_claims(),
                json!({"iss": "https://login.example.com"}),
            ))),
            Rejection::WrongIssuer {
                issuer: "https://login.example.com".into(),
            },
        ),
        (
            "issuer with a trailing slash",
            bearer(&sign(with(
                valid_claims(),
                json!({"iss": "https://graph.microsoft.com/"}),
            ))),
            Rejection::WrongIssuer {
                issuer: "https://graph.microsoft.com/".into(),
            },
        ),
        (
            "wrong audience",
            bearer(&sign(with(valid_claims(), json!({"aud": "another-bot"})))),
            Rejection::WrongAudience,
        ),
        (
            "expired",
            bearer(&sign(with(
                valid_claims(),
                json!({"iat": now - 7200, "nbf": now - 7200, "exp": now - 3600}),
            ))),
            Rejection::Expired,
        ),
        (
            "not yet valid",
            bearer(&sign(with(
                valid_claims(),
                json!({"nbf": now + 3600, "exp": now + 7200}),
            ))),
            Rejection::NotYetValid,
        ),
        (
            "exp in 2500 (a lifetime no Graph token has)",
            bearer(&sign(with(
                valid_claims(),
                json!({"exp": 16_725_225_600_u64}),
            ))),
            Rejection::TooLongLived,
        ),
        (
            "two days from its iat",
            bearer(&sign(with(
                valid_claims(),
                json!({"iat": now - 3600, "exp": now + 2 * 86_400 - 3600}),
            ))),
            Rejection::TooLongLived,
        ),
        (
            "iat in 3000",
            bearer(&sign(with(
                valid_claims(),
                json!({"iat": 32_503_680_000_u64}),
            ))),
            Rejection::IssuedInTheFuture,
        ),
        (
            "iat an hour ahead",
            bearer(&sign(with(valid_claims(), json!({"iat": now + 3600})))),
            Rejection::IssuedInTheFuture,
        ),
        (
            "no exp",
            bearer(&sign(with(valid_claims(), json!({"exp": null})))),
            Rejection::MissingClaim { claim: "exp" },
        ),
        (
            "no iss",
            bearer(&sign(with(valid_claims(), json!({"iss": null})))),
            Rejection::MissingClaim { claim: "iss" },
        ),
        (
            "no aud",
            bearer(&sign(with(valid_claims(), json!({"aud": null})))),
            Rejection::MissingClaim { claim: "aud" },
        ),
        (
            "missing tid",
            bearer(&sign(with(valid_claims(), json!({"tid": null})))),
            Rejection::MissingTenant,
        ),
        (
            "empty tid",
            bearer(&sign(with(valid_claims(), json!({"tid": ""})))),
            Rejection::MissingTenant,
        ),
        (
            "tenant not allowed",
            bearer(&sign(with(
                valid_claims(),
                json!({"tid": "72f988bf-86f1-41af-91ab-2d7cd011db47"}),
            ))),
            Rejection::TenantNotAllowed {
                tenant: "72f988bf-86f1-41af-91ab-2d7cd011db47".into(),
            },
        ),
        (
            "alg none",
            bearer(&with_raw_header(
                &json!({"alg": "none", "kid": keys.graph.kid()}),
                "",
            )),
            Rejection::UnsupportedAlgorithm { alg: "none" },
        ),
        (
            "alg none with a copied signature",
            bearer(&with_raw_header(
                &json!({"alg": "none", "kid": keys.graph.kid()}),
                valid.split('.').nth(2).unwrap(),
            )),
            Rejection::UnsupportedAlgorithm { alg: "none" },
        ),
        (
            "HS256 signed with the public key",
            bearer(&hs256_with_public_key),
            Rejection::UnsupportedAlgorithm { alg: "HS256" },
        ),
        (
            "RS384",
            bearer(
                &keys
                    .graph
                    .sign_with(Some(keys.graph.kid()), Alg::RS384, &valid_claims()),
            ),
            Rejection::UnsupportedAlgorithm { alg: "RS384" },
        ),
        (
            "an algorithm no registry knows",
            bearer(&with_raw_header(&json!({"alg": "RS256 ", "kid": "k"}), "x")),
            Rejection::UnsupportedAlgorithm {
                alg: "unrecognised",
            },
        ),
        (
            "unknown kid",
            bearer(&keys.next.sign(&valid_claims())),
            Rejection::UnknownKeyId,
        ),
        (
            "no kid",
            bearer(&keys.graph.sign_with(None, Alg::RS256, &valid_claims())),
            Rejection::MissingKeyId,
        ),
        (
            "bad signature: another key under Graph's kid",
            bearer(&keys.forger.sign(&valid_claims())),
            Rejection::BadSignature,
        ),
        (
            "bad signature: claims changed after signing",
            bearer(&tampered),
            Rejection::BadSignature,
        ),
        (
            "truncated in its claims",
            bearer(&valid[..valid.find('.').unwrap() + 40]),
            Rejection::Malformed,
        ),
        (
            "signature cut short",
            bearer(&valid[..valid.len() - 10]),
            Rejection::BadSignature,
        ),
        ("garbage", bearer("hello"), Rejection::Malformed),
        (
            "garbage in three parts",
            bearer("a.b.c"),
            Rejection::Malformed,
        ),
        (
            "header not JSON",
            bearer(&format!("{}.e30.sig", b64(b"{alg"))),
            Rejection::Malformed,
        ),
        (
            "missing header",
            HeaderMap::new(),
            Rejection::MissingAuthorization,
        ),
        (
            "Basic scheme",
            authorization("Basic YWxhZGRpbjpvcGVuc2VzYW1l"),
            Rejection::NotBearer,
        ),
        (
            "token without a scheme",
            authorization(&valid),
            Rejection::NotBearer,
        ),
        (
            "Bearer and no token",
            authorization("Bearer "),
            Rejection::NotBearer,
        ),
        (
            "two Authorization headers",
            two_headers,
            Rejection::NotBearer,
        ),
    ]
}

#[tokio::test]
async fn a_token_signed_by_graph_is_accepted_with_its_claims() {
    let validator = offline();
    let now = signer::now();
    let token = KEYS.graph.sign(&with(
        valid_claims(),
        json!({"appid": "26a7ee05-5602-4d76-a7ba-eae8b7b67941"}),
    ));
    let claims: VerifiedClaims = validator.validate(&bearer(&token)).await.unwrap();
    assert_eq!(claims.tenant_id, TENANT);
    assert_eq!(claims.issuer, "https://graph.microsoft.com");
    assert_eq!(claims.audience, APP_ID);
    assert_eq!(
        claims.app_id.as_deref(),
        Some("26a7ee05-5602-4d76-a7ba-eae8b7b67941")
    );
    let expires = claims
        .expires_at
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap();
    assert_eq!(expires.as_secs(), now + 3600);

    // The other issuer, the scheme in lower case, a tenant in capitals, and a token expired
    // less than the leeway ago are accepted too.
    let bot_framework = with(
        valid_claims(),
        json!({"iss": "https://api.botframework.com"}),
    );
    let claims = validator
        .validate(&authorization(&format!(
            "bearer {}",
            KEYS.graph.sign(&bot_framework)
        )))
        .await
        .unwrap();
    assert_eq!(claims.issuer, "https://api.botframework.com");
    // The tenant in capitals is accepted and returned as the allow-list compares it: in
    // lower case.
    let upper = with(valid_claims(), json!({"tid": TENANT.to_uppercase()}));
    let claims = validator
        .validate(&bearer(&KEYS.graph.sign(&upper)))
        .await
        .unwrap();
    assert_eq!(claims.tenant_id, TENANT);
    // A lifetime within the bound, counted from `iat`: 23 hours.
    let long = with(
        valid_claims(),
        json!({"iat": now - 3600, "exp": now + 22 * 3600}),
    );
    assert!(validator
        .validate(&bearer(&KEYS.graph.sign(&long)))
        .await
        .is_ok());
    let shorter = Validator::builder(APP_ID)
        .max_token_lifetime(Duration::from_secs(3600))
        .build_offline(signer::jwks(&[&KEYS.graph]).as_bytes())
        .unwrap();
    assert_eq!(
        shorter.validate(&bearer(&KEYS.graph.sign(&long))).await,
        Err(Rejection::TooLongLived)
    );
    let audiences = with(valid_claims(), json!({"aud": [APP_ID]}));
    assert!(validator
        .validate(&bearer(&KEYS.graph.sign(&audiences)))
        .await
        .is_ok());
    let just_expired = with(valid_claims(), json!({"exp": now - 30}));
    assert!(validator
        .validate(&bearer(&KEYS.graph.sign(&just_expired)))
        .await
        .is_ok());
}

#[tokio::test]
async fn every_forged_token_is_refused_with_its_reason() {
    let validator = offline();
    let mut wrong = Vec::new();
    for (case, headers, expected) in forged_requests() {
        let got = validator.validate(&headers).await;
        if got.as_ref() != Err(&expected) {
            wrong.push(format!("{case}: expected {expected:?}, got {got:?}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[tokio::test]
async fn rejections_repeat_no_token_and_no_key() {
    let validator = offline();
    let mut secrets: Vec<String> = [&KEYS.graph, &KEYS.next, &KEYS.forger]
        .iter()
        .flat_map(|k| k.material())
        .collect();
    let mut texts = vec![format!("{validator:?}")];
    for (_, headers, _) in forged_requests() {
        for value in headers.get_all(http::header::AUTHORIZATION) {
            let value = value.to_str().unwrap();
            let token = value.strip_prefix("Bearer ").unwrap_or(value);
            secrets.extend(
                std::iter::once(token)
                    .chain(token.split('.'))
                    .filter(|part| part.len() > 8)
                    .map(str::to_owned),
            );
        }
        let rejection = validator.validate(&headers).await.unwrap_err();
        texts.push(rejection.to_string());
        texts.push(format!("{rejection:?}"));
        let received = Receiver::new(validator.clone())
            .receive(&headers, b"{}")
            .await;
        texts.push(format!("{received:?}"));
    }
    for text in &texts {
        for secret in &secrets {
            assert!(
                !text.contains(secret.as_str()),
                "{text:?} repeats {secret:?}"
            );
        }
    }
    // The texts say something: each names its check.
    assert!(texts.iter().any(|t| t.contains("expired")));
    assert!(texts
        .iter()
        .any(|t| t.contains("signature does not verify")));
}

/// Graph's stand-in publishing `jwks` (which a test may change) at its OpenID configuration;
/// `failing` makes both answer 500.
fn key_endpoint(jwks: Arc<Mutex<String>>, failing: Arc<AtomicBool>) -> impl Fn(&Recorded) -> Reply {
    move |request| {
        if failing.load(Ordering::SeqCst) {
            return Reply::status(500);
        }
        signer::publish(request, &jwks.lock().unwrap()).unwrap_or_else(|| Reply::status(404))
    }
}

struct KeyEndpoint {
    stand_in: StandIn,
    jwks: Arc<Mutex<String>>,
    failing: Arc<AtomicBool>,
}

impl KeyEndpoint {
    async fn start(keys: &[&GraphKey]) -> KeyEndpoint {
        let jwks = Arc::new(Mutex::new(signer::jwks(keys)));
        let failing = Arc::new(AtomicBool::new(false));
        let stand_in = StandIn::start(key_endpoint(jwks.clone(), failing.clone())).await;
        KeyEndpoint {
            stand_in,
            jwks,
            failing,
        }
    }

    fn validator(&self) -> msgraph_calls::inbound::ValidatorBuilder {
        Validator::builder(APP_ID)
            .openid_configuration_url(format!("{}{OPENID_PATH}", self.stand_in.origin()))
    }

    fn fetches(&self) -> usize {
        self.stand_in
            .requests()
            .iter()
            .filter(|r| r.target == JWKS_PATH)
            .count()
    }
}

#[tokio::test]
async fn keys_are_fetched_once_and_a_rotation_is_picked_up() {
    let graph = KeyEndpoint::start(&[&KEYS.graph]).await;
    let validator = graph
        .validator()
        .min_refresh_gap(MIN_REFRESH_GAP)
        .build()
        .unwrap();
    assert_eq!(graph.fetches(), 0, "keys are fetched when first needed");

    for _ in 0..3 {
        validator
            .validate(&bearer(&KEYS.graph.sign(&valid_claims())))
            .await
            .unwrap();
    }
    assert_eq!(graph.fetches(), 1, "fetched keys are kept");
    let openid = graph.stand_in.requests();
    assert_eq!(openid[0].target, OPENID_PATH);
    assert_eq!(openid[0].method, "GET");

    // Graph starts signing with a new key: the unknown kid makes the validator fetch again,
    // once the least gap between fetches (10 s) has passed; until then Graph is asked to come
    // back when it has.
    *graph.jwks.lock().unwrap() = signer::jwks(&[&KEYS.graph, &KEYS.next]);
    let early = validator
        .validate(&bearer(&KEYS.next.sign(&valid_claims())))
        .await
        .unwrap_err();
    let Rejection::KeysRefreshing { retry_after } = early else {
        panic!("{early:?}")
    };
    assert!(retry_after <= MIN_REFRESH_GAP && retry_after >= Duration::from_secs(1));
    assert_eq!(graph.fetches(), 1);
    age_keys(&validator, MIN_REFRESH_GAP);
    let claims = validator
        .validate(&bearer(&KEYS.next.sign(&valid_claims())))
        .await
        .unwrap();
    assert_eq!(claims.tenant_id, TENANT);
    assert_eq!(graph.fetches(), 2);
    validator
        .validate(&bearer(&KEYS.graph.sign(&valid_claims())))
        .await
        .unwrap();
    assert_eq!(graph.fetches(), 2);
}

#[tokio::test]
async fn a_flood_of_unknown_kids_does_not_hammer_the_key_endpoint() {
    let graph = KeyEndpoint::start(&[&KEYS.graph]).await;
    let validator = graph.validator().build().unwrap(); // the default gap: 5 minutes
    validator
        .validate(&bearer(&KEYS.graph.sign(&valid_claims())))
        .await
        .unwrap();
    for i in 0..50 {
        let kid = format!("forged-{i}");
        let token = KEYS
            .forger
            .sign_with(Some(&kid), Alg::RS256, &valid_claims());
        let rejection = validator.validate(&bearer(&token)).await.unwrap_err();
        assert!(
            matches!(rejection, Rejection::KeysRefreshing { retry_after } if retry_after <= DEFAULT_MIN_REFRESH_GAP),
            "{rejection:?}"
        );
        assert_eq!(rejection.status(), StatusCode::SERVICE_UNAVAILABLE);
    }
    assert_eq!(graph.fetches(), 1);
    // Even a real new key waits for the gap: the limit holds for every kid alike. It is told
    // to come back, not refused.
    *graph.jwks.lock().unwrap() = signer::jwks(&[&KEYS.graph, &KEYS.next]);
    let token = KEYS.next.sign(&valid_claims());
    assert!(matches!(
        validator.validate(&bearer(&token)).await,
        Err(Rejection::KeysRefreshing { .. })
    ));
    assert_eq!(graph.fetches(), 1);
}

/// The review's case: a forged token with a made-up `kid` spends a fetch just before Graph
/// publishes a new key; Graph's genuine callbacks signed with it are answered 503 with the
/// time left (which Graph retries), not 401, and accepted once a fetch may run again.
#[tokio::test]
async fn a_rotated_key_after_a_forged_unknown_kid_is_told_to_come_back() {
    let graph = KeyEndpoint::start(&[&KEYS.graph]).await;
    let validator = graph.validator().build().unwrap(); // the default gap: 5 minutes
    validator
        .validate(&bearer(&KEYS.graph.sign(&valid_claims())))
        .await
        .unwrap();
    age_keys(&validator, DEFAULT_MIN_REFRESH_GAP);
    // The forger's made-up kid: a fetch, and the kid is still unknown.
    let forged = KEYS
        .forger
        .sign_with(Some("made-up"), Alg::RS256, &valid_claims());
    assert_eq!(
        validator.validate(&bearer(&forged)).await,
        Err(Rejection::UnknownKeyId)
    );
    assert_eq!(graph.fetches(), 2);
    // Graph then signs with a key it publishes only now.
    *graph.jwks.lock().unwrap() = signer::jwks(&[&KEYS.graph, &KEYS.next]);
    let genuine = bearer(&KEYS.next.sign(&valid_claims()));
    let rejection = validator.validate(&genuine).await.unwrap_err();
    let Rejection::KeysRefreshing { retry_after } = rejection else {
        panic!("{rejection:?}")
    };
    assert!(retry_after > DEFAULT_MIN_REFRESH_GAP - Duration::from_secs(60));
    assert!(retry_after <= DEFAULT_MIN_REFRESH_GAP);
    // The receiver answers 503 and the axum rejection carries the time left.
    let received = Receiver::new(validator.clone())
        .receive(&genuine, b"{}")
        .await;
    assert_eq!(received.status(), StatusCode::SERVICE_UNAVAILABLE);
    let response = axum::response::IntoResponse::into_response(
        msgraph_calls::inbound::axum::CallbackRejection::Unauthorized(rejection),
    );
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        response.headers()["retry-after"],
        retry_after.as_secs().to_string()
    );
    // Once the gap has passed, Graph's retry is accepted.
    age_keys(&validator, DEFAULT_MIN_REFRESH_GAP);
    let claims = validator.validate(&genuine).await.unwrap();
    assert_eq!(claims.tenant_id, TENANT);
    assert_eq!(graph.fetches(), 3);
}

/// The review's case: 1,000 forged tokens with unknown kids arrive while the first key fetch
/// is under way against a key endpoint that does not answer (the fetch gives up after its 3 s
/// timeout). At most `MAX_FETCH_WAITERS` wait for the fetch beside the one that started it;
/// every other one is answered 503 while the fetch is still held, so none holds its
/// connection (or body) for the fetch's length.
#[tokio::test]
async fn forged_unknown_kids_during_a_slow_fetch_wait_only_a_few_at_a_time() {
    let jwks = signer::jwks(&[&KEYS.graph]);
    let stand_in = StandIn::start(move |request| {
        let reply = signer::publish(request, &jwks).unwrap_or_else(|| Reply::status(404));
        if request.target == JWKS_PATH {
            reply.after(Duration::from_secs(3600))
        } else {
            reply
        }
    })
    .await;
    let validator = Validator::builder(APP_ID)
        .openid_configuration_url(format!("{}{OPENID_PATH}", stand_in.origin()))
        .key_fetch_timeout(Duration::from_secs(3))
        .build()
        .unwrap();
    let tokens: Vec<_> = (0..1000)
        .map(|i| {
            let kid = format!("forged-{i}");
            bearer(
                &KEYS
                    .forger
                    .sign_with(Some(&kid), Alg::RS256, &valid_claims()),
            )
        })
        .collect();
    let checks: Vec<_> = tokens
        .into_iter()
        .map(|headers| {
            let validator = validator.clone();
            tokio::spawn(async move { validator.validate(&headers).await })
        })
        .collect();
    // All but the fetcher and its waiters are answered while the fetch is still held.
    eventually(|| {
        checks.iter().filter(|c| c.is_finished()).count() >= 1000 - MAX_FETCH_WAITERS - 1
    })
    .await;
    let (done, waiting): (Vec<_>, Vec<_>) = checks.into_iter().partition(|c| c.is_finished());
    // The fetch is still held: its starter has not been answered.
    assert!(!waiting.is_empty());
    assert!(
        waiting.len() <= MAX_FETCH_WAITERS + 1,
        "{} checks wait",
        waiting.len()
    );
    for check in done {
        assert_eq!(
            check.await.unwrap(),
            Err(Rejection::KeysRefreshing {
                retry_after: Duration::from_secs(1)
            })
        );
    }
    // The fetch gives up: the few that waited are told there are no keys (503), and only one
    // fetch was made.
    for check in waiting {
        assert_eq!(check.await.unwrap(), Err(Rejection::KeysUnavailable));
    }
    let fetches = stand_in
        .requests()
        .iter()
        .filter(|r| r.target == JWKS_PATH)
        .count();
    assert_eq!(fetches, 1);
}

#[tokio::test]
async fn concurrent_first_callbacks_fetch_the_keys_once() {
    let graph = KeyEndpoint::start(&[&KEYS.graph]).await;
    let validator = graph.validator().build().unwrap();
    let token = KEYS.graph.sign(&valid_claims());
    let checks = (0..20).map(|_| {
        let validator = validator.clone();
        let headers = bearer(&token);
        tokio::spawn(async move { validator.validate(&headers).await })
    });
    for check in checks.collect::<Vec<_>>() {
        check.await.unwrap().unwrap();
    }
    assert_eq!(graph.fetches(), 1);
}

#[tokio::test]
async fn a_failed_refresh_keeps_the_last_good_keys() {
    let graph = KeyEndpoint::start(&[&KEYS.graph]).await;
    let validator = graph.validator().build().unwrap();
    let token = KEYS.graph.sign(&valid_claims());
    validator.validate(&bearer(&token)).await.unwrap();

    graph.failing.store(true, Ordering::SeqCst);
    let err = validator.refresh_keys().await.unwrap_err();
    validator.validate(&bearer(&token)).await.unwrap();
    assert!(err.to_string().contains("HTTP status 500"), "{err}");
    assert!(err.url().ends_with(OPENID_PATH), "{}", err.url());

    // A JWKS without a usable key does not replace good keys either.
    graph.failing.store(false, Ordering::SeqCst);
    *graph.jwks.lock().unwrap() = r#"{"keys":[{"kty":"EC","kid":"x"}]}"#.into();
    let err = validator.refresh_keys().await.unwrap_err();
    assert!(err.to_string().contains("no RSA signing key"), "{err}");
    validator.validate(&bearer(&token)).await.unwrap();
    *graph.jwks.lock().unwrap() = "<html>".into();
    validator.validate(&bearer(&token)).await.unwrap();
    assert_eq!(
        validator.refresh_keys().await.unwrap_err().url(),
        format!("{}{JWKS_PATH}", graph.stand_in.origin())
    );
}

#[tokio::test]
async fn a_due_refresh_does_not_hold_up_the_callback() {
    let answers = Arc::new(Mutex::new(Vec::new()));
    let jwks = signer::jwks(&[&KEYS.graph]);
    let recorded = answers.clone();
    // The key endpoint answers once, then takes an hour.
    let stand_in = StandIn::start(move |request| {
        let mut answered = recorded.lock().unwrap();
        answered.push(request.target.clone());
        let reply = signer::publish(request, &jwks).unwrap_or_else(|| Reply::status(404));
        if answered.len() > 2 {
            reply.after(Duration::from_secs(3600))
        } else {
            reply
        }
    })
    .await;
    let http = msgraph_calls::client::http_client_builder()
        .unwrap()
        .timeout(Duration::from_secs(3600))
        .build()
        .unwrap();
    let validator = Validator::builder(APP_ID)
        .openid_configuration_url(format!("{}{OPENID_PATH}", stand_in.origin()))
        .http_client(http)
        .refresh_interval(Duration::ZERO)
        .min_refresh_gap(MIN_REFRESH_GAP)
        .key_fetch_timeout(MAX_KEY_FETCH_TIMEOUT)
        .build()
        .unwrap();
    let token = KEYS.graph.sign(&valid_claims());
    validator.validate(&bearer(&token)).await.unwrap();
    assert_eq!(answers.lock().unwrap().len(), 2);

    // Due again once the least gap has passed: the callback is answered with the cached key
    // while the fetch hangs.
    age_keys(&validator, MIN_REFRESH_GAP);
    let headers = bearer(&token);
    let check = tokio::time::timeout(Duration::from_secs(60), validator.validate(&headers));
    check
        .await
        .expect("not held up by the key endpoint")
        .unwrap();
    eventually(|| answers.lock().unwrap().len() == 3).await;
    // While it hangs, more callbacks start no more fetches.
    for _ in 0..5 {
        validator.validate(&bearer(&token)).await.unwrap();
    }
    tokio::task::yield_now().await;
    assert_eq!(answers.lock().unwrap().len(), 3);
}

/// Waits, a few milliseconds at a time, until `condition` holds; fails after 10 s.
async fn eventually(condition: impl Fn() -> bool) {
    for _ in 0..1000 {
        if condition() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the condition did not hold within 10 s");
}

#[tokio::test]
async fn without_any_keys_callbacks_are_answered_503() {
    let graph = KeyEndpoint::start(&[&KEYS.graph]).await;
    graph.failing.store(true, Ordering::SeqCst);
    let validator = graph.validator().build().unwrap();
    let rejection = validator
        .validate(&bearer(&KEYS.graph.sign(&valid_claims())))
        .await
        .unwrap_err();
    assert_eq!(rejection, Rejection::KeysUnavailable);
    assert_eq!(rejection.status(), StatusCode::SERVICE_UNAVAILABLE);
}

#[tokio::test]
async fn a_jwks_uri_off_https_is_refused() {
    let stand_in =
        StandIn::start(|_| Reply::json(200, r#"{"jwks_uri": "http://keys.example.com/v1/keys"}"#))
            .await;
    let validator = Validator::builder(APP_ID)
        .openid_configuration_url(format!("{}{OPENID_PATH}", stand_in.origin()))
        .build()
        .unwrap();
    let err = validator.refresh_keys().await.unwrap_err();
    assert!(
        err.to_string()
            .contains("jwks_uri \"http://keys.example.com/v1/keys\""),
        "{err}"
    );
    assert!(err.to_string().contains("must be https"), "{err}");
    assert_eq!(stand_in.requests().len(), 1, "the http URL was not fetched");
}

/// A key endpoint may redirect: the fetcher follows to where its own rule allows (here http on
/// loopback), and stops at a redirect to plain http elsewhere, which it reports.
#[tokio::test]
async fn key_endpoint_redirects_are_followed_only_where_the_rule_allows() {
    let jwks = signer::jwks(&[&KEYS.graph]);
    let stand_in = StandIn::start(move |request| match request.target.as_str() {
        "/moved" => Reply::status(302).header("location", OPENID_PATH),
        "/away" => Reply::status(302).header("location", "http://keys.example.com/openid"),
        _ => signer::publish(request, &jwks).unwrap_or_else(|| Reply::status(404)),
    })
    .await;
    let moved = Validator::builder(APP_ID)
        .openid_configuration_url(format!("{}/moved", stand_in.origin()))
        .build()
        .unwrap();
    assert_eq!(moved.refresh_keys().await.unwrap(), 1);

    let away = Validator::builder(APP_ID)
        .openid_configuration_url(format!("{}/away", stand_in.origin()))
        .build()
        .unwrap();
    let err = away.refresh_keys().await.unwrap_err();
    assert!(err.to_string().contains("HTTP status 302"), "{err}");
}

#[tokio::test]
async fn key_documents_that_cannot_be_read_are_errors_naming_their_url() {
    let huge = format!(
        r#"{{"keys": [], "padding": "{}"}}"#,
        "x".repeat(2 * 1024 * 1024)
    );
    let cases = [
        (
            "<html>not json</html>".to_owned(),
            "not an OpenID configuration",
        ),
        (r#"{"issuer": "x"}"#.to_owned(), "missing field `jwks_uri`"),
        (huge, "larger than 1048576 bytes"),
    ];
    for (document, expected) in cases {
        let stand_in = StandIn::start(move |_| Reply::json(200, &document)).await;
        let validator = Validator::builder(APP_ID)
            .openid_configuration_url(format!("{}{OPENID_PATH}", stand_in.origin()))
            .build()
            .unwrap();
        let err = validator.refresh_keys().await.unwrap_err();
        assert!(err.to_string().contains(expected), "{err}");
        assert_eq!(err.url(), format!("{}{OPENID_PATH}", stand_in.origin()));
        // And a callback meanwhile is told the keys are unavailable, not that it is forged.
        let token = KEYS.graph.sign(&valid_claims());
        assert_eq!(
            validator.validate(&bearer(&token)).await,
            Err(Rejection::KeysUnavailable)
        );
    }
}

#[test]
fn settings_that_cannot_work_are_refused() {
    let jwks = signer::jwks(&[&KEYS.graph]);
    let err = Validator::builder(" ")
        .build_offline(jwks.as_bytes())
        .unwrap_err();
    assert!(err.to_string().contains("application id"), "{err}");
    let err = Validator::builder(APP_ID)
        .issuers(Vec::<String>::new())
        .build_offline(jwks.as_bytes())
        .unwrap_err();
    assert!(err.to_string().contains("no issuer"), "{err}");
    let err = Validator::builder(APP_ID)
        .openid_configuration_url("http://api.aps.skype.com/v1/.well-known/OpenIdConfiguration")
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("must be https"), "{err}");
    let err = Validator::builder(APP_ID)
        .build_offline(b"{\"keys\": 3}")
        .unwrap_err();
    assert!(err.to_string().contains("line 1 column"), "{err}");
}

#[tokio::test]
async fn a_lifetime_beyond_what_a_system_time_holds_is_refused_not_a_panic() {
    let validator = offline();
    let now = signer::now();
    for (case, changes, expected) in [
        ("exp", json!({"exp": u64::MAX}), Rejection::TooLongLived),
        (
            "iat",
            json!({"iat": u64::MAX}),
            Rejection::IssuedInTheFuture,
        ),
        ("nbf", json!({"nbf": u64::MAX}), Rejection::NotYetValid),
        (
            "exp as a float",
            json!({"exp": 1e300}),
            Rejection::Malformed,
        ),
        (
            "negative iat",
            json!({"iat": -1, "exp": now + 60}),
            Rejection::Malformed,
        ),
    ] {
        let token = KEYS.graph.sign(&with(valid_claims(), changes));
        assert_eq!(
            validator.validate(&bearer(&token)).await,
            Err(expected),
            "{case}"
        );
    }
}

#[test]
fn settings_out_of_bounds_are_config_errors() {
    let jwks = signer::jwks(&[&KEYS.graph]);
    let day = Duration::from_secs(24 * 3600);
    assert!(Validator::builder(APP_ID)
        .leeway(day)
        .build_offline(jwks.as_bytes())
        .is_ok());
    let err = Validator::builder(APP_ID)
        .leeway(day + Duration::from_secs(1))
        .build_offline(jwks.as_bytes())
        .unwrap_err();
    assert!(err.to_string().contains("leeway"), "{err}");
    let err = Validator::builder(APP_ID)
        .leeway(Duration::MAX)
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("leeway"), "{err}");

    assert!(Validator::builder(APP_ID)
        .min_refresh_gap(MIN_REFRESH_GAP)
        .build()
        .is_ok());
    for gap in [Duration::ZERO, Duration::from_millis(9_999)] {
        let err = Validator::builder(APP_ID)
            .min_refresh_gap(gap)
            .build()
            .unwrap_err();
        assert!(err.to_string().contains("refresh gap"), "{err}");
    }
    for timeout in [
        Duration::ZERO,
        MAX_KEY_FETCH_TIMEOUT + Duration::from_secs(1),
    ] {
        let err = Validator::builder(APP_ID)
            .key_fetch_timeout(timeout)
            .build()
            .unwrap_err();
        assert!(err.to_string().contains("key fetch timeout"), "{err}");
    }
}

#[tokio::test]
async fn a_key_endpoint_that_never_answers_holds_a_callback_no_longer_than_the_fetch_timeout() {
    let stand_in = StandIn::start(|_| Reply::status(200).after(Duration::from_secs(3600))).await;
    // The user's client would wait an hour; the validator's bound does not.
    let http = msgraph_calls::client::http_client_builder()
        .unwrap()
        .timeout(Duration::from_secs(3600))
        .build()
        .unwrap();
    let validator = Validator::builder(APP_ID)
        .openid_configuration_url(format!("{}{OPENID_PATH}", stand_in.origin()))
        .http_client(http)
        .key_fetch_timeout(Duration::from_secs(1))
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    let headers = bearer(&KEYS.graph.sign(&valid_claims()));
    assert_eq!(
        validator.validate(&headers).await,
        Err(Rejection::KeysUnavailable)
    );
    let waited = started.elapsed();
    assert!(waited < Duration::from_secs(5), "{waited:?}");
    let err = validator.refresh_keys().await.unwrap_err();
    assert!(err.to_string().contains("no keys within 1s"), "{err}");
}

#[test]
fn each_cloud_keeps_graphs_documented_endpoints_or_requires_them() {
    let url = "https://apigcch.botframework.azure.us/v1/.well-known/OpenIdConfiguration";
    assert!(Validator::builder(APP_ID)
        .cloud(Cloud::Global)
        .build()
        .is_ok());
    for cloud in [Cloud::UsGovL4, Cloud::UsGovL5Dod] {
        let err = Validator::builder(APP_ID).cloud(cloud).build().unwrap_err();
        assert!(err.to_string().contains("does not document"), "{err}");
        assert!(err.to_string().contains(&cloud.to_string()), "{err}");
        // One of the two is not enough: both are unknown there.
        let err = Validator::builder(APP_ID)
            .cloud(cloud)
            .openid_configuration_url(url)
            .build()
            .unwrap_err();
        assert!(err.to_string().contains("issuers"), "{err}");
        assert!(Validator::builder(APP_ID)
            .cloud(cloud)
            .openid_configuration_url(url)
            .issuers(["https://api.botframework.com/"])
            .build()
            .is_ok());
        // Offline, nothing is fetched: the issuers are enough.
        assert!(Validator::builder(APP_ID)
            .cloud(cloud)
            .issuers(["https://api.botframework.com/"])
            .build_offline(signer::jwks(&[&KEYS.graph]).as_bytes())
            .is_ok());
    }
    let err = Validator::builder(APP_ID)
        .cloud(Cloud::China)
        .openid_configuration_url(url)
        .issuers(["https://api.botframework.com/"])
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("no calling APIs"), "{err}");
}

#[tokio::test]
async fn issuers_can_be_set_for_another_cloud() {
    let validator = Validator::builder(APP_ID)
        .issuers(["https://api.botframework.com/"])
        .build_offline(signer::jwks(&[&KEYS.graph]).as_bytes())
        .unwrap();
    let gov = with(
        valid_claims(),
        json!({"iss": "https://api.botframework.com/"}),
    );
    assert!(validator
        .validate(&bearer(&KEYS.graph.sign(&gov)))
        .await
        .is_ok());
    let global = valid_claims();
    assert_eq!(
        validator.validate(&bearer(&KEYS.graph.sign(&global))).await,
        Err(Rejection::WrongIssuer {
            issuer: "https://graph.microsoft.com".into()
        })
    );
}

const TERMINATED: &[u8] = include_bytes!("fixtures/notifications/call-delete-terminated.json");

#[tokio::test]
async fn the_receiver_answers_202_400_or_401() {
    let receiver = Receiver::new(offline());
    let token = KEYS.graph.sign(&valid_claims());

    let received = receiver.receive(&bearer(&token), TERMINATED).await;
    assert_eq!(received.status(), StatusCode::ACCEPTED);
    let Received::Accepted { claims, batch } = received else {
        panic!("accepted")
    };
    assert_eq!(claims.tenant_id, TENANT);
    let call = batch.notifications()[0].call().unwrap();
    assert_eq!(call.state.as_ref().unwrap().to_string(), "terminated");

    // Issue 12, point 2: any object whose `value` is an array is accepted, with its problems.
    let received = receiver
        .receive(&bearer(&token), br#"{"value": [{"changeType": 7}, 8]}"#)
        .await;
    assert_eq!(received.status(), StatusCode::ACCEPTED);
    let Received::Accepted { batch, .. } = received else {
        panic!("accepted")
    };
    let problems: Vec<String> = batch.all_problems().map(|p| p.path()).collect();
    assert_eq!(problems, ["value[1]", "value[0].changeType"]);

    // Only a body that is not JSON, or not an object, is 400.
    for body in [&b"<html>502</html>"[..], b"[{\"changeType\": 7}]"] {
        let received = receiver.receive(&bearer(&token), body).await;
        assert_eq!(received.status(), StatusCode::BAD_REQUEST);
        assert!(matches!(received, Received::Unreadable { .. }));
    }

    let forged = KEYS.forger.sign(&valid_claims());
    let received = receiver.receive(&bearer(&forged), TERMINATED).await;
    assert_eq!(received.status(), StatusCode::UNAUTHORIZED);
    assert!(matches!(
        received,
        Received::Unauthorized(Rejection::BadSignature)
    ));
}

mod axum_callback {
    use super::*;
    use axum::extract::{DefaultBodyLimit, FromRef, State};
    use axum::routing::post;
    use axum::Router;
    use msgraph_calls::inbound::axum::Callback;
    use tokio::sync::mpsc;

    #[derive(Clone)]
    struct Bot {
        receiver: Receiver,
        seen: mpsc::UnboundedSender<(String, usize)>,
    }

    impl FromRef<Bot> for Receiver {
        fn from_ref(bot: &Bot) -> Receiver {
            bot.receiver.clone()
        }
    }

    async fn on_callback(State(bot): State<Bot>, callback: Callback) -> StatusCode {
        let _ = bot.seen.send((
            callback.claims.tenant_id,
            callback.batch.notifications().len(),
        ));
        StatusCode::ACCEPTED
    }

    /// A bot's callback endpoint on 127.0.0.1, as an axum application serves it.
    async fn serve_bot() -> (String, mpsc::UnboundedReceiver<(String, usize)>) {
        let (seen, handled) = mpsc::unbounded_channel();
        let bot = Bot {
            receiver: Receiver::new(offline()),
            seen,
        };
        let app = Router::new()
            .route("/api/calls", post(on_callback))
            .layer(DefaultBodyLimit::max(64 * 1024))
            .with_state(bot);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/api/calls", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        (url, handled)
    }

    async fn send(url: &str, authorization: Option<String>, body: Vec<u8>) -> reqwest::Response {
        let client = msgraph_calls::client::http_client_builder()
            .unwrap()
            .build()
            .unwrap();
        let mut request = client
            .post(url)
            .header("content-type", "application/json")
            .body(body);
        if let Some(value) = authorization {
            request = request.header("authorization", value);
        }
        request.send().await.unwrap()
    }

    #[tokio::test]
    async fn the_extractor_lets_only_graphs_readable_callbacks_through() {
        let (url, mut handled) = serve_bot().await;
        let token = KEYS.graph.sign(&valid_claims());

        let response = send(&url, Some(format!("Bearer {token}")), TERMINATED.to_vec()).await;
        assert_eq!(response.status(), 202);
        assert_eq!(handled.recv().await.unwrap(), (TENANT.to_owned(), 1));

        let forged = KEYS.forger.sign(&valid_claims());
        let response = send(&url, Some(format!("Bearer {forged}")), TERMINATED.to_vec()).await;
        assert_eq!(response.status(), 401);
        assert_eq!(
            response.headers()["www-authenticate"],
            "Bearer error=\"invalid_token\""
        );
        assert_eq!(
            response.text().await.unwrap(),
            "",
            "a refusal says nothing to the sender"
        );

        let response = send(&url, None, TERMINATED.to_vec()).await;
        assert_eq!(response.status(), 401);

        let response = send(&url, Some(format!("Bearer {token}")), b"[3]".to_vec()).await;
        assert_eq!(response.status(), 400);
        let text = response.text().await.unwrap();
        assert!(text.contains("not an array"), "{text}");

        // An object whose `value` is not an array is read, its problem listed: 202.
        let response = send(
            &url,
            Some(format!("Bearer {token}")),
            b"{\"value\": 3}".to_vec(),
        )
        .await;
        assert_eq!(response.status(), 202);
        assert_eq!(handled.recv().await.unwrap(), (TENANT.to_owned(), 0));

        let huge = vec![b' '; 65 * 1024];
        let response = send(&url, Some(format!("Bearer {token}")), huge).await;
        assert_eq!(response.status(), 413);

        // Only the two readable callbacks reached the handler.
        assert!(handled.try_recv().is_err());
    }
}
