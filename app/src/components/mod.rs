//! Reusable view pieces: the page layout, error display.

pub mod actions;
pub mod annotations;
pub mod attachments;
pub mod board;
pub mod case_form;
pub mod choices;
pub mod errors;
pub mod format;
pub mod layout;
pub mod live;
pub mod patient;
pub mod plan;
pub mod proposal;
pub mod session;
pub mod table;
pub mod trials;
