//! Fuzzes scenario parsing and checking (`scenario::load_str`), then, for every
//! scenario that loads, the parameter paths (`paths::list`, `ParamPath::parse`
//! and `set`) and a few simulated runs of the model built from it.
//!
//! Hermetic: the input is never written to disk. It is named as a file in a
//! scratch folder made once per process, which holds copies of the shipped
//! `scenarios/` tree at `ROOT/scenarios/` and beside the input
//! (`ROOT/tests/bad_scenarios/input.toml`), so that the shipped case files
//! (`include = ["csto/roster.toml"]`) and the malformed scenarios of the tests
//! (`include = ["../../scenarios/kazakhstan_2022.toml"]`) layer as they do in
//! the repository. An input whose includes would leave the scratch folder (an
//! absolute path, too many `..`) is skipped before the library sees it.

#![no_main]

use std::path::{Component, Path, PathBuf};
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

use alliance_sim::model::Model;
use alliance_sim::runner::run_rng;
use alliance_sim::scenario::paths::{self, ParamPath};
use alliance_sim::scenario::{load_str, Scenario};

/// Scenarios with more members than this are checked but not simulated, to
/// keep each input cheap.
const MAX_SIMULATED_MEMBERS: usize = 16;
/// Runs simulated per scenario variant.
const RUNS: u64 = 3;

/// The shipped scenarios, as found when the target was built.
const SCENARIOS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../scenarios");

/// The scratch folder, filled once.
fn root() -> &'static Path {
    static ROOT: OnceLock<PathBuf> = OnceLock::new();
    ROOT.get_or_init(|| {
        let root = std::env::temp_dir().join(format!(
            "alliance-sim-fuzz-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos())
        ));
        for dest in [root.join("scenarios"), root.join("tests/bad_scenarios")] {
            copy_tree(Path::new(SCENARIOS), &dest);
        }
        root
    })
}

/// Copies the `.toml` files under `from` to `to`, keeping the folders.
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create the fuzzer's scratch folder");
    let entries = std::fs::read_dir(from)
        .unwrap_or_else(|e| panic!("read the shipped scenarios in {}: {e}", from.display()));
    for entry in entries {
        let entry = entry.expect("list the shipped scenarios");
        let path = entry.path();
        let dest = to.join(entry.file_name());
        if path.is_dir() {
            copy_tree(&path, &dest);
        } else if path.extension().is_some_and(|x| x == "toml") {
            std::fs::copy(&path, &dest).expect("copy a shipped scenario");
        }
    }
}

/// Where the input is said to be (it is never written).
fn input_path() -> &'static Path {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| root().join("tests/bad_scenarios/input.toml"))
}

/// Whether every include the input names resolves, lexically, inside the
/// scratch folder (which holds no links, so the file system agrees). Input
/// that is not TOML never reaches its includes, so it is let through.
fn includes_stay_inside(text: &str) -> bool {
    let Ok(table) = text.parse::<toml::Table>() else {
        return true;
    };
    let Some(include) = table.get("include") else {
        return true;
    };
    let Some(list) = include.as_array() else {
        // Not a list: the library refuses it before reading anything.
        return true;
    };
    let base = input_path().parent().expect("the input has a folder");
    let root: Vec<Component> = root().components().collect();
    list.iter().all(|v| {
        let Some(inc) = v.as_str() else {
            // Not a string: the library refuses the whole list before reading.
            return true;
        };
        let joined = base.join(inc);
        let mut resolved: Vec<Component> = Vec::new();
        for c in joined.components() {
            match c {
                Component::ParentDir => {
                    if resolved.pop().is_none() {
                        return false;
                    }
                }
                Component::CurDir => {}
                other => resolved.push(other),
            }
        }
        resolved.len() > root.len() && resolved.starts_with(&root)
    })
}

/// Builds the model and simulates a few runs; the decision must name a level
/// the scenario has.
fn simulate(s: &Scenario) {
    if s.members.len() > MAX_SIMULATED_MEMBERS {
        return;
    }
    let model = Model::new(s, s.rule);
    let mut scratch = model.scratch();
    for r in 0..RUNS {
        let mut rng = run_rng(0, r);
        let decision = model.simulate(&mut rng, &mut scratch);
        assert!(
            decision.level < model.levels(),
            "adopted level {} of {} levels",
            decision.level,
            model.levels()
        );
    }
    let _ = model.explain(s);
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if !includes_stay_inside(text) {
        return;
    }
    let scenario = match load_str(text, input_path()) {
        Ok(s) => s,
        Err(e) => {
            // Error messages quote the input and compute line and column.
            let _ = e.to_string();
            return;
        }
    };
    simulate(&scenario);

    // Every listed path parses, and can be set to either end of its range.
    let entries = paths::list(&scenario);
    let mut low = scenario.clone();
    let mut high = scenario.clone();
    for entry in &entries {
        let path = ParamPath::parse(&scenario, &entry.path)
            .unwrap_or_else(|e| panic!("listed path `{}` does not parse: {e}", entry.path));
        assert_eq!(path.range(), entry.range, "range of `{}`", entry.path);
        let _ = path.central(&scenario);
        path.set(&mut low, entry.range.lo)
            .unwrap_or_else(|e| panic!("`{}` refuses its low end: {e}", entry.path));
        path.set(&mut high, entry.range.hi)
            .unwrap_or_else(|e| panic!("`{}` refuses its high end: {e}", entry.path));
    }
    // The wildcard form of every member parameter.
    if !scenario.members.is_empty() {
        let first = format!("members.{}.", scenario.members[0].id);
        for entry in entries.iter().filter(|e| e.path.starts_with(&first)) {
            let wild = format!("members.*.{}", &entry.path[first.len()..]);
            let path = ParamPath::parse(&scenario, &wild)
                .unwrap_or_else(|e| panic!("`{wild}` does not parse: {e}"));
            path.set(&mut low, entry.range.lo)
                .unwrap_or_else(|e| panic!("`{wild}` refuses its low end: {e}"));
        }
    }
    simulate(&low);
    simulate(&high);
});
