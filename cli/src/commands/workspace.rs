//! `sqa init DIR`: a new workspace with the bundled example's config, knowledge and data.

use super::exit;
use crate::local;
use crate::out::outln;
use anyhow::Result;
use std::path::Path;

pub fn init(dir: &Path) -> Result<i32> {
    local::init(dir)?;
    let d = dir.display();
    outln!("Created {d}: sqa.toml, company/, leads/, replies/, web/.")?;
    outln!(
        "Next: sqa --dir {d} leads import {d}/leads/leads.csv && sqa --dir {d} run --until-idle"
    )?;
    Ok(exit::DONE)
}
