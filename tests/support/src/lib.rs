//! What the tests and benchmarks of Insite LMS share. `app` starts the real
//! application on a random port with its own data folder and speaks HTTP to
//! it; `bookings` and `files` add one helper per endpoint they drive;
//! `cosmos_emulator` is the Cosmos DB SDK's in-process emulator and
//! `cosmos_api_flow` a user's day on it, for the Cosmos tests and benches;
//! `azurite` reaches the Azure Storage emulator as production reaches Blob
//! Storage;
//! `data_folder` reads what the app left on disk, without its store code;
//! `failing_store` refuses the writes a test picks;
//! `process` helps start the binary as a process of its own; `web_build`
//! stands in for the web app's build.

pub mod app;
pub mod azurite;
pub mod bookings;
pub mod cosmos_api_flow;
pub mod cosmos_emulator;
pub mod data_folder;
pub mod failing_store;
pub mod files;
pub mod process;
pub mod web_build;
