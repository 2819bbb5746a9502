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
    // "Who enjoys reconciling four providers? Not me.": a short answer to the writer's own
    // question is no statement about who we should write to.
    let wrong_strong = a.clean().any(|s| {
        vocab::WRONG_PERSON.is_match(&s.lower)
            && !(s.lower.split_whitespace().count() <= 3 && a.before(s).is_some_and(|p| p.question))
    });
    let requests: Vec<&Sentence> = a.clean().filter(|s| asks_for_it(s, a)).collect();
    let interest = !requests.is_empty();
    // "Talk to our CTO if you want a demo": the request in a sentence that sends us to
    // someone else is theirs, not the writer's.
    // A request strong on its own ("Send the contract over and I'll pass it to our legal
    // team") stays the writer's even beside a hand-on.
    let own_interest = requests
        .iter()
        .any(|s| !redirects(&s.lower) || unnegated(&vocab::INTEREST_STRONG, &s.lower));
    let names_address = a.clean.contains('@');
    let redirect =
        a.clean().any(redirects_elsewhere) || (names_address && a.any(&vocab::REDIRECT_WEAK));
    if wrong_strong || redirect && !own_interest {
        return Intent::WrongPerson;
    }
    if interest {
        if a.any(&vocab::NOT_INTERESTED) || a.any(&vocab::DECLINE) {
            // "Sure, I'd love a demo, right after I read forty other pitches. Not for us.":
            // an ironic request next to a refusal is the refusal.
            if requests.iter().all(|s| vocab::SARCASM.is_match(&s.lower)) {
                return Intent::NotInterested;
            }
            // A request and a refusal otherwise: a hedge, a person decides.
            return Intent::Unclear;
        }
        // "…until that's finished, realistically March. Happy to talk then.": the request
        // waits for the deferral.
        let later = puts_off(a)
            || a.clean()
                .any(|s| vocab::NOT_NOW.is_match(&s.lower) || defers(&s.lower, a.reference));
        if later && requests.iter().all(|s| vocab::THEN_REF.is_match(&s.lower)) {
            return Intent::NotNow;
        }
        // A request beside a deferral that is not itself the request ("We're mid-migration
        // until spring. Happy to see a demo."): which one is meant, a person decides.
        // An explicit request ("we'd like to book a demo") stands beside a dated plan.
        let explicit_in = |s: &Sentence| {
            unnegated(&vocab::INTEREST_STRONG, &s.lower) || unnegated(&vocab::INTERESTED, &s.lower)
        };
        let explicit = requests.iter().any(|s| explicit_in(s));
        // "Pas avant la fin de notre migration. En revanche, j'aimerais qu'on cale dès
        // maintenant un pilote.": an explicit request that turns against the deferral is
        // the point.
        if requests
            .iter()
            .any(|s| explicit_in(s) && vocab::CONTRAST.is_match(&s.lower))
        {
            return Intent::Interested;
        }
        if puts_off(a)
            || !explicit
                && a.clean()
                    .any(|s| vocab::NOT_NOW.is_match(&s.lower) && !asks_for_it(s, a))
        {
            return Intent::Unclear;
        }
        return Intent::Interested;
    }
    // "Is this about the October invoice?": the message taken for another matter is no
    // question about the product.
    if a.clean()
        .any(|s| s.question && vocab::OTHER_MATTER.is_match(&s.lower))
    {
        return Intent::Unclear;
    }
    // "Can we talk again once the new entity exists?" puts off; it asks nothing.
    if a.clean().any(|s| {
        (s.question || s.request || vocab::INFO_ONLY.is_match(&s.lower))
            && !defers_contact(s, a)
            && (topics.any(s)
                || asks_about_product(&s.lower)
                || s.question && vocab::QUESTION.is_match(&s.lower))
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

/// A sentence that sends us to someone else, not only to an assistant or an urgent-contact
/// line ("For urgent matters please contact …" is what absence notices write).
pub(super) fn redirects_elsewhere(s: &Sentence) -> bool {
    redirects(&s.lower) && !vocab::ASSISTANT_OR_URGENT.is_match(&s.lower)
}

/// Sends us to someone else ("please contact our CTO"), but not "please contact me in Q2"
/// (`redirect_to_self`), nor "mi scriva a gennaio" (the writer named by a pronoun before
/// the verb).
pub(super) fn redirects(lower: &str) -> bool {
    static TO_SELF: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
        let writer = vocab::union(vocab::classify_words(|c| &c.redirect_to_self));
        vocab::compile(&format!(r"^{writer}(?:[\s.,]|$)"))
    });
    static SELF_BEFORE: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
        let writer = vocab::union(vocab::classify_words(|c| &c.redirect_self_before));
        vocab::compile(&format!(r"(?:^|[\s,])(?:{writer})\s*$"))
    });
    vocab::REDIRECT.find_iter(lower).any(|m| {
        let before = lower.get(..m.start()).unwrap_or("");
        if SELF_BEFORE.is_match(before) {
            return false;
        }
        let after = lower.get(m.end()..).unwrap_or("").trim_start();
        !TO_SELF.is_match(after)
    })
}

/// Asks for a demo, meeting, call, proposal, trial or POC now (not deferred to a later
/// time, not negated, not a mere question about how a trial works).
pub(super) fn interested(a: &Analysis) -> bool {
    a.clean().any(|s| asks_for_it(s, a))
}

/// A phone number: "+44 20 7946 1551", "020 7946 1551", "(030) 555-0142".
static PHONE: std::sync::LazyLock<Regex> =
    std::sync::LazyLock::new(|| vocab::compile(r"(?:\+|\b0|\(0)\d[\d ()./-]{5,}\d"));

/// One sentence asks for a demo, meeting, call, proposal, trial or POC now.
fn asks_for_it(s: &Sentence, a: &Analysis) -> bool {
    if defer_words(&s.lower, a.reference) {
        return false;
    }
    // "Can we set up a demo in January?" asks, with a date; "write to me in March" puts
    // contact off, and "if the budget survives, we could start a trial in January. Check
    // in after the board meeting." waits.
    if later_date(&s.lower, a.reference)
        && (vocab::CONTACT_VERB.is_match(&s.lower)
            || vocab::CALL_ME.is_match(&s.lower)
            || vocab::NOT_NOW.is_match(&s.lower)
            || vocab::CONDITION.is_match(&s.lower) && not_now(a))
    {
        return false;
    }
    if unnegated(&vocab::INTEREST_STRONG, &s.lower) || unnegated(&vocab::INTERESTED, &s.lower) {
        return true;
    }
    // "Could you give me a ring tomorrow on +44 20 7946 1551?": a call asked for at a number.
    if vocab::CALL_ME.is_match(&s.lower) && PHONE.is_match(&s.lower) && !has_negation(&s.lower) {
        return true;
    }
    // The thing asked for and the asking in one clause: "Is the contract annual, or can we
    // pay monthly?" asks about the contract, it does not ask for one.
    // "What would a pilot involve? We could start in January.": the start proposed refers
    // to the thing the sentence before names.
    let has_noun = unnegated(&vocab::INTEREST_NOUN, &s.lower);
    let starts_it = vocab::START_REQUEST.is_match(&s.lower)
        && !has_negation(&s.lower)
        && (has_noun
            || a.before(s)
                .is_some_and(|p| unnegated(&vocab::INTEREST_NOUN, &p.lower)));
    if starts_it {
        return true;
    }
    let has_marker = s.request
        || alternatives(&s.lower, &a.lang).any(|clause| {
            unnegated(&vocab::INTEREST_NOUN, clause)
                && unnegated_around(&vocab::INTEREST_MARKER, clause)
        });
    if !(has_noun && has_marker) {
        return false;
    }
    // "Could you tell me how the trial works?" asks about the trial, it does not ask
    // for one; a meeting noun in the same sentence still makes it a request.
    !(vocab::INFO_REQUEST.is_match(&s.lower) || vocab::INFO_ONLY.is_match(&s.lower))
        || vocab::MEETING_NOUN.is_match(&s.lower) && !vocab::INFO_ONLY.is_match(&s.lower)
}

/// The parts of an alternative question ("Is it annual, or can we pay monthly?"): the
/// sentence cut at ";" and at the word "or" of the reply's language (`question_or`).
fn alternatives<'a>(lower: &'a str, lang: &str) -> impl Iterator<Item = &'a str> {
    vocab::question_or(lang).split(lower)
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
    // "Pas avant le second semestre, mais une question en attendant : gérez-vous la paie au
    // Luxembourg ?": what a question after a colon asks is read alone.
    let asked = match s.lower.rsplit_once(':') {
        Some((_, tail)) if s.question && tail.split_whitespace().count() >= 3 => tail,
        _ => s.lower.as_str(),
    };
    vocab::NOT_NOW.is_match(asked)
        || (defers(asked, a.reference)
            && (vocab::CONTACT_VERB.is_match(asked) || vocab::CALL_ME.is_match(asked)))
}
