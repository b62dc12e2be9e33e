//! Hostile input files: shards whose `shard.json`, `counts.jsonl` or
//! `runs.csv` were tampered with (a label that is a path, file names that lead
//! out of the shard, links to `/dev/zero` or elsewhere, named pipes, a stored
//! scenario changed in a shard other than 0), a sweep resumed from damaged
//! partial files, and sweep, posterior and scenario files that are devices or
//! pipes. Each is refused with exit code 2 and a message naming the file,
//! writes nothing, and never hangs: the commands that would hang are run
//! under a guard that kills them and fails the test.
//!
//! Cases that need `/dev/zero` or `mkfifo` print why they are skipped where
//! those are missing.

use std::path::{Path, PathBuf};
use std::process::{Child, Output, Stdio};
use std::time::{Duration, Instant};

use alliance_sim::shard::files::identity_sha256;
use serde_json::Value;

use crate::util::{self, says, shipped, stderr, succeed};

/// How long a command may run before it counts as hung. Every command here
/// ends in well under a second when it works; the guard only turns a hang
/// into a failure.
const HANG_GUARD: Duration = Duration::from_secs(120);

/// Waits for `child`, killing it and failing if it outlives [`HANG_GUARD`].
fn wait_guarded(mut child: Child, what: &str) -> Output {
    let deadline = Instant::now() + HANG_GUARD;
    while child
        .try_wait()
        .expect("the child can be waited for")
        .is_none()
    {
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what} still ran after {HANG_GUARD:?}: it hangs");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

/// Runs `alliance-sim args` in `dir` under the hang guard.
fn guarded(dir: &Path, args: &[&str]) -> Output {
    let child = util::cmd(dir)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    wait_guarded(child, &format!("{args:?}"))
}

/// Runs `args` under the guard and asserts exit code 2, no panic, and a
/// message with every fragment.
fn refused(dir: &Path, args: &[&str], fragments: &[&str]) -> String {
    let out = guarded(dir, args);
    let err = stderr(&out);
    assert!(!err.contains("panicked"), "{args:?} panicked:\n{err}");
    assert_eq!(
        out.status.code(),
        Some(2),
        "{args:?} should exit with 2; stderr:\n{err}"
    );
    says(&err, fragments);
    err
}

/// Runs `merge shards --out merged` under the guard; asserts it is refused
/// with `fragments` and writes no results.
fn merge_refused(dir: &Path, fragments: &[&str]) {
    refused(dir, &["merge", "shards", "--out", "merged"], fragments);
    assert!(
        !dir.join("merged").exists(),
        "a refused merge wrote results"
    );
}

/// `n` shards of a small Armenia 2020 run in `dir/shards/`.
fn run_shards(dir: &Path, n: u64, extra: &[&str]) {
    let s = shipped("armenia_2020");
    for k in 0..n {
        let shard = format!("{k}/{n}");
        let args = [
            &["run", &s, "--runs", "300", "--out", "shards", "-q"][..],
            &["--shard", &shard],
            extra,
        ]
        .concat();
        succeed(dir, &args);
    }
}

/// The folder of shard `k` of `n` of the Armenia run.
fn shard_dir(dir: &Path, k: u64, n: u64) -> PathBuf {
    dir.join(format!("shards/armenia_2020.shard-{k}-of-{n}"))
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn write_json(path: &Path, v: &Value) {
    std::fs::write(path, serde_json::to_string_pretty(v).unwrap()).unwrap();
}

/// Sets a shard's label everywhere it is recorded, with the identity's hash
/// recomputed, so that the manifest looks whole.
fn relabel(m: &mut Value, label: &str) {
    m["label"] = Value::from(label);
    m["identity"]["label"] = Value::from(label);
    m["identity_sha256"] = Value::from(identity_sha256(&m["identity"]));
}

#[test]
fn merge_refuses_labels_that_are_not_plain_names() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    run_shards(dir, 1, &[]);
    let manifest = shard_dir(dir, 0, 1).join("shard.json");
    let pristine = read_json(&manifest);
    // Files an escaping merge would overwrite or delete.
    let victim = dir.join("victim");
    std::fs::create_dir(&victim).unwrap();
    for f in ["report.html", "runs.csv"] {
        std::fs::write(victim.join(f), "keep me").unwrap();
    }
    let long = "x".repeat(300);
    let labels = [
        victim.to_str().unwrap(),
        "../../escape",
        "..",
        ".",
        "a/b",
        "a\\b",
        "",
        "nul\0byte",
        "title\u{1b}]0;owned\u{7}",
        long.as_str(),
    ];
    for label in labels {
        let mut m = pristine.clone();
        relabel(&mut m, label);
        write_json(&manifest, &m);
        // Deep enough that `../..` would stay inside the temporary folder.
        let args = ["merge", "shards", "--out", "a/b/merged"];
        let err = refused(dir, &args, &["shard-0-of-1/shard.json", "not a plain name"]);
        assert!(!err.contains('\u{1b}'), "the label is echoed raw: {err:?}");
        assert!(!dir.join("a").exists(), "{label:?}: a refused merge wrote");
        for f in ["report.html", "runs.csv"] {
            assert_eq!(
                std::fs::read_to_string(victim.join(f)).unwrap(),
                "keep me",
                "{label:?}: {f} was touched"
            );
        }
        assert!(!victim.join("outcomes.csv").exists(), "{label:?}");
        assert!(!dir.join("outcomes.csv").exists(), "{label:?}");
    }
    write_json(&manifest, &pristine);
    succeed(dir, &["merge", "shards", "--out", "merged", "-q"]);
    assert!(dir.join("merged/armenia_2020/outcomes.csv").exists());

    // A sweep's label too; its folder is `<label>-sweep`.
    let s = shipped("armenia_2020");
    let sweep = [
        "sweep",
        &s,
        "--vary",
        "crisis.severity=0:1:2",
        "--runs",
        "50",
        "--out",
        "sweeps",
        "--shard",
        "0/1",
        "-q",
    ];
    succeed(dir, &sweep);
    let manifest = dir.join("sweeps/armenia_2020-sweep.shard-0-of-1/shard.json");
    let mut m = read_json(&manifest);
    relabel(&mut m, "../../escape");
    write_json(&manifest, &m);
    refused(
        dir,
        &["merge", "sweeps", "--out", "a/b/merged"],
        &["shard-0-of-1/shard.json", "not a plain name"],
    );
    assert!(!dir.join("a").exists(), "a refused sweep merge wrote");
}

#[test]
fn a_scenario_whose_name_cannot_label_a_shard_is_refused_before_running() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    // `...toml` has the stem `..`.
    std::fs::copy(shipped("armenia_2020"), dir.join("...toml")).unwrap();
    std::fs::create_dir_all(dir.join("csto")).unwrap();
    for f in ["roster.toml", "options.toml"] {
        std::fs::copy(
            util::root().join("scenarios/csto").join(f),
            dir.join("csto").join(f),
        )
        .unwrap();
    }
    let out = guarded(
        dir,
        &[
            "run", "...toml", "--runs", "50", "--out", "o/shards", "--shard", "0/1", "-q",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        !dir.join("o").exists(),
        "a shard that merge would refuse was written"
    );
}

#[test]
fn merge_refuses_file_names_that_lead_out_of_the_shard() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    run_shards(dir, 2, &["--per-run"]);
    let one = shard_dir(dir, 1, 2);
    let manifest = one.join("shard.json");
    let pristine = read_json(&manifest);
    // Exact copies outside the shard: only the name in shard.json leads there.
    std::fs::create_dir(dir.join("elsewhere")).unwrap();
    for f in ["counts.jsonl", "runs.csv"] {
        std::fs::copy(one.join(f), dir.join("elsewhere").join(f)).unwrap();
    }
    let outside = dir.join("elsewhere/counts.jsonl");
    let cases = [
        ("counts", outside.to_str().unwrap().to_string()),
        ("counts", "../../elsewhere/counts.jsonl".to_string()),
        ("runs_csv", "../../elsewhere/runs.csv".to_string()),
    ];
    for (key, name) in cases {
        let mut m = pristine.clone();
        m[key]["file"] = Value::from(name.as_str());
        write_json(&manifest, &m);
        merge_refused(dir, &["shard-1-of-2/shard.json", "does not add up"]);
    }
    write_json(&manifest, &pristine);
    succeed(dir, &["merge", "shards", "--out", "merged", "-q"]);
}

/// Makes a named pipe at `path`; false (with the reason printed) if `mkfifo`
/// is not available.
fn mkfifo(path: &Path) -> bool {
    match std::process::Command::new("mkfifo").arg(path).status() {
        Ok(s) if s.success() => true,
        other => {
            eprintln!("skipped the named pipe case: mkfifo failed ({other:?})");
            false
        }
    }
}

#[cfg(unix)]
#[test]
fn merge_refuses_shard_files_that_are_links_devices_or_pipes() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    run_shards(dir, 2, &["--per-run"]);
    let one = shard_dir(dir, 1, 2);
    let zero = Path::new("/dev/zero");
    if !zero.exists() {
        eprintln!("skipped the /dev/zero cases: /dev/zero does not exist here");
    }
    std::fs::create_dir(dir.join("elsewhere")).unwrap();
    for name in ["shard.json", "counts.jsonl", "runs.csv"] {
        let file = one.join(name);
        let kept = dir.join("elsewhere").join(name);
        std::fs::rename(&file, &kept).unwrap();
        let where_ = format!("shard-1-of-2/{name}");
        // A link to an exact copy: the shard's files are never links.
        std::os::unix::fs::symlink(&kept, &file).unwrap();
        merge_refused(dir, &[&where_, "symbolic link"]);
        std::fs::remove_file(&file).unwrap();
        // A link to an endless device: refused, not read until memory runs out.
        if zero.exists() {
            std::os::unix::fs::symlink(zero, &file).unwrap();
            merge_refused(dir, &[&where_, "symbolic link"]);
            std::fs::remove_file(&file).unwrap();
        }
        // A pipe nobody writes to: refused, not waited on.
        if mkfifo(&file) {
            merge_refused(dir, &[&where_, "named pipe"]);
            std::fs::remove_file(&file).unwrap();
        }
        // A folder where the file should be.
        std::fs::create_dir(&file).unwrap();
        merge_refused(dir, &[&where_]);
        std::fs::remove_dir(&file).unwrap();
        std::fs::rename(&kept, &file).unwrap();
    }
    succeed(dir, &["merge", "shards", "--out", "merged", "-q"]);
}

#[test]
fn merge_checks_the_stored_scenario_of_every_shard() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    run_shards(dir, 3, &[]);
    // Shard 2, not shard 0 that the scenario is rebuilt from.
    let manifest = shard_dir(dir, 2, 3).join("shard.json");
    let pristine = read_json(&manifest);
    let text = pristine["scenario_files"][0]["text"].as_str().unwrap();
    let changed = text.replacen("[crisis]", "[crisis]\n# changed after the run", 1);
    assert_ne!(changed, text);
    // The text changed, its own hash left as it was.
    let mut m = pristine.clone();
    m["scenario_files"][0]["text"] = Value::from(changed.as_str());
    write_json(&manifest, &m);
    merge_refused(dir, &["shard-2-of-3/shard.json", "does not match"]);
    // The text changed and its hash recomputed: the identity still names
    // the scenario the shard was run with.
    m["scenario_files"][0]["sha256"] =
        Value::from(alliance_sim::shard::files::sha256_hex(changed.as_bytes()));
    write_json(&manifest, &m);
    merge_refused(
        dir,
        &["shard-2-of-3/shard.json", "not those its identity names"],
    );
    // An included file (the roster), in the middle shard.
    let manifest = shard_dir(dir, 1, 3).join("shard.json");
    write_json(&shard_dir(dir, 2, 3).join("shard.json"), &pristine);
    let pristine = read_json(&manifest);
    let mut m = pristine.clone();
    let roster = m["scenario_files"][1]["text"].as_str().unwrap().to_string();
    let edited = format!("{roster}\n# edited\n");
    m["scenario_files"][1]["text"] = Value::from(edited.as_str());
    m["scenario_files"][1]["sha256"] =
        Value::from(alliance_sim::shard::files::sha256_hex(edited.as_bytes()));
    write_json(&manifest, &m);
    merge_refused(
        dir,
        &["shard-1-of-3/shard.json", "not those its identity names"],
    );
    write_json(&manifest, &pristine);
    succeed(dir, &["merge", "shards", "--out", "merged", "-q"]);
}

// A sweep resumed from damaged partial files.

/// Points, options and members of the Armenia sweeps below.
const POINTS: usize = 4;
const OPTIONS: usize = 5;
const MEMBERS: usize = 6;

fn sweep_args(runs: &str, out: &str) -> Vec<String> {
    [
        "sweep",
        &shipped("armenia_2020"),
        "--vary",
        &format!("crisis.severity=0:1:{POINTS}"),
        "--runs",
        runs,
        "--out",
        out,
        "-q",
        "--no-report",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

/// The in-progress file of `name` (`sweep_outcomes.csv`, ...) somewhere
/// under `out`: any file named `name` with a suffix, or `name` itself in a
/// folder other than the results folder.
fn in_progress(out: &Path, name: &str) -> Option<PathBuf> {
    let final_file = out.join("armenia_2020-sweep").join(name);
    let mut stack = vec![out.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).ok()?.flatten() {
            let p = e.path();
            let file_name = e.file_name().to_string_lossy().into_owned();
            if e.file_type().is_ok_and(|t| t.is_dir()) {
                stack.push(p);
            } else if file_name.starts_with(name) && p != final_file {
                return Some(p);
            }
        }
    }
    None
}

/// Asserts that a sweep sent SIGINT stopped: with exit code 130, or killed by
/// the signal if it came before the sweep's handler was in place (the files
/// are the same either way). Returns its stderr.
fn assert_stopped(out: &Output) -> String {
    use std::os::unix::process::ExitStatusExt;
    let err = stderr(out);
    assert!(
        out.status.code() == Some(130) || out.status.signal() == Some(2),
        "the sweep did not stop on SIGINT ({:?}): {err}",
        out.status
    );
    err
}

/// The partial files of a sweep that was stopped before its first point:
/// a sweep of a million million runs per point is started in `dir/out` and
/// sent SIGINT once its in-progress files (the manifest included) are in
/// place. Returns the paths of the partial outcomes and members files.
fn interrupted_sweep(dir: &Path) -> (PathBuf, PathBuf) {
    let args = sweep_args("1000000000000", "out");
    let child = util::cmd(dir)
        .args(&args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let out = dir.join("out");
    let deadline = Instant::now() + HANG_GUARD;
    let files = loop {
        let found = (
            in_progress(&out, "sweep_outcomes.csv"),
            in_progress(&out, "sweep_members.csv"),
        );
        if let (Some(o), Some(m)) = &found {
            let headed = |p: &Path| std::fs::read(p).is_ok_and(|b| b.contains(&b'\n'));
            let manifest = in_progress(&out, "manifest.json");
            if headed(o) && headed(m) && manifest.is_some_and(|p| headed(&p)) {
                break (o.clone(), m.clone());
            }
        }
        assert!(Instant::now() < deadline, "the sweep never started");
        std::thread::sleep(Duration::from_millis(20));
    };
    util::signal(&child, "INT");
    assert_stopped(&wait_guarded(child, "the interrupted sweep"));
    files
}

/// The rows of a finished sweep of the same design (fewer runs: the same
/// shape of rows), as the header and one string of rows per point.
fn reference_rows(dir: &Path, name: &str, rows_per_point: usize) -> (String, Vec<String>) {
    let args = sweep_args("100", "reference");
    succeed(dir, &util::refs(&args));
    let text =
        std::fs::read_to_string(dir.join("reference/armenia_2020-sweep").join(name)).unwrap();
    let mut lines = text.split_inclusive('\n');
    let header = lines.next().unwrap().to_string();
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), POINTS * rows_per_point);
    let points = rows.chunks(rows_per_point).map(|c| c.concat()).collect();
    (header, points)
}

#[cfg(unix)]
#[test]
fn sweep_resume_refuses_damage_inside_the_partial_files() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let (o_path, m_path) = interrupted_sweep(dir);
    let (o_head, o_points) = reference_rows(dir, "sweep_outcomes.csv", OPTIONS);
    let (m_head, m_points) = reference_rows(dir, "sweep_members.csv", MEMBERS);
    assert_eq!(std::fs::read_to_string(&o_path).unwrap(), o_head);
    let good_o = format!("{o_head}{}", o_points[..3].concat());
    let members = format!("{m_head}{}", m_points[..3].concat());
    // Point 1 starts on line 2 + OPTIONS.
    let line_of_point_1 = 2 + OPTIONS;
    let mut nul_page = good_o.clone().into_bytes();
    let start = o_head.len() + o_points[0].len() + 10;
    for b in &mut nul_page[start..start + 100] {
        *b = 0;
    }
    let mut ragged = format!("{o_head}{}", o_points[0]);
    ragged.push_str("1,0.333333,unanimity\n");
    ragged.push_str(&o_points[1..3].concat());
    let mut doubled = format!("{o_head}{}", o_points[0]);
    doubled.push_str(&o_points[0]);
    doubled.push_str(&o_points[1..3].concat());
    let cases: Vec<(Vec<u8>, String)> = vec![
        (nul_page, format!("damaged at line {line_of_point_1}")),
        (
            ragged.into_bytes(),
            format!("damaged at line {line_of_point_1}"),
        ),
        (
            doubled.into_bytes(),
            format!("damaged at line {line_of_point_1}"),
        ),
    ];
    let mut resume = sweep_args("1000000000000", "out");
    resume.push("--resume".into());
    for (outcomes, line) in cases {
        std::fs::write(&o_path, &outcomes).unwrap();
        std::fs::write(&m_path, &members).unwrap();
        refused(
            dir,
            &util::refs(&resume),
            &[
                "sweep_outcomes.csv",
                &line,
                "run without --resume to start over",
            ],
        );
        assert_eq!(
            std::fs::read(&o_path).unwrap(),
            outcomes,
            "resume changed the file"
        );
        assert_eq!(std::fs::read_to_string(&m_path).unwrap(), members);
        assert!(
            !dir.join("out/armenia_2020-sweep/sweep_outcomes.csv")
                .exists(),
            "a refused resume wrote results"
        );
    }
    // The members file, too.
    std::fs::write(&o_path, &good_o).unwrap();
    let mut bad_members = members.clone().into_bytes();
    let at = m_head.len() + 3;
    bad_members[at] = 0;
    std::fs::write(&m_path, &bad_members).unwrap();
    refused(
        dir,
        &util::refs(&resume),
        &["sweep_members.csv", "damaged at line 2", "NUL"],
    );
}

#[cfg(unix)]
#[test]
fn sweep_resume_cuts_a_damaged_tail_and_keeps_the_points_before_it() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let (o_path, m_path) = interrupted_sweep(dir);
    let (o_head, o_points) = reference_rows(dir, "sweep_outcomes.csv", OPTIONS);
    let (m_head, m_points) = reference_rows(dir, "sweep_members.csv", MEMBERS);
    // Two whole points, then as many lines of NUL bytes as a point has rows,
    // as a crash can leave at the end of a file.
    let keep_o = format!("{o_head}{}", o_points[..2].concat());
    let keep_m = format!("{m_head}{}", m_points[..2].concat());
    let nul_lines = |n: usize| {
        let mut v = Vec::new();
        for _ in 0..n {
            v.extend([0u8; 40]);
            v.push(b'\n');
        }
        v
    };
    std::fs::write(&o_path, [keep_o.as_bytes(), &nul_lines(OPTIONS)].concat()).unwrap();
    std::fs::write(&m_path, [keep_m.as_bytes(), &nul_lines(MEMBERS)].concat()).unwrap();
    // Resumed, the sweep cuts the tail and carries on with point 2 (for a
    // very long time): stop it once the tail is gone.
    let mut resume = sweep_args("1000000000000", "out");
    resume.push("--resume".into());
    let child = util::cmd(dir)
        .args(&resume)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let deadline = Instant::now() + HANG_GUARD;
    let mut child = Some(child);
    loop {
        let cut = |p: &Path| std::fs::read(p).is_ok_and(|b| !b.contains(&0));
        if cut(&o_path) && cut(&m_path) {
            break;
        }
        if let Some(status) = child.as_mut().unwrap().try_wait().unwrap() {
            let out = child.take().unwrap().wait_with_output().unwrap();
            panic!("the resumed sweep ended ({status}): {}", stderr(&out));
        }
        if Instant::now() > deadline {
            let mut c = child.take().unwrap();
            let _ = c.kill();
            let _ = c.wait();
            panic!("the resumed sweep kept the NUL bytes");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let child = child.take().unwrap();
    util::signal(&child, "INT");
    let stopped = wait_guarded(child, "the resumed sweep");
    let err = assert_stopped(&stopped);
    if stopped.status.code() == Some(130) {
        says(&err, &[&format!("after 2 of {POINTS} points")]);
    }
    assert_eq!(std::fs::read_to_string(&o_path).unwrap(), keep_o);
    assert_eq!(std::fs::read_to_string(&m_path).unwrap(), keep_m);
}

// Sweep, posterior and scenario files that are not regular files.

#[cfg(unix)]
#[test]
fn input_files_that_are_devices_or_pipes_are_refused() {
    let tmp = util::temp_with(&[("sweep.toml", "[vary]\n\"crisis.severity\" = [0.2, 0.8]\n")]);
    let dir = tmp.path();
    let s = shipped("armenia_2020");
    let nothing_written = |what: &str| {
        assert!(!dir.join("out").exists(), "{what}: results were written");
    };
    // A sweep file larger than a scenario file may be.
    let big = std::fs::File::create(dir.join("big.toml")).unwrap();
    big.set_len(4 * 1024 * 1024 + 1).unwrap();
    refused(
        dir,
        &["sweep", &s, "--sweep-file", "big.toml", "--out", "out"],
        &["big.toml", "sweep files are limited to 4194304 bytes"],
    );
    nothing_written("a large sweep file");
    // A sweep file that is not UTF-8 is refused with its position.
    std::fs::write(dir.join("latin1.toml"), b"[sweep]\n# caf\xe9\n").unwrap();
    refused(
        dir,
        &["sweep", &s, "--sweep-file", "latin1.toml", "--out", "out"],
        &["latin1.toml:2:6", "not UTF-8"],
    );
    let zero = Path::new("/dev/zero");
    if zero.exists() {
        refused(
            dir,
            &["sweep", &s, "--sweep-file", "/dev/zero", "--out", "out"],
            &["`/dev/zero` is a character device, not a regular file"],
        );
        nothing_written("--sweep-file /dev/zero");
        std::os::unix::fs::symlink(zero, dir.join("zero.toml")).unwrap();
        refused(
            dir,
            &["sweep", &s, "--sweep-file", "zero.toml", "--out", "out"],
            &["zero.toml", "character device"],
        );
        nothing_written("--sweep-file zero.toml");
    } else {
        eprintln!("skipped the /dev/zero cases: /dev/zero does not exist here");
    }
    if mkfifo(&dir.join("pipe")) {
        refused(
            dir,
            &["sweep", &s, "--sweep-file", "pipe", "--out", "out"],
            &["`pipe` is a named pipe (FIFO), not a regular file"],
        );
        nothing_written("--sweep-file pipe");
        refused(
            dir,
            &["run", &s, "--posterior", "pipe", "--out", "out"],
            &["pipe", "named pipe"],
        );
        nothing_written("--posterior pipe");
        refused(dir, &["check", "pipe"], &["pipe", "named pipe"]);
    }
    // A link to a real sweep file is followed: the user named it.
    std::os::unix::fs::symlink(dir.join("sweep.toml"), dir.join("link.toml")).unwrap();
    succeed(
        dir,
        &[
            "sweep",
            &s,
            "--sweep-file",
            "link.toml",
            "--runs",
            "50",
            "--out",
            "out",
            "-q",
            "--no-report",
        ],
    );
}
