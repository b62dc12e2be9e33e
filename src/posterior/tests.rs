//! Tests of reading posterior files and applying them to scenarios.

use std::path::Path;
use std::sync::Arc;

use super::*;
use crate::scenario::Scenario;

const EXAMPLE: &str = "draw,noise,members.*.weights.cost,abstention_band,log_likelihood
0,0.12,1.5,0.05,-12.25
1,0.11,1.45,0.06,-12.5
";

fn parse(text: &str) -> Result<Posterior, PosteriorError> {
    Posterior::parse(Path::new("post.csv"), text.as_bytes())
}

fn error(text: &str) -> PosteriorError {
    parse(text).expect_err("the file is refused")
}

fn kazakhstan() -> Scenario {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/kazakhstan_2022.toml");
    crate::scenario::load(&p).expect("shipped scenario loads")
}

#[test]
fn reads_the_draws_and_hashes_the_bytes() {
    let p = parse(EXAMPLE).unwrap();
    assert_eq!(p.draws(), 2);
    let paths: Vec<&str> = p.columns().iter().map(|c| c.path.as_str()).collect();
    assert_eq!(
        paths,
        ["noise", "members.*.weights.cost", "abstention_band"]
    );
    assert_eq!(p.value(1, 1), 1.45);
    assert_eq!(p.value(0, 2), 0.05);
    assert_eq!(p.log_likelihood(1), -12.5);
    assert_eq!(
        p.sha256(),
        crate::output::manifest::sha256_hex(EXAMPLE.as_bytes())
    );
    // CRLF, a byte-order mark, padding, quotes and no final newline read the same.
    let dos = "\u{feff}draw, noise ,\"members.*.weights.cost\",abstention_band,log_likelihood\r\n0,0.12, 1.5 ,0.05,-12.25\r\n1,\"0.11\",1.45,0.06,-12.5";
    let q = parse(dos).unwrap();
    let names =
        |p: &Posterior| -> Vec<String> { p.columns().iter().map(|c| c.path.clone()).collect() };
    assert_eq!(names(&q), names(&p));
    assert_eq!(q.values, p.values);
    assert_ne!(q.sha256(), p.sha256(), "the digest is of the bytes");
}

#[test]
fn bad_numbers_are_placed_by_line_and_column() {
    let e = error("draw,noise,crisis.severity,log_likelihood\n0,0.1,0.5,-1\n1,0.1,abc,-1\n");
    assert_eq!((e.line, e.column), (Some(3), Some(7)));
    assert_eq!(e.field, "crisis.severity");
    assert!(e.message.contains("`abc` is not a number"), "{e}");
    assert!(
        e.to_string().starts_with("post.csv:3:7: crisis.severity: "),
        "{e}"
    );
    let e = error("draw,noise,log_likelihood\n0,inf,-1\n");
    assert_eq!(
        (e.line, e.column, e.field.as_str()),
        (Some(2), Some(3), "noise")
    );
    let e = error("draw,noise,log_likelihood\n0,0.1,x\n");
    assert_eq!(e.field, "log_likelihood");
}

#[test]
fn rows_must_have_every_field_and_count_their_draws() {
    let e = error("draw,noise,log_likelihood\n0,0.1\n");
    assert_eq!(e.line, Some(2));
    assert!(e.message.contains("2 fields; expected 3"), "{e}");
    let e = error("draw,noise,log_likelihood\n0,0.1,-1,7\n");
    assert_eq!((e.line, e.column), (Some(2), Some(10)));
    let e = error("draw,noise,log_likelihood\n0,0.1,-1\n2,0.1,-1\n");
    assert_eq!((e.line, e.field.as_str()), (Some(3), "draw"));
    assert!(e.message.contains("expected 1"), "{e}");
    let e = error("draw,noise,log_likelihood\n0,0.1,-1\n\n1,0.1,-1\n");
    assert_eq!(e.line, Some(3), "an empty line inside is refused: {e}");
}

#[test]
fn the_header_needs_draw_parameters_and_log_likelihood() {
    let e = error("noise,log_likelihood\n0.1,-1\n");
    assert_eq!((e.line, e.column), (Some(1), Some(1)));
    assert!(e.message.contains("not `draw`"), "{e}");
    let e = error("draw,noise\n0,0.1\n");
    assert!(e.message.contains("`log_likelihood`"), "{e}");
    assert_eq!(e.column, Some(6));
    let e = error("draw,log_likelihood\n0,-1\n");
    assert!(e.message.contains("no parameter column"), "{e}");
    let e = error("draw,noise,crisis.severity,noise,log_likelihood\n0,0.1,0.2,0.3,-1\n");
    assert_eq!((e.column, e.field.as_str()), (Some(28), "noise"));
    assert!(
        e.message.contains("appears twice (also at column 6)"),
        "{e}"
    );
    let e = error("draw,,log_likelihood\n0,1,-1\n");
    assert!(e.message.contains("empty column name"), "{e}");
}

#[test]
fn empty_files_files_without_rows_and_too_many_rows_are_refused() {
    assert!(error("").message.contains("empty"));
    assert!(error("\n\n").message.contains("empty"));
    let e = error("draw,noise,log_likelihood\n");
    assert!(e.message.contains("no draws"), "{e}");
    assert_eq!(e.line, None);
    let mut big = String::from("draw,noise,log_likelihood\n");
    for d in 0..=MAX_DRAWS {
        big.push_str(&format!("{d},0.1,-1\n"));
    }
    let e = error(&big);
    assert!(e.message.contains("more than the"), "{e}");
    let e = Posterior::parse(
        Path::new("post.csv"),
        b"draw,noise,log_likelihood\n0,\xff,-1\n",
    )
    .unwrap_err();
    assert_eq!((e.line, e.column), (Some(2), Some(3)));
}

#[test]
fn applying_skips_paths_the_scenario_lacks_and_checks_every_value() {
    let s = kazakhstan();
    let text = "draw,members.USA.dependence,noise,members.RUS.weights.cost,log_likelihood\n0,0.5,0.1,1.5,-1\n1,0.5,0.3,2.5,-2\n";
    let p = Arc::new(parse(text).unwrap());
    let a = Applied::new(&p, &s, Path::new("k.toml")).unwrap();
    let r = a.record();
    assert_eq!(r.applied, ["noise", "members.RUS.weights.cost"]);
    assert_eq!(r.skipped, ["members.USA.dependence"]);
    assert!(
        a.skipped()[0].reason.contains("unknown member `USA`"),
        "{:?}",
        a.skipped()
    );
    assert_eq!(r.draws, 2);
    let m = a.mixture(&s, s.rule).unwrap();
    assert_eq!(m.len(), 2);
    for (d, cost) in [(0, 1.5), (1, 2.5)] {
        let inputs = m.model(d).central().inputs;
        assert_eq!(inputs.members[0].weights[5], cost, "draw {d}");
    }

    let out_of_range = "draw,noise,crisis.severity,log_likelihood\n0,0.1,0.5,-1\n1,0.1,1.5,-1\n";
    let p = Arc::new(parse(out_of_range).unwrap());
    let e = Applied::new(&p, &s, Path::new("k.toml")).unwrap_err();
    assert_eq!(
        (e.line, e.column, e.field.as_str()),
        (Some(3), Some(7), "crisis.severity")
    );
    assert!(e.message.contains("outside the range [0, 1]"), "{e}");

    let foreign = "draw,members.USA.dependence,members.FRA.gdp,log_likelihood\n0,0.5,3,-1\n";
    let p = Arc::new(parse(foreign).unwrap());
    let e = Applied::new(&p, &s, Path::new("k.toml")).unwrap_err();
    assert!(
        e.message.contains("none of its columns (`members.USA.dependence`, `members.FRA.gdp`) is a parameter of `k.toml`"),
        "{e}"
    );

    let twice = "draw,members.*.gdp,members.KAZ.gdp,log_likelihood\n0,1,2,-1\n";
    let p = Arc::new(parse(twice).unwrap());
    let e = Applied::new(&p, &s, Path::new("k.toml")).unwrap_err();
    assert_eq!((e.line, e.field.as_str()), (Some(1), "members.KAZ.gdp"));
    assert!(e.message.contains("`members.*.gdp` sets too"), "{e}");
}

#[test]
fn records_round_trip_through_identities() {
    let s = kazakhstan();
    let p = Arc::new(parse(EXAMPLE).unwrap());
    let r = Applied::new(&p, &s, Path::new("k.toml")).unwrap().record();
    assert_eq!(r.file, "post.csv");
    let id = r.identity();
    assert!(
        id.get("file").is_none(),
        "the name is not part of the identity"
    );
    assert_eq!(PosteriorRecord::from_identity(&id, "post.csv"), Some(r));
}

#[test]
fn reading_refuses_large_files_folders_and_missing_files() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.csv");
    let f = std::fs::File::create(&big).unwrap();
    f.set_len(MAX_POSTERIOR_BYTES + 1).unwrap();
    let e = Posterior::read(&big).unwrap_err();
    assert!(e.message.contains("posterior files are limited to"), "{e}");
    assert_eq!(e.file, big);
    let e = Posterior::read(dir.path()).unwrap_err();
    assert!(e.message.contains("is a folder"), "{e}");
    let e = Posterior::read(&dir.path().join("none.csv")).unwrap_err();
    assert!(e.message.contains("cannot read"), "{e}");
    let ok = dir.path().join("ok.csv");
    std::fs::write(&ok, EXAMPLE).unwrap();
    assert_eq!(Posterior::read(&ok).unwrap().draws(), 2);
}

#[test]
fn the_decimal_comma_dialect_reads_the_same_values() {
    let standard = parse(EXAMPLE).unwrap();
    let comma = parse(
        "draw;noise;members.*.weights.cost;abstention_band;log_likelihood
0;0,12;1,5;0,05;-12,25
1;0,11;1,45;0,06;-12,5
",
    )
    .unwrap();
    assert_eq!(comma.columns().len(), standard.columns().len());
    for d in 0..standard.draws() {
        for c in 0..standard.columns().len() {
            assert_eq!(comma.value(d, c), standard.value(d, c));
        }
        assert_eq!(comma.log_likelihood(d), standard.log_likelihood(d));
    }
}

#[test]
fn a_comma_in_a_comma_separated_file_is_not_a_decimal_mark() {
    // Commas separate fields there, so `0,12` is two fields.
    let e = error("draw,noise,log_likelihood\n0,0,12,-1.5\n");
    assert!(e.to_string().contains("4 fields"), "{e}");
    // Thousands separators are refused in either dialect.
    let e = error("draw;noise;log_likelihood\n0;1.000,5;-1,5\n");
    assert!(e.to_string().contains("not a number"), "{e}");
}
