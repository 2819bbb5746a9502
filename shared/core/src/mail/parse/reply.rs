//! The sender's own text: the quoted original and the signature cut away.

use super::*;

pub(super) struct ReplyParts {
    pub(super) own: String,
    pub(super) quoted: String,
    pub(super) signature: Option<String>,
}

pattern!(
    /// "On … wrote:", "Am … schrieb …:", "Le … a écrit :", "El … escribió:", "Op … schreef …:".
    pub(super) ATTRIBUTION,
    r"(?xi)
            ^\s*(on|am|le|el|op|il|em|den|w\ dniu|el\ día)\b.{3,400}\b
            (
                wrote
              | writes
              | schrieb
              | a\ écrit
              | a\ ecrit
              | escribió
              | escribio
              | schreef
              | ha\ scritto
              | escreveu
              | skrev
              | napisał
            )\b.{0,200}$
        "
);
pattern!(
    /// "Ava Reed <ava@…> wrote:" without a leading date.
    pub(super) ATTRIBUTION_TAIL,
    r"(?i)^.{0,300}\b(wrote|schrieb|a écrit|escribió|schreef|ha scritto|escreveu|skrev|napsal|napsala|napísal|napísala|kirjoitti|написал|написала|написав|написала|написа|írta|a scris|έγραψε|kirjutas|rakstīja|rašė|va escriure|yazdı|napisao|napisala|je napisal|je napisala)\s*:\s*$"
);
pattern!(pub(super) SEPARATOR, r"(?i)^\s*(_{8,}|-{2,}\s*(original message|ursprüngliche nachricht|originalnachricht|message d'origine|message original|mensaje original|oorspronkelijk bericht|origineel bericht|messaggio originale|wiadomość oryginalna|ursprungligt meddelande|oprindelig meddelelse|opprinnelig melding|alkuperäinen viesti|původní zpráva|исходное сообщение|оригинальное сообщение|оригінальне повідомлення|початкове повідомлення|оригинално съобщение|pôvodná správa|izvirno sporočilo|originalno sporočilo|izvorna poruka|originalna poruka|mesaj original|mesajul original|eredeti üzenet|αρχικό μήνυμα|algne sõnum|algne kiri|sākotnējais ziņojums|originalus laiškas|pradinis laiškas|missatge original|özgün ileti|orijinal mesaj|forwarded message|weitergeleitete nachricht|message transféré|mensaje reenviado|doorgestuurd bericht)\s*-{2,}|(begin forwarded message|anfang der weitergeleiteten nachricht|début du message réexpédié|inicio del mensaje reenviado|begin doorgestuurd bericht)\s*:)\s*$");
pattern!(pub(super) HEADER_FROM, r"(?i)^\s*\*?(from|von|de|van|da|från|fra|od|lähettäjä|от|від|de\ la|feladó|από|saatja|no|nuo|kimden|šalje|šalju)\s*\*?\s*:\s*\S");
pattern!(pub(super) HEADER_NEXT, r"(?xi)
            ^\s*\*?
            (
                sent
              | date
              | gesendet
              | datum
              | envoyé
              | envoye
              | enviado
              | fecha
              | verzonden
              | inviato
              | data
              | skickat
              | sendt
              | to
              | an
              | à
              | a
              | para
              | aan
              | cc
              | subject
              | betreff
              | objet
              | asunto
              | onderwerp
              | oggetto
              | wysłano
              | temat
              | do
              | ämne
              | till
              | emne
              | til
              | lähetetty
              | vastaanottaja
              | aihe
              | odesláno
              | komu
              | předmět
              | отправлено
              | кому
              | копия
              | тема
              | надіслано
              | копія
              | изпратено
              | до
              | относно
              | odoslané
              | predmet
              | poslano
              | za
              | zadeva
              | prima
              | trimis
              | către
              | subiect
              | küldve
              | címzett
              | tárgy
              | στάλθηκε
              | προς
              | θέμα
              | saadetud
              | adressaat
              | teema
              | nosūtīts
              | kam
              | tēma
              | išsiųsta
              | tema
              | enviat
              | per\ a
              | assumpte
              | gönderildi
              | kime
              | konu
            )\s*\*?\s*:
        ");
pattern!(pub(super) SIG_DELIMITER, r"^\s*(--|-- |—|––|__)\s*$");
pattern!(pub(super) MOBILE_FOOTER, r"(?xi)
            ^\s*
            (
                sent\ from\ my\ \w+
              | sent\ from\ (outlook|mail|yahoo\ mail|gmail)
              | get\ outlook\ for\ \w+
              | von\ meinem\ \w+\ gesendet
              | gesendet\ von\ meinem\ \w+
              | envoyé\ de\ mon\ \w+
              | envoyé\ depuis\ mon\ \w+
              | enviado\ desde\ mi\ \w+
              | verzonden\ (vanaf|met)\ mijn\ \w+
              | verstuurd\ vanaf\ mijn\ \w+
            )\b.*$
        ");
pattern!(pub(super) VALEDICTION, r"(?xi)
            ^\s*
            (
                best
              | best\ regards
              | best\ wishes
              | kind\ regards
              | kindest\ regards
              | warm\ regards
              | warmest\ regards
              | regards
              | many\ thanks
              | thanks
              | thank\ you
              | thanks\ again
              | thanks\ so\ much
              | thx
              | cheers
              | sincerely
              | yours
              | yours\ sincerely
              | yours\ truly
              | all\ the\ best
              | br
              | rgds
              | mit\ freundlichen\ grüßen
              | mit\ freundlichen\ grüssen
              | freundliche\ grüße
              | viele\ grüße
              | viele\ grüsse
              | beste\ grüße
              | liebe\ grüße
              | herzliche\ grüße
              | schöne\ grüße
              | grüße
              | gruß
              | lg
              | vg
              | mfg
              | cordialement
              | bien\ cordialement
              | bien\ à\ vous
              | salutations
              | sincères\ salutations
              | merci
              | merci\ beaucoup
              | bonne\ journée
              | saludos
              | un\ saludo
              | saludos\ cordiales
              | atentamente
              | un\ abrazo
              | muchas\ gracias
              | gracias
              | groet
              | groeten
              | met\ vriendelijke\ groet
              | vriendelijke\ groet
              | met\ vriendelijke\ groeten
              | hartelijke\ groet
              | mvg
              | bedankt
              | pozdrawiam
              | mvh
              | med\ vänlig\ hälsning
              | hälsningar
              | hilsen
            )\s*[,.!]*\s*$
        ");
pattern!(pub(super) PHONE_LINE, r"(?i)^\s*((tel|tél|phone|mobile|mob|cell|fax|direct|office|m|t|o|p|d|e)\.?\s*:?\s*)?\+?[\d][\d ()./-]{6,}\d\s*$");

/// Split a plain-text reply into the sender's own text, the quoted original and the
/// signature.
pub(super) fn split_reply(text: &str, sender: Option<&Mailbox>) -> ReplyParts {
    let scanned = truncate_bytes(text, MAX_SCANNED_BYTES);
    let lines: Vec<&str> = scanned.split('\n').collect();
    let mut quote = vec![false; lines.len()];
    let mut cut = lines.len();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if is_quote_line(line) {
            quote[i] = true;
            i += 1;
            continue;
        }
        if SEPARATOR.is_match(line) || header_block_at(&lines, i) {
            cut = i;
            break;
        }
        if let Some(span) = attribution_at(&lines, i) {
            let next = (i + span..lines.len()).find(|&j| !lines[j].trim().is_empty());
            let followed_by_quote = next.is_some_and(|j| is_quote_line(lines[j]));
            if followed_by_quote {
                for q in quote.iter_mut().skip(i).take(span) {
                    *q = true;
                }
                i += span;
                continue;
            }
            cut = i;
            break;
        }
        i += 1;
    }

    let mut own: Vec<&str> = Vec::new();
    let mut quoted: Vec<&str> = Vec::new();
    for (idx, line) in lines.iter().enumerate() {
        if idx >= cut || quote[idx] {
            quoted.push(line);
        } else {
            own.push(line);
        }
    }
    let (own, signature) = split_signature(&own, sender);
    ReplyParts {
        own: normalize_text(&own.join("\n")),
        quoted: normalize_text(&quoted.join("\n")),
        signature: signature
            .map(|s| normalize_text(&s.join("\n")))
            .filter(|s| !s.is_empty()),
    }
}

pub(super) fn is_quote_line(line: &str) -> bool {
    line.trim_start().starts_with('>')
}

/// Number of lines (1–3) of an attribution line starting at `i`, if there is one. Clients
/// wrap long attributions, so two or three lines are joined before matching.
pub(super) fn attribution_at(lines: &[&str], i: usize) -> Option<usize> {
    let first = lines[i].trim();
    if first.is_empty() || first.chars().count() > 400 {
        return None;
    }
    let mut joined = first.to_string();
    for span in 1..=3 {
        if span > 1 {
            let next = lines.get(i + span - 1)?.trim();
            if next.is_empty() {
                return None;
            }
            joined.push(' ');
            joined.push_str(next);
        }
        let ends_like_attribution = joined.trim_end().ends_with(':')
            || joined.trim_end().ends_with("wrote")
            || joined.trim_end().ends_with("schreef");
        // Only a line that starts like an attribution ("On …", "Am …") is joined with the
        // next ones; a sentence of the reply followed by an attribution is not one.
        if (ATTRIBUTION.is_match(&joined) && ends_like_attribution)
            || (span == 1 && ATTRIBUTION_TAIL.is_match(&joined))
        {
            return Some(span);
        }
    }
    None
}

/// An Outlook-style header block: a `From:` line with a `Sent:`/`To:`/`Subject:` line
/// (or a translation of them) among the next four lines.
pub(super) fn header_block_at(lines: &[&str], i: usize) -> bool {
    if !HEADER_FROM.is_match(lines[i]) {
        return false;
    }
    lines
        .iter()
        .skip(i + 1)
        .take(4)
        .any(|l| HEADER_NEXT.is_match(l))
}

/// Cut the signature off the sender's own lines: after a `-- ` delimiter, a mobile footer,
/// a closing ("Best,", "Viele Grüße") followed only by short lines, or a trailing block
/// that starts with the sender's name.
pub(super) fn split_signature<'a>(
    lines: &[&'a str],
    sender: Option<&Mailbox>,
) -> (Vec<&'a str>, Option<Vec<&'a str>>) {
    let name_tokens = sender_name_tokens(sender);
    let mut end = lines.len();
    if let Some(pos) = lines
        .iter()
        .position(|l| SIG_DELIMITER.is_match(l) || MOBILE_FOOTER.is_match(l))
    {
        end = pos;
    }
    // A closing line followed only by what signatures hold, starting with a name.
    for (idx, line) in lines.iter().enumerate().take(end) {
        let closing = VALEDICTION.is_match(line) || closing_with_name(line, &name_tokens);
        if !closing || !has_content(&lines[..idx]) {
            continue;
        }
        let rest = &lines[idx + 1..end];
        let first_after = rest.iter().map(|l| l.trim()).find(|l| !l.is_empty());
        let starts_with_name = first_after.is_none_or(|l| {
            names_sender(l, &name_tokens) || looks_like_name_line(l) || PHONE_LINE.is_match(l)
        });
        if starts_with_name && signature_like(rest) {
            end = idx;
            break;
        }
    }
    // A trailing block (after the last empty line) that starts with the sender's name or
    // that consists of names, titles and phone numbers.
    let content_end = lines[..end]
        .iter()
        .rposition(|l| !l.trim().is_empty())
        .map_or(0, |p| p + 1);
    if content_end > 0 {
        let block_start = lines[..content_end]
            .iter()
            .rposition(|l| l.trim().is_empty())
            .map_or(0, |p| p + 1);
        let block = &lines[block_start..content_end];
        let has_content_before = has_content(&lines[..block_start]);
        if has_content_before && block.len() <= 8 && signature_like(block) {
            let first = block.first().map_or("", |l| l.trim());
            if names_sender(first, &name_tokens) || looks_like_name_line(first) {
                end = block_start;
            }
        } else if !block.is_empty() && block.len() > 1 {
            // The name on the last line(s) of the last paragraph ("…let me know.\nHannah").
            let mut cut_at = None;
            for k in (1..block.len()).rev() {
                let l = block[k].trim();
                if names_sender(l, &name_tokens) && signature_like(&block[k..]) {
                    cut_at = Some(block_start + k);
                }
            }
            if let Some(c) = cut_at {
                end = c;
            }
        }
    }
    let own = lines[..end].to_vec();
    let sig: Vec<&str> = lines[end..].to_vec();
    let sig = sig.iter().any(|l| !l.trim().is_empty()).then_some(sig);
    (own, sig)
}

pattern!(pub(super) GREETING_LINE, r"(?xi)
            ^\s*
            (
                hi
              | hello
              | hey
              | dear
              | good\ (morning|afternoon)
              | hallo
              | moin
              | servus
              | liebe[rs]?
              | sehr\ geehrte\w*
              | guten\ (tag|morgen)
              | bonjour
              | bonsoir
              | salut
              | cher
              | chère
              | madame
              | monsieur
              | hola
              | buen(os|as)\ \w+
              | estimad[oa]s?
              | hoi
              | beste
              | goedemorgen
              | goedemiddag
              | dag
              | hej
              | ciao
            )\b[^.!?]{0,60}[,:!]?\s*$
        ");

/// Lines with something besides a greeting ("Hi Ava,").
pub(super) fn has_content(lines: &[&str]) -> bool {
    lines
        .iter()
        .any(|l| !l.trim().is_empty() && !GREETING_LINE.is_match(l))
}

pub(super) fn sender_name_tokens(sender: Option<&Mailbox>) -> Vec<String> {
    let mut tokens: Vec<String> = Vec::new();
    if let Some(m) = sender {
        if let Some(name) = &m.name {
            for t in name.split(|c: char| !c.is_alphanumeric() && c != '\'') {
                let t = t.to_lowercase();
                if t.chars().count() >= 2 {
                    tokens.push(t);
                }
            }
        }
        let local = m.address.split('@').next().unwrap_or("");
        for t in local.split(|c: char| !c.is_alphanumeric()) {
            let t = t.to_lowercase();
            if t.chars().count() >= 3 && !tokens.contains(&t) {
                tokens.push(t);
            }
        }
    }
    tokens
}

/// The line is (or starts with) the sender's name: "Hannah", "/Oskar", "F. Hartmann",
/// "Chris Donovan | Head of Data".
pub(super) fn names_sender(line: &str, tokens: &[String]) -> bool {
    if tokens.is_empty() {
        return false;
    }
    let line = line
        .trim()
        .trim_start_matches(['/', '-', '–', '—', '~', ' '])
        .to_lowercase();
    let words: Vec<&str> = line
        .split(|c: char| !c.is_alphanumeric() && c != '\'')
        .filter(|w| !w.is_empty())
        .collect();
    if words.is_empty() || words.len() > 12 {
        return false;
    }
    words
        .iter()
        .take(3)
        .any(|w| w.chars().count() >= 2 && tokens.iter().any(|t| t == w))
}

pub(super) fn closing_with_name(line: &str, tokens: &[String]) -> bool {
    // "Thanks, Chloe" / "Best, Ava": a closing word, a comma, then the sender's name.
    let Some((head, tail)) = line.split_once(',') else {
        return false;
    };
    VALEDICTION.is_match(head) && names_sender(tail, tokens) && tail.split_whitespace().count() <= 3
}

/// One to four capitalised words and nothing else: "Nathalie Gagnon", "F. Hartmann" (but
/// not "Not Interested" or "Thanks Again").
pub(super) fn looks_like_name_line(line: &str) -> bool {
    const NOT_NAMES: &[&str] = &[
        "no",
        "not",
        "yes",
        "thanks",
        "thank",
        "you",
        "please",
        "stop",
        "remove",
        "unsubscribe",
        "interested",
        "sure",
        "ok",
        "okay",
        "great",
        "sounds",
        "good",
        "later",
        "never",
        "spam",
        "call",
        "demo",
        "me",
        "us",
        "we",
        "our",
        "the",
        "a",
        "again",
        "now",
        "pass",
        "nein",
        "danke",
        "bitte",
        "merci",
        "non",
        "oui",
        "gracias",
        "sí",
        "si",
        "nee",
        "ja",
        "bedankt",
    ];
    let words: Vec<&str> = line.split_whitespace().collect();
    !words.is_empty()
        && !words.iter().any(|w| {
            let w = w
                .trim_matches(|c: char| !c.is_alphanumeric())
                .to_lowercase();
            NOT_NAMES.contains(&w.as_str())
        })
        && words.len() <= 4
        && !line.ends_with(['.', '?', '!', ':', ','])
        && words.iter().all(|w| {
            w.chars()
                .next()
                .is_some_and(|c| c.is_uppercase() || !c.is_alphabetic())
                && w.chars().count() <= 20
        })
        && line.chars().any(char::is_alphabetic)
}

/// Lines a signature is made of: few, short, no questions and no running sentences.
pub(super) fn signature_like(lines: &[&str]) -> bool {
    let non_empty: Vec<&str> = lines
        .iter()
        .map(|l| l.trim())
        .filter(|l| !l.is_empty())
        .collect();
    if non_empty.len() > 10 {
        return false;
    }
    non_empty.iter().all(|l| {
        let words = l.split_whitespace().count();
        PHONE_LINE.is_match(l)
            || (l.chars().count() <= 90
                && !l.ends_with('?')
                && !(words >= 9 && l.ends_with('.'))
                && words <= 14)
    })
}
