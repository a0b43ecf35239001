use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

use aarshjul::cli::{self, Cli};
use aarshjul::i18n::Lang;
use aarshjul::tui;

/// Exit code when the output cannot be written (a full disk, a broken device): EX_IOERR.
const OUTPUT_FAILED: i32 = 74;

fn main() -> ExitCode {
    // A closed pipe (`aarshjul status | head -1`) ends the program quietly, as it does any
    // Unix tool: the default action of SIGPIPE, which Rust programs otherwise ignore.
    // SAFETY: called before any thread is started; SIG_DFL is a valid disposition.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let args = Cli::parse();
    output_failure_is_one_sentence(args.global.lang());
    let outcome = match &args.command {
        Some(command) => cli::run(&args.global, command),
        None => tui::run(&args.global, None),
    };
    match outcome {
        Ok(code) => code,
        Err(failure) => {
            // A message may quote what was typed: escaped, never acted on by the terminal.
            eprintln!("aarshjul: {}", aarshjul::text::escaped_lines(&failure.0));
            ExitCode::from(2)
        }
    }
}

/// `println!` panics when stdout cannot be written (`status >/dev/full`). Turn that one
/// panic into one sentence and exit code 74; every other panic goes on as before.
fn output_failure_is_one_sentence(lang: Lang) {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let text = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or_default();
        if text.starts_with("failed printing to stdout")
            || text.starts_with("failed printing to stderr")
        {
            let full = text.contains("os error 28");
            let sentence = if full {
                lang.pick(
                    "Resultatet kunne ikke skrives ud: der er ikke mere plads på disken.",
                    "The output could not be written: there is no space left on the device.",
                )
            } else {
                lang.pick(
                    "Resultatet kunne ikke skrives ud.",
                    "The output could not be written.",
                )
            };
            let _ = writeln!(std::io::stderr(), "aarshjul: {sentence}");
            std::process::exit(OUTPUT_FAILED);
        }
        previous(info);
    }));
}
