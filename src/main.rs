//! The `hit-atlas` binary: parse the command line, run one pipeline, print the whole error
//! chain, map it to an exit code.

use std::process::ExitCode;

use clap::Parser;
use hit_atlas::cli::{Cli, Command};
use hit_atlas::config::{BuildConfig, find_report};
use hit_atlas::{exit_code, fetch, init, pipeline, serve, status};

/// Not an error: `status` found new releases and exits with [`status::EXIT_NEW`].
#[derive(Debug)]
struct NewReleases;

impl std::fmt::Display for NewReleases {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("new releases are available")
    }
}

impl std::error::Error for NewReleases {}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) if err.is::<NewReleases>() => ExitCode::from(status::EXIT_NEW),
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
            let n = pipeline::run_sample_scaled(&args.out, args.seed, args.scale)?;
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
        Command::Fetch(args) => {
            let report = find_report(cli.config.as_deref())?;
            let opts = hit_atlas::config::fetch_options(&args, &report)?;
            let quiet = opts.quiet;
            let summary = fetch::run(&opts, &mut |line| eprintln!("{line}"))?;
            if !quiet {
                println!("{summary}");
            }
            Ok(())
        }
        Command::Status(args) => {
            let report = find_report(cli.config.as_deref())?;
            let store = hit_atlas::config::store_dir(args.data.as_deref(), &report)?;
            let mut opts = fetch::FetchOptions::new(store.clone());
            opts.cms_url = args.cms_url.clone();
            opts.series_id = report.file.data.series_id.clone();
            opts.series_title = report.file.data.series_title.clone();
            let series = fetch::resolve_catalog(&opts)?;
            let index = hit_atlas::store::read_index(&store)?;
            let st = status::compare(&series, &index);
            if args.json {
                println!("{}", serde_json::to_string_pretty(&st)?);
            } else {
                println!("{st}");
            }
            if !st.up_to_date {
                return Err(NewReleases.into());
            }
            Ok(())
        }
    }
}

/// mimalloc: the build allocates and frees millions of small strings per release; the system
/// allocator made each later release slower as the heap grew (see BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
