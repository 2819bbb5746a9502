//! How people ask: a question about how something works, or about what the product does.
//! The wording of interest, meetings, deferrals and declines lives in the language files
//! (`interested`, `interest_strong`, `interest_noun`, `interest_marker`, `meeting_noun`,
//! `info_request`, `not_now`, `contact_verb`, `not_interested`, `not_interested_weak`,
//! `decline`), read by [`super::vocab`].

use super::*;

pattern!(
    /// A question that asks how something works ("Do you delete our data after the
    /// trial?"), as opposed to a request ("Could you delete my data?").
    pub(super) INFO_QUESTION,
    r"^\W*(do|does|how|when|what|where|which|why|is|are|will|wie|was|wann|comment|quand|est-ce|cómo|cuándo|qué|hoe|wanneer|wat)\b"
);
pattern!(
    pub(super) PRODUCT_QUESTION,
    r"(?x)
            \b(do|does|can|could|will|would|is|are)\s+(you|it|your\ (product|platform|tool|service|team|solution)|[a-z][a-z0-9-]*)\s+(support|offer|have|provide|work|integrate|handle|run|monitor|detect|store|include|connect|cover|need|require|track|alert|increase|cost|charge|host|keep|send|access|read)\b
          | \b(unterstützen|bieten|haben|können)\ sie\b
          | \b(supportez|proposez|avez|offrez|gérez)[-\ ]vous\b
          | \b(tienen|ofrecen|soportan|admiten|pueden)\b
          | \b(ondersteunen|bieden|hebben|kunnen)\ jullie\b
          | \b(ondersteunt|biedt|heeft)\ (u|het)\b
    "
);
