//! What the agent writes comes from the workspace: a template's exact wording, answers in
//! the language of the lead's message built from the relevant sentences of the knowledge,
//! a competitor's battle card when the lead names it.

use sqa_core::config::{Competitor, KnowledgeDoc, OutreachMode, Template};
use sqa_core::domain::{Lead, Stage, TouchKind};
use sqa_core::ports::QueueName;
use sqa_core::stages::AuthVerdicts;
use sqa_tests::memory_pipeline::MemoryPipeline;

async fn contacted(p: &MemoryPipeline, id: &str) -> Lead {
    let l = p.contacted(id);
    p.insert(&l).await;
    l
}

/// The plain text of the only mail sent to `to`.
fn only_text(p: &MemoryPipeline, to: &str) -> (String, String) {
    let sent = p.sent_to(to);
    assert_eq!(sent.len(), 1, "one mail to {to}");
    let mail = sqa_core::mail::parse::parse(&sent[0].raw).expect("our mail parses");
    (mail.subject, mail.text)
}

#[tokio::test]
async fn a_template_is_sent_with_its_exact_wording_and_placeholders_filled() {
    let p = MemoryPipeline::new().with_config(|c| {
        c.outreach.mode = OutreachMode::Template;
        c.outreach.template = Some(Template {
            subject: "{company}: a note from {seller}".into(),
            body: "{greeting}\n\nWe built {product} for teams like yours.\n\n{hook}\n\n\
                   {call_to_action}\n\n{signature}"
                .into(),
            ..Template::default()
        });
    });
    let mut lead = p.contacted("L1");
    lead.stage = Stage::Researched;
    lead.touches.clear();
    p.insert(&lead).await;
    p.enqueue_stage(QueueName::Outreach, "L1", None).await;
    let report = p.drain().await;
    assert!(report.failed.is_empty(), "{report:?}");

    let (subject, text) = only_text(&p, &lead.email);
    assert_eq!(
        subject,
        format!("{}: a note from Northwind Ledger", lead.company)
    );
    assert!(
        text.contains("We built Ledger Close for teams like yours."),
        "{text}"
    );
    assert!(!text.contains('{'), "every placeholder is filled: {text}");
    // The footer is added to a template too.
    assert!(text.contains("I am Robin, an AI assistant"), "{text}");
}

#[tokio::test]
async fn a_german_question_gets_a_short_german_answer_from_the_knowledge() {
    let p = MemoryPipeline::new();
    let lead = contacted(&p, "L1").await;
    let reply = p.reply_from(
        &lead,
        "<r1@customer.example>",
        "Guten Tag, was kostet Ledger Close pro Monat für unser Team? Viele Grüße",
    );
    p.inbound("inbound/r1", &reply, AuthVerdicts::default())
        .await;

    let (subject, text) = only_text(&p, &lead.email);
    assert!(subject.starts_with("Re: "), "{subject}");
    assert!(text.starts_with("Hallo "), "{text}");
    assert!(text.contains("Danke für Ihre Frage"), "{text}");
    // The knowledge is quoted as it is written: its relevant sentence, not the entry.
    assert!(text.contains("$900"), "{text}");
    assert!(
        !text.contains("How much does Ledger Close cost?"),
        "no heading: {text}"
    );
    assert!(text.contains("Keine weiteren E-Mails erhalten"), "{text}");
    let l = p.get("L1").await;
    let answer = l
        .touches
        .iter()
        .find(|t| t.kind == TouchKind::Answer)
        .expect("an answer");
    assert_eq!(
        answer.cited_facts,
        ["knowledge/faq.md — How much does Ledger Close cost?"]
    );
}

#[tokio::test]
async fn a_competitor_the_lead_names_is_answered_from_its_battle_card() {
    let card = "# Battle card — Closewise\n\n## Snapshot\n- Older desktop tool.\n\n\
                ## Where Northwind Ledger wins\n| Topic | Ledger Close | Closewise |\n|---|---|---|\n\
                | Close time | month-end in two days | about five days |\n| Hosting | managed cloud | on your servers |\n";
    let p = MemoryPipeline::new().with_config(|c| {
        c.knowledge.competitors.push(Competitor {
            name: "Closewise".into(),
            aliases: vec!["Close Wise".into()],
            card: "battlecards/closewise.md".into(),
            pitch: String::new(),
        });
        c.battle_cards.push(KnowledgeDoc {
            source: "battlecards/closewise.md".into(),
            text: card.into(),
            ..Default::default()
        });
    });
    let lead = contacted(&p, "L1").await;
    let reply = p.reply_from(
        &lead,
        "<r1@customer.example>",
        "We use Closewise today. How are you different from Closewise?",
    );
    p.inbound("inbound/r1", &reply, AuthVerdicts::default())
        .await;

    let (_, text) = only_text(&p, &lead.email);
    assert!(text.contains("On Closewise:"), "{text}");
    assert!(
        text.contains("Close time: month-end in two days."),
        "{text}"
    );
    assert!(!text.contains("| Topic |"), "no table syntax: {text}");
    let l = p.get("L1").await;
    let answer = l
        .touches
        .iter()
        .find(|t| t.kind == TouchKind::Answer)
        .expect("an answer");
    assert!(
        answer
            .cited_facts
            .iter()
            .any(|c| c.starts_with("battlecards/closewise.md — ")),
        "{:?}",
        answer.cited_facts
    );
}

#[tokio::test]
async fn the_first_email_is_in_the_language_the_config_names_for_the_country_and_follow_ups_in_the_leads()
 {
    let p = MemoryPipeline::new().with_config(|c| {
        c.outreach.countries.insert("GB".into(), "fr".into());
        c.outreach.localized.insert(
            "fr".into(),
            sqa_core::config::Localized {
                value_propositions: vec![
                    "Les équipes finance qui utilisent Ledger Close bouclent le mois en deux jours au lieu de cinq."
                        .into(),
                ],
                ..Default::default()
            },
        );
    });
    let mut lead = p.contacted("L1");
    lead.stage = Stage::Researched;
    lead.touches.clear();
    p.insert(&lead).await;
    p.enqueue_stage(QueueName::Outreach, "L1", None).await;
    let report = p.drain().await;
    assert!(report.failed.is_empty(), "{report:?}");
    let (_, text) = only_text(&p, &lead.email);
    assert!(text.starts_with("Bonjour Jo,"), "{text}");
    assert!(text.contains("bouclent le mois en deux jours"), "{text}");
    assert!(text.contains("Pour ne plus recevoir ces e-mails"), "{text}");
    assert!(!text.contains("If it's not a priority"), "{text}");

    // The lead answers in Dutch that it is not the right time: the follow-up is in Dutch.
    let reply = p.reply_from(
        &lead,
        "<r1@customer.example>",
        "Bedankt voor uw bericht. Het komt nu niet goed uit, misschien later dit jaar.",
    );
    p.inbound("inbound/r1", &reply, AuthVerdicts::default())
        .await;
    let l = p.get("L1").await;
    let lang = l.inbound.last().map(|e| e.classification.lang.clone());
    let draft = sqa_core::agents::outreach::draft(&sqa_core::agents::outreach::DraftInput::new(
        &l,
        &p.deps.config,
        2,
    ));
    assert_eq!(lang.as_deref(), Some("nl"));
    assert!(draft.body.starts_with("Hallo Jo,"), "{}", draft.body);
    assert!(draft.body.contains("Een korte opvolging"), "{}", draft.body);
}
