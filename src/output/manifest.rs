//! `manifest.json`: what produced a result folder, so it can be reproduced
//! and checked: tool version, command line, seed, runs, rule, scenario hash.

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::scenario::Scenario;

/// One file that went into the scenario.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct FileDigest {
    /// Path as read.
    pub path: String,
    /// SHA-256 of its bytes, hex.
    pub sha256: String,
}

/// The manifest of a `run` result folder.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Manifest {
    /// Always `alliance-sim`.
    pub tool: String,
    /// Crate version.
    pub version: String,
    /// The command line, one argument per entry.
    pub command: Vec<String>,
    /// Scenario label (file stem), as in the CSV `scenario` column.
    pub scenario: String,
    /// The scenario's `[scenario] name`.
    pub scenario_name: String,
    /// SHA-256 over every file read (main file first, then includes in the order read):
    /// the hex digests, one per line.
    pub scenario_sha256: String,
    /// Each file read and its digest.
    pub scenario_files: Vec<FileDigest>,
    /// Decision rule label.
    pub rule: String,
    /// Master seed.
    pub seed: u64,
    /// Runs.
    pub runs: u64,
    /// Perception noise η.
    pub noise: f64,
    /// How the noise scales with each term: `absolute` or `relative`.
    pub noise_model: String,
    /// Abstention band β.
    pub abstention_band: f64,
    /// The posterior the runs drew their parameters from, if any: file,
    /// digest, draws, the columns applied and skipped, and how runs sample it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub posterior: Option<serde_json::Value>,
    /// Worker threads used (results do not depend on it); absent for merged shards.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub threads: Option<usize>,
    /// Shards merged into these results; absent for a single process.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shards: Option<u64>,
    /// Generator and seeding scheme.
    pub generator: String,
    /// Files written alongside.
    pub files: Vec<String>,
}

/// The command line as the manifest records it, one argument per entry.
/// An argument that is not UTF-8 (a file name in Latin-1, say) is kept with
/// U+FFFD in place of the bytes that are not, rather than stopping the
/// program: the manifest is a record for people, and JSON holds text.
pub fn command_line() -> Vec<String> {
    std::env::args_os()
        .map(|a| a.to_string_lossy().into_owned())
        .collect()
}

/// Bytes as lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Digests of every file behind `scenario`, and the combined digest.
pub fn scenario_digest(scenario: &Scenario) -> (String, Vec<FileDigest>) {
    let files: Vec<FileDigest> = scenario
        .sources
        .iter()
        .map(|s| FileDigest {
            path: s.path.display().to_string(),
            sha256: sha256_hex(s.text.as_bytes()),
        })
        .collect();
    (files_digest(files.iter().map(|f| f.sha256.as_str())), files)
}

/// The combined digest of a scenario's files from the hex SHA-256 of each,
/// in the order read (what `scenario_sha256` records).
pub fn files_digest<'a>(shas: impl IntoIterator<Item = &'a str>) -> String {
    let mut all = Sha256::new();
    for sha in shas {
        all.update(sha.as_bytes());
        all.update(b"\n");
    }
    hex(&all.finalize())
}

impl Manifest {
    /// The manifest as pretty JSON with a trailing newline.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("manifest serializes");
        s.push('\n');
        s
    }
}
