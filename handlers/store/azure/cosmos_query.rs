//! Query text for Cosmos DB: a parameterized `SELECT` with the filters, the
//! ordering key (the ordered field, the partition key across partitions,
//! then the id) and keyset paging on that key, so continuation tokens are
//! the same self-contained tokens the embedded store issues.

use serde_json::Value;

use crate::store::Container;
use crate::store::document::{FilterOp, Order, Query, StoreError};
use crate::store::paging::{check_identifier, decode_token, page_size};

/// A query ready to send, and how to read the ordering key of a result.
#[derive(Debug, PartialEq)]
pub(super) struct QueryPlan {
    pub sql: String,
    pub params: Vec<(String, Value)>,
    /// Top-level fields whose values, in order, form an item's ordering key.
    pub key_fields: Vec<String>,
    /// Items per page; the query asks for one more to learn whether more remain.
    pub limit: usize,
}

/// Cosmos DB SQL keywords: a field with such a name (`end`, `value`) must
/// be written in bracket notation.
const KEYWORDS: &[&str] = &[
    "and",
    "array",
    "as",
    "asc",
    "between",
    "by",
    "case",
    "cast",
    "convert",
    "cross",
    "desc",
    "distinct",
    "else",
    "end",
    "escape",
    "exists",
    "false",
    "for",
    "from",
    "group",
    "having",
    "in",
    "inner",
    "insert",
    "into",
    "is",
    "join",
    "left",
    "like",
    "limit",
    "not",
    "null",
    "offset",
    "on",
    "or",
    "order",
    "outer",
    "over",
    "right",
    "select",
    "set",
    "then",
    "top",
    "true",
    "udf",
    "undefined",
    "update",
    "value",
    "when",
    "where",
    "with",
];

/// Dot notation where possible: the SDK plans cross-partition `ORDER BY`
/// locally and only understands plain property paths there. Keywords get
/// brackets with single quotes, which Cosmos DB and its in-process emulator
/// both read as a string (the emulator takes `"end"` for an identifier).
fn path(field: &str) -> String {
    if KEYWORDS.contains(&field.to_ascii_lowercase().as_str()) {
        format!("c['{field}']")
    } else {
        format!("c.{field}")
    }
}

pub(super) fn plan(c: Container, pk: Option<&str>, q: &Query) -> Result<QueryPlan, StoreError> {
    let mut key_fields = Vec::new();
    let mut direction = Order::Asc;
    if let Some((field, dir)) = &q.order_by {
        check_identifier(field)?;
        key_fields.push(field.clone());
        direction = *dir;
    }
    if pk.is_none() {
        key_fields.push(c.partition_key.to_owned());
    }
    key_fields.push("id".to_owned());

    let mut conditions = Vec::new();
    let mut params = Vec::new();
    let mut param = |value: Value| {
        let name = format!("@p{}", params.len());
        params.push((name.clone(), value));
        name
    };
    if let Some(pk) = pk {
        conditions.push(format!(
            "{} = {}",
            path(c.partition_key),
            param(Value::String(pk.to_owned()))
        ));
    }
    for f in &q.filters {
        check_identifier(&f.field)?;
        let p = path(&f.field);
        if f.value.is_null() {
            if f.op != FilterOp::Eq {
                return Err(StoreError::Invalid(
                    "null only compares for equality".into(),
                ));
            }
            // As in the embedded store, a missing field equals null.
            conditions.push(format!("(NOT IS_DEFINED({p}) OR IS_NULL({p}))"));
            continue;
        }
        if f.value.is_array() || f.value.is_object() {
            return Err(StoreError::Invalid(
                "queries compare scalar values only".into(),
            ));
        }
        let op = match f.op {
            FilterOp::Eq => "=",
            FilterOp::Lt => "<",
            FilterOp::Le => "<=",
            FilterOp::Gt => ">",
            FilterOp::Ge => ">=",
        };
        conditions.push(format!("{p} {op} {}", param(f.value.clone())));
    }
    if let Some((field, _)) = &q.order_by {
        // Documents without the ordered field are left out, everywhere.
        let p = path(field);
        conditions.push(format!("IS_DEFINED({p}) AND NOT IS_NULL({p})"));
    }
    let cmp = match direction {
        Order::Asc => ">",
        Order::Desc => "<",
    };
    if let Some(token) = &q.continuation {
        let last = decode_token(token, key_fields.len())?;
        let names: Vec<String> = last.into_iter().map(&mut param).collect();
        // (k0, k1, k2) beyond (v0, v1, v2), spelled out: SQL here has no
        // row-value comparison.
        let alternatives: Vec<String> = (0..key_fields.len())
            .map(|i| {
                let mut terms: Vec<String> = (0..i)
                    .map(|j| format!("{} = {}", path(&key_fields[j]), names[j]))
                    .collect();
                terms.push(format!("{} {cmp} {}", path(&key_fields[i]), names[i]));
                format!("({})", terms.join(" AND "))
            })
            .collect();
        conditions.push(format!("({})", alternatives.join(" OR ")));
    }

    let limit = page_size(q.limit) as usize;
    let dir = match direction {
        Order::Asc => "ASC",
        Order::Desc => "DESC",
    };
    let order: Vec<String> = key_fields
        .iter()
        .map(|f| format!("{} {dir}", path(f)))
        .collect();
    let mut sql = format!("SELECT TOP {} * FROM c", limit + 1);
    if !conditions.is_empty() {
        sql.push_str(" WHERE ");
        sql.push_str(&conditions.join(" AND "));
    }
    sql.push_str(" ORDER BY ");
    sql.push_str(&order.join(", "));
    Ok(QueryPlan {
        sql,
        params,
        key_fields,
        limit,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::containers::SYSTEM;
    use crate::store::paging::encode_token;
    use serde_json::json;

    #[test]
    fn a_single_partition_query_filters_orders_and_pages_by_key() {
        let token = encode_token(&[json!(4), json!("d004")]).expect("token");
        let q = Query::new()
            .eq("kind", "even")
            .lt("seq", 21)
            .order_by("seq", Order::Asc)
            .limit(3)
            .continuation(Some(token));
        let p = plan(SYSTEM, Some("q"), &q).expect("plan");
        assert_eq!(
            p.sql,
            "SELECT TOP 4 * FROM c WHERE c.pk = @p0 AND c.kind = @p1 \
             AND c.seq < @p2 AND IS_DEFINED(c.seq) AND NOT IS_NULL(c.seq) \
             AND ((c.seq > @p3) OR (c.seq = @p3 AND c.id > @p4)) \
             ORDER BY c.seq ASC, c.id ASC"
        );
        assert_eq!(p.params[0], ("@p0".to_owned(), json!("q")));
        assert_eq!(p.params[4], ("@p4".to_owned(), json!("d004")));
        assert_eq!(p.key_fields, vec!["seq", "id"]);
        assert_eq!(p.limit, 3);
    }

    #[test]
    fn across_partitions_the_partition_key_joins_the_ordering_key() {
        let p = plan(SYSTEM, None, &Query::new().order_by("seq", Order::Desc)).expect("plan");
        assert_eq!(p.key_fields, vec!["seq", "pk", "id"]);
        assert!(p.sql.ends_with("ORDER BY c.seq DESC, c.pk DESC, c.id DESC"));
        assert!(!p.sql.contains("@p0 ="), "no partition filter");
    }

    #[test]
    fn keywords_are_written_in_brackets() {
        let p = plan(
            SYSTEM,
            Some("p"),
            &Query::new().lt("end", 5).order_by("value", Order::Asc),
        )
        .expect("plan");
        assert!(p.sql.contains("c['end'] < @p1"), "{}", p.sql);
        assert!(
            p.sql.contains("ORDER BY c['value'] ASC, c.id ASC"),
            "{}",
            p.sql
        );
    }

    #[test]
    fn field_names_and_values_are_checked() {
        let bad_field = Query::new().eq("a'] OR 1=1", 1);
        assert!(matches!(
            plan(SYSTEM, Some("p"), &bad_field),
            Err(StoreError::Invalid(_))
        ));
        let array = Query::new().eq("kind", json!([1]));
        assert!(matches!(
            plan(SYSTEM, Some("p"), &array),
            Err(StoreError::Invalid(_))
        ));
        let null_range = Query::new().lt("kind", Value::Null);
        assert!(matches!(
            plan(SYSTEM, Some("p"), &null_range),
            Err(StoreError::Invalid(_))
        ));
        let forged = Query::new().continuation(Some("not-a-token!".into()));
        assert!(matches!(
            plan(SYSTEM, Some("p"), &forged),
            Err(StoreError::Invalid(_))
        ));
    }
}
