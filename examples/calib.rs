//! Calibration aid: for each scenario file given, the outcome distribution and
//! every member's utility terms at the parameters' central values, with its
//! votes on the requested option.
//!
//! `cargo run --release --example calib scenarios/*.toml`

use alliance_sim::{model::Model, runner, scenario};

fn main() {
    for file in std::env::args().skip(1) {
        let s = match scenario::load(std::path::Path::new(&file)) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("{e}");
                continue;
            }
        };
        let model = Model::new(&s, s.rule);
        let mc = s.montecarlo;
        let t = runner::simulate(&model, mc.seed, 0..mc.runs, Default::default())
            .expect("no output is written");
        let probs: Vec<String> = t
            .levels
            .iter()
            .zip(&s.options)
            .map(|(c, o)| format!("{}={:.3}", o.id, *c as f64 / t.runs as f64))
            .collect();
        println!("{file}: {}", probs.join(" "));
        let central = model.central();
        for (i, m) in s.members.iter().enumerate() {
            let x = central.terms[i];
            let v = t.votes[i];
            println!(
                "  {:4} B={:.3} (sec {:.3} reg {:.3} par {:.3} cred {:.3}) E={:.3} V={:.3} T={:.3}  yes/no/abs {}/{}/{} sole {}",
                m.id, x.benefit(), x.security, x.regime, x.partner, x.credibility,
                x.external, x.sovereignty, x.cost, v[0], v[1], v[2], t.sole_blocker[i]
            );
        }
    }
}
