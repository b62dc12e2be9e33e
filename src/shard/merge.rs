//! Merging shards: finds the shard folders, refuses sets that do not add up
//! to one piece of work (different scenarios, seeds or designs; a shard given
//! twice; shards missing; damaged files), and streams the summed counts point
//! by point in order, so that memory does not grow with the number of points.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::files::{self, CheckedLines, CountLine, ShardManifest};
use super::{Piece, Shard};
use crate::input::{self, InputError};
use crate::runner::Tally;

/// Why shards could not be merged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct MergeError(pub String);

fn fail<T>(message: String) -> Result<T, MergeError> {
    Err(MergeError(message))
}

/// A complete set of shards of one piece of work, in shard order.
#[derive(Debug)]
pub struct ShardSet {
    shards: Vec<(PathBuf, ShardManifest)>,
}

/// The shard folders named by `paths`: each path is a shard folder (it holds
/// `shard.json`), or a folder whose subfolders include shard folders.
fn shard_folders(paths: &[PathBuf]) -> Result<Vec<PathBuf>, MergeError> {
    let mut found = Vec::new();
    for p in paths {
        if !p.is_dir() {
            return fail(if p.exists() {
                format!("`{}` is not a folder; give the shard folders that `run --shard` or `sweep --shard` wrote, or the folder holding them", p.display())
            } else {
                format!("`{}` does not exist", p.display())
            });
        }
        if has_manifest(p) {
            found.push(p.clone());
            continue;
        }
        let mut inner: Vec<PathBuf> = std::fs::read_dir(p)
            .map_err(|e| MergeError(format!("cannot read `{}`: {e}", p.display())))?
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|d| d.is_dir() && has_manifest(d))
            .collect();
        if inner.is_empty() {
            return fail(format!(
                "`{}` holds no shard: neither it nor a folder in it has a {} (a shard writes it when it finishes)",
                p.display(),
                files::MANIFEST
            ));
        }
        inner.sort();
        found.extend(inner);
    }
    Ok(found)
}

/// Whether `dir` holds an entry named `shard.json`, of whatever kind: a
/// link or a pipe there is found, and refused when read, rather than
/// passed over as a missing shard.
fn has_manifest(dir: &Path) -> bool {
    std::fs::symlink_metadata(dir.join(files::MANIFEST)).is_ok()
}

/// Why a shard's file could not be opened, in words; `again` names the
/// shard to run again when the file is not what a shard writes.
fn unreadable(e: InputError, again: &str) -> MergeError {
    match e {
        InputError::Unreadable { .. } => MergeError(e.to_string()),
        other => MergeError(format!("{other}; run {again} again")),
    }
}

fn read_manifest(dir: &Path) -> Result<ShardManifest, MergeError> {
    let path = dir.join(files::MANIFEST);
    let bytes = input::read(&path, files::SHARD_FILE).map_err(|e| unreadable(e, "that shard"))?;
    let text = String::from_utf8(bytes).map_err(|_| {
        MergeError(format!(
            "`{}` is damaged (it is not UTF-8 text); run that shard again",
            path.display()
        ))
    })?;
    let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        MergeError(format!(
            "`{}` is damaged ({e}); run that shard again",
            path.display()
        ))
    })?;
    if value.get("format").and_then(|f| f.as_str()) != Some(files::FORMAT) {
        return fail(format!(
            "`{}` is not a shard manifest of this version of alliance-sim (format {}, expected {:?}); merge with the version that wrote it, or run the shard again",
            path.display(),
            value.get("format").map_or("missing".to_string(), |f| f.to_string()),
            files::FORMAT
        ));
    }
    let m: ShardManifest = serde_json::from_value(value).map_err(|e| {
        MergeError(format!(
            "`{}` is damaged ({e}); run that shard again",
            path.display()
        ))
    })?;
    // The label names the results folder: it must be a plain name.
    if let Err(why) = files::check_label(&m.label) {
        return fail(format!(
            "`{}` labels its scenario \"{}\", which is not a plain name ({why}); a label is the scenario file's name without its folder; run that shard again",
            path.display(),
            files::excerpt(&m.label, 60)
        ));
    }
    let consistent = m.shard().is_some_and(|s| {
        let w = s.work(m.points.saturating_mul(m.runs));
        [w.start, w.end] == m.work
    }) && files::identity_sha256(&m.identity) == m.identity_sha256
        && m.identity.get("label").and_then(|l| l.as_str()) == Some(m.label.as_str())
        // The files it vouches for are its own, by their fixed names.
        && m.counts.file == files::COUNTS
        && m.runs_csv.as_ref().is_none_or(|r| r.file == files::RUNS);
    if !consistent {
        return fail(format!(
            "`{}` does not add up (its shard numbers, work, identity, label or file names disagree); run that shard again",
            path.display()
        ));
    }
    // Every shard's copy of the scenario, not only the one merged from.
    let scenario_sha256 = m.identity.get("scenario_sha256").and_then(|v| v.as_str());
    if let Err(why) = files::check_stored_sources(&m.scenario_files, scenario_sha256) {
        return fail(format!(
            "`{}` is damaged ({why}); run that shard again",
            path.display()
        ));
    }
    Ok(m)
}

/// Words for an identity field, for messages.
fn field_words(key: &str) -> &str {
    match key {
        "kind" => "command (run or sweep)",
        "label" => "scenario",
        "scenario_sha256" => "scenario hash",
        "tool_version" => "alliance-sim version",
        "per_run" => "--per-run",
        "rule" | "rules" => "rules",
        "design" | "samples" | "dimensions" | "points" => "design",
        "posterior" => "posterior (--posterior)",
        other => other,
    }
}

fn short(v: &serde_json::Value) -> String {
    let s = match v {
        serde_json::Value::String(s) if s.len() == 64 => format!("{}…", &s[..12]),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if s.chars().count() > 60 {
        format!("{}…", s.chars().take(59).collect::<String>())
    } else {
        s
    }
}

/// A posterior in an identity, for messages: its digest and draws, or none.
fn posterior_words(v: &serde_json::Value) -> String {
    match (v.get("sha256").and_then(|s| s.as_str()), v.get("draws")) {
        (Some(sha), Some(draws)) => {
            format!("{} ({draws} draws)", short(&serde_json::Value::from(sha)))
        }
        _ if v.is_null() => "none".into(),
        _ => short(v),
    }
}

/// How two identities differ, in words; empty if they do not.
fn differences(a: &serde_json::Value, b: &serde_json::Value) -> Vec<String> {
    let empty = serde_json::Map::new();
    let (a, b) = (
        a.as_object().unwrap_or(&empty),
        b.as_object().unwrap_or(&empty),
    );
    let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
    keys.sort();
    keys.dedup();
    let null = serde_json::Value::Null;
    let mut out: Vec<String> = Vec::new();
    for k in keys {
        let (x, y) = (a.get(k).unwrap_or(&null), b.get(k).unwrap_or(&null));
        if x != y {
            let words = if k == "posterior" {
                posterior_words
            } else {
                short
            };
            let text = format!("{} {} vs {}", field_words(k), words(x), words(y));
            if !out.contains(&text) {
                out.push(text);
            }
        }
    }
    out
}

/// `2, 5-9` for the sorted indices given.
fn ranges(indices: &[u64]) -> String {
    let mut parts = Vec::new();
    let mut i = 0;
    while i < indices.len() {
        let mut j = i;
        while j + 1 < indices.len() && indices[j + 1] == indices[j] + 1 {
            j += 1;
        }
        parts.push(if j == i {
            indices[i].to_string()
        } else {
            format!("{}-{}", indices[i], indices[j])
        });
        i = j + 1;
    }
    parts.join(", ")
}

impl ShardSet {
    /// Reads the shards at `paths` (shard folders, or folders holding them)
    /// and checks that they are every shard of one piece of work, once each.
    pub fn open(paths: &[PathBuf]) -> Result<ShardSet, MergeError> {
        let dirs = shard_folders(paths)?;
        let mut shards = Vec::with_capacity(dirs.len());
        for d in dirs {
            let m = read_manifest(&d)?;
            shards.push((d, m));
        }
        let (first_dir, first) = &shards[0];
        for (dir, m) in &shards[1..] {
            let diff = differences(
                &files::with_current_rule_labels(&first.identity),
                &files::with_current_rule_labels(&m.identity),
            );
            if !diff.is_empty() {
                let one = first_dir
                    .parent()
                    .unwrap_or(Path::new(""))
                    .join(files::folder_pattern(
                        first.kind,
                        &first.label,
                        first.shards,
                    ));
                return fail(format!(
                    "`{}` and `{}` are shards of different work ({}); merge the shards of one run or sweep at a time, e.g. {}",
                    first_dir.display(),
                    dir.display(),
                    diff.join("; "),
                    one.display()
                ));
            }
            if (m.points, m.runs, m.kind, &m.label)
                != (first.points, first.runs, first.kind, &first.label)
            {
                return fail(format!(
                    "`{}` and `{}` describe the same work differently (points, runs or label); run them again",
                    first_dir.display(),
                    dir.display()
                ));
            }
            if m.shards != first.shards {
                return fail(format!(
                    "`{}` is shard {} of {} but `{}` is shard {} of {}: the work was split two ways; merge the shards of one split",
                    first_dir.display(),
                    first.shard,
                    first.shards,
                    dir.display(),
                    m.shard,
                    m.shards
                ));
            }
        }
        let count = first.shards;
        let mut by_index: BTreeMap<u64, Vec<&Path>> = BTreeMap::new();
        for (dir, m) in &shards {
            by_index.entry(m.shard).or_default().push(dir);
        }
        if let Some((k, dirs)) = by_index.iter().find(|(_, d)| d.len() > 1) {
            let names: Vec<String> = dirs.iter().map(|d| format!("`{}`", d.display())).collect();
            return fail(format!(
                "shard {k} of {count} is given {} times: {}; give each shard once",
                dirs.len(),
                names.join(" and ")
            ));
        }
        let missing: Vec<u64> = (0..count).filter(|k| !by_index.contains_key(k)).collect();
        if !missing.is_empty() {
            let example = Shard::new(missing[0], count).expect("index below count");
            return fail(format!(
                "{} of {count} shards {} missing: {} (shard {} would be in a folder named `{}`); run {}, or if {} still running, wait for {}",
                missing.len(),
                if missing.len() == 1 { "is" } else { "are" },
                ranges(&missing),
                example,
                files::folder_name(first.kind, &first.label, example),
                if missing.len() == 1 { "it" } else { "them" },
                if missing.len() == 1 { "it is" } else { "they are" },
                if missing.len() == 1 { "it" } else { "them" },
            ));
        }
        shards.sort_by_key(|(_, m)| m.shard);
        Ok(ShardSet { shards })
    }

    /// The manifest of shard 0 (every shard's identity is the same).
    pub fn first(&self) -> &ShardManifest {
        &self.shards[0].1
    }

    /// The shard folders, in shard order.
    pub fn dirs(&self) -> impl Iterator<Item = &Path> {
        self.shards.iter().map(|(d, _)| d.as_path())
    }

    /// Number of shards.
    pub fn len(&self) -> usize {
        self.shards.len()
    }

    /// Always false: a set has at least one shard.
    pub fn is_empty(&self) -> bool {
        self.shards.is_empty()
    }

    /// Sums the shards' counts and hands `sink` the tally of each point, in
    /// point order, once all its runs are in. `members` and `levels` give the
    /// shape every tally must have.
    pub fn merge(
        &self,
        members: usize,
        levels: usize,
        sink: &mut dyn FnMut(u64, &Tally) -> io::Result<()>,
    ) -> Result<(), MergeError> {
        let mut open: Option<(u64, Tally)> = None;
        let mut line = String::new();
        for (dir, m) in &self.shards {
            let path = dir.join(&m.counts.file);
            let damaged = |why: String| {
                MergeError(format!(
                    "`{}` is damaged ({why}); run shard {} again",
                    path.display(),
                    m.shard
                ))
            };
            let expected: Vec<Piece> = super::pieces(m.work[0]..m.work[1], m.runs);
            let mut reader = CheckedLines::open(&path, expected.len() as u64)
                .map_err(|e| unreadable(e, &format!("shard {}", m.shard)))?;
            for piece in &expected {
                let more = reader.next_into(&mut line).map_err(damaged)?;
                if !more {
                    return Err(damaged("it ends early".into()));
                }
                let c: CountLine =
                    serde_json::from_str(&line).map_err(|e| damaged(e.to_string()))?;
                if c.point != piece.point || c.runs != [piece.runs.start, piece.runs.end] {
                    return Err(damaged(format!(
                        "it counts point {} runs {}..{} where point {} runs {}..{} were expected",
                        c.point,
                        c.runs[0],
                        c.runs[1],
                        piece.point,
                        piece.runs.start,
                        piece.runs.end
                    )));
                }
                check_tally(&c.tally, piece, members, levels).map_err(damaged)?;
                match &mut open {
                    Some((point, tally)) if *point == c.point => tally.merge(&c.tally),
                    _ => {
                        if let Some((point, tally)) = open.take() {
                            sink(point, &tally).map_err(|e| MergeError(e.to_string()))?;
                        }
                        open = Some((c.point, c.tally));
                    }
                }
            }
            let (sha, lines) = reader.finish().map_err(damaged)?;
            if lines != m.counts.lines || sha != m.counts.sha256 {
                return Err(damaged(
                    "its contents are not what shard.json recorded".into(),
                ));
            }
        }
        if let Some((point, tally)) = open.take() {
            sink(point, &tally).map_err(|e| MergeError(e.to_string()))?;
        }
        Ok(())
    }

    /// Copies the shards' `runs.csv` rows, in order, under one header into
    /// `out`. Fails if a shard has none.
    pub fn copy_runs_csv(&self, out: &mut dyn Write) -> Result<(), MergeError> {
        let mut line = String::new();
        let mut header: Option<String> = None;
        for (dir, m) in &self.shards {
            let Some(summary) = &m.runs_csv else {
                return fail(format!(
                    "`{}` has no {}: its shard ran without --per-run",
                    dir.display(),
                    files::RUNS
                ));
            };
            let path = dir.join(&summary.file);
            let damaged = |why: String| {
                MergeError(format!(
                    "`{}` is damaged ({why}); run shard {} again",
                    path.display(),
                    m.shard
                ))
            };
            let rows = m.work[1] - m.work[0];
            let mut reader = CheckedLines::open(&path, rows.saturating_add(1))
                .map_err(|e| unreadable(e, &format!("shard {}", m.shard)))?;
            if !reader.next_into(&mut line).map_err(damaged)? {
                return Err(damaged("it is empty".into()));
            }
            match &header {
                None => {
                    out.write_all(line.as_bytes())
                        .map_err(|e| MergeError(e.to_string()))?;
                    header = Some(line.clone());
                }
                Some(h) if *h == line => {}
                Some(_) => return Err(damaged("its header differs from shard 0's".into())),
            }
            while reader.next_into(&mut line).map_err(damaged)? {
                out.write_all(line.as_bytes())
                    .map_err(|e| MergeError(e.to_string()))?;
            }
            let (sha, lines) = reader.finish().map_err(damaged)?;
            if sha != summary.sha256 || lines != summary.lines || lines != rows + 1 {
                return Err(damaged(
                    "its contents are not what shard.json recorded".into(),
                ));
            }
        }
        Ok(())
    }
}

/// Checks that a tally read from a file is one `piece` could have made.
fn check_tally(t: &Tally, piece: &Piece, members: usize, levels: usize) -> Result<(), String> {
    let runs = piece.runs.end - piece.runs.start;
    let shape = t.levels.len() == levels
        && t.votes.len() == members
        && t.blocked.len() == members
        && t.sole_blocker.len() == members;
    if !shape {
        return Err(format!(
            "its counts are for {} options and {} members, not {levels} and {members}",
            t.levels.len(),
            t.votes.len()
        ));
    }
    let sum = |v: &[u64]| v.iter().try_fold(0u64, |a, x| a.checked_add(*x));
    let adds_up = t.runs == runs
        && sum(&t.levels) == Some(runs)
        && t.votes.iter().all(|v| sum(v) == Some(runs))
        && t.blocked.iter().chain(&t.sole_blocker).all(|x| *x <= runs);
    if !adds_up {
        return Err(format!(
            "the counts of point {} do not add up to its {runs} runs",
            piece.point
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ranges_are_compact() {
        assert_eq!(ranges(&[1]), "1");
        assert_eq!(ranges(&[0, 2, 3, 4, 7]), "0, 2-4, 7");
    }

    #[test]
    fn differences_name_fields_in_words() {
        let a = json!({"seed": 7, "label": "a", "runs": 10});
        let b = json!({"seed": 8, "label": "a", "runs": 10});
        assert_eq!(differences(&a, &b), vec!["seed 7 vs 8"]);
        let c = json!({"seed": 7, "label": "b", "runs": 10});
        assert_eq!(differences(&a, &c), vec!["scenario a vs b"]);
        assert!(differences(&a, &a).is_empty());
        let sha = "ab".repeat(32);
        let with = json!({"seed": 7, "posterior": {"sha256": sha, "draws": 3}});
        let without = json!({"seed": 7});
        assert_eq!(
            differences(&with, &without),
            vec!["posterior (--posterior) abababababab… (3 draws) vs none"]
        );
    }
}
