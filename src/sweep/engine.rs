//! Running a sweep's points on the rayon pool: a window of points at a
//! time, each evaluated (and, with [`run_into`], turned into whatever the
//! caller writes, e.g. its CSV rows) on a worker, then handed over in point
//! order. The window is sized so that a window of small points is long
//! enough for the pool never to wait long on the thread that writes, and its
//! memory is bounded by the window, however many points the sweep has.
//! Workers reuse scenarios between points when every point sets every
//! varied parameter, so that a point does not clone the scenario.

use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use rayon::prelude::*;

use super::Plan;
use crate::runner::Tally;
use crate::scenario::Scenario;
use crate::shard::Piece;

/// How a sweep ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Finish {
    /// Every point was evaluated.
    Complete,
    /// Stopped by `cancel`; points before `done` were handed to the sink.
    Interrupted {
        /// Points completed, from the start of the sweep.
        done: usize,
    },
}

/// Runs a window aims to hold: about 60 ms of one thread's work on a small
/// scenario, long beside the pause between windows.
const WINDOW_RUNS: u64 = 1 << 18;

/// Most units in a window (bounds the memory of what they hold).
const MAX_WINDOW: usize = 512;

/// Units evaluated at a time, for units of `runs` runs each: at least 4 per
/// thread, more for small units.
fn window(runs: u64) -> usize {
    let floor = 4 * rayon::current_num_threads().max(1);
    let by_runs = usize::try_from(WINDOW_RUNS / runs.max(1)).unwrap_or(usize::MAX);
    by_runs.min(MAX_WINDOW).max(floor)
}

/// Evaluates points of a plan, keeping scenarios for reuse: a scenario
/// whose every varied parameter is set by the point is the base scenario
/// with those values whatever values it held before (setting a parameter
/// overwrites it), so workers keep their scenario from point to point when
/// every point sets every dimension.
struct Evaluator<'a> {
    plan: &'a Plan,
    base: &'a Scenario,
    reuse: bool,
    spare: Mutex<Vec<Scenario>>,
}

impl<'a> Evaluator<'a> {
    fn new(plan: &'a Plan, base: &'a Scenario) -> Evaluator<'a> {
        Evaluator {
            plan,
            base,
            reuse: plan.design_points.sets_every_dimension(),
            spare: Mutex::new(Vec::new()),
        }
    }

    fn spare(&self) -> std::sync::MutexGuard<'_, Vec<Scenario>> {
        self.spare.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The tally of runs `runs` of point `i`.
    fn tally(
        &self,
        i: usize,
        runs: std::ops::Range<u64>,
        cancel: Option<&AtomicBool>,
    ) -> io::Result<Tally> {
        let kept = if self.reuse { self.spare().pop() } else { None };
        let mut scenario = kept.unwrap_or_else(|| self.base.clone());
        self.plan.set_point(&mut scenario, i);
        let tally = self.plan.simulate(&scenario, i, runs, cancel);
        if self.reuse {
            self.spare().push(scenario);
        }
        tally
    }
}

/// Evaluates points `start..` of `plan` in order, several at a time on the
/// current rayon pool, handing each finished point's tally to `sink` in point
/// order and `progress` the points done after each batch. Memory is bounded
/// by the points in flight. When `cancel` is set the sweep stops promptly;
/// points already handed over stay valid.
pub fn run(
    plan: &Plan,
    base: &Scenario,
    start: usize,
    sink: &mut (dyn FnMut(usize, &Tally) -> io::Result<()> + Send),
    progress: Option<&dyn Fn(usize)>,
    cancel: Option<&AtomicBool>,
) -> io::Result<Finish> {
    let fill = |_: usize, tally: Tally, slot: &mut Option<Tally>| {
        *slot = Some(tally);
        Ok(())
    };
    let mut hand = |i: usize, slot: &Option<Tally>| match slot {
        Some(t) => sink(i, t),
        None => Ok(()),
    };
    run_into(plan, base, start, &fill, &mut hand, progress, cancel)
}

/// As [`run`], but each point's tally is turned into a `T` by `fill` on the
/// worker that evaluated it (into a slot reused from window to window, so
/// that buffers keep their memory), and `sink` receives the `T`s in point
/// order: what is costly per point (formatting rows) runs in parallel, and
/// the thread that calls `sink` only writes.
pub fn run_into<T: Default + Send + Sync>(
    plan: &Plan,
    base: &Scenario,
    start: usize,
    fill: &(dyn Fn(usize, Tally, &mut T) -> io::Result<()> + Sync),
    sink: &mut (dyn FnMut(usize, &T) -> io::Result<()> + Send),
    progress: Option<&dyn Fn(usize)>,
    cancel: Option<&AtomicBool>,
) -> io::Result<Finish> {
    let evaluator = Evaluator::new(plan, base);
    let evaluate = |i: usize, slot: &mut T| {
        let tally = evaluator.tally(i, 0..plan.runs, cancel)?;
        fill(i, tally, slot)
    };
    let units = Units {
        count: plan.len(),
        start,
        window: window(plan.runs),
    };
    units.run(&evaluate, sink, progress, cancel)
}

/// Evaluates `pieces` of `plan` (each a point and a range of its runs: a
/// shard's work) in order, as [`run`] does points; `sink` receives each
/// piece's index in `pieces` and its tally.
pub fn run_pieces(
    plan: &Plan,
    base: &Scenario,
    pieces: &[Piece],
    sink: &mut (dyn FnMut(usize, &Tally) -> io::Result<()> + Send),
    progress: Option<&dyn Fn(usize)>,
    cancel: Option<&AtomicBool>,
) -> io::Result<Finish> {
    let evaluator = Evaluator::new(plan, base);
    let evaluate = |j: usize, slot: &mut Option<Tally>| {
        let piece = &pieces[j];
        *slot = Some(evaluator.tally(piece.point as usize, piece.runs.clone(), cancel)?);
        Ok(())
    };
    let mut hand = |j: usize, slot: &Option<Tally>| match slot {
        Some(t) => sink(j, t),
        None => Ok(()),
    };
    let longest = pieces
        .iter()
        .map(|p| p.runs.end.saturating_sub(p.runs.start))
        .max()
        .unwrap_or(1);
    let units = Units {
        count: pieces.len(),
        start: 0,
        window: window(longest),
    };
    units.run(&evaluate, &mut hand, progress, cancel)
}

/// Units `start..count`, evaluated `window` at a time.
struct Units {
    count: usize,
    start: usize,
    window: usize,
}

/// A window whose units were evaluated, waiting to be handed over.
struct Done {
    start: usize,
    results: Vec<io::Result<()>>,
}

impl Units {
    /// Evaluates the units a window at a time into reused slots and hands
    /// them over in order. Handing over one window (on this thread) and
    /// evaluating the next (on the pool) overlap, so that the pool does not
    /// wait while `sink` writes.
    fn run<T: Default + Send + Sync>(
        &self,
        evaluate: &(dyn Fn(usize, &mut T) -> io::Result<()> + Sync),
        sink: &mut (dyn FnMut(usize, &T) -> io::Result<()> + Send),
        progress: Option<&dyn Fn(usize)>,
        cancel: Option<&AtomicBool>,
    ) -> io::Result<Finish> {
        let is_cancelled = || cancel.is_some_and(|c| c.load(Ordering::Relaxed));
        let window = self.window.max(1);
        // Slots of the window being handed over, and of the one evaluated.
        let (mut handing, mut filling): (Vec<T>, Vec<T>) = (Vec::new(), Vec::new());
        let mut pending: Option<Done> = None;
        let mut next = self.start;
        loop {
            let stop = next >= self.count || is_cancelled();
            let end = if stop {
                next
            } else {
                (next + window).min(self.count)
            };
            if filling.len() < end - next {
                filling.resize_with(end - next, T::default);
            }
            let slots = &mut filling[..end - next];
            let mut evaluate_next = move || -> Vec<io::Result<()>> {
                slots
                    .par_iter_mut()
                    .enumerate()
                    .map(|(k, slot)| evaluate(next + k, slot))
                    .collect()
            };
            let (handed, results) = match pending.as_mut() {
                Some(done) => rayon::join(|| hand_over(done, &handing, sink), evaluate_next),
                None => (Ok(None), evaluate_next()),
            };
            if let Some(finish) = handed? {
                return Ok(finish);
            }
            if let (Some(done), Some(p)) = (&pending, progress) {
                p(done.start + done.results.len());
            }
            if stop {
                return Ok(if next >= self.count {
                    Finish::Complete
                } else {
                    Finish::Interrupted { done: next }
                });
            }
            pending = Some(Done {
                start: next,
                results,
            });
            std::mem::swap(&mut handing, &mut filling);
            next = end;
        }
    }
}

/// Hands the units of `done` (in `slots`) to `sink` in order; stops at the
/// first that was interrupted (returning how the run finished) or failed.
fn hand_over<T>(
    done: &mut Done,
    slots: &[T],
    sink: &mut (dyn FnMut(usize, &T) -> io::Result<()> + Send),
) -> io::Result<Option<Finish>> {
    for (k, r) in done.results.iter_mut().enumerate() {
        let i = done.start + k;
        match std::mem::replace(r, Ok(())) {
            Ok(()) => sink(i, &slots[k])?,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {
                return Ok(Some(Finish::Interrupted { done: i }));
            }
            Err(e) => return Err(e),
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::super::{Design, Dimension, ValueSpec};
    use super::*;
    use crate::model::DecisionRule;
    use crate::runner::{self, Observers};
    use crate::scenario::paths::ParamPath;

    fn kyrgyzstan() -> Scenario {
        let p =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/kyrgyzstan_2010.toml");
        crate::scenario::load(&p).expect("shipped scenario loads")
    }

    fn plan(s: &Scenario, design: Design, vary: &[(&str, &str)], runs: u64) -> Plan {
        let dims = vary
            .iter()
            .map(|(p, v)| Dimension {
                path: ParamPath::parse(s, p).unwrap(),
                spec: ValueSpec::parse(v).unwrap(),
            })
            .collect();
        let rules = vec![s.rule, DecisionRule::Majority];
        Plan::new(s, dims, design, rules, runs, 11).unwrap()
    }

    /// The tally of point `i` from a fresh copy of the scenario, through the
    /// runner's batches.
    fn fresh(plan: &Plan, s: &Scenario, i: usize) -> Tally {
        let scenario = plan.scenario_at(s, i);
        let models = crate::posterior::models(&scenario, plan.rule(i), None).unwrap();
        models
            .simulate(plan.seed, 0..plan.runs, Observers::default())
            .unwrap()
    }

    #[test]
    fn points_handed_over_in_order_equal_points_evaluated_afresh() {
        let s = kyrgyzstan();
        // Overlapping paths (every member's dependence, then one member's):
        // a reused scenario must hold what a fresh one would.
        let grid = plan(
            &s,
            Design::Grid,
            &[
                ("members.*.dependence", "0:1:5"),
                ("members.KGZ.dependence", "0.1,0.9"),
                ("noise", "0.05,0.3"),
            ],
            60,
        );
        let oat = plan(
            &s,
            Design::OneAtATime,
            &[("crisis.severity", "0.2,0.8"), ("noise", "0.1,0.4")],
            5000,
        );
        let lhs = plan(
            &s,
            Design::LatinHypercube { samples: 30 },
            &[("crisis.severity", "0:1"), ("noise", "0:0.5")],
            30,
        );
        for p in [&grid, &oat, &lhs] {
            for threads in [1, 2] {
                let pool = rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .unwrap();
                let start = 3;
                let mut seen = Vec::new();
                let finish = pool
                    .install(|| {
                        run(
                            p,
                            &s,
                            start,
                            &mut |i, t| {
                                seen.push((i, t.clone()));
                                Ok(())
                            },
                            None,
                            None,
                        )
                    })
                    .unwrap();
                assert_eq!(finish, Finish::Complete);
                let want: Vec<(usize, Tally)> =
                    (start..p.len()).map(|i| (i, fresh(p, &s, i))).collect();
                assert!(seen == want, "{} on {threads} threads", p.design.name());
            }
        }
        assert_eq!(
            runner::simulate_here(&crate::model::Model::new(&s, s.rule), 11, 0..0).runs,
            0
        );
    }

    #[test]
    fn windows_are_handed_over_in_order_with_what_the_workers_made() {
        let units = Units {
            count: 1000,
            start: 5,
            window: 7,
        };
        let evaluate = |i: usize, slot: &mut Vec<usize>| {
            slot.clear();
            slot.extend([i, i * i]);
            Ok(())
        };
        let mut seen = Vec::new();
        let progress_calls = std::sync::Mutex::new(Vec::new());
        let progress = |done: usize| progress_calls.lock().unwrap().push(done);
        let finish = units
            .run(
                &evaluate,
                &mut |i, slot: &Vec<usize>| {
                    assert_eq!(slot, &vec![i, i * i]);
                    seen.push(i);
                    Ok(())
                },
                Some(&progress),
                None,
            )
            .unwrap();
        assert_eq!(finish, Finish::Complete);
        assert_eq!(seen, (5..1000).collect::<Vec<_>>());
        let calls = progress_calls.into_inner().unwrap();
        assert_eq!(calls.last(), Some(&1000));
        assert!(calls.windows(2).all(|w| w[0] < w[1]), "{calls:?}");
    }

    #[test]
    fn an_interrupted_or_failed_unit_stops_the_hand_over_there() {
        let units = Units {
            count: 100,
            start: 0,
            window: 8,
        };
        for (bad, kind) in [
            (37, io::ErrorKind::Interrupted),
            (37, io::ErrorKind::InvalidData),
        ] {
            let evaluate = |i: usize, _: &mut ()| {
                if i >= bad {
                    Err(io::Error::new(kind, "stop"))
                } else {
                    Ok(())
                }
            };
            let mut seen = Vec::new();
            let got = units.run(
                &evaluate,
                &mut |i, _: &()| {
                    seen.push(i);
                    Ok(())
                },
                None,
                None,
            );
            assert_eq!(seen, (0..bad).collect::<Vec<_>>(), "{kind:?}");
            match kind {
                io::ErrorKind::Interrupted => {
                    assert_eq!(got.unwrap(), Finish::Interrupted { done: bad })
                }
                _ => assert_eq!(got.unwrap_err().kind(), kind),
            }
        }
        // A sink that fails stops the run with its error.
        let mut calls = 0;
        let got = units.run(
            &|_, _: &mut ()| Ok(()),
            &mut |i, _: &()| {
                calls += 1;
                if i == 20 {
                    Err(io::Error::other("disk full"))
                } else {
                    Ok(())
                }
            },
            None,
            None,
        );
        assert_eq!(got.unwrap_err().to_string(), "disk full");
        assert_eq!(calls, 21);
    }

    #[test]
    fn a_cancel_during_the_run_keeps_the_points_handed_over() {
        let cancel = AtomicBool::new(false);
        let units = Units {
            count: 10_000,
            start: 0,
            window: 16,
        };
        let mut seen = 0;
        let got = units
            .run(
                &|_, _: &mut ()| Ok(()),
                &mut |i, _: &()| {
                    assert_eq!(i, seen);
                    seen += 1;
                    if i == 100 {
                        cancel.store(true, Ordering::Relaxed);
                    }
                    Ok(())
                },
                None,
                Some(&cancel),
            )
            .unwrap();
        // The window holding point 100 is handed over whole, and the one
        // evaluated meanwhile too; nothing after.
        match got {
            Finish::Interrupted { done } => {
                assert_eq!(done, seen);
                assert!((112..=128).contains(&done), "{done}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn windows_hold_more_small_points_than_large_ones() {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap();
        pool.install(|| {
            assert_eq!(window(100), MAX_WINDOW);
            assert_eq!(window(4096), 64);
            assert_eq!(window(1_000_000), 8);
            assert_eq!(window(0), MAX_WINDOW);
        });
    }
}
