//! The domain: the rules of Insite LMS as plain types and functions. It
//! talks to the store only through the `DocumentStore`/`BlobStore` traits and
//! knows nothing of HTTP.

pub mod accounts;
pub mod actor;
pub mod audit;
pub mod bookings;
pub mod briefing;
pub mod email;
pub mod erasure;
pub mod error;
pub mod export;
pub mod files;
pub mod ids;
pub mod indexer;
pub mod indexing;
pub mod invitations;
pub mod member_changes;
pub mod members;
pub mod notifications;
pub mod opt_in;
pub mod outbox;
pub mod passes;
pub mod password;
pub mod policy;
pub mod project_removal;
pub mod projects;
pub mod record;
pub mod retention;
pub mod retry;
pub mod roles;
pub mod search;
pub mod sessions;
pub mod site;
pub mod support;
pub mod text;
pub mod time;
pub mod uploads;
