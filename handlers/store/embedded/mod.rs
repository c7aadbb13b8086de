//! The embedded stores: documents in SQLite, blobs on the filesystem, both
//! under one data folder. The default when no Azure settings are present.

mod files;
mod group_commit;
mod readers;
mod sqlite;

pub use files::FileBlobStore;
pub use sqlite::{SqliteDocumentStore, database_path};
