//! DKIM for tests: an Ed25519 key made in the test, messages signed with it, and a DNS
//! responder on 127.0.0.1 that publishes the key with an SPF record and a DMARC policy.

use crate::dns_server::{TestDns, Zone, start_dns};
use hickory_proto::rr::rdata::TXT;
use hickory_proto::rr::{RData, RecordType};
use mail_auth::arc::ArcSealer;
use mail_auth::common::crypto::Ed25519Key;
use mail_auth::common::headers::HeaderWriter;
use mail_auth::dkim::DkimSigner;
use mail_auth::{ArcOutput, AuthenticatedMessage, AuthenticationResults};
use std::collections::HashMap;

/// The one IP the published SPF record allows.
pub const SENDER_IP: &str = "203.0.113.5";

/// A signing key of its own, made when the signer is.
pub struct Signer {
    key: Vec<u8>,
    /// The public key, base64, as a DKIM record carries it.
    pub public: String,
}

impl Default for Signer {
    fn default() -> Self {
        Self::new()
    }
}

impl Signer {
    pub fn new() -> Signer {
        let key = Ed25519Key::generate_pkcs8().unwrap_or_else(|e| panic!("a test key: {e}"));
        let public = sqa_core::mail::render::base64(&Self::load(&key).public_key());
        Signer { key, public }
    }

    fn load(key: &[u8]) -> Ed25519Key {
        Ed25519Key::from_pkcs8_der(key).unwrap_or_else(|e| panic!("the test key: {e}"))
    }

    /// The message with an ARC set of `domain` (selector `s1`) on top, as a forwarder (a
    /// mailing list) adds one: instance 1, no earlier chain.
    pub fn seal_arc(&self, raw: &str, domain: &str) -> String {
        let message = AuthenticatedMessage::parse(raw.as_bytes())
            .unwrap_or_else(|| panic!("a message to seal"));
        let results = AuthenticationResults::new(domain);
        let set = ArcSealer::from_key(Self::load(&self.key))
            .domain(domain)
            .selector("s1")
            .headers(["From", "To", "Subject", "Date", "Message-ID"])
            .seal(&message, &results, &ArcOutput::default())
            .unwrap_or_else(|e| panic!("sealing: {e}"));
        format!("{}{raw}", set.to_header())
    }

    /// The message with a DKIM-Signature of `domain` (selector `s1`) over its headers and
    /// body.
    pub fn sign(&self, raw: &str, domain: &str) -> String {
        let signature = DkimSigner::from_key(Self::load(&self.key))
            .domain(domain)
            .selector("s1")
            .headers(["From", "To", "Subject", "Date", "Message-ID", "In-Reply-To"])
            .sign(raw.as_bytes())
            .unwrap_or_else(|e| panic!("signing: {e}"));
        format!("{}{raw}", signature.to_header())
    }
}

/// DNS for `domain`: the signer's key (selector `s1`), an SPF record that allows only
/// [`SENDER_IP`], and a DMARC policy of reject.
pub async fn dns_for(domain: &str, signer: &Signer) -> TestDns {
    let txt = |s: &str| (RecordType::TXT, RData::TXT(TXT::new(vec![s.to_string()])));
    let mut zones = HashMap::new();
    zones.insert(
        format!("s1._domainkey.{domain}"),
        Zone::Records(vec![txt(&format!(
            "v=DKIM1; k=ed25519; p={}",
            signer.public
        ))]),
    );
    zones.insert(
        domain.to_string(),
        Zone::Records(vec![txt(&format!("v=spf1 ip4:{SENDER_IP} -all"))]),
    );
    zones.insert(
        format!("_dmarc.{domain}"),
        Zone::Records(vec![txt("v=DMARC1; p=reject")]),
    );
    start_dns(zones).await
}
