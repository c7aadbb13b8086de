//! The store conformance suites, written once and run against every
//! implementation: each backend module instantiates the suites' macros.

#[macro_use]
mod document_suite;
#[macro_use]
mod blob_suite;

mod azurite;
mod cosmos;
mod cosmos_emulator;
mod crash;
mod embedded;
