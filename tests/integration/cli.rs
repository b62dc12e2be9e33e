//! The command line end to end.

use crate::util;
