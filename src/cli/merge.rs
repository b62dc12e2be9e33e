//! `alliance-sim merge DIR... --out OUT`: combine the shards of a run or a
//! sweep into the files one process writes, byte for byte: `OUT/<stem>/` for
//! a run, `OUT/<stem>-sweep/` for a sweep, as `run --out OUT` and
//! `sweep --out OUT` would; then print what was merged.

use std::path::PathBuf;

use clap::Args;

use alliance_sim::job::merge::{self, Merged};
use alliance_sim::output::folder::Replace;
use alliance_sim::output::table::thousands;

use super::args::DialectArg;
use super::{console, job_error};

/// Arguments of `merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Shard folders written by `run --shard` or `sweep --shard`, or folders
    /// holding them.
    #[arg(required = true, value_name = "DIR")]
    pub dirs: Vec<PathBuf>,
    /// Folder for results, as `--out` of run and sweep: a run's files go to
    /// OUT/<stem>/, a sweep's to OUT/<stem>-sweep/.
    #[arg(long, value_name = "DIR", default_value = "output")]
    pub out: PathBuf,
    /// No summary table.
    #[arg(long, short)]
    pub quiet: bool,
    /// Do not write the charts and report.html.
    #[arg(long)]
    pub no_report: bool,
    /// Replace the results folder of the same name (without it, a folder
    /// holding other results is kept and the new go to NAME-2, ...).
    #[arg(long)]
    pub replace: bool,
    #[command(flatten)]
    pub dialect: DialectArg,
}

/// Merges the shards named on the command line.
pub fn execute(args: &MergeArgs) -> anyhow::Result<()> {
    let replace = if args.replace {
        Replace::Always
    } else {
        Replace::IfSame
    };
    let merged = merge::merge(
        &args.dirs,
        &args.out,
        args.no_report,
        replace,
        args.dialect.dialect(),
    )
    .map_err(job_error)?;
    let plural = |n: u64| if n == 1 { "" } else { "s" };
    match merged {
        Merged::Run {
            job,
            summary,
            shards,
            folder,
        } => {
            let how = format!(
                "merged {shards} shard{} of {} runs",
                plural(shards),
                thousands(job.runs)
            );
            if args.quiet {
                console::out(&format!(
                    "{}: {how}; results in {}/\n",
                    job.label,
                    folder.dir.display()
                ))?;
                super::note_folder(&folder);
                Ok(())
            } else {
                super::print_results(&job, &summary, &how, &folder)
            }
        }
        Merged::Sweep {
            label,
            dir,
            points,
            runs,
            shards,
            posterior,
            folder,
        } => {
            console::out(&format!(
                "{label}: merged {shards} shard{} of {} points x {} runs; results in {}/\n",
                plural(shards),
                thousands(points),
                thousands(runs),
                dir.display()
            ))?;
            if let Some(p) = posterior {
                console::out(&format!("  {}\n", p.sentence()))?;
            }
            super::note_folder(&folder);
            Ok(())
        }
    }
}
