//! Analyses built on simulation results: agreement with history
//! (`validate`) and voting power (`power`).

pub mod power;
pub mod validate;
