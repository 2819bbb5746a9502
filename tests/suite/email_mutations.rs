//! Address mutations and the python email-validator driver, shared by the differential test
//! (`email.rs`) and the throughput benchmark (`benches/email_throughput.rs`), so that both feed
//! the reference and SQA exactly the same inputs.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Seeds that exercise every rule even without the shared corpus.
pub const BUILTIN_SEEDS: &[&str] = &[
    "Abc@example.tld",
    "jane.doe@gmail.com",
    "info@brightlane-logistics.example",
    "sales+emea@fernhill-retail.example",
    "user@xn--mnchen-3ya.de",
    "user@münchen.de",
    "jeff@臺網中心.tw",
    "zoë.müller@dach-industrie.example",
    "王伟@例子.中国",
    "!#$%&'*+-/=?^_`.{|}~@example.tld",
    "first.last@sub.domain.example.com",
    "SUPPORT@QuarryCommerce.example",
    "user@bücher.example",
    "δοκιμή@παράδειγμα.δοκιμή",
    "אבג@דהו.example",
    "test@123.com",
    "throwaway@mailinator.com",
    "a@b.co",
];

/// Characters that hit IDNA, normalization, safety and syntax corner cases.
pub const CHAR_POOL: &[char] = &[
    'é',
    'ü',
    'ß',
    'ς',
    'İ',
    'ı',
    '\u{212A}',
    'ﬁ',
    '①',
    '⒈',
    '｡',
    '．',
    '。',
    '\u{200B}',
    '\u{200C}',
    '\u{200D}',
    '\u{202E}',
    '\u{00A0}',
    '\u{3000}',
    '\u{0301}',
    '\u{0308}',
    'א',
    'ב',
    'ب',
    '٣',
    '۳',
    '·',
    '\u{0375}',
    '・',
    '中',
    '한',
    '😀',
    '♥',
    'а',
    'Ａ',
    '＠',
    '﹫',
    '\u{0001}',
    '\t',
    '\n',
    '\u{007F}',
    '\u{0085}',
    '\u{E000}',
    '\u{0378}',
    '\u{00AD}',
    '™',
    '\u{2024}',
    '\u{2028}',
    '\u{FEFF}',
    'ǅ',
    'Ω',
    '\u{2126}',
    '\u{037E}',
    '\u{1FEF}',
    '\u{0958}',
    'ａ',
    '－',
    '\u{FF0D}',
    'Ⅻ',
    '¹',
    '\u{05F3}',
    '\u{30FB}',
    'ǈ',
    '\u{1D400}',
    '\u{10FFFD}',
    ' ',
    '"',
    '\\',
    '(',
    ')',
    ',',
    ':',
    ';',
    '<',
    '>',
    '[',
    ']',
    '@',
    '.',
    '-',
    '_',
    '+',
    '=',
];

const DOMAINS: &[&str] = &[
    "example.com",
    "example.tld",
    "xn--mnchen-3ya.de",
    "XN--MNCHEN-3YA.DE",
    "münchen.de",
    "MÜNCHEN.DE",
    "xn--abc.com",
    "xn---bbk.com",
    "xn--.com",
    "xn--ls8h.la",
    "xn--4dbc.com",
    "1.xn--4dbc.com",
    "אב.1.com",
    "ab--cd.example",
    "a-.example",
    "-a.example",
    "a.123",
    "localhost",
    "mail.local",
    "x.onion",
    "host.test",
    "1.0.0.127.in-addr.arpa",
    "example.invalid",
    "[127.0.0.1]",
    "[IPv6:::1]",
    "gmail.com",
    "mailinator.com",
    "sub.mailinator.com",
    "yahoo.co.uk",
    "例子.中国",
    "ｅｘａｍｐｌｅ．ｃｏｍ",
    "example。com",
    "пример.рф",
    "xn--e1afmkfd.xn--p1ai",
    "l·l.example",
    "a·b.example",
    "ab.c",
    "a.b-c.example",
    "exa_mple.com",
];

/// A small deterministic generator (xorshift64*), so every run mutates the same way.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

fn split(addr: &str) -> (String, String) {
    match addr.rsplit_once('@') {
        Some((l, d)) => (l.to_string(), d.to_string()),
        None => (addr.to_string(), String::new()),
    }
}

fn insert_at(s: &str, rng: &mut Rng, piece: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let at = rng.below(chars.len() + 1);
    let mut out: String = chars[..at].iter().collect();
    out.push_str(piece);
    out.extend(&chars[at..]);
    out
}

fn replace_one(s: &str, rng: &mut Rng, with: char) -> String {
    let mut chars: Vec<char> = s.chars().collect();
    if chars.is_empty() {
        return with.to_string();
    }
    let at = rng.below(chars.len());
    chars[at] = with;
    chars.into_iter().collect()
}

fn delete_one(s: &str, rng: &mut Rng) -> String {
    let mut chars: Vec<char> = s.chars().collect();
    if !chars.is_empty() {
        let at = rng.below(chars.len());
        chars.remove(at);
    }
    chars.into_iter().collect()
}

fn pad_to(s: &str, n: usize, filler: char) -> String {
    let mut out = s.to_string();
    while out.chars().count() < n {
        out.push(filler);
    }
    out
}

/// One mutation of `seed`.
pub fn mutate(seed: &str, rng: &mut Rng) -> String {
    let (local, domain) = split(seed);
    match rng.below(30) {
        0 => format!("{}@{domain}", insert_at(&local, rng, ".")),
        1 => format!(".{local}@{domain}"),
        2 => format!("{local}.@{domain}"),
        3 => format!("{local}@{}", insert_at(&domain, rng, ".")),
        4 => format!("\"{local}\"@{domain}"),
        5 => format!("\"{local} x\"@{domain}"),
        6 => {
            let c = rng_char(rng);
            format!("{}@{domain}", insert_at(&local, rng, &c))
        }
        7 => {
            let c = rng_char(rng);
            format!("{local}@{}", insert_at(&domain, rng, &c))
        }
        8 => {
            let c = *rng.pick(CHAR_POOL);
            format!("{}@{domain}", replace_one(&local, rng, c))
        }
        9 => {
            let c = *rng.pick(CHAR_POOL);
            format!("{local}@{}", replace_one(&domain, rng, c))
        }
        10 => {
            let n = 60 + rng.below(8);
            format!("{}@{domain}", pad_to(&local, n, 'a'))
        }
        11 => {
            let n = 60 + rng.below(8);
            let label = "b".repeat(n);
            format!("{local}@{label}.{domain}")
        }
        12 => {
            // Near the 254-byte limit in total, and the 253-character domain limit.
            let target = 240 + rng.below(20);
            let mut d = domain.clone();
            while d.len() + local.len() + 1 < target {
                d = format!("{}.{d}", "c".repeat(1 + rng.below(62)));
            }
            format!("{local}@{d}")
        }
        13 => format!("{local}@{}", rng.pick(DOMAINS)),
        14 => format!(" {seed}"),
        15 => format!("{seed} "),
        16 => format!("{seed}\n"),
        17 => format!("Jane Doe <{seed}>"),
        18 => format!("<{seed}>"),
        19 => format!("mailto:{seed}"),
        20 => format!("{seed},{seed}"),
        21 => format!("{seed} {local}@{}", rng.pick(DOMAINS)),
        22 => seed.to_uppercase(),
        23 => seed.to_lowercase(),
        24 => seed.replace('@', "＠"),
        25 => format!("{local}@@{domain}"),
        26 => delete_one(seed, rng),
        27 => {
            let role = *rng.pick(&["INFO", "Sales", "postmaster", "Support+x", "noreply", "NOC"]);
            format!("{role}@{domain}")
        }
        28 => {
            let mut s = seed.to_string();
            for _ in 0..3 {
                let c = rng_char(rng);
                s = insert_at(&s, rng, &c);
            }
            s
        }
        _ => {
            let separators = ["。", "．", "｡", ".."];
            let sep = separators[rng.below(separators.len())];
            format!("{local}@{}", domain.replace('.', sep))
        }
    }
}

fn rng_char(rng: &mut Rng) -> String {
    if rng.chance(70) {
        rng.pick(CHAR_POOL).to_string()
    } else {
        // Any scalar value, including unassigned and private-use ones.
        let cp = (rng.next() % 0x11_0000) as u32;
        char::from_u32(cp).unwrap_or('\u{FFFD}').to_string()
    }
}

/// `n` addresses: the seeds as they are, then mutations (and mutations of mutations).
pub fn corpus(seeds: &[String], n: usize, seed: u64) -> Vec<String> {
    let mut rng = Rng::new(seed);
    let mut out: Vec<String> = seeds.iter().take(n).cloned().collect();
    while out.len() < n {
        let base = if out.is_empty() || rng.chance(70) {
            if seeds.is_empty() {
                BUILTIN_SEEDS[rng.below(BUILTIN_SEEDS.len())].to_string()
            } else {
                seeds[rng.below(seeds.len())].clone()
            }
        } else {
            out[rng.below(out.len())].clone()
        };
        let m = mutate(&base, &mut rng);
        // Keep inputs bounded: the differential test is about rules, not megabyte strings.
        if m.len() <= 600 {
            out.push(m);
        }
    }
    out
}

/// The seeds: the builtin ones plus every address of the shared vectors, when present.
pub fn seeds(shared_data: Option<&Path>) -> Vec<String> {
    let mut seeds: Vec<String> = BUILTIN_SEEDS.iter().map(|s| s.to_string()).collect();
    if let Some(dir) = shared_data
        && let Ok(text) = std::fs::read_to_string(dir.join("emails/addresses.jsonl"))
    {
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            if let Ok(v) = serde_json::from_str::<serde_json::Value>(line)
                && let Some(a) = v.get("address").and_then(|a| a.as_str())
            {
                seeds.push(a.to_string());
            }
        }
    }
    seeds
}

/// The reference: email-validator with the policy's options, over JSON lines on stdin.
/// Mode `check` answers one JSON object per address; mode `bench` times the loop itself.
pub const PYTHON_DRIVER: &str = r#"
import json, sys, time
from email_validator import validate_email, EmailNotValidError, __version__
mode = sys.argv[1]
addrs = [json.loads(line) for line in sys.stdin if line.strip()]
def run(a):
    return validate_email(a, check_deliverability=False, allow_smtputf8=True, strict=True)
if mode == "bench":
    for a in addrs[:1000]:
        try: run(a)
        except EmailNotValidError: pass
    valid = 0
    t = time.perf_counter()
    for a in addrs:
        try:
            run(a); valid += 1
        except EmailNotValidError:
            pass
    dt = time.perf_counter() - t
    print(json.dumps({"seconds": dt, "valid": valid, "n": len(addrs), "version": __version__}))
else:
    out = []
    for a in addrs:
        try:
            v = run(a)
            out.append({"valid": True, "normalized": v.normalized})
        except EmailNotValidError as e:
            out.append({"valid": False, "error": str(e)})
        except Exception as e:
            out.append({"valid": None, "error": "crash: " + repr(e)})
    sys.stdout.write("".join(json.dumps(o) + "\n" for o in out))
"#;

/// `.venv/bin/python` of the workspace, when it has email_validator installed.
pub fn reference_python(workspace_root: &Path) -> Option<PathBuf> {
    let python = workspace_root.join(".venv/bin/python");
    let ok = Command::new(&python)
        .args(["-c", "import email_validator"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    ok.then_some(python)
}

/// Run the driver once over `addrs`; returns its stdout lines.
pub fn run_python(python: &Path, mode: &str, addrs: &[String]) -> anyhow::Result<Vec<String>> {
    let mut child = Command::new(python)
        .args(["-c", PYTHON_DRIVER, mode])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()?;
    let mut stdin = child
        .stdin
        .take()
        .ok_or_else(|| anyhow::anyhow!("no stdin for python"))?;
    let input: String = addrs
        .iter()
        .map(|a| serde_json::to_string(a).map(|j| j + "\n"))
        .collect::<Result<_, _>>()?;
    // Write from another thread: python answers only after reading everything, but a pipe
    // buffer must never fill on both sides at once.
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let stdout = child
        .stdout
        .take()
        .ok_or_else(|| anyhow::anyhow!("no stdout for python"))?;
    let lines: Vec<String> = BufReader::new(stdout).lines().collect::<Result<_, _>>()?;
    writer
        .join()
        .map_err(|_| anyhow::anyhow!("stdin writer panicked"))??;
    let status = child.wait()?;
    anyhow::ensure!(status.success(), "python exited with {status}");
    Ok(lines)
}
