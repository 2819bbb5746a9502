//! `sqa init DIR [--example lumora|corvid|FOLDER]`: a new workspace — neutral and commented,
//! or a copy of an example.

use super::exit;
use crate::local;
use crate::out::outln;
use anyhow::Result;
use std::path::Path;

pub fn init(dir: &Path, example: Option<&str>) -> Result<i32> {
    let d = dir.display();
    match example {
        Some(name) => {
            let from = local::example(name)?;
            local::init_from(dir, &from)?;
            outln!(
                "Created {d} from the example {name}: sqa.toml, company/, leads/, replies/, web/."
            )?;
            outln!(
                "Next: sqa --dir {d} leads import {d}/leads/leads.csv && sqa --dir {d} run --until-idle"
            )?;
        }
        None => {
            local::init_neutral(dir)?;
            outln!(
                "Created {d}: a commented sqa.toml and empty company/, leads/, replies/, web/."
            )?;
            outln!(
                "Next: fill in what sqa.toml marks FILL IN, then `sqa config check {d}/sqa.toml` lists what is still missing."
            )?;
        }
    }
    Ok(exit::DONE)
}
