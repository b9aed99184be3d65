//! What a callback costs, side by side in one run: `Validator::validate` on a valid token (keys
//! cached) against ring's bare RS256 verification of the same token (the floor: the arithmetic
//! alone, no header, claims or key lookup); a refusal that needs no signature check
//! (`alg: none`); and `Receiver::receive` on a signed callback carrying the seed's terminated
//! notification against `validate` and `notifications::from_slice` of the same token and body.
//! Run with `cargo bench --bench inbound`; results in BENCHMARKS.md.

use std::hint::black_box;

use base64::Engine as _;
use criterion::{criterion_group, criterion_main, Criterion};
use msgraph_calls::inbound::{Receiver, Validator};
use msgraph_calls::notifications;
use msgraph_calls::testing::signer::{self, GraphKey};
use ring::signature::{RsaPublicKeyComponents, RSA_PKCS1_2048_8192_SHA256};

const APP_ID: &str = "0efc74f7-41c3-47a4-8775-7259bfef4241";
const TENANT: &str = "1fdd12d0-4620-44ed-baec-459b611f84b2";
const TERMINATED: &[u8] =
    include_bytes!("../tests/fixtures/notifications/call-delete-terminated.json");

fn unb64(text: &str) -> Vec<u8> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text)
        .unwrap()
}

fn validate(c: &mut Criterion) {
    let key = GraphKey::generate("graph-key");
    let jwks = signer::jwks(&[&key]);
    let validator = Validator::builder(APP_ID)
        .allowed_tenants([TENANT])
        .build_offline(jwks.as_bytes())
        .unwrap();
    let token = key.sign(&signer::claims(APP_ID, TENANT));
    let mut headers = http::HeaderMap::new();
    headers.insert("authorization", format!("Bearer {token}").parse().unwrap());
    let none = format!(
        "Bearer {}.{}.",
        signer::b64(br#"{"alg":"none","kid":"graph-key"}"#),
        token.split('.').nth(1).unwrap()
    );
    let mut forged = http::HeaderMap::new();
    forged.insert("authorization", none.parse().unwrap());

    // The floor: the signed text and signature already cut and decoded, the key's numbers
    // decoded, one verification.
    let jwk = key.jwk();
    let (n, e) = (
        unb64(jwk["n"].as_str().unwrap()),
        unb64(jwk["e"].as_str().unwrap()),
    );
    let (signed, signature) = token.rsplit_once('.').unwrap();
    let signature = unb64(signature);
    let public = RsaPublicKeyComponents { n: &n, e: &e };

    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let receiver = Receiver::new(validator.clone());
    assert!(runtime
        .block_on(receiver.receive(&headers, TERMINATED))
        .status()
        .is_success());

    let mut group = c.benchmark_group("callback token");
    group.bench_function("Validator::validate, valid token", |b| {
        b.iter(|| {
            runtime
                .block_on(validator.validate(black_box(&headers)))
                .unwrap()
        })
    });
    group.bench_function("ring RS256 verification alone (floor)", |b| {
        b.iter(|| {
            public
                .verify(
                    &RSA_PKCS1_2048_8192_SHA256,
                    black_box(signed.as_bytes()),
                    black_box(&signature),
                )
                .unwrap()
        })
    });
    group.bench_function("Validator::validate, alg none refused", |b| {
        b.iter(|| {
            runtime
                .block_on(validator.validate(black_box(&forged)))
                .unwrap_err()
        })
    });
    group.finish();

    let mut group = c.benchmark_group("callback");
    group.bench_function("Receiver::receive, token and seed body", |b| {
        b.iter(|| runtime.block_on(receiver.receive(black_box(&headers), black_box(TERMINATED))))
    });
    group.bench_function("validate, then from_slice, apart", |b| {
        b.iter(|| {
            let claims = runtime
                .block_on(validator.validate(black_box(&headers)))
                .unwrap();
            let batch = notifications::from_slice(black_box(TERMINATED)).unwrap();
            (claims, batch)
        })
    });
    group.finish();
}

criterion_group!(benches, validate);
criterion_main!(benches);
