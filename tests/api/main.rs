//! Black-box API tests: each starts the real handler and speaks HTTP to it.

mod account_rules;
mod azure_startup;
mod bookings;
mod bookings_concurrency;
mod early_trigger;
mod files;
mod function_configs;
mod hardening;
mod health;
mod helpers;
mod host_protocol;
mod infra;
mod invitations;
mod isolation;
mod me;
mod names;
mod privacy;
mod problems;
mod projects;
mod registration;
mod self_service;
mod sessions;
mod smoke;
mod smtp_sink;
mod web_app;
