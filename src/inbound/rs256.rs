//! RS256 (RSASSA-PKCS1-v1_5 with SHA-256, RFC 7518 section 3.3): the one algorithm Graph signs
//! callback tokens with, checked with ring, or with aws-lc-rs under the `aws-lc` feature.
//!
//! A key is read from its JWK once, when the keys are fetched: its modulus and exponent are
//! decoded and bounded then, so a token's check does no base64 or size check of the key; the
//! backend still sets the key up for its arithmetic on each check, as ring 0.17 offers no
//! pre-parsed public key (the bare verification BENCHMARKS.md compares with does the same).
//! Neither backend needs a process-wide provider, so no other crate's features
//! can change or break it.

use base64::Engine as _;

#[cfg(feature = "aws-lc")]
use aws_lc_rs::signature::{RsaPublicKeyComponents, RSA_PKCS1_2048_8192_SHA256};
#[cfg(not(feature = "aws-lc"))]
use ring::signature::{RsaPublicKeyComponents, RSA_PKCS1_2048_8192_SHA256};

/// Keys shorter than this are not used (RFC 7518 section 3.3 asks for 2048 bits or more).
pub(super) const MIN_MODULUS_BITS: usize = 2048;

/// Keys longer than this are not used: Graph's are 2048 bits, and each extra bit makes every
/// check, forged tokens' included, dearer.
pub(super) const MAX_MODULUS_BITS: usize = 4096;

/// The largest public exponent used. Graph's is 65537; a large one makes every check dearer.
pub(super) const MAX_EXPONENT: u64 = u32::MAX as u64;

/// An RSA public key, decoded and bounded once.
#[derive(Clone)]
pub(crate) struct RsaKey {
    /// Big-endian, no leading zero byte.
    n: Box<[u8]>,
    /// Big-endian, no leading zero byte.
    e: Box<[u8]>,
}

impl RsaKey {
    /// The key whose base64url modulus and exponent (a JWK's `n` and `e`) are given, or why it
    /// is not used.
    pub(super) fn from_jwk(n: &str, e: &str) -> Result<RsaKey, String> {
        let n = unsigned(n).ok_or("its modulus is not base64url")?;
        let e = unsigned(e).ok_or("its exponent is not base64url")?;
        let bits = bit_length(&n);
        if bits < MIN_MODULUS_BITS {
            return Err(format!(
                "its modulus has {bits} bits, fewer than {MIN_MODULUS_BITS}"
            ));
        }
        if bits > MAX_MODULUS_BITS {
            return Err(format!(
                "its modulus has {bits} bits, more than {MAX_MODULUS_BITS}"
            ));
        }
        let exponent = (e.len() <= 8)
            .then(|| e.iter().fold(0u64, |v, b| (v << 8) | u64::from(*b)))
            .filter(|v| (3..=MAX_EXPONENT).contains(v) && v % 2 == 1);
        if exponent.is_none() {
            return Err(format!(
                "its exponent is not an odd number from 3 to {MAX_EXPONENT}"
            ));
        }
        Ok(RsaKey {
            n: n.into(),
            e: e.into(),
        })
    }

    /// Whether `signature` is this key's RS256 signature of `message`.
    pub(super) fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        RsaPublicKeyComponents {
            n: &*self.n,
            e: &*self.e,
        }
        .verify(&RSA_PKCS1_2048_8192_SHA256, message, signature)
        .is_ok()
    }
}

impl std::fmt::Debug for RsaKey {
    /// The key's size only: its numbers are public, but long and of no use in a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RsaKey")
            .field("bits", &bit_length(&self.n))
            .finish_non_exhaustive()
    }
}

/// A base64url big-endian number (padding tolerated), without its leading zero bytes.
fn unsigned(value: &str) -> Option<Vec<u8>> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(value.trim_end_matches('='))
        .ok()?;
    let start = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
    Some(bytes[start..].to_vec())
}

fn bit_length(number: &[u8]) -> usize {
    match number.first() {
        Some(first) => number.len() * 8 - first.leading_zeros() as usize,
        None => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b64(bytes: &[u8]) -> String {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    }

    #[test]
    fn moduli_are_bounded_by_their_bits_not_their_bytes() {
        let n = |bytes: &[u8]| b64(bytes);
        assert!(RsaKey::from_jwk(&n(&[0xc5; 256]), "AQAB").is_ok());
        assert!(RsaKey::from_jwk(&n(&[0xc5; 512]), "AQAB").is_ok());
        // 2047 bits: the top byte's high bit clear.
        let short = [[0x7f].as_slice(), &[0xc5; 255]].concat();
        assert!(RsaKey::from_jwk(&n(&short), "AQAB")
            .unwrap_err()
            .contains("2047 bits"));
        // Leading zero bytes do not count.
        let padded = [[0u8, 0].as_slice(), &[0xc5; 255]].concat();
        assert!(RsaKey::from_jwk(&n(&padded), "AQAB").is_err());
        let long = [[0x01].as_slice(), &[0xc5; 512]].concat();
        assert!(RsaKey::from_jwk(&n(&long), "AQAB")
            .unwrap_err()
            .contains("4097 bits"));
    }

    #[test]
    fn exponents_are_odd_small_and_at_least_three() {
        let n = b64(&[0xc5; 256]);
        for good in [
            b64(&[3]),
            b64(&[1, 0, 1]),
            b64(&[0, 1, 0, 1]),
            b64(&[0xff; 4]),
        ] {
            assert!(RsaKey::from_jwk(&n, &good).is_ok(), "{good}");
        }
        for bad in [
            b64(&[1]),
            b64(&[2]),
            b64(&[1, 0, 0]),
            b64(&[1, 0, 0, 0, 1]),
            b64(&[0xff; 64]),
            String::new(),
            "not base64!".to_owned(),
        ] {
            assert!(RsaKey::from_jwk(&n, &bad).is_err(), "{bad:?}");
        }
    }
}
