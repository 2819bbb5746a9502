//! Rendering outgoing mail as RFC 5322 bytes.
//!
//! The body is UTF-8 text sent quoted-printable, so every line is 7-bit and short (SES and
//! every relay accept it as is); non-ASCII header text uses RFC 2047 encoded words.

use chrono::{DateTime, Utc};

/// An outgoing message before rendering.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub from_name: String,
    pub from: String,
    pub to_name: String,
    pub to: String,
    pub subject: String,
    pub date: DateTime<Utc>,
    /// With angle brackets: `<outreach-L0001-1@agent.example>`.
    pub message_id: String,
    pub in_reply_to: Option<String>,
    pub references: Vec<String>,
    /// `List-Unsubscribe` targets (https and mailto URLs); with an https one the message
    /// also carries `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058).
    pub unsubscribe: Vec<String>,
    pub body: String,
}

/// Render the message. Header lines are folded below 78 characters where they can be.
pub fn render(m: &Message) -> Vec<u8> {
    let mut out = String::new();
    header(&mut out, "From", &mailbox(&m.from_name, &m.from));
    header(&mut out, "To", &mailbox(&m.to_name, &m.to));
    header(
        &mut out,
        "Subject",
        &encode_word_if_needed(&header_text(&m.subject)),
    );
    header(
        &mut out,
        "Date",
        &m.date.format("%a, %d %b %Y %H:%M:%S +0000").to_string(),
    );
    header(&mut out, "Message-ID", &m.message_id);
    if let Some(irt) = &m.in_reply_to {
        header(&mut out, "In-Reply-To", irt);
    }
    if !m.references.is_empty() {
        header(&mut out, "References", &m.references.join(" "));
    }
    if !m.unsubscribe.is_empty() {
        let list: Vec<String> = m.unsubscribe.iter().map(|u| format!("<{u}>")).collect();
        header(&mut out, "List-Unsubscribe", &list.join(", "));
        if m.unsubscribe.iter().any(|u| u.starts_with("https://")) {
            header(
                &mut out,
                "List-Unsubscribe-Post",
                "List-Unsubscribe=One-Click",
            );
        }
    }
    header(&mut out, "MIME-Version", "1.0");
    header(&mut out, "Content-Type", "text/plain; charset=utf-8");
    header(&mut out, "Content-Transfer-Encoding", "quoted-printable");
    out.push_str("\r\n");
    out.push_str(&quoted_printable(&m.body));
    out.into_bytes()
}

fn header(out: &mut String, name: &str, value: &str) {
    // Header values never carry raw line breaks: they could inject headers.
    let clean: String = value
        .chars()
        .map(|c| if c == '\r' || c == '\n' { ' ' } else { c })
        .collect();
    let mut line = format!("{name}: ");
    let mut width = line.len();
    for (i, word) in clean.split(' ').enumerate() {
        if i > 0 {
            if width + 1 + word.len() > 76 && width > name.len() + 2 {
                line.push_str("\r\n ");
                width = 1;
            } else {
                line.push(' ');
                width += 1;
            }
        }
        line.push_str(word);
        width += word.len();
    }
    out.push_str(&line);
    out.push_str("\r\n");
}

/// Text for a header field, from whatever wrote it (a lead's name in the CRM, a model's
/// subject): one line, without control characters (CR and LF could start a new header),
/// without the invisible characters that reorder or hide text (bidirectional embeddings,
/// overrides and isolates, directional marks, zero-width characters, line and paragraph
/// separators), and with runs of spaces made one.
pub fn header_text(s: &str) -> String {
    let cleaned: String = s
        .chars()
        .map(|c| {
            if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{85}') {
                ' '
            } else {
                c
            }
        })
        .filter(|c| !is_invisible_format(*c))
        .collect();
    cleaned.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Bidirectional controls (U+202A–U+202E, U+2066–U+2069, U+200E/F, U+061C) and zero-width
/// characters (U+200B–U+200D, U+2060, U+FEFF).
fn is_invisible_format(c: char) -> bool {
    matches!(
        c,
        '\u{202a}'..='\u{202e}'
            | '\u{2066}'..='\u{2069}'
            | '\u{200b}'..='\u{200f}'
            | '\u{061c}'
            | '\u{2060}'
            | '\u{feff}'
    )
}

/// `name <addr>` with the name made safe: cleaned by [`header_text`], quoted when it has
/// RFC 5322 specials, and RFC 2047-encoded when it is not ASCII or could be read as an
/// encoded word.
fn mailbox(name: &str, addr: &str) -> String {
    let name = header_text(name);
    if name.is_empty() {
        return format!("<{addr}>");
    }
    let shown = if name.is_ascii() && !name.contains("=?") {
        let needs_quotes = name.chars().any(|c| "()<>[]:;@\\,.\"".contains(c));
        if needs_quotes {
            format!("\"{}\"", name.replace('\\', "\\\\").replace('"', "\\\""))
        } else {
            name
        }
    } else {
        encode_words(&name)
    };
    format!("{shown} <{addr}>")
}

fn encode_word_if_needed(s: &str) -> String {
    // ASCII text that looks like an encoded word would be decoded by the reader: encode it.
    if s.is_ascii() && !s.contains("=?") {
        s.to_string()
    } else {
        encode_words(s)
    }
}

/// The text as RFC 2047 encoded words of at most 75 characters each.
fn encode_words(s: &str) -> String {
    // Encoded words are at most 75 characters: split the text on char boundaries.
    let mut words = Vec::new();
    let mut chunk = String::new();
    for c in s.chars() {
        if chunk.len() + c.len_utf8() > 45 {
            words.push(encode_word(&chunk));
            chunk.clear();
        }
        chunk.push(c);
    }
    if !chunk.is_empty() {
        words.push(encode_word(&chunk));
    }
    words.join(" ")
}

fn encode_word(s: &str) -> String {
    format!("=?utf-8?B?{}?=", base64(s.as_bytes()))
}

/// Standard base64 with padding.
pub fn base64(bytes: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        out.push(T[(n >> 18) as usize & 63] as char);
        out.push(T[(n >> 12) as usize & 63] as char);
        out.push(if chunk.len() > 1 {
            T[(n >> 6) as usize & 63] as char
        } else {
            '='
        });
        out.push(if chunk.len() > 2 {
            T[n as usize & 63] as char
        } else {
            '='
        });
    }
    out
}

/// Quoted-printable (RFC 2045) with CRLF line ends and soft breaks at 76 characters.
pub fn quoted_printable(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    let normalized = text.replace("\r\n", "\n");
    for (i, line) in normalized.split('\n').enumerate() {
        if i > 0 {
            out.push_str("\r\n");
        }
        let mut width = 0;
        let bytes = line.as_bytes();
        for (j, &b) in bytes.iter().enumerate() {
            let last = j + 1 == bytes.len();
            let enc = match b {
                b'=' => format!("={b:02X}"),
                b' ' | b'\t' if last => format!("={b:02X}"),
                33..=126 | b' ' | b'\t' => (b as char).to_string(),
                _ => format!("={b:02X}"),
            };
            if width + enc.len() > 75 {
                out.push_str("=\r\n");
                width = 0;
            }
            out.push_str(&enc);
            width += enc.len();
        }
    }
    out.push_str("\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg() -> Message {
        Message {
            from_name: "Ava Reed".into(),
            from: "ava@agent.example".into(),
            to_name: "Zoë Müller".into(),
            to: "zoe@x.example".into(),
            subject: "Grüße from the team".into(),
            date: chrono::DateTime::parse_from_rfc3339("2026-11-21T09:00:00Z")
                .unwrap()
                .with_timezone(&Utc),
            message_id: "<outreach-L0001-1@agent.example>".into(),
            in_reply_to: Some("<abc@x.example>".into()),
            references: vec!["<abc@x.example>".into()],
            unsubscribe: vec![
                "https://u.example/t".into(),
                "mailto:u@agent.example".into(),
            ],
            body: "Hi Zoë,\n= a long line ".to_string() + &"x".repeat(200),
        }
    }

    #[test]
    fn header_text_drops_line_breaks_controls_and_bidirectional_characters() {
        assert_eq!(
            header_text("Re: hi\r\nBcc: x@y.example\u{202e}gnp.exe\u{200b}\t\u{2066}!"),
            "Re: hi Bcc: x@y.examplegnp.exe !"
        );
    }

    #[test]
    fn a_hostile_display_name_is_quoted_or_encoded_on_one_line() {
        let mut m = msg();
        m.to_name = "Jo\r\nBcc: all@evil.example, \"Boss\" <boss@evil.example>".into();
        m.from_name = "=?utf-8?B?QWRtaW4=?=".into();
        m.subject = "Hello =?utf-8?B?QWRtaW4=?= \u{202e}tset".into();
        let raw = String::from_utf8(render(&m)).unwrap();
        let head = raw.split("\r\n\r\n").next().unwrap().replace("\r\n ", " ");
        let to = head.lines().find(|l| l.starts_with("To: ")).unwrap();
        assert_eq!(
            to,
            "To: \"Jo Bcc: all@evil.example, \\\"Boss\\\" <boss@evil.example>\" <zoe@x.example>"
        );
        assert!(!head.lines().any(|l| l.starts_with("Bcc")), "{head}");
        let from = head.lines().find(|l| l.starts_with("From: ")).unwrap();
        assert!(
            !from.contains("QWRtaW4=?= <"),
            "an encoded word is encoded again: {from}"
        );
        assert!(from.starts_with("From: =?utf-8?B?"), "{from}");
        let subject = head.lines().find(|l| l.starts_with("Subject: ")).unwrap();
        assert!(subject.starts_with("Subject: =?utf-8?B?"), "{subject}");
        assert!(!raw.contains('\u{202e}'));
    }

    #[test]
    fn headers_carry_threading_and_one_click_unsubscribe() {
        let raw = String::from_utf8(render(&msg())).unwrap();
        assert!(raw.contains("Message-ID: <outreach-L0001-1@agent.example>\r\n"));
        assert!(raw.contains("In-Reply-To: <abc@x.example>\r\n"));
        assert!(raw.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"));
        assert!(raw.contains("<https://u.example/t>, <mailto:u@agent.example>"));
        assert!(raw.is_ascii(), "the rendered message must be 7-bit");
        assert!(raw.lines().all(|l| l.len() <= 78), "{raw}");
    }

    #[test]
    fn the_rendered_message_parses_back_to_the_same_text() {
        let raw = render(&msg());
        let parsed = mail_parser::MessageParser::default().parse(&raw).unwrap();
        assert_eq!(parsed.subject(), Some("Grüße from the team"));
        let body = parsed.body_text(0).unwrap().replace("\r\n", "\n");
        assert!(body.starts_with("Hi Zoë,\n= a long line xxx"), "{body}");
        assert_eq!(body.trim_end().matches('x').count(), 200);
    }

    #[test]
    fn header_injection_through_a_subject_is_impossible() {
        let mut m = msg();
        m.subject = "hello\r\nBcc: victim@x.example".into();
        let raw = String::from_utf8(render(&m)).unwrap();
        assert!(!raw.contains("\r\nBcc:"));
    }

    #[test]
    fn base64_matches_the_rfc_examples() {
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64(b"fooba"), "Zm9vYmE=");
        assert_eq!(base64(b"foob"), "Zm9vYg==");
    }
}
