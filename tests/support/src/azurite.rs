//! Azurite (the Azure Storage emulator) over https with a bearer token, as
//! Blob Storage is reached in production: a token credential and TLS, with
//! a test CA and an unsigned JWT whose claims Azurite's `--oauth basic`
//! mode checks (audience, issuer, lifetime). `scripts/with-azurite` starts
//! Azurite and exports its coordinates (`URL_VAR`, `CA_VAR`). Shared by the
//! blob-store tests and the start-up benchmark.

use async_trait::async_trait;
use azure_core::credentials::{AccessToken, Secret, TokenCredential, TokenRequestOptions};
use azure_core::http::{ClientOptions, Transport, Url};
use azure_core::time::{Duration, OffsetDateTime};
use azure_storage_blob::BlobContainerClientOptions;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use std::sync::Arc;

/// The account URL, e.g. `https://127.0.0.1:10000/devstoreaccount1`.
pub const URL_VAR: &str = "LMS_TEST_AZURITE_URL";
/// The CA certificate (PEM) that signed Azurite's.
pub const CA_VAR: &str = "LMS_TEST_AZURITE_CA";
/// The audience Blob Storage expects.
pub const STORAGE_AUDIENCE: &str = "https://storage.azure.com";

/// What Entra ID would issue, minus the signature, which Azurite does not
/// check (it does check the claims).
#[derive(Debug)]
pub struct UnsignedJwt {
    pub audience: &'static str,
}

#[async_trait]
impl TokenCredential for UnsignedJwt {
    async fn get_token(
        &self,
        scopes: &[&str],
        _options: Option<TokenRequestOptions<'_>>,
    ) -> azure_core::Result<AccessToken> {
        assert_eq!(scopes, ["https://storage.azure.com/.default"]);
        let now = OffsetDateTime::now_utc();
        let expires = now + Duration::hours(1);
        let header = json_b64(&serde_json::json!({"alg": "none", "typ": "JWT"}));
        let claims = json_b64(&serde_json::json!({
            "aud": self.audience,
            "iss": "https://sts.windows.net/6f1c3b1e-0c2a-4c1e-9d1e-2f4a5b6c7d8e/",
            "iat": now.unix_timestamp() - 60,
            "nbf": now.unix_timestamp() - 60,
            "exp": expires.unix_timestamp(),
            "oid": "00000000-0000-0000-0000-000000000001",
        }));
        Ok(AccessToken::new(
            Secret::new(format!("{header}.{claims}.")),
            expires,
        ))
    }
}

fn json_b64(v: &serde_json::Value) -> String {
    URL_SAFE_NO_PAD.encode(v.to_string())
}

/// Client options whose https transport trusts only the CA in `ca_pem`.
/// The SDK handles compression itself, so the transport must not
/// decompress.
pub fn client_options(ca_pem: &[u8]) -> BlobContainerClientOptions {
    let ca = reqwest::Certificate::from_pem(ca_pem).expect("CA certificate");
    let http = reqwest::Client::builder()
        .tls_certs_only([ca])
        .no_gzip()
        .no_deflate()
        .build()
        .expect("https client");
    BlobContainerClientOptions {
        client_options: ClientOptions {
            transport: Some(Transport::new(Arc::new(http))),
            ..Default::default()
        },
        ..Default::default()
    }
}

/// A container of the account at `account_url` with a fresh name.
pub fn fresh_container_url(account_url: &Url) -> Url {
    let mut url = account_url.clone();
    let name = format!("t-{}", uuid::Uuid::new_v4().simple());
    url.path_segments_mut()
        .expect("base url")
        .pop_if_empty()
        .push(&name);
    url
}
