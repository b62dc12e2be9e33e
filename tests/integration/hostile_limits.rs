//! Resource limits against hostile input: includes that fan out, long id
//! lists, a sweep's chart phase over many points, and signals that arrive
//! before a command has started its main work. Each case is sized so that the
//! code before these limits would take minutes or gigabytes on it; with the
//! limits each test is quick, so a regression shows as a hang that the CI
//! timeout catches. No test asserts on elapsed time.

use std::path::{Path, PathBuf};

use alliance_sim::scenario::{self, limits};

use crate::util::{self, fail, says, succeed};

/// A shipped case by absolute path, as an `include` entry can name it.
fn shipped_include(stem: &str) -> String {
    util::scenario(stem).to_str().unwrap().to_string()
}

/// An `include = [...]` line naming `names`.
fn include_line(names: &[String]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("{n:?}")).collect();
    format!("include = [{}]\n", quoted.join(", "))
}

/// A comment block of about `bytes` bytes, valid TOML.
fn filler(bytes: usize) -> String {
    let line = format!("# {}\n", "x".repeat(97));
    line.repeat(bytes / line.len() + 1)
}

/// Every file named `name` under `dir`, at any depth.
fn find(dir: &Path, name: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                todo.push(p);
            } else if e.file_name() == name {
                found.push(p);
            }
        }
    }
    found
}

// ---------------------------------------------------------------- includes

/// Fifteen levels of small files, each level under six names (hard links of
/// one file), each file including all six names of the next level twice
/// over: the same file is reached again and again through other names. It
/// must be read once, however it is named.
#[cfg(unix)]
#[test]
fn a_file_reached_under_many_names_is_read_once() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let names = |level: usize| -> Vec<String> {
        "abcdef"
            .chars()
            .map(|c| format!("level{level}_{c}.toml"))
            .collect()
    };
    for level in (0..15).rev() {
        let text = if level == 14 {
            "# the last level\n".to_string()
        } else {
            let mut next = names(level + 1);
            next.extend(names(level + 1));
            include_line(&next)
        };
        let first = dir.join(&names(level)[0]);
        std::fs::write(&first, text).unwrap();
        for other in &names(level)[1..] {
            std::fs::hard_link(&first, dir.join(other)).unwrap();
        }
    }
    let main = dir.join("main.toml");
    std::fs::write(
        &main,
        include_line(&[shipped_include("kazakhstan_2022"), names(0)[0].clone()]),
    )
    .unwrap();
    let s = scenario::load(&main).unwrap_or_else(|e| panic!("{e}"));
    // main, kazakhstan_2022 with its roster and options, one file per level.
    assert_eq!(
        s.sources.len(),
        1 + 3 + 15,
        "files read: {:?}",
        s.sources.iter().map(|f| &f.path).collect::<Vec<_>>()
    );
    let o = succeed(dir, &["check", "main.toml"]);
    says(&util::stdout(&o), &["ok: main.toml"]);
}

/// One file of 3 MB included under twenty names (hard links): read once, and
/// the report holds its text once, not twenty times.
#[cfg(unix)]
#[test]
fn a_large_file_included_under_many_names_is_reported_once() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let big = filler(3 << 20);
    std::fs::write(dir.join("notes.toml"), &big).unwrap();
    let mut includes = vec![shipped_include("kazakhstan_2022"), "notes.toml".into()];
    for k in 1..20 {
        let name = format!("notes_{k}.toml");
        std::fs::hard_link(dir.join("notes.toml"), dir.join(&name)).unwrap();
        includes.push(name);
    }
    std::fs::write(dir.join("main.toml"), include_line(&includes)).unwrap();
    let s = scenario::load(&dir.join("main.toml")).unwrap_or_else(|e| panic!("{e}"));
    let copies = s.sources.iter().filter(|f| f.text == big).count();
    assert_eq!(copies, 1, "the linked file was read {copies} times");

    succeed(
        dir,
        &[
            "run",
            "main.toml",
            "--runs",
            "10",
            "--out",
            "out",
            "--quiet",
        ],
    );
    let reports = find(&dir.join("out"), "report.html");
    assert_eq!(reports.len(), 1, "one report: {reports:?}");
    let html = std::fs::read_to_string(&reports[0]).unwrap();
    let line = format!("# {}", "x".repeat(97));
    let times = html.matches(&line).count() / big.matches(&line).count();
    assert_eq!(times, 1, "the report holds the linked file {times} times");
}

/// More include entries than the limit, counted over every file (here a
/// file listing 1,100 distinct small files): refused with the limit named,
/// exit code 2, nothing written.
#[test]
fn includes_beyond_the_total_count_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::create_dir(dir.join("parts")).unwrap();
    let mut includes = vec![shipped_include("kazakhstan_2022")];
    for k in 0..1100 {
        let name = format!("parts/p{k}.toml");
        std::fs::write(dir.join(&name), "# empty\n").unwrap();
        includes.push(name);
    }
    std::fs::write(dir.join("main.toml"), include_line(&includes)).unwrap();
    let err = fail(
        dir,
        &[
            "run",
            "main.toml",
            "--runs",
            "10",
            "--out",
            "out",
            "--quiet",
        ],
    );
    says(
        &err,
        &[
            "main.toml:1:",
            "include",
            &format!("more than {} includes", limits::MAX_INCLUDES),
        ],
    );
    assert!(!dir.join("out").exists(), "something was written");
}

/// Five distinct files of 3.5 MB each, every one under the limit of one file
/// but together over the limit of one scenario: refused at the include that
/// crosses it, naming that file and the limit.
#[test]
fn a_scenario_over_the_total_size_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let mut includes = vec![shipped_include("kazakhstan_2022")];
    for k in 0..5 {
        let name = format!("part{k}.toml");
        // Distinct texts, so that no two are the same file by any measure.
        let text = format!("# part {k}\n{}", filler(3_500_000));
        std::fs::write(dir.join(&name), text).unwrap();
        includes.push(name);
    }
    std::fs::write(dir.join("main.toml"), include_line(&includes)).unwrap();
    let err = fail(
        dir,
        &[
            "run",
            "main.toml",
            "--runs",
            "10",
            "--out",
            "out",
            "--quiet",
        ],
    );
    says(
        &err,
        &[
            "main.toml:1:",
            "part4.toml",
            &format!("at most {} bytes in total", limits::MAX_SCENARIO_BYTES),
        ],
    );
    assert!(!dir.join("out").exists(), "something was written");
}
