//! Black-box API tests: each starts the real handler and speaks HTTP to it.

mod bookings;
mod bookings_concurrency;
mod function_configs;
mod health;
mod helpers;
mod host_protocol;
mod isolation;
mod me;
mod problems;
mod projects;
mod registration;
mod sessions;
