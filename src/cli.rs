//! The command line (clap derive only). Nothing downstream sees these types: `config` turns
//! them into a validated `Config` once.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "hit-atlas",
    version,
    about = "Builds the public access-gap report on Medicare's home infusion therapy benefit"
)]
pub struct Cli {
    /// More detail on stderr (stage timings)
    #[arg(short, long, global = true)]
    pub verbose: bool,
    /// Report configuration file (default: ./hit-atlas.toml when present)
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the report site from a snapshot store or release files (default: the bundled sample)
    Build(BuildArgs),
    /// Fetch CMS releases and Census population into a snapshot store
    Fetch(FetchArgs),
    /// Regenerate the bundled synthetic sample store
    Sample(SampleArgs),
    /// Compare the CMS catalog with the snapshot store: exit 0 up to date, 10 new release(s)
    Status(StatusArgs),
    /// Scaffold a new report project: config, narrative and a GitHub Pages workflow
    Init(InitArgs),
    /// Build, serve the site on 127.0.0.1 and rebuild when content, config or data change
    Serve(ServeArgs),
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// The snapshot-store folder (default: data.store in the config)
    #[arg(long = "data", value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// Base URL that serves /data.json
    #[arg(long, value_name = "URL", default_value = "https://data.cms.gov")]
    pub cms_url: String,
    /// Print JSON instead of text
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Folder for the new report project (created if missing)
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// Overwrite an existing hit-atlas.toml and content files
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub build: BuildArgs,
    /// Port on 127.0.0.1 (0 picks a free one)
    #[arg(long, default_value_t = 8000)]
    pub port: u16,
    /// Build and serve once, without watching for changes
    #[arg(long)]
    pub no_watch: bool,
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    /// A snapshot-store folder, or release files (.csv as downloaded, .json as the API returns);
    /// repeat for several. Default: the bundled synthetic sample (data/sample)
    #[arg(long = "data", value_name = "PATH")]
    pub data: Vec<PathBuf>,
    /// Output folder, replaced atomically when the build succeeds (default: site, or data.out in the config)
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Release date of a single release file whose name carries no date (YYYY-MM-DD)
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub release_date: Option<String>,
    /// Count every enrollment status, not only active/approved enrollments
    #[arg(long)]
    pub all_statuses: bool,
    /// Replace a site built from a newer release with this older one (refused by default)
    #[arg(long)]
    pub allow_older: bool,
}

#[derive(Debug, Args)]
pub struct FetchArgs {
    /// The snapshot-store folder to fill, created if missing (default: data.store in the config)
    #[arg(long = "data", value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// Base URL that serves /data.json and the data API
    #[arg(long, value_name = "URL", default_value = "https://data.cms.gov")]
    pub cms_url: String,
    /// Base URL of the Census API
    #[arg(long, value_name = "URL", default_value = "https://api.census.gov")]
    pub census_url: String,
    /// Which releases: `latest`, `all`, or the newest N
    #[arg(long, value_name = "latest|all|N", default_value = "latest")]
    pub releases: String,
    /// Store the release even if distinct suppliers fell by more than 20%
    #[arg(long)]
    pub allow_drop: bool,
    /// No progress output
    #[arg(short, long)]
    pub quiet: bool,
    /// ACS 5-year vintage for Census population (default: population.census_year, or 2023)
    #[arg(long, value_name = "YEAR")]
    pub census_year: Option<u16>,
    /// Do not fetch Census population (the bundled Vintage 2024 figures are used)
    #[arg(long)]
    pub skip_census: bool,
}

#[derive(Debug, Args)]
pub struct SampleArgs {
    /// Where to write the sample store
    #[arg(long, value_name = "DIR", default_value = "data/sample")]
    pub out: PathBuf,
    /// Generator seed (the committed sample uses the default)
    #[arg(long, default_value_t = crate::sample::SEED)]
    pub seed: u64,
    /// Size multiple of the committed sample, for benchmarks (1 = the committed sample)
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub scale: u32,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_consistent() {
        Cli::command().debug_assert();
    }
}
