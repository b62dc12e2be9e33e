//! `--posterior FILE` end to end: runs and sweeps drawing their parameters
//! from a posterior give the same bytes on one or two threads and split into
//! three shards and merged; each run simulates exactly the draw its generator
//! picks first; manifests, reports and shards record the posterior; bad
//! posterior files, sweeps varying a posterior's parameter and merges of
//! shards with different posteriors are refused with exit code 2 and nothing
//! written; `validate` uses the posterior in every case.

use std::path::Path;

use alliance_sim::model::Model;
use alliance_sim::runner::run_rng;
use alliance_sim::scenario::paths::ParamPath;
use rand::Rng;

use crate::util::{exec, fail, refs, says, shipped, stderr, stdout, succeed, temp_with};

/// Three draws for the CSTO scenarios; the last column is in none of them.
const POSTERIOR: &str = "draw,noise,members.RUS.weights.cost,members.USA.dependence,log_likelihood
0,0.1,1.0,0.3,-10.5
1,0.2,3.0,0.3,-11.0
2,0.3,4.0,0.2,-12.25
";

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// Asserts that the files `names` are the same bytes in every folder.
fn same(folders: &[&Path], names: &[&str], what: &str) {
    for name in names {
        let first = std::fs::read(folders[0].join(name))
            .unwrap_or_else(|e| panic!("{what}: {}: {e}", folders[0].join(name).display()));
        for f in &folders[1..] {
            let other = std::fs::read(f.join(name))
                .unwrap_or_else(|e| panic!("{what}: {}: {e}", f.join(name).display()));
            assert!(
                first == other,
                "{what}: {name} differs between {} and {}",
                folders[0].display(),
                f.display()
            );
        }
    }
}

/// Runs `base` on 1 thread into `one/`, on 2 into `two/`, and as 3 shards
/// (1, 2, 1 threads) merged into `merged/`.
fn three_ways(dir: &Path, base: &[String]) {
    for (out, threads) in [("one", "1"), ("two", "2")] {
        let mut a = base.to_vec();
        a.extend(args(&["--out", out, "--threads", threads, "-q"]));
        succeed(dir, &refs(&a));
    }
    for k in 0..3 {
        let mut a = base.to_vec();
        let shard = format!("{k}/3");
        let threads = (1 + k % 2).to_string();
        a.extend(args(&[
            "--out",
            "shards",
            "--shard",
            &shard,
            "--threads",
            &threads,
            "-q",
        ]));
        succeed(dir, &refs(&a));
    }
    let o = succeed(dir, &["merge", "shards", "--out", "merged"]);
    assert!(stdout(&o).contains("merged 3 shards"), "{}", stdout(&o));
}

#[test]
fn posterior_results_are_the_same_on_any_threads_and_in_shards() {
    let tmp = temp_with(&[("post.csv", POSTERIOR)]);
    let dir = tmp.path();
    let run = args(&[
        "run",
        &shipped("kazakhstan_2022"),
        "--posterior",
        "post.csv",
        "--runs",
        "9001",
        "--per-run",
    ]);
    three_ways(dir, &run);
    let folders: Vec<_> = ["one", "two", "merged"]
        .iter()
        .map(|f| dir.join(f).join("kazakhstan_2022"))
        .collect();
    same(
        &folders.iter().map(|p| p.as_path()).collect::<Vec<_>>(),
        &["outcomes.csv", "members.csv", "runs.csv", "outcomes.svg"],
        "run with a posterior",
    );
    crate::markup::read_svg(&folders[2].join("outcomes.svg"));
    // The posterior changes the results: without it Kazakhstan is certain.
    let outcomes = std::fs::read_to_string(folders[0].join("outcomes.csv")).unwrap();
    assert!(
        !outcomes.contains(",limited_deployment,3,9001,9001,"),
        "{outcomes}"
    );

    let tmp = temp_with(&[("post.csv", POSTERIOR)]);
    let dir = tmp.path();
    let sweep = args(&[
        "sweep",
        &shipped("kazakhstan_2022"),
        "--posterior",
        "post.csv",
        "--vary",
        "crisis.framing=0:1:3",
        "--rules",
        "unanimity,majority",
        "--runs",
        "301",
        "--no-report",
    ]);
    three_ways(dir, &sweep);
    let folders: Vec<_> = ["one", "two", "merged"]
        .iter()
        .map(|f| dir.join(f).join("kazakhstan_2022-sweep"))
        .collect();
    same(
        &folders.iter().map(|p| p.as_path()).collect::<Vec<_>>(),
        &["sweep_outcomes.csv", "sweep_members.csv"],
        "sweep with a posterior",
    );
}

/// The level each run of `runs.csv` adopted.
fn levels(runs_csv: &str) -> Vec<u32> {
    runs_csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).unwrap().parse().unwrap())
        .collect()
}

#[test]
fn each_run_simulates_the_draw_its_generator_picks_first() {
    // Without noise Kazakhstan's outcome is fixed by Russia's weight on the
    // cost of troops: 1 gives the deployment (level 3), 5 monitoring (2).
    let tmp = temp_with(&[
        (
            "two.csv",
            "draw,noise,members.RUS.weights.cost,log_likelihood\n0,0,1,-1\n1,0,5,-2\n",
        ),
        (
            "five.csv",
            "draw,noise,members.RUS.weights.cost,log_likelihood\n0,0,5,-1\n",
        ),
    ]);
    let dir = tmp.path();
    let (seed, runs) = (7u64, 3000u64);
    let s = shipped("kazakhstan_2022");
    let common = ["--runs", "3000", "--seed", "7", "--per-run", "-q"];
    succeed(
        dir,
        &[
            &["run", &s, "--posterior", "two.csv", "--out", "two"][..],
            &common,
        ]
        .concat(),
    );
    let text = std::fs::read_to_string(dir.join("two/kazakhstan_2022/runs.csv")).unwrap();
    let got = levels(&text);
    assert_eq!(got.len() as u64, runs);
    let expected: Vec<u32> = (0..runs)
        .map(|r| match run_rng(seed, r).random_range(0..2usize) {
            0 => 3,
            _ => 2,
        })
        .collect();
    assert_eq!(
        got, expected,
        "run r simulates draw random_range(0..2) of its generator"
    );
    let deployed = got.iter().filter(|&&l| l == 3).count();
    assert!((1350..1650).contains(&deployed), "{deployed} of {runs}");

    // With noise, the rest of the run draws from the same generator after the
    // index: runs.csv is what model j gives with run_rng(seed, r) once the
    // index is drawn.
    let noisy =
        "draw,noise,crisis.severity,log_likelihood\n0,0.1,0.6,-1\n1,0.4,0.3,-2\n2,0.25,0.9,-3\n";
    std::fs::write(dir.join("noisy.csv"), noisy).unwrap();
    let k = shipped("kyrgyzstan_2010");
    succeed(
        dir,
        &[
            &["run", &k, "--posterior", "noisy.csv", "--out", "noisy"][..],
            &common,
        ]
        .concat(),
    );
    let text = std::fs::read_to_string(dir.join("noisy/kyrgyzstan_2010/runs.csv")).unwrap();
    let mut scenario = alliance_sim::scenario::load(Path::new(&k)).unwrap();
    let models: Vec<Model> = [(0.1, 0.6), (0.4, 0.3), (0.25, 0.9)]
        .iter()
        .map(|&(noise, severity)| {
            for (path, x) in [("noise", noise), ("crisis.severity", severity)] {
                let p = ParamPath::parse(&scenario, path).unwrap();
                p.set(&mut scenario, x).unwrap();
            }
            Model::new(&scenario, scenario.rule)
        })
        .collect();
    let mut scratch = models[0].scratch();
    let expected: Vec<u32> = (0..runs)
        .map(|r| {
            let mut rng = run_rng(seed, r);
            let j = rng.random_range(0..models.len());
            models[j].simulate(&mut rng, &mut scratch).level as u32
        })
        .collect();
    let got = levels(&text);
    assert_eq!(got, expected, "run r: index first, then the draw's run");
    assert!(got.iter().any(|&l| l != got[0]), "outcomes vary");

    // One draw: that draw's outcome in every run, exactly.
    succeed(
        dir,
        &[
            &["run", &s, "--posterior", "five.csv", "--out", "five"][..],
            &common,
        ]
        .concat(),
    );
    let outcomes = std::fs::read_to_string(dir.join("five/kazakhstan_2022/outcomes.csv")).unwrap();
    says(&outcomes, &["monitoring,2,3000,3000,1.000000,"]);
}

#[test]
fn manifests_reports_and_shards_record_the_posterior() {
    let tmp = temp_with(&[("post.csv", POSTERIOR)]);
    let dir = tmp.path();
    let s = shipped("kazakhstan_2022");
    let o = succeed(
        dir,
        &[
            "run",
            &s,
            "--posterior",
            "post.csv",
            "--runs",
            "500",
            "--out",
            "o",
        ],
    );
    let sentence = "parameter uncertainty from the posterior post.csv (3 draws)";
    says(&stdout(&o), &[sentence]);
    says(
        &stderr(&o),
        &[
            "note: post.csv: skipped for",
            "`members.USA.dependence`",
            "unknown member `USA`",
        ],
    );
    let folder = dir.join("o/kazakhstan_2022");
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(folder.join("manifest.json")).unwrap())
            .unwrap();
    let p = &m["posterior"];
    assert_eq!(p["file"], "post.csv");
    assert_eq!(
        p["sha256"],
        alliance_sim::output::manifest::sha256_hex(POSTERIOR.as_bytes())
    );
    assert_eq!(p["draws"], 3);
    assert_eq!(
        p["applied"],
        serde_json::json!(["noise", "members.RUS.weights.cost"])
    );
    assert_eq!(p["skipped"], serde_json::json!(["members.USA.dependence"]));
    let report = crate::markup::read_html(&folder.join("report.html"));
    says(&report, &[sentence]);

    // A sweep's manifest and report, and a shard's manifest.
    succeed(
        dir,
        &[
            "sweep",
            &s,
            "--posterior",
            "post.csv",
            "--vary",
            "crisis.framing=0,1",
            "--runs",
            "200",
            "--out",
            "o",
            "-q",
        ],
    );
    let m = std::fs::read_to_string(dir.join("o/kazakhstan_2022-sweep/manifest.json")).unwrap();
    says(
        &m,
        &["\"posterior\"", "\"draws\": 3", "members.USA.dependence"],
    );
    let report = crate::markup::read_html(&dir.join("o/kazakhstan_2022-sweep/report.html"));
    says(&report, &[sentence]);
    succeed(
        dir,
        &[
            "run",
            &s,
            "--posterior",
            "post.csv",
            "--runs",
            "500",
            "--out",
            "sh",
            "--shard",
            "0/2",
            "-q",
        ],
    );
    let shard: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("sh/kazakhstan_2022.shard-0-of-2/shard.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(shard["posterior_file"], "post.csv");
    assert_eq!(shard["identity"]["posterior"]["draws"], 3);
    // Without a posterior, no trace of one.
    succeed(dir, &["run", &s, "--runs", "500", "--out", "plain", "-q"]);
    let m = std::fs::read_to_string(dir.join("plain/kazakhstan_2022/manifest.json")).unwrap();
    assert!(!m.contains("\"posterior\""), "{m}");
}

#[test]
fn bad_posterior_files_are_refused_and_nothing_is_written() {
    let s = shipped("kazakhstan_2022");
    let cases: [(&str, &[&str]); 6] = [
        (
            "draw,noise,log_likelihood\n0,0.1,-1\n1,x,-1\n",
            &[
                "post.csv:3:3: noise: `x` is not a number",
                "expected a decimal number",
            ],
        ),
        (
            "draw,noise\n0,0.1\n",
            &["post.csv:1:6:", "the last column must be `log_likelihood`"],
        ),
        (
            "noise,log_likelihood\n0.1,-1\n",
            &["post.csv:1:1:", "the first column is `noise`, not `draw`"],
        ),
        (
            "draw,crisis.severity,log_likelihood\n0,0.5,-1\n1,1.5,-1\n",
            &["post.csv:3:3: crisis.severity: 1.5 is outside the range [0, 1]"],
        ),
        (
            "draw,members.USA.dependence,log_likelihood\n0,0.5,-1\n",
            &[
                "post.csv: none of its columns (`members.USA.dependence`) is a parameter of",
                "kazakhstan_2022.toml",
            ],
        ),
        ("draw,noise,log_likelihood\n", &["post.csv: no draws"]),
    ];
    for (text, fragments) in cases {
        let tmp = temp_with(&[("post.csv", text)]);
        let dir = tmp.path();
        for command in [
            args(&["run", &s]),
            args(&["sweep", &s, "--vary", "crisis.framing=0,1"]),
            args(&["validate", &s]),
            args(&["run", &s, "--shard", "0/2"]),
        ] {
            let mut a = command.clone();
            a.extend(args(&[
                "--posterior",
                "post.csv",
                "--runs",
                "100",
                "--out",
                "out",
            ]));
            let err = fail(dir, &refs(&a));
            says(&err, fragments);
            assert!(
                !dir.join("out").exists(),
                "{command:?} wrote results for {text:?}"
            );
        }
    }
    let tmp = temp_with(&[]);
    let err = fail(
        tmp.path(),
        &["run", &s, "--posterior", "nowhere.csv", "--out", "out"],
    );
    says(&err, &["nowhere.csv", "cannot read"]);
    assert!(!tmp.path().join("out").exists());
}

#[test]
fn a_sweep_may_not_vary_what_the_posterior_sets() {
    let tmp = temp_with(&[("post.csv", POSTERIOR)]);
    let dir = tmp.path();
    let s = shipped("kazakhstan_2022");
    for (vary, column) in [
        ("members.*.weights.cost=1,2", "members.RUS.weights.cost"),
        ("montecarlo.noise=0,0.5", "noise"),
    ] {
        let err = fail(
            dir,
            &[
                "sweep",
                &s,
                "--posterior",
                "post.csv",
                "--vary",
                vary,
                "--out",
                "out",
            ],
        );
        let varied = vary.split('=').next().unwrap();
        says(
            &err,
            &[
                &format!("`{varied}` is varied by the sweep and set by the posterior post.csv"),
                &format!("(column `{column}`)"),
            ],
        );
        assert!(!dir.join("out").exists());
    }
}

#[test]
fn merge_refuses_shards_with_different_posteriors_or_without() {
    let other = POSTERIOR.replace("0,0.1,1.0", "0,0.1,1.5");
    let tmp = temp_with(&[
        ("post.csv", POSTERIOR),
        ("same.csv", POSTERIOR),
        ("other.csv", &other),
    ]);
    let dir = tmp.path();
    let s = shipped("kazakhstan_2022");
    let shard = |k: &str, posterior: Option<&str>, out: &str| {
        let mut a = args(&["run", &s, "--runs", "400", "--shard", k, "--out", out, "-q"]);
        if let Some(p) = posterior {
            a.extend(args(&["--posterior", p]));
        }
        succeed(dir, &refs(&a));
    };
    shard("0/2", Some("post.csv"), "a");
    shard("1/2", Some("other.csv"), "b");
    shard("1/2", None, "c");
    shard("1/2", Some("same.csv"), "d");
    let first = "a/kazakhstan_2022.shard-0-of-2";
    for (second, fragment) in [
        ("b/kazakhstan_2022.shard-1-of-2", "posterior (--posterior) "),
        ("c/kazakhstan_2022.shard-1-of-2", " (3 draws) vs none"),
    ] {
        let err = fail(dir, &["merge", first, second, "--out", "merged"]);
        says(&err, &["shards of different work", fragment]);
        assert!(!dir.join("merged").exists());
    }
    // The same posterior under another name is the same work.
    let o = exec(
        dir,
        &[
            "merge",
            first,
            "d/kazakhstan_2022.shard-1-of-2",
            "--out",
            "merged",
            "-q",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let m = std::fs::read_to_string(dir.join("merged/kazakhstan_2022/manifest.json")).unwrap();
    says(&m, &["\"file\": \"post.csv\"", "\"shards\": 2"]);
}

#[test]
fn validate_uses_the_posterior_in_every_case() {
    let root = crate::util::root();
    let scenarios = root.join("scenarios");
    let library = scenarios.to_str().unwrap();
    let tmp = temp_with(&[
        ("post.csv", POSTERIOR),
        (
            "russia.csv",
            "draw,members.RUS.dependence,log_likelihood\n0,0.5,-1\n",
        ),
    ]);
    let dir = tmp.path();
    let base = [
        "validate",
        library,
        "--posterior",
        "post.csv",
        "--runs",
        "300",
        "-q",
    ];
    let o = succeed(
        dir,
        &[&base[..], &["--out", "one", "--threads", "1"]].concat(),
    );
    says(
        &stdout(&o),
        &["parameter uncertainty from the posterior post.csv (3 draws)"],
    );
    // NATO has no Russia: its cases skip that column, and say so.
    says(
        &stderr(&o),
        &[
            "note: post.csv: skipped for",
            "nato",
            "`members.RUS.weights.cost`",
        ],
    );
    succeed(
        dir,
        &[&base[..], &["--out", "two", "--threads", "2"]].concat(),
    );
    same(
        &[&dir.join("one/validation"), &dir.join("two/validation")],
        &["validation.csv", "validation_summary.csv"],
        "validate with a posterior",
    );
    let m: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("one/validation/manifest.json")).unwrap(),
    )
    .unwrap();
    let cases = m["cases"].as_array().unwrap();
    assert!(cases.len() > 10);
    for c in cases {
        let applied = &c["posterior"]["applied"];
        assert!(applied.as_array().unwrap().contains(&"noise".into()), "{c}");
        let csto = c["alliance"]
            .as_str()
            .unwrap()
            .contains("Collective Security");
        assert_eq!(
            applied
                .as_array()
                .unwrap()
                .contains(&"members.RUS.weights.cost".into()),
            csto,
            "{}",
            c["scenario"]
        );
    }
    // A posterior of Russia alone has nothing for the other alliances' cases.
    let err = fail(
        dir,
        &[
            "validate",
            library,
            "--posterior",
            "russia.csv",
            "--runs",
            "300",
            "--out",
            "r",
        ],
    );
    says(
        &err,
        &["russia.csv: none of its columns (`members.RUS.dependence`) is a parameter of"],
    );
    assert!(!dir.join("r").exists());
}

#[test]
fn a_sweep_resumes_only_with_the_posterior_it_started_with() {
    let other = POSTERIOR.replace("0,0.1,1.0", "0,0.1,1.5");
    let tmp = temp_with(&[("post.csv", POSTERIOR), ("other.csv", &other)]);
    let dir = tmp.path();
    let s = shipped("kazakhstan_2022");
    let sweep = |extra: &[&str]| {
        let mut a = args(&[
            "sweep",
            &s,
            "--vary",
            "crisis.framing=0,1",
            "--runs",
            "1000000000000",
            "--out",
            "out",
            "-q",
        ]);
        a.extend(args(extra));
        a
    };
    // Stopped as soon as its in-progress manifest exists, before any point.
    let mut child = crate::util::cmd(dir)
        .args(sweep(&["--posterior", "post.csv"]))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("the binary starts");
    let partial = dir.join("out/kazakhstan_2022-sweep.partial/manifest.json.partial");
    let started = std::time::Instant::now();
    while !partial.exists() {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the sweep ended at once"
        );
        assert!(started.elapsed().as_secs() < 60, "the sweep never started");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    for extra in [&["--resume"][..], &["--resume", "--posterior", "other.csv"]] {
        let err = fail(dir, &refs(&sweep(extra)));
        says(&err, &["was started with a different posterior"]);
    }
    assert!(
        partial.exists(),
        "a refused resume keeps the interrupted sweep"
    );
}
