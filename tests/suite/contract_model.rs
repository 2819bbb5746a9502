//! The `Model` contract against the offline model, whole and restricted to some tasks.

use sqa_core::agents::offline::{OfflineModel, OfflineTasks};
use sqa_core::ports::ModelTask;
use sqa_tests::contract::{self, ModelSuite};

const ALL: [ModelTask; 4] = [
    ModelTask::Classify,
    ModelTask::Draft,
    ModelTask::Answer,
    ModelTask::Summarize,
];

#[tokio::test]
async fn the_offline_model_keeps_the_model_contract() {
    contract::model(
        &OfflineModel,
        ModelSuite {
            runs: ALL.to_vec(),
            refuses: Vec::new(),
            deterministic: true,
        },
    )
    .await;
}

#[tokio::test]
async fn an_offline_model_with_some_tasks_keeps_the_contract_and_refuses_the_others() {
    for (tasks, runs) in [
        // The engage function reads replies and answers questions.
        (
            OfflineTasks::CLASSIFY,
            vec![ModelTask::Classify, ModelTask::Answer],
        ),
        (OfflineTasks::DRAFT, vec![ModelTask::Draft]),
        (OfflineTasks::SUMMARIZE, vec![ModelTask::Summarize]),
    ] {
        contract::model(
            &tasks,
            ModelSuite {
                refuses: ALL.into_iter().filter(|t| !runs.contains(t)).collect(),
                runs,
                deterministic: true,
            },
        )
        .await;
    }
}

#[tokio::test]
async fn the_restricted_model_answers_as_the_whole_one() {
    for (task, input) in contract::model_inputs() {
        let whole = sqa_core::ports::Model::run(&OfflineModel, task, &input)
            .await
            .unwrap();
        let part = sqa_core::ports::Model::run(&OfflineTasks::ALL, task, &input)
            .await
            .unwrap();
        assert_eq!(whole, part, "{task:?}");
    }
}

#[tokio::test]
async fn the_language_model_keeps_the_model_contract_against_a_scripted_server() {
    use sqa_tests::scripted_model::{
        Readings, Reply, ScriptedModel, as_model_reading, offline_answer,
    };
    // The server reads the suite's reply as the offline engine does, and answers every
    // other task as the offline engine would from what it was sent.
    let mut readings = Readings::default();
    for (task, input) in contract::model_inputs() {
        if task == ModelTask::Classify {
            let mail: sqa_core::mail::parse::InboundEmail =
                serde_json::from_value(input["email"].clone()).unwrap();
            let c = sqa_core::agents::classify::classify(&mail);
            readings
                .0
                .insert(mail.own_text.clone(), as_model_reading(&c));
        }
    }
    let server = ScriptedModel::start(move |req, _| match offline_answer(req, &readings) {
        Some(a) => Reply::json(&a),
        None => Reply::status(500, "{}"),
    })
    .await;
    let mut cfg = sqa_core::config::ModelConfig {
        provider: sqa_core::config::Provider::Openai,
        endpoint: server.base_url(),
        name: "scripted-1".into(),
        ..Default::default()
    };
    cfg.tasks = ALL.to_vec();
    let model = sqa_core::model::openai_model(&cfg, None).unwrap();
    contract::model(
        model.as_ref(),
        ModelSuite {
            runs: ALL.to_vec(),
            refuses: Vec::new(),
            deterministic: false,
        },
    )
    .await;
    // A task the config leaves to the offline engine is refused without a request.
    cfg.tasks = vec![ModelTask::Classify];
    let model = sqa_core::model::openai_model(&cfg, None).unwrap();
    let before = server.requests().len();
    contract::model(
        model.as_ref(),
        ModelSuite {
            runs: vec![ModelTask::Classify],
            refuses: vec![ModelTask::Draft, ModelTask::Answer, ModelTask::Summarize],
            deterministic: false,
        },
    )
    .await;
    assert_eq!(server.requests().len(), before + 1, "one classify call");
}
