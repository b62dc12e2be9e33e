//! Analyses built on simulation results: agreement with history
//! (`validate`), voting power (`power`) and sensitivity to parameters
//! (`sensitivity`).

pub mod baseline;
pub mod cases;
pub mod power;
pub mod sensitivity;
pub mod validate;
