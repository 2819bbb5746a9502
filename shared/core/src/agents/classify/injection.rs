//! Attempts to instruct the agent inside a reply.

use super::*;

pattern!(
    pub(super) INJECTION,
    r"(?i)(\b(ignore|disregard|forget|override|bypass)\b.{0,25}\b(previous|prior|above|earlier|preceding|existing|all|any|your|the|system|original)\b.{0,20}\b(instructions?|prompts?|rules|guidelines|directives|context|guardrails)\b|\b(reveal|show|print|output|repeat|share|tell|give|send|reply with|disclose|leak|return)\b.{0,25}\b(system|hidden|initial|original|full|complete|entire|your)\b.{0,12}\b(prompt|instructions)\b|\bsystem[ -]?(prompt|note|message|instruction|override)\b|\bdeveloper (message|mode|instructions?)\b|\[(system|inst|admin)\]|<\|?(system|im_start)\|?>|\b(note|message|instructions?|memo|reminder)\s+(to|for)\s+(the\s+|any\s+|all\s+)?(ai|a\.i\.|assistant|automated|bot|agent|model|llm|language model|gpt|chatbot|sdr)\b|^\W*(assistant|ai assistant|ai agent|system|bot|agent|llm)\s*:|\b(ai|automated|virtual|digital)\s+(assistant|agent|system|sdr|model|bot)\b.{0,60}\b(must|should|shall|are (required|instructed|authori[sz]ed)|have to|need to|is required|processing|reading|that reads|who reads)\b|\b(as|you are)\s+(the|an|a)\s+(ai|automated|virtual)\b|\bdo not (mention|reveal|disclose|tell)\b.{0,20}\b(this|these)\s+(instructions?|notes?|messages?)\b|\b(set|change|update|mark|move)\s+(the\s+|this\s+|my\s+)?(lead\s+|contact\s+|deal\s+)?(status|stage|score|priority|tier)\b.{0,6}\b(to|as)\b|\b(mark|flag|tag)\s+(this|the|me|my)\b.{0,25}\bas\s+(qualified|hot|a priority|priority|handed over|customer|sql|mql)\b|\b(export|send|email|e-mail|forward|share|leak|dump)\b.{0,30}\b(list|lists|database|dump|copy|export)\s+of\s+(all\s+)?(your\s+|the\s+|other\s+)?(leads|customers|contacts|clients|prospects|companies|users|accounts)\b|\b(export|send|email|e-mail|forward|share|leak|dump)\b.{0,30}\b(customer|lead|leads|client|contact|prospect|user)\s+(list|lists|database|data|records)\b|\b(offer|give|grant|apply|confirm|approve|honou?r)\s+(me\s+|us\s+)?(a\s+|an\s+)?\d{2,3}\s?%\s*(discount|off|reduction|rebate)|\b(grant|give|offer|provide|activate)\s+(me\s+|us\s+)?(a\s+)?(free|complimentary|lifetime)\s+(plan|licen[cs]e|account|subscription|upgrade|enterprise|business|access)\b|\bignore\s+(the\s+|my\s+|this\s+|any\s+)?(opt-?out|unsubscribe|do[- ]not[- ]contact)|\bcontinue\s+(e-?mailing|sending|contacting)\b.{0,20}\b(even|regardless|despite)\b|\bignorier\w*\b.{0,20}\b(vorherigen|bisherigen|obigen|alle)\b.{0,15}\b(anweisungen|instruktionen|regeln)\b|\b(ki|ai)-?(assistent|agent)\w*\b.{0,40}\b(muss|musst|sollst|soll)\b|\bignore[zr]?\b.{0,20}\binstructions\b.{0,12}\b(précédentes|antérieures|ci-dessus)\b|\b(assistant|agent)\s+(ia|ai)\b.{0,40}\b(doit|devez|dois)\b|\bignora\w*\b.{0,20}\binstrucciones\b.{0,12}\b(anteriores|previas)\b|\b(asistente|agente)\s+(de\s+)?(ia|ai)\b.{0,40}\b(debe|debes|tiene que)\b|\bnegeer\b.{0,20}\b(vorige|eerdere|voorgaande|alle)\b.{0,15}\binstructies\b)"
);

pub(super) fn is_injection(lower: &str) -> bool {
    INJECTION.is_match(lower)
}

/// Whether `text` (a sentence, a BANT value) reads as an attempt to instruct the agent.
pub fn is_injection_text(text: &str) -> bool {
    is_injection(&plain_lower(text))
}

/// The sentences of a sender's own text that the detector sets aside: an injection and what
/// follows it in its paragraph. None of them may become a fact about the lead.
pub fn injected_sentences(own_text: &str) -> Vec<String> {
    Analysis::new(truncate(own_text, MAX_ANALYSED_BYTES), Utc::now())
        .sentences
        .into_iter()
        .filter(|s| s.injected)
        .map(|s| s.text)
        .collect()
}

/// Any part of the message trying to instruct the agent: visible text (own text, quote or
/// signature), the HTML alternative, hidden HTML and comments, and the subject.
pub(super) fn detect_injection(mail: &InboundEmail) -> bool {
    let mut parts: Vec<&str> = vec![&mail.subject, &mail.text];
    if let Some(h) = &mail.html_text {
        parts.push(h);
    }
    parts.extend(mail.hidden_text.iter().map(String::as_str));
    parts.iter().any(|p| {
        let p = truncate(p, 64 * 1024);
        p.lines().any(|l| is_injection(&plain_lower(l)))
            || split_paragraphs(p)
                .iter()
                .any(|para| is_injection(&plain_lower(&para.replace('\n', " "))))
    })
}

pub(super) fn truncate(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while end > 0 && !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}
