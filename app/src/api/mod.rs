//! Server functions, one file per area. Each is thin: who is asking → may they → parse into
//! domain types → call `ssr::` services → return a plain data type.

pub mod annotations;
pub mod attachments;
pub mod auth;
pub mod boards;
pub mod cases;
pub mod meetings;
pub mod plans;
pub mod review;
pub mod system;
pub mod trials;
pub mod users;
pub mod work;
