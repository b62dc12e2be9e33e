//! A shard's folder: `counts.jsonl` (one line per piece of work: the point, its
//! runs, and their integer tally), optionally `runs.csv` (one row per run, as
//! `run --per-run` writes), and `shard.json`, the manifest, written last so
//! that a folder without it is a shard that did not finish.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use super::{Piece, Shard};
use crate::output::manifest::hex;
pub use crate::output::manifest::sha256_hex;
use crate::runner::Tally;

/// The manifest's file name.
pub const MANIFEST: &str = "shard.json";
/// The counts' file name.
pub const COUNTS: &str = "counts.jsonl";
/// The per-run rows' file name.
pub const RUNS: &str = "runs.csv";
/// The value of the manifest's `format` field that this version writes and reads.
pub const FORMAT: &str = "alliance-sim shard 1";

/// What a shard is part of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// `alliance-sim run`.
    Run,
    /// `alliance-sim sweep`.
    Sweep,
}

/// The folder of shard `shard` of the work labelled `label`: the folder a
/// single process writes its results to, with `.shard-K-of-N` appended (K
/// padded with zeros so that the folders sort in order).
pub fn folder_name(kind: Kind, label: &str, shard: Shard) -> String {
    let width = (shard.count() - 1).to_string().len();
    let base = match kind {
        Kind::Run => label.to_string(),
        Kind::Sweep => format!("{label}-sweep"),
    };
    format!(
        "{base}.shard-{:0width$}-of-{}",
        shard.index(),
        shard.count()
    )
}

/// A shell pattern matching the folders of every shard of `count`:
/// `<folder>.shard-*-of-<count>`.
pub fn folder_pattern(kind: Kind, label: &str, count: u64) -> String {
    let one = folder_name(
        kind,
        label,
        Shard::new(0, count.max(1)).expect("shard 0 exists"),
    );
    let base = &one[..one.rfind(".shard-").expect("shard folders have .shard-")];
    format!("{base}.shard-*-of-{}", count.max(1))
}

/// A file the manifest vouches for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileSummary {
    /// Its name in the shard's folder.
    pub file: String,
    /// Lines it holds, header included.
    pub lines: u64,
    /// SHA-256 of its bytes, hex.
    pub sha256: String,
}

/// A scenario file as the shard read it, so that the merge rebuilds exactly
/// the scenario that was simulated, wherever it runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoredSource {
    /// Path as read.
    pub path: String,
    /// SHA-256 of its text, hex.
    pub sha256: String,
    /// Its full text.
    pub text: String,
}

/// `shard.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShardManifest {
    /// Always [`FORMAT`].
    pub format: String,
    /// Crate version that wrote the shard.
    pub version: String,
    /// The command line, one argument per entry.
    pub command: Vec<String>,
    /// Run or sweep.
    pub kind: Kind,
    /// Scenario label (file stem).
    pub label: String,
    /// This shard's index, from 0.
    pub shard: u64,
    /// The number of shards.
    pub shards: u64,
    /// Points of the whole work (1 for a run).
    pub points: u64,
    /// Runs per point.
    pub runs: u64,
    /// The flat (point, run) pairs this shard did: `[first, end)`.
    pub work: [u64; 2],
    /// Everything that must be the same in every shard of one piece of work:
    /// scenario hash, seed, runs, rules, design, tool version, and the
    /// posterior's digest, draws and columns when the runs drew from one.
    pub identity: serde_json::Value,
    /// SHA-256 of `identity` as compact JSON, hex: equal for the shards of one
    /// piece of work.
    pub identity_sha256: String,
    /// `counts.jsonl`.
    pub counts: FileSummary,
    /// `runs.csv`, when the run keeps per-run rows.
    pub runs_csv: Option<FileSummary>,
    /// The scenario files, main file first.
    pub scenario_files: Vec<StoredSource>,
    /// The posterior file as named, when the runs drew from one (its digest
    /// is in the identity; the name is not, so that shards may name it
    /// differently).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub posterior_file: Option<String>,
    /// Worker threads used (results do not depend on it).
    pub threads: usize,
}

impl ShardManifest {
    /// The shard this manifest describes, if its numbers are consistent.
    pub fn shard(&self) -> Option<Shard> {
        Shard::new(self.shard, self.shards).ok()
    }

    /// The manifest as pretty JSON with a trailing newline.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("manifest serializes");
        s.push('\n');
        s
    }
}

/// The identity's hash, as `identity_sha256` records it.
pub fn identity_sha256(identity: &serde_json::Value) -> String {
    sha256_hex(identity.to_string().as_bytes())
}

/// A writer that hashes and counts the lines of what passes through it.
pub struct Digesting<W: Write> {
    inner: W,
    hasher: Sha256,
    lines: u64,
}

impl<W: Write> Digesting<W> {
    /// Wraps `inner`.
    pub fn new(inner: W) -> Self {
        Digesting {
            inner,
            hasher: Sha256::new(),
            lines: 0,
        }
    }

    /// The inner writer, the hex SHA-256 of every byte written, and the lines.
    pub fn finish(self) -> (W, String, u64) {
        (self.inner, hex(&self.hasher.finalize()), self.lines)
    }
}

impl<W: Write> Write for Digesting<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.lines += buf[..n].iter().filter(|b| **b == b'\n').count() as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// One line of `counts.jsonl`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CountLine {
    /// The point (0 for a run).
    pub point: u64,
    /// Its runs counted here: `[first, end)`.
    pub runs: [u64; 2],
    /// What they decided.
    pub tally: Tally,
}

/// Writes `counts.jsonl` (into a shard's staging folder).
pub struct CountsWriter {
    out: Digesting<io::BufWriter<File>>,
}

impl CountsWriter {
    /// Starts `counts.jsonl` on the file `file`.
    pub fn new(file: io::BufWriter<File>) -> CountsWriter {
        CountsWriter {
            out: Digesting::new(file),
        }
    }

    /// Appends one piece's tally.
    pub fn write(&mut self, piece: &Piece, tally: &Tally) -> io::Result<()> {
        let line = CountLine {
            point: piece.point,
            runs: [piece.runs.start, piece.runs.end],
            tally: tally.clone(),
        };
        let mut text = serde_json::to_string(&line).map_err(io::Error::other)?;
        text.push('\n');
        self.out.write_all(text.as_bytes())
    }

    /// The unfinished file and what the manifest says of it.
    pub fn finish(self) -> (io::BufWriter<File>, FileSummary) {
        let (file, sha256, lines) = self.out.finish();
        (
            file,
            FileSummary {
                file: COUNTS.into(),
                lines,
                sha256,
            },
        )
    }
}

/// Reads lines of a file while hashing them, for checking against a manifest.
pub struct CheckedLines {
    reader: BufReader<File>,
    hasher: Sha256,
    lines: u64,
}

impl CheckedLines {
    /// Opens `path`.
    pub fn open(path: &Path) -> io::Result<CheckedLines> {
        Ok(CheckedLines {
            reader: BufReader::new(File::open(path)?),
            hasher: Sha256::new(),
            lines: 0,
        })
    }

    /// The next line, with its line break, into `buf`; false at the end.
    pub fn next_into(&mut self, buf: &mut String) -> io::Result<bool> {
        buf.clear();
        let n = self.reader.read_line(buf)?;
        if n == 0 {
            return Ok(false);
        }
        self.hasher.update(buf.as_bytes());
        self.lines += 1;
        Ok(true)
    }

    /// Reads what is left and gives the hash and line count of the whole file.
    pub fn finish(mut self) -> io::Result<(String, u64)> {
        let mut buf = String::new();
        while self.next_into(&mut buf)? {}
        Ok((hex(&self.hasher.finalize()), self.lines))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folder_names_sort_in_shard_order() {
        let name = |k, n| folder_name(Kind::Sweep, "x", Shard::new(k, n).unwrap());
        assert_eq!(name(3, 16), "x-sweep.shard-03-of-16");
        assert_eq!(name(0, 1), "x-sweep.shard-0-of-1");
        assert_eq!(
            folder_name(Kind::Run, "kazakhstan_2022", Shard::new(9, 10).unwrap()),
            "kazakhstan_2022.shard-9-of-10"
        );
        assert_eq!(folder_pattern(Kind::Run, "a.b", 4), "a.b.shard-*-of-4");
    }

    #[test]
    fn digesting_hashes_what_it_writes() {
        let mut d = Digesting::new(Vec::new());
        d.write_all(b"a\nb\n").unwrap();
        let (bytes, sha, lines) = d.finish();
        assert_eq!(bytes, b"a\nb\n");
        assert_eq!(sha, sha256_hex(b"a\nb\n"));
        assert_eq!(lines, 2);
    }
}
