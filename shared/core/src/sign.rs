//! Keyed digests with the deployment's secret (HMAC-SHA256, RFC 2104): what makes the
//! one-click unsubscribe tokens and the Message-IDs of the agent's emails unguessable.
//!
//! Every use names its purpose, which is part of the signed bytes, so a value signed for one
//! purpose never verifies for another.

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};

/// SHA-256's block size: HMAC keys are hashed down to a digest when longer, then zero-padded
/// to it.
const BLOCK: usize = 64;

pub(crate) fn keyed(secret: &str) -> Hmac<Sha256> {
    // HMAC's own key preparation (RFC 2104 §2), done here so the constructor cannot fail.
    let mut key = [0u8; BLOCK];
    let bytes = secret.as_bytes();
    if bytes.len() > BLOCK {
        let digest = Sha256::digest(bytes);
        key[..digest.len()].copy_from_slice(&digest);
    } else {
        key[..bytes.len()].copy_from_slice(bytes);
    }
    <Hmac<Sha256> as KeyInit>::new(&key.into())
}

fn mac(secret: &str, purpose: &str, parts: &[&str]) -> Hmac<Sha256> {
    let mut m = keyed(secret);
    m.update(purpose.as_bytes());
    for part in parts {
        // Lengths first, so that ("ab", "c") and ("a", "bc") never sign the same bytes.
        m.update(&(part.len() as u64).to_be_bytes());
        m.update(part.as_bytes());
    }
    m
}

/// The first `hex_len` hex digits (at most 64) of HMAC-SHA256(secret, purpose ‖ parts).
pub fn tag(secret: &str, purpose: &str, parts: &[&str], hex_len: usize) -> String {
    let full = hex::encode(mac(secret, purpose, parts).finalize().into_bytes());
    full[..hex_len.min(full.len())].to_string()
}

/// Whether `given` (hex) is the tag of `parts`, compared in constant time. A tag shorter than
/// eight bytes never verifies.
pub fn verify(secret: &str, purpose: &str, parts: &[&str], given: &str) -> bool {
    if given.len() < 16 || !given.len().is_multiple_of(2) {
        return false;
    }
    let Ok(bytes) = hex::decode(given) else {
        return false;
    };
    mac(secret, purpose, parts)
        .verify_truncated_left(&bytes)
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tag_is_standard_hmac_sha256() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        let mut m = keyed("Jefe");
        m.update(b"what do ya want for nothing?");
        assert_eq!(
            hex::encode(m.finalize().into_bytes()),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn tags_verify_only_for_the_same_secret_purpose_and_parts() {
        let t = tag("s3cret", "unsubscribe", &["L0001"], 32);
        assert!(verify("s3cret", "unsubscribe", &["L0001"], &t));
        assert!(!verify("other", "unsubscribe", &["L0001"], &t));
        assert!(!verify("s3cret", "message-id", &["L0001"], &t));
        assert!(!verify("s3cret", "unsubscribe", &["L0002"], &t));
        assert!(!verify("s3cret", "unsubscribe", &["L000", "1"], &t));
        assert!(!verify("s3cret", "unsubscribe", &["L0001"], "zz"));
        assert!(!verify("s3cret", "unsubscribe", &["L0001"], &t[..8]));
    }

    #[test]
    fn long_secrets_are_hashed_like_hmac_does() {
        let long = "k".repeat(200);
        let mut reference = Hmac::<Sha256>::new_from_slice(long.as_bytes()).unwrap();
        let mut ours = keyed(&long);
        reference.update(b"data");
        ours.update(b"data");
        assert_eq!(
            ours.finalize().into_bytes(),
            reference.finalize().into_bytes()
        );
        let t = tag(&long, "p", &["x"], 64);
        assert_eq!(t.len(), 64);
        assert!(verify(&long, "p", &["x"], &t));
    }
}
