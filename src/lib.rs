//! hit-atlas: the public access-gap report on Medicare's home infusion therapy (HIT) benefit.
//!
//! ```text
//! fetch ──► store ──► load ──► normalize ──► metrics ──► chart ──► render ──► write
//! (HTTP)   (disk)    (disk)    (pure)        (pure)      (pure)    (pure)     (disk)
//! ```
//! Data flows one way. Only `fetch`, `store`/`load` and `write` touch the network or the disk;
//! everything in between is a pure function of its inputs, tested without either.

pub mod chart;
pub mod cli;
pub mod config;
pub mod fetch;
pub mod geo;
pub mod init;
pub mod load;
pub mod markdown;
pub mod metrics;
pub mod model;
pub mod normalize;
pub mod pipeline;
pub mod render;
pub mod sample;
pub mod serve;
pub mod status;
pub mod store;
pub mod write;

/// Maps an error chain to the documented exit codes: 2 data contract or validation failure,
/// 3 upstream fetch failure, 4 build/publish gate failure, 5 configuration or credentials,
/// 1 anything else (a bug).
pub fn exit_code(err: &anyhow::Error) -> u8 {
    for cause in err.chain() {
        if let Some(e) = cause.downcast_ref::<fetch::FetchError>() {
            return u8::try_from(e.exit_code()).unwrap_or(1);
        }
        if let Some(e) = cause.downcast_ref::<load::LoadError>() {
            return if e.is_usage() { 5 } else { 2 };
        }
        if cause.is::<normalize::NormalizeError>()
            || cause.is::<metrics::MetricsError>()
            || cause.is::<store::StoreError>()
        {
            return 2;
        }
        if let Some(render::RenderError::Content(_)) = cause.downcast_ref::<render::RenderError>() {
            return 2;
        }
        if cause.is::<write::WriteError>() {
            return 4;
        }
        if cause.is::<config::ConfigError>() || cause.is::<init::InitError>() {
            return 5;
        }
    }
    1
}
