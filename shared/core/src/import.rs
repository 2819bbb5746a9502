//! Lead import from CSV (RFC 4180) and export back to a spreadsheet-safe CSV.
//!
//! Nothing good is lost: a bad row is reported with its line number and field, and the good
//! rows are imported. Notes are untrusted: they are stored as text, never evaluated, and
//! escaped on export so a spreadsheet does not run `=HYPERLINK(…)` and friends.

use crate::domain::{Lead, LeadId};
use crate::ports::{Deps, StoreError};
use chrono::{DateTime, Utc};
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
    #[error("line 1: the header is missing the column(s) {0}")]
    MissingColumns(String),
    #[error("line 1: the header could not be read: {0}")]
    BadHeader(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Parse a CSV file into leads. Row problems go into the report; the rows that are fine are
/// returned.
pub fn parse_csv(
    bytes: &[u8],
    now: DateTime<Utc>,
) -> Result<(Vec<Lead>, ImportReport), ImportError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(ImportError::Empty);
    }
    let mut report = ImportReport::default();
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(true)
        .from_reader(bytes);
    let headers = reader
        .byte_headers()
        .map_err(|e| ImportError::BadHeader(e.to_string()))?
        .clone();
    let names: Vec<String> = headers
        .iter()
        .map(|h| String::from_utf8_lossy(h).trim().to_lowercase())
        .collect();
    let mut index: HashMap<&str, usize> = HashMap::new();
    for (i, n) in names.iter().enumerate() {
        if COLUMNS.contains(&n.as_str()) {
            if index.insert(n.as_str(), i).is_some() {
                report.warnings.push(format!(
                    "line 1: column {n:?} appears twice; the first is used"
                ));
                index.insert(n.as_str(), i.min(index[n.as_str()]));
            }
        } else {
            report.warnings.push(format!(
                "line 1: unknown column {n:?} (column {}) is ignored",
                i + 1
            ));
        }
    }
    let missing: Vec<&str> = ["id", "email"]
        .into_iter()
        .filter(|c| !index.contains_key(c))
        .collect();
    if !missing.is_empty() {
        return Err(ImportError::MissingColumns(missing.join(", ")));
    }

    let mut leads = Vec::new();
    let mut seen_ids: HashMap<String, u64> = HashMap::new();
    let mut seen_addresses: HashMap<String, String> = HashMap::new();
    let mut record = csv::ByteRecord::new();
    loop {
        let line = reader.position().line();
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                report.rows += 1;
                let line = e.position().map(|p| p.line()).unwrap_or(line);
                report.errors.push(RowError {
                    line,
                    id: None,
                    field: None,
                    message: format!("not valid CSV: {e}"),
                });
                continue;
            }
        }
        let line = record.position().map(|p| p.line()).unwrap_or(line);
        if record.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
            continue;
        }
        report.rows += 1;
        match row_to_lead(&record, &index, names.len(), line, now) {
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

fn row_to_lead(
    record: &csv::ByteRecord,
    index: &HashMap<&str, usize>,
    width: usize,
    line: u64,
    now: DateTime<Utc>,
) -> Result<(Lead, Vec<String>), RowError> {
    let mut notes = Vec::new();
    let err = |id: Option<&str>, field: &str, message: String| RowError {
        line,
        id: id.map(str::to_string),
        field: Some(field.to_string()),
        message,
    };
    let mut values: HashMap<&str, String> = HashMap::new();
    for &col in COLUMNS {
        let Some(&i) = index.get(col) else { continue };
        let Some(raw) = record.get(i) else { continue };
        let text = match std::str::from_utf8(raw) {
            Ok(s) => s.to_string(),
            Err(e) => {
                return Err(err(
                    None,
                    col,
                    format!(
                        "not UTF-8 (invalid byte at offset {}); save the file as UTF-8",
                        e.valid_up_to()
                    ),
                ));
            }
        };
        values.insert(col, text);
    }
    let id_raw = values
        .get("id")
        .map(|s| s.trim().to_string())
        .unwrap_or_default();
    if record.len() != width {
        return Err(RowError {
            line,
            id: (!id_raw.is_empty()).then(|| id_raw.clone()),
            field: None,
            message: format!("has {} fields; the header has {width}", record.len()),
        });
    }
    let id = LeadId::parse(&id_raw).map_err(|m| err(None, "id", m))?;
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
    let (leads, mut report) = parse_csv(bytes, now)?;
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

/// Export leads as CSV with the import columns plus stage, fit and tier, every cell
/// spreadsheet-safe.
pub fn export_csv(leads: &[Lead]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<&str> = COLUMNS.to_vec();
    header.extend(["stage", "fit_score", "tier"]);
    let _ = w.write_record(&header);
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
        let _ = w.write_record(row.iter().map(|c| spreadsheet_safe(c)));
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
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
        assert!(matches!(
            parse_csv(b"first_name,last_name\nA,B\n", now()),
            Err(ImportError::MissingColumns(c)) if c == "id, email"
        ));
        assert!(matches!(parse_csv(b"", now()), Err(ImportError::Empty)));
    }

    #[test]
    fn non_utf8_bytes_name_the_row_and_field() {
        let mut bytes = b"id,email,title\nL1,a@x.example,ok\nL2,b@x.example,Caf".to_vec();
        bytes.push(0xE9);
        bytes.extend_from_slice(b"\n");
        let (leads, report) = parse_csv(&bytes, now()).unwrap();
        assert_eq!(leads.len(), 1);
        assert_eq!(report.errors[0].line, 3);
        assert_eq!(report.errors[0].field.as_deref(), Some("title"));
    }

    #[test]
    fn formulas_are_stored_as_text_and_escaped_on_export() {
        let csv = format!("{HEADER}L1,A,B,a@x.example,,,,,,,,,,,,=HYPERLINK(\"http://evil\")\n");
        let (leads, _) = parse_csv(csv.as_bytes(), now()).unwrap();
        assert_eq!(leads[0].notes, "=HYPERLINK(\"http://evil\")");
        let out = export_csv(&leads);
        assert!(out.contains("'=HYPERLINK"), "{out}");
        assert_eq!(spreadsheet_safe("-2+3"), "'-2+3");
        assert_eq!(spreadsheet_safe("-12.5"), "-12.5");
        assert_eq!(spreadsheet_safe("@SUM(A1)"), "'@SUM(A1)");
    }
}
