//! A shard's folder: `counts.jsonl` (one line per piece of work: the point, its
//! runs, and their integer tally), optionally `runs.csv` (one row per run, as
//! `run --per-run` writes), and `shard.json`, the manifest, written last so
//! that a folder without it is a shard that did not finish.

use std::io::{self, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use super::{Piece, Shard};
use crate::input::{Class, InputError, LineReader, Links};
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

/// An identity (of a shard, or of an interrupted sweep) with its `rule` and
/// `rules` written as labels are today, for comparing two identities: a
/// label an older version wrote (`unanimity`, now `consensus`) stands for
/// the same rule, so shards and sweeps that record it still merge and
/// resume. A label that is not a rule is left as it is.
pub fn with_current_rule_labels(identity: &serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    let relabel = |v: &Value| match v.as_str().map(str::parse::<crate::model::DecisionRule>) {
        Some(Ok(rule)) => Value::String(rule.to_string()),
        _ => v.clone(),
    };
    let mut id = identity.clone();
    if let Some(obj) = id.as_object_mut() {
        if let Some(rule) = obj.get_mut("rule") {
            *rule = relabel(rule);
        }
        if let Some(Value::Array(rules)) = obj.get_mut("rules") {
            for r in rules.iter_mut() {
                *r = relabel(r);
            }
        }
    }
    id
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
    out: Digesting<io::BufWriter<std::fs::File>>,
}

impl CountsWriter {
    /// Starts `counts.jsonl` on the file `file`.
    pub fn new(file: io::BufWriter<std::fs::File>) -> CountsWriter {
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
    pub fn finish(self) -> (io::BufWriter<std::fs::File>, FileSummary) {
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

/// Largest `shard.json` read, in bytes. A manifest holds the texts of the
/// scenario files (each at most 4 MiB) besides a few hundred bytes of its own.
pub const MAX_MANIFEST_BYTES: u64 = 64 * 1024 * 1024;

/// Longest line read from `counts.jsonl` or `runs.csv`, in bytes; a line of
/// counts for the largest scenario is a few kilobytes.
pub const MAX_LINE_BYTES: usize = crate::input::MAX_LINE_BYTES;

/// Longest label (the scenario file's stem) a shard may carry, in bytes: it
/// names folders, with `-sweep.shard-K-of-N` appended.
pub const MAX_LABEL_BYTES: usize = crate::output::folder::MAX_NAME_BYTES;

/// How a shard's files are read: written by the program itself, they are
/// regular files, never links; `shard.json` is read whole up to
/// [`MAX_MANIFEST_BYTES`], the others line by line.
pub const SHARD_FILE: Class = Class {
    noun: "shard file",
    links: Links::Refuse,
    max_bytes: MAX_MANIFEST_BYTES,
};

/// Checks that a label is a plain name, fit to name a folder inside the
/// output folder (the rule of every results folder's name); returns what is
/// wrong with it otherwise.
pub use crate::output::folder::plain_name as check_label;

/// At most `max` characters of `text`, escaped so that control characters
/// show as escapes, for messages quoting what a file says.
pub fn excerpt(text: &str, max: usize) -> String {
    let mut out: String = text
        .chars()
        .take(max)
        .collect::<String>()
        .escape_debug()
        .to_string();
    if text.chars().nth(max).is_some() {
        out.push('…');
    }
    out
}

/// Checks a shard's stored scenario files: each text has the SHA-256
/// recorded beside it, and together they have the combined digest
/// `scenario_sha256` (the identity's), so that every shard's copy of the
/// scenario is the one its identity names. Returns what is wrong otherwise.
pub fn check_stored_sources(
    sources: &[StoredSource],
    scenario_sha256: Option<&str>,
) -> Result<(), String> {
    if sources.is_empty() {
        return Err("it stores no scenario file".into());
    }
    for f in sources {
        if sha256_hex(f.text.as_bytes()) != f.sha256 {
            return Err(format!(
                "its copy of `{}` does not match that file's SHA-256",
                excerpt(&f.path, 80)
            ));
        }
    }
    let digest = crate::output::manifest::files_digest(sources.iter().map(|f| f.sha256.as_str()));
    if Some(digest.as_str()) != scenario_sha256 {
        return Err(
            "the scenario files it stores are not those its identity names (scenario_sha256)"
                .into(),
        );
    }
    Ok(())
}

/// Reads lines of a shard's file while hashing them, for checking against
/// its manifest: the file is opened as a [`SHARD_FILE`], each line is at most
/// [`MAX_LINE_BYTES`] of UTF-8 text, and the file may hold at most the lines
/// the reader was told to expect.
pub struct CheckedLines {
    reader: LineReader,
    bytes: Vec<u8>,
    hasher: Sha256,
    lines: u64,
    max_lines: u64,
}

impl CheckedLines {
    /// Opens `path`, which should hold at most `max_lines` lines.
    pub fn open(path: &Path, max_lines: u64) -> Result<CheckedLines, InputError> {
        Ok(CheckedLines {
            reader: LineReader::open(path, SHARD_FILE, MAX_LINE_BYTES)?,
            bytes: Vec::new(),
            hasher: Sha256::new(),
            lines: 0,
            max_lines,
        })
    }

    /// The next line, with its line break, into `buf`; false at the end.
    /// An error says what is wrong with the file (a line too long or not
    /// UTF-8, more lines than expected, a failed read).
    pub fn next_into(&mut self, buf: &mut String) -> Result<bool, String> {
        buf.clear();
        let more = self
            .reader
            .next_text(&mut self.bytes)
            .map_err(|e| match e {
                InputError::LineTooLong { line, limit, .. } => {
                    format!("line {line} is longer than {limit} bytes")
                }
                other => other.to_string(),
            })?;
        if !more {
            return Ok(false);
        }
        self.lines += 1;
        if self.lines > self.max_lines {
            return Err(format!(
                "it has more than the {} lines expected",
                self.max_lines
            ));
        }
        self.hasher.update(&self.bytes);
        let text = std::str::from_utf8(&self.bytes)
            .map_err(|_| format!("line {} is not UTF-8 text", self.lines))?;
        buf.push_str(text);
        Ok(true)
    }

    /// Reads what is left and gives the hash and line count of the whole file.
    pub fn finish(mut self) -> Result<(String, u64), String> {
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
    fn labels_must_be_plain_names() {
        for good in [
            "kazakhstan_2022",
            "a.b",
            "...x",
            "é ü",
            &"x".repeat(MAX_LABEL_BYTES),
        ] {
            assert_eq!(check_label(good), Ok(()), "{good}");
        }
        let long = "x".repeat(MAX_LABEL_BYTES + 1);
        for bad in [
            "",
            ".",
            "..",
            "/tmp/x",
            "../..",
            "a/b",
            "a\\b",
            "a\0b",
            "a\nb",
            "\u{1b}]0;t\u{7}",
            "\u{85}",
            long.as_str(),
        ] {
            assert!(check_label(bad).is_err(), "{bad:?}");
        }
        assert_eq!(excerpt("a\u{1b}b", 10), "a\\u{1b}b");
        assert_eq!(excerpt("abcdef", 3), "abc…");
    }

    #[test]
    fn stored_sources_must_match_the_identity() {
        // Kazakhstan 2022 includes the CSTO roster and options: three files.
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/kazakhstan_2022.toml");
        let s = crate::scenario::load(&path).unwrap();
        let (sha, _) = crate::output::manifest::scenario_digest(&s);
        let stored: Vec<StoredSource> = s
            .sources
            .iter()
            .map(|f| StoredSource {
                path: f.path.display().to_string(),
                sha256: sha256_hex(f.text.as_bytes()),
                text: f.text.clone(),
            })
            .collect();
        assert_eq!(check_stored_sources(&stored, Some(&sha)), Ok(()));
        assert!(check_stored_sources(&stored, None).is_err());
        assert!(check_stored_sources(&[], Some(&sha)).is_err());
        // A changed text, with or without its own hash recomputed.
        let mut changed = stored.clone();
        changed[0].text.push_str("\n# changed\n");
        let e = check_stored_sources(&changed, Some(&sha)).unwrap_err();
        assert!(e.contains("does not match"), "{e}");
        changed[0].sha256 = sha256_hex(changed[0].text.as_bytes());
        let e = check_stored_sources(&changed, Some(&sha)).unwrap_err();
        assert!(e.contains("scenario_sha256"), "{e}");
    }

    #[test]
    fn checked_lines_are_bounded_and_counted() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join(COUNTS);
        std::fs::write(&p, "a\nb\n").unwrap();
        let mut r = CheckedLines::open(&p, 2).unwrap();
        let mut line = String::new();
        assert!(r.next_into(&mut line).unwrap());
        assert_eq!(line, "a\n");
        assert_eq!(r.finish().unwrap(), (sha256_hex(b"a\nb\n"), 2));
        let e = CheckedLines::open(&p, 1).unwrap().finish().unwrap_err();
        assert!(e.contains("more than the 1 lines"), "{e}");
        std::fs::write(&p, b"a\n\xff\n").unwrap();
        let e = CheckedLines::open(&p, 5).unwrap().finish().unwrap_err();
        assert!(e.contains("line 2 is not UTF-8"), "{e}");
        std::fs::write(&p, "x".repeat(MAX_LINE_BYTES + 1)).unwrap();
        let e = CheckedLines::open(&p, 5).unwrap().finish().unwrap_err();
        assert!(e.contains("line 1 is longer than"), "{e}");
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

    #[test]
    fn older_rule_labels_compare_as_the_rules_they_name() {
        let old = serde_json::json!({
            "rule": "unanimity",
            "rules": ["unanimity:abstention_blocks", "majority", "not a rule"],
            "label": "unanimity",
        });
        let today = with_current_rule_labels(&old);
        let consensus = crate::model::DecisionRule::Unanimity {
            abstention_blocks: false,
        };
        let strict = crate::model::DecisionRule::Unanimity {
            abstention_blocks: true,
        };
        assert_eq!(today["rule"], consensus.to_string());
        assert_eq!(
            today["rules"],
            serde_json::json!([strict.to_string(), "majority", "not a rule"])
        );
        // Only the rule fields are read as rules.
        assert_eq!(today["label"], "unanimity");
        assert_eq!(with_current_rule_labels(&today), today);
    }
}
