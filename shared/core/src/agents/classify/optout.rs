//! How people say no to us: complaints, opt-outs (unsubscribe, erasure), wrong person and
//! redirects to a colleague. Their wording is data (`lang/<code>/classify.toml`: `complaint`,
//! `unsubscribe`, `wrong_person`, `redirect`, `redirect_weak`, read by `vocab`); what stays here
//! is a mention of a spam folder, which is not a complaint ("it was in my spam folder").

use super::*;

pattern!(
    pub(super) SPAM_FOLDER,
    r"\b(spam|junk) (folder|filter|box|ordner|map|carpeta|dossier)\b|\b(in|from|into) (my |the )?(spam|junk)\b|\bnot spam\b"
);
