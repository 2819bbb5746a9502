//! Lead import from CSV (RFC 4180) and export back to a spreadsheet-safe CSV.
//!
//! Nothing good is lost, and nothing is merged: a bad row is reported with its line number
//! and field, and the good rows are imported. The reader ([`rfc4180`]) is strict: an
//! unbalanced quote is an error at the line where its field starts, and reading resumes at
//! the next line that is a row of its own, so one bad quote never glues rows together. A
//! line break in a column that holds one line (`email`, names, `id`, …) refuses the row; a row
//! with more or fewer fields than the header is refused.
//!
//! The file must be UTF-8. A UTF-8 byte order mark is skipped (spreadsheets write one when
//! they save "CSV UTF-8"); UTF-16, UTF-32 and Latin-1/windows-1252 files are refused as a
//! whole with the encoding named and the command that converts them, because their other rows
//! would be imported with garbled names.
//!
//! Notes are untrusted: they are stored as text, never evaluated, and escaped on export so a
//! spreadsheet does not run `=HYPERLINK(…)` and friends.

mod rfc4180;

use crate::config::Limits;
use crate::domain::{Lead, LeadId};
use crate::ports::{Deps, StoreError};
use chrono::{DateTime, Utc};
use rfc4180::{Field, Reader, Record, Shape};
use serde::Serialize;
use std::collections::HashMap;

/// The columns of the leads CSV, in the order of the corpus.
pub const COLUMNS: &[&str] = crate::domain::LEAD_FIELDS;

/// The largest field we keep; longer text is cut (and reported) so one row cannot bloat the
/// store.
const MAX_FIELD: usize = 64 * 1024;

/// A problem with one row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    /// 1-based line of the file where the record starts.
    pub line: u64,
    pub id: Option<String>,
    pub field: Option<String>,
    pub message: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}", self.line)?;
        if let Some(id) = &self.id {
            write!(f, " ({id})")?;
        }
        if let Some(field) = &self.field {
            write!(f, ", field {field}")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// A row whose address another row already has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Duplicate {
    pub line: u64,
    pub id: String,
    pub duplicate_of: String,
    pub address: String,
}

/// What an import did (or, with `dry_run`, would do).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    pub rows: u64,
    pub imported: Vec<String>,
    /// Ids already in the store (the row was not imported again).
    pub already_present: Vec<String>,
    pub errors: Vec<RowError>,
    pub duplicates: Vec<Duplicate>,
    pub warnings: Vec<String>,
    pub dry_run: bool,
}

/// Problems that stop the whole import (nothing could be read).
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("the file is empty")]
    Empty,
    #[error(
        "the file is {size} bytes, over the limit of {} set by {}",
        crate::fsread::human_bytes(*limit),
        Limits::MAX_CSV_BYTES
    )]
    TooLarge { size: u64, limit: u64 },
    #[error(
        "the file is {name}, not UTF-8: save it as UTF-8 (a spreadsheet's \"CSV UTF-8\"), or \
         convert it with `iconv -f {iconv} -t UTF-8 leads.csv > leads-utf8.csv`"
    )]
    Encoding {
        name: &'static str,
        iconv: &'static str,
    },
    #[error(
        "line {line}: byte 0x{byte:02X} is not UTF-8; the file is probably Latin-1 or \
         windows-1252 (where that byte is {latin:?}): save it as UTF-8 (a spreadsheet's \
         \"CSV UTF-8\"), or convert it with \
         `iconv -f WINDOWS-1252 -t UTF-8 leads.csv > leads-utf8.csv`"
    )]
    NotUtf8 { line: u64, byte: u8, latin: char },
    #[error("line {line}: a NUL byte; this is not a text file")]
    Binary { line: u64 },
    #[error("line {line}: the header is missing the column(s) {columns}")]
    MissingColumns { line: u64, columns: String },
    #[error(
        "line {line}: the header has the column {name:?} twice (columns {first} and \
         {second}); remove one"
    )]
    DuplicateColumn {
        line: u64,
        name: String,
        first: usize,
        second: usize,
    },
    #[error("line {line}: the header could not be read: {message}")]
    BadHeader { line: u64, message: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Columns whose value is one line. A line break between two pieces of text in them is almost
/// always a quote gone wrong (the field swallowed the next row's start), so the row is refused
/// rather than imported with another lead's data in it. A line break only before or after the
/// text joins nothing and is kept with a warning (exports leave a trailing newline in quoted
/// addresses; the address check calls them invalid). Notes, titles and the other free-text
/// columns may hold line breaks.
const ONE_LINE: &[&str] = &[
    "id",
    "first_name",
    "last_name",
    "email",
    "employees",
    "country",
    "status",
    "owner",
    "created_at",
];

/// The text of a CSV file, or why it is not UTF-8 text. A UTF-8 byte order mark (spreadsheets
/// write one when they save "CSV UTF-8") is skipped; UTF-16 and UTF-32 files, with or without
/// a byte order mark, and files in a single-byte encoding are refused with the encoding named.
fn decode(bytes: &[u8]) -> Result<&str, ImportError> {
    const BOMS: [(&[u8], &str, &str); 4] = [
        (b"\xFF\xFE\x00\x00", "UTF-32 LE", "UTF-32LE"),
        (b"\x00\x00\xFE\xFF", "UTF-32 BE", "UTF-32BE"),
        (b"\xFF\xFE", "UTF-16 LE", "UTF-16LE"),
        (b"\xFE\xFF", "UTF-16 BE", "UTF-16BE"),
    ];
    for (bom, name, iconv) in BOMS {
        if bytes.starts_with(bom) {
            return Err(ImportError::Encoding { name, iconv });
        }
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let line_at =
        |offset: usize| bytes[..offset].iter().filter(|&&b| b == b'\n').count() as u64 + 1;
    if let Some(nul) = bytes.iter().position(|&b| b == 0) {
        // Text in UTF-16 without a byte order mark: every other byte of ASCII is NUL.
        let sample = &bytes[..bytes.len().min(4096)];
        let at_even = sample.iter().step_by(2).filter(|&&b| b == 0).count();
        let at_odd = sample
            .iter()
            .skip(1)
            .step_by(2)
            .filter(|&&b| b == 0)
            .count();
        let pairs = sample.len() / 2;
        if at_odd * 2 > pairs && at_even * 8 < at_odd {
            return Err(ImportError::Encoding {
                name: "UTF-16 LE (without a byte order mark)",
                iconv: "UTF-16LE",
            });
        }
        if at_even * 2 > pairs && at_odd * 8 < at_even {
            return Err(ImportError::Encoding {
                name: "UTF-16 BE (without a byte order mark)",
                iconv: "UTF-16BE",
            });
        }
        return Err(ImportError::Binary { line: line_at(nul) });
    }
    std::str::from_utf8(bytes).map_err(|e| {
        let offset = e.valid_up_to();
        let byte = bytes[offset];
        let one = [byte];
        let (latin, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(&one);
        ImportError::NotUtf8 {
            line: line_at(offset),
            byte,
            latin: latin.chars().next().unwrap_or(char::REPLACEMENT_CHARACTER),
        }
    })
}

/// Parse a CSV file into leads with the default limits. Row problems go into the report; the
/// rows that are fine are returned.
pub fn parse_csv(
    bytes: &[u8],
    now: DateTime<Utc>,
) -> Result<(Vec<Lead>, ImportReport), ImportError> {
    parse_csv_with(bytes, now, &Limits::default())
}

/// Parse a CSV file into leads within `limits` (`max_csv_bytes`, `max_csv_rows`).
pub fn parse_csv_with(
    bytes: &[u8],
    now: DateTime<Utc>,
    limits: &Limits,
) -> Result<(Vec<Lead>, ImportReport), ImportError> {
    if bytes.len() as u64 > limits.max_csv_bytes {
        return Err(ImportError::TooLarge {
            size: bytes.len() as u64,
            limit: limits.max_csv_bytes,
        });
    }
    let text = decode(bytes)?;
    if text.bytes().all(|b| b.is_ascii_whitespace()) {
        return Err(ImportError::Empty);
    }
    let mut report = ImportReport::default();
    let mut reader = Reader::new(text);
    let header = loop {
        match reader.next_record() {
            None => return Err(ImportError::Empty),
            Some(r) if r.is_blank() => continue,
            Some(r) => break r,
        }
    };
    let header_line = header.line;
    if let Some(p) = header.problem {
        return Err(ImportError::BadHeader {
            line: p.line(),
            message: format!("column {}: {}", p.field() + 1, p.message()),
        });
    }
    let names: Vec<String> = header
        .fields
        .iter()
        .map(|h| h.value.trim().to_lowercase())
        .collect();
    let mut index: HashMap<&str, usize> = HashMap::new();
    for (i, n) in names.iter().enumerate() {
        if n.contains(['\n', '\r']) {
            return Err(ImportError::BadHeader {
                line: header_line,
                message: format!("column {} holds a line break", i + 1),
            });
        }
        if COLUMNS.contains(&n.as_str()) {
            if let Some(first) = index.insert(n.as_str(), i) {
                return Err(ImportError::DuplicateColumn {
                    line: header_line,
                    name: n.clone(),
                    first: first + 1,
                    second: i + 1,
                });
            }
        } else {
            report.warnings.push(format!(
                "line {header_line}: unknown column {n:?} (column {}) is ignored",
                i + 1
            ));
        }
    }
    let missing: Vec<&str> = ["id", "email"]
        .into_iter()
        .filter(|c| !index.contains_key(c))
        .collect();
    if !missing.is_empty() {
        return Err(ImportError::MissingColumns {
            line: header_line,
            columns: missing.join(", "),
        });
    }
    let width = names.len();
    reader.set_shape(Shape {
        width,
        id_column: index.get("id").copied(),
        multiline: (0..width).map(|i| may_span_lines(&names, i)).collect(),
    });
    let column_name = |i: usize| {
        names
            .get(i)
            .filter(|n| !n.is_empty())
            .cloned()
            .unwrap_or_else(|| format!("column {}", i + 1))
    };
    let id_of = |record: &Record| {
        index
            .get("id")
            .and_then(|&i| record.fields.get(i))
            .map(|f| f.value.trim())
            .filter(|v| LeadId::parse(v).is_ok())
            .map(str::to_string)
    };

    let mut leads = Vec::new();
    let mut seen_ids: HashMap<String, u64> = HashMap::new();
    let mut seen_addresses: HashMap<String, String> = HashMap::new();
    while let Some(record) = reader.next_record() {
        if record.is_blank() {
            continue;
        }
        let line = record.line;
        if report.rows >= limits.max_csv_rows {
            report.errors.push(RowError {
                line,
                id: None,
                field: None,
                message: format!(
                    "the file has more than {} rows (the limit set by {}); this row and the \
                     ones after it are not imported",
                    limits.max_csv_rows,
                    Limits::MAX_CSV_ROWS
                ),
            });
            break;
        }
        report.rows += 1;
        if let Some(p) = record.problem {
            report.errors.push(RowError {
                line: p.line(),
                // The id is named only when it was read before the field that went wrong.
                id: id_of(&record).filter(|_| index.get("id").is_some_and(|&i| i < p.field())),
                field: Some(column_name(p.field())),
                message: p.message(),
            });
            continue;
        }
        if record.fields.len() != width {
            report.errors.push(RowError {
                line,
                id: id_of(&record),
                field: None,
                message: format!("has {} fields; the header has {width}", record.fields.len()),
            });
            continue;
        }
        let one_line = |i: usize| !may_span_lines(&names, i);
        if let Some((i, _)) = record
            .fields
            .iter()
            .enumerate()
            .find(|(i, f)| one_line(*i) && f.value.trim().contains(['\n', '\r']))
        {
            report.errors.push(RowError {
                line,
                id: id_of(&record).filter(|_| names[i] != "id"),
                field: Some(column_name(i)),
                message: format!(
                    "holds a line break; only free-text columns (notes, title, company, …) \
                     may, so a quote is probably missing or misplaced (columns that must be \
                     one line: {})",
                    ONE_LINE.join(", ")
                ),
            });
            continue;
        }
        // A line break before or after the text (`"a@x.example\n"`) joins nothing: the
        // value is kept as written, and the agent that reads the column judges it (such an
        // address is invalid).
        for (i, _) in record
            .fields
            .iter()
            .enumerate()
            .filter(|(i, f)| one_line(*i) && f.value.contains(['\n', '\r']))
        {
            report.warnings.push(format!(
                "line {line}{}: field {} has a line break before or after its text; it is kept \
                 as written",
                id_of(&record)
                    .map(|id| format!(" ({id})"))
                    .unwrap_or_default(),
                column_name(i)
            ));
        }
        match row_to_lead(&record.fields, &index, line, now) {
            Err(e) => report.errors.push(e),
            Ok((mut lead, notes)) => {
                for n in notes {
                    report.warnings.push(n);
                }
                if let Some(first) = seen_ids.get(lead.id.as_str()) {
                    report.errors.push(RowError {
                        line,
                        id: Some(lead.id.to_string()),
                        field: Some("id".into()),
                        message: format!("id already used on line {first}; row skipped"),
                    });
                    continue;
                }
                seen_ids.insert(lead.id.to_string(), line);
                if let Some(valid_key) = lead
                    .validation
                    .take()
                    .filter(|v| v.valid)
                    .and_then(|v| v.normalized)
                    .map(|n| n.to_lowercase())
                {
                    if let Some(first) = seen_addresses.get(&valid_key) {
                        report.duplicates.push(Duplicate {
                            line,
                            id: lead.id.to_string(),
                            duplicate_of: first.clone(),
                            address: valid_key.clone(),
                        });
                        lead.duplicate_of = LeadId::parse(first).ok();
                    } else {
                        seen_addresses.insert(valid_key, lead.id.to_string());
                    }
                }
                leads.push(lead);
            }
        }
    }
    Ok((leads, report))
}

/// May column `i` (by header name) hold a line break?
fn may_span_lines(names: &[String], i: usize) -> bool {
    names.get(i).is_none_or(|n| !ONE_LINE.contains(&n.as_str()))
}

fn row_to_lead(
    fields: &[Field],
    index: &HashMap<&str, usize>,
    line: u64,
    now: DateTime<Utc>,
) -> Result<(Lead, Vec<String>), RowError> {
    let mut notes = Vec::new();
    let mut values: HashMap<&str, String> = HashMap::new();
    for &col in COLUMNS {
        if let Some(f) = index.get(col).and_then(|&i| fields.get(i)) {
            values.insert(col, f.value.clone());
        }
    }
    let id_raw = values
        .get("id")
        .map(|s| s.trim().to_string())
        .unwrap_or_default();
    let id = LeadId::parse(&id_raw).map_err(|message| RowError {
        line,
        id: None,
        field: Some("id".into()),
        message,
    })?;
    let mut lead = Lead::new(id.clone(), now);
    let mut take = |col: &str| -> String {
        let mut v = values.remove(col).unwrap_or_default();
        if v.len() > MAX_FIELD {
            let mut cut = MAX_FIELD;
            while !v.is_char_boundary(cut) {
                cut -= 1;
            }
            v.truncate(cut);
            notes.push(format!(
                "line {line} ({id}): field {col} is longer than {MAX_FIELD} bytes and was cut"
            ));
        }
        v
    };
    lead.first_name = take("first_name");
    lead.last_name = take("last_name");
    lead.email = take("email");
    lead.title = take("title");
    lead.company = take("company");
    lead.website = take("website");
    lead.industry = take("industry");
    lead.employees = take("employees");
    lead.country = take("country");
    lead.tech_stack = take("tech_stack");
    lead.source = take("source");
    lead.status = take("status");
    lead.owner = take("owner");
    lead.created_at_raw = take("created_at");
    lead.notes = take("notes");
    let created = lead.created_at_raw.trim();
    if !created.is_empty() {
        match parse_timestamp(created) {
            Some(t) => lead.created_at = Some(t),
            None => notes.push(format!(
                "line {line} ({id}): created_at {created:?} is not an ISO 8601 UTC time; the lead \
                 is imported but never selected by date"
            )),
        }
    }
    let check = crate::agents::email::check(&lead.email);
    lead.email_key = crate::domain::EmailKey::from_check(&lead.email, &check);
    // Kept only to find duplicates; the validate stage records the real verdict.
    lead.validation = Some(check);
    Ok((lead, notes))
}

/// Parse `…Z`, `….mmmZ` or `…+00:00` timestamps (any offset, converted to UTC).
pub fn parse_timestamp(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s.trim())
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// Import a CSV file into the lead store. Leads already present (same id) are reported, not
/// overwritten.
pub async fn import_csv(
    deps: &Deps,
    bytes: &[u8],
    dry_run: bool,
) -> Result<ImportReport, ImportError> {
    let now = deps.ports.clock.now();
    let (leads, mut report) = parse_csv_with(bytes, now, &deps.config.limits)?;
    report.dry_run = dry_run;
    for lead in leads {
        if dry_run {
            if deps.ports.leads.get(&lead.id).await?.is_some() {
                report.already_present.push(lead.id.to_string());
            } else {
                report.imported.push(lead.id.to_string());
            }
            continue;
        }
        match deps.ports.leads.insert(&lead).await {
            Ok(()) => report.imported.push(lead.id.to_string()),
            Err(StoreError::Conflict(_)) => report.already_present.push(lead.id.to_string()),
            Err(e) => return Err(e.into()),
        }
    }
    Ok(report)
}

/// Make a cell safe for a spreadsheet: text that a spreadsheet would read as a formula gets a
/// leading apostrophe (OWASP CSV injection guidance).
pub fn spreadsheet_safe(cell: &str) -> String {
    let first = cell.trim_start().chars().next();
    if matches!(first, Some('=' | '+' | '-' | '@' | '\t' | '\r' | '|' | '%'))
        && !looks_like_plain_number(cell)
    {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

fn looks_like_plain_number(s: &str) -> bool {
    let t = s.trim();
    let t = t.strip_prefix(['-', '+']).unwrap_or(t);
    !t.is_empty() && t.chars().all(|c| c.is_ascii_digit() || c == '.') && t.parse::<f64>().is_ok()
}

/// Why an export could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("cannot write the CSV: {0}")]
    Csv(#[from] csv::Error),
    #[error("cannot finish the CSV: {0}")]
    Flush(#[from] std::io::Error),
    #[error("the CSV is not UTF-8: {0}")]
    Utf8(#[from] std::string::FromUtf8Error),
}

/// Export leads as CSV with the import columns plus stage, fit and tier, every cell
/// spreadsheet-safe.
pub fn export_csv(leads: &[Lead]) -> Result<String, ExportError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<&str> = COLUMNS.to_vec();
    header.extend(["stage", "fit_score", "tier"]);
    w.write_record(&header)?;
    for l in leads {
        let fit = l.fit.as_ref();
        let row = [
            l.id.to_string(),
            l.first_name.clone(),
            l.last_name.clone(),
            l.email.clone(),
            l.title.clone(),
            l.company.clone(),
            l.website.clone(),
            l.industry.clone(),
            l.employees.clone(),
            l.country.clone(),
            l.tech_stack.clone(),
            l.source.clone(),
            l.status.clone(),
            l.owner.clone(),
            l.created_at_raw.clone(),
            l.notes.clone(),
            l.stage.to_string(),
            fit.map(|f| f.score.to_string()).unwrap_or_default(),
            fit.map(|f| f.tier.as_str().to_string()).unwrap_or_default(),
        ];
        w.write_record(row.iter().map(|c| spreadsheet_safe(c)))?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| ExportError::Flush(e.into_error()))?;
    Ok(String::from_utf8(bytes)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        parse_timestamp("2026-11-21T00:00:00Z").unwrap()
    }

    const HEADER: &str = "id,first_name,last_name,email,title,company,website,industry,employees,country,tech_stack,source,status,owner,created_at,notes\n";

    #[test]
    fn good_rows_are_imported_and_bad_rows_reported_with_their_line() {
        let csv = format!(
            "{HEADER}L0001,A,B,a@x.example,CTO,X,x.example,Software,300,US,dbt,webinar,open,m,2026-11-10T00:00:00Z,\n\
             L0002,only,three\n\
             bad id!,A,B,b@x.example,,,,,,,,,,,,\n\
             L0003,C,D,\"c@x.example\",,,,,,,,,,,2026-11-11T00:00:00.123Z,\"multi\nline = note\"\n"
        );
        let (leads, report) = parse_csv(csv.as_bytes(), now()).unwrap();
        assert_eq!(
            leads.iter().map(|l| l.id.as_str()).collect::<Vec<_>>(),
            ["L0001", "L0003"]
        );
        assert_eq!(report.errors.len(), 2, "{:?}", report.errors);
        assert_eq!(report.errors[0].line, 3);
        assert_eq!(report.errors[1].line, 4);
        assert_eq!(report.errors[1].field.as_deref(), Some("id"));
        assert_eq!(leads[1].notes, "multi\nline = note");
    }

    #[test]
    fn unknown_columns_are_a_warning_and_missing_required_ones_an_error() {
        let (_, report) = parse_csv(b"id,email,shoe_size\nL1,a@x.example,42\n", now()).unwrap();
        assert!(report.warnings[0].contains("shoe_size"));
        let err = parse_csv(b"first_name,last_name\nA,B\n", now()).unwrap_err();
        assert!(
            matches!(&err, ImportError::MissingColumns { line: 1, columns } if columns == "id, email"),
            "{err}"
        );
        assert_eq!(
            err.to_string(),
            "line 1: the header is missing the column(s) id, email"
        );
        assert!(matches!(parse_csv(b"", now()), Err(ImportError::Empty)));
        assert!(matches!(
            parse_csv(b"\r\n \n", now()),
            Err(ImportError::Empty)
        ));
    }

    #[test]
    fn a_duplicate_column_is_an_error_naming_both_columns() {
        let err = parse_csv(b"id,email,Email\nL1,a@x.example,b@x.example\n", now()).unwrap_err();
        assert!(
            matches!(&err, ImportError::DuplicateColumn { line: 1, name, first: 2, second: 3 } if name == "email"),
            "{err}"
        );
        assert!(
            err.to_string()
                .contains("\"email\" twice (columns 2 and 3)"),
            "{err}"
        );
    }

    #[test]
    fn a_bad_quote_in_the_header_names_the_header_line() {
        let err = parse_csv(b"id,\"email\nL1,a@x.example\n", now()).unwrap_err();
        assert!(
            matches!(err, ImportError::BadHeader { line: 1, .. }),
            "{err}"
        );
        assert!(err.to_string().contains("unbalanced quote"), "{err}");
    }

    #[test]
    fn latin1_files_are_refused_with_the_encoding_and_line_named() {
        let mut bytes = b"id,email,title\nL1,a@x.example,ok\nL2,b@x.example,Caf".to_vec();
        bytes.push(0xE9);
        bytes.extend_from_slice(b"\n");
        let err = parse_csv(&bytes, now()).unwrap_err();
        assert!(
            matches!(
                err,
                ImportError::NotUtf8 {
                    line: 3,
                    byte: 0xE9,
                    latin: 'é'
                }
            ),
            "{err}"
        );
        let msg = err.to_string();
        assert!(msg.contains("windows-1252"), "{msg}");
        assert!(msg.contains("iconv -f WINDOWS-1252 -t UTF-8"), "{msg}");
    }

    #[test]
    fn utf16_files_are_refused_with_or_without_a_byte_order_mark() {
        let text = "id,email\nL1,a@x.example\n";
        let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        let with_bom = |bom: &[u8], body: &[u8]| [bom, body].concat();
        for (bytes, name) in [
            (with_bom(b"\xFF\xFE", &le), "UTF-16 LE"),
            (with_bom(b"\xFE\xFF", &be), "UTF-16 BE"),
            (le.clone(), "UTF-16 LE (without a byte order mark)"),
            (be.clone(), "UTF-16 BE (without a byte order mark)"),
        ] {
            let err = parse_csv(&bytes, now()).unwrap_err();
            assert!(
                matches!(err, ImportError::Encoding { name: n, .. } if n == name),
                "{name}: {err}"
            );
            assert!(err.to_string().contains("iconv -f UTF-16"), "{err}");
        }
        let err = parse_csv(b"id,email\nL1,a\0@x.example\n", now()).unwrap_err();
        assert!(matches!(err, ImportError::Binary { line: 2 }), "{err}");
    }

    #[test]
    fn a_utf8_byte_order_mark_is_skipped() {
        let (leads, report) =
            parse_csv(b"\xEF\xBB\xBFid,email\r\nL1,a@x.example\r\n", now()).unwrap();
        assert_eq!(leads.len(), 1);
        assert!(
            report.errors.is_empty() && report.warnings.is_empty(),
            "{report:?}"
        );
    }

    /// The case behind the rule: one unbalanced quote used to make three rows one, and the
    /// next lead's greeting held the other leads' data.
    #[test]
    fn an_unbalanced_quote_never_merges_rows_and_the_good_rows_are_imported() {
        let csv = format!(
            "{HEADER}L0001,Ann,Lee,ann@x.example,CTO,X,x.example,Software,300,US,dbt,webinar,open,m,2026-11-10T00:00:00Z,fine\n\
             L0002,\"Bob,Lee,bob@x.example,CTO,X,x.example,Software,300,US,dbt,webinar,open,m,2026-11-10T00:00:00Z,\n\
             L0003,Ann,Lee,ann3@x.example,CTO,X,x.example,Software,300,US,dbt,webinar,open,m,2026-11-10T00:00:00Z,\"two\nlines\"\n\
             L0004,Cy,Lee,cy@x.example,CTO,X,x.example,Software,300,US,dbt,webinar,open,m,2026-11-10T00:00:00Z,\n"
        );
        let (leads, report) = parse_csv(csv.as_bytes(), now()).unwrap();
        assert_eq!(
            leads.iter().map(|l| l.id.as_str()).collect::<Vec<_>>(),
            ["L0001", "L0003", "L0004"]
        );
        assert_eq!(leads[1].first_name, "Ann");
        assert_eq!(leads[1].notes, "two\nlines");
        assert_eq!(report.errors.len(), 1, "{:?}", report.errors);
        let e = &report.errors[0];
        assert_eq!((e.line, e.field.as_deref()), (3, Some("first_name")));
        assert_eq!(e.id.as_deref(), Some("L0002"));
        assert!(
            e.to_string().starts_with(
                "line 3 (L0002), field first_name: unbalanced quote: the quoted field opened on \
                 line 3 runs into line 4, which starts a row of its own"
            ),
            "{e}"
        );
        assert!(leads.iter().all(|l| !l.first_name.contains(',')));
    }

    #[test]
    fn an_unbalanced_quote_that_runs_to_the_end_names_its_line() {
        let csv = "id,email,notes\nL1,a@x.example,ok\nL2,b@x.example,\"never closed\nstill going\n";
        let (leads, report) = parse_csv(csv.as_bytes(), now()).unwrap();
        assert_eq!(leads.len(), 1);
        let e = &report.errors[0];
        assert_eq!((e.line, e.field.as_deref()), (3, Some("notes")));
        assert!(
            e.message
                .contains("never closes; lines 3-4 are not imported"),
            "{e}"
        );
    }

    #[test]
    fn a_line_break_in_a_one_line_column_refuses_the_row() {
        let csv = "id,first_name,email,notes\n\
                   L1,\"Ann\nMarie\",a@x.example,\"a\nnote\"\n\
                   L2,Bo,\"b@x\n.example\",x\n\
                   L3,Cy,c@x.example,\"ok\r\nok\"\n";
        let (leads, report) = parse_csv(csv.as_bytes(), now()).unwrap();
        assert_eq!(
            leads.iter().map(|l| l.id.as_str()).collect::<Vec<_>>(),
            ["L3"]
        );
        let got: Vec<(u64, Option<&str>)> = report
            .errors
            .iter()
            .map(|e| (e.line, e.field.as_deref()))
            .collect();
        assert_eq!(got, [(2, Some("first_name")), (5, Some("email"))]);
        assert!(report.errors[0].message.contains("holds a line break"));
    }

    /// A line break only after the text joins nothing (a trailing newline an export left in a
    /// quoted address): the row is imported as written, and the address check judges it.
    #[test]
    fn a_line_break_around_the_text_is_kept_with_a_warning() {
        let csv = "id,email\nL1,\"a@x.example\n\"\nL2,b@x.example\n";
        let (leads, report) = parse_csv(csv.as_bytes(), now()).unwrap();
        assert_eq!(leads.len(), 2);
        assert_eq!(leads[0].email, "a@x.example\n");
        assert!(report.errors.is_empty(), "{:?}", report.errors);
        assert_eq!(
            report.warnings,
            [
                "line 2 (L1): field email has a line break before or after its text; it is kept \
              as written"
            ]
        );
        assert!(!crate::agents::email::check(&leads[0].email).valid);
    }

    #[test]
    fn a_row_with_another_field_count_is_an_error_naming_the_line() {
        let csv = "id,email,notes\nL1,a@x.example\nL2,b@x.example,x,extra\nL3,c@x.example,\n";
        let (leads, report) = parse_csv(csv.as_bytes(), now()).unwrap();
        assert_eq!(leads.len(), 1);
        let got: Vec<String> = report.errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            got,
            [
                "line 2 (L1): has 2 fields; the header has 3",
                "line 3 (L2): has 4 fields; the header has 3"
            ]
        );
    }

    #[test]
    fn stray_quotes_are_row_errors_and_the_next_row_is_read() {
        let csv = "id,last_name,email\nL1,O\"Brien,a@x.example\nL2,\"Lee\"x,b@x.example\nL3,Ng,c@x.example\n";
        let (leads, report) = parse_csv(csv.as_bytes(), now()).unwrap();
        assert_eq!(
            leads.iter().map(|l| l.id.as_str()).collect::<Vec<_>>(),
            ["L3"]
        );
        let got: Vec<(u64, Option<&str>)> = report
            .errors
            .iter()
            .map(|e| (e.line, e.field.as_deref()))
            .collect();
        assert_eq!(got, [(2, Some("last_name")), (3, Some("last_name"))]);
    }

    #[test]
    fn rows_past_the_row_limit_are_reported_not_imported() {
        let limits = Limits {
            max_csv_rows: 2,
            ..Limits::default()
        };
        let csv = "id,email\nL1,a@x.example\n\nL2,b@x.example\nL3,c@x.example\nL4,d@x.example\n";
        let (leads, report) = parse_csv_with(csv.as_bytes(), now(), &limits).unwrap();
        assert_eq!(leads.len(), 2);
        assert_eq!(report.errors.len(), 1);
        assert_eq!(report.errors[0].line, 5);
        assert!(report.errors[0].message.contains("limits.max_csv_rows"));
        let small = Limits {
            max_csv_bytes: 10,
            ..Limits::default()
        };
        let err = parse_csv_with(csv.as_bytes(), now(), &small).unwrap_err();
        assert!(err.to_string().contains("limits.max_csv_bytes"), "{err}");
    }

    #[test]
    fn formulas_are_stored_as_text_and_escaped_on_export() {
        let csv =
            format!("{HEADER}L1,A,B,a@x.example,,,,,,,,,,,,\"=HYPERLINK(\"\"http://evil\"\")\"\n");
        let (leads, _) = parse_csv(csv.as_bytes(), now()).unwrap();
        assert_eq!(leads[0].notes, "=HYPERLINK(\"http://evil\")");
        let out = export_csv(&leads).unwrap();
        assert!(out.contains("'=HYPERLINK"), "{out}");
        assert_eq!(spreadsheet_safe("-2+3"), "'-2+3");
        assert_eq!(spreadsheet_safe("-12.5"), "-12.5");
        assert_eq!(spreadsheet_safe("@SUM(A1)"), "'@SUM(A1)");
    }
}
