//! Voting power of the reference games, timed: the Rust side of the
//! comparison with the Python package `powerindex` (bench/peers/powerindex_peer.py)
//! and of docs/PERFORMANCE.md, "Voting power".
//!
//! Usage: cargo run --release --example power_games -- [--reps N] [--games a,b] [--enumerate]
//!
//! Prints one JSON object: for each game (`unsc_1965`, `eec_1958`,
//! `assembly_193`, `eu27_council_2023`) its definition, our indices (decimal and
//! exact) and the median time over N repetitions (default 5) of
//! `CountedGame::banzhaf` and of `CountedGame::indices`, on one thread. With
//! `--enumerate`, also the time of `CountedGame::indices_by_enumeration` (all
//! 2^n coalitions, once, on every core) and whether it agrees, for games of at
//! most 32 players.

use std::time::Instant;

use alliance_sim::analysis::power::reference;
use alliance_sim::analysis::power::CountedGame;
use serde_json::{json, Value};

/// A reference game's constructor.
type MakeGame = fn() -> CountedGame;

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

fn timed<T>(reps: usize, mut f: impl FnMut() -> T) -> (T, f64) {
    let mut times = Vec::with_capacity(reps);
    let mut out = None;
    for _ in 0..reps {
        let t = Instant::now();
        out = Some(f());
        times.push(t.elapsed().as_secs_f64());
    }
    (out.expect("at least one repetition"), median(times))
}

fn game_json(name: &str, game: &CountedGame, reps: usize, enumerate: bool) -> Value {
    // The count on one thread, as the targets are stated.
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("a pool of one thread");
    let (b, b_secs) = timed(reps, || {
        one.install(|| game.banzhaf(None).expect("counted"))
    });
    let (p, p_secs) = timed(reps, || {
        one.install(|| game.indices(None).expect("counted"))
    });
    assert_eq!(
        b,
        p.banzhaf(),
        "{name}: Banzhaf alone and with sizes differ"
    );
    let strings = |v: &[alliance_sim::analysis::power::Fraction]| -> Vec<String> {
        v.iter().map(ToString::to_string).collect()
    };
    let mut out = json!({
        "name": name,
        "players": game.players(),
        "plain_weighted": game.is_plain_weighted(),
        "weights": game.weights(),
        "quota": game.min_weight().to_string(),
        "min_members": game.min_members(),
        "enough_members": game.enough_members(),
        "banzhaf_absolute": p.banzhaf_absolute,
        "banzhaf_normalized": p.banzhaf_normalized,
        "shapley_shubik": p.shapley_shubik,
        "banzhaf_normalized_exact": strings(&p.banzhaf_normalized_exact),
        "shapley_shubik_exact": strings(&p.shapley_shubik_exact),
        "seconds_banzhaf": b_secs,
        "seconds_all": p_secs,
    });
    if enumerate && game.players() <= 32 {
        let (e, e_secs) = timed(1, || game.indices_by_enumeration(None).expect("enumerated"));
        out["seconds_enumeration"] = json!(e_secs);
        out["enumeration_agrees"] = json!(e == p);
    }
    out
}

fn main() {
    let mut reps = 5usize;
    let mut only: Option<Vec<String>> = None;
    let mut enumerate = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--reps" => {
                reps = args
                    .next()
                    .and_then(|r| r.parse().ok())
                    .filter(|r| *r > 0)
                    .unwrap_or_else(|| usage("--reps takes a positive whole number"))
            }
            "--games" => {
                only = Some(
                    args.next()
                        .unwrap_or_else(|| usage("--games takes a comma-separated list"))
                        .split(',')
                        .map(str::to_string)
                        .collect(),
                )
            }
            "--enumerate" => enumerate = true,
            other => usage(&format!("unknown argument `{other}`")),
        }
    }
    let games: [(&str, MakeGame); 4] = [
        ("unsc_1965", reference::unsc_1965),
        ("eec_1958", reference::eec_1958),
        ("assembly_193", reference::assembly_193),
        ("eu27_council_2023", reference::eu27_council_2023),
    ];
    if let Some(names) = &only {
        for n in names {
            if !games.iter().any(|(g, _)| g == n) {
                usage(&format!("unknown game `{n}`"));
            }
        }
    }
    let out: Vec<Value> = games
        .iter()
        .filter(|(name, _)| only.as_ref().is_none_or(|o| o.iter().any(|n| n == name)))
        .map(|(name, make)| game_json(name, &make(), reps, enumerate))
        .collect();
    println!("{}", json!({ "reps": reps, "games": out }));
}

fn usage(why: &str) -> ! {
    eprintln!("power_games: {why}\nusage: power_games [--reps N] [--games a,b] [--enumerate]");
    std::process::exit(2);
}
