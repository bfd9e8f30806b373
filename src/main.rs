//! The `hit-atlas` binary: parse the command line, run one pipeline, print the whole error
//! chain, map it to an exit code.

use std::process::ExitCode;

use clap::Parser;
use hit_atlas::cli::{Cli, Command};
use hit_atlas::config::BuildConfig;
use hit_atlas::{exit_code, pipeline};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            for cause in err.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::from(exit_code(&err))
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Build(args) => {
            let cfg = BuildConfig::from_args(&args, cli.verbose)?;
            let s = pipeline::run_build(&cfg)?;
            let sample = if s.synthetic { " (SYNTHETIC SAMPLE, not CMS data)" } else { "" };
            println!(
                "built {} files in {}: {} releases, latest {}, {} suppliers, {} states/DC/PR with none, {} rows set aside{sample}",
                s.files,
                cfg.out.display(),
                s.releases,
                s.latest,
                s.suppliers,
                s.zero_states,
                s.quarantined
            );
            Ok(())
        }
        Command::Sample(args) => {
            let n = pipeline::run_sample_scaled(&args.out, args.seed, args.scale)?;
            println!("wrote {n} synthetic releases to {}", args.out.display());
            Ok(())
        }
        Command::Fetch(_) => anyhow::bail!("fetch is not available in this build yet"),
    }
}
