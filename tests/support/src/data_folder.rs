//! What the app left in its data folder, read as another process would:
//! the documents in the embedded store's SQLite file and the blob files,
//! without the app's store code. Black-box tests observe through the API or
//! through here.

use std::path::Path;

use rusqlite::{Connection, OpenFlags};
use serde_json::Value;

/// A document as it rests in the data folder.
#[derive(Debug, Clone)]
pub struct StoredDocument {
    pub container: String,
    pub partition_key: String,
    pub id: String,
    pub body: Value,
}

/// Every document that has not expired, in every container.
pub fn documents(data_dir: &Path) -> Vec<StoredDocument> {
    let db = Connection::open_with_flags(
        data_dir.join("documents.sqlite3"),
        OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .expect("the data folder holds the document database");
    db.busy_timeout(std::time::Duration::from_secs(5))
        .expect("busy timeout");
    let now = jiff::Timestamp::now().as_second();
    let mut rows = db
        .prepare(
            "SELECT container, pk, id, body FROM documents
             WHERE expires_at IS NULL OR expires_at > ?1
             ORDER BY container, pk, id",
        )
        .expect("query");
    rows.query_map([now], |row| {
        let body: String = row.get(3)?;
        Ok(StoredDocument {
            container: row.get(0)?,
            partition_key: row.get(1)?,
            id: row.get(2)?,
            body: serde_json::from_str(&body).unwrap_or(Value::Null),
        })
    })
    .expect("rows")
    .collect::<Result<_, _>>()
    .expect("documents read")
}

/// The names of the blobs under `prefix` (e.g. `projects/<id>/`), sorted.
/// Files being written (`.tmp-…`) are not blobs yet.
pub fn blobs(data_dir: &Path, prefix: &str) -> Vec<String> {
    fn walk(dir: &Path, root: &Path, out: &mut Vec<String>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, root, out);
            } else if !entry.file_name().to_string_lossy().starts_with(".tmp-") {
                let name = path
                    .strip_prefix(root)
                    .expect("under the root")
                    .to_string_lossy()
                    .replace('\\', "/");
                out.push(name);
            }
        }
    }
    let root = data_dir.join("blobs");
    let mut out = Vec::new();
    walk(&root, &root, &mut out);
    out.retain(|name| name.starts_with(prefix));
    out.sort();
    out
}

/// Every file under the data folder that contains `needle` (any case),
/// as stored or, for mails, after undoing quoted-printable encoding (a
/// soft line break could otherwise split a name).
pub fn files_containing(dir: &std::path::Path, needle: &str) -> Vec<String> {
    let needle = needle.to_lowercase().into_bytes();
    let mut hits = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("read dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let bytes = std::fs::read(&path)
                    .expect("read file")
                    .to_ascii_lowercase();
                let contains = |b: &[u8]| b.windows(needle.len()).any(|w| w == needle.as_slice());
                if contains(&bytes) || contains(&quoted_printable_decoded(&bytes)) {
                    hits.push(path.display().to_string());
                }
            }
        }
    }
    hits
}

fn quoted_printable_decoded(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match &bytes[i..] {
            [b'=', b'\r', b'\n', ..] => i += 3,
            [b'=', b'\n', ..] => i += 2,
            [b'=', h, l, ..] if h.is_ascii_hexdigit() && l.is_ascii_hexdigit() => {
                let hex = [*h, *l];
                let text = std::str::from_utf8(&hex).unwrap_or("00");
                out.push(
                    u8::from_str_radix(text, 16)
                        .unwrap_or(0)
                        .to_ascii_lowercase(),
                );
                i += 3;
            }
            [b, ..] => {
                out.push(*b);
                i += 1;
            }
            [] => break,
        }
    }
    out
}
