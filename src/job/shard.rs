//! One shard of a run or a sweep: simulate this shard's pieces of the work and
//! write their counts, a copy of the scenario files and `shard.json` to
//! `OUT/<folder>.shard-K-of-N/`, for [`super::merge`].

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde_json::json;

use super::run::RunJob;
use super::sweep::SweepJob;
use super::{IoContext, JobError, Watch};
use crate::output::dialect::Dialect;
use crate::output::folder::{Committed, Replace, Staged};
use crate::output::manifest;
use crate::posterior::PosteriorRecord;
use crate::runner::Tally;
use crate::scenario::Scenario;
use crate::shard::files::{
    self, CountsWriter, Digesting, FileSummary, Kind, ShardManifest, StoredSource,
};
use crate::shard::{Piece, Shard};
use crate::sweep::{self, Finish};

/// What a finished shard did, for the message that names the merge to run.
#[derive(Debug, Clone)]
pub struct ShardDone {
    /// Run or sweep.
    pub kind: Kind,
    /// The scenario's label.
    pub label: String,
    /// Which shard.
    pub shard: Shard,
    /// The shard's folder.
    pub dir: PathBuf,
    /// Where the shard's files went (see [`Committed::note`]).
    pub folder: Committed,
    /// A shell pattern matching the folders of every shard of this work.
    pub merge_pattern: PathBuf,
    /// Points of the whole work (1 for a run).
    pub points: u64,
    /// Runs per point.
    pub runs: u64,
    /// The pieces this shard did, in order.
    pub pieces: Vec<Piece>,
    /// Seconds spent.
    pub seconds: f64,
}

impl ShardDone {
    /// Runs simulated by this shard.
    pub fn runs_done(&self) -> u64 {
        self.pieces.iter().map(|p| p.runs.end - p.runs.start).sum()
    }
}

impl RunJob {
    /// The runs shard `shard` of this run does.
    pub fn shard_runs(&self, shard: Shard) -> Range<u64> {
        let pieces = shard.pieces(1, self.runs);
        pieces.first().map_or(0..0, |p| p.runs.clone())
    }
}

impl SweepJob {
    /// The pieces shard `shard` of this sweep does.
    pub fn shard_pieces(&self, shard: Shard) -> Vec<Piece> {
        shard.pieces(self.plan.len() as u64, self.plan.runs)
    }

    /// The identity shards of this sweep record.
    pub fn shard_identity(&self) -> serde_json::Value {
        let mut identity = self.identity();
        identity["kind"] = json!("sweep");
        identity["label"] = json!(self.label);
        identity
    }
}

fn stored_sources(scenario: &Scenario) -> Vec<StoredSource> {
    let (_, digests) = manifest::scenario_digest(scenario);
    digests
        .into_iter()
        .zip(&scenario.sources)
        .map(|(d, s)| StoredSource {
            path: d.path,
            sha256: d.sha256,
            text: s.text.clone(),
        })
        .collect()
}

/// What `write_shard` needs besides the files.
struct Finished<'a> {
    kind: Kind,
    label: &'a str,
    scenario: &'a Scenario,
    shard: Shard,
    points: u64,
    runs: u64,
    identity: serde_json::Value,
    posterior: Option<&'a PosteriorRecord>,
    threads: usize,
}

fn cannot_write_in(dir: &Path) -> impl FnOnce() -> String + '_ {
    move || format!("cannot write in `{}`", dir.display())
}

fn write_shard(
    dir: &Path,
    staged: Staged,
    replace: Replace,
    f: Finished,
    counts: CountsWriter,
    runs_csv: Option<(std::io::BufWriter<std::fs::File>, FileSummary)>,
) -> Result<Committed, JobError> {
    use std::io::Write;
    let (mut counts_file, counts_summary) = counts.finish();
    counts_file.flush().context_io(cannot_write_in(dir))?;
    let work = f.shard.work(f.points.saturating_mul(f.runs));
    let runs_summary = match runs_csv {
        Some((mut file, summary)) => {
            file.flush().context_io(cannot_write_in(dir))?;
            Some(summary)
        }
        None => None,
    };
    let m = ShardManifest {
        format: files::FORMAT.into(),
        version: env!("CARGO_PKG_VERSION").into(),
        command: crate::output::manifest::command_line(),
        kind: f.kind,
        label: f.label.to_string(),
        shard: f.shard.index(),
        shards: f.shard.count(),
        points: f.points,
        runs: f.runs,
        work: [work.start, work.end],
        identity_sha256: files::identity_sha256(&f.identity),
        identity: f.identity,
        counts: counts_summary,
        runs_csv: runs_summary,
        scenario_files: stored_sources(f.scenario),
        posterior_file: f.posterior.map(|p| p.file.clone()),
        threads: f.threads,
    };
    staged
        .write(files::MANIFEST, m.to_json().as_bytes())
        .context_io(cannot_write_in(dir))?;
    // Shards are read back by `merge`: always the standard dialect.
    super::commit(staged, replace, Dialect::Standard)
}

/// The shard's folder, and its staging folder.
fn prepare_dir(
    out: &Path,
    kind: Kind,
    label: &str,
    shard: Shard,
) -> Result<(PathBuf, Staged), JobError> {
    // `merge` takes only plain labels: refuse before simulating anything.
    files::check_label(label).map_err(|why| {
        JobError::input(format!(
            "the scenario file's name \"{}\" cannot label a shard ({why}); rename the file",
            files::excerpt(label, 60)
        ))
    })?;
    let dir = out.join(files::folder_name(kind, label, shard));
    let staged = super::stage(&dir)?;
    Ok((dir, staged))
}

/// `run --shard`: simulates this shard's runs of `job` on the current pool
/// and writes them under `out`; `watch` hears the runs done.
pub fn run_shard(
    job: &RunJob,
    out: &Path,
    per_run: bool,
    shard: Shard,
    threads: usize,
    watch: Watch,
) -> Result<ShardDone, JobError> {
    let started = Instant::now();
    let (dir, staged) = prepare_dir(out, Kind::Run, &job.label, shard)?;
    let pieces = shard.pieces(1, job.runs);
    let runs = job.shard_runs(shard);
    let runs_file = if per_run {
        let f = staged
            .create(files::RUNS)
            .context_io(|| format!("cannot write `{}`", dir.join(files::RUNS).display()))?;
        Some(Digesting::new(f))
    } else {
        None
    };
    let (tally, runs_file) = super::run::simulate(job, runs, runs_file, watch)?;
    let mut counts = CountsWriter::new(
        staged
            .create(files::COUNTS)
            .context_io(cannot_write_in(&dir))?,
    );
    for p in &pieces {
        counts.write(p, &tally).context_io(cannot_write_in(&dir))?;
    }
    let runs_csv = runs_file.map(|d| {
        let (file, sha256, lines) = d.finish();
        (
            file,
            FileSummary {
                file: files::RUNS.into(),
                lines,
                sha256,
            },
        )
    });
    let (sha, _) = manifest::scenario_digest(&job.scenario);
    let mut identity = json!({
        "kind": "run",
        "label": job.label,
        "tool_version": env!("CARGO_PKG_VERSION"),
        "scenario_sha256": sha,
        "rule": job.rule.to_string(),
        "runs": job.runs,
        "seed": job.seed,
        "per_run": per_run,
    });
    if let Some(p) = &job.posterior {
        identity["posterior"] = p.identity();
    }
    let finished = Finished {
        kind: Kind::Run,
        label: &job.label,
        scenario: &job.scenario,
        shard,
        points: 1,
        runs: job.runs,
        identity,
        posterior: job.posterior.as_ref(),
        threads,
    };
    let folder = write_shard(&dir, staged, job.replace, finished, counts, runs_csv)?;
    Ok(ShardDone {
        kind: Kind::Run,
        label: job.label.clone(),
        shard,
        merge_pattern: out.join(files::folder_pattern(Kind::Run, &job.label, shard.count())),
        dir: folder.dir.clone(),
        folder,
        points: 1,
        runs: job.runs,
        pieces,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// `sweep --shard`: simulates this shard's pieces of the sweep on the current
/// pool and writes their counts under `out`; `watch` hears the pieces done.
pub fn sweep_shard(
    p: &SweepJob,
    out: &Path,
    shard: Shard,
    threads: usize,
    watch: Watch,
) -> Result<ShardDone, JobError> {
    let started = Instant::now();
    let (dir, staged) = prepare_dir(out, Kind::Sweep, &p.label, shard)?;
    let points = p.plan.len() as u64;
    let pieces = p.shard_pieces(shard);
    let mut counts = CountsWriter::new(
        staged
            .create(files::COUNTS)
            .context_io(cannot_write_in(&dir))?,
    );
    let mut sink =
        |j: usize, tally: &Tally| -> std::io::Result<()> { counts.write(&pieces[j], tally) };
    let progress = watch.progress.map(|f| move |done: usize| f(done as u64));
    let finish = sweep::run_pieces(
        &p.plan,
        &p.scenario,
        &pieces,
        &mut sink,
        progress.as_ref().map(|f| f as &dyn Fn(usize)),
        watch.cancel,
    )
    .context_io(cannot_write_in(&dir))?;
    if let Finish::Interrupted { .. } = finish {
        // Dropping the staging folder removes what was written.
        return Err(JobError::Interrupted(format!(
            "interrupted; nothing was written for shard {shard}: run it again"
        )));
    }
    let finished = Finished {
        kind: Kind::Sweep,
        label: &p.label,
        scenario: &p.scenario,
        shard,
        points,
        runs: p.plan.runs,
        identity: p.shard_identity(),
        posterior: p.posterior.as_ref(),
        threads,
    };
    let folder = write_shard(&dir, staged, p.replace, finished, counts, None)?;
    Ok(ShardDone {
        kind: Kind::Sweep,
        label: p.label.clone(),
        shard,
        merge_pattern: out.join(files::folder_pattern(Kind::Sweep, &p.label, shard.count())),
        dir: folder.dir.clone(),
        folder,
        points,
        runs: p.plan.runs,
        pieces,
        seconds: started.elapsed().as_secs_f64(),
    })
}
