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
