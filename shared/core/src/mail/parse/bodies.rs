//! The text and HTML bodies of a message, and text normalisation.

use super::*;

#[derive(Default)]
pub(super) struct Bodies {
    pub(super) plain: Vec<String>,
    pub(super) html: Vec<String>,
    pub(super) attachments: Vec<Attachment>,
}

pub(super) fn content_type_of(part: &MessagePart<'_>) -> (String, String) {
    match part.content_type() {
        Some(ct) => (
            ct.ctype().to_ascii_lowercase(),
            ct.subtype().unwrap_or("").to_ascii_lowercase(),
        ),
        None => ("text".to_string(), "plain".to_string()),
    }
}

pub(super) fn is_attachment(part: &MessagePart<'_>) -> bool {
    part.content_disposition()
        .is_some_and(|cd| cd.ctype().eq_ignore_ascii_case("attachment"))
}

/// The top-level message's text and HTML bodies and its attachments. Parts of an attached
/// message (a returned original, a forwarded mail) are not the sender's body.
pub(super) fn collect_bodies(msg: &Message<'_>) -> Bodies {
    let mut out = Bodies::default();
    for part in &msg.parts {
        let (ctype, subtype) = content_type_of(part);
        let name = part.attachment_name().map(str::to_string);
        match &part.body {
            PartType::Multipart(_) => {}
            PartType::Text(t) => {
                let plain = subtype == "plain" || subtype.is_empty() || ctype != "text";
                if plain && !is_attachment(part) {
                    out.plain.push(t.to_string());
                } else {
                    out.attachments.push(Attachment {
                        content_type: format!("{ctype}/{subtype}"),
                        name,
                        size: t.len(),
                    });
                }
            }
            PartType::Html(h) => {
                if is_attachment(part) {
                    out.attachments.push(Attachment {
                        content_type: "text/html".into(),
                        name,
                        size: h.len(),
                    });
                } else {
                    out.html.push(h.to_string());
                }
            }
            PartType::Binary(b) | PartType::InlineBinary(b) => {
                out.attachments.push(Attachment {
                    content_type: format!("{ctype}/{subtype}"),
                    name,
                    size: b.len(),
                });
            }
            PartType::Message(m) => {
                out.attachments.push(Attachment {
                    content_type: format!("{ctype}/{subtype}"),
                    name,
                    size: m.raw_message.len(),
                });
            }
        }
    }
    out
}

/// The top-level body as text, without MIME boundary and part header lines.
pub(super) fn raw_body_text(msg: &Message<'_>) -> String {
    pattern!(
        MIME_LINE,
        r"(?i)^\s*(--[^\s]{6,}|content-[a-z-]+\s*:.*|boundary=.*|charset=.*)\s*$"
    );
    let root = msg.root_part();
    let raw = msg.raw_message.as_ref();
    let start = (root.offset_body as usize).min(raw.len());
    let end = (root.offset_end as usize).clamp(start, raw.len());
    let body = String::from_utf8_lossy(&raw[start..end.min(start + MAX_SCANNED_BYTES)]);
    let kept: Vec<&str> = body.lines().filter(|l| !MIME_LINE.is_match(l)).collect();
    normalize_text(&kept.join("\n"))
}

/// Line ends to `\n`, non-breaking spaces to spaces, zero-width characters dropped, no
/// trailing blanks, at most one empty line in a row. Texts can be megabytes: lines without
/// those characters (no lead byte 0xC2, 0xE2 or 0xEF) are copied as they are.
pub(super) fn normalize_text(s: &str) -> String {
    let unified: Cow<'_, str> = if s.as_bytes().contains(&b'\r') {
        Cow::Owned(s.replace("\r\n", "\n").replace('\r', "\n"))
    } else {
        Cow::Borrowed(s)
    };
    let mut out = String::with_capacity(unified.len());
    let mut blank_run = 0;
    for raw_line in unified.split('\n') {
        let bytes = raw_line.as_bytes();
        let cleaned: Cow<'_, str> =
            if bytes.contains(&0xC2) || bytes.contains(&0xE2) || bytes.contains(&0xEF) {
                Cow::Owned(
                    raw_line
                        .replace(['\u{a0}', '\u{202f}', '\u{2007}'], " ")
                        .replace(['\u{200b}', '\u{feff}'], ""),
                )
            } else {
                Cow::Borrowed(raw_line)
            };
        let line = cleaned.trim_end();
        if line.is_empty() {
            blank_run += 1;
            if blank_run > 1 {
                continue;
            }
        } else {
            blank_run = 0;
        }
        out.push_str(line);
        out.push('\n');
    }
    out.trim_matches('\n').to_string()
}
