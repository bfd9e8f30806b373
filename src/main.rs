//! The `hit-atlas` binary: parse the command line, run one pipeline, print the whole error
//! chain, map it to an exit code.

use std::process::ExitCode;

use clap::Parser;
use hit_atlas::cli::{Cli, Command};
use hit_atlas::config::{BuildConfig, find_report};
use hit_atlas::{exit_code, init, pipeline, serve};

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
            let report = find_report(cli.config.as_deref())?;
            let cfg = BuildConfig::new(&args, &report, cli.verbose)?;
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
            let n = pipeline::run_sample(&args.out, args.seed)?;
            println!("wrote {n} synthetic releases to {}", args.out.display());
            Ok(())
        }
        Command::Init(args) => {
            let files = init::init(&args.dir, args.force)?;
            for f in &files {
                println!("wrote {}", f.display());
            }
            println!("next: cd {} && hit-atlas build   (see README.md there)", args.dir.display());
            Ok(())
        }
        Command::Serve(args) => {
            let report = find_report(cli.config.as_deref())?;
            let cfg = BuildConfig::new(&args.build, &report, cli.verbose)?;
            let mut watched = cfg.data.clone();
            watched.push(cfg.content_dir.clone());
            watched.extend(report.path.clone());
            let preview = serve::start(cfg, watched, args.port, !args.no_watch)?;
            println!("serving {} (Ctrl-C to stop)", preview.url);
            preview.wait();
            Ok(())
        }
        Command::Fetch(_) => anyhow::bail!("fetch is not available in this build yet"),
    }
}
