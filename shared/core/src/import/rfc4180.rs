//! A strict RFC 4180 reader that never merges rows.
//!
//! A lenient CSV reader (and the `csv` crate in flexible mode) lets one unbalanced quote
//! swallow every line up to the next quote, so that several rows become one and their text
//! lands in a single field. This reader keeps the rules of RFC 4180 (fields are separated by
//! commas; a field that holds a comma, a quote or a line break is quoted; a quote inside it is
//! doubled) and checks, each time a quoted field crosses a line break, whether the next line
//! looks like a row of its own. When it does, the quote is reported as unbalanced at the line
//! where its field started and reading resumes at that row: the rows after a bad quote are
//! still read, and never glued to it.
//!
//! A line "looks like a row" when, read on its own, it holds exactly as many fields as the
//! header (a last quoted field that goes on to the next line counts, in a column that may hold
//! line breaks) and its `id` field is a well-formed lead id. Notes whose lines happen to have
//! as many commas as the header and start with an id-like word would be misread; in return a
//! bad quote can never take the following rows with it.

use crate::domain::LeadId;

/// One field and the line it starts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Field {
    pub value: String,
    pub line: u64,
}

/// What is wrong with the quoting of a record; `field` is the 0-based column, `line` the line
/// where that field starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Problem {
    /// A quoted field runs to the end of the file.
    Unterminated {
        field: usize,
        line: u64,
        last_line: u64,
    },
    /// A quoted field runs into `row_line`, which looks like a row of its own.
    SwallowsRow {
        field: usize,
        line: u64,
        row_line: u64,
    },
    /// Text follows the closing quote of a field (on `close_line`).
    AfterQuote {
        field: usize,
        line: u64,
        close_line: u64,
    },
    /// A double quote inside a field that does not start with one.
    QuoteInUnquoted { field: usize, line: u64 },
}

impl Problem {
    pub fn field(&self) -> usize {
        match *self {
            Problem::Unterminated { field, .. }
            | Problem::SwallowsRow { field, .. }
            | Problem::AfterQuote { field, .. }
            | Problem::QuoteInUnquoted { field, .. } => field,
        }
    }

    pub fn line(&self) -> u64 {
        match *self {
            Problem::Unterminated { line, .. }
            | Problem::SwallowsRow { line, .. }
            | Problem::AfterQuote { line, .. }
            | Problem::QuoteInUnquoted { line, .. } => line,
        }
    }

    /// What went wrong and what was skipped, for a person fixing the file.
    pub fn message(&self) -> String {
        const HOW: &str = "a quote inside a quoted field is written twice (\"\")";
        match *self {
            Problem::Unterminated {
                line, last_line, ..
            } => format!(
                "unbalanced quote: the quoted field opened on line {line} never closes; \
                 lines {line}-{last_line} are not imported ({HOW})"
            ),
            Problem::SwallowsRow { line, row_line, .. } => format!(
                "unbalanced quote: the quoted field opened on line {line} runs into line \
                 {row_line}, which starts a row of its own; lines {line}-{} are not imported \
                 and reading goes on at line {row_line} ({HOW})",
                row_line - 1
            ),
            Problem::AfterQuote {
                line, close_line, ..
            } if close_line > line => format!(
                "unbalanced quote: the quoted field opened on line {line} closes on line \
                 {close_line} with more text after it; lines {line}-{close_line} are not \
                 imported ({HOW})"
            ),
            Problem::AfterQuote { .. } => {
                format!("text after the closing quote of a quoted field ({HOW})")
            }
            Problem::QuoteInUnquoted { .. } => "a double quote inside a field that is not \
                 quoted; quote the whole field and write the quote twice (\"\")"
                .to_string(),
        }
    }
}

/// One record: its fields, the line it starts on, and a quoting problem if it has one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Record {
    pub fields: Vec<Field>,
    pub line: u64,
    pub problem: Option<Problem>,
}

impl Record {
    /// An empty line, or one of only whitespace and commas.
    pub fn is_blank(&self) -> bool {
        self.problem.is_none()
            && self
                .fields
                .iter()
                .all(|f| f.value.bytes().all(|b| b.is_ascii_whitespace()))
    }
}

/// What a row looks like, learnt from the header; without it no line is taken for a row.
#[derive(Debug, Clone, Default)]
pub(super) struct Shape {
    pub width: usize,
    pub id_column: Option<usize>,
    /// Per column: may a value hold a line break?
    pub multiline: Vec<bool>,
}

/// Reads records one at a time from UTF-8 text.
pub(super) struct Reader<'a> {
    text: &'a str,
    pos: usize,
    line: u64,
    shape: Option<Shape>,
}

enum Break {
    Comma,
    LineEnd(usize),
    Eof,
}

impl<'a> Reader<'a> {
    pub fn new(text: &'a str) -> Self {
        Reader {
            text,
            pos: 0,
            line: 1,
            shape: None,
        }
    }

    pub fn set_shape(&mut self, shape: Shape) {
        self.shape = Some(shape);
    }

    /// The delimiter at `at`: a comma, a line end (LF, CRLF or a lone CR, with its length),
    /// or the end of the text; `None` for any other byte.
    fn delimiter(&self, at: usize) -> Option<Break> {
        let bytes = self.text.as_bytes();
        match bytes.get(at) {
            None => Some(Break::Eof),
            Some(b',') => Some(Break::Comma),
            Some(b'\n') => Some(Break::LineEnd(1)),
            Some(b'\r') if bytes.get(at + 1) == Some(&b'\n') => Some(Break::LineEnd(2)),
            Some(b'\r') => Some(Break::LineEnd(1)),
            Some(_) => None,
        }
    }

    /// The end of an unquoted run starting at `from`: the first comma, line end or the end.
    fn unquoted_end(&self, from: usize) -> usize {
        self.text.as_bytes()[from..]
            .iter()
            .position(|b| matches!(b, b',' | b'\n' | b'\r'))
            .map_or(self.text.len(), |i| from + i)
    }

    /// The next quote or line break at or after `from`.
    fn quoted_stop(&self, from: usize) -> Option<usize> {
        self.text.as_bytes()[from..]
            .iter()
            .position(|b| matches!(b, b'"' | b'\n' | b'\r'))
            .map(|i| from + i)
    }

    /// The next record, or `None` at the end of the text.
    pub fn next_record(&mut self) -> Option<Record> {
        if self.pos >= self.text.len() {
            return None;
        }
        let bytes = self.text.as_bytes();
        let mut record = Record {
            fields: Vec::new(),
            line: self.line,
            problem: None,
        };
        loop {
            let column = record.fields.len();
            let field_line = self.line;
            let mut value = String::new();
            if bytes.get(self.pos) == Some(&b'"') {
                self.pos += 1;
                loop {
                    let Some(stop) = self.quoted_stop(self.pos) else {
                        let rest = &self.text[self.pos..];
                        value.push_str(rest);
                        self.pos = self.text.len();
                        // A final line break ends the last line; it does not start another.
                        let last_line = if rest.is_empty() && self.line > field_line {
                            self.line - 1
                        } else {
                            self.line
                        };
                        record.problem.get_or_insert(Problem::Unterminated {
                            field: column,
                            line: field_line,
                            last_line,
                        });
                        record.fields.push(Field {
                            value,
                            line: field_line,
                        });
                        return Some(record);
                    };
                    value.push_str(&self.text[self.pos..stop]);
                    if bytes[stop] == b'"' {
                        if bytes.get(stop + 1) == Some(&b'"') {
                            value.push('"');
                            self.pos = stop + 2;
                            continue;
                        }
                        self.pos = stop + 1;
                        break;
                    }
                    let len = match self.delimiter(stop) {
                        Some(Break::LineEnd(n)) => n,
                        _ => 1,
                    };
                    value.push_str(&self.text[stop..stop + len]);
                    self.pos = stop + len;
                    self.line += 1;
                    if self.pos < self.text.len() && self.looks_like_row(self.pos) {
                        record.problem.get_or_insert(Problem::SwallowsRow {
                            field: column,
                            line: field_line,
                            row_line: self.line,
                        });
                        record.fields.push(Field {
                            value,
                            line: field_line,
                        });
                        return Some(record);
                    }
                }
                if self.delimiter(self.pos).is_none() {
                    record.problem.get_or_insert(Problem::AfterQuote {
                        field: column,
                        line: field_line,
                        close_line: self.line,
                    });
                    // The rest of the field is kept as plain text: the record ends at its own
                    // line end, and the next record starts where a reader would expect it.
                    let end = self.unquoted_end(self.pos);
                    value.push_str(&self.text[self.pos..end]);
                    self.pos = end;
                }
            } else {
                let end = self.unquoted_end(self.pos);
                let raw = &self.text[self.pos..end];
                if raw.contains('"') {
                    record.problem.get_or_insert(Problem::QuoteInUnquoted {
                        field: column,
                        line: field_line,
                    });
                }
                value.push_str(raw);
                self.pos = end;
            }
            record.fields.push(Field {
                value,
                line: field_line,
            });
            match self.delimiter(self.pos) {
                Some(Break::Comma) => self.pos += 1,
                Some(Break::LineEnd(n)) => {
                    self.pos += n;
                    self.line += 1;
                    return Some(record);
                }
                Some(Break::Eof) | None => return Some(record),
            }
        }
    }

    /// Does the line starting at `start` look like a row of its own (see the module docs)?
    /// It reads that one line and nothing else.
    fn looks_like_row(&self, start: usize) -> bool {
        let Some(shape) = &self.shape else {
            return false;
        };
        let bytes = self.text.as_bytes();
        let mut pos = start;
        let mut column = 0;
        let mut id: Option<&str> = None;
        loop {
            if column >= shape.width {
                return false;
            }
            let value_start;
            let value_end;
            if bytes.get(pos) == Some(&b'"') {
                value_start = pos + 1;
                pos += 1;
                loop {
                    match self.quoted_stop(pos) {
                        Some(q) if bytes[q] == b'"' => {
                            if bytes.get(q + 1) == Some(&b'"') {
                                pos = q + 2;
                                continue;
                            }
                            value_end = q;
                            pos = q + 1;
                            break;
                        }
                        // The quoted field goes on past the line: a row if it is the last
                        // column and that column may hold line breaks.
                        _ => {
                            return column + 1 == shape.width
                                && shape.multiline.get(column).copied().unwrap_or(false)
                                && id_ok(shape, id);
                        }
                    }
                }
                if self.delimiter(pos).is_none() {
                    return false;
                }
            } else {
                value_start = pos;
                value_end = self.unquoted_end(pos);
                if self.text[value_start..value_end].contains('"') {
                    return false;
                }
                pos = value_end;
            }
            if shape.id_column == Some(column) {
                id = Some(&self.text[value_start..value_end]);
            }
            column += 1;
            match self.delimiter(pos) {
                Some(Break::Comma) => pos += 1,
                _ => return column == shape.width && id_ok(shape, id),
            }
        }
    }
}

fn id_ok(shape: &Shape, id: Option<&str>) -> bool {
    match shape.id_column {
        None => true,
        Some(_) => id.is_some_and(|v| LeadId::parse(v.trim()).is_ok()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(text: &str, shape: Option<Shape>) -> Vec<Record> {
        let mut r = Reader::new(text);
        if let Some(s) = shape {
            r.set_shape(s);
        }
        std::iter::from_fn(|| r.next_record()).collect()
    }

    fn values(r: &Record) -> Vec<&str> {
        r.fields.iter().map(|f| f.value.as_str()).collect()
    }

    fn shape3() -> Shape {
        Shape {
            width: 3,
            id_column: Some(0),
            multiline: vec![false, false, true],
        }
    }

    #[test]
    fn quoted_fields_keep_commas_doubled_quotes_and_line_breaks() {
        let rs = all("a,\"b,\"\"c\"\"\",\"x\r\ny\"\r\nd,e,f", Some(shape3()));
        assert_eq!(values(&rs[0]), ["a", "b,\"c\"", "x\r\ny"]);
        assert_eq!(rs[0].line, 1);
        assert_eq!(rs[1].line, 3);
        assert_eq!(values(&rs[1]), ["d", "e", "f"]);
        assert!(rs.iter().all(|r| r.problem.is_none()));
    }

    #[test]
    fn a_quote_that_runs_into_a_row_stops_there() {
        let text = "L1,Bob,\"open note\nL2,Ann,fine\nL3,Cy,\"ok\"\n";
        let rs = all(text, Some(shape3()));
        assert_eq!(
            rs[0].problem,
            Some(Problem::SwallowsRow {
                field: 2,
                line: 1,
                row_line: 2
            })
        );
        assert_eq!(values(&rs[1]), ["L2", "Ann", "fine"]);
        assert_eq!(values(&rs[2]), ["L3", "Cy", "ok"]);
    }

    #[test]
    fn a_line_with_the_header_width_but_no_id_is_not_a_row() {
        let rs = all("L1,Bob,\"note:\nsee, him, soon\"\n", Some(shape3()));
        assert_eq!(rs.len(), 1);
        assert_eq!(rs[0].problem, None);
        assert_eq!(values(&rs[0])[2], "note:\nsee, him, soon");
    }

    #[test]
    fn a_quote_open_at_the_end_is_unterminated_from_its_line() {
        let rs = all("L1,a,b\nL2,\"x,y\nmore\n", Some(shape3()));
        assert_eq!(
            rs[1].problem,
            Some(Problem::Unterminated {
                field: 1,
                line: 2,
                last_line: 3
            })
        );
    }

    #[test]
    fn stray_quotes_are_problems_that_end_with_their_line() {
        let rs = all("L1,O\"Brien,x\nL2,\"Ann\"e,y\nL3,c,d\n", Some(shape3()));
        assert_eq!(
            rs[0].problem,
            Some(Problem::QuoteInUnquoted { field: 1, line: 1 })
        );
        assert_eq!(
            rs[1].problem,
            Some(Problem::AfterQuote {
                field: 1,
                line: 2,
                close_line: 2
            })
        );
        assert_eq!(values(&rs[2]), ["L3", "c", "d"]);
    }
}
