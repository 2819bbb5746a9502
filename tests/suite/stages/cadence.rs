//! The cadence, finished: first emails and follow-ups within the lead's business hours, the
//! lead ending "no response" after the last touch, one nudge after an answer, a referral
//! starting its own cadence.

use chrono::{DateTime, Duration, Utc};
use sqa_core::config::{BantDimension, NoResponse};
use sqa_core::domain::{Lead, Stage, TouchKind, TouchState};
use sqa_core::ports::QueueName;
use sqa_core::stages::AuthVerdicts;
use sqa_tests::memory_pipeline::MemoryPipeline;

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

/// A researched lead with a valid address, before its first touch.
fn researched(p: &MemoryPipeline, id: &str, country: &str) -> Lead {
    let mut l = p.contacted(id);
    l.stage = Stage::Researched;
    l.touches.clear();
    l.next_touch_at = None;
    l.country = country.into();
    l
}

/// Move the clock to `to`, run the selection and drain the queues.
async fn run_at(p: &MemoryPipeline, to: DateTime<Utc>) {
    let now = p.now();
    assert!(to >= now, "the clock only goes forward");
    p.mem.clock.advance(to - now);
    p.select("cadence").await;
    p.drain().await;
}

#[tokio::test]
async fn a_first_email_waits_for_the_leads_business_morning_and_follow_ups_skip_the_weekend() {
    // Friday 2026-11-20 09:00 UTC is 04:00 in New York.
    let p = MemoryPipeline::new().with_config(|c| c.cadence.follow_up_days = vec![1]);
    let lead = researched(&p, "L1", "US");
    p.insert(&lead).await;

    let out = p
        .handle(QueueName::Outreach, &p.message("L1", None))
        .await
        .unwrap();
    assert_eq!(out.decision, "waiting");
    assert!(
        p.sent().is_empty(),
        "no email at 04:00 in the lead's time zone"
    );
    let l = p.get("L1").await;
    assert_eq!(l.stage, Stage::Researched);
    assert_eq!(
        l.next_touch_at,
        Some(at("2026-11-20T14:00:00Z")),
        "09:00 in New York"
    );

    run_at(&p, at("2026-11-20T14:00:00Z")).await;
    assert_eq!(
        p.sent_to(&lead.email).len(),
        1,
        "sent when the business day starts"
    );
    let l = p.get("L1").await;
    assert_eq!(l.stage, Stage::Contacted);
    // One day later is a Saturday: the follow-up is due on Monday at 09:00 in New York.
    assert_eq!(l.next_touch_at, Some(at("2026-11-23T14:00:00Z")));
}

#[tokio::test]
async fn quiet_hours_can_be_turned_off_for_first_emails() {
    let p = MemoryPipeline::new().with_config(|c| c.cadence.quiet_hours = false);
    p.insert(&researched(&p, "L1", "US")).await;
    let out = p
        .handle(QueueName::Outreach, &p.message("L1", None))
        .await
        .unwrap();
    assert_eq!(out.decision, "sent");
}

#[tokio::test]
async fn after_the_last_touch_without_a_reply_the_lead_ends_no_response() {
    let p = MemoryPipeline::new().with_config(|c| c.cadence.follow_up_days = vec![3]);
    let lead = researched(&p, "L1", "GB");
    p.insert(&lead).await;
    p.handle(QueueName::Outreach, &p.message("L1", None))
        .await
        .unwrap();

    // Friday + 3 days: Monday 09:00, the one follow-up.
    run_at(&p, at("2026-11-23T09:00:00Z")).await;
    assert_eq!(p.sent_to(&lead.email).len(), 2);
    let l = p.get("L1").await;
    assert_eq!(l.stage, Stage::Contacted);
    let end = at("2026-11-27T09:00:00Z");
    assert_eq!(
        l.next_touch_at,
        Some(end),
        "cadence.no_response_days after it"
    );

    run_at(&p, end).await;
    let l = p.get("L1").await;
    assert_eq!(l.stage, Stage::Disqualified);
    assert_eq!(l.reason.as_deref(), Some("no_response"));
    assert_eq!(l.next_touch_at, None);
    assert_eq!(p.sent_to(&lead.email).len(), 2, "no third email");
}

#[tokio::test]
async fn a_silent_lead_can_be_nurtured_instead() {
    let p = MemoryPipeline::new().with_config(|c| {
        c.cadence.follow_up_days = vec![];
        c.cadence.after_last_touch = NoResponse::Nurture;
    });
    let lead = researched(&p, "L1", "GB");
    p.insert(&lead).await;
    p.handle(QueueName::Outreach, &p.message("L1", None))
        .await
        .unwrap();
    // Friday + 4 days: Tuesday.
    run_at(&p, at("2026-11-24T09:00:00Z")).await;

    let l = p.get("L1").await;
    assert_eq!(l.stage, Stage::Nurture);
    assert!(
        l.reason.as_deref().unwrap_or("").starts_with("no_response"),
        "{:?}",
        l.reason
    );
    let back = l.next_touch_at.expect("a date to come back");
    let days = i64::from(p.deps.config.cadence.nurture_days);
    assert!(back >= p.now() + Duration::days(days), "{back}");
    assert!(back < p.now() + Duration::days(days + 3), "{back}");
    assert_eq!(p.sent_to(&lead.email).len(), 1);
}

#[tokio::test]
async fn a_lead_who_got_an_answer_and_went_silent_gets_one_nudge() {
    let p = MemoryPipeline::new();
    let lead = p.contacted("L1");
    p.insert(&lead).await;
    let reply = p.reply_from(
        &lead,
        "<r1@customer.example>",
        "How much does Ledger Close cost per month for our team?",
    );
    p.inbound("inbound/r1", &reply, AuthVerdicts::default())
        .await;
    let l = p.get("L1").await;
    assert_eq!(l.stage, Stage::Engaged);
    assert_eq!(p.sent_to(&lead.email).len(), 1, "the answer");
    let nudge_at = l
        .next_touch_at
        .expect("a nudge is scheduled after the answer");
    assert_eq!(
        nudge_at,
        at("2026-11-25T09:00:00Z"),
        "cadence.nudge_days = 5"
    );

    run_at(&p, nudge_at).await;
    let sent = p.sent_to(&lead.email);
    assert_eq!(sent.len(), 2, "one nudge");
    let l = p.get("L1").await;
    let nudge = l.touches.last().unwrap();
    assert_eq!(nudge.kind, TouchKind::FollowUp);
    assert_eq!(nudge.state, TouchState::Sent);
    let end = l.next_touch_at.expect("the end of the cadence");

    run_at(&p, end).await;
    let l = p.get("L1").await;
    assert_eq!(p.sent_to(&lead.email).len(), 2, "never a second nudge");
    assert_eq!(l.stage, Stage::Disqualified);
    assert_eq!(l.reason.as_deref(), Some("no_response"));
}

#[tokio::test]
async fn a_referred_contact_starts_its_own_cadence() {
    let p = MemoryPipeline::new();
    let lead = p.contacted("L1");
    p.insert(&lead).await;
    let domain = lead.email.split('@').nth(1).unwrap().to_string();
    let referred = format!("dana.cho@{domain}");
    let reply = p.reply_from(
        &lead,
        "<r1@customer.example>",
        &format!("I'm not the right person for this. Please contact {referred} instead."),
    );
    p.inbound("inbound/r1", &reply, AuthVerdicts::default())
        .await;

    let r = p.get("L1-R1").await;
    assert_eq!(r.stage, Stage::Contacted, "{:?}", r.reason);
    assert_eq!(p.sent_to(&referred).len(), 1, "the referral's first email");
    assert!(r.next_touch_at.is_some(), "its own follow-ups");
}

/// The BANT question the agent's answer ends with, for a lead whose `known` dimensions are
/// set, with `order` as `cadence.bant_order`.
async fn question_in_answer(order: Option<Vec<BantDimension>>, known: &[&str]) -> String {
    let p = MemoryPipeline::new().with_config(|c| {
        if let Some(o) = order {
            c.cadence.bant_order = o;
        }
    });
    let mut lead = p.contacted("L1");
    for k in known {
        let v = Some("stated".to_string());
        match *k {
            "need" => lead.bant.need = v,
            "timeline" => lead.bant.timeline = v,
            "budget" => lead.bant.budget = v,
            _ => lead.bant.authority = v,
        }
    }
    p.insert(&lead).await;
    let reply = p.reply_from(
        &lead,
        "<r1@customer.example>",
        "How much does Ledger Close cost per month for our team?",
    );
    p.inbound("inbound/r1", &reply, AuthVerdicts::default())
        .await;
    let l = p.get("L1").await;
    let answer = l
        .touches
        .iter()
        .find(|t| t.kind == TouchKind::Answer)
        .unwrap_or_else(|| panic!("an answer: {:?}", l.touches));
    answer.body.clone()
}

const NEED: &str = "what would you most like to improve?";
const TIMELINE: &str = "Is there a timeline you're working towards";
const BUDGET: &str = "Have you set aside budget for this";
const AUTHORITY: &str = "Who else would be involved in deciding";

#[tokio::test]
async fn bant_questions_follow_the_default_order_and_skip_what_is_known() {
    let body = question_in_answer(None, &[]).await;
    assert!(body.contains(NEED), "need first: {body}");
    let body = question_in_answer(None, &["need"]).await;
    assert!(body.contains(TIMELINE), "then timeline: {body}");
    let body = question_in_answer(None, &["need", "timeline"]).await;
    assert!(body.contains(BUDGET), "then budget: {body}");
    assert!(!body.contains(AUTHORITY), "{body}");
    let body = question_in_answer(None, &["need", "timeline", "budget"]).await;
    assert!(body.contains(AUTHORITY), "authority last: {body}");
    let body = question_in_answer(None, &["need", "timeline", "budget", "authority"]).await;
    for q in [NEED, TIMELINE, BUDGET, AUTHORITY] {
        assert!(!body.contains(q), "nothing left to ask: {body}");
    }
}

#[tokio::test]
async fn bant_questions_follow_the_configured_order() {
    let order = vec![BantDimension::Authority, BantDimension::Budget];
    let body = question_in_answer(Some(order.clone()), &[]).await;
    assert!(body.contains(AUTHORITY), "{body}");
    let body = question_in_answer(Some(order.clone()), &["authority"]).await;
    assert!(body.contains(BUDGET), "{body}");
    let body = question_in_answer(Some(order), &["authority", "budget"]).await;
    for q in [NEED, TIMELINE, BUDGET, AUTHORITY] {
        assert!(
            !body.contains(q),
            "a dimension left out is never asked: {body}"
        );
    }
}

#[tokio::test]
async fn a_first_email_waiting_for_business_hours_is_not_a_stalled_lead() {
    let p = MemoryPipeline::new();
    p.insert(&researched(&p, "L1", "JP")).await;
    // Friday 09:00 UTC is 18:00 in Tokyo: the email waits for Monday 09:00 there.
    let out = p
        .handle(QueueName::Outreach, &p.message("L1", None))
        .await
        .unwrap();
    assert_eq!(out.decision, "waiting");
    let l = p.get("L1").await;
    assert_eq!(l.next_touch_at, Some(at("2026-11-23T00:00:00Z")));
    assert_eq!(l.waiting_since(), None, "scheduled, not stalled");
}

#[tokio::test]
async fn an_opt_out_pauses_the_colleagues_cadence_until_a_person_decides() {
    let p = MemoryPipeline::new();
    let l1 = p.contacted("L1");
    let l2 = p.contacted("L2");
    p.insert(&l1).await;
    p.insert(&l2).await;
    let due = p.get("L2").await.next_touch_at.expect("a follow-up due");
    let reply = p.reply_from(
        &l1,
        "<r1@customer.example>",
        "Please remove me from your mailing list.",
    );
    p.inbound("inbound/r1", &reply, AuthVerdicts::default())
        .await;
    assert_eq!(p.get("L1").await.stage, Stage::Suppressed);
    let l = p.get("L2").await;
    match &l.blocked {
        Some(sqa_core::domain::Blocked::ColleagueStopped { colleague, why }) => {
            assert_eq!(colleague, "L1");
            assert_eq!(why, "opted out");
        }
        other => panic!("the colleague's lead shows it: {other:?}"),
    }
    run_at(&p, due.max(p.now())).await;
    assert!(
        p.sent_to(&l2.email).is_empty(),
        "no follow-up to the colleague while a person decides"
    );
    assert_eq!(
        p.leads.scans(),
        0,
        "colleagues are found through the account index, never a scan"
    );
}

#[tokio::test]
async fn first_emails_per_account_per_day_are_capped() {
    let p =
        MemoryPipeline::new().with_config(|c| c.cadence.max_first_emails_per_account_per_day = 1);
    let a = researched(&p, "L1", "GB");
    let b = researched(&p, "L2", "GB");
    p.insert(&a).await;
    p.insert(&b).await;
    let first = p
        .handle(QueueName::Outreach, &p.message("L1", None))
        .await
        .unwrap();
    assert_eq!(first.decision, "sent");
    let second = p
        .handle(QueueName::Outreach, &p.message("L2", None))
        .await
        .unwrap();
    assert_eq!(
        second.decision, "waiting",
        "one first email per account per day"
    );
    assert!(p.sent_to(&b.email).is_empty());
    // Friday + 1 day is Saturday: Monday 09:00.
    let at_ = p.get("L2").await.next_touch_at.expect("rescheduled");
    assert_eq!(at_, at("2026-11-23T09:00:00Z"));
    run_at(&p, at_).await;
    assert_eq!(p.sent_to(&b.email).len(), 1, "sent the next business day");
    assert_eq!(
        p.leads.scans(),
        0,
        "the account's first emails are counted through the account index, never a scan"
    );
}
