//! The `wikiwatch` command: replay logs through the detector component (or natively), scope an
//! entity's activity, check a config, benchmark the two engines, simulate traffic, pull
//! Confluence Cloud audit events.

mod backend;
mod band_plot;
mod bench;
mod bindings;
mod cache;
mod check;
mod cli;
mod component;
mod config_file;
mod coverage;
mod engine;
mod fail;
mod follow;
mod guest_thread;
mod http;
mod input;
mod learn;
mod live;
mod merge;
mod metrics_file;
mod native;
mod order;
mod output;
mod pull;
mod replace_file;
mod replay;
mod report;
mod schema;
mod scope;
mod self_doc;
mod simulate;
mod state_file;
mod state_show;
mod summary;
mod wit_convert;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // --help and --version print to stdout and succeed; real usage errors exit 2.
            let _ = e.print();
            return if e.use_stderr() { ExitCode::from(2) } else { ExitCode::SUCCESS };
        }
    };
    let result = match &cli.command {
        cli::Command::Replay(a) => replay::run(a),
        cli::Command::Follow(a) => follow::run(a),
        cli::Command::Scope(a) => scope::run(a),
        cli::Command::CheckConfig(a) => check::run(a),
        cli::Command::Bench(a) => bench::run(a),
        cli::Command::Simulate(a) => simulate::run(a),
        cli::Command::Pull(a) => pull::run(a),
        cli::Command::Coverage(a) => coverage::run(a),
        cli::Command::Completions(a) => self_doc::completions(a.shell),
        cli::Command::Man => self_doc::man(),
        cli::Command::Config(cli::ConfigCommand::Schema(a)) => self_doc::config_schema(a.kong_meta),
        cli::Command::Report(a) => report::run(a),
        cli::Command::Learn(a) => learn::run(a),
        cli::Command::State(cli::StateCommand::Show(a)) => state_show::run(a),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail::report(&e),
    }
}
