//! The strict CSV reader against every seller's leads (the two public sets and the project's
//! Vantorq set): every row imports as before, with no row error, and the duplicates are the
//! labelled ones.

use sqa_core::import;
use std::path::Path;

#[test]
fn the_vantorq_leads_import_every_row_with_no_error() {
    let dir = sqa_tests::workspace_root().join("tests/fixtures/sellers/vantorq-maintenance/leads");
    every_row_imports(&dir, 50);
}

#[test]
fn both_public_sellers_leads_import_every_row_with_no_error() {
    let Some(data) = sqa_tests::shared_data() else {
        return;
    };
    every_row_imports(&data.join("leads"), 156);
    every_row_imports(&data.join("sellers/corvid-payroll/leads"), 48);
}

/// `dir/leads.csv` gives `rows` rows, no row error, and the ids and duplicates of
/// `dir/leads-expected.jsonl`, in order.
fn every_row_imports(dir: &Path, rows: u64) {
    let now = import::parse_timestamp("2026-11-21T00:00:00Z").unwrap();
    let name = dir.display();
    let bytes = std::fs::read(dir.join("leads.csv")).unwrap();
    let (leads, report) = import::parse_csv(&bytes, now).unwrap();
    assert_eq!(report.rows, rows, "{name}");
    assert!(report.errors.is_empty(), "{name}: {:?}", report.errors);
    let got: Vec<(String, Option<String>)> = leads
        .iter()
        .map(|l| {
            (
                l.id.to_string(),
                l.duplicate_of.as_ref().map(ToString::to_string),
            )
        })
        .collect();
    let want: Vec<(String, Option<String>)> =
        std::fs::read_to_string(dir.join("leads-expected.jsonl"))
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
            .map(|v| {
                (
                    v["id"].as_str().unwrap().to_string(),
                    v["duplicate_of"].as_str().map(str::to_string),
                )
            })
            .collect();
    assert_eq!(got, want, "{name}");
}
