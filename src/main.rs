//! The `dateline` binary: parse arguments, run, map the result to an exit
//! code (0 hits, 1 no hits, 2 error). A closed pipe (`dateline … | head`)
//! ends quietly with 0.

use std::io::{self, Write};
use std::process::ExitCode;

use clap::Parser;
use dateline::cli::Cli;
use dateline::commands::{Outcome, run};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let mut err = io::stderr();
    match run(&cli.command, &mut out, &mut err) {
        Ok(Outcome::Success) => ExitCode::SUCCESS,
        Ok(Outcome::NoMatch) => ExitCode::from(1),
        Err(dateline::Error::Output(e)) if e.kind() == io::ErrorKind::BrokenPipe => {
            ExitCode::SUCCESS
        }
        Err(error) => {
            let _ = out.flush();
            let _ = writeln!(err, "dateline: {error}");
            ExitCode::from(2)
        }
    }
}
