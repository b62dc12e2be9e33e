//! Statistical checks of the model against exact results, and reproducibility.

use crate::util;
