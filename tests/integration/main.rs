//! Integration tests, one binary: the command line end to end, the shipped
//! scenarios, determinism (threads, shards and merging), and statistical
//! checks of the model.

mod bad_scenarios;
mod calibrate;
mod cli;
mod exact_rules;
mod explain;
mod features;
mod folders;
mod hostile_limits;
mod hostile_shards;
mod hostile_text;
mod locale;
mod markup;
mod noise;
mod page_answers;
mod pages;
mod pinned_draws;
mod plain_games;
mod posterior;
mod power;
mod properties;
mod report;
mod rule_names;
mod sensitivity;
mod sensitivity_bands;
mod shards;
mod statistics;
mod sweep;
mod sweep_pages;
mod util;
mod validate;
