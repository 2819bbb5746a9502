//! Consent: one-click unsubscribe tokens and the suppression they lead to.
//!
//! A token is `{lead_id}.{tag}` where `tag` is the first 32 hex digits of
//! HMAC-SHA256(secret, "unsubscribe" ‖ lead id): unguessable without the deployment's secret,
//! so nobody can unsubscribe someone else by editing a link.
//!
//! Suppressions are kept under the address's untagged key (`a+x@b` is kept as `a@b`), so an
//! opt-out covers every `+tag` form of the address.

use super::{Outcome, StageError, Step, is_conflict, load, save};
use crate::domain::{EmailKey, LeadId, Stage};
use crate::lifecycle::{Expected, transition};
use crate::ports::{Deps, Suppression};
use sha2::{Digest, Sha256};

const PURPOSE: &str = "unsubscribe";
const TAG_HEX: usize = 32;

/// The unsubscribe token of a lead.
pub fn token(secret: &str, lead: &LeadId) -> String {
    format!(
        "{lead}.{}",
        crate::sign::tag(secret, PURPOSE, &[lead.as_str()], TAG_HEX)
    )
}

/// The token form of earlier versions (24 hex digits of sha256(prefix ‖ secret ‖ id)).
/// Links in emails already sent must keep working: an opt-out is honoured whatever version
/// wrote the link.
fn legacy_mac(secret: &str, lead: &LeadId) -> String {
    let mut h = Sha256::new();
    h.update(b"sqa-unsubscribe\0");
    h.update(secret.as_bytes());
    h.update(b"\0");
    h.update(lead.as_str().as_bytes());
    hex::encode(h.finalize())[..24].to_string()
}

/// The lead a token names, when the token is genuine.
pub fn verify(secret: &str, token: &str) -> Option<LeadId> {
    let (id, given) = token.trim().rsplit_once('.')?;
    let id = LeadId::parse(id).ok()?;
    let genuine = if given.len() == 24 {
        let want = legacy_mac(secret, &id);
        // Compare without an early exit so timing says nothing about the token.
        want.bytes()
            .zip(given.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
    } else {
        crate::sign::verify(secret, PURPOSE, &[id.as_str()], given)
    };
    genuine.then_some(id)
}

/// The key an address is suppressed under: its normalized form, lowercased, without a
/// `+tag`.
pub fn suppression_key(address: &str) -> EmailKey {
    let check = crate::agents::email::check(address.trim());
    EmailKey::from_check(address, &check).untagged()
}

/// The suppression that covers `address`, if any: its untagged key, or (for entries written
/// by earlier versions) the address exactly as it was suppressed.
pub async fn suppression_of(deps: &Deps, address: &str) -> Result<Option<Suppression>, StageError> {
    let key = suppression_key(address);
    if let Some(s) = deps.ports.suppressions.get(key.as_str()).await? {
        return Ok(Some(s));
    }
    let exact = address.trim().to_lowercase();
    if exact != key.as_str() {
        return Ok(deps.ports.suppressions.get(&exact).await?);
    }
    Ok(None)
}

/// Suppress an address with a reason and a source, and end every lead that has it in
/// `end_as` (`suppressed`, or `bounced` for a hard bounce).
pub async fn suppress_address(
    deps: &Deps,
    address: &str,
    reason: &str,
    source: &str,
    run_id: &str,
    end_as: Stage,
) -> Result<Vec<LeadId>, StageError> {
    let key = suppression_key(address);
    let exact = EmailKey::from_check(address, &crate::agents::email::check(address.trim()));
    deps.ports
        .suppressions
        .add(&Suppression {
            address: key.to_string(),
            reason: reason.to_string(),
            source: source.to_string(),
            at: deps.ports.clock.now(),
        })
        .await?;
    let mut moved = Vec::new();
    let mut ids = deps.ports.leads.find_by_email(key.as_str()).await?;
    if exact != key {
        ids.extend(deps.ports.leads.find_by_email(exact.as_str()).await?);
    }
    for id in ids {
        if end_lead(deps, &id, end_as, reason, run_id, source).await? {
            moved.push(id);
        }
    }
    Ok(moved)
}

/// Move a lead to a final stage with a reason (retrying on conflicts); false when it is
/// already there or may not go there.
pub async fn end_lead(
    deps: &Deps,
    id: &LeadId,
    to: Stage,
    reason: &str,
    run_id: &str,
    stage_name: &str,
) -> Result<bool, StageError> {
    for _ in 0..5 {
        let mut lead = load(deps, id).await?;
        if lead.stage == to {
            return Ok(false);
        }
        let step = Step::start(deps, run_id, Some(id), stage_name);
        let expected = Expected::of(&lead);
        if transition(&mut lead, to).is_err() {
            return Ok(false);
        }
        lead.reason = Some(reason.to_string());
        lead.next_touch_at = None;
        match save(deps, &mut lead, expected).await {
            Ok(()) => {
                step.finish(deps, to.as_str(), vec![reason.to_string()])
                    .await?;
                return Ok(true);
            }
            Err(e) if is_conflict(&e) => continue,
            Err(e) => return Err(e),
        }
    }
    Err(StageError::Transient(anyhow::anyhow!(
        "lead {id} kept changing; try again"
    )))
}

/// One-click unsubscribe (RFC 8058): suppress the lead's address. Idempotent.
pub async fn unsubscribe(deps: &Deps, token: &str) -> Result<Outcome, StageError> {
    let id = verify(&deps.secret, token)
        .ok_or_else(|| StageError::permanent("the unsubscribe link is not valid"))?;
    let lead = load(deps, &id).await?;
    let address = lead
        .validation
        .as_ref()
        .and_then(|v| v.normalized.clone())
        .unwrap_or_else(|| lead.email_key.to_string());
    let run_id = format!("unsubscribe-{}", deps.ports.clock.now().timestamp_millis());
    suppress_address(
        deps,
        &address,
        "unsubscribed (one-click link)",
        "list-unsubscribe",
        &run_id,
        Stage::Suppressed,
    )
    .await?;
    // A lead whose address could not be matched is still ended.
    end_lead(
        deps,
        &id,
        Stage::Suppressed,
        "unsubscribed (one-click link)",
        &run_id,
        "consent",
    )
    .await?;
    Ok(Outcome::new(Some(id), "suppressed"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_verify_only_with_the_same_secret_and_lead() {
        let id = LeadId::parse("L0001").unwrap();
        let t = token("s3cret", &id);
        assert_eq!(verify("s3cret", &t), Some(id.clone()));
        assert_eq!(verify("other", &t), None);
        let forged = t.replace("L0001", "L0002");
        assert_eq!(verify("s3cret", &forged), None);
        assert_eq!(verify("s3cret", "garbage"), None);
    }

    #[test]
    fn links_of_earlier_versions_still_unsubscribe() {
        let id = LeadId::parse("L0001").unwrap();
        let old = format!("L0001.{}", legacy_mac("s3cret", &id));
        assert_eq!(verify("s3cret", &old), Some(id.clone()));
        assert_eq!(verify("other", &old), None);
    }

    #[test]
    fn a_tagged_address_is_suppressed_under_its_base() {
        assert_eq!(
            suppression_key(" Jason.Lin+x@Example.com ").as_str(),
            "jason.lin@example.com"
        );
    }
}
