//! Integration tests, one binary: the command line end to end, the shipped
//! scenarios, determinism, and statistical checks of the model.

mod cli;
mod explain;
mod statistics;
mod sweep;
mod util;
