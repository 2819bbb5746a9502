//! The prompts: one versioned Markdown file per task under `shared/core/prompts/`, embedded
//! at build time. A run record names a prompt by its task and the first 12 hex digits of the
//! file's sha256, so that a change of wording shows in the records it produced.

use crate::ports::ModelTask;
use sha2::{Digest, Sha256};
use std::sync::LazyLock;

/// One task's prompt.
#[derive(Debug, Clone)]
pub struct Prompt {
    pub task: ModelTask,
    pub text: &'static str,
    /// sha256 of the text, hex.
    pub sha256: String,
}

impl Prompt {
    /// `task@` and the first 12 hex digits of the hash: what the run record keeps.
    pub fn version(&self) -> String {
        format!("{}@{}", self.task.as_str(), &self.sha256[..12])
    }
}

fn text_of(task: ModelTask) -> &'static str {
    match task {
        ModelTask::Classify => include_str!("../../prompts/classify.md"),
        ModelTask::Draft => include_str!("../../prompts/draft.md"),
        ModelTask::Answer => include_str!("../../prompts/answer.md"),
        ModelTask::Summarize => include_str!("../../prompts/summarize.md"),
        ModelTask::Research => include_str!("../../prompts/research.md"),
    }
}

static PROMPTS: LazyLock<Vec<Prompt>> = LazyLock::new(|| {
    ModelTask::ALL
        .iter()
        .map(|&task| {
            let text = text_of(task);
            Prompt {
                task,
                text,
                sha256: hex::encode(Sha256::digest(text.as_bytes())),
            }
        })
        .collect()
});

/// The prompt of `task`.
pub fn prompt(task: ModelTask) -> &'static Prompt {
    let i = ModelTask::ALL.iter().position(|t| *t == task).unwrap_or(0);
    &PROMPTS[i]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_task_has_its_own_prompt_named_by_its_hash() {
        let versions: Vec<String> = ModelTask::ALL
            .iter()
            .map(|t| prompt(*t).version())
            .collect();
        for (task, v) in ModelTask::ALL.iter().zip(&versions) {
            assert!(v.starts_with(&format!("{}@", task.as_str())));
            assert_eq!(v.len(), task.as_str().len() + 13);
        }
        let mut unique = versions.clone();
        unique.dedup();
        assert_eq!(unique.len(), versions.len());
    }
}
