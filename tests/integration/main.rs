//! Integration tests, one binary: the command line end to end, the shipped
//! scenarios, determinism, and statistical checks of the model.

mod bad_scenarios;
mod cli;
mod explain;
mod power;
mod properties;
mod report;
mod sensitivity;
mod statistics;
mod sweep;
mod util;
mod validate;
