//! Insite LMS: the Azure Functions custom handler for logistics management
//! on construction sites. Layers: `functions` (HTTP routes, timer and blob
//! entry points), `http` (cross-cutting HTTP), `domain` (the rules),
//! `store` (the storage contract and its implementations).

pub mod auth;
pub mod config;
pub mod domain;
pub mod functions;
pub mod http;
pub mod mail;
pub mod private_files;
pub mod qr;
pub mod startup;
pub mod state;
pub mod store;
pub mod telemetry;
