//! Black-box API tests: each starts the real handler and speaks HTTP to it
//! (`testkit::app`), on the embedded store or, in `cosmos`, on the Cosmos
//! DB adapter over the SDK's in-process emulator.

mod account_rules;
mod azure_startup;
mod bookings;
mod bookings_concurrency;
mod briefing;
mod cosmos;
mod early_trigger;
mod files;
mod function_configs;
mod hardening;
mod health;
mod host_protocol;
mod infra;
mod invitations;
mod isolation;
mod me;
mod names;
mod passes;
mod privacy;
mod problems;
mod projects;
mod registration;
mod self_service;
mod sessions;
mod site_plan;
mod smoke;
mod smtp_sink;
mod web_app;
