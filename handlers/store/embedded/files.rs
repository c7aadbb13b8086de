//! The blob store on the local filesystem. A put streams into a temporary
//! file, fsyncs it and renames it into place, so a blob is either complete
//! or absent, and a crash never leaves a torn file under a blob's name.
//! Blob names are checked `BlobName`s, so no path can leave the root.

use async_trait::async_trait;
use futures::StreamExt;
use std::io::SeekFrom;
use std::path::{Path, PathBuf};
use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};
use tokio_util::io::ReaderStream;

use crate::store::StoreError;
use crate::store::blob::{
    BlobDownload, BlobName, BlobProperties, BlobStore, ByteRange, ByteStream,
};

/// Bytes per chunk of a read: large enough that a big download is not
/// thousands of tiny writes, small enough to stay out of the memory budget.
const READ_CHUNK: usize = 64 * 1024;

pub struct FileBlobStore {
    root: PathBuf,
}

impl FileBlobStore {
    pub fn open(root: &Path) -> Result<Self, StoreError> {
        crate::private_files::create_dir_all(root).map_err(io_err)?;
        Ok(FileBlobStore {
            root: root.to_owned(),
        })
    }

    fn path_of(&self, name: &BlobName) -> PathBuf {
        self.root.join(name.as_str())
    }
}

fn io_err(e: std::io::Error) -> StoreError {
    StoreError::Internal(format!("blob file: {e}"))
}

fn not_found_or(e: std::io::Error) -> StoreError {
    if e.kind() == std::io::ErrorKind::NotFound {
        StoreError::NotFound
    } else {
        io_err(e)
    }
}

fn properties_of(name: &BlobName, meta: &std::fs::Metadata) -> BlobProperties {
    let modified = meta
        .modified()
        .ok()
        .and_then(|t| jiff::Timestamp::try_from(t).ok())
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    BlobProperties {
        name: name.clone(),
        size: meta.len(),
        last_modified: modified,
    }
}

async fn sync_dir(dir: &Path) -> Result<(), StoreError> {
    let dir = dir.to_owned();
    tokio::task::spawn_blocking(move || std::fs::File::open(&dir)?.sync_all())
        .await
        .map_err(|e| StoreError::Internal(e.to_string()))?
        .map_err(io_err)
}

async fn write_stream(file: &mut tokio::fs::File, mut body: ByteStream) -> Result<(), StoreError> {
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|e| StoreError::Invalid(format!("upload stream failed: {e}")))?;
        file.write_all(&chunk).await.map_err(io_err)?;
    }
    file.flush().await.map_err(io_err)?;
    file.sync_all().await.map_err(io_err)
}

fn walk(
    root: &Path,
    dir: &Path,
    prefix: &str,
    out: &mut Vec<BlobProperties>,
) -> std::io::Result<()> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    for entry in entries {
        let entry = entry?;
        let path = entry.path();
        let meta = entry.metadata()?;
        if meta.is_dir() {
            walk(root, &path, prefix, out)?;
        } else if let Some(rel) = path.strip_prefix(root).ok().and_then(|p| p.to_str())
            && let Ok(name) = BlobName::parse(rel)
            && name.as_str().starts_with(prefix)
        {
            out.push(properties_of(&name, &meta));
        }
    }
    Ok(())
}

#[async_trait]
impl BlobStore for FileBlobStore {
    async fn put(&self, name: &BlobName, body: ByteStream) -> Result<BlobProperties, StoreError> {
        let target = self.path_of(name);
        let dir = target
            .parent()
            .ok_or_else(|| StoreError::Invalid("blob name has no folder".into()))?
            .to_owned();
        let folder = dir.clone();
        tokio::task::spawn_blocking(move || crate::private_files::create_dir_all(&folder))
            .await
            .map_err(|e| StoreError::Internal(e.to_string()))?
            .map_err(io_err)?;
        let tmp = dir.join(format!(".tmp-{}", uuid::Uuid::new_v4().simple()));
        let mut file = tokio::fs::OpenOptions::from(crate::private_files::new_file_options())
            .open(&tmp)
            .await
            .map_err(io_err)?;
        if let Err(e) = write_stream(&mut file, body).await {
            drop(file);
            let _ = tokio::fs::remove_file(&tmp).await;
            return Err(e);
        }
        drop(file);
        if let Err(e) = tokio::fs::rename(&tmp, &target).await {
            let _ = tokio::fs::remove_file(&tmp).await;
            return Err(io_err(e));
        }
        sync_dir(&dir).await?;
        let meta = tokio::fs::metadata(&target).await.map_err(io_err)?;
        Ok(properties_of(name, &meta))
    }

    async fn get(
        &self,
        name: &BlobName,
        range: Option<ByteRange>,
    ) -> Result<BlobDownload, StoreError> {
        let mut file = tokio::fs::File::open(self.path_of(name))
            .await
            .map_err(not_found_or)?;
        let meta = file.metadata().await.map_err(io_err)?;
        let properties = properties_of(name, &meta);
        let Some(range) = range else {
            return Ok(BlobDownload {
                properties,
                range: None,
                body: ReaderStream::with_capacity(file, READ_CHUNK).boxed(),
            });
        };
        if range.start >= properties.size || range.start > range.end_inclusive {
            return Err(StoreError::Invalid("range not satisfiable".into()));
        }
        let end = range.end_inclusive.min(properties.size - 1);
        file.seek(SeekFrom::Start(range.start))
            .await
            .map_err(io_err)?;
        let body =
            ReaderStream::with_capacity(file.take(end - range.start + 1), READ_CHUNK).boxed();
        Ok(BlobDownload {
            properties,
            range: Some(ByteRange {
                start: range.start,
                end_inclusive: end,
            }),
            body,
        })
    }

    async fn properties(&self, name: &BlobName) -> Result<Option<BlobProperties>, StoreError> {
        match tokio::fs::metadata(self.path_of(name)).await {
            Ok(meta) if meta.is_file() => Ok(Some(properties_of(name, &meta))),
            Ok(_) => Ok(None),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io_err(e)),
        }
    }

    async fn delete(&self, name: &BlobName) -> Result<bool, StoreError> {
        let path = self.path_of(name);
        match tokio::fs::remove_file(&path).await {
            Ok(()) => {
                if let Some(dir) = path.parent() {
                    sync_dir(dir).await?;
                }
                Ok(true)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(io_err(e)),
        }
    }

    async fn list(&self, prefix: &str) -> Result<Vec<BlobProperties>, StoreError> {
        let root = self.root.clone();
        let prefix = prefix.to_owned();
        tokio::task::spawn_blocking(move || {
            let mut out = Vec::new();
            walk(&root, &root, &prefix, &mut out)?;
            out.sort_by(|a, b| a.name.cmp(&b.name));
            Ok::<_, std::io::Error>(out)
        })
        .await
        .map_err(|e| StoreError::Internal(e.to_string()))?
        .map_err(io_err)
    }

    async fn ping(&self) -> Result<(), StoreError> {
        let meta = tokio::fs::metadata(&self.root).await.map_err(io_err)?;
        if meta.is_dir() {
            Ok(())
        } else {
            Err(StoreError::Unavailable("blob folder is missing".into()))
        }
    }
}
