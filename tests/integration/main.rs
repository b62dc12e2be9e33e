//! Integration tests, one binary: the command line end to end, the shipped
//! scenarios, determinism (threads, shards and merging), and statistical
//! checks of the model.

mod bad_scenarios;
mod calibrate;
mod cli;
mod explain;
mod features;
mod hostile_text;
mod noise;
mod posterior;
mod power;
mod properties;
mod report;
mod sensitivity;
mod shards;
mod statistics;
mod sweep;
mod util;
mod validate;
