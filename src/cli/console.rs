//! Everything the program prints goes through here, never through
//! `println!` or `eprintln!`, which panic when a write fails.
//!
//! - [`out`] prints to standard output. Text is made safe for a terminal
//!   first ([`alliance_sim::text::terminal`]). When the reader has gone away
//!   (`| head -1`: a broken pipe), the rest of the output is dropped quietly
//!   and the command carries on to its own exit status; any other failure
//!   (`>/dev/full`) is an error, exit code 1.
//! - [`note`] and [`error`] print to standard error, made safe the same way,
//!   and error messages are also cut to bounded excerpts of what they quote
//!   ([`alliance_sim::text::bound_quotes`]). A failure to write there cannot
//!   be reported anywhere, so it is ignored and the exit code stays what the
//!   command decided.

use std::io::{ErrorKind, Write};
use std::sync::atomic::{AtomicBool, Ordering};

use alliance_sim::text;

/// Set once standard output has gone away (a broken pipe).
static STDOUT_GONE: AtomicBool = AtomicBool::new(false);

/// Standard output could not be written (for a reason other than a reader
/// that stopped reading).
#[derive(Debug, thiserror::Error)]
#[error("cannot write to standard output: {}", plain(.0))]
pub struct StdoutFailed(pub std::io::Error);

/// An I/O error's text without the "(os error N)" suffix.
fn plain(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

/// Prints `text` on standard output, escaped for the terminal.
pub fn out(text: &str) -> Result<(), StdoutFailed> {
    if STDOUT_GONE.load(Ordering::Relaxed) || text.is_empty() {
        return Ok(());
    }
    let safe = text::terminal(text);
    let mut o = std::io::stdout().lock();
    match o.write_all(safe.as_bytes()).and_then(|()| o.flush()) {
        Ok(()) => Ok(()),
        Err(e) => {
            STDOUT_GONE.store(true, Ordering::Relaxed);
            if e.kind() == ErrorKind::BrokenPipe {
                Ok(())
            } else {
                Err(StdoutFailed(e))
            }
        }
    }
}

/// Prints `text` on standard error, escaped for the terminal; failures are
/// ignored.
pub fn note(text: &str) {
    let safe = text::terminal(text);
    let mut e = std::io::stderr().lock();
    let _ = e.write_all(safe.as_bytes()).and_then(|()| e.flush());
}

/// Prints one line on standard error (a line feed is added).
pub fn note_line(line: &str) {
    note(&format!("{line}\n"));
}

/// Prints `error: MESSAGE` on standard error, the message's quotes cut to
/// excerpts and escaped for the terminal; failures are ignored.
pub fn error(message: &str) {
    note_line(&format!("error: {}", text::bound_quotes(message)));
}
