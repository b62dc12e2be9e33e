//! The corpus of malformed scenarios in `tests/bad_scenarios/`: every case
//! must be refused with exit code 2 and a message that names the file, the
//! line where it is known, and the field, without a panic and without writing
//! anything to the output folder.
//!
//! Each case file starts with comment lines that say what it tests and what
//! the tool must print (see `tests/bad_scenarios/README.md`):
//!
//! ```text
//! # case: a misspelt member key (sovreignty)
//! # expect: 015_unknown_key_member.toml:8:1: members.KAZ.sovreignty
//! # expect: help: did you mean `sovereignty`?
//! # command: sweep --vary crisis.severity=0:1:3     (optional)
//! ```
//!
//! Without `# command:`, a case is run as `check FILE` and as
//! `run FILE --out OUT`; with it, as `SUBCOMMAND FILE ARGS... --out OUT`
//! (`--out` only for `run` and `sweep`). The binary runs inside
//! `tests/bad_scenarios/`, so messages show the short file name.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::util;

/// The corpus must hold at least this many cases.
const MIN_CASES: usize = 40;

/// Longest a single invocation may take: every case should be refused before
/// any run starts, so this only stops a case the tool wrongly accepts (such
/// as a sweep of a billion points) from hanging the test.
const TIME_LIMIT: Duration = Duration::from_secs(60);

/// One case file and what its header asks of the tool.
struct Case {
    /// File name, e.g. `015_unknown_key_member.toml`.
    name: String,
    /// The `# case:` lines.
    what: Vec<String>,
    /// The `# expect:` fragments, each of which stderr must contain.
    expects: Vec<String>,
    /// The `# command:` words (subcommand first), if any.
    command: Option<Vec<String>>,
}

fn corpus_dir() -> PathBuf {
    util::root().join("tests").join("bad_scenarios")
}

/// Reads the header of a case: the comment lines at the top of the file.
/// The file is read as bytes, since one case is deliberately not UTF-8.
fn parse_case(path: &Path) -> Case {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let text = String::from_utf8_lossy(&bytes);
    let mut case = Case {
        name: path.file_name().unwrap().to_string_lossy().into_owned(),
        what: Vec::new(),
        expects: Vec::new(),
        command: None,
    };
    for line in text.lines().take_while(|l| l.starts_with('#')) {
        let line = line.trim_end();
        if let Some(rest) = line.strip_prefix("# case:") {
            case.what.push(rest.trim().to_string());
        } else if let Some(rest) = line.strip_prefix("# expect:") {
            case.expects.push(rest.trim().to_string());
        } else if let Some(rest) = line.strip_prefix("# command:") {
            case.command = Some(rest.split_whitespace().map(String::from).collect());
        }
    }
    case
}

/// Every case in the corpus, sorted by file name. Files in subfolders (such
/// as `parts/`, which cases include) are not cases themselves.
fn cases() -> Vec<Case> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(corpus_dir())
        .expect("tests/bad_scenarios exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "toml"))
        .collect();
    paths.sort();
    paths.iter().map(|p| parse_case(p)).collect()
}

/// The argument lists to run for a case; `out` is the output folder.
fn invocations(case: &Case, out: &Path) -> Vec<Vec<String>> {
    let out = out.display().to_string();
    match &case.command {
        None => vec![
            vec!["check".into(), case.name.clone()],
            vec!["run".into(), case.name.clone(), "--out".into(), out],
        ],
        Some(words) => {
            let mut args = vec![words[0].clone(), case.name.clone()];
            args.extend(words[1..].iter().cloned());
            if matches!(words[0].as_str(), "run" | "sweep") {
                args.extend(["--out".to_string(), out]);
            }
            vec![args]
        }
    }
}

/// What one invocation did.
struct Outcome {
    /// Exit code; `None` if it was killed by a signal or the time limit.
    code: Option<i32>,
    stderr: String,
    timed_out: bool,
}

/// Runs the binary in the corpus folder with `args`, killing it after
/// [`TIME_LIMIT`]. Output goes to files in `scratch`, so a chatty process
/// cannot block on a full pipe.
fn invoke(args: &[String], scratch: &Path) -> Outcome {
    let stdout_path = scratch.join("stdout");
    let stderr_path = scratch.join("stderr");
    let mut child = util::cmd(&corpus_dir())
        .args(args)
        .stdin(Stdio::null())
        .stdout(File::create(&stdout_path).unwrap())
        .stderr(File::create(&stderr_path).unwrap())
        .spawn()
        .expect("the binary starts");
    let start = Instant::now();
    let (status, timed_out) = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break (Some(status), false);
        }
        if start.elapsed() > TIME_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            break (None, true);
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let stderr = String::from_utf8_lossy(&std::fs::read(&stderr_path).unwrap()).into_owned();
    Outcome {
        code: status.and_then(|s| s.code()),
        stderr,
        timed_out,
    }
}

/// Everything in `out`, if it exists (nothing should).
fn written(out: &Path) -> Vec<PathBuf> {
    match std::fs::read_dir(out) {
        Ok(entries) => entries.map(|e| e.unwrap().path()).collect(),
        Err(_) => Vec::new(),
    }
}

/// The problems with one invocation of a case, empty if it behaved.
fn problems(case: &Case, outcome: &Outcome, out: &Path) -> Vec<String> {
    let mut found = Vec::new();
    if outcome.timed_out {
        found.push(format!(
            "still running after {}s: was the file accepted?",
            TIME_LIMIT.as_secs()
        ));
    } else if outcome.code != Some(2) {
        found.push(format!("exit code {:?}, expected 2", outcome.code));
    }
    if outcome.stderr.contains("panicked") {
        found.push("panicked".into());
    }
    for fragment in &case.expects {
        if !outcome.stderr.contains(fragment.as_str()) {
            found.push(format!("stderr lacks `{fragment}`"));
        }
    }
    let files = written(out);
    if !files.is_empty() {
        found.push(format!(
            "wrote to the output folder despite the error: {files:?}"
        ));
    }
    found
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("    | {l}\n"))
        .collect::<String>()
}

/// Every case is refused with exit code 2 and its expected message, does not
/// panic and writes nothing. All failures are reported together.
#[test]
fn every_bad_scenario_is_refused_with_its_message() {
    let cases = cases();
    assert!(
        cases.len() >= MIN_CASES,
        "tests/bad_scenarios holds {} cases; at least {MIN_CASES} are required",
        cases.len()
    );
    let listing_before = corpus_listing();
    let mut failures = Vec::new();
    for case in &cases {
        let scratch = tempfile::tempdir().expect("temp dir");
        let out = scratch.path().join("out");
        for args in invocations(case, &out) {
            let outcome = invoke(&args, scratch.path());
            let found = problems(case, &outcome, &out);
            if !found.is_empty() {
                failures.push(format!(
                    "{} ({}):\n  alliance-sim {}\n{}  stderr:\n{}",
                    case.name,
                    case.what.join(" "),
                    args.join(" ").replace(&out.display().to_string(), "OUT"),
                    found
                        .iter()
                        .map(|p| format!("  - {p}\n"))
                        .collect::<String>(),
                    indent(&outcome.stderr)
                ));
            }
            // Fresh output folder for the next invocation.
            let _ = std::fs::remove_dir_all(&out);
        }
    }
    assert_eq!(
        listing_before,
        corpus_listing(),
        "running the cases changed tests/bad_scenarios (was something written beside them?)"
    );
    assert!(
        failures.is_empty(),
        "{} of {} bad-scenario invocations misbehaved:\n\n{}",
        failures.len(),
        cases
            .iter()
            .map(|c| invocations(c, Path::new("OUT")).len())
            .sum::<usize>(),
        failures.join("\n")
    );
}

/// The names in the corpus folder and its subfolders.
fn corpus_listing() -> Vec<PathBuf> {
    fn walk(dir: &Path, into: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, into);
            }
            into.push(p);
        }
    }
    let mut all = Vec::new();
    walk(&corpus_dir(), &mut all);
    all.sort();
    all
}

/// Whether an expected fragment pins down where the problem is: a line
/// number (`FILE.toml:12`), a dotted field path (`members.KAZ.gdp`), a
/// field right after the file name (`FILE.toml: crisis: missing`), or a
/// command-line flag (`--per-run`).
fn names_place(fragment: &str) -> bool {
    let has_line = fragment.match_indices(".toml:").any(|(i, m)| {
        fragment[i + m.len()..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit())
    });
    let has_field_or_flag = fragment
        .split(|c: char| c.is_whitespace() || c == '`')
        .map(|w| w.trim_matches(|c: char| matches!(c, ':' | ',' | '?' | '(' | ')')))
        .any(|w| {
            let field = w.contains('.')
                && !w.ends_with(".toml")
                && w.starts_with(|c: char| c.is_ascii_alphabetic())
                && w.split('.').all(|part| {
                    !part.is_empty()
                        && part
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '*'))
                });
            let flag = w.len() > 2
                && w.starts_with("--")
                && w[2..].chars().all(|c| c.is_ascii_lowercase() || c == '-');
            field || flag
        });
    // `FILE.toml: FIELD: message`, for a problem that has no line.
    let has_top_field = fragment.split(".toml: ").skip(1).any(|rest| {
        rest.split_once(':').is_some_and(|(field, _)| {
            !field.is_empty()
                && field
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        })
    });
    has_line || has_field_or_flag || has_top_field
}

/// No case silently expects nothing: each says what it tests, and at least
/// one of its expected fragments names a line, a field or a flag.
#[test]
fn every_bad_scenario_states_what_it_expects() {
    let mut bad = Vec::new();
    let mut widths = std::collections::BTreeSet::new();
    for case in cases() {
        if case.what.len() != 1 {
            bad.push(format!("{}: needs exactly one `# case:` line", case.name));
        }
        if case.expects.iter().any(|e| e.is_empty()) {
            bad.push(format!("{}: an empty `# expect:` line", case.name));
        }
        if !case.expects.iter().any(|e| names_place(e)) {
            bad.push(format!(
                "{}: no `# expect:` line names a line number, a field or a flag",
                case.name
            ));
        }
        if let Some(words) = &case.command {
            if !matches!(
                words.first().map(String::as_str),
                Some("check" | "run" | "sweep" | "params" | "explain")
            ) {
                bad.push(format!(
                    "{}: `# command:` must start with a subcommand",
                    case.name
                ));
            }
        }
        let digits = case.name.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 || case.name.as_bytes().get(digits) != Some(&b'_') {
            bad.push(format!("{}: name it NNN_short_name.toml", case.name));
        }
        widths.insert(digits);
    }
    if widths.len() > 1 {
        bad.push(format!(
            "case numbers have different widths {widths:?}; pad them alike so they sort in order"
        ));
    }
    assert!(bad.is_empty(), "badly written cases:\n{}", bad.join("\n"));
}

#[test]
fn names_place_recognises_lines_fields_and_flags() {
    assert!(names_place(
        "07_unknown_key.toml:12:1: members.KAZ.sovreignty"
    ));
    assert!(names_place("crisis.severity"));
    assert!(names_place("`crisis.severity`"));
    assert!(names_place("--per-run writes"));
    assert!(names_place("20_missing_crisis.toml: crisis: missing"));
    assert!(!names_place("did you mean `sovereignty`?"));
    assert!(!names_place("07_unknown_key.toml"));
    assert!(!names_place("0.0000% of its mass"));
}

/// A file over the 4 MiB limit is refused, read directly or included, with a
/// message that names it and the limit. Made on the fly: such a file is not
/// worth keeping in the repository.
#[test]
fn oversized_scenario_file_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let line = "# padding: this file is only a comment, and far too long\n";
    let big = line.repeat(4 * 1024 * 1024 / line.len() + 1);
    assert!(big.len() > 4 * 1024 * 1024);
    std::fs::write(dir.path().join("big.toml"), big).unwrap();
    std::fs::write(
        dir.path().join("includes_big.toml"),
        "# includes a file over the size limit\ninclude = [\"big.toml\"]\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    let out_arg = out.display().to_string();
    for (file, place) in [
        ("big.toml", "big.toml: "),
        ("includes_big.toml", "includes_big.toml:2:12: include: "),
    ] {
        for args in [
            vec!["check", file],
            vec!["run", file, "--out", out_arg.as_str()],
        ] {
            let err = util::fail(dir.path(), &args);
            for fragment in [place, "big.toml", "4194304 bytes"] {
                assert!(
                    err.contains(fragment),
                    "{args:?}: stderr lacks `{fragment}`:\n{err}"
                );
            }
            assert!(written(&out).is_empty(), "{args:?} wrote to {out:?}");
        }
    }
}
