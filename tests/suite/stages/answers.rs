//! A reply with several questions: each is looked up on its own in the knowledge read for
//! answers. The answer covers those the knowledge answers and says, in the lead's language,
//! that a colleague follows up on the rest; the open questions are recorded on the lead,
//! which waits for a person. With no answer at all, a person replies and nothing is sent.
//! A knowledge source limited to outreach is never quoted in an answer.

use sqa_core::config::{KnowledgeDoc, KnowledgeSource, Purpose, ScopedSource};
use sqa_core::domain::{Blocked, Lead, TouchKind};
use sqa_core::stages::AuthVerdicts;
use sqa_tests::memory_pipeline::MemoryPipeline;

const SUPERVISOR: &str = "supervisor@northwind-ledger.example";

async fn contacted(p: &MemoryPipeline, id: &str) -> Lead {
    let l = p.contacted(id);
    p.insert(&l).await;
    l
}

/// Deliver `text` as lead L1's reply; the lead after it, and the answers it was sent.
async fn reply(p: &MemoryPipeline, text: &str) -> (Lead, Vec<String>) {
    let lead = contacted(p, "L1").await;
    let raw = p.reply_from(&lead, "<r1@customer.example>", text);
    let report = p.inbound("inbound/r1", &raw, AuthVerdicts::default()).await;
    assert!(report.failed.is_empty(), "{report:?}");
    let sent = p
        .sent_to(&lead.email)
        .iter()
        .map(|m| {
            sqa_core::mail::parse::parse(&m.raw)
                .expect("our mail parses")
                .text
        })
        .collect();
    (p.get("L1").await, sent)
}

/// The notices the supervisor got.
fn notices(p: &MemoryPipeline) -> Vec<String> {
    p.sent_to(SUPERVISOR)
        .iter()
        .map(|m| {
            sqa_core::mail::parse::parse(&m.raw)
                .expect("our mail parses")
                .text
        })
        .collect()
}

const EN_OPEN: &str =
    "On the points I have not answered here, a colleague will get back to you personally.";
const DE_OPEN: &str = "Zu den Punkten, die ich hier nicht beantwortet habe, meldet sich eine \
                       Kollegin oder ein Kollege persönlich bei Ihnen.";

#[tokio::test]
async fn two_answerable_questions_are_both_answered_and_nobody_is_asked() {
    let p = MemoryPipeline::new();
    let (lead, sent) = reply(
        &p,
        "Hi Robin, how much does Ledger Close cost per month? And is there a free trial?",
    )
    .await;
    assert_eq!(sent.len(), 1);
    assert!(sent[0].contains("$900"), "{}", sent[0]);
    assert!(sent[0].contains("14-day trial"), "{}", sent[0]);
    assert!(!sent[0].contains(EN_OPEN), "{}", sent[0]);
    assert_eq!(lead.blocked, None);
    assert!(lead.inbound[0].open_questions.is_empty());
    assert!(notices(&p).is_empty());
}

#[tokio::test]
async fn one_of_two_questions_is_answered_and_the_other_goes_to_a_person() {
    let p = MemoryPipeline::new();
    let (lead, sent) = reply(
        &p,
        "Hi Robin, how much does Ledger Close cost per month? Do you integrate with Oracle \
         NetSuite?",
    )
    .await;
    // The answer went out: the price, and a colleague for the rest.
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert!(sent[0].contains("$900"), "{}", sent[0]);
    assert!(sent[0].contains(EN_OPEN), "{}", sent[0]);
    assert!(!sent[0].contains("NetSuite"), "{}", sent[0]);
    assert!(
        lead.touches.iter().any(|t| t.kind == TouchKind::Answer),
        "{:?}",
        lead.touches
    );
    // The open question is recorded, and a person is asked.
    assert_eq!(
        lead.inbound[0].open_questions,
        ["Do you integrate with Oracle NetSuite?"]
    );
    assert_eq!(lead.blocked, Some(Blocked::QuestionOutsideKnowledge));
    let notices = notices(&p);
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert!(
        notices[0].contains("\"Do you integrate with Oracle NetSuite?\""),
        "{}",
        notices[0]
    );
    let summary = sqa_core::agents::summary::handover_summary(&lead);
    assert!(
        summary.contains("Open questions") && summary.contains("Oracle NetSuite"),
        "{summary}"
    );
    let runs = p.runs_of("L1").await;
    assert!(
        runs.iter()
            .any(|r| r.reasons.iter().any(|x| x.contains("Oracle NetSuite"))),
        "{runs:?}"
    );
}

#[tokio::test]
async fn no_answerable_question_goes_to_a_person_and_nothing_is_sent() {
    let p = MemoryPipeline::new();
    let (lead, sent) = reply(
        &p,
        "Hi Robin, do you integrate with Oracle NetSuite? Do you have a SOC 2 Type II report?",
    )
    .await;
    assert!(sent.is_empty(), "{sent:?}");
    assert_eq!(lead.blocked, Some(Blocked::QuestionOutsideKnowledge));
    assert_eq!(lead.inbound[0].open_questions.len(), 2);
    let notices = notices(&p);
    assert_eq!(notices.len(), 1);
    assert!(
        notices[0].contains("Oracle NetSuite") && notices[0].contains("SOC 2"),
        "{}",
        notices[0]
    );
}

#[tokio::test]
async fn in_german_the_answer_says_in_german_that_a_colleague_follows_up() {
    let p = MemoryPipeline::new();
    let (lead, sent) = reply(
        &p,
        "Guten Tag, was kostet Ledger Close pro Monat? Gibt es eine Schnittstelle zu SAP? \
         Viele Grüße",
    )
    .await;
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert!(sent[0].starts_with("Hallo "), "{}", sent[0]);
    assert!(sent[0].contains("$900"), "{}", sent[0]);
    assert!(sent[0].contains(DE_OPEN), "{}", sent[0]);
    assert_eq!(
        lead.inbound[0].open_questions,
        ["Gibt es eine Schnittstelle zu SAP?"]
    );
    assert_eq!(lead.blocked, Some(Blocked::QuestionOutsideKnowledge));
    assert_eq!(notices(&p).len(), 1);
}

#[tokio::test]
async fn in_german_both_answerable_and_none_answerable() {
    let p = MemoryPipeline::new();
    let (lead, sent) = reply(
        &p,
        "Guten Tag, was kostet Ledger Close pro Monat? Gibt es eine kostenlose Testphase?",
    )
    .await;
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert!(
        sent[0].contains("$900") && sent[0].contains("14-day"),
        "{}",
        sent[0]
    );
    assert!(!sent[0].contains(DE_OPEN), "{}", sent[0]);
    assert_eq!(lead.blocked, None);

    let p = MemoryPipeline::new();
    let (lead, sent) = reply(
        &p,
        "Guten Tag, gibt es eine Schnittstelle zu SAP? Haben Sie eine ISO-27001-Zertifizierung?",
    )
    .await;
    assert!(sent.is_empty(), "{sent:?}");
    assert_eq!(lead.blocked, Some(Blocked::QuestionOutsideKnowledge));
    assert_eq!(lead.inbound[0].open_questions.len(), 2);
}

/// A second source that answers single sign-on, read for `purposes`.
fn with_sso_source(purposes: Vec<Purpose>) -> MemoryPipeline {
    MemoryPipeline::new().with_config(move |c| {
        c.knowledge
            .sources
            .push(KnowledgeSource::Scoped(ScopedSource {
                path: "knowledge/proof.md".into(),
                purposes: purposes.clone(),
            }));
        c.knowledge_docs.push(KnowledgeDoc {
            source: "knowledge/proof.md".into(),
            text: "# Proof\n\n## Do you support single sign-on? `[sso]`\n\
                   Yes: SAML single sign-on comes with every plan.\n"
                .into(),
            purposes,
        });
    })
}

#[tokio::test]
async fn a_source_limited_to_outreach_is_never_quoted_in_an_answer() {
    let question = "Hi Robin, do you support single sign-on with SAML?";
    // Read for answers, it answers the question…
    let p = with_sso_source(vec![Purpose::Answers]);
    let (_, sent) = reply(&p, question).await;
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert!(sent[0].contains("SAML single sign-on"), "{}", sent[0]);

    // …limited to outreach, it is never quoted: a person answers.
    let p = with_sso_source(vec![Purpose::Outreach]);
    let (lead, sent) = reply(&p, question).await;
    assert!(sent.is_empty(), "{sent:?}");
    assert_eq!(lead.blocked, Some(Blocked::QuestionOutsideKnowledge));
    // Nor is it half of an answer to two questions.
    let p = with_sso_source(vec![Purpose::Outreach]);
    let (lead, sent) = reply(
        &p,
        "Hi Robin, how much does Ledger Close cost per month? Do you support single sign-on \
         with SAML?",
    )
    .await;
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert!(!sent[0].contains("SAML single sign-on"), "{}", sent[0]);
    assert!(sent[0].contains(EN_OPEN), "{}", sent[0]);
    assert_eq!(lead.inbound[0].open_questions.len(), 1);
    // The outreach writer is given it, for a lead whose notes name the subject.
    let mut lead = p.contacted("L2");
    lead.notes = "Asked about SAML single sign-on at the fair.".into();
    let proof = |p: &MemoryPipeline, lead: &Lead| {
        sqa_core::agents::outreach::DraftInput::new(lead, &p.deps.config, 1)
            .knowledge
            .iter()
            .any(|k| k.id.starts_with("knowledge/proof.md"))
    };
    assert!(proof(&p, &lead));
    // A source read for answers only is not.
    assert!(!proof(&with_sso_source(vec![Purpose::Answers]), &lead));
}
