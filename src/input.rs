//! Reading the files the program is given, as untrusted input: scenario
//! files, sweep files, posterior samples, the files of shards, and the
//! in-progress files a sweep resumes from.
//!
//! Every such file is read through this module, which
//! - refuses anything that is not a regular file (a folder, a named pipe, a
//!   device such as `/dev/zero`, a socket), checked before opening and again
//!   on the open file, so that a file swapped in between is caught too;
//! - opens without blocking, so that a named pipe with no writer cannot hang
//!   the open;
//! - for the files of a shard or of an interrupted sweep ([`Links::Refuse`]),
//!   opens without following a symbolic link: those files are written by the
//!   program itself and never are links;
//! - reads at most a given number of bytes (one past the limit, to notice a
//!   file that grew after it was measured), or line by line with a bound on
//!   the length of each line.
//!
//! Errors name the file and what was expected of it.

use std::fs::{File, Metadata};
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

/// Whether the named file may be a symbolic link to the file to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Links {
    /// Follow a link, as for files a user names (a scenario, a sweep file).
    Follow,
    /// Refuse a link, as for files the program wrote itself (a shard's
    /// files, an interrupted sweep's).
    Refuse,
}

/// A kind of input file: what messages call it, whether it may be reached
/// through a link, and how large it may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Class {
    /// The file's kind in messages, e.g. `scenario file`.
    pub noun: &'static str,
    /// Whether a link may stand for the file.
    pub links: Links,
    /// Largest size read whole, in bytes.
    pub max_bytes: u64,
}

/// Longest line [`LineReader`] accepts by default, in bytes (line break
/// included).
pub const MAX_LINE_BYTES: usize = 1 << 20;

/// Why an input file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// It does not exist, or cannot be opened or read.
    #[error("cannot read `{}`: {}", .path.display(), plain_io(.source))]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// What the system said.
        #[source]
        source: io::Error,
    },
    /// It is a folder.
    #[error("`{}` is a folder, not a {noun}", .path.display())]
    Folder {
        /// The folder.
        path: PathBuf,
        /// What a file was expected.
        noun: &'static str,
    },
    /// It is a symbolic link where links are refused.
    #[error("`{}` is a symbolic link; a {noun} is read only as the file itself, never through a link", .path.display())]
    Link {
        /// The link.
        path: PathBuf,
        /// What a file was expected.
        noun: &'static str,
    },
    /// It is a pipe, a device or a socket.
    #[error("`{}` is {kind}, not a regular file; a {noun} must be a regular file", .path.display())]
    NotRegular {
        /// The file.
        path: PathBuf,
        /// What it is, e.g. `a named pipe (FIFO)`.
        kind: &'static str,
        /// What a file was expected.
        noun: &'static str,
    },
    /// It is larger than its class allows.
    #[error("`{}` is {len} bytes; {noun}s are limited to {limit} bytes", .path.display())]
    TooBig {
        /// The file.
        path: PathBuf,
        /// Its size (or at least this much, if it grew while read).
        len: u64,
        /// The limit.
        limit: u64,
        /// What a file was expected.
        noun: &'static str,
    },
    /// One of its lines is longer than the reader allows.
    #[error("`{}`: line {line} is longer than {limit} bytes", .path.display())]
    LineTooLong {
        /// The file.
        path: PathBuf,
        /// The line, from 1.
        line: u64,
        /// The limit.
        limit: usize,
    },
}

impl InputError {
    /// The file concerned.
    pub fn path(&self) -> &Path {
        match self {
            InputError::Unreadable { path, .. }
            | InputError::Folder { path, .. }
            | InputError::Link { path, .. }
            | InputError::NotRegular { path, .. }
            | InputError::TooBig { path, .. }
            | InputError::LineTooLong { path, .. } => path,
        }
    }

    /// Whether the file does not exist.
    pub fn is_not_found(&self) -> bool {
        matches!(self, InputError::Unreadable { source, .. } if source.kind() == io::ErrorKind::NotFound)
    }
}

/// An I/O error without the "(os error N)" suffix.
pub fn plain_io(e: &io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

/// What a file that is not a regular file is, in words.
fn kind_of(meta: &Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        if t.is_fifo() {
            return "a named pipe (FIFO)";
        }
        if t.is_char_device() {
            return "a character device";
        }
        if t.is_block_device() {
            return "a block device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    if meta.file_type().is_symlink() {
        return "a symbolic link";
    }
    "not a file"
}

/// Refuses what `meta` says is not a regular file.
fn check_kind(path: &Path, meta: &Metadata, class: Class) -> Result<(), InputError> {
    let t = meta.file_type();
    if t.is_symlink() {
        return Err(InputError::Link {
            path: path.to_path_buf(),
            noun: class.noun,
        });
    }
    if t.is_dir() {
        return Err(InputError::Folder {
            path: path.to_path_buf(),
            noun: class.noun,
        });
    }
    if !t.is_file() {
        return Err(InputError::NotRegular {
            path: path.to_path_buf(),
            kind: kind_of(meta),
            noun: class.noun,
        });
    }
    Ok(())
}

#[cfg(unix)]
fn open_flags(links: Links) -> std::fs::OpenOptions {
    use std::os::unix::fs::OpenOptionsExt;
    let mut o = std::fs::OpenOptions::new();
    // Non-blocking, so that a pipe swapped in after the check cannot hang
    // the open; reads of a regular file do not heed the flag.
    let mut flags = libc::O_NONBLOCK | libc::O_CLOEXEC;
    if links == Links::Refuse {
        flags |= libc::O_NOFOLLOW;
    }
    o.read(true).custom_flags(flags);
    o
}

#[cfg(not(unix))]
fn open_flags(_links: Links) -> std::fs::OpenOptions {
    let mut o = std::fs::OpenOptions::new();
    o.read(true);
    o
}

/// Whether an open failed because the last part of the path is a link
/// (`O_NOFOLLOW` gives `ELOOP`).
fn is_link_refusal(e: &io::Error, links: Links) -> bool {
    #[cfg(unix)]
    {
        links == Links::Refuse && e.raw_os_error() == Some(libc::ELOOP)
    }
    #[cfg(not(unix))]
    {
        let _ = (e, links);
        false
    }
}

/// Opens `path` for reading if it is a regular file of `class` (and not a
/// link, where the class refuses links); also returns its size.
pub fn open(path: &Path, class: Class) -> Result<(File, u64), InputError> {
    let unreadable = |source: io::Error| InputError::Unreadable {
        path: path.to_path_buf(),
        source,
    };
    let before = match class.links {
        Links::Follow => std::fs::metadata(path),
        Links::Refuse => std::fs::symlink_metadata(path),
    }
    .map_err(unreadable)?;
    check_kind(path, &before, class)?;
    let file = open_flags(class.links).open(path).map_err(|e| {
        if is_link_refusal(&e, class.links) {
            InputError::Link {
                path: path.to_path_buf(),
                noun: class.noun,
            }
        } else {
            unreadable(e)
        }
    })?;
    // The file opened may not be the one looked at: check it again.
    let meta = file.metadata().map_err(unreadable)?;
    check_kind(path, &meta, class)?;
    Ok((file, meta.len()))
}

/// Reads the whole of `path`, a regular file of `class` of at most
/// `class.max_bytes` bytes.
pub fn read(path: &Path, class: Class) -> Result<Vec<u8>, InputError> {
    let too_big = |len: u64| InputError::TooBig {
        path: path.to_path_buf(),
        len,
        limit: class.max_bytes,
        noun: class.noun,
    };
    let (file, len) = open(path, class)?;
    if len > class.max_bytes {
        return Err(too_big(len));
    }
    let mut bytes = Vec::with_capacity(len as usize);
    // At most one byte past the limit, in case the file grew meanwhile.
    file.take(class.max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|source| InputError::Unreadable {
            path: path.to_path_buf(),
            source,
        })?;
    if bytes.len() as u64 > class.max_bytes {
        return Err(too_big(bytes.len() as u64));
    }
    Ok(bytes)
}

/// One line as [`LineReader::next_line`] read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Line {
    /// A line ending in a line break (kept in the buffer).
    Complete,
    /// The last bytes of the file, without a line break.
    Unterminated,
    /// A line longer than the reader's limit; its bytes were skipped up to
    /// and including its line break (or the end of the file), and the
    /// buffer holds none of them.
    TooLong,
    /// The end of the file: nothing was read.
    End,
}

/// Reads a regular file line by line, never holding more than a bounded
/// line in memory.
pub struct LineReader {
    reader: BufReader<File>,
    path: PathBuf,
    limit: usize,
    line: u64,
}

impl LineReader {
    /// Opens `path`, a regular file of `class` (its size limit does not
    /// apply: the file is streamed), with lines of at most `limit` bytes.
    pub fn open(path: &Path, class: Class, limit: usize) -> Result<LineReader, InputError> {
        let (file, _) = open(path, class)?;
        Ok(LineReader {
            reader: BufReader::new(file),
            path: path.to_path_buf(),
            limit,
            line: 0,
        })
    }

    /// The file being read.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Lines read so far (the number of the last line read, from 1).
    pub fn lines(&self) -> u64 {
        self.line
    }

    /// Reads the next line into `buf` (cleared first), line break included.
    pub fn next_line(&mut self, buf: &mut Vec<u8>) -> Result<Line, InputError> {
        buf.clear();
        let limit = self.limit as u64;
        let n = (&mut self.reader)
            .take(limit)
            .read_until(b'\n', buf)
            .map_err(|e| self.unreadable(e))?;
        if n == 0 {
            return Ok(Line::End);
        }
        self.line += 1;
        if buf.last() == Some(&b'\n') {
            return Ok(Line::Complete);
        }
        if n < self.limit {
            return Ok(Line::Unterminated);
        }
        // At the limit without a line break: skip the rest of the line.
        buf.clear();
        loop {
            let (used, done) = match self.reader.fill_buf() {
                Ok([]) => return Ok(Line::TooLong),
                Ok(available) => match available.iter().position(|b| *b == b'\n') {
                    Some(i) => (i + 1, true),
                    None => (available.len(), false),
                },
                Err(e) => return Err(self.unreadable(e)),
            };
            self.reader.consume(used);
            if done {
                return Ok(Line::TooLong);
            }
        }
    }

    /// Reads the next line, which must be complete text within the limit,
    /// into `buf`; `Ok(false)` at the end of the file. A last line without
    /// a line break is returned as it is.
    pub fn next_text(&mut self, buf: &mut Vec<u8>) -> Result<bool, InputError> {
        match self.next_line(buf)? {
            Line::End => Ok(false),
            Line::Complete | Line::Unterminated => Ok(true),
            Line::TooLong => Err(InputError::LineTooLong {
                path: self.path.clone(),
                line: self.line,
                limit: self.limit,
            }),
        }
    }

    fn unreadable(&self, source: io::Error) -> InputError {
        InputError::Unreadable {
            path: self.path.clone(),
            source,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: Class = Class {
        noun: "test file",
        links: Links::Follow,
        max_bytes: 10,
    };
    const OWN: Class = Class {
        links: Links::Refuse,
        ..TEXT
    };

    #[test]
    fn reads_regular_files_within_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.txt");
        std::fs::write(&p, "0123456789").unwrap();
        assert_eq!(read(&p, TEXT).unwrap(), b"0123456789");
        std::fs::write(&p, "0123456789x").unwrap();
        let e = read(&p, TEXT).unwrap_err();
        assert!(
            matches!(
                e,
                InputError::TooBig {
                    len: 11,
                    limit: 10,
                    ..
                }
            ),
            "{e}"
        );
        assert!(e.to_string().contains("test files are limited to 10 bytes"));
        let e = read(&dir.path().join("none"), TEXT).unwrap_err();
        assert!(e.is_not_found(), "{e}");
        assert!(!e.to_string().contains("os error"), "{e}");
        let e = read(dir.path(), TEXT).unwrap_err();
        assert!(
            e.to_string().ends_with("is a folder, not a test file"),
            "{e}"
        );
    }

    #[cfg(unix)]
    #[test]
    fn refuses_devices_pipes_and_links_where_asked() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("target");
        std::fs::write(&target, "short").unwrap();
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        assert_eq!(read(&link, TEXT).unwrap(), b"short");
        let e = read(&link, OWN).unwrap_err();
        assert!(matches!(e, InputError::Link { .. }), "{e}");
        assert!(e.to_string().contains("symbolic link"), "{e}");
        let zero = Path::new("/dev/zero");
        if zero.exists() {
            let e = read(zero, TEXT).unwrap_err();
            assert!(e.to_string().contains("a character device"), "{e}");
            let zlink = dir.path().join("zero");
            std::os::unix::fs::symlink(zero, &zlink).unwrap();
            assert!(matches!(
                read(&zlink, TEXT).unwrap_err(),
                InputError::NotRegular { .. }
            ));
            assert!(matches!(
                read(&zlink, OWN).unwrap_err(),
                InputError::Link { .. }
            ));
        } else {
            eprintln!("skipped the /dev/zero case: /dev/zero does not exist here");
        }
        let fifo = dir.path().join("fifo");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|s| s.success()) {
            let e = read(&fifo, TEXT).unwrap_err();
            assert!(e.to_string().contains("a named pipe (FIFO)"), "{e}");
            // Opened directly, past the first check: the open does not block
            // and the second check refuses it.
            let f = open_flags(Links::Refuse).open(&fifo).unwrap();
            let meta = f.metadata().unwrap();
            assert!(check_kind(&fifo, &meta, OWN).is_err());
        } else {
            eprintln!("skipped the named pipe case: mkfifo is not available");
        }
    }

    #[test]
    fn lines_are_bounded() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("lines");
        let long = "x".repeat(25);
        std::fs::write(&p, format!("ab\n{long}\ncd\nef")).unwrap();
        let mut r = LineReader::open(&p, OWN, 8).unwrap();
        let mut buf = Vec::new();
        assert_eq!(r.next_line(&mut buf).unwrap(), Line::Complete);
        assert_eq!(buf, b"ab\n");
        assert_eq!(r.next_line(&mut buf).unwrap(), Line::TooLong);
        assert!(buf.is_empty());
        assert_eq!(r.next_line(&mut buf).unwrap(), Line::Complete);
        assert_eq!(buf, b"cd\n");
        assert_eq!(r.next_line(&mut buf).unwrap(), Line::Unterminated);
        assert_eq!(buf, b"ef");
        assert_eq!(r.next_line(&mut buf).unwrap(), Line::End);
        assert_eq!(r.lines(), 4);
        let mut r = LineReader::open(&p, OWN, 8).unwrap();
        assert!(r.next_text(&mut buf).unwrap());
        let e = r.next_text(&mut buf).unwrap_err();
        assert!(
            matches!(
                e,
                InputError::LineTooLong {
                    line: 2,
                    limit: 8,
                    ..
                }
            ),
            "{e}"
        );
        // A line of exactly the limit, break included, is complete.
        std::fs::write(&p, "1234567\n12345678").unwrap();
        let mut r = LineReader::open(&p, OWN, 8).unwrap();
        assert_eq!(r.next_line(&mut buf).unwrap(), Line::Complete);
        assert_eq!(r.next_line(&mut buf).unwrap(), Line::TooLong);
        assert_eq!(r.next_line(&mut buf).unwrap(), Line::End);
    }
}
