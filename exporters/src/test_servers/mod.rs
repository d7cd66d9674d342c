//! Local stand-ins for Fortnox and Visma eEkonomi (feature `test-servers`),
//! bound to 127.0.0.1 on a free port. They enforce the published APIs as far
//! as the exporters use them and record every request they receive.
//!
//! [`core`] holds what both share: OAuth2 (short-lived access tokens,
//! rotating refresh tokens, 401 on expired, revoked or unknown tokens), the
//! per-token sliding-window rate limit answered with 429 and `Retry-After`,
//! the optional "429 storm", and the request log. [`fortnox`] and [`visma`]
//! add each API's resources, validation and error bodies.

pub mod core;
pub mod fortnox;
pub(crate) mod fortnox_rules;
pub mod spec;
pub mod visma;
pub(crate) mod visma_rules;

pub use self::core::{Recorded, ServerOptions, Storm};
pub use fortnox::FortnoxServer;
pub use visma::VismaServer;
