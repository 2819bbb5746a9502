//! Bounded reads of local files, and the rule for which files a config may name.
//!
//! Every file the workspace reads goes through [`read_limited`]: the metadata is checked
//! before a byte is read (a regular file, no larger than the limit), and the read itself stops
//! one byte past the limit, because metadata can lie: `/proc` files report 0 bytes, a FIFO or
//! `/dev/zero` never ends, and a file can grow while it is read. Every error names the file,
//! the limit and the config key that sets it.
//!
//! Files a config names (knowledge sources, `icp_file`) must also be inside the workspace, the
//! config file's folder: [`resolve_inside`] resolves symlinks and `..` before it compares, and
//! only paths the config lists in `limits.allow_paths` may lead elsewhere.

use crate::config::{ConfigFiles, NamedFile};
use std::io::Read;
use std::path::{Path, PathBuf};

/// Why a file was not read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("{}: no such file", path.display())]
    NotFound { path: PathBuf },
    #[error("{}: {kind}, not a regular file; only regular files are read", path.display())]
    NotRegular { path: PathBuf, kind: &'static str },
    #[error(
        "{}: {size} bytes, over the limit of {} set by {key}",
        path.display(),
        human_bytes(*limit)
    )]
    TooLarge {
        path: PathBuf,
        size: u64,
        limit: u64,
        key: String,
    },
    /// The metadata said the file was small enough, the read found more: a `/proc` file, a
    /// device, or a file that grew while it was read.
    #[error(
        "{}: more than {} while it was read (its size said {reported} bytes); the limit is set by {key}",
        path.display(),
        human_bytes(*limit)
    )]
    Grew {
        path: PathBuf,
        reported: u64,
        limit: u64,
        key: String,
    },
    /// A stream (standard input) went past the limit.
    #[error("{name}: more than {}; the limit is set by {key}", human_bytes(*limit))]
    StreamTooLarge {
        name: String,
        limit: u64,
        key: String,
    },
    #[error("{}", outside(path, resolved, base))]
    Outside {
        path: PathBuf,
        resolved: PathBuf,
        base: PathBuf,
    },
    #[error("{}: not UTF-8 (invalid byte at offset {offset}); save it as UTF-8", path.display())]
    NotUtf8 { path: PathBuf, offset: usize },
    #[error("{}: cannot read: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

fn outside(path: &Path, resolved: &Path, base: &Path) -> String {
    let what = if path == resolved {
        format!("{} is", path.display())
    } else {
        format!(
            "{} resolves to {}, which is",
            path.display(),
            resolved.display()
        )
    };
    format!(
        "{what} outside the workspace {}; list it in limits.allow_paths to read it anyway",
        base.display()
    )
}

/// A size for people: `25 MiB`, `1.5 KiB`, `800 bytes`.
pub fn human_bytes(n: u64) -> String {
    const UNITS: [(&str, u64); 3] = [("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)];
    for (unit, size) in UNITS {
        if n >= size {
            return if n.is_multiple_of(size) {
                format!("{} {unit}", n / size)
            } else {
                format!("{:.1} {unit} ({n} bytes)", n as f64 / size as f64)
            };
        }
    }
    format!("{n} bytes")
}

fn io_error(path: &Path, source: std::io::Error) -> ReadError {
    if source.kind() == std::io::ErrorKind::NotFound {
        ReadError::NotFound {
            path: path.to_path_buf(),
        }
    } else {
        ReadError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// What a file that is not a regular file is, for the error message.
fn kind_of(file_type: std::fs::FileType) -> Option<&'static str> {
    if file_type.is_file() {
        return None;
    }
    if file_type.is_dir() {
        return Some("a folder");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return Some("a FIFO (named pipe)");
        }
        if file_type.is_char_device() {
            return Some("a character device");
        }
        if file_type.is_block_device() {
            return Some("a block device");
        }
        if file_type.is_socket() {
            return Some("a socket");
        }
    }
    Some("a special file")
}

fn regular(path: &Path, meta: &std::fs::Metadata) -> Result<(), ReadError> {
    match kind_of(meta.file_type()) {
        None => Ok(()),
        Some(kind) => Err(ReadError::NotRegular {
            path: path.to_path_buf(),
            kind,
        }),
    }
}

/// Read a regular file of at most `limit` bytes; `key` is the config key that sets the limit
/// (named in the error).
///
/// The type and size are checked on the path before it is opened (opening a FIFO would
/// block), again on the open handle (the path may have been swapped in between), and the read
/// stops at `limit + 1` bytes whatever the metadata said.
pub fn read_limited(path: &Path, limit: u64, key: &str) -> Result<Vec<u8>, ReadError> {
    let meta = std::fs::metadata(path).map_err(|e| io_error(path, e))?;
    regular(path, &meta)?;
    let too_large = |size| ReadError::TooLarge {
        path: path.to_path_buf(),
        size,
        limit,
        key: key.to_string(),
    };
    if meta.len() > limit {
        return Err(too_large(meta.len()));
    }
    let file = std::fs::File::open(path).map_err(|e| io_error(path, e))?;
    let open_meta = file.metadata().map_err(|e| io_error(path, e))?;
    regular(path, &open_meta)?;
    if open_meta.len() > limit {
        return Err(too_large(open_meta.len()));
    }
    // The capacity follows the reported size, never the limit: a limit is not an allocation.
    let mut bytes = Vec::with_capacity(usize::try_from(open_meta.len()).unwrap_or(0));
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| io_error(path, e))?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::Grew {
            path: path.to_path_buf(),
            reported: open_meta.len(),
            limit,
            key: key.to_string(),
        });
    }
    Ok(bytes)
}

/// [`read_limited`], as UTF-8 text.
pub fn read_limited_text(path: &Path, limit: u64, key: &str) -> Result<String, ReadError> {
    let bytes = read_limited(path, limit, key)?;
    String::from_utf8(bytes).map_err(|e| ReadError::NotUtf8 {
        path: path.to_path_buf(),
        offset: e.utf8_error().valid_up_to(),
    })
}

/// Read at most `limit` bytes from a stream that has no metadata (standard input); `name`
/// stands for the file in errors.
pub fn read_stream_limited(
    reader: impl Read,
    name: &str,
    limit: u64,
    key: &str,
) -> Result<Vec<u8>, ReadError> {
    let path = PathBuf::from(name);
    let mut bytes = Vec::new();
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| io_error(&path, e))?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::StreamTooLarge {
            name: name.to_string(),
            limit,
            key: key.to_string(),
        });
    }
    Ok(bytes)
}

/// `name` (relative to `base`, or absolute) resolved with symlinks and `..` followed, when it
/// lies inside `base` or inside (or at) one of `allow` (relative to `base`, or absolute).
pub fn resolve_inside(base: &Path, name: &str, allow: &[String]) -> Result<PathBuf, ReadError> {
    // A config in the current folder has an empty parent.
    let base = if base.as_os_str().is_empty() {
        Path::new(".")
    } else {
        base
    };
    let path = base.join(name);
    let resolved = path.canonicalize().map_err(|e| io_error(&path, e))?;
    let real_base = base.canonicalize().map_err(|e| io_error(base, e))?;
    if resolved.starts_with(&real_base) {
        return Ok(resolved);
    }
    for allowed in allow {
        // An allowed path that does not exist allows nothing; it is not an error here.
        if let Ok(real) = base.join(allowed).canonicalize()
            && resolved.starts_with(&real)
        {
            return Ok(resolved);
        }
    }
    Err(ReadError::Outside {
        path,
        resolved,
        base: real_base,
    })
}

/// The files a workspace's config names, read from the config file's folder: regular files
/// inside it (or allowed by `limits.allow_paths`), each within its size limit.
#[derive(Debug, Clone)]
pub struct WorkspaceFiles {
    base: PathBuf,
}

impl WorkspaceFiles {
    /// `base` is the folder of the config file.
    pub fn new(base: impl Into<PathBuf>) -> Self {
        WorkspaceFiles { base: base.into() }
    }
}

impl ConfigFiles for WorkspaceFiles {
    fn read(&self, file: &NamedFile<'_>) -> Result<String, String> {
        let path = resolve_inside(&self.base, file.name, file.allow).map_err(|e| e.to_string())?;
        read_limited_text(&path, file.max_bytes, file.limit_key).map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_small_regular_file_is_read_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.txt");
        std::fs::write(&path, b"hello").unwrap();
        assert_eq!(read_limited(&path, 5, "limits.x").unwrap(), b"hello");
    }

    #[test]
    fn a_file_over_the_limit_is_refused_before_it_is_read_with_the_key_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.txt");
        std::fs::write(&path, vec![b'x'; 2048]).unwrap();
        let err = read_limited(&path, 1024, "limits.max_csv_bytes").unwrap_err();
        assert!(
            matches!(err, ReadError::TooLarge { size: 2048, .. }),
            "{err}"
        );
        let msg = err.to_string();
        assert!(msg.contains("big.txt"), "{msg}");
        assert!(msg.contains("1 KiB"), "{msg}");
        assert!(msg.contains("limits.max_csv_bytes"), "{msg}");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn dev_zero_and_proc_files_are_bounded() {
        let err = read_limited(Path::new("/dev/zero"), 1024, "limits.k").unwrap_err();
        assert!(
            matches!(err, ReadError::NotRegular { kind, .. } if kind == "a character device"),
            "{err}"
        );
        // /proc files report a size of 0 and hold more: the read stops past the limit.
        let err = read_limited(Path::new("/proc/self/maps"), 16, "limits.k").unwrap_err();
        assert!(matches!(err, ReadError::Grew { reported: 0, .. }), "{err}");
    }

    #[test]
    fn a_stream_is_cut_one_byte_past_the_limit() {
        let endless = std::io::repeat(b'z');
        let err = read_stream_limited(endless, "-", 100, "limits.k").unwrap_err();
        assert!(
            matches!(err, ReadError::StreamTooLarge { limit: 100, .. }),
            "{err}"
        );
        assert_eq!(
            read_stream_limited(&b"abc"[..], "-", 3, "limits.k").unwrap(),
            b"abc"
        );
    }

    #[test]
    fn sizes_read_like_people_write_them() {
        assert_eq!(human_bytes(25 * 1024 * 1024), "25 MiB");
        assert_eq!(human_bytes(1536), "1.5 KiB (1536 bytes)");
        assert_eq!(human_bytes(800), "800 bytes");
    }

    const BASE: &str = r#"
icp_file = "company/icp.json"

[company]
name = "Acme"

[agent]
name = "Ada"
email = "ada@agent.acme.example"
signature = "Ada"
ai_disclosure = "I am an AI agent."
postal_address = "1 Main St, Springfield"
unsubscribe_url = "https://acme.example/u/{token}"
"#;

    const HOSTILE: &[&str] = &[
        "company/faq.md",
        "/dev/zero",
        "/etc/shadow",
        "/proc/self/environ",
        "company/pipe",
        "company/link.md",
        "../outside/secret.md",
    ];

    /// A config naming `sources` as knowledge, with `limits` as the `[limits]` table's body.
    fn config(sources: &[&str], limits: &str) -> String {
        let list: Vec<String> = sources.iter().map(|s| format!("    {s:?},")).collect();
        format!(
            "{BASE}\n[limits]\n{limits}\n\n[knowledge]\nsources = [\n{}\n]\n",
            list.join("\n")
        )
    }

    const ICP: &str = r#"{"industries": ["software"], "employee_range": [200, 5000],
        "countries": ["US"], "titles_include": ["data"], "seniority_min": "manager",
        "tech_stack_any": ["dbt"], "weights": {"industry": 25, "size": 20, "geo": 15,
        "title": 25, "tech": 15}, "tiers": {"A": 80, "B": 60, "C": 40}}"#;

    #[cfg(unix)]
    /// `root/ws` holds the config, `root/outside/secret.md` is beside it, and the workspace has
    /// a FIFO and a symlink to the outside file.
    fn workspace() -> tempfile::TempDir {
        let root = tempfile::tempdir().unwrap();
        let ws = root.path().join("ws");
        std::fs::create_dir_all(ws.join("company")).unwrap();
        std::fs::create_dir_all(root.path().join("outside")).unwrap();
        std::fs::write(root.path().join("outside/secret.md"), "secret").unwrap();
        std::fs::write(ws.join("company/faq.md"), "# FAQ").unwrap();
        std::fs::write(ws.join("company/icp.json"), ICP).unwrap();
        let made = std::process::Command::new("mkfifo")
            .arg(ws.join("company/pipe"))
            .status()
            .unwrap();
        assert!(made.success());
        std::os::unix::fs::symlink(
            root.path().join("outside/secret.md"),
            ws.join("company/link.md"),
        )
        .unwrap();
        root
    }

    #[cfg(unix)]
    fn issues(text: &str, ws: &Path) -> Vec<crate::config::ConfigIssue> {
        crate::config::parse(text, &WorkspaceFiles::new(ws))
            .unwrap_err()
            .0
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn knowledge_outside_the_workspace_or_not_a_regular_file_is_refused_by_key() {
        let root = workspace();
        let ws = root.path().join("ws");
        let text = config(HOSTILE, "");
        let errs = issues(&text, &ws);
        let by_key = |k: &str| {
            errs.iter()
                .find(|e| e.path == k)
                .unwrap_or_else(|| panic!("no error for {k}: {errs:?}"))
                .to_string()
        };
        assert!(
            errs.iter().all(|e| e.path != "knowledge.sources[0]"),
            "{errs:?}"
        );
        for (i, name) in [
            (1, "/dev/zero"),
            (2, "/etc/shadow"),
            (3, "/proc/self/environ"),
        ] {
            let msg = by_key(&format!("knowledge.sources[{i}]"));
            assert!(msg.contains("outside the workspace"), "{msg}");
            assert!(msg.contains(name), "{msg}");
            assert!(msg.contains("limits.allow_paths"), "{msg}");
        }
        let fifo = by_key("knowledge.sources[4]");
        assert!(
            fifo.contains("a FIFO (named pipe), not a regular file"),
            "{fifo}"
        );
        let link = by_key("knowledge.sources[5]");
        assert!(
            link.contains("outside/secret.md, which is outside the workspace"),
            "{link}"
        );
        let dots = by_key("knowledge.sources[6]");
        assert!(dots.contains("outside the workspace"), "{dots}");
        let line = text.lines().position(|l| l.starts_with("sources")).unwrap() + 1;
        assert!(errs.iter().all(|e| e.line == Some(line)), "{errs:?}");
        assert_eq!(errs.len(), 6, "{errs:?}");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn allow_paths_opens_a_named_path_but_never_a_device() {
        let root = workspace();
        let ws = root.path().join("ws");
        let text = config(HOSTILE, "allow_paths = [\"../outside\", \"/dev/zero\"]");
        let errs = issues(&text, &ws);
        let keys: Vec<&str> = errs.iter().map(|e| e.path.as_str()).collect();
        // The outside folder is allowed (directly and through the symlink); /dev/zero is
        // allowed but still not a regular file.
        assert_eq!(
            keys,
            [
                "knowledge.sources[1]",
                "knowledge.sources[2]",
                "knowledge.sources[3]",
                "knowledge.sources[4]"
            ],
            "{errs:?}"
        );
        assert!(errs[0].message.contains("a character device"), "{errs:?}");
    }

    #[cfg(unix)]
    #[test]
    fn a_knowledge_file_over_its_limit_names_the_limit_key() {
        let root = workspace();
        let ws = root.path().join("ws");
        std::fs::write(ws.join("company/faq.md"), vec![b'x'; 4096]).unwrap();
        let text = config(&["company/faq.md"], "max_knowledge_bytes = 2048");
        let errs = issues(&text, &ws);
        let faq = errs
            .iter()
            .find(|e| e.path == "knowledge.sources[0]")
            .unwrap_or_else(|| panic!("{errs:?}"));
        assert!(
            faq.message
                .contains("4096 bytes, over the limit of 2 KiB set by limits.max_knowledge_bytes"),
            "{faq}"
        );
    }

    #[cfg(unix)]
    #[test]
    fn an_icp_file_outside_the_workspace_is_refused_by_key() {
        let root = workspace();
        let ws = root.path().join("ws");
        let text =
            config(&["company/faq.md"], "").replace("company/icp.json", "../outside/secret.md");
        let errs = issues(&text, &ws);
        assert!(
            errs.iter().any(|e| e.path == "icp_file"
                && e.line == Some(2)
                && e.message.contains("outside the workspace")),
            "{errs:?}"
        );
    }
}
