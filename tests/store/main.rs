//! The store conformance suites, written once and run against every
//! implementation: each backend module instantiates the suites' macros.
//! P2: production stores documents in Cosmos DB and files in Blob Storage;
//! the same suites prove those adapters on the Cosmos emulator and Azurite.

#[macro_use]
mod document_suite;
#[macro_use]
mod blob_suite;

mod azurite;
mod cosmos;
mod crash;
mod embedded;
