//! Mail as files: outgoing messages land in an outbox folder as `.eml` files, inbound ones
//! are read from files.
//!
//! File operations here are plain `std::fs` calls inside `async fn`s: a message is a few
//! kilobytes written to the page cache, microseconds of work, which a hop to tokio's blocking
//! pool would only make slower.

use async_trait::async_trait;
use sqa_core::config::Limits;
use sqa_core::fsread::{ReadError, read_limited};
use sqa_core::ports::{Inbox, MailError, Mailer, OutgoingEmail, StoreError, StoreResult};
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Writes each message to `{outbox}/{message-id}.eml`, once.
///
/// The message id names the file, so a send of the same message again finds the file and
/// returns its id without writing: what SES cannot promise, the outbox can. A message is
/// written to a temporary file and then linked into place, so a crash never leaves half a
/// message under the final name, and two racing sends of one message write it once.
///
/// Files are not fsynced: a process crash loses nothing, a power cut may lose the newest
/// messages, whose touches then stay `sending` and are never resent blindly.
pub struct FileMailer {
    outbox: PathBuf,
}

impl FileMailer {
    pub fn new(outbox: impl Into<PathBuf>) -> Self {
        FileMailer {
            outbox: outbox.into(),
        }
    }

    pub fn outbox(&self) -> &Path {
        &self.outbox
    }

    /// Where the message with `message_id` is (or would be) written.
    pub fn path_of(&self, message_id: &str) -> PathBuf {
        self.outbox.join(format!("{}.eml", file_stem(message_id)))
    }

    fn write_once(&self, email: &OutgoingEmail, path: &Path) -> std::io::Result<()> {
        std::fs::create_dir_all(&self.outbox)?;
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let tmp = self.outbox.join(format!(
            ".{}.{}-{}.tmp",
            file_stem(&email.message_id),
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let written = (|| {
            let mut f = std::fs::File::create_new(&tmp)?;
            f.write_all(&email.raw)?;
            f.flush()?;
            link_no_clobber(&tmp, path)
        })();
        // The temporary name goes in every case; a failure to remove it only leaves a
        // dot-file behind and must not hide the outcome of the send: it is logged.
        if let Err(e) = std::fs::remove_file(&tmp)
            && e.kind() != std::io::ErrorKind::NotFound
        {
            tracing::warn!(message_id = %email.message_id, path = %tmp.display(), error = %e,
                "a temporary mail file could not be removed");
        }
        written
    }
}

/// Give `tmp` the name `path` unless `path` exists. A hard link is atomic and refuses an
/// existing name. Where linking fails for another reason (file systems without hard links
/// answer EPERM or EOPNOTSUPP), fall back to a rename after a check: a race there can only
/// replace a message with the same bytes.
fn link_no_clobber(tmp: &Path, path: &Path) -> std::io::Result<()> {
    match std::fs::hard_link(tmp, path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == ErrorKind::AlreadyExists => Ok(()),
        Err(_) if path.exists() => Ok(()),
        Err(_) => std::fs::rename(tmp, path),
    }
}

/// The file name of a message id: angle brackets dropped, every byte outside
/// `[A-Za-z0-9._@+-]` written as `%XX`, so that two ids never share a file and no id can
/// name a path outside the outbox. Very long ids are cut and keep a digest of the rest.
fn file_stem(message_id: &str) -> String {
    let id = message_id.trim();
    let id = id
        .strip_prefix('<')
        .and_then(|s| s.strip_suffix('>'))
        .unwrap_or(id);
    let mut out = String::with_capacity(id.len());
    for b in id.bytes() {
        if b.is_ascii_alphanumeric() || b"._@+-".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    // A leading dot would hide the file, and `.`/`..` are not file names.
    if out.starts_with('.') {
        out.replace_range(0..1, "%2E");
    }
    // Most file systems allow 255 bytes per name; keep room for the suffix.
    const MAX: usize = 200;
    if out.len() > MAX {
        let digest = fnv1a(out.as_bytes());
        out.truncate(MAX - 17);
        out.push_str(&format!("~{digest:016x}"));
    }
    out
}

/// A stable 64-bit digest for cut names (not security relevant: collisions of 200-byte
/// message ids sharing a 183-byte prefix are the only ones it separates).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

#[async_trait]
impl Mailer for FileMailer {
    async fn send(&self, email: &OutgoingEmail) -> Result<String, MailError> {
        if email.message_id.trim().is_empty() {
            return Err(MailError::Rejected("the message has no Message-ID".into()));
        }
        if email.to.is_empty() {
            return Err(MailError::Rejected("the message has no recipient".into()));
        }
        let path = self.path_of(&email.message_id);
        if !path.exists() {
            self.write_once(email, &path).map_err(|e| {
                MailError::Unexpected(
                    anyhow::Error::new(e)
                        .context(format!("failed to write the message to {}", path.display())),
                )
            })?;
        }
        Ok(email.message_id.clone())
    }

    /// A message id names its file: a second send of it writes nothing.
    fn idempotent(&self) -> bool {
        true
    }
}

/// Reads inbound messages from files: a key is a path relative to the root, or absolute.
///
/// Keys come from the local runner and the operator (a folder of replies), not from the
/// network, so any path they name is read; but only a regular file, and no more than the
/// message limit (`limits.max_message_bytes`), checked before the file is read.
pub struct FileInbox {
    root: PathBuf,
    max_bytes: u64,
}

impl FileInbox {
    /// An inbox with the default message limit.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        FileInbox {
            root: root.into(),
            max_bytes: sqa_core::config::Limits::DEFAULT_MAX_MESSAGE_BYTES,
        }
    }

    /// The same inbox with the config's `limits.max_message_bytes`.
    pub fn with_max_bytes(mut self, max_bytes: u64) -> Self {
        self.max_bytes = max_bytes;
        self
    }

    pub fn root(&self) -> &Path {
        &self.root
    }
}

#[async_trait]
impl Inbox for FileInbox {
    async fn fetch(&self, key: &str) -> StoreResult<Vec<u8>> {
        // `join` keeps an absolute key as it is.
        let path = self.root.join(key);
        read_limited(&path, self.max_bytes, Limits::MAX_MESSAGE_BYTES).map_err(|e| match e {
            ReadError::NotFound { .. } => StoreError::NotFound(format!("inbound message {key}")),
            ReadError::Io { .. } => StoreError::Unexpected(anyhow::Error::new(e)),
            refused => StoreError::Refused(refused.to_string()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_keep_ids_apart_and_inside_the_outbox() {
        assert_eq!(
            file_stem("<outreach-L1-1@mail.example.test>"),
            "outreach-L1-1@mail.example.test"
        );
        assert_ne!(file_stem("<a/b@x>"), file_stem("<a_b@x>"));
        assert_ne!(file_stem("<a%2Fb@x>"), file_stem("<a/b@x>"));
        assert_eq!(file_stem("<../../etc/passwd>"), "%2E.%2F..%2Fetc%2Fpasswd");
        assert!(!file_stem("<..>").contains('/'));
        let long = format!("<{}@x>", "a".repeat(400));
        let other = format!("<{}b@x>", "a".repeat(399));
        assert!(file_stem(&long).len() <= 200);
        assert_ne!(file_stem(&long), file_stem(&other));
    }
}
