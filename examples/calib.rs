use alliance_sim::{model::Model, runner, scenario};
fn main() {
    for f in std::env::args().skip(1) {
        let s = match scenario::load(std::path::Path::new(&f)) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("{e}");
                continue;
            }
        };
        let m = Model::new(&s, s.rule);
        let t = runner::simulate(
            &m,
            s.montecarlo.seed,
            0..s.montecarlo.runs,
            Default::default(),
        )
        .unwrap();
        let probs: Vec<String> = t
            .levels
            .iter()
            .zip(&s.options)
            .map(|(c, o)| format!("{}={:.3}", o.id, *c as f64 / t.runs as f64))
            .collect();
        println!("{f}: {}", probs.join(" "));
        let c = m.central();
        for (i, mem) in s.members.iter().enumerate() {
            let tm = c.terms[i];
            let v = t.votes[i];
            println!("  {:4} B={:.3} (sec {:.3} reg {:.3} par {:.3} cred {:.3}) E={:.3} V={:.3} T={:.3}  yes/no/abs {}/{}/{} sole {}", mem.id, tm.benefit(), tm.security, tm.regime, tm.partner, tm.credibility, tm.external, tm.sovereignty, tm.cost, v[0], v[1], v[2], t.sole_blocker[i]);
        }
    }
}
