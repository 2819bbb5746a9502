//! The `Model` contract against the offline model, whole and restricted to some tasks.

use sqa_core::agents::offline::{OfflineModel, OfflineTasks};
use sqa_core::ports::ModelTask;
use sqa_tests::contract::{self, ModelSuite};

const ALL: [ModelTask; 3] = [ModelTask::Classify, ModelTask::Draft, ModelTask::Summarize];

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
        (OfflineTasks::CLASSIFY, ModelTask::Classify),
        (OfflineTasks::DRAFT, ModelTask::Draft),
        (OfflineTasks::SUMMARIZE, ModelTask::Summarize),
    ] {
        contract::model(
            &tasks,
            ModelSuite {
                runs: vec![runs],
                refuses: ALL.into_iter().filter(|t| *t != runs).collect(),
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
