//! Every line `sqa` writes goes through here, so that a reader that stops early
//! (`sqa leads list | head -1`) ends the command quietly instead of a panic.
//!
//! Rust's `println!` panics when standard output is a closed pipe. These writers return the
//! failure instead: a closed pipe becomes [`PipeClosed`], which `main` turns into a quiet
//! exit; any other write failure is an error like any other.

use std::fmt::Arguments;
use std::io::{self, Write};

/// One line on standard output, formatted like `println!`; returns the write's result.
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::out::line(format_args!($($arg)*))
    };
}

/// One line on standard error, formatted like `eprintln!`; returns the write's result.
macro_rules! errln {
    ($($arg:tt)*) => {
        $crate::out::err_line(format_args!($($arg)*))
    };
}

pub(crate) use {errln, outln};

/// The reader of one of our pipes went away: the command stops, and that is not a failure.
#[derive(Debug)]
pub struct PipeClosed;

impl std::fmt::Display for PipeClosed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the output pipe was closed")
    }
}

impl std::error::Error for PipeClosed {}

/// Whether `e` is (or was caused by) a closed pipe.
pub fn is_pipe_closed(e: &anyhow::Error) -> bool {
    e.chain().any(|c| c.is::<PipeClosed>())
}

fn mapped(e: io::Error, stream: &str) -> anyhow::Error {
    if e.kind() == io::ErrorKind::BrokenPipe {
        anyhow::Error::new(PipeClosed)
    } else {
        anyhow::Error::new(e).context(format!("cannot write to standard {stream}"))
    }
}

fn write_line(mut w: impl Write, args: Arguments<'_>) -> io::Result<()> {
    w.write_fmt(args)?;
    w.write_all(b"\n")
}

pub fn line(args: Arguments<'_>) -> anyhow::Result<()> {
    write_line(io::stdout().lock(), args).map_err(|e| mapped(e, "output"))
}

pub fn err_line(args: Arguments<'_>) -> anyhow::Result<()> {
    write_line(io::stderr().lock(), args).map_err(|e| mapped(e, "error"))
}

/// Text as it is (a CSV export), without a line of its own.
pub fn text(s: &str) -> anyhow::Result<()> {
    io::stdout()
        .lock()
        .write_all(s.as_bytes())
        .map_err(|e| mapped(e, "output"))
}

/// One JSON value on a line of its own.
pub fn json(v: &serde_json::Value) -> anyhow::Result<()> {
    let s = serde_json::to_string(v)?;
    line(format_args!("{s}"))
}

/// Write out what is still buffered; called once, before the process exits (`exit` runs no
/// destructors, and a pipe may close between the last line and the end).
pub fn flush() -> anyhow::Result<()> {
    io::stdout().lock().flush().map_err(|e| mapped(e, "output"))
}
