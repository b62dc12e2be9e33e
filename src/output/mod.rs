//! Output: summaries of tallies, the CSV and JSON files of a result folder,
//! written atomically, and the summary table printed on the terminal.

pub mod charts;
pub mod csv;
pub mod dialect;
pub mod explain;
pub mod folder;
pub mod manifest;
pub mod report;
pub mod summary;
pub mod sweep;
pub mod table;

/// The tests' check of SVG and HTML pages, shared with the integration tests.
#[cfg(test)]
#[path = "../../tests/integration/markup.rs"]
pub(crate) mod markup;

pub use manifest::Manifest;
pub use summary::Summary;
