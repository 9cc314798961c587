//! The `hindsight` binary: parse the command line, run the command, print the error chain
//! once, exit with the command's code (0 ok, 1 findings or failure, 2 usage).

mod cli;
mod commands;

use std::process::ExitCode;

use clap::Parser;

// mimalloc: the build allocates many small strings on several threads (see Cargo.toml).
#[cfg(feature = "mimalloc")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match commands::run(cli.command) {
        Ok(code) => code,
        Err(error) => {
            let mut message = format!("error: {error}");
            for cause in error.chain().skip(1) {
                message.push_str(&format!("\n  caused by: {cause}"));
            }
            eprintln!("{message}");
            ExitCode::from(1)
        }
    }
}
