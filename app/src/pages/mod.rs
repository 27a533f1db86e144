//! One module per page.

pub mod account;
pub mod admin_boards;
pub mod admin_users;
pub mod case;
pub mod case_new;
pub mod cases;
pub mod dashboard;
pub mod decisions;
pub mod home;
pub mod login;
pub mod meeting;
pub mod meetings;
pub mod not_found;
pub mod pipeline;
pub mod present;
pub mod report;
pub mod review;
pub mod trials;
