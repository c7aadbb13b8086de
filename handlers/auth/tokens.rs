//! Access tokens: short-lived HS256 JWTs with a `kid` header and the claims
//! `sub`, `org`, `sid` (the session, checked against the store on every
//! request), `iat`, `exp`, `jti`. Verification pins the algorithm, looks
//! the key up by `kid` (several keys may verify, for rotation) and rejects
//! anything unsigned, differently signed, tampered with or expired.

use base64::Engine;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

use crate::domain::ids::{OrganizationId, UserId};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Claims {
    pub sub: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org: Option<String>,
    pub sid: String,
    pub iat: i64,
    pub exp: i64,
    pub jti: String,
}

/// A named HMAC key.
#[derive(Clone)]
pub struct TokenKey {
    pub kid: String,
    pub secret: Vec<u8>,
}

/// Never prints the secret.
impl std::fmt::Debug for TokenKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenKey")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl TokenKey {
    /// At least 256 bits, as HS256 wants.
    pub const MIN_BYTES: usize = 32;

    /// The default key id: a short fingerprint of the key.
    pub fn fingerprint(secret: &[u8]) -> String {
        use sha2::Digest;
        hex::encode(&sha2::Sha256::digest(secret)[..6])
    }

    pub fn decode_secret(b64: &str) -> Option<Vec<u8>> {
        let b64 = b64.trim();
        base64::engine::general_purpose::STANDARD
            .decode(b64)
            .or_else(|_| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(b64))
            .ok()
            .filter(|k| k.len() >= Self::MIN_BYTES)
    }
}

pub struct TokenKeys {
    signing_kid: String,
    signing: EncodingKey,
    verifying: HashMap<String, DecodingKey>,
    access_ttl_secs: i64,
}

#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("invalid token")]
    Invalid,
    #[error("token signing failed: {0}")]
    Signing(String),
}

/// What a valid access token says.
#[derive(Debug, Clone, PartialEq)]
pub struct Verified {
    pub user_id: UserId,
    pub org_id: Option<OrganizationId>,
    pub session_id: String,
}

impl TokenKeys {
    pub fn new(signing: TokenKey, also_verify: Vec<TokenKey>, access_ttl_secs: i64) -> Self {
        let mut verifying = HashMap::new();
        for k in also_verify.iter().chain(std::iter::once(&signing)) {
            verifying.insert(k.kid.clone(), DecodingKey::from_secret(&k.secret));
        }
        TokenKeys {
            signing_kid: signing.kid.clone(),
            signing: EncodingKey::from_secret(&signing.secret),
            verifying,
            access_ttl_secs,
        }
    }

    pub fn access_ttl_secs(&self) -> i64 {
        self.access_ttl_secs
    }

    pub fn issue(
        &self,
        user: &UserId,
        org: Option<&OrganizationId>,
        session_id: &str,
    ) -> Result<String, TokenError> {
        let now = jiff::Timestamp::now().as_second();
        let claims = Claims {
            sub: user.as_string(),
            org: org.map(OrganizationId::as_string),
            sid: session_id.to_owned(),
            iat: now,
            exp: now + self.access_ttl_secs,
            jti: uuid::Uuid::new_v4().simple().to_string(),
        };
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(self.signing_kid.clone());
        jsonwebtoken::encode(&header, &claims, &self.signing)
            .map_err(|e| TokenError::Signing(e.to_string()))
    }

    pub fn verify(&self, token: &str) -> Result<Verified, TokenError> {
        let header = jsonwebtoken::decode_header(token).map_err(|_| TokenError::Invalid)?;
        if header.alg != Algorithm::HS256 {
            return Err(TokenError::Invalid);
        }
        let key = header
            .kid
            .as_deref()
            .and_then(|kid| self.verifying.get(kid))
            .ok_or(TokenError::Invalid)?;
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 5;
        validation.set_required_spec_claims(&["exp", "iat", "sub"]);
        let data = jsonwebtoken::decode::<Claims>(token, key, &validation)
            .map_err(|_| TokenError::Invalid)?;
        let user_id = UserId::parse(&data.claims.sub).ok_or(TokenError::Invalid)?;
        let org_id = match data.claims.org {
            Some(org) => Some(OrganizationId::parse(&org).ok_or(TokenError::Invalid)?),
            None => None,
        };
        Ok(Verified {
            user_id,
            org_id,
            session_id: data.claims.sid,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(kid: &str, byte: u8) -> TokenKey {
        TokenKey {
            kid: kid.into(),
            secret: vec![byte; 32],
        }
    }

    #[test]
    fn rotation_keeps_old_tokens_valid_while_listed() {
        let old = TokenKeys::new(key("k1", 1), vec![], 900);
        let user = UserId::generate();
        let token = old.issue(&user, None, "s1").expect("issue");
        let rotated = TokenKeys::new(key("k2", 2), vec![key("k1", 1)], 900);
        assert_eq!(rotated.verify(&token).expect("still valid").user_id, user);
        let dropped = TokenKeys::new(key("k2", 2), vec![], 900);
        assert!(
            dropped.verify(&token).is_err(),
            "retired key no longer verifies"
        );
    }
}
