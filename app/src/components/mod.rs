//! Reusable view pieces: the page layout, error display.

pub mod annotations;
pub mod case_form;
pub mod errors;
pub mod layout;
pub mod live;
pub mod patient;
pub mod plan;
pub mod proposal;
pub mod session;
