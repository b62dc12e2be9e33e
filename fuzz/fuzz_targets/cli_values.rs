//! Fuzzes the small parsers behind command-line values: `--rule`
//! (`DecisionRule`'s `FromStr`), `--vary PATH=SPEC` (`ValueSpec::parse`,
//! `values`, `range`), `--shard K/N` (`Shard`'s `FromStr` and the partition)
//! and parameter paths (`ParamPath::parse`, `set`, `central`) against a
//! shipped scenario loaded once. Merging shards relies on rules and specs
//! printing as text that parses back to them.
//!
//! The whole input is tried as each kind of value, and, when it holds an `=`,
//! as a `--vary` argument split at the first one.

#![no_main]

use std::path::Path;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

use alliance_sim::model::DecisionRule;
use alliance_sim::scenario::paths::ParamPath;
use alliance_sim::scenario::{load, Scenario};
use alliance_sim::shard::Shard;
use alliance_sim::sweep::spec::ValueSpec;

/// The shipped Kazakhstan case, read once (with its includes).
fn scenario() -> &'static Scenario {
    static SCENARIO: OnceLock<Scenario> = OnceLock::new();
    SCENARIO.get_or_init(|| {
        let path = Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../scenarios/kazakhstan_2022.toml"
        ));
        load(path).unwrap_or_else(|e| panic!("the shipped scenario does not load: {e}"))
    })
}

/// A rule that parses prints as a label that parses back to the same rule.
fn rule(text: &str) {
    let Ok(rule) = text.parse::<DecisionRule>() else {
        return;
    };
    let label = rule.to_string();
    let again = label
        .parse::<DecisionRule>()
        .unwrap_or_else(|e| panic!("label `{label}` of rule `{text}` does not parse: {e}"));
    assert_eq!(again, rule, "`{text}` -> `{label}`");
}

/// A spec that parses prints as one that parses back to the same spec; its
/// values, if it has any, are as many as it says.
fn spec(text: &str) -> Option<ValueSpec> {
    let spec = ValueSpec::parse(text).ok()?;
    let shown = spec.to_string();
    let again = ValueSpec::parse(&shown)
        .unwrap_or_else(|e| panic!("`{shown}` (from `{text}`) does not parse: {e}"));
    assert_eq!(again, spec, "`{text}` -> `{shown}`");
    match (&spec, spec.values()) {
        (ValueSpec::List(v), Ok(values)) => assert_eq!(values.len(), v.len()),
        (ValueSpec::Steps { count, .. }, Ok(values)) => assert_eq!(values.len(), *count),
        (ValueSpec::Range { .. }, Ok(_)) => panic!("range `{text}` gave a grid"),
        (_, Err(_)) => {}
    }
    if let Ok((lo, hi)) = spec.range() {
        assert!(lo < hi, "range `{text}` gave {lo}:{hi}");
    }
    Some(spec)
}

/// A shard that parses prints as itself, and its neighbours' work meets its
/// own for any amount of work.
fn shard(text: &str) {
    let Ok(shard) = text.parse::<Shard>() else {
        return;
    };
    let shown = shard.to_string();
    assert_eq!(
        shown.parse::<Shard>().ok(),
        Some(shard),
        "`{text}` -> `{shown}`"
    );
    for total in [0, 1, 7, 1 << 40, u64::MAX] {
        let w = shard.work(total);
        assert!(
            w.start <= w.end && w.end <= total,
            "{shard} of {total}: {w:?}"
        );
        if shard.index() > 0 {
            let before = Shard::new(shard.index() - 1, shard.count()).unwrap();
            assert_eq!(before.work(total).end, w.start, "{shard} of {total}");
        }
    }
}

/// A path that parses can be set to both ends of its range and to its
/// current central value.
fn path(text: &str) -> Option<ParamPath> {
    let s = scenario();
    let path = ParamPath::parse(s, text).ok()?;
    let range = path.range();
    let mut copy = s.clone();
    path.set(&mut copy, range.lo)
        .unwrap_or_else(|e| panic!("`{text}` refuses its low end: {e}"));
    path.set(&mut copy, range.hi)
        .unwrap_or_else(|e| panic!("`{text}` refuses its high end: {e}"));
    let central = path.central(s);
    let _ = path.set(&mut copy, central);
    Some(path)
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    rule(text);
    shard(text);
    let whole_spec = spec(text);
    let whole_path = path(text);
    let _ = (whole_spec, whole_path);

    // `--vary PATH=SPEC`: every value of the spec set on a copy of the scenario.
    if let Some((p, v)) = text.split_once('=') {
        if let (Some(path), Some(spec)) = (path(p), spec(v)) {
            let mut copy = scenario().clone();
            for x in spec.values().unwrap_or_default().into_iter().take(64) {
                let _ = path.set(&mut copy, x);
            }
        }
    }
});
