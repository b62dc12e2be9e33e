//! `--shard K/N` and `alliance-sim merge` end to end: shards of a run and of a
//! sweep (grid, Latin hypercube, one at a time), merged, give byte for byte
//! the files one process writes, for several N including N larger than the
//! work and shards run at different thread counts; `--shard auto` reads Slurm
//! and Kubernetes variables; the merge needs no scenario file; and the merge
//! refuses, exit 2 and nothing written, shards that do not make one whole.

use std::path::{Path, PathBuf};

use crate::util::{self, cmd, fail, refs, says, shipped, stderr, stdout, succeed};

fn with(base: &[&str], extra: &[&str]) -> Vec<String> {
    base.iter().chain(extra).map(|s| s.to_string()).collect()
}

/// Asserts that every file in `names` is the same in both folders.
fn same_files(a: &Path, b: &Path, names: &[&str], what: &str) {
    for name in names {
        let (x, y) = (a.join(name), b.join(name));
        let x = std::fs::read(&x).unwrap_or_else(|e| panic!("{what}: {}: {e}", x.display()));
        let y = std::fs::read(&y).unwrap_or_else(|e| panic!("{what}: {}: {e}", y.display()));
        assert!(
            x == y,
            "{what}: {name} differs between one process and the merged shards"
        );
    }
}

/// Runs `args` once whole into `single/`, then as `n` shards into
/// `shards-n/` (alternating 1 and 2 threads), merges them into `merged-n/`,
/// and returns the folders holding the results to compare.
fn whole_and_merged(dir: &Path, args: &[String], n: u64, result: &str) -> (PathBuf, PathBuf) {
    let single = dir.join("single");
    if !single.join(result).exists() {
        let mut a = args.to_vec();
        a.extend(["--out".into(), "single".into(), "-q".into()]);
        succeed(dir, &refs(&a));
    }
    for k in 0..n {
        let mut a = args.to_vec();
        a.extend([
            "--out".into(),
            format!("shards-{n}"),
            "--shard".into(),
            format!("{k}/{n}"),
            "--threads".into(),
            (1 + k % 2).to_string(),
            "-q".into(),
        ]);
        succeed(dir, &refs(&a));
    }
    let out = format!("merged-{n}");
    let merged = succeed(dir, &["merge", &format!("shards-{n}"), "--out", &out]);
    assert!(
        stdout(&merged).contains(&format!("merged {n} shard")),
        "{}",
        stdout(&merged)
    );
    (single.join(result), dir.join(out).join(result))
}

#[test]
fn shards_of_a_run_merge_into_the_same_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let runs = 9_001u64;
    let base = with(
        &["run", &shipped("kyrgyzstan_2010"), "--per-run"],
        &["--runs", &runs.to_string()],
    );
    // N = 1, a few uneven splits, and more shards than runs of a tiny run.
    for n in [1, 2, 3, 7] {
        let (a, b) = whole_and_merged(tmp.path(), &base, n, "kyrgyzstan_2010");
        same_files(
            &a,
            &b,
            &["outcomes.csv", "members.csv", "runs.csv", "outcomes.svg"],
            &format!("run in {n} shards"),
        );
        assert_eq!(
            crate::markup::check_folder(&b),
            2,
            "outcomes.svg and report.html"
        );
    }
    let tiny = tempfile::tempdir().unwrap();
    let base = with(
        &["run", &shipped("armenia_2020"), "--per-run"],
        &["--runs", "5"],
    );
    let (a, b) = whole_and_merged(tiny.path(), &base, 8, "armenia_2020");
    same_files(
        &a,
        &b,
        &["outcomes.csv", "members.csv", "runs.csv", "outcomes.svg"],
        "5 runs in 8 shards",
    );
    assert_eq!(crate::markup::check_folder(&b), 2);
    // The merged manifest says where the results came from.
    let m = std::fs::read_to_string(b.join("manifest.json")).unwrap();
    assert!(
        m.contains("\"shards\": 8") && !m.contains("\"threads\""),
        "{m}"
    );
}

#[test]
fn shards_of_a_sweep_merge_into_the_same_bytes() {
    let scenario = shipped("armenia_2020");
    let designs: [(&str, Vec<&str>); 3] = [
        (
            "grid",
            vec![
                "--vary",
                "crisis.severity=0:1:3",
                "--rules",
                "unanimity,majority",
            ],
        ),
        (
            "lhs",
            vec![
                "--design",
                "lhs",
                "--samples",
                "4",
                "--vary",
                "crisis.severity=0:1",
                "--vary",
                "montecarlo.noise=0.05:0.3",
            ],
        ),
        (
            "oat",
            vec![
                "--design",
                "oat",
                "--vary",
                "crisis.severity=0.2,0.8",
                "--vary",
                "montecarlo.noise=0.1,0.2",
            ],
        ),
    ];
    for (name, extra) in designs {
        let tmp = tempfile::tempdir().unwrap();
        let mut base = with(&["sweep", &scenario, "--runs", "301"], &extra);
        base.push("--no-report".into());
        // 6, 4 and 5 points x 301 runs; 2000 shards is more than the work.
        for n in [1, 3, 4, 2000] {
            if n == 2000 && name != "grid" {
                continue;
            }
            let (a, b) = whole_and_merged(tmp.path(), &base, n, "armenia_2020-sweep");
            same_files(
                &a,
                &b,
                &["sweep_outcomes.csv", "sweep_members.csv"],
                &format!("{name} sweep in {n} shards"),
            );
        }
    }
}

#[test]
fn merged_sweeps_have_the_same_charts() {
    let tmp = tempfile::tempdir().unwrap();
    let base = with(
        &["sweep", &shipped("kazakhstan_2022"), "--runs", "200"],
        &[
            "--vary",
            "crisis.severity=0:1:4",
            "--rules",
            "unanimity,majority",
        ],
    );
    let (a, b) = whole_and_merged(tmp.path(), &base, 3, "kazakhstan_2022-sweep");
    let charts: Vec<String> = std::fs::read_dir(&a)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".svg"))
        .collect();
    assert!(!charts.is_empty());
    same_files(&a, &b, &refs(&charts), "sweep charts");
    assert_eq!(crate::markup::check_folder(&b), charts.len() + 1);
}

#[test]
fn the_merge_needs_no_scenario_file() {
    let tmp = util::temp_with(&[]);
    let dir = tmp.path();
    // A scenario with an include, copied in and removed after the shards ran.
    std::fs::create_dir_all(dir.join("s/csto")).unwrap();
    for f in [
        "kazakhstan_2022.toml",
        "csto/roster.toml",
        "csto/options.toml",
    ] {
        std::fs::copy(
            util::root().join("scenarios").join(f),
            dir.join("s").join(f),
        )
        .unwrap();
    }
    let args = ["run", "s/kazakhstan_2022.toml", "--runs", "2000"];
    succeed(dir, &[&args[..], &["--out", "single", "-q"]].concat());
    for k in ["0/2", "1/2"] {
        succeed(
            dir,
            &[&args[..], &["--out", "shards", "--shard", k, "-q"]].concat(),
        );
    }
    std::fs::remove_dir_all(dir.join("s")).unwrap();
    succeed(dir, &["merge", "shards", "--out", "merged", "-q"]);
    same_files(
        &dir.join("single/kazakhstan_2022"),
        &dir.join("merged/kazakhstan_2022"),
        &["outcomes.csv", "members.csv"],
        "merge without the scenario file",
    );
}

#[test]
fn shard_auto_reads_slurm_and_kubernetes_variables() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let run = |env: &[(&str, &str)], extra: &[&str]| {
        let mut c = cmd(dir);
        c.args([
            "run",
            &shipped("armenia_2020"),
            "--runs",
            "100",
            "--out",
            "o",
            "-q",
        ])
        .args(["--shard", "auto"])
        .args(extra);
        for v in [
            "SLURM_ARRAY_TASK_ID",
            "SLURM_ARRAY_TASK_COUNT",
            "SLURM_ARRAY_TASK_MIN",
            "SLURM_ARRAY_TASK_STEP",
            "JOB_COMPLETION_INDEX",
        ] {
            c.env_remove(v);
        }
        c.envs(env.iter().copied());
        c.output().unwrap()
    };
    let o = run(
        &[
            ("SLURM_ARRAY_TASK_ID", "2"),
            ("SLURM_ARRAY_TASK_COUNT", "3"),
        ],
        &[],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(dir.join("o/armenia_2020.shard-2-of-3/shard.json").exists());
    let o = run(&[("JOB_COMPLETION_INDEX", "1")], &["--shards", "4"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(dir.join("o/armenia_2020.shard-1-of-4/shard.json").exists());
    let o = run(&[("JOB_COMPLETION_INDEX", "1")], &[]);
    assert_eq!(o.status.code(), Some(2));
    says(&stderr(&o), &["JOB_COMPLETION_INDEX", "--shards N"]);
    let o = run(&[], &[]);
    assert_eq!(o.status.code(), Some(2));
    says(&stderr(&o), &["SLURM_ARRAY_TASK_ID", "--shard K/N"]);
}

#[test]
fn bad_shard_arguments_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let s = shipped("armenia_2020");
    let err = fail(tmp.path(), &["run", &s, "--shard", "4/4"]);
    says(&err, &["--shard 4/4", "the last one is 3/4"]);
    let err = fail(tmp.path(), &["run", &s, "--shard", "three"]);
    says(&err, &["K/N"]);
    let err = fail(tmp.path(), &["run", &s, "--shard", "1/4", "--shards", "8"]);
    says(&err, &["disagree"]);
    let err = fail(
        tmp.path(),
        &[
            "sweep",
            &s,
            "--vary",
            "crisis.severity=0:1:3",
            "--shard",
            "0/2",
            "--resume",
        ],
    );
    says(&err, &["--resume", "shard"]);
    assert!(
        std::fs::read_dir(tmp.path()).unwrap().next().is_none(),
        "nothing is written"
    );
}

/// Four shards of a small run in `shards/`, and a folder for strays.
fn four_shards(dir: &Path, extra: &[&str]) {
    let s = shipped("armenia_2020");
    for k in 0..4 {
        let shard = format!("{k}/4");
        let args = [
            &["run", &s, "--runs", "400", "--out", "shards", "-q"][..],
            &["--shard", &shard],
            extra,
        ]
        .concat();
        succeed(dir, &args);
    }
}

/// Asserts that `merge args` fails with exit 2, says `fragments`, and writes nothing.
fn refused(dir: &Path, args: &[&str], fragments: &[&str]) {
    let all = [&["merge"][..], args, &["--out", "merged"]].concat();
    let err = fail(dir, &all);
    says(&err, fragments);
    assert!(
        !dir.join("merged").exists(),
        "a refused merge wrote results"
    );
}

#[test]
fn merge_refuses_missing_and_duplicated_shards() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    four_shards(dir, &[]);
    let shard = |k: u64| format!("shards/armenia_2020.shard-{k}-of-4");
    refused(
        dir,
        &[&shard(0), &shard(2)],
        &[
            "2 of 4 shards are missing: 1, 3",
            "armenia_2020.shard-1-of-4",
        ],
    );
    // A shard that did not finish has no shard.json: it counts as missing.
    std::fs::remove_file(dir.join(shard(3)).join("shard.json")).unwrap();
    refused(dir, &["shards"], &["1 of 4 shards is missing: 3"]);
    succeed(
        dir,
        &[
            "run",
            &shipped("armenia_2020"),
            "--runs",
            "400",
            "--out",
            "shards",
            "--shard",
            "3/4",
            "-q",
        ],
    );
    std::fs::create_dir(dir.join("copy")).unwrap();
    std::fs::rename(dir.join(shard(2)), dir.join("copy/again")).unwrap();
    succeed(
        dir,
        &[
            "run",
            &shipped("armenia_2020"),
            "--runs",
            "400",
            "--out",
            "shards",
            "--shard",
            "2/4",
            "-q",
        ],
    );
    refused(
        dir,
        &["shards", "copy"],
        &[
            "shard 2 of 4 is given 2 times",
            "armenia_2020.shard-2-of-4",
            "copy/again",
        ],
    );
    succeed(dir, &["merge", "shards", "--out", "merged", "-q"]);
}

#[test]
fn merge_refuses_shards_of_different_work() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    four_shards(dir, &[]);
    let stray = |args: &[&str], out: &str| {
        let all = [args, &["--out", out, "-q"]].concat();
        succeed(dir, &all);
    };
    let s = shipped("armenia_2020");
    stray(
        &["run", &s, "--runs", "400", "--shard", "1/4", "--seed", "9"],
        "seed",
    );
    refused(
        dir,
        &[
            "shards/armenia_2020.shard-0-of-4",
            "seed/armenia_2020.shard-1-of-4",
        ],
        &["shards of different work", "seed 2020 vs 9"],
    );
    stray(
        &[
            "run",
            &shipped("kyrgyzstan_2010"),
            "--runs",
            "400",
            "--shard",
            "1/4",
        ],
        "scenario",
    );
    refused(
        dir,
        &[
            "shards/armenia_2020.shard-0-of-4",
            "scenario/kyrgyzstan_2010.shard-1-of-4",
        ],
        &[
            "shards of different work",
            "scenario armenia_2020 vs kyrgyzstan_2010",
        ],
    );
    stray(&["run", &s, "--runs", "400", "--shard", "1/8"], "split");
    refused(
        dir,
        &[
            "shards/armenia_2020.shard-0-of-4",
            "split/armenia_2020.shard-1-of-8",
        ],
        &["shard 0 of 4", "shard 1 of 8", "split two ways"],
    );
    // Sweeps of different designs.
    for (out, values) in [("sweep-a", "0:1:3"), ("sweep-b", "0:1:4")] {
        for k in ["0/2", "1/2"] {
            let vary = format!("crisis.severity={values}");
            stray(
                &["sweep", &s, "--runs", "50", "--vary", &vary, "--shard", k],
                out,
            );
        }
    }
    refused(
        dir,
        &[
            "sweep-a/armenia_2020-sweep.shard-0-of-2",
            "sweep-b/armenia_2020-sweep.shard-1-of-2",
        ],
        &["shards of different work", "design"],
    );
    refused(
        dir,
        &[
            "shards/armenia_2020.shard-0-of-4",
            "sweep-a/armenia_2020-sweep.shard-1-of-2",
        ],
        &[
            "shards of different work",
            "command (run or sweep) run vs sweep",
        ],
    );
}

#[test]
fn merge_refuses_damaged_shards() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    four_shards(dir, &["--per-run"]);
    let counts = dir.join("shards/armenia_2020.shard-1-of-4/counts.jsonl");
    let good = std::fs::read_to_string(&counts).unwrap();
    std::fs::write(&counts, good.replacen("\"runs\":100", "\"runs\":101", 1)).unwrap();
    refused(
        dir,
        &["shards"],
        &[
            "shard-1-of-4/counts.jsonl",
            "is damaged",
            "run shard 1 again",
        ],
    );
    std::fs::write(&counts, &good).unwrap();
    let rows = dir.join("shards/armenia_2020.shard-2-of-4/runs.csv");
    let text = std::fs::read_to_string(&rows).unwrap();
    std::fs::write(&rows, &text[..text.len() - 3]).unwrap();
    refused(dir, &["shards"], &["shard-2-of-4/runs.csv", "is damaged"]);
    std::fs::write(&rows, &text).unwrap();
    let manifest = dir.join("shards/armenia_2020.shard-3-of-4/shard.json");
    let m = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(&manifest, &m[..m.len() / 2]).unwrap();
    refused(dir, &["shards"], &["shard-3-of-4/shard.json", "is damaged"]);
    std::fs::write(&manifest, m.replace("\"seed\": 2020", "\"seed\": 2021")).unwrap();
    refused(
        dir,
        &["shards"],
        &["shard-3-of-4/shard.json", "does not add up"],
    );
    std::fs::write(&manifest, &m).unwrap();
    refused(dir, &["nowhere"], &["`nowhere` does not exist"]);
    succeed(dir, &["merge", "shards", "--out", "merged", "-q"]);
}

/// Starts a shard that would run for hours, in `dir/o/`, and waits until it
/// has started: its handler for signals is in place before its folder exists.
fn start_long_shard(dir: &Path, command: &[&str], folder: &str) -> std::process::Child {
    let mut child = cmd(dir)
        .args(command)
        .args([
            "--runs",
            "1000000000000",
            "--out",
            "o",
            "--shard",
            "1/2",
            "-q",
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the binary starts");
    // The shard builds its folder in a staging folder `.<folder>.<random>.part`.
    let staging = || {
        std::fs::read_dir(dir.join("o")).is_ok_and(|entries| {
            entries.flatten().any(|e| {
                e.file_name()
                    .to_string_lossy()
                    .starts_with(&format!(".{folder}."))
            })
        })
    };
    let started = std::time::Instant::now();
    while !staging() {
        if let Some(status) = child.try_wait().unwrap() {
            let out = child.wait_with_output().unwrap();
            panic!("the shard ended at once ({status}): {}", stderr(&out));
        }
        assert!(started.elapsed().as_secs() < 60, "the shard never started");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child
}

#[test]
fn a_stopped_shard_writes_nothing_and_counts_as_missing() {
    let s = shipped("armenia_2020");
    let cases: [(&[&str], &str); 2] = [
        (&["run", &s], "armenia_2020.shard-1-of-2"),
        (
            &["sweep", &s, "--vary", "crisis.severity=0:1:3"],
            "armenia_2020-sweep.shard-1-of-2",
        ),
    ];
    for ((command, folder), sig) in cases.into_iter().zip(["TERM", "INT"]) {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        let child = start_long_shard(dir, command, folder);
        util::signal(&child, sig);
        let out = child.wait_with_output().unwrap();
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(130), "{command:?} SIG{sig}: {err}");
        assert!(
            err.contains("interrupted") && err.contains("nothing was written"),
            "{err}"
        );
        let left: Vec<_> = std::fs::read_dir(dir.join("o"))
            .map(|d| d.map(|e| e.unwrap().file_name()).collect())
            .unwrap_or_default();
        assert!(
            left.is_empty(),
            "{command:?}: a stopped shard left {left:?}"
        );
        std::fs::create_dir_all(dir.join("o")).unwrap();
        let err = fail(dir, &["merge", "o"]);
        says(&err, &["holds no shard"]);
    }
}
