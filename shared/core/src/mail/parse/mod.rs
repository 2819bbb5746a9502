//! Reading one inbound message (RFC 5322 bytes) into an [`InboundEmail`].
//!
//! Besides the headers this finds what the classifier and the engage stage need:
//!
//! * the full decoded text (HTML turned into text when there is no text part), and the
//!   sender's *own* text: the quoted original (Gmail `>` quoting, Outlook `From:/Sent:`
//!   blocks and their German, French, Spanish and Dutch forms, bottom-posted replies) and the
//!   signature are cut away, because only what the sender wrote may be classified;
//! * text hidden in HTML (`display:none`, zero-size or white text, comments, `aria-hidden`),
//!   kept apart as `hidden_text`: it is where injection attempts hide, and it is never the
//!   sender's own text;
//! * automatic-reply headers (`Auto-Submitted`, `X-Autoreply`, `Precedence`, …);
//! * for delivery reports (RFC 3464 DSNs, plain-text MTA notices, SES events sent through
//!   SNS) the failed recipient, status, action, diagnostic and the original Message-ID; for
//!   feedback-loop reports (ARF, Hotmail JMRP, SES complaints) the complaining recipient.
//!
//! The input is untrusted: nothing here panics on malformed MIME, and a message over
//! [`MAX_MESSAGE_BYTES`] is refused before it is parsed.

use chrono::{DateTime, TimeZone, Utc};
use mail_parser::{Address, Message, MessageParser, MessagePart, MimeHeaders, PartType};
use regex::Regex;
use scraper::{ElementRef, Html, Node};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::sync::LazyLock;

use crate::text::html::{inline_hides, sets_dark_background};
use crate::text::patterns::{EMAIL_ADDRESS as ADDRESS, pattern, re};
use crate::text::truncate_bytes;

mod bodies;
mod headers;
mod html;
mod notices;
mod reply;
mod reports;
mod ses;
mod types;

use bodies::*;
use headers::*;
use html::*;
use notices::*;
use reply::*;
use reports::*;
use ses::*;

pub(crate) use html::html_depth_exceeds;
pub use types::*;

/// The largest message accepted: SES receipt rules cap messages at 40 MB, and nothing a
/// lead writes by hand comes near 25 MiB, while parsing more would only cost memory.
pub const MAX_MESSAGE_BYTES: usize = 25 * 1024 * 1024;

/// Text beyond this many bytes is not searched line by line (quote, signature and report
/// detection): the first part of a message says what it is, and it bounds the work a huge
/// hostile message can cause.
const MAX_SCANNED_BYTES: usize = 64 * 1024;

/// Parse `<outreach-{LEAD}-{N}@domain>` (angle brackets optional) into the lead id and the
/// touch number.
pub fn outreach_lead_id(message_id: &str) -> Option<(String, u32)> {
    let id = message_id.trim();
    let id = id.strip_prefix('<').unwrap_or(id);
    let id = id.strip_suffix('>').unwrap_or(id);
    let (local, domain) = id.split_once('@')?;
    if domain.is_empty() {
        return None;
    }
    let rest = local.strip_prefix("outreach-")?;
    let (lead, n) = rest.rsplit_once('-')?;
    let n: u32 = n.parse().ok()?;
    let lead_ok = !lead.is_empty()
        && lead.len() <= 64
        && lead
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b));
    lead_ok.then(|| (lead.to_string(), n))
}

/// Read a raw message.
pub fn parse(raw: &[u8]) -> Result<InboundEmail, ParseError> {
    if raw.len() > MAX_MESSAGE_BYTES {
        return Err(ParseError::TooLarge {
            size: raw.len(),
            limit: MAX_MESSAGE_BYTES,
        });
    }
    if raw.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(ParseError::Empty);
    }
    let body = strip_mbox_from_line(raw);
    // mail-parser promises not to panic, and this module is written not to; a bug in either
    // must still not take down a batch of other messages, so a panic becomes a parse error
    // for this message only.
    std::panic::catch_unwind(|| read(body, raw.len())).unwrap_or_else(|_| {
        Err(ParseError::Unreadable(
            "the message could not be read (internal error)".into(),
        ))
    })
}

fn read(body: &[u8], size: usize) -> Result<InboundEmail, ParseError> {
    let Some(msg) = MessageParser::default().parse(body) else {
        return Err(ParseError::NotAMessage("no header fields found".into()));
    };
    if msg.parts.is_empty() || msg.headers().is_empty() {
        return Err(ParseError::NotAMessage("no header fields found".into()));
    }
    let has_known_header = msg.headers().iter().any(|h| {
        matches!(
            h.name().to_ascii_lowercase().as_str(),
            "from" | "to" | "subject" | "date" | "message-id" | "received" | "return-path"
        )
    });
    if !has_known_header {
        return Err(ParseError::NotAMessage(
            "none of From, To, Subject, Date, Message-ID, Received or Return-Path is present"
                .into(),
        ));
    }
    Ok(build(&msg, size))
}

/// An mbox export starts with a `From sender date` line that is not a header field.
fn strip_mbox_from_line(raw: &[u8]) -> &[u8] {
    if raw.starts_with(b"From ")
        && let Some(pos) = raw.iter().position(|&b| b == b'\n')
    {
        return &raw[pos + 1..];
    }
    raw
}

fn build(msg: &Message<'_>, size: usize) -> InboundEmail {
    let mut defects = Vec::new();
    let from = first_mailbox(msg.from());
    let to = all_mailboxes(msg.to());
    let cc = all_mailboxes(msg.cc());
    let reply_to = first_mailbox(msg.reply_to());
    let return_path = raw_header(msg, "Return-Path").map(|v| {
        let v = v.trim();
        let v = v.strip_prefix('<').unwrap_or(v);
        let v = v.strip_suffix('>').unwrap_or(v);
        v.trim().to_string()
    });
    let subject = msg.subject().map(collapse_spaces).unwrap_or_default();
    let date = msg
        .date()
        .filter(|d| d.is_valid())
        .and_then(|d| Utc.timestamp_opt(d.to_timestamp(), 0).single());
    if date.is_none() {
        defects.push("no valid Date header".to_string());
    }

    let message_id = raw_header(msg, "Message-ID")
        .and_then(|v| message_ids(&v).into_iter().next())
        .or_else(|| msg.message_id().map(|id| format!("<{id}>")));
    let in_reply_to = raw_header(msg, "In-Reply-To")
        .map(|v| message_ids(&v))
        .unwrap_or_default();
    let references = raw_header(msg, "References")
        .map(|v| message_ids(&v))
        .unwrap_or_default();

    let mut auto = AutoHeaders::default();
    for (name, value) in msg.headers_raw() {
        let lower = name.to_ascii_lowercase();
        if AUTO_HEADER_NAMES.contains(&lower.as_str()) {
            auto.fields.push((name.to_string(), unfold(value)));
        }
    }
    auto.null_return_path = return_path.as_deref() == Some("");
    let authentication_results = msg
        .headers_raw()
        .filter(|(n, _)| n.eq_ignore_ascii_case("Authentication-Results"))
        .map(|(_, v)| unfold(v))
        .collect();

    let bodies = collect_bodies(msg);
    let mut hidden_text = Vec::new();
    let mut html_visible = Vec::new();
    for html in &bodies.html {
        let converted = html_to_text(html);
        hidden_text.extend(converted.hidden);
        html_visible.push(converted.visible);
    }
    let html_text = (!html_visible.is_empty()).then(|| html_visible.join("\n\n"));
    let mut text = if !bodies.plain.is_empty() {
        normalize_text(&bodies.plain.join("\n\n"))
    } else if let Some(h) = &html_text {
        h.clone()
    } else {
        String::new()
    };
    if text.trim().is_empty() {
        // A multipart whose boundary could not be read leaves no text part; what a reader
        // would see is still in the raw body.
        let fallback = raw_body_text(msg);
        if !fallback.is_empty() {
            defects.push("no readable text part; the raw body was used".to_string());
            text = fallback;
        } else if bodies.plain.is_empty() && html_text.is_none() {
            defects.push("no text or HTML part".to_string());
        }
    }

    let reply = split_reply(&text, from.as_ref());

    let mut email = InboundEmail {
        size,
        message_id,
        in_reply_to,
        references,
        from,
        reply_to,
        to,
        cc,
        return_path,
        subject,
        date,
        text,
        html_text,
        own_text: reply.own,
        quoted_text: reply.quoted,
        signature: reply.signature,
        hidden_text,
        attachments: bodies.attachments,
        auto,
        authentication_results,
        dsn: None,
        feedback: None,
        ses_event: None,
        defects,
    };
    read_reports(msg, &mut email);
    email
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outreach_ids_give_the_lead_and_the_touch() {
        assert_eq!(
            outreach_lead_id("<outreach-L0078-1@agent.seller.example>"),
            Some(("L0078".to_string(), 1))
        );
        assert_eq!(
            outreach_lead_id("outreach-lead-with-dashes-12@x.example"),
            Some(("lead-with-dashes".to_string(), 12))
        );
        assert_eq!(outreach_lead_id("<CAu3@mail.gmail.com>"), None);
        assert_eq!(outreach_lead_id("<outreach-L1-x@x.example>"), None);
        assert_eq!(outreach_lead_id("<outreach--1@x.example>"), None);
    }

    #[test]
    fn white_and_tiny_text_is_hidden_but_dark_backgrounds_show_white_text() {
        let h = html_to_text(
            "<p>Hello</p><p style=\"color:#ffffff;font-size:1px\">secret one</p>\
             <div style=\"background:#003366\"><span style=\"color:#fff\">Button</span></div>\
             <!-- a comment --><span style=\"display: none !important\">secret two</span>",
        );
        assert!(h.visible.contains("Hello"));
        assert!(h.visible.contains("Button"), "{}", h.visible);
        assert!(!h.visible.contains("secret"));
        assert_eq!(h.hidden, vec!["secret one", "a comment", "secret two"]);
    }

    #[test]
    fn blockquotes_become_quoted_lines() {
        let h = html_to_text(
            "<div>Yes please.</div><div>On Mon, X wrote:</div><blockquote><p>Hi</p><p>there</p></blockquote>",
        );
        assert_eq!(h.visible, "Yes please.\nOn Mon, X wrote:\n> Hi\n>\n> there");
    }

    #[test]
    fn outlook_blocks_and_signatures_are_cut() {
        let sender = Mailbox {
            address: "jonas.becker@x.example".into(),
            name: Some("Jonas Becker".into()),
        };
        let text = "Hallo,\n\nzwei Fragen vorab.\n\nViele Grüße\nJonas Becker\nData Engineer\n\nVon: Ava <ava@x.example>\nGesendet: Montag\nAn: Jonas\n\nHi Jonas";
        let r = split_reply(text, Some(&sender));
        assert_eq!(r.own, "Hallo,\n\nzwei Fragen vorab.");
        assert_eq!(
            r.signature.as_deref(),
            Some("Viele Grüße\nJonas Becker\nData Engineer")
        );
        assert!(r.quoted.starts_with("Von: Ava"));
    }

    #[test]
    fn outlook_blocks_and_attributions_in_further_languages_are_cut() {
        for text in [
            "Ei kiitos.\n\nLähettäjä: Ava <ava@x.example>\nLähetetty: maanantai\nVastaanottaja: Aino\nAihe: Demo\n\nHi Aino, shall I send a few time slots?",
            "Ne, děkuji.\n\n-----Původní zpráva-----\nOd: Ava <ava@x.example>\nOdesláno: pondělí\nKomu: Jana\nPředmět: Demo\n\nHi Jana, shall I send a few time slots?",
            "Nie, dziękuję.\n\nOd: Ava <ava@x.example>\nWysłano: poniedziałek\nDo: Anna\nTemat: Demo\n\nHi Anna, shall I send a few time slots?",
            "Дякуємо, але ні.\n\n-----Оригінальне повідомлення-----\nВід: Ava <ava@x.example>\nНадіслано: понеділок\nКому: Олена\nТема: Demo\n\nHi Olena, shall I send a few time slots?",
            "Спасибо, но нет.\n\nОт: Ava <ava@x.example>\nОтправлено: понедельник\nКому: Ольга\nТема: Demo\n\nHi Olga, shall I send a few time slots?",
            "Mulțumesc, dar nu.\n\nDe la: Ava <ava@x.example>\nTrimis: luni\nCătre: Ana\nSubiect: Demo\n\nHi Ana, shall I send a few time slots?",
            "Köszönöm, nem.\n\nFeladó: Ava <ava@x.example>\nKüldve: hétfő\nCímzett: Anna\nTárgy: Demo\n\nHi Anna, shall I send a few time slots?",
            "Ευχαριστώ, όχι.\n\nΑπό: Ava <ava@x.example>\nΣτάλθηκε: Δευτέρα\nΠρος: Μαρία\nΘέμα: Demo\n\nHi Maria, shall I send a few time slots?",
            "Teşekkürler, gerek yok.\n\nKimden: Ava <ava@x.example>\nGönderildi: Pazartesi\nKime: Ayşe\nKonu: Demo\n\nHi Ayşe, shall I send a few time slots?",
            "Ne, hvala.\n\npon, 9. nov. 2026 ob 10:00 je Ava <ava@x.example> napisala:\n> Hi Ana, shall I send a few time slots?",
        ] {
            let r = split_reply(text, None);
            assert!(!r.own.contains("time slots"), "{text}: {:?}", r.own);
        }
    }

    #[test]
    fn bottom_posted_replies_keep_the_text_under_the_quote() {
        let text = "On Mon, Nov 2, 2026 at 10:00 AM Ava Reed <ava@x.example> wrote:\n> Would you be open to a demo?\n>\n> Ava\n\nYes, next Tuesday works.\n\nMarta";
        let r = split_reply(text, None);
        assert_eq!(r.own, "Yes, next Tuesday works.");
    }

    #[test]
    fn status_codes_are_not_read_from_ip_addresses() {
        assert_eq!(
            find_status("host [203.0.113.25] said: 550 5.1.1 <a@b>"),
            Some("5.1.1".into())
        );
        assert_eq!(find_status("via 192.0.2.25 (4.3.0)"), Some("4.3.0".into()));
        assert_eq!(find_status("Apple Mail (2.753.1) at 10.11.12.13"), None);
    }
}
