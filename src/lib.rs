//! alliance-sim: agent-based Monte Carlo simulation of alliance decisions.
//!
//! Data flows one way: a scenario file is parsed and checked into a
//! [`scenario::Scenario`]; the [`model`] turns one run's draws into votes and a
//! decision; the [`runner`] runs many in parallel into a [`runner::Tally`];
//! [`output`] summarizes tallies and writes them as CSV and JSON. A run or a
//! sweep can be split into [`shard`]s whose tallies merge exactly; a [`job`]
//! takes a command's settings through all of it to the result files. A
//! [`posterior`] sample of fitted parameters, when given, becomes one model
//! per draw, and each run simulates one of them. Every file the program is
//! given is read through [`input`], which refuses pipes, devices and (for
//! files the program wrote itself) links, and bounds what it reads.
//! Whatever is shown to people from input (names, paths, values) passes
//! through [`text`] first.

pub mod analysis;
pub mod calibrate;
pub mod input;
pub mod job;
pub mod model;
pub mod output;
pub mod posterior;
pub mod runner;
pub mod scenario;
pub mod shard;
pub mod sweep;
pub mod text;
