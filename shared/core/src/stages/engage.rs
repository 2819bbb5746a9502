//! The engage stage (being written).

use super::{InboundMessage, Outcome, StageError};
use crate::ports::Deps;

pub async fn handle(msg: InboundMessage, deps: &Deps) -> Result<Outcome, StageError> {
    let _ = (msg, deps);
    Err(StageError::permanent("the engage stage is being written"))
}
