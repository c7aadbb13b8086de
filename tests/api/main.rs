//! Black-box API tests: each starts the real handler and speaks HTTP to it.

mod bookings;
mod bookings_concurrency;
mod files;
mod function_configs;
mod health;
mod helpers;
mod host_protocol;
mod infra;
mod isolation;
mod me;
mod privacy;
mod problems;
mod projects;
mod registration;
mod sessions;
mod smtp_sink;
mod web_app;
