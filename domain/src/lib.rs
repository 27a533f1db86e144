//! Tumorboard's domain: the case and its tumor fields, codes, roles and `can(role, action)`, the
//! option proposer, the plan, meetings, annotations, the case workflow and the live events.
//!
//! Pure Rust: no leptos, no sqlx, no server functions, no I/O (the compiler keeps it so: this
//! crate does not depend on them). The server and the browser both use it, so a case is checked
//! by the same code on both sides. `cargo test -p domain` builds and runs it in seconds.

pub mod annotation;
pub mod attachment;
pub mod audit;
pub mod board;
pub mod case;
pub mod codes;
pub mod error;
pub mod events;
pub mod fhir;
pub mod meeting;
pub mod password;
pub mod plan;
pub mod proposer;
pub mod review;
pub mod role;
pub mod stepping;
pub mod text;
pub mod trial;
pub mod tumor;
pub mod user;
pub mod work;
pub mod workflow;
pub mod zone;
