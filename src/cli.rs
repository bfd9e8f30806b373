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
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    /// A snapshot-store folder, or release files (.csv as downloaded, .json as the API returns);
    /// repeat for several. Default: the bundled synthetic sample (data/sample)
    #[arg(long = "data", value_name = "PATH")]
    pub data: Vec<PathBuf>,
    /// Output folder (replaced atomically when the build succeeds)
    #[arg(long, value_name = "DIR", default_value = "site")]
    pub out: PathBuf,
    /// Release date of a single release file whose name carries no date (YYYY-MM-DD)
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub release_date: Option<String>,
    /// Count every enrollment status, not only active/approved enrollments
    #[arg(long)]
    pub all_statuses: bool,
}

#[derive(Debug, Args)]
pub struct FetchArgs {
    /// The snapshot-store folder to fill (created if missing)
    #[arg(long = "data", value_name = "DIR")]
    pub data: PathBuf,
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
    /// ACS 5-year vintage for Census population
    #[arg(long, value_name = "YEAR", default_value_t = 2023)]
    pub census_year: u16,
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
