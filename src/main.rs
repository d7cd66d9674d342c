//! `invex`: the one binary. Subcommands wire the library crates together;
//! no extraction logic lives here.

mod cli;
mod cli_service;
mod commands;
mod model_dir;
mod native;

use std::process::ExitCode;

use clap::Parser;

/// jemalloc for Rust's allocations (the C libraries keep glibc's malloc):
/// under the API's load glibc's per-thread arenas fragmented and the SQLite
/// API's memory grew (see the README's soak figures).
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> ExitCode {
    invex_pipeline::ocr::limit_openmp_threads(); // Tesseract: OMP_THREAD_LIMIT=1, set before libgomp loads
    let cli = cli::Cli::parse();
    let service = matches!(cli.command, cli::Command::Serve(_) | cli::Command::Worker(_));
    if !service {
        // `invex eval … | head`: a reader that stops early ends the command
        // quietly, as for any Unix filter, instead of a panic in `println!`
        // (Rust ignores SIGPIPE by default). The service keeps ignoring it:
        // a client that hangs up is an error on its socket, not a signal.
        // SAFETY: resetting a signal's disposition to the default at start-up,
        // before any thread is spawned.
        unsafe {
            libc::signal(libc::SIGPIPE, libc::SIG_DFL);
        }
    }
    let json = cli.log_format.as_deref().map_or(service, |f| f == "json");
    // The service logs each request and job; ONNX Runtime's own info lines are noise there.
    let log = if service && cli.log == "warn" { "info,ort=warn" } else { cli.log.as_str() };
    init_tracing(log, json);
    if let Some(threads) = cli.threads {
        // Only fails if a global pool exists already, which it cannot at start-up.
        let _ = rayon::ThreadPoolBuilder::new().num_threads(threads).build_global();
    }
    match commands::run(cli.command) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn init_tracing(filter: &str, json: bool) {
    let filter = tracing_subscriber::EnvFilter::try_new(filter)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    if json {
        // Spans (request id, tenant, job) are written with each event.
        builder.json().with_current_span(true).with_span_list(true).init();
    } else {
        builder.init();
    }
}
