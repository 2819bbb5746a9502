//! `sqa config check FILE` and `sqa config schema`: a config file's problems, each with its
//! key path and line, and the JSON Schema of `sqa.toml`.

use super::exit;
use crate::out::{self, errln, outln};
use anyhow::Result;
use serde_json::json;
use sqa_core::fsread::WorkspaceFiles;
use std::path::Path;

pub fn check(file: &Path, json: bool) -> Result<i32> {
    let text = crate::local::read_config_text(file)?;
    let base = file.parent().map(Path::to_path_buf).unwrap_or_default();
    match sqa_core::config::parse(&text, &WorkspaceFiles::new(base)) {
        Ok(cfg) => {
            // Valid, but what the agent still lacks to write well.
            let lacks = sqa_core::config::gaps(&cfg);
            if json {
                out::json(
                    &json!({"file": file, "ok": true, "errors": [], "lacks": lacks, "mode": cfg.mode, "state": cfg.state}),
                )?;
            } else {
                outln!(
                    "{}: ok (mode {:?}, state {:?})",
                    file.display(),
                    cfg.mode,
                    cfg.state
                )?;
                for l in &lacks {
                    outln!("{}: lacks {l}", file.display())?;
                }
            }
            Ok(exit::DONE)
        }
        Err(errs) => {
            if json {
                out::json(&json!({"file": file, "ok": false, "errors": errs.0}))?;
            } else {
                for e in &errs.0 {
                    errln!("{}: {e}", file.display())?;
                }
                errln!("{} problem(s)", errs.0.len())?;
            }
            Ok(exit::FAILED)
        }
    }
}

pub fn schema() -> Result<i32> {
    outln!(
        "{}",
        serde_json::to_string_pretty(&sqa_core::config::json_schema())?
    )?;
    Ok(exit::DONE)
}
