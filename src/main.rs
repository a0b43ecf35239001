use std::process::ExitCode;

use clap::Parser;

use aarshjul::cli::{self, Cli, Command};

fn main() -> ExitCode {
    let args = Cli::parse();
    let command = args.command.unwrap_or(Command::Status {
        date: None,
        json: false,
    });
    match cli::run(&args.global, &command) {
        Ok(code) => code,
        Err(failure) => {
            eprintln!("aarshjul: {}", failure.0);
            ExitCode::from(2)
        }
    }
}
