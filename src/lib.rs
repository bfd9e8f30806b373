//! hit-atlas: the public access-gap report on Medicare's home infusion therapy (HIT) benefit.
//!
//! ```text
//! fetch ──► store ──► load ──► normalize ──► metrics ──► chart ──► render ──► write
//! (HTTP)   (disk)    (disk)    (pure)        (pure)      (pure)    (pure)     (disk)
//! ```
//! Data flows one way. Only `fetch`, `store`/`load` and `write` touch the network or the disk;
//! everything in between is a pure function of its inputs, tested without either.

pub mod chart;
pub mod geo;
pub mod metrics;
pub mod model;
pub mod store;
