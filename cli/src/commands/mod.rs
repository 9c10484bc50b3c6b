//! One module per subcommand.

pub mod analyze;
pub mod demo;
pub mod params;
pub mod render;
