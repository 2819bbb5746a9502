//! How people ask: a question about how something works, or about what the product does
//! (the shapes here, the words in the language files: `question_opener`, `product_question`,
//! `product_question_aux`, `product_question_subject`, `product_question_verb`,
//! `not_the_product`). The wording of interest, meetings, deferrals and declines lives in
//! the language files too (`interested`, `interest_strong`, `interest_noun`,
//! `interest_marker`, `meeting_noun`, `info_request`, `not_now`, `contact_verb`,
//! `not_interested`, `not_interested_weak`, `decline`), read by [`super::vocab`].

use super::*;
use std::sync::LazyLock;

/// A question that asks how something works ("Do you delete our data after the trial?"), as
/// opposed to a request ("Could you delete my data?"): its first word (`question_opener`).
pub(super) static INFO_QUESTION: LazyLock<Regex> = LazyLock::new(|| {
    let opener = vocab::bounded(vocab::classify_words(|c| &c.question_opener));
    vocab::compile(&format!(r"^\W*{opener}"))
});
/// "Does your platform support …", "Can it monitor …": an auxiliary, the product (one word
/// or a phrase of `product_question_subject`) and a verb of what it does.
pub(super) static PRODUCT_QUESTION: LazyLock<Regex> = LazyLock::new(|| {
    let aux = vocab::union(vocab::classify_words(|c| &c.product_question_aux));
    let subject = vocab::union(vocab::classify_words(|c| &c.product_question_subject));
    let verb = vocab::union(vocab::classify_words(|c| &c.product_question_verb));
    vocab::compile(&format!(
        r"\b{aux}\s+(?P<subject>{subject}|[a-z][a-z0-9-]*)\s+{verb}\b"
    ))
});
