//! `lacquer`: offline rendering, parameter listing and the demo.

use std::process::ExitCode;

use clap::Parser;
use lacquer_cli::Cli;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match lacquer_cli::run(cli) {
        Ok(status) => ExitCode::from(status),
        Err(error) => {
            eprintln!("lacquer: error: {error:#}");
            ExitCode::from(2)
        }
    }
}
