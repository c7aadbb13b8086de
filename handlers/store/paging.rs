//! Paging shared by every document store: page sizes and the continuation
//! token, an opaque encoding of the ordering key of the last item served
//! (keyset paging), so a token never depends on server-side cursor state.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;

use super::document::StoreError;

const DEFAULT_LIMIT: u32 = 100;
const MAX_LIMIT: u32 = 1000;

/// The number of items a page holds for a query's `limit`.
pub(crate) fn page_size(limit: Option<u32>) -> u32 {
    limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT)
}

pub(crate) fn encode_token(key: &[Value]) -> Result<String, StoreError> {
    let json = serde_json::to_vec(key).map_err(StoreError::internal)?;
    Ok(URL_SAFE_NO_PAD.encode(json))
}

/// Decode a token into `len` scalar key values; anything else is `Invalid`.
pub(crate) fn decode_token(token: &str, len: usize) -> Result<Vec<Value>, StoreError> {
    let invalid = || StoreError::Invalid("invalid continuation token".into());
    let bytes = URL_SAFE_NO_PAD.decode(token).map_err(|_| invalid())?;
    let key: Vec<Value> = serde_json::from_slice(&bytes).map_err(|_| invalid())?;
    if key.len() == len && key.iter().all(|v| !v.is_array() && !v.is_object()) {
        Ok(key)
    } else {
        Err(invalid())
    }
}

/// Field names come from code, not from users; still, only plain
/// identifiers ever reach query text.
pub(crate) fn check_identifier(field: &str) -> Result<(), StoreError> {
    if !field.is_empty()
        && field
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_')
    {
        Ok(())
    } else {
        Err(StoreError::Invalid(format!("invalid field name {field:?}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_token_round_trips_and_forgeries_are_invalid() {
        let key = vec![json!(4), json!("p"), json!("d004")];
        let token = encode_token(&key).expect("encode");
        assert_eq!(decode_token(&token, 3).expect("decode"), key);
        for bad in ["not-a-token!", "", &token[1..]] {
            assert!(matches!(decode_token(bad, 3), Err(StoreError::Invalid(_))));
        }
        assert!(decode_token(&token, 2).is_err(), "wrong key length");
        let nested = encode_token(&[json!([1])]).expect("encode");
        assert!(decode_token(&nested, 1).is_err(), "keys are scalars");
    }
}
