use std::process::ExitCode;

use clap::Parser;

use aarshjul::cli::{self, Cli};
use aarshjul::tui;

fn main() -> ExitCode {
    let args = Cli::parse();
    let outcome = match &args.command {
        Some(command) => cli::run(&args.global, command),
        None => tui::run(&args.global, None),
    };
    match outcome {
        Ok(code) => code,
        Err(failure) => {
            eprintln!("aarshjul: {}", failure.0);
            ExitCode::from(2)
        }
    }
}
