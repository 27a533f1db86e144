//! Pure domain logic: no leptos, no sqlx, no I/O. Unit-tested with plain `cargo test -p app`.

pub mod annotation;
pub mod audit;
pub mod case;
pub mod codes;
pub mod meeting;
pub mod password;
pub mod plan;
pub mod proposer;
pub mod role;
pub mod tumor;
pub mod user;
