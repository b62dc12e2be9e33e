//! The files of a run's results folder: `outcomes.csv`, `members.csv`,
//! `manifest.json`, with `runs.csv` (per run) and `outcomes.svg` and
//! `report.html` (unless the report is turned off). The files are written
//! into a staging folder that is put in place whole when all are ready.

use std::fs::File;
use std::io::{BufWriter, Write};

use super::run::RunJob;
use super::{IoContext, JobError, Origin};
use crate::output::charts;
use crate::output::folder::{Committed, Staged};
use crate::output::report::{self, Section};
use crate::output::table::thousands;
use crate::output::{csv, manifest, Manifest, Summary};
use crate::posterior::PosteriorRecord;

/// Writes a job's result files from its summary into `staged`:
/// outcomes.csv, members.csv, `runs_csv` (already written there) if given,
/// the chart and report unless `no_report`, and manifest.json; then puts
/// the folder in place in one step (see [`crate::output::folder`]).
pub fn write_results(
    job: &RunJob,
    summary: &Summary,
    staged: Staged,
    runs_csv: Option<BufWriter<File>>,
    origin: Origin,
    no_report: bool,
) -> Result<Committed, JobError> {
    let rule = job.rule.to_string();
    let mut files = vec!["outcomes.csv".to_string(), "members.csv".to_string()];
    if let Some(mut f) = runs_csv {
        f.flush().context_io(|| job.cannot_write("runs.csv"))?;
        files.push("runs.csv".into());
    }
    let mut outcomes_csv = Vec::new();
    csv::outcomes(&mut outcomes_csv, &job.label, &rule, &job.scenario, summary)
        .context_io(|| job.cannot_write("outcomes.csv"))?;
    let mut members_csv = Vec::new();
    csv::members(&mut members_csv, &job.label, &rule, &job.scenario, summary)
        .context_io(|| job.cannot_write("members.csv"))?;
    if !no_report {
        files.push("outcomes.svg".into());
        files.push("report.html".into());
    }
    let m = manifest(job, origin, files);
    let manifest_json = m.to_json();
    let mut pending = Vec::new();
    if !no_report {
        let svg = outcomes_chart(job, &rule, summary);
        let html = run_report(
            job,
            summary,
            &rule,
            &svg,
            &outcomes_csv,
            &members_csv,
            &manifest_json,
        );
        pending.push(("outcomes.svg", svg.into_bytes()));
        pending.push(("report.html", html.into_bytes()));
    }
    pending.push(("outcomes.csv", outcomes_csv));
    pending.push(("members.csv", members_csv));
    pending.push(("manifest.json", manifest_json.into_bytes()));
    for (name, bytes) in pending {
        staged
            .write(name, &bytes)
            .context_io(|| job.cannot_write(name))?;
    }
    super::commit(staged, job.replace, job.dialect)
}

/// The manifest of a run's results.
fn manifest(job: &RunJob, origin: Origin, files: Vec<String>) -> Manifest {
    let (scenario_sha256, scenario_files) = manifest::scenario_digest(&job.scenario);
    let (threads, shards) = match origin {
        Origin::Threads(t) => (Some(t), None),
        Origin::Shards(n) => (None, Some(n)),
    };
    Manifest {
        tool: "alliance-sim".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        command: crate::output::manifest::command_line(),
        scenario: job.label.clone(),
        scenario_name: job.scenario.name.clone(),
        scenario_sha256,
        scenario_files,
        rule: job.rule.to_string(),
        seed: job.seed,
        runs: job.runs,
        noise: job.scenario.montecarlo.noise,
        noise_model: job.scenario.montecarlo.noise_model.to_string(),
        abstention_band: job.scenario.abstention_band,
        posterior: job.posterior.as_ref().map(PosteriorRecord::to_json),
        threads,
        shards,
        generator: "ChaCha8Rng::seed_from_u64(seed), stream = run index".into(),
        files,
    }
}

/// The outcome distribution with its intervals.
fn outcomes_chart(job: &RunJob, rule: &str, summary: &Summary) -> String {
    let options: Vec<String> = job.scenario.options.iter().map(|o| o.id.clone()).collect();
    let get = |f: fn(&crate::output::summary::Share) -> f64| -> Vec<f64> {
        summary.outcomes.iter().map(f).collect()
    };
    charts::outcome_bars(
        &format!(
            "{}: outcomes ({rule}, {} runs)",
            job.scenario.name,
            thousands(summary.runs)
        ),
        &options,
        &get(|s| s.probability),
        &get(|s| s.ci_low),
        &get(|s| s.ci_high),
    )
}

/// A share as a percentage with one decimal: `62.7%`.
fn percent(p: f64) -> String {
    format!("{:.1}%", 100.0 * p)
}

/// How often something happened, in words: `12.3% of runs`, or for what
/// would round to 0.0%, `3 of 20,000 runs`.
fn share_of_runs(count: u64, runs: u64) -> String {
    let p = if runs == 0 {
        0.0
    } else {
        count as f64 / runs as f64
    };
    if p < 0.0005 {
        format!("{} of {} runs", thousands(count), thousands(runs))
    } else {
        format!("{} of runs", percent(p))
    }
}

/// A member as the page names it: `Russia (RUS)`, or the id alone when the
/// scenario gives no other name.
fn member_name(m: &crate::scenario::Member) -> String {
    if m.name.is_empty() || m.name == m.id {
        m.id.clone()
    } else {
        format!("{} ({})", m.name, m.id)
    }
}

/// Whether a member took no part in any run (a party excluded from the vote).
fn absent(summary: &Summary, i: usize) -> bool {
    summary
        .members
        .get(i)
        .is_none_or(|sh| summary.runs > 0 && sh.yes.count + sh.no.count + sh.abstain.count == 0)
}

/// Names joined as prose: `a`, `a and b`, `a, b and c`.
fn prose_list(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// The page's answer, first: the most likely outcome with its share and
/// interval (and whether it is the historical one), what became of the
/// requested option and who stopped it; then the rule in words and the mean
/// rounds of voting. The terminal prints the same numbers.
pub fn lead(job: &RunJob, summary: &Summary) -> Vec<String> {
    let s = &job.scenario;
    let modal = summary.modal_level();
    let option = |k: usize| s.options.get(k).map_or("?", |o| o.id.as_str());
    let share = |k: usize| summary.outcomes.get(k).copied();
    let mut first = String::new();
    if let Some(m) = share(modal) {
        first.push_str(&format!(
            "Most likely outcome: {} ({} of {} runs, 95% interval {}–{})",
            option(modal),
            percent(m.probability),
            thousands(summary.runs),
            percent(m.ci_low),
            percent(m.ci_high)
        ));
        match &s.expected {
            Some(e) if e.accepts(modal) => first.push_str(", the historical outcome."),
            Some(e) => {
                let historical: Vec<String> = e
                    .levels
                    .iter()
                    .map(|&k| {
                        format!(
                            "{} ({})",
                            option(k),
                            percent(share(k).map_or(0.0, |x| x.probability))
                        )
                    })
                    .collect();
                first.push_str(&format!(
                    "; historically the outcome was {}.",
                    historical.join(" or ")
                ));
            }
            None => first.push('.'),
        }
    }
    let requested = s.crisis.requested;
    let asked = if s.crisis.requester.is_some() {
        "requested"
    } else {
        "proposed"
    };
    let passed = share(requested).map_or(0.0, |x| x.probability);
    let mut second = if passed == 0.0 {
        format!("The {asked} {} never passed", option(requested))
    } else if passed == 1.0 {
        format!("The {asked} {} passed in every run", option(requested))
    } else {
        format!(
            "The {asked} {} passed in {} of runs",
            option(requested),
            percent(passed)
        )
    };
    let most = |pick: fn(&crate::output::summary::MemberShares) -> f64| -> Vec<String> {
        s.members
            .iter()
            .zip(&summary.members)
            .enumerate()
            .filter(|(i, (_, sh))| !absent(summary, *i) && pick(sh) > 0.5)
            .map(|(_, (m, _))| member_name(m))
            .collect()
    };
    let against = most(|sh| sh.no.probability);
    let abstained = most(|sh| sh.abstain.probability);
    let mut why = Vec::new();
    if !against.is_empty() {
        why.push(format!(
            "{} voted no on it in most runs",
            prose_list(&against)
        ));
    }
    if !abstained.is_empty() {
        why.push(format!("{} abstained in most runs", prose_list(&abstained)));
    }
    if passed < 1.0 && !why.is_empty() {
        second.push_str(if passed == 0.0 { ": " } else { "; " });
        second.push_str(&why.join("; "));
    }
    let mut sole: Vec<(u64, String)> = s
        .members
        .iter()
        .zip(&summary.members)
        .filter(|(_, sh)| sh.sole_blocker.count > 0)
        .map(|(m, sh)| (sh.sole_blocker.count, member_name(m)))
        .collect();
    sole.sort_by_key(|(count, _)| std::cmp::Reverse(*count));
    if sole.is_empty() {
        second.push_str(if passed < 1.0 {
            "; no member was ever its sole blocker."
        } else {
            "."
        });
    } else {
        let named: Vec<String> = sole
            .iter()
            .take(3)
            .map(|(count, n)| format!("{n} in {}", share_of_runs(*count, summary.runs)))
            .collect();
        second.push_str(&format!(
            "; a single member blocked it alone in some runs: {}{}.",
            prose_list(&named),
            if sole.len() > 3 { " (and others)" } else { "" }
        ));
    }
    let third = format!(
        "{} Mean rounds of voting: {:.2}.",
        job.rule.described(),
        summary.mean_rounds
    );
    vec![format!("{first} {second}"), third]
}

/// The outcome table as the terminal prints it: level, option, share,
/// interval, and the marks "most likely" and "historical".
fn outcome_table(job: &RunJob, summary: &Summary) -> String {
    let s = &job.scenario;
    let modal = summary.modal_level();
    let rows: Vec<Vec<String>> = s
        .options
        .iter()
        .zip(&summary.outcomes)
        .enumerate()
        .map(|(level, (o, sh))| {
            let mut marks = Vec::new();
            if level == modal {
                marks.push("most likely");
            }
            if s.expected.as_ref().is_some_and(|e| e.accepts(level)) {
                marks.push("(historical)");
            }
            vec![
                level.to_string(),
                o.id.clone(),
                format!("{:.3}", sh.probability),
                format!("[{:.3}, {:.3}]", sh.ci_low, sh.ci_high),
                thousands(sh.count),
                marks.join(" "),
            ]
        })
        .collect();
    report::table_html(
        &["level", "option", "probability", "95% interval", "runs", ""],
        &rows,
    )
}

/// The votes on the requested option, member by member, by name.
fn votes_table(job: &RunJob, summary: &Summary) -> String {
    let s = &job.scenario;
    let role = |i: usize| {
        if Some(i) == s.alliance.hegemon {
            "hegemon"
        } else if Some(i) == s.crisis.requester {
            "requester"
        } else {
            ""
        }
    };
    let rows: Vec<Vec<String>> = s
        .members
        .iter()
        .zip(&summary.members)
        .enumerate()
        .map(|(i, (m, sh))| {
            let mut row = vec![member_name(m), role(i).to_string()];
            if absent(summary, i) {
                row.push("absent: a party to the dispute, excluded from the vote".into());
            } else {
                row.extend(
                    [sh.yes, sh.no, sh.abstain, sh.sole_blocker]
                        .map(|x| format!("{:.3}", x.probability)),
                );
            }
            row
        })
        .collect();
    report::table_html(
        &["member", "role", "yes", "no", "abstain", "sole blocker"],
        &rows,
    )
}

/// The "why" chart: each member's utility terms for the requested option
/// from the same noise-free evaluation as `alliance-sim explain`, beside its
/// vote shares in the runs.
pub fn terms_chart(job: &RunJob, summary: &Summary) -> String {
    let s = &job.scenario;
    let x = crate::model::Model::new(s, job.rule).explain(s);
    let requested = s.crisis.requested;
    let rows: Vec<charts::TermsRow> = x
        .members
        .iter()
        .enumerate()
        .filter_map(|(i, m)| {
            let o = m.options.iter().find(|o| o.level == requested)?;
            let mut label = s.members.get(i).map_or_else(|| m.id.clone(), member_name);
            if m.role != crate::model::explain::Role::Member {
                label = format!("{label}, {}", m.role.name());
            }
            let votes = (!absent(summary, i)).then(|| {
                let sh = &summary.members[i];
                charts::VoteShares {
                    yes: sh.yes.probability,
                    no: sh.no.probability,
                    abstain: sh.abstain.probability,
                    sole_blocker: sh.sole_blocker.probability,
                }
            });
            Some(charts::TermsRow {
                label,
                terms: [
                    o.security,
                    o.regime,
                    o.partner,
                    o.credibility,
                    o.sovereignty,
                    o.cost,
                    o.external,
                    o.pull,
                ],
                perceived: o.perceived,
                yes_above: o.yes_above,
                no_below: o.no_below,
                votes,
            })
        })
        .collect();
    let option = s.options.get(requested).map_or("?", |o| o.id.as_str());
    let runs = format!(
        "Votes: shares of the {} runs, which add perception noise{}.",
        thousands(summary.runs),
        if job.posterior.is_some() {
            " and draw parameters from the posterior"
        } else {
            " and draw any uncertain parameters afresh"
        }
    );
    let mut caption = vec![
        "Bars: one noise-free evaluation at the scenario's central values, the numbers of `alliance-sim explain`.",
        runs.as_str(),
    ];
    if s.crisis.requester.is_some() {
        caption.push("The requester votes for what it asked for, whatever its utility.");
    }
    charts::utility_terms(
        &format!("Why: each member's utility for {option}"),
        &rows,
        "utility (model units: each term weighted and scaled by the option)",
        &caption,
    )
}

/// `report.html` of a run.
fn run_report(
    job: &RunJob,
    summary: &Summary,
    rule: &str,
    svg: &str,
    outcomes_csv: &[u8],
    members_csv: &[u8],
    manifest_json: &str,
) -> String {
    let requested = job
        .scenario
        .options
        .get(job.scenario.crisis.requested)
        .map(|o| o.id.as_str())
        .unwrap_or("");
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    let sections = [
        Section {
            heading: "Outcomes".into(),
            body_html: report::svg_html(svg)
                + &outcome_table(job, summary)
                + &report::p_html(&format!(
                    "Mean rounds of voting: {:.2}.",
                    summary.mean_rounds
                )),
        },
        Section {
            heading: format!("Why: each member's view of {requested}, and its votes"),
            body_html: report::svg_html(&terms_chart(job, summary))
                + &votes_table(job, summary)
                + &report::note_html(
                    "Utility terms to the right of 0 speak for the option, those to the left \
                     against it; a member votes yes when the utility it votes on (the dot) lies \
                     right of its green tick, no when it lies left of its red tick, and abstains \
                     in between. The hegemon's pull moves a dependent member's utility toward \
                     the hegemon's.",
                ),
        },
        Section {
            heading: "Settings".into(),
            body_html: report::p_html(&format!(
                "Scenario {} ({}), rule {rule}, {} runs, seed {}; requested: {requested}.{}",
                job.scenario.name,
                job.label,
                thousands(job.runs),
                job.seed,
                job.posterior
                    .as_ref()
                    .map_or(String::new(), |p| format!(" {}", p.sentence()))
            )),
        },
        Section {
            heading: "Files: outcomes.csv and members.csv".into(),
            body_html: report::csv_table_html(&text(outcomes_csv))
                + &report::csv_table_html(&text(members_csv)),
        },
        Section {
            heading: "Scenario".into(),
            body_html: report::sources_html(&job.scenario.sources),
        },
        Section {
            heading: "Manifest".into(),
            body_html: report::pre_html(manifest_json),
        },
    ];
    report::report_with_lead(
        &format!("{} ({}): results", job.scenario.name, job.label),
        &lead(job, summary),
        &sections,
    )
}
