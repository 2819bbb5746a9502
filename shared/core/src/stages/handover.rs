//! The handover stage (being written).

use super::{Outcome, StageError, StageMessage};
use crate::ports::Deps;

pub async fn handle(msg: StageMessage, deps: &Deps) -> Result<Outcome, StageError> {
    let _ = (msg, deps);
    Err(StageError::permanent("the handover stage is being written"))
}
