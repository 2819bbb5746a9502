//! The thread file `sqa simulate` reads: a header naming the lead, then the lead's messages.
//!
//! ```text
//! # Lines starting with '#' before the first message are comments.
//! name: Anna Weber
//! email: anna.weber@example.org
//! company: Weber Logistik GmbH
//! title: Head of Finance
//! country: DE
//! id: T1                  (optional; default: the file's name)
//!
//! --- reply
//! What does it cost for 300 employees?
//! --- reply +2d
//! Sounds good, can we book a demo next week?
//! ```
//!
//! Header keys: `name` (or `first_name` and `last_name`), `email` (required), `company`,
//! `title`, `country`, `id`, `website`, `industry`, `employees`, `tech_stack`, `owner`.
//! A message starts at a line `--- reply`, optionally followed by how long after the
//! previous event it arrives: `+30m`, `+4h`, `+3d`, `+1w` (default `+1h`).

use chrono::Duration;

/// The lead a thread file names (the columns of a leads CSV it fills).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct LeadSpec {
    pub id: Option<String>,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub company: String,
    pub title: String,
    pub country: String,
    pub website: String,
    pub industry: String,
    pub employees: String,
    pub tech_stack: String,
    pub owner: String,
}

/// One message of the lead, as written in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// The line of its `--- reply` separator.
    pub line: usize,
    /// How long after the previous event it arrives.
    pub after: Duration,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreadFile {
    pub lead: LeadSpec,
    pub messages: Vec<Message>,
}

/// A problem in a thread file, at a line (1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub line: usize,
    pub message: String,
}

/// The default time between two events of a thread.
pub fn default_gap() -> Duration {
    Duration::hours(1)
}

const SEPARATOR: &str = "--- reply";

pub fn parse(text: &str) -> Result<ThreadFile, ParseError> {
    let err = |line: usize, message: String| ParseError { line, message };
    let mut lead = LeadSpec::default();
    let mut seen: Vec<&'static str> = Vec::new();
    let mut messages: Vec<Message> = Vec::new();
    let mut body: Vec<&str> = Vec::new();
    let mut in_header = true;
    let mut last_line = 0;
    for (i, raw) in text.lines().enumerate() {
        let n = i + 1;
        last_line = n;
        let line = raw.trim_end_matches('\r');
        if let Some(rest) = line.strip_prefix(SEPARATOR) {
            let after = gap(rest.trim()).map_err(|m| err(n, m))?;
            if !in_header {
                close(&mut messages, &mut body).map_err(|m| err(messages_line(&messages), m))?;
            }
            in_header = false;
            messages.push(Message {
                line: n,
                after,
                text: String::new(),
            });
            continue;
        }
        if !in_header {
            body.push(line);
            continue;
        }
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let Some((key, value)) = t.split_once(':') else {
            return Err(err(
                n,
                format!("expected `key: value` in the header or a `{SEPARATOR}` line, found {t:?}"),
            ));
        };
        let key = key.trim().to_ascii_lowercase().replace('-', "_");
        let value = value.trim().to_string();
        let (name, slot): (&'static str, &mut String) = match key.as_str() {
            "name" => {
                if seen.contains(&"name") {
                    return Err(err(n, "`name` is given twice".into()));
                }
                seen.push("name");
                let (first, last) = value
                    .split_once(char::is_whitespace)
                    .unwrap_or((&value, ""));
                lead.first_name = first.trim().to_string();
                lead.last_name = last.trim().to_string();
                continue;
            }
            "first_name" => ("first_name", &mut lead.first_name),
            "last_name" => ("last_name", &mut lead.last_name),
            "email" => ("email", &mut lead.email),
            "company" => ("company", &mut lead.company),
            "title" => ("title", &mut lead.title),
            "country" => ("country", &mut lead.country),
            "website" => ("website", &mut lead.website),
            "industry" => ("industry", &mut lead.industry),
            "employees" => ("employees", &mut lead.employees),
            "tech_stack" => ("tech_stack", &mut lead.tech_stack),
            "owner" => ("owner", &mut lead.owner),
            "id" | "lead_id" | "lead" => {
                if lead.id.is_some() {
                    return Err(err(n, "the lead id is given twice".into()));
                }
                if let Err(m) = sqa_core::LeadId::parse(&value) {
                    return Err(err(n, m));
                }
                lead.id = Some(value);
                continue;
            }
            other => {
                return Err(err(
                    n,
                    format!(
                        "unknown header key {other:?} (known: name, first_name, last_name, email, \
                         company, title, country, id, website, industry, employees, tech_stack, owner)"
                    ),
                ));
            }
        };
        if seen.contains(&name) {
            return Err(err(n, format!("`{name}` is given twice")));
        }
        seen.push(name);
        *slot = value;
    }
    if in_header {
        return Err(err(
            last_line.max(1),
            format!("no message: a thread needs at least one `{SEPARATOR}` line"),
        ));
    }
    close(&mut messages, &mut body).map_err(|m| err(messages_line(&messages), m))?;
    if lead.email.trim().is_empty() {
        return Err(err(1, "the header has no `email:` line".into()));
    }
    if lead.first_name.is_empty() && lead.last_name.is_empty() {
        return Err(err(1, "the header has no `name:` line".into()));
    }
    Ok(ThreadFile { lead, messages })
}

fn messages_line(messages: &[Message]) -> usize {
    messages.last().map(|m| m.line).unwrap_or(1)
}

/// Put the gathered body lines into the last message; an empty message is an error.
fn close(messages: &mut [Message], body: &mut Vec<&str>) -> Result<(), String> {
    let text = body.join("\n").trim_matches('\n').trim_end().to_string();
    body.clear();
    let Some(m) = messages.last_mut() else {
        return Ok(());
    };
    if text.trim().is_empty() {
        return Err("this message is empty".into());
    }
    m.text = text;
    Ok(())
}

/// `+3d`, `+4h`, `+30m`, `+1w`, or nothing (the default gap).
fn gap(spec: &str) -> Result<Duration, String> {
    if spec.is_empty() {
        return Ok(default_gap());
    }
    let bad = || {
        format!("after `{SEPARATOR}` expected a delay like +30m, +4h, +3d or +1w, found {spec:?}")
    };
    let rest = spec.strip_prefix('+').ok_or_else(bad)?;
    let unit = rest.chars().last().ok_or_else(bad)?;
    let n: i64 = rest[..rest.len() - unit.len_utf8()]
        .parse()
        .map_err(|_| bad())?;
    if !(0..=3650).contains(&n) {
        return Err(bad());
    }
    Ok(match unit {
        'm' => Duration::minutes(n),
        'h' => Duration::hours(n),
        'd' => Duration::days(n),
        'w' => Duration::weeks(n),
        _ => return Err(bad()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_thread_reads_its_lead_and_messages() {
        let t = parse(
            "# a comment\nname: Anna Maria Weber\nemail: anna@x.example\ncompany: X\nid: T-1\n\n\
             --- reply\nHello?\n\n--- reply +3d\nYes.\n--- Original message ---\n> quoted\n",
        )
        .unwrap();
        assert_eq!(t.lead.first_name, "Anna");
        assert_eq!(t.lead.last_name, "Maria Weber");
        assert_eq!(t.lead.id.as_deref(), Some("T-1"));
        assert_eq!(t.messages.len(), 2);
        assert_eq!(t.messages[0].text, "Hello?");
        assert_eq!(t.messages[0].after, default_gap());
        assert_eq!(t.messages[1].line, 10);
        assert_eq!(t.messages[1].after, Duration::days(3));
        assert!(t.messages[1].text.contains("> quoted"));
    }

    #[test]
    fn problems_name_their_line() {
        let e = parse("name: A\nemail a@x.example\n--- reply\nhi\n").unwrap_err();
        assert_eq!(e.line, 2);
        let e =
            parse("name: A\nemail: a@x.example\n--- reply\nhi\n--- reply +3x\nyo\n").unwrap_err();
        assert_eq!(e.line, 5);
        assert!(e.message.contains("+3x"), "{}", e.message);
        let e = parse("name: A\nemail: a@x.example\n--- reply\n\n--- reply\nyo\n").unwrap_err();
        assert_eq!((e.line, e.message.as_str()), (3, "this message is empty"));
        let e = parse("name: A\nemail: a@x.example\nshoe: 42\n--- reply\nhi\n").unwrap_err();
        assert_eq!(e.line, 3);
        let e = parse("name: A\nemail: a@x.example\n").unwrap_err();
        assert!(e.message.contains("no message"));
        let e = parse("name: A\n--- reply\nhi\n").unwrap_err();
        assert!(e.message.contains("email"));
    }
}
