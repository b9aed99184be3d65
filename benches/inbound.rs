//! What checking a callback's token costs: `Validator::validate` on a valid token (keys cached),
//! side by side with `jsonwebtoken::decode` alone on the same token and key (the floor: RS256
//! verification and claims), and a refusal that needs no signature check (`alg: none`).
//! Run with `cargo bench --bench inbound`; results in BENCHMARKS.md.

#[path = "../tests/support/signer.rs"]
mod signer;
#[path = "../tests/support/stand_in.rs"]
mod stand_in;

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use msgraph_calls::inbound::Validator;
use signer::GraphKey;

const APP_ID: &str = "0efc74f7-41c3-47a4-8775-7259bfef4241";
const TENANT: &str = "1fdd12d0-4620-44ed-baec-459b611f84b2";

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

    let jwk = key.jwk();
    let decoding =
        DecodingKey::from_rsa_components(jwk["n"].as_str().unwrap(), jwk["e"].as_str().unwrap())
            .unwrap();
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_audience(&[APP_ID]);
    validation.set_issuer(&[
        "https://graph.microsoft.com",
        "https://api.botframework.com",
    ]);

    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let mut group = c.benchmark_group("callback token");
    group.bench_function("Validator::validate, valid token", |b| {
        b.iter(|| {
            runtime
                .block_on(validator.validate(black_box(&headers)))
                .unwrap()
        })
    });
    group.bench_function("jsonwebtoken::decode alone (floor)", |b| {
        b.iter(|| {
            jsonwebtoken::decode::<serde_json::Value>(black_box(&token), &decoding, &validation)
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
}

criterion_group!(benches, validate);
criterion_main!(benches);
