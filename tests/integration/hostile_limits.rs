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

/// `validate`'s report of three cases that all include one roster shows the
/// roster's text once.
#[test]
fn a_roster_shared_by_cases_is_reported_once() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let cases = ["kyrgyzstan_2010", "armenia_2020", "kazakhstan_2022"].map(util::shipped);
    let mut args = vec!["validate"];
    args.extend(cases.iter().map(String::as_str));
    args.extend(["--runs", "100", "--out", "out", "--quiet"]);
    succeed(dir, &args);
    let reports = find(&dir.join("out"), "report.html");
    assert_eq!(reports.len(), 1, "one report: {reports:?}");
    let html = std::fs::read_to_string(&reports[0]).unwrap();
    let roster = std::fs::read_to_string(util::root().join("scenarios/csto/roster.toml")).unwrap();
    let shown = alliance_sim::output::charts::escape(&roster);
    assert_eq!(html.matches(&shown).count(), 1, "the roster's text, once");
    assert_eq!(
        html.matches("roster.toml</h3>").count(),
        3,
        "named for each case"
    );
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

// ------------------------------------------------------------ long id lists

/// A scenario file in `dir` that includes the shipped Kazakhstan case and
/// adds `extra` (TOML) after it.
fn kazakhstan_with(dir: &Path, name: &str, extra: &str) {
    let text = format!(
        "{}{extra}",
        include_line(&[shipped_include("kazakhstan_2022")])
    );
    std::fs::write(dir.join(name), text).unwrap();
}

/// A TOML list of `ids`.
fn list(ids: impl IntoIterator<Item = String>) -> String {
    let quoted: Vec<String> = ids.into_iter().map(|i| format!("\"{i}\"")).collect();
    format!("[{}]", quoted.join(","))
}

/// The shipped roster's regions and crisis types, which its members refer to.
const REGIONS: [&str; 4] = [
    "post_soviet_core",
    "central_asia",
    "eastern_europe",
    "south_caucasus",
];

/// 380,000 regions in 3.7 MB: checked in one pass (the check that compared
/// each region with every one before it took minutes), and a repeat at the
/// very end is still found and named.
#[test]
fn a_long_region_list_is_checked_in_one_pass() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let many = || (0..380_000).map(|i| format!("r{i:06}"));
    let regions = REGIONS.iter().map(|r| r.to_string()).chain(many());
    kazakhstan_with(
        dir,
        "long.toml",
        &format!("[alliance]\nregions = {}\n", list(regions)),
    );
    let o = succeed(dir, &["check", "long.toml"]);
    says(&util::stdout(&o), &["ok: long.toml"]);

    let repeated = REGIONS
        .iter()
        .map(|r| r.to_string())
        .chain(many())
        .chain(["r123456".to_string()]);
    kazakhstan_with(
        dir,
        "repeat.toml",
        &format!("[alliance]\nregions = {}\n", list(repeated)),
    );
    let err = fail(dir, &["check", "repeat.toml"]);
    says(
        &err,
        &[
            "repeat.toml:",
            "alliance.regions",
            "`r123456` is listed twice",
        ],
    );
}

/// 20,000 outsiders, a group holding them all, and 500 groups of two
/// members whose affinity names that group, over defaults that name it too:
/// every member's affinities are resolved without walking groups times
/// actors, and the last declared layer still wins.
#[test]
fn many_groups_over_many_outsiders_resolve_in_one_pass() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let outsiders: Vec<String> = (0..20_000).map(|i| format!("o{i:06}")).collect();
    let mut extra = String::from("[alliance.outsiders]\n");
    for o in &outsiders {
        extra.push_str(&format!("{o} = \"x\"\n"));
    }
    extra.push_str(&format!(
        "[groups.everyone_else]\nmembers = {}\n",
        list(outsiders.iter().cloned())
    ));
    for g in 0..500 {
        let value = if g == 499 { 0.25 } else { 0.1 };
        extra.push_str(&format!(
            "[groups.g{g}]\nmembers = [\"KAZ\", \"RUS\"]\naffinity = {{ everyone_else = {value} }}\n"
        ));
    }
    extra.push_str("[defaults]\naffinity = { everyone_else = -0.1 }\n");
    kazakhstan_with(dir, "groups.toml", &extra);
    let o = succeed(dir, &["check", "groups.toml"]);
    says(&util::stdout(&o), &["ok: groups.toml"]);

    let s = scenario::load(&dir.join("groups.toml")).unwrap();
    let member = |id: &str| s.members.iter().find(|m| m.id == id).unwrap();
    let outsider = s.outsiders.iter().position(|o| o.id == "o017000").unwrap();
    let actor = s.members.len() + outsider;
    let value = |id: &str| member(id).affinity[actor].central();
    assert_eq!(value("KAZ"), 0.25, "the last declared group wins");
    assert_eq!(
        value("ARM"),
        -0.1,
        "a member in no group takes the defaults"
    );
}

/// 100,000 crisis types and a `[set]` table of 25,000 threat paths: each
/// path is looked up, not searched for along the list.
#[test]
fn a_long_set_table_over_a_long_list_is_applied_in_one_pass() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let types = ["domestic_unrest", "interstate_war"]
        .iter()
        .map(|t| t.to_string())
        .chain((0..100_000).map(|i| format!("t{i:06}")));
    kazakhstan_with(
        dir,
        "types.toml",
        &format!("[alliance]\ncrisis_types = {}\n", list(types)),
    );
    let mut set = include_line(&["types.toml".to_string()]);
    set.push_str("[set]\n");
    for i in (0..100_000).step_by(4) {
        set.push_str(&format!("\"members.KAZ.threat.t{i:06}\" = 0.5\n"));
    }
    std::fs::write(dir.join("set.toml"), set).unwrap();
    let o = succeed(dir, &["check", "set.toml"]);
    says(&util::stdout(&o), &["ok: set.toml"]);
    let s = scenario::load(&dir.join("set.toml")).unwrap();
    let kaz = s.members.iter().find(|m| m.id == "KAZ").unwrap();
    let set_values = kaz.threat.iter().flatten().count();
    // The roster's two, and the 25,000 set here.
    assert_eq!(set_values, 2 + 25_000);
}

// ------------------------------------------------------------ sweep charts

/// The rows of `sweep_outcomes.csv` for a grid over `xs` (one path) or `xs`
/// by `ys` (two), one rule and the given options, with made-up probabilities.
fn outcome_rows(xs: &[f64], ys: Option<&[f64]>, options: &[&str]) -> String {
    let mut csv = String::from("point,a,");
    if ys.is_some() {
        csv.push_str("b,");
    }
    csv.push_str("rule,option,level,runs,count,probability,ci_low,ci_high\n");
    let mut point = 0;
    for &x in xs {
        for &y in ys.unwrap_or(&[f64::NAN]) {
            for (level, o) in options.iter().enumerate() {
                let p = (x + level as f64) / (1.0 + options.len() as f64);
                let at = if y.is_nan() {
                    format!("{x}")
                } else {
                    format!("{x},{y}")
                };
                csv.push_str(&format!(
                    "{point},{at},unanimity,{o},{level},10,1,{p},0,1\n"
                ));
            }
            point += 1;
        }
    }
    csv
}

/// A grid of 50,000 points over one parameter (250,000 rows), and one of
/// 400 by 300 over two: each row is placed once (placing every cell by a
/// search through all rows took minutes), and the charts draw no more than
/// fits, saying so.
#[test]
fn sweep_charts_of_many_points_are_drawn_in_one_pass() {
    let options = ["no_action", "statement", "monitoring", "deploy", "war"];
    let xs: Vec<f64> = (0..50_000).map(|i| f64::from(i) / 49_999.0).collect();
    let csv = outcome_rows(&xs, None, &options);
    let opts: Vec<String> = options.iter().map(|o| o.to_string()).collect();
    let rules = ["unanimity".to_string()];
    let charts = alliance_sim::output::sweep::charts(
        &csv,
        &["a".to_string()],
        true,
        &rules,
        &opts,
        "deploy",
    )
    .unwrap();
    assert_eq!(charts.len(), 1);
    let svg = &charts[0].2;
    assert_eq!(svg.matches("<polyline").count(), options.len());
    let longest = svg
        .split("points=\"")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap().split(' ').count())
        .max()
        .unwrap();
    assert!(longest <= 1000, "a line of {longest} points");
    util::says(svg, &["of 50,000 points drawn"]);

    let xs: Vec<f64> = (0..400).map(f64::from).collect();
    let ys: Vec<f64> = (0..300).map(f64::from).collect();
    let csv = outcome_rows(&xs, Some(&ys), &["deploy"]);
    let charts = alliance_sim::output::sweep::charts(
        &csv,
        &["a".to_string(), "b".to_string()],
        true,
        &rules,
        &["deploy".to_string()],
        "deploy",
    )
    .unwrap();
    let svg = &charts[0].2;
    assert!(svg.matches("<rect").count() < 220 * 140 + 30);
    util::says(
        svg,
        &["400 by 300 points: each cell is the mean of up to 2 by 3"],
    );
}

/// A sweep of 2,000 points end to end: its chart says how it was thinned.
#[test]
fn a_long_sweep_chart_says_it_is_thinned() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let s = util::shipped("kyrgyzstan_2010");
    succeed(
        dir,
        &[
            "sweep",
            &s,
            "--vary",
            "crisis.severity=0:1:2000",
            "--runs",
            "2",
            "--out",
            "out",
            "--quiet",
        ],
    );
    let svgs = find(&dir.join("out"), "sweep_1.svg");
    assert_eq!(svgs.len(), 1, "{svgs:?}");
    let svg = std::fs::read_to_string(&svgs[0]).unwrap();
    says(&svg, &["of 2,000 points drawn: every 3rd, and the last"]);
}

/// The final files of a results folder (no in-progress ones), by name.
fn final_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !n.ends_with(".partial"))
        .map(|n| (n.clone(), std::fs::read(dir.join(&n)).unwrap()))
        .collect();
    files.sort();
    files
}

/// Ctrl-C while a finished sweep draws its charts (the flag set as the last
/// point is reported done, so that no timing is involved): the sweep stops
/// as interrupted, the previous results stay byte for byte, and `--resume`
/// then finishes without evaluating a point again.
#[test]
fn ctrl_c_while_drawing_the_charts_keeps_the_previous_results() {
    use alliance_sim::job::sweep::{SweepJob, SweepSettings};
    use alliance_sim::job::{JobError, Origin, Watch};
    use std::sync::atomic::{AtomicBool, Ordering};

    let tmp = tempfile::tempdir().unwrap();
    let settings = |values: &str| SweepSettings {
        file: util::scenario("kyrgyzstan_2010"),
        vary: vec![format!("crisis.severity={values}")],
        runs: Some(20),
        out: tmp.path().join("out"),
        ..SweepSettings::default()
    };
    let first = SweepJob::prepare(&settings("0:1:5")).unwrap();
    first
        .run(
            first.open(false).unwrap(),
            Origin::Threads(1),
            false,
            Watch::default(),
        )
        .unwrap();
    let before = final_files(&first.dir);
    assert!(before.iter().any(|(n, _)| n == "sweep_1.svg"), "{before:?}");

    let second = SweepJob::prepare(&settings("0:1:7")).unwrap();
    let total = second.plan.len() as u64;
    let stop = AtomicBool::new(false);
    let progress = |done: u64| {
        if done == total {
            stop.store(true, Ordering::SeqCst);
        }
    };
    let watch = Watch {
        progress: Some(&progress),
        cancel: Some(&stop),
    };
    let open = second.open(false).unwrap();
    match second.run(open, Origin::Threads(1), false, watch) {
        Err(JobError::Interrupted(message)) => {
            says(&message, &["drawing the charts", "--resume"]);
        }
        other => panic!("not interrupted: {other:?}"),
    }
    assert!(
        final_files(&second.dir) == before,
        "the previous results changed"
    );

    let open = second.open(true).unwrap();
    assert_eq!(open.start as u64, total, "every point was kept");
    let done = second
        .run(open, Origin::Threads(1), false, Watch::default())
        .unwrap();
    assert_eq!(done.evaluated, 0);
    // The first sweep's results are other results: kept, the second beside them.
    assert_eq!(final_files(&second.dir), before);
    assert_eq!(
        done.folder.dir.file_name().unwrap(),
        "kyrgyzstan_2010-sweep-2"
    );
    let after = final_files(&done.folder.dir);
    let outcomes = after
        .iter()
        .find(|(n, _)| n == "sweep_outcomes.csv")
        .unwrap();
    let points = String::from_utf8_lossy(&outcomes.1).lines().count() - 1;
    assert_eq!(points, 7 * second.scenario.options.len());
}

// ------------------------------------------------------------------ signals

/// A scenario of `n` alike members under unanimity, for `power`.
fn many_members(n: usize) -> String {
    let mut s =
        String::from("[alliance]\ncapacity = 0.5\nregions = [\"r\"]\ncrisis_types = [\"t\"]\n");
    for i in 0..n {
        s.push_str(&format!(
            "\n[members.M{i:02}]\nregion = \"r\"\nmilitary_spending = {}\ngdp = 10\n\
             sovereignty = 0.5\nvulnerability = 0.5\nthreat = {{ t = 0.5 }}\nconcern = {{ r = 0.5 }}\n",
            i + 1
        ));
    }
    s.push_str(
        "\n[crisis]\nrequester = \"M00\"\ntype = \"t\"\nregion = \"r\"\nrequested = \"mission\"\n\
         severity = 0.6\ndomestic = 0.2\nframing = 0.3\ncontagion = 0.4\nlegal_fit = 0.7\n\
         legitimacy = 0.8\ncredibility = 0.5\ncombat_risk = 0.3\n\
         \n[[options]]\nid = \"statement\"\neffect = 0.2\ntroops = 0.0\nintrusion = 0.0\n\
         \n[[options]]\nid = \"mission\"\neffect = 0.6\ntroops = 0.4\nintrusion = 0.3\n\
         \n[rule]\nkind = \"weighted\"\nattribute = \"military\"\nquota = 0.6\n",
    );
    s
}

/// Whether the process `pid` has a handler for SIGTERM (signal 15), as
/// `/proc` says; `None` where there is no `/proc`.
fn catches_sigterm(pid: u32) -> Option<bool> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let mask = status
        .lines()
        .find_map(|l| l.strip_prefix("SigCgt:"))
        .and_then(|m| u64::from_str_radix(m.trim(), 16).ok())?;
    Some(mask & (1 << (15 - 1)) != 0)
}

/// Starts `alliance-sim args` in `dir` and sends it SIGTERM as soon as it
/// has a handler for it, or after a second at most; returns its exit status
/// and stderr.
#[cfg(unix)]
fn terminated(dir: &Path, args: &[&str]) -> (std::process::ExitStatus, String) {
    let mut child = util::cmd(dir)
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let started = std::time::Instant::now();
    let mut seen = None;
    while started.elapsed() < std::time::Duration::from_secs(1) {
        seen = catches_sigterm(child.id());
        if seen != Some(false) || child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    if seen.is_none() {
        eprintln!("no /proc here: the signal is sent after a second instead");
        std::thread::sleep(std::time::Duration::from_secs(1));
    }
    util::signal(&child, "TERM");
    let status = child.wait().unwrap();
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    assert!(!err.contains("panicked"), "{err}");
    (status, err)
}

/// SIGTERM while `power` enumerates the coalitions of 25 members (seconds of
/// work before its handler used to be installed): exit code 130 and nothing
/// written, not the signal's own status.
#[cfg(unix)]
#[test]
fn power_stops_on_sigterm_during_the_enumeration() {
    let tmp = util::temp_with(&[("big.toml", &many_members(25))]);
    let dir = tmp.path();
    let args = [
        "power", "big.toml", "--runs", "10", "--out", "out", "--quiet",
    ];
    let (status, err) = terminated(dir, &args);
    assert_eq!(status.code(), Some(130), "{status}: {err}");
    assert!(!dir.join("out").exists(), "something was written");
}

/// SIGTERM during a long `check` (a hundred files of 380,000 regions), a
/// command that installed no handler at all: exit code 130 too.
#[cfg(unix)]
#[test]
fn check_ends_with_130_on_sigterm() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let regions = REGIONS
        .iter()
        .map(|r| r.to_string())
        .chain((0..380_000).map(|i| format!("r{i:06}")));
    kazakhstan_with(
        dir,
        "long.toml",
        &format!("[alliance]\nregions = {}\n", list(regions)),
    );
    let mut args = vec!["check"];
    args.extend(["long.toml"; 100]);
    let (status, err) = terminated(dir, &args);
    assert_eq!(status.code(), Some(130), "{status}: {err}");
}
