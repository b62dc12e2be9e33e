//! Integration tests, one binary: the command line end to end, the shipped
//! scenarios, determinism, and statistical checks of the model.

mod util;
mod cli;
mod statistics;
