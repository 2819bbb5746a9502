//! `sqa config check FILE`, `sqa config schema` and `sqa config suggest-icp`: a config
//! file's problems, each with its key path and line; the JSON Schema of `sqa.toml`; ICP
//! criteria proposed from what the config and its knowledge say about the seller.

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

pub fn suggest_icp(file: &Path, json: bool) -> Result<i32> {
    let text = crate::local::read_config_text(file)?;
    let base = file.parent().map(Path::to_path_buf).unwrap_or_default();
    let (input, skipped) =
        sqa_core::agents::suggest::input_from_config(&text, &WorkspaceFiles::new(base))
            .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    for why in &skipped {
        errln!("{}: {why} (left out)", file.display())?;
    }
    let s = sqa_core::agents::suggest::suggest_icp(&input);
    if json {
        out::json(&serde_json::to_value(&s)?)?;
        return Ok(exit::DONE);
    }
    let mut icp = serde_json::to_value(&s)?;
    if let Some(o) = icp.as_object_mut() {
        o.remove("evidence");
    }
    outln!("{}", serde_json::to_string_pretty(&icp)?)?;
    errln!(
        "proposed from {}: review each criterion, then save it as the ICP file (icp_file) or an [icp] table",
        file.display()
    )?;
    for e in &s.evidence {
        errln!("  {} {:?} ← {}: {}", e.criterion, e.value, e.source, e.text)?;
    }
    Ok(exit::DONE)
}
