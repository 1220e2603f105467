//! The CLI explaining itself from its own definitions (`cli.rs`): shell completions and the
//! manual page, so neither can fall behind the options the program really takes.

use crate::cli::Cli;
use anyhow::{Context, Result};
use clap::CommandFactory;
use clap_complete::Shell;
use std::io::Write;

/// Writes the completion script for `shell` to stdout.
pub fn completions(shell: Shell) -> Result<()> {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "wikiwatch", &mut out);
    write_stdout(&out)
}

/// Writes the manual page (roff) to stdout: the command, then each subcommand.
pub fn man() -> Result<()> {
    write_stdout(&man_page()?)
}

/// The manual page: `wikiwatch(1)` with a section per subcommand.
pub fn man_page() -> Result<Vec<u8>> {
    let cmd = Cli::command();
    let mut out = Vec::new();
    clap_mangen::Man::new(cmd.clone()).render(&mut out).context("render the manual page")?;
    for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
        let name = format!("wikiwatch {}", sub.get_name());
        let page = clap_mangen::Man::new(sub.clone().bin_name(name.clone()));
        // One page: each subcommand's sections follow the command's, under its own heading.
        writeln!(out, ".SH \"COMMAND: {}\"", name.to_uppercase()).context("render")?;
        page.render_synopsis_section(&mut out).context("render the manual page")?;
        page.render_description_section(&mut out).context("render the manual page")?;
        page.render_options_section(&mut out).context("render the manual page")?;
        page.render_extra_section(&mut out).context("render the manual page")?;
    }
    Ok(out)
}

/// Prints the config's JSON Schema, or Kong's filter metadata holding it.
pub fn config_schema(kong_meta: bool) -> Result<()> {
    let v = if kong_meta { crate::schema::kong_meta() } else { crate::schema::config_schema() };
    write_stdout(crate::schema::pretty(&v).as_bytes())
}

fn write_stdout(bytes: &[u8]) -> Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(bytes).and_then(|()| out.flush()).context("write to stdout")
}
