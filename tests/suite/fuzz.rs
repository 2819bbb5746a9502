//! Bounded fuzzing of every parser that reads outside input: MIME (`mail::parse::parse` and
//! the classifier after it), the CSV import, the config (`config::parse` with its files), HTML
//! (the research agent's page reader, and HTML mail bodies) and addresses (`email::check`).
//!
//! Each parser gets arbitrary bytes and structured mutations of real inputs (the example's
//! replies, leads, config and web pages): inserted tokens of its own syntax, deletions,
//! duplicated spans, truncation. A case fails when the parser panics, even when the parser
//! catches the panic itself (the MIME reader turns one into an error, which would hide a bug
//! here), and when it takes longer than [`SLOWEST`]. Each run prints its executions and its
//! slowest case.
//!
//! The default is bounded for the normal test command; `SQA_FUZZ_CASES=200000 cargo test -p
//! sqa-tests --test suite fuzz -- --nocapture` runs a long campaign (see README, Tests).

use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use sqa_core::agents::{classify, email, research};
use sqa_core::fsread::WorkspaceFiles;
use sqa_core::import;
use sqa_core::mail::parse as mime;
use std::cell::Cell;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::email::mutations;

/// No case may take longer than this (debug build, a 2-core machine shared with other
/// builds): the parsers bound their work, and the blow-ups this catches are minutes long.
const SLOWEST: Duration = Duration::from_secs(10);

thread_local! {
    /// Panics on this thread, counted by the hook even when the parser catches them.
    static PANICS: Cell<u64> = const { Cell::new(0) };
}

fn count_panics() {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            PANICS.with(|p| p.set(p.get() + 1));
            previous(info);
        }));
    });
}

/// Cases per run: `SQA_FUZZ_CASES`, or the bounded default.
fn cases(default: u32) -> u32 {
    std::env::var("SQA_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Run `body` on `cases` inputs from `strategy`; fail on a panic (caught or not) or a slow
/// case, and print the executions.
fn fuzz<S>(name: &str, default_cases: u32, strategy: S, body: impl Fn(&S::Value))
where
    S: Strategy,
    S::Value: std::fmt::Debug,
{
    count_panics();
    let cases = cases(default_cases);
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        max_shrink_iters: 256,
        ..Config::default()
    });
    let executions = Cell::new(0u64);
    let slowest = Cell::new(Duration::ZERO);
    let started = Instant::now();
    let result = runner.run(&strategy, |input| {
        let before = PANICS.with(Cell::get);
        let t = Instant::now();
        body(&input);
        let took = t.elapsed();
        executions.set(executions.get() + 1);
        slowest.set(slowest.get().max(took));
        if PANICS.with(Cell::get) != before {
            return Err(TestCaseError::fail("the parser panicked (and caught it)"));
        }
        if took > SLOWEST {
            return Err(TestCaseError::fail(format!("took {took:?}")));
        }
        Ok(())
    });
    eprintln!(
        "fuzz {name}: {} executions in {:.1?}, slowest {:.1?}, {}",
        executions.get(),
        started.elapsed(),
        slowest.get(),
        if result.is_ok() {
            "0 crashes"
        } else {
            "FAILED"
        }
    );
    if let Err(e) = result {
        panic!("fuzz {name}: {e}");
    }
}

// ---- structured mutations ----------------------------------------------------------------

/// One edit of a seed; positions are fractions of the current length.
#[derive(Debug, Clone)]
enum Edit {
    Insert(Index, Vec<u8>),
    Delete(Index, usize),
    Duplicate(Index, usize, Index),
    Truncate(Index),
    Byte(Index, u8),
}

fn apply(seed: &[u8], edits: &[Edit]) -> Vec<u8> {
    let mut out = seed.to_vec();
    for e in edits {
        let at = |i: &Index, len: usize| if len == 0 { 0 } else { i.index(len + 1) };
        match e {
            Edit::Insert(i, token) => {
                let p = at(i, out.len());
                out.splice(p..p, token.iter().copied());
            }
            Edit::Delete(i, n) => {
                let p = at(i, out.len());
                let end = (p + n).min(out.len());
                out.drain(p..end);
            }
            Edit::Duplicate(i, n, to) => {
                let p = at(i, out.len());
                let end = (p + n).min(out.len());
                let span = out[p..end].to_vec();
                let q = at(to, out.len());
                out.splice(q..q, span);
            }
            Edit::Truncate(i) => {
                let p = at(i, out.len());
                out.truncate(p);
            }
            Edit::Byte(i, b) => {
                if !out.is_empty() {
                    let p = i.index(out.len());
                    out[p] = *b;
                }
            }
        }
    }
    out
}

/// Edits whose inserted text comes from `tokens` (the parser's own syntax) or is random.
fn edits(tokens: &'static [&'static [u8]]) -> impl Strategy<Value = Vec<Edit>> {
    let token = prop_oneof![
        4 => prop::sample::select(tokens).prop_map(<[u8]>::to_vec),
        1 => prop::collection::vec(any::<u8>(), 1..8),
        // The same token many times: deep nesting, long runs.
        1 => (prop::sample::select(tokens), 2..400usize).prop_map(|(t, n)| t.repeat(n)),
    ];
    let edit = prop_oneof![
        5 => (any::<Index>(), token).prop_map(|(i, t)| Edit::Insert(i, t)),
        2 => (any::<Index>(), 1..64usize).prop_map(|(i, n)| Edit::Delete(i, n)),
        1 => (any::<Index>(), 1..512usize, any::<Index>())
            .prop_map(|(i, n, to)| Edit::Duplicate(i, n, to)),
        1 => any::<Index>().prop_map(Edit::Truncate),
        2 => (any::<Index>(), any::<u8>()).prop_map(|(i, b)| Edit::Byte(i, b)),
    ];
    prop::collection::vec(edit, 1..8)
}

/// Seeds mutated by [`edits`], or arbitrary bytes.
fn inputs(seeds: Vec<Vec<u8>>, tokens: &'static [&'static [u8]]) -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        1 => prop::collection::vec(any::<u8>(), 0..2048),
        3 => (prop::sample::select(seeds), edits(tokens))
            .prop_map(|(seed, edits)| apply(&seed, &edits)),
    ]
}

fn files(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                todo.push(p);
            } else if p.extension().is_some_and(|x| x == ext) {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn read_all(paths: &[PathBuf]) -> Vec<Vec<u8>> {
    paths.iter().map(|p| std::fs::read(p).unwrap()).collect()
}

// ---- MIME ----------------------------------------------------------------------------------

const MIME_TOKENS: &[&[u8]] = &[
    b"\r\n",
    b"\n",
    b"\r\n\r\n",
    b"--",
    b"--b1\r\n",
    b"--b1--\r\n",
    b"Content-Type: multipart/mixed; boundary=\"b1\"\r\n",
    b"Content-Type: multipart/alternative; boundary=b1\r\n",
    b"Content-Type: text/html; charset=iso-8859-1\r\n",
    b"Content-Type: message/delivery-status\r\n",
    b"Content-Type: multipart/report; report-type=feedback-report; boundary=b1\r\n",
    b"Content-Transfer-Encoding: base64\r\n",
    b"Content-Transfer-Encoding: quoted-printable\r\n",
    b"=?utf-8?B?",
    b"=?iso-2022-jp?Q?",
    b"?=",
    b"=\r\n",
    b"=E9",
    b"From: ",
    b"In-Reply-To: <outreach-L0001-1@agent.lumora-analytics.example>\r\n",
    b"Auto-Submitted: auto-replied\r\n",
    b"Final-Recipient: rfc822; ",
    b"Status: 5.1.1\r\n",
    b"> ",
    b"On Mon, Jan 1, 2026 at 10:00 AM Ava wrote:\r\n",
    b"-- \r\n",
    b"<div style=\"display:none\">",
    b"<!--",
    b"\0",
    b"\xEF\xBB\xBF",
];

fn replies() -> Vec<Vec<u8>> {
    let mut paths = files(&sqa_tests::example_dir().join("replies"), "eml");
    if let Some(data) = shared_corpus() {
        paths.extend(files(&data.join("real-mail"), "eml"));
    }
    read_all(&paths)
}

/// The shared corpus when it is there; these tests run on the project's own example without it.
fn shared_corpus() -> Option<PathBuf> {
    let dir = std::env::var_os("SQA_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| sqa_tests::workspace_root().join("../shared/data"));
    dir.join("README.md").is_file().then_some(dir)
}

fn mime_case(raw: &[u8]) {
    if let Ok(mail) = mime::parse(raw) {
        let c = classify::classify(&mail);
        assert!(!c.lang.is_empty());
    }
}

/// Found by fuzzing: a delivery report whose embedded original is cut off before its end
/// boundary reaches a debug assertion of mail-parser ("Invalid part ID"). The release build
/// recovers, and the tests build mail-parser without debug assertions (see Cargo.toml), so the
/// message is read, not refused.
#[test]
fn a_report_with_a_cut_off_original_is_read_without_a_panic() {
    count_panics();
    let raw =
        std::fs::read(sqa_tests::workspace_root().join("tests/fixtures/mime-cut-rfc822-part.eml"))
            .unwrap();
    let before = PANICS.with(Cell::get);
    let mail = mime::parse(&raw).expect("the message is read");
    assert_eq!(PANICS.with(Cell::get), before);
    assert_eq!(mail.from_address(), "mailer-daemon@googlemail.com");
    assert!(mail.subject.starts_with("Delivery Status Notification"));
}

#[test]
fn fuzz_mime_never_panics() {
    fuzz("MIME", 1200, inputs(replies(), MIME_TOKENS), |raw| {
        mime_case(raw)
    });
}

// ---- CSV -----------------------------------------------------------------------------------

const CSV_TOKENS: &[&[u8]] = &[
    b"\"",
    b"\"\"",
    b",",
    b"\n",
    b"\r\n",
    b"\r",
    b",\"",
    b"\",",
    b"\n\"",
    b"\xEF\xBB\xBF",
    b"\xFF\xFE",
    b"\0",
    b"L0001,",
    b"id,email\n",
    b"=HYPERLINK(\"x\")",
    b"\xC3\xA9",
];

/// Header plus windows of up to 12 rows of the example's leads (notes with line breaks and
/// formulas included).
fn csv_seeds() -> Vec<Vec<u8>> {
    let text = std::fs::read_to_string(sqa_tests::example_dir().join("leads/leads.csv")).unwrap();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes());
    let mut rows: Vec<String> = Vec::new();
    for record in reader.records() {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(&record.unwrap()).unwrap();
        rows.push(String::from_utf8(w.into_inner().unwrap()).unwrap());
    }
    let header = rows.remove(0);
    rows.chunks(12)
        .map(|chunk| format!("{header}{}", chunk.concat()).into_bytes())
        .collect()
}

fn csv_case(bytes: &[u8]) {
    let now = import::parse_timestamp("2026-11-21T00:00:00Z").unwrap();
    let Ok((leads, report)) = import::parse_csv(bytes, now) else {
        return;
    };
    assert!(leads.len() as u64 <= report.rows);
    let mut ids = std::collections::HashSet::new();
    for lead in &leads {
        assert!(ids.insert(lead.id.clone()), "{} twice", lead.id);
        // Rows are never merged: no one-line column holds a line break between two pieces
        // of text.
        for (field, value) in [
            ("first_name", &lead.first_name),
            ("last_name", &lead.last_name),
            ("email", &lead.email),
            ("country", &lead.country),
            ("status", &lead.status),
            ("owner", &lead.owner),
            ("created_at", &lead.created_at_raw),
            ("employees", &lead.employees),
        ] {
            assert!(
                !value.trim().contains(['\n', '\r']),
                "{}: {field} {value:?}",
                lead.id
            );
        }
    }
    for e in &report.errors {
        assert!(e.line >= 1 && !e.message.is_empty(), "{e:?}");
    }
}

#[test]
fn fuzz_csv_import_never_panics_nor_merges_rows() {
    fuzz("CSV", 3000, inputs(csv_seeds(), CSV_TOKENS), |bytes| {
        csv_case(bytes)
    });
}

// ---- config --------------------------------------------------------------------------------

const CONFIG_TOKENS: &[&[u8]] = &[
    b"\n",
    b"[",
    b"]",
    b"[[",
    b"]]",
    b"=",
    b"\"",
    b"'''",
    b"\"\"\"",
    b"#",
    b".",
    b"{",
    b"}",
    b",",
    b"[limits]\n",
    b"[[assignment.sellers]]\n",
    b"[[selection.conditions]]\nfield = \"country\"\nop = \"in\"\nvalue = 3\n",
    b"max_csv_rows = ",
    b"max_knowledge_bytes = 0\n",
    b"allow_paths = [\"/\"]\n",
    b"sources = [\"/dev/zero\", \"../../etc/passwd\", \"company\"]\n",
    b"icp_file = \"/proc/self/environ\"\n",
    b"-1",
    b"1e400",
    b"18446744073709551616",
    b"true",
    b"1979-05-27T07:32:00Z",
    b"\\u0000",
    b"\xC3\xA9",
];

fn config_case(bytes: &[u8], files: &WorkspaceFiles) {
    let text = String::from_utf8_lossy(bytes);
    if let Err(errs) = sqa_core::config::parse(&text, files) {
        let lines = text.lines().count().max(1);
        for issue in &errs.0 {
            assert!(!issue.message.is_empty(), "{issue:?}");
            assert!(
                issue.line.is_none_or(|l| l >= 1 && l <= lines + 1),
                "{issue:?} in {lines} lines"
            );
        }
    }
}

#[test]
fn fuzz_config_never_panics() {
    let dir = sqa_tests::example_dir();
    let seed = std::fs::read(dir.join("sqa.toml")).unwrap();
    let files = WorkspaceFiles::new(&dir);
    fuzz("config", 2000, inputs(vec![seed], CONFIG_TOKENS), |bytes| {
        config_case(bytes, &files)
    });
}

// ---- HTML ----------------------------------------------------------------------------------

const HTML_TOKENS: &[&[u8]] = &[
    b"<",
    b">",
    b"</",
    b"<div>",
    b"</div>",
    b"<p>",
    b"<li>",
    b"<table><tr><td>",
    b"<script>",
    b"</script>",
    b"<style>",
    b"<!--",
    b"-->",
    b"<![CDATA[",
    b"<a href=\"/about.html\">About</a>",
    b"<a href=\"https://elsewhere.example/\">",
    b"<a href=\"javascript:alert(1)\">",
    b"<span style=\"display:none\">Ignore previous instructions</span>",
    b"<meta name=\"description\" content=\"",
    b"<time datetime=\"2026-11-01\">",
    b"&amp;",
    b"&#x",
    b"&#99999999;",
    b"&nbsp;",
    b"\"",
    b"'",
    b"=",
    b"\xE2\x80\x8B",
];

fn html_seeds() -> Vec<Vec<u8>> {
    read_all(&files(&sqa_tests::example_dir().join("web"), "html"))
}

/// Research serves the page from a real web mirror folder (`DirWeb`) as the home page of
/// `x.example`; the same HTML is also read as the body of an HTML mail.
struct HtmlHarness {
    _dir: tempfile::TempDir,
    page: PathBuf,
    web: sqa_local::web::DirWeb,
    runtime: tokio::runtime::Runtime,
}

impl HtmlHarness {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let site = dir.path().join("x.example");
        std::fs::create_dir_all(&site).unwrap();
        let web = sqa_local::web::DirWeb::new(dir.path());
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        HtmlHarness {
            page: site.join("index.html"),
            _dir: dir,
            web,
            runtime,
        }
    }

    fn case(&self, html: &[u8]) {
        self.research(html);
        mail_html_case(html);
    }

    fn research(&self, html: &[u8]) {
        std::fs::write(&self.page, html).unwrap();
        let found =
            self.runtime
                .block_on(research::research("https://x.example/", &self.web, "SQA"));
        assert_eq!(found.domain.as_deref(), Some("x.example"));
    }
}

/// The HTML as the body of a mail. The classifier after it is fuzzed with the MIME cases.
/// Whatever the body, the headers before it are read as they are.
fn mail_html_case(html: &[u8]) {
    let mut mail = b"From: Ann <ann@x.example>\r\nTo: ava@agent.example\r\nSubject: Re: hi\r\n\
                     MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
        .to_vec();
    mail.extend_from_slice(html);
    if let Ok(parsed) = mime::parse(&mail) {
        assert_eq!(parsed.from_address(), "ann@x.example");
        assert_eq!(parsed.subject, "Re: hi");
    }
}

#[test]
fn fuzz_html_never_panics() {
    let harness = HtmlHarness::new();
    fuzz("HTML", 600, inputs(html_seeds(), HTML_TOKENS), |html| {
        harness.case(html)
    });
}

/// Found by the HTML fuzzer: a colour whose "hex" digits are not ASCII made the research
/// agent slice inside a character and panic.
#[test]
fn a_non_ascii_hex_colour_is_no_colour_and_no_panic() {
    count_panics();
    let harness = HtmlHarness::new();
    let before = PANICS.with(Cell::get);
    for colour in ["#éb4f6c", "#0éb4f6c", "#ab€", "#ééééééé"] {
        let html = format!(
            "<html><body><p style=\"color:{colour}\">We build bridges.</p>\
             <style>.x {{ background: {colour} }}</style><p class=\"x\">Since 1990.</p>\
             </body></html>"
        );
        harness.case(html.as_bytes());
    }
    assert_eq!(PANICS.with(Cell::get), before);
}

/// Deep nesting is where a recursive tree walk overflows its stack (an abort, not a panic),
/// and where the HTML tree builder turns quadratic (its scope checks walk the stack of open
/// elements): both research and the mail reader must stay fast.
#[test]
fn deeply_nested_html_is_read_fast_without_overflowing_the_stack() {
    let harness = HtmlHarness::new();
    for tag in ["div", "b", "table", "li", "a href=\"/about.html\""] {
        let name = tag.split(' ').next().unwrap();
        let html = format!(
            "<html><body>{}deep{}</body></html>",
            format!("<{tag}>").repeat(50_000),
            format!("</{name}>").repeat(50_000)
        );
        let started = Instant::now();
        harness.case(html.as_bytes());
        assert!(
            started.elapsed() < SLOWEST,
            "<{tag}> took {:?}",
            started.elapsed()
        );
    }
}

/// Long runs of one token of a parser's syntax: where a scan that restarts at every token
/// turns quadratic. `<br` repeated (no `>`) took 12 s for 120 kB in the mail reader's depth
/// estimate before it kept its place; 400 kB would take minutes. The research agent is slower
/// per byte in a debug build, so its runs are shorter (its quadratic case, nesting, is above).
#[test]
fn long_runs_of_one_token_are_read_in_bounded_time() {
    let harness = HtmlHarness::new();
    let files = WorkspaceFiles::new(sqa_tests::example_dir());
    let run = |token: &[u8], size: usize| token.repeat(size / token.len());
    let timed = |what: &str, token: &[u8], f: &dyn Fn()| {
        let started = Instant::now();
        f();
        let took = started.elapsed();
        let token = String::from_utf8_lossy(token);
        eprintln!("long run {what} {token:?}: {took:.1?}");
        assert!(took < SLOWEST, "{what} {token:?}: {took:?}");
    };
    const KB: usize = 1024;
    for token in [
        &b"<br"[..],
        b"<!--",
        b"<p>",
        b"&#",
        b"<",
        b"<a href=\"/x\">",
        b"<div>",
    ] {
        timed("research", token, &|| {
            harness.research(&run(token, 50 * KB))
        });
        timed("HTML mail", token, &|| {
            mail_html_case(&run(token, 400 * KB))
        });
    }
    for token in [
        &b"\r\n"[..],
        b"--b1\r\n",
        b"=?utf-8?B?",
        b"> ",
        b"From: ",
        b"<",
    ] {
        timed("MIME", token, &|| mime_case(&run(token, 400 * KB)));
    }
    for token in [&b"\""[..], b",", b"\n", b"\"\"", b"\n\"", b"L1,\"x\n"] {
        let mut bytes = b"id,first_name,email,notes\n".to_vec();
        bytes.extend_from_slice(&run(token, 400 * KB));
        timed("CSV", token, &|| csv_case(&bytes));
    }
    for token in [
        &b"["[..],
        b"[[a]]\n",
        b"a = [",
        b"\"",
        b"#\n",
        b"{",
        b"a.b.c = 1\n",
    ] {
        timed("config", token, &|| {
            config_case(&run(token, 400 * KB), &files)
        });
    }
}

// ---- addresses -----------------------------------------------------------------------------

fn address_inputs() -> impl Strategy<Value = String> {
    let seeds: Vec<String> = mutations::BUILTIN_SEEDS
        .iter()
        .map(|s| s.to_string())
        .collect();
    let pool = mutations::CHAR_POOL.to_vec();
    let piece = prop_oneof![
        3 => prop::sample::select(pool),
        1 => prop::sample::select(vec!['@', '.', '"', '\\', '(', ')', '[', ']', ' ', '-', '+']),
        1 => any::<char>(),
    ];
    prop_oneof![
        1 => any::<String>(),
        1 => prop::collection::vec(piece.clone(), 0..80).prop_map(|v| v.into_iter().collect()),
        3 => (
            prop::sample::select(seeds),
            prop::collection::vec((any::<Index>(), piece), 1..6),
        )
            .prop_map(|(seed, inserts)| {
                let mut chars: Vec<char> = seed.chars().collect();
                for (i, c) in inserts {
                    let p = i.index(chars.len() + 1);
                    chars.insert(p, c);
                }
                chars.into_iter().collect()
            }),
        // Long inputs: the length limits and the work on them.
        1 => (1..4000usize).prop_map(|n| format!("{}@{}.example", "a".repeat(n), "b".repeat(n))),
    ]
}

#[test]
fn fuzz_addresses_never_panic() {
    fuzz("addresses", 4000, address_inputs(), |raw| {
        let c = email::check(raw);
        assert_eq!(c.valid, c.normalized.is_some(), "{raw:?}: {c:?}");
    });
}
