//! The files of a sweep's results folder: started afresh or reopened for a
//! resume (checked against the in-progress manifest), one point's rows at a
//! time, and once every point is in, the final names, the charts, the report
//! and `manifest.json`.

use std::io::Write;
use std::path::Path;
use std::sync::atomic::AtomicBool;

use serde_json::json;

use super::sweep::SweepJob;
use super::{IoContext, JobError, Origin, Watch};
use crate::input::{self, Class, InputError, Links};
use crate::output::csv::text_cell;
use crate::output::folder::{Committed, FolderError, Staged};
use crate::output::manifest;
use crate::output::report::{self, Section};
use crate::output::sweep::{self as files, push_u64, quoted, Layout, Look, RowFormat, SweepWriter};
use crate::output::table::thousands;
use crate::runner::Tally;
use crate::sweep::{Coordinate, Design};

/// A sweep's results folder, open for writing points.
pub struct OpenSweep {
    /// The writer of the two CSV files.
    pub writer: SweepWriter,
    /// The next point to evaluate (0 unless resumed).
    pub start: usize,
    /// The sweep's identity, as the in-progress manifest records it.
    pub identity: serde_json::Value,
    /// The work folder the files are written in (`OUT/<stem>-sweep.partial/`),
    /// put in place as the results folder when the sweep is complete.
    pub work: Staged,
}

fn bad(message: impl Into<String>) -> JobError {
    JobError::input(message)
}

/// Creates the work folder and the in-progress files, or reopens them for a
/// resume.
pub(super) fn open(p: &SweepJob, resume: bool) -> Result<OpenSweep, JobError> {
    let id = p.identity();
    let paths = p.paths();
    let (parent, name) = super::split_dir(&p.dir)?;
    let work = Staged::work(parent, &name, resume).map_err(|e| match e {
        FolderError::NoWork(_) => bad(format!(
            "nothing to resume in `{}`: there is no interrupted sweep there (run without --resume to start one)",
            p.dir.display()
        )),
        other => other.into(),
    })?;
    let dir = work.path();
    let manifest_partial = files::partial(dir, files::MANIFEST);
    let outcome_rows = p.scenario.options.len();
    let member_rows = p.scenario.members.len();
    let (writer, start) = if resume {
        self::resume(
            dir,
            &manifest_partial,
            &id,
            &paths,
            outcome_rows,
            member_rows,
        )?
    } else {
        let w = SweepWriter::create(dir, &paths)
            .context_io(|| format!("cannot write in `{}`", dir.display()))?;
        let partial = json!({ "status": "in progress", "identity": id });
        work.write(
            &format!("{}{}", files::MANIFEST, files::PARTIAL),
            format!("{partial:#}\n").as_bytes(),
        )
        .context_io(|| format!("cannot write `{}`", manifest_partial.display()))?;
        (w, 0)
    };
    Ok(OpenSweep {
        writer,
        start,
        identity: id,
        work,
    })
}

/// Largest in-progress manifest read back, in bytes: it holds the sweep's
/// identity, whose dimensions may list up to 100,000 values each.
const MAX_PARTIAL_MANIFEST_BYTES: u64 = 64 * 1024 * 1024;

fn resume(
    dir: &Path,
    manifest_partial: &Path,
    id: &serde_json::Value,
    paths: &[String],
    outcome_rows: usize,
    member_rows: usize,
) -> Result<(SweepWriter, usize), JobError> {
    let class = Class {
        noun: "partial manifest",
        links: Links::Refuse,
        max_bytes: MAX_PARTIAL_MANIFEST_BYTES,
    };
    let text = match input::read(manifest_partial, class) {
        Ok(bytes) => String::from_utf8(bytes).map_err(|_| {
            bad(format!(
                "`{}` is damaged (it is not UTF-8 text); run without --resume to start over",
                manifest_partial.display()
            ))
        })?,
        Err(InputError::Unreadable { .. }) => {
            return Err(bad(format!(
                "nothing to resume in `{}`: there is no interrupted sweep there (run without --resume to start one)",
                dir.display()
            )))
        }
        Err(e) => return Err(bad(format!("{e}; run without --resume to start over"))),
    };
    let saved: serde_json::Value = serde_json::from_str(&text).map_err(|_| {
        bad(format!(
            "`{}` is damaged; run without --resume to start over",
            manifest_partial.display()
        ))
    })?;
    // A sweep interrupted under an older rule label (`unanimity`) is the
    // same sweep: the labels are compared as rules.
    let saved_id = &crate::shard::files::with_current_rule_labels(&saved["identity"]);
    if saved_id != id {
        // Keys of either identity: one may have a key the other lacks (a
        // posterior given to one of the two commands only).
        let mut differs: Vec<String> = [id, saved_id]
            .iter()
            .filter_map(|i| i.as_object())
            .flat_map(|o| o.keys())
            .filter(|k| id.get(k.as_str()) != saved_id.get(k.as_str()))
            .cloned()
            .collect();
        differs.sort();
        differs.dedup();
        return Err(bad(format!(
            "the interrupted sweep in `{}` was started with a different {}; resume it with the same scenario and options, or run without --resume to start over",
            dir.display(),
            differs.join(", ")
        )));
    }
    SweepWriter::resume(dir, paths, outcome_rows, member_rows).map_err(|e| {
        bad(format!(
            "cannot resume the sweep in `{}`: {e}; run without --resume to start over",
            dir.display()
        ))
    })
}

/// The scenario's own value of each varied parameter, as point cells show it:
/// rounded to 12 decimals as generated values are, so that a central value
/// computed as 0.6000000000000001 reads 0.6 and pivots with a point set to 0.6.
fn baseline(p: &SweepJob) -> Vec<String> {
    p.plan
        .dimensions
        .iter()
        .map(|d| crate::sweep::tidy(d.path.central(&p.scenario)).to_string())
        .collect()
}

/// How a dimension's value cells are made.
enum ValueCells {
    /// The cell of each entry of the dimension's list.
    Listed(Vec<String>),
    /// Sampled values, formatted point by point.
    Sampled,
}

/// Formats the rows of a sweep's points as bytes (see [`RowFormat`]): the
/// lead cells (point, values, rule) from cells made once per listed value
/// and per rule.
pub(super) struct PointRows {
    format: RowFormat,
    baseline: Vec<String>,
    values: Vec<ValueCells>,
    rules: Vec<String>,
}

/// A point's rows, as bytes, for the two files.
#[derive(Debug, Default)]
pub(super) struct RowBytes {
    /// Rows of `sweep_outcomes.csv`.
    pub outcomes: Vec<u8>,
    /// Rows of `sweep_members.csv`.
    pub members: Vec<u8>,
    lead: Vec<u8>,
}

impl PointRows {
    /// The rows of `p`'s points.
    pub(super) fn new(p: &SweepJob) -> PointRows {
        let values = (0..p.plan.dimensions.len())
            .map(|j| match p.plan.listed(j) {
                Some(list) => {
                    ValueCells::Listed(list.iter().map(|x| quoted(&x.to_string())).collect())
                }
                None => ValueCells::Sampled,
            })
            .collect();
        PointRows {
            format: RowFormat::new(&p.scenario, p.plan.runs),
            baseline: baseline(p).iter().map(|b| quoted(b)).collect(),
            values,
            rules: p
                .plan
                .rules
                .iter()
                .map(|r| quoted(&text_cell(&r.to_string())))
                .collect(),
        }
    }

    /// Point `i`'s rows from its tally, into `rows` (emptied first).
    pub(super) fn fill(&self, p: &SweepJob, i: usize, tally: &Tally, rows: &mut RowBytes) {
        let lead = &mut rows.lead;
        lead.clear();
        push_u64(lead, i as u64);
        for (j, cells) in self.values.iter().enumerate() {
            lead.push(b',');
            match (p.plan.coordinate(i, j), cells) {
                (Coordinate::Scenario, _) => lead.extend_from_slice(self.baseline[j].as_bytes()),
                (Coordinate::Listed { index, .. }, ValueCells::Listed(cells)) => {
                    lead.extend_from_slice(cells[index].as_bytes())
                }
                // A number's digits need no quoting.
                (c, _) => {
                    let _ = write!(lead, "{}", c.value().unwrap_or_default());
                }
            }
        }
        lead.push(b',');
        lead.extend_from_slice(self.rules[i % self.rules.len()].as_bytes());
        lead.push(b',');
        rows.outcomes.clear();
        rows.members.clear();
        self.format.outcome_rows(lead, tally, &mut rows.outcomes);
        self.format.member_rows(lead, tally, &mut rows.members);
    }
}

/// Appends point `i`'s rows.
pub(super) fn write_point(
    p: &SweepJob,
    rows: &PointRows,
    writer: &mut SweepWriter,
    i: usize,
    tally: &Tally,
) -> std::io::Result<()> {
    let mut bytes = RowBytes::default();
    rows.fill(p, i, tally, &mut bytes);
    writer.write_rows(&bytes.outcomes, &bytes.members)
}

/// Draws the charts from the finished rows, still under their in-progress
/// names (so that a cancel there leaves the work folder ready for
/// `--resume`), gives the CSV files their final names, writes the report and
/// manifest into the work folder, and puts it in place as the results folder.
pub(super) fn finish_outputs(
    p: &SweepJob,
    mut writer: SweepWriter,
    work: Staged,
    id: &serde_json::Value,
    origin: Origin,
    no_report: bool,
    watch: Watch,
) -> Result<Committed, JobError> {
    let dir = work.path().to_path_buf();
    writer
        .flush()
        .context_io(|| format!("cannot write the results in `{}`", dir.display()))?;
    let charts = if no_report {
        None
    } else {
        Some(draw_charts(p, &dir, watch.cancel)?)
    };
    writer
        .finish()
        .context_io(|| format!("cannot write the results in `{}`", dir.display()))?;
    let m = manifest_json(p, id, origin);
    let extra = write_report(p, &dir, &m, charts)?;
    write_manifest(&dir, m, extra)?;
    let partial = files::partial(&dir, files::MANIFEST);
    match std::fs::remove_file(&partial) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(e).context_io(|| format!("cannot remove `{}`", partial.display()))?
        }
        _ => {}
    }
    super::commit(work, p.replace, p.dialect)
}

fn manifest_json(p: &SweepJob, id: &serde_json::Value, origin: Origin) -> serde_json::Value {
    let (sha, files_read) = manifest::scenario_digest(&p.scenario);
    let mut m = json!({
        "tool": "alliance-sim",
        "version": env!("CARGO_PKG_VERSION"),
        "command": crate::output::manifest::command_line(),
        "scenario": p.label,
        "scenario_name": p.scenario.name,
        "scenario_sha256": sha,
        "scenario_files": files_read,
        "design": id["design"],
        "samples": id["samples"],
        "dimensions": id["dimensions"],
        "rules": id["rules"],
        "points": p.plan.len(),
        "runs": p.plan.runs,
        "seed": p.plan.seed,
        "common_random_numbers": "run r at every point draws from ChaCha8Rng::seed_from_u64(seed), stream r",
        "design_stream": "Latin hypercube points draw from ChaCha8Rng::seed_from_u64(seed), stream 2^64-1",
        "files": [files::OUTCOMES, files::MEMBERS],
    });
    if let Some(post) = &p.posterior {
        m["posterior"] = post.to_json();
    }
    match origin {
        Origin::Threads(t) => m["threads"] = json!(t),
        Origin::Shards(n) => m["shards"] = json!(n),
    }
    m
}

/// Writes the manifest into `dir`, listing `extra` files besides the two
/// CSV files.
fn write_manifest(
    dir: &Path,
    mut m: serde_json::Value,
    extra: Vec<String>,
) -> Result<(), JobError> {
    if let Some(list) = m["files"].as_array_mut() {
        list.extend(extra.into_iter().map(serde_json::Value::from));
    }
    let path = dir.join(files::MANIFEST);
    std::fs::write(&path, format!("{m:#}\n").as_bytes())
        .context_io(|| format!("cannot write `{}`", path.display()))
}

/// Results files larger than this are not read back for charts.
const MAX_CHART_INPUT: u64 = 20 * 1024 * 1024;

/// What the page of a finished sweep shows (charts, answer, table), from its
/// rows still under their in-progress name, or why there is nothing to show;
/// stopped by `cancel`.
fn draw_charts(
    p: &SweepJob,
    dir: &Path,
    cancel: Option<&AtomicBool>,
) -> Result<Result<Look, String>, JobError> {
    let csv_path = files::partial(dir, files::OUTCOMES);
    let paths = p.paths();
    let rules: Vec<String> = p.plan.rules.iter().map(|r| r.to_string()).collect();
    let options: Vec<String> = p.scenario.options.iter().map(|o| o.id.clone()).collect();
    let focus = &p.scenario.options[p.scenario.crisis.requested].id;
    let size = std::fs::metadata(&csv_path).map(|m| m.len()).unwrap_or(0);
    if size > MAX_CHART_INPUT {
        return Ok(Err(format!(
            "{} is larger than {} MB; pivot it instead",
            files::OUTCOMES,
            MAX_CHART_INPUT >> 20
        )));
    }
    let text = std::fs::read_to_string(&csv_path)
        .context_io(|| format!("cannot read `{}`", csv_path.display()))?;
    let layout = match p.plan.design {
        Design::Grid => Layout::Grid,
        Design::LatinHypercube { .. } => Layout::Sample,
        Design::OneAtATime => Layout::OneAtATime,
    };
    files::look_watched(&text, &paths, layout, &rules, &options, focus, cancel).ok_or_else(|| {
        JobError::Interrupted(format!(
            "interrupted while drawing the charts; the previous results are as they were, and all {} points are kept in {}; run the same command with --resume to finish",
            p.plan.len(),
            dir.display()
        ))
    })
}

/// Writes the charts and report.html of a finished sweep into `dir` (with
/// no charts, nothing) and returns the names written. The page opens with
/// its answer, then the charts with what each rule means, then a table of
/// the points.
fn write_report(
    p: &SweepJob,
    dir: &Path,
    manifest: &serde_json::Value,
    look: Option<Result<Look, String>>,
) -> Result<Vec<String>, JobError> {
    let Some(look) = look else {
        return Ok(Vec::new());
    };
    let paths = p.paths();
    let rules: Vec<String> = p.plan.rules.iter().map(|r| r.to_string()).collect();
    let mut summary = format!(
        "{} points ({} design over {}; {} {}), {} runs each, seed {}. Every point uses the same random numbers (common random numbers). The full results are in {} and {}.",
        thousands(p.plan.len() as u64),
        p.plan.design.name(),
        if paths.is_empty() { "no parameter".to_string() } else { paths.join(", ") },
        if rules.len() == 1 { "rule" } else { "rules" },
        rules.join(", "),
        thousands(p.plan.runs),
        p.plan.seed,
        files::OUTCOMES,
        files::MEMBERS,
    );
    if let Some(post) = &p.posterior {
        summary.push(' ');
        summary.push_str(&post.sentence());
    }
    let focus = &p.scenario.options[p.scenario.crisis.requested].id;
    let mut answer_html = String::new();
    let mut written = Vec::new();
    let mut pending = Vec::new();
    let mut chart_html = String::new();
    let mut table_html = String::new();
    match &look {
        Ok(look) => {
            for sentence in &look.answer {
                answer_html.push_str(&report::p_html(sentence));
            }
            for (name, _title, svg) in &look.charts {
                chart_html.push_str(&report::svg_html(svg));
                pending.push((name.clone(), svg.clone()));
            }
            if let Some(note) = &look.chart_note {
                let lead = if look.charts.is_empty() {
                    "No chart"
                } else {
                    "Note"
                };
                chart_html.push_str(&report::p_html(&format!("{lead}: {note}.")));
            }
            let header: Vec<&str> = look.header.iter().map(String::as_str).collect();
            let shown = if look.rows.len() < look.points {
                format!(
                    "{} of the {} points, evenly spaced (the first and the last among them); every point is in {}.",
                    thousands(look.rows.len() as u64),
                    thousands(look.points as u64),
                    files::OUTCOMES
                )
            } else {
                format!(
                    "Every point ({}); the counts and 95% intervals are in {}.",
                    thousands(look.points as u64),
                    files::OUTCOMES
                )
            };
            table_html.push_str(&report::p_html(&format!(
                "The probability of each outcome at each point. {shown}"
            )));
            table_html.push_str(&report::table_html(&header, &look.rows));
        }
        Err(reason) => {
            chart_html.push_str(&report::p_html(&format!("No chart: {reason}.")));
            table_html.push_str(&report::p_html(&format!(
                "No table: {reason}. Every point is in {}.",
                files::OUTCOMES
            )));
        }
    }
    answer_html.push_str(&report::p_html(&format!(
        "The requested option is {focus}. {summary}"
    )));
    // What each rule means, named as the CSV files name it.
    let mut rules_html = String::new();
    for rule in &p.plan.rules {
        rules_html.push_str(&report::p_html(&format!("{rule}: {}", rule.meaning())));
    }
    chart_html.push_str(&rules_html);
    let html = report::report_html(
        &format!("{} ({}): sweep", p.scenario.name, p.label),
        &[
            Section {
                heading: "Answer".into(),
                body_html: answer_html,
            },
            Section {
                heading: "Charts".into(),
                body_html: chart_html,
            },
            Section {
                heading: "Results".into(),
                body_html: table_html,
            },
            Section {
                heading: "Scenario".into(),
                body_html: report::sources_html(&p.scenario.sources),
            },
            Section {
                heading: "Manifest".into(),
                body_html: report::pre_html(&format!("{manifest:#}")),
            },
        ],
    );
    pending.push(("report.html".into(), html));
    for (name, body) in pending {
        let path = dir.join(&name);
        std::fs::write(&path, body.as_bytes())
            .context_io(|| format!("cannot write `{}`", path.display()))?;
        written.push(name);
    }
    Ok(written)
}
