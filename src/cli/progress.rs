//! Progress bars on stderr for long runs and sweeps: done, rate, time left.
//! Hidden with `--quiet` and whenever stderr is not a terminal.

use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};

use alliance_sim::output::table::thousands;

/// A bar counting `unit`s (e.g. "runs", "points") up to `total`, starting at `start`.
pub fn bar(total: u64, start: u64, unit: &str, quiet: bool) -> ProgressBar {
    if quiet {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total);
    let template = format!("{{bar:30}} {{human_pos}}/{{human_len}} {unit}  {{msg}}  {{elapsed}} elapsed, about {{eta}} left");
    bar.set_style(ProgressStyle::with_template(&template).expect("valid template"));
    bar.set_position(start);
    bar
}

/// Moves `bar` to `done` and shows the rate in runs per second since `started`,
/// given how many runs each unit stands for.
pub fn update(bar: &ProgressBar, done: u64, start: u64, runs_per_unit: u64, started: Instant) {
    bar.set_position(done);
    let secs = started.elapsed().as_secs_f64();
    if secs > 0.0 {
        let rate = (done - start) as f64 * runs_per_unit as f64 / secs;
        bar.set_message(format!("{} runs/s", thousands(rate as u64)));
    }
}
