//! One module per page.

pub mod cases;
pub mod home;
pub mod meetings;
pub mod not_found;
pub mod review;
