//! The `cochange` command line: parse, build settings, run a command, map errors to exit codes.
//! Glue only: the analyses, the report and every output live in the libraries.

mod args;
mod commands;
mod exit;
mod printer;
mod progress;
mod settings;

use std::io::{self, Write};
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};

use crate::printer::Printer;

// Decoding git objects allocates and frees a buffer for nearly every object; with the system
// allocator that was an eighth of the mining time on 100 000 commits.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The message of the newest panic, for the one line `main` prints about it.
static PANIC: std::sync::Mutex<Option<String>> = std::sync::Mutex::new(None);

fn main() -> ExitCode {
    let matches = args::Args::command().get_matches();
    let args = args::Args::from_arg_matches(&matches)
        .map_err(|err| err.format(&mut args::Args::command()))
        .unwrap_or_else(|err| err.exit());
    let name = matches.subcommand_name().unwrap_or_default().to_owned();
    // A panic is a bug: it gets one line and exit code 4, not a stack dump (unless
    // RUST_BACKTRACE asks for one). A library that recovers from a panic leaves no trace here.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if std::env::var_os("RUST_BACKTRACE").is_some() {
            default_hook(info);
        }
        let mut slot = PANIC
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *slot = Some(info.to_string());
    }));
    std::panic::catch_unwind(move || run(args, name)).unwrap_or_else(|_| {
        let message = PANIC
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take()
            .unwrap_or_default();
        let _ = writeln!(
            io::stderr().lock(),
            "error: internal error, a bug in cochange: {message}\n\
             Please report it with the command you ran: {}/issues",
            env!("CARGO_PKG_REPOSITORY")
        );
        ExitCode::from(exit::INTERNAL)
    })
}

fn run(mut args: args::Args, command: String) -> ExitCode {
    // `--at REV` also starts the walk there, unless the walk has its own start (an export holds
    // the history it was exported with).
    if let Some(at) = args.command.at().filter(|at| !at.contains(".."))
        && args.global.rev.is_empty()
        && !args.global.all
        && args.global.tables.is_none()
    {
        args.global.rev.push(at.to_owned());
    }
    let result = settings::refuse_unused(&args.command, &args.global)
        .and_then(|()| {
            settings::Settings::from_args(
                &args.global,
                args.command.code_maat_columns(),
                args.command.at(),
            )
        })
        .map_err(anyhow::Error::from)
        .and_then(|settings| {
            let printer = Printer::new(
                command,
                args.global.quiet,
                args.global.verbose,
                args.global.output.clone(),
                settings.format,
                settings.top,
            );
            if settings.explain {
                printer.info(settings.explain());
            }
            commands::run(&args.command, &settings, &printer)
        });
    match result {
        Ok(code) => ExitCode::from(code),
        Err(err) if is_broken_pipe(&err) => ExitCode::from(exit::SUCCESS),
        Err(err) => {
            let _ = writeln!(io::stderr().lock(), "error: {err:#}");
            ExitCode::from(exit_code(&err))
        }
    }
}

/// Output piped into `head` is not an error (the Unix convention ripgrep follows too).
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    })
}

fn exit_code(err: &anyhow::Error) -> u8 {
    use cochange_analysis::Error as Analysis;
    for cause in err.chain() {
        if cause.is::<settings::UsageError>() {
            return exit::USAGE;
        }
        if let Some(cochange_report::OutputError::Refused { .. }) = cause.downcast_ref() {
            return exit::USAGE;
        }
        // A snapshot or a coverage file the user named that cannot be used.
        if cause.is::<cochange_report::SnapshotError>()
            || cause.is::<cochange_analysis::CoverageFileError>()
        {
            return exit::USAGE;
        }
        // A report error shows its analysis error transparently: look inside it too.
        let analysis = cause.downcast_ref::<Analysis>().or_else(|| match cause
            .downcast_ref::<cochange_report::BuildError>(
        ) {
            Some(cochange_report::BuildError::Analysis(inner)) => Some(inner),
            _ => None,
        });
        match analysis {
            Some(Analysis::Invalid(_)) => return exit::USAGE,
            Some(Analysis::Repository { source, .. }) => return miner_code(source),
            _ => {}
        }
        if let Some(miner) = cause.downcast_ref::<cochange_miner::Error>() {
            return miner_code(miner);
        }
    }
    exit::INTERNAL
}

fn miner_code(err: &cochange_miner::Error) -> u8 {
    match err {
        cochange_miner::Error::Table(_) | cochange_miner::Error::ExportWrite { .. } => {
            exit::INTERNAL
        }
        cochange_miner::Error::Threads { .. }
        | cochange_miner::Error::ExportTarget { .. }
        | cochange_miner::Error::ExportUrl { .. }
        | cochange_miner::Error::NotExported { .. } => exit::USAGE,
        _ => exit::REPOSITORY,
    }
}
