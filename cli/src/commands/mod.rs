//! One module per subcommand.

pub mod demo;
pub mod params;
pub mod render;
