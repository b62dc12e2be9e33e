//! Helpers shared by the integration tests.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root (where Cargo.toml is).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A shipped scenario file by stem, e.g. `scenario("kazakhstan_2022")`.
pub fn scenario(stem: &str) -> PathBuf {
    root().join("scenarios").join(format!("{stem}.toml"))
}

/// A shipped scenario's path as an argument.
pub fn shipped(stem: &str) -> String {
    scenario(stem).to_str().unwrap().to_string()
}

/// Asserts that `err` contains every fragment.
pub fn says(err: &str, fragments: &[&str]) {
    for f in fragments {
        assert!(err.contains(f), "message lacks `{f}`:\n{err}");
    }
}

/// Borrowed views of owned arguments.
pub fn refs(args: &[String]) -> Vec<&str> {
    args.iter().map(String::as_str).collect()
}

/// The built `alliance-sim` binary, ready to run in `dir`.
pub fn cmd(dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_alliance-sim"));
    c.current_dir(dir);
    c
}

/// Runs the binary with `args` in `dir`.
pub fn run(dir: &Path, args: &[&str]) -> Output {
    cmd(dir).args(args).output().expect("the binary starts")
}

/// stdout as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// stderr as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Runs `alliance-sim args` in `dir`; asserts it did not panic.
pub fn exec(dir: &Path, args: &[&str]) -> Output {
    let o = run(dir, args);
    let err = stderr(&o);
    assert!(!err.contains("panicked"), "{args:?} panicked:\n{err}");
    o
}

/// Runs and asserts success.
pub fn succeed(dir: &Path, args: &[&str]) -> Output {
    let o = exec(dir, args);
    assert!(
        o.status.success(),
        "{args:?} failed with {:?}:\n{}",
        o.status.code(),
        stderr(&o)
    );
    o
}

/// Runs and asserts exit code 2 (bad input); returns stderr.
pub fn fail(dir: &Path, args: &[&str]) -> String {
    let o = exec(dir, args);
    let err = stderr(&o);
    assert_eq!(
        o.status.code(),
        Some(2),
        "{args:?} should exit with 2; stderr:\n{err}"
    );
    err
}

/// Writes `files` (relative path, contents) into a new temporary folder.
pub fn temp_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, text) in files {
        let p = dir.path().join(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(p, text).unwrap();
    }
    dir
}

/// Sends the signal named `name` (as `kill` takes it: `INT`, `TERM`) to `child`.
pub fn signal(child: &std::process::Child, name: &str) {
    let status = Command::new("kill")
        .args([format!("-{name}"), child.id().to_string()])
        .status()
        .expect("`kill` runs");
    assert!(status.success(), "kill -{name} failed");
}

/// Starts the binary with `args` in `dir`, in the background: no input,
/// stdout dropped, stderr captured.
pub fn spawn<S: AsRef<std::ffi::OsStr>>(dir: &Path, args: &[S]) -> std::process::Child {
    cmd(dir)
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the binary starts")
}

/// The rows of a CSV file, each as column name to text.
pub fn csv_rows(path: &Path) -> Vec<std::collections::HashMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    r.records()
        .map(|rec| {
            header
                .iter()
                .cloned()
                .zip(rec.unwrap().iter().map(String::from))
                .collect()
        })
        .collect()
}
