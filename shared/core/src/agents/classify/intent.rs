//! A person's reply: the intent in the precedence of data README §3.2.

use super::*;

pub(super) fn human_intent(a: &Analysis, topics: &Topics) -> Intent {
    if a.is_empty() {
        return Intent::Unclear;
    }
    let complaint = a.clean().any(|s| {
        let without_folders = vocab::SPAM_FOLDER.replace_all(&s.lower, " ");
        vocab::COMPLAINT.is_match(&without_folders)
    });
    if complaint {
        return Intent::Complaint;
    }
    let unsubscribe = a.clean().any(|s| {
        let lower = vocab::OPT_OUT_FOOTER.replace_all(&s.lower, " ");
        vocab::UNSUBSCRIBE.is_match(&lower) && !(s.question && INFO_QUESTION.is_match(&lower))
    });
    if unsubscribe {
        return Intent::Unsubscribe;
    }
    let wrong_strong = a.any(&vocab::WRONG_PERSON);
    let interest = interested(a);
    // "Talk to our CTO if you want a demo": the request in a sentence that sends us to
    // someone else is theirs, not the writer's.
    let own_interest = a.clean().any(|s| !redirects(&s.lower) && asks_for_it(s, a));
    let names_address = a.clean.contains('@');
    let redirect =
        a.clean().any(|s| redirects(&s.lower)) || (names_address && a.any(&vocab::REDIRECT_WEAK));
    if wrong_strong || redirect && !own_interest {
        return Intent::WrongPerson;
    }
    if interest {
        // A request and a refusal in the same reply ("Sure, I'd love a demo, right after I
        // read forty other pitches. Not for us."): sarcasm or a hedge, a person decides.
        if a.any(&vocab::NOT_INTERESTED) || a.any(&vocab::DECLINE) || puts_off(a) {
            return Intent::Unclear;
        }
        return Intent::Interested;
    }
    if a.clean().any(|s| {
        (s.question || s.request || vocab::INFO_ONLY.is_match(&s.lower))
            && (topics.any(s)
                || asks_about_product(&s.lower)
                // "Can you come back to me after Easter?" puts off; it asks nothing.
                || s.question && vocab::QUESTION.is_match(&s.lower) && !defers_contact(s, a))
    }) {
        return Intent::Question;
    }
    if not_now(a) {
        return Intent::NotNow;
    }
    // "Have we spoken before?" asks; it does not decline.
    if a.clean().any(|s| {
        !s.question
            && (vocab::NOT_INTERESTED_WEAK.is_match(&s.lower)
                || vocab::NOT_INTERESTED.is_match(&s.lower))
    }) {
        return Intent::NotInterested;
    }
    Intent::Unclear
}

/// "Does it support …", "Can your platform …", "Does Acme Observe have …": a question
/// about what the product does, not "Why would we need this?".
pub(super) fn asks_about_product(lower: &str) -> bool {
    vocab::PRODUCT_QUESTION.is_match(lower)
        || PRODUCT_QUESTION.captures_iter(lower).any(|c| {
            c.name("subject")
                .is_none_or(|subject| !vocab::whole(&vocab::NOT_THE_PRODUCT, subject.as_str()))
        })
}

/// Sends us to someone else ("please contact our CTO"), but not "please contact me in Q2"
/// (`redirect_to_self`).
pub(super) fn redirects(lower: &str) -> bool {
    static TO_SELF: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
        let writer = vocab::union(vocab::classify_words(|c| &c.redirect_to_self));
        vocab::compile(&format!(r"^{writer}(?:[\s.,]|$)"))
    });
    vocab::REDIRECT.find_iter(lower).any(|m| {
        let after = lower.get(m.end()..).unwrap_or("").trim_start();
        !TO_SELF.is_match(after)
    })
}

/// Asks for a demo, meeting, call, proposal, trial or POC now (not deferred to a later
/// time, not negated, not a mere question about how a trial works).
pub(super) fn interested(a: &Analysis) -> bool {
    a.clean().any(|s| asks_for_it(s, a))
}

/// One sentence asks for a demo, meeting, call, proposal, trial or POC now.
fn asks_for_it(s: &Sentence, a: &Analysis) -> bool {
    if defers(&s.lower, a.reference) {
        return false;
    }
    if unnegated(&vocab::INTEREST_STRONG, &s.lower) || unnegated(&vocab::INTERESTED, &s.lower) {
        return true;
    }
    let has_noun = unnegated(&vocab::INTEREST_NOUN, &s.lower);
    let has_marker = s.request || unnegated(&vocab::INTEREST_MARKER, &s.lower);
    if !(has_noun && has_marker) {
        return false;
    }
    // "Could you tell me how the trial works?" asks about the trial, it does not ask
    // for one; a meeting noun in the same sentence still makes it a request.
    !(vocab::INFO_REQUEST.is_match(&s.lower) || vocab::INFO_ONLY.is_match(&s.lower))
        || vocab::MEETING_NOUN.is_match(&s.lower) && !vocab::INFO_ONLY.is_match(&s.lower)
}

/// A sentence that puts the conversation off ("not now", "write to me again next year"):
/// a deferral with a negation or a verb of contact, not a date alone ("we open an office
/// next year").
pub(super) fn puts_off(a: &Analysis) -> bool {
    a.clean().any(|s| {
        vocab::NOT_NOW.is_match(&s.lower)
            && (has_negation(&s.lower) || vocab::CONTACT_VERB.is_match(&s.lower))
    })
}

pub(super) fn not_now(a: &Analysis) -> bool {
    a.clean().any(|s| defers_contact(s, a))
}

/// One sentence puts things off: deferral wording, or a later time with a verb of contact.
fn defers_contact(s: &Sentence, a: &Analysis) -> bool {
    vocab::NOT_NOW.is_match(&s.lower)
        || (defers(&s.lower, a.reference) && vocab::CONTACT_VERB.is_match(&s.lower))
}
