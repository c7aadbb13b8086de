//! The document store on SQLite. One table holds every container; each
//! container's indexed fields get a partial expression index so that
//! single-partition range queries are index range scans. WAL lets readers run
//! beside the writer and other processes; write transactions are
//! `BEGIN IMMEDIATE`, which makes ETag checks atomic across processes, and
//! writes that arrive together share one commit (`group_commit`). Reads run
//! on the blocking pool (`readers`), writes on the writer thread, never on
//! the async workers.

use async_trait::async_trait;
use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior, params};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use super::group_commit::{Writer, sql_err};
use super::readers::Readers;
use crate::store::containers::{self, Container};
use crate::store::document::{
    BatchOp, Document, DocumentStore, ETag, FilterOp, NewDocument, Order, Page, Query, RawDocument,
    RawPage, StoreError,
};
use crate::store::paging::{check_identifier, decode_token, encode_token, page_size};

const READERS: usize = 4;

pub struct SqliteDocumentStore {
    writer: Writer,
    readers: Arc<Readers>,
}

impl SqliteDocumentStore {
    /// Open (or create) the database file and make sure the schema exists.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        make_private(path).map_err(|e| StoreError::Internal(format!("database file: {e}")))?;
        let mut writer = open_connection(path)?;
        // Each job of a group commit runs in a savepoint, whose undo copy
        // of every page it touches (the sub-journal) SQLite spills to a temp
        // file beyond 64 KiB: under load that was twice the WAL's bytes in
        // pwrites, on the one writer thread. In memory instead; it is
        // emptied when the savepoint is released, and plays no part in
        // crash recovery (the WAL does), so durability is unchanged.
        writer
            .execute_batch("PRAGMA temp_store = MEMORY;")
            .map_err(sql_err)?;
        create_schema(&mut writer)?;
        let readers = (0..READERS)
            .map(|_| open_connection(path))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(SqliteDocumentStore {
            writer: Writer::start(writer)?,
            readers: Readers::new(readers),
        })
    }

    /// Fold the write-ahead log into the main file and truncate it, so that
    /// erased data does not linger in the WAL.
    pub async fn checkpoint(&self) -> Result<(), StoreError> {
        self.writer
            .alone(|conn| {
                conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
                    .map_err(sql_err)
            })
            .await
    }

    async fn write<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        self.writer.write(f).await
    }

    async fn read_with<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        self.readers.read(f).await
    }
}

/// The database file is created 0600 before SQLite opens it, since SQLite
/// gives its WAL and shared-memory files the database file's mode (L7).
fn make_private(path: &Path) -> std::io::Result<()> {
    match crate::private_files::new_file_options().open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            crate::private_files::restrict_file(path)?;
            for suffix in ["-wal", "-shm"] {
                let mut side = path.as_os_str().to_owned();
                side.push(suffix);
                crate::private_files::restrict_file(Path::new(&side))?;
            }
            Ok(())
        }
        Err(e) => Err(e),
    }
}

fn open_connection(path: &Path) -> Result<Connection, StoreError> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(sql_err)?;
    conn.busy_timeout(Duration::from_secs(10))
        .map_err(sql_err)?;
    // WAL for concurrent readers; FULL sync so an acknowledged write survives
    // a crash; secure_delete so erased personal data is overwritten on disk.
    // Pages of 16 KiB (for a new database; an existing one keeps its size):
    // a day's bookings then sit on a few index pages, so a view of a day
    // that is not in the cache costs few reads.
    conn.execute_batch(
        "PRAGMA page_size = 16384;
         PRAGMA journal_mode = WAL;
         PRAGMA synchronous = FULL;
         PRAGMA secure_delete = ON;
         PRAGMA foreign_keys = OFF;",
    )
    .map_err(sql_err)?;
    Ok(conn)
}

fn create_schema(conn: &mut Connection) -> Result<(), StoreError> {
    // Immediate, so that two processes opening one folder don't both
    // rebuild an index.
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(sql_err)?;
    tx.execute_batch(
        "CREATE TABLE IF NOT EXISTS documents (
             container TEXT NOT NULL,
             pk TEXT NOT NULL,
             id TEXT NOT NULL,
             body TEXT NOT NULL,
             etag TEXT NOT NULL,
             expires_at INTEGER,
             PRIMARY KEY (container, pk, id)
         ) WITHOUT ROWID;
         CREATE INDEX IF NOT EXISTS documents_expiry ON documents(expires_at)
             WHERE expires_at IS NOT NULL;
         CREATE INDEX IF NOT EXISTS documents_by_container_id ON documents(container, id);",
    )
    .map_err(sql_err)?;
    // The field indexes follow the declaration: one that a database made
    // before carries in another shape is dropped and built anew.
    let declared = field_indexes()?;
    let existing: Vec<(String, Option<String>)> = tx
        .prepare(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'documents'
               AND (name LIKE 'ix\\_%' ESCAPE '\\' OR name LIKE 'cx\\_%' ESCAPE '\\')",
        )
        .map_err(sql_err)?
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
        .map_err(sql_err)?
        .collect::<Result<_, _>>()
        .map_err(sql_err)?;
    for (name, sql) in &existing {
        if !declared.iter().any(|d| Some(&d.1) == sql.as_ref()) {
            tx.execute_batch(&format!("DROP INDEX \"{name}\""))
                .map_err(sql_err)?;
        }
    }
    for (name, sql) in &declared {
        if !existing
            .iter()
            .any(|e| &e.0 == name && e.1.as_ref() == Some(sql))
        {
            tx.execute_batch(sql).map_err(sql_err)?;
        }
    }
    tx.commit().map_err(sql_err)
}

/// Every container's field indexes: name and `CREATE INDEX` statement.
/// Partial on the field being present, so that the many documents of a
/// container without the field (slot records have no `term`) cost nothing.
fn field_indexes() -> Result<Vec<(String, String)>, StoreError> {
    let mut out = Vec::new();
    for c in containers::ALL {
        for field in c.indexed_fields {
            check_identifier(field)?;
            let (container, expr) = (c.name, field_expr(field));
            let name = index_name(c, field);
            let partial = format!("WHERE container = '{container}' AND {expr} IS NOT NULL");
            let sql = if c.clustered_fields.contains(field) {
                // The documents ride in the index: a range (a day of
                // bookings) is read from neighbouring index pages, not from
                // table pages in the order the documents were created.
                format!(
                    "CREATE INDEX {name} ON documents(pk, {expr}, id, body, etag, expires_at) {partial}"
                )
            } else {
                format!("CREATE INDEX {name} ON documents(pk, {expr}, id) {partial}")
            };
            out.push((name, sql));
        }
    }
    Ok(out)
}

fn index_name(c: &Container, field: &str) -> String {
    let prefix = if c.clustered_fields.contains(&field) {
        "cx"
    } else {
        "ix"
    };
    format!("{prefix}_{}_{field}", c.name)
}

/// The field index a single-partition query walks, chosen here rather than
/// by SQLite's planner: without statistics the planner takes the primary
/// key (the whole partition) for any equality, and with them it trades an
/// ordered walk for a sort of every match. The rule: the ordered field
/// (an ordered walk stops at the page's end); else an equality on a field
/// other than `kind`; else on `kind` (a partition holds few kinds, so it
/// narrows least); else a range; else none, the partition in id order.
fn chosen_index(c: &Container, q: &Query) -> Option<String> {
    let indexed = |f: &&str| c.indexed_fields.contains(f);
    let ordered = q.order_by.as_ref().map(|(f, _)| f.as_str());
    let equal = |kind: bool| {
        q.filters
            .iter()
            .filter(|f| f.op == FilterOp::Eq && !f.value.is_null())
            .map(|f| f.field.as_str())
            .find(|f| (*f == KIND_FIELD) == kind && indexed(f))
    };
    let range = q
        .filters
        .iter()
        .filter(|f| f.op != FilterOp::Eq)
        .map(|f| f.field.as_str())
        .find(indexed);
    ordered
        .filter(indexed)
        .or_else(|| equal(false))
        .or_else(|| equal(true))
        .or(range)
        .map(|f| index_name(c, f))
}

/// The field every document carries to name its type.
const KIND_FIELD: &str = "kind";

fn field_expr(field: &str) -> String {
    format!("json_extract(body, '$.{field}')")
}

fn now_secs() -> i64 {
    jiff::Timestamp::now().as_second()
}

fn new_etag() -> ETag {
    ETag(uuid::Uuid::new_v4().simple().to_string())
}

fn to_sql(v: &Value) -> Result<SqlValue, StoreError> {
    Ok(match v {
        Value::Null => SqlValue::Null,
        Value::Bool(b) => SqlValue::Integer(i64::from(*b)),
        Value::Number(n) => match n.as_i64() {
            Some(i) => SqlValue::Integer(i),
            None => SqlValue::Real(n.as_f64().unwrap_or(f64::NAN)),
        },
        Value::String(s) => SqlValue::Text(s.clone()),
        Value::Array(_) | Value::Object(_) => {
            return Err(StoreError::Invalid(
                "queries compare scalar values only".into(),
            ));
        }
    })
}

fn from_sql(v: SqlValue) -> Value {
    match v {
        SqlValue::Null => Value::Null,
        SqlValue::Integer(i) => Value::from(i),
        SqlValue::Real(f) => Value::from(f),
        SqlValue::Text(s) => Value::String(s),
        SqlValue::Blob(_) => Value::Null,
    }
}

/// The stored body: the caller's fields plus `id` and the partition key.
fn stored_body(c: Container, doc: &NewDocument) -> Result<String, StoreError> {
    let mut body = doc.body.clone();
    let obj = body
        .as_object_mut()
        .ok_or_else(|| StoreError::Invalid("a document body must be a JSON object".into()))?;
    if doc.id.is_empty() || doc.id.len() > 255 || doc.id.contains(['/', '\\', '?', '#']) {
        return Err(StoreError::Invalid(format!(
            "invalid document id {:?}",
            doc.id
        )));
    }
    obj.insert("id".into(), Value::String(doc.id.clone()));
    obj.insert(
        c.partition_key.into(),
        Value::String(doc.partition_key.clone()),
    );
    serde_json::to_string(&body).map_err(StoreError::internal)
}

fn expires_at(doc: &NewDocument) -> Option<i64> {
    doc.ttl_seconds
        .map(|s| now_secs().saturating_add(i64::try_from(s).unwrap_or(i64::MAX)))
}

/// The live (unexpired) ETag of a document, if it exists.
fn current_etag(
    conn: &Connection,
    c: Container,
    pk: &str,
    id: &str,
) -> Result<Option<String>, StoreError> {
    // Cached, like every statement on the write path: compiling one costs
    // more than running it (the insert generates code for each expression
    // index), and the single writer thread would spend its time there.
    conn.prepare_cached(
        "SELECT etag FROM documents WHERE container = ?1 AND pk = ?2 AND id = ?3
           AND (expires_at IS NULL OR expires_at > ?4)",
    )
    .map_err(sql_err)?
    .query_row(params![c.name, pk, id, now_secs()], |row| row.get(0))
    .optional()
    .map_err(sql_err)
}

fn written(etag: Option<ETag>) -> Result<ETag, StoreError> {
    etag.ok_or_else(|| StoreError::Internal("write returned no ETag".into()))
}

fn check_match(current: &str, if_match: Option<&ETag>) -> Result<(), StoreError> {
    match if_match {
        Some(expected) if expected.0 != current => Err(StoreError::PreconditionFailed),
        _ => Ok(()),
    }
}

fn write_row(conn: &Connection, c: Container, doc: &NewDocument) -> Result<ETag, StoreError> {
    let etag = new_etag();
    conn.prepare_cached(
        "INSERT INTO documents (container, pk, id, body, etag, expires_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (container, pk, id) DO UPDATE SET
           body = excluded.body, etag = excluded.etag, expires_at = excluded.expires_at",
    )
    .map_err(sql_err)?
    .execute(params![
        c.name,
        doc.partition_key,
        doc.id,
        stored_body(c, doc)?,
        etag.0,
        expires_at(doc)
    ])
    .map_err(sql_err)?;
    Ok(etag)
}

fn apply(
    conn: &Connection,
    c: Container,
    pk: &str,
    op: &BatchOp,
) -> Result<Option<ETag>, StoreError> {
    let same_partition = |doc: &NewDocument| {
        if doc.partition_key == pk {
            Ok(())
        } else {
            Err(StoreError::Invalid(
                "batch operations must share one partition".into(),
            ))
        }
    };
    match op {
        BatchOp::Create(doc) => {
            same_partition(doc)?;
            if current_etag(conn, c, pk, &doc.id)?.is_some() {
                return Err(StoreError::Conflict);
            }
            write_row(conn, c, doc).map(Some)
        }
        BatchOp::Upsert(doc) => {
            same_partition(doc)?;
            write_row(conn, c, doc).map(Some)
        }
        BatchOp::Replace { doc, if_match } => {
            same_partition(doc)?;
            let current = current_etag(conn, c, pk, &doc.id)?.ok_or(StoreError::NotFound)?;
            check_match(&current, if_match.as_ref())?;
            write_row(conn, c, doc).map(Some)
        }
        BatchOp::Delete { id, if_match } => {
            let current = current_etag(conn, c, pk, id)?.ok_or(StoreError::NotFound)?;
            check_match(&current, if_match.as_ref())?;
            conn.prepare_cached(
                "DELETE FROM documents WHERE container = ?1 AND pk = ?2 AND id = ?3",
            )
            .map_err(sql_err)?
            .execute(params![c.name, pk, id])
            .map_err(sql_err)?;
            Ok(None)
        }
    }
}

/// A query as SQL: the statement, its arguments, and how many trailing
/// columns (after id, pk, body, etag) make up the continuation key.
struct QuerySql {
    sql: String,
    args: Vec<SqlValue>,
    key_len: usize,
    limit: usize,
}

fn query_sql(c: Container, pk: Option<&str>, q: &Query) -> Result<QuerySql, StoreError> {
    // The ordering key: the ordered field (if any), the partition key when
    // querying across partitions, and the id as the final tie-breaker.
    let mut key_exprs = Vec::new();
    let mut direction = Order::Asc;
    if let Some((field, dir)) = &q.order_by {
        check_identifier(field)?;
        key_exprs.push(field_expr(field));
        direction = *dir;
    }
    if pk.is_none() {
        key_exprs.push("pk".to_owned());
    }
    key_exprs.push("id".to_owned());

    // Across partitions (maintenance jobs) SQLite's planner chooses.
    let indexed_by = pk
        .and(chosen_index(&c, q))
        .map(|name| format!(" INDEXED BY {name}"))
        .unwrap_or_default();
    let mut sql = format!(
        "SELECT id, pk, body, etag, {} FROM documents{indexed_by} WHERE container = '{}' AND (expires_at IS NULL OR expires_at > ?)",
        key_exprs.join(", "),
        c.name
    );
    let mut args: Vec<SqlValue> = vec![SqlValue::Integer(now_secs())];
    if let Some(pk) = pk {
        sql.push_str(" AND pk = ?");
        args.push(SqlValue::Text(pk.to_owned()));
    }
    for f in &q.filters {
        check_identifier(&f.field)?;
        let expr = field_expr(&f.field);
        if f.value.is_null() {
            match f.op {
                FilterOp::Eq => sql.push_str(&format!(" AND {expr} IS NULL")),
                _ => {
                    return Err(StoreError::Invalid(
                        "null only compares for equality".into(),
                    ));
                }
            }
            continue;
        }
        let op = match f.op {
            FilterOp::Eq => "=",
            FilterOp::Lt => "<",
            FilterOp::Le => "<=",
            FilterOp::Gt => ">",
            FilterOp::Ge => ">=",
        };
        sql.push_str(&format!(" AND {expr} {op} ?"));
        args.push(to_sql(&f.value)?);
    }
    if q.order_by.is_some() {
        // As in Cosmos DB, documents without the ordered field are left out.
        sql.push_str(&format!(" AND {} IS NOT NULL", key_exprs[0]));
    }
    if let Some(token) = &q.continuation {
        let last = decode_token(token, key_exprs.len())?;
        let cmp = match direction {
            Order::Asc => ">",
            Order::Desc => "<",
        };
        let placeholders = vec!["?"; last.len()].join(", ");
        sql.push_str(&format!(
            " AND ({}) {cmp} ({placeholders})",
            key_exprs.join(", ")
        ));
        for v in &last {
            args.push(to_sql(v)?);
        }
    }
    let dir = match direction {
        Order::Asc => "ASC",
        Order::Desc => "DESC",
    };
    let order: Vec<String> = key_exprs.iter().map(|e| format!("{e} {dir}")).collect();
    let limit = page_size(q.limit);
    sql.push_str(&format!(
        " ORDER BY {} LIMIT {}",
        order.join(", "),
        limit + 1
    ));
    Ok(QuerySql {
        sql,
        args,
        key_len: key_exprs.len(),
        limit: limit as usize,
    })
}

fn run_query(
    conn: &Connection,
    c: Container,
    pk: Option<&str>,
    q: &Query,
) -> Result<RawPage, StoreError> {
    let QuerySql {
        sql,
        args,
        key_len,
        limit,
    } = query_sql(c, pk, q)?;
    let mut stmt = conn.prepare_cached(&sql).map_err(sql_err)?;
    let mut rows = stmt
        .query(rusqlite::params_from_iter(args.iter()))
        .map_err(sql_err)?;
    let mut items = Vec::new();
    let mut last_key = Vec::new();
    let mut more = false;
    while let Some(row) = rows.next().map_err(sql_err)? {
        if items.len() == limit {
            more = true;
            break;
        }
        items.push(RawDocument {
            id: row.get(0).map_err(sql_err)?,
            partition_key: row.get(1).map_err(sql_err)?,
            body: row.get(2).map_err(sql_err)?,
            etag: ETag(row.get(3).map_err(sql_err)?),
        });
        last_key = (0..key_len)
            .map(|i| row.get::<_, SqlValue>(4 + i).map(from_sql))
            .collect::<Result<_, _>>()
            .map_err(sql_err)?;
    }
    let continuation = if more {
        Some(encode_token(&last_key)?)
    } else {
        None
    };
    Ok(RawPage {
        items,
        continuation,
    })
}

/// A stored document with its body parsed into a generic value.
fn parsed(d: RawDocument) -> Result<Document, StoreError> {
    Ok(Document {
        body: serde_json::from_str(&d.body).map_err(StoreError::internal)?,
        id: d.id,
        partition_key: d.partition_key,
        etag: d.etag,
    })
}

fn parsed_page(p: RawPage) -> Result<Page, StoreError> {
    Ok(Page {
        items: p.items.into_iter().map(parsed).collect::<Result<_, _>>()?,
        continuation: p.continuation,
    })
}

#[async_trait]
impl DocumentStore for SqliteDocumentStore {
    async fn create(&self, c: Container, doc: NewDocument) -> Result<ETag, StoreError> {
        self.write(move |tx| {
            let pk = doc.partition_key.clone();
            apply(tx, c, &pk, &BatchOp::Create(doc)).and_then(written)
        })
        .await
    }

    async fn upsert(&self, c: Container, doc: NewDocument) -> Result<ETag, StoreError> {
        self.write(move |tx| write_row(tx, c, &doc)).await
    }

    async fn replace(
        &self,
        c: Container,
        doc: NewDocument,
        if_match: Option<&ETag>,
    ) -> Result<ETag, StoreError> {
        let if_match = if_match.cloned();
        self.write(move |tx| {
            let pk = doc.partition_key.clone();
            apply(tx, c, &pk, &BatchOp::Replace { doc, if_match }).and_then(written)
        })
        .await
    }

    async fn read(&self, c: Container, pk: &str, id: &str) -> Result<Option<Document>, StoreError> {
        self.read_raw(c, pk, id).await?.map(parsed).transpose()
    }

    async fn read_raw(
        &self,
        c: Container,
        pk: &str,
        id: &str,
    ) -> Result<Option<RawDocument>, StoreError> {
        let (pk, id) = (pk.to_owned(), id.to_owned());
        self.read_with(move |conn| {
            let row = conn
                .prepare_cached(
                    "SELECT body, etag FROM documents WHERE container = ?1 AND pk = ?2 AND id = ?3
                       AND (expires_at IS NULL OR expires_at > ?4)",
                )
                .map_err(sql_err)?
                .query_row(params![c.name, pk, id, now_secs()], |row| {
                    Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
                })
                .optional()
                .map_err(sql_err)?;
            Ok(row.map(|(body, etag)| RawDocument {
                body,
                id,
                partition_key: pk,
                etag: ETag(etag),
            }))
        })
        .await
    }

    async fn delete(
        &self,
        c: Container,
        pk: &str,
        id: &str,
        if_match: Option<&ETag>,
    ) -> Result<(), StoreError> {
        let (pk, id, if_match) = (pk.to_owned(), id.to_owned(), if_match.cloned());
        self.write(move |tx| apply(tx, c, &pk, &BatchOp::Delete { id, if_match }).map(|_| ()))
            .await
    }

    async fn query(&self, c: Container, pk: &str, q: Query) -> Result<Page, StoreError> {
        let pk = pk.to_owned();
        self.read_with(move |conn| run_query(conn, c, Some(&pk), &q).and_then(parsed_page))
            .await
    }

    async fn query_raw(&self, c: Container, pk: &str, q: Query) -> Result<RawPage, StoreError> {
        let pk = pk.to_owned();
        self.read_with(move |conn| run_query(conn, c, Some(&pk), &q))
            .await
    }

    async fn query_all_partitions(&self, c: Container, q: Query) -> Result<Page, StoreError> {
        self.read_with(move |conn| run_query(conn, c, None, &q).and_then(parsed_page))
            .await
    }

    async fn batch(
        &self,
        c: Container,
        pk: &str,
        ops: Vec<BatchOp>,
    ) -> Result<Vec<Option<ETag>>, StoreError> {
        if ops.len() > 100 {
            return Err(StoreError::Invalid(
                "a batch holds at most 100 operations".into(),
            ));
        }
        let pk = pk.to_owned();
        self.write(move |tx| ops.iter().map(|op| apply(tx, c, &pk, op)).collect())
            .await
    }

    async fn remove_expired(&self) -> Result<u64, StoreError> {
        self.write(|tx| {
            let n = tx
                .execute(
                    "DELETE FROM documents WHERE expires_at IS NOT NULL AND expires_at <= ?1",
                    params![now_secs()],
                )
                .map_err(sql_err)?;
            Ok(n as u64)
        })
        .await
    }

    async fn compact(&self) -> Result<(), StoreError> {
        self.checkpoint().await
    }

    async fn ping(&self) -> Result<(), StoreError> {
        self.read_with(|conn| conn.query_row("SELECT 1", [], |_| Ok(())).map_err(sql_err))
            .await
    }
}

/// Where the database file lives inside the data folder.
pub fn database_path(data_dir: &Path) -> PathBuf {
    data_dir.join("documents.sqlite3")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Order;

    fn new_database(dir: &tempfile::TempDir) -> Connection {
        let mut conn = open_connection(&dir.path().join("db")).expect("open");
        create_schema(&mut conn).expect("schema");
        conn
    }

    fn plan(conn: &Connection, c: Container, q: &Query) -> String {
        let q = query_sql(c, Some("p"), q).expect("sql");
        let mut stmt = conn
            .prepare(&format!("EXPLAIN QUERY PLAN {}", q.sql))
            .expect("statement");
        let rows = stmt
            .query_map(rusqlite::params_from_iter(q.args.iter()), |row| {
                row.get::<_, String>(3)
            })
            .expect("plan");
        rows.collect::<Result<Vec<_>, _>>()
            .expect("plan rows")
            .join("\n")
    }

    /// The day view's query: one project, a range on `start`, in order.
    fn day_range() -> Query {
        Query::new()
            .order_by("start", Order::Asc)
            .ge("start", "2027-03-01T00:00:00Z")
            .lt("start", "2027-03-02T00:00:00Z")
            .limit(50)
    }

    #[test]
    fn a_range_on_a_clustered_field_is_read_from_its_index_alone() {
        let dir = tempfile::tempdir().expect("temp dir");
        let conn = new_database(&dir);
        for q in [day_range(), day_range().eq("status", "confirmed")] {
            let plan = plan(&conn, containers::PROJECTS, &q);
            assert!(
                plan.contains("USING COVERING INDEX cx_projects_start"),
                "{plan}"
            );
            assert!(!plan.contains("TEMP B-TREE"), "{plan}");
        }
    }

    #[test]
    fn every_indexed_field_is_searched_and_ordered_through_its_index() {
        let dir = tempfile::tempdir().expect("temp dir");
        let conn = new_database(&dir);
        for c in containers::ALL {
            for field in c.indexed_fields {
                let index = index_name(c, field);
                let by_value = plan(&conn, *c, &Query::new().eq(field, "x"));
                assert!(
                    by_value.contains(&format!("INDEX {index} ")),
                    "{index}: {by_value}"
                );
                let in_order = plan(&conn, *c, &Query::new().order_by(field, Order::Desc));
                assert!(
                    in_order.contains(&format!("INDEX {index} ")),
                    "{index}: {in_order}"
                );
                assert!(!in_order.contains("TEMP B-TREE"), "{in_order}");
            }
        }
    }

    #[test]
    fn a_query_walks_the_index_that_bounds_it_best() {
        let dir = tempfile::tempdir().expect("temp dir");
        let conn = new_database(&dir);
        let projects = containers::PROJECTS;
        let cases = [
            // Search: the term, not every index entry of the project.
            (
                Query::new().eq("kind", "term").eq("term", "beton"),
                "ix_projects_term",
            ),
            // Resources, members: the kind, not the whole partition.
            (Query::new().eq("kind", "resource"), "ix_projects_kind"),
            // An equality on an unindexed field doesn't hide an indexed one.
            (
                Query::new()
                    .eq("kind", "member")
                    .eq("role", "owner")
                    .eq("userId", "u"),
                "ix_projects_userId",
            ),
            // Audit trail, newest first: walked in order, never sorted.
            (
                Query::new()
                    .eq("kind", "audit")
                    .eq("action", "booking.create")
                    .order_by("at", Order::Desc),
                "ix_projects_at",
            ),
            // Day view of one status: the day's range, not every approval.
            (day_range().eq("status", "approved"), "cx_projects_start"),
        ];
        for (q, index) in cases {
            let plan = plan(&conn, projects, &q);
            assert!(plan.contains(&format!("INDEX {index} (pk=?")), "{plan}");
            assert!(!plan.contains("TEMP B-TREE"), "{plan}");
        }
        // A range alone bounds the walk; its matches are sorted by id.
        let range = plan(&conn, projects, &Query::new().ge("end", "2027-03-01"));
        assert!(
            range.contains("INDEX ix_projects_end (pk=? AND <expr>>?)"),
            "{range}"
        );
        let whole = plan(&conn, projects, &Query::new().eq("notIndexed", "x"));
        assert!(
            whole.contains("PRIMARY KEY (container=? AND pk=?)"),
            "{whole}"
        );
    }

    #[test]
    fn opening_a_database_rebuilds_indexes_made_in_an_older_shape() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut conn = open_connection(&dir.path().join("db")).expect("open");
        conn.execute_batch(
            "CREATE TABLE documents (container TEXT NOT NULL, pk TEXT NOT NULL,
                 id TEXT NOT NULL, body TEXT NOT NULL, etag TEXT NOT NULL,
                 expires_at INTEGER, PRIMARY KEY (container, pk, id)) WITHOUT ROWID;
             CREATE INDEX ix_projects_start ON documents(pk, json_extract(body, '$.start'), id)
                 WHERE container = 'projects';
             CREATE INDEX ix_projects_kind ON documents(pk, json_extract(body, '$.kind'), id)
                 WHERE container = 'projects';",
        )
        .expect("old schema");
        create_schema(&mut conn).expect("schema");
        let indexes: Vec<(String, String)> = conn
            .prepare(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index'
                   AND (name LIKE '%_projects_start' OR name = 'ix_projects_kind') ORDER BY name",
            )
            .expect("statement")
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
            .expect("indexes")
            .collect::<Result<_, _>>()
            .expect("names");
        let names: Vec<&str> = indexes.iter().map(|i| i.0.as_str()).collect();
        assert_eq!(names, ["cx_projects_start", "ix_projects_kind"]);
        assert!(indexes[1].1.ends_with("IS NOT NULL"), "{}", indexes[1].1);
        // Stored as declared, so the next opening rebuilds nothing.
        let stored: Vec<(String, String)> = conn
            .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND name GLOB '[ci]x_*' ORDER BY name")
            .expect("statement")
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
            .expect("indexes")
            .collect::<Result<_, _>>()
            .expect("rows");
        let mut expected = field_indexes().expect("declared");
        expected.sort();
        assert_eq!(stored, expected);
    }
}
