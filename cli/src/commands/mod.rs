//! One module per subcommand.

pub mod analyze;
pub mod demo;
pub mod master;
pub mod params;
pub mod presets;
pub mod render;
